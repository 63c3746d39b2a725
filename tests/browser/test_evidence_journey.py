"""A delegate adds a research paper to the evidence library in a real browser: a file that is
not a PDF comes back refused with the form filled in (and says to choose the file again), the
PDF goes in, its page and the library are accessible, and the file is downloaded under its own
name rather than opened in the workspace."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import DELEGATE, sign_in
from tests.browser.test_accessibility import assert_accessible
from tests.workspaces.pdfs import make_pdf

TITLE = "Seasonal work visas in North America: a comparison"


def test_a_delegate_adds_a_paper_and_downloads_it(page: Page, demo_password, console):
    sign_in(page, DELEGATE, demo_password)
    page.goto("/documents/new")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Authors").fill("Regional task force")
    page.get_by_label("Date of the document").fill("2025-03-14")
    page.get_by_label("Summary").fill("Circular programmes compared across three countries.")
    page.get_by_label("Filed under").select_option("council")
    page.get_by_label("PDF file").set_input_files(
        files=[
            {
                "name": "paper.pdf",
                "mimeType": "application/pdf",
                "buffer": b"MZ an executable dressed as a paper",
            }
        ]
    )
    page.get_by_role("button", name="Upload the document").click()

    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#file-error")).to_contain_text("This file is not a PDF.")
    expect(page.locator("#file-hint")).to_contain_text("Choose the file again")
    expect(page.get_by_label("Title")).to_have_value(TITLE)
    expect(page.get_by_label("Summary")).to_have_value(
        "Circular programmes compared across three countries."
    )
    assert_accessible(page)

    page.get_by_label("PDF file").set_input_files(
        files=[
            {
                "name": "../seasonal-visas.pdf",
                "mimeType": "application/pdf",
                "buffer": make_pdf("Seasonal work visas", "Comparison by country"),
            }
        ]
    )
    page.get_by_role("button", name="Upload the document").click()
    expect(page).to_have_url(re.compile(r"/documents/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("seasonal-visas.pdf")).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download the PDF").click()
    assert downloading.value.suggested_filename == "seasonal-visas.pdf"

    page.goto("/documents?q=comparison+country")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    assert_accessible(page)
    assert console.csp_violations() == []
