"""create_app(settings) -> the Starlette application: routes, middleware, lifespan, errors."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from council import account_views, admin, chair_views, oidc, sessions, views
from council.bookkeeping import Bookkeeping
from council.database import Database
from council.errors import DomainError
from council.extensions import Extension, load_extensions
from council.i18n import load_catalogues
from council.middleware import (
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
from council.settings import Settings
from council.web import make_templates
from council.worker import all_jobs

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
log = logging.getLogger(__name__)


class CachedStaticFiles(StaticFiles):
    """Vendored files carry their version in the name, so browsers may keep them a long time."""

    def file_response(self, *args, **kwargs):
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response


def core_routes() -> list:
    return [
        Route("/", views.home, name="home"),
        Route("/healthz", views.healthz, name="healthz"),
        Route("/sign-in", views.sign_in, methods=["GET", "POST"], name="sign_in"),
        Route("/sign-out", views.sign_out, methods=["POST"], name="sign_out"),
        Route("/account", views.account, methods=["GET", "POST"], name="account"),
        Route("/language", views.choose_language, methods=["GET", "POST"],
              name="choose_language"),
        Route("/groups/{slug:str}", views.working_group, name="working_group"),
        *account_views.routes(),
        *admin.routes(),
        *chair_views.routes(),
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

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(_write_bookkeeping, bookkeeping, database,
                             settings.bookkeeping_seconds)
            try:
                yield
            finally:
                tasks.cancel_scope.cancel()
        await anyio.to_thread.run_sync(bookkeeping.flush, database)
        database.dispose()

    routes = [route for extension in extensions for route in extension.routes] + core_routes()
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeadersMiddleware),
            Middleware(AdmissionMiddleware, limit=settings.requests_at_once,
                       wait=settings.queue_seconds),
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
    app.state.jobs = all_jobs(extensions)
    app.state.oidc = oidc.Providers(settings.oidc_providers)
    app.state.extensions = extensions
    app.state.catalogues = load_catalogues(settings.languages)
    app.state.templates = make_templates(auto_reload=settings.environment == "development")
    return app


async def _write_bookkeeping(bookkeeping: Bookkeeping, database: Database,
                             every: float) -> None:
    """What reads noted (council.bookkeeping), written every few seconds outside requests."""
    while True:
        await anyio.sleep(every)
        await anyio.to_thread.run_sync(bookkeeping.flush, database)


def build() -> Starlette:
    """Factory for `uvicorn --factory` and `council serve`: settings from the environment."""
    logging.basicConfig(level=logging.INFO)
    return create_app(Settings.from_env())
