"""Issue 4: start a draft, revise it, see the difference — with and without JavaScript.

Done when a link shared to paragraph 3 still points to the same text after a paragraph is
inserted above it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import ConsoleLog, sign_in

CHAIR = "jorge.castaneda.mora@demo.council.example"  # Mexico's delegate, chairs WG5
COLLEAGUE = "marc.andre.gagnon@demo.council.example"  # Canada's delegate, in every group
GROUP = "wg5"

OPENING = "The council recommends the following safe and legal pathways to its member states."
PROGRAMMES = (
    "Member states should open more labour migration programmes for workers from the region."
)
SEASONAL = "Seasonal visas should allow workers to change employer without losing their status."
RESETTLEMENT = (
    "Resettlement places should be shared among the member states according to their capacity."
)
HUMANITARIAN = "Humanitarian visas should be issued within thirty days of a complete application."


def _text(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


@dataclass
class Shared:
    draft_id: int
    anchor: str  # "p-<stable id>" of paragraph 3 in revision 1
    text: str


def _paragraphs(page: Page):
    return page.locator("div.paragraph")


def _start_draft(page: Page, title: str) -> Shared:
    page.goto(f"/groups/{GROUP}")
    page.get_by_role("region", name="Drafts").get_by_role("link", name="Start a draft").click()
    expect(page).to_have_url(re.compile(rf"/groups/{GROUP}/drafts/new$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a draft in working group 5")

    page.locator("#title").fill(title)
    page.locator("#purpose").fill("Safe and legal routes for people on the move.")
    page.locator("#language").select_option("en")
    expect(page.get_by_role("checkbox", name="Mexico", exact=True)).to_be_checked()  # own seat
    page.get_by_role("checkbox", name="Guatemala", exact=True).check()
    page.locator("#text").fill(_text(PROGRAMMES, SEASONAL, RESETTLEMENT, HUMANITARIAN))
    page.locator("form.stacked-form button.primary").click()

    expect(page).to_have_url(re.compile(r"/drafts/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("dl.facts")).to_contain_text("Guatemala, Mexico")
    expect(_paragraphs(page)).to_have_count(4)

    link = page.get_by_role("link", name="Paragraph 3", exact=True)
    href = link.get_attribute("href")
    assert href and re.fullmatch(r"#p-[\w-]+", href), href
    third = _paragraphs(page).nth(2)
    expect(third).to_have_attribute("id", href[1:])
    text = third.locator(".paragraph-body").inner_text().strip()
    assert text == RESETTLEMENT
    draft_id = int(re.search(r"/drafts/(\d+)$", page.url).group(1))
    return Shared(draft_id=draft_id, anchor=href[1:], text=text)


def _revise(page: Page, text: str, summary: str, number: int) -> None:
    page.get_by_role("navigation", name="This draft").get_by_role("link", name="Revise").click()
    expect(page).to_have_url(re.compile(r"/drafts/\d+/revise$"))
    page.locator("#text").fill(text)
    page.locator("#summary").fill(summary)
    page.locator("form.stacked-form button.primary").click()
    expect(page).to_have_url(re.compile(r"/drafts/\d+$"))
    expect(page.locator("dl.facts")).to_contain_text(f"{number} of {number}")
    expect(page.locator("dl.facts")).to_contain_text(summary)


def _shows_the_shared_paragraph(page: Page, shared: Shared) -> None:
    """The link to (old) paragraph 3 shows the same text, now paragraph 4, as the target."""
    assert page.url.endswith(f"/drafts/{shared.draft_id}#{shared.anchor}"), page.url
    paragraph = page.locator(f"div.paragraph#{shared.anchor}")
    expect(paragraph.locator(".paragraph-body")).to_have_text(shared.text)
    expect(paragraph.locator("a.paragraph-number")).to_have_text(re.compile(r"\b4$"))
    target = page.locator("div.paragraph:target")
    expect(target).to_have_count(1)
    expect(target).to_have_attribute("id", shared.anchor)


def _compare_first_and_last(page: Page) -> None:
    page.get_by_role("navigation", name="This draft").get_by_role("link", name="History").click()
    expect(page).to_have_url(re.compile(r"/drafts/\d+/history$"))
    entries = page.locator("li.history-entry")
    expect(entries).to_have_count(3)
    expect(entries.nth(0)).to_contain_text("Welcomes family members to the programmes")
    expect(entries.nth(1)).to_contain_text("Adds an opening; fifteen days for visas")
    expect(entries.nth(2)).to_contain_text("First text of the draft.")

    page.get_by_role("navigation", name="This draft").get_by_role(
        "link", name="Compare revisions"
    ).click()
    page.locator("#from").select_option("1")
    page.locator("#to").select_option("3")
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page).to_have_url(re.compile(r"/drafts/\d+/compare\?from=1&to=3$"))
    expect(page.get_by_role("heading", name="From revision 1 to revision 3")).to_be_visible()
    expect(page.locator(".change-summary")).to_contain_text(
        "1 paragraph added, 0 removed, 2 changed, 0 moved."
    )

    added = page.locator("li.change-added")
    expect(added).to_have_count(1)
    expect(added.locator(".change-kind")).to_have_text("Added")
    expect(added).to_contain_text("paragraph 1")
    expect(added.locator("ins")).to_contain_text(OPENING)

    changed = page.locator("li.change-changed")
    expect(changed).to_have_count(2)
    programmes = changed.filter(has_text="labour migration programmes")
    expect(programmes.locator(".change-kind")).to_have_text("Changed")
    expect(programmes.locator("ins")).to_contain_text("and their families")
    expect(programmes.locator("del")).to_have_count(0)
    visas = changed.filter(has_text="Humanitarian visas")
    expect(visas).to_contain_text("paragraph 5")
    expect(visas).to_contain_text("was paragraph 4")
    expect(visas.locator("del")).to_contain_text("thirty")
    expect(visas.locator("ins")).to_contain_text("fifteen")

    unchanged = page.locator("li.change-unchanged")
    expect(unchanged.filter(has_text="Resettlement places")).to_have_count(1)


def _journey(page: Page, colleague: Page, password: str, title: str) -> None:
    sign_in(page, CHAIR, password)
    shared = _start_draft(page, title)

    _revise(
        page,
        _text(
            OPENING, PROGRAMMES, SEASONAL, RESETTLEMENT, HUMANITARIAN.replace("thirty", "fifteen")
        ),
        "Adds an opening; fifteen days for visas",
        number=2,
    )
    expect(_paragraphs(page)).to_have_count(5)
    expect(_paragraphs(page).nth(3)).to_have_attribute("id", shared.anchor)

    sign_in(colleague, COLLEAGUE, password)
    response = colleague.goto(f"/drafts/{shared.draft_id}#{shared.anchor}")
    assert response is not None and response.status == 200
    _shows_the_shared_paragraph(colleague, shared)

    _revise(
        page,
        _text(
            OPENING,
            PROGRAMMES.replace("workers", "workers and their families"),
            SEASONAL,
            RESETTLEMENT,
            HUMANITARIAN.replace("thirty", "fifteen"),
        ),
        "Welcomes family members to the programmes",
        number=3,
    )
    response = colleague.reload()
    assert response is not None and response.status == 200
    _shows_the_shared_paragraph(colleague, shared)
    _compare_first_and_last(page)


def test_start_revise_and_compare_a_draft(
    page: Page, new_context: Callable[..., BrowserContext], console: ConsoleLog, demo_password
):
    colleague = console.watch(new_context().new_page())
    _journey(page, colleague, demo_password, "Safe and legal pathways")
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load"
    assert not console.csp_violations(), "\n".join(console.csp_violations())


def test_the_same_journey_works_without_javascript(new_context, demo_password):
    page, colleague = (new_context(java_script_enabled=False).new_page() for _ in range(2))
    log = ConsoleLog()
    for each in (page, colleague):
        log.watch(each)
    _journey(page, colleague, demo_password, "Safe and legal pathways (without JavaScript)")
    assert not log.csp_violations(), "\n".join(log.csp_violations())
