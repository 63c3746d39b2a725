"""Live pages: what changed, told to the pages open on it, through Server-Sent Events.

An act calls `publish(session, topic, name)` in its transaction: "the comments of paragraph
X of draft 12 changed" is `publish(session, "draft:12", "comments-X")`. Nothing is sent unless
the transaction commits. A message names what changed, never its content: the page's region
fetches itself again with a normal request, which checks every permission, so a message can
tell nobody more than "something changed" about what they may see.

Several processes share one PostgreSQL database: an act's `pg_notify` reaches every process,
each of which holds one listening connection (a thread) and fans the events out in memory to
its own subscribers. On SQLite (one process) the events go straight to the broker after the
commit.

A subscriber's events carry increasing ids (`<process>-<number>`); a stream that reconnects
with `Last-Event-ID` is given what it missed from a bounded ring of recent events, or, when
that is gone (or the id is another process's), one `resync` that refreshes every region.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

from council.models import Notification

log = logging.getLogger(__name__)

CHANNEL = "council_live"
RESYNC = "resync"
"""The event a subscriber gets when it may have missed others: every live region refreshes."""
MAX_PAYLOAD = 7900
PENDING = "council.live.pending"


@dataclass(frozen=True)
class Event:
    topic: str
    """What the event is about, as pages subscribe to it: "draft:12", "round:3", "person:7"."""
    name: str
    """The SSE event name, which the page's regions listen for: "comments-<anchor>", ..."""


def topic(kind: str, id_: int) -> str:
    return f"{kind}:{id_}"


TOPIC_KINDS: dict[str, Callable] = {}
"""kind -> resolve(session, id): the working group whose deliberations a page subscribing to
"<kind>:<id>" must be allowed to read, or None when there is no such thing. Extensions
register theirs (`register_topic`), since only they know their objects."""


def register_topic(kind: str, resolve: Callable) -> None:
    TOPIC_KINDS[kind] = resolve


# publishing, in the act's transaction


def publish(session: Session, topic_: str, name: str) -> None:
    """Tell the pages open on `topic_` that `name` changed, once the transaction commits."""
    pending = session.info.setdefault(PENDING, {})
    pending[Event(topic_, name)] = None  # an ordered set: one message per change per act


@event.listens_for(Session, "before_commit")
def _notify_postgresql(session: Session) -> None:
    """On PostgreSQL the notices are part of the transaction: sent at its commit, not before,
    and never when it rolls back."""
    pending = session.info.get(PENDING)
    if not pending or session.get_bind().dialect.name != "postgresql":
        return
    session.info.pop(PENDING)
    for item in pending:
        payload = json.dumps([item.topic, item.name])
        if len(payload) <= MAX_PAYLOAD:
            session.execute(
                text("SELECT pg_notify(:channel, :payload)"),
                {"channel": CHANNEL, "payload": payload},
            )


@event.listens_for(Session, "after_commit")
def _deliver_sqlite(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    broker = _local_brokers.get(session.get_bind().engine.pool)
    if broker is not None:
        broker.deliver(list(pending))


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the act's transaction, not a savepoint in it
        session.info.pop(PENDING, None)


@event.listens_for(Session, "after_flush")
def _notifications_made(session: Session, _context) -> None:
    """A new notification moves its person's unread count, wherever it was made."""
    for item in session.new:
        if isinstance(item, Notification):
            publish(session, topic("person", item.person_id), "notifications")


_local_brokers: weakref.WeakKeyDictionary[Pool, Broker] = weakref.WeakKeyDictionary()
"""Keyed by the engine's pool, which the engine's variants (execution options) share."""


# the broker: this process's subscribers


class Subscriber:
    """One open stream: its topics, and what happened since it last wrote (event name -> id,
    so a burst of changes to one region makes one message), woken on its own event loop."""

    __slots__ = ("topics", "pending", "wake", "loop")

    def __init__(self, topics: frozenset[str]):
        self.topics = topics
        self.pending: dict[str, int] = {}
        self.wake = asyncio.Event()
        self.loop = asyncio.get_running_loop()

    def push(self, name: str, number: int) -> None:
        """Called under the broker's lock, from any thread."""
        self.pending.pop(name, None)
        self.pending[name] = number
        if _running_loop() is self.loop:
            self.wake.set()
        else:
            with contextlib.suppress(RuntimeError):  # its loop has closed: the stream is gone
                self.loop.call_soon_threadsafe(self.wake.set)

    def take(self, lock: threading.Lock) -> list[tuple[str, int]]:
        with lock:
            taken = sorted(self.pending.items(), key=lambda item: item[1])
            self.pending.clear()
            self.wake.clear()
        return taken


class Broker:
    """Fans events out to this process's subscribers; keeps the last `history` events so that
    a stream that reconnects catches up. Any thread may deliver (the listener, a request's
    commit, the worker)."""

    def __init__(self, *, max_subscribers: int = 2000, history: int = 1000):
        self.process = secrets.token_hex(4)
        self.number = 0
        self.recent: deque[tuple[int, Event]] = deque(maxlen=history)
        self.by_topic: dict[str, set[Subscriber]] = {}
        self.subscribers = 0
        self.max_subscribers = max_subscribers
        self.lock = threading.Lock()

    @property
    def last_id(self) -> str:
        return f"{self.process}-{self.number}"

    def subscribe(self, topics: Iterable[str]) -> Subscriber | None:
        """A new subscriber (on the running event loop), or None when this process holds as
        many as it may."""
        subscriber = Subscriber(frozenset(topics))
        with self.lock:
            if self.subscribers >= self.max_subscribers:
                return None
            for name in subscriber.topics:
                self.by_topic.setdefault(name, set()).add(subscriber)
            self.subscribers += 1
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self.lock:
            for name in subscriber.topics:
                found = self.by_topic.get(name)
                if found is not None:
                    found.discard(subscriber)
                    if not found:
                        del self.by_topic[name]
            self.subscribers -= 1

    def deliver(self, events: Iterable[Event]) -> None:
        with self.lock:
            for item in events:
                self.number += 1
                self.recent.append((self.number, item))
                for subscriber in self.by_topic.get(item.topic, ()):
                    subscriber.push(item.name, self.number)

    def resync(self) -> None:
        """After the listener lost its connection, events may have been missed: every page
        refreshes, and no stream can catch up from before."""
        with self.lock:
            self.number += 1
            self.recent.clear()
            for subscriber in {s for found in self.by_topic.values() for s in found}:
                subscriber.push(RESYNC, self.number)

    def missed(self, last_id: str, topics: frozenset[str]) -> list[tuple[str, int]] | None:
        """What a stream that last saw `last_id` missed, one message per name; None when this
        process cannot tell (another process's id, or older than the ring)."""
        process, _sep, number = last_id.partition("-")
        if process != self.process or not number.isdigit():
            return None
        seen = int(number)
        with self.lock:
            if seen > self.number:
                return None
            if seen < self.number and (not self.recent or self.recent[0][0] > seen + 1):
                return None
            found: dict[str, int] = {}
            for number_, item in self.recent:
                if number_ > seen and item.topic in topics:
                    found.pop(item.name, None)
                    found[item.name] = number_
        return list(found.items())

    def attach(self, engine: Engine) -> None:
        """Events committed through `engine` in this process (SQLite) come here."""
        _local_brokers[engine.pool] = self

    def detach(self, engine: Engine) -> None:
        if _local_brokers.get(engine.pool) is self:
            del _local_brokers[engine.pool]


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


# PostgreSQL: one listening connection per process


class Listener:
    """A thread holding one autocommit connection that LISTENs on the channel and hands each
    notice to the broker; it reconnects (and has every page refresh) when the connection
    drops."""

    def __init__(self, database_url: str, broker: Broker, *, poll: float = 1.0):
        url = make_url(database_url).set(drivername="postgresql")
        self.conninfo = url.render_as_string(hide_password=False)
        self.broker = broker
        self.poll = poll
        self.stopping = threading.Event()
        self.listening = threading.Event()
        self.thread = threading.Thread(target=self._run, name="council-live-listener", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        """Ask the thread to end: it closes its connection within `poll` seconds. Not waited
        for, so that stopping an application (each test's, say) costs nothing."""
        self.stopping.set()

    def _run(self) -> None:
        import psycopg

        delay = 0.5
        first = True
        while not self.stopping.is_set():
            try:
                with psycopg.connect(
                    self.conninfo, autocommit=True, application_name="council live"
                ) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    if not first:
                        self.broker.resync()
                    first, delay = False, 0.5
                    while not self.stopping.is_set():
                        # each notice as it comes; the generator ends after `poll` seconds
                        # without one, so that a stop is noticed
                        for notice in connection.notifies(timeout=self.poll):
                            item = _parse(notice.payload)
                            if item is not None:
                                self.broker.deliver([item])
            except Exception:
                self.listening.clear()
                if self.stopping.is_set():
                    break
                log.warning(
                    "live events: the listening connection failed; retrying in %s s",
                    delay,
                    exc_info=True,
                )
                self.stopping.wait(delay)
                delay = min(delay * 2, 30)


def _parse(payload: str) -> Event | None:
    try:
        topic_, name = json.loads(payload)
        return Event(str(topic_), str(name))
    except (ValueError, TypeError):
        log.warning("live events: ignored a malformed notice %r", payload[:100])
        return None


# the stream


HEARTBEAT_SECONDS = 15.0


def sse_message(name: str, number: int | str, process: str | None = None) -> bytes:
    event_id = f"{process}-{number}" if process else str(number)
    return f"id: {event_id}\nevent: {name}\ndata: {name}\n\n".encode()


async def stream(
    broker: Broker,
    subscriber: Subscriber,
    *,
    catch_up: list | None,
    heartbeat: float = HEARTBEAT_SECONDS,
    lifetime: float = 0,
    clock: Callable[[], float] = time.monotonic,
):
    """The bytes of one subscriber's stream: where it stands, what it missed (or `resync`),
    then each change as it happens, with a comment line every `heartbeat` seconds so proxies
    and the browser keep the connection, until `lifetime` seconds (0: no end) have passed or
    the client leaves. The caller unsubscribes."""
    yield f"retry: 2000\nid: {broker.last_id}\n\n".encode()
    if catch_up is None:
        yield sse_message(RESYNC, broker.number, broker.process)
    else:
        for name, number in catch_up:
            yield sse_message(name, number, broker.process)
    ends = clock() + lifetime if lifetime else None
    while True:
        wait = heartbeat if ends is None else min(heartbeat, max(0.0, ends - clock()))
        try:
            await asyncio.wait_for(subscriber.wake.wait(), timeout=wait)
        except TimeoutError:
            if ends is not None and clock() >= ends:
                return
            yield b": keep-alive\n\n"
            continue
        for name, number in subscriber.take(broker.lock):
            yield sse_message(name, number, broker.process)
