"""The audit log is one hash chain: any altered, inserted or removed record is found."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlmodel import col, delete, select, update

from council import audit
from council.cli import main
from council.database import Database, utcnow
from council.models import AuditRecord, Seat
from tests.conftest import TEST_SECRET
from tests.factories import make_person, make_seat, make_secretariat


def chain(db, n: int = 4) -> list[AuditRecord]:
    by = make_secretariat(db)
    seat = make_seat(db)
    records = [
        audit.record(db, by=by, action="seat.updated", target=seat, step=i) for i in range(n)
    ]
    db.flush()
    return records


def records(db) -> list[AuditRecord]:
    db.expire_all()
    return list(db.exec(select(AuditRecord).order_by(AuditRecord.id)).all())


def test_each_record_follows_the_previous_one(db):
    first, second, third, _ = chain(db)
    assert first.prev_hash == audit.GENESIS
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({r.hash for r in records(db)}) == 4


def test_a_record_names_who_did_what_to_what(db):
    by = make_person(db, name="Ana Ruiz", email="ana@example.org")
    seat = make_seat(db, name="Belize")
    entry = audit.record(db, by=by, action="seat.created", target=seat, name="Belize")
    assert (entry.actor_id, entry.actor_label) == (by.id, "Ana Ruiz <ana@example.org>")
    assert (entry.action, entry.target_type, entry.target_id) == (
        "seat.created",
        "Seat",
        str(seat.id),
    )
    assert entry.details == '{"name": "Belize"}'
    system = audit.record(db, by=None, action="round.closed", target=("DecisionRound", 7))
    assert (system.actor_label, system.target_type, system.target_id) == (
        "system",
        "DecisionRound",
        "7",
    )


def test_intact_chain_verifies(db):
    chain(db)
    result = audit.verify(db)
    assert result.ok
    assert result.checked == 4


def test_empty_log_verifies(db):
    assert audit.verify(db).ok


@pytest.mark.parametrize(
    "field, value",
    [
        ("details", '{"step": 99}'),
        ("action", "seat.deleted"),
        ("actor_label", "Someone Else <x@example.org>"),
        ("target_id", "12345"),
        ("target_type", "Person"),
        ("actor_id", None),
        ("at", datetime(2020, 1, 1, tzinfo=UTC)),
    ],
)
def test_altered_record_is_found(db, field, value):
    _, second, _, _ = chain(db)
    db.exec(update(AuditRecord).where(AuditRecord.id == second.id).values({field: value}))
    result = audit.verify(db)
    assert not result.ok
    assert result.first_bad_id == second.id
    assert "altered" in result.problem


def test_a_record_moved_in_time_by_a_microsecond_is_found(db):
    """The instant is part of what the hash covers, to the microsecond."""
    _, second, _, _ = chain(db)
    db.exec(
        update(AuditRecord)
        .where(AuditRecord.id == second.id)
        .values(at=second.at + timedelta(microseconds=1))
    )
    result = audit.verify(db)
    assert (result.ok, result.first_bad_id) == (False, second.id)


def test_altered_record_with_a_recomputed_hash_breaks_the_next_link(db):
    _, second, third, _ = chain(db)
    forged = db.get(AuditRecord, second.id)
    forged.details = '{"step": 99}'
    forged.hash = audit._digest(forged)
    db.add(forged)
    db.flush()
    result = audit.verify(db)
    assert result.first_bad_id == third.id


def test_record_inserted_in_the_middle_is_found(db):
    first, second, third, fourth = chain(db)
    # make room between the first and the second record, as a forger with write access could
    db.exec(
        update(AuditRecord).where(col(AuditRecord.id) >= second.id).values(id=AuditRecord.id + 1000)
    )
    db.expunge_all()
    forged = AuditRecord(
        id=first.id + 1,
        at=utcnow(),
        actor_label="system",
        action="seat.created",
        target_type="Seat",
        target_id="1",
        details="{}",
        prev_hash="f" * 64,
    )
    forged.hash = audit._digest(forged)
    db.add(forged)
    db.flush()
    result = audit.verify(db)
    assert result.first_bad_id == forged.id
    assert "inserted or removed" in result.problem


def test_deleted_middle_record_is_found(db):
    _, second, third, _ = chain(db)
    db.exec(delete(AuditRecord).where(AuditRecord.id == second.id))
    result = audit.verify(db)
    assert result.first_bad_id == third.id
    assert "inserted or removed" in result.problem


def test_deleted_first_record_is_found(db):
    first, second, _, _ = chain(db)
    db.exec(delete(AuditRecord).where(AuditRecord.id == first.id))
    assert audit.verify(db).first_bad_id == second.id


def cli_env(url: str, tmp_path) -> dict[str, str]:
    return {
        "COUNCIL_DATABASE_URL": url,
        "COUNCIL_VAR_DIR": str(tmp_path),
        "COUNCIL_ENV": "development",
        "COUNCIL_SECRET_KEY": TEST_SECRET,
        "COUNCIL_LANGUAGE": "en",
    }


def test_verify_command(fresh_databases, tmp_path):
    url = fresh_databases.create()
    database = Database.from_url(url)
    try:
        with database.transaction() as session:
            ids = [r.id for r in chain(session, 3)]
        runner = CliRunner()
        intact = runner.invoke(main, ["audit", "verify"], env=cli_env(url, tmp_path))
        assert intact.exit_code == 0, intact.output
        assert "intact: 3 records verified" in intact.output

        with database.transaction() as session:
            session.exec(
                update(AuditRecord).where(AuditRecord.id == ids[1]).values(details='{"step": 42}')
            )
        broken = runner.invoke(main, ["audit", "verify"], env=cli_env(url, tmp_path))
        assert broken.exit_code == 1
        assert f"broken at record {ids[1]}" in broken.stderr
    finally:
        database.dispose()


def test_concurrent_appends_keep_one_chain(fresh_databases):
    """Writers in several threads, each with its own session, race for the tail."""
    url = fresh_databases.create()
    database = Database.from_url(url)
    threads_count, per_thread = 6, 8
    try:
        with database.transaction() as session:
            seat_id = make_seat(session, name="Belize").id
        start = threading.Barrier(threads_count)
        failures: list[BaseException] = []

        def append(worker: int) -> None:
            try:
                start.wait()
                for step in range(per_thread):
                    with database.transaction() as session:
                        seat = session.get(Seat, seat_id)
                        audit.record(
                            session,
                            by=None,
                            action="seat.updated",
                            target=seat,
                            worker=worker,
                            step=step,
                        )
            except BaseException as error:  # reported below, in the test's thread
                failures.append(error)

        threads = [threading.Thread(target=append, args=(n,)) for n in range(threads_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not failures, failures
        with database.session() as session:
            result = audit.verify(session)
        assert result.ok, result
        assert result.checked == threads_count * per_thread
    finally:
        database.dispose()


def test_a_records_hash_is_the_sha256_of_its_fields_in_a_fixed_form():
    """Records written before a change of this form would no longer verify: it is pinned."""
    entry = AuditRecord(
        prev_hash=audit.GENESIS,
        at=datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        actor_id=7,
        actor_label="Ana Ruiz <ana@example.org>",
        action="seat.created",
        target_type="Seat",
        target_id="3",
        details='{"name": "Bélize"}',
        hash="",
    )
    payload = (
        '["' + "0" * 64 + '","2026-01-02T03:04:05.000006+00:00",7,'
        '"Ana Ruiz <ana@example.org>","seat.created","Seat","3",'
        '"{\\"name\\": \\"Bélize\\"}"]'
    )
    assert audit._digest(entry) == hashlib.sha256(payload.encode()).hexdigest()
    assert audit._digest(entry) == (
        "565aa95cb0acea2a5ffcd1436df62136d5780d20f10600de114155dd4ccf7922"
    )
