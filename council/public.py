"""An anonymous reader's public page answered before the request's machinery.

Most requests a council gets are anonymous reads of a few public pages (a published
recommendation, shared and linked), and most of those come from readers and caches that hold
a copy already. A route serving such a page declares its facts (`PublicPage`): one statement
reading everything the page shows, with the council's row. The page's ETag is a digest of
those values, the address, the language and the release (council.web.page_etag).

PublicPagesMiddleware takes such a request (GET or HEAD, no session cookie) before any
session, transaction, form or handler: it reads the statement alone (Database.read_row: in
place on SQLite, in a thread on a pooled connection on PostgreSQL), with the values as the
driver gives them, and when this process holds a copy of the page under that ETag it answers
from the copy: 304 when the reader's copy is current, else the copy.

It answers only what the page's handler made and stored under the same ETag in this process
(council.web.public_page): the handler checked the permission (which, for an anonymous
reader, depends on the council's row, in the ETag) and rendered from the same state. So the
early answer is the handler's own answer; a copy never outlives a change, in any process, as
any change to what the page shows changes its ETag. Everything else (no copy yet in this
process, a session cookie, an unknown page) goes on to the handler, which reads the same
statement in its transaction (PageFacts.read), renders and keeps the copy.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from sqlalchemy import Select, func, select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from starlette.datastructures import Headers
from starlette.requests import Request, cookie_parser
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from council import i18n
from council.database import Database
from council.errors import NotFound
from council.middleware import LANGUAGE_COOKIE, has_control, session_cookie_name
from council.models import AuditRecord, Council
from council.web import page_etag, public_page

COUNCIL = Council.__table__
DEFAULT_LANGUAGE = list(COUNCIL.columns.keys()).index("default_language") - len(COUNCIL.columns)


class PageFacts:
    """What a public page shows, read in one statement: `build()`'s columns, then the
    council's row (its first, as every request reads it). Its parameters go to the driver as
    given (strings and numbers). The statement is compiled once for each kind of database;
    both reads give the values as the driver returns them, so they agree on the ETag."""

    def __init__(self, build: Callable[[], Select]):
        self.build = build
        self.compiled: dict[str, tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}

    @functools.cached_property
    def statement(self) -> Select:
        first = select(func.min(COUNCIL.c.id)).scalar_subquery()
        built = self.build()
        if not built.get_final_froms():  # only scalar subqueries: the council is the FROM
            return built.add_columns(*COUNCIL.columns).where(COUNCIL.c.id == first)
        return built.add_columns(*COUNCIL.columns).join(COUNCIL, COUNCIL.c.id == first)

    def read(self, session: Session, **parameters: object) -> tuple | None:
        """The values, in the session's transaction (a handler's read)."""
        connection = session.connection()
        sql, given = self._prepared(connection.dialect, parameters)
        row = connection.exec_driver_sql(sql, given).first()  # type: ignore[arg-type]
        return tuple(row) if row is not None else None

    def read_alone(self, database: Database, parameters: Mapping[str, object]) -> tuple | None:
        """The values, read alone (Database.read_row: before any request's transaction)."""
        sql, given = self._prepared(database.engine.dialect, parameters)
        return database.read_row(sql, given)

    def _prepared(self, dialect: Dialect, parameters: Mapping[str, object]):
        found = self.compiled.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            order = tuple(compiled.positiontup or ()) if compiled.positional else None
            found = self.compiled[dialect.name] = (str(compiled), order, dict(compiled.params))
        sql, order, fixed = found
        values = {**fixed, **parameters}
        if order is not None:
            return sql, tuple(values[name] for name in order)
        return sql, values


def audit_head():
    """The newest audit record's id, as a column: it changes at every governance act."""
    return select(func.max(AuditRecord.id)).scalar_subquery()


ACTS = PageFacts(lambda: select(audit_head()))
"""The facts of a page that changes only by governance acts (the library, a feed: a
publication, a supersession, a report, a chair's statement, a renamed seat or group): every
act is in the audit log, so its newest record's id stands for all of them."""


def serve(
    request: Request, facts: PageFacts, make: Callable[[str | None], Response], **parameters
) -> Response:
    """A page the same for every anonymous reader: `make(etag)` renders it (and gives `etag`
    to council.web.conditional). A signed-in reader's is made for them; an anonymous reader's
    ETag comes from `facts` (404 when they read no row), so a current copy gets its 304, and
    a reader without one this process's copy, before anything is rendered (here, or earlier
    in PublicPagesMiddleware when the route is `answered_early`)."""
    if request.state.actor.signed_in:
        return make(None)
    values = facts.read(request.state.db, **parameters)
    if values is None:
        raise NotFound()
    tag = etag(request, values)
    return public_page(request, lambda: make(tag), etag=tag)


def etag(request: Request, values: tuple) -> str:
    """The ETag of the page the request asks for, whose facts are `values` (a handler's)."""
    return page_etag(request.scope, i18n.current_language(), values)


def default_language(values: tuple) -> str:
    """The council's default language, from a PageFacts row."""
    return values[DEFAULT_LANGUAGE]


@dataclass(frozen=True)
class PublicPage:
    """Marks a route's endpoint (`answered_early(...)`) as a page every anonymous reader gets
    alike: its facts, and the statement's parameters from the path's (None: no such page)."""

    facts: PageFacts
    parameters: Callable[[dict[str, Any]], dict[str, object] | None]
    headers: tuple[tuple[bytes, bytes], ...] = ()
    """What its route adds to every anonymous answer besides the handler's (the API's CORS
    headers): an early answer adds them too."""


def _no_parameters(path_params: dict[str, Any]) -> dict:
    return {}


def answered_early(
    facts: PageFacts,
    parameters: Callable[[dict[str, Any]], dict | None] = _no_parameters,
    *,
    headers: Mapping[str, str] | None = None,
):
    """Decorator: the endpoint serves a public page PublicPagesMiddleware may answer early
    (`parameters`: none unless given)."""
    raw = tuple((name.lower().encode(), value.encode()) for name, value in (headers or {}).items())

    def mark(endpoint):
        endpoint.answered_early = PublicPage(facts, parameters, raw)
        return endpoint

    return mark


class PublicPagesMiddleware:
    def __init__(self, app: ASGIApp, *, routes: list[BaseRoute]):
        self.app = app
        self.pages = [
            (route, route.endpoint.answered_early)
            for route in routes
            if isinstance(route, Route) and hasattr(route.endpoint, "answered_early")
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and self.pages:
            answer = await self.early_answer(scope)
            if answer is not None:
                return await answer(scope, receive, send)
        await self.app(scope, receive, send)

    async def early_answer(self, scope: Scope):
        for route, candidate in self.pages:
            match, child = route.matches(scope)
            if match is Match.FULL:
                page = candidate
                break
        else:
            return None
        parameters = page.parameters(child["path_params"])
        headers = Headers(scope=scope)
        cookies = cookie_parser(headers.get("cookie", ""))
        if parameters is None or session_cookie_name(scope["scheme"]) in cookies:
            return None
        if has_control(scope):
            return None  # refused further on
        app = scope["app"]
        database: Database = app.state.database
        try:
            if database.reads_in_place:
                values = page.facts.read_alone(database, parameters)
            else:
                values = await anyio.to_thread.run_sync(page.facts.read_alone, database, parameters)
        except DBAPIError:
            return None  # the request's own transaction says what is wrong
        if values is None:
            return None
        language = i18n.choose(
            cookies.get(LANGUAGE_COOKIE),
            headers.get("accept-language", ""),
            app.state.settings.languages,
            default_language(values),
        )
        answer = app.state.page_cache.answer(page_etag(scope, language, values), headers)
        if answer is None:
            return None
        if answer.status_code == 200 and app.state.settings.check_fragments:
            return None  # the handler renders it again and compares (council.web.public_page)
        if page.headers:
            answer.raw_headers = [*answer.raw_headers, *page.headers]
        return answer
