"""Per-request context (database session, signed-in person, language, form, CSRF) and headers."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import anyio.to_thread
from sqlalchemy.exc import DBAPIError
from sqlmodel import select
from starlette.datastructures import FormData, Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from council import chairs, i18n, sessions
from council.database import utcnow
from council.models import Council
from council.permissions import ANONYMOUS, load_actor

log = logging.getLogger(__name__)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
HEALTH_PATH = "/healthz"
ANON_CSRF_COOKIE = "council_csrf"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def session_cookie_name(scheme: str) -> str:
    """__Host- cookies must be Secure, which browsers only accept over https."""
    return "__Host-session" if scheme == "https" else "council_session"


def csrf_token_for(secret: str, binding: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{binding}".encode(), hashlib.sha256).hexdigest()


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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.HEADERS.items():
                    headers.setdefault(name, value)
                if scope.get("scheme") == "https":
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestContextMiddleware:
    """Opens the request's database session and fills request.state.

    Unsafe requests are buffered (within the size limit), their form parsed once and their
    CSRF token checked here, so no route can forget it. The transaction commits just before
    the response starts when the status is below 400, and rolls back otherwise.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["path"] == HEALTH_PATH:
            # needs no session, language or form, and must answer when the database cannot
            return await self.app(scope, receive, send)
        if scope["method"] == "HEAD":
            # handlers branch on GET versus POST; the server drops the body of a HEAD answer
            scope = {**scope, "method": "GET"}
        starlette_app = scope["app"]
        settings = starlette_app.state.settings
        database = starlette_app.state.database
        request = Request(scope)
        unsafe = request.method not in SAFE_METHODS
        state = scope.setdefault("state", {})

        body = b""
        if unsafe:
            body = await _read_body(request, receive, settings.max_body_bytes)
            if body is None:
                return await self._refuse(scope, send, 413)

        db = database.session(write=unsafe)
        state["db"] = db
        try:
            try:
                await anyio.to_thread.run_sync(self._load, request, db, state)
            except DBAPIError:
                log.exception("the database cannot be reached")
                return await self._refuse(scope, send, 503)
            # a context variable set in the worker thread would not come back: set it here
            language = state["language"]
            i18n.activate(language, starlette_app.state.catalogues[language])
            new_anon_cookie = None
            binding = state.get("session_token") or request.cookies.get(ANON_CSRF_COOKIE)
            if not binding:
                binding = new_anon_cookie = secrets.token_urlsafe(24)
            state["csrf_token"] = csrf_token_for(settings.secret_key, binding)

            replay = _replaying(body)
            if unsafe:
                form = await _parse_form(scope, body)
                state["form"] = form
                if not _csrf_ok(request, form, state["csrf_token"]):
                    log.warning("CSRF refusal for %s %s", request.method, request.url.path)
                    return await self._refuse(scope, send, 403, csrf=True)

            async def send_wrapper(message: Message) -> None:
                if message["type"] == "http.response.start":
                    if message["status"] < 400:
                        await anyio.to_thread.run_sync(db.commit)
                    else:
                        await anyio.to_thread.run_sync(db.rollback)
                    if new_anon_cookie and state.get("csrf_used"):
                        headers = MutableHeaders(scope=message)
                        headers.append("Set-Cookie", _cookie(
                            ANON_CSRF_COOKIE, new_anon_cookie, secure=scope["scheme"] == "https"))
                await send(message)

            await self.app(scope, replay, send_wrapper)
        finally:
            await anyio.to_thread.run_sync(db.close)

    @staticmethod
    def _load(request: Request, db, state: dict) -> None:
        app_state = request.app.state
        settings = app_state.settings
        now = utcnow()
        state["now"] = now
        token = request.cookies.get(session_cookie_name(request.url.scheme))
        safe = request.method in SAFE_METHODS
        if token and safe and chairs.bodies_due(db, now):
            # a chair term ran out: record the turnover before reading, in a writer (SQLite
            # cannot turn this reading transaction into a writing one); unsafe requests hold
            # the write lock already and settle in load_actor
            db.rollback()
            with app_state.database.transaction() as writer:
                chairs.settle_terms(writer, now)
        council = db.exec(select(Council).order_by(Council.id).limit(1)).first()
        state["council"] = council
        resolved = sessions.resolve(db, token, settings=settings, now=now)
        person = None
        if resolved:
            auth, person = resolved
            state["session_token"] = token
            if request.method not in SAFE_METHODS:
                # this request holds SQLite's write lock already: a second writer would wait
                sessions.touch(db, auth, now)
            elif now - auth.last_seen_at >= sessions.TOUCH_EVERY:
                with app_state.database.transaction() as writer:
                    writer.merge(auth).last_seen_at = now
        state["actor"] = load_actor(db, person, now, settle=not safe) if person else ANONYMOUS
        default = council.default_language if council else settings.default_language
        chosen = person.language if person else request.cookies.get("council_language")
        if chosen not in settings.languages:
            chosen = i18n.negotiate(request.headers.get("accept-language", ""),
                                    settings.languages, default)
        language = chosen
        state["language"] = language

    async def _refuse(self, scope: Scope, send: Send, status: int, *, csrf: bool = False):
        from council.pages import error_response  # the error page needs the rendering layer

        request = Request(scope)
        state = scope.setdefault("state", {})
        state.setdefault("actor", ANONYMOUS)
        state.setdefault("council", None)
        state.setdefault("csrf_token", "")
        if "language" not in state:
            settings = scope["app"].state.settings
            language = i18n.negotiate(request.headers.get("accept-language", ""),
                                      settings.languages, settings.default_language)
            i18n.activate(language, scope["app"].state.catalogues[language])
        message = None
        if csrf:
            message = i18n.gettext(
                "This form has expired or did not come from this site. Please reload the page "
                "and try again.")
        response = error_response(request, status, message)
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


def _replaying(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    return receive


async def _parse_form(scope: Scope, body: bytes) -> FormData:
    content_type = Headers(scope=scope).get("content-type", "")
    if not content_type.startswith(FORM_TYPES):
        return FormData()
    return await Request(scope, _replaying(body)).form()


def _csrf_ok(request: Request, form: FormData, expected: str) -> bool:
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin and origin != "null":
        parts = urlsplit(origin)
        if (parts.scheme, parts.netloc) != (request.url.scheme, request.url.netloc):
            return False
    elif origin == "null":
        return False
    supplied = request.headers.get("x-csrf-token") or str(form.get("csrf_token", ""))
    return bool(supplied) and hmac.compare_digest(supplied, expected)


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
