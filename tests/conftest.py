"""Every test runs against a real database migrated with Alembic, rolled back afterwards.

SQLite by default; PostgreSQL when COUNCIL_TEST_DATABASE_URL is set (a fresh database is
created beside the one named there, and dropped at the end).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session
from starlette.testclient import TestClient

from council import auth, schema
from council.app import create_app
from council.database import Database, make_engine
from council.settings import Settings

# Real argon2, at a test cost: the recommended parameters take about 0.15 s per sign-in, and
# the suite signs in several hundred times on each database.
auth.use_hasher(PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1))

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


class FreshDatabases:
    """Creates migrated databases: SQLite files, or PostgreSQL databases on the test server."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory):
        self.server_url = os.environ.get("COUNCIL_TEST_DATABASE_URL") or None
        self.tmp_path_factory = tmp_path_factory
        self.created: list[str] = []

    @property
    def backend(self) -> str:
        return "postgresql" if self.server_url else "sqlite"

    def create(self, *, migrate: bool = True) -> str:
        if self.server_url:
            name = f"council_test_{uuid.uuid4().hex[:12]}"
            admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            admin.dispose()
            url = make_url(self.server_url).set(database=name)
            url = url.render_as_string(hide_password=False)
            self.created.append(name)
        else:
            url = f"sqlite:///{self.tmp_path_factory.mktemp('db') / 'council.db'}"
        if migrate:
            schema.upgrade(url)
        return url

    def drop_all(self) -> None:
        if not self.server_url or not self.created:
            return
        admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for name in self.created:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, only the tests that use a database run: the others (pure rules,
    catalogues, templates, static files) do not depend on it and have run on SQLite."""
    if not os.environ.get("COUNCIL_TEST_DATABASE_URL"):
        return
    kept = [item for item in items if "fresh_databases" in getattr(item, "fixturenames", ())]
    if len(kept) < len(items):
        ids = {id(item) for item in kept}
        config.hook.pytest_deselected(items=[item for item in items if id(item) not in ids])
        items[:] = kept


@pytest.fixture(scope="session")
def fresh_databases(tmp_path_factory) -> Iterator[FreshDatabases]:
    databases = FreshDatabases(tmp_path_factory)
    yield databases
    databases.drop_all()


@pytest.fixture(scope="session")
def database_url(fresh_databases) -> str:
    return fresh_databases.create()


@pytest.fixture(scope="session")
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine):
    """One outer transaction per test; everything the test and the app write is rolled back."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        if transaction.is_active:
            transaction.rollback()


@pytest.fixture
def database(connection) -> Database:
    return Database(connection)


@pytest.fixture
def db(database) -> Iterator[Session]:
    with database.session() as session:
        yield session


def make_settings(database_url: str, tmp_path, **overrides) -> Settings:
    """Every cached page fragment is rendered again and compared with its copy, which the
    copies of all tests in this process make a strict check of their keys."""
    return Settings(
        **{
            "database_url": database_url,
            "secret_key": TEST_SECRET,
            "environment": "test",
            "var_dir": tmp_path,
            "check_fragments": True,
            **overrides,
        }
    )


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return make_settings(database_url, tmp_path)


@pytest.fixture
def app(settings, database):
    return create_app(settings, database=database)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def copying(database_url, database, tmp_path) -> Iterator[TestClient]:
    """A client of an application that serves its copies (fragments, public pages) as
    production does: as they are, not made again to be compared (no check_fragments)."""
    app = create_app(
        make_settings(database_url, tmp_path, check_fragments=False), database=database
    )
    with TestClient(app, base_url="http://testserver") as client:
        yield client


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()


@pytest.fixture
def queries(engine) -> Iterator[QueryCounter]:
    """Counts the SQL statements sent while the test runs (savepoints excluded)."""
    counter = QueryCounter()

    def count(conn, cursor, statement, parameters, context, executemany):
        if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT)", statement, re.I):
            counter.statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    yield counter
    event.remove(engine, "before_cursor_execute", count)


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def post_form(
    client: TestClient, url: str, data: dict | None = None, *, page: str | None = None, **kwargs
):
    """Submit a form as a browser would: take the CSRF token from the page that shows it."""
    html = client.get(page or url).text
    return client.post(url, data={"csrf_token": csrf_from(html), **(data or {})}, **kwargs)


def sign_in(client: TestClient, person, password: str = "correct horse battery staple"):
    response = post_form(
        client, "/sign-in", {"email": person.email, "password": password}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return response


def run_async(function, *args):
    """Run `function(*args)` (a coroutine function) to its end in an event loop of its own, on
    a thread of its own: the browser tests' Playwright keeps a loop running on the main thread
    for the whole session, where asyncio.run() would refuse to start."""
    import threading

    import anyio

    outcome: dict = {}

    def work():
        try:
            outcome["value"] = anyio.run(function, *args)
        except BaseException as error:  # re-raised in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
