"""Two of the chair's tabs decide the same amendment at the same instant: one wins, the other
is refused as a conflict, and the draft has exactly one new revision.

Runs on a real migrated database of its own (SQLite file, or PostgreSQL when
COUNCIL_TEST_DATABASE_URL is set), one session per thread, as the application would.
"""

from __future__ import annotations

import threading

from sqlmodel import select

from council.database import Database, make_engine, utcnow
from council.errors import Conflict
from council.models import Person, SeatRole
from council.permissions import load_actor
from tests.factories import make_chair, make_council, make_group, make_person, make_seat
from workspaces import amendments, drafts
from workspaces.amendment_models import Amendment, AmendmentStatus
from workspaces.models import Draft, Revision


def _build(database: Database) -> dict:
    with database.transaction() as session:
        make_council(session)
        mexico, canada, chair_seat = (
            make_seat(session, name=n) for n in ("Mexico", "Canada", "Honduras")
        )
        group = make_group(session, seats=[mexico, canada, chair_seat], slug="race")
        member = make_person(session, seat=canada, role=SeatRole.HEAD)
        chair = make_person(session, seat=chair_seat, role=SeatRole.HEAD)
        make_chair(session, group, chair_seat, chair)
        draft = drafts.start_draft(
            session,
            by=make_person(session, seat=mexico),
            group=group,
            title="Race",
            purpose="",
            sponsor_seat_ids=[mexico.id],
            text="One.\n\nTwo.",
            language="en",
        )
        target = drafts.paragraphs(session, drafts.latest_revision(session, draft))[0]
        now = utcnow()
        amendment = amendments.propose(
            session,
            actor=load_actor(session, member, now),
            draft=draft,
            now=now,
            changes=[amendments.ChangeForm(target.paragraph_id, "replace", "One, amended.")],
            justification="Clearer.",
        )
        return {"draft": draft.id, "amendment": amendment.id, "chair": chair.id}


def test_two_tabs_accepting_one_amendment_make_one_revision(fresh_databases):
    database = Database(make_engine(fresh_databases.create(), pool_size=4, max_overflow=4))
    ids = _build(database)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def tab(verdict: str) -> None:
        barrier.wait()
        try:
            with database.transaction() as session:
                now = utcnow()
                chair = session.get(Person, ids["chair"])
                amendments.decide(
                    session,
                    actor=load_actor(session, chair, now),
                    draft=session.get(Draft, ids["draft"]),
                    base_number=1,
                    now=now,
                    decisions=[amendments.Decision(ids["amendment"], verdict, "No.")],
                )
            outcomes.append(verdict)
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=tab, args=(v,)) for v in ("accept", "refuse")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) in (["accept", "conflict"], ["conflict", "refuse"])
    with database.transaction(write=False) as session:
        decided = session.get(Amendment, ids["amendment"])
        revisions = session.exec(
            select(Revision.number).where(Revision.draft_id == ids["draft"])
        ).all()
        won = next(o for o in outcomes if o != "conflict")
        assert decided.status == (
            AmendmentStatus.ACCEPTED if won == "accept" else AmendmentStatus.REFUSED
        )
        assert sorted(revisions) == ([1, 2] if won == "accept" else [1])
    database.bind.dispose()
