"""The "Needs you" page, the list of notifications, marking read (forms, without JavaScript),
the unread count in the navigation, and "changes since your last visit" with comments."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from council.database import utcnow
from council.models import Notification
from tests.conftest import csrf_from, sign_in
from tests.workspaces import test_notices
from tests.workspaces.test_notices import cast, open_decision, start
from workspaces import comments, notices

world = test_notices.world  # the same people and seats, as a fixture here too


def test_needs_you_lists_the_positions_due_and_the_unread_replies(client, db, world):
    draft = start(db, world, title="Labour pathways")
    round_ = open_decision(db, world, draft, hours=50)
    root = comments.post_comment(
        db, by=world.people["head"], draft=draft, body="Mine.", paragraph_id=None, revision_number=1
    )
    comments.reply(db, by=world.people["writer"], to=root, body="A reply.", revision_number=1)
    db.commit()
    sign_in(client, world.people["head"])

    page = client.get("/needs-you")
    assert page.status_code == 200
    due = re.search(r'id="positions-due".*?</section>', page.text, re.S).group(0)
    assert "Labour pathways" in due and f"/rounds/{round_.id}" in due
    assert re.search(r"Closes in [23] days", due)
    unread = re.search(r'id="unread-conversation".*?</section>', page.text, re.S).group(0)
    assert "Hal Writer replied in a thread you wrote in, on “Labour pathways”." in unread

    cast(db, world, round_, "delegate")  # the seat answered through its delegate
    db.commit()
    due = re.search(r'id="positions-due".*?</section>', client.get("/needs-you").text, re.S).group(
        0
    )
    assert "Labour pathways" not in due


def test_the_chair_sees_the_rounds_closing_soon_and_the_seats_that_have_not_answered(
    client, db, world
):
    round_ = open_decision(db, world, start(db, world), hours=30)
    cast(db, world, round_, "head")
    db.commit()
    sign_in(client, world.people["chair"])
    chaired = re.search(
        r'id="chaired-rounds".*?</section>', client.get("/needs-you").text, re.S
    ).group(0)
    assert f"/rounds/{round_.id}" in chaired
    seats = re.search(r"Seats that have not answered: (.*?)\.", chaired).group(1)
    assert seats == "Costa Rica, Mexico, Migrant Network"


def test_the_navigation_counts_unread_notifications_and_mark_all_read_works_without_js(
    client, db, world
):
    open_decision(db, world, start(db, world, title="First"))
    open_decision(db, world, start(db, world, title="Second"))
    db.commit()
    sign_in(client, world.people["head"])
    home = client.get("/")
    assert "2 unread" in re.search(r'id="nav-notifications".*?</a>', home.text, re.S).group(0)

    listing = client.get("/notifications")
    assert listing.text.count("notification-unread") == 2
    response = client.post(
        "/notifications/read", data={"csrf_token": csrf_from(listing.text)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith("/notifications")
    page = client.get("/notifications")
    assert "notification-unread" not in page.text
    assert not re.search(
        r"\d+ unread", re.search(r'id="nav-notifications".*?</a>', page.text, re.S).group(0)
    )
    assert all(
        n.read_at is not None
        for n in db.exec(
            select(Notification).where(Notification.person_id == world.people["head"].id)
        ).all()
    )


def test_open_marks_one_read_and_goes_to_its_address_and_a_get_writes_nothing(client, db, world):
    round_ = open_decision(db, world, start(db, world))
    db.commit()
    sign_in(client, world.people["head"])
    mine = db.exec(
        select(Notification).where(Notification.person_id == world.people["head"].id)
    ).one()
    listing = client.get("/notifications")
    client.get("/needs-you")
    db.refresh(mine)
    assert mine.read_at is None  # reading the lists marks nothing

    token = csrf_from(listing.text)
    response = client.post(
        f"/notifications/{mine.id}/open", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/rounds/{round_.id}"
    db.refresh(mine)
    assert mine.read_at is not None

    theirs = db.exec(
        select(Notification).where(Notification.person_id == world.people["delegate"].id)
    ).one()
    assert (
        client.post(
            f"/notifications/{theirs.id}/open", data={"csrf_token": token}, follow_redirects=False
        ).status_code
        == 404
    )
    db.refresh(theirs)
    assert theirs.read_at is None


def test_what_a_person_may_no_longer_see_is_neither_listed_nor_counted(client, db, world):
    open_decision(db, world, start(db, world, title="Secret text"))
    person = world.people["delegate"]
    person.seat_id, person.seat_role = None, None  # left the seat: loses its rights at once
    db.add(person)
    db.commit()
    sign_in(client, person)
    page = client.get("/notifications")
    assert "Secret text" not in page.text
    assert not re.search(
        r"\d+ unread", re.search(r'id="nav-notifications".*?</a>', page.text, re.S).group(0)
    )


def test_the_pages_run_a_fixed_number_of_queries(client, db, world, queries):
    def count() -> tuple[int, int]:
        db.commit()
        queries.reset()
        client.get("/notifications")
        listing = len(queries)
        queries.reset()
        client.get("/needs-you")
        return listing, len(queries)

    sign_in(client, world.people["chair"])
    draft = start(db, world)
    round_ = open_decision(db, world, draft, hours=30)
    comments.post_comment(
        db,
        by=world.people["head"],
        draft=draft,
        body="@[Ana Chair] one",
        paragraph_id=None,
        revision_number=1,
    )
    few = count()
    for n in range(4):
        other = start(db, world, title=f"Draft {n}")
        open_decision(db, world, other, hours=30 + n)
        comments.post_comment(
            db,
            by=world.people["head"],
            draft=other,
            paragraph_id=None,
            revision_number=1,
            body=f"@[Ana Chair] {n}",
        )
    assert round_.id
    assert count() == few


def test_changes_since_the_last_visit_list_new_comments_and_replies(client, db, world):
    draft = start(db, world, by="head")
    db.commit()
    sign_in(client, world.people["head"])
    client.get(f"/drafts/{draft.id}")  # the visit is noted...
    client.app.state.bookkeeping.flush(client.app.state.database)  # ...and written
    root = comments.post_comment(
        db,
        by=world.people["writer"],
        draft=draft,
        body="New one.",
        paragraph_id=None,
        revision_number=1,
        now=utcnow() + timedelta(seconds=2),
    )
    comments.reply(
        db,
        by=world.people["participant"],
        to=root,
        body="And a reply.",
        revision_number=1,
        now=utcnow() + timedelta(seconds=3),
    )
    db.commit()

    page = client.get(f"/drafts/{draft.id}")
    alert = re.search(r'id="changes-since-visit".*?</div>', page.text, re.S).group(0)
    assert "2 new comments and replies since your last visit." in alert
    link = re.search(r'href="([^"]*/changes\?since=\d+)"', alert).group(1)
    changes = client.get(link)
    assert "Hal Writer commented on the whole draft" in changes.text
    assert "Dora Participant replied on the whole draft" in changes.text
    assert f"?thread={root.id}#comment-{root.id}" in changes.text
    assert "Nothing has changed" not in changes.text


def test_notices_module_kinds_are_registered_by_the_extension(app):
    from council import notifications

    assert set(k.name for k in notices.KINDS) <= set(notifications.KINDS)
