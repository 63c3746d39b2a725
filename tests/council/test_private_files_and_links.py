"""Issue 21, item 8: the SQLite file and var/ are the owner's only, and links in emails never
follow the request's Host header."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient

from council.account_views import listening_address
from council.app import create_app
from council.database import make_engine
from council.settings import Settings
from tests.conftest import make_settings, post_form, sign_in
from tests.factories import make_council, make_person, make_secretariat
from tests.mail_server import Inbox, smtp_server, smtp_settings

FORGED = {"Host": "evil.example"}


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_sqlite_database_and_its_folder_are_made_private(tmp_path):
    path = tmp_path / "var" / "council.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x)")
        connection.commit()
    engine.dispose()
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700


def test_the_development_var_folder_is_private(tmp_path):
    var = tmp_path / "var"
    Settings.from_env({"COUNCIL_VAR_DIR": str(var)})
    assert mode(var) == 0o700
    assert mode(var / "secret_key") == 0o600


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as inbox:
        yield inbox


@pytest.fixture
def settings(database_url, tmp_path, inbox):
    return make_settings(database_url, tmp_path, **smtp_settings(inbox))  # no COUNCIL_BASE_URL


@pytest.fixture
def people(db):
    make_council(db)
    people = make_person(db, email="ana@example.org"), make_secretariat(db)
    db.commit()
    return people


def test_a_reset_link_ignores_a_forged_host(client, people, inbox):
    response = post_form(client, "/password-reset", {"email": "ana@example.org"}, headers=FORGED)
    assert response.status_code == 200
    (link,) = inbox.links_in(inbox.wait_for(1)[0])
    assert urlsplit(link).netloc == "testserver"  # the address the server listens on


def test_an_invitation_link_ignores_a_forged_host(client, people, inbox):
    sign_in(client, people[1])
    response = post_form(
        client,
        "/admin/invitations/new",
        {
            "name": "Nora Ruiz",
            "email": "nora@ministry.example",
            "seat_id": "",
            "seat_role": "",
            "language": "en",
            "is_secretariat": "on",
        },
        headers=FORGED,
        follow_redirects=False,
    )
    assert response.status_code == 303
    (link,) = inbox.links_in(inbox.wait_for(1)[0])
    assert urlsplit(link).netloc == "testserver"


def test_a_link_uses_the_configured_base_url(database, database_url, tmp_path, people, inbox):
    settings = make_settings(
        database_url, tmp_path, base_url="https://council.example", **smtp_settings(inbox)
    )
    with TestClient(create_app(settings, database=database)) as client:
        post_form(client, "/password-reset", {"email": "ana@example.org"}, headers=FORGED)
    (link,) = inbox.links_in(inbox.wait_for(1)[0])
    assert link.startswith("https://council.example/password-reset/")


def test_an_unspecified_listening_address_becomes_loopback():
    def address(server):
        return listening_address(Request({"type": "http", "server": server, "headers": []}))

    assert address(("0.0.0.0", 8000))  # noqa: S104 == "http://127.0.0.1:8000"
    assert address(("::", 8080)) == "http://127.0.0.1:8080"
    assert address(("192.0.2.7", 80)) == "http://192.0.2.7"
    assert address(("::1", 8000)) == "http://[::1]:8000"
    assert address(None) == "http://127.0.0.1:8000"
