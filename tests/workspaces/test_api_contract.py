"""The JSON API keeps the contract its OpenAPI document states, as schemathesis checks it: every
check (status codes and content types the document names, response schemas, valid requests
accepted and invalid ones refused, methods the API does not take answered 405 with Allow), with
a fixed seed, against the real application served on loopback with published recommendations
and a published chair's statement."""

from __future__ import annotations

import subprocess
import sys

import pytest

from council.app import create_app
from council.database import Database
from tests.browser.conftest import serving
from tests.conftest import make_settings
from tests.workspaces import showcase

SEED = "23"
EXAMPLES = "12"  # per operation and phase: the whole run stays well under a minute


@pytest.fixture(scope="module")
def published_api(fresh_databases, tmp_path_factory):
    """The showcase council (published recommendations and a chair's statement), served by
    uvicorn on a free loopback port."""
    url = fresh_databases.create()
    database = Database.from_url(url)
    with database.transaction() as db:
        showcase.build(db)
    try:
        app = create_app(make_settings(url, tmp_path_factory.mktemp("var")))
        with serving(app) as base_url:
            yield base_url
    finally:
        database.dispose()


def test_schemathesis_finds_no_failure_in_the_api(published_api, tmp_path):
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{published_api}/api/v1/openapi.json",
            "--checks",
            "all",
            "--seed",
            SEED,
            "--max-examples",
            EXAMPLES,
            "--workers",
            "1",
            "--generation-database",
            "none",
            "--no-color",
            "--request-timeout",
            "10",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
