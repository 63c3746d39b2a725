"""Server-side sessions: a random token in a hardened cookie, its hash and expiry in the db."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from council.app import create_app
from council.database import utcnow
from council.models import AuthSession
from tests.conftest import post_form, sign_in
from tests.factories import make_council, make_person, make_seat


@pytest.fixture
def app(settings, database):
    """The core alone: extensions have tests of their own."""
    return create_app(settings, database=database, extensions=[])


@pytest.fixture
def person(db):
    make_council(db)
    person = make_person(db, seat=make_seat(db))
    db.commit()
    return person


def cookie_attributes(response, name: str) -> tuple[str, set[str]]:
    """The value and the lower-cased attributes of the Set-Cookie header for `name`."""
    for header in response.headers.get_list("set-cookie"):
        first, *attributes = (part.strip() for part in header.split(";"))
        key, _, value = first.partition("=")
        if key == name:
            return value, {a.lower() for a in attributes}
    raise AssertionError(f"no {name} cookie in {response.headers.get_list('set-cookie')}")


def sessions_of(db, person) -> list[AuthSession]:
    db.expire_all()
    return list(db.exec(select(AuthSession).where(AuthSession.person_id == person.id)).all())


def assert_signed_out(client: TestClient) -> None:
    response = client.get("/account", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith("/sign-in?next=%2Faccount")
    assert client.get("/").template.name == "council/welcome.html"


def test_sign_in_sets_a_hardened_session_cookie_over_http(client, person):
    response = sign_in(client, person)
    token, attributes = cookie_attributes(response, "council_session")
    assert len(token) >= 40
    assert {"httponly", "samesite=lax", "path=/"} <= attributes
    assert "secure" not in attributes
    assert not any(a.startswith("domain") for a in attributes)
    assert client.get("/").template.name == "council/home.html"


def test_over_https_the_cookie_is_a_secure_host_cookie(app, person):
    with TestClient(app, base_url="https://testserver") as client:
        response = sign_in(client, person)
        token, attributes = cookie_attributes(response, "__Host-session")
        assert {"httponly", "samesite=lax", "path=/", "secure"} <= attributes
        assert not any(a.startswith("domain") for a in attributes)
        assert "council_session" not in response.cookies
        assert client.get("/").template.name == "council/home.html"


def test_the_database_holds_only_a_hash_of_the_token(client, db, person):
    token, _ = cookie_attributes(sign_in(client, person), "council_session")
    [row] = sessions_of(db, person)
    assert row.id == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (row.id, row.user_agent)


def test_each_sign_in_starts_a_new_session_and_revokes_the_previous(app, client, db, person):
    first, _ = cookie_attributes(sign_in(client, person), "council_session")
    second, _ = cookie_attributes(sign_in(client, person), "council_session")
    assert first != second
    [row] = sessions_of(db, person)
    assert row.id == hashlib.sha256(second.encode()).hexdigest()
    with TestClient(app, cookies={"council_session": first}) as replay:
        assert_signed_out(replay)


def test_sign_out_revokes_the_session_at_once(app, client, db, person):
    token, _ = cookie_attributes(sign_in(client, person), "council_session")
    response = post_form(client, "/sign-out", page="/account", follow_redirects=False)
    assert response.status_code == 303
    assert sessions_of(db, person) == []
    assert_signed_out(client)
    with TestClient(app, cookies={"council_session": token}) as replay:
        assert_signed_out(replay)


def test_idle_session_expires(client, db, person, settings):
    sign_in(client, person)
    [row] = sessions_of(db, person)
    row.last_seen_at = utcnow() - timedelta(minutes=settings.session_idle_minutes, seconds=1)
    db.add(row)
    db.commit()
    assert_signed_out(client)


def test_activity_keeps_the_session_alive(client, db, person, settings):
    sign_in(client, person)
    [row] = sessions_of(db, person)
    earlier = utcnow() - timedelta(minutes=settings.session_idle_minutes - 5)
    row.last_seen_at = earlier
    db.add(row)
    db.commit()
    assert client.get("/account").status_code == 200
    [row] = sessions_of(db, person)
    assert row.last_seen_at == earlier, "a read writes nothing: its use is noted for later"
    app = client.app
    assert app.state.bookkeeping.flush(app.state.database) == 1
    db.expire_all()
    [row] = sessions_of(db, person)
    assert row.last_seen_at > earlier + timedelta(minutes=4)


def test_a_use_noted_but_not_yet_written_keeps_the_session_alive(client, db, person, settings):
    sign_in(client, person)
    [row] = sessions_of(db, person)
    row.last_seen_at = utcnow() - timedelta(minutes=settings.session_idle_minutes - 1)
    db.add(row)
    db.commit()
    assert client.get("/account").status_code == 200  # noted, not written
    row.last_seen_at = utcnow() - timedelta(minutes=settings.session_idle_minutes + 1)
    db.add(row)
    db.commit()
    assert client.get("/account").status_code == 200


def test_a_form_sent_records_the_use_in_its_own_transaction(client, db, person, settings):
    sign_in(client, person)
    [row] = sessions_of(db, person)
    earlier = utcnow() - timedelta(minutes=30)
    row.last_seen_at = earlier
    db.add(row)
    db.commit()
    page = client.get("/account")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    client.post(
        "/account",
        data={"csrf_token": token, "name": person.name, "language": "en", "timezone": "UTC"},
    )
    db.expire_all()
    [row] = sessions_of(db, person)
    assert row.last_seen_at > earlier


def test_session_ends_at_its_absolute_limit_even_when_active(client, db, person, settings):
    sign_in(client, person)
    [row] = sessions_of(db, person)
    assert row.expires_at - row.created_at == timedelta(hours=settings.session_absolute_hours)
    row.expires_at = utcnow() - timedelta(seconds=1)
    row.last_seen_at = utcnow()
    db.add(row)
    db.commit()
    assert_signed_out(client)


def test_deactivated_person_is_signed_out_on_the_next_request(client, db, person):
    sign_in(client, person)
    assert client.get("/account").status_code == 200
    person.is_active = False
    db.add(person)
    db.commit()
    assert_signed_out(client)


def test_unknown_cookie_is_the_anonymous_view(app, person):
    with TestClient(app, cookies={"council_session": "made-up-token"}) as client:
        assert_signed_out(client)


def test_a_bookkeeping_writer_that_fails_does_not_hold_back_the_others(database, db):
    from sqlalchemy import text

    from council.bookkeeping import Bookkeeping

    def broken(session, notes):
        session.execute(text("SELECT * FROM no_such_table"))

    written: list = []
    book = Bookkeeping({"broken": broken, "fine": lambda session, notes: written.append(notes)})
    book.note("broken", 1, "a")
    book.note("fine", 2, "b")
    assert book.flush(database) == 1
    assert written == [{2: "b"}]
    assert book.pending("broken", 1) is None, "a note that cannot be written is dropped"
