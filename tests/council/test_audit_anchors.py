"""The audit chain is anchored: a log cut short, emptied or rewritten with every hash
recomputed is found by its signed checkpoints (stored, and in a file) and by published heads."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlmodel import col, delete, select

from council import audit
from council.cli import main
from council.database import Database, utcnow
from council.models import AuditCheckpoint, AuditRecord
from council.worker import core_jobs, run_job
from tests.conftest import TEST_SECRET, make_settings
from tests.council.test_audit import chain, cli_env, records

KEY = audit.signing_key(TEST_SECRET)


@pytest.fixture
def path(tmp_path):
    return tmp_path / audit.CHECKPOINT_FILE


def anchored(db, path, n: int = 6) -> list[AuditRecord]:
    """A chain of `n` records with a signed checkpoint of its head."""
    made = chain(db, n)
    assert audit.checkpoint(db, key=KEY, path=path) == 1
    return made


def check(db, path, **kwargs) -> audit.Verification:
    db.expire_all()
    return audit.verify(db, key=KEY, checkpoint_file=path, **kwargs)


def rewrite_from(db, record: AuditRecord) -> None:
    """Alter `record` and recompute every hash from it on, as a forger with write access to the
    database (but not the key) would."""
    rows = records(db)
    start = [r.id for r in rows].index(record.id)
    prev = rows[start - 1].hash if start else audit.GENESIS
    for index, row in enumerate(rows[start:]):
        if index == 0:
            row.details = '{"step": 99}'
        row.prev_hash = prev
        row.hash = audit._digest(row)
        prev = row.hash
        db.add(row)
        db.flush()


def test_an_intact_anchored_chain_verifies(db, path):
    anchored(db, path)
    result = check(db, path)
    assert result.ok, result.problem
    assert (result.checked, result.checkpoints) == (6, 1)
    assert result.latest_checkpoint.count == 6


def test_a_checkpoint_is_stored_and_appended_to_the_file(db, path):
    made = anchored(db, path)
    stored = db.exec(select(AuditCheckpoint)).one()
    assert (stored.record_id, stored.record_hash, stored.count) == (made[-1].id, made[-1].hash, 6)
    lines = path.read_text().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["signature"] == stored.signature
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_no_new_checkpoint_while_the_head_does_not_move(db, path):
    made = anchored(db, path)
    assert audit.checkpoint(db, key=KEY, path=path) == 0
    audit.record(db, by=None, action="seat.updated", target=("Seat", 1))
    assert audit.checkpoint(db, key=KEY, path=path) == 1
    counts = db.exec(select(AuditCheckpoint.count).order_by(AuditCheckpoint.id)).all()
    assert counts == [len(made), len(made) + 1]
    assert len(path.read_text().splitlines()) == 2
    assert check(db, path).ok


def test_deleting_the_last_record_is_found(db, path):
    made = anchored(db, path)
    db.exec(delete(AuditRecord).where(AuditRecord.id == made[-1].id))
    result = check(db, path)
    assert not result.ok
    assert result.first_bad_id == made[-1].id
    assert "removed from the end" in result.problem


def test_deleting_the_last_fifty_records_is_found(db, path):
    made = anchored(db, path, 60)
    db.exec(delete(AuditRecord).where(col(AuditRecord.id) >= made[10].id))
    result = check(db, path)
    assert not result.ok
    assert result.checked == 10
    assert result.first_bad_id == made[-1].id


def test_deleting_every_record_is_found(db, path):
    made = anchored(db, path)
    db.exec(delete(AuditRecord))
    result = check(db, path)
    assert not result.ok
    assert (result.checked, result.first_bad_id) == (0, made[-1].id)


def test_deleting_every_record_and_every_stored_checkpoint_is_found_by_the_file(db, path):
    made = anchored(db, path)
    db.exec(delete(AuditRecord))
    db.exec(delete(AuditCheckpoint))
    result = check(db, path)
    assert not result.ok
    assert result.first_bad_id == made[-1].id


def test_a_record_edited_with_the_chain_recomputed_after_it_is_found(db, path):
    made = anchored(db, path)
    rewrite_from(db, made[2])
    result = check(db, path)
    assert not result.ok
    assert result.first_bad_id == made[-1].id
    assert "rewritten" in result.problem


def test_a_forged_checkpoint_does_not_hide_a_rewrite(db, path):
    made = anchored(db, path)
    rewrite_from(db, made[0])
    db.exec(delete(AuditCheckpoint))
    path.unlink()
    forger = audit.signing_key("a key guessed by the forger, not the council's")
    assert audit.checkpoint(db, key=forger, path=None) == 1
    result = check(db, path)
    assert not result.ok
    assert "not signed with this council's key" in result.problem


def test_without_the_key_a_truncation_is_still_found(db, path):
    made = anchored(db, path)
    db.exec(delete(AuditRecord).where(AuditRecord.id == made[-1].id))
    assert not audit.verify(db).ok


def test_no_checkpoint_is_signed_over_a_tampered_tail(db, path):
    made = anchored(db, path)
    more = chain(db, 2)
    db.exec(delete(AuditRecord).where(AuditRecord.id == more[0].id))
    db.expire_all()
    with pytest.raises(audit.ChainBroken):
        audit.checkpoint(db, key=KEY, path=path)
    assert len(path.read_text().splitlines()) == 1
    assert made


def test_a_planted_checkpoint_is_not_extended_by_the_worker(db, path):
    made = anchored(db, path)
    rewrite_from(db, made[2])
    db.add(
        AuditCheckpoint(
            at=utcnow(),
            record_id=made[-1].id,
            record_hash=records(db)[-1].hash,
            count=6,
            key_id="0" * 16,
            signature="0" * 64,
        )
    )
    chain(db, 1)
    with pytest.raises(audit.ChainBroken):
        audit.checkpoint(db, key=KEY, path=path)


def test_published_heads_must_be_in_the_chain(db, path):
    made = anchored(db, path)
    heads = [("WG1-2026-01", made[1].hash), ("WG1-2026-02", made[3].hash.upper())]
    result = check(db, path, heads=heads)
    assert result.ok and result.heads == 2

    rewrite_from(db, made[2])  # the rewrite keeps made[1] but loses made[3]
    db.exec(delete(AuditCheckpoint))
    path.unlink()
    result = check(db, path, heads=heads)
    assert not result.ok
    assert result.first_bad_id is None
    assert "WG1-2026-02" in result.problem


def test_an_unreadable_checkpoint_file_is_reported(db, path):
    anchored(db, path)
    with path.open("a") as file:
        file.write("not a checkpoint\n")
    result = check(db, path)
    assert not result.ok
    assert "line 2" in result.problem


def test_the_worker_signs_checkpoints_into_the_var_directory(database, db, tmp_path):
    settings = make_settings("sqlite://", tmp_path)
    job = next(job for job in core_jobs(settings) if job.name == "audit.checkpoint")
    made = chain(db, 3)
    db.commit()
    assert run_job(database, job, force=True) == 1
    assert run_job(database, job, now=utcnow() + timedelta(minutes=2)) == 0
    lines = (tmp_path / audit.CHECKPOINT_FILE).read_text().splitlines()
    assert [json.loads(line)["record_id"] for line in lines] == [made[-1].id]


def test_the_command_signs_checks_and_reports_a_truncation(fresh_databases, tmp_path):
    url = fresh_databases.create()
    env = cli_env(url, tmp_path)
    runner = CliRunner()
    database = Database.from_url(url)
    try:
        with database.transaction() as session:
            made = [(r.id, r.hash) for r in chain(session, 4)]
        unanchored = runner.invoke(main, ["audit", "verify"], env=env)
        assert unanchored.exit_code == 0
        assert "No signed checkpoint yet" in unanchored.stderr

        signed = runner.invoke(main, ["audit", "checkpoint"], env=env)
        assert signed.exit_code == 0, signed.output
        intact = runner.invoke(main, ["audit", "verify", "--head", made[1][1]], env=env)
        assert intact.exit_code == 0, intact.output
        assert "1 signed checkpoint agrees" in intact.output
        assert "1 published digest was found" in intact.output
        assert "intact: 4 records verified" in intact.output

        unknown = runner.invoke(main, ["audit", "verify", "--head", "ab" * 32], env=env)
        assert unknown.exit_code == 1
        assert "is not in the log" in unknown.stderr

        with database.transaction() as session:
            session.exec(delete(AuditRecord).where(AuditRecord.id == made[-1][0]))
        cut = runner.invoke(main, ["audit", "verify"], env=env)
        assert cut.exit_code == 1
        assert f"broken at record {made[-1][0]}" in cut.stderr
    finally:
        database.dispose()


def test_the_command_reads_digests_from_a_saved_feed(fresh_databases, tmp_path):
    url = fresh_databases.create()
    database = Database.from_url(url)
    try:
        with database.transaction() as session:
            made = [r.hash for r in chain(session, 2)]
    finally:
        database.dispose()
    feed = tmp_path / "saved.atom"
    feed.write_text(
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:council="{audit.FEED_NAMESPACE}">'
        f"<entry><title>WG1-2026-01 · Fees</title><council:auditHead>{made[0]}"
        "</council:auditHead></entry>"
        f"<entry><title>WG1-2026-02 · Visas</title><council:auditHead>{'cd' * 32}"
        "</council:auditHead></entry></feed>"
    )
    result = CliRunner().invoke(
        main, ["audit", "verify", "--feed", str(feed)], env=cli_env(url, tmp_path)
    )
    assert result.exit_code == 1
    assert "WG1-2026-02 · Visas" in result.stderr
