"""A small HTTP/1.1 load generator on loopback: keep-alive connections on asyncio (uvloop when
installed) with httptools parsing the answers, so that one core drives a server on the other
(wrk is not installed; httpx spends more time in the client than the server does).

Two ways to drive load:
- closed loop (`hammer`): N connections each send the next request as soon as the answer
  came, for a duration; requests/s is what the server sustains;
- users (`Workload`): each user has one connection, does one of a mix of actions, then thinks
  for a while; latencies are what a person waits.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

import httptools

try:
    import uvloop
except ImportError:  # pragma: no cover
    uvloop = None

CSRF = re.compile(rb'name="csrf_token" value="([0-9a-f]+)"')


@dataclass
class Answer:
    status: int
    size: int
    """Bytes of the body as sent (compressed when it was)."""
    seconds: float
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class Connection(asyncio.Protocol):
    """One keep-alive connection: one request at a time."""

    def __init__(self, *, keep_body: bool = False):
        self.keep_body = keep_body
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future | None = None
        self.size = 0
        self.body: list[bytes] = []
        self.headers: dict[str, str] = {}
        self.lost = False
        self.received = 0
        """Bytes received on this connection, headers included."""

    @classmethod
    async def open(cls, host: str, port: int, **kwargs) -> Connection:
        loop = asyncio.get_running_loop()
        _transport, connection = await loop.create_connection(lambda: cls(**kwargs), host, port)
        return connection

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        self.lost = True
        if self.waiter and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("connection lost"))

    def data_received(self, data: bytes) -> None:
        self.received += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as error:
            if self.waiter and not self.waiter.done():
                self.waiter.set_exception(error)

    def on_header(self, name: bytes, value: bytes) -> None:
        if self.keep_body:
            self.headers[name.decode().lower()] = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self.size += len(body)
        if self.keep_body:
            self.body.append(body)

    def on_message_complete(self) -> None:
        if self.waiter and not self.waiter.done():
            self.waiter.set_result(self.parser.get_status_code())

    async def send(self, raw: bytes) -> Answer:
        if self.lost or self.transport.is_closing():
            raise ConnectionError("connection closed")
        self.size, self.body, self.headers = 0, [], {}
        self.waiter = asyncio.get_running_loop().create_future()
        began = time.perf_counter()
        self.transport.write(raw)
        status = await self.waiter
        return Answer(
            status, self.size, time.perf_counter() - began, b"".join(self.body), self.headers
        )

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def request(
    method: str,
    path: str,
    port: int,
    *,
    headers: dict[str, str] | None = None,
    form: dict | None = None,
) -> bytes:
    """The bytes of one request to 127.0.0.1:`port`."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "User-Agent: council-bench"]
    body = b""
    if form is not None:
        body = urlencode(form).encode()
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class Result:
    name: str
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    bytes: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def add(self, answer: Answer, ok: Callable[[int], bool]) -> None:
        self.requests += 1
        self.latencies.append(answer.seconds)
        self.bytes += answer.size
        self.statuses[answer.status] = self.statuses.get(answer.status, 0) + 1
        if not ok(answer.status):
            self.errors += 1


def run(coroutine):
    if uvloop is not None:
        return uvloop.run(coroutine)
    return asyncio.run(coroutine)


async def hammer(
    name: str,
    port: int,
    raws: Sequence[bytes],
    *,
    connections: int,
    seconds: float,
    warmup: float,
    ok: Callable[[int], bool],
) -> Result:
    """Closed loop: `connections` connections send `raws` in turn for `seconds` (after
    `warmup` seconds not counted)."""
    opened = [await Connection.open("127.0.0.1", port) for _ in range(connections)]
    turn = itertools.cycle(raws)
    result = Result(name)
    measuring = False
    stop_at = time.perf_counter() + warmup + seconds

    async def work(connection: Connection) -> None:
        while time.perf_counter() < stop_at:
            answer = await connection.send(next(turn))
            if measuring:
                result.add(answer, ok)

    tasks = [asyncio.create_task(work(c)) for c in opened]
    await asyncio.sleep(warmup)
    measuring, began = True, time.perf_counter()
    await asyncio.gather(*tasks)
    result.seconds = time.perf_counter() - began
    for connection in opened:
        connection.close()
    return result


@dataclass
class Action:
    kind: str
    """"page", "fragment", "comment" or "position"."""
    weight: float


MIX = (Action("page", 70), Action("fragment", 20), Action("comment", 8), Action("position", 2))
CHOICES = ("support", "abstain", "support")


class Workload:
    """Users with think time: 70 % page reads, 20 % htmx fragments, 8 % comments, 2 %
    positions, as a browser with JavaScript sends them (brotli or gzip accepted)."""

    def __init__(
        self,
        port: int,
        users: Sequence,
        recommendations: Sequence[str],
        *,
        think: float,
        seconds: float,
        seed: int = 7,
    ):
        self.port, self.users, self.think, self.seconds = port, users, think, seconds
        self.recommendations = recommendations
        self.rng = random.Random(seed)
        self.results = {action.kind: Result(action.kind) for action in MIX}
        self.failures: list[str] = []

    async def run(self) -> dict[str, Result]:
        stop_at = time.perf_counter() + self.seconds
        await asyncio.gather(*(self.user(user, stop_at) for user in self.users))
        for result in self.results.values():
            result.seconds = self.seconds
        return self.results

    def headers(self, user, **more) -> dict[str, str]:
        return {
            "Cookie": f"council_session={user.token}",
            "Accept-Encoding": "br, gzip",
            "Accept": "text/html",
            **more,
        }

    async def user(self, user, stop_at: float) -> None:
        rng = random.Random(self.rng.random())
        connection = await Connection.open("127.0.0.1", self.port, keep_body=True)
        await asyncio.sleep(rng.uniform(0, self.think))
        home = await connection.send(
            request(
                "GET", "/", self.port, headers=self.headers(user, **{"Accept-Encoding": "identity"})
            )
        )
        match = CSRF.search(home.body)
        token = match.group(1).decode() if match else ""
        kinds = [action.kind for action in MIX]
        weights = [action.weight for action in MIX]
        while time.perf_counter() < stop_at:
            kind = rng.choices(kinds, weights)[0]
            raw, expected = self.action(kind, user, token, rng)
            if connection.lost:  # the server closes a connection idle for a while, as
                # browsers find: they open another without telling anyone
                connection = await Connection.open("127.0.0.1", self.port, keep_body=True)
            try:
                answer = await connection.send(raw)
            except (ConnectionError, httptools.HttpParserError) as error:
                self.results[kind].errors += 1
                self.failures.append(f"{kind}: {error}")
                connection = await Connection.open("127.0.0.1", self.port, keep_body=True)
                continue
            self.results[kind].add(answer, lambda status, ok=expected: status in ok)
            if answer.status not in expected and len(self.failures) < 20:
                self.failures.append(f"{kind} {raw.split(b' ')[1].decode()}: {answer.status}")
            await asyncio.sleep(rng.expovariate(1 / self.think))
        connection.close()

    def action(self, kind: str, user, token: str, rng: random.Random) -> tuple[bytes, set]:
        draft_id, paragraph_id, revision = rng.choice(user.drafts)
        if kind == "page":
            path = rng.choice(
                [
                    "/",
                    f"/groups/{user.group_slug}",
                    f"/drafts/{draft_id}",
                    f"/drafts/{draft_id}",
                    f"/rounds/{user.round_id}",
                    f"/recommendations/{rng.choice(self.recommendations)}",
                    "/recommendations",
                ]
            )
            return request("GET", path, self.port, headers=self.headers(user)), {200}
        if kind == "fragment":
            path = f"/drafts/{draft_id}/comments?on={paragraph_id}"
            return request(
                "GET", path, self.port, headers=self.headers(user, **{"HX-Request": "true"})
            ), {200}
        if kind == "comment":
            form = {
                "body": f"A comment from the benchmark ({rng.random():.6f}).",
                "paragraph_id": paragraph_id,
                "revision_number": str(revision),
            }
            return request(
                "POST",
                f"/drafts/{draft_id}/comments",
                self.port,
                form=form,
                headers=self.headers(
                    user,
                    **{
                        "HX-Request": "true",
                        "X-CSRF-Token": token,
                        "Origin": f"http://127.0.0.1:{self.port}",
                    },
                ),
            ), {200}
        form = {"choice": rng.choice(CHOICES)}
        return request(
            "POST",
            f"/rounds/{user.round_id}/position",
            self.port,
            form=form,
            headers=self.headers(
                user,
                **{
                    "HX-Request": "true",
                    "X-CSRF-Token": token,
                    "Origin": f"http://127.0.0.1:{self.port}",
                },
            ),
        ), {200, 204}
