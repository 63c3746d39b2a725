"""Many delegates cast and change positions at once while the chair closes the round.

Runs on a real migrated database of its own (SQLite file, or PostgreSQL when
COUNCIL_TEST_DATABASE_URL is set), with one session per thread, as the application would.
"""

from __future__ import annotations

import json
import random
import threading
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from council import audit
from council.database import Database, make_engine, utcnow
from council.models import AuditRecord, Person, Seat, SeatKind, SeatRole
from tests.factories import make_council, make_group, make_person, make_seat, make_secretariat
from workspaces import drafts, rounds
from workspaces.decisions import Choice, SeatAnswer, decide
from workspaces.round_models import Position, PositionChange, Round
from workspaces.rounds import PositionForm, RoundClosed, _settings

SEATS = 30
PARTICIPANTS = 8
DELEGATES = 2
CHANGES = 6
TEXT = "The member states should open pathways.\n\nWorkers never pay fees.\n\nReview yearly."


@dataclass(frozen=True)
class Ack:
    seat_id: int
    version: int
    choice: str
    text: str
    person_id: int


def _build(database: Database) -> dict:
    with database.transaction() as session:
        make_council(session)
        seats = [
            make_seat(
                session,
                SeatKind.PARTICIPANT if n < PARTICIPANTS else SeatKind.MEMBER_STATE,
                name=f"Seat {n:02d}",
            )
            for n in range(SEATS)
        ]
        group = make_group(session, seats=seats, slug="race")
        people = [
            (
                make_person(
                    session, seat=seat, role=SeatRole.HEAD if d == 0 else SeatRole.DELEGATE
                ).id,
                seat.id,
            )
            for seat in seats
            for d in range(DELEGATES)
        ]
        secretariat = make_secretariat(session)  # the group has no chair: the secretariat acts
        draft = drafts.start_draft(
            session,
            by=secretariat,
            group=group,
            title="Race",
            purpose="",
            sponsor_seat_ids=[seats[-1].id],
            text=TEXT,
            language="en",
        )
        paragraph = drafts.paragraphs(session, drafts.latest_revision(session, draft))[1]
        round_ = rounds.open_round(
            session,
            by=secretariat,
            draft=draft,
            kind="decision",
            deadline=utcnow() + timedelta(hours=1),
        )
        return {
            "people": people,
            "round_id": round_.id,
            "secretariat_id": secretariat.id,
            "group_id": group.id,
            "paragraph_id": paragraph.paragraph_id,
        }


@pytest.mark.parametrize("closing", ["chair", "deadline"])
def test_one_position_per_seat_equal_to_its_last_acknowledged_change(fresh_databases, closing):
    """The chair closes the round, or its deadline passes while readers settle it."""
    database = Database(make_engine(fresh_databases.create(), pool_size=20, max_overflow=60))
    try:
        world = _build(database)
        _race(database, world, closing)
    finally:
        database.dispose()


def _race(database: Database, world: dict, closing: str) -> None:
    people = world["people"]
    round_id = world["round_id"]
    acks: list[Ack] = []
    refused: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    enough = threading.Event()
    readers = 3 if closing == "deadline" else 0
    start = threading.Barrier(len(people) + 1 + readers)
    closed = threading.Event()

    def delegate(person_id: int, seat_id: int, seed: int) -> None:
        rng = random.Random(seed)
        start.wait()
        for n in range(CHANGES):
            choice = rng.choice(list(Choice))
            form = PositionForm(
                choice,
                reservation=f"Reservation {person_id}/{n}",
                reason=f"Reason {person_id}/{n}",
                paragraph_ids=[world["paragraph_id"]] if rng.random() < 0.5 else [],
            )
            try:
                with database.transaction() as session:
                    change = rounds.cast_position(
                        session,
                        session.get(Round, round_id),
                        by=session.get(Person, person_id),
                        seat=session.get(Seat, seat_id),
                        form=form,
                        now=utcnow(),
                    )
                    version, text = change.version, change.text
                # committed: this change is acknowledged
                with lock:
                    acks.append(Ack(seat_id, version, choice.value, text, person_id))
                    if len(acks) >= len(people) * CHANGES // 3:
                        enough.set()
            except RoundClosed:
                with lock:
                    refused.append(person_id)
            except BaseException as error:  # noqa: BLE001  (any other error fails the test)
                with lock:
                    errors.append(error)

    def chair() -> None:
        start.wait()
        enough.wait(timeout=60)
        try:
            with database.transaction() as session:
                if closing == "chair":
                    rounds.close_round(
                        session,
                        session.get(Round, round_id),
                        by=session.get(Person, world["secretariat_id"]),
                        statement="Closed while the seats were answering.",
                    )
                else:  # the deadline comes now
                    session.execute(
                        update(Round).where(Round.id == round_id).values(deadline=utcnow())
                    )
        except BaseException as error:  # noqa: BLE001
            with lock:
                errors.append(error)
        closed.set()

    def reader() -> None:
        """Pages that touch the round close it once its deadline has passed."""
        start.wait()
        settled = 0
        while not closed.is_set() or settled == 0:
            try:
                with database.transaction() as session:
                    settled += len(rounds.settle_expired(session, utcnow()))
                with database.transaction(write=False) as session:
                    if session.get(Round, round_id).closed_at is not None:
                        settled += 1
            except BaseException as error:  # noqa: BLE001
                with lock:
                    errors.append(error)
                return

    threads = [
        threading.Thread(target=delegate, args=(person_id, seat_id, i))
        for i, (person_id, seat_id) in enumerate(people)
    ]
    threads.append(threading.Thread(target=chair))
    threads += [threading.Thread(target=reader) for _ in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    assert errors == [], errors
    assert closed.is_set()
    assert acks and refused, (len(acks), len(refused))  # the close came in the middle

    last: dict[int, Ack] = {}
    versions: dict[int, set[int]] = {}
    for ack in acks:
        versions.setdefault(ack.seat_id, set()).add(ack.version)
        if ack.seat_id not in last or ack.version > last[ack.seat_id].version:
            last[ack.seat_id] = ack
    with database.transaction(write=False) as session:
        round_ = session.get(Round, round_id)
        positions = {
            p.seat_id: p
            for p in session.exec(select(Position).where(Position.round_id == round_id)).all()
        }
        history = session.exec(
            select(PositionChange.seat_id, PositionChange.version).where(
                PositionChange.round_id == round_id
            )
        ).all()
        seats = session.exec(select(Seat)).all()
        group_settings = _settings(
            drafts.group_of(session, drafts.get_draft(session, round_.draft_id))
        )
        assert audit.verify(session).ok
        audit_actions = session.exec(select(AuditRecord.action)).all()

    assert round_.closed_at is not None
    assert (round_.closed_by_id is None) == (closing == "deadline")
    closes = [a for a in audit_actions if a == "round.closed"]
    assert len(closes) == 1  # closed once, however many readers raced to close it
    assert set(positions) == set(last)  # exactly one position per seat that answered
    for seat_id, ack in last.items():
        position = positions[seat_id]
        assert (position.version, position.choice, position.text, position.cast_by_id) == (
            ack.version,
            ack.choice,
            ack.text,
            ack.person_id,
        ), seat_id
        assert versions[seat_id] == set(range(1, ack.version + 1))  # no gap, no extra
    stored_history: dict[int, set[int]] = {}
    for seat_id, version in history:
        stored_history.setdefault(seat_id, set()).add(version)
    assert stored_history == versions  # refused casts left no trace
    sealed = {item["seat_id"]: item for item in json.loads(round_.sealed_positions)}
    assert {k: (v["choice"], v["version"]) for k, v in sealed.items()} == {
        k: (p.choice, p.version) for k, p in positions.items()
    }
    answers = [
        SeatAnswer(
            seat.id, seat.kind, Choice(positions[seat.id].choice) if seat.id in positions else None
        )
        for seat in seats
    ]
    expected = decide(answers, group_settings)
    assert (round_.outcome, round_.outcome_reason) == (expected.outcome, expected.reason)
    assert json.loads(round_.tally)["supports"] == expected.tally.supports
