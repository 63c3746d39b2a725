"""Backups of a running council, restored into an empty database and checked: every table's
rows against the manifest, and the audit chain with this council's key."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from council import audit, backup, rows
from council.cli import main
from council.database import Database, make_engine
from council.models import AuditRecord, Seat
from tests.conftest import TEST_SECRET, make_settings
from tests.factories import make_council, make_person, make_seat, make_secretariat

UPLOAD = Path("documents/2026/annex.pdf")


def seed(url: str, var_dir: Path) -> int:
    """A council with people, seats, audited acts and a checkpoint; files in its var
    directory, passing ones among them. The id of the seat that writers keep changing."""
    database = Database.from_url(url)
    try:
        with database.transaction() as session:
            make_council(session)
            secretariat = make_secretariat(session, name="Ana Ruiz")
            seat = make_seat(session, name="Belize", description="First")
            make_person(session, seat=seat, name="Jorge Castañeda")
            for step in range(5):
                audit.record(session, by=secretariat, action="seat.updated", target=seat, step=step)
            seat_id = seat.id
        with database.transaction() as session:
            audit.checkpoint(
                session, key=audit.signing_key(TEST_SECRET), path=var_dir / audit.CHECKPOINT_FILE
            )
    finally:
        database.dispose()
    (var_dir / UPLOAD).parent.mkdir(parents=True)
    (var_dir / UPLOAD).write_bytes(b"%PDF-1.7 evidence")
    (var_dir / "secret_key").write_text("a development secret")
    (var_dir / "server.log").write_text("passing")
    (var_dir / "mail").mkdir()
    (var_dir / "mail" / "invitation.eml").write_text("passing")
    return seat_id


def write(url: str, seat_id: int, stop: threading.Event, done: list[int]) -> None:
    """Audited changes, one transaction each, until told to stop; `done` holds those
    committed."""
    database = Database.from_url(url)
    try:
        step = 0
        while not stop.is_set():
            with database.transaction() as session:
                seat = session.get(Seat, seat_id)
                seat.description = f"Change {step}"
                session.add(seat)
                audit.record(session, by=None, action="seat.updated", target=seat, step=step)
            done.append(step)
            step += 1
    finally:
        database.dispose()


def count(url: str, table) -> int:
    database = Database.from_url(url)
    try:
        with database.engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(table)).scalar_one()
    finally:
        database.dispose()


@pytest.fixture(scope="module")
def source(fresh_databases, tmp_path_factory):
    """A council the tests back up (one of them while it writes to it): its settings and the
    seat its writers change."""
    url = fresh_databases.create()
    var_dir = tmp_path_factory.mktemp("source") / "var"
    var_dir.mkdir()
    seat_id = seed(url, var_dir)
    return make_settings(url, var_dir), seat_id


def test_sqlite_commits_are_durable(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'council.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


def test_a_backup_taken_during_writes_restores_to_its_manifest_and_the_chain_verifies(
    source, fresh_databases, tmp_path
):
    settings, seat_id = source
    base = count(settings.database_url, AuditRecord)
    stop, done = threading.Event(), []
    writer = threading.Thread(target=write, args=(settings.database_url, seat_id, stop, done))
    writer.start()
    try:
        while len(done) < 20:
            stop.wait(0.01)
        before = len(done)
        manifest = backup.backup(settings, tmp_path / "backup")
        after = len(done)
        while len(done) < after + 20:
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join()
    copied = manifest["tables"]["audit_record"]["rows"]
    # a write may be committed and not yet noted in `done`
    assert base + before <= copied <= base + after + 1 < count(settings.database_url, AuditRecord)
    assert manifest["audit"]["records"] == copied
    assert set(manifest["files"]) == {"audit-checkpoints.jsonl", UPLOAD.as_posix()}

    target = make_settings(fresh_databases.create(), tmp_path / "restored")
    restored = backup.restore(target, tmp_path / "backup")

    assert restored.ok, (restored.problems, restored.verification)
    assert restored.verification.checked == copied
    assert restored.verification.checkpoints == 1
    database = Database.from_url(target.database_url)
    try:
        with database.engine.connect() as connection:
            assert rows.summarise(connection) == manifest["tables"]
            assert rows.audit_head(connection) == manifest["audit"]
            description = connection.execute(
                select(Seat.description).where(Seat.id == seat_id)
            ).scalar_one()
    finally:
        database.dispose()
    assert description == f"Change {copied - base - 1}"  # the last change the copy holds
    assert (target.var_dir / UPLOAD).read_bytes() == b"%PDF-1.7 evidence"
    assert not (target.var_dir / "secret_key").exists()
    assert not (target.var_dir / "server.log").exists()
    assert not (target.var_dir / "mail").exists()


def test_a_restore_refuses_a_database_that_holds_a_council(source, tmp_path):
    settings, _seat_id = source
    backup.backup(settings, tmp_path / "backup")
    records = count(settings.database_url, AuditRecord)

    with pytest.raises(backup.OperationError, match="already holds a council"):
        backup.restore(
            make_settings(settings.database_url, tmp_path / "other"), tmp_path / "backup"
        )
    assert count(settings.database_url, AuditRecord) == records
    with pytest.raises(backup.OperationError, match="not an empty folder"):
        backup.backup(settings, tmp_path / "backup")


def test_a_restore_finds_what_differs_from_the_manifest(source, fresh_databases, tmp_path):
    """A damaged file is refused before anything is written; rows that do not hash as the
    manifest says, and checkpoints signed with another key, fail the check."""
    settings, _seat_id = source
    folder = tmp_path / "backup"
    manifest = backup.backup(settings, folder)
    upload = folder / backup.FILES / UPLOAD
    upload.write_bytes(b"%PDF-1.7 altered")
    target = make_settings(fresh_databases.create(migrate=False), tmp_path / "restored")
    with pytest.raises(backup.OperationError, match="damaged"):
        backup.restore(target, folder)
    assert not (target.var_dir / UPLOAD).exists()

    upload.write_bytes(b"%PDF-1.7 evidence")
    manifest["tables"]["seat"]["sha256"] = "0" * 64
    backup.write_manifest(folder, manifest)
    other_key = make_settings(
        target.database_url, target.var_dir, audit_key="another council's key that is long enough"
    )
    restored = backup.restore(other_key, folder)

    assert not restored.ok
    assert restored.problems == ["seat: the rows differ from the manifest's"]
    assert "not signed with this council's key" in restored.verification.problem
    assert restored.other_key


def test_the_commands_back_up_and_restore(source, fresh_databases, tmp_path):
    settings, _seat_id = source
    runner = CliRunner()

    def env(url: str, var_dir: Path) -> dict[str, str]:
        return {
            "COUNCIL_DATABASE_URL": url,
            "COUNCIL_VAR_DIR": str(var_dir),
            "COUNCIL_SECRET_KEY": TEST_SECRET,
            "COUNCIL_LANGUAGE": "en",
        }

    made = runner.invoke(
        main, ["backup", str(tmp_path / "backup")], env=env(settings.database_url, settings.var_dir)
    )
    assert made.exit_code == 0, made.output
    assert f"rows and the var files to {tmp_path / 'backup'}" in made.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["schema_version"] and manifest["database"] == fresh_databases.backend

    refused = runner.invoke(
        main,
        ["restore", str(tmp_path / "backup")],
        env=env(settings.database_url, tmp_path / "other"),
    )
    assert refused.exit_code == 1
    assert "restore or import only into an empty database" in refused.output

    empty = fresh_databases.create(migrate=False)
    restored = runner.invoke(
        main, ["restore", str(tmp_path / "backup")], env=env(empty, tmp_path / "restored")
    )
    assert restored.exit_code == 0, restored.output
    assert "every table agrees with the manifest" in restored.output
    assert (
        f"The audit log is intact: {manifest['audit']['records']} records verified."
        in restored.output
    )
    verified = runner.invoke(main, ["audit", "verify"], env=env(empty, tmp_path / "restored"))
    assert verified.exit_code == 0, verified.output


def test_a_sqlite_backup_is_one_file_of_one_instant(fresh_databases, request, tmp_path):
    if fresh_databases.backend != "sqlite":
        pytest.skip("the PostgreSQL backup is pg_dump's")
    settings, _seat_id = request.getfixturevalue("source")
    manifest = backup.backup(settings, tmp_path / "backup")
    copy = tmp_path / "backup" / manifest["database_file"]
    assert copy.stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(copy) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not list((tmp_path / "backup").glob("*-wal"))
