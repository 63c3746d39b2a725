"""Thin handlers for the council core: health, sign-in, home, working groups, account."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from council import accounts, audit, auth, dates, desk, i18n, seats, sessions, welcome
from council.errors import Invalid, NotFound
from council.extensions import panels_for
from council.i18n import gettext as _
from council.middleware import LANGUAGE_COOKIE, session_cookie_name
from council.pages import authorize
from council.permissions import can
from council.web import (
    conditional,
    keep_changes,
    reader_copy,
    redirect,
    refuse_control_characters,
    render,
    values,
)

COUNCIL_ACTIONS = frozenset(
    {
        "council.read",
        "council.manage",
        "group.read",
        "recommendations.read",
        "recommendations.manage",
    }
)
"""Actions asked of the council itself: the decorator needs no loader for them."""


def permission(
    action: str,
    target: Callable[[Request], object] | None = None,
    *,
    refusal: Callable[[], str] | None = None,
):
    """Declare the action a route needs, and enforce it before the handler runs.

    Without `target` the action is asked of the council (actions such as "council.manage"
    need no object); with it, `target(request)` loads what the action is about from the path
    (raising NotFound when there is none) and the handler finds it in `request.state.target`.
    `refusal()` says why a signed-in person is refused, when the rule needs explaining.
    "public" routes are open. The route-table test reads `endpoint.permission`."""

    def guard(request: Request) -> None:
        subject = target(request) if target is not None else request.state.council
        authorize(request, action, subject, refusal() if refusal else "")
        request.state.target = subject

    if target is None and action not in COUNCIL_ACTIONS | {"public"}:
        raise TypeError(f"{action!r} is asked of something in a group: give its target loader")

    def mark(endpoint):
        if action == "public":
            endpoint.permission = action
            return endpoint
        if inspect.iscoroutinefunction(endpoint):

            @functools.wraps(endpoint)
            async def guarded(request: Request) -> Response:
                guard(request)
                return await endpoint(request)
        else:

            @functools.wraps(endpoint)
            def guarded(request: Request) -> Response:
                guard(request)
                return endpoint(request)

        guarded.permission = action
        return guarded

    return mark


@permission("public")
def healthz(request: Request) -> Response:
    if not request.app.state.database.is_reachable():
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


def _safe_next(target: str) -> str:
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc:
        return "/"
    return target


@permission("public")
def sign_in(request: Request) -> Response:
    if request.method != "POST":  # HEAD is a GET without the body
        form = {"email": "", "next": _safe_next(request.query_params.get("next", "/"))}
        return _sign_in_page(request, form, {})
    if not request.app.state.settings.local_sign_in:
        raise NotFound()
    state = request.state
    app_state = request.app.state
    form = values(state.form, "email", "next")
    password = str(state.form.get("password", ""))
    address = client_address(request)
    try:
        refuse_control_characters(form)
        person = auth.authenticate(
            state.db,
            email=form["email"],
            password=password,
            address=address,
            settings=app_state.settings,
            now=state.now,
        )
    except auth.TooManyAttempts as refused:
        message = _(
            "Too many sign-in attempts. Please wait %(minutes)s minutes and try again.",
            minutes=refused.minutes,
        )
        return _sign_in_page(request, form, {"form": message}, status_code=429)
    except Invalid as invalid:
        return _sign_in_page(request, form, invalid.errors, status_code=422)
    except auth.SignInRefused:
        auth.record_failure(state.db, email=form["email"], address=address, now=state.now)
        audit.record(
            state.db,
            by=None,
            action="security.sign_in_failed",
            target=("SignIn", address[:80]),
            email=form["email"][:200],
        )
        keep_changes(request)
        message = _("The email or password is not correct.")
        return _sign_in_page(request, form, {"form": message}, status_code=422)
    return start_session(
        request, state.db, person, RedirectResponse(_safe_next(form["next"]), status_code=303)
    )


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def start_session(request: Request, db, person, response: Response) -> Response:
    """Sign `person` in on this browser (ending the session it had): the local sign-in, an
    OpenID Connect sign-in and an accepted invitation all end here."""
    state = request.state
    previous = getattr(state, "session_token", None)
    if previous:
        sessions.end(db, previous)
    token = sessions.start(
        db,
        person,
        settings=request.app.state.settings,
        now=state.now,
        user_agent=request.headers.get("user-agent", ""),
    )
    audit.record(
        db, by=person, action="security.signed_in", target=person, address=client_address(request)
    )
    _set_session_cookie(request, response, token)
    return response


def _sign_in_page(request: Request, form: dict, errors: dict, status_code: int = 200) -> Response:
    """The local form (unless the council switched it off) beside a link per provider."""
    context = {
        "form": form,
        "errors": errors,
        "providers": list(request.app.state.oidc),
        "local_sign_in": request.app.state.settings.local_sign_in,
    }
    return render(request, "auth/sign_in.html", context, status_code=status_code)


def _set_session_cookie(request: Request, response: Response, token: str) -> None:
    https = request.url.scheme == "https"
    response.set_cookie(
        session_cookie_name(request.url.scheme),
        token,
        httponly=True,
        samesite="lax",
        secure=https,
        path="/",
        max_age=request.app.state.settings.session_absolute_hours * 3600,
    )


@permission("public")
def sign_out(request: Request) -> Response:
    token = getattr(request.state, "session_token", None)
    if token:
        sessions.end(request.state.db, token)
    if request.state.actor.person is not None:
        audit.record(
            request.state.db,
            by=request.state.actor.person,
            action="security.signed_out",
            target=request.state.actor.person,
        )
    response = RedirectResponse(request.url_for("home"), status_code=303)
    response.delete_cookie(
        session_cookie_name(request.url.scheme),
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )
    return response


@permission("public")
def home(request: Request) -> Response:
    if not request.state.actor.signed_in:
        return _welcome(request)
    return reader_copy(request, lambda: _home(request))


def _home(request: Request) -> Response:
    state = request.state
    summaries = seats.group_summaries(state.db, state.now)
    context = {
        "summaries": summaries,
        "council_chair": seats.current_chairs(state.db, state.now).get(None),
        "panels": panels_for(
            request.app.state.extensions, "home", state.db, state.actor, None, state.now
        ),
        **desk.context(
            state.db,
            state.actor,
            request.app.state.extensions,
            groups=[s.group for s in summaries],
            current={s.group.id: s.chair for s in summaries},
            group=None,
            now=state.now,
        ),
    }
    return render(request, "council/home.html", context)


def _welcome(request: Request) -> Response:
    """The front page of anonymous readers, the same for all of them in one language (shared
    caches may keep it): what the council is and, when it publishes its recommendations (the
    rule that opens the library), its groups, their chairs and the latest recommendations."""
    state = request.state
    published = can(state.actor, "recommendations.read", state.council)
    context = {
        "overview": welcome.overview(state.db, state.now) if published else None,
        "panels": panels_for(
            request.app.state.extensions, "welcome", state.db, state.actor, None, state.now
        ),
    }
    response = render(request, "council/welcome.html", context, public=True)
    return conditional(request, response, last_modified=None)


@permission("group.read")
def working_group(request: Request) -> Response:
    return reader_copy(request, lambda: _working_group(request))


def _working_group(request: Request) -> Response:
    state = request.state
    group = seats.get_group(state.db, request.path_params["slug"])
    chair = seats.current_chairs(state.db, state.now).get(group.id)
    context = {
        "group": group,
        "seats": seats.group_seats(state.db, group),
        "chair": chair,
        "panels": panels_for(
            request.app.state.extensions, "group", state.db, state.actor, group, state.now
        ),
        **desk.context(
            state.db,
            state.actor,
            request.app.state.extensions,
            groups=[group],
            current={group.id: chair},
            group=group,
            now=state.now,
        ),
    }
    return render(request, "council/working_group.html", context)


@permission("council.read")
def account(request: Request) -> Response:
    state = request.state
    person = state.actor.person
    languages = request.app.state.settings.languages
    language = i18n.current_language()
    context = {
        "zone_groups": dates.region_choices(language),
        "other_zone_groups": dates.other_choices(language),
        "kept_zone": None if dates.offered(person.timezone) else person.timezone,
        "proposed": None,
        "identities": accounts.linked_identities(state.db, person),
        "providers": list(request.app.state.oidc),
        "local_sign_in": request.app.state.settings.local_sign_in,
    }
    if request.method != "POST":  # HEAD is a GET without the body
        form = {"language": person.language or "", **dates.form_values(person.timezone)}
        proposed = dates.proposal(
            request.query_params.get("proposed_timezone", ""), person.timezone
        )
        if proposed:  # the browser's zone, chosen in the form: saved only if the person saves
            form.update(dates.form_values(proposed))
            context["proposed"] = proposed
        return render(request, "council/account.html", {**context, "form": form, "errors": {}})
    form = values(state.form, "language", "timezone", "timezone_other")
    zone = dates.chosen(form["timezone"], form["timezone_other"])
    try:
        refuse_control_characters(form)
        seats.save_preferences(
            state.db, person=person, language=form["language"], timezone=zone, languages=languages
        )
    except Invalid as invalid:
        if dates.offered(zone):  # shown where the form lists it
            form.update(dates.form_values(zone))
        return render(
            request,
            "council/account.html",
            {**context, "form": form, "errors": invalid.errors},
            status_code=422,
        )
    return redirect(request, "account")


@permission("public")
def choose_language(request: Request) -> Response:
    """The language switcher: saved for a signed-in person, a cookie otherwise. Pages for
    anonymous readers send it as a GET (they carry no CSRF token, so caches may share them):
    that only sets the cookie, and an unknown language changes nothing."""
    state = request.state
    languages = request.app.state.settings.languages
    if request.method != "POST":
        language = request.query_params.get("language", "")
        response = RedirectResponse(
            _safe_next(request.query_params.get("next", "/")), status_code=303
        )
        if language in languages:
            _set_language_cookie(request, response, language)
        return response
    language = str(state.form.get("language", ""))
    target = _safe_next(str(state.form.get("next", "/")))
    if language not in languages:
        raise Invalid({"language": _("Choose one of the offered languages.")})
    if state.actor.signed_in:
        seats.save_preferences(
            state.db,
            person=state.actor.person,
            language=language,
            timezone=state.actor.person.timezone,
            languages=languages,
        )
    response = RedirectResponse(target, status_code=303)
    _set_language_cookie(request, response, language)
    return response


def _set_language_cookie(request: Request, response: Response, language: str) -> None:
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=365 * 86400,
        samesite="lax",
        httponly=True,
        secure=request.url.scheme == "https",
    )
