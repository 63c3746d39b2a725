"""Issue 3: a delegate signs in, opens a working group, signs out — with and without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from council import demo, sessions
from council.database import utcnow
from council.models import AuthSession, Person
from tests.browser.conftest import DELEGATE, sign_in

NUMBER, GROUP_NAME, MANDATE = demo.GROUPS[1]  # chaired by Canada through its head
CHAIR = "Canada — Claire Tremblay"


def _journey(page: Page, password: str) -> None:
    page.goto("/")
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()

    sign_in(page, DELEGATE, password)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_text("You take part for Canada.")).to_be_visible()

    page.get_by_role("link", name=f"Working group {NUMBER}: {GROUP_NAME}").click()
    expect(page).to_have_url(re.compile(rf"/groups/wg{NUMBER}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Working group {NUMBER}: {GROUP_NAME}"
    )
    mandate = page.get_by_role("region", name="Mandate")
    expect(mandate).to_contain_text(MANDATE)
    expect(page.get_by_role("region", name="Chair")).to_contain_text(CHAIR)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2Faccount$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_delegate_signs_in_opens_a_working_group_and_signs_out(page: Page, console, demo_password):
    _journey(page, demo_password)
    # the journey ends signed out, on the sign-in page: a public page, which loads no htmx
    assert page.evaluate("typeof window.htmx") == "undefined"
    assert not console.csp_violations(), "\n".join(console.csp_violations())


def test_the_same_journey_works_without_javascript(new_context, demo_password):
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    _journey(page, demo_password)


@pytest.mark.parametrize("path", ["/", "/sign-in"])
def test_anonymous_pages_load_no_htmx_and_break_no_csp_rule(page: Page, console, path):
    """Nothing on a public page uses htmx (issue 23): it is not even downloaded."""
    page.goto(path)
    assert page.evaluate("typeof window.htmx") == "undefined", "htmx loaded on a public page"
    assert not console.csp_violations(), "\n".join(console.csp_violations())


def test_a_delegate_back_after_a_pause_can_still_sign_out(page: Page, demo_password, live_database):
    """The session's activity stamp is older than a minute: the next form must not stall."""
    sign_in(page, DELEGATE, demo_password)
    with live_database.transaction() as session:
        delegate = select(Person.id).where(Person.email == DELEGATE).scalar_subquery()
        session.execute(
            update(AuthSession)
            .where(AuthSession.person_id == delegate)
            .values(last_seen_at=utcnow() - sessions.TOUCH_EVERY * 3)
        )

    page.get_by_role("button", name="Sign out").click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")
    ).to_be_visible()
