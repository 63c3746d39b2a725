"""Comments on drafts, the acts: post a thread on a paragraph (by stable id) or on the whole
draft, reply, the author's edit window and withdrawal, the chair's moderation (hide, restore,
resolve, reopen), and @mentions. What pages read of them is in comment_pages.

A comment records the revision being read when it was written. Replies point to the root of
their thread and repeat its anchor, so counting per paragraph is one grouped query.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from html import escape, unescape

from sqlalchemy import func, or_, select, update
from sqlmodel import Session

from council import audit, live
from council.database import serialise, utcnow
from council.errors import Conflict, Invalid, NotAllowed, NotFound, RateLimited
from council.i18n import format_number
from council.i18n import gettext as _
from council.models import Person, Seat, SeatKind, WorkingGroup, WorkingGroupSeat
from council.text import control_message, has_control
from workspaces import drafts, notices, rounds
from workspaces.amendment_models import AmendmentComment
from workspaces.markdown import render_markdown
from workspaces.models import Comment, Draft, DraftStatus, Revision, RevisionParagraph

MAX_BODY = 10_000
MAX_REASON = 500
EDIT_WINDOW = timedelta(minutes=15)
RATE_LIMIT = 10
RATE_WINDOW = timedelta(minutes=1)
"""At most RATE_LIMIT comments and replies per person per RATE_WINDOW, counted in the table
itself, so every worker sees the same count."""
PERSON_PATH = "/people/{id}"
"""Where a mention links to (the `person` route); stored in the comment's HTML."""

_COMMENTABLE = (DraftStatus.DRAFTING, DraftStatus.IN_ROUND, DraftStatus.NOT_ADOPTED)
_MENTION = re.compile(r"@\[([^\[\]\n<>]{1,200})\]")
_TAG = re.compile(r"(<[^>]*>)")
_NO_MENTIONS_INSIDE = frozenset({"a", "code", "pre"})


class EditWindowClosed(Conflict):
    title = "This comment can no longer be edited"


def _announce(session: Session, comment: Comment) -> None:
    """Open draft pages refresh the comments of this comment's paragraph (or of the whole
    draft: comment_pages.WHOLE_DRAFT) once the act commits (council.live)."""
    live.publish(
        session,
        live.topic("draft", comment.draft_id),
        f"comments-{comment.paragraph_id or 'draft'}",
    )


# rules


def refusal(comment: Comment | None, draft: Draft, *, withdrawn_ok: bool = False) -> str | None:
    """Why `comment` (or, when None, the draft's comments) can no longer change; None if it can."""
    if draft.status not in _COMMENTABLE:
        return _("This draft is closed: its comments can no longer change.")
    if comment is not None and comment.withdrawn_at is not None and not withdrawn_ok:
        return _("This comment was withdrawn by its author.")
    if comment is not None and rounds.comment_sealed(comment):
        return _("This comment was made in a comment round that has closed: it is sealed.")
    return None


def _ensure_open(comment: Comment | None, draft: Draft, *, withdrawn_ok: bool = False) -> None:
    """Refuse to change `comment` (or to reply to it, or to add a comment when it is None).

    The one place that decides whether comments can still change: a closed draft (adopted,
    withdrawn), a withdrawn comment, and a comment of a comment round that has closed, which is
    sealed (no edits, no new replies): `refusal`, which the buttons ask too (through
    comment_pages.Viewer).
    """
    message = refusal(comment, draft, withdrawn_ok=withdrawn_ok)
    if message:
        raise Conflict(message)


def editable_until(comment: Comment) -> datetime:
    return comment.created_at + EDIT_WINDOW


def get_comment(session: Session, comment_id: int) -> Comment:
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound()
    return comment


def root_of(session: Session, comment: Comment) -> Comment:
    return comment if comment.parent_id is None else get_comment(session, comment.parent_id)


# writing: the checks (also asked before showing a form), then the acts


def check_reply(root: Comment, draft: Draft) -> None:
    _ensure_open(root, draft)


def check_edit(comment: Comment, draft: Draft, *, by: Person, now: datetime) -> None:
    _ensure_open(comment, draft)
    if comment.author_id != by.id:
        raise NotAllowed(_("Only its author may edit a comment."))
    if comment.hidden_at is not None:
        raise Conflict(_("The chair hid this comment, so it can no longer be edited."))
    if now >= editable_until(comment):
        raise EditWindowClosed(
            _(
                "A comment can be edited for %(minutes)s minutes after posting, and that time is "
                "over. You can add what you wanted to say as a reply instead.",
                minutes=int(EDIT_WINDOW.total_seconds() // 60),
            )
        )


def check_withdraw(comment: Comment, draft: Draft, *, by: Person) -> None:
    _ensure_open(comment, draft)
    if comment.author_id != by.id:
        raise NotAllowed(_("Only its author may withdraw a comment."))


def check_hide(comment: Comment) -> None:
    if comment.withdrawn_at is not None:
        raise Conflict(_("This comment was withdrawn by its author."))
    if comment.hidden_at is not None:
        raise Conflict(_("This comment is already hidden."))


def post_comment(
    session: Session,
    *,
    by: Person,
    draft: Draft,
    body: str,
    paragraph_id: str | None,
    revision_number: int | None,
    now: datetime | None = None,
) -> Comment:
    """A new thread on a paragraph of the revision being read (the latest when not given or
    unknown), or on the whole draft when `paragraph_id` is None."""
    now = now or utcnow()
    _ensure_open(None, draft)
    body = checked_body(body)
    number = (
        revision_number
        if revision_number in range(1, draft.latest_revision_number + 1)
        else draft.latest_revision_number
    )
    if paragraph_id is not None and not _paragraph_exists(session, draft, number, paragraph_id):
        raise NotFound(
            _("This paragraph is not in revision %(number)s of the draft.", number=number)
        )
    check_rate(session, by, now)
    return _add(
        session,
        by=by,
        draft=draft,
        body=body,
        paragraph_id=paragraph_id,
        parent_id=None,
        revision_number=number,
        now=now,
    )


def reply(
    session: Session,
    *,
    by: Person,
    to: Comment,
    body: str,
    revision_number: int | None,
    now: datetime | None = None,
) -> Comment:
    """A reply in the thread of `to` (a reply to a reply joins the same thread)."""
    now = now or utcnow()
    root = root_of(session, to)
    draft = session.get(Draft, root.draft_id)
    check_reply(root, draft)
    body = checked_body(body)
    number = (
        revision_number
        if revision_number in range(1, draft.latest_revision_number + 1)
        else draft.latest_revision_number
    )
    check_rate(session, by, now)
    return _add(
        session,
        by=by,
        draft=draft,
        body=body,
        paragraph_id=root.paragraph_id,
        parent_id=root.id,
        revision_number=number,
        now=now,
    )


def edit_comment(
    session: Session, *, by: Person, comment: Comment, body: str, now: datetime | None = None
) -> Comment:
    """The author rewrites their comment within EDIT_WINDOW of posting it; the edit is marked."""
    now = now or utcnow()
    draft = session.get(Draft, comment.draft_id)
    check_edit(comment, draft, by=by, now=now)
    body = checked_body(body)
    if body != comment.body_source:
        mentioned: set[int] = set()
        comment.body_source = body
        comment.body_html = render_body(session, draft, body, mentioned)
        comment.edited_at = now
        session.add(comment)
        session.flush()
        audit.record(
            session,
            by=by,
            action="comment.edited",
            target=comment,
            draft=draft.id,
            body_sha256=audit.fingerprint(body),
        )
        _announce(session, comment)
        notices.comment_edited(
            session, comment=comment, draft=draft, by=by, mentioned=mentioned, now=now
        )
    return comment


def withdraw_comment(
    session: Session, *, by: Person, comment: Comment, now: datetime | None = None
) -> Comment:
    """The author takes their comment back: it reads "withdrawn by its author"; replies stay."""
    now = now or utcnow()
    draft = session.get(Draft, comment.draft_id)
    check_withdraw(comment, draft, by=by)
    comment.withdrawn_at = now
    session.add(comment)
    session.execute(
        update(Draft).where(Draft.id == draft.id).values(comment_count=Draft.comment_count - 1)
    )
    session.flush()
    audit.record(
        session,
        by=by,
        action="comment.withdrawn",
        target=comment,
        draft=draft.id,
        paragraph=comment.paragraph_id,
    )
    _announce(session, comment)
    return comment


def hide_comment(
    session: Session, *, by: Person, comment: Comment, reason: str, now: datetime | None = None
) -> Comment:
    """Moderation (the caller checked comment.moderate): hidden with a reason, never deleted;
    the author still sees the text."""
    now = now or utcnow()
    reason = " ".join(reason.split())
    check_hide(comment)
    errors: dict[str, str] = {}
    drafts.check_line(
        errors,
        "reason",
        reason,
        MAX_REASON,
        required=True,
        missing=_(
            "Give the reason for hiding the comment: its author and the other members will read it."
        ),
    )
    if errors:
        raise Invalid(errors)
    comment.hidden_at, comment.hidden_by_id, comment.hidden_reason = now, by.id, reason
    session.add(comment)
    session.flush()
    audit.record(
        session,
        by=by,
        action="comment.hidden",
        target=comment,
        reason=reason,
        draft=comment.draft_id,
        author=comment.author_id,
    )
    _announce(session, comment)
    return comment


def restore_comment(session: Session, *, by: Person, comment: Comment) -> Comment:
    if comment.hidden_at is None:
        raise Conflict(_("This comment is not hidden."))
    reason = comment.hidden_reason
    comment.hidden_at, comment.hidden_by_id, comment.hidden_reason = None, None, ""
    session.add(comment)
    session.flush()
    audit.record(
        session,
        by=by,
        action="comment.restored",
        target=comment,
        draft=comment.draft_id,
        hidden_reason=reason,
    )
    _announce(session, comment)
    return comment


def resolve_thread(
    session: Session, *, by: Person, comment: Comment, now: datetime | None = None
) -> Comment:
    """Mark the thread of `comment` resolved (the caller checked comment.moderate)."""
    now = now or utcnow()
    root = root_of(session, comment)
    _ensure_open(root, session.get(Draft, root.draft_id), withdrawn_ok=True)
    if root.resolved_at is not None:
        raise Conflict(_("This thread is already resolved."))
    root.resolved_at, root.resolved_by_id = now, by.id
    session.add(root)
    session.flush()
    audit.record(session, by=by, action="comment.resolved", target=root, draft=root.draft_id)
    _announce(session, root)
    return root


def reopen_thread(session: Session, *, by: Person, comment: Comment) -> Comment:
    root = root_of(session, comment)
    _ensure_open(root, session.get(Draft, root.draft_id), withdrawn_ok=True)
    if root.resolved_at is None:
        raise Conflict(_("This thread is open."))
    root.resolved_at, root.resolved_by_id = None, None
    session.add(root)
    session.flush()
    audit.record(session, by=by, action="comment.reopened", target=root, draft=root.draft_id)
    _announce(session, root)
    return root


def _add(
    session: Session,
    *,
    by: Person,
    draft: Draft,
    body: str,
    paragraph_id: str | None,
    parent_id: int | None,
    revision_number: int,
    now: datetime,
) -> Comment:
    mentioned: set[int] = set()
    comment = Comment(
        draft_id=draft.id,
        revision_number=revision_number,
        paragraph_id=paragraph_id,
        parent_id=parent_id,
        author_id=by.id,
        body_source=body,
        body_html=render_body(session, draft, body, mentioned),
        created_at=now,
        round_id=rounds.comment_round_id(session, draft, now),
    )
    session.add(comment)
    # one UPDATE with the increment in SQL: two people posting at once both count
    session.execute(
        update(Draft).where(Draft.id == draft.id).values(comment_count=Draft.comment_count + 1)
    )
    session.flush()
    audit.record(
        session,
        by=by,
        action="comment.posted",
        target=comment,
        draft=draft.id,
        reply_to=parent_id,
        body_sha256=audit.fingerprint(body),
    )
    _announce(session, comment)
    notices.comment_posted(
        session, comment=comment, draft=draft, by=by, mentioned=mentioned, now=now
    )
    return comment


def checked_body(body: str) -> str:
    body = drafts.normalise(body)
    if drafts.UNREADABLE.search(body):
        raise Invalid({"body": drafts.unreadable_message()})
    if has_control(body):
        raise Invalid({"body": control_message()})
    if not body:
        raise Invalid({"body": _("The comment is empty. Write it before posting.")})
    if len(body) > MAX_BODY:
        raise Invalid(
            {
                "body": _(
                    "A comment has at most %(limit)s characters; this one has %(count)s. "
                    "Shorten it, or split it into several comments.",
                    limit=format_number(MAX_BODY),
                    count=format_number(len(body)),
                )
            }
        )
    return body


def check_rate(session: Session, by: Person, now: datetime) -> None:
    """Comments on drafts and on amendments count together."""
    serialise(session, f"comments:{by.id}")  # held until the comment is committed
    since = now - RATE_WINDOW
    recent = (
        session.execute(
            select(func.count())
            .select_from(Comment)
            .where(Comment.author_id == by.id, Comment.created_at > since)
        ).scalar_one()
        + session.execute(
            select(func.count())
            .select_from(AmendmentComment)
            .where(AmendmentComment.author_id == by.id, AmendmentComment.created_at > since)
        ).scalar_one()
    )
    if recent >= RATE_LIMIT:
        raise RateLimited(
            _(
                "You have posted %(limit)s comments in the last minute, the most allowed. "
                "Your text is kept below: post it again in a minute.",
                limit=RATE_LIMIT,
            )
        )


def _paragraph_exists(session: Session, draft: Draft, number: int, paragraph_id: str) -> bool:
    return (
        session.execute(
            select(RevisionParagraph.position)
            .join(Revision, Revision.id == RevisionParagraph.revision_id)
            .where(
                Revision.draft_id == draft.id,
                Revision.number == number,
                RevisionParagraph.paragraph_id == paragraph_id,
            )
        ).first()
        is not None
    )


# mentions


def render_body(
    session: Session, draft: Draft, body: str, mentioned: set[int] | None = None
) -> str:
    """Markdown through the drafts' sanitising pipeline, then @[Full Name] mentions of people
    who can read the draft turned into links (resolved now, stored with the comment); the ids
    of the people mentioned are added to `mentioned`."""
    html = render_markdown(body)
    if not _MENTION.search(html):
        return html
    group = session.get(WorkingGroup, draft.working_group_id)
    return link_mentions(html, readers(session, group), mentioned)


def readers(session: Session, group: WorkingGroup) -> list[Person]:
    """Active people who can read the group's deliberations: its seats (observers too when the
    group opens its deliberations to them) and the secretariat."""
    kinds = [SeatKind.MEMBER_STATE, SeatKind.PARTICIPANT]
    if group.observers_read_deliberations:
        kinds.append(SeatKind.OBSERVER)
    sitting = (
        select(WorkingGroupSeat.seat_id)
        .join(Seat, Seat.id == WorkingGroupSeat.seat_id)
        .where(WorkingGroupSeat.working_group_id == group.id, Seat.kind.in_(kinds))
    )
    return list(
        session.execute(
            select(Person)
            .where(Person.is_active, or_(Person.is_secretariat, Person.seat_id.in_(sitting)))
            .order_by(Person.name, Person.id)
        )
        .scalars()
        .all()
    )


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def link_mentions(html: str, people: Iterable[Person], mentioned: set[int] | None = None) -> str:
    """Link each @[Full Name] of sanitised HTML that names exactly one of `people`; names
    that match nobody, or several people, stay text. Code and existing links are left alone.
    The ids of the people linked are added to `mentioned`, when given."""
    by_name: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        by_name[_key(person.name)].append(person)

    def link(match: re.Match) -> str:
        found = by_name.get(_key(unescape(match.group(1))), [])
        if len(found) != 1:
            return match.group(0)
        person = found[0]
        if mentioned is not None:
            mentioned.add(person.id)
        return (
            f'<a href="{PERSON_PATH.format(id=person.id)}" class="mention">'
            f"@{escape(person.name)}</a>"
        )

    pieces = _TAG.split(html)
    inside: list[str] = []
    for index, piece in enumerate(pieces):
        if index % 2:  # a tag
            name = piece.strip("</>").split()[0].lower() if piece.strip("</>") else ""
            if name in _NO_MENTIONS_INSIDE:
                if piece.startswith("</"):
                    if name in inside:
                        inside.remove(name)
                else:
                    inside.append(name)
        elif not inside and "@[" in piece:
            pieces[index] = _MENTION.sub(link, piece)
    return "".join(pieces)
