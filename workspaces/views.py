"""Thin handlers for drafts: list, start, read, revise, history, compare, changes, withdraw."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from markupsafe import Markup
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from council import i18n, seats
from council.errors import Invalid, RateLimited
from council.i18n import gettext as _
from council.models import WorkingGroup
from council.permissions import Actor, Sponsored, can
from council.views import permission
from council.web import (
    counting_number,
    reader_copy,
    redirect,
    refuse_control_characters,
    render,
    values,
)
from workspaces import (
    amendment_pages,
    amendments,
    citations,
    comment_pages,
    drafts,
    provenance,
    round_views,
    rounds,
    versions,
)
from workspaces.models import Draft

GROUP_PANEL_LIMIT = 5


def draft_group(request: Request) -> WorkingGroup:
    """What a draft's routes ask permission of: its group (the draft waits in state.draft)."""
    db = request.state.db
    request.state.draft = drafts.get_draft(db, request.path_params["draft_id"])
    return drafts.group_of(db, request.state.draft)


def path_group(request: Request) -> WorkingGroup:
    return seats.get_group(request.state.db, request.path_params["slug"])


def sponsored_draft(request: Request) -> Sponsored:
    """What whole-text revision asks permission of: the draft with its sponsoring seats (the
    draft waits in state.draft)."""
    db = request.state.db
    request.state.draft = drafts.get_draft(db, request.path_params["draft_id"])
    return drafts.sponsored(db, request.state.draft)


def load_draft(request: Request) -> tuple[Draft, WorkingGroup]:
    """The draft of the path and its group, as the permission check loaded them."""
    return request.state.draft, request.state.target


def spoken(html: str) -> Markup:
    """Diff HTML whose insertions and deletions are also announced by screen readers."""

    def hidden(text: str) -> str:
        return f'<span class="visually-hidden">{escape(text)}</span>'

    start_added, start_removed, end = (
        hidden(_("[added] ")),
        hidden(_("[deleted] ")),
        hidden(_(" [end]")),
    )
    return Markup(  # noqa: S704  (diff HTML is built from escaped text; labels are escaped)
        html.replace("<ins>", "<ins>" + start_added)
        .replace("</ins>", end + "</ins>")
        .replace("<del>", "<del>" + start_removed)
        .replace("</del>", end + "</del>")
    )


def _pending_visit(request: Request, draft: Draft) -> drafts.Visit | None:
    """The reader's visit to `draft` noted in this process and not written yet, if any."""
    key = drafts.visit_key(request.state.actor.person, draft)
    return request.app.state.bookkeeping.pending(drafts.VISITS, key)


def _page(request: Request, template: str, context: dict, **kwargs) -> Response:
    """A draft page: the draft's menu offers whole-text revision only to who may do it."""
    shown = context.get("draft") or getattr(context.get("detail"), "draft", None)
    state = request.state
    extra = {
        "spoken": spoken,
        "citations": citations.for_reader(state.db, state.actor, state.council),
    }
    if shown is not None and request.state.actor.signed_in:
        extra["may_revise"] = drafts.may_revise_whole(request.state.db, request.state.actor, shown)
    return render(request, template, {**extra, **context}, **kwargs)


# panels on council pages


def group_panel(session: Session, actor: Actor, group: WorkingGroup, now: datetime) -> dict:
    """The "Drafts" section of the working-group page (two queries, or none if not readable)."""
    if not can(actor, "deliberations.read", group):
        return {"group": group, "readable": False, "drafts": []}
    return {
        "group": group,
        "readable": True,
        "drafts": drafts.list_drafts(session, group, limit=GROUP_PANEL_LIMIT),
    }


def home_panel(session: Session, actor: Actor, group: None, now: datetime) -> dict:
    """ "Drafts you can work on" on the home page (one query)."""
    return {"drafts": drafts.drafts_to_work_on(session, actor)}


# pages


@permission("deliberations.read", target=path_group)
def group_drafts(request: Request) -> Response:
    state = request.state
    group = state.target
    listed = rounds.summaries_as_of(state.db, drafts.list_drafts(state.db, group), state.now)
    return _page(request, "workspaces/group_drafts.html", {"group": group, "drafts": listed})


@permission("draft.write", target=path_group)
def draft_new(request: Request) -> Response:
    state = request.state
    group = state.target
    choices = drafts.sponsor_choices(state.db, group)
    context = {"group": group, "choices": choices, "errors": {}}
    if request.method == "GET":
        own = state.actor.seat.id if state.actor.seat else None
        form = {
            "title": "",
            "purpose": "",
            "text": "",
            "language": i18n.current_language(),
            "sponsor_seat_ids": [seat.id for seat in choices if seat.id == own],
        }
        return _page(request, "workspaces/draft_new.html", {**context, "form": form})
    form = values(state.form, "title", "purpose", "text", "language")
    sponsors = map(counting_number, state.form.getlist("sponsor_seat_ids"))
    form["sponsor_seat_ids"] = [n for n in sponsors if n is not None]
    try:
        refuse_control_characters(form)
        drafts.check_start_rate(state.db, by=state.actor.person, now=state.now)
        draft = drafts.start_draft(
            state.db,
            by=state.actor.person,
            group=group,
            title=form["title"],
            purpose=form["purpose"],
            sponsor_seat_ids=form["sponsor_seat_ids"],
            text=form["text"],
            language=form["language"],
        )
    except Invalid as invalid:
        return _page(
            request,
            "workspaces/draft_new.html",
            {**context, "form": form, "errors": invalid.errors},
            status_code=422,
        )
    except RateLimited as refused:
        return _page(
            request,
            "workspaces/draft_new.html",
            {**context, "form": form, "errors": {"form": refused.message}},
            status_code=refused.status_code,
        )
    return redirect(request, "draft", draft_id=draft.id)


@permission("deliberations.read", target=draft_group)
def draft(request: Request) -> Response:
    """The current text and its comments; opening it notes the visit, which the application
    writes later, outside the request (council.bookkeeping). ?thread=<id> shows that comment
    thread whole, where it belongs."""
    state = request.state
    draft, _group = load_draft(request)
    person = state.actor.person
    visit = drafts.last_visit(
        state.db, person=person, draft=draft, pending=_pending_visit(request, draft)
    )
    request.app.state.bookkeeping.note(
        drafts.VISITS, drafts.visit_key(person, draft), drafts.visit_now(visit, draft, state.now)
    )
    unseen = draft.latest_revision_number - visit.revision_number if visit else 0
    new_comments = comment_pages.count_new_comments(
        state.db, draft, since=visit.seen_at if visit else None, person_id=person.id
    )
    # the moment of the last visit is shown (in a link) only beside what changed since
    last_visit = int(visit.seen_at.timestamp()) if visit and (unseen or new_comments) else None
    news = {"unseen": unseen, "new_comments": new_comments, "last_visit": last_visit}
    return reader_copy(request, lambda: _draft_page(request, draft, news), news)


def _draft_page(request: Request, draft: Draft, news: dict) -> Response:
    state = request.state
    draft = rounds.draft_as_of(state.db, draft, state.now)  # a round past its deadline is over
    round_panel = round_views.draft_panel(request, draft)
    detail = drafts.draft_detail(state.db, draft)
    focus = counting_number(request.query_params.get("thread"))
    context = {
        "detail": detail,
        **news,
        "may_withdraw": drafts.may_withdraw(state.actor, draft, detail.sponsor_ids),
        "comments": comment_pages.draft_comments(
            state.db, draft, detail.revision, detail.paragraphs, focus=focus
        ),
        "viewer": comment_pages.viewer(state.actor, draft, detail.group, state.now),
        "focus": focus,
        "rounds": round_panel,
        "origins": provenance.provenance(state.db, detail.paragraphs),
        "amendment_counts": amendment_pages.open_counts(state.db, draft),
        "may_amend": (
            can(state.actor, "amendment.propose", draft) and draft.status in amendments.OPEN_DRAFT
        ),
        "status_label": amendments.status_label,
        "version_counts": versions.counts(state.db, state.council, draft, detail.paragraphs),
    }
    return _page(request, "workspaces/draft.html", context)


@permission("deliberations.read", target=draft_group)
def draft_revision(request: Request) -> Response:
    draft, _group = load_draft(request)
    detail = drafts.draft_detail(request.state.db, draft, request.path_params["number"])
    return _page(request, "workspaces/draft_revision.html", {"detail": detail})


def _whole_text_refusal() -> str:
    return _(
        "Only the sponsoring seats and the chair may revise the whole text. Propose an "
        "amendment to the paragraphs you want changed: the chair decides it."
    )


@permission("draft.revise_whole", target=sponsored_draft, refusal=_whole_text_refusal)
def draft_revise(request: Request) -> Response:
    """Whole-text revision, for restructuring: the sponsoring seats, the chair and the
    secretariat; other seats propose amendments (the refusal says so)."""
    state = request.state
    draft = state.draft
    group = drafts.group_of(state.db, draft)
    drafts.ensure_revisable(state.db, draft)
    context = {"draft": draft, "group": group, "errors": {}, "conflict": None, "changes": []}
    if request.method == "GET":
        latest = drafts.latest_revision(state.db, draft)
        form = {"text": latest.source, "summary": "", "base_number": latest.number}
        return _page(request, "workspaces/draft_revise.html", {**context, "form": form})
    form = values(state.form, "text", "summary", "base_number")
    try:
        refuse_control_characters(form)
        drafts.revise(
            state.db,
            by=state.actor.person,
            draft=draft,
            base_number=counting_number(form["base_number"]),
            text=form["text"],
            summary=form["summary"],
        )
    except drafts.StaleRevision as stale:
        form["base_number"] = stale.latest.number
        changes = drafts.difference_from(state.db, stale.latest, form["text"])
        return _page(
            request,
            "workspaces/draft_revise.html",
            {**context, "form": form, "conflict": stale, "changes": changes},
            status_code=409,
        )
    except Invalid as invalid:
        return _page(
            request,
            "workspaces/draft_revise.html",
            {**context, "form": form, "errors": invalid.errors},
            status_code=422,
        )
    return redirect(request, "draft", draft_id=draft.id)


@permission("deliberations.read", target=draft_group)
def draft_history(request: Request) -> Response:
    draft, group = load_draft(request)
    return _page(
        request,
        "workspaces/draft_history.html",
        {"draft": draft, "group": group, "entries": drafts.history(request.state.db, draft)},
    )


@permission("deliberations.read", target=draft_group)
def draft_compare(request: Request) -> Response:
    draft, group = load_draft(request)
    query = request.query_params
    comparison = drafts.compare(
        request.state.db,
        draft,
        counting_number(query.get("from")),
        counting_number(query.get("to")),
    )
    form = {"from": comparison.old.number, "to": comparison.new.number}
    return _page(
        request,
        "workspaces/draft_compare.html",
        {"draft": draft, "group": group, "comparison": comparison, "form": form, "errors": {}},
    )


@permission("deliberations.read", target=draft_group)
def draft_changes(request: Request) -> Response:
    """The revisions, comments and replies since the reader's last visit."""
    draft, group = load_draft(request)
    state = request.state
    changes = drafts.changes_since_last_visit(
        state.db, person=state.actor.person, draft=draft, pending=_pending_visit(request, draft)
    )
    since = _since(request.query_params.get("since")) or changes.seen_at
    comments = comment_pages.new_comments_since(
        state.db, draft, since=since, person_id=state.actor.person.id
    )
    return _page(
        request,
        "workspaces/draft_changes.html",
        {"draft": draft, "group": group, "changes": changes, "comments": comments},
    )


def _since(value: str | None) -> datetime | None:
    """?since=<seconds since 1970>: the visit before the one that led here (the draft page's
    link carries it, since opening the draft noted a new visit)."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 11):
        return None
    return datetime.fromtimestamp(int(value), UTC)


@permission("draft.write", target=draft_group)
def draft_withdraw(request: Request) -> Response:
    state = request.state
    draft, group = load_draft(request)
    context = {"draft": draft, "group": group, "errors": {}}
    if request.method == "GET":
        drafts.check_withdrawal(state.db, actor=state.actor, draft=draft)
        return _page(request, "workspaces/draft_withdraw.html", {**context, "form": {}})
    form = values(state.form, "reason")
    try:
        refuse_control_characters(form)
        drafts.withdraw(
            state.db,
            by=state.actor.person,
            draft=draft,
            reason=form["reason"],
            now=state.now,
            actor=state.actor,
        )
    except Invalid as invalid:
        return _page(
            request,
            "workspaces/draft_withdraw.html",
            {**context, "form": form, "errors": invalid.errors},
            status_code=422,
        )
    return redirect(request, "draft", draft_id=draft.id)
