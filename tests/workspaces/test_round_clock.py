"""A round past its deadline: reads show it closed and write nothing; the worker, or the next
write on it, stores the close; every act is stamped with the time read under the round's lock.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, update
from sqlmodel import select

from council.database import Database, make_engine, utcnow
from council.models import AuditRecord, Person, Seat, SeatKind, SeatRole, WorkingGroup
from tests.conftest import csrf_from, sign_in
from tests.factories import make_council, make_group, make_person, make_seat, make_secretariat
from tests.workspaces.test_drafts import build_group, start
from workspaces import drafts, rounds
from workspaces.extension import extension
from workspaces.models import Draft, DraftStatus
from workspaces.recommendation_models import Recommendation
from workspaces.round_models import Position, PositionChange, Round, RoundKind
from workspaces.rounds import PositionForm, RoundClosed, acts

COUNCIL_WRITE = re.compile(
    r"\s*(INSERT INTO|UPDATE|DELETE FROM)\s+\"?(round|draft|position|audit_record|"
    r"recommendation)\b\"?|.*\bFOR UPDATE\b",
    re.I | re.S,
)
"""A statement that writes (or locks) the council's state; a visit or a session touch is
bookkeeping, not this."""


@pytest.fixture
def world(db):
    world = build_group(db)
    db.commit()
    return world


def fresh(db, model, id_):
    return db.exec(
        select(model).where(model.id == id_).execution_options(populate_existing=True)
    ).one()


def expired_round(db, world, *, choices=("support", "support"), kind=RoundKind.DECISION):
    """A round whose deadline passed a minute ago, its close not stored: the frozen clock."""
    draft = start(db, world)
    round_ = rounds.open_round(
        db, by=world.chair, draft=draft, kind=kind, deadline=utcnow() + timedelta(days=7)
    )
    for person, choice in zip((world.member, world.colleague), choices, strict=False):
        rounds.cast_position(
            db,
            round_,
            by=person,
            seat=db.get(Seat, person.seat_id),
            form=choice if isinstance(choice, PositionForm) else PositionForm(choice),
        )
    db.execute(
        update(Round).where(Round.id == round_.id).values(deadline=utcnow() - timedelta(minutes=1))
    )
    db.commit()
    return fresh(db, Round, round_.id), fresh(db, Draft, draft.id)


def audit_count(db) -> int:
    return db.exec(select(func.count()).select_from(AuditRecord)).one()


def assert_not_stored(db, round_, draft):
    stored = fresh(db, Round, round_.id)
    assert stored.closed_at is None and stored.outcome is None and stored.tally is None
    assert fresh(db, Draft, draft.id).status == DraftStatus.IN_ROUND
    assert db.exec(select(Recommendation)).first() is None


# reading


def test_as_of_reads_an_expired_round_closed_as_its_close_will_store_it(db, world):
    round_, draft = expired_round(db, world)
    now = utcnow()

    shown = rounds.as_of(db, round_, now)
    shown_draft = rounds.draft_as_of(db, draft, now)

    assert shown is not round_ and shown not in db and shown_draft not in db
    assert shown.closed_at == round_.deadline and shown.closed_by_id is None
    assert (shown.outcome, shown.outcome_reason) == ("adopted", "consensus")
    assert shown_draft.status == DraftStatus.ADOPTED
    db.flush()  # an autoflush would write nothing either
    assert_not_stored(db, round_, draft)
    stored = rounds.settle_expired(db, now, draft=draft)[0]
    assert (
        stored.closed_at,
        stored.outcome,
        stored.outcome_reason,
        stored.tally,
        stored.rule_settings,
        stored.sealed_positions,
    ) == (
        shown.closed_at,
        shown.outcome,
        shown.outcome_reason,
        shown.tally,
        shown.rule_settings,
        shown.sealed_positions,
    )
    assert fresh(db, Draft, draft.id).status == shown_draft.status
    assert rounds.as_of(db, stored, now) is stored  # a stored round reads as it is


def test_a_round_still_open_reads_as_it_is(db, world):
    draft = start(db, world)
    opened = rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.COMMENT,
        deadline=utcnow() + timedelta(days=1),
    )

    assert rounds.as_of(db, opened, utcnow()) is opened
    assert rounds.draft_as_of(db, draft, utcnow()) is draft


@pytest.mark.parametrize("page", ["round", "draft", "group_drafts"])
def test_a_get_shows_an_expired_round_closed_and_writes_nothing(client, db, world, queries, page):
    round_, draft = expired_round(db, world)
    sign_in(client, world.member)
    audit_before = audit_count(db)
    url = {
        "round": f"/rounds/{round_.id}",
        "draft": f"/drafts/{draft.id}",
        "group_drafts": f"/groups/{world.group.slug}/drafts",
    }[page]
    queries.reset()

    response = client.get(url)

    assert response.status_code == 200
    text = response.text
    if page == "round":
        assert "Closed at its deadline" in text and "Adopted by consensus" in text
    elif page == "draft":
        assert "Go to the round" not in text and "Adopted" in text
        assert "In a round" not in text
    else:
        assert "Adopted" in text and "In a round" not in text and "Round open" not in text
    writes = [s for s in queries.statements if COUNCIL_WRITE.match(s)]
    assert writes == []
    assert_not_stored(db, round_, draft)
    assert audit_count(db) == audit_before


def test_the_chairs_pages_treat_an_expired_round_as_closed_without_storing_it(client, db, world):
    round_, draft = expired_round(db, world, choices=())
    sign_in(client, world.chair)
    url = f"/rounds/{round_.id}"

    page = client.get(url).text

    assert "No quorum" in page and "Add the chair's statement" in page
    assert client.get(f"{url}/close").status_code == 409
    assert client.get(f"{url}/extend").status_code == 409
    assert client.get(f"{url}/chair-statement").status_code == 200
    new_round = client.get(f"/drafts/{draft.id}/rounds/new")
    assert new_round.status_code == 200 and new_round.template.name == "workspaces/round_new.html"
    assert_not_stored(db, round_, draft)


# storing the close


def test_the_worker_job_stores_the_close_once(db, world):
    round_, draft = expired_round(db, world)
    (job,) = rounds.JOBS
    assert job in extension().jobs

    first = job.run(db, utcnow())
    second = job.run(db, utcnow())

    assert (first, second) == (1, 0)
    stored = fresh(db, Round, round_.id)
    assert stored.closed_at == stored.deadline and stored.outcome == "adopted"
    assert fresh(db, Draft, draft.id).status == DraftStatus.ADOPTED
    assert db.exec(select(Recommendation)).one().round_id == round_.id
    closes = db.exec(select(AuditRecord).where(AuditRecord.action == "round.closed")).all()
    assert len(closes) == 1 and json.loads(closes[0].details)["closed_by"] == "deadline"


def test_a_post_after_the_deadline_stores_the_close_in_its_own_transaction(client, db, world):
    round_, draft = expired_round(db, world, choices=())
    sign_in(client, world.chair)
    url = f"/rounds/{round_.id}"
    form = client.get(f"{url}/chair-statement")

    added = client.post(
        f"{url}/chair-statement",
        follow_redirects=False,
        data={"csrf_token": csrf_from(form.text), "statement": "No quorum: we will meet again."},
    )

    assert added.status_code == 303
    stored = fresh(db, Round, round_.id)
    assert stored.closed_at == stored.deadline and stored.outcome == "no_quorum"
    assert stored.chair_statement == "No quorum: we will meet again."
    assert fresh(db, Draft, draft.id).status == DraftStatus.DRAFTING
    actions = db.exec(
        select(AuditRecord.action)
        .where(AuditRecord.action.like("round.%"))
        .order_by(AuditRecord.id)
    ).all()
    assert actions == ["round.opened", "round.closed", "round.chair_statement"]


def test_a_refused_post_after_the_deadline_leaves_the_close_to_the_worker(client, db, world):
    round_, draft = expired_round(db, world)
    sign_in(client, world.member)
    url = f"/rounds/{round_.id}"
    page = client.get(url)

    late = client.post(
        f"{url}/position",
        data={"csrf_token": csrf_from(page.text), "choice": "object", "reason": "Too late."},
    )

    assert late.status_code == 409 and "This round is closed" in late.text
    assert_not_stored(db, round_, draft)  # rolled back with the refused act
    assert rounds.close_due_rounds(db, utcnow()) == 1
    assert fresh(db, Round, round_.id).outcome == "adopted"


def test_opening_a_round_stores_the_close_of_the_expired_one(db, world):
    round_, draft = expired_round(
        db, world, choices=("support", PositionForm("object", reason="Too high."))
    )

    opened = rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.COMMENT,
        deadline=utcnow() + timedelta(days=2),
    )

    assert fresh(db, Round, round_.id).closed_at == round_.deadline
    assert fresh(db, Round, round_.id).outcome == "not_adopted"
    assert opened.closed_at is None and draft.status == DraftStatus.IN_ROUND


# the time of an act


@pytest.fixture
def slow_lock(monkeypatch):
    """A clock that stands still, except while an act waits ten minutes for the round's lock."""
    clock = [utcnow()]
    real_lock = acts._lock

    def waiting(session, round_id):
        locked = real_lock(session, round_id)
        clock[0] += timedelta(minutes=10)
        return locked

    monkeypatch.setattr(acts, "utcnow", lambda: clock[0])
    monkeypatch.setattr(acts, "_lock", waiting)
    return clock


def test_acts_are_stamped_with_the_time_read_under_the_lock(db, world, slow_lock):
    draft = start(db, world)
    opened = rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.DECISION,
        deadline=slow_lock[0] + timedelta(days=1),
    )
    asked = slow_lock[0]

    change = rounds.cast_position(
        db, opened, by=world.member, seat=world.mexico, form=PositionForm("support")
    )
    cast_at = slow_lock[0]
    closed = rounds.close_round(db, opened, by=world.chair, statement="Thank you.")

    assert change.cast_at == cast_at == asked + timedelta(minutes=10)
    assert closed.closed_at == closed.chair_statement_at == cast_at + timedelta(minutes=10)
    sealed = json.loads(closed.sealed_positions)
    assert [item["cast_at"] for item in sealed] == [cast_at.isoformat()]


def test_an_act_that_gets_the_lock_after_the_deadline_is_refused(db, world, slow_lock):
    draft = start(db, world)
    opened = rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.DECISION,
        deadline=slow_lock[0] + timedelta(minutes=5),
    )

    with pytest.raises(RoundClosed):  # asked before the deadline, locked after it
        rounds.cast_position(
            db, opened, by=world.member, seat=world.mexico, form=PositionForm("support")
        )
    assert db.exec(select(Position)).first() is None


def test_an_explicit_now_still_wins_for_frozen_clocks(db, world):
    draft = start(db, world)
    now = utcnow() - timedelta(hours=1)
    opened = rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.DECISION,
        deadline=now + timedelta(days=1),
        now=now,
    )

    change = rounds.cast_position(
        db, opened, by=world.member, seat=world.mexico, form=PositionForm("support"), now=now
    )

    assert opened.opened_at == change.cast_at == now


def test_no_sealed_position_is_later_than_the_close_when_casts_race_the_close(fresh_databases):
    """Delegates keep casting while the chair closes: whatever the order the lock gives them,
    every position in the record was cast before the round closed."""
    database = Database(make_engine(fresh_databases.create(), pool_size=20, max_overflow=20))
    try:
        with database.transaction() as session:
            make_council(session)
            seats = [
                make_seat(session, SeatKind.MEMBER_STATE, name=f"Seat {n:02d}") for n in range(8)
            ]
            group = make_group(session, seats=seats, slug="race")
            people = [
                (make_person(session, seat=seat, role=SeatRole.HEAD).id, seat.id) for seat in seats
            ]
            secretariat = make_secretariat(session)
            draft = drafts.start_draft(
                session,
                by=secretariat,
                group=group,
                title="Race",
                purpose="",
                sponsor_seat_ids=[seats[0].id],
                text="One.\n\nTwo.",
                language="en",
            )
            round_id = rounds.open_round(
                session,
                by=secretariat,
                draft=draft,
                kind="decision",
                deadline=utcnow() + timedelta(hours=1),
            ).id
            secretariat_id = secretariat.id
        start_line = threading.Barrier(len(people) + 1)
        errors: list[BaseException] = []
        casts: list[int] = []
        some_cast = threading.Event()

        def delegate(person_id: int, seat_id: int) -> None:
            start_line.wait()
            for n in range(20):
                try:
                    with database.transaction() as session:
                        rounds.cast_position(
                            session,
                            session.get(Round, round_id),
                            by=session.get(Person, person_id),
                            seat=session.get(Seat, seat_id),
                            form=PositionForm("support" if n % 2 else "abstain"),
                        )
                    casts.append(person_id)
                    if len(casts) >= len(people):
                        some_cast.set()
                except RoundClosed:
                    return
                except BaseException as error:  # noqa: BLE001  (fails the test below)
                    errors.append(error)
                    return

        def chair() -> None:
            start_line.wait()
            some_cast.wait(timeout=60)
            try:
                with database.transaction() as session:
                    rounds.close_round(
                        session,
                        session.get(Round, round_id),
                        by=session.get(Person, secretariat_id),
                    )
            except BaseException as error:  # noqa: BLE001
                errors.append(error)

        threads = [threading.Thread(target=delegate, args=pair) for pair in people]
        threads.append(threading.Thread(target=chair))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads) and errors == []

        with database.transaction(write=False) as session:
            round_ = session.get(Round, round_id)
            sealed = json.loads(round_.sealed_positions)
            changes = session.exec(
                select(PositionChange.cast_at).where(PositionChange.round_id == round_id)
            ).all()
        assert round_.closed_at is not None
        assert sealed and all(
            datetime.fromisoformat(item["cast_at"]) <= round_.closed_at for item in sealed
        )
        assert all(at <= round_.closed_at for at in changes)
    finally:
        database.dispose()


def test_the_closing_is_decided_from_plain_data():
    mexico = Seat(id=1, name="Mexico", kind=SeatKind.MEMBER_STATE)
    canada = Seat(id=2, name="Canada", kind=SeatKind.MEMBER_STATE)
    head = Person(id=7, name="Jorge", email="j@example.org")
    at = utcnow()
    rows = [
        (
            Position(
                round_id=1,
                seat_id=seat.id,
                choice=choice,
                text=text,
                cast_by_id=7,
                cast_at=at,
                version=1,
            ),
            seat,
            head,
        )
        for seat, choice, text in ((mexico, "support", ""), (canada, "object", "No."))
    ]

    settings = rounds.rule_settings(WorkingGroup(slug="g", name="G", number=1))

    closing = rounds.decided_closing([mexico, canada], rows, settings)

    assert (closing.outcome, closing.draft_status) == ("not_adopted", DraftStatus.DRAFTING)
    assert [item["seat"] for item in json.loads(closing.sealed_positions)] == ["Canada", "Mexico"]
    assert json.loads(closing.tally)["objections"] == 1
