"""Engine and sessions: one code path for SQLite (WAL, foreign keys) and PostgreSQL."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
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


class Database:
    """Hands out sessions bound to an engine, or to a test's outer transaction."""

    def __init__(self, bind: Engine | Connection):
        self.bind = bind
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
