"""Alembic environment: our metadata (core and workspaces) and the council's database URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

import council.models  # noqa: F401  (registers the core tables)
from council.database import make_engine, metadata
from council.extensions import load_extensions
from council.settings import Settings

load_extensions()  # each extension's models register their tables on import

config = context.config

# Tables made with a database's own SQL, outside the models: the full-text indexes of
# workspaces.search and workspaces.document_search (an FTS5 table and its shadow tables on
# SQLite, a tsvector table on PostgreSQL). The comparison with the models leaves them alone.
UNMODELLED_TABLES = (
    "recommendation_fts",
    "recommendation_search",
    "document_fts",
    "document_search",
)


def _include_name(name, type_, _parent_names) -> bool:
    return not (type_ == "table" and name and name.startswith(UNMODELLED_TABLES))


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # recreating a table in batch mode with foreign keys on silently deletes child rows;
        # the pragma only takes effect outside a transaction
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=sqlite,
        compare_type=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()
    if connection.in_transaction() and not config.attributes.get("connection"):
        connection.commit()
    if sqlite:
        problems = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
        connection.commit()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()
        if problems:
            raise RuntimeError(f"foreign key violations after migrating: {problems[:5]}")


def run_migrations_online() -> None:
    given = config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    url = config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run `council migrate`.")
run_migrations_online()
