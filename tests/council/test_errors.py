"""Errors are pages in the layout (fragments for htmx), and never show a traceback."""

from __future__ import annotations

import pytest
from sqlmodel import select
from starlette.routing import Route
from starlette.testclient import TestClient

from council.app import create_app
from council.extensions import Extension
from council.models import Seat, SeatKind
from tests.conftest import make_settings, sign_in
from tests.factories import make_council, make_person


def boom(request):
    request.state.db.add(Seat(name="Written before the crash", kind=SeatKind.OBSERVER))
    request.state.db.flush()
    raise RuntimeError("secret internal detail")


boom.permission = "public"


@pytest.fixture
def app(settings, database):
    """The core, plus one route that fails unexpectedly."""
    extension = Extension(name="boom", routes=[Route("/boom", boom, name="boom")])
    return create_app(settings, database=database, extensions=[extension])


def assert_in_layout(response) -> None:
    assert response.template.name == "errors/error.html"
    assert response.text.startswith("<!doctype html>")
    assert '<main id="main"' in response.text
    assert f"Error {response.status_code}" in response.text


def test_unknown_address_is_a_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert_in_layout(response)
    assert "Page not found" in response.text


def test_unknown_working_group_is_a_404_page(client, db):
    make_council(db)
    person = make_person(db)
    db.commit()
    sign_in(client, person)
    response = client.get("/groups/no-such-group")
    assert response.status_code == 404
    assert_in_layout(response)


def test_wrong_method_is_a_405_page(client):
    response = client.get("/sign-out")
    assert response.status_code == 405
    assert_in_layout(response)
    assert "This action is not available here" in response.text
    assert response.headers["allow"] == "POST"


def test_body_over_the_limit_is_a_413_page(database, database_url, tmp_path):
    settings = make_settings(database_url, tmp_path, max_body_bytes=2_000)
    app = create_app(settings, database=database, extensions=[])
    with TestClient(app) as client:
        response = client.post("/sign-in", data={"email": "a@example.org", "bio": "x" * 3_000})
    assert response.status_code == 413
    assert_in_layout(response)
    assert "What you sent is too large" in response.text


def test_streamed_body_over_the_limit_is_a_413(database, database_url, tmp_path):
    """Without a Content-Length the limit is counted while the body arrives."""
    settings = make_settings(database_url, tmp_path, max_body_bytes=2_000)
    app = create_app(settings, database=database, extensions=[])

    def chunks():
        for _ in range(10):
            yield b"x" * 500

    with TestClient(app) as client:
        response = client.post(
            "/sign-in",
            content=chunks(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 413


def test_default_limit_accepts_an_ordinary_form(client, settings):
    response = client.post("/sign-in", data={"email": "x" * (settings.max_body_bytes // 2)})
    assert response.status_code == 403  # read in full, then refused for its missing token


@pytest.mark.parametrize("path, status", [("/no/such/page", 404), ("/sign-out", 405)])
def test_htmx_gets_the_error_fragment(client, path, status):
    response = client.get(path, headers={"HX-Request": "true"})
    assert response.status_code == status
    assert response.template.name == "errors/_error.html"
    assert "<html" not in response.text
    assert 'role="alert"' in response.text


def test_unexpected_error_is_a_plain_500_without_traceback(app, db):
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/plain")
    assert "Something went wrong on our side" in response.text
    assert "Traceback" not in response.text
    assert "secret internal detail" not in response.text
    assert "RuntimeError" not in response.text


def test_unexpected_error_rolls_the_request_back(app, db):
    with TestClient(app, raise_server_exceptions=False) as client:
        client.get("/boom")
    db.expire_all()
    assert db.exec(select(Seat).where(Seat.name == "Written before the crash")).first() is None


def test_a_head_request_is_answered_like_a_get_without_running_the_form_branch(client):
    response = client.head("/sign-in")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
