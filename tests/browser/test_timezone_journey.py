"""A delegate whose account still shows dates in UTC opens the workspace in a browser set to
New York time: the page proposes that zone (static/js/timezone.js), never saves it by itself,
and the account form saves it with an ordinary post. A browser in UTC is offered nothing."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from council.auth import hash_password
from council.models import Person, Seat, SeatRole
from tests.browser.conftest import ConsoleLog, sign_in
from tests.browser.test_accessibility import assert_accessible

EMAIL = "zone.traveller@demo.council.example"


def stored_zone(live_database) -> str:
    with live_database.transaction() as session:
        return session.exec(select(Person.timezone).where(Person.email == EMAIL)).one()


def test_the_browsers_zone_is_proposed_then_saved_through_the_account_form(
    page: Page,
    browser: Browser,
    browser_context_args: dict,
    live_database,
    demo_password,
    console: ConsoleLog,
):
    with live_database.transaction() as session:
        canada = session.exec(select(Seat).where(Seat.name == "Canada")).one()
        session.add(
            Person(
                email=EMAIL,
                name="Zone Traveller",
                seat_id=canada.id,
                seat_role=SeatRole.DELEGATE,
                password_hash=hash_password(demo_password),
            )
        )

    sign_in(page, EMAIL, demo_password)  # the session's browsers are in UTC
    expect(page.locator("#timezone-proposal")).to_be_hidden()

    context = browser.new_context(**{**browser_context_args, "timezone_id": "America/New_York"})
    try:
        travelling = console.watch(context.new_page())
        sign_in(travelling, EMAIL, demo_password)
        proposal = travelling.locator("#timezone-proposal")
        expect(proposal).to_be_visible()
        expect(proposal).to_contain_text("this browser is set to another time zone")

        proposal.get_by_role("button", name="Not now").click()  # for this zone, in this browser
        expect(proposal).to_be_hidden()
        travelling.reload()
        expect(travelling.locator("#timezone-proposal")).to_be_hidden()
        travelling.evaluate("window.localStorage.clear()")
        travelling.reload()
        expect(proposal).to_be_visible()

        proposal.get_by_role("button", name="Review my time zone").click()
        expect(travelling).to_have_url(
            re.compile(r"/account\?proposed_timezone=America%2FNew_York$")
        )
        expect(travelling.locator("#timezone-proposed")).to_have_text(
            re.compile("This browser is set to New York time, which is chosen below.")
        )
        expect(travelling.get_by_label("Country and city")).to_have_value("America/New_York")
        expect(travelling.locator("#timezone-proposal")).to_have_count(0)
        assert stored_zone(live_database) == "UTC"  # proposed, not saved
        assert_accessible(travelling)

        travelling.get_by_role("button", name="Save preferences").click()
        expect(travelling).to_have_url(re.compile(r"/account$"))
        expect(travelling.get_by_label("Country and city")).to_have_value("America/New_York")
        assert stored_zone(live_database) == "America/New_York"
        travelling.goto("/")
        expect(travelling.locator("#timezone-proposal")).to_have_count(0)
    finally:
        context.close()
    assert not console.csp_violations(), console.lines
