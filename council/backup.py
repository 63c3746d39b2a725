"""`council backup` and `council restore`: a consistent copy of a running council, and its
return into an empty database, checked.

A backup is a folder: the database (SQLite's online backup API: one consistent copy while
others write; on PostgreSQL `pg_dump --format=custom`), the var directory's files (uploads,
the audit checkpoints; not the secret key, the database itself or passing things such as logs)
and `manifest.json`: each table's row count and hash (council.rows), the audit chain's head and
each file's hash. The manifest is computed from exactly what was copied: from the SQLite copy,
or on PostgreSQL inside the transaction whose snapshot pg_dump reads (`--snapshot`).

The checkpoint file is copied before the database: each of its lines names records committed
before it was written, so every line copied names a record the copy holds. The other files are
copied after, so every file a copied row names is there (a file added meanwhile is harmless).

A restore goes into an empty database of the same kind (moving between SQLite and PostgreSQL
is council.archive's export and import), then counts and hashes every table again and verifies
the audit chain with this council's key.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.engine import make_url

from council import audit, rows
from council.database import Database, utcnow
from council.i18n import gettext as _
from council.settings import Settings

MANIFEST = "manifest.json"
FORMAT = "council-backup"
FORMAT_VERSION = 1
FILES = "files"
SQLITE_FILE = "database.sqlite3"
POSTGRESQL_FILE = "database.pgdump"

TRANSIENT = frozenset({"secret_key", "mail", "screens", "tmp", "cache", "__pycache__"})
"""Names in the var directory that are not the council's: the development secret (kept apart
from the data, like COUNCIL_SECRET_KEY), development emails, test screens, caches."""
TRANSIENT_ENDINGS = (".log", ".tmp", ".pid", ".lock", "-wal", "-shm", "-journal")


class OperationError(RuntimeError):
    """What stops a backup, restore, export or import, said for the operator."""


# files


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def var_files(var_dir: Path, *, leave_out: Iterable[Path] = ()) -> list[Path]:
    """The var directory's files worth keeping, as paths relative to it, sorted."""
    if not var_dir.is_dir():
        return []
    skipped = {Path(path).resolve() for path in leave_out}
    found = []
    for root, folders, names in os.walk(var_dir):
        here = Path(root)
        folders[:] = sorted(
            name
            for name in folders
            if name not in TRANSIENT
            and not (here / name).is_symlink()
            and (here / name).resolve() not in skipped
        )
        for name in sorted(names):
            path = here / name
            if (
                name in TRANSIENT
                or name.endswith(TRANSIENT_ENDINGS)
                or path.is_symlink()
                or path.resolve() in skipped
            ):
                continue
            found.append(path.relative_to(var_dir))
    return found


def copy_files(var_dir: Path, folder: Path, names: Iterable[Path]) -> dict[str, dict]:
    """Copy these var files into `folder`; relative path -> {"bytes", "sha256"} of each
    (a file removed meanwhile is left out)."""
    copied = {}
    for name in names:
        target = folder / name
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            shutil.copy2(var_dir / name, target)
        except FileNotFoundError:
            continue
        copied[name.as_posix()] = {"bytes": target.stat().st_size, "sha256": sha256_of(target)}
    return copied


def checked_files(folder: Path, listed: dict[str, dict]) -> list[str]:
    """The files of a backup or archive that are missing or differ from its manifest."""
    return [
        name
        for name, expected in listed.items()
        if not (folder / name).is_file() or sha256_of(folder / name) != expected["sha256"]
    ]


def file_conflicts(folder: Path, listed: dict[str, dict], var_dir: Path) -> list[str]:
    """The files that would replace a different file of the var directory."""
    return [
        name
        for name in listed
        if (var_dir / name).exists() and sha256_of(var_dir / name) != sha256_of(folder / name)
    ]


def place_files(folder: Path, listed: dict[str, dict], var_dir: Path) -> None:
    for name in listed:
        target = var_dir / name
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copy2(folder / name, target)


def new_folder(path: Path) -> None:
    """The backup's or archive's folder: new, or empty, and the owner's only (it holds
    everything the database does)."""
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise OperationError(
            _(
                "%(path)s already exists and is not an empty folder: choose a new one.",
                path=str(path),
            )
        )
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)


def write_manifest(folder: Path, manifest: dict) -> None:
    temporary = folder / (MANIFEST + ".tmp")
    temporary.write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    temporary.replace(folder / MANIFEST)


def read_manifest(folder: Path, expected_format: str, refusal: str) -> dict:
    """The manifest of a backup or archive; `refusal` says what the folder is not."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise OperationError(
            _("%(path)s has no readable manifest.json: %(error)s", path=str(folder), error=error)
        ) from error
    if not isinstance(manifest, dict) or manifest.get("format") != expected_format:
        raise OperationError(refusal)
    return manifest


# the database


def backend(url: str) -> str:
    return make_url(url).get_backend_name()


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise OperationError(_("An in-memory database cannot be backed up or restored."))
    return Path(database)


def not_copied(settings: Settings, folder: Path) -> list[Path]:
    """What of the var directory is not copied: the backup itself, and the database."""
    left = [folder]
    if backend(settings.database_url) == "sqlite":
        left.append(sqlite_path(settings.database_url))
    return left


def pg_tool(name: str) -> str:
    """pg_dump or pg_restore: on the PATH, else the newest under /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found
    installed = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda path: [int(n) for n in re.findall(r"\d+", path)],
    )
    if installed:
        return installed[-1]
    raise OperationError(
        _(
            "%(tool)s was not found: install the PostgreSQL client tools "
            "(on Debian: apt-get install postgresql-client) or put them on the "
            "PATH.",
            tool=name,
        )
    )


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The database's address for the PostgreSQL tools, its password in their environment."""
    parsed = make_url(url)
    environment = dict(os.environ)
    if parsed.password:
        environment["PGPASSWORD"] = str(parsed.password)
    address = parsed.set(drivername="postgresql", password=None)
    return address.render_as_string(hide_password=False), environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise OperationError(
            _(
                "%(tool)s failed: %(error)s",
                tool=Path(command[0]).name,
                error=done.stderr.strip()[-2000:],
            )
        )


# backup


def backup(settings: Settings, folder: Path) -> dict:
    """Copy the council into `folder` (new or empty) while it runs; the manifest written."""
    folder = Path(folder)
    kind = backend(settings.database_url)
    if kind == "postgresql":
        pg_tool("pg_dump")  # missing: said before anything is written
    elif kind != "sqlite":
        raise OperationError(_("Backups support SQLite and PostgreSQL, not %(kind)s.", kind=kind))
    new_folder(folder)
    checkpoint_name = Path(audit.CHECKPOINT_FILE)
    files = copy_files(
        settings.var_dir,
        folder / FILES,
        [checkpoint_name] if (settings.var_dir / checkpoint_name).is_file() else [],
    )
    if kind == "sqlite":
        database_file, snapshot = _sqlite_backup(settings.database_url, folder)
    else:
        database_file, snapshot = _postgresql_backup(settings.database_url, folder)
    rest = [
        name
        for name in var_files(settings.var_dir, leave_out=not_copied(settings, folder))
        if name != checkpoint_name
    ]
    files |= copy_files(settings.var_dir, folder / FILES, rest)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": utcnow().isoformat(),
        "database": kind,
        "database_file": database_file,
        "database_sha256": sha256_of(folder / database_file),
        **snapshot,
        "files": dict(sorted(files.items())),
    }
    write_manifest(folder, manifest)
    return manifest


def _snapshot(connection) -> dict:
    return {
        "schema_version": rows.schema_version(connection),
        "tables": rows.summarise(connection),
        "audit": rows.audit_head(connection),
    }


def _sqlite_backup(url: str, folder: Path) -> tuple[str, dict]:
    """SQLite's online backup: every page in one step, so the copy is of one instant even
    while others write (a plain file copy during writes is not)."""
    source_path, target_path = sqlite_path(url), folder / SQLITE_FILE
    if not source_path.is_file():
        raise OperationError(_("There is no database at %(path)s.", path=str(source_path)))
    os.close(os.open(target_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        target.close()
        source.close()
    engine = create_engine(f"sqlite:///{target_path}")
    try:
        with engine.connect() as connection:
            return SQLITE_FILE, _snapshot(connection)
    finally:
        engine.dispose()


def _postgresql_backup(url: str, folder: Path) -> tuple[str, dict]:
    """pg_dump reads the snapshot of a transaction kept open here, in which the manifest is
    computed: both see the same instant."""
    tool = pg_tool("pg_dump")
    address, environment = _libpq(url)
    engine = create_engine(url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as connection:
            connection.execute(text("SET TRANSACTION READ ONLY"))
            snapshot_id = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            _run(
                [
                    tool,
                    "--format=custom",
                    f"--snapshot={snapshot_id}",
                    f"--file={folder / POSTGRESQL_FILE}",
                    f"--dbname={address}",
                ],
                environment,
            )
            snapshot = _snapshot(connection)
            connection.rollback()
    finally:
        engine.dispose()
    (folder / POSTGRESQL_FILE).chmod(0o600)
    return POSTGRESQL_FILE, snapshot


# restore


@dataclass
class Restored:
    manifest: dict
    problems: list[str] = field(default_factory=list)
    """Tables whose rows differ from the manifest's."""
    verification: audit.Verification | None = None
    other_key: bool = False
    """The chain verifies, but not its checkpoints' signatures with this council's key."""

    @property
    def ok(self) -> bool:
        return not self.problems and self.verification is not None and self.verification.ok

    @property
    def rows(self) -> int:
        return sum(table["rows"] for table in self.manifest["tables"].values())


def refuse_unless_empty(url: str) -> None:
    """Restores and imports go into an empty database only: nothing is ever overwritten."""
    database = Database.from_url(url)
    try:
        with database.engine.connect() as connection:
            full = rows.tables_with_rows(connection)
    finally:
        database.dispose()
    if full:
        raise OperationError(
            _(
                "The database already holds a council (%(tables)s have rows): restore or import "
                "only into an empty database.",
                tables=", ".join(full[:5]),
            )
        )


def restore(settings: Settings, folder: Path) -> Restored:
    """Put a backup back into this council's empty database and var directory, then check
    the rows against the manifest and verify the audit chain."""
    folder = Path(folder)
    manifest = read_manifest(
        folder, FORMAT, _("%(path)s is not a council backup.", path=str(folder))
    )
    kind = backend(settings.database_url)
    if manifest["database"] != kind:
        raise OperationError(
            _(
                "This backup is of a %(backup)s database and this council uses %(here)s: to move "
                "a council between them, use council export and council import.",
                backup=manifest["database"],
                here=kind,
            )
        )
    damaged = checked_files(
        folder,
        {manifest["database_file"]: {"sha256": manifest["database_sha256"]}}
        | {f"{FILES}/{name}": entry for name, entry in manifest["files"].items()},
    )
    if damaged:
        raise OperationError(
            _(
                "The backup is damaged: %(files)s differ from its manifest.",
                files=", ".join(damaged[:5]),
            )
        )
    refuse_unless_empty(settings.database_url)
    conflicts = file_conflicts(folder / FILES, manifest["files"], settings.var_dir)
    if conflicts:
        raise OperationError(
            _(
                "The var directory %(path)s already holds other versions of %(files)s: restore "
                "into an empty one.",
                path=str(settings.var_dir),
                files=", ".join(conflicts[:5]),
            )
        )
    if kind == "sqlite":
        _sqlite_restore(folder / manifest["database_file"], settings.database_url)
    else:
        _postgresql_restore(folder / manifest["database_file"], settings.database_url)
    place_files(folder / FILES, manifest["files"], settings.var_dir)
    return check(settings, manifest)


def check(settings: Settings, manifest: dict) -> Restored:
    """Count and hash every table again, and verify the audit chain with this council's key
    and checkpoint file."""
    database = Database.from_url(settings.database_url)
    try:
        with database.engine.connect() as connection:
            found = rows.summarise(connection)
        with database.session() as session:
            verification = audit.verify(
                session,
                key=audit.settings_key(settings),
                checkpoint_file=audit.checkpoint_path(settings),
            )
            other_key = (
                not verification.ok
                and audit.verify(session, checkpoint_file=audit.checkpoint_path(settings)).ok
            )
    finally:
        database.dispose()
    return Restored(manifest, rows.differences(manifest["tables"], found), verification, other_key)


def _sqlite_restore(source_path: Path, url: str) -> None:
    target_path = sqlite_path(url)
    Database.from_url(url).dispose()  # creates the file (the owner's only) if needed
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as error:
        raise OperationError(
            _("The database could not be restored: %(error)s", error=error)
        ) from error
    finally:
        target.close()
        source.close()


def _postgresql_restore(dump: Path, url: str) -> None:
    """pg_restore into a database whose tables (if `council migrate` made them) are empty:
    they are dropped first, in one transaction, so the dump's schema is the one restored."""
    tool = pg_tool("pg_restore")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            present = MetaData()
            present.reflect(connection)
            for table in present.sorted_tables:
                if (
                    table.name != rows.VERSION_TABLE
                    and connection.execute(select(text("1")).select_from(table).limit(1)).first()
                ):
                    raise OperationError(
                        _(
                            "The database already holds a council (%(tables)s have rows): restore "
                            "or import only into an empty database.",
                            tables=table.name,
                        )
                    )
            present.drop_all(connection)
    finally:
        engine.dispose()
    address, environment = _libpq(url)
    _run(
        [
            tool,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={address}",
            str(dump),
        ],
        environment,
    )
