"""Issue 10: a delegate switches the interface to Spanish and takes a position in a round.

Signed in with an English browser, the delegate picks "Español" in the language switcher: the same
page comes back in Spanish. From the home page's open rounds the delegate opens the decision round
of working group 5, supports the text with a reservation written in Spanish, and sees the position
confirmed in Spanish. The choice is saved on the person: signed in again from a browser that has
never seen the language cookie, the interface is still Spanish. Run with JavaScript (htmx) and
without it, each with a seat of its own that no other browser test uses in working group 5.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from council.demo import _email
from tests.browser.conftest import choose_language, sign_in

TITLE = re.compile(r"^Increase labour migration pathways from Central America")
SEATS = {  # seats that have not answered the demo's decision round of working group 5
    "with-javascript": (_email("Kareem Tillett"), True),  # Belize's delegate
    "without-javascript": (_email("Andrés Quesada Mora"), False),  # Costa Rica's delegate
}


def _html_lang(page: Page):
    return page.locator("html")


@pytest.mark.parametrize("variant", list(SEATS))
def test_switches_to_spanish_and_completes_a_position_in_a_round(
    variant: str, new_context, demo_password, console
):
    email, javascript = SEATS[variant]
    marker = uuid.uuid4().hex[:8]
    reservation = f"Belice y Costa Rica necesitan más tiempo para el párrafo 2 ({marker})."

    page = console.watch(new_context(java_script_enabled=javascript).new_page())
    sign_in(page, email, demo_password)
    expect(_html_lang(page)).to_have_attribute("lang", "en")
    page.get_by_role("link", name=re.compile("Working group 5")).first.click()
    group_path = urlparse(page.url).path
    assert group_path != "/"

    choose_language(page, "es")
    expect(_html_lang(page)).to_have_attribute("lang", "es")
    assert urlparse(page.url).path == group_path  # the same page, now in Spanish
    expect(page.locator("details.language-menu summary")).to_have_text("Idioma Español")

    page.locator("a.brand").click()
    open_rounds = page.locator("section[aria-labelledby=open-rounds-heading]")
    expect(open_rounds.locator("h2")).to_have_text("Rondas abiertas")
    open_rounds.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(re.compile(r"/rounds/\d+$"))
    round_path = urlparse(page.url).path
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ronda de decisión")

    mine = page.locator("section#your-position")
    mine.locator("input[name=choice][value=support_with_reservation]").check()
    mine.locator("textarea[name=reservation]").fill(reservation)
    mine.locator("input[name=paragraph_ids]").nth(1).check()  # paragraph 2
    mine.locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(rf"{re.escape(round_path)}$"))
    mine = page.locator("section#your-position")
    expect(mine.locator(".badge.choice-support_with_reservation").first).to_have_text(
        "Apoyo con reserva"
    )
    expect(mine.get_by_text(reservation).first).to_be_visible()
    expect(_html_lang(page)).to_have_attribute("lang", "es")

    page.locator("form[action$='/sign-out'] button[type=submit]").click()
    expect(page.locator("form[action$='/sign-out']")).to_have_count(0)
    expect(_html_lang(page)).to_have_attribute("lang", "es")  # the cookie keeps the choice
    page.context.close()

    # a browser that never saw the cookie: the language comes from the person's preference
    again = console.watch(new_context(java_script_enabled=javascript).new_page())
    again.goto("/sign-in")
    expect(_html_lang(again)).to_have_attribute("lang", "en")
    sign_in(again, email, demo_password, next=round_path)
    expect(again).to_have_url(re.compile(rf"{re.escape(round_path)}$"))
    expect(_html_lang(again)).to_have_attribute("lang", "es")
    expect(
        again.locator("section#your-position .badge.choice-support_with_reservation").first
    ).to_have_text("Apoyo con reserva")
    assert not console.csp_violations(), "\n".join(console.csp_violations())
