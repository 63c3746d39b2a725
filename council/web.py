"""Rendering: the Jinja environment, the one page-or-fragment helper, form helpers."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from council import i18n
from council.permissions import can

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n.gettext, i18n.raw_ngettext, newstyle=True)
    env.filters["datetime"] = i18n.format_datetime
    env.filters["date"] = i18n.format_date
    env.filters["number"] = i18n.format_number
    env.globals["language_name"] = i18n.language_name
    return Jinja2Templates(env=env)


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    fragment: str | None = None,
) -> Response:
    """A full page, or only `fragment` when htmx asked: the single place that decides."""
    state = request.state
    actor = state.actor
    full_context = {
        "actor": actor,
        "council": state.council,
        "can": lambda action, target=None: can(actor, action, target),
        "csrf_token": state.csrf_token,
        "language": i18n.current_language(),
        "languages": request.app.state.settings.languages,
        "timezone": actor.person.timezone if actor.person else "UTC",
        **(context or {}),
    }
    state.csrf_used = True  # the anonymous CSRF cookie is only set for pages that need it
    name = fragment if fragment and is_htmx(request) else template
    response = request.app.state.templates.TemplateResponse(
        request, name, full_context, status_code=status_code
    )
    response.headers.setdefault("Vary", "HX-Request, Cookie, Accept-Language")
    return response


def redirect(request: Request, route: str, /, *, fragment: str = "", **params: Any) -> Response:
    """POST-redirect-GET; htmx follows HX-Redirect, plain browsers the 303."""
    url = str(request.url_for(route, **params)) + (f"#{fragment}" if fragment else "")
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def values(form: FormData, *names: str) -> dict[str, str]:
    """The submitted text fields, stripped, so a rejected form can come back filled in."""
    return {name: str(form.get(name, "")).strip() for name in names}


def counting_number(value: str | None) -> int | None:
    """A non-negative whole number from a form or a query string (at most nine digits);
    anything else, blank included, is None."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


def checked(form: FormData, name: str) -> bool:
    return form.get(name) in ("on", "true", "1", "yes")
