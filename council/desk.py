"""The chair's desk: what waits for whoever acts for a working group's chairing seat, on their
home page (every group they chair) and on the group's page.

The core gives the group's next handover; extensions add their items through panels of the
page "desk" (council.extensions.Panel), whose context is loaded once for all the desks of the
page (`group` None on the home page: every group the reader chairs), in a fixed number of
queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from council import chairs
from council.extensions import Extension, panels_for
from council.models import Seat, WorkingGroup
from council.permissions import Actor, can
from council.seats import ChairInfo


@dataclass(frozen=True)
class Desk:
    group: WorkingGroup
    chair: ChairInfo
    next_seat: Seat | None
    """Whose turn comes at the end of the term (None: no other seat in the rotation)."""

    @property
    def handover_at(self) -> datetime:
        return self.chair.term.ends_at


def desks(
    session: Session,
    actor: Actor,
    groups: Iterable[WorkingGroup],
    current: Mapping[int | None, ChairInfo | None],
) -> list[Desk]:
    """The desks of `groups` the actor keeps (`chair.desk`), with `current` the groups'
    chairs as the page loaded them: one query, none for someone who chairs nothing."""
    mine = [g for g in groups if current.get(g.id) is not None and can(actor, "chair.desk", g)]
    turns = chairs.next_in_turn(session, {g.id: current[g.id].term.seat_id for g in mine})
    return [Desk(g, current[g.id], turns.get(g.id)) for g in mine]


def context(
    session: Session,
    actor: Actor,
    extensions: list[Extension],
    *,
    groups: Iterable[WorkingGroup],
    current: Mapping[int | None, ChairInfo | None],
    group: WorkingGroup | None,
    now: datetime,
) -> dict:
    """What a page shows of the desks: `desks`, and `desk_panels` ((template, context) of the
    extensions' items, loaded only when there is a desk to show)."""
    found = desks(session, actor, groups, current)
    panels = panels_for(extensions, "desk", session, actor, group, now) if found else []
    return {"desks": found, "desk_panels": panels}
