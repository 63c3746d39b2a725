"""What every request goes through: admission, body and form, one transaction, the signed-in
person, the language, the CSRF check; and the security headers of every answer."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from http.cookies import SimpleCookie
from urllib.parse import unquote_plus

import anyio.to_thread
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select
from starlette.datastructures import FormData, Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect, Request
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from council import i18n, sessions, text
from council.csrf import csrf_accepted, csrf_token_for
from council.database import RequestTransaction, reading_clock, state_version, utcnow
from council.models import Council
from council.permissions import ANONYMOUS, load_actor, reading_actor

log = logging.getLogger(__name__)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
HEALTH_PATH = "/healthz"
EVENTS_PATH = "/events"
STATIC_PREFIX = "/static/"
ANON_CSRF_COOKIE = "council_csrf"
LANGUAGE_COOKIE = "council_language"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def session_cookie_name(scheme: str) -> str:
    """__Host- cookies must be Secure, which browsers only accept over https."""
    return "__Host-session" if scheme == "https" else "council_session"


class SecurityHeadersMiddleware:
    HEADERS = {
        "Content-Security-Policy": (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
            "form-action 'self'; frame-ancestors 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
        "Cross-Origin-Opener-Policy": "same-origin",
    }

    def __init__(self, app: ASGIApp):
        self.app = app
        raw = [(name.lower().encode(), value.encode()) for name, value in self.HEADERS.items()]
        self.raw = {
            "http": raw,
            "https": [*raw, (b"strict-transport-security", b"max-age=31536000")],
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        ours = self.raw["https" if scope.get("scheme") == "https" else "http"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # each one unless the answer has its own (a PDF's sandboxing policy, say)
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _value in headers}
                message["headers"] = headers + [item for item in ours if item[0] not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AdmissionMiddleware:
    """Lets at most `limit` requests work at once in this process; the next ones wait in line
    up to `wait` seconds, then get a 503 page with Retry-After.

    Every request at work holds one database connection, and the limit is below the pool's
    size, so no request ever waits for a connection while holding a thread, and a crowd meets
    a short queue and, past it, a clear answer: never a pool time-out, a 500 or a hang. The
    health check and static files need no connection and pass at once.
    """

    def __init__(self, app: ASGIApp, *, limit: int, wait: float):
        self.app = app
        self.limit, self.wait = limit, wait
        self.slots = anyio.Semaphore(limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _needs_no_database(scope["path"]):
            return await self.app(scope, receive, send)
        admitted = False
        try:
            self.slots.acquire_nowait()  # a free place: no one is waiting for it
            admitted = True
        except anyio.WouldBlock:
            with anyio.move_on_after(self.wait):
                await self.slots.acquire()
                admitted = True
        if not admitted:
            log.warning(
                "busy: %s %s waited %ss for one of %s places",
                scope["method"],
                scope["path"],
                self.wait,
                self.limit,
            )
            return await _refuse(
                scope,
                send,
                503,
                headers={"Retry-After": "5"},
                message=lambda: i18n.gettext(
                    "Many people are using the workspace at this moment. Please try "
                    "again in a few seconds."
                ),
            )
        if scope["path"] != EVENTS_PATH:
            try:
                await self.app(scope, receive, send)
            finally:
                self.slots.release()
            return
        # a live page's event stream (council.live) needs its place only while the session
        # and the permissions are checked: it gives it back when the stream starts
        held = True

        async def send_releasing(message: Message) -> None:
            nonlocal held
            if held and message["type"] == "http.response.start":
                held = False
                self.slots.release()
            await send(message)

        try:
            await self.app(scope, receive, send_releasing)
        finally:
            if held:
                self.slots.release()


def _needs_no_database(path: str) -> bool:
    return path == HEALTH_PATH or path.startswith(STATIC_PREFIX)


class RequestContextMiddleware:
    """Gives each request what handlers rely on, in this order: the body and its form (unsafe
    requests, within the size limit), one database transaction, the signed-in person and their
    roles, the language, and the CSRF check (so no route can forget it). The transaction
    commits just before the response starts (see council.database.RequestTransaction).
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and has_control(scope):
            return await _refuse(scope, send, 400)
        if scope["type"] != "http" or _needs_no_database(scope["path"]):
            # the health check must answer when the database cannot
            return await self.app(scope, receive, send)
        if scope["method"] == "HEAD":
            # handlers branch on GET versus POST; the server drops the body of a HEAD answer
            scope = {**scope, "method": "GET"}
        app_state = scope["app"].state
        request = Request(scope)
        # an unsafe method no route takes here (a POST or TRACE to the read-only API) is
        # answered by routing (405 with Allow, or 404): no handler runs, so no CSRF check
        unsafe = request.method not in SAFE_METHODS and _routed(scope)
        state = scope.setdefault("state", {})
        state["unsafe"] = unsafe

        body = b""
        form = FormData()
        if unsafe and _is_multipart(scope):
            # a form with a file, parsed as it arrives (see _stream_form)
            try:
                form = await _stream_form(
                    scope,
                    receive,
                    app_state.settings.upload_body_bytes,
                    app_state.settings.max_body_bytes,
                )
            except _TooLarge:
                return await _refuse(scope, send, 413)
            except HTTPException as refused:  # a malformed multipart body, too many fields
                return await _refuse(scope, send, refused.status_code)
            except ClientDisconnect:
                return await _refuse(scope, send, 400)
        elif unsafe:
            body = await _read_body(request, receive, app_state.settings.max_body_bytes)
            if body is None:
                return await _refuse(scope, send, 413)
            try:
                form = await _parse_form(scope, body)
            except HTTPException as refused:  # a malformed multipart body, too many fields
                return await _refuse(scope, send, refused.status_code)

        transaction = RequestTransaction(app_state.database, write=unsafe)
        state["transaction"] = transaction
        state["db"] = transaction.session
        try:
            try:
                await anyio.to_thread.run_sync(identify, request, transaction.session, state)
            except DBAPIError:
                log.exception("the database cannot be reached")
                return await _refuse(scope, send, 503)
            # a context variable set in the worker thread would not come back: set it here
            language = state["language"]
            i18n.activate(language, app_state.catalogues[language])
            new_anon_cookie = _csrf_binding(request, state, app_state.settings.secret_key)
            if unsafe:
                state["form"] = form
                if not _one_click_unsubscribe(request, form) and not _csrf_ok(
                    request, form, state["csrf_token"]
                ):
                    log.warning("CSRF refusal for %s %s", request.method, request.url.path)
                    return await _refuse(
                        scope,
                        send,
                        403,
                        message=lambda: i18n.gettext(
                            "This form has expired or did not come from this site. Please reload "
                            "the page and try again."
                        ),
                    )

            async def send_wrapper(message: Message) -> None:
                if message["type"] == "http.response.start":
                    # read before the transaction ends: after it, the actor's rows are
                    # expired, and reading them would open a new transaction (held by a
                    # stream for as long as it lasts)
                    private = state["actor"].signed_in
                    await anyio.to_thread.run_sync(transaction.finish, message["status"])
                    headers = MutableHeaders(scope=message)
                    if new_anon_cookie and state.get("csrf_used"):
                        headers.append(
                            "Set-Cookie",
                            _cookie(
                                ANON_CSRF_COOKIE, new_anon_cookie, secure=scope["scheme"] == "https"
                            ),
                        )
                    if private:
                        keep_private(headers)
                await send(message)

            await self.app(scope, _replaying(body, then=receive), send_wrapper)
        finally:
            await anyio.to_thread.run_sync(transaction.close)
            await form.close()  # the spooled files of an upload


PRIVATE = "private, no-store"


def keep_private(headers: MutableHeaders) -> None:
    """An answer to a signed-in person shows what they may see: no shared cache keeps it, and
    neither does the browser (the Back button after signing out shows nothing). Vary: Cookie
    tells caches it depends on who asks."""
    rule = headers.get("cache-control", "").lower()
    if "private" not in rule or "no-store" not in rule:
        headers["Cache-Control"] = PRIVATE
    vary_on(headers, "Cookie")


def vary_on(headers: MutableHeaders, name: str) -> None:
    """Add `name` to the Vary header, once."""
    present = [item.strip().lower() for item in headers.get("vary", "").split(",")]
    if name.lower() not in present and "*" not in present:
        headers["Vary"] = f"{headers['vary']}, {name}" if headers.get("vary") else name


def _routed(scope: Scope) -> bool:
    """Whether a route takes this request as it is: its path and its method."""
    return any(route.matches(scope)[0] == Match.FULL for route in scope["app"].router.routes)


def has_control(scope: Scope) -> bool:
    """A control character in the path or the query string (decoded): no link has one, and
    PostgreSQL refuses NUL, so it is refused before any handler reads it."""
    query = unquote_plus(scope.get("query_string", b"").decode("latin-1"), encoding="latin-1")
    return text.has_control(scope["path"]) or text.has_control(query)


def identify(request: Request, db: Session, state: dict) -> None:
    """Who asks, with their roles at this instant, and in which language to answer.

    A safe request writes nothing: its session's last use is noted for the next bookkeeping
    batch (council.bookkeeping), and a chair term that ran out reads as handed over without
    being recorded (council.chairs). An unsafe request holds the write lock already: it
    records both in its own transaction.
    """
    app_state = request.app.state
    settings = app_state.settings
    now = utcnow()
    state["now"] = now
    safe = request.method in SAFE_METHODS or not state.get("unsafe", True)
    council = db.exec(select(Council).order_by(Council.id).limit(1)).first()
    state["council"] = council
    token = request.cookies.get(session_cookie_name(request.url.scheme))
    resolved = sessions.resolve(
        db,
        token,
        settings=settings,
        now=now,
        seen=sessions.pending_seen(app_state.bookkeeping, token),
    )
    person = None
    if resolved:
        auth, person = resolved
        state["session_token"] = token
        if safe:
            sessions.note_seen(app_state.bookkeeping, auth, now)
        else:
            sessions.touch(db, auth, now)
    if person is None:
        state["actor"] = ANONYMOUS
    elif safe and settings.reader_copies:
        state["state_version"] = version = state_version(db)
        state["actor"] = reading_actor(
            db, person, reading_clock(now, version), version, check=settings.check_fragments
        )
    else:
        state["actor"] = load_actor(db, person, now, settle=not safe)
    default = council.default_language if council else settings.default_language
    chosen = person.language if person else request.cookies.get(LANGUAGE_COOKIE)
    state["language"] = i18n.choose(
        chosen, request.headers.get("accept-language", ""), settings.languages, default
    )


def _csrf_binding(request: Request, state: dict, secret: str) -> str | None:
    """The CSRF token of this request, bound to the session, or else to a random cookie; the
    new cookie's value when one is needed."""
    new_anon_cookie = None
    binding = state.get("session_token") or request.cookies.get(ANON_CSRF_COOKIE)
    if not binding:
        binding = new_anon_cookie = secrets.token_urlsafe(24)
    state["csrf_token"] = csrf_token_for(secret, binding)
    return new_anon_cookie


async def _refuse(
    scope: Scope,
    send: Send,
    status: int,
    *,
    message: Callable[[], str] | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """An error page before any handler ran (no session, or no slot to work in)."""
    from council.pages import error_response  # the error page needs the rendering layer

    request = Request(scope)
    state = scope.setdefault("state", {})
    state.setdefault("actor", ANONYMOUS)
    state.setdefault("council", None)
    state.setdefault("csrf_token", "")
    if "language" not in state:
        settings = scope["app"].state.settings
        language = i18n.negotiate(
            request.headers.get("accept-language", ""),
            settings.languages,
            settings.default_language,
        )
        i18n.activate(language, scope["app"].state.catalogues[language])
    response = error_response(request, status, message() if message else None)
    response.headers.update(headers or {})
    await response(scope, _replaying(b""), send)


async def _read_body(request: Request, receive: Receive, limit: int) -> bytes | None:
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        return None
    chunks, total = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        total += len(chunk)
        if total > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, *, then: Receive | None = None) -> Receive:
    """The body read already, then (with `then`) what the server says next: the client's
    disconnect, which a streaming answer waits for to stop."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if then is not None:
            while True:
                message = await then()
                if message["type"] != "http.request":  # the body, which was read already
                    return message
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    return receive


def _is_multipart(scope: Scope) -> bool:
    return Headers(scope=scope).get("content-type", "").startswith("multipart/form-data")


class _TooLarge(Exception):
    """A body went past its limit while it arrived."""


class _FieldsWithinLimit(MultiPartParser):
    """Starlette's multipart parser, holding the form's fields (not its files, which go to
    disk) within `field_limit` bytes together, as the body of a form without files is."""

    def __init__(self, *args, field_limit: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_limit, self.field_bytes = field_limit, 0

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._current_part.file is None:  # a field, kept in memory
            self.field_bytes += end - start
            if self.field_bytes > self.field_limit:
                raise _TooLarge()
        super().on_part_data(data, start, end)


async def _stream_form(scope: Scope, receive: Receive, limit: int, field_limit: int) -> FormData:
    """A multipart form, parsed as it arrives rather than read whole first: Starlette's parser
    spools each file to disk past 1 MB, so an upload is never held in memory, and its fields
    stay within `field_limit` bytes. The body may be up to `limit` bytes
    (Settings.upload_body_bytes: the handler then refuses a file over
    Settings.max_upload_bytes with its form filled in); past either limit, _TooLarge."""
    length = Headers(scope=scope).get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise _TooLarge()
    total = 0

    async def counted() -> Message:
        nonlocal total
        message = await receive()
        if message["type"] == "http.request":
            total += len(message.get("body", b""))
            if total > limit:
                raise _TooLarge()
        return message

    request = Request(scope, counted)
    parser = _FieldsWithinLimit(request.headers, request.stream(), field_limit=field_limit)
    try:
        return await parser.parse()
    except MultiPartException as malformed:
        raise HTTPException(status_code=400, detail=malformed.message) from malformed


async def _parse_form(scope: Scope, body: bytes) -> FormData:
    content_type = Headers(scope=scope).get("content-type", "")
    if not content_type.startswith(FORM_TYPES):
        return FormData()
    return await Request(scope, _replaying(body)).form()


ONE_CLICK_PREFIX = "/notifications/settings/"


def _one_click_unsubscribe(request: Request, form: FormData) -> bool:
    """RFC 8058: a mail program posts `List-Unsubscribe=One-Click` to an email's settings
    link, with no cookie and no token. The link's secret is in its address, and this post can
    only turn emails off (council.notification_settings.unsubscribe)."""
    return (
        request.url.path.startswith(ONE_CLICK_PREFIX)
        and form.get("List-Unsubscribe") == "One-Click"
    )


def _csrf_ok(request: Request, form: FormData, expected: str) -> bool:
    return csrf_accepted(
        supplied=request.headers.get("x-csrf-token") or str(form.get("csrf_token", "")),
        expected=expected,
        fetch_site=request.headers.get("sec-fetch-site"),
        origin=request.headers.get("origin"),
        scheme=request.url.scheme,
        netloc=request.url.netloc,
    )


def _cookie(name: str, value: str, *, secure: bool, max_age: int | None = None) -> str:
    cookie = SimpleCookie()
    cookie[name] = value
    cookie[name]["path"] = "/"
    cookie[name]["httponly"] = True
    cookie[name]["samesite"] = "Lax"
    if secure:
        cookie[name]["secure"] = True
    if max_age is not None:
        cookie[name]["max-age"] = max_age
    return cookie.output(header="").strip()
