"""The draft page's comment regions are rendered once for what they show and then copied
(council.web.cached_fragment, comment_pages.Region.facts): a copy never outlives a change, is
never one reader's for another, and never repeats a CSRF token."""

# ruff: noqa: F811  (the world and draft fixtures come from test_comment_views)

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from council.models import Person
from council.web import FragmentKeyIncomplete
from tests.conftest import sign_in
from tests.workspaces.test_comment_views import comment_on, draft, world  # noqa: F401
from tests.workspaces.test_comments import post
from workspaces import comment_pages, comments

CSRF_VALUES = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def _page_as(client: TestClient, person, draft) -> str:
    client.cookies.clear()
    sign_in(client, person)
    page = client.get(f"/drafts/{draft.id}")
    assert page.status_code == 200
    return page.text


def test_a_copied_region_follows_every_change_to_what_it_shows(copying, db, world, draft):
    comment = comment_on(db, world, draft, "Frist draft of a remark.")
    assert "Frist draft of a remark." in _page_as(copying, world.colleague, draft)
    assert "Frist draft of a remark." in _page_as(copying, world.colleague, draft)  # a copy

    comments.edit_comment(db, by=world.member, comment=comment, body="First remark.")
    db.commit()
    page = _page_as(copying, world.colleague, draft)
    assert "First remark." in page and "Frist draft" not in page and "(edited)" in page

    db.get(Person, world.member.id).name = "Jorge Castañeda Gutman"
    db.commit()
    signed = f'id="comment-{comment.id}-by">Jorge Castañeda Gutman</strong>'
    assert signed in _page_as(copying, world.colleague, draft)

    comments.resolve_thread(db, by=world.chair, comment=comment)
    db.commit()
    assert "status-resolved" in _page_as(copying, world.colleague, draft)

    comments.hide_comment(db, by=world.chair, comment=comment, reason="Off topic.")
    db.commit()
    page = _page_as(copying, world.colleague, draft)
    assert "Hidden by the chair: Off topic." in page and "First remark." not in page

    second = comment_on(db, world, draft, "A remark to take back.", position=3)
    assert "A remark to take back." in _page_as(copying, world.colleague, draft)
    comments.withdraw_comment(db, by=world.member, comment=second)
    db.commit()
    page = _page_as(copying, world.colleague, draft)
    assert "Withdrawn by its author." in page and "A remark to take back." not in page


def test_each_reader_gets_the_buttons_they_may_use(copying, db, world, draft):
    comment = comment_on(db, world, draft, "A remark on the pathways.")
    hide = f"/comments/{comment.id}/hide#hide-form-{comment.id}"
    edit = f"/comments/{comment.id}/edit#edit-form-{comment.id}"

    as_chair = _page_as(copying, world.chair, draft)
    as_colleague = _page_as(copying, world.colleague, draft)
    as_author = _page_as(copying, world.member, draft)
    as_chair_again = _page_as(copying, world.chair, draft)

    assert hide in as_chair and edit not in as_chair
    assert hide not in as_colleague and edit not in as_colleague
    assert edit in as_author and hide not in as_author
    assert hide in as_chair_again


def test_copied_forms_carry_each_answers_own_token(copying, db, world, draft):
    """The chair's region holds forms (Mark resolved): every answer masks the token afresh,
    in the copied regions too, so compression cannot reveal it (council.compression)."""
    comment_on(db, world, draft, "A remark the chair may resolve.")
    copying.cookies.clear()
    sign_in(copying, world.chair)
    first = copying.get(f"/drafts/{draft.id}").text
    second = copying.get(f"/drafts/{draft.id}").text
    tokens_first, tokens_second = CSRF_VALUES.findall(first), CSRF_VALUES.findall(second)

    assert len(tokens_second) >= 2  # the page's own forms and the copied region's
    assert len(set(tokens_first)) == 1 and len(set(tokens_second)) == 1
    assert tokens_first[0] != tokens_second[0]
    resolve = re.search(r'action="http://testserver(/comments/\d+/resolve)"', second)
    assert resolve, "the chair's copied region has no resolve form"
    answer = copying.post(
        resolve.group(1), data={"csrf_token": tokens_second[-1]}, follow_redirects=False
    )
    assert answer.status_code == 303


def test_the_check_finds_a_key_that_misses_what_the_region_shows(
    client, db, world, draft, monkeypatch
):
    """The tests' applications render every copied fragment again (Settings.check_fragments):
    a key that leaves out something shown is found at the first page that differs."""
    comment_on(db, world, draft, "One remark.", position=2)
    comment_on(db, world, draft, "Another remark.", position=3)
    monkeypatch.setattr(comment_pages.Region, "facts", lambda self, *args: ("the same",))
    sign_in(client, world.colleague)
    with pytest.raises(FragmentKeyIncomplete):
        client.get(f"/drafts/{draft.id}")


def test_a_hidden_text_copied_for_its_author_is_not_shown_to_others(copying, db, world, draft):
    comment = comment_on(db, world, draft, "A text only its author should still read.")
    comments.hide_comment(db, by=world.chair, comment=comment, reason="Personal attack.")
    db.commit()
    assert "A text only its author" in _page_as(copying, world.member, draft)
    other = _page_as(copying, world.colleague, draft)
    assert "Hidden by the chair: Personal attack." in other
    assert "A text only its author" not in other


def test_a_copy_made_under_one_address_is_not_served_under_another(copying, db, world, draft):
    """Links are absolute: a site reached under two names gets each region with its own."""
    comment = comment_on(db, world, draft, "A remark reached under two names.")
    copying.cookies.clear()
    sign_in(copying, world.member)
    first = copying.get(f"/drafts/{draft.id}").text
    other = copying.get(f"/drafts/{draft.id}", headers={"Host": "council.example"}).text
    assert f'href="http://testserver/comments/{comment.id}/edit#edit-form' in first
    assert f'href="http://council.example/comments/{comment.id}/edit#edit-form' in other


def test_the_threads_of_a_region_in_full_are_copied_and_follow_changes(copying, db, world, draft):
    """The whole draft's comments and a paragraph's comments opened in full: their threads are
    copies too (Region.threads_facts), the form and the pages around them are not."""
    whole = post(db, world, draft, "On the whole text: too long.", paragraph=None)
    db.commit()
    on_paragraph = comment_on(db, world, draft, "On this paragraph: too vague.")
    region = f"/drafts/{draft.id}/comments?on={on_paragraph.paragraph_id}"
    copying.cookies.clear()
    sign_in(copying, world.colleague)
    assert "On the whole text: too long." in copying.get(f"/drafts/{draft.id}").text
    assert "On this paragraph: too vague." in copying.get(region).text

    comments.edit_comment(db, by=world.member, comment=whole, body="On the whole text: fine.")
    comments.hide_comment(db, by=world.chair, comment=on_paragraph, reason="Duplicate.")
    db.commit()
    page = copying.get(f"/drafts/{draft.id}").text
    assert "On the whole text: fine." in page and "too long" not in page
    opened = copying.get(region).text
    assert "Hidden by the chair: Duplicate." in opened and "too vague" not in opened


def test_a_kept_home_page_follows_the_readers_visits(copying, database, world, draft):
    """Visits are bookkeeping, written without a new state version: the pages that show
    them ("New for you") name the reader's visits in their key (Extension.reader_facts)."""
    copying.cookies.clear()
    sign_in(copying, world.colleague)
    assert "New for you" in copying.get("/").text
    assert "New for you" in copying.get("/").text  # the copy
    assert copying.get(f"/drafts/{draft.id}").status_code == 200  # the visit, noted
    copying.app.state.bookkeeping.flush(database)  # and written, as the application does
    assert "New for you" not in copying.get("/").text
