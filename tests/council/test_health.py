"""/healthz tells a load balancer whether this instance can reach its database."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from starlette.testclient import TestClient

from council.app import create_app
from council.database import Database
from tests.conftest import make_settings


@pytest.fixture
def app(settings, database):
    """The core alone: extensions have tests of their own."""
    return create_app(settings, database=database, extensions=[])


def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["content-type"] == "application/json"


def test_health_sets_no_cookie_and_carries_the_security_headers(client):
    response = client.get("/healthz")
    assert "set-cookie" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"


def unreachable_sqlite() -> Database:
    # make_engine would create the missing folder; a bare engine cannot open the file
    return Database(create_engine("sqlite:////nonexistent-council-folder/council.db"))


def unreachable_postgresql() -> Database:
    return Database.from_url("postgresql+psycopg://postgres@127.0.0.1:1/council?connect_timeout=2")


@pytest.mark.parametrize(
    "unreachable", [unreachable_sqlite, unreachable_postgresql], ids=["sqlite", "postgresql"]
)
def test_unreachable_database_is_503(unreachable, database_url, tmp_path):
    database = unreachable()
    app = create_app(make_settings(database_url, tmp_path), database=database, extensions=[])
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            response = client.get("/healthz")
            assert response.status_code == 503
            assert response.json() == {"status": "unavailable"}
            page = client.get("/")
            assert page.status_code == 503
            assert page.template.name == "errors/error.html"
            assert "The workspace is unavailable for a moment" in page.text
            assert "Traceback" not in page.text
    finally:
        database.dispose()
