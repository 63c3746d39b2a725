"""`council export` and `council import`: the whole council as an archive another instance
reads, whichever database either uses.

An archive is a folder:

- `manifest.json`: the format, the schema version (the Alembic revision the rows fit), when
  and from which database it was written, each table's row count and hash (council.rows), the
  audit chain's head, and each Markdown text and file with its hash;
- `records/<table>.jsonl`: every row of every table, one canonical JSON object per line, in
  primary-key order (`records/audit_record.jsonl` is the audit chain, verifiable on its own);
- `texts/`: the texts as Markdown for people to read (drafts' revisions, recommendations and
  chair's statements; each extension writes its own), never read back;
- `files/`: the var directory's files, as in a backup.

Every table is read in one transaction, so the archive is of one instant even while the
council runs. An import loads it into an empty database migrated to the same schema version,
in one transaction; the tables are counted and hashed again, each extension rebuilds what it
keeps outside the models (search indexes), and the audit chain is verified.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from council import audit, rows, schema
from council.backup import (
    FILES,
    OperationError,
    Restored,
    backend,
    check,
    checked_files,
    copy_files,
    file_conflicts,
    new_folder,
    not_copied,
    place_files,
    read_manifest,
    refuse_unless_empty,
    sha256_of,
    var_files,
    write_manifest,
)
from council.database import Database, utcnow
from council.extensions import load_extensions
from council.i18n import gettext as _
from council.settings import Settings

FORMAT = "council-archive"
FORMAT_VERSION = 1
RECORDS = "records"
TEXTS = "texts"


def export(settings: Settings, folder: Path) -> dict:
    """Write the whole council into `folder` (new or empty); its manifest returned."""
    folder = Path(folder)
    new_folder(folder)
    checkpoint_name = Path(audit.CHECKPOINT_FILE)
    files = copy_files(
        settings.var_dir,
        folder / FILES,
        [checkpoint_name] if (settings.var_dir / checkpoint_name).is_file() else [],
    )  # before the rows: see council.backup
    (folder / RECORDS).mkdir(mode=0o700)
    database = Database.from_url(settings.database_url)
    try:
        engine = database.engine
        if not database.is_sqlite:
            engine = engine.execution_options(isolation_level="REPEATABLE READ")
        with engine.connect() as connection:
            if not database.is_sqlite:
                connection.execute(text("SET TRANSACTION READ ONLY"))
            tables = {}
            for table in rows.present_tables(connection):
                hasher = rows.Hasher()
                with (folder / RECORDS / f"{table.name}.jsonl").open("w", encoding="utf-8") as out:
                    for row in rows.rows(connection, table):
                        record = rows.line(row)
                        hasher.add(record)
                        out.write(record + "\n")
                tables[table.name] = hasher.summary().as_dict()
            version = rows.schema_version(connection)
            head = rows.audit_head(connection)
            with Session(bind=connection) as session:
                texts = _write_texts(session, folder / TEXTS)
            connection.rollback()
    finally:
        database.dispose()
    rest = [
        name
        for name in var_files(settings.var_dir, leave_out=not_copied(settings, folder))
        if name != checkpoint_name
    ]
    files |= copy_files(settings.var_dir, folder / FILES, rest)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_version": version,
        "exported_at": utcnow().isoformat(),
        "database": backend(settings.database_url),
        "tables": tables,
        "audit": head | {"records_file": f"{RECORDS}/audit_record.jsonl"},
        "texts": texts,
        "files": dict(sorted(files.items())),
    }
    write_manifest(folder, manifest)
    return manifest


def _write_texts(session: Session, folder: Path) -> dict[str, str]:
    """Each extension's texts as Markdown files; relative path -> SHA-256."""
    written = {}
    for extension in load_extensions():
        if extension.archive_texts is None:
            continue
        for name, markdown in extension.archive_texts(session):
            target = (folder / name).resolve()
            if folder.resolve() not in target.parents:
                raise ValueError(f"a text's name leaves the archive: {name!r}")
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            target.write_text(markdown, encoding="utf-8")
            written[f"{TEXTS}/{name}"] = sha256_of(target)
    return dict(sorted(written.items()))


def _records(path: Path) -> Iterator[dict]:
    if not path.exists():
        return
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def import_(settings: Settings, folder: Path) -> Restored:
    """Load an archive into this council's empty database (migrated to the archive's schema
    version first if it has no tables yet) and var directory, then check every table against
    the manifest and verify the audit chain."""
    folder = Path(folder)
    manifest = read_manifest(
        folder, FORMAT, _("%(path)s is not a council archive.", path=str(folder))
    )
    damaged = checked_files(
        folder, {f"{FILES}/{name}": entry for name, entry in manifest["files"].items()}
    )
    if damaged:
        raise OperationError(
            _(
                "The archive is damaged: %(files)s differ from its manifest.",
                files=", ".join(damaged[:5]),
            )
        )
    url = settings.database_url
    refuse_unless_empty(url)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            version = rows.schema_version(connection)
    finally:
        engine.dispose()
    if version is None:
        schema.upgrade(url)
        version = _version(url)
    if version != manifest["schema_version"]:
        raise OperationError(
            _(
                "The archive was written at schema version %(archive)s and this database is at "
                "%(here)s: bring the council it comes from up to this release (council migrate) "
                "and export it again, or import it with the release that wrote it.",
                archive=manifest["schema_version"],
                here=version,
            )
        )
    conflicts = file_conflicts(folder / FILES, manifest["files"], settings.var_dir)
    if conflicts:
        raise OperationError(
            _(
                "The var directory %(path)s already holds other versions of %(files)s: import "
                "into an empty one.",
                path=str(settings.var_dir),
                files=", ".join(conflicts[:5]),
            )
        )
    _load(url, folder, manifest)
    place_files(folder / FILES, manifest["files"], settings.var_dir)
    return check(settings, manifest)


def _version(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return rows.schema_version(connection)
    finally:
        engine.dispose()


def _load(url: str, folder: Path, manifest: dict) -> None:
    """Every table in one transaction, parents first; refused (and nothing kept) when what
    was read differs from the manifest."""
    database = Database.from_url(url)
    try:
        with database.transaction() as session:
            connection = session.connection()
            tables = rows.present_tables(connection)
            unknown = set(manifest["tables"]) - {table.name for table in tables}
            if unknown:
                raise OperationError(
                    _(
                        "The archive holds tables this council does not know: %(tables)s.",
                        tables=", ".join(sorted(unknown)),
                    )
                )
            try:
                read = {
                    table.name: rows.load(
                        connection, table, _records(folder / RECORDS / f"{table.name}.jsonl")
                    ).as_dict()
                    for table in tables
                }
            except (ValueError, TypeError, KeyError, DBAPIError) as error:  # edited by hand
                raise OperationError(
                    _("The archive's records cannot be read: %(error)s", error=error)
                ) from error
            problems = rows.differences(manifest["tables"], read)
            if problems:
                raise OperationError(
                    _(
                        "The archive's records differ from its manifest: %(problems)s.",
                        problems="; ".join(problems[:5]),
                    )
                )
            rows.advance_sequences(connection, tables)
            for extension in load_extensions():
                if extension.after_import is not None:
                    extension.after_import(session)
    finally:
        database.dispose()
