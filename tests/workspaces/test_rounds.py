"""Rounds: opening, positions and their history, statements, deadlines, closing and sealing."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from council.database import utcnow
from council.errors import Conflict, Invalid, NotAllowed
from council.models import AuditRecord, ChairTerm, DecisionRule, Seat, SeatKind, SeatRole
from council.permissions import can, load_actor
from tests.factories import (
    make_chair,
    make_council,
    make_group,
    make_person,
    make_seat,
    make_secretariat,
)
from tests.workspaces.test_drafts import TEXT, build_group, start
from workspaces import drafts, rounds
from workspaces.decisions import Choice, Outcome, RuleSettings, SeatAnswer, decide
from workspaces.models import DraftStatus
from workspaces.round_models import (
    ObserverStatement,
    Position,
    PositionChange,
    Round,
    RoundExtension,
    RoundKind,
)
from workspaces.rounds import PositionForm, RoundClosed


@pytest.fixture
def world(db):
    return build_group(db)


def open_decision(db, world, draft, *, days: int = 7, now=None, **fields) -> Round:
    now = now or utcnow()
    return rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.DECISION,
        deadline=now + timedelta(days=days),
        now=now,
        **fields,
    )


def cast(db, round_, person, choice: str, *, now=None, **fields):
    return rounds.cast_position(
        db,
        round_,
        by=person,
        seat=db.get(Seat, person.seat_id),
        form=PositionForm(choice, **fields),
        now=now,
    )


def actions(db, prefix: str) -> list[str]:
    return list(
        db.exec(
            select(AuditRecord.action)
            .where(AuditRecord.action.like(f"{prefix}%"))
            .order_by(AuditRecord.id)
        ).all()
    )


# opening


def test_a_decision_round_opens_on_the_latest_revision_and_freezes_it(db, world):
    draft = start(db, world)
    drafts.revise(
        db,
        by=world.colleague,
        draft=draft,
        base_number=1,
        text=TEXT + "\n\nEmployers pay.",
        summary="Adds employers.",
    )

    opened = open_decision(db, world, draft, note="Please answer by Friday.")

    assert opened.revision_number == 2 and opened.closed_at is None
    assert draft.status == DraftStatus.IN_ROUND
    assert rounds.open_round_of(db, draft).id == opened.id
    with pytest.raises(Conflict) as refused:
        drafts.revise(db, by=world.member, draft=draft, base_number=2, text=TEXT, summary="Back.")
    assert "decision round" in refused.value.message
    assert actions(db, "round.") == ["round.opened"]


def test_a_comment_round_lets_the_draft_be_revised(db, world):
    draft = start(db, world)
    opened = rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.COMMENT,
        deadline=utcnow() + timedelta(days=3),
    )

    drafts.revise(
        db, by=world.member, draft=draft, base_number=1, text=TEXT + "\n\nMore.", summary="More."
    )

    assert draft.latest_revision_number == 2 and draft.status == DraftStatus.IN_ROUND
    assert opened.revision_number == 1
    with pytest.raises(Conflict):
        cast(db, opened, world.member, "support")


def test_only_one_round_is_open_per_draft_also_in_the_database(db, world):
    draft = start(db, world)
    first = open_decision(db, world, draft)

    with pytest.raises(Conflict):
        open_decision(db, world, draft)
    # even past the application's check, the partial unique index refuses it
    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(
            Round(
                draft_id=draft.id,
                kind="comment",
                revision_number=1,
                opened_by_id=world.chair.id,
                deadline=utcnow() + timedelta(days=1),
            )
        )
        db.flush()
    rounds.close_round(db, first, by=world.chair)
    second = open_decision(db, world, draft)
    assert second.id != first.id


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "date and a time"),
        ("tomorrow", "date and a time"),
        ("2020-01-01T10:00", "in the future"),
        ("2099-01-01T10:00", "within a year"),
    ],
)
def test_the_deadline_is_checked(db, world, value, message):
    draft = start(db, world)
    with pytest.raises(Invalid) as refused:
        rounds.open_round(db, by=world.chair, draft=draft, kind="decision", deadline=value)
    assert message in refused.value.errors["deadline"]
    assert draft.status == DraftStatus.DRAFTING


def test_a_deadline_typed_in_is_read_in_the_persons_time_zone(db, world):
    world.chair.timezone = "America/Mexico_City"
    draft = start(db, world)
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

    opened = rounds.open_round(
        db, by=world.chair, draft=draft, kind="decision", deadline="2026-12-01T17:00", now=now
    )

    assert opened.deadline == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)  # UTC-6
    assert rounds.deadline_input(opened.deadline, "America/Mexico_City") == "2026-12-01T17:00"


def test_no_round_on_a_withdrawn_or_adopted_draft(db, world):
    draft = start(db, world)
    draft.status = DraftStatus.ADOPTED
    with pytest.raises(Conflict):
        open_decision(db, world, draft)


# positions


def test_a_position_is_cast_changed_and_kept_in_history(db, world):
    draft = start(db, world)
    opened = open_decision(db, world, draft)
    paragraphs = drafts.paragraphs(db, drafts.latest_revision(db, draft))

    first = cast(db, opened, world.member, "support")
    second = cast(
        db,
        opened,
        world.member,
        "support_with_reservation",
        reservation="Only with a review clause.",
        paragraph_ids=[paragraphs[1].paragraph_id],
    )

    assert (first.version, second.version) == (1, 2)
    position = db.exec(
        select(Position)
        .where(Position.round_id == opened.id)
        .execution_options(populate_existing=True)
    ).one()
    assert position.choice == "support_with_reservation" and position.version == 2
    assert json.loads(position.paragraph_ids) == [paragraphs[1].paragraph_id]
    history = db.exec(select(PositionChange).order_by(PositionChange.version)).all()
    assert [h.choice for h in history] == ["support", "support_with_reservation"]
    assert actions(db, "position.") == ["position.cast", "position.changed"]


def test_two_people_of_one_seat_share_one_position(db, world):
    draft = start(db, world)
    opened = open_decision(db, world, draft)
    head = make_person(db, seat=world.mexico, role=SeatRole.HEAD)

    cast(db, opened, world.member, "support")
    cast(db, opened, head, "object", reason="Not without a budget.")

    rows = db.exec(select(Position).execution_options(populate_existing=True)).all()
    assert len(rows) == 1 and rows[0].choice == "object" and rows[0].cast_by_id == head.id
    history = db.exec(select(PositionChange.cast_by_id).order_by(PositionChange.version)).all()
    assert history == [world.member.id, head.id]


@pytest.mark.parametrize(
    ("choice", "fields", "field"),
    [
        ("maybe", {}, "choice"),
        ("", {}, "choice"),
        ("support_with_reservation", {}, "reservation"),
        ("support_with_reservation", {"reservation": "   "}, "reservation"),
        ("object", {}, "reason"),
        ("object", {"reason": "x" * 5001}, "reason"),
        (
            "support_with_reservation",
            {"reservation": "R.", "paragraph_ids": ["nope"]},
            "paragraph_ids",
        ),
    ],
)
def test_a_position_needs_its_text(db, world, choice, fields, field):
    draft = start(db, world)
    opened = open_decision(db, world, draft)
    with pytest.raises(Invalid) as refused:
        cast(db, opened, world.member, choice, **fields)
    assert field in refused.value.errors
    assert db.exec(select(Position)).first() is None


def test_nobody_casts_for_another_seat_or_from_outside_the_group(db, world):
    draft = start(db, world)
    opened = open_decision(db, world, draft)
    for person, seat in ((world.chair, world.mexico), (world.member, world.canada)):
        with pytest.raises(NotAllowed):
            rounds.cast_position(db, opened, by=person, seat=seat, form=PositionForm("support"))
    for person, seat in (
        (world.outsider, world.outsider_seat),
        (world.observer, world.observer_seat),
    ):
        with pytest.raises(NotAllowed):
            rounds.cast_position(db, opened, by=person, seat=seat, form=PositionForm("support"))
    assert db.exec(select(Position)).first() is None


def test_the_chair_casts_only_for_their_own_seat(db, world):
    draft = start(db, world)
    opened = open_decision(db, world, draft)
    change = cast(db, opened, world.chair, "abstain")
    assert change.seat_id == world.network.id


# observer statements


def test_an_observer_submits_a_statement_that_is_never_counted(db, world):
    draft = start(db, world)
    opened = open_decision(db, world, draft)

    rounds.submit_statement(
        db, opened, by=world.observer, seat=world.observer_seat, text="We welcome the text."
    )
    again = rounds.submit_statement(
        db,
        opened,
        by=world.observer,
        seat=world.observer_seat,
        text="We welcome the text, with one remark.",
    )
    with pytest.raises(NotAllowed):
        rounds.submit_statement(db, opened, by=world.member, seat=world.mexico, text="Hi.")
    with pytest.raises(Invalid):
        rounds.submit_statement(db, opened, by=world.observer, seat=world.observer_seat, text=" ")
    closed = rounds.close_round(db, opened, by=world.chair)

    assert again.revised == 1 and again.text.endswith("one remark.")
    assert db.exec(select(ObserverStatement)).one().id == again.id
    tally = json.loads(closed.tally)
    assert tally["answered"] == 0 and world.observer_seat.id not in tally["unanswered"]
    assert actions(db, "statement.") == ["statement.submitted", "statement.submitted"]


# closing


def test_closing_stores_exactly_what_the_decision_rule_gives(db, world):
    draft = start(db, world)
    opened = open_decision(db, world, draft)
    cast(db, opened, world.member, "support")
    cast(db, opened, world.colleague, "support_with_reservation", reservation="Review it.")
    cast(db, opened, world.chair, "object", reason="Too slow.")  # a participant: recorded only

    closed = rounds.close_round(db, opened, by=world.chair, statement="Adopted by consensus.")

    expected = decide(
        [
            SeatAnswer(world.mexico.id, "member_state", Choice.SUPPORT),
            SeatAnswer(world.canada.id, "member_state", Choice.SUPPORT_WITH_RESERVATION),
            SeatAnswer(world.network.id, "participant", Choice.OBJECT),
        ],
        RuleSettings(),
    )
    assert closed.outcome == expected.outcome == Outcome.ADOPTED
    assert closed.outcome_reason == "consensus"
    assert json.loads(closed.tally) == json.loads(json.dumps(asdict(expected.tally)))
    assert json.loads(closed.tally)["recorded_objections"] == [world.network.id]
    assert closed.chair_statement == "Adopted by consensus."
    assert closed.closed_by_id == world.chair.id
    assert draft.status == DraftStatus.ADOPTED
    assert rounds.adopted_round(db, draft).revision_number == 1
    sealed = json.loads(closed.sealed_positions)
    assert [(p["seat"], p["choice"]) for p in sealed] == [
        ("Canada", "support_with_reservation"),
        ("Mexico", "support"),
        ("Migrant Communities Network", "object"),
    ]
    record = db.exec(select(AuditRecord).where(AuditRecord.action == "round.closed")).one()
    assert json.loads(record.details)["outcome"] == "adopted"


def test_participants_block_when_the_group_says_so(db, world):
    world.group.participants_block = True
    draft = start(db, world)
    opened = open_decision(db, world, draft)
    cast(db, opened, world.member, "support")
    cast(db, opened, world.colleague, "support")
    cast(db, opened, world.chair, "object", reason="No.")

    closed = rounds.close_round(db, opened, by=world.chair)

    assert (closed.outcome, closed.outcome_reason) == ("not_adopted", "objection")
    assert draft.status == DraftStatus.DRAFTING
    assert json.loads(closed.rule_settings)["participants_block"] is True


def test_too_few_answers_is_no_quorum_and_the_draft_returns_to_drafting(db, world):
    draft = start(db, world)
    opened = open_decision(db, world, draft)
    cast(db, opened, world.member, "support")

    closed = rounds.close_round(db, opened, by=world.chair)

    assert closed.outcome == "no_quorum"
    assert draft.status == DraftStatus.DRAFTING
    drafts.revise(
        db,
        by=world.member,
        draft=draft,
        base_number=1,
        text=TEXT + "\n\nNew.",
        summary="Another try.",
    )


def test_majority_rule_of_a_larger_group_matches_decide(db):
    make_council(db)
    states = [make_seat(db, name=f"State {i}") for i in range(7)]
    participant = make_seat(db, SeatKind.PARTICIPANT, name="Academia")
    group = make_group(
        db, seats=[*states, participant], decision_rule=DecisionRule.MAJORITY, slug="majority"
    )
    people = [make_person(db, seat=seat) for seat in [*states, participant]]
    author = make_secretariat(db)
    draft = drafts.start_draft(
        db,
        by=people[0],
        group=group,
        title="T",
        purpose="",
        sponsor_seat_ids=[states[0].id],
        text=TEXT,
        language="en",
    )
    opened = rounds.open_round(
        db, by=author, draft=draft, kind="decision", deadline=utcnow() + timedelta(days=1)
    )
    choices = ["support", "support", "support", "object", "object", "abstain", None, "object"]
    answers = []
    for person, seat, choice in zip(people, [*states, participant], choices, strict=True):
        if choice:
            extra = {"reason": "No."} if choice == "object" else {}
            cast(db, opened, person, choice, **extra)
        answers.append(SeatAnswer(seat.id, seat.kind, Choice(choice) if choice else None))

    closed = rounds.close_round(db, opened, by=author)

    expected = decide(answers, RuleSettings(rule=DecisionRule.MAJORITY))
    assert (closed.outcome, closed.outcome_reason) == (expected.outcome, expected.reason)
    assert json.loads(closed.tally) == json.loads(json.dumps(asdict(expected.tally)))


def test_a_comment_round_closes_without_an_outcome(db, world):
    draft = start(db, world)
    opened = rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.COMMENT,
        deadline=utcnow() + timedelta(days=3),
    )

    closed = rounds.close_round(db, opened, by=world.chair, statement="Thanks for comments.")

    assert closed.outcome is None and closed.tally is None
    assert closed.chair_statement == "Thanks for comments."
    assert draft.status == DraftStatus.DRAFTING


# sealing


def test_a_closed_round_is_sealed(db, world):
    draft = start(db, world)
    opened = open_decision(db, world, draft)
    cast(db, opened, world.member, "support")
    rounds.close_round(db, opened, by=world.chair)

    with pytest.raises(RoundClosed):
        cast(db, opened, world.member, "object", reason="Too late.")
    with pytest.raises(RoundClosed):
        cast(db, opened, world.colleague, "support")
    with pytest.raises(RoundClosed):
        rounds.submit_statement(
            db, opened, by=world.observer, seat=world.observer_seat, text="Late."
        )
    with pytest.raises(RoundClosed):
        rounds.extend_deadline(
            db, opened, by=world.chair, reason="More time", deadline=utcnow() + timedelta(days=30)
        )
    with pytest.raises(RoundClosed):
        rounds.close_round(db, opened, by=world.chair)
    rounds.add_chair_statement(db, opened, by=world.chair, statement="After all.")
    with pytest.raises(RoundClosed):  # given once after the close: sealed with the rest
        rounds.add_chair_statement(db, opened, by=world.chair, statement="Once more.")
    rows = db.exec(select(Position).execution_options(populate_existing=True)).all()
    assert [(r.choice, r.version) for r in rows] == [("support", 1)]


# deadlines


def test_a_round_past_its_deadline_refuses_positions_and_closes_when_touched(db, world):
    draft = start(db, world)
    now = utcnow()
    opened = open_decision(db, world, draft, days=2, now=now)
    cast(db, opened, world.member, "support", now=now)
    cast(db, opened, world.colleague, "support", now=now)
    later = now + timedelta(days=3)

    assert rounds.past_deadline(opened, later) and not rounds.accepting(opened, later)
    with pytest.raises(RoundClosed):
        cast(db, opened, world.colleague, "object", reason="Late.", now=later)
    assert rounds.any_expired(db, later, draft=draft)
    assert not rounds.any_expired(db, now, draft=draft)

    closed = rounds.settle_expired(db, later, draft=draft)

    assert [r.id for r in closed] == [opened.id]
    assert opened.closed_at == opened.deadline and opened.closed_by_id is None
    assert opened.outcome == "adopted" and draft.status == DraftStatus.ADOPTED
    assert rounds.settle_expired(db, later) == []
    record = db.exec(select(AuditRecord).where(AuditRecord.action == "round.closed")).one()
    assert record.actor_id is None and json.loads(record.details)["closed_by"] == "deadline"


def test_settling_one_draft_leaves_the_others(db, world):
    now = utcnow()
    first, second = start(db, world), start(db, world, title="Second")
    open_decision(db, world, first, days=1, now=now)
    other = open_decision(db, world, second, days=1, now=now)

    rounds.settle_expired(db, now + timedelta(days=2), draft=first)

    assert other.closed_at is None
    rounds.settle_expired(db, now + timedelta(days=2), group=world.group)
    assert other.closed_at is not None


def test_the_chair_extends_the_deadline_with_a_reason(db, world):
    draft = start(db, world)
    now = utcnow()
    opened = open_decision(db, world, draft, days=2, now=now)
    before = opened.deadline

    with pytest.raises(Invalid) as refused:
        rounds.extend_deadline(db, opened, by=world.chair, deadline=before, reason="")
    assert set(refused.value.errors) == {"deadline", "reason"}
    extension = rounds.extend_deadline(
        db,
        opened,
        by=world.chair,
        reason="Capitals need time",
        deadline=before + timedelta(days=5),
        now=now,
    )

    assert opened.deadline == before + timedelta(days=5)
    assert (extension.previous_deadline, extension.reason) == (before, "Capitals need time")
    assert db.exec(select(RoundExtension)).one().id == extension.id
    cast(db, opened, world.member, "support", now=now + timedelta(days=3))  # past the old one
    assert actions(db, "round.") == ["round.opened", "round.extended"]


def test_a_round_closed_at_its_deadline_receives_its_chair_statement_once(db, world):
    draft = start(db, world)
    now = utcnow()
    opened = open_decision(db, world, draft, days=1, now=now)
    later = now + timedelta(days=2)

    round_ = rounds.add_chair_statement(
        db, opened, by=world.chair, statement="No quorum: we will try again.", now=later
    )

    assert round_.closed_at == round_.deadline and round_.outcome == "no_quorum"
    assert round_.chair_statement.startswith("No quorum")
    with pytest.raises(RoundClosed):
        rounds.add_chair_statement(db, round_, by=world.chair, statement="Again.", now=later)
    assert actions(db, "round.") == ["round.opened", "round.closed", "round.chair_statement"]


# who may


def test_who_may_manage_rounds_and_cast_positions(db, world):
    draft = start(db, world)
    now = utcnow()
    other_seat = make_seat(db, name="Honduras")
    other = make_group(db, seats=[other_seat], slug="other")
    other_chair = make_person(db, seat=other_seat)
    make_chair(db, other, other_seat, other_chair)
    former = make_person(db, seat=world.canada, role=SeatRole.HEAD)
    make_chair(db, world.group, world.canada, former, days_before=300, days_after=-200)

    def actor(person):
        return load_actor(db, person, now)

    assert can(actor(world.chair), "round.manage", draft)
    assert not can(actor(world.secretariat), "round.manage", draft)  # the group has a chair
    for person in (world.member, world.outsider, world.observer, former, other_chair):
        assert not can(actor(person), "round.manage", draft), person.name
    for person in (world.member, world.colleague, world.chair):
        assert can(actor(person), "position.cast", draft)
    for person in (world.outsider, world.observer, world.secretariat, other_chair):
        assert not can(actor(person), "position.cast", draft), person.name
    assert can(actor(world.observer), "statement.submit", draft)
    assert not can(actor(world.member), "statement.submit", draft)


def test_the_secretariat_manages_rounds_of_a_group_without_a_chair(db, world):
    for term in db.exec(select(ChairTerm)).all():
        db.delete(term)
    db.flush()
    draft = start(db, world)
    assert can(load_actor(db, world.secretariat, utcnow()), "round.manage", draft)
    assert not can(load_actor(db, world.chair, utcnow()), "round.manage", draft)


# comments of a comment round


def test_comments_of_a_comment_round_are_sealed_when_it_closes(db, world):
    from workspaces import comments

    draft = start(db, world)
    before = comments.post_comment(
        db,
        by=world.member,
        draft=draft,
        body="Before the round.",
        paragraph_id=None,
        revision_number=1,
    )
    opened = rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.COMMENT,
        deadline=utcnow() + timedelta(days=3),
    )
    during = comments.post_comment(
        db, by=world.member, draft=draft, body="In the round.", paragraph_id=None, revision_number=1
    )
    reply = comments.reply(
        db, by=world.colleague, to=before, body="A reply in the round.", revision_number=1
    )
    assert (before.round_id, during.round_id, reply.round_id) == (None, opened.id, opened.id)
    comments.edit_comment(db, by=world.member, comment=during, body="In the round, edited.")

    rounds.close_round(db, opened, by=world.chair, statement="Thanks: two comments.")

    with pytest.raises(Conflict) as refused:
        comments.edit_comment(db, by=world.member, comment=during, body="After.")
    assert "sealed" in refused.value.message
    with pytest.raises(Conflict):
        comments.reply(db, by=world.colleague, to=during, body="Too late.", revision_number=1)
    with pytest.raises(Conflict):
        comments.withdraw_comment(db, by=world.member, comment=during)
    with pytest.raises(Conflict):
        comments.resolve_thread(db, by=world.chair, comment=during)
    # a thread that began before the round stays open; its reply written in the round is sealed
    comments.reply(db, by=world.member, to=before, body="Still open.", revision_number=1)
    with pytest.raises(Conflict):
        comments.withdraw_comment(db, by=world.colleague, comment=reply)
    after = comments.post_comment(
        db,
        by=world.member,
        draft=draft,
        body="After the round.",
        paragraph_id=None,
        revision_number=1,
    )
    assert after.round_id is None
    assert rounds.round_comment_count(db, opened) == 2


def test_a_comment_round_past_its_deadline_seals_its_comments_at_once(db, world):
    from workspaces import comments

    draft = start(db, world)
    now = utcnow()
    opened = rounds.open_round(
        db,
        by=world.chair,
        draft=draft,
        kind=RoundKind.COMMENT,
        deadline=now + timedelta(hours=1),
        now=now,
    )
    during = comments.post_comment(
        db,
        by=world.member,
        draft=draft,
        body="In the round.",
        paragraph_id=None,
        revision_number=1,
        now=now,
    )
    assert during.round_id == opened.id and not rounds.comment_sealed(during, now)

    assert rounds.comment_sealed(during, now + timedelta(hours=2))  # reads as closed
    opened.deadline = now - timedelta(minutes=1)
    with pytest.raises(Conflict):
        comments.edit_comment(db, by=world.member, comment=during, body="Late.")


def test_the_demo_has_an_open_comment_round_and_an_open_decision_round(db):
    from council import demo

    demo.build(db, password="demo password")

    open_rounds = db.exec(select(Round).where(Round.closed_at.is_(None))).all()
    assert sorted(r.kind for r in open_rounds) == ["comment", "decision"]
    decision = next(r for r in open_rounds if r.kind == "decision")
    positions = db.exec(select(Position).where(Position.round_id == decision.id)).all()
    assert len(positions) == 5 and any(p.version == 2 for p in positions)
    assert any(
        p.choice == "support_with_reservation" and p.paragraph_ids != "[]" for p in positions
    )
    assert decision.id in {s.round_id for s in db.exec(select(ObserverStatement)).all()}
    assert rounds.settle_expired(db) == []


def test_the_demo_publishes_its_recommendations_through_closed_rounds(db):
    from council import demo
    from workspaces.recommendation_models import Recommendation

    demo.build(db, password="demo password")

    published = db.exec(select(Recommendation).order_by(Recommendation.number)).all()
    assert len(published) == 4  # groups 4 and 6 days ago, 1 and 2 months ago (issue 19)
    records = [json.loads(r.record) for r in published]
    assert any(record["footnotes"] for record in records)
    assert any(record["adoption"]["chair_statement"] for record in records)
    assert any(record["observer_statements"] for record in records)
    for item in published:
        round_ = db.get(Round, item.round_id)
        assert round_.outcome == "adopted" and round_.closed_by_id is not None
