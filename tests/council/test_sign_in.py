"""Local sign-in: one answer for any wrong credential, limits shared by all workers, safe `next`."""

from __future__ import annotations

import re

import pytest
from sqlmodel import func, select
from starlette.testclient import TestClient

from council.app import create_app
from council.database import Database
from council.models import SignInAttempt
from tests.conftest import csrf_from, make_settings
from tests.factories import PASSWORD, make_council, make_person

TOO_MANY = "Too many sign-in attempts. Please wait %(minutes)s minutes and try again."


@pytest.fixture
def app(settings, database):
    """The core alone: extensions have tests of their own."""
    return create_app(settings, database=database, extensions=[])


@pytest.fixture
def person(db):
    make_council(db)
    person = make_person(db, email="ana@example.org")
    db.commit()
    return person


def attempt(client: TestClient, email: str, password: str, **fields):
    token = csrf_from(client.get("/sign-in").text)
    return client.post(
        "/sign-in",
        follow_redirects=False,
        data={"csrf_token": token, "email": email, "password": password, **fields},
    )


def attempts_for(db, key: str) -> int:
    db.expire_all()
    return db.exec(
        select(func.count()).select_from(SignInAttempt).where(SignInAttempt.key == key)
    ).one()


def test_right_password_signs_in(client, person):
    response = attempt(client, "  Ana@Example.org ", PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_wrong_password_and_unknown_email_get_the_same_answer(client, person):
    wrong_password = attempt(client, person.email, "not the password")
    unknown_email = attempt(client, "nobody@example.org", "not the password")
    assert wrong_password.status_code == unknown_email.status_code == 422
    assert "The email or password is not correct." in wrong_password.text

    def without_token_and_email(response, email):
        # the CSRF token is masked afresh in every answer (no BREACH): compare around it
        text = re.sub(r"\b[0-9a-f]{64,}\b", "TOKEN", response.text)
        return text.replace(email, "EMAIL")

    assert without_token_and_email(wrong_password, person.email) == without_token_and_email(
        unknown_email, "nobody@example.org"
    )


def test_failures_are_recorded_per_account_and_address(client, db, person):
    attempt(client, person.email, "not the password")
    assert attempts_for(db, f"pair:testclient {person.email}") == 1
    assert attempts_for(db, f"account:{person.email}") == 1
    assert attempts_for(db, "address:testclient") == 1


def test_success_clears_the_failures_of_this_account_from_this_address(client, db, person):
    attempt(client, person.email, "not the password")
    assert attempt(client, person.email, PASSWORD).status_code == 303
    assert attempts_for(db, f"pair:testclient {person.email}") == 0
    assert attempts_for(db, f"account:{person.email}") == 1  # guesses elsewhere still count


def test_account_is_locked_after_too_many_failures_even_with_the_right_password(
    client, person, settings
):
    for _ in range(settings.sign_in_max_per_account):
        assert attempt(client, person.email, "not the password").status_code == 422
    response = attempt(client, person.email, PASSWORD)
    assert response.status_code == 429
    assert response.template.name == "auth/sign_in.html"
    assert TOO_MANY % {"minutes": settings.sign_in_window_minutes} in response.text
    assert "council_session" not in response.cookies


def test_guesses_from_one_address_never_lock_the_owner_out_of_another(
    app, client, person, settings
):
    for _ in range(settings.sign_in_max_per_account):
        attempt(client, person.email, "not the password")
    assert attempt(client, person.email, PASSWORD).status_code == 429
    with TestClient(app, client=("203.0.113.9", 50000)) as elsewhere:
        assert attempt(elsewhere, person.email, PASSWORD).status_code == 303


def test_guesses_from_many_addresses_stop_those_that_failed_not_the_owners_device(
    database, database_url, tmp_path, person
):
    settings = make_settings(database_url, tmp_path, sign_in_max_per_account_anywhere=6)
    app = create_app(settings, database=database, extensions=[])
    guessers = [TestClient(app, client=(f"198.51.100.{n}", 50000)) for n in range(4)]
    answers = [
        attempt(guesser, person.email, "guess").status_code
        for _ in range(2)
        for guesser in guessers
    ]
    assert answers == [422] * 6 + [429] * 2  # the account failed 6 times, from everywhere
    assert attempt(guessers[0], person.email, PASSWORD).status_code == 429
    with TestClient(app, client=("203.0.113.9", 50000)) as owners_device:
        assert attempt(owners_device, person.email, PASSWORD).status_code == 303
    with TestClient(app, client=("203.0.113.10", 50000)) as new_guesser:
        assert attempt(new_guesser, person.email, "guess").status_code == 422
        assert attempt(new_guesser, person.email, PASSWORD).status_code == 429


def test_address_is_limited_across_accounts(database, database_url, tmp_path, person):
    settings = make_settings(database_url, tmp_path, sign_in_max_per_address=3)
    app = create_app(settings, database=database, extensions=[])
    with TestClient(app) as client:
        for n in range(3):
            assert attempt(client, f"guess{n}@example.org", "guess").status_code == 422
        assert attempt(client, person.email, PASSWORD).status_code == 429
    with TestClient(app, client=("203.0.113.9", 50000)) as elsewhere:
        assert attempt(elsewhere, person.email, PASSWORD).status_code == 303


def test_the_limit_holds_across_workers_sharing_the_database(fresh_databases, tmp_path):
    """Two app instances, each with its own engine, like two server processes."""
    url = fresh_databases.create()
    databases = [Database.from_url(url), Database.from_url(url)]
    try:
        with databases[0].transaction() as session:
            make_council(session)
            make_person(session, email="ana@example.org")
        settings = make_settings(url, tmp_path, sign_in_max_per_account=2)
        first, second = (create_app(settings, database=d, extensions=[]) for d in databases)
        with TestClient(first) as client:
            for _ in range(2):
                assert attempt(client, "ana@example.org", "not the password").status_code == 422
        with TestClient(second) as client:
            response = attempt(client, "ana@example.org", PASSWORD)
        assert response.status_code == 429
        assert "Too many sign-in attempts" in response.text
    finally:
        for database in databases:
            database.dispose()


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/path",
        "https://evil.example",
        "https://evil.example/account",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "",
    ],
)
def test_next_never_leaves_the_site(client, person, target):
    response = attempt(client, person.email, PASSWORD, next=target)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_backslash_next_is_sent_escaped_so_browsers_keep_it_local(client, person):
    """Browsers read an unescaped "/\\host" as "//host"; the redirect sends it as %5C."""
    response = attempt(client, person.email, PASSWORD, next="/\\evil.example")
    location = response.headers["location"]
    assert location.startswith("/") and location[1:2] not in ("/", "\\")


def test_next_returns_to_a_local_page(client, person):
    response = attempt(client, person.email, PASSWORD, next="/account?tab=1")
    assert response.headers["location"] == "/account?tab=1"


def test_sign_in_page_keeps_only_a_local_next(client):
    assert 'name="next" value="/account"' in client.get("/sign-in?next=/account").text
    assert 'name="next" value="/"' in client.get("/sign-in?next=//evil.example").text


def test_every_aria_reference_on_the_sign_in_page_points_at_an_element(client):
    html = client.get("/sign-in").text
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    references = re.findall(r'aria-(?:labelledby|describedby)="([^"]+)"', html)
    dangling = [ref for refs in references for ref in refs.split() if ref not in ids]
    assert not dangling
