"""Error pages and the guard every handler calls before it acts."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from council.errors import DomainError, Invalid, NotAllowed
from council.i18n import gettext as _
from council.permissions import can
from council.web import is_htmx

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
"""Where extensions serve their JSON APIs: an error answered there before or outside their
handlers (a control character in the address, no such path, the busy queue) is JSON too."""
_ERROR_CODES = {
    400: "bad_request",
    401: "sign_in_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "too_many_requests",
    503: "unavailable",
}


class SignInRequired(Exception):
    """The page exists but needs a signed-in person."""


def authorize(request: Request, action: str, target: object = None, message: str = "") -> None:
    actor = request.state.actor
    if can(actor, action, target):
        return
    if not actor.signed_in:
        raise SignInRequired()
    raise NotAllowed(message)


def _titles() -> dict[int, str]:
    return {
        400: _("The request could not be understood"),
        403: _("You do not have access to this"),
        404: _("Page not found"),
        405: _("This action is not available here"),
        409: _("This changed meanwhile"),
        413: _("What you sent is too large"),
        422: _("Please correct the form"),
        429: _("Too many attempts"),
        500: _("Something went wrong on our side"),
        503: _("The workspace is unavailable for a moment"),
    }


def _default_messages() -> dict[int, str]:
    return {
        400: _("Please check what you sent and try again."),
        403: _("Your role does not allow this. If you think it should, ask the secretariat."),
        404: _("There is nothing at this address. It may have moved, or never existed."),
        405: _("This address does not accept that kind of request."),
        409: _("Someone else changed this while you were working. Your text is kept below."),
        413: _("The text or file you sent is over the size limit. Please shorten it."),
        422: _("Some fields need your attention."),
        429: _("Please wait a few minutes before trying again."),
        500: _("The error has been logged. Please try again in a moment."),
        503: _("Its database cannot be reached. Please try again in a few minutes."),
    }


def error_response(request: Request, status: int, message: str | None = None) -> Response:
    from council.web import render

    if request.url.path.startswith(API_PREFIX):
        return JSONResponse(
            {
                "error": _ERROR_CODES.get(status, "error"),
                "message": message or _default_messages().get(status) or _titles()[400],
            },
            status_code=status,
        )
    context = {
        "status": status,
        "title": _titles().get(status, _titles()[400]),
        "message": message or _default_messages().get(status, ""),
    }
    try:
        return render(
            request, "errors/error.html", context, status_code=status, fragment="errors/_error.html"
        )
    except Exception:
        log.exception("could not render the error page")
        return PlainTextResponse(context["title"], status_code=status)


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    response = error_response(request, exc.status_code)
    response.headers.update(exc.headers or {})  # e.g. the Allow header of a 405
    return response


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if isinstance(exc, Invalid):
        log.warning("unhandled validation error: %s", exc.errors)
    return error_response(request, exc.status_code, exc.message or None)


async def sign_in_required(request: Request, exc: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    url = str(request.url_for("sign_in")) + "?" + urlencode({"next": target})
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return PlainTextResponse(
        "Something went wrong on our side. The error has been logged.\n"
        "Algo salió mal de nuestro lado. / Une erreur s'est produite de notre côté.",
        status_code=500,
    )
