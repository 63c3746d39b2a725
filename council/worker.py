"""The council's clock: due work that no request does (closing rounds at their deadline, chair
turnovers, re-rendering stored pages, purging what expired), run by `council worker` or in the
`council serve` process.

Each job runs in a write transaction of its own and must be idempotent: running it twice, or in
two workers at once, does each piece of work once. On PostgreSQL a transaction-scoped advisory
lock keyed by the job's name lets one worker run a job while another skips it; on SQLite the
write lock (BEGIN IMMEDIATE) serialises them. The last run of each job is kept in `job_run`,
which the secretariat reads on the admin page.
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

from council.database import Database, utcnow
from council.i18n import lazy
from council.models import JobRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """`run(session, now)` does the work due at `now` inside the given write transaction and
    returns how many things it did; it must be idempotent."""

    name: str
    run: Callable[[Session, datetime], int]
    every: timedelta = timedelta(seconds=30)
    label: str = ""
    """What it does, for the admin page: a msgid marked with council.i18n.lazy."""


def _lock_key(name: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory locks."""
    return int.from_bytes(hashlib.sha256(f"council.job:{name}".encode()).digest()[:8], "big",
                          signed=True)


def _claim(session: Session, job: Job, now: datetime, *, force: bool) -> JobRun | None:
    """The job's row, when this worker should run it now: due, and not being run elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        locked = session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"),
                                 {"key": _lock_key(job.name)}).scalar()
        if not locked:
            return None  # another worker runs it at this moment
    run = session.get(JobRun, job.name)
    if run is None:
        run = JobRun(name=job.name)
        session.add(run)
    elif (not force and run.last_finished_at is not None
          and run.last_finished_at + job.every > now):
        return None
    return run


def run_job(database: Database, job: Job, *, now: datetime | None = None,
            force: bool = False) -> int | None:
    """Run `job` once if it is due (or `force`), in one write transaction; how much it did, or
    None when it was not due or another worker held it. A failure rolls the work back and is
    recorded in a transaction of its own."""
    started = now or utcnow()
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


def run_due(database: Database, jobs: Iterable[Job], *, now: datetime | None = None,
            force: bool = False) -> dict[str, int | None]:
    """Run every due job once; {name: how much it did, or None when skipped}."""
    return {job.name: run_job(database, job, now=now, force=force) for job in jobs}


def core_jobs() -> list[Job]:
    from council import chairs, oidc, sessions

    return [
        *chairs.CHAIR_JOBS,
        Job("sessions.purge", sessions.purge_job, every=timedelta(minutes=10),
            label=lazy("Remove sessions that have ended")),
        Job("sign_in.purge", oidc.purge_job, every=timedelta(minutes=10),
            label=lazy("Remove abandoned sign-ins and old failed attempts")),
    ]


def all_jobs(extensions) -> list[Job]:
    return [*core_jobs(), *(job for extension in extensions for job in extension.jobs)]


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
