"""Thin handlers for choosing how one hears of the council's work: signed in, or through the
link in an email (which shows and saves that person's choices, and never signs anyone in)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from council import notification_settings
from council.errors import Invalid
from council.i18n import gettext as _
from council.models import Delivery, Person
from council.notifications import KINDS
from council.pages import authorize
from council.views import permission
from council.web import render

TEMPLATE = "account/notifications.html"


def routes() -> list[Route]:
    return [
        Route(
            "/account/notifications",
            settings_page,
            methods=["GET", "POST"],
            name="notification_settings",
        ),
        Route(
            notification_settings.LINK_PATH.replace("{token}", "{token:str}"),
            settings_link,
            methods=["GET", "POST"],
            name="notification_settings_link",
        ),
    ]


def _delivery_options() -> list[tuple[str, str]]:
    return [
        (Delivery.NOW, _("At once, by email")),
        (Delivery.DIGEST, _("In the daily digest email")),
        (Delivery.WORKSPACE, _("Only in the workspace")),
    ]


def _hour_options() -> list[tuple[int, str]]:
    return [(hour, f"{hour:02d}:00") for hour in range(24)]


def _context(
    request: Request,
    person: Person,
    *,
    action: str,
    errors: dict,
    saved: bool = False,
    through_link: bool = False,
) -> dict:
    return {
        "person": person,
        "choices": notification_settings.choices(request.state.db, person),
        "delivery_options": _delivery_options(),
        "hour_options": _hour_options(),
        "action": action,
        "errors": errors,
        "saved": saved,
        "through_link": through_link,
    }


def _submitted(request: Request) -> tuple[dict[str, str], str]:
    form = request.state.form
    chosen = {name: str(form.get(name, "")) for name in KINDS if name in form}
    return chosen, str(form.get("digest_hour", ""))


@permission("council.read")
def settings_page(request: Request) -> Response:
    authorize(request, "council.read")
    state = request.state
    person = state.actor.person
    action = str(request.url_for("notification_settings"))
    if request.method != "POST":  # HEAD is a GET without the body
        return render(
            request,
            TEMPLATE,
            _context(
                request,
                person,
                action=action,
                errors={},
                saved=request.query_params.get("saved") == "1",
            ),
        )
    chosen, digest_hour = _submitted(request)
    try:
        notification_settings.save_choices(
            state.db, person=person, chosen=chosen, digest_hour=digest_hour
        )
    except Invalid as invalid:
        return render(
            request,
            TEMPLATE,
            _context(request, person, action=action, errors=invalid.errors),
            status_code=422,
        )
    return RedirectResponse(action + "?saved=1", status_code=303)


@permission("public")
def settings_link(request: Request) -> Response:
    """The email's link. GET shows the person's choices; POST saves them once; the one-click
    unsubscribe of mail programs (RFC 8058) posts `List-Unsubscribe=One-Click`, without a
    CSRF token (the middleware lets it through: the token in the address is the secret)."""
    state = request.state
    token = request.path_params["token"]
    action = str(request.url_for("notification_settings_link", token=token))
    if request.method != "POST":  # HEAD is a GET without the body
        _link, person = notification_settings.open_link(state.db, token, state.now)
        return _private(
            render(
                request,
                TEMPLATE,
                _context(request, person, action=action, errors={}, through_link=True),
            )
        )
    if state.form.get("List-Unsubscribe") == "One-Click":
        notification_settings.unsubscribe(state.db, token=token, now=state.now)
        return _private(render(request, "account/unsubscribed.html", {}))
    chosen, digest_hour = _submitted(request)
    _link, person = notification_settings.open_link(state.db, token, state.now)
    try:
        notification_settings.save_through_link(
            state.db, token=token, chosen=chosen, digest_hour=digest_hour, now=state.now
        )
    except Invalid as invalid:
        return _private(
            render(
                request,
                TEMPLATE,
                _context(request, person, action=action, errors=invalid.errors, through_link=True),
                status_code=422,
            )
        )
    return _private(
        render(
            request,
            TEMPLATE,
            _context(request, person, action="", errors={}, saved=True, through_link=True),
        )
    )


def _private(response: Response) -> Response:
    """A page about one person, reached by a secret address: never stored, never referred."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
