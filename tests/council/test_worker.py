"""The worker's clock: each job runs when due, once, records its run, and survives failures;
two workers running the same due jobs at once do each job once (on both databases)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlmodel import select

from council import worker
from council.database import Database, make_engine, utcnow
from council.models import JobRun
from council.worker import Job, run_due, run_job


def _counting(name: str, *, every=timedelta(minutes=1), pause: float = 0.0):
    calls: list = []

    def run(session, now):
        calls.append(now)
        time.sleep(pause)
        return 3

    return Job(name, run, every=every), calls


def test_a_job_runs_when_due_and_records_its_run(database, db):
    job, calls = _counting("test.count")
    start = utcnow()
    assert run_job(database, job, now=start) == 3
    assert run_job(database, job, now=start + timedelta(seconds=30)) is None, "not due yet"
    assert run_job(database, job, now=start + timedelta(minutes=2)) == 3
    assert len(calls) == 2
    run = db.get(JobRun, "test.count")
    db.refresh(run)
    assert (run.runs, run.last_done, run.last_error, run.failures) == (2, 3, "", 0)
    assert run.last_started_at == start + timedelta(minutes=2)


def test_force_runs_a_job_that_is_not_due(database):
    job, calls = _counting("test.force")
    now = utcnow()
    run_job(database, job, now=now)
    assert run_job(database, job, now=now, force=True) == 3
    assert len(calls) == 2


def test_a_failing_job_rolls_its_work_back_and_records_the_error(database, db):
    def broken(session, now):
        session.add(JobRun(name="written.by.the.broken.job"))
        session.flush()
        raise RuntimeError("the mail server is away")

    assert run_job(database, Job("test.broken", broken)) is None
    db.expire_all()
    assert db.get(JobRun, "written.by.the.broken.job") is None
    run = db.get(JobRun, "test.broken")
    assert run.failures == 1 and run.runs == 0
    assert "the mail server is away" in run.last_error


def test_every_registered_job_runs_on_an_empty_council(app, database, db):
    done = run_due(database, app.state.jobs, force=True)
    assert set(done) == {job.name for job in app.state.jobs}
    assert all(isinstance(count, int) for count in done.values()), done
    failures = db.exec(select(JobRun).where(JobRun.failures > 0)).all()
    assert failures == []


def test_two_workers_at_once_run_each_due_job_once(fresh_databases):
    url = fresh_databases.create()
    engine = make_engine(url)
    try:
        database = Database(engine)
        jobs_and_calls = [_counting(f"test.race.{n}", pause=0.3) for n in range(3)]
        jobs = [job for job, _calls in jobs_and_calls]
        now = utcnow()
        barrier = threading.Barrier(2)
        results: list[dict] = []

        def work():
            barrier.wait()
            results.append(run_due(database, jobs, now=now))

        threads = [threading.Thread(target=work) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert len(results) == 2
        for job, calls in jobs_and_calls:
            assert len(calls) == 1, f"{job.name} ran {len(calls)} times"
            ran = [result[job.name] for result in results if result[job.name] is not None]
            assert ran == [3]
    finally:
        engine.dispose()


def test_the_worker_thread_runs_jobs_until_stopped(database):
    job, calls = _counting("test.thread", every=timedelta(hours=1))
    runner = worker.Worker(database, [job], tick=0.05)
    thread = runner.start_thread()
    deadline = time.monotonic() + 10
    while not calls and time.monotonic() < deadline:
        time.sleep(0.05)
    runner.stop()
    thread.join(5)
    assert not thread.is_alive()
    assert len(calls) == 1, "due once an hour: one run"


@pytest.mark.parametrize("role", ["secretariat"])
def test_the_admin_page_lists_the_jobs_and_their_last_run(client, db, database, app, role):
    from tests.conftest import sign_in
    from tests.factories import make_council, make_secretariat

    make_council(db)
    admin = make_secretariat(db)
    db.commit()
    run_due(database, app.state.jobs, force=True)
    sign_in(client, admin)
    page = client.get("/admin")
    assert page.status_code == 200
    for job in app.state.jobs:
        assert job.name in page.text
    assert "Not run yet" not in page.text


def test_the_purge_jobs_remove_only_what_has_expired(database, db):
    from council import oidc, sessions
    from council.models import AuthSession, SignInAttempt, SignInFlow
    from tests.factories import make_person

    now = utcnow()
    person = make_person(db)
    for name, ends in (("ended", now - timedelta(seconds=1)), ("live", now + timedelta(hours=1))):
        db.add(
            AuthSession(
                id=name, person_id=person.id, created_at=now, last_seen_at=now, expires_at=ends
            )
        )
        db.add(
            SignInFlow(
                id=name, provider="p", browser_hash="b", data="{}", created_at=now, expires_at=ends
            )
        )
    db.add(SignInAttempt(key="account:old@example.org", at=now - timedelta(days=2)))
    db.add(SignInAttempt(key="account:new@example.org", at=now - timedelta(minutes=5)))
    db.commit()
    assert sessions.purge_job(db, now) == 1
    assert oidc.purge_job(db, now) == 2  # one flow, one attempt
    db.commit()
    assert [row.id for row in db.exec(select(AuthSession)).all()] == ["live"]
    assert [row.id for row in db.exec(select(SignInFlow)).all()] == ["live"]
    assert [row.key for row in db.exec(select(SignInAttempt)).all()] == ["account:new@example.org"]
    assert sessions.purge_job(db, now) == 0 and oidc.purge_job(db, now) == 0
