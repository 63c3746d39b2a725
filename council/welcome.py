"""The front page for anonymous readers: the working groups, their mandates and the seats that
chair them and the council, when the council makes its recommendations public (the same
setting opens the library). Public pages name seats, never people, so no person is loaded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from council import rotation
from council.models import Seat, WorkingGroup


@dataclass(frozen=True)
class GroupEntry:
    group: WorkingGroup
    chair: Seat | None


@dataclass(frozen=True)
class Overview:
    groups: list[GroupEntry]
    council_chair: Seat | None


def overview(session: Session, now: datetime) -> Overview:
    """The groups in number order, each with the seat chairing it at `now`, and the council's
    chairing seat. A fixed number of queries whatever the number of groups (chair terms that
    ran out without a handover cost a few more per body until the worker records the next
    term, within seconds: council.rotation.projected_terms)."""
    groups = session.exec(select(WorkingGroup).order_by(WorkingGroup.number)).all()
    terms = {body: term for body, term in rotation.current_terms(session, now).items() if term}
    seat_ids = {term.seat_id for term in terms.values()}
    seats = (
        {seat.id: seat for seat in session.exec(select(Seat).where(Seat.id.in_(seat_ids)))}
        if seat_ids
        else {}
    )

    def chair(body: int | None) -> Seat | None:
        term = terms.get(body)
        return seats.get(term.seat_id) if term else None

    return Overview([GroupEntry(group, chair(group.id)) for group in groups], chair(None))
