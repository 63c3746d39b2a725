"""Comment pages over HTTP: threads under paragraphs, htmx fragments and plain forms, the edit
window, withdrawal, moderation, refusals that keep the text, and a fixed number of queries."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, update
from sqlmodel import select

from council.database import utcnow
from council.models import AuditRecord, WorkingGroup
from tests.conftest import csrf_from, post_form, sign_in
from tests.factories import make_chair
from tests.workspaces.test_drafts import TEXT, build_group, start
from workspaces import comment_pages, comments, drafts
from workspaces.models import Comment, Draft

HTMX = {"HX-Request": "true"}


@pytest.fixture
def world(db):
    world = build_group(db)
    db.commit()
    return world


@pytest.fixture
def draft(db, world) -> Draft:
    draft = start(db, world)
    db.commit()
    return draft


def paragraph_id(db, draft: Draft, position: int) -> str:
    revision = drafts.latest_revision(db, draft)
    return drafts.paragraphs(db, revision)[position - 1].paragraph_id


def comment_on(db, world, draft, body="A comment.", *, by=None, position=2) -> Comment:
    created = comments.post_comment(
        db,
        by=by or world.member,
        draft=draft,
        body=body,
        paragraph_id=paragraph_id(db, draft, position),
        revision_number=draft.latest_revision_number,
    )
    db.commit()
    return created


def token(client, url: str = "/") -> str:
    return csrf_from(client.get(url).text)


def test_a_member_comments_on_the_first_paragraph_without_javascript(client, db, world, draft):
    pid = paragraph_id(db, draft, 2)
    sign_in(client, world.member)
    page = client.get(f"/drafts/{draft.id}")
    link = f'href="http://testserver/drafts/{draft.id}/comments?on={pid}&amp;write=1#comment-form-{pid}"'
    assert link in page.text
    assert "Comment on paragraph 1" in page.text  # the heading before it has no number

    form = client.get(f"/drafts/{draft.id}/comments?on={pid}&write=1")
    assert form.status_code == 200
    assert form.template.name == "workspaces/draft_comments.html"
    assert "Your comment on paragraph 1" in form.text
    assert "labour migration pathways" in form.text  # the paragraph it is about
    posted = client.post(
        f"/drafts/{draft.id}/comments",
        follow_redirects=False,
        data={
            "csrf_token": csrf_from(form.text),
            "paragraph_id": pid,
            "revision_number": "1",
            "body": "Can we say **which** countries?",
        },
    )

    created = db.exec(select(Comment)).one()
    assert posted.status_code == 303
    assert posted.headers["location"] == (
        f"http://testserver/drafts/{draft.id}?thread={created.id}#comment-{created.id}"
    )
    assert (created.paragraph_id, created.revision_number) == (pid, 1)
    shown = client.get(posted.headers["location"])
    assert "Can we say <strong>which</strong> countries?" in shown.text
    assert '<details class="comment-summary" open>' in shown.text
    assert "1 comment · 1 open thread" in shown.text
    db.refresh(draft)
    assert draft.comment_count == 1
    assert ">1</td>" in client.get("/groups/pathways/drafts").text


def test_with_htmx_posting_swaps_the_region_and_errors_come_back_in_it(client, db, world, draft):
    pid = paragraph_id(db, draft, 2)
    sign_in(client, world.member)

    opened = client.get(f"/drafts/{draft.id}/comments?on={pid}&write=1", headers=HTMX)
    assert opened.template.name == "workspaces/_comments.html"
    assert "<html" not in opened.text and f'id="comments-{pid}"' in opened.text
    assert f'data-hx-post="http://testserver/drafts/{draft.id}/comments"' in opened.text
    assert "autofocus" in opened.text
    data = {"csrf_token": token(client), "paragraph_id": pid, "revision_number": "1"}

    empty = client.post(f"/drafts/{draft.id}/comments", headers=HTMX, data={**data, "body": " "})
    assert empty.status_code == 422
    assert empty.template.name == "workspaces/_comments.html"
    assert "The comment is empty" in empty.text

    done = client.post(
        f"/drafts/{draft.id}/comments", headers=HTMX, data={**data, "body": "Inline comment."}
    )
    assert done.status_code == 200
    assert done.template.name == "workspaces/_comments.html"
    assert "Inline comment." in done.text
    assert db.exec(select(func.count()).select_from(Comment)).one() == 1


def test_an_oversized_comment_comes_back_with_the_error_and_the_text(client, db, world, draft):
    sign_in(client, world.member)
    text = "Long " * 2001  # 10,005 characters once stripped

    response = post_form(
        client,
        f"/drafts/{draft.id}/comments",
        {"paragraph_id": "", "revision_number": "1", "body": text},
        page=f"/drafts/{draft.id}",
    )

    assert response.status_code == 422
    assert response.template.name == "workspaces/draft_comments.html"
    assert "at most 10,000 characters; this one has 10,004" in response.text
    assert text.strip() + "</textarea>" in response.text
    assert 'aria-invalid="true"' in response.text
    assert db.exec(select(Comment)).first() is None


def test_the_rate_limit_answers_429_and_keeps_the_text(client, db, world, draft):
    now = utcnow()
    db.execute(
        insert(Comment),
        [
            {
                "draft_id": draft.id,
                "revision_number": 1,
                "author_id": world.member.id,
                "body_source": "x",
                "body_html": "<p>x</p>",
                "created_at": now,
                "hidden_reason": "",
            }
            for _ in range(comments.RATE_LIMIT)
        ],
    )
    db.commit()
    sign_in(client, world.member)

    response = post_form(
        client,
        f"/drafts/{draft.id}/comments",
        {"paragraph_id": "", "revision_number": "1", "body": "One more."},
        page=f"/drafts/{draft.id}",
    )

    assert response.status_code == 429
    assert "posted 10 comments in the last minute" in response.text
    assert "One more.</textarea>" in response.text


def test_comments_on_a_heading_name_it_by_its_words_not_a_number(client, db, world, draft):
    heading = paragraph_id(db, draft, 1)  # "# Recommendation"
    comment_on(db, world, draft, "A shorter title?", position=1)
    sign_in(client, world.colleague)

    page = client.get(f"/drafts/{draft.id}").text
    form = client.get(f"/drafts/{draft.id}/comments?on={heading}&write=1").text

    assert 'Comment<span class="visually-hidden"> on “Recommendation”</span></a>' in page
    assert "<title>Comments on “Recommendation”" in form
    assert "Your comment on “Recommendation”" in form
    assert f'href="http://testserver/drafts/{draft.id}#p-{heading}">Back to the draft' in form


def test_reply_with_htmx_and_without(client, db, world, draft):
    root = comment_on(db, world, draft, "Why 50,000?")
    sign_in(client, world.colleague)

    opened = client.get(f"/comments/{root.id}/reply", headers=HTMX)
    assert opened.template.name == "workspaces/_comment_thread.html"
    assert "Your reply to Jorge Castañeda" in opened.text
    page = client.get(f"/comments/{root.id}/reply")
    assert page.template.name == "workspaces/comment.html"
    assert "Discussion on paragraph 1" in page.text

    swapped = client.post(
        f"/comments/{root.id}/reply",
        headers=HTMX,
        data={
            "csrf_token": csrf_from(page.text),
            "revision_number": "1",
            "body": "The task force's.",
        },
    )
    assert swapped.status_code == 200
    assert swapped.template.name == "workspaces/_comment_thread.html"
    assert (
        "The task force&#39;s." in swapped.text
        or "The task force’s." in swapped.text
        or "The task force's." in swapped.text
    )
    plain = client.post(
        f"/comments/{root.id}/reply",
        follow_redirects=False,
        data={"csrf_token": csrf_from(page.text), "revision_number": "1", "body": "Second reply."},
    )
    second = db.exec(select(Comment).where(Comment.body_source == "Second reply.")).one()
    assert plain.status_code == 303
    assert plain.headers["location"].endswith(f"?thread={root.id}#comment-{second.id}")
    assert second.parent_id == root.id
    refused = client.post(
        f"/comments/{root.id}/reply",
        data={"csrf_token": csrf_from(page.text), "revision_number": "1", "body": ""},
    )
    assert refused.status_code == 422
    assert refused.template.name == "workspaces/comment.html"
    assert "The comment is empty" in refused.text


def test_the_author_edits_within_the_window_and_is_refused_after(client, db, world, draft):
    comment = comment_on(db, world, draft, "Frist.")
    sign_in(client, world.member)
    page = client.get(f"/drafts/{draft.id}")
    assert f'href="http://testserver/comments/{comment.id}/edit#edit-form-{comment.id}"' in (
        page.text
    )

    form = client.get(f"/comments/{comment.id}/edit")
    assert form.status_code == 200 and "Frist.</textarea>" in form.text
    saved = client.post(
        f"/comments/{comment.id}/edit",
        follow_redirects=False,
        data={"csrf_token": csrf_from(form.text), "body": "First."},
    )
    assert saved.status_code == 303
    assert "(edited)" in client.get(saved.headers["location"]).text

    comment.created_at = utcnow() - timedelta(minutes=16)
    db.add(comment)
    db.commit()
    assert "/edit#edit-form" not in client.get(f"/drafts/{draft.id}").text
    assert client.get(f"/comments/{comment.id}/edit").status_code == 409
    late = client.post(
        f"/comments/{comment.id}/edit",
        data={"csrf_token": csrf_from(form.text), "body": "Late change."},
    )
    assert late.status_code == 409
    assert "15 minutes" in late.text and "Late change.</textarea>" in late.text
    db.refresh(comment)
    assert comment.body_source == "First."


def test_someone_else_cannot_edit_or_withdraw_a_comment(client, db, world, draft):
    comment = comment_on(db, world, draft)
    sign_in(client, world.colleague)

    assert "/edit#edit-form" not in client.get(f"/drafts/{draft.id}").text
    assert client.get(f"/comments/{comment.id}/edit").status_code == 403
    assert (
        post_form(
            client, f"/comments/{comment.id}/withdraw", {}, page=f"/drafts/{draft.id}"
        ).status_code
        == 403
    )


def test_the_author_withdraws_and_replies_stay(client, db, world, draft):
    root = comment_on(db, world, draft, "I take this back.")
    comments.reply(db, by=world.colleague, to=root, body="A reply that stays.", revision_number=1)
    db.commit()
    sign_in(client, world.member)

    confirm = client.get(f"/comments/{root.id}/withdraw")
    assert confirm.status_code == 200 and "Withdraw your comment?" in confirm.text
    done = client.post(
        f"/comments/{root.id}/withdraw",
        follow_redirects=False,
        data={"csrf_token": csrf_from(confirm.text)},
    )

    assert done.status_code == 303
    page = client.get(done.headers["location"]).text
    assert "Withdrawn by its author." in page
    assert "I take this back." not in page
    assert "A reply that stays." in page


def test_a_delegate_and_the_chair_of_another_group_cannot_hide(client, db, world, draft):
    comment = comment_on(db, world, draft)
    narratives = db.exec(select(WorkingGroup).where(WorkingGroup.slug == "narratives")).one()
    make_chair(db, narratives, world.outsider_seat, world.outsider)
    db.commit()

    for person in (world.colleague, world.outsider):
        client.cookies.clear()
        sign_in(client, person)
        assert client.get(f"/comments/{comment.id}/hide").status_code == 403
        refused = post_form(client, f"/comments/{comment.id}/hide", {"reason": "No."}, page="/")
        assert refused.status_code == 403
    db.refresh(comment)
    assert comment.hidden_at is None


def test_the_chair_hides_with_a_reason_and_others_see_only_the_reason(client, db, world, draft):
    comment = comment_on(db, world, draft, "An insult to a delegation.")
    sign_in(client, world.chair)
    page = client.get(f"/drafts/{draft.id}")
    assert f'href="http://testserver/comments/{comment.id}/hide#hide-form-{comment.id}"' in (
        page.text
    )

    form = client.get(f"/comments/{comment.id}/hide", headers=HTMX)
    assert form.template.name == "workspaces/_comment_thread.html"
    assert "Reason for hiding this comment" in form.text
    missing = client.post(
        f"/comments/{comment.id}/hide",
        headers=HTMX,
        data={"csrf_token": csrf_from(page.text), "reason": ""},
    )
    assert missing.status_code == 422 and "Give the reason" in missing.text
    hidden = client.post(
        f"/comments/{comment.id}/hide",
        headers=HTMX,
        data={"csrf_token": csrf_from(page.text), "reason": "Personal attack."},
    )
    assert hidden.status_code == 200
    assert "Hidden by the chair: Personal attack." in hidden.text
    assert "The hidden text, shown to you as a moderator:" in hidden.text

    client.cookies.clear()
    sign_in(client, world.colleague)
    other = client.get(f"/drafts/{draft.id}").text
    assert "Hidden by the chair: Personal attack." in other
    assert "An insult to a delegation." not in other
    assert "An insult to a delegation." not in client.get(f"/comments/{comment.id}").text

    client.cookies.clear()
    sign_in(client, world.member)
    own = client.get(f"/drafts/{draft.id}").text
    assert "Hidden by the chair: Personal attack." in own
    assert "An insult to a delegation." in own
    assert "Only you and the moderators can read your text." in own
    record = db.exec(select(AuditRecord).where(AuditRecord.action == "comment.hidden")).one()
    assert record.actor_id == world.chair.id and "Personal attack." in record.details


def test_the_secretariat_restores_and_resolves_without_javascript(client, db, world, draft):
    comment = comment_on(db, world, draft, "Back again.")
    comments.hide_comment(db, by=world.chair, comment=comment, reason="Checking.")
    db.commit()
    sign_in(client, world.secretariat)

    restored = post_form(
        client,
        f"/comments/{comment.id}/restore",
        {},
        page=f"/drafts/{draft.id}",
        follow_redirects=False,
    )
    resolved = post_form(
        client,
        f"/comments/{comment.id}/resolve",
        {},
        page=f"/drafts/{draft.id}",
        follow_redirects=False,
    )

    assert (restored.status_code, resolved.status_code) == (303, 303)
    page = client.get(resolved.headers["location"]).text
    assert "Resolved" in page and "Hidden by" not in page and "Reopen" in page
    reopened = post_form(
        client,
        f"/comments/{comment.id}/reopen",
        {},
        page=f"/drafts/{draft.id}",
        follow_redirects=False,
    )
    assert reopened.status_code == 303
    again = post_form(client, f"/comments/{comment.id}/reopen", {}, page=f"/drafts/{draft.id}")
    assert again.status_code == 409
    actions = db.exec(
        select(AuditRecord.action)
        .where(AuditRecord.action.like("comment.%"))
        .order_by(AuditRecord.id)
    ).all()
    assert actions == [
        "comment.posted",
        "comment.hidden",
        "comment.restored",
        "comment.resolved",
        "comment.reopened",
    ]


def test_an_observer_reads_comments_only_where_the_group_opens_them(client, db, world, draft):
    comment = comment_on(db, world, draft, "Visible to observers?")
    sign_in(client, world.observer)
    assert client.get(f"/comments/{comment.id}").status_code == 403
    assert client.get(f"/drafts/{draft.id}/comments").status_code == 403

    world.group.observers_read_deliberations = True
    db.add(world.group)
    db.commit()
    page = client.get(f"/drafts/{draft.id}")
    assert "Visible to observers?" in page.text
    assert "Comment on paragraph" not in page.text and "Reply" not in page.text
    assert client.get(f"/comments/{comment.id}/reply").status_code == 403
    assert (
        post_form(
            client,
            f"/drafts/{draft.id}/comments",
            {"body": "Statement."},
            page=f"/drafts/{draft.id}",
        ).status_code
        == 403
    )


def test_hostile_comments_are_shown_inert(client, db, world, draft):
    comment_on(
        db,
        world,
        draft,
        "Hi <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
    )
    sign_in(client, world.colleague)

    page = client.get(f"/drafts/{draft.id}").text

    assert "<script>alert" not in page and 'href="javascript:' not in page
    assert "<img" not in page and "&lt;script&gt;" in page


def test_a_mention_links_to_the_person_page(client, db, world, draft):
    comment_on(db, world, draft, "What does @[Claire Tremblay] think?")
    sign_in(client, world.member)

    page = client.get(f"/drafts/{draft.id}").text
    assert f'<a href="/people/{world.colleague.id}" class="mention">@Claire Tremblay</a>' in page
    person = client.get(f"/people/{world.colleague.id}")
    assert person.status_code == 200 and person.template.name == "workspaces/person.html"
    assert "Claire Tremblay" in person.text and "Canada" in person.text
    assert "Alternative migration pathways" in person.text
    assert client.get("/people/999999").status_code == 404


def test_comments_on_removed_and_changed_text_are_shown_as_such(client, db, world, draft):
    comment_on(db, world, draft, "On the target.", position=2)
    comment_on(db, world, draft, "On the review.", position=6)
    blocks = TEXT.split("\n\n")
    drafts.revise(
        db,
        by=world.colleague,
        draft=draft,
        base_number=1,
        text="\n\n".join([*blocks[:1], blocks[1].replace("50,000", "80,000"), *blocks[2:4]]),
        summary="Drops the review.",
    )
    db.commit()
    sign_in(client, world.member)

    page = client.get(f"/drafts/{draft.id}").text

    assert "on revision 1" in page
    assert "Comments on removed text" in page
    removed_at = page.index("Comments on removed text")
    assert page.index("On the review.") > removed_at > page.index("On the target.")
    assert "The council reviews the programmes every year." in page[removed_at:]


def test_the_draft_page_runs_the_same_queries_for_10_and_1000_comments(
    client, db, world, draft, queries
):
    blocks = TEXT.split("\n\n")
    drafts.revise(
        db,
        by=world.colleague,
        draft=draft,
        base_number=1,
        text="\n\n".join([blocks[0], blocks[1].replace("50,000", "90,000"), *blocks[2:4]]),
        summary="Drops the review.",
    )
    first = drafts.paragraphs(db, drafts.revision(db, draft, 1))
    kept = drafts.paragraphs(db, drafts.revision(db, draft, 2))
    removed = first[-1].paragraph_id
    db.commit()
    sign_in(client, world.member)
    people = [world.member.id, world.colleague.id, world.chair.id]
    start_at = utcnow() - timedelta(days=1)
    inserted = 0

    def add_comments(total: int) -> None:
        nonlocal inserted
        rows = []
        for n in range(inserted, total):
            kind = n % 5
            anchor = (
                None if kind == 2 else removed if kind == 3 else kept[n % len(kept)].paragraph_id
            )
            rows.append(
                {
                    "draft_id": draft.id,
                    "revision_number": 1 if kind in (2, 3, 4) else 2,
                    "paragraph_id": anchor,
                    "author_id": people[n % 3],
                    "body_source": f"Comment {n}",
                    "body_html": f"<p>Comment {n}</p>",
                    "created_at": start_at + timedelta(seconds=n),
                    "hidden_reason": "",
                    "hidden_at": start_at if n % 7 == 0 else None,
                    "hidden_by_id": world.chair.id if n % 7 == 0 else None,
                }
            )
        db.execute(insert(Comment), rows)
        new_roots = db.exec(
            select(Comment.id, Comment.paragraph_id).where(
                Comment.draft_id == draft.id,
                Comment.parent_id.is_(None),
                Comment.created_at >= start_at + timedelta(seconds=inserted),
            )
        ).all()
        db.execute(
            insert(Comment),
            [  # a reply to every other new thread
                {
                    "draft_id": draft.id,
                    "revision_number": 2,
                    "paragraph_id": pid,
                    "parent_id": rid,
                    "author_id": people[(rid + 1) % 3],
                    "body_source": "Reply",
                    "body_html": "<p>R</p>",
                    "created_at": start_at + timedelta(hours=2, seconds=rid),
                    "hidden_reason": "",
                }
                for rid, pid in new_roots[::2]
            ],
        )
        count = db.exec(select(func.count()).select_from(Comment)).one()
        db.execute(update(Draft).where(Draft.id == draft.id).values(comment_count=count))
        db.commit()
        inserted = total

    def measure() -> tuple[int, int, float]:
        client.get(f"/drafts/{draft.id}")  # the first view, out of the measure
        queries.reset()
        began = time.perf_counter()
        assert client.get(f"/drafts/{draft.id}").status_code == 200
        elapsed = time.perf_counter() - began
        page_queries = len(queries)
        queries.reset()
        pid = kept[1].paragraph_id
        assert client.get(f"/drafts/{draft.id}/comments?on={pid}").status_code == 200
        return page_queries, len(queries), elapsed

    add_comments(10)
    small = measure()
    add_comments(1000)
    large = measure()

    assert small[:2] == large[:2], (small, large)
    # a guard against work that grows with the comments (speed itself is `make bench`'s)
    assert large[2] < 8.0, f"the draft page took {large[2]:.2f} s with 1,000 comments"
    page = client.get(f"/drafts/{draft.id}").text
    assert "Show all" in page and "Comments on removed text" in page
    assert len(re.findall(r'class="comment-thread', page)) <= (
        comment_pages.LATEST_THREADS * (len(kept) + 1) + comment_pages.PAGE_SIZE
    )
