"""Control characters (other than tab and line breaks) are refused wherever text comes in:
beside the field with the form filled in (422), in a path or a query string (400), and never
a 500, on PostgreSQL (which refuses NUL) or SQLite (which would keep it)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from council.app import create_app
from tests.conftest import csrf_from, make_settings, post_form, sign_in
from tests.factories import make_council, make_person

REMOVED = "This text contained invisible control characters"
PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# every character but lone surrogates (no form can carry them), controls made frequent
ANY_TEXT = st.text(
    st.one_of(st.characters(codec="utf-8"), st.characters(min_codepoint=0, max_codepoint=0x1F)),
    max_size=40,
)


@pytest.fixture
def settings(database_url, tmp_path):
    """No bookkeeping flush while a property test runs its examples: in tests it would share
    the test's one connection with a request."""
    return make_settings(database_url, tmp_path, bookkeeping_seconds=3600)


@pytest.fixture
def app(settings, database):
    return create_app(settings, database=database, extensions=[])


@pytest.fixture
def person(db):
    make_council(db)
    person = make_person(db, email="ana@example.org")
    db.commit()
    return person


@pytest.mark.parametrize(
    "url",
    [
        "/groups/%00",
        "/sign-in?next=%00",
        "/sign-in?next=a%01b",
        "/password-reset/x%00y",
        "/recommendations?q=%1f",
        "/invitations/%07",
    ],
)
def test_a_control_character_in_a_path_or_a_query_is_a_400(client, person, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.template.name == "errors/error.html"


def test_a_tab_or_a_line_break_in_a_query_is_not_refused(client, person):
    assert client.get("/sign-in?next=/%09x%0Ay%0D").status_code == 200


def test_a_nul_in_the_sign_in_email_is_refused_beside_it_with_the_form_filled_in(client, person):
    response = post_form(
        client, "/sign-in", {"email": "ana@exam\x00ple.org", "password": "whatever it is"}
    )
    assert response.status_code == 422
    assert response.template.name == "auth/sign_in.html"
    assert 'id="email-error"' in response.text and REMOVED in response.text
    assert 'value="ana@example.org"' in response.text  # filled in, without the character


def test_a_control_character_in_the_account_form_is_refused_and_nothing_saved(client, db, person):
    sign_in(client, person)
    response = post_form(client, "/account", {"language": "es", "timezone": "Europe/Paris\x01"})
    assert response.status_code == 422
    assert 'id="timezone-error"' in response.text
    db.refresh(person)
    assert person.timezone != "Europe/Paris"


@PROPERTY
@given(email=ANY_TEXT, password=ANY_TEXT)
def test_any_text_in_the_sign_in_form_is_answered_never_with_a_server_error(
    client, person, email, password
):
    token = csrf_from(client.get("/sign-in").text)
    response = client.post(
        "/sign-in",
        follow_redirects=False,
        data={"csrf_token": token, "email": email, "password": password},
    )
    assert response.status_code in (303, 422, 429)


@PROPERTY
@given(
    timezone=st.one_of(ANY_TEXT, st.sampled_from(["America/Mexico_City", "UTC"])),
    language=st.one_of(ANY_TEXT, st.sampled_from(["", "en", "fr"])),
)
def test_any_text_in_the_account_form_is_kept_as_read_or_refused(
    client, db, person, timezone, language
):
    if not client.cookies:
        sign_in(client, person)
    response = post_form(
        client, "/account", {"language": language, "timezone": timezone}, follow_redirects=False
    )
    assert response.status_code in (303, 422)
    if response.status_code == 303:
        db.refresh(person)
        assert (person.language or "", person.timezone) == (language.strip(), timezone.strip())
        page = client.get("/account").text
        assert f'value="{escape(person.timezone)}" selected' in page
