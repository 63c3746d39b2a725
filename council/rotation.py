"""Who chairs a body now: derived from the chair terms and the time, never stored as a flag.

A term that ran out without a handover is followed by the automatic terms of the rotation.
Reads project them (`current_terms`, `projected_terms`) and write nothing; a write transaction
records them (council.chairs.settle_terms: in the next unsafe request, or the worker's job).
"""

from __future__ import annotations

import calendar
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from council.database import memo
from council.models import (
    ChairTerm,
    Council,
    Person,
    Seat,
    SeatRole,
    WorkingGroup,
    WorkingGroupSeat,
)

COUNCIL_TERM_MONTHS = 24


def of_body(group_id: int | None):
    """The condition on ChairTerm for one body (None: the council)."""
    return (
        ChairTerm.working_group_id.is_(None)
        if group_id is None
        else ChairTerm.working_group_id == group_id
    )


@dataclass(frozen=True)
class Rotation:
    order: list[int]
    term_months: int

    @property
    def present(self) -> set[int]:
        """A seat that leaves the body leaves its order, so the order is who is present."""
        return set(self.order)


def rotation_of(session: Session, group_id: int | None) -> Rotation:
    if group_id is None:
        order = session.exec(
            select(Seat.id)
            .where(Seat.council_rotation_position.is_not(None))
            .order_by(Seat.council_rotation_position, Seat.id)
        ).all()
        council = session.exec(select(Council).order_by(Council.id).limit(1)).first()
        return Rotation(list(order), council.chair_term_months if council else COUNCIL_TERM_MONTHS)
    order = session.exec(
        select(WorkingGroupSeat.seat_id)
        .where(
            WorkingGroupSeat.working_group_id == group_id,
            WorkingGroupSeat.rotation_position.is_not(None),
        )
        .order_by(WorkingGroupSeat.rotation_position, WorkingGroupSeat.seat_id)
    ).all()
    months = session.exec(
        select(WorkingGroup.chair_term_months).where(WorkingGroup.id == group_id)
    ).one()
    return Rotation(list(order), months)


def bodies_due(session: Session, now: datetime) -> list[int | None]:
    """The bodies whose latest term has ended (one query: the cheap check of every request)."""
    return list(
        session.exec(
            select(ChairTerm.working_group_id)
            .group_by(ChairTerm.working_group_id)
            .having(func.max(ChairTerm.ends_at) <= now)
        ).all()
    )


def latest_term(session: Session, group_id: int | None) -> ChairTerm | None:
    return session.exec(
        select(ChairTerm).where(of_body(group_id)).order_by(ChairTerm.starts_at.desc()).limit(1)
    ).first()


def current_term(terms: Iterable[ChairTerm], now: datetime) -> ChairTerm | None:
    """The latest-starting term that covers `now`."""
    covering = [t for t in terms if t.starts_at <= now < t.ends_at]
    return max(covering, key=lambda t: t.starts_at, default=None)


def planned_after(session: Session, last: ChairTerm, now: datetime) -> list[PlannedTerm]:
    """The automatic terms that followed `last` (its body's latest term) up to `now`."""
    rota = rotation_of(session, last.working_group_id)
    return terms_until(
        (last.seat_id, last.starts_at, last.ends_at),
        rota.order,
        rota.present,
        rota.term_months,
        now,
    )


def projected_terms(
    session: Session, now: datetime, group_ids: Collection[int | None] | None = None
) -> dict[int | None, list[ChairTerm]]:
    """Body -> the automatic terms not recorded yet that followed its latest term, up to the one
    covering `now`, for every body (or those of `group_ids`) whose chair ran out without a
    handover.

    Nothing is written: the terms are transient ChairTerm objects, never added to the session,
    with negative ids (-1, -2, ..., unique within one call), so that maps keyed by term id such
    as `acting_person_ids` keep them apart from recorded terms and from each other.
    """
    projected: dict[int | None, list[ChairTerm]] = {}
    next_id = -1
    for group_id in bodies_due(session, now):
        if group_ids is not None and group_id not in group_ids:
            continue
        terms = []
        for plan in planned_after(session, latest_term(session, group_id), now):
            terms.append(
                ChairTerm(
                    id=next_id,
                    working_group_id=group_id,
                    seat_id=plan.seat_id,
                    starts_at=plan.starts_at,
                    ends_at=plan.ends_at,
                    automatic=True,
                )
            )
            next_id -= 1
        if terms:
            projected[group_id] = terms
    return projected


def is_recorded(term: ChairTerm) -> bool:
    """False for a term projected by `projected_terms`."""
    return term.id is not None and term.id > 0


def current_terms(session: Session, now: datetime) -> dict[int | None, ChairTerm]:
    """The current term of every body, keyed by working group id (None for the council): the
    recorded one, or, for a body whose chair ran out without a handover, the automatic term the
    rotation gives at `now`, projected: a read writes nothing, and the former chair's powers
    still end at the instant of the term's end. Read once per transaction
    (council.database.memo)."""
    return dict(memo(session, ("current_terms", now), lambda: _current_terms(session, now)))


def _current_terms(session: Session, now: datetime) -> dict[int | None, ChairTerm]:
    rows = session.exec(
        select(ChairTerm).where(ChairTerm.starts_at <= now, ChairTerm.ends_at > now)
    ).all()
    by_body: dict[int | None, list[ChairTerm]] = {}
    for term in rows:
        by_body.setdefault(term.working_group_id, []).append(term)
    for body, terms in projected_terms(session, now).items():
        by_body.setdefault(body, []).extend(terms)
    return {body: current_term(terms, now) for body, terms in by_body.items()}


def acting_person_ids(session: Session, terms: Sequence[ChairTerm]) -> dict[int | None, int | None]:
    """Term id -> the person acting as chair: the one the seat named while they still belong to
    the seat and are active (someone who leaves a seat loses its chair at once), else the head.
    Read once per transaction for the same terms (council.database.memo)."""
    key = ("acting_person_ids", tuple((t.id, t.seat_id, t.acting_person_id) for t in terms))
    return dict(memo(session, key, lambda: _acting_person_ids(session, terms)))


def _acting_person_ids(
    session: Session, terms: Sequence[ChairTerm]
) -> dict[int | None, int | None]:
    seat_ids = {t.seat_id for t in terms}
    if not seat_ids:
        return {}
    members = session.exec(
        select(Person.id, Person.seat_id, Person.seat_role)
        .where(Person.seat_id.in_(seat_ids), Person.is_active)
        .order_by(Person.id)
    ).all()
    belongs = {(seat_id, person_id) for person_id, seat_id, _role in members}
    heads: dict[int, int] = {}
    for person_id, seat_id, role in members:
        if role == SeatRole.HEAD:
            heads.setdefault(seat_id, person_id)
    return {
        t.id: t.acting_person_id
        if (t.seat_id, t.acting_person_id) in belongs
        else heads.get(t.seat_id)
        for t in terms
    }


# The rotation itself, as pure functions of seat ids and dates (wrapped by the code that loads
# terms and records handovers).


@dataclass(frozen=True)
class PlannedTerm:
    """A term derived from the rotation; `automatic` when no handover recorded it."""

    seat_id: int
    starts_at: datetime
    ends_at: datetime
    automatic: bool = True


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus whole months, the day clamped to the month's end (Jan 31 + 1 = Feb 28/29)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 + months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def next_in_order(
    order: Sequence[int], current_seat: int | None, present: Collection[int]
) -> int | None:
    """The seat after `current_seat` in the cyclic order, skipping seats no longer present.

    With no current seat, or one outside the order, the rotation starts from the top. The
    current seat follows itself when it is the only one present; None when none is.
    """
    start = order.index(current_seat) + 1 if current_seat in order else 0
    for seat in [*order[start:], *order[:start]]:
        if seat in present:
            return seat
    return None


def terms_until(
    last_term: tuple[int, datetime, datetime],
    order: Sequence[int],
    present: Collection[int],
    term_length: int,
    now: datetime,
) -> list[PlannedTerm]:
    """The automatic terms that followed the last recorded one, up to the one covering `now`.

    `last_term` is (seat_id, starts_at, ends_at); empty while it still runs. Term ends are
    counted in months from its end, so a month-end date does not drift (Jan 31, Feb 28, Mar 31).
    """
    if term_length < 1:
        raise ValueError("a term lasts at least one month")
    seat, _, anchor = last_term
    planned: list[PlannedTerm] = []
    ends_at = anchor
    while ends_at <= now:
        seat = next_in_order(order, seat, present)
        if seat is None:
            return []
        starts_at, ends_at = ends_at, add_months(anchor, (len(planned) + 1) * term_length)
        planned.append(PlannedTerm(seat, starts_at, ends_at))
    return planned


def upcoming(
    order: Sequence[int],
    present: Collection[int],
    current_seat: int | None,
    current_end: datetime,
    term_length: int,
    count: int,
) -> list[PlannedTerm]:
    """The next `count` terms after the current one, with dates: whose turn is next."""
    if term_length < 1:
        raise ValueError("a term lasts at least one month")
    planned: list[PlannedTerm] = []
    seat = current_seat
    for n in range(count):
        seat = next_in_order(order, seat, present)
        if seat is None:
            break
        planned.append(
            PlannedTerm(
                seat,
                add_months(current_end, n * term_length),
                add_months(current_end, (n + 1) * term_length),
            )
        )
    return planned


def vice_chair(
    order: Sequence[int], present: Collection[int], chair_seat: int | None
) -> int | None:
    """The seat that acts when the chair's seat recuses itself: the next present one in order."""
    if chair_seat is None:
        return None
    seat = next_in_order(order, chair_seat, present)
    return None if seat == chair_seat else seat
