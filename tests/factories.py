"""Small factories that write real rows through the session under test."""

from __future__ import annotations

import functools
import itertools
from datetime import timedelta

from sqlmodel import Session

from council.auth import hash_password
from council.database import utcnow
from council.models import (
    ChairTerm,
    Council,
    Person,
    Seat,
    SeatKind,
    SeatRole,
    WorkingGroup,
    WorkingGroupSeat,
)

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def make_council(db: Session, **fields) -> Council:
    """A council whose texts are adopted in their own language alone, unless the test gives
    `official_languages` (tests of language versions do)."""
    council = Council(
        name=fields.pop("name", "Test Council on Migration"),
        official_languages=fields.pop("official_languages", ""),
        **fields,
    )
    db.add(council)
    db.flush()
    return council


def make_seat(db: Session, kind: SeatKind = SeatKind.MEMBER_STATE, **fields) -> Seat:
    seat = Seat(name=fields.pop("name", f"Seat {next(_numbers)}"), kind=kind, **fields)
    db.add(seat)
    db.flush()
    return seat


def make_person(
    db: Session, seat: Seat | None = None, role: SeatRole | None = None, **fields
) -> Person:
    n = next(_numbers)
    person = Person(
        email=fields.pop("email", f"person{n}@example.org"),
        name=fields.pop("name", f"Person {n}"),
        seat_id=seat.id if seat else None,
        seat_role=(role or SeatRole.DELEGATE) if seat else None,
        password_hash=_password_hash(),
        **fields,
    )
    db.add(person)
    db.flush()
    return person


def make_secretariat(db: Session, **fields) -> Person:
    return make_person(db, is_secretariat=True, **fields)


def make_group(db: Session, seats: list[Seat] = (), **fields) -> WorkingGroup:
    n = next(_numbers)
    group = WorkingGroup(
        name=fields.pop("name", f"Working group {n}"),
        slug=fields.pop("slug", f"group-{n}"),
        number=fields.pop("number", n),
        **fields,
    )
    db.add(group)
    db.flush()
    for position, seat in enumerate(seats, start=1):
        rotating = seat.kind != SeatKind.OBSERVER
        db.add(
            WorkingGroupSeat(
                working_group_id=group.id,
                seat_id=seat.id,
                rotation_position=position if rotating else None,
            )
        )
    db.flush()
    return group


def make_chair(
    db: Session,
    group: WorkingGroup | None,
    seat: Seat,
    person: Person | None = None,
    *,
    days_before: int = 10,
    days_after: int = 100,
) -> ChairTerm:
    now = utcnow()
    term = ChairTerm(
        working_group_id=group.id if group else None,
        seat_id=seat.id,
        acting_person_id=person.id if person else None,
        starts_at=now - timedelta(days=days_before),
        ends_at=now + timedelta(days=days_after),
    )
    db.add(term)
    db.flush()
    return term
