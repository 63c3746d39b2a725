"""Every table's rows, whatever the tables: in dependency order, as canonical JSON, counted
and hashed, and loaded back into an empty database.

Backups, the council archive and their checks are generic over the metadata (the core's tables
and every extension's), so a table added later is copied and verified with no change here. A
row's canonical form is the same on SQLite and PostgreSQL (instants in UTC, binary as base64,
keys sorted), and rows are taken in the order of their primary key compared byte by byte, so a
table hashes alike on both databases.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Time,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.types import TypeDecorator

from council.database import DERIVED, metadata
from council.i18n import gettext as _

BATCH = 500
VERSION_TABLE = "alembic_version"


def all_tables() -> list[Table]:
    """Every table of the core and the extensions, each after the tables it refers to; not
    the derived ones (council.database.DERIVED), which the council's use makes again."""
    import council.models  # noqa: F401  (registers the core's tables)
    from council.extensions import load_extensions

    load_extensions()  # each extension's models register their tables on import
    return [table for table in metadata.sorted_tables if not table.info.get(DERIVED, False)]


def present_tables(connection: Connection) -> list[Table]:
    """The tables of all_tables() that the database has (all of them once it is migrated:
    a model ahead of its migration is the drift check's to report)."""
    present = existing_tables(connection)
    return [table for table in all_tables() if table.name in present]


# canonical rows


def _kind(column):
    kind = column.type
    while isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    return kind


def to_json(column, value):
    """A column's value as JSON holds it, the same from either database."""
    if value is None:
        return None
    kind = _kind(column)
    if isinstance(kind, DateTime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(kind, Date | Time):
        return value.isoformat()
    if isinstance(kind, LargeBinary):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(kind, Numeric) and not isinstance(kind, Float):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def from_json(column, value):
    """The inverse of to_json: what the column takes."""
    if value is None:
        return None
    kind = _kind(column)
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, Time):
        return time.fromisoformat(value)
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value)
    if isinstance(kind, Numeric) and not isinstance(kind, Float):
        return Decimal(value)
    return value


def line(row: dict) -> str:
    """A row as one line of canonical JSON."""
    return json.dumps(
        row, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )


def _order(connection: Connection, table: Table) -> list:
    """The primary key, texts compared byte by byte (SQLite's way) on PostgreSQL too."""
    keys = list(table.primary_key.columns) or list(table.columns)
    if connection.dialect.name != "postgresql":
        return keys
    return [key.collate("C") if isinstance(_kind(key), String) else key for key in keys]


def rows(connection: Connection, table: Table) -> Iterator[dict]:
    """The table's rows in primary-key order, each as a dict of JSON values."""
    result = connection.execution_options(yield_per=1000).execute(
        select(table).order_by(*_order(connection, table))
    )
    for row in result.mappings():
        yield {column.name: to_json(column, row[column.name]) for column in table.columns}


@dataclass
class Summary:
    """A table's row count and the SHA-256 of its canonical lines (each followed by \\n)."""

    rows: int = 0
    sha256: str = ""

    def as_dict(self) -> dict:
        return {"rows": self.rows, "sha256": self.sha256}


class Hasher:
    def __init__(self):
        self.digest = hashlib.sha256()
        self.count = 0

    def add(self, text_line: str) -> None:
        self.digest.update(text_line.encode() + b"\n")
        self.count += 1

    def summary(self) -> Summary:
        return Summary(self.count, self.digest.hexdigest())


def summarise(connection: Connection, tables: Iterable[Table] | None = None) -> dict[str, dict]:
    """Table name -> {"rows", "sha256"}, in dependency order."""
    found = {}
    for table in tables if tables is not None else present_tables(connection):
        hasher = Hasher()
        for row in rows(connection, table):
            hasher.add(line(row))
        found[table.name] = hasher.summary().as_dict()
    return found


def differences(expected: dict[str, dict], found: dict[str, dict]) -> list[str]:
    """The tables whose count or hash differ, described (empty when they agree)."""
    problems = []
    for name in dict.fromkeys([*expected, *found]):
        want, have = expected.get(name), found.get(name)
        if want is None:
            problems.append(_("%(table)s: in the database, not in the manifest", table=name))
        elif have is None:
            problems.append(_("%(table)s: in the manifest, not in the database", table=name))
        elif want["rows"] != have["rows"]:
            problems.append(
                _(
                    "%(table)s: %(found)s rows where the manifest counts %(expected)s",
                    table=name,
                    found=have["rows"],
                    expected=want["rows"],
                )
            )
        elif want["sha256"] != have["sha256"]:
            problems.append(_("%(table)s: the rows differ from the manifest's", table=name))
    return problems


def audit_head(connection: Connection) -> dict:
    """How many records the audit chain holds, and the hash of its last."""
    from council.models import AuditRecord

    table = AuditRecord.__table__
    count = connection.execute(select(func.count()).select_from(table)).scalar_one()
    head = connection.execute(select(table.c.hash).order_by(table.c.id.desc()).limit(1)).scalar()
    return {"records": count, "head": head}


# an empty database, loaded


def existing_tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def tables_with_rows(connection: Connection, tables: Iterable[Table] | None = None) -> list[str]:
    """The council's tables that hold a row (those the database lacks hold none)."""
    return [
        table.name
        for table in (tables if tables is not None else present_tables(connection))
        if connection.execute(select(text("1")).select_from(table).limit(1)).first()
    ]


def schema_version(connection: Connection) -> str | None:
    """The Alembic revision(s) the database is at (comma-separated), None when unmigrated."""
    if VERSION_TABLE not in existing_tables(connection):
        return None
    found = sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    return ",".join(found) or None


def _self_references(table: Table) -> list:
    return [key.parent for key in table.foreign_keys if key.column.table is table]


def _parents_first(table: Table, batch: list[dict]) -> list[dict]:
    """A table's rows ordered so that a row comes after the rows of the same table it refers
    to (a recommendation names the later one that supersedes it)."""
    columns = _self_references(table)
    if not columns:
        return batch
    (key,) = table.primary_key.columns
    by_key = {row[key.name]: row for row in batch}
    placed: set = set()
    ordered: list[dict] = []
    for first in batch:
        stack, visiting = [first], set()
        while stack:  # depth first, without recursion: reply threads may be deep
            row = stack[-1]
            identity = row[key.name]
            if identity in placed:
                stack.pop()
                continue
            visiting.add(identity)
            waiting = [
                parent
                for column in columns
                if (parent := by_key.get(row[column.name])) is not None
                and parent[key.name] not in placed
                and parent is not row
            ]
            if any(parent[key.name] in visiting for parent in waiting):
                raise ValueError(f"{table.name}: rows refer to each other in a circle")
            if waiting:
                stack.extend(waiting)
                continue
            stack.pop()
            visiting.discard(identity)
            placed.add(identity)
            ordered.append(row)
    return ordered


def load(connection: Connection, table: Table, records: Iterable[dict]) -> Summary:
    """Insert a table's rows (JSON values, as `rows` gives them), keeping their keys; the
    summary of what was read, to compare with the archive's manifest."""
    hasher = Hasher()
    columns = {column.name: column for column in table.columns}
    pending: list[dict] = []

    def values(record: dict) -> dict:
        unknown = set(record) - set(columns)
        if unknown:
            raise ValueError(f"{table.name}: unknown columns {sorted(unknown)}")
        return {name: from_json(columns[name], value) for name, value in record.items()}

    def flush(batch: list[dict]) -> None:
        if batch:
            connection.execute(insert(table), [values(record) for record in batch])

    self_referring = bool(_self_references(table))
    for record in records:
        hasher.add(line(record))
        pending.append(record)
        if not self_referring and len(pending) >= BATCH:
            flush(pending)
            pending = []
    pending = _parents_first(table, pending)
    for start in range(0, len(pending), BATCH):
        flush(pending[start : start + BATCH])
    return hasher.summary()


def advance_sequences(connection: Connection, tables: Iterable[Table]) -> None:
    """After rows were inserted with their ids, PostgreSQL's sequences start past them
    (SQLite takes the largest id + 1 by itself)."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(_kind(keys[0]), Integer):
            continue
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": keys[0].name},
        ).scalar()
        if sequence is None:
            continue
        highest = connection.execute(select(func.max(keys[0]))).scalar()
        connection.execute(
            text("SELECT setval(:sequence, :value, :called)"),
            {"sequence": sequence, "value": highest or 1, "called": highest is not None},
        )
