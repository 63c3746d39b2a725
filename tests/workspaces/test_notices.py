"""Who hears of what: every event against every role, and the deadline reminders.

The roles: the acting chair (Costa Rica), a member-state head and a delegate of the same seat
(Belize), a participant's delegate, an observer of a group closed to observers, the head of a
seat outside the group, the secretariat, and a writer (Mexico's delegate) who does most acts.
Whoever does the act is never told of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import select

from council import chairs, i18n, invitations, notifications
from council.database import utcnow
from council.models import Notification, Person, SeatKind, SeatRole
from tests.factories import (
    make_chair,
    make_council,
    make_group,
    make_person,
    make_seat,
    make_secretariat,
)
from workspaces import comments, drafts, notices, rounds
from workspaces.round_models import RoundKind
from workspaces.rounds import PositionForm


@dataclass
class World:
    group: object
    people: dict[str, Person]
    seats: dict[str, object]
    now: object

    def role_of(self, person_id: int) -> str:
        return next(role for role, p in self.people.items() if p.id == person_id)


@pytest.fixture
def world(db) -> World:
    make_council(db)
    seats = {
        "chair": make_seat(db, name="Costa Rica"),
        "member": make_seat(db, name="Belize"),
        "writer": make_seat(db, name="Mexico"),
        "participant": make_seat(db, SeatKind.PARTICIPANT, name="Migrant Network"),
        "observer": make_seat(db, SeatKind.OBSERVER, name="Observer Org"),
        "outsider": make_seat(db, name="Panama"),
    }
    group = make_group(
        db,
        seats=[seats[k] for k in ("chair", "member", "writer", "participant", "observer")],
        name="Alternative pathways",
        slug="pathways",
        number=5,
    )
    make_group(db, seats=[seats["outsider"]], name="Narratives", slug="narratives")
    people = {
        "chair": make_person(db, seat=seats["chair"], role=SeatRole.DELEGATE, name="Ana Chair"),
        "head": make_person(db, seat=seats["member"], role=SeatRole.HEAD, name="Bea Head"),
        "delegate": make_person(
            db, seat=seats["member"], role=SeatRole.DELEGATE, name="Carl Delegate"
        ),
        "participant": make_person(
            db, seat=seats["participant"], role=SeatRole.DELEGATE, name="Dora Participant"
        ),
        "observer": make_person(
            db, seat=seats["observer"], role=SeatRole.HEAD, name="Eli Observer"
        ),
        "outsider": make_person(
            db, seat=seats["outsider"], role=SeatRole.HEAD, name="Fay Outsider"
        ),
        "secretariat": make_secretariat(db, name="Gus Secretariat"),
        "writer": make_person(db, seat=seats["writer"], role=SeatRole.DELEGATE, name="Hal Writer"),
    }
    make_chair(db, group, seats["chair"], people["chair"])
    return World(group, people, seats, utcnow())


def roles_told(db, world: World, kind: str) -> set[str]:
    rows = db.exec(select(Notification.person_id).where(Notification.kind == kind)).all()
    return {world.role_of(person_id) for person_id in rows}


def start(db, world, by="writer", **fields):
    return drafts.start_draft(
        db,
        by=world.people[by],
        group=world.group,
        title=fields.pop("title", "Labour pathways"),
        purpose="",
        sponsor_seat_ids=fields.pop("sponsors", [world.seats["member"].id]),
        text="First paragraph.\n\nSecond paragraph.",
        language="en",
    )


def open_decision(db, world, draft, hours=24 * 7):
    return rounds.open_round(
        db,
        by=world.people["chair"],
        draft=draft,
        kind="decision",
        now=world.now,
        deadline=world.now + timedelta(hours=hours),
    )


def cast(db, world, round_, role, choice="support"):
    person = world.people[role]
    rounds.cast_position(
        db,
        round_,
        by=person,
        seat=world.seats[
            {
                "chair": "chair",
                "head": "member",
                "delegate": "member",
                "writer": "writer",
                "participant": "participant",
            }[role]
        ],
        form=PositionForm(choice, reason="Not yet." if choice == "object" else ""),
        now=world.now,
    )


# the events, each: what it does (returns the role that did it) and who must hear


def round_opened(db, world):
    open_decision(db, world, start(db, world))
    return "chair"


def round_closed(db, world):
    round_ = open_decision(db, world, start(db, world))
    cast(db, world, round_, "head", "object")
    rounds.close_round(db, round_, by=world.people["chair"], now=world.now + timedelta(hours=1))
    return "chair"


def recommendation_adopted(db, world):
    round_ = open_decision(db, world, start(db, world))
    for role in ("head", "writer", "chair"):
        cast(db, world, round_, role)
    rounds.close_round(db, round_, by=world.people["chair"], now=world.now + timedelta(hours=1))
    return "chair"


def comment_reply(db, world):
    draft = start(db, world)
    root = comments.post_comment(
        db,
        by=world.people["head"],
        draft=draft,
        body="First.",
        paragraph_id=None,
        revision_number=1,
    )
    comments.reply(db, by=world.people["participant"], to=root, body="Second.", revision_number=1)
    comments.reply(db, by=world.people["writer"], to=root, body="Third.", revision_number=1)
    return "writer"


def comment_mention(db, world):
    draft = start(db, world)
    comments.post_comment(
        db,
        by=world.people["writer"],
        draft=draft,
        paragraph_id=None,
        revision_number=1,
        body="@[Carl Delegate], @[Eli Observer], @[Fay Outsider] and @[Hal Writer]: see this.",
    )
    return "writer"


def draft_revised(db, world):
    draft = start(db, world, by="head")
    comments.post_comment(
        db,
        by=world.people["participant"],
        draft=draft,
        body="Hmm.",
        paragraph_id=None,
        revision_number=1,
    )
    drafts.revise(
        db,
        by=world.people["writer"],
        draft=draft,
        base_number=1,
        text="First paragraph, changed.\n\nSecond paragraph.",
        summary="Sharper.",
    )
    return "writer"


def statement_submitted(db, world):
    round_ = open_decision(db, world, start(db, world))
    rounds.submit_statement(
        db,
        round_,
        by=world.people["observer"],
        seat=world.seats["observer"],
        text="We follow this.",
        now=world.now + timedelta(hours=1),
    )
    return "observer"


def chair_handed_over(db, world):
    chairs.hand_over_chair(
        db,
        body=world.group,
        to_seat_id=world.seats["member"].id,
        reason="",
        by=world.people["secretariat"],
        now=world.now,
    )
    return "secretariat"


def chair_turned_over(db, world):
    from council.models import ChairTerm

    term = db.exec(select(ChairTerm)).one()
    term.starts_at = world.now - timedelta(days=200)
    term.ends_at = world.now - timedelta(hours=1)
    db.add(term)
    db.flush()
    assert chairs.settle_due(db, world.now) == 1
    return None


def vice_chair_named(db, world):
    draft = start(db, world)
    chairs.recuse(
        db,
        group=world.group,
        subject=f"draft:{draft.id}",
        reason="We sponsor it.",
        by=world.people["chair"],
        now=world.now,
    )
    return "chair"


def invitation_accepted(db, world):
    invitation, _token = invitations.invite(
        db,
        by=world.people["secretariat"],
        languages=("en",),
        now=world.now,
        form=invitations.InvitationForm(
            email="new@example.org",
            name="Ivy New",
            seat_id=world.seats["member"].id,
            seat_role="delegate",
        ),
    )
    invitations.accept(
        db,
        invitation=invitation,
        name="Ivy New",
        password="a long password 1",
        method="password",
        now=world.now,
    )
    return "secretariat"  # the inviter is not the one who accepted: they hear of it


EVENTS = [
    (round_opened, notices.ROUND_OPENED, {"head", "delegate", "participant", "writer"}),
    (round_closed, notices.ROUND_CLOSED, {"head", "delegate", "participant", "writer"}),
    # published: the observer of a closed group reads recommendations
    (
        recommendation_adopted,
        notices.RECOMMENDATION_ADOPTED,
        {"head", "delegate", "participant", "writer", "observer"},
    ),
    (comment_reply, notices.COMMENT_REPLY, {"head", "participant"}),
    # the observer and the outsider may not read the draft: their names are not even linked
    (comment_mention, notices.COMMENT_MENTION, {"delegate"}),
    (draft_revised, notices.DRAFT_REVISED, {"head", "delegate", "participant"}),
    (statement_submitted, notices.STATEMENT_SUBMITTED, {"chair"}),
    (chair_handed_over, "chair.handover", {"chair", "head", "delegate"}),
    (chair_turned_over, "chair.handover", {"chair", "head", "delegate"}),
    (vice_chair_named, "chair.vice_chair", {"head", "delegate"}),
    (invitation_accepted, "invitation.accepted", {"secretariat"}),
]


@pytest.mark.parametrize(
    ("event", "kind", "expected"), EVENTS, ids=[event.__name__ for event, _k, _e in EVENTS]
)
def test_who_hears_of_each_event(db, world, event, kind, expected):
    author = event(db, world)
    heard = roles_told(db, world, kind)
    assert heard == expected
    assert author is None or author not in heard or kind == "invitation.accepted"
    # every notification of the event reads as a sentence in each language, and links inside
    for notification in db.exec(select(Notification).where(Notification.kind == kind)).all():
        assert notification.url.startswith("/")
        for language in ("en", "es", "fr"):
            catalogue = i18n.load_catalogues((language,))[language]
            with i18n.speaking(language, catalogue):
                text = notifications.describe(notification, "America/Mexico_City")
            assert text and "%(" not in text


def test_the_author_of_an_act_is_never_told_of_it(db, world):
    draft = start(db, world)
    comments.post_comment(
        db,
        by=world.people["writer"],
        draft=draft,
        paragraph_id=None,
        revision_number=1,
        body="Note to self, @[Hal Writer].",
    )
    assert roles_told(db, world, notices.COMMENT_MENTION) == set()


def test_notifications_carry_names_and_link_to_the_exact_comment(db, world):
    draft = start(db, world)
    paragraph = drafts.paragraphs(db, drafts.latest_revision(db, draft))[1]
    root = comments.post_comment(
        db,
        by=world.people["head"],
        draft=draft,
        body="On two.",
        paragraph_id=paragraph.paragraph_id,
        revision_number=1,
    )
    reply = comments.reply(
        db, by=world.people["writer"], to=root, body="Agreed.", revision_number=1
    )
    notification = db.exec(
        select(Notification).where(Notification.kind == notices.COMMENT_REPLY)
    ).one()
    assert notification.url == f"/drafts/{draft.id}?thread={root.id}#comment-{reply.id}"
    assert notifications.describe(notification) == (
        "Hal Writer replied in a thread you wrote in, on paragraph 2 of “Labour pathways”."
    )


def test_an_edit_that_adds_a_mention_tells_the_person_once(db, world):
    draft = start(db, world)
    comment = comments.post_comment(
        db,
        by=world.people["writer"],
        draft=draft,
        body="Plain.",
        paragraph_id=None,
        revision_number=1,
    )
    comments.edit_comment(
        db, by=world.people["writer"], comment=comment, body="Plain, @[Bea Head]."
    )
    comments.edit_comment(
        db, by=world.people["writer"], comment=comment, body="Plain, @[Bea Head]!"
    )
    assert (
        len(db.exec(select(Notification).where(Notification.kind == notices.COMMENT_MENTION)).all())
        == 1
    )


def test_deliveries_default_to_at_once_for_deadlines_and_handovers(db, world):
    assert notifications.KINDS[notices.ROUND_REMINDER].default == "now"
    assert notifications.KINDS["chair.handover"].default == "now"
    assert notifications.KINDS[notices.COMMENT_REPLY].default == "digest"
    chair_handed_over(db, world)
    assert {n.delivery for n in db.exec(select(Notification)).all()} == {"now"}


# reminders


def test_reminders_72_and_24_hours_before_once_each_and_none_after_the_seat_answered(db, world):
    round_ = open_decision(db, world, start(db, world), hours=80)
    deadline = round_.deadline
    assert notices.remind_due(db, deadline - timedelta(hours=73)) == 0
    first = notices.remind_due(db, deadline - timedelta(hours=71))
    answering = {"chair", "head", "delegate", "participant", "writer"}
    assert roles_told(db, world, notices.ROUND_REMINDER) == answering
    assert first == len(answering)
    assert notices.remind_due(db, deadline - timedelta(hours=70)) == 0  # once each

    cast(db, world, round_, "delegate")  # Belize answers: its head hears no more either
    assert notices.remind_due(db, deadline - timedelta(hours=23)) == 3
    assert notices.remind_due(db, deadline - timedelta(hours=2)) == 0
    keys = db.exec(
        select(Notification.dedupe_key, Notification.person_id).where(
            Notification.kind == notices.ROUND_REMINDER
        )
    ).all()
    late = {world.role_of(person) for key, person in keys if key.endswith(":24h")}
    assert late == {"chair", "participant", "writer"}
    assert notices.remind_due(db, deadline + timedelta(minutes=1)) == 0  # over


def test_a_round_opened_close_to_its_deadline_gets_only_the_24_hour_reminder(db, world):
    round_ = open_decision(db, world, start(db, world), hours=20)
    notices.remind_due(db, world.now)
    keys = set(
        db.exec(
            select(Notification.dedupe_key).where(Notification.kind == notices.ROUND_REMINDER)
        ).all()
    )
    assert keys and all(key.endswith(":24h") for key in keys)
    assert {key.split(":")[1] for key in keys} == {str(round_.id)}


def test_a_reminder_names_the_seat_and_the_deadline(db, world):
    round_ = open_decision(db, world, start(db, world), hours=10)
    notices.remind_due(db, world.now)
    notification = db.exec(
        select(Notification).where(
            Notification.kind == notices.ROUND_REMINDER,
            Notification.person_id == world.people["head"].id,
        )
    ).one()
    text = notifications.describe(notification)
    assert text.startswith(
        f"The answer of Belize is due in round {round_.id} on “Labour pathways”: it closes on "
    )


def test_a_comment_round_sends_no_reminder(db, world):
    rounds.open_round(
        db,
        by=world.people["chair"],
        draft=start(db, world),
        kind=RoundKind.COMMENT,
        now=world.now,
        deadline=world.now + timedelta(hours=10),
    )
    assert notices.remind_due(db, world.now) == 0


def test_someone_who_may_no_longer_see_is_not_told_when_sent(db, world):
    """`can()` is asked when the notification is made: a delegate who left the seat hears
    nothing of the next round."""
    world.people["delegate"].seat_id, world.people["delegate"].seat_role = None, None
    db.add(world.people["delegate"])
    db.flush()
    round_opened(db, world)
    assert "delegate" not in roles_told(db, world, notices.ROUND_OPENED)
