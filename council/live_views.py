"""The event stream of live pages: /events?draft=12&round=3 (see council.live)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from council import live
from council.database import MAX_ID
from council.errors import NotFound
from council.i18n import gettext as _
from council.pages import authorize
from council.views import permission

STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


@permission("council.read")
def events(request: Request) -> Response:
    """Subscribe the page to what it shows: its draft or round (for a reader of the group's
    deliberations) and always its reader's own notifications. The checks run here, in the
    request's transaction, which ends when the stream starts: an open stream holds no
    database connection (and no place among the requests at work)."""
    state = request.state
    authorize(request, "council.read")
    topics = {live.topic("person", state.actor.person.id)}
    for kind, resolve in live.TOPIC_KINDS.items():
        value = request.query_params.get(kind)
        if value is None:
            continue
        if not value.isdigit() or not 0 < int(value) <= MAX_ID:
            raise NotFound()
        group = resolve(state.db, int(value))
        if group is None:
            raise NotFound()
        authorize(request, "deliberations.read", group)
        topics.add(live.topic(kind, int(value)))
    broker: live.Broker = request.app.state.live
    settings = request.app.state.settings
    if broker.subscribers >= broker.max_subscribers:
        return PlainTextResponse(
            _("Live updates are not available at this moment; reload the page to see changes."),
            status_code=503,
            headers={"Retry-After": "30"},
        )
    last = request.headers.get("last-event-id")
    if last is not None:
        catch_up = broker.missed(last, frozenset(topics))  # None: resync
    else:
        catch_up = broker.missed(request.query_params.get("after", ""), frozenset(topics)) or []
    if "text/event-stream" not in request.headers.get("accept", ""):
        lifetime = -1.0  # not an event-stream client: where things stand, and the end
    else:
        lifetime = float(settings.live_stream_seconds)
    return StreamingResponse(
        _subscribed(
            broker,
            frozenset(topics),
            catch_up=catch_up,
            lifetime=lifetime,
            heartbeat=settings.live_heartbeat_seconds,
        ),
        media_type="text/event-stream",
        headers=STREAM_HEADERS,
    )


async def _subscribed(
    broker: live.Broker, topics: frozenset[str], *, catch_up, lifetime: float, heartbeat: float
):
    if lifetime < 0:
        yield f"id: {broker.last_id}\n\n".encode()
        return
    subscriber = broker.subscribe(topics)
    if subscriber is None:
        return  # filled up since the check: the client retries later
    try:
        async for chunk in live.stream(
            broker, subscriber, catch_up=catch_up, heartbeat=heartbeat, lifetime=lifetime
        ):
            yield chunk
    finally:
        broker.unsubscribe(subscriber)
