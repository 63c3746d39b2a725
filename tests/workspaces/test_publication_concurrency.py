"""Several rounds of one working group adopt their texts at the same moment, each in its own
worker's transaction: every recommendation gets a number of its own, in sequence.

Runs on a real migrated database of its own (SQLite file, or PostgreSQL when
COUNCIL_TEST_DATABASE_URL is set), one session per thread, as the application would.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlmodel import select

from council.database import Database, make_engine, utcnow
from council.models import Person
from tests.factories import make_council, make_group, make_person, make_seat, make_secretariat
from workspaces import drafts, rounds
from workspaces.recommendation_models import Recommendation
from workspaces.round_models import Round
from workspaces.rounds import PositionForm

ROUNDS = 6


def _build(database: Database) -> tuple[list[int], int, int]:
    with database.transaction() as session:
        make_council(session)
        seat = make_seat(session, name="Only state")
        group = make_group(session, seats=[seat], slug="race")
        person = make_person(session, seat=seat)
        secretariat = make_secretariat(session)  # no chair: the secretariat closes
        round_ids = []
        for n in range(ROUNDS):
            draft = drafts.start_draft(
                session,
                by=person,
                group=group,
                title=f"Text {n}",
                purpose="",
                sponsor_seat_ids=[seat.id],
                text=f"Paragraph {n}.",
                language="en",
            )
            round_ = rounds.open_round(
                session,
                by=secretariat,
                draft=draft,
                kind="decision",
                deadline=utcnow() + timedelta(hours=1),
            )
            rounds.cast_position(
                session, round_, by=person, seat=seat, form=PositionForm("support")
            )
            round_ids.append(round_.id)
        return round_ids, secretariat.id, group.number


def test_simultaneous_adoptions_get_distinct_numbers_in_sequence(fresh_databases):
    database = Database(make_engine(fresh_databases.create(), pool_size=10, max_overflow=10))
    try:
        round_ids, secretariat_id, group_number = _build(database)
        start = threading.Barrier(ROUNDS)
        errors: list[BaseException] = []

        def close(round_id: int) -> None:
            try:
                start.wait()
                with database.transaction() as session:
                    rounds.close_round(
                        session,
                        session.get(Round, round_id),
                        by=session.get(Person, secretariat_id),
                    )
            except BaseException as error:  # noqa: BLE001  (reported below)
                errors.append(error)

        threads = [threading.Thread(target=close, args=(i,)) for i in round_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        with database.session() as session:
            published = session.exec(select(Recommendation)).all()
        year = utcnow().year
        assert sorted(r.number for r in published) == [
            f"WG{group_number}-{year}-{n:02d}" for n in range(1, ROUNDS + 1)
        ]
        assert sorted(r.round_id for r in published) == sorted(round_ids)
    finally:
        database.dispose()
