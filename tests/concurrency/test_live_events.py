"""Live pages across processes and at scale, against real `council serve` processes.

Two servers on one PostgreSQL database: a comment posted through one reaches a page open on
the other within a second (LISTEN/NOTIFY). Then 1,000 idle streams held by one server, with
heartbeats: the extra memory they take is printed (pytest -s), a measure, not an assertion.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import httpx2
import pytest

from council.database import Database
from tests.concurrency.conftest import Server, council_server
from tests.conftest import csrf_from, run_async
from tests.factories import PASSWORD, make_council, make_group, make_person, make_seat
from workspaces import drafts

pytestmark = pytest.mark.concurrency

SUBSCRIBERS = 1000
HEARTBEAT_WAIT = 5.0  # longer than one heartbeat: every stream got one
SERVE_ENV = {"COUNCIL_WORKER_IN_SERVE": "false", "COUNCIL_LIVE_HEARTBEAT_SECONDS": "3"}


def _seed(database_url: str) -> dict:
    database = Database.from_url(database_url)
    with database.transaction() as session:
        make_council(session)
        mexico, canada = make_seat(session, name="Mexico"), make_seat(session, name="Canada")
        group = make_group(session, seats=[mexico, canada], slug="pathways")
        member = make_person(session, seat=mexico, email="member@live.example")
        colleague = make_person(session, seat=canada, email="colleague@live.example")
        draft = drafts.start_draft(
            session,
            by=member,
            group=group,
            title="Pathways",
            purpose="",
            sponsor_seat_ids=[mexico.id],
            language="en",
            text="First paragraph.\n\nSecond paragraph.",
        )
        paragraph = drafts.paragraphs(session, drafts.latest_revision(session, draft))[1]
        seeded = {
            "draft": draft.id,
            "paragraph": paragraph.paragraph_id,
            "member": member.email,
            "colleague": colleague.email,
        }
    database.dispose()
    return seeded


def _signed_in(server: Server, email: str) -> httpx2.Client:
    client = httpx2.Client(base_url=server.base_url, timeout=10)
    page = client.get("/sign-in")
    answer = client.post(
        "/sign-in", data={"csrf_token": csrf_from(page.text), "email": email, "password": PASSWORD}
    )
    assert answer.status_code in (200, 303), answer.text
    return client


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_a_comment_posted_through_one_server_reaches_a_page_open_on_another(
    fresh_databases, tmp_path
):
    if fresh_databases.backend != "postgresql":
        pytest.skip("several processes share PostgreSQL; SQLite serves one process")
    database_url = fresh_databases.create()
    seeded = _seed(database_url)
    event = f"event: comments-{seeded['paragraph']}"
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    with (
        council_server(database_url, tmp_path / "a", env=SERVE_ENV) as a,
        council_server(database_url, tmp_path / "b", env=SERVE_ENV) as b,
    ):
        reader = _signed_in(b, seeded["member"])
        writer = _signed_in(a, seeded["colleague"])
        form = writer.get(f"/drafts/{seeded['draft']}/comments?on={seeded['paragraph']}")
        opened, arrived = threading.Event(), {}

        def listen() -> None:
            with reader.stream(
                "GET",
                f"/events?draft={seeded['draft']}",
                headers={"Accept": "text/event-stream"},
                timeout=httpx2.Timeout(10, read=30),
            ) as stream:
                assert stream.status_code == 200
                for line in stream.iter_lines():
                    opened.set()
                    if line == event:
                        arrived["at"] = time.monotonic()
                        return

        thread = threading.Thread(target=listen, daemon=True)
        thread.start()
        assert opened.wait(10), "the stream did not open"
        time.sleep(0.3)  # the stream has subscribed once its first line is written
        posted = writer.post(
            f"/drafts/{seeded['draft']}/comments",
            data={
                "csrf_token": csrf_from(form.text),
                "paragraph_id": seeded["paragraph"],
                "revision_number": "1",
                "body": "Posted through the other server.",
            },
        )
        answered = time.monotonic()
        assert posted.status_code in (200, 303), posted.text
        thread.join(timeout=5)
        assert "at" in arrived, f"the event never arrived:\n{b.log()[-2000:]}"
        delay = arrived["at"] - answered
        print(
            f"\n[live] a comment posted on server A reached a page open on server B "
            f"{max(delay, 0) * 1000:.0f} ms after A answered"
        )
        assert delay < 1.0
        assert not a.errors() and not b.errors()


def test_memory_of_a_thousand_idle_subscribers(fresh_databases, tmp_path):
    database_url = fresh_databases.create()
    seeded = _seed(database_url)
    with council_server(database_url, tmp_path, env=SERVE_ENV) as server:
        cookies = dict(_signed_in(server, seeded["member"]).cookies)
        pid = server.process.pid
        url = f"/events?draft={seeded['draft']}"
        heartbeats = 0

        async def hold() -> tuple[int, int]:
            nonlocal heartbeats
            limits = httpx2.Limits(max_connections=SUBSCRIBERS + 10)
            async with httpx2.AsyncClient(
                base_url=server.base_url, cookies=cookies, limits=limits, timeout=httpx2.Timeout(30)
            ) as client:
                await client.get(url)  # warm: imports, templates, the first connection
                before = _rss_kib(pid)
                opened = asyncio.Queue()
                stop = asyncio.Event()

                async def one() -> None:
                    nonlocal heartbeats
                    async with client.stream(
                        "GET", url, headers={"Accept": "text/event-stream"}
                    ) as stream:
                        assert stream.status_code == 200
                        lines = stream.aiter_lines()
                        await anext(lines)
                        await opened.put(None)
                        reading = asyncio.ensure_future(count_heartbeats(lines))
                        await stop.wait()
                        reading.cancel()

                async def count_heartbeats(lines) -> None:
                    nonlocal heartbeats
                    async for line in lines:
                        if line.startswith(": keep-alive"):
                            heartbeats += 1

                tasks = []
                for _wave in range(0, SUBSCRIBERS, 50):  # in waves: each checks the session
                    tasks += [asyncio.ensure_future(one()) for _ in range(50)]
                    for _ in range(50):
                        await asyncio.wait_for(opened.get(), 30)
                await asyncio.sleep(HEARTBEAT_WAIT)
                during = _rss_kib(pid)
                stop.set()
                await asyncio.gather(*tasks, return_exceptions=True)
                return before, during

        before, during = run_async(hold)
        extra_mib = (during - before) / 1024
        print(
            f"\n[live] {SUBSCRIBERS} idle subscribers on one `council serve` process "
            f"({fresh_databases.backend}): RSS {before / 1024:.1f} MiB -> "
            f"{during / 1024:.1f} MiB, {extra_mib:.1f} MiB extra "
            f"({(during - before) / SUBSCRIBERS:.1f} KiB each); {heartbeats} heartbeats "
            f"received in {HEARTBEAT_WAIT:.0f} s"
        )
        assert heartbeats >= SUBSCRIBERS  # every stream kept alive
        assert not server.errors()
