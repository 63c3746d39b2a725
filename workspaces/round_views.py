"""Thin handlers for rounds: open, the round page, positions, statements, extend, close."""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from council import dates, i18n
from council.errors import Conflict, Invalid
from council.models import WorkingGroup
from council.permissions import Actor, can
from council.views import permission
from council.web import (
    checked,
    reader_copy,
    redirect,
    refuse_control_characters,
    render,
    values,
)
from workspaces import citations, drafts, recommendations, rounds, statements, versions
from workspaces.models import Draft, DraftStatus
from workspaces.round_models import Round, RoundKind

HOME_PANEL_LIMIT = 8


def _found(request: Request) -> None:
    state = request.state
    state.round = rounds.get_round(state.db, request.path_params["round_id"])
    state.draft = drafts.get_draft(state.db, state.round.draft_id)
    state.group = drafts.group_of(state.db, state.draft)


def round_group(request: Request) -> WorkingGroup:
    """What reading a round asks permission of: its group."""
    _found(request)
    return request.state.group


def round_draft(request: Request) -> Draft:
    """What acts in a round ask permission of: its draft, where a chair's recusal applies."""
    _found(request)
    return request.state.draft


def path_draft(request: Request) -> Draft:
    return drafts.get_draft(request.state.db, request.path_params["draft_id"])


def _load(request: Request) -> tuple[Round, Draft, WorkingGroup]:
    """The round of the path, its draft and group, as the permission check loaded them.

    A round past its deadline whose close is not stored yet: a GET reads it closed (a copy,
    nothing written); a POST stores the close first, in its own transaction, and the objects
    above reload closed. A POST that is then refused (409) rolls it back with the rest: the
    worker stores it."""
    state = request.state
    round_, draft, group = state.round, state.draft, state.group
    if rounds.past_deadline(round_, state.now):
        if request.method == "GET":
            round_ = rounds.as_of(state.db, round_, state.now)
        else:
            rounds.settle_expired(state.db, draft=draft)
    return round_, draft, group


# panels and the draft page


def home_panel(session: Session, actor: Actor, group: None, now: datetime) -> dict:
    """ "Open rounds" on the home page: two queries (the rounds, then their answer counts)."""
    found = rounds.open_rounds_for(session, actor, now, limit=HOME_PANEL_LIMIT)
    counts = rounds.open_round_counts(
        session, [item.round.id for item in found if item.round.kind == RoundKind.DECISION]
    )
    return {"rounds": found, "counts": counts}


def draft_panel(request: Request, draft: Draft) -> dict:
    """The draft page's open round and past rounds, as the clock leaves them (one query, and
    a few more for a round past its deadline whose close is not stored yet). `draft` is the
    draft as it reads now (rounds.draft_as_of)."""
    state = request.state
    found = [rounds.as_of(state.db, r, state.now) for r in rounds.draft_rounds(state.db, draft)]
    current = next((r for r in found if r.closed_at is None), None)
    return {
        "open": current,
        "past": [r for r in found if r.closed_at is not None],
        "may_open": (
            can(state.actor, "round.manage", draft)
            and draft.status in (DraftStatus.DRAFTING, DraftStatus.NOT_ADOPTED)
        ),
        "frozen": current is not None and current.kind == RoundKind.DECISION,
        "outcome_label": rounds.outcome_label,
        "recommendation": (
            recommendations.of_draft(state.db, draft)
            if draft.status == DraftStatus.ADOPTED
            else None
        ),
    }


# pages


def _page(request: Request, template: str, context: dict, **kwargs) -> Response:
    state = request.state
    return render(
        request,
        template,
        {
            "choice_label": rounds.choice_label,
            "outcome_label": rounds.outcome_label,
            "citations": citations.for_reader(state.db, state.actor, state.council),
            **context,
        },
        **kwargs,
    )


@permission("round.manage", target=path_draft)
def round_open(request: Request) -> Response:
    state = request.state
    draft = state.target
    group = drafts.group_of(state.db, draft)
    person = state.actor.person
    revision = drafts.latest_revision(state.db, draft)
    lacking = [
        gap
        for gap in versions.gaps(
            state.db, state.council, draft, drafts.paragraphs(state.db, revision)
        )
        if gap
    ]
    context = {
        "draft": draft,
        "group": group,
        "errors": {},
        "revision": revision,
        "lacking": lacking,
    }
    if request.method == "GET":
        current = rounds.open_round_of(state.db, draft)
        if current is not None and rounds.accepting(current, state.now):
            return redirect(request, "round", round_id=current.id)
        form = {
            "kind": RoundKind.DECISION.value,
            "note": "",
            "tally_visible": False,
            "deadline": rounds.deadline_input(
                rounds.default_deadline(state.now, person.timezone), person.timezone
            ),
        }
        return _page(request, "workspaces/round_new.html", {**context, "form": form})
    form = values(state.form, "kind", "deadline", "note")
    form["tally_visible"] = checked(state.form, "tally_visible")
    try:
        refuse_control_characters(form)
        opened = rounds.open_round(
            state.db,
            by=person,
            draft=draft,
            kind=form["kind"],
            deadline=form["deadline"],
            note=form["note"],
            tally_visible=form["tally_visible"],
        )
    except Invalid as invalid:
        return _page(
            request,
            "workspaces/round_new.html",
            {**context, "form": form, "errors": invalid.errors},
            status_code=422,
        )
    except versions.VersionsIncomplete as refused:
        return _page(
            request,
            "workspaces/round_new.html",
            {**context, "form": form, "errors": {"kind": refused.message}},
            status_code=409,
        )
    return redirect(request, "round", round_id=opened.id)


def _round_page(
    request: Request,
    round_: Round,
    *,
    form: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
    fragment: str | None = None,
) -> Response:
    state = request.state
    page = rounds.round_page(state.db, round_, actor=state.actor)
    accepting = rounds.accepting(round_, state.now)
    decision = round_.kind == RoundKind.DECISION
    if form is None:
        own = page.own
        form = {
            "choice": own.choice if own else "",
            "reservation": own.text if own and own.choice == "support_with_reservation" else "",
            "reason": own.text if own and own.choice == "object" else "",
            "paragraph_ids": own.paragraph_ids if own else [],
        }
    texts = versions.readable_texts(state.db, state.council, page.draft, page.paragraphs)
    shown = request.query_params.get("text") or i18n.current_language()
    shown = shown if shown in texts else page.draft.language
    context = {
        "page": page,
        "texts": list(texts),
        "text_language": shown,
        "text_paragraphs": texts[shown],
        "form": form,
        "errors": errors or {},
        "may_cast": accepting and decision and can(state.actor, "position.cast", page.draft),
        "may_state": accepting and decision and can(state.actor, "statement.submit", page.draft),
        "may_manage": can(state.actor, "round.manage", page.draft),
        "accepting": accepting,
        "chair_timezone": (
            dates.chair_timezone(state.db, page.group.id, state.now) if page.is_open else None
        ),
        "recommendation": (
            recommendations.of_draft(state.db, page.draft) if round_.outcome == "adopted" else None
        ),
        **_statement_context(request, round_, page.draft),
    }
    return _page(
        request, "workspaces/round.html", context, status_code=status_code, fragment=fragment
    )


def _statement_context(request: Request, round_: Round, draft: Draft) -> dict:
    """What the round page says of the chair's statement: whether it may still be given or
    completed and until when, whether it is published (or may be)."""
    state = request.state
    days = request.app.state.settings.chair_statement_days
    published = (
        statements.of_round(state.db, round_)
        if round_.closed_at is not None and round_.outcome in statements.PUBLISHABLE
        else None
    )
    return {
        "may_add_statement": rounds.may_add_chair_statement(
            round_, state.now, days=days, published=published is not None
        ),
        "statement_until": rounds.chair_statement_until(round_, days=days),
        "published_statement": published,
        "may_publish_statement": (
            statements.may_publish(round_, published)
            and can(state.actor, "statement.publish", draft)
        ),
    }


@permission("deliberations.read", target=round_group)
def round_page(request: Request) -> Response:
    return reader_copy(request, lambda: _round_page(request, _load(request)[0]))


@permission("position.cast", target=round_draft)
def position_cast(request: Request) -> Response:
    state = request.state
    round_, _draft, _group = _load(request)
    form = values(state.form, "choice", "reservation", "reason")
    form["paragraph_ids"] = [str(v) for v in state.form.getlist("paragraph_ids")]
    try:
        refuse_control_characters(form)
        rounds.cast_position(
            state.db,
            round_,
            by=state.actor.person,
            seat=state.actor.seat,
            form=rounds.PositionForm(**form),
        )
    except Invalid as invalid:
        return _round_page(
            request,
            round_,
            form=form,
            errors=invalid.errors,
            status_code=422,
            fragment="workspaces/_round_position.html",
        )
    # no "#your-position": htmx would only scroll, not reload, when already on that address
    return redirect(request, "round", round_id=round_.id)


@permission("statement.submit", target=round_draft)
def statement_submit(request: Request) -> Response:
    state = request.state
    round_, draft, group = _load(request)

    def page(form: dict | None, errors: dict, status_code: int = 200) -> Response:
        """The form, built only when it is shown (not for a statement that is saved)."""
        own = rounds.own_statement(state.db, round_, state.actor.seat)
        paragraphs = None  # the text only for who may read the group's drafts
        if can(state.actor, "deliberations.read", group):
            revision = drafts.revision(state.db, draft, round_.revision_number)
            paragraphs = drafts.paragraphs(state.db, revision)
        context = {
            "round": round_,
            "draft": draft,
            "group": group,
            "errors": errors,
            "paragraphs": paragraphs,
            "own": own,
            "accepting": rounds.accepting(round_, state.now),
            "form": form if form is not None else {"text": own.text if own else ""},
        }
        return _page(request, "workspaces/round_statement.html", context, status_code=status_code)

    if request.method == "GET":
        return page(None, {})
    form = values(state.form, "text")
    try:
        refuse_control_characters(form)
        rounds.submit_statement(
            state.db, round_, by=state.actor.person, seat=state.actor.seat, text=form["text"]
        )
    except Invalid as invalid:
        return page(form, invalid.errors, status_code=422)
    if can(state.actor, "deliberations.read", group):
        return redirect(request, "round", round_id=round_.id, fragment="statements")
    return redirect(request, "statement_submit", round_id=round_.id)


@permission("round.manage", target=round_draft)
def round_extend(request: Request) -> Response:
    state = request.state
    round_, draft, group = _load(request)
    person = state.actor.person
    context = {
        "round": round_,
        "draft": draft,
        "group": group,
        "errors": {},
        "chair_timezone": dates.chair_timezone(state.db, group.id, state.now),
    }
    if request.method == "GET":
        if not rounds.accepting(round_, state.now):
            raise rounds.RoundClosed()
        form = {"deadline": rounds.deadline_input(round_.deadline, person.timezone), "reason": ""}
        return _page(request, "workspaces/round_extend.html", {**context, "form": form})
    form = values(state.form, "deadline", "reason")
    try:
        refuse_control_characters(form)
        rounds.extend_deadline(
            state.db, round_, by=person, deadline=form["deadline"], reason=form["reason"]
        )
    except Invalid as invalid:
        return _page(
            request,
            "workspaces/round_extend.html",
            {**context, "form": form, "errors": invalid.errors},
            status_code=422,
        )
    return redirect(request, "round", round_id=round_.id)


@permission("round.manage", target=round_draft)
def round_close(request: Request) -> Response:
    state = request.state
    round_, draft, group = _load(request)

    def page(form: dict, errors: dict, status_code: int = 200) -> Response:
        """The form with the seats' answers and what closing now would record (the same pure
        computation the close runs), built only when it is shown."""
        preview = (
            rounds.closing_of(state.db, round_, group)
            if round_.kind == RoundKind.DECISION
            else None
        )
        context = {
            "round": round_,
            "draft": draft,
            "group": group,
            "errors": errors,
            "page": rounds.round_page(state.db, round_, actor=state.actor),
            "form": form,
            "preview": preview,
            "time_left": state.now < round_.deadline,
            "chair_timezone": dates.chair_timezone(state.db, group.id, state.now),
            "preview_tally": json.loads(preview.tally or "{}") if preview else {},
            "statement_days": request.app.state.settings.chair_statement_days,
            "outcome_label": rounds.outcome_label,
        }
        return _page(request, "workspaces/round_close.html", context, status_code=status_code)

    if request.method == "GET":
        if not rounds.accepting(round_, state.now):
            raise rounds.RoundClosed()
        return page({"statement": ""}, {})
    form = values(state.form, "statement")
    try:
        refuse_control_characters(form)
        rounds.close_round(state.db, round_, by=state.actor.person, statement=form["statement"])
    except Invalid as invalid:
        return page(form, invalid.errors, status_code=422)
    return redirect(request, "round", round_id=round_.id)


@permission("round.manage", target=round_draft)
def round_chair_statement(request: Request) -> Response:
    """The chair's statement after any close: given, or the one given at closing completed,
    once, within the period the council set (then sealed)."""
    state = request.state
    round_, draft, group = _load(request)
    days = request.app.state.settings.chair_statement_days
    context = {
        "round": round_,
        "draft": draft,
        "group": group,
        "errors": {},
        "until": rounds.chair_statement_until(round_, days=days),
        "given": round_.chair_statement,
    }
    if request.method == "GET":
        if round_.closed_at is None:
            return redirect(request, "round_close", round_id=round_.id)
        rounds.check_chair_statement_open(state.db, round_, state.now, days=days)
        return _page(
            request,
            "workspaces/round_chair_statement.html",
            {**context, "form": {"statement": round_.chair_statement}},
        )
    form = values(state.form, "statement")
    try:
        refuse_control_characters(form)
        rounds.add_chair_statement(
            state.db, round_, by=state.actor.person, statement=form["statement"], days=days
        )
    except Invalid as invalid:
        return _page(
            request,
            "workspaces/round_chair_statement.html",
            {**context, "form": form, "errors": invalid.errors},
            status_code=422,
        )
    return redirect(request, "round", round_id=round_.id, fragment="outcome")


@permission("statement.publish", target=round_draft)
def round_statement_publish(request: Request) -> Response:
    """Publish the chair's statement of a decision round that did not adopt its text: a
    confirmation, then the act (once)."""
    state = request.state
    round_, draft, group = _load(request)
    published = statements.of_round(state.db, round_)
    if published is not None:
        return redirect(request, "statement", number=published.number)
    if request.method == "GET":
        refused = statements.refusal(round_)
        if refused:
            raise Conflict(refused)
        return _page(
            request,
            "workspaces/round_statement_publish.html",
            {"round": round_, "draft": draft, "group": group},
        )
    published = statements.publish(state.db, round_, by=state.actor.person)
    return redirect(request, "statement", number=published.number)
