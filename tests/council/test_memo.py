"""Reads asked for by several parts of a page run once per transaction (council.database.memo),
and never outlive a write: the current chairs, which a page needs for the reader's rights, the
list of groups and the council's chair."""

from __future__ import annotations

from sqlalchemy import event, update

from council import chairs, seats
from council.database import memo, utcnow
from council.models import ChairTerm, SeatRole
from tests.factories import make_chair, make_council, make_group, make_person, make_seat


def _counting(db) -> list[str]:
    statements: list[str] = []
    event.listen(db.connection(), "before_cursor_execute", lambda *args: statements.append(args[2]))
    return statements


def test_a_read_runs_once_and_again_after_every_kind_of_write(db):
    make_council(db)
    db.commit()
    computed: list[int] = []

    def compute() -> int:
        computed.append(1)
        return len(computed)

    assert memo(db, "k", compute) == 1
    assert memo(db, "k", compute) == 1  # kept
    seat = make_seat(db, name="Belize")  # added and flushed
    assert memo(db, "k", compute) == 2
    seat.name = "Belice"  # a change not flushed yet: not kept while it is pending
    assert memo(db, "k", compute) == 3
    assert memo(db, "k", compute) == 4
    db.flush()
    assert memo(db, "k", compute) == 5
    db.execute(update(ChairTerm).values(acting_person_id=None))  # a statement, no flush
    assert memo(db, "k", compute) == 6
    assert memo(db, "k", compute) == 6
    db.commit()  # another transaction
    assert memo(db, "k", compute) == 7


def test_the_current_chairs_are_read_once_and_follow_a_change_in_the_same_transaction(db):
    make_council(db)
    canada = make_seat(db, name="Canada")
    group = make_group(db, seats=[canada], name="Pathways", slug="pathways")
    head = make_person(db, seat=canada, role=SeatRole.HEAD, name="Claire Tremblay")
    delegate = make_person(db, seat=canada, name="Marc Gagnon")
    term = make_chair(db, group, canada)
    db.commit()
    now = utcnow()

    statements = _counting(db)
    first = seats.current_chairs(db, now)
    read = len(statements)
    second = seats.current_chairs(db, now)
    assert read > 0 and len(statements) == read
    assert first[group.id].person.id == second[group.id].person.id == head.id

    chairs.name_acting_person(db, term=term, person_id=delegate.id, by=head, now=now)
    assert seats.current_chairs(db, now)[group.id].person.id == delegate.id
