"""Every unsafe request carries a token bound to the browser and comes from this site."""

from __future__ import annotations

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from council.app import create_app
from council.models import AuthSession
from tests.conftest import csrf_from, sign_in
from tests.factories import PASSWORD, make_council, make_person

EXPIRED = ("This form has expired or did not come from this site. Please reload the page and "
           "try again.")


@pytest.fixture
def app(settings, database):
    """The core alone: extensions have tests of their own."""
    return create_app(settings, database=database, extensions=[])


@pytest.fixture
def person(db):
    make_council(db)
    person = make_person(db)
    db.commit()
    return person


def sign_in_data(client: TestClient, person) -> dict:
    return {"csrf_token": csrf_from(client.get("/sign-in").text), "email": person.email,
            "password": PASSWORD}


def test_post_without_token_is_refused_with_the_error_page(client, person):
    client.get("/sign-in")
    response = client.post("/sign-in", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 403
    assert response.template.name == "errors/error.html"
    assert '<a class="skip-link"' in response.text  # inside the layout
    assert EXPIRED in response.text
    assert "council_session" not in response.cookies


@pytest.mark.parametrize("language", ["es", "fr"])
def test_refusal_is_in_the_visitors_language(app, client, person, language):
    response = client.post("/sign-in", data={"email": person.email, "password": PASSWORD},
                           headers={"Accept-Language": language})
    assert response.status_code == 403
    assert f'<html lang="{language}">' in response.text
    assert app.state.catalogues[language].gettext(EXPIRED) in response.text


def test_wrong_token_is_refused(client, person):
    data = sign_in_data(client, person)
    response = client.post("/sign-in", data={**data, "csrf_token": "0" * 64})
    assert response.status_code == 403


def test_token_of_another_browser_is_refused(app, client, person):
    """The anonymous token is bound to the cookie of the browser that loaded the form."""
    stolen = sign_in_data(client, person)
    with TestClient(app) as other:
        other.get("/sign-in")
        response = other.post("/sign-in", data=stolen, follow_redirects=False)
    assert response.status_code == 403


def test_anonymous_sign_in_form_works(client, person, db):
    response = client.get("/sign-in")
    assert "council_csrf" in response.cookies
    data = {"csrf_token": csrf_from(response.text), "email": person.email, "password": PASSWORD}
    response = client.post("/sign-in", data=data, follow_redirects=False)
    assert response.status_code == 303
    assert len(db.exec(select(AuthSession).where(AuthSession.person_id == person.id)).all()) == 1


def test_token_in_the_header_is_accepted(client, person):
    sign_in(client, person)
    token = csrf_from(client.get("/account").text)
    response = client.post("/account", data={"language": "fr", "timezone": "UTC"},
                           headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert response.status_code == 303


def test_token_changes_with_the_session(client, person):
    anonymous = csrf_from(client.get("/sign-in").text)
    sign_in(client, person)
    signed_in = csrf_from(client.get("/account").text)
    assert signed_in != anonymous
    response = client.post("/sign-out", data={"csrf_token": anonymous}, follow_redirects=False)
    assert response.status_code == 403


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "https://testserver"},  # same host, other scheme: another origin
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
])
def test_cross_site_request_with_a_valid_token_is_refused(client, person, headers):
    data = sign_in_data(client, person)
    response = client.post("/sign-in", data=data, headers=headers, follow_redirects=False)
    assert response.status_code == 403
    assert EXPIRED in response.text


@pytest.mark.parametrize("headers", [
    {"Origin": "http://testserver"},
    {"Sec-Fetch-Site": "same-origin"},
    {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
])
def test_same_origin_request_with_a_valid_token_is_accepted(client, person, headers):
    data = sign_in_data(client, person)
    response = client.post("/sign-in", data=data, headers=headers, follow_redirects=False)
    assert response.status_code == 303


def test_htmx_refusal_is_the_error_fragment(client, person):
    response = client.post("/sign-in", data={"email": person.email},
                           headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response.template.name == "errors/_error.html"
    assert "<html" not in response.text


def test_safe_requests_need_no_token(client):
    assert client.get("/sign-in").status_code == 200
    assert client.head("/sign-in").status_code == 200
