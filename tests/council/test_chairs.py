"""Chair terms on real rows: automatic turnover recorded once, handover, the acting person,
recusal, the rotation settings, the history, and powers that move at the instant of turnover.
(The pure rotation is tested in test_rotation_rules.py.)"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from council import chairs, demo, rotation
from council.database import Database, utcnow
from council.errors import Conflict, Invalid
from council.models import (
    AuditRecord,
    ChairRecusal,
    ChairTerm,
    Council,
    Person,
    Seat,
    SeatKind,
    SeatRole,
    WorkingGroup,
    WorkingGroupSeat,
)
from council.permissions import can, load_actor
from council.rotation import add_months
from tests.factories import make_council, make_group, make_person, make_seat, make_secretariat
from workspaces.models import Draft

SECOND = timedelta(seconds=1)
T0 = datetime(2025, 1, 31, 9, 0, tzinfo=UTC)  # a month end: terms must not drift


@dataclass
class World:
    group: WorkingGroup
    seats: dict[str, Seat]
    heads: dict[str, Person]
    delegates: dict[str, Person]
    secretariat: Person


@pytest.fixture
def world(db) -> World:
    make_council(db)
    seats = {name: make_seat(db, name=name) for name in ("Belize", "Canada", "Mexico")}
    seats["Network"] = make_seat(db, SeatKind.PARTICIPANT, name="Network")
    seats["Observer"] = make_seat(db, SeatKind.OBSERVER, name="Observer")
    group = make_group(
        db,
        seats=[seats[n] for n in ("Belize", "Canada", "Mexico", "Network", "Observer")],
        slug="pathways",
    )
    heads = {
        n: make_person(db, seat=s, role=SeatRole.HEAD, name=f"Head of {n}")
        for n, s in seats.items()
    }
    delegates = {
        n: make_person(db, seat=s, role=SeatRole.DELEGATE, name=f"Delegate of {n}")
        for n, s in seats.items()
    }
    return World(group, seats, heads, delegates, make_secretariat(db))


def term(
    db,
    world: World,
    seat: str,
    starts_at: datetime,
    months: int = 6,
    group: WorkingGroup | None | bool = True,
) -> ChairTerm:
    body = world.group if group is True else group
    row = ChairTerm(
        working_group_id=body.id if body else None,
        seat_id=world.seats[seat].id,
        starts_at=starts_at,
        ends_at=add_months(starts_at, months),
    )
    db.add(row)
    db.flush()
    return row


def body_terms(db, group_id: int | None) -> list[ChairTerm]:
    return list(
        db.exec(
            select(ChairTerm).where(chairs.of_body(group_id)).order_by(ChairTerm.starts_at)
        ).all()
    )


def audit_entries(db, action: str) -> list[AuditRecord]:
    return list(
        db.exec(
            select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.id)
        ).all()
    )


def seat_names(db, terms) -> list[str]:
    return [db.get(Seat, t.seat_id).name for t in terms]


# settling: automatic turnover, once


def test_several_missed_terms_are_settled_in_order_with_undrifting_dates(db, world):
    term(db, world, "Belize", T0)
    now = add_months(T0, 20)  # Belize's term ended 14 months ago; two more have run out since

    created = chairs.settle_terms(db, now)

    assert seat_names(db, created) == ["Canada", "Mexico", "Network"]
    assert [(t.starts_at, t.ends_at) for t in created] == [
        (add_months(T0, 6), add_months(T0, 12)),
        (add_months(T0, 12), add_months(T0, 18)),
        (add_months(T0, 18), add_months(T0, 24)),
    ]
    assert all(t.automatic and t.acting_person_id is None for t in created)
    assert created[0].starts_at == datetime(2025, 7, 31, 9, tzinfo=UTC)
    entries = audit_entries(db, "chair.turned_over")
    assert [json.loads(e.details)["seat"] for e in entries] == ["Canada", "Mexico", "Network"]
    assert json.loads(entries[0].details)["previous_seat"] == "Belize"
    assert all(e.actor_id is None and e.actor_label == "system" for e in entries)
    assert [e.target_id for e in entries] == [str(t.id) for t in created]


def test_settling_twice_or_from_another_session_records_nothing_more(db, database, world):
    term(db, world, "Belize", T0)
    now = add_months(T0, 13)
    assert len(chairs.settle_terms(db, now)) == 2
    assert chairs.settle_terms(db, now) == []
    db.commit()
    with database.session() as other:
        assert chairs.settle_terms(other, now) == []
        assert chairs.settle_terms(other, now + timedelta(days=1)) == []
    assert len(body_terms(db, world.group.id)) == 3
    assert len(audit_entries(db, "chair.turned_over")) == 2


def test_nothing_due_costs_one_query(db, world, queries):
    term(db, world, "Belize", utcnow() - timedelta(days=1))
    queries.reset()
    assert chairs.settle_terms(db, utcnow()) == []
    assert len(queries) == 1


def test_a_seat_that_left_the_group_is_skipped(db, world):
    term(db, world, "Belize", T0)
    canada = db.get(WorkingGroupSeat, (world.group.id, world.seats["Canada"].id))
    db.delete(canada)
    db.flush()
    created = chairs.settle_terms(db, add_months(T0, 7))
    assert seat_names(db, created) == ["Mexico"]


def test_the_council_rotates_among_its_member_states_and_its_terms_stay_unique(db, world):
    for place, name in enumerate(("Canada", "Mexico", "Belize"), start=1):
        world.seats[name].council_rotation_position = place
        db.add(world.seats[name])
    term(db, world, "Belize", T0, months=24, group=None)
    created = chairs.settle_terms(db, add_months(T0, 30))
    assert seat_names(db, created) == ["Canada"]
    assert created[0].ends_at == add_months(T0, 48)
    duplicate = ChairTerm(
        seat_id=world.seats["Mexico"].id, starts_at=created[0].starts_at, ends_at=created[0].ends_at
    )
    with pytest.raises(Exception, match="(?i)unique"), db.begin_nested():
        db.add(duplicate)
        db.flush()


def test_an_empty_rotation_leaves_the_body_without_a_chair(db, world):
    term(db, world, "Belize", T0)
    for row in db.exec(
        select(WorkingGroupSeat).where(WorkingGroupSeat.working_group_id == world.group.id)
    ).all():
        row.rotation_position = None
        db.add(row)
    db.flush()
    assert chairs.settle_terms(db, add_months(T0, 7)) == []
    assert chairs.current_term(db, world.group.id, add_months(T0, 7)) is None


@pytest.mark.parametrize(
    "settle",
    [
        lambda session, now: len(chairs.settle_terms(session, now)),
        chairs.CHAIR_JOBS[0].run,
    ],
    ids=["settle_terms", "turnover_job"],
)
def test_concurrent_workers_record_the_turnover_once(fresh_databases, settle):
    """Two workers, two connections, the same moment: one set of terms, one set of records."""
    database = Database.from_url(fresh_databases.create())
    try:
        with database.transaction() as session:
            seats = [make_seat(session, name=f"Seat {n}") for n in "ABC"]
            group = make_group(session, seats=seats, slug="race")
            session.add(
                ChairTerm(
                    working_group_id=group.id,
                    seat_id=seats[0].id,
                    starts_at=T0,
                    ends_at=add_months(T0, 6),
                )
            )
            group_id = group.id
        now = add_months(T0, 14)
        start = threading.Barrier(2)
        results: list[int] = []
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                with database.transaction() as session:
                    start.wait(timeout=10)
                    results.append(settle(session, now))
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, errors
        assert sorted(results) == [0, 2]
        with database.session() as session:
            assert len(body_terms(session, group_id)) == 3
            assert len(audit_entries(session, "chair.turned_over")) == 2
    finally:
        database.dispose()


# the turnover job of the worker


def council_rotation(db, world: World, *names: str) -> None:
    for place, name in enumerate(names, start=1):
        world.seats[name].council_rotation_position = place
        db.add(world.seats[name])
    db.flush()


def test_the_turnover_job_records_the_missed_terms_once(db, world):
    term(db, world, "Belize", T0)
    council_rotation(db, world, "Mexico", "Canada")
    term(db, world, "Mexico", T0, group=None, months=24)  # the council: still running
    (job,) = chairs.CHAIR_JOBS
    assert job.name == "chairs.turnover" and job.every == timedelta(seconds=30)
    now = add_months(T0, 13)
    assert job.run(db, now) == 2
    assert job.run(db, now) == 0
    assert seat_names(db, body_terms(db, world.group.id)) == ["Belize", "Canada", "Mexico"]
    assert len(audit_entries(db, "chair.turned_over")) == 2
    assert job.run(db, add_months(T0, 24)) == 3  # two group terms and the council's one


def test_the_projection_is_what_settling_then_records(db, world):
    term(db, world, "Belize", T0)
    council_rotation(db, world, "Mexico", "Canada")
    term(db, world, "Mexico", T0, group=None, months=3)
    now = add_months(T0, 13)
    projected = rotation.projected_terms(db, now)
    ids = [t.id for terms in projected.values() for t in terms]
    assert all(i < 0 for i in ids) and len(set(ids)) == len(ids) == 3  # 2 + 1 terms
    assert not any(t in db for terms in projected.values() for t in terms)
    chairs.settle_terms(db, now)
    for group_id, terms in projected.items():
        recorded = body_terms(db, group_id)[1:]
        assert [(t.seat_id, t.starts_at, t.ends_at, t.automatic) for t in terms] == [
            (t.seat_id, t.starts_at, t.ends_at, t.automatic) for t in recorded
        ]
    assert rotation.projected_terms(db, now) == {}


# powers follow the chair at the instant of turnover


def chair_rows(db) -> list[tuple]:
    db.expire_all()
    return [
        (t.id, t.working_group_id, t.seat_id, t.starts_at, t.ends_at, t.ended_early_at)
        for t in db.exec(select(ChairTerm).order_by(ChairTerm.id)).all()
    ]


def audit_count(db) -> int:
    return len(db.exec(select(AuditRecord)).all())


def test_a_read_gives_the_chair_to_the_next_seat_at_the_end_of_the_term_without_writing(db, world):
    ends = add_months(T0, 6)
    term(db, world, "Belize", T0)
    group, draft = (
        world.group,
        Draft(
            id=7, working_group_id=world.group.id, title="T", created_by_id=world.heads["Belize"].id
        ),
    )
    old_chair, new_chair = world.heads["Belize"], world.heads["Canada"]
    rows, audited = chair_rows(db), audit_count(db)

    before = load_actor(db, old_chair, ends - SECOND, settle=False)
    assert group.id in before.chairing
    assert group.id not in load_actor(db, new_chair, ends - SECOND, settle=False).chairing

    after = load_actor(db, old_chair, ends + SECOND, settle=False)
    incoming = load_actor(db, new_chair, ends + SECOND, settle=False)
    assert group.id not in after.chairing and group.id in incoming.chairing
    for action, target in (
        ("round.manage", draft),
        ("comment.moderate", group),
        ("chair.hand_over", group),
    ):
        assert not can(after, action, target), action
        assert can(incoming, action, target), action
    secretariat = load_actor(db, world.secretariat, ends + SECOND, settle=False)
    assert not can(secretariat, "round.manage", draft)  # someone chairs: not the secretariat
    history = chairs.history(db, group, ends + SECOND)
    assert history.current.seat.name == "Canada" and history.current.term.id < 0
    assert history.current.person.id == new_chair.id
    assert [v.seat.name for v in history.past] == ["Belize"]
    assert not db.new and not db.dirty
    assert chair_rows(db) == rows and audit_count(db) == audited


def test_no_acting_person_is_named_for_a_term_not_recorded_yet(db, world):
    term(db, world, "Belize", T0)
    now = add_months(T0, 7)
    projected = rotation.current_terms(db, now)[world.group.id]
    assert projected.seat_id == world.seats["Canada"].id and projected.id < 0
    same = chairs.current_term(db, world.group.id, now)
    assert (same.seat_id, same.starts_at, same.id < 0) == (
        projected.seat_id,
        projected.starts_at,
        True,
    )
    assert chairs.current_term(db, world.group.id, now, lock=True) is None  # not recorded
    for person in (world.secretariat, world.heads["Canada"]):
        assert not can(load_actor(db, person, now, settle=False), "chair.name_acting", projected)
    chairs.settle_terms(db, now)
    recorded = chairs.current_term(db, world.group.id, now)
    assert can(load_actor(db, world.heads["Canada"], now), "chair.name_acting", recorded)


def test_the_former_chair_is_refused_one_second_after_the_term_ends(db, world):
    ends = utcnow() - timedelta(minutes=5)
    term(db, world, "Belize", add_months(ends, -6))
    group, draft = (
        world.group,
        Draft(
            id=7, working_group_id=world.group.id, title="T", created_by_id=world.heads["Belize"].id
        ),
    )
    old_chair, new_chair = world.heads["Belize"], world.heads["Canada"]

    before = load_actor(db, old_chair, ends - SECOND)
    assert group.id in before.chairing
    for action, target in (
        ("round.manage", draft),
        ("comment.moderate", group),
        ("chair.hand_over", group),
    ):
        assert can(before, action, target)
        assert not can(load_actor(db, new_chair, ends - SECOND), action, target)

    after = load_actor(db, old_chair, ends + SECOND)
    incoming = load_actor(db, new_chair, ends + SECOND)
    for action, target in (
        ("round.manage", draft),
        ("comment.moderate", group),
        ("chair.hand_over", group),
    ):
        assert not can(after, action, target), action
        assert can(incoming, action, target), action
    assert can(after, "position.cast", group)  # still a head of a seat that sits
    secretariat = load_actor(db, world.secretariat, ends + SECOND)
    assert not can(secretariat, "round.manage", draft)  # someone chairs: not the secretariat
    assert len(audit_entries(db, "chair.turned_over")) == 1


def test_the_secretariat_manages_rounds_when_the_chairing_seat_has_no_one_to_act(db, world):
    term(db, world, "Network", utcnow() - timedelta(days=1))
    for person in (world.heads["Network"], world.delegates["Network"]):
        person.is_active = False
        db.add(person)
    db.flush()
    assert can(load_actor(db, world.secretariat, utcnow()), "round.manage", world.group)


# handover


def test_handover_to_the_next_seat_ends_the_term_now_and_starts_a_full_one(db, world):
    running = term(db, world, "Belize", utcnow() - timedelta(days=30))
    now = utcnow()
    new = chairs.hand_over_chair(
        db,
        body=world.group,
        to_seat_id=world.seats["Canada"].id,
        reason="",
        by=world.heads["Belize"],
        now=now,
    )
    assert running.ends_at == running.ended_early_at == now
    assert (new.seat_id, new.starts_at, new.ends_at) == (
        world.seats["Canada"].id,
        now,
        add_months(now, 6),
    )
    assert not new.automatic and new.handover_reason == ""
    (entry,) = audit_entries(db, "chair.handed_over")
    details = json.loads(entry.details)
    assert entry.actor_id == world.heads["Belize"].id and entry.target_id == str(new.id)
    assert details["from_seat"] == "Belize" and details["to_seat"] == "Canada"
    assert details["next_in_order"] is True and details["passed_over"] is None
    assert chairs.current_term(db, world.group.id, now).id == new.id
    assert world.group.id in load_actor(db, world.heads["Canada"], now).chairing
    assert world.group.id not in load_actor(db, world.heads["Belize"], now).chairing


def test_handover_to_another_seat_needs_a_reason_which_is_recorded(db, world):
    running = term(db, world, "Belize", utcnow() - timedelta(days=30))
    now = utcnow()
    with pytest.raises(Invalid) as refused:
        chairs.hand_over_chair(
            db,
            body=world.group,
            to_seat_id=world.seats["Mexico"].id,
            reason="",
            by=world.secretariat,
            now=now,
        )
    assert set(refused.value.errors) == {"reason"}
    assert running.ended_early_at is None

    reason = "Canada declines its turn: it hosts the ministerial meeting this year."
    new = chairs.hand_over_chair(
        db,
        body=world.group,
        to_seat_id=world.seats["Mexico"].id,
        reason=reason,
        by=world.secretariat,
        now=now,
    )
    assert new.handover_reason == reason
    details = json.loads(audit_entries(db, "chair.handed_over")[0].details)
    assert details["next_in_order"] is False and details["passed_over"] == "Canada"
    assert details["reason"] == reason
    # the rotation goes on from the seat that took the chair
    later = chairs.settle_terms(db, add_months(now, 6) + SECOND)
    assert seat_names(db, later) == ["Network"]


@pytest.mark.parametrize("seat", ["Belize", "Observer", None])
def test_handover_only_to_another_seat_of_the_rotation(db, world, seat):
    term(db, world, "Belize", utcnow() - timedelta(days=30))
    to = world.seats[seat].id if seat else None
    with pytest.raises(Invalid) as refused:
        chairs.hand_over_chair(
            db,
            body=world.group,
            to_seat_id=to,
            reason="because",
            by=world.secretariat,
            now=utcnow(),
        )
    assert set(refused.value.errors) == {"seat_id"}


def test_a_second_handover_of_the_same_term_is_a_conflict(db, world):
    term(db, world, "Belize", utcnow() - timedelta(days=30))
    now = utcnow()
    chairs.hand_over_chair(
        db,
        body=world.group,
        to_seat_id=world.seats["Canada"].id,
        reason="",
        by=world.secretariat,
        now=now,
    )
    for moment in (now, now - SECOND):  # a double submission whose request began earlier
        with pytest.raises(Conflict):
            chairs.hand_over_chair(
                db,
                body=world.group,
                to_seat_id=world.seats["Mexico"].id,
                reason="",
                by=world.secretariat,
                now=moment,
            )
    assert len(audit_entries(db, "chair.handed_over")) == 1


def test_handover_without_a_running_term_starts_the_rotation(db, world):
    now = utcnow()
    new = chairs.hand_over_chair(
        db,
        body=world.group,
        to_seat_id=world.seats["Belize"].id,
        reason="",
        by=world.secretariat,
        now=now,
    )
    assert new.starts_at == now
    assert json.loads(audit_entries(db, "chair.handed_over")[0].details)["from_seat"] is None


def test_the_council_chair_is_handed_over_like_a_group_chair(db, world):
    for place, name in enumerate(("Canada", "Mexico"), start=1):
        world.seats[name].council_rotation_position = place
        db.add(world.seats[name])
    term(db, world, "Canada", utcnow() - timedelta(days=30), months=24, group=None)
    now = utcnow()
    assert load_actor(db, world.heads["Canada"], now).chairs_council
    new = chairs.hand_over_chair(
        db,
        body=None,
        to_seat_id=world.seats["Mexico"].id,
        reason="",
        by=world.heads["Canada"],
        now=now,
    )
    assert new.working_group_id is None and new.ends_at == add_months(now, 24)
    assert load_actor(db, world.heads["Mexico"], now).chairs_council
    assert not load_actor(db, world.heads["Canada"], now).chairs_council


# the acting person


def test_the_head_names_who_acts_and_the_record_says_so(db, world):
    running = term(db, world, "Belize", utcnow() - timedelta(days=3))
    now = utcnow()
    delegate = world.delegates["Belize"]
    assert can(load_actor(db, world.heads["Belize"], now), "chair.name_acting", running)
    assert not can(load_actor(db, delegate, now), "chair.name_acting", running)
    assert not can(load_actor(db, world.heads["Canada"], now), "chair.name_acting", running)
    assert can(load_actor(db, world.secretariat, now), "chair.name_acting", running)

    chairs.name_acting_person(
        db, term=running, person_id=delegate.id, by=world.heads["Belize"], now=now
    )
    assert world.group.id in load_actor(db, delegate, now).chairing
    assert world.group.id not in load_actor(db, world.heads["Belize"], now).chairing
    details = json.loads(audit_entries(db, "chair.acting_named")[0].details)
    assert (details["before"], details["after"]) == ("head", delegate.name)

    with pytest.raises(Invalid):
        chairs.name_acting_person(
            db, term=running, person_id=world.heads["Canada"].id, by=world.heads["Belize"], now=now
        )
    chairs.name_acting_person(db, term=running, person_id=None, by=world.heads["Belize"], now=now)
    assert world.group.id in load_actor(db, world.heads["Belize"], now).chairing


def test_an_ended_term_keeps_its_acting_person(db, world):
    ended = term(db, world, "Belize", utcnow() - timedelta(days=400))
    with pytest.raises(Conflict):
        chairs.name_acting_person(
            db,
            term=ended,
            person_id=world.delegates["Belize"].id,
            by=world.secretariat,
            now=utcnow(),
        )


# recusal


def draft(world: World, draft_id: int) -> Draft:
    return Draft(
        id=draft_id,
        working_group_id=world.group.id,
        title="Pathways",
        created_by_id=world.heads["Belize"].id,
    )


def test_the_recused_chair_hands_one_drafts_rounds_to_the_vice_chair(db, world):
    term(db, world, "Belize", utcnow() - timedelta(days=3))
    now = utcnow()
    own, other = draft(world, 42), draft(world, 43)
    chair = world.heads["Belize"]
    assert can(load_actor(db, chair, now), "chair.recuse", world.group)
    assert not can(load_actor(db, world.heads["Canada"], now), "chair.recuse", world.group)

    recusal = chairs.recuse(
        db,
        group=world.group,
        subject="draft:42",
        reason="Belize sponsors this draft.",
        by=chair,
        now=now,
    )
    assert (
        chairs.recuse(db, group=world.group, subject="draft:42", reason="", by=chair, now=now).id
        == recusal.id
    )  # once

    as_chair = load_actor(db, chair, now)
    vice = load_actor(db, world.heads["Canada"], now)  # Canada is next in order
    vice_delegate = load_actor(db, world.delegates["Canada"], now)
    secretariat = load_actor(db, world.secretariat, now)
    assert not can(as_chair, "round.manage", own)
    assert can(as_chair, "round.manage", other) and can(as_chair, "round.manage", world.group)
    assert can(as_chair, "comment.moderate", own)  # recusal concerns the rounds only
    assert can(vice, "round.manage", own) and not can(vice, "round.manage", other)
    assert not can(vice_delegate, "round.manage", own)
    assert not can(secretariat, "round.manage", own)
    (entry,) = audit_entries(db, "chair.recused")
    assert json.loads(entry.details)["vice_chair"] == "Canada"
    assert json.loads(entry.details)["subject"] == "draft:42"

    chairs.withdraw_recusal(db, group=world.group, subject="draft:42", by=chair, now=now)
    assert can(load_actor(db, chair, now), "round.manage", own)
    assert not can(load_actor(db, world.heads["Canada"], now), "round.manage", own)
    assert len(audit_entries(db, "chair.recusal_withdrawn")) == 1
    assert db.exec(select(ChairRecusal)).all() == []


def test_a_recusal_binds_the_seat_not_the_next_chair(db, world):
    term(db, world, "Belize", utcnow() - timedelta(days=3))
    now = utcnow()
    chairs.recuse(
        db, group=world.group, subject="draft:42", reason="", by=world.secretariat, now=now
    )
    chairs.hand_over_chair(
        db,
        body=world.group,
        to_seat_id=world.seats["Canada"].id,
        reason="",
        by=world.secretariat,
        now=now,
    )
    assert can(load_actor(db, world.heads["Canada"], now), "round.manage", draft(world, 42))
    assert not can(load_actor(db, world.heads["Belize"], now), "round.manage", draft(world, 42))


def test_with_no_vice_chair_the_secretariat_acts_for_the_recused_draft(db, world):
    for row in db.exec(
        select(WorkingGroupSeat).where(
            WorkingGroupSeat.working_group_id == world.group.id,
            WorkingGroupSeat.seat_id != world.seats["Belize"].id,
        )
    ).all():
        row.rotation_position = None
        db.add(row)
    term(db, world, "Belize", utcnow() - timedelta(days=3))
    now = utcnow()
    chairs.recuse(
        db, group=world.group, subject="draft:42", reason="", by=world.secretariat, now=now
    )
    assert can(load_actor(db, world.secretariat, now), "round.manage", draft(world, 42))
    assert not can(load_actor(db, world.secretariat, now), "round.manage", draft(world, 43))


@pytest.mark.parametrize("subject", ["", "draft:", "draft:0", "draft:x", "round:4", "draft:1 "])
def test_a_recusal_names_a_draft(db, world, subject):
    term(db, world, "Belize", utcnow() - timedelta(days=3))
    with pytest.raises(Invalid):
        chairs.recuse(
            db, group=world.group, subject=subject, reason="", by=world.secretariat, now=utcnow()
        )


def test_load_actor_makes_the_same_queries_for_one_and_many_recusals(db, world, queries):
    term(db, world, "Belize", utcnow() - timedelta(days=3))
    other_group = make_group(db, seats=[world.seats["Mexico"], world.seats["Canada"]])
    term(db, world, "Mexico", utcnow() - timedelta(days=3), group=other_group)

    def count(subjects: list[str]) -> int:
        for subject in subjects:
            chairs.recuse(
                db,
                group=world.group,
                subject=subject,
                reason="",
                by=world.secretariat,
                now=utcnow(),
            )
            chairs.recuse(
                db,
                group=other_group,
                subject=subject,
                reason="",
                by=world.secretariat,
                now=utcnow(),
            )
        db.flush()
        queries.reset()
        load_actor(db, world.heads["Canada"], utcnow())
        return len(queries)

    assert count(["draft:1"]) == count([f"draft:{n}" for n in range(2, 12)])


# rotation settings and history


def test_the_secretariat_sets_the_council_rotation_and_term_length(db, world):
    places = {
        world.seats["Mexico"].id: 1,
        world.seats["Canada"].id: 2,
        world.seats["Belize"].id: None,
        world.seats["Network"].id: 2,
    }
    rota = chairs.set_rotation(db, body=None, places=places, term_months=12, by=world.secretariat)
    assert rota.order == [world.seats[n].id for n in ("Mexico", "Canada", "Network")]
    assert db.exec(select(Council)).first().chair_term_months == 12
    details = json.loads(audit_entries(db, "chair.rotation_changed")[0].details)
    assert details["after"] == {"order": ["Mexico", "Canada", "Network"], "term_months": 12}
    chairs.set_rotation(db, body=None, places=places, term_months=12, by=world.secretariat)
    assert len(audit_entries(db, "chair.rotation_changed")) == 1  # nothing changed


def test_rotation_settings_are_checked(db, world):
    with pytest.raises(Invalid) as refused:
        chairs.set_rotation(
            db,
            body=world.group,
            places={world.seats["Belize"].id: 0, world.seats["Observer"].id: 1},
            term_months=0,
            by=world.secretariat,
        )
    assert set(refused.value.errors) == {"term_months", "form", f"place-{world.seats['Belize'].id}"}


def test_the_group_rotation_order_changes_the_coming_terms(db, world):
    term(db, world, "Belize", utcnow() - timedelta(days=3))
    places = {
        world.seats[n].id: p
        for n, p in (("Belize", 1), ("Network", 2), ("Mexico", 3), ("Canada", None))
    }
    chairs.set_rotation(db, body=world.group, places=places, term_months=3, by=world.secretariat)
    history = chairs.history(db, world.group, utcnow())
    assert [seat.name for _plan, seat in history.coming] == ["Network", "Mexico"]
    assert history.coming[0][0].ends_at == add_months(history.current.term.ends_at, 3)


def test_history_lists_past_current_and_coming_terms(db, world):
    now = utcnow()
    term(db, world, "Belize", add_months(now, -8))  # ended two months ago: Canada took over
    history = chairs.history(db, world.group, now)
    assert [v.seat.name for v in history.past] == ["Belize"]
    assert history.current.seat.name == "Canada" and history.current.term.automatic
    assert history.current.person.id == world.heads["Canada"].id
    assert [seat.name for _plan, seat in history.coming] == ["Mexico", "Network", "Belize"]
    assert history.next.name == "Mexico"
    assert history.coming[0][0].starts_at == history.current.term.ends_at
    assert history.vice_chair.name == "Mexico"
    assert [s.name for s in history.handover_choices] == ["Belize", "Mexico", "Network"]


def test_every_demo_history_shows_a_past_term_the_chair_and_the_next_two(db: Session):
    demo.build(db, password="demo password")
    now = utcnow()
    bodies = [None, *db.exec(select(WorkingGroup).order_by(WorkingGroup.number)).all()]
    for body in bodies:
        history = chairs.history(db, body, now)
        assert history.past and history.current and len(history.coming) >= 2, body
        assert history.current.person is not None
    assert chairs.bodies_due(db, now) == []
    canada = db.exec(select(Seat).where(Seat.name == "Canada")).one()
    assert chairs.history(db, None, now).current.seat.id == canada.id


def test_a_chairing_seat_that_leaves_the_group_hands_over_at_once(db, world):
    from council import seats

    running = term(db, world, "Canada", utcnow() - timedelta(days=30))
    keep = [world.seats[n].id for n in ("Belize", "Mexico", "Network", "Observer")]
    seats.set_group_seats(db, by=world.secretariat, group=world.group, seat_ids=keep)

    assert running.ended_early_at is not None and running.ends_at <= utcnow()
    now = utcnow()
    current = chairs.current_term(db, world.group.id, now)
    assert current.seat_id == world.seats["Mexico"].id  # after Canada in the order it had
    assert current.handover_reason == "The chairing seat left the working group."
    (entry,) = audit_entries(db, "chair.handed_over")
    assert json.loads(entry.details)["from_seat"] == "Canada"
    assert world.group.id not in load_actor(db, world.heads["Canada"], now).chairing
    assert world.group.id in load_actor(db, world.heads["Mexico"], now).chairing


def test_a_group_left_without_a_rotating_seat_has_no_chair(db, world):
    from council import seats

    running = term(db, world, "Belize", utcnow() - timedelta(days=3))
    seats.set_group_seats(
        db, by=world.secretariat, group=world.group, seat_ids=[world.seats["Observer"].id]
    )
    assert running.ended_early_at is not None
    assert chairs.current_term(db, world.group.id, utcnow()) is None
    assert len(audit_entries(db, "chair.term_ended")) == 1
    assert can(load_actor(db, world.secretariat, utcnow()), "round.manage", world.group)


def test_a_seat_that_leaves_without_chairing_changes_no_term(db, world):
    from council import seats

    running = term(db, world, "Belize", utcnow() - timedelta(days=3))
    keep = [world.seats[n].id for n in ("Belize", "Mexico", "Network", "Observer")]
    seats.set_group_seats(db, by=world.secretariat, group=world.group, seat_ids=keep)
    assert running.ended_early_at is None
    assert chairs.current_term(db, world.group.id, utcnow()).id == running.id
