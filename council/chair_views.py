"""Chair terms: the history page of a body, handover, rotation settings, acting person, recusal.

A body is the council (routes under /council/chairs) or one working group (under
/groups/{slug}/chairs); the same handlers serve both.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from council import chairs, seats
from council.admin import numbers, whole
from council.errors import Invalid
from council.models import ChairTerm, WorkingGroup
from council.permissions import can
from council.views import _safe_next, permission
from council.web import redirect, refuse_control_characters, render, values


def _body(request: Request) -> WorkingGroup | None:
    slug = request.path_params.get("slug")
    return seats.get_group(request.state.db, slug) if slug is not None else None


def _target(request: Request, body: WorkingGroup | None):
    """What the permission rules are asked about: the group, or the council."""
    return body if body is not None else request.state.council


def _to_history(request: Request, body: WorkingGroup | None) -> Response:
    if body is None:
        return redirect(request, "council_chairs")
    return redirect(request, "group_chairs", slug=body.slug)


# history


@permission("council.read")
def council_chairs(request: Request) -> Response:
    return _history(request, None)


@permission("group.read")
def group_chairs(request: Request) -> Response:
    return _history(request, _body(request))


def _history(request: Request, body: WorkingGroup | None) -> Response:
    """?handed_over=<term id>, where a handover redirects: the page says what happened, while
    that term is the current one (the address names a term, so the page stays read-only)."""
    state = request.state
    history = chairs.history(state.db, body, state.now)
    done = whole(request.query_params.get("handed_over", ""))
    context = {
        "body": body,
        "target": _target(request, body),
        "history": history,
        "handed_over": (
            history.current is not None and done is not None and history.current.term.id == done
        ),
    }
    return render(request, "council/chairs.html", context)


# handover


@permission("chair.hand_over", target=lambda request: request.state.council)
def council_handover(request: Request) -> Response:
    return _handover(request, None)


@permission("chair.hand_over", target=_body)
def group_handover(request: Request) -> Response:
    return _handover(request, request.state.target)


def _handover(request: Request, body: WorkingGroup | None) -> Response:
    """The form (GET; ?seat_id= and ?reason= fill it in again from the confirmation page),
    then a POST that asks to confirm what the handover would do, then the POST with `confirm`
    that hands over and shows the history with what happened."""
    state = request.state
    if request.method != "POST":  # HEAD is a GET without the body
        history = chairs.history(state.db, body, state.now, coming=1)
        form = {"seat_id": history.next.id if history.next else "", "reason": ""}
        form.update(values(request.query_params, *(k for k in form if k in request.query_params)))
        return _handover_page(request, body, history, form)
    form = values(state.form, "seat_id", "reason")
    try:
        refuse_control_characters(form)
        if not state.form.get("confirm"):
            plan = chairs.plan_handover(
                state.db,
                body=body,
                to_seat_id=whole(form["seat_id"]),
                reason=form["reason"],
                now=state.now,
                actor=state.actor,
            )
            context = {"body": body, "plan": plan, "form": form}
            return render(request, "council/chair_handover_confirm.html", context)
        term = chairs.hand_over_chair(
            state.db,
            body=body,
            to_seat_id=whole(form["seat_id"]),
            reason=form["reason"],
            by=state.actor.person,
            now=state.now,
            actor=state.actor,
        )
    except Invalid as invalid:  # the history is built only for a page that shows it
        history = chairs.history(state.db, body, state.now, coming=1)
        return _handover_page(request, body, history, form, invalid.errors, status_code=422)
    response = _to_history(request, body)
    return _with_query(response, handed_over=term.id)


def _with_query(response: Response, **params) -> Response:
    """The redirect of POST-redirect-GET, carrying what the next page says happened."""
    for header in ("location", "HX-Redirect"):
        if header in response.headers:
            response.headers[header] = f"{response.headers[header]}?{urlencode(params)}"
    return response


def _handover_page(request: Request, body, history, form, errors=None, **kwargs) -> Response:
    """The secretariat may choose any seat of the rotation; a chair, the next one only."""
    may_pass_over = can(request.state.actor, "chair.pass_over", body)
    choices = (
        history.handover_choices if may_pass_over else ([history.next] if history.next else [])
    )
    context = {
        "body": body,
        "history": history,
        "form": form,
        "errors": errors or {},
        "choices": choices,
        "may_pass_over": may_pass_over,
    }
    return render(request, "council/chair_handover.html", context, **kwargs)


# rotation settings (secretariat)


@permission("council.manage")
def council_rotation(request: Request) -> Response:
    return _rotation(request, None)


@permission("council.manage")
def group_rotation(request: Request) -> Response:
    return _rotation(request, _body(request))


def _rotation(request: Request, body: WorkingGroup | None) -> Response:
    state = request.state
    candidates = chairs.rotation_candidates(state.db, body)
    if request.method != "POST":  # HEAD is a GET without the body
        rota = chairs.rotation_of(state.db, chairs.body_id(body))
        form = {
            "term_months": rota.term_months,
            **{f"place-{seat_id}": n for n, seat_id in enumerate(rota.order, start=1)},
        }
        return _rotation_page(request, body, candidates, form)
    names = ("term_months", *(f"place-{seat.id}" for seat in candidates))
    form = values(state.form, *names)
    parsed, number_errors = numbers(form, *names)
    places = {seat.id: parsed[f"place-{seat.id}"] for seat in candidates}
    try:
        refuse_control_characters(form)
        if number_errors:
            raise Invalid(number_errors)
        chairs.set_rotation(
            state.db,
            body=body,
            places=places,
            term_months=parsed["term_months"],
            by=state.actor.person,
        )
    except Invalid as invalid:
        errors = {**invalid.errors, **number_errors}
        return _rotation_page(request, body, candidates, form, errors, status_code=422)
    return _to_history(request, body)


def _rotation_page(request: Request, body, candidates, form, errors=None, **kwargs) -> Response:
    context = {"body": body, "candidates": candidates, "form": form, "errors": errors or {}}
    return render(request, "council/chair_rotation.html", context, **kwargs)


# the acting person of a term (the seat's head)


def _term(request: Request) -> ChairTerm:
    return chairs.get_term(request.state.db, request.path_params["term_id"])


@permission("chair.name_acting", target=_term)
def chair_acting(request: Request) -> Response:
    state = request.state
    term = state.target
    body = state.db.get(WorkingGroup, term.working_group_id) if term.working_group_id else None
    people = chairs.seat_people(state.db, term.seat_id)
    if request.method != "POST":  # HEAD is a GET without the body
        form = {"person_id": term.acting_person_id or ""}
        return _acting_page(request, body, term, people, form)
    form = values(state.form, "person_id")
    # blank: the head acts; anything but an id reaches the domain as 0, which it refuses
    chosen = (whole(form["person_id"]) or 0) if form["person_id"] else None
    try:
        refuse_control_characters(form)
        chairs.name_acting_person(
            state.db, term=term, person_id=chosen, by=state.actor.person, now=state.now
        )
    except Invalid as invalid:
        return _acting_page(request, body, term, people, form, invalid.errors, status_code=422)
    return _to_history(request, body)


def _acting_page(request: Request, body, term, people, form, errors=None, **kwargs) -> Response:
    context = {
        "body": body,
        "term": term,
        "seat": seats.get_seat(request.state.db, term.seat_id),
        "people": people,
        "form": form,
        "errors": errors or {},
    }
    return render(request, "council/chair_acting.html", context, **kwargs)


# recusal: GET ?subject=draft:42&next=/drafts/42 shows the form; POST records or withdraws


@permission("chair.recuse", target=_body)
def group_recusals(request: Request) -> Response:
    state = request.state
    group = state.target
    if request.method != "POST":  # HEAD is a GET without the body
        form = {
            "subject": request.query_params.get("subject", ""),
            "reason": "",
            "next": _safe_next(request.query_params.get("next", "")),
        }
        return _recusals_page(request, group, form)
    form = values(state.form, "subject", "reason", "next")
    try:
        refuse_control_characters(form)
        if state.form.get("withdraw"):
            chairs.withdraw_recusal(
                state.db, group=group, subject=form["subject"], by=state.actor.person, now=state.now
            )
        else:
            chairs.recuse(
                state.db,
                group=group,
                subject=form["subject"],
                reason=form["reason"],
                by=state.actor.person,
                now=state.now,
            )
    except Invalid as invalid:
        return _recusals_page(request, group, form, invalid.errors, status_code=422)
    back = _safe_next(form["next"])  # "/" when blank or pointing elsewhere
    if back != "/":
        return RedirectResponse(back, status_code=303)
    return redirect(request, "group_recusals", slug=group.slug)


def _recusals_page(request: Request, group, form, errors=None, **kwargs) -> Response:
    state = request.state
    history = chairs.history(state.db, group, state.now, coming=0)
    recused = {r.subject_key for r in history.recusals}
    context = {
        "body": group,
        "history": history,
        "form": form,
        "errors": errors or {},
        "recused": recused,
        "subject_number": chairs.subject_number,
    }
    return render(request, "council/chair_recusals.html", context, **kwargs)


def routes() -> list:
    both = ["GET", "POST"]
    return [
        Route("/council/chairs", council_chairs, name="council_chairs"),
        Route("/council/chairs/handover", council_handover, methods=both, name="council_handover"),
        Route("/council/chairs/rotation", council_rotation, methods=both, name="council_rotation"),
        Route("/groups/{slug:str}/chairs", group_chairs, name="group_chairs"),
        Route(
            "/groups/{slug:str}/chairs/handover",
            group_handover,
            methods=both,
            name="group_handover",
        ),
        Route(
            "/groups/{slug:str}/chairs/rotation",
            group_rotation,
            methods=both,
            name="group_rotation",
        ),
        Route("/groups/{slug:str}/recusals", group_recusals, methods=both, name="group_recusals"),
        Route("/chair-terms/{term_id:id}/acting", chair_acting, methods=both, name="chair_acting"),
    ]
