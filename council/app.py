"""create_app(settings) -> the Starlette application: routes, middleware, lifespan, errors."""

from __future__ import annotations

import contextlib
import logging
import re
from pathlib import Path

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from council import (
    account_views,
    admin,
    audit_views,
    chair_views,
    live,
    live_views,
    notices,  # noqa: F401  (registers the core's kinds of notification)
    notification_settings_views,
    notification_views,
    notifications,
    oidc,
    sessions,
    views,
)
from council.bookkeeping import Bookkeeping
from council.compression import CompressionMiddleware
from council.database import Database
from council.errors import DomainError
from council.extensions import Extension, load_extensions
from council.i18n import load_catalogues
from council.middleware import (
    EVENTS_PATH,
    AdmissionMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
)
from council.pages import (
    SignInRequired,
    domain_error,
    http_exception,
    server_error,
    sign_in_required,
)
from council.public import PublicPagesMiddleware
from council.settings import Settings
from council.web import PageCache, make_templates, warm_up
from council.worker import all_jobs

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
log = logging.getLogger(__name__)


VERSIONED_NAME = re.compile(r"-(\d+(\.\d+)+|[0-9a-f]{8,})(\.min)?\.[a-z0-9]+$")
"""A file name that carries its version or a digest of its content (htmx-4.0.1.min.js): a
new content comes under a new name, so browsers may keep this one for good."""


class CachedStaticFiles(StaticFiles):
    """Files whose names carry their version (the vendored htmx) are kept a year and never
    revalidated; the others (council.css, live.js), whose content changes under the same name
    with a release, a day."""

    def file_response(self, full_path, *args, **kwargs):
        response = super().file_response(full_path, *args, **kwargs)
        response.headers["Cache-Control"] = (
            "public, max-age=31536000, immutable"
            if VERSIONED_NAME.search(Path(full_path).name)
            else "public, max-age=86400"
        )
        return response


def core_routes() -> list:
    return [
        Route("/", views.home, name="home"),
        Route("/healthz", views.healthz, name="healthz"),
        Route(EVENTS_PATH, live_views.events, name="events"),
        Route("/sign-in", views.sign_in, methods=["GET", "POST"], name="sign_in"),
        Route("/sign-out", views.sign_out, methods=["POST"], name="sign_out"),
        Route("/account", views.account, methods=["GET", "POST"], name="account"),
        Route("/language", views.choose_language, methods=["GET", "POST"], name="choose_language"),
        Route("/groups/{slug:str}", views.working_group, name="working_group"),
        *account_views.routes(),
        *notification_settings_views.routes(),
        *admin.routes(),
        *audit_views.routes(),
        *chair_views.routes(),
        *notification_views.routes(),
        Mount("/static", CachedStaticFiles(directory=STATIC_DIR), name="static"),
    ]


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    extensions: list[Extension] | None = None,
) -> Starlette:
    settings = settings or Settings.from_env()
    database = database or Database.from_url(settings.database_url, **settings.pool)
    extensions = load_extensions() if extensions is None else extensions
    bookkeeping = Bookkeeping({sessions.SEEN: sessions.write_seen})
    for extension in extensions:
        for kind, writer in extension.bookkeeping.items():
            bookkeeping.register(kind, writer)
        notifications.register(*extension.notification_kinds)

    broker = live.Broker(max_subscribers=settings.max_subscribers)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        if settings.is_production:
            await anyio.to_thread.run_sync(warm_up, app.state.templates, settings.languages)
        listener = _start_live(broker, database, settings)
        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(
                    _write_bookkeeping, bookkeeping, database, settings.bookkeeping_seconds
                )
                try:
                    yield
                finally:
                    tasks.cancel_scope.cancel()
        finally:
            await anyio.to_thread.run_sync(_stop_live, broker, database, listener)
        await anyio.to_thread.run_sync(bookkeeping.flush, database)
        database.dispose()

    routes = [route for extension in extensions for route in extension.routes] + core_routes()
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeadersMiddleware),
            Middleware(CompressionMiddleware),
            Middleware(
                AdmissionMiddleware, limit=settings.requests_at_once, wait=settings.queue_seconds
            ),
            Middleware(PublicPagesMiddleware, routes=routes),
            Middleware(RequestContextMiddleware),
        ],
        exception_handlers={
            HTTPException: http_exception,
            DomainError: domain_error,
            SignInRequired: sign_in_required,
            Exception: server_error,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.bookkeeping = bookkeeping
    app.state.live = broker
    app.state.jobs = all_jobs(extensions, settings)
    app.state.oidc = oidc.Providers(settings.oidc_providers)
    app.state.extensions = extensions
    app.state.catalogues = load_catalogues(settings.languages)
    app.state.page_cache = PageCache()
    app.state.templates = make_templates(auto_reload=settings.environment == "development")
    return app


def _start_live(
    broker: live.Broker, database: Database, settings: Settings
) -> live.Listener | None:
    """Live pages: on PostgreSQL this process listens for every process's events; on SQLite
    the events committed here come straight to the broker."""
    if database.is_sqlite:
        broker.attach(database.engine)
        return None
    listener = live.Listener(settings.database_url, broker)
    listener.start()
    return listener


def _stop_live(broker: live.Broker, database: Database, listener: live.Listener | None) -> None:
    broker.detach(database.engine)
    if listener is not None:
        listener.stop()


async def _write_bookkeeping(bookkeeping: Bookkeeping, database: Database, every: float) -> None:
    """What reads noted (council.bookkeeping), written every few seconds outside requests."""
    while True:
        await anyio.sleep(every)
        await anyio.to_thread.run_sync(bookkeeping.flush, database)


def build() -> Starlette:
    """Factory for `uvicorn --factory` and `council serve`: settings from the environment."""
    logging.basicConfig(level=logging.INFO)
    return create_app(Settings.from_env())
