"""The chair's desk (council.desk, workspaces.desk) on the home and group pages: the open rounds
with the seats that have not answered, the chair's reminder (who hears it, its throttle, who
may send it), the drafts with threads and amendments to settle, the next handover, and the
desk's fixed number of queries."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select

from council.database import utcnow
from council.models import (
    AuditRecord,
    Delivery,
    Notification,
    NotificationPreference,
    OutboxMessage,
    SeatRole,
)
from council.permissions import load_actor
from tests.conftest import post_form, sign_in
from tests.factories import make_person
from tests.workspaces import test_notices
from tests.workspaces.test_notices import cast, open_decision, start
from workspaces import amendments, comments, notices, rounds
from workspaces.models import Revision, RevisionParagraph

world = test_notices.world  # the same people and seats, as a fixture here too

DESK = re.compile(r'<section class="panel chair-desk".*?</section>', re.S)


def desk_of(html: str) -> str:
    found = DESK.findall(html)
    assert len(found) == 1, f"{len(found)} desks on the page"
    return found[0]


def first_paragraph(db, draft) -> str:
    return db.exec(
        select(RevisionParagraph.paragraph_id)
        .join(Revision, Revision.id == RevisionParagraph.revision_id)
        .where(Revision.draft_id == draft.id)
        .order_by(RevisionParagraph.number)
    ).first()


def propose(db, world, draft, text="Another text."):
    actor = load_actor(db, world.people["head"], utcnow())
    return amendments.propose(
        db,
        actor=actor,
        draft=draft,
        now=utcnow(),
        justification="Why.",
        changes=[amendments.ChangeForm(first_paragraph(db, draft), "replace", text)],
    )


def settle_me(db, world, title):
    """A draft with one unresolved thread and one resolved, and an open amendment."""
    draft = start(db, world, title=title)
    comments.post_comment(
        db,
        by=world.people["head"],
        draft=draft,
        body="Open question.",
        paragraph_id=None,
        revision_number=1,
    )
    done = comments.post_comment(
        db,
        by=world.people["writer"],
        draft=draft,
        body="Settled.",
        paragraph_id=None,
        revision_number=1,
    )
    comments.resolve_thread(db, by=world.people["chair"], comment=done, now=utcnow())
    propose(db, world, draft)
    return draft


def remind(client, round_, page="/groups/pathways"):
    return post_form(
        client, f"/rounds/{round_.id}/remind", {"next": page}, page=page, follow_redirects=False
    )


def reminders(db) -> list[Notification]:
    db.expire_all()
    return list(
        db.exec(select(Notification).where(Notification.kind == notices.ROUND_REMINDER)).all()
    )


def test_the_chair_sees_silent_seats_drafts_to_settle_and_the_next_handover(client, db, world):
    decided = open_decision(db, world, start(db, world, title="Labour pathways"), hours=80)
    cast(db, world, decided, "head")  # Belize answered through its head
    rounds.open_round(
        db,
        by=world.people["chair"],
        draft=start(db, world, title="Talking"),
        kind="comment",
        now=world.now,
        deadline=world.now + timedelta(days=3),
    )
    settle_me(db, world, "Integration")
    db.commit()
    sign_in(client, world.people["chair"])
    audited = db.exec(select(func.count()).select_from(AuditRecord)).one()

    for page in ("/", "/groups/pathways"):
        desk = desk_of(client.get(page).text)
        assert "desk: working group 5" in desk
        silent = re.search(r"(\d+) seats have not answered: (.*?)\.</p>", desk)
        assert silent.groups() == ("3", "Costa Rica, Mexico, Migrant Network")
        assert re.search(r"Closes in [34] days", desk)  # 80 hours
        assert f'/rounds/{decided.id}/remind"' in desk
        assert "Talking" in desk and desk.count("Remind them") == 1  # no one answers comments
        drafts = desk.split("Drafts to settle")[1]
        assert "Integration" in drafts
        assert "1 unresolved thread" in drafts and "1 amendment waits for your decision" in drafts
        assert "Labour pathways" not in drafts
        assert "Costa Rica chairs until" in desk
        assert "the chair then passes to Belize, next in order." in desk

    db.expire_all()
    assert db.exec(select(func.count()).select_from(AuditRecord)).one() == audited  # read only


def test_no_one_but_the_chair_has_a_desk(app, db, world):
    from starlette.testclient import TestClient

    open_decision(db, world, start(db, world))
    db.commit()
    for role in ("head", "delegate", "participant", "observer", "secretariat", "outsider"):
        client = TestClient(app, base_url="http://testserver")
        sign_in(client, world.people[role])
        for page in ("/", "/groups/pathways"):
            html = client.get(page).text
            assert "chair-desk" not in html and "Remind them" not in html, (role, page)


def test_remind_tells_exactly_the_people_of_the_seats_that_have_not_answered(client, db, world):
    round_ = open_decision(db, world, start(db, world, title="Labour pathways"), hours=30)
    cast(db, world, round_, "delegate")  # Belize answered: its head and delegate are not told
    colleague = make_person(db, seat=world.seats["chair"], role=SeatRole.HEAD, name="Cora Head")
    db.add(
        NotificationPreference(
            person_id=world.people["writer"].id,
            kind=notices.ROUND_REMINDER,
            delivery=Delivery.DIGEST,
        )
    )
    db.commit()
    sign_in(client, world.people["chair"])

    response = remind(client, round_)
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/groups/pathways#desk-round-{round_.id}")
    told = {n.person_id: n for n in reminders(db)}
    # Costa Rica's other person, Mexico and the participant; not the chair who sent it
    assert set(told) == {colleague.id, world.people["writer"].id, world.people["participant"].id}
    assert told[world.people["writer"].id].delivery == Delivery.DIGEST  # their choice
    assert told[colleague.id].delivery == Delivery.NOW
    emailed = set(db.exec(select(OutboxMessage.person_id)).all())
    assert colleague.id in emailed and world.people["writer"].id not in emailed

    record = db.exec(select(AuditRecord).where(AuditRecord.action == "round.reminded")).one()
    assert record.actor_id == world.people["chair"].id and record.target_id == str(round_.id)
    assert "Mexico" in record.details and "Belize" not in record.details

    sign_in(client, world.people["writer"])
    shown = client.get("/notifications").text
    assert (
        "The chair of working group 5 reminds Mexico that its answer is due in round "
        f"{round_.id} on “Labour pathways”"
    ) in shown


def test_a_second_reminder_too_soon_is_refused_with_409_then_allowed_later(
    client, db, world, monkeypatch
):
    round_ = open_decision(db, world, start(db, world), hours=50)
    db.commit()
    sign_in(client, world.people["chair"])
    assert remind(client, round_).status_code == 303
    count = len(reminders(db))

    page = client.get("/groups/pathways").text
    desk = desk_of(page)
    assert "They were reminded on" in desk and "you can remind them again from" in desk
    assert "Remind them" not in desk

    again = remind(client, round_, page="/")  # a page loaded before, or a second tab
    assert again.status_code == 409
    assert "were reminded on" in again.text and "You can remind them again from" in again.text
    assert len(reminders(db)) == count
    assert (
        len(db.exec(select(AuditRecord).where(AuditRecord.action == "round.reminded")).all()) == 1
    )

    later = utcnow() + timedelta(hours=5)
    monkeypatch.setattr("council.middleware.utcnow", lambda: later)
    sign_in(client, world.people["chair"])  # the earlier session has been idle too long
    allowed = remind(client, round_)
    assert allowed.status_code == 303 and "#desk-round-" in allowed.headers["location"]
    assert len(reminders(db)) == 2 * count


def test_only_the_acting_chair_reminds_and_only_silent_seats_of_an_open_decision_round(
    app, client, db, world
):
    from starlette.testclient import TestClient

    round_ = open_decision(db, world, start(db, world), hours=50)
    talk = rounds.open_round(
        db,
        by=world.people["chair"],
        draft=start(db, world, title="Talk"),
        kind="comment",
        now=world.now,
        deadline=world.now + timedelta(days=2),
    )
    db.commit()
    for role in ("head", "secretariat", "outsider"):
        other = TestClient(app, base_url="http://testserver")
        sign_in(other, world.people[role])
        assert remind(other, round_, page="/").status_code == 403, role
    assert reminders(db) == []

    sign_in(client, world.people["chair"])
    assert remind(client, talk).status_code == 409  # nobody answers a comment round
    for role in ("chair", "head", "writer", "participant"):
        cast(db, world, round_, role)
    db.commit()
    answered = remind(client, round_)
    assert answered.status_code == 409 and "Every seat has answered" in answered.text
    assert reminders(db) == []


def test_the_desk_runs_a_fixed_number_of_queries(client, db, world, queries):
    def count() -> tuple[int, int]:
        db.commit()
        queries.reset()
        client.get("/")
        home = len(queries)
        queries.reset()
        client.get("/groups/pathways")
        return home, len(queries)

    sign_in(client, world.people["chair"])
    open_decision(db, world, start(db, world, title="First"), hours=40)
    settle_me(db, world, "To settle")
    few = count()
    assert "Remind them" in client.get("/").text

    for n in range(3):
        round_ = open_decision(db, world, start(db, world, title=f"Decide {n}"), hours=50 + n)
        cast(db, world, round_, "head")
        settle_me(db, world, f"Settle {n}")
    rounds.open_round(
        db,
        by=world.people["chair"],
        draft=start(db, world, title="Talk"),
        kind="comment",
        now=world.now,
        deadline=world.now + timedelta(days=2),
    )
    db.commit()
    assert remind(client, round_).status_code == 303
    many = count()
    assert client.get("/").text.count("Remind them") == 3  # the one reminded waits
    assert many == few
