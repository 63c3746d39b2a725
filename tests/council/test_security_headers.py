"""Every answer carries a strict CSP and friends; pages need no inline script or style."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from starlette.testclient import TestClient

from council.app import create_app
from tests.conftest import sign_in
from tests.factories import make_council, make_group, make_person, make_seat


@pytest.fixture
def app(settings, database):
    """The core alone: extensions have tests of their own."""
    return create_app(settings, database=database, extensions=[])


def csp(response) -> dict[str, list[str]]:
    directives = {}
    for directive in response.headers["content-security-policy"].split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


def assert_hardened(response) -> None:
    policy = csp(response)
    script_src = policy.get("script-src", policy.get("default-src"))
    assert script_src == ["'self'"]
    assert "'unsafe-inline'" not in policy.get("style-src", [])
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] in (
        "same-origin",
        "strict-origin-when-cross-origin",
        "no-referrer",
    )
    assert response.headers["x-frame-options"] == "DENY"


class InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, handlers, styles."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script":
            self.scripts += 1
            if not names.get("src"):
                self.problems.append("a <script> without src")
        if tag == "style":
            self.problems.append("a <style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"an inline handler {name} on <{tag}>")
            if name == "style":
                self.problems.append(f"a style attribute on <{tag}>")
            if name in ("href", "src", "action") and (value or "").lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"a javascript: URL on <{tag}>")


def inline_code(html: str) -> InlineCode:
    parser = InlineCode()
    parser.feed(html)
    return parser


@pytest.fixture
def member(db):
    make_council(db)
    seat = make_seat(db, name="Belize")
    make_group(db, seats=[seat], name="Integration and narratives", slug="integration")
    person = make_person(db, seat=seat)
    db.commit()
    return person


@pytest.mark.parametrize("path", ["/", "/sign-in", "/no/such/page", "/healthz"])
def test_anonymous_answers_are_hardened(client, member, path):
    assert_hardened(client.get(path))


def test_refusals_and_static_files_are_hardened(client, member):
    assert_hardened(client.post("/sign-in", data={}))  # CSRF refusal
    assert_hardened(client.get("/sign-out"))  # 405
    assert_hardened(client.get("/static/css/council.css"))


@pytest.mark.parametrize("path", ["/", "/sign-in", "/no/such/page"])
def test_anonymous_pages_have_no_inline_code(client, member, path):
    found = inline_code(client.get(path).text)
    assert found.problems == []
    assert found.scripts == 0  # nothing on them uses htmx: they load no script at all


@pytest.mark.parametrize("path", ["/", "/account", "/groups/integration"])
def test_signed_in_pages_are_hardened_and_have_no_inline_code(client, member, path):
    sign_in(client, member)
    response = client.get(path)
    assert response.status_code == 200
    assert_hardened(response)
    found = inline_code(response.text)
    assert found.problems == []
    assert found.scripts >= 1  # htmx and ours, from files


def test_https_adds_strict_transport_security(app, member):
    with TestClient(app, base_url="https://testserver") as client:
        assert client.get("/").headers["strict-transport-security"].startswith("max-age=")
    with TestClient(app) as client:
        assert "strict-transport-security" not in client.get("/").headers
