"""A crowd meets a short line, then a clear 503 with Retry-After: never a pool time-out, a 500
or a hang. Malformed bodies are refused with a 400 before any handler runs."""

from __future__ import annotations

import anyio
import httpx2
import pytest
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from council.app import create_app
from council.database import Database, make_engine
from council.extensions import Extension
from council.views import permission
from tests.conftest import make_settings, run_async


@permission("public")
async def slow(request):
    await anyio.sleep(float(request.query_params.get("seconds", "0.5")))
    return PlainTextResponse("done")


@pytest.fixture
def crowd_app(fresh_databases, tmp_path):
    url = fresh_databases.create()
    engine = make_engine(url)
    settings = make_settings(url, tmp_path, max_requests=2, queue_seconds=0.3)
    app = create_app(
        settings,
        database=Database(engine),
        extensions=[Extension(name="test", routes=[Route("/slow", slow)])],
    )
    yield app
    engine.dispose()


async def _gather(app, paths):
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
        answers = {}

        async def fetch(n, path):
            answers[n] = await client.get(path)

        async with anyio.create_task_group() as tasks:
            for n, path in enumerate(paths):
                tasks.start_soon(fetch, n, path)
        return [answers[n] for n in range(len(paths))]


def test_requests_past_the_limit_wait_then_get_a_503_with_retry_after(crowd_app):
    answers = run_async(_gather, crowd_app, ["/slow?seconds=1"] * 5)
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 200, 503, 503, 503]
    busy = next(answer for answer in answers if answer.status_code == 503)
    assert busy.headers["retry-after"] == "5"
    assert "try again in a few seconds" in busy.text


def test_requests_that_fit_in_the_line_are_served(crowd_app):
    answers = run_async(_gather, crowd_app, ["/slow?seconds=0.1"] * 4)
    assert [answer.status_code for answer in answers] == [200] * 4


def test_the_health_check_and_static_files_pass_a_full_house(crowd_app):
    async def scenario():
        answers = await _gather(
            crowd_app, ["/slow?seconds=1", "/slow?seconds=1", "/healthz", "/static/css/council.css"]
        )
        return answers[2:]

    health, static = run_async(scenario)
    assert health.status_code == 200
    assert static.status_code in (200, 404)  # never a 503


@pytest.mark.parametrize(
    "body, content_type, status",
    [
        # an empty multipart body parses as no fields: refused for want of a CSRF token
        (b"--x\r\n", "multipart/form-data; boundary=x", 403),
        (
            b"--x\r\nContent-Disposition: form-data\r\n\r\nv\r\n--x--\r\n",
            "multipart/form-data; boundary=x",
            400,
        ),
        (
            "&".join(f"f{n}=v" for n in range(1001)).encode(),
            "application/x-www-form-urlencoded",
            400,
        ),
    ],
)
def test_a_malformed_body_is_refused_with_a_page_not_a_500(client, body, content_type, status):
    answer = client.post("/sign-in", content=body, headers={"content-type": content_type})
    assert answer.status_code == status
    assert "text/html" in answer.headers["content-type"]
