"""Thin handlers of the chair's desk (council.desk, workspaces.desk): the chair's reminder."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from council.views import _safe_next, permission
from workspaces import desk
from workspaces.round_views import round_draft


@permission("round.remind", target=round_draft)
def round_remind(request: Request) -> Response:
    """Remind the seats that have not answered, then back to the desk it was sent from (the
    home page or the group's page: `next`), where the round now says when it was reminded. Too
    soon after the last reminder: 409 with when the next one may go."""
    state = request.state
    desk.remind_silent_seats(
        state.db,
        round_=state.round,
        draft=state.draft,
        group=state.group,
        by=state.actor.person,
        now=state.now,
    )
    back = _safe_next(str(state.form.get("next", "")))  # "/" (the home page) when unsafe
    return RedirectResponse(f"{back}#desk-round-{state.round.id}", status_code=303)
