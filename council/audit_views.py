"""The secretariat reads the audit log, filters it, and verifies the chain."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from council import audit
from council.extensions import published_heads
from council.i18n import gettext as _
from council.views import permission
from council.web import counting_number, redirect, render

MANAGE = "council.manage"


@permission(MANAGE)
def audit_log(request: Request) -> Response:
    params = request.query_params
    form = {name: params.get(name, "").strip() for name in ("action", "actor", "since", "until")}
    zone = _zone(request)
    since, since_error = _day(form["since"], zone)
    until, until_error = _day(form["until"], zone)
    errors = {
        name: error for name, error in (("since", since_error), ("until", until_error)) if error
    }
    filters = audit.Filters(
        action=form["action"],
        actor=form["actor"],
        since=since,
        until=until + timedelta(days=1) if until else None,
    )
    db = request.state.db
    page = audit.search(db, filters, before=counting_number(params.get("before")))
    return render(
        request,
        "admin/audit.html",
        {
            "form": form,
            "errors": errors,
            "filters": filters,
            "page": page,
            "action_options": _action_options(audit.actions(db)),
            "paged": "before" in params,
        },
        status_code=400 if errors else 200,
    )


@permission(MANAGE)
def verify_request(request: Request) -> Response:
    """The button: the verification itself is a long read, so it runs in the GET that follows
    (a POST would hold SQLite's write lock, taken at its start, for the whole scan)."""
    return redirect(request, "admin_audit_verification")


@permission(MANAGE)
def verification(request: Request) -> Response:
    db = request.state.db
    settings = request.app.state.settings
    result = audit.verify(
        db,
        key=audit.settings_key(settings),
        checkpoint_file=audit.checkpoint_path(settings),
        heads=published_heads(request.app.state.extensions, db),
    )
    return render(request, "admin/audit_verification.html", {"result": result})


def _action_options(actions: list[str]) -> list[tuple[str, str]]:
    """Each kind of act ("security." finds every security event), then each action."""
    kinds = sorted({action.split(".")[0] + "." for action in actions if "." in action})
    return [(kind, _("%(kind)s (every one)", kind=kind + "*")) for kind in kinds] + [
        (action, action) for action in actions
    ]


def _zone(request: Request) -> zoneinfo.ZoneInfo:
    person = request.state.actor.person
    try:
        return zoneinfo.ZoneInfo(person.timezone if person else "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _day(text: str, zone: zoneinfo.ZoneInfo) -> tuple[datetime | None, str]:
    """The start of a day given as YYYY-MM-DD in the reader's time zone."""
    if not text:
        return None, ""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None, _("Enter a date as year-month-day, e.g. 2026-03-31.")
    return datetime.combine(day, time(), tzinfo=zone), ""


def routes() -> list:
    return [
        Route("/admin/audit", audit_log, name="admin_audit"),
        Route("/admin/audit/verify", verify_request, methods=["POST"], name="admin_audit_verify"),
        Route("/admin/audit/verification", verification, name="admin_audit_verification"),
    ]
