"""Every unsafe request carries a token bound to the browser and comes from this site."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from council.app import create_app
from council.csrf import csrf_accepted, csrf_token_for, mask_csrf_token, unmask_csrf_token
from council.models import AuthSession
from tests.conftest import csrf_from, sign_in
from tests.factories import PASSWORD, make_council, make_person

EXPIRED = (
    "This form has expired or did not come from this site. Please reload the page and try again."
)


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
    return {
        "csrf_token": csrf_from(client.get("/sign-in").text),
        "email": person.email,
        "password": PASSWORD,
    }


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
    response = client.post(
        "/sign-in",
        data={"email": person.email, "password": PASSWORD},
        headers={"Accept-Language": language},
    )
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
    response = client.post(
        "/account",
        data={"language": "fr", "timezone": "UTC"},
        headers={"X-CSRF-Token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_token_changes_with_the_session(client, person):
    anonymous = csrf_from(client.get("/sign-in").text)
    sign_in(client, person)
    signed_in = csrf_from(client.get("/account").text)
    assert signed_in != anonymous
    response = client.post("/sign-out", data={"csrf_token": anonymous}, follow_redirects=False)
    assert response.status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "https://testserver"},  # same host, other scheme: another origin
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
def test_cross_site_request_with_a_valid_token_is_refused(client, person, headers):
    data = sign_in_data(client, person)
    response = client.post("/sign-in", data=data, headers=headers, follow_redirects=False)
    assert response.status_code == 403
    assert EXPIRED in response.text


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://testserver"},
        {"Sec-Fetch-Site": "same-origin"},
        {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
    ],
)
def test_same_origin_request_with_a_valid_token_is_accepted(client, person, headers):
    data = sign_in_data(client, person)
    response = client.post("/sign-in", data=data, headers=headers, follow_redirects=False)
    assert response.status_code == 303


def test_htmx_refusal_is_the_error_fragment(client, person):
    response = client.post("/sign-in", data={"email": person.email}, headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response.template.name == "errors/_error.html"
    assert "<html" not in response.text


def test_safe_requests_need_no_token(client):
    assert client.get("/sign-in").status_code == 200
    assert client.head("/sign-in").status_code == 200


@pytest.mark.parametrize(
    ("sent", "status"),
    [
        (lambda token: token, 303),  # masked afresh: still the whole token
        (lambda token: token[: len(token) // 2], 403),
        (lambda token: token[:2], 403),
        (lambda token: token + "00", 403),
    ],
    ids=["whole", "first half", "first byte", "longer"],
)
def test_only_the_whole_token_is_accepted(client, person, sent, status):
    """A token compared as a prefix (or with room after it) would let a part pass."""
    data = sign_in_data(client, person)
    token = unmask_csrf_token(data["csrf_token"])
    for carried in (
        {"data": {**data, "csrf_token": mask_csrf_token(sent(token))}},
        {
            "data": {**data, "csrf_token": ""},
            "headers": {"X-CSRF-Token": mask_csrf_token(sent(token))},
        },
    ):
        response = client.post("/sign-in", follow_redirects=False, **carried)
        assert response.status_code == status
        client.cookies.delete("council_session")


def test_a_post_without_form_fields_needs_the_token_too(client, person):
    sign_in(client, person)
    for body in (
        {},
        {"content": b'{"csrf_token": ""}', "headers": {"Content-Type": "application/json"}},
    ):
        response = client.post("/sign-out", follow_redirects=False, **body)
        assert response.status_code == 403
        assert EXPIRED in response.text
    assert client.get("/account", follow_redirects=False).status_code == 200  # still in
    token = csrf_from(client.get("/account").text)
    response = client.post("/sign-out", headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/account", follow_redirects=False).status_code == 303  # signed out


# The check itself, as council.csrf decides it: plain strings, no app (fast enough for
# `make mutate`, which holds these tests to every one-character change of the check).

TOKEN = csrf_token_for("secret", "session")
HERE = {"scheme": "https", "netloc": "council.example"}


def accepted(
    supplied: str,
    *,
    expected: str = TOKEN,
    fetch_site: str | None = None,
    origin: str | None = None,
    **where: str,
) -> bool:
    return csrf_accepted(
        supplied=supplied,
        expected=expected,
        fetch_site=fetch_site,
        origin=origin,
        **{**HERE, **where},
    )


def test_the_token_is_an_hmac_of_its_binding_for_csrf_only():
    token = csrf_token_for("secret", "session")
    assert token == hmac.new(b"secret", b"csrf:session", hashlib.sha256).hexdigest()
    assert csrf_token_for("secret", "other") != token != csrf_token_for("other", "session")


@pytest.mark.parametrize("token", ["00", "ab", "00ff", "deadbeef", TOKEN])
def test_a_masked_token_hides_the_token_and_unmasks_to_it(token):
    masks = {mask_csrf_token(token) for _ in range(8)}
    assert len(masks) > 1  # a fresh pad every time
    assert all(len(masked) == 2 * len(token) for masked in masks)
    assert {unmask_csrf_token(masked) for masked in masks} == {token}
    assert not any(TOKEN in masked for masked in masks)


@pytest.mark.parametrize("masked", ["", "a", "abc", "aabbcc", "zz", "not hex at all"])
def test_what_is_not_a_masked_token_unmasks_to_nothing(masked):
    assert unmask_csrf_token(masked) == ""


@pytest.mark.parametrize(
    ("fetch_site", "origin"),
    [
        (None, None),
        ("same-origin", None),
        ("none", None),  # typed in by the user, or a bookmark
        (None, "https://council.example"),
        ("same-origin", "https://council.example"),
    ],
)
def test_the_whole_token_from_this_site_is_accepted(fetch_site, origin):
    assert accepted(mask_csrf_token(TOKEN), fetch_site=fetch_site, origin=origin)


@pytest.mark.parametrize(
    "supplied",
    [
        "",
        TOKEN,  # not masked
        mask_csrf_token(TOKEN[:32]),  # a part of it
        mask_csrf_token(TOKEN)[:-2],
        mask_csrf_token(TOKEN) + "00",
        mask_csrf_token(TOKEN + "00"),
        mask_csrf_token(csrf_token_for("secret", "another session")),
    ],
    ids=["empty", "unmasked", "half", "shorter", "longer", "padded", "another session"],
)
def test_anything_but_the_whole_token_masked_is_refused(supplied):
    assert not accepted(supplied)


def test_no_token_is_accepted_where_none_was_issued():
    assert not accepted("", expected="")


@pytest.mark.parametrize(
    ("fetch_site", "origin"),
    [
        ("cross-site", None),
        ("same-site", None),
        (None, "https://evil.example"),
        (None, "http://council.example"),  # same host, another scheme: another origin
        (None, "https://council.example:8443"),
        (None, "null"),
        ("same-origin", "https://evil.example"),
        ("cross-site", "https://council.example"),
    ],
)
def test_a_request_another_site_made_is_refused_even_with_the_token(fetch_site, origin):
    assert not accepted(mask_csrf_token(TOKEN), fetch_site=fetch_site, origin=origin)


def test_an_opaque_origin_is_refused_by_name_not_by_address():
    """ "null" has no scheme or host to compare: it is refused even where they would match."""
    assert not accepted(mask_csrf_token(TOKEN), origin="null", scheme="", netloc="")
