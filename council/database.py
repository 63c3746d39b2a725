"""Engine and sessions: one code path for SQLite (WAL, foreign keys) and PostgreSQL."""

from __future__ import annotations

import os
import re
import secrets
import threading
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata
T = TypeVar("T")


def utcnow() -> datetime:
    return datetime.now(UTC)


READING_STEP = 10
"""Seconds: what a safe request shows is made from the clock read down to this step, so that
a page, and the reader's powers it shows, can be kept and given again (council.web
reader_copy, council.permissions.reading_actor)."""


def reading_clock(now: datetime, version: StateVersion | None) -> datetime:
    """The moment a safe request reads the council at: `now` down to READING_STEP, but never
    before the last write (every act is in effect at once: a handover, a round closed early),
    nor after `now`. A deadline or a chair's term that ends by the clock shows up to
    READING_STEP late; every act is checked at its own instant."""
    step = now.replace(second=now.second - now.second % READING_STEP, microsecond=0)
    if version is not None:
        step = max(step, min(version.written_at, now))
    return step


def make_engine(
    url: str, *, pool_size: int = 5, max_overflow: int = 10, pool_timeout: float = 10, **kwargs
) -> Engine:
    """The engine and its pool: `pool_size` connections kept, `max_overflow` more when busy, and
    `pool_timeout` seconds to wait for one. Requests never wait here in practice: the
    admission limit (council.middleware.AdmissionMiddleware) keeps fewer requests at work
    than there are connections."""
    parsed = make_url(url)
    pool = {"pool_size": pool_size, "max_overflow": max_overflow, "pool_timeout": pool_timeout}
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **pool, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        _create_private(Path(parsed.database))
    else:
        pool = {}  # an in-memory database lives in one connection (SingletonThreadPool)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": 30}, **pool, **kwargs
    )
    _configure_sqlite(engine)
    return engine


def _create_private(path: Path) -> None:
    """The database file, made readable by its owner only (0600) when it does not exist yet,
    in a folder made the same way (0700); SQLite gives its -wal and -shm files the database
    file's permissions."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, and transactions SQLAlchemy controls (needed for savepoints).

    Write transactions begin IMMEDIATE so that two writers queue on the lock instead of one
    failing with "database is locked" when it upgrades a read snapshot.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # durable commits: with WAL, NORMAL may lose the last commits on a power cut or an
        # OS crash, acknowledged writes included; FULL syncs the log at each commit (about
        # 0.25 ms on an SSD, against several ms for a request that writes)
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection):
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def upsert(session: Session, table):
    """INSERT for `table` in the session's dialect, which offers ON CONFLICT (upserts): both
    PostgreSQL and SQLite have it, with the same SQLAlchemy interface."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


LOCK_SPACE = 1_716_000
"""The first half of serialise()'s two-part advisory lock keys, apart from the worker's
one-part keys (PostgreSQL keeps the two kinds of keys apart)."""


def serialise(session: Session, *keys: str) -> None:
    """Until this transaction ends, no other transaction passes this point with one of these
    keys: counting rows then adding one (a rate limit) cannot race. PostgreSQL takes an
    advisory lock per key, always in the same order, so two callers never wait for each other
    in a circle; SQLite needs nothing, its writers queue on one lock (BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        session.execute(
            text("SELECT pg_advisory_xact_lock(:space, hashtext(:key))"),
            {"space": LOCK_SPACE, "key": key},
        )


MAX_ID = 2**31 - 1
"""The integer columns' range: an id or number beyond it names no row."""


UNVERSIONED = "council.unversioned"
"""A table's `info` key (`__table_args__ = {"info": {UNVERSIONED: True}}`): writing to it
alone leaves the state version as it was. For what the council keeps about its readers and
its own running (sessions in use, visits, the worker's runs), which no kept page shows."""
DERIVED = "council.derived"
"""A table's `info` key for rows that are no record of the council, made again by its use
(the state version): backups and archives leave them out (council.rows)."""
_WROTE = "council.wrote_state"
_JOINED = "council.joined"  # a test's connection, whose outer transaction never commits
_STAMPS = "council.stamps"  # how many this connection stored (to tell a savepoint's)
_SAVEPOINTS = "council.savepoints"  # _STAMPS when each open savepoint began, innermost last
_WRITE = re.compile(
    r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM|REPLACE\s+INTO)"
    r"\s+\"?(\w+)",
    re.IGNORECASE,
)
_READ = re.compile(r"\s*(?:SELECT|PRAGMA|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SHOW|SET)\b", re.I)


def version_state(engine: Engine) -> None:
    """Every transaction that writes the council's state renews the state version when it
    commits: one row (table state_version) given a new random stamp, in the same transaction,
    so the stamp a reader sees names exactly the state it reads. A new stamp rather than a
    count: a restored backup never takes up a number a running process has seen.

    Done in the engine's events, below every session and every way of writing: a statement
    that changes rows marks its connection; the commit stores the stamp, as its last
    statement, so that on PostgreSQL the row is locked from there to the commit only and no
    transaction waits for it while holding it. On a connection a test holds in one outer
    transaction (Database over a Connection), its sessions commit by releasing a savepoint:
    the release stores the stamp there, and a savepoint rolled back after a stamp was stored
    inside it (taking the stamp with it) marks the connection again."""
    if event.contains(engine, "before_cursor_execute", _note_write):
        return
    event.listen(engine, "before_cursor_execute", _note_write)
    event.listen(engine, "savepoint", _savepoint_begins)
    event.listen(engine, "release_savepoint", _stamp_at_release)
    event.listen(engine, "rollback_savepoint", _savepoint_rolled_back)
    event.listen(engine, "commit", _stamp_at_commit)
    event.listen(engine, "rollback", _forget_writes)


def _writes_state(statement: str, context) -> bool:
    compiled = getattr(context, "compiled", None)
    table = getattr(getattr(compiled, "statement", None), "table", None)
    if table is not None and (context.isinsert or context.isupdate or context.isdelete):
        return not table.info.get(UNVERSIONED, False)
    if _READ.match(statement):
        return False
    written = _WRITE.match(statement)
    if written is None:
        return True  # any other statement may write: counted as a write
    known = metadata.tables.get(written.group(1))
    return known is None or not known.info.get(UNVERSIONED, False)


def _note_write(conn, _cursor, statement, _parameters, context, _executemany) -> None:
    if conn is not None and _writes_state(statement, context):
        conn.info[_WROTE] = True


def _stamp(conn: Connection) -> None:
    stamp = secrets.token_hex(16)  # hexadecimal digits and a number only: in the statement
    written_at = int(utcnow().timestamp() * 1_000_000)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(
            "INSERT INTO state_version (id, stamp, written_at) "  # noqa: S608
            f"VALUES (1, '{stamp}', {written_at}) ON CONFLICT (id) "
            "DO UPDATE SET stamp = excluded.stamp, written_at = excluded.written_at"
        )
    finally:
        cursor.close()


def _stamp_at_end(conn: Connection) -> None:
    if conn.info.pop(_WROTE, False):
        _stamp(conn)
        conn.info[_STAMPS] = conn.info.get(_STAMPS, 0) + 1


def _stamp_at_commit(conn: Connection) -> None:
    _stamp_at_end(conn)
    conn.info.pop(_SAVEPOINTS, None)


def _savepoint_begins(conn: Connection, _name) -> None:
    conn.info.setdefault(_SAVEPOINTS, []).append(conn.info.get(_STAMPS, 0))


def _savepoint_ends(conn: Connection) -> int | None:
    """_STAMPS when the innermost savepoint began (they end in the reverse order)."""
    begun = conn.info.get(_SAVEPOINTS)
    return begun.pop() if begun else None


def _stamp_at_release(conn: Connection, _name, _context) -> None:
    _savepoint_ends(conn)
    if conn.info.get(_JOINED):
        _stamp_at_end(conn)


def _savepoint_rolled_back(conn: Connection, _name, _context) -> None:
    stamps_before = _savepoint_ends(conn)
    if stamps_before is not None and conn.info.get(_STAMPS, 0) > stamps_before:
        conn.info[_WROTE] = True


def _forget_writes(conn: Connection) -> None:
    for key in (_WROTE, _SAVEPOINTS):
        conn.info.pop(key, None)


@dataclass(frozen=True)
class StateVersion:
    stamp: str
    written_at: datetime


def state_version(session: Session) -> StateVersion | None:
    """The state this transaction reads: its stamp and when it was written (None before the
    first write)."""
    row = (
        session.connection()
        .exec_driver_sql("SELECT stamp, written_at FROM state_version WHERE id = 1")
        .first()
    )
    if row is None:
        return None
    return StateVersion(row[0], datetime.fromtimestamp(row[1] / 1_000_000, UTC))


class Database:
    """Hands out sessions bound to an engine, or to a test's outer transaction."""

    def __init__(self, bind: Engine | Connection):
        self.bind = bind
        version_state(self.engine)
        if isinstance(bind, Connection):
            bind.info[_JOINED] = True
        self.is_sqlite = bind.dialect.name == "sqlite"
        self._joined = isinstance(bind, Connection)
        self._reading = threading.Lock()
        self._reader: PoolProxiedConnection | None = None  # read_row's, on SQLite

    @classmethod
    def from_url(cls, url: str, **pool) -> Database:
        return cls(make_engine(url, **pool))

    @property
    def engine(self) -> Engine:
        return self.bind if isinstance(self.bind, Engine) else self.bind.engine

    def session(self, *, write: bool = False) -> Session:
        bind = self.bind
        if write and self.is_sqlite and not self._joined:
            bind = bind.execution_options(sqlite_begin="IMMEDIATE")
        if self._joined:
            return Session(
                bind=bind, join_transaction_mode="create_savepoint", expire_on_commit=False
            )
        return Session(bind=bind, expire_on_commit=False)

    def begin_writing(self, session: Session) -> None:
        """Turn `session` into a writer: its reading transaction (which wrote nothing) ends,
        and the next begins as a writer (IMMEDIATE on SQLite), on the same session."""
        session.rollback()
        if self.is_sqlite and not self._joined:
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        with self.session(write=write) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @property
    def reads_in_place(self) -> bool:
        """Whether read_row is best called where the caller is (its event loop): on SQLite a
        one-row read takes some 15 µs, against 100 µs to hand it to a thread and back, and a
        read never waits for a writer (WAL); it waits for a network on PostgreSQL."""
        return self.is_sqlite

    def read_row(self, sql: str, parameters: Sequence | Mapping) -> tuple | None:
        """The first row of one statement (`sql` in the driver's own form and parameter
        style), read alone, with the values as the driver gives them: none of SQLAlchemy's
        transaction handling or result processing, which cost several times the read itself.
        The statement is its own read transaction (one snapshot). On PostgreSQL it takes one
        of the pool's connections; on SQLite this process's reading connection (opened once,
        outside the pool, in autocommit: each statement reads the latest commit), so that a
        read never waits for the pool. The engine's statement listeners see it as they see
        every other (the tests and the benchmark count statements). For the few answers
        given before a request's transaction exists (council.public)."""
        joined = self.bind if isinstance(self.bind, Connection) else None
        if joined is not None:
            return self._read(joined.connection, joined, sql, parameters)
        if self.is_sqlite:
            with self._reading:
                if self._reader is None:
                    reader = self.engine.raw_connection()
                    reader.detach()  # this process's own, never back in the pool
                    self._reader = reader
                try:
                    return self._read(self._reader, None, sql, parameters)
                except DBAPIError:
                    self._reader.close()  # opened again for the next read
                    self._reader = None
                    raise
        connection = self.engine.raw_connection()
        try:
            return self._read(connection, None, sql, parameters)
        finally:
            connection.close()  # back to the pool, its read ended

    def _read(self, connection, joined: Connection | None, sql: str, parameters) -> tuple | None:
        cursor = connection.cursor()
        try:
            listeners = self.engine.dispatch.before_cursor_execute
            if listeners:
                for listener in listeners:
                    listener(joined, cursor, sql, parameters, None, False)
            cursor.execute(sql, parameters)
            row = cursor.fetchone()
        except self.engine.dialect.loaded_dbapi.Error as error:
            raise DBAPIError(sql, parameters, error) from error  # as SQLAlchemy says it
        finally:
            cursor.close()  # on SQLite, ends the statement's read
        return tuple(row) if row is not None else None

    def is_reachable(self) -> bool:
        try:
            with self.session() as session:
                session.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def dispose(self) -> None:
        with self._reading:
            if self._reader is not None:
                self._reader.close()
                self._reader = None
        if isinstance(self.bind, Engine):
            self.bind.dispose()


_MEMO = "council.database.memo"


def memo(session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()` once per transaction for `key`, while nothing is written: a read that several
    parts of a page ask for (the current chairs: the signed-in person's rights, the group list,
    the council's chair) runs once. Forgotten when the session writes (a flush, or a statement
    that changes rows) or its transaction ends, and not used while the session holds changes
    not flushed yet."""
    if session.new or session.dirty or session.deleted:
        return compute()
    memos = session.info.setdefault(_MEMO, {})
    if key not in memos:
        memos[key] = compute()
    return memos[key]


@event.listens_for(Session, "after_transaction_end")
def _forget_after_transaction(session: Session, _transaction) -> None:
    """The end of the session's transaction, of a savepoint, or of the inner transaction
    every flush runs in."""
    session.info.pop(_MEMO, None)


@event.listens_for(Session, "do_orm_execute")
def _forget_after_statement_writes(state) -> None:
    """An INSERT, UPDATE or DELETE run through the session without a flush."""
    if not state.is_select:
        state.session.info.pop(_MEMO, None)


class RequestTransaction:
    """A request's one session, on one connection, in one transaction.

    Unsafe requests (POST...) begin as writers (BEGIN IMMEDIATE on SQLite, so writers queue on
    the lock instead of failing) and commit when the answer is a success, or when the handler
    kept its changes despite a refusal (a failed sign-in is counted, say). Safe requests read
    and always roll back: a GET never writes. The rare safe request that must write (an OpenID
    sign-in's redirect and callback) calls `write()` first.
    """

    def __init__(self, database: Database, *, write: bool):
        self.database = database
        self.writes = write
        self.keep = False
        self.session = database.session(write=write)

    def write(self) -> Session:
        if not self.writes:
            self.database.begin_writing(self.session)
            self.writes = True
        return self.session

    def finish(self, status: int) -> None:
        if self.writes and (status < 400 or self.keep):
            self.session.commit()
        else:
            self.session.rollback()

    def close(self) -> None:
        self.session.close()


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both backends (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
