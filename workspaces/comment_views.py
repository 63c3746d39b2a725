"""Thin handlers for comments: a paragraph's threads, one thread, posting and replying, the
author's edit and withdrawal, the chair's moderation, and the page a mention links to.

Each write answers an htmx request with the region it changed (`_comments.html` for a new
thread, `_comment_thread.html` otherwise) and a plain browser with a redirect back to the
thread on the draft page; a refused write comes back with the form filled in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from council import seats
from council.errors import Conflict, Invalid
from council.models import WorkingGroup
from council.views import permission
from council.web import (
    counting_number,
    is_htmx,
    reader_copy,
    refuse_control_characters,
    render,
    values,
)
from workspaces import comment_pages, comments, drafts, views
from workspaces.comments import RateLimited
from workspaces.models import Comment, Draft


@dataclass(frozen=True)
class OpenForm:
    """A form opened inside a thread: reply, edit, hide or withdraw, on one comment."""

    kind: str
    comment_id: int
    form: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)


def comment_group(request: Request) -> WorkingGroup:
    """What a comment's routes ask permission of: its draft's group (the comment and the
    draft wait in request.state)."""
    state = request.state
    state.comment = comments.get_comment(state.db, request.path_params["comment_id"])
    state.draft = drafts.get_draft(state.db, state.comment.draft_id)
    return drafts.group_of(state.db, state.draft)


def _comment(request: Request) -> tuple[Comment, Comment, Draft, WorkingGroup]:
    """The comment of the path, the root of its thread, its draft and group, as the
    permission check loaded them."""
    state = request.state
    return state.comment, comments.root_of(state.db, state.comment), state.draft, state.target


def _viewer(request: Request, draft: Draft, group: WorkingGroup) -> comment_pages.Viewer:
    return comment_pages.viewer(request.state.actor, draft, group, request.state.now)


def _region_page(
    request: Request,
    draft: Draft,
    group: WorkingGroup,
    anchor: str,
    *,
    page: int = 1,
    form: dict | None = None,
    errors: dict | None = None,
    autofocus: bool = False,
    landed: int | None = None,
    status_code: int = 200,
) -> Response:
    db = request.state.db
    region = comment_pages.region(db, draft, drafts.latest_revision(db, draft), anchor, page=page)
    context = {
        "draft": draft,
        "group": group,
        "region": region,
        "viewer": _viewer(request, draft, group),
        "form": form or {"body": ""},
        "errors": errors or {},
        "autofocus": autofocus,
        "landed": landed,
    }
    return render(
        request,
        "workspaces/draft_comments.html",
        context,
        status_code=status_code,
        fragment="workspaces/_comments.html",
    )


def _thread_page(
    request: Request,
    draft: Draft,
    group: WorkingGroup,
    root: Comment,
    *,
    open_form: OpenForm | None = None,
    landed: int | None = None,
    status_code: int = 200,
) -> Response:
    db = request.state.db
    region = comment_pages.thread(db, draft, drafts.latest_revision(db, draft), root)
    context = {
        "draft": draft,
        "group": group,
        "region": region,
        "thread": region.threads[0],
        "viewer": _viewer(request, draft, group),
        "open_form": open_form,
        "landed": landed,
    }
    return render(
        request,
        "workspaces/comment.html",
        context,
        status_code=status_code,
        fragment="workspaces/_comment_thread.html",
    )


def _done(
    request: Request, draft: Draft, group: WorkingGroup, root: Comment, comment: Comment
) -> Response:
    """After a write: the updated thread for htmx (the cursor on the comment acted on), else
    back to it on the draft page."""
    if is_htmx(request):
        return _thread_page(request, draft, group, root, landed=comment.id)
    return _back_to_thread(request, draft, root, comment)


def _back_to_thread(request: Request, draft: Draft, root: Comment, comment: Comment) -> Response:
    url = str(request.url_for("draft", draft_id=draft.id))
    return RedirectResponse(f"{url}?thread={root.id}#comment-{comment.id}", status_code=303)


def _refused_errors(refused: Invalid | RateLimited | Conflict, field_name: str) -> dict:
    return refused.errors if isinstance(refused, Invalid) else {field_name: refused.message}


# reading


@permission("deliberations.read", target=views.draft_group)
def draft_comments(request: Request) -> Response:
    """All the threads on one paragraph (?on=<paragraph id>) or on the whole draft, by pages;
    ?write=1 puts the cursor in the comment form."""
    query = request.query_params

    def page() -> Response:
        draft, group = views.load_draft(request)
        return _region_page(
            request,
            draft,
            group,
            query.get("on") or comment_pages.WHOLE_DRAFT,
            page=counting_number(query.get("page")) or 1,
            autofocus=query.get("write") == "1",
        )

    return reader_copy(request, page)


@permission("deliberations.read", target=comment_group)
def comment(request: Request) -> Response:
    """A whole thread: the permalink of its comments and the "earlier replies" link."""
    _target, root, draft, group = _comment(request)
    return _thread_page(request, draft, group, root)


@permission("council.read")
def person(request: Request) -> Response:
    """The small page a mention links to: who the person is and where they take part."""
    db = request.state.db
    found = seats.get_person(db, request.path_params["person_id"])
    seat = seats.get_seat(db, found.seat_id) if found.seat_id else None
    groups = seats.seat_groups(db, seat) if seat else []
    return render(
        request, "workspaces/person.html", {"person": found, "seat": seat, "groups": groups}
    )


# writing


@permission("comment.write", target=views.draft_group)
def comment_post(request: Request) -> Response:
    state = request.state
    draft, group = views.load_draft(request)
    form = values(state.form, "body", "paragraph_id", "revision_number")
    paragraph_id = form["paragraph_id"] or None
    anchor = paragraph_id or comment_pages.WHOLE_DRAFT
    try:
        refuse_control_characters(form)
        created = comments.post_comment(
            state.db,
            by=state.actor.person,
            draft=draft,
            body=form["body"],
            paragraph_id=paragraph_id,
            revision_number=counting_number(form["revision_number"]),
            now=state.now,
        )
    except (Invalid, RateLimited) as refused:
        return _region_page(
            request,
            draft,
            group,
            anchor,
            form=form,
            errors=_refused_errors(refused, "body"),
            status_code=refused.status_code,
        )
    if is_htmx(request):
        return _region_page(request, draft, group, anchor, landed=created.id)
    return _back_to_thread(request, draft, created, created)


@permission("comment.write", target=comment_group)
def comment_reply(request: Request) -> Response:
    state = request.state
    _to, root, draft, group = _comment(request)
    if request.method == "GET":
        comments.check_reply(root, draft)
        return _thread_page(
            request,
            draft,
            group,
            root,
            open_form=OpenForm(
                "reply", root.id, {"body": "", "revision_number": draft.latest_revision_number}
            ),
        )
    form = values(state.form, "body", "revision_number")
    try:
        refuse_control_characters(form)
        created = comments.reply(
            state.db,
            by=state.actor.person,
            to=root,
            body=form["body"],
            revision_number=counting_number(form["revision_number"]),
            now=state.now,
        )
    except (Invalid, RateLimited) as refused:
        return _thread_page(
            request,
            draft,
            group,
            root,
            status_code=refused.status_code,
            open_form=OpenForm("reply", root.id, form, _refused_errors(refused, "body")),
        )
    return _done(request, draft, group, root, created)


@permission("comment.write", target=comment_group)
def comment_edit(request: Request) -> Response:
    state = request.state
    target, root, draft, group = _comment(request)
    if request.method == "GET":
        comments.check_edit(target, draft, by=state.actor.person, now=state.now)
        return _thread_page(
            request,
            draft,
            group,
            root,
            open_form=OpenForm("edit", target.id, {"body": target.body_source}),
        )
    form = values(state.form, "body")
    try:
        refuse_control_characters(form)
        comments.edit_comment(
            state.db, by=state.actor.person, comment=target, body=form["body"], now=state.now
        )
    except (Invalid, comments.EditWindowClosed) as refused:
        return _thread_page(
            request,
            draft,
            group,
            root,
            status_code=refused.status_code,
            open_form=OpenForm("edit", target.id, form, _refused_errors(refused, "body")),
        )
    return _done(request, draft, group, root, target)


@permission("comment.write", target=comment_group)
def comment_withdraw(request: Request) -> Response:
    state = request.state
    target, root, draft, group = _comment(request)
    if request.method == "GET":
        comments.check_withdraw(target, draft, by=state.actor.person)
        return _thread_page(request, draft, group, root, open_form=OpenForm("withdraw", target.id))
    comments.withdraw_comment(state.db, by=state.actor.person, comment=target, now=state.now)
    return _done(request, draft, group, root, target)


@permission("comment.moderate", target=comment_group)
def comment_hide(request: Request) -> Response:
    state = request.state
    target, root, draft, group = _comment(request)
    if request.method == "GET":
        comments.check_hide(target)
        return _thread_page(
            request, draft, group, root, open_form=OpenForm("hide", target.id, {"reason": ""})
        )
    form = values(state.form, "reason")
    try:
        refuse_control_characters(form)
        comments.hide_comment(
            state.db, by=state.actor.person, comment=target, reason=form["reason"], now=state.now
        )
    except Invalid as invalid:
        return _thread_page(
            request,
            draft,
            group,
            root,
            status_code=422,
            open_form=OpenForm("hide", target.id, form, invalid.errors),
        )
    return _done(request, draft, group, root, target)


@permission("comment.moderate", target=comment_group)
def comment_restore(request: Request) -> Response:
    state = request.state
    target, root, draft, group = _comment(request)
    comments.restore_comment(state.db, by=state.actor.person, comment=target)
    return _done(request, draft, group, root, target)


@permission("comment.moderate", target=comment_group)
def comment_resolve(request: Request) -> Response:
    state = request.state
    target, root, draft, group = _comment(request)
    comments.resolve_thread(state.db, by=state.actor.person, comment=target, now=state.now)
    return _done(request, draft, group, root, root)


@permission("comment.moderate", target=comment_group)
def comment_reopen(request: Request) -> Response:
    state = request.state
    target, root, draft, group = _comment(request)
    comments.reopen_thread(state.db, by=state.actor.person, comment=target)
    return _done(request, draft, group, root, root)
