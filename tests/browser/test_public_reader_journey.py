"""Issue 8: an anonymous reader finds and reads a published recommendation.

The demo council publishes its recommendations. Without signing in, a reader opens the front
page, follows "Recommendations", searches the library for "drought", opens working group 4's
recommendation, follows the footnote mark on paragraph 2 to the United States' reservation,
switches the interface to Spanish (the text stays in English, the words around it change) and
opens the PDF. No page sets a cookie before the language is chosen, and axe-core finds no
serious or critical violation on the library and on the recommendation page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import choose_language
from tests.browser.test_accessibility import assert_accessible

NUMBER = "WG4-"


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_an_anonymous_reader_finds_reads_and_downloads_a_recommendation(
    new_context, javascript, console
):
    context = new_context(java_script_enabled=javascript)
    page: Page = console.watch(context.new_page())
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Recommendations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recommendations")
    assert context.cookies() == []  # nothing stored about an anonymous reader
    if javascript:  # axe runs in the page: not where scripts are off
        assert_accessible(page)

    page.get_by_label("Words in the title or text").fill("drought")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_contain_text("1 recommendation")
    page.get_by_role("link", name=re.compile(r"Dry Corridor")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Invest in climate adaptation in the Dry Corridor"
    )
    expect(page.locator(".recommendation-number")).to_contain_text(NUMBER)
    paragraph = page.locator("div.paragraph").nth(1)
    paragraph.locator(".footnote-ref a").click()
    assert page.url.endswith("#fn-1")
    expect(page.locator("#fn-1")).to_contain_text("United States")
    expect(page.locator("#fn-1")).to_contain_text("appropriations by Congress")
    expect(page.get_by_role("heading", name="Adoption record")).to_be_visible()
    expect(page.get_by_role("heading", name="Observer statements")).to_be_visible()
    if javascript:  # axe runs in the page: not where scripts are off
        assert_accessible(page)

    choose_language(page, "es")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator(".draft-text")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dry Corridor")
    expect(page.get_by_role("heading", name="Acta de adopción")).to_be_visible()
    expect(page.locator("#fn-1")).to_contain_text("United States")  # seat names as given
    assert "/recommendations/WG4-" in page.url

    href = page.get_by_role("link", name=re.compile("PDF")).get_attribute("href")
    # with the browser's cookies, so in the Spanish interface
    pdf = context.request.get(href, timeout=15_000)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-language"] == "es" and pdf.body().startswith(b"%PDF")
    assert console.csp_violations() == []
