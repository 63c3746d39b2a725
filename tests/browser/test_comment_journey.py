"""Issue 5: comment on paragraph 2, reply, the chair hides the comment, others see it hidden —
with htmx swapping the threads in place, and the same journey with JavaScript disabled."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from council.models import WorkingGroup
from tests.browser.conftest import ConsoleLog, sign_in
from tests.browser.test_accessibility import assert_accessible
from workspaces.models import Comment, Draft

AUTHOR = "marc.andre.gagnon@demo.council.example"  # Canada's delegate
REPLIER = "rebecca.lawson@demo.council.example"  # head of the United States
CHAIR = "jorge.castaneda.mora@demo.council.example"  # Mexico's delegate, acting chair of WG5
OTHER = "claire.tremblay@demo.council.example"  # Canada's head, chair of another group


def _demo_comment_id(live_database, draft_id: int) -> int:
    """A thread of the demo draft that has replies."""
    with live_database.transaction(write=False) as session:
        return session.execute(
            select(Comment.parent_id)
            .where(Comment.draft_id == draft_id, Comment.parent_id.is_not(None))
            .order_by(Comment.id)
            .limit(1)
        ).scalar_one()


def _demo_draft_id(live_database) -> int:
    with live_database.transaction(write=False) as session:
        return session.execute(
            select(Draft.id)
            .join(WorkingGroup, WorkingGroup.id == Draft.working_group_id)
            .where(WorkingGroup.slug == "wg5")
            .order_by(Draft.id)
            .limit(1)
        ).scalar_one()


def _paragraph_2(page: Page):
    """The paragraph cited as 2 (headings are not numbered)."""
    return page.locator("div.paragraph:not(.unnumbered)").nth(1)


def _open_comments_of_paragraph_2(page: Page) -> None:
    """The first view shows the latest threads collapsed under the paragraph: open them."""
    details = _paragraph_2(page).locator("details.comment-summary")
    if details.get_attribute("open") is None:
        details.locator("> summary").click()


def _thread(page: Page, text: str):
    return page.locator("div.comment-thread", has_text=text)


def _journey(pages: dict[str, Page], password: str, draft_id: int, *, htmx: bool) -> None:
    marker = uuid.uuid4().hex[:8]
    comment = f"Could paragraph 2 name the sectors with shortages? ({marker})"
    answer = f"Agriculture and care work, for a start. ({marker})"
    reason = f"Moved to the whole-draft discussion ({marker})."
    draft_url = re.compile(rf"/drafts/{draft_id}$")

    author = pages["author"]
    sign_in(author, AUTHOR, password)
    author.goto(f"/drafts/{draft_id}")
    _paragraph_2(author).get_by_role("link", name="Comment on paragraph 2").click()
    field = author.get_by_label("Your comment on paragraph 2")
    expect(field).to_be_visible()
    if htmx:
        expect(author).to_have_url(draft_url)  # opened in place
        expect(field).to_be_focused()
    else:
        expect(author).to_have_url(re.compile(rf"/drafts/{draft_id}/comments\?on=\w+&write=1"))
    field.fill(comment)
    author.get_by_role("button", name="Post comment on paragraph 2").click()
    thread = _thread(author, comment)
    expect(thread).to_be_visible()
    if htmx:
        expect(author).to_have_url(draft_url)
    else:
        expect(author).to_have_url(re.compile(rf"/drafts/{draft_id}\?thread=\d+#comment-\d+$"))
    expect(thread.get_by_role("link", name="Edit")).to_be_visible()  # within 15 minutes

    replier = pages["replier"]
    sign_in(replier, REPLIER, password)
    replier.goto(f"/drafts/{draft_id}")
    _open_comments_of_paragraph_2(replier)
    _thread(replier, comment).get_by_role("link", name="Reply", exact=True).click()
    reply_field = replier.get_by_label("Your reply to Marc-André Gagnon")
    expect(reply_field).to_be_visible()
    reply_field.fill(answer)
    replier.get_by_role("button", name="Post reply").click()
    expect(_thread(replier, comment).locator("ol.replies")).to_contain_text(answer)
    if htmx:
        expect(replier).to_have_url(draft_url)

    chair = pages["chair"]
    sign_in(chair, CHAIR, password)
    chair.goto(f"/drafts/{draft_id}")
    _open_comments_of_paragraph_2(chair)
    first = _thread(chair, comment).locator("div.comment").first
    first.get_by_role("link", name="Hide").click()
    reason_field = chair.get_by_label("Reason for hiding this comment")
    expect(reason_field).to_be_visible()
    reason_field.fill(reason)
    chair.get_by_role("button", name="Hide comment").click()
    expect(chair.get_by_text(f"Hidden by the chair: {reason}")).to_be_visible()
    expect(_thread(chair, answer).get_by_role("button", name="Restore")).to_be_visible()

    other = pages["other"]
    sign_in(other, OTHER, password)
    other.goto(f"/drafts/{draft_id}")
    _open_comments_of_paragraph_2(other)
    hidden = _thread(other, answer)
    expect(hidden).to_contain_text(f"Hidden by the chair: {reason}")
    expect(hidden).not_to_contain_text(comment)
    expect(hidden.locator("ol.replies")).to_contain_text(answer)  # the reply stays
    expect(hidden.get_by_role("link", name="Hide")).to_have_count(0)  # chairs another group
    expect(other.get_by_text(comment)).to_have_count(0)

    author.goto(f"/drafts/{draft_id}")
    _open_comments_of_paragraph_2(author)
    own = _thread(author, comment)
    expect(own).to_contain_text(f"Hidden by the chair: {reason}")
    expect(own).to_contain_text("Only you and the moderators can read your text.")


def _pages(
    new_context: Callable[..., BrowserContext], log: ConsoleLog, **options
) -> dict[str, Page]:
    return {
        role: log.watch(new_context(**options).new_page())
        for role in ("author", "replier", "chair", "other")
    }


def test_comment_reply_and_hide_with_htmx(new_context, demo_password, live_database):
    log = ConsoleLog()
    pages = _pages(new_context, log)
    _journey(pages, demo_password, _demo_draft_id(live_database), htmx=True)
    assert pages["author"].evaluate("typeof window.htmx") == "object", "htmx did not load"
    assert not log.csp_violations(), "\n".join(log.csp_violations())
    errors = [line for line in log.lines if line.startswith(("pageerror", "error"))]
    assert not errors, "\n".join(errors)


def test_the_same_journey_works_without_javascript(new_context, demo_password, live_database):
    log = ConsoleLog()
    pages = _pages(new_context, log, java_script_enabled=False)
    _journey(pages, demo_password, _demo_draft_id(live_database), htmx=False)
    assert not log.csp_violations(), "\n".join(log.csp_violations())


def test_comment_pages_are_accessible(page: Page, demo_password, live_database):
    draft_id = _demo_draft_id(live_database)
    thread_id = _demo_comment_id(live_database, draft_id)
    sign_in(page, CHAIR, demo_password)
    for path in (
        f"/drafts/{draft_id}?thread={thread_id}",
        f"/drafts/{draft_id}/comments",
        f"/comments/{thread_id}",
        f"/comments/{thread_id}/hide",
        f"/comments/{thread_id}/reply",
    ):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        for details in page.locator("details").all():
            details.evaluate("element => { element.open = true; }")
        assert_accessible(page)
