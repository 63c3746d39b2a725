"""axe-core finds no violation of moderate impact or above (heading order, landmarks, regions
included) on the pages where texts are read: a published recommendation, a draft and a round."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page
from sqlmodel import select

from tests.browser.conftest import DELEGATE, sign_in
from workspaces.recommendation_models import Recommendation
from workspaces.round_models import Round

IMPACTS = {"moderate", "serious", "critical"}


def violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {', '.join(map(str, node['target']))}" for node in v["nodes"])
        for v in results.response["violations"]
        if v["impact"] in IMPACTS
    ]


def test_the_pages_of_a_text_have_no_moderate_violation(page: Page, demo_password, live_database):
    with live_database.transaction() as session:
        numbers = list(
            session.exec(select(Recommendation.number).order_by(Recommendation.id)).all()
        )
        round_ = session.exec(select(Round).order_by(Round.id)).first()
        draft_id = round_.draft_id
        round_id = round_.id
    found = []
    for number in numbers:  # the demo's, with headings in their texts
        assert page.goto(f"/recommendations/{number}").status == 200
        found += violations(page)

    sign_in(page, DELEGATE, demo_password)
    for path in (f"/drafts/{draft_id}", f"/rounds/{round_id}"):
        assert page.goto(path).status == 200
        for details in page.locator("details").all():  # comments and menus, opened
            details.evaluate("element => { element.open = true; }")
        found += violations(page)
    assert not found, "\n".join(found)
