"""The council's clock: due work that no request does (closing rounds at their deadline, chair
turnovers, re-rendering stored pages, purging what expired), run by `council worker` or in the
`council serve` process.

Each job runs in a write transaction of its own and must be idempotent: running it twice, or in
two workers at once, does each piece of work once. On PostgreSQL a transaction-scoped advisory
lock keyed by the job's name lets one worker run a job while another skips it; on SQLite the
write lock (BEGIN IMMEDIATE) serialises them. The last run of each job is kept in `job_run`,
which the secretariat reads on the admin page.

A job that must not hold a transaction while it works (sending email: SQLite's write lock must
not wait on an SMTP server) is declared `transactional=False`: it gets the Database, opens its
own short transactions, and makes its work safe to run in two workers at once itself (the
outbox claims each message).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlmodel import Session, select

from council.database import Database, upsert, utcnow
from council.i18n import lazy
from council.models import JobRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """`run(session, now)` does the work due at `now` inside the given write transaction and
    returns how many things it did; it must be idempotent. With `transactional=False` it is
    `run(database, now)` and manages its own transactions."""

    name: str
    run: Callable[[Session, datetime], int] | Callable[[Database, datetime], int]
    every: timedelta = timedelta(seconds=30)
    label: str = ""
    """What it does, for the admin page: a msgid marked with council.i18n.lazy."""
    transactional: bool = True


def _lock_key(name: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory locks."""
    return int.from_bytes(
        hashlib.sha256(f"council.job:{name}".encode()).digest()[:8], "big", signed=True
    )


def _claim(session: Session, job: Job, now: datetime, *, force: bool) -> JobRun | None:
    """The job's row, when this worker should run it now: due, and not being run elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        locked = session.execute(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _lock_key(job.name)}
        ).scalar()
        if not locked:
            return None  # another worker runs it at this moment
    run = session.get(JobRun, job.name)
    if run is None:
        run = JobRun(name=job.name)
        session.add(run)
    elif not force and run.last_finished_at is not None and run.last_finished_at + job.every > now:
        return None
    return run


def run_job(
    database: Database, job: Job, *, now: datetime | None = None, force: bool = False
) -> int | None:
    """Run `job` once if it is due (or `force`), in one write transaction; how much it did, or
    None when it was not due or another worker held it. A failure rolls the work back and is
    recorded in a transaction of its own."""
    started = now or utcnow()
    if not job.transactional:
        return _run_on_its_own(database, job, started, force=force)
    try:
        with database.transaction() as session:
            run = _claim(session, job, started, force=force)
            if run is None:
                return None
            done = job.run(session, started)
            run.last_started_at, run.last_finished_at = started, utcnow()
            run.last_done, run.last_error = done, ""
            run.runs += 1
            session.add(run)
            return done
    except Exception as error:
        log.exception("job %s failed", job.name)
        with database.transaction() as session:
            run = session.get(JobRun, job.name) or JobRun(name=job.name)
            run.last_started_at, run.last_finished_at = started, utcnow()
            run.last_error = f"{type(error).__name__}: {error}"[:2000]
            run.failures += 1
            session.add(run)
        return None


def _run_on_its_own(database: Database, job: Job, started: datetime, *, force: bool) -> int | None:
    """A job that opens its own transactions: due or not is read first; its run is recorded
    afterwards (two workers may both run it: the job itself shares out the work)."""
    if not force:
        with database.transaction(write=False) as session:
            run = session.get(JobRun, job.name)
            if (
                run is not None
                and run.last_finished_at is not None
                and run.last_finished_at + job.every > started
            ):
                return None
    try:
        done = job.run(database, started)
    except Exception as error:
        log.exception("job %s failed", job.name)
        _record(database, job.name, started, error=f"{type(error).__name__}: {error}"[:2000])
        return None
    _record(database, job.name, started, done=done)
    return done


def _record(
    database: Database, name: str, started: datetime, *, done: int = 0, error: str = ""
) -> None:
    """Note a run of a job that managed its own transactions (an upsert: two workers may
    record the same job at once)."""
    table = JobRun.__table__
    values = {"last_started_at": started, "last_finished_at": utcnow(), "last_error": error}
    if not error:
        values["last_done"] = done
    counter = "failures" if error else "runs"
    with database.transaction() as session:
        insert = upsert(session, table).values(
            name=name,
            last_done=done,
            runs=0 if error else 1,
            failures=1 if error else 0,
            **{key: value for key, value in values.items() if key != "last_done"},
        )
        session.execute(
            insert.on_conflict_do_update(
                index_elements=[table.c.name], set_={**values, counter: table.c[counter] + 1}
            )
        )


def run_due(
    database: Database, jobs: Iterable[Job], *, now: datetime | None = None, force: bool = False
) -> dict[str, int | None]:
    """Run every due job once; {name: how much it did, or None when skipped}."""
    return {job.name: run_job(database, job, now=now, force=force) for job in jobs}


def core_jobs(settings) -> list[Job]:
    from council import audit, chairs, oidc, outbox, sessions

    return [
        Job(
            "audit.checkpoint",
            audit.checkpoint_job(settings),
            every=timedelta(minutes=1),
            label=lazy("Sign a checkpoint of the audit log"),
        ),
        *chairs.CHAIR_JOBS,
        *outbox.jobs(settings),
        Job(
            "sessions.purge",
            sessions.purge_job,
            every=timedelta(minutes=10),
            label=lazy("Remove sessions that have ended"),
        ),
        Job(
            "sign_in.purge",
            oidc.purge_job,
            every=timedelta(minutes=10),
            label=lazy("Remove abandoned sign-ins and old failed attempts"),
        ),
    ]


def all_jobs(extensions, settings) -> list[Job]:
    """The core's jobs (the outbox's need the settings: mail server, languages, links) and
    the extensions'."""
    return [*core_jobs(settings), *(job for extension in extensions for job in extension.jobs)]


class Worker:
    """Runs the due jobs every `tick` seconds until stopped (a thread of `council serve`, or
    the main loop of `council worker`)."""

    def __init__(self, database: Database, jobs: list[Job], *, tick: float = 1.0):
        self.database, self.jobs, self.tick = database, jobs, tick
        self.stopping = threading.Event()

    def run_forever(self) -> None:
        log.info("worker started: %s", ", ".join(job.name for job in self.jobs))
        while not self.stopping.is_set():
            try:
                run_due(self.database, self.jobs)
            except Exception:  # the database may be away for a moment: try again next tick
                log.exception("the worker could not run its jobs")
            self.stopping.wait(self.tick)

    def start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, name="council-worker", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stopping.set()


def last_runs(session: Session, jobs: list[Job]) -> list[tuple[Job, JobRun | None]]:
    """Each job with its last run, for the secretariat's admin page (one query)."""
    runs = {run.name: run for run in session.exec(select(JobRun)).all()}
    return [(job, runs.get(job.name)) for job in jobs]
