"""Who chairs a body now: derived from the chair terms and the time, never stored as a flag."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlmodel import Session, select

from council.models import ChairTerm, Person, SeatRole


def current_term(terms: Iterable[ChairTerm], now: datetime) -> ChairTerm | None:
    """The latest-starting term that covers `now`."""
    covering = [t for t in terms if t.starts_at <= now < t.ends_at]
    return max(covering, key=lambda t: t.starts_at, default=None)


def current_terms(session: Session, now: datetime) -> dict[int | None, ChairTerm]:
    """The current term of every body, keyed by working group id (None for the council)."""
    rows = session.exec(
        select(ChairTerm).where(ChairTerm.starts_at <= now, ChairTerm.ends_at > now)
    ).all()
    by_body: dict[int | None, list[ChairTerm]] = {}
    for term in rows:
        by_body.setdefault(term.working_group_id, []).append(term)
    return {body: current_term(terms, now) for body, terms in by_body.items()}


def acting_person_ids(
    session: Session, terms: Sequence[ChairTerm]
) -> dict[int, int | None]:
    """Term id -> the person acting as chair: the one the seat named, else the seat's head."""
    seat_ids = {t.seat_id for t in terms if t.acting_person_id is None}
    heads: dict[int, int] = {}
    if seat_ids:
        rows = session.exec(
            select(Person.seat_id, Person.id)
            .where(Person.seat_id.in_(seat_ids), Person.seat_role == SeatRole.HEAD,
                   Person.is_active)
            .order_by(Person.id)
        ).all()
        for seat_id, person_id in rows:
            heads.setdefault(seat_id, person_id)
    return {t.id: t.acting_person_id or heads.get(t.seat_id) for t in terms}
