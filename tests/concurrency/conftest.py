"""Load tests against a real `council serve` process on a fresh migrated database.

The database (SQLite file, or a PostgreSQL database beside COUNCIL_TEST_DATABASE_URL) is seeded
directly before the server starts; the server is the `council` command of the project's venv,
with its own environment, on a free loopback port, stopped at the end. Its log is kept, and the
server errors it shows are summed up for the test's figures.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest

from tests.conftest import TEST_SECRET

HERE = Path(__file__).resolve().parent
COUNCIL = Path(sys.executable).parent / "council"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.concurrency)


@dataclass
class Server:
    base_url: str
    database_url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def errors(self) -> Counter:
        """The exceptions the server logged (the last line of each traceback), counted."""
        found: Counter = Counter()
        lines = self.log().splitlines()
        for i, line in enumerate(lines):
            if line.startswith("Traceback"):
                for later in lines[i + 1 :]:
                    if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Timeout|Closed)\b", later):
                        found[later[:160]] += 1
                        break
        return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def council_server(
    database_url: str, var_dir: Path, *, timeout: float = 30, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """`council serve` on `database_url`, answering /healthz, until the block ends; `env`
    adds to (or overrides) its environment."""
    port = _free_port()
    env = {
        **os.environ,
        "COUNCIL_DATABASE_URL": database_url,
        "COUNCIL_VAR_DIR": str(var_dir),
        "COUNCIL_SECRET_KEY": TEST_SECRET,
        "COUNCIL_ENV": "development",
        "COUNCIL_LANGUAGE": "en",
        **(env or {}),
    }
    log_path = var_dir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(COUNCIL), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", database_url, process, log_path)
    try:
        _wait_until_healthy(server, timeout)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_healthy(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"council serve stopped while starting:\n{server.log()[-3000:]}")
        try:
            if httpx2.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(
        f"council serve did not answer /healthz within {timeout} s:\n{server.log()[-3000:]}"
    )
