"""Comments on drafts, as pages read them: the threads of each paragraph and of the whole
draft, a page of one anchor's threads, one whole thread, in a fixed number of queries; and
what the reader may do with them (Viewer). The acts are in comments.

A comment stays attached to its paragraph in later revisions while that paragraph exists
(marked "on revision N" when the text has changed since), and is listed under the removed text
otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Integer, and_, case, func, or_, select, text
from sqlalchemy.orm import aliased
from sqlmodel import Session

from council.errors import NotFound
from council.models import Person, WorkingGroup
from council.permissions import Actor, can
from council.web import row_values
from workspaces.comments import editable_until, refusal
from workspaces.markdown import readable
from workspaces.models import Comment, Draft, Revision, RevisionParagraph

LATEST_THREADS = 3
"""Threads per paragraph on the draft page; the rest is one link (or htmx request) away."""
LATEST_REPLIES = 3
"""Replies per thread shown on the draft page."""
PAGE_SIZE = 10
"""Threads per page of a paragraph's comments, and of the whole-draft comments."""
WHOLE_DRAFT = "draft"
"""The anchor name of comments on the whole draft (paragraph ids are 8 characters)."""


# what the reader may do


@dataclass(frozen=True)
class Viewer:
    """What one person may do with the comments of one draft: templates ask it for buttons,
    and the acts (workspaces.comments) enforce the same rules."""

    person_id: int | None
    draft: Draft
    may_comment: bool
    may_moderate: bool
    now: datetime

    @property
    def draft_open(self) -> bool:
        return refusal(None, self.draft) is None

    def is_author(self, comment: Comment) -> bool:
        return self.person_id is not None and comment.author_id == self.person_id

    def sees_text(self, comment: Comment) -> bool:
        if comment.withdrawn_at is not None:
            return False
        return comment.hidden_at is None or self.is_author(comment) or self.may_moderate

    def may_post(self) -> bool:
        return self.may_comment and self.draft_open

    def may_reply(self, root: Comment) -> bool:
        return self.may_comment and refusal(root, self.draft) is None

    def may_edit(self, comment: Comment) -> bool:
        return (
            self.may_comment
            and self.is_author(comment)
            and comment.hidden_at is None
            and refusal(comment, self.draft) is None
            and self.now < editable_until(comment)
        )

    def may_withdraw(self, comment: Comment) -> bool:
        return self.may_comment and self.is_author(comment) and refusal(comment, self.draft) is None

    def may_hide(self, comment: Comment) -> bool:
        return self.may_moderate and comment.hidden_at is None and comment.withdrawn_at is None

    def may_restore(self, comment: Comment) -> bool:
        return self.may_moderate and comment.hidden_at is not None

    def may_resolve(self, root: Comment) -> bool:
        return (
            self.may_moderate
            and root.parent_id is None
            and root.resolved_at is None
            and refusal(root, self.draft, withdrawn_ok=True) is None
        )

    def may_reopen(self, root: Comment) -> bool:
        return (
            self.may_moderate
            and root.parent_id is None
            and root.resolved_at is not None
            and refusal(root, self.draft, withdrawn_ok=True) is None
        )


def viewer(actor: Actor, draft: Draft, group: WorkingGroup, now: datetime) -> Viewer:
    return Viewer(
        person_id=actor.person.id if actor.signed_in else None,
        draft=draft,
        may_comment=can(actor, "comment.write", group),
        may_moderate=can(actor, "comment.moderate", group),
        now=now,
    )


# reading


@dataclass
class CommentView:
    comment: Comment
    author: str
    hidden_by_secretariat: bool = False
    on_revision: int | None = None
    """Set when the text it was written on has changed since (for a whole-draft comment: when
    it was written on an earlier revision)."""
    quote_html: str = ""
    """The paragraph as it read then, when it has changed since."""


@dataclass
class Thread:
    root: CommentView
    replies: list[CommentView]
    reply_count: int

    @property
    def earlier_replies(self) -> int:
        return self.reply_count - len(self.replies)

    def views(self) -> list[CommentView]:
        return [self.root, *self.replies]


@dataclass
class Region:
    """The comments on one anchor: a paragraph (current or removed) or the whole draft."""

    draft: Draft
    revision_number: int
    """The revision shown, on which new comments are written."""
    paragraph_id: str | None
    position: int | None = None
    """The paragraph's place in the shown revision; None when removed or the whole draft."""
    number: int | None = None
    """The number it is cited by; None also for a heading, named by its words instead."""
    text_html: str = ""
    """The paragraph as shown or, when removed, as it last read."""
    text_source: str = ""
    last_seen_in: int | None = None
    """For a removed paragraph: the last revision that had it."""
    comments: int = 0
    threads_total: int = 0
    open_threads: int = 0
    threads: list[Thread] = field(default_factory=list)
    full: bool = False
    """Full: a page of threads and the comment form. Otherwise the latest threads only, under
    the paragraph on the draft page."""
    page: int = 1

    @property
    def anchor(self) -> str:
        return self.paragraph_id or WHOLE_DRAFT

    @property
    def removed(self) -> bool:
        return self.paragraph_id is not None and self.position is None

    @property
    def words(self) -> str:
        """The paragraph's text as read (what names a heading)."""
        return readable(self.text_html) or self.text_source

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.threads_total / PAGE_SIZE))

    @property
    def complete(self) -> bool:
        """Whether every thread of the anchor is shown here."""
        return len(self.threads) >= self.threads_total

    def facts(self, viewer: Viewer, focus: int | None, landed: int | None) -> tuple | None:
        """Everything the region shows collapsed under its paragraph (workspaces/_comments.html
        and the thread and comment templates it includes), for council.web.cached_fragment:
        the rows, the authors' names and what `viewer` may do with each. None for a region in
        full, which carries a form and pages (its threads have threads_facts)."""
        if self.full:
            return None
        shown = {item.root.comment.id for item in self.threads}
        return (
            self.anchor,
            self.position,
            self.number,
            self.text_html,
            self.text_source,
            self.last_seen_in,
            self.comments,
            self.threads_total,
            self.open_threads,
            viewer.may_post(),
            focus if focus in shown else None,
            self.threads_facts(viewer, landed, None),
        )

    def threads_facts(self, viewer: Viewer, landed: int | None, open_form: object) -> tuple | None:
        """Everything the region's threads show (workspaces/_comment_thread.html and
        _comment.html): the rows, the authors' names and what `viewer` may do with each. None
        while a form is open in one of them (it carries what was typed)."""
        if open_form is not None:
            return None

        def seen(view: CommentView) -> tuple:
            c = view.comment
            return (
                row_values(c),
                view.author,
                view.hidden_by_secretariat,
                view.on_revision,
                view.quote_html,
                viewer.sees_text(c),
                viewer.is_author(c),
                viewer.may_edit(c),
                viewer.may_withdraw(c),
                viewer.may_hide(c),
                viewer.may_restore(c),
            )

        return (
            self.draft.id,
            self.draft.language,
            self.revision_number,
            landed,
            tuple(
                (
                    seen(item.root),
                    tuple(seen(reply) for reply in item.replies),
                    item.earlier_replies,
                    viewer.may_reply(item.root.comment),
                    viewer.may_resolve(item.root.comment),
                    viewer.may_reopen(item.root.comment),
                )
                for item in self.threads
            ),
        )


@dataclass
class DraftComments:
    """What the draft page shows of the comments, loaded in a fixed number of queries."""

    whole: Region
    paragraphs: dict[str, Region]
    removed: list[Region]


@dataclass(frozen=True)
class _Counts:
    comments: int = 0
    threads: int = 0
    open_threads: int = 0


@dataclass(frozen=True)
class _Texts:
    """Paragraphs of other revisions than the one shown, by (revision number, paragraph id)."""

    rows: dict[tuple[int, str], RevisionParagraph]

    def at(self, number: int, paragraph_id: str) -> RevisionParagraph | None:
        return self.rows.get((number, paragraph_id))

    def last_seen(self, paragraph_id: str) -> tuple[int | None, RevisionParagraph | None]:
        numbers = [n for n, pid in self.rows if pid == paragraph_id]
        if not numbers:
            return None, None
        return max(numbers), self.rows[(max(numbers), paragraph_id)]


def draft_comments(
    session: Session,
    draft: Draft,
    revision: Revision,
    paragraphs: Sequence[RevisionParagraph],
    *,
    focus: int | None = None,
) -> DraftComments:
    """Counts per paragraph, the latest threads of each paragraph (and a page of whole-draft
    threads), and the comments on removed paragraphs: four queries, however many comments.

    `focus` names a thread to show whole wherever it is (after a reply, say)."""
    counts = _counts(session, draft)
    anchors = [anchor for anchor, counted in counts.items() if counted.threads]
    roots = _latest_roots(session, draft, anchors, focus=focus)
    replies = _replies(
        session,
        [root.comment.id for root in roots],
        limit=LATEST_REPLIES,
        whole={focus} if focus else set(),
    )
    current = {p.paragraph_id: p for p in paragraphs}
    removed_ids = {pid for pid in counts if pid is not None and pid not in current}
    threads = [Thread(root, *replies.get(root.comment.id, ([], 0))) for root in roots]
    texts = _texts(session, draft, revision.number, threads, current, removed_ids)

    def make(paragraph_id: str | None, **fields) -> Region:
        found = counts.get(paragraph_id, _Counts())
        return Region(
            draft=draft,
            revision_number=revision.number,
            paragraph_id=paragraph_id,
            comments=found.comments,
            threads_total=found.threads,
            open_threads=found.open_threads,
            **fields,
        )

    whole = make(None, full=True)
    by_paragraph = {
        p.paragraph_id: make(
            p.paragraph_id,
            position=p.position,
            number=p.number,
            text_html=p.html,
            text_source=p.source,
        )
        for p in paragraphs
    }
    removed: dict[str, Region] = {}
    for pid in removed_ids:
        number, last = texts.last_seen(pid)
        removed[pid] = make(
            pid,
            last_seen_in=number,
            text_html=last.html if last else "",
            text_source=last.source if last else "",
        )
    for item in threads:
        pid = item.root.comment.paragraph_id
        target = whole if pid is None else by_paragraph.get(pid) or removed[pid]
        target.threads.append(item)
    for target in [whole, *by_paragraph.values(), *removed.values()]:
        _mark(target, texts)
    ordered = sorted(removed.values(), key=lambda r: (-(r.last_seen_in or 0), r.anchor))
    return DraftComments(whole, by_paragraph, ordered)


def region(
    session: Session, draft: Draft, revision: Revision, anchor: str, *, page: int = 1
) -> Region:
    """One page of the threads on `anchor` (a paragraph id or WHOLE_DRAFT), newest first,
    with all their replies."""
    paragraph_id = None if anchor == WHOLE_DRAFT else anchor
    counts = _counts(session, draft, only=paragraph_id).get(paragraph_id, _Counts())
    current = _current_paragraph(session, revision, paragraph_id)
    if paragraph_id is not None and current is None and counts.threads == 0:
        raise NotFound()
    result = Region(
        draft=draft,
        revision_number=revision.number,
        paragraph_id=paragraph_id,
        comments=counts.comments,
        threads_total=counts.threads,
        open_threads=counts.open_threads,
        full=True,
    )
    result.page = min(max(page, 1), result.pages)
    roots = _views(
        session,
        lambda query: (
            query.where(
                Comment.draft_id == draft.id, Comment.parent_id.is_(None), _at(paragraph_id)
            )
            .order_by(Comment.created_at.desc(), Comment.id.desc())
            .limit(PAGE_SIZE)
            .offset((result.page - 1) * PAGE_SIZE)
        ),
    )
    replies = _replies(session, [root.comment.id for root in roots], limit=None, whole=set())
    result.threads = [Thread(root, *replies.get(root.comment.id, ([], 0))) for root in roots]
    _describe(session, result, revision, current)
    return result


def thread(session: Session, draft: Draft, revision: Revision, root: Comment) -> Region:
    """The region of one whole thread: its anchor's text, the root and every reply."""
    views = _views(
        session,
        lambda query: query.where(
            or_(Comment.id == root.id, Comment.parent_id == root.id)
        ).order_by(Comment.created_at, Comment.id),
    )
    current = _current_paragraph(session, revision, root.paragraph_id)
    first = next(view for view in views if view.comment.id == root.id)
    replies = [view for view in views if view.comment.id != root.id]
    result = Region(
        draft=draft,
        revision_number=revision.number,
        paragraph_id=root.paragraph_id,
        threads_total=1,
        threads=[Thread(first, replies, len(replies))],
    )
    _describe(session, result, revision, current)
    return result


def _describe(
    session: Session, result: Region, revision: Revision, current: RevisionParagraph | None
) -> None:
    """Fill in the anchor's text (as shown, or as it last read) and mark changed comments."""
    pid = result.paragraph_id
    removed = {pid} if pid is not None and current is None else set()
    texts = _texts(
        session,
        result.draft,
        revision.number,
        result.threads,
        {pid: current} if current is not None else {},
        removed,
    )
    if current is not None:
        result.position, result.number = current.position, current.number
        result.text_html = current.html
        result.text_source = current.source
    elif pid is not None:
        result.last_seen_in, last = texts.last_seen(pid)
        result.text_html, result.text_source = (last.html, last.source) if last else ("", "")
    _mark(result, texts)


def _mark(result: Region, texts: _Texts) -> None:
    """Mark each comment whose text has changed since the revision it was written on."""
    reference = result.revision_number if result.last_seen_in is None else result.last_seen_in
    for item in result.threads:
        for view in item.views():
            number = view.comment.revision_number
            if number == reference:
                continue
            if result.paragraph_id is None:
                view.on_revision = number
                continue
            then = texts.at(number, result.paragraph_id)
            if then is not None and then.source != result.text_source:
                view.on_revision, view.quote_html = number, then.html


def _at(paragraph_id: str | None):
    if paragraph_id is None:
        return Comment.paragraph_id.is_(None)
    return Comment.paragraph_id == paragraph_id


def _counts(
    session: Session, draft: Draft, *, only: str | None | bool = False
) -> dict[str | None, _Counts]:
    """Comments (not withdrawn), threads and open threads per anchor: one grouped query."""
    root = Comment.parent_id.is_(None)
    query = (
        select(
            Comment.paragraph_id,
            func.sum(case((Comment.withdrawn_at.is_(None), 1), else_=0)),
            func.sum(case((root, 1), else_=0)),
            func.sum(
                case(
                    (and_(root, Comment.resolved_at.is_(None), Comment.withdrawn_at.is_(None)), 1),
                    else_=0,
                )
            ),
        )
        .where(Comment.draft_id == draft.id)
        .group_by(Comment.paragraph_id)
    )
    if only is not False:
        query = query.where(_at(only))
    return {
        pid: _Counts(int(c or 0), int(t or 0), int(o or 0))
        for pid, c, t, o in session.execute(query).all()
    }


def _views(session: Session, refine) -> list[CommentView]:
    """Comments with their author's name and whether the secretariat hid them."""
    author, hider = aliased(Person), aliased(Person)
    query = refine(
        select(Comment, author.name, hider.is_secretariat)
        .join(author, author.id == Comment.author_id)
        .outerjoin(hider, hider.id == Comment.hidden_by_id)
    )
    return [
        CommentView(comment, name, bool(by_secretariat))
        for comment, name, by_secretariat in session.execute(query).all()
    ]


MAX_ANCHOR_PARTS = 400
"""Anchors read one by one in one statement (SQLite takes up to 500 parts in a UNION); a draft
with comments under more paragraphs than that ranks all its threads instead."""


def _latest_roots(
    session: Session, draft: Draft, anchors: Sequence[str | None], *, focus: int | None
) -> list[CommentView]:
    """The latest LATEST_THREADS roots of each of `anchors` (those that have threads) and
    PAGE_SIZE of the whole draft: one statement, whose part for each anchor reads only the
    rows it shows from ix_comment_anchor_threads, however many threads there are. The parts
    are written as SQL text: built as expressions, thirty of them cost more than the query."""
    if len(anchors) > MAX_ANCHOR_PARTS:
        return _ranked_roots(session, draft, focus=focus)
    newest_first = "ORDER BY created_at DESC, id DESC"
    parts: list[str] = []
    params: dict[str, object] = {"draft": draft.id}
    for number, anchor in enumerate(anchors):
        if anchor is None:
            where, limit = "paragraph_id IS NULL", PAGE_SIZE
        else:
            where, limit = f"paragraph_id = :anchor{number}", LATEST_THREADS
            params[f"anchor{number}"] = anchor
        # the anchors are bound parameters; the rest of the text is ours
        part = (
            f"SELECT id FROM (SELECT id FROM comment WHERE draft_id = :draft AND {where} "  # noqa: S608
            f"AND parent_id IS NULL {newest_first} LIMIT {limit}) AS part{number}"
        )
        parts.append(part)
    if focus is not None:
        parts.append(
            "SELECT id FROM comment WHERE id = :focus AND draft_id = :draft AND parent_id IS NULL"
        )
        params["focus"] = focus
    if not parts:
        return []
    shown = text(" UNION ALL ".join(parts)).bindparams(**params).columns(id=Integer)
    return _views(
        session,
        lambda query: query.where(Comment.id.in_(shown)).order_by(
            Comment.created_at.desc(), Comment.id.desc()
        ),
    )


def _ranked_roots(session: Session, draft: Draft, *, focus: int | None) -> list[CommentView]:
    """_latest_roots for any number of anchors: every thread of the draft ranked."""
    rank = (
        func.row_number()
        .over(
            partition_by=Comment.paragraph_id,
            order_by=(Comment.created_at.desc(), Comment.id.desc()),
        )
        .label("rank")
    )
    ranked = (
        select(Comment.id.label("id"), rank)
        .where(Comment.draft_id == draft.id, Comment.parent_id.is_(None))
        .subquery()
    )
    shown = ranked.c.rank <= case((Comment.paragraph_id.is_(None), PAGE_SIZE), else_=LATEST_THREADS)
    if focus is not None:
        shown = or_(shown, Comment.id == focus)
    return _views(
        session,
        lambda query: (
            query.join(ranked, ranked.c.id == Comment.id)
            .where(shown)
            .order_by(Comment.created_at.desc(), Comment.id.desc())
        ),
    )


def _replies(
    session: Session, root_ids: Sequence[int], *, limit: int | None, whole: set[int]
) -> dict[int, tuple[list[CommentView], int]]:
    """Per root: its latest `limit` replies (every one for roots in `whole`, or when limit is
    None) in reading order, and how many it has; one query."""
    if not root_ids:
        return {}
    rank = (
        func.row_number()
        .over(
            partition_by=Comment.parent_id, order_by=(Comment.created_at.desc(), Comment.id.desc())
        )
        .label("rank")
    )
    total = func.count().over(partition_by=Comment.parent_id).label("total")
    ranked = (
        select(Comment.id.label("id"), rank, total)
        .where(Comment.parent_id.in_(sorted(set(root_ids))))
        .subquery()
    )
    author, hider = aliased(Person), aliased(Person)
    query = (
        select(Comment, author.name, hider.is_secretariat, ranked.c.total)
        .join(ranked, ranked.c.id == Comment.id)
        .join(author, author.id == Comment.author_id)
        .outerjoin(hider, hider.id == Comment.hidden_by_id)
        .order_by(Comment.created_at, Comment.id)
    )
    if limit is not None:
        shown = ranked.c.rank <= limit
        if whole:
            shown = or_(shown, Comment.parent_id.in_(sorted(whole)))
        query = query.where(shown)
    found: dict[int, tuple[list[CommentView], int]] = {}
    for comment, name, by_secretariat, count in session.execute(query).all():
        views, _count = found.setdefault(comment.parent_id, ([], int(count)))
        views.append(CommentView(comment, name, bool(by_secretariat)))
    return found


def _current_paragraph(
    session: Session, revision: Revision, paragraph_id: str | None
) -> RevisionParagraph | None:
    if paragraph_id is None:
        return None
    return (
        session.execute(
            select(RevisionParagraph).where(
                RevisionParagraph.revision_id == revision.id,
                RevisionParagraph.paragraph_id == paragraph_id,
            )
        )
        .scalars()
        .first()
    )


def _texts(
    session: Session,
    draft: Draft,
    shown_number: int,
    threads: Iterable[Thread],
    current: dict[str, RevisionParagraph],
    removed: set[str],
) -> _Texts:
    """In one query: each shown comment's paragraph as it read in the comment's revision, and
    every earlier text of the removed paragraphs."""
    pairs = {
        (view.comment.revision_number, view.comment.paragraph_id)
        for item in threads
        for view in item.views()
        if view.comment.paragraph_id in current and view.comment.revision_number != shown_number
    }
    conditions = []
    if removed:
        conditions.append(RevisionParagraph.paragraph_id.in_(sorted(removed)))
    if pairs:
        conditions.append(
            and_(
                Revision.number.in_(sorted({n for n, _pid in pairs})),
                RevisionParagraph.paragraph_id.in_(sorted({p for _n, p in pairs})),
            )
        )
    if not conditions:
        return _Texts({})
    rows = session.execute(
        select(Revision.number, RevisionParagraph)
        .join(Revision, Revision.id == RevisionParagraph.revision_id)
        .where(Revision.draft_id == draft.id, or_(*conditions))
    ).all()
    return _Texts({(number, row.paragraph_id): row for number, row in rows})


# since the reader's last visit


@dataclass(frozen=True)
class NewComment:
    """A comment or reply someone else wrote since the reader's last visit."""

    comment: Comment
    author: str
    paragraph: RevisionParagraph | None
    """Its paragraph in the latest revision; None on the whole draft or removed text."""

    @property
    def words(self) -> str:
        """The paragraph's text as read (what names a heading)."""
        if self.paragraph is None:
            return ""
        return readable(self.paragraph.html) or self.paragraph.source

    @property
    def is_reply(self) -> bool:
        return self.comment.parent_id is not None

    @property
    def thread_id(self) -> int:
        return self.comment.parent_id or self.comment.id


NEW_COMMENTS_SHOWN = 50


def _new_since(draft: Draft, since: datetime, person_id: int):
    return (
        Comment.draft_id == draft.id,
        Comment.created_at > since,
        Comment.author_id != person_id,
        Comment.withdrawn_at.is_(None),
        Comment.hidden_at.is_(None),
    )


def new_comments_since(
    session: Session,
    draft: Draft,
    *,
    since: datetime | None,
    person_id: int,
    limit: int = NEW_COMMENTS_SHOWN,
) -> list[NewComment]:
    """Comments and replies of others written after `since` (none when `since` is None: the
    draft is new to the reader), oldest first, with their paragraph: one query."""
    if since is None:
        return []
    latest = (
        select(Revision.id)
        .where(Revision.draft_id == draft.id, Revision.number == draft.latest_revision_number)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Comment, Person.name, RevisionParagraph)
        .join(Person, Person.id == Comment.author_id)
        .join(
            RevisionParagraph,
            and_(
                RevisionParagraph.revision_id == latest,
                RevisionParagraph.paragraph_id == Comment.paragraph_id,
            ),
            isouter=True,
        )
        .where(*_new_since(draft, since, person_id))
        .order_by(Comment.created_at, Comment.id)
        .limit(limit)
    ).all()
    return [NewComment(comment, author, paragraph) for comment, author, paragraph in rows]


def count_new_comments(
    session: Session, draft: Draft, *, since: datetime | None, person_id: int
) -> int:
    """How many comments and replies of others were written after `since`: one query."""
    if since is None:
        return 0
    return session.execute(
        select(func.count()).select_from(Comment).where(*_new_since(draft, since, person_id))
    ).scalar_one()
