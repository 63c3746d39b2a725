"""Alembic, driven from code: `council migrate`, the tests and the drift check share it."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from council.settings import PROJECT_ROOT


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url: str) -> None:
    command.upgrade(alembic_config(url), "head")


def check(url: str) -> None:
    """Raise when the models and the migrated schema differ."""
    command.check(alembic_config(url))


def head() -> str:
    """The revision(s) this release's migrations end at (comma-separated, as
    council.rows.schema_version reads a database's)."""
    from alembic.script import ScriptDirectory

    return ",".join(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))
