"""Crashes and backups under writes, against real `council serve` processes.

Delegates of several seats keep changing their seats' positions (each change an audited act,
acknowledged by the 303 that follows its commit) while the server is killed with SIGKILL,
three times, and started again on the same database: every acknowledged change must be in the
record afterwards and the audit chain must verify. Before the last kill `council backup` runs
while the writes go on, and `council restore` puts that backup into an empty database, whose
rows agree with the backup's manifest and whose audit chain verifies.
"""

from __future__ import annotations

import os
import random
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx2
import pytest
from sqlmodel import select

from council import audit
from council.database import Database, utcnow
from council.models import SeatKind, SeatRole
from tests.concurrency.conftest import COUNCIL, Server, council_server
from tests.conftest import TEST_SECRET, csrf_from, make_settings
from tests.factories import PASSWORD, make_chair, make_council, make_group, make_person, make_seat
from workspaces import drafts, rounds
from workspaces.round_models import PositionChange

pytestmark = pytest.mark.concurrency

SEATS = 6
CRASHES = 3
ACKNOWLEDGED = 10  # writes acknowledged since the server started, before each kill ...
WRITING = (0.0, 0.8)  # ... and then seconds more of writes, at random within
SERVE_ENV = {"COUNCIL_LANGUAGE": "en"}


@dataclass
class Delegate:
    email: str
    seat: int
    cookies: dict = field(default_factory=dict)
    token: str = ""


@dataclass
class World:
    database_url: str
    round_id: int
    delegates: list[Delegate]
    acknowledged: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


def seed(database_url: str) -> World:
    database = Database.from_url(database_url)
    try:
        with database.transaction() as session:
            make_council(session)
            seats = [
                make_seat(session, SeatKind.MEMBER_STATE, name=f"State {n}") for n in range(SEATS)
            ]
            group = make_group(session, seats=seats, slug="pathways")
            people = [
                make_person(session, seat=seat, role=SeatRole.HEAD, email=f"head{n}@crash.example")
                for n, seat in enumerate(seats)
            ]
            make_chair(session, group, seats[0], people[0])
            draft = drafts.start_draft(
                session,
                by=people[0],
                group=group,
                title="Pathways",
                purpose="",
                sponsor_seat_ids=[seats[0].id],
                text="One.\n\nTwo.",
                language="en",
            )
            round_ = rounds.open_round(
                session,
                by=people[0],
                draft=draft,
                kind="decision",
                deadline=utcnow() + timedelta(days=7),
            )
            return World(database_url, round_.id, [Delegate(p.email, p.seat_id) for p in people])
    finally:
        database.dispose()


def sign_in_everyone(server: Server, world: World) -> None:
    """Through the form; sessions live in the database, so they outlive each server."""
    for delegate in world.delegates:
        with httpx2.Client(base_url=server.base_url, timeout=30) as client:
            page = client.get("/sign-in")
            answer = client.post(
                "/sign-in",
                data={
                    "csrf_token": csrf_from(page.text),
                    "email": delegate.email,
                    "password": PASSWORD,
                },
            )
            assert answer.status_code == 303, answer.text
            delegate.cookies = {"council_session": client.cookies["council_session"]}
            delegate.token = csrf_from(client.get(f"/rounds/{world.round_id}").text)


def write_until_gone(
    server: Server, world: World, delegate: Delegate, stop: threading.Event
) -> None:
    """Changes of the seat's position, each with words of its own, until told to stop or
    the server is gone; those answered with the redirect after their commit are noted."""
    with httpx2.Client(base_url=server.base_url, cookies=delegate.cookies, timeout=10) as client:
        number = 0
        while not stop.is_set():
            reason = f"seat {delegate.seat} change {number} at {server.base_url}"
            number += 1
            try:
                answer = client.post(
                    f"/rounds/{world.round_id}/position",
                    data={"csrf_token": delegate.token, "choice": "object", "reason": reason},
                )
            except httpx2.TransportError:
                return
            assert answer.status_code in (303, 503), answer.text[:500]
            if answer.status_code == 303:
                with world.lock:
                    world.acknowledged.add(reason)


def writing(server: Server, world: World) -> tuple[threading.Event, list[threading.Thread]]:
    stop = threading.Event()
    writers = [
        threading.Thread(target=write_until_gone, args=(server, world, d, stop))
        for d in world.delegates
    ]
    for writer in writers:
        writer.start()
    return stop, writers


def verified(database_url: str, var_dir: Path) -> audit.Verification:
    settings = make_settings(database_url, var_dir)
    database = Database.from_url(database_url)
    try:
        with database.session() as session:
            return audit.verify(
                session,
                key=audit.settings_key(settings),
                checkpoint_file=audit.checkpoint_path(settings),
            )
    finally:
        database.dispose()


def recorded(database_url: str) -> set[str]:
    database = Database.from_url(database_url)
    try:
        with database.session() as session:
            return set(session.exec(select(PositionChange.text)).all())
    finally:
        database.dispose()


def command(*arguments: str, database_url: str, var_dir: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "COUNCIL_DATABASE_URL": database_url,
        "COUNCIL_VAR_DIR": str(var_dir),
        "COUNCIL_SECRET_KEY": TEST_SECRET,
        "COUNCIL_LANGUAGE": "en",
    }
    return subprocess.run(
        [str(COUNCIL), *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_acknowledged_writes_survive_kills_and_a_backup_under_writes_restores(
    fresh_databases, tmp_path
):
    world = seed(fresh_databases.create())
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    rng = random.Random(22)
    for crash in range(CRASHES):
        last = crash == CRASHES - 1
        with council_server(world.database_url, var_dir, env=SERVE_ENV, timeout=90) as server:
            if crash == 0:
                sign_in_everyone(server, world)
            before = len(world.acknowledged)
            stop, writers = writing(server, world)
            deadline = time.monotonic() + 60
            while len(world.acknowledged) < before + ACKNOWLEDGED and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(rng.uniform(*WRITING))
            if last:  # a backup while the writes go on
                made = command(
                    "backup",
                    str(tmp_path / "backup"),
                    database_url=world.database_url,
                    var_dir=var_dir,
                )
                time.sleep(0.3)
            server.process.kill()  # SIGKILL: no shutdown, requests cut mid-way
            server.process.wait(timeout=10)
            stop.set()
            for writer in writers:
                writer.join(timeout=30)
            assert len(world.acknowledged) > before, server.log()[-3000:]
        missing = world.acknowledged - recorded(world.database_url)
        assert not missing, f"after kill {crash + 1}: {len(missing)} acknowledged writes lost"
        result = verified(world.database_url, var_dir)
        assert result.ok, result.problem

    assert made.returncode == 0, made.stderr
    empty = fresh_databases.create(migrate=False)
    restored = command(
        "restore", str(tmp_path / "backup"), database_url=empty, var_dir=tmp_path / "restored"
    )
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "every table agrees with the manifest" in restored.stdout
    assert "The audit log is intact" in restored.stdout
    kept, everything = recorded(empty), recorded(world.database_url)
    assert kept < everything  # a part of what was written, the writes went on after it
