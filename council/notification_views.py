"""Thin handlers for what a person is told: the "Needs you" page, the list of notifications,
marking them read (forms: POST, then redirect), opening one."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from council import notifications
from council.extensions import panels_for
from council.views import permission
from council.web import counting_number, is_htmx, redirect, render


@permission("council.read")
def needs_you(request: Request) -> Response:
    """What waits for the person or their seat: the extensions' panels (positions due, rounds
    they chair closing soon, unread replies and mentions), then a link to every notification."""
    state = request.state
    panels = panels_for(
        request.app.state.extensions, "needs_you", state.db, state.actor, None, state.now
    )
    return render(request, "council/needs_you.html", {"panels": panels})


@permission("council.read")
def notification_list(request: Request) -> Response:
    state = request.state
    before = counting_number(request.query_params.get("before"))
    shown = notifications.shown_to(
        state.db, state.actor, before=before, limit=notifications.PAGE_SIZE + 1
    )
    more = len(shown) > notifications.PAGE_SIZE
    shown = shown[: notifications.PAGE_SIZE]
    context = {
        "shown": shown,
        "before": before,
        "older": shown[-1].notification.id if more and shown else None,
    }
    return render(request, "council/notifications.html", context)


@permission("council.read")
def notifications_read_all(request: Request) -> Response:
    state = request.state
    notifications.mark_read(state.db, person_id=state.actor.person.id, now=state.now)
    return redirect(request, "notifications")


@permission("council.read")
def notification_open(request: Request) -> Response:
    """Mark the notification read and go where it points."""
    state = request.state
    url = notifications.open_notification(
        state.db,
        actor=state.actor,
        notification_id=request.path_params["notification_id"],
        now=state.now,
    )
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def routes() -> list[Route]:
    return [
        Route("/needs-you", needs_you, name="needs_you"),
        Route("/notifications", notification_list, name="notifications"),
        Route(
            "/notifications/read",
            notifications_read_all,
            methods=["POST"],
            name="notifications_read_all",
        ),
        Route(
            "/notifications/{notification_id:id}/open",
            notification_open,
            methods=["POST"],
            name="notification_open",
        ),
    ]
