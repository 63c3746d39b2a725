"""Issue 19: the follow-up of an adopted recommendation, seat by seat.

Working group 6's chair names the seats the demo's recommendation WG6-2026-01 addresses (Canada
and Mexico); Canada's delegate reports, in a browser without JavaScript, that its
implementation is under way; an anonymous reader then finds Canada's report in the
recommendation's follow-up timeline and status table (by seat, never by person), opens the
working group's follow-up overview and reads the chart drawn on the server, with its figures in
words and in a table. axe-core finds no serious or critical violation on the pages.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from council import chairs
from council.database import utcnow
from council.models import Person, WorkingGroup
from tests.browser.conftest import DELEGATE, sign_in
from tests.browser.test_accessibility import assert_accessible

NUMBER = "WG6-2026-01"
NARRATIVE = "The federal labour mobility office has opened regional hiring desks."


@pytest.fixture
def chair_email(live_database) -> str:
    """Who acts as working group 6's chair in the demo."""
    with live_database.transaction(write=False) as session:
        group = session.exec(select(WorkingGroup).where(WorkingGroup.number == 6)).one()
        term = chairs.current_term(session, group.id, utcnow())
        return session.get(Person, term.acting_person_id).email


def test_a_seat_reports_and_the_public_reads_the_timeline_and_the_chart(
    page: Page, new_context, demo_password, chair_email, console
):
    page.goto(f"/recommendations/{NUMBER}")
    if page.locator(".recommendation-number").count() == 0:
        pytest.skip(f"the demo has no recommendation {NUMBER}")
    sign_in(page, chair_email, demo_password, next=f"/recommendations/{NUMBER}")
    page.goto(f"/recommendations/{NUMBER}")
    page.get_by_role("link", name="Choose the seats it addresses").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(NUMBER)
    for seat in ("Canada", "Mexico"):
        page.get_by_label(seat, exact=True).check()
    assert_accessible(page)
    page.get_by_role("button", name="Save the seats addressed").click()
    status = page.get_by_role("table", name="Status by seat")
    expect(status.get_by_role("row", name=re.compile("Canada"))).to_contain_text("No report yet")

    # Canada's delegate, without JavaScript: plain forms
    delegate: Page = console.watch(new_context(java_script_enabled=False).new_page())
    sign_in(delegate, DELEGATE, demo_password, next=f"/recommendations/{NUMBER}")
    delegate.goto(f"/recommendations/{NUMBER}")
    delegate.get_by_role("link", name="Report for your seat, Canada").click()
    delegate.get_by_label("Status of the implementation").select_option("not_pursued")
    delegate.get_by_label("What your seat has done, or plans to do").fill(NARRATIVE)
    delegate.get_by_role("button", name="Add the report").click()
    expect(delegate.get_by_role("alert")).to_contain_text("Some fields need your attention")
    expect(delegate.get_by_label("What your seat has done, or plans to do")).to_have_value(
        NARRATIVE
    )  # the refused form comes back filled in
    delegate.get_by_label("Status of the implementation").select_option("under_way")
    delegate.get_by_label("Links").fill("https://example.org/hiring-desks Regional hiring desks")
    delegate.get_by_role("button", name="Add the report").click()
    expect(delegate).to_have_url(re.compile(rf"/recommendations/{NUMBER}#follow-up$"))
    expect(delegate.locator("#follow-up")).to_contain_text(NARRATIVE)

    # an anonymous reader
    reader: Page = console.watch(new_context().new_page())
    reader.goto(f"/recommendations/{NUMBER}")
    section = reader.locator("#follow-up")
    expect(section.get_by_role("heading", name="Follow-up of the implementation")).to_be_visible()
    row = section.get_by_role("table", name="Status by seat").get_by_role(
        "row", name=re.compile("Canada")
    )
    expect(row).to_contain_text("Under way")
    expect(
        section.get_by_role("table", name="Status by seat").get_by_role(
            "row", name=re.compile("Mexico")
        )
    ).to_contain_text("No report yet")
    report = section.locator(".followup-report").filter(has_text=NARRATIVE)
    expect(report).to_contain_text("Canada")
    expect(report).to_contain_text("chaired the working group")
    expect(report.get_by_role("link", name="Regional hiring desks")).to_have_attribute(
        "href", "https://example.org/hiring-desks"
    )
    expect(section).not_to_contain_text("Gagnon")  # seats, never people
    assert_accessible(reader)

    section.get_by_role(
        "link", name="Follow-up of every recommendation of this working group"
    ).click()
    chart = reader.get_by_role("img", name="Addressed seats by the status of their latest report")
    expect(chart).to_be_visible()
    assert "Under way: 1" in chart.locator("desc").text_content()
    figures = reader.get_by_role(
        "table", name="Addressed seats by the status of their latest report"
    )
    expect(figures.get_by_role("row", name=re.compile("Under way"))).to_contain_text("1")
    expect(
        reader.get_by_role("region", name="By recommendation").get_by_role(
            "link", name=re.compile(NUMBER)
        )
    ).to_be_visible()
    assert_accessible(reader)
    reader.goto("/follow-up")
    expect(
        reader.get_by_role("img", name="Addressed seats by the status of their latest report")
    ).to_be_visible()
    assert_accessible(reader)
    assert not console.csp_violations(), "\n".join(console.csp_violations())
