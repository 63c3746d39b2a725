"""Choosing how one hears of each kind of news: signed in, or through the link in an email,
which shows and saves one person's choices, expires, saves once, and never signs anyone in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import select

from council import notification_settings, notifications, outbox
from council.database import utcnow
from council.middleware import session_cookie_name
from council.models import Delivery, EmailSettingsLink, NotificationPreference, SeatRole
from council.notifications import Kind
from tests.conftest import csrf_from, make_settings, post_form, sign_in
from tests.factories import make_council, make_group, make_person, make_seat
from tests.mail_server import smtp_server, smtp_settings

NEWS, DIGESTED = "test.settings.news", "test.settings.digested"


@pytest.fixture(autouse=True)
def kinds() -> Iterator[None]:
    notifications.register(
        Kind(NEWS, "A deadline of my seat comes near", lambda p: "News", Delivery.NOW),
        Kind(DIGESTED, "A reply to my comment", lambda p: "Digested"),
    )
    yield
    for name in (NEWS, DIGESTED):
        notifications.KINDS.pop(name, None)


def _preferences(db, person) -> dict[str, str]:
    db.expire_all()
    return dict(
        db.exec(
            select(NotificationPreference.kind, NotificationPreference.delivery).where(
                NotificationPreference.person_id == person.id
            )
        ).all()
    )


def _no_session(client) -> None:
    assert session_cookie_name("http") not in client.cookies
    page = client.get("/account", follow_redirects=False)
    assert page.status_code == 303 and "/sign-in" in page.headers["location"]


def test_a_signed_in_person_chooses_per_kind_and_the_digest_hour(client, db):
    make_council(db)
    person = make_person(db, timezone="America/Mexico_City")
    db.commit()
    sign_in(client, person)
    page = client.get("/account/notifications")
    assert page.status_code == 200
    assert page.template.name == "account/notifications.html"
    assert "A deadline of my seat comes near" in page.text
    assert f'name="{NEWS}" value="now" checked' in page.text
    assert f'name="{DIGESTED}" value="digest" checked' in page.text
    assert "America/Mexico City" in page.text

    saved = post_form(
        client,
        "/account/notifications",
        {NEWS: "digest", DIGESTED: "workspace", "digest_hour": "18"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["location"].endswith("/account/notifications?saved=1")
    assert _preferences(db, person) == {NEWS: "digest", DIGESTED: "workspace"}
    assert db.get(type(person), person.id).digest_hour == 18
    assert "Your choices were saved." in client.get(saved.headers["location"]).text


def test_a_wrong_choice_is_refused_and_nothing_saved(client, db):
    make_council(db)
    person = make_person(db)
    db.commit()
    sign_in(client, person)
    refused = post_form(
        client,
        "/account/notifications",
        {NEWS: "twice", DIGESTED: "workspace", "digest_hour": "25"},
    )
    assert refused.status_code == 422
    assert _preferences(db, person) == {}


def test_the_page_needs_a_signed_in_person(client):
    page = client.get("/account/notifications", follow_redirects=False)
    assert page.status_code == 303 and "/sign-in" in page.headers["location"]


def _link(db, person, *, kind=NEWS, now=None) -> str:
    token = notification_settings.new_link(db, person_id=person.id, kind=kind, now=now or utcnow())
    db.commit()
    return f"/notifications/settings/{token}"


def test_the_link_shows_and_saves_one_persons_choices_once_without_signing_in(client, db):
    make_council(db)
    person = make_person(db, name="Nora Ruiz")
    url = _link(db, person)
    page = client.get(url)
    assert page.status_code == 200
    assert "Nora Ruiz" in page.text and "does not sign you in" in page.text
    assert page.headers["Cache-Control"] == "private, no-store"
    _no_session(client)

    saved = client.post(
        url, data={"csrf_token": csrf_from(page.text), NEWS: "workspace", "digest_hour": "7"}
    )
    assert saved.status_code == 200
    assert "This link is now used up" in saved.text
    assert _preferences(db, person) == {NEWS: "workspace"}
    _no_session(client)

    again = client.post(url, data={"csrf_token": csrf_from(page.text), NEWS: "now"})
    assert again.status_code == 410, "a link saves once"
    assert client.get(url).status_code == 410
    assert _preferences(db, person) == {NEWS: "workspace"}


def test_an_expired_or_unknown_link_is_refused(client, db):
    make_council(db)
    person = make_person(db)
    expired = _link(
        db, person, now=utcnow() - timedelta(days=notification_settings.LINK_DAYS, seconds=1)
    )
    page = client.get(expired)
    assert page.status_code == 410
    assert "expired" in page.text
    assert client.get("/notifications/settings/not-a-token").status_code == 410
    token = csrf_from(client.get("/sign-in").text)
    assert client.post(expired, data={"csrf_token": token, NEWS: "workspace"}).status_code == 410
    assert client.post(expired, data={"List-Unsubscribe": "One-Click"}).status_code == 410
    assert _preferences(db, person) == {}


def test_the_link_of_a_deactivated_person_is_refused(client, db):
    person = make_person(db)
    url = _link(db, person)
    person.is_active = False
    db.add(person)
    db.commit()
    assert client.get(url).status_code == 410


def test_a_saving_post_without_the_csrf_token_is_refused(client, db):
    person = make_person(db)
    url = _link(db, person)
    assert client.post(url, data={NEWS: "now"}).status_code == 403
    assert _preferences(db, person) == {}


def test_one_click_turns_that_kind_to_the_workspace_only_without_a_token_or_cookie(client, db):
    person = make_person(db)
    url = _link(db, person, kind=NEWS)
    answer = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert "You will no longer get these emails" in answer.text
    assert _preferences(db, person) == {NEWS: "workspace"}
    assert client.post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 200, (
        "a mail program may post twice"
    )
    _no_session(client)


def test_one_click_from_a_digest_stops_the_digest(client, db):
    person = make_person(db)
    url = _link(db, person, kind=None)
    client.post(url, data={"List-Unsubscribe": "One-Click"})
    chosen = _preferences(db, person)
    assert chosen[DIGESTED] == "workspace"
    assert NEWS not in chosen, "what comes at once is kept"
    assert set(chosen.values()) == {"workspace"}


def test_the_link_in_a_real_email_opens_the_settings(db, database, client, tmp_path, database_url):
    make_council(db)
    seat = make_seat(db)
    group = make_group(db, seats=[seat])
    person = make_person(db, seat=seat, role=SeatRole.DELEGATE)
    now = utcnow()
    notifications.notify(db, people=[person.id], kind=NEWS, url="/", now=now, group=group)
    db.commit()
    with smtp_server() as inbox:
        settings = make_settings(
            database_url, tmp_path, base_url="http://testserver", **smtp_settings(inbox)
        )
        outbox.Outbox(settings).drain(database, now)
        (email,) = inbox.wait_for(1)
    link = email["List-Unsubscribe"].strip("<>")
    assert client.get(link).status_code == 200
    assert client.post(link, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert _preferences(db, person) == {NEWS: "workspace"}
    stored = db.exec(select(EmailSettingsLink)).one()
    assert link.rsplit("/", 1)[1] not in stored.token_hash, "only the hash is kept"
    _no_session(client)
