"""Issue 9: an invited person signs in through their organisation's OpenID provider, in Chromium.

The application runs under uvicorn with one provider configured: oidc-provider-mock on another
loopback port, whose authorization page the browser really visits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from oidc_provider_mock import User
from playwright.sync_api import Browser, expect

from council import invitations
from council.app import create_app
from council.database import Database, utcnow
from council.settings import OidcProvider
from tests.browser.conftest import serving, sign_in
from tests.browser.test_accessibility import assert_accessible
from tests.conftest import make_settings
from tests.factories import PASSWORD, make_council, make_seat, make_secretariat
from tests.oidc_providers import CLIENT_ID, CLIENT_SECRET, mock_provider

SECRETARIAT = "secretariat@council.example"
LUCIA = User(
    sub="lucia-at-mreg",
    claims={"email": "lucia.mendez@mreg.example", "email_verified": True, "name": "Lucía Méndez"},
)


INVITATION: dict[str, str] = {}


@pytest.fixture(scope="module")
def oidc_live_server(fresh_databases, tmp_path_factory) -> Iterator[str]:
    """A council that invited Lucía into Guatemala's seat, with a provider she has an account
    at, and another invitation still open (its token in INVITATION)."""
    url = fresh_databases.create()
    database = Database.from_url(url)
    with database.transaction() as session:
        make_council(session, name="North and Central American Council on Migration")
        seat = make_seat(session, name="Guatemala")
        secretariat = make_secretariat(session, email=SECRETARIAT)
        for email, name in (
            (LUCIA.claims["email"], "Lucía Méndez"),
            ("pedro@mreg.example", "Pedro Alvarado"),
        ):
            _, INVITATION[email] = invitations.invite(
                session,
                by=secretariat,
                languages=("en",),
                now=utcnow(),
                form=invitations.InvitationForm(
                    email=email, name=name, seat_id=seat.id, seat_role="head"
                ),
            )
    database.dispose()
    with mock_provider([LUCIA]) as issuer:
        settings = make_settings(
            url,
            tmp_path_factory.mktemp("var"),
            oidc_providers=(
                OidcProvider(
                    name="mreg",
                    display_name="Guatemala Government ID",
                    issuer=issuer,
                    client_id=CLIENT_ID,
                    client_secret=CLIENT_SECRET,
                ),
            ),
        )
        with serving(create_app(settings)) as base_url:
            yield base_url


def test_an_invited_person_signs_in_through_their_provider(browser: Browser, oidc_live_server):
    context = browser.new_context(base_url=oidc_live_server, locale="en-US", timezone_id="UTC")
    page = context.new_page()
    try:
        page.goto("/sign-in")
        page.get_by_role("link", name="Sign in with Guatemala Government ID").click()

        expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
        page.get_by_role("button", name=LUCIA.sub).click()

        expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()

        page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
        facts = page.locator("dl.facts")
        expect(facts).to_contain_text("Lucía Méndez")
        expect(facts).to_contain_text("Guatemala (head)")
        linked = page.get_by_role("region", name="Signing in")
        for cell in ("Guatemala Government ID", "lucia.mendez@mreg.example"):
            expect(linked.get_by_role("cell", name=cell, exact=True)).to_be_visible()

        page.get_by_role("button", name="Sign out").click()
        page.goto("/sign-in")
        page.get_by_role("link", name="Sign in with Guatemala Government ID").click()
        page.get_by_role("button", name=LUCIA.sub).click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    finally:
        context.close()


def test_the_sign_in_invitation_and_account_pages_are_accessible(
    browser: Browser, oidc_live_server
):
    context = browser.new_context(base_url=oidc_live_server, locale="en-US", timezone_id="UTC")
    page = context.new_page()
    try:
        anonymous = {
            "/sign-in": 200,
            "/password-reset": 200,
            f"/invitations/{INVITATION['pedro@mreg.example']}": 200,
            "/auth/oidc/mreg/callback?code=forged&state=forged": 400,
        }
        for path, status in anonymous.items():
            assert page.goto(path).status == status, path
            assert_accessible(page)
        expect(page.get_by_role("alert")).to_contain_text("could not be verified")

        sign_in(page, SECRETARIAT, PASSWORD)
        for path in (
            "/account",
            "/account/password",
            "/admin/invitations",
            "/admin/invitations/new",
        ):
            assert page.goto(path).status == 200, path
            assert_accessible(page)
        page.goto("/admin/invitations")
        expect(page.get_by_role("table")).to_contain_text("pedro@mreg.example")
    finally:
        context.close()
