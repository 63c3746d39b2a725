"""Issue 19: reports. An anonymous reader goes from the library to the demo council's interim
report, finds its table of contents, follows it to a section, and switches to the Spanish
version; the secretariat starts a report, chooses a text for its first section and previews
it. axe-core finds no serious or critical violation on the report, its draft and its preview.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import SECRETARIAT, sign_in
from tests.browser.test_accessibility import assert_accessible


def test_a_reader_opens_the_interim_report_and_the_secretariat_composes_one(
    page: Page, console, demo_password
):
    page.goto("/recommendations")
    page.get_by_role(
        "link", name="The interim and annual reports of the council and its working groups"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    page.get_by_role("link", name=re.compile("Interim report to the ministerial meeting")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Interim report to the ministerial meeting"
    )
    expect(page.locator(".report-number")).to_contain_text(re.compile(r"R-\d{4}-01"))
    contents = page.get_by_role("navigation", name="Contents")
    contents.get_by_role("link", name="Integration and narratives").click()
    assert page.url.endswith("#section-2")
    expect(
        page.get_by_role("heading", level=2, name="Integration and narratives")
    ).to_be_in_viewport()
    expect(page.locator("#section-2 .report-item h3")).to_contain_text("WG6-")
    expect(page.get_by_role("link", name="Download as PDF")).to_have_attribute(
        "href", re.compile(r"/reports/R-\d{4}-01\.pdf\?lang=en$")
    )
    assert_accessible(page)

    page.get_by_role("link", name="Español").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Informe provisional a la reunión ministerial"
    )
    expect(page.locator("#section-1 .draft-text").first).to_have_attribute("lang", "es")

    sign_in(page, SECRETARIAT, demo_password, next="/reports")
    page.get_by_role("link", name="Start a report of the council").click()
    page.get_by_label("Title in English").fill("Annual report to the council")
    page.get_by_role("button", name="Start the draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Compose the report: Annual report to the council"
    )
    number = page.locator("#available-heading + .table-scroll tbody th").first.inner_text()
    page.get_by_label("Heading in English").fill("What the council adopted")
    page.get_by_label("Texts in this section, one number a line").fill(number.strip())
    page.get_by_role("button", name="Save the draft").first.click()
    expect(page.locator("#section-1 .report-chosen")).to_contain_text(number.strip())
    expect(page.locator("#section-2 legend")).to_have_text("New section")
    assert_accessible(page)

    page.get_by_role("button", name="Save and preview").click()
    expect(page.get_by_role("note")).to_contain_text("A preview of the draft")
    expect(page.get_by_role("heading", level=2, name="What the council adopted")).to_be_visible()
    assert_accessible(page)
    assert console.csp_violations() == []
