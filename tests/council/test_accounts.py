"""Issue 9: account safety — password change and reset by emailed single-use link, sessions
revoked, pages that never tell whether an email exists, and request limits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from council import accounts, seats
from council.database import utcnow
from council.models import AuditRecord, AuthSession, PasswordReset
from tests.conftest import make_settings, post_form, sign_in
from tests.factories import PASSWORD, make_council, make_person, make_seat, make_secretariat
from tests.mail_server import Inbox, smtp_server, smtp_settings

NEW_PASSWORD = "a brand new long password"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as inbox:
        yield inbox


@pytest.fixture
def settings(database_url, tmp_path, inbox):
    return make_settings(database_url, tmp_path, **smtp_settings(inbox))


@pytest.fixture
def person(db):
    make_council(db)
    person = make_person(db, seat=make_seat(db), email="ana@ministry.example")
    db.commit()
    return person


def sessions_of(db, person) -> int:
    db.expire_all()
    return len(db.exec(select(AuthSession).where(AuthSession.person_id == person.id)).all())


def change(client, current: str, new: str = NEW_PASSWORD, repeat: str | None = None):
    return post_form(
        client,
        "/account/password",
        {
            "current": current,
            "password": new,
            "password_repeat": new if repeat is None else repeat,
        },
        follow_redirects=False,
    )


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(
    app, client, db, person
):
    with TestClient(app) as other_browser:
        sign_in(other_browser, person)
        sign_in(client, person)
        assert sessions_of(db, person) == 2

        wrong = change(client, "not my password")
        assert wrong.status_code == 422
        assert "This is not your current password." in wrong.text
        assert sessions_of(db, person) == 2

        changed = change(client, PASSWORD)
        assert changed.status_code == 303
        assert client.get(changed.headers["location"]).text.count("Your password was changed") == 1
        assert sessions_of(db, person) == 1  # this browser's only
        assert client.get("/account").status_code == 200
        assert other_browser.get("/account", follow_redirects=False).status_code == 303

    client.cookies.clear()
    refused = post_form(client, "/sign-in", {"email": person.email, "password": PASSWORD})
    assert refused.status_code == 422
    sign_in(client, person, password=NEW_PASSWORD)
    assert "password.changed" in db.exec(select(AuditRecord.action)).all()


def test_a_new_password_must_be_long_and_repeated(client, db, person):
    sign_in(client, person)
    assert "At least 10 characters." in change(client, PASSWORD, "short").text
    mismatch = change(client, PASSWORD, NEW_PASSWORD, "something else entirely")
    assert mismatch.status_code == 422
    assert "The two passwords are not the same." in mismatch.text


def test_wrong_current_passwords_count_as_failed_sign_ins(client, db, person):
    sign_in(client, person)
    for _ in range(5):
        assert change(client, "guess").status_code == 422
    limited = change(client, PASSWORD)
    assert limited.status_code == 429
    assert "Too many requests" in limited.text


def request_reset(client, email: str):
    return post_form(client, "/password-reset", {"email": email}, follow_redirects=False)


def test_a_reset_link_arrives_by_email_works_once_and_ends_every_session(
    app, client, db, person, inbox
):
    with TestClient(app) as other_browser:
        sign_in(other_browser, person)
        page = client.get("/sign-in")
        assert 'href="http://testserver/password-reset"' in page.text

        sent = request_reset(client, "ANA@ministry.example ")
        assert sent.status_code == 200
        assert sent.template.name == "auth/password_reset_sent.html"
        (message,) = inbox.wait_for(1)
        assert message["To"] == "ana@ministry.example"
        (link,) = inbox.links_in(message)
        path = urlsplit(link).path
        assert link.startswith("http://testserver/password-reset/")

        form = client.get(path)
        assert form.status_code == 200
        done = post_form(
            client,
            path,
            {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD},
            follow_redirects=False,
        )
        assert done.status_code == 303
        assert client.get("/").template.name == "council/home.html"  # signed in
        assert other_browser.get("/account", follow_redirects=False).status_code == 303
        assert sessions_of(db, person) == 1

    used = client.get(path)
    assert used.status_code == 404
    assert "expired or was already used" in used.text
    client.cookies.clear()
    sign_in(client, person, password=NEW_PASSWORD)
    assert "password.reset" in db.exec(select(AuditRecord.action)).all()


def test_the_reset_email_is_in_the_person_s_language(client, db, person, inbox):
    person.language = "es"
    db.add(person)
    db.commit()
    request_reset(client, person.email)
    (message,) = inbox.wait_for(1)
    assert message["Content-Language"] == "es"
    assert message["Subject"].startswith("Restablecimiento de su contraseña")


def test_an_unknown_email_gets_the_same_answer_and_no_email(client, db, person, inbox):
    known = request_reset(client, person.email)
    unknown = request_reset(client, "nobody@ministry.example")
    assert (unknown.status_code, unknown.template.name) == (known.status_code, known.template.name)

    def around_the_token(text: str) -> str:  # masked afresh in every answer (no BREACH)
        return re.sub(r"\b[0-9a-f]{64,}\b", "TOKEN", text)

    assert around_the_token(unknown.text.replace("nobody@ministry.example", "X")) == (
        around_the_token(known.text.replace("ana@ministry.example", "X"))
    )
    assert len(inbox.wait_for(1)) == 1
    assert inbox.messages[0]["To"] == person.email


def test_a_deactivated_person_gets_no_reset_email(client, db, person, inbox):
    person.is_active = False
    db.add(person)
    db.commit()
    assert request_reset(client, person.email).status_code == 200
    assert inbox.messages == []


def test_reset_links_expire_after_an_hour(client, db, person):
    _, token = accounts.request_reset(db, email=person.email, now=utcnow() - timedelta(minutes=61))
    db.commit()
    assert client.get(f"/password-reset/{token}").status_code == 404


def test_reset_requests_are_rate_limited_per_email(client, db, person, inbox):
    for _ in range(accounts.RESETS_PER_WINDOW):
        assert request_reset(client, person.email).status_code == 200
    limited = request_reset(client, person.email)
    assert limited.status_code == 429
    assert "Too many requests" in limited.text
    unknown = [request_reset(client, "nobody@example.org").status_code for _ in range(4)]
    assert unknown == [200, 200, 200, 429]  # the same for an email nobody uses
    assert len(db.exec(select(PasswordReset)).all()) == accounts.RESETS_PER_WINDOW


def test_deactivating_a_person_ends_all_their_sessions_at_once(app, client, db, person):
    secretariat = make_secretariat(db)
    db.commit()
    sign_in(client, person)
    with TestClient(app) as other_browser:
        sign_in(other_browser, person)
        assert sessions_of(db, person) == 2
        form = seats.PersonForm(
            email=person.email,
            name=person.name,
            seat_id=person.seat_id,
            seat_role=person.seat_role,
            is_active=False,
        )
        seats.save_person(db, by=secretariat, person=person, form=form, now=utcnow())
        db.commit()
        assert sessions_of(db, person) == 0
        assert other_browser.get("/account", follow_redirects=False).status_code == 303
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_head_requests_to_form_pages_do_not_fail(client, db, person):
    sign_in(client, person)
    for path in ("/account/password", "/password-reset", "/sign-in", "/account"):
        assert client.head(path).status_code == 200, path
