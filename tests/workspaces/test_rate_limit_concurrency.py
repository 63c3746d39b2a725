"""Comments and drafts sent at once by one person are counted one after the other, so the
rate limits hold under a burst: a database of its own (SQLite file, or PostgreSQL when
COUNCIL_TEST_DATABASE_URL is set), one session per thread, as the application would."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlmodel import func, select

from council.database import Database, make_engine, utcnow
from council.errors import RateLimited
from council.models import Person, WorkingGroup
from tests.factories import make_council, make_group, make_person, make_seat
from workspaces import comments, drafts
from workspaces.models import Comment, Draft

BURST = 30


def _build(database: Database) -> dict:
    with database.transaction() as session:
        make_council(session)
        seat = make_seat(session, name="Mexico")
        group = make_group(session, seats=[seat], slug="burst")
        person = make_person(session, seat=seat)
        draft = drafts.start_draft(
            session,
            by=person,
            group=group,
            title="Burst",
            purpose="",
            sponsor_seat_ids=[seat.id],
            text="One.\n\nTwo.",
            language="en",
        )
        return {
            "person_id": person.id,
            "group_id": group.id,
            "seat_id": seat.id,
            "draft_id": draft.id,
        }


def _burst(database: Database, act: Callable) -> tuple[int, int]:
    """BURST threads do `act(session)` at once, each in its own write transaction."""
    start = threading.Barrier(BURST)
    accepted, refused, failed = [], [], []

    def one(n: int) -> None:
        start.wait()
        try:
            with database.transaction() as session:
                act(session, n)
            accepted.append(n)
        except RateLimited:
            refused.append(n)
        except Exception as error:  # noqa: BLE001 - reported below
            failed.append(repr(error))

    threads = [threading.Thread(target=one, args=(n,)) for n in range(BURST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failed, failed
    return len(accepted), len(refused)


def _fresh(fresh_databases) -> Database:
    return Database(make_engine(fresh_databases.create(), pool_size=BURST, max_overflow=5))


def test_a_burst_of_comments_is_held_to_the_limit(fresh_databases):
    database = _fresh(fresh_databases)
    try:
        world = _build(database)

        def post(session, n):
            comments.post_comment(
                session,
                by=session.get(Person, world["person_id"]),
                draft=drafts.get_draft(session, world["draft_id"]),
                body=f"Comment {n}",
                paragraph_id=None,
                revision_number=None,
            )

        accepted, refused = _burst(database, post)
        with database.transaction() as session:
            stored = session.exec(select(func.count()).select_from(Comment)).one()
        print(f"\n{BURST} comments at once: {accepted} accepted, {refused} refused")
        assert accepted == stored == comments.RATE_LIMIT
        assert refused == BURST - comments.RATE_LIMIT
    finally:
        database.dispose()


def test_a_burst_of_new_drafts_is_held_to_the_limit(fresh_databases):
    database = _fresh(fresh_databases)
    try:
        world = _build(database)  # one draft started already

        def start(session, n):
            person = session.get(Person, world["person_id"])
            drafts.check_start_rate(session, by=person, now=utcnow())
            drafts.start_draft(
                session,
                by=person,
                group=session.get(WorkingGroup, world["group_id"]),
                title=f"Draft {n}",
                purpose="",
                sponsor_seat_ids=[world["seat_id"]],
                text="One.",
                language="en",
            )

        accepted, refused = _burst(database, start)
        with database.transaction() as session:
            stored = session.exec(select(func.count()).select_from(Draft)).one()
        print(f"\n{BURST} new drafts at once: {accepted} accepted, {refused} refused")
        assert stored == drafts.STARTS_PER_WINDOW
        assert accepted == drafts.STARTS_PER_WINDOW - 1
    finally:
        database.dispose()
