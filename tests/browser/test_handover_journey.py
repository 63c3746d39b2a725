"""Issues 7 and 18: the outgoing chair finds the chair's desk on their home page, hands the chair
over after confirming what it does, and is told it happened; the incoming chair has the desk
and a notification.

Working group 3 of the demo: Guatemala chairs, its delegate acting; Honduras is next in order.
Other journeys rely on the chairs of groups 4 and 5, so this one moves the chair of group 3.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from council.demo import _email
from tests.browser.conftest import ConsoleLog, sign_in
from tests.browser.test_accessibility import assert_accessible

OUTGOING = _email("Ricardo Barrios Pineda")  # Guatemala's delegate, acting chair of WG3
INCOMING = _email("Marta Zelaya Funes")  # head of Honduras, next in order
GROUP = "wg3"
GROUP_TITLE = "working group 3: Political and institutional drivers of migration"


def test_the_outgoing_chair_hands_over_and_the_incoming_chair_sees_it(
    page: Page, new_context: Callable[..., BrowserContext], console: ConsoleLog, demo_password
):
    sign_in(page, OUTGOING, demo_password)
    home = page.get_by_role("region", name="You chair")
    expect(home).to_contain_text(f"You chair {GROUP_TITLE} since")
    desk = page.get_by_role("region", name="Chair's desk: working group 3")
    expect(desk.get_by_role("heading", name="Open rounds")).to_be_visible()
    expect(desk).to_contain_text("No round is open in this working group.")
    expect(desk.get_by_role("heading", name="Drafts to settle")).to_be_visible()
    expect(desk).to_contain_text("the chair then passes to Honduras, next in order.")
    assert_accessible(page)

    page.goto(f"/groups/{GROUP}")
    page.get_by_role("link", name="Chair terms and rotation").click()
    expect(page).to_have_url(re.compile(rf"/groups/{GROUP}/chairs$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Chair of working group 3")
    current = page.get_by_role("region", name="Current chair")
    expect(current).to_contain_text("Guatemala")
    expect(current).to_contain_text("Ricardo Barrios Pineda")
    expect(page.get_by_role("region", name="Coming order")).to_contain_text(
        "Next in turn: Honduras"
    )
    expect(page.get_by_role("region", name="Past terms").locator("tbody tr")).to_have_count(1)
    assert_accessible(page)

    current.get_by_role("link", name="Hand the chair over").click()
    expect(page).to_have_url(re.compile(rf"/groups/{GROUP}/chairs/handover$"))
    expect(page.get_by_label("Hand over to")).to_have_value(re.compile(r"\d+"))
    expect(page.get_by_label("Hand over to").locator("option:checked")).to_have_text(
        "Honduras — next in order"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()

    # the confirmation step: what the handover does, nothing done yet
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Confirm the handover"))
    summary = page.get_by_role("region", name="What happens when you confirm")
    expect(summary).to_contain_text(
        "Guatemala hands the chair of working group 3 over to Honduras."
    )
    expect(summary).to_contain_text("The people of both seats are notified")
    assert_accessible(page)
    page.get_by_role("link", name="Change the handover").click()  # back, still filled in
    expect(page.get_by_label("Hand over to").locator("option:checked")).to_have_text(
        "Honduras — next in order"
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Hand over the chair to Honduras").click()

    expect(page).to_have_url(re.compile(rf"/groups/{GROUP}/chairs\?handed_over=\d+$"))
    expect(page.get_by_role("status")).to_contain_text(
        "The chair of working group 3 has been handed over: Honduras chairs from now until"
    )
    expect(page.get_by_role("region", name="Current chair")).to_contain_text("Honduras")
    expect(page.get_by_role("region", name="Current chair")).not_to_contain_text(
        "Hand the chair over"
    )
    past = page.get_by_role("region", name="Past terms").locator("tbody tr")
    expect(past).to_have_count(2)
    expect(past.first).to_contain_text("Guatemala")
    expect(past.first).to_contain_text("Handed over early.")
    page.goto("/")
    expect(page.get_by_role("region", name="You chair")).to_have_count(0)
    expect(page.get_by_role("region", name="Chair's desk: working group 3")).to_have_count(0)

    incoming = console.watch(new_context().new_page())
    sign_in(incoming, INCOMING, demo_password)
    notice = incoming.get_by_role("region", name="You chair")
    expect(notice).to_contain_text(f"You chair {GROUP_TITLE} since")
    expect(incoming.get_by_role("region", name="Chair's desk: working group 3")).to_contain_text(
        "Honduras chairs until"
    )
    assert_accessible(incoming)
    incoming.goto("/notifications")
    expect(incoming.locator("main")).to_contain_text(
        "Your seat, Honduras, now chairs working group 3"
    )
    incoming.goto("/")
    notice = incoming.get_by_role("region", name="You chair")
    notice.get_by_role("link").click()
    expect(incoming).to_have_url(re.compile(rf"/groups/{GROUP}/chairs$"))
    expect(incoming.get_by_role("link", name="Hand the chair over")).to_be_visible()
    assert not console.csp_violations(), "\n".join(console.csp_violations())
