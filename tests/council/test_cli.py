"""The `council` command against fresh databases, as an operator would run it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlmodel import func, select

from council import i18n, schema
from council.auth import authenticate
from council.cli import cli_language, main
from council.database import Database, utcnow
from council.models import AuditRecord, Council, Person
from tests.conftest import TEST_SECRET, make_settings

# the shell's locale, unset so that the machine running the tests does not choose the language
NO_LOCALE = {"COUNCIL_LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": None}


@pytest.fixture
def run(tmp_path):
    """Runs `council ...` against one database URL, with a development environment."""

    def run(url: str, *args: str, **env: str):
        environment = {
            "COUNCIL_DATABASE_URL": url,
            "COUNCIL_VAR_DIR": str(tmp_path),
            "COUNCIL_ENV": "development",
            "COUNCIL_SECRET_KEY": TEST_SECRET,
            **NO_LOCALE,
            **env,
        }
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
    assert any(line.startswith("secretariat@") and line.endswith("secretariat") for line in lines)
    assert any(line.endswith("delegate, chair: Alternative migration pathways") for line in lines)
    assert any(
        "Canada" in line
        and line.endswith(
            "head, chair: the council, chair: Regional cooperation and co-responsibility"
        )
        for line in lines
    )
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
            person = authenticate(
                session,
                email="secretariat@demo.council.example",
                password="demo password",
                address="test",
                settings=make_settings(url, tmp_path),
                now=utcnow(),
            )
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
    result = run(
        url, "create-admin", "Admin@Example.org", "--name", "Amara", "--password", "a long password"
    )
    assert result.exit_code == 0, result.output
    assert "Created secretariat account admin@example.org." in result.output
    [person] = query(url, select(Person))
    assert (person.email, person.name, person.is_secretariat, person.seat_id) == (
        "admin@example.org",
        "Amara",
        True,
        None,
    )
    assert person.password_hash and "a long password" not in person.password_hash
    [council] = query(url, select(Council))
    assert not council.is_demo
    assert [r.action for r in query(url, select(AuditRecord))] == ["person.created"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["not-an-email", "--password", "a long password"], "Enter a valid email address."),
        (["admin@example.org", "--password", "short"], "At least 10 characters."),
    ],
)
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


@pytest.mark.parametrize(
    "environ, language",
    [
        ({"LANG": "es_ES.UTF-8"}, "es"),
        ({"LANG": "fr_CA.UTF-8"}, "fr"),
        ({"LC_MESSAGES": "fr_FR.UTF-8", "LANG": "es_MX.UTF-8"}, "fr"),
        ({"LC_ALL": "C.UTF-8", "LANG": "es_ES.UTF-8"}, "en"),  # LC_ALL wins, as in POSIX
        ({"COUNCIL_LANGUAGE": "es", "LC_ALL": "fr_FR.UTF-8"}, "es"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_the_command_language_follows_the_environment(environ, language):
    assert cli_language(environ) == language


def test_messages_in_the_shell_language(fresh_databases, run):
    url = fresh_databases.create(migrate=False)
    result = run(url, "migrate", LANG="es_ES.UTF-8")
    assert result.exit_code == 0, result.output
    assert "La base de datos está actualizada." in result.output
    assert i18n.current_language() == "en"  # the command's language ends with it


def test_demo_accounts_in_spanish(fresh_databases, run):
    url = fresh_databases.create()
    result = run(url, "demo", "--password", "x", LANG="es_ES.UTF-8")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Todas las cuentas siguientes inician sesión con la contraseña: x" in lines
    assert any(
        "Canada" in line
        and line.endswith(
            "jefe o jefa de delegación, presidencia: el Consejo, "
            "presidencia: Regional cooperation and co-responsibility"
        )
        for line in lines
    )


def test_errors_in_french(fresh_databases, run):
    url = fresh_databases.create()
    result = run(
        url, "create-admin", "admin@example.org", "--password", "short", COUNCIL_LANGUAGE="fr"
    )
    assert result.exit_code != 0
    assert "Au moins 10 caractères." in result.output
    refused = run(
        url, "migrate", LANG="fr_FR.UTF-8", COUNCIL_ENV="production", COUNCIL_SECRET_KEY=""
    )
    assert refused.exit_code != 0
    assert "COUNCIL_SECRET_KEY doit contenir une longue valeur aléatoire." in refused.output


def test_create_admin_asks_for_the_password_in_the_shell_language(fresh_databases, tmp_path):
    url = fresh_databases.create()
    environment = {
        "COUNCIL_DATABASE_URL": url,
        "COUNCIL_VAR_DIR": str(tmp_path),
        "COUNCIL_ENV": "development",
        "COUNCIL_SECRET_KEY": TEST_SECRET,
        **NO_LOCALE,
        "LANG": "es_ES.UTF-8",
    }
    result = CliRunner().invoke(
        main,
        ["create-admin", "admin@example.org"],
        env=environment,
        input="a long password\na long password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Contraseña: " in result.output and "Repita la contraseña: " in result.output
    assert "Se ha creado la cuenta de la Secretaría admin@example.org." in result.output
    [person] = query(url, select(Person))
    assert person.is_secretariat
