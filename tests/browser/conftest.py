"""Browser tests: Debian's Chromium through pytest-playwright, against a live demo council.

One browser for the whole session and a fresh context (cookies, storage) per test. The server is
the real application under uvicorn on loopback, on a freshly migrated database (SQLite, or
PostgreSQL when COUNCIL_TEST_DATABASE_URL is set) holding the demo council.

Without a `chromium` on PATH the tests are skipped, loudly; with CI=true they fail instead.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest
import uvicorn
from playwright.sync_api import ConsoleMessage, Page, expect

from council import demo
from council.app import create_app
from council.database import Database
from tests.conftest import make_settings

HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "browser tests demo password"
DELEGATE = "marc.andre.gagnon@demo.council.example"  # Canada's delegate
SECRETARIAT = "secretariat@demo.council.example"
MISSING_BROWSER = pytest.StashKey[str]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    message = config.stash.get(MISSING_BROWSER, None)
    if message:
        terminalreporter.section("browser tests NOT RUN", sep="!", red=True, bold=True)
        terminalreporter.write_line(message, red=True, bold=True)


@pytest.fixture(scope="session")
def chromium_executable(pytestconfig: pytest.Config) -> str:
    path = shutil.which("chromium")
    if path:
        return path
    message = (
        "No `chromium` browser on PATH: the browser tests cannot run. "
        "Install Debian's chromium (apt-get install -y chromium); "
        "never `playwright install`."
    )
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"{message} CI=true, so a missing browser fails the run.", pytrace=False)
    pytestconfig.stash[MISSING_BROWSER] = message
    warnings.warn(pytest.PytestWarning(f"{message} Browser tests are SKIPPED."), stacklevel=1)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict, chromium_executable: str) -> dict:
    """Debian's chromium (pytest-playwright's --browser-channel cannot pick it), kept offline."""
    args = list(CHROMIUM_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")
    return {
        "headless": True,
        **browser_type_launch_args,
        "executable_path": chromium_executable,
        "args": args,
    }


@pytest.fixture(scope="session")
def demo_password() -> str:
    return DEMO_PASSWORD


@pytest.fixture(scope="session")
def live_var_dir(tmp_path_factory):
    """The live server's var directory (the demo's research papers are under it)."""
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="session")
def live_database(fresh_databases, demo_password, live_var_dir) -> Iterator[Database]:
    """The live server's database, migrated, holding the demo council."""
    database = Database.from_url(fresh_databases.create())
    with database.transaction() as session:
        demo.build(
            session,
            password=demo_password,
            documents_dir=make_settings("sqlite://", live_var_dir).documents_dir,
        )
    yield database
    database.dispose()


@contextmanager
def serving(app) -> Iterator[str]:
    """`app` under uvicorn on a free loopback port, until the block ends."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="live-server", daemon=True
    )
    thread.start()
    try:
        _wait_until_healthy(f"{base_url}/healthz", thread)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


@pytest.fixture(scope="session")
def live_server(live_database, live_var_dir) -> Iterator[str]:
    """The application with the demo council, served by uvicorn on a free loopback port."""
    url = live_database.engine.url.render_as_string(hide_password=False)
    with serving(create_app(make_settings(url, live_var_dir))) as base_url:
        yield base_url


def _wait_until_healthy(url: str, thread: threading.Thread, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the live server stopped while starting")
        try:
            if httpx2.get(url, timeout=1).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the live server did not answer {url} within {timeout} s")


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """pytest-playwright gives every context this base URL, so pages use relative paths."""
    return live_server


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "locale": "en-US", "timezone_id": "UTC"}


class ConsoleLog:
    """What the pages of a test wrote to the console, and the script errors they raised."""

    def __init__(self):
        self.lines: list[str] = []

    def watch(self, page: Page) -> Page:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.lines.append(f"pageerror: {error}"))
        return page

    def _console(self, message: ConsoleMessage) -> None:
        self.lines.append(f"{message.type}: {message.text} ({message.location.get('url', '')})")

    def csp_violations(self) -> list[str]:
        return [
            line for line in self.lines if re.search(r"Content.Security.Policy|Refused to", line)
        ]


@pytest.fixture
def console(page: Page) -> ConsoleLog:
    """Console messages of the test's `page` (call .watch(page) for pages of other contexts)."""
    log = ConsoleLog()
    log.watch(page)
    return log


def sign_in(page: Page, email: str, password: str, *, next: str | None = None) -> None:
    """Sign in through the sign-in form, as a person would."""
    page.goto("/sign-in" + (f"?next={next}" if next else ""))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/sign-in(\?|$)"))


def choose_language(page: Page, code: str) -> None:
    """Pick a language in the header's language menu (a disclosure), as a person would."""
    menu = page.locator("details.language-menu")
    menu.locator("summary").click()
    menu.locator(f"button[name=language][value={code}]").click()
