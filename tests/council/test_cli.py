"""The `council` command against fresh databases, as an operator would run it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlmodel import func, select

from council import schema
from council.auth import authenticate
from council.cli import main
from council.database import Database, utcnow
from council.models import AuditRecord, Council, Person
from tests.conftest import TEST_SECRET, make_settings


@pytest.fixture
def run(tmp_path):
    """Runs `council ...` against one database URL, with a development environment."""

    def run(url: str, *args: str, **env: str):
        environment = {"COUNCIL_DATABASE_URL": url, "COUNCIL_VAR_DIR": str(tmp_path),
                       "COUNCIL_ENV": "development", "COUNCIL_SECRET_KEY": TEST_SECRET, **env}
        return CliRunner().invoke(main, list(args), env=environment)

    return run


def query(url: str, statement):
    database = Database.from_url(url)
    try:
        with database.session() as session:
            return session.exec(statement).all()
    finally:
        database.dispose()


def test_migrate_builds_an_empty_database(fresh_databases, run):
    url = fresh_databases.create(migrate=False)
    result = run(url, "migrate")
    assert result.exit_code == 0, result.output
    assert "The database is up to date." in result.output
    schema.check(url)
    assert run(url, "migrate").exit_code == 0  # and running it again is harmless


def test_demo_prints_the_accounts(fresh_databases, run):
    url = fresh_databases.create()
    result = run(url, "demo", "--password", "x")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Every account below signs in with the password: x" in lines
    assert any(line.startswith("secretariat@") and line.endswith("secretariat")
               for line in lines)
    assert any(line.endswith("delegate, chair: Alternative migration pathways")
               for line in lines)
    assert any("Canada" in line and line.endswith(
        "head, chair: the council, chair: Regional cooperation and co-responsibility")
        for line in lines)
    [council] = query(url, select(Council))
    assert council.is_demo


def test_demo_twice_refreshes_the_demo(fresh_databases, run):
    url = fresh_databases.create()
    assert run(url, "demo", "--password", "first").exit_code == 0
    people = query(url, select(func.count()).select_from(Person))
    second = run(url, "demo", "--password", "second")
    assert second.exit_code == 0, second.output
    assert "signs in with the password: second" in second.output
    assert query(url, select(func.count()).select_from(Person)) == people
    assert len(query(url, select(Council))) == 1


def test_demo_accounts_sign_in_with_the_given_password(fresh_databases, run, tmp_path):
    url = fresh_databases.create()
    run(url, "demo", "--password", "demo password")
    database = Database.from_url(url)
    try:
        with database.transaction() as session:
            person = authenticate(session, email="secretariat@demo.council.example",
                                  password="demo password", address="test",
                                  settings=make_settings(url, tmp_path), now=utcnow())
            assert person.is_secretariat
    finally:
        database.dispose()


def test_demo_refuses_a_real_council(fresh_databases, run):
    url = fresh_databases.create()
    created = run(url, "create-admin", "admin@example.org", "--password", "a long password")
    assert created.exit_code == 0, created.output
    result = run(url, "demo", "--password", "x")
    assert result.exit_code != 0
    assert "holds a real council" in result.output
    assert [p.email for p in query(url, select(Person))] == ["admin@example.org"]


def test_create_admin_creates_a_secretariat_account(fresh_databases, run):
    url = fresh_databases.create()
    result = run(url, "create-admin", "Admin@Example.org", "--name", "Amara",
                 "--password", "a long password")
    assert result.exit_code == 0, result.output
    assert "Created secretariat account admin@example.org." in result.output
    [person] = query(url, select(Person))
    assert (person.email, person.name, person.is_secretariat, person.seat_id) == (
        "admin@example.org", "Amara", True, None)
    assert person.password_hash and "a long password" not in person.password_hash
    [council] = query(url, select(Council))
    assert not council.is_demo
    assert [r.action for r in query(url, select(AuditRecord))] == ["person.created"]


@pytest.mark.parametrize("args, message", [
    (["not-an-email", "--password", "a long password"], "Enter a valid email address."),
    (["admin@example.org", "--password", "short"], "At least 10 characters."),
])
def test_create_admin_refuses_bad_input(fresh_databases, run, args, message):
    url = fresh_databases.create()
    result = run(url, "create-admin", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert query(url, select(Person)) == []


def test_create_admin_refuses_a_taken_email(fresh_databases, run):
    url = fresh_databases.create()
    run(url, "create-admin", "admin@example.org", "--password", "a long password")
    result = run(url, "create-admin", "admin@example.org", "--password", "a long password")
    assert result.exit_code != 0
    assert "Another person already uses this email." in result.output


def test_commands_refuse_production_without_a_secret(fresh_databases, run):
    url = fresh_databases.create()
    result = run(url, "migrate", COUNCIL_ENV="production", COUNCIL_SECRET_KEY="")
    assert result.exit_code != 0
    assert "COUNCIL_SECRET_KEY" in result.output
