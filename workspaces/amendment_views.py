"""Thin handlers for amendments: a draft's amendments, proposing (and sub-amendments, and the
chair's editorial proposals), an amendment's page with its support and thread, withdrawing,
re-basing, and the chair's decisions and merges. Every form works without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlmodel import select
from starlette.requests import Request
from starlette.responses import Response

from council.errors import Conflict, Invalid, NotFound, RateLimited
from council.i18n import gettext as _
from council.models import WorkingGroup
from council.permissions import Proposed, can
from council.views import permission
from council.web import counting_number, redirect, refuse_control_characters, values
from workspaces import amendment_pages, amendments, drafts, rounds, views
from workspaces.amending import DELETE, INSERT, REPLACE
from workspaces.amendment_models import Amendment, AmendmentStatus
from workspaces.markdown import readable
from workspaces.models import Draft
from workspaces.views import draft_group, load_draft

EXCERPT = 80
DECISION_FIELD = re.compile(r"decision-(\d{1,9})-verdict")


def amendment_group(request: Request) -> WorkingGroup:
    """What an amendment's routes ask permission of: its group (the amendment and its draft
    wait in state.amendment and state.draft)."""
    db = request.state.db
    request.state.amendment = amendments.get_amendment(db, request.path_params["amendment_id"])
    request.state.draft = drafts.get_draft(db, request.state.amendment.draft_id)
    return drafts.group_of(db, request.state.draft)


def path_draft(request: Request) -> Draft:
    """The draft itself (deciding asks of it: the chair may stand aside from one draft)."""
    request.state.draft = drafts.get_draft(request.state.db, request.path_params["draft_id"])
    return request.state.draft


def proposed_amendment(request: Request) -> Proposed:
    """What withdrawing and re-basing ask permission of: the amendment as can() sees it."""
    amendment_group(request)
    return amendments.proposed(request.state.amendment, request.state.draft)


def _withdrawal_refusal() -> str:
    return _("Only the proposing seat's people may withdraw or re-base this amendment.")


def _proposal_refusal() -> str:
    return _(
        "Amendments are proposed by the seats sitting in the working group, through their "
        "head or delegates."
    )


def _decision_refusal() -> str:
    return _(
        "Amendments are decided by the acting chair (the vice chair when the chair stood "
        "aside; the secretariat when there is no chair)."
    )


def _loaded(request: Request) -> tuple[Amendment, Draft, WorkingGroup]:
    return request.state.amendment, request.state.draft, request.state.target


def _context(request: Request, draft: Draft) -> dict:
    """What every amendment page shows of its draft: the text as it reads now."""
    state = request.state
    draft = rounds.draft_as_of(state.db, draft, state.now)
    latest = drafts.latest_revision(state.db, draft)
    paragraphs = drafts.paragraphs(state.db, latest)
    frozen = drafts.is_frozen(state.db, draft)
    return {
        "draft": draft,
        "group": drafts.group_of(state.db, draft),
        "latest": latest,
        "paragraphs": paragraphs,
        "frozen": frozen,
        "may_decide": can(state.actor, "amendment.decide", draft),
        "may_propose": (
            can(state.actor, "amendment.propose", draft) and draft.status in amendments.OPEN_DRAFT
        ),
        "undecidable": amendments.refusal_to_decide(draft, frozen),
        "status_label": amendments.status_label,
        "choices": paragraph_choices(paragraphs),
    }


def paragraph_choices(paragraphs) -> list[tuple[str, str]]:
    """(paragraph id, "Paragraph 3: first words…") for the paragraphs one can amend."""
    result = []
    for p in paragraphs:
        words = readable(p.html)
        excerpt = words if len(words) <= EXCERPT else words[: EXCERPT - 1].rstrip() + "…"
        label = (
            _("Paragraph %(number)s: %(text)s", number=p.number, text=excerpt)
            if p.number is not None
            else _("Heading: %(text)s", text=excerpt)
        )
        result.append((p.paragraph_id, label))
    return result


def _attempt(
    request: Request, template: str, context: dict, act: Callable[[], object]
) -> tuple[Response | None, object]:
    """Run `act()` on the form in `context`; a refusal shows the form again, filled in, with
    its errors (422, or the refusal's own status: 409 for a conflict, 429 for too many)."""
    try:
        refuse_control_characters(context["form"])
        return None, act()
    except Invalid as invalid:
        errors, status = invalid.errors, 422
    except (Conflict, RateLimited) as refused:
        errors, status = {"form": refused.message}, refused.status_code
    return views._page(request, template, {**context, "errors": errors}, status_code=status), None


# reading


@permission("deliberations.read", target=draft_group)
def draft_amendments(request: Request) -> Response:
    draft, _group = load_draft(request)
    context = _context(request, draft)
    listed = amendment_pages.draft_amendments(request.state.db, draft, context["paragraphs"])
    return views._page(request, "workspaces/amendments.html", {**context, "amendments": listed})


@permission("deliberations.read", target=amendment_group)
def amendment(request: Request) -> Response:
    return _amendment_page(request)


def _amendment_page(
    request: Request,
    *,
    form: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Response:
    state = request.state
    found, draft, _group = _loaded(request)
    context = _context(request, draft)
    view = amendment_pages.draft_amendments(
        state.db, draft, context["paragraphs"], only=[found.id]
    )[0]
    seat = state.actor.seat.id if state.actor.seat else None
    return views._page(
        request,
        "workspaces/amendment.html",
        {
            **context,
            "view": view,
            "thread": amendment_pages.comments_of(state.db, found),
            "supported": amendment_pages.own_support(state.db, found, seat),
            "may_support": (
                can(state.actor, "amendment.support", draft)
                and view.is_open
                and not (found.kind == "amendment" and found.seat_id == seat)
            ),
            "may_withdraw": (
                can(state.actor, "amendment.withdraw", amendments.proposed(found, draft))
                and found.status in (AmendmentStatus.OPEN, AmendmentStatus.OUTDATED)
            ),
            "may_comment": can(state.actor, "comment.write", draft)
            and draft.status in amendments.OPEN_DRAFT,
            "form": form or {"body": ""},
            "errors": errors or {},
        },
        status_code=status_code,
    )


# proposing


def _change_forms(form: dict, count: int) -> list[amendments.ChangeForm]:
    return [
        amendments.ChangeForm(
            form.get(f"changes-{i}-paragraph", ""),
            form.get(f"changes-{i}-action", REPLACE),
            form.get(f"changes-{i}-text", ""),
        )
        for i in range(count)
    ]


def _read_changes(request: Request) -> tuple[dict, int]:
    count = min(
        max(counting_number(request.state.form.get("change_count")) or 1, 1), amendments.MAX_CHANGES
    )
    names = [
        f"changes-{i}-{part}" for i in range(count) for part in ("paragraph", "action", "text")
    ]
    form = values(request.state.form, "justification", "body", *names)
    return form, count


@permission("amendment.propose", target=draft_group, refusal=_proposal_refusal)
def amendment_new(request: Request) -> Response:
    """Propose an amendment (?paragraph=<id> starts on that paragraph), a sub-amendment
    (?parent=<number>), or with ?editorial=1 the chair's editorial proposal."""
    return _propose(request, editorial=False)


@permission("amendment.decide", target=path_draft, refusal=_decision_refusal)
def editorial_new(request: Request) -> Response:
    return _propose(request, editorial=True)


def _propose(request: Request, *, editorial: bool) -> Response:
    state = request.state
    draft = state.draft
    context = _context(request, draft)
    parent = _parent(request, draft)
    choices = context["choices"]
    if parent is not None:
        view = amendment_pages.draft_amendments(
            state.db, draft, context["paragraphs"], only=[parent.id]
        )[0]
        choices = [
            (c.row.new_paragraph_id or c.row.paragraph_id, _sub_label(c))
            for c in view.changes
            if c.row.action != DELETE
        ]
    context = {
        **context,
        "parent": parent,
        "editorial": editorial,
        "choices": choices,
        "texts": _texts(context, parent, state),
    }
    template = "workspaces/amendment_form.html"
    if request.method == "GET":
        start = request.query_params.get("paragraph", "")
        start = start if start in dict(choices) else ""
        form = {
            "justification": "",
            "changes-0-paragraph": start,
            "changes-0-action": REPLACE,
            "changes-0-text": context["texts"].get(start, ""),
        }
        return views._page(request, template, {**context, "form": form, "count": 1, "errors": {}})
    form, count = _read_changes(request)
    if state.form.get("do") == "add" and count < amendments.MAX_CHANGES:
        return views._page(
            request, template, {**context, "form": form, "count": count + 1, "errors": {}}
        )
    refused, created = _attempt(
        request,
        template,
        {**context, "form": form, "count": count},
        lambda: amendments.propose(
            state.db,
            actor=state.actor,
            draft=draft,
            changes=_change_forms(form, count),
            justification=form["justification"],
            now=state.now,
            editorial=editorial,
            parent=parent,
        ),
    )
    return refused or redirect(request, "amendment", amendment_id=created.id)


def _sub_label(change: amendment_pages.ChangeView) -> str:
    if change.row.action == INSERT:
        return _("The paragraph it inserts after paragraph %(number)s", number=change.number or "?")
    return _("Its text for paragraph %(number)s", number=change.number or "?")


def _texts(context: dict, parent: Amendment | None, state) -> dict[str, str]:
    """The text each choice starts from: the paragraph's, or the parent's proposed one."""
    if parent is None:
        return {p.paragraph_id: p.source for p in context["paragraphs"]}
    rows = amendments.changes_of(state.db, [parent.id])[parent.id]
    return {r.new_paragraph_id or r.paragraph_id: r.text for r in rows if r.action != DELETE}


def _parent(request: Request, draft: Draft) -> Amendment | None:
    number = counting_number(request.query_params.get("parent"))
    if number is None:
        return None
    found = request.state.db.exec(
        select(Amendment).where(Amendment.draft_id == draft.id, Amendment.number == number)
    ).first()
    if found is None:
        raise NotFound()
    return found


# acting on one amendment


@permission("amendment.support", target=amendment_group)
def amendment_support(request: Request) -> Response:
    state = request.state
    found, draft, _group = _loaded(request)
    if state.form.get("do") == "withdraw":
        amendments.withdraw_support(state.db, actor=state.actor, amendment=found, draft=draft)
    else:
        amendments.support(state.db, actor=state.actor, amendment=found, draft=draft, now=state.now)
    return redirect(request, "amendment", amendment_id=found.id, fragment="supporters")


@permission("amendment.withdraw", target=proposed_amendment, refusal=_withdrawal_refusal)
def amendment_withdraw(request: Request) -> Response:
    state = request.state
    found, draft = state.amendment, state.draft
    group = drafts.group_of(state.db, draft)
    if found.status not in (AmendmentStatus.OPEN, AmendmentStatus.OUTDATED):
        raise Conflict(_("Amendment %(number)s is no longer open.", number=found.number))
    if request.method == "GET":
        return views._page(
            request,
            "workspaces/amendment_withdraw.html",
            {"draft": draft, "group": group, "amendment": found},
        )
    amendments.withdraw(state.db, actor=state.actor, amendment=found, draft=draft, now=state.now)
    return redirect(request, "amendment", amendment_id=found.id)


@permission("amendment.withdraw", target=proposed_amendment, refusal=_withdrawal_refusal)
def amendment_rebase(request: Request) -> Response:
    """An outdated amendment written again on the latest text by its proposer's seat."""
    state = request.state
    found, draft = state.amendment, state.draft
    if found.status != AmendmentStatus.OUTDATED or found.parent_id is not None:
        raise Conflict(_("Only an outdated amendment can be re-based."))
    context = _context(request, draft)
    context = {
        **context,
        "amendment": found,
        "parent": None,
        "editorial": False,
        "texts": _texts(context, None, state),
    }
    template = "workspaces/amendment_form.html"
    if request.method == "GET":
        rows = amendments.changes_of(state.db, [found.id])[found.id]
        form = {"justification": found.justification}
        for i, row in enumerate(rows):
            form |= {
                f"changes-{i}-paragraph": row.paragraph_id,
                f"changes-{i}-action": row.action,
                f"changes-{i}-text": row.text,
            }
        return views._page(
            request, template, {**context, "form": form, "count": max(len(rows), 1), "errors": {}}
        )
    form, count = _read_changes(request)
    if state.form.get("do") == "add" and count < amendments.MAX_CHANGES:
        return views._page(
            request, template, {**context, "form": form, "count": count + 1, "errors": {}}
        )
    refused, _done = _attempt(
        request,
        template,
        {**context, "form": form, "count": count},
        lambda: amendments.rebase(
            state.db,
            actor=state.actor,
            amendment=found,
            draft=draft,
            changes=_change_forms(form, count),
            justification=form["justification"],
            now=state.now,
        ),
    )
    return refused or redirect(request, "amendment", amendment_id=found.id)


@permission("comment.write", target=amendment_group)
def amendment_comment(request: Request) -> Response:
    state = request.state
    found, draft, _group = _loaded(request)
    form = values(state.form, "body")
    try:
        refuse_control_characters(form)
        amendments.comment(
            state.db,
            actor=state.actor,
            amendment=found,
            draft=draft,
            body=form["body"],
            now=state.now,
        )
    except Invalid as invalid:
        return _amendment_page(request, form=form, errors=invalid.errors, status_code=422)
    except (RateLimited, Conflict) as refused:
        return _amendment_page(
            request, form=form, errors={"form": refused.message}, status_code=refused.status_code
        )
    return redirect(request, "amendment", amendment_id=found.id, fragment="thread")


# the chair's decisions


@permission("amendment.decide", target=path_draft, refusal=_decision_refusal)
def amendments_decide(request: Request) -> Response:
    """The open amendments, each left open, accepted (perhaps with an editorial change) or
    refused: one revision for the batch."""
    state = request.state
    draft = state.draft
    context = _context(request, draft)
    if context["undecidable"]:
        raise Conflict(context["undecidable"])
    listed = [
        v
        for v in amendment_pages.draft_amendments(state.db, draft, context["paragraphs"])
        if v.is_open
    ]
    context = {**context, "amendments": listed}
    template = "workspaces/amendment_decide.html"
    if request.method == "GET":
        form = {"base_number": context["latest"].number}
        for v in listed:
            form[f"decision-{v.amendment.id}-verdict"] = amendments.LEAVE
            for c in v.changes:
                form[f"decision-{v.amendment.id}-text-{c.row.position}"] = c.row.text
        return views._page(request, template, {**context, "form": form, "errors": {}})
    # the amendments the form decided, as sent: one decided meanwhile in another tab is
    # refused as a conflict by decide(), never silently left out of the batch
    sent = sorted(
        {
            number
            for key in state.form
            if (match := DECISION_FIELD.fullmatch(key))
            and (number := counting_number(match.group(1))) is not None
        }
    )[:200]
    positions = range(1, amendments.MAX_CHANGES + 1)
    names = [
        "base_number",
        *(f"decision-{i}-{part}" for i in sent for part in ("verdict", "reason")),
        *(f"decision-{i}-text-{n}" for i in sent for n in positions),
    ]
    form = values(state.form, *names)
    decisions = [
        amendments.Decision(
            i,
            form[f"decision-{i}-verdict"] or amendments.LEAVE,
            form[f"decision-{i}-reason"],
            {
                n: form[f"decision-{i}-text-{n}"]
                for n in positions
                if f"decision-{i}-text-{n}" in state.form
            },
        )
        for i in sent
    ]
    refused, made = _attempt(
        request,
        template,
        {**context, "form": form},
        lambda: amendments.decide(
            state.db,
            actor=state.actor,
            draft=draft,
            base_number=counting_number(form["base_number"]),
            decisions=decisions,
            now=state.now,
        ),
    )
    if refused is not None:
        return refused
    return redirect(request, "draft" if made is not None else "draft_amendments", draft_id=draft.id)


@permission("amendment.decide", target=path_draft, refusal=_decision_refusal)
def amendments_merge(request: Request) -> Response:
    state = request.state
    draft = state.draft
    context = _context(request, draft)
    if context["undecidable"]:
        raise Conflict(context["undecidable"])
    listed = [
        v
        for v in amendment_pages.draft_amendments(state.db, draft, context["paragraphs"])
        if v.is_open
        and v.amendment.parent_id is None
        and len(v.changes) == 1
        and v.changes[0].row.action != INSERT
    ]
    context = {**context, "amendments": listed}
    template = "workspaces/amendment_merge.html"
    if request.method == "GET":
        return views._page(
            request,
            template,
            {
                **context,
                "errors": {},
                "form": {
                    "base_number": context["latest"].number,
                    "amendment_ids": [],
                    "text": "",
                    "reason": "",
                },
            },
        )
    form = values(state.form, "base_number", "text", "reason")
    chosen = [n for n in map(counting_number, state.form.getlist("amendment_ids")) if n is not None]
    form["amendment_ids"] = chosen
    refused, _done = _attempt(
        request,
        template,
        {**context, "form": form},
        lambda: amendments.merge(
            state.db,
            actor=state.actor,
            draft=draft,
            base_number=counting_number(form["base_number"]),
            amendment_ids=chosen,
            text=form["text"],
            reason=form["reason"],
            now=state.now,
        ),
    )
    return refused or redirect(request, "draft", draft_id=draft.id)
