"""The page language: a person's saved choice, else the switcher's cookie, else the browser."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from council import i18n
from council.app import create_app
from tests.conftest import csrf_from, post_form, sign_in
from tests.factories import make_council, make_person


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


def page_language(response) -> str:
    match = re.search(r'<html lang="([^"]+)">', response.text)
    assert match, "no <html lang>"
    return match.group(1)


@pytest.mark.parametrize(
    "header, language",
    [
        ("es", "es"),
        ("fr", "fr"),
        ("es-MX,es;q=0.9,en;q=0.8", "es"),
        ("fr-CA", "fr"),
        ("de-DE,fr;q=0.5,en;q=0.3", "fr"),
        ("en;q=0.2,es;q=0.9", "es"),
        ("de", "en"),
        ("", "en"),
    ],
)
def test_browser_language_picks_the_page_language(client, header, language):
    response = client.get("/sign-in", headers={"Accept-Language": header})
    assert page_language(response) == language


def test_pages_vary_by_language(client):
    assert "Accept-Language" in client.get("/sign-in").headers["vary"]


def test_council_default_language_when_the_browser_names_none_offered(client, db):
    make_council(db, default_language="es")
    db.commit()
    assert page_language(client.get("/", headers={"Accept-Language": "de"})) == "es"


def test_saved_language_wins_over_the_browser(client, db, person):
    person.language = "fr"
    db.add(person)
    db.commit()
    sign_in(client, person)
    assert page_language(client.get("/", headers={"Accept-Language": "es"})) == "fr"


def test_switcher_sets_a_cookie_for_anonymous_visitors(client):
    response = post_form(
        client,
        "/language",
        {"language": "es", "next": "/sign-in?next=/x"},
        page="/sign-in",
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/x"
    assert response.cookies["council_language"] == "es"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert page_language(client.get("/sign-in", headers={"Accept-Language": "fr"})) == "es"


def test_switcher_saves_the_preference_of_a_signed_in_person(client, db, person):
    sign_in(client, person)
    response = post_form(
        client,
        "/language",
        {"language": "fr", "next": "/account"},
        page="/account",
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    db.refresh(person)
    assert person.language == "fr"
    with TestClient(client.app) as other_browser:
        sign_in(other_browser, person)
        assert page_language(other_browser.get("/")) == "fr"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/", "evil"])
def test_switcher_returns_only_to_local_pages(client, target):
    response = post_form(
        client,
        "/language",
        {"language": "fr", "next": target},
        page="/sign-in",
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_switcher_refuses_a_language_not_offered(client, db, person):
    sign_in(client, person)
    response = post_form(client, "/language", {"language": "de", "next": "/"}, page="/account")
    assert response.status_code == 422
    db.refresh(person)
    assert person.language is None


def test_switcher_form_offers_every_language_and_returns_here(client):
    html = client.get("/sign-in?next=/account").text
    assert csrf_from(html)
    assert 'name="next" value="/sign-in?next=/account"' in html
    for code, name in (("en", "English"), ("es", "Español"), ("fr", "Français")):
        assert f'name="language" value="{code}" lang="{code}"' in html
        assert name in html


def test_gettext_uses_the_active_catalogue(app):
    catalogues = app.state.catalogues
    i18n.activate("fr", catalogues["fr"])
    try:
        assert i18n.current_language() == "fr"
        expected = catalogues["fr"].gettext("At most %(limit)s characters.") % {"limit": 5}
        assert i18n.gettext("At most %(limit)s characters.", limit=5) == expected
    finally:
        i18n.activate("en", catalogues["en"])


def test_plural_strings_in_templates_may_carry_other_placeholders(app):
    template = app.state.templates.env.from_string(
        '{{ ngettext("%(num)s comment on %(title)s", "%(num)s comments on %(title)s", n, '
        "title=title) }}"
    )
    assert template.render(n=1, title="Pathways") == "1 comment on Pathways"
    assert template.render(n=3, title="Pathways") == "3 comments on Pathways"


def test_public_pages_switch_language_with_a_get_form_that_sets_only_a_cookie(client):
    welcome = client.get("/")
    assert "set-cookie" not in welcome.headers  # a page caches may share: no CSRF cookie
    assert 'method="get"' in welcome.text and 'name="csrf_token"' not in welcome.text
    chosen = client.get(
        "/language", params={"language": "es", "next": "/sign-in"}, follow_redirects=False
    )
    assert chosen.status_code == 303 and chosen.headers["location"] == "/sign-in"
    assert chosen.cookies["council_language"] == "es"
    assert page_language(client.get("/")) == "es"
    unknown = client.get(
        "/language",
        params={"language": "de", "next": "https://evil.example"},
        follow_redirects=False,
    )
    assert unknown.headers["location"] == "/" and "set-cookie" not in unknown.headers


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Dec 8, 2026, 6:00\u202fPM (Mexico City time)"),
        ("es", "8 dic 2026, 18:00 (Ciudad de México time)"),  # the zone's words untranslated here
        ("fr", "8 déc. 2026, 18:00 (Mexico time)"),
    ],
)
def test_dates_are_read_to_the_minute_in_the_readers_zone_and_language(language, expected):
    from datetime import UTC, datetime

    from babel.support import NullTranslations

    deadline = datetime(2026, 12, 9, 0, 0, 40, tzinfo=UTC)  # 40 seconds past midnight UTC
    with i18n.speaking(language, NullTranslations()):
        shown = i18n.format_datetime(deadline, "America/Mexico_City")
    assert shown == expected
