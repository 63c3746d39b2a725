"""Comments: threads, anchors across revisions, the edit window, withdrawal, moderation,
sanitising, mentions and the rate limit, against a real migrated database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert
from sqlmodel import Session, select

from council.database import utcnow
from council.errors import Conflict, Invalid, NotAllowed, NotFound
from council.models import AuditRecord, Person, WorkingGroup
from council.permissions import load_actor
from tests.factories import make_chair
from tests.workspaces.test_drafts import TEXT, build_group, start
from tests.workspaces.test_markdown import SAFE_SCHEMES, XSS_CORPUS, elements, url_scheme
from workspaces import comment_pages, comments, drafts
from workspaces.models import Comment, Draft, DraftStatus


@pytest.fixture
def world(db):
    return build_group(db)


@pytest.fixture
def draft(db, world) -> Draft:
    return start(db, world)


def paragraph_ids(db: Session, draft: Draft, number: int | None = None) -> list[str]:
    revision = drafts.revision(db, draft, number or draft.latest_revision_number)
    return [p.paragraph_id for p in drafts.paragraphs(db, revision)]


def post(db, world, draft, body="A comment.", *, by=None, paragraph=1, number=None, now=None):
    """A comment on the paragraph at `paragraph` (1-based) of revision `number`, or on the
    whole draft when paragraph is None."""
    number = number or draft.latest_revision_number
    paragraph_id = None if paragraph is None else paragraph_ids(db, draft, number)[paragraph - 1]
    return comments.post_comment(
        db,
        by=by or world.member,
        draft=draft,
        body=body,
        paragraph_id=paragraph_id,
        revision_number=number,
        now=now,
    )


def page(db, draft, focus=None) -> comment_pages.DraftComments:
    detail = drafts.draft_detail(db, draft)
    return comment_pages.draft_comments(db, draft, detail.revision, detail.paragraphs, focus=focus)


def viewer_for(db, person: Person, draft: Draft, now=None) -> comment_pages.Viewer:
    now = now or utcnow()
    return comment_pages.viewer(load_actor(db, person, now), draft, drafts.group_of(db, draft), now)


def audit_actions(db) -> list[str]:
    return list(
        db.exec(
            select(AuditRecord.action)
            .where(AuditRecord.action.like("comment.%"))
            .order_by(AuditRecord.id)
        ).all()
    )


def test_a_comment_is_anchored_rendered_and_counted(db, world, draft):
    comment = post(
        db, world, draft, "We *support* this, with [a source](https://example.org).", paragraph=2
    )

    assert comment.paragraph_id == paragraph_ids(db, draft)[1]
    assert comment.revision_number == 1 and comment.parent_id is None
    assert "<em>support</em>" in comment.body_html
    assert 'rel="nofollow noopener noreferrer"' in comment.body_html
    db.refresh(draft)
    assert draft.comment_count == 1
    shown = page(db, draft)
    region = shown.paragraphs[comment.paragraph_id]
    assert (region.position, region.comments, region.threads_total, region.open_threads) == (
        2,
        1,
        1,
        1,
    )
    assert [t.root.comment.id for t in region.threads] == [comment.id]
    assert shown.whole.comments == 0


def test_a_whole_draft_comment_has_no_paragraph(db, world, draft):
    comment = post(db, world, draft, "Overall, a good start.", paragraph=None)

    assert comment.paragraph_id is None
    assert [t.root.comment.id for t in page(db, draft).whole.threads] == [comment.id]


def test_replies_join_the_thread_of_its_root_even_when_replying_to_a_reply(db, world, draft):
    root = post(db, world, draft, "Why 50,000?", paragraph=2)
    first = comments.reply(
        db, by=world.colleague, to=root, body="It is the task force's figure.", revision_number=1
    )
    second = comments.reply(db, by=world.member, to=first, body="Thanks.", revision_number=1)

    assert first.parent_id == root.id and second.parent_id == root.id
    assert second.paragraph_id == root.paragraph_id
    thread = comment_pages.thread(db, draft, drafts.latest_revision(db, draft), root).threads[0]
    assert [v.comment.id for v in thread.views()] == [root.id, first.id, second.id]
    assert [v.author for v in thread.views()] == [
        "Jorge Castañeda",
        "Claire Tremblay",
        "Jorge Castañeda",
    ]
    db.refresh(draft)
    assert draft.comment_count == 3


def test_the_draft_page_shows_the_latest_threads_and_replies_and_a_focused_thread_whole(
    db, world, draft
):
    start_at = utcnow() - timedelta(hours=1)
    roots = [
        post(db, world, draft, f"Thread {n}", paragraph=2, now=start_at + timedelta(minutes=n))
        for n in range(5)
    ]
    for n in range(5):
        comments.reply(
            db,
            by=world.colleague,
            to=roots[0],
            body=f"Reply {n}",
            revision_number=1,
            now=start_at + timedelta(minutes=10 + n),
        )

    region = page(db, draft).paragraphs[roots[0].paragraph_id]
    assert [t.root.comment.body_source for t in region.threads] == [
        "Thread 4",
        "Thread 3",
        "Thread 2",
    ]
    assert not region.complete and region.threads_total == 5 and region.comments == 10

    focused = page(db, draft, focus=roots[0].id).paragraphs[roots[0].paragraph_id]
    oldest = focused.threads[-1]
    assert oldest.root.comment.id == roots[0].id
    assert [v.comment.body_source for v in oldest.replies] == [f"Reply {n}" for n in range(5)]
    assert oldest.earlier_replies == 0

    full = comment_pages.region(db, draft, drafts.latest_revision(db, draft), roots[0].paragraph_id)
    assert [t.root.comment.body_source for t in full.threads][-1] == "Thread 0"
    assert full.complete and len(full.threads[-1].replies) == 5


def test_the_latest_threads_read_per_anchor_are_those_every_thread_ranked_gives(db, world, draft):
    """The draft page reads the few threads it shows under each paragraph from an index, one
    part per anchor (comment_pages._latest_roots); ranking every thread of the draft
    (_ranked_roots, also what drafts with comments under hundreds of paragraphs use) must give
    the same threads in the same order: ties in time go by id, the whole draft shows a page."""
    pids = paragraph_ids(db, draft)
    at = utcnow() - timedelta(hours=2)
    rows = []
    for n in range(60):
        anchor = None if n % 5 == 0 else pids[n % len(pids)]
        rows.append(
            {
                "draft_id": draft.id,
                "revision_number": 1,
                "paragraph_id": anchor,
                "author_id": world.member.id,
                "body_source": f"Thread {n}",
                "body_html": f"<p>Thread {n}</p>",
                "created_at": at + timedelta(minutes=n // 4),  # four at a time: ties
                "hidden_reason": "",
            }
        )
    db.execute(insert(Comment), rows)
    oldest = db.exec(
        select(Comment).where(Comment.draft_id == draft.id).order_by(Comment.id)
    ).first()
    anchors = [a for a, counted in comment_pages._counts(db, draft).items() if counted.threads]
    assert len(anchors) > 3

    for focus in (None, oldest.id):
        read = comment_pages._latest_roots(db, draft, anchors, focus=focus)
        ranked = comment_pages._ranked_roots(db, draft, focus=focus)
        assert [v.comment.id for v in read] == [v.comment.id for v in ranked]
        per_anchor = {}
        for view in read:
            per_anchor.setdefault(view.comment.paragraph_id, []).append(view.comment.id)
        # the oldest thread is on the whole draft: shown beyond its page only when focused
        assert len(per_anchor[None]) == comment_pages.PAGE_SIZE + (focus is not None)
        assert (focus is None) == (oldest.id not in [v.comment.id for v in read])


def test_only_the_latest_replies_are_shown_under_the_paragraph(db, world, draft):
    root = post(db, world, draft, "Root", paragraph=2)
    start_at = utcnow()
    for n in range(5):
        comments.reply(
            db,
            by=world.colleague,
            to=root,
            body=f"Reply {n}",
            revision_number=1,
            now=start_at + timedelta(seconds=n),
        )

    thread = page(db, draft).paragraphs[root.paragraph_id].threads[0]

    assert [v.comment.body_source for v in thread.replies] == ["Reply 2", "Reply 3", "Reply 4"]
    assert thread.reply_count == 5 and thread.earlier_replies == 2


def test_pages_of_whole_draft_threads(db, world, draft):
    start_at = utcnow() - timedelta(hours=1)
    for n in range(comment_pages.PAGE_SIZE + 3):
        post(
            db,
            world,
            draft,
            f"General {n}",
            paragraph=None,
            now=start_at + timedelta(seconds=n),
            by=[world.member, world.colleague][n % 2],
        )
    revision = drafts.latest_revision(db, draft)

    first = page(db, draft).whole
    second = comment_pages.region(db, draft, revision, comment_pages.WHOLE_DRAFT, page=2)

    assert len(first.threads) == comment_pages.PAGE_SIZE and first.pages == 2
    assert [t.root.comment.body_source for t in second.threads] == [
        "General 2",
        "General 1",
        "General 0",
    ]
    assert comment_pages.region(db, draft, revision, comment_pages.WHOLE_DRAFT, page=99).page == 2


def test_comments_follow_their_paragraph_across_revisions(db, world, draft):
    ids = paragraph_ids(db, draft)
    on_target = post(db, world, draft, "Too low.", paragraph=2)  # to be edited
    on_fees = post(db, world, draft, "Agreed.", paragraph=3)  # to be moved, unchanged
    on_review = post(db, world, draft, "Every year is too often.", paragraph=6)  # removed
    on_whole = post(db, world, draft, "General remark.", paragraph=None)
    blocks = TEXT.split("\n\n")
    revised = "\n\n".join([blocks[0], blocks[2], blocks[1].replace("50,000", "60,000"), blocks[3]])
    drafts.revise(
        db,
        by=world.colleague,
        draft=draft,
        base_number=1,
        text=revised,
        summary="Raises the target, moves fees up, drops the review.",
    )
    assert paragraph_ids(db, draft, 2)[:3] == [ids[0], ids[2], ids[1]]

    shown = page(db, draft)

    edited = shown.paragraphs[ids[1]]
    assert edited.position == 3
    view = edited.threads[0].root
    assert view.comment.id == on_target.id
    assert view.on_revision == 1 and "50,000" in view.quote_html
    moved = shown.paragraphs[ids[2]]
    assert moved.position == 2 and moved.threads[0].root.comment.id == on_fees.id
    assert moved.threads[0].root.on_revision is None  # moved, but the text is the same
    assert [r.paragraph_id for r in shown.removed] == [ids[5]]
    removed = shown.removed[0]
    assert removed.last_seen_in == 1 and "every year" in removed.text_html
    assert removed.threads[0].root.comment.id == on_review.id
    assert removed.threads[0].root.on_revision is None  # shown with the text it was about
    assert shown.whole.threads[0].root.comment.id == on_whole.id
    assert shown.whole.threads[0].root.on_revision == 1

    newer = post(db, world, draft, "Better now.", paragraph=3)
    assert page(db, draft).paragraphs[ids[1]].threads[0].root.comment.id == newer.id
    assert page(db, draft).paragraphs[ids[1]].threads[0].root.on_revision is None


def test_a_comment_written_on_an_older_revision_keeps_that_revision(db, world, draft):
    ids = paragraph_ids(db, draft)
    drafts.revise(
        db,
        by=world.colleague,
        draft=draft,
        base_number=1,
        text=TEXT.replace("50,000", "70,000"),
        summary="Raises the target.",
    )

    late = comments.post_comment(
        db,
        by=world.member,
        draft=draft,
        body="On what I read.",
        paragraph_id=ids[1],
        revision_number=1,
    )

    assert late.revision_number == 1
    view = page(db, draft).paragraphs[ids[1]].threads[0].root
    assert view.on_revision == 1 and "50,000" in view.quote_html
    with pytest.raises(NotFound):
        comments.post_comment(
            db, by=world.member, draft=draft, body="x", paragraph_id="zzzzzzzz", revision_number=2
        )


def test_the_author_edits_within_fifteen_minutes_and_the_edit_is_marked(db, world, draft):
    comment = post(db, world, draft, "Frist thought.")

    comments.edit_comment(db, by=world.member, comment=comment, body="First thought, @[nobody].")

    assert comment.edited_at is not None
    assert comment.body_source == "First thought, @[nobody]."
    assert "First thought" in comment.body_html


def test_editing_after_fifteen_minutes_or_by_someone_else_is_refused(db, world, draft):
    comment = post(db, world, draft, "Original.")
    with pytest.raises(NotAllowed):
        comments.edit_comment(db, by=world.colleague, comment=comment, body="Hijacked.")
    comment.created_at = utcnow() - timedelta(minutes=15, seconds=1)
    db.add(comment)
    db.flush()

    with pytest.raises(comments.EditWindowClosed) as refused:
        comments.edit_comment(db, by=world.member, comment=comment, body="Too late.")

    assert refused.value.status_code == 409
    assert "15 minutes" in refused.value.message
    db.refresh(comment)
    assert comment.body_source == "Original." and comment.edited_at is None
    assert not viewer_for(db, world.member, draft).may_edit(comment)


def test_a_withdrawn_comment_keeps_its_replies_and_can_no_longer_change(db, world, draft):
    root = post(db, world, draft, "I withdraw this later.")
    answer = comments.reply(db, by=world.colleague, to=root, body="Noted.", revision_number=1)

    comments.withdraw_comment(db, by=world.member, comment=root)

    assert root.withdrawn_at is not None
    db.refresh(draft)
    assert draft.comment_count == 1
    thread = page(db, draft).paragraphs[root.paragraph_id].threads[0]
    assert [v.comment.id for v in thread.views()] == [root.id, answer.id]
    assert not viewer_for(db, world.secretariat, draft).sees_text(root)
    with pytest.raises(Conflict):
        comments.edit_comment(db, by=world.member, comment=root, body="Changed.")
    with pytest.raises(Conflict):
        comments.reply(db, by=world.colleague, to=root, body="Too late.", revision_number=1)
    with pytest.raises(Conflict):
        comments.withdraw_comment(db, by=world.member, comment=root)
    with pytest.raises(NotAllowed):
        comments.withdraw_comment(db, by=world.member, comment=answer)
    assert audit_actions(db) == ["comment.posted", "comment.posted", "comment.withdrawn"]


def test_hiding_needs_a_reason_is_audited_and_can_be_undone(db, world, draft):
    comment = post(db, world, draft, "Something rude.")
    with pytest.raises(Invalid) as missing:
        comments.hide_comment(db, by=world.chair, comment=comment, reason="  ")
    assert "reason" in missing.value.errors
    with pytest.raises(Invalid):
        comments.hide_comment(db, by=world.chair, comment=comment, reason="x" * 501)

    comments.hide_comment(db, by=world.chair, comment=comment, reason="Personal attack.")

    assert comment.hidden_by_id == world.chair.id
    assert comment.hidden_reason == "Personal attack."
    assert comment.body_source == "Something rude."  # never deleted
    with pytest.raises(Conflict):
        comments.hide_comment(db, by=world.chair, comment=comment, reason="Again.")
    comments.restore_comment(db, by=world.secretariat, comment=comment)
    assert comment.hidden_at is None and comment.hidden_reason == ""
    with pytest.raises(Conflict):
        comments.restore_comment(db, by=world.secretariat, comment=comment)
    records = db.exec(
        select(AuditRecord).where(AuditRecord.action.like("comment.%")).order_by(AuditRecord.id)
    ).all()
    assert [(r.action, r.actor_id, r.target_type, r.target_id) for r in records] == [
        ("comment.posted", comment.author_id, "Comment", str(comment.id)),
        ("comment.hidden", world.chair.id, "Comment", str(comment.id)),
        ("comment.restored", world.secretariat.id, "Comment", str(comment.id)),
    ]
    assert "Personal attack." in records[1].details


def test_who_sees_a_hidden_comment(db, world, draft):
    comment = post(db, world, draft, "Hidden words.")
    comments.hide_comment(db, by=world.chair, comment=comment, reason="Off topic.")

    assert viewer_for(db, world.member, draft).sees_text(comment)  # the author
    assert viewer_for(db, world.chair, draft).sees_text(comment)
    assert viewer_for(db, world.secretariat, draft).sees_text(comment)
    assert not viewer_for(db, world.colleague, draft).sees_text(comment)


def test_moderation_rights(db, world, draft):
    narratives = db.exec(select(WorkingGroup).where(WorkingGroup.slug == "narratives")).one()
    make_chair(db, narratives, world.outsider_seat, world.outsider)  # chairs another group
    comment = post(db, world, draft, "A comment.")

    may_hide = {
        name: viewer_for(db, getattr(world, name), draft).may_hide(comment)
        for name in ("member", "colleague", "chair", "secretariat", "outsider", "observer")
    }

    assert may_hide == {
        "member": False,
        "colleague": False,
        "chair": True,
        "secretariat": True,
        "outsider": False,
        "observer": False,
    }


def test_the_chair_resolves_and_reopens_a_thread(db, world, draft):
    root = post(db, world, draft, "Should we add a deadline?")
    answer = comments.reply(db, by=world.colleague, to=root, body="Yes.", revision_number=1)

    comments.resolve_thread(db, by=world.chair, comment=answer)  # any comment of the thread

    assert root.resolved_by_id == world.chair.id and answer.resolved_at is None
    region = page(db, draft).paragraphs[root.paragraph_id]
    assert (region.threads_total, region.open_threads) == (1, 0)
    with pytest.raises(Conflict):
        comments.resolve_thread(db, by=world.chair, comment=root)
    comments.reopen_thread(db, by=world.secretariat, comment=root)
    assert root.resolved_at is None
    assert audit_actions(db) == [
        "comment.posted",
        "comment.posted",
        "comment.resolved",
        "comment.reopened",
    ]


def test_a_closed_draft_takes_no_new_comments_but_can_still_be_moderated(db, world, draft):
    comment = post(db, world, draft, "Before the withdrawal.")
    drafts.withdraw(db, by=world.member, draft=draft, reason="Merged elsewhere.")
    assert draft.status == DraftStatus.WITHDRAWN

    with pytest.raises(Conflict):
        post(db, world, draft, "After.")
    with pytest.raises(Conflict):
        comments.reply(db, by=world.colleague, to=comment, body="After.", revision_number=1)
    with pytest.raises(Conflict):
        comments.edit_comment(db, by=world.member, comment=comment, body="Changed.")
    comments.hide_comment(db, by=world.chair, comment=comment, reason="Spam.")
    assert comment.hidden_at is not None


@pytest.mark.parametrize(
    "body, message",
    [
        ("", "The comment is empty"),
        ("   \n  ", "The comment is empty"),
        ("x" * (comments.MAX_BODY + 1), "at most 10,000 characters; this one has 10,001"),
        ("bad \x00 byte", "could not be read"),
    ],
)
def test_empty_oversized_or_unreadable_comments_are_refused(db, world, draft, body, message):
    with pytest.raises(Invalid) as refused:
        post(db, world, draft, body)

    assert message in refused.value.errors["body"]
    assert db.exec(select(Comment)).first() is None


def test_a_comment_of_exactly_ten_thousand_characters_is_accepted(db, world, draft):
    assert len(post(db, world, draft, "y" * comments.MAX_BODY).body_source) == comments.MAX_BODY


@pytest.mark.parametrize("source", XSS_CORPUS)
def test_stored_comment_html_of_hostile_markdown_is_inert(db, world, draft, source):
    comment = post(db, world, draft, f"Intro @[Claire Tremblay].\n\n{source}")

    html = comment.body_html
    assert "<script" not in html.lower()
    for tag, attrs in elements(html):
        assert tag not in {"script", "img", "iframe", "svg", "style", "object", "embed"}
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            if name in {"href", "src"}:
                assert url_scheme(value or "") in SAFE_SCHEMES, html
                assert not (value or "").lower().startswith(("javascript:", "data:"))


def test_mentions_link_readers_of_the_draft_and_nobody_else(db, world, draft):
    body = (
        "Ask @[claire  tremblay] and @[Rosa Pacheco]; not @[Nobody Known], "
        f"not @[{world.outsider.name}], not `@[Claire Tremblay]` in code."
    )

    html = post(db, world, draft, body).body_html

    assert f'<a href="/people/{world.colleague.id}" class="mention">@Claire Tremblay</a>' in html
    assert f'<a href="/people/{world.chair.id}" class="mention">@Rosa Pacheco</a>' in html
    assert "@[Nobody Known]" in html
    assert f"@[{world.outsider.name}]" in html  # sits in another group only
    assert "<code>@[Claire Tremblay]</code>" in html


def test_mentions_escape_names_and_skip_ambiguous_ones():
    people = [
        Person(id=1, email="a@x", name="Ana <b>&"),
        Person(id=2, email="b@x", name="Twin"),
        Person(id=3, email="c@x", name="Twin"),
    ]

    html = comments.link_mentions("<p>@[Ana &lt;b&gt;&amp;] and @[Twin]</p>", people)

    assert html == (
        '<p><a href="/people/1" class="mention">@Ana &lt;b&gt;&amp;</a> and @[Twin]</p>'
    )


def test_posting_is_rate_limited_per_person(db, world, draft):
    now = utcnow()
    for n in range(comments.RATE_LIMIT):
        post(db, world, draft, f"Comment {n}", now=now)

    with pytest.raises(comments.RateLimited) as refused:
        post(db, world, draft, "One too many.", now=now)
    assert refused.value.status_code == 429
    post(db, world, draft, "Someone else.", by=world.colleague, now=now)
    post(db, world, draft, "A minute later.", now=now + comments.RATE_WINDOW)
