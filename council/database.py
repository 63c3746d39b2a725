"""Engine and sessions: one code path for SQLite (WAL, foreign keys) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
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


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str, **kwargs) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
    _configure_sqlite(engine)
    return engine


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
        cursor.execute("PRAGMA synchronous=NORMAL")
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


MAX_ID = 2**31 - 1
"""The integer columns' range: an id or number beyond it names no row."""


class Database:
    """Hands out sessions bound to an engine, or to a test's outer transaction."""

    def __init__(self, bind: Engine | Connection):
        self.bind = bind
        self.is_sqlite = bind.dialect.name == "sqlite"
        self._joined = isinstance(bind, Connection)

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(make_engine(url))

    @property
    def engine(self) -> Engine:
        return self.bind if isinstance(self.bind, Engine) else self.bind.engine

    def session(self, *, write: bool = False) -> Session:
        bind = self.bind
        if write and self.is_sqlite and not self._joined:
            bind = bind.execution_options(sqlite_begin="IMMEDIATE")
        if self._joined:
            return Session(bind=bind, join_transaction_mode="create_savepoint",
                           expire_on_commit=False)
        return Session(bind=bind, expire_on_commit=False)

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        with self.session(write=write) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def is_reachable(self) -> bool:
        try:
            with self.session() as session:
                session.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def dispose(self) -> None:
        if isinstance(self.bind, Engine):
            self.bind.dispose()


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
