"""The workspace under load, served by a real `council serve` process.

A burst of 200 simultaneous page views, then a storm of 1,000 positions cast and changed by 30
seats while the chair closes the round. Neither may answer with a server error (5xx) or leave a
request hanging; the storm's record must hold every acknowledged cast exactly once, none that
was refused, and seal each seat's last acknowledged cast. The figures are printed (pytest -s).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from sqlalchemy import update
from sqlmodel import select

from council.database import Database, utcnow
from council.models import AuthSession, Seat, SeatKind, SeatRole
from tests.concurrency.conftest import Server, council_server
from tests.conftest import csrf_from, run_async
from tests.factories import (
    PASSWORD,
    make_chair,
    make_council,
    make_group,
    make_person,
    make_seat,
)
from workspaces import drafts, rounds
from workspaces.round_models import PositionChange, Round
from workspaces.rounds import PositionForm

pytestmark = pytest.mark.concurrency

SEATS = 30
PARTICIPANTS = 8
BURST = 200
CASTS = 1000
IN_FLIGHT = 50
CLOSE_AFTER = CASTS // 2  # acknowledged casts before the chair closes the round
REQUEST_TIMEOUT = 60.0  # a request that takes longer hangs
STORM_DEADLINE = 90.0  # no cast is sent later (a wedged server would take 20 × 60 s)
WEDGED = 10  # no cast is sent after this many requests went unanswered
SIGN_IN_AT_ONCE = 8
TEXT = (
    "Increase labour migration pathways from Central America by at least 50,000 in the "
    "next two years.\n\nWorkers never pay recruitment fees.\n\nReview the pathways yearly."
)
CHOICES = ("support", "support_with_reservation", "abstain", "object")


@dataclass
class Member:
    person_id: int
    seat_id: int
    email: str
    cookies: dict = field(default_factory=dict)
    """The session cookie the sign-in set (clients live in one event loop: each test makes
    its own, with these cookies)."""
    client: httpx2.AsyncClient | None = None
    csrf: str = ""


@dataclass
class World:
    database_url: str
    members: list[Member]
    chair: Member
    group_slug: str
    burst_draft_id: int
    burst_round_id: int
    storm_round_id: int
    paragraph_ids: list[str]
    recommendation: str | None
    server: Server | None = None
    sign_in_errors: Counter = field(default_factory=Counter)


def seed(database: Database) -> dict:
    """30 seats of one working group, 1-2 people each, a chair, two drafts with an open
    decision round each (one for the burst, one for the storm) and a recommendation."""
    now = utcnow()
    with database.transaction() as session:
        make_council(session, public_recommendations=True)
        seats = [
            make_seat(
                session,
                SeatKind.PARTICIPANT if n < PARTICIPANTS else SeatKind.MEMBER_STATE,
                name=f"Seat {n:02d}",
            )
            for n in range(SEATS)
        ]
        group = make_group(
            session, seats=seats, name="Alternative migration pathways", slug="pathways"
        )
        people = [
            make_person(
                session,
                seat=seat,
                role=SeatRole.HEAD if d == 0 else SeatRole.DELEGATE,
                email=f"seat{n:02d}.{d}@load.example",
            )
            for n, seat in enumerate(seats)
            for d in range(1 + n % 2)
        ]
        chair = make_person(
            session,
            seat=seats[-1],
            role=SeatRole.DELEGATE,
            email="chair@load.example",
            name="The Chair",
        )
        make_chair(session, group, seats[-1], chair)

        def draft(title: str):
            return drafts.start_draft(
                session,
                by=people[-1],
                group=group,
                title=title,
                purpose="",
                sponsor_seat_ids=[seats[-1].id],
                text=TEXT,
                language="en",
            )

        burst_draft = draft("Labour pathways")
        drafts.revise(
            session,
            by=people[-1],
            draft=burst_draft,
            base_number=1,
            text=TEXT + "\n\nPublish the figures.",
            summary="Adds the figures.",
        )
        burst_round = rounds.open_round(
            session, by=chair, draft=burst_draft, kind="decision", deadline=now + timedelta(days=30)
        )
        storm_draft = draft("Recruitment fees")
        storm_round = rounds.open_round(
            session, by=chair, draft=storm_draft, kind="decision", deadline=now + timedelta(days=30)
        )
        paragraph_ids = [
            p.paragraph_id
            for p in drafts.paragraphs(session, drafts.latest_revision(session, storm_draft))
        ]

        adopted = draft("Protection pathways")
        opened = now - timedelta(days=2)
        adopted_round = rounds.open_round(
            session,
            by=chair,
            draft=adopted,
            kind="decision",
            now=opened,
            deadline=opened + timedelta(days=7),
        )
        heads = {p.seat_id: p for p in people if p.seat_role == SeatRole.HEAD}
        for seat in seats:
            rounds.cast_position(
                session,
                adopted_round,
                by=heads[seat.id],
                seat=seat,
                form=PositionForm("support"),
                now=opened,
            )
        rounds.close_round(session, adopted_round, by=chair, now=opened + timedelta(hours=1))
        from workspaces import recommendations

        recommendation = recommendations.of_draft(session, adopted)
        return {
            "members": [Member(p.id, p.seat_id, p.email) for p in people],
            "chair": Member(chair.id, chair.seat_id, chair.email),
            "group_slug": group.slug,
            "burst_draft_id": burst_draft.id,
            "burst_round_id": burst_round.id,
            "storm_round_id": storm_round.id,
            "paragraph_ids": paragraph_ids,
            "recommendation": recommendation.number if recommendation else None,
        }


@pytest.fixture(scope="module")
def world(fresh_databases, tmp_path_factory) -> World:
    """The seeded database, and everyone signed in once (sessions live in the database, so
    their cookies serve every later server process)."""
    url = fresh_databases.create()
    database = Database.from_url(url)
    try:
        seeded = seed(database)
    finally:
        database.dispose()  # the servers are the only users while the tests run
    world = World(database_url=url, **seeded)
    with council_server(url, tmp_path_factory.mktemp("var")) as server:
        world.server = server
        run_async(_sign_everyone_in, world)
    world.server = None
    return world


@pytest.fixture
def served(world, tmp_path) -> World:
    """A `council serve` process of the test's own on the world's database, so that one
    test's aftermath (a wedged process) does not spill into the next."""
    with council_server(world.database_url, tmp_path) as server:
        world.server = server
        try:
            yield world
        finally:
            print_server_errors(server)
            world.server = None


async def _sign_in(world: World, member: Member) -> None:
    """Through the sign-in form, as a browser would; keeps the session cookie it sets."""
    async with _client(world) as client:
        for _attempt in range(3):
            page = await client.get("/sign-in")
            if page.status_code != 200:
                world.sign_in_errors[f"GET /sign-in {page.status_code}"] += 1
                continue
            response = await client.post(
                "/sign-in",
                data={
                    "csrf_token": csrf_from(page.text),
                    "email": member.email,
                    "password": PASSWORD,
                    "next": "/",
                },
            )
            if response.status_code == 303:
                member.cookies = {"council_session": client.cookies["council_session"]}
                return
            world.sign_in_errors[f"POST /sign-in {response.status_code}"] += 1
    raise AssertionError(f"{member.email} could not sign in: {dict(world.sign_in_errors)}")


async def _sign_everyone_in(world: World) -> None:
    gate = asyncio.Semaphore(SIGN_IN_AT_ONCE)

    async def one(member: Member) -> None:
        async with gate:
            await _sign_in(world, member)

    started = time.perf_counter()
    await asyncio.gather(*(one(m) for m in [*world.members, world.chair]))
    print(
        f"\n[setup] {len(world.members) + 1} people signed in through /sign-in in "
        f"{time.perf_counter() - started:.1f} s; refusals and errors on the way: "
        f"{dict(world.sign_in_errors) or 'none'}"
    )


def _age_sessions(world: World, *, minutes: int) -> None:
    database = Database.from_url(world.database_url)
    try:
        with database.transaction() as session:
            session.execute(
                update(AuthSession).values(last_seen_at=utcnow() - timedelta(minutes=minutes))
            )
    finally:
        database.dispose()


def _client(world: World, member: Member | None = None) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(
        base_url=world.server.base_url,
        follow_redirects=False,
        cookies=member.cookies if member else None,
        timeout=httpx2.Timeout(REQUEST_TIMEOUT),
        # an idle connection is dropped by the client before the server's keep-alive time (5 s)
        # ends: else a request sent as the server closes it meets a closed socket (ReadError),
        # which is no failure of the server's (a browser sends such a request again)
        limits=httpx2.Limits(
            max_connections=IN_FLIGHT + BURST, max_keepalive_connections=20, keepalive_expiry=2.0
        ),
    )


@contextlib.asynccontextmanager
async def signed_in(world: World):
    """A client per person, signed in, for the event loop of the block."""
    people = [*world.members, world.chair]
    for member in people:
        member.client = _client(world, member)
    try:
        yield
    finally:
        for member in people:
            await member.client.aclose()
            member.client = None


def print_server_errors(server: Server) -> None:
    errors = server.errors()
    print(f"[server] exceptions in the server's log: {sum(errors.values())}")
    for line, count in errors.most_common(10):
        print(f"  {count:5d} × {line}")


@dataclass
class Outcome:
    label: str
    status: int | None  # None: no answer (timeout, connection error)
    error: str
    started: float  # wall clock (time.time), to compare with the server's timestamps
    seconds: float


async def _timed(label: str, call) -> Outcome:
    started, tick = time.time(), time.perf_counter()
    try:
        response = await call()
        return Outcome(label, response.status_code, "", started, time.perf_counter() - tick)
    except httpx2.TimeoutException as error:
        return Outcome(
            label, None, f"timeout {type(error).__name__}", started, time.perf_counter() - tick
        )
    except httpx2.TransportError as error:
        return Outcome(
            label, None, f"{type(error).__name__}: {error}", started, time.perf_counter() - tick
        )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def print_figures(title: str, outcomes: list[Outcome], wall: float) -> None:
    latencies = [o.seconds for o in outcomes]
    statuses = Counter(o.status if o.status is not None else o.error for o in outcomes)
    print(
        f"\n[{title}] requests: {len(outcomes)}, wall time {wall:.2f} s, "
        f"{len(outcomes) / wall:.0f} req/s"
    )
    print(f"[{title}] answers: {dict(sorted(statuses.items(), key=str))}")
    print(
        f"[{title}] latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 99) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms"
    )
    by_page = defaultdict(list)
    for outcome in outcomes:
        by_page[outcome.label].append(outcome)
    for label, group in sorted(by_page.items()):
        bad = Counter(
            o.status if o.status is not None else o.error
            for o in group
            if o.status is None or o.status >= 500
        )
        print(
            f"  {label:28s} n={len(group):4d}  p50 "
            f"{statistics.median(o.seconds for o in group) * 1000:6.0f} ms  "
            f"5xx/none: {dict(bad) or 0}"
        )


def _failures(outcomes: list[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.status is None or o.status >= 500]


def test_a_burst_of_200_page_views_gets_no_server_error(served: World):
    """200 simultaneous GETs of member pages (signed in) and public pages (anonymous), by
    people who signed in a while ago (their sessions' "last seen" is due to move)."""
    world = served
    _age_sessions(world, minutes=5)
    rng = random.Random(200)
    member_pages = [
        ("draft", f"/drafts/{world.burst_draft_id}"),
        ("round", f"/rounds/{world.burst_round_id}"),
        ("home (signed in)", "/"),
        ("group", f"/groups/{world.group_slug}"),
        ("group drafts", f"/groups/{world.group_slug}/drafts"),
    ]
    public_pages = [("library", "/recommendations"), ("front page", "/")]
    if world.recommendation:
        public_pages.append(("recommendation", f"/recommendations/{world.recommendation}"))

    async def burst() -> tuple[list[Outcome], float]:
        async with signed_in(world), _client(world) as anonymous:
            return await _burst(anonymous)

    async def _burst(anonymous) -> tuple[list[Outcome], float]:
        calls = []
        for n in range(BURST):
            if n % 4 == 3:
                label, url = rng.choice(public_pages)
                calls.append(_timed(label, lambda c=anonymous, u=url: c.get(u)))
            else:
                label, url = rng.choice(member_pages)
                member = rng.choice(world.members)
                calls.append(_timed(label, lambda c=member.client, u=url: c.get(u)))
        started = time.perf_counter()
        outcomes = await asyncio.gather(*calls)
        return outcomes, time.perf_counter() - started

    outcomes, wall = run_async(burst)
    print_figures("burst", outcomes, wall)
    failures = _failures(outcomes)
    assert not failures, (
        f"{len(failures)} of {len(outcomes)} requests got a server error or "
        f"no answer: {Counter((o.label, o.status or o.error) for o in failures)}"
        f"; the server logged {dict(world.server.errors().most_common(3))}"
    )
    unexpected = Counter((o.label, o.status) for o in outcomes if o.status != 200)
    assert not unexpected, f"answers other than 200: {unexpected}"


@dataclass
class Cast:
    member: Member
    choice: str
    text: str
    paragraph_ids: list[str]
    outcome: Outcome | None = None

    @property
    def ended(self) -> float:
        return self.outcome.started + self.outcome.seconds


def test_a_storm_of_1000_positions_while_the_chair_closes_the_round(served: World):
    """50 casts in flight at any time over 30 seats; the chair closes the round half-way."""
    world = served
    rng = random.Random(1000)
    round_id = world.storm_round_id
    url = f"/rounds/{round_id}/position"
    casts: list[Cast] = []
    for n in range(CASTS):
        member = rng.choice(world.members)
        choice = rng.choice(CHOICES)
        text = f"{choice} #{n} by seat {member.seat_id}" if choice in CHOICES[1::2] else ""
        paragraphs = (
            rng.sample(world.paragraph_ids, 1)
            if choice == "support_with_reservation" and rng.random() < 0.5
            else []
        )
        casts.append(Cast(member, choice, text, paragraphs))
    close: dict = {}
    forms: list[Outcome] = []

    async def storm() -> float:
        async with signed_in(world):
            return await _storm()

    async def _storm() -> float:
        forms.extend(
            await asyncio.gather(*(_fetch_csrf(m, round_id) for m in [*world.members, world.chair]))
        )
        queue = iter(casts)
        acknowledged = answered = 0
        half_way = asyncio.Event()

        async def cast_one(cast: Cast) -> None:
            nonlocal acknowledged, answered
            data = {
                "csrf_token": cast.member.csrf,
                "choice": cast.choice,
                "reservation": cast.text if cast.choice == "support_with_reservation" else "",
                "reason": cast.text if cast.choice == "object" else "",
                "paragraph_ids": cast.paragraph_ids,
            }
            cast.outcome = await _timed("cast", lambda: cast.member.client.post(url, data=data))
            answered += 1
            acknowledged += cast.outcome.status == 303
            # half-way, or later when too few casts get through
            if acknowledged >= CLOSE_AFTER or answered >= CASTS * 0.7:
                half_way.set()

        async def caster() -> None:
            for cast in queue:  # the shared iterator hands each cast to one caster
                if time.perf_counter() - started > STORM_DEADLINE or hangs() >= WEDGED:
                    return  # the rest stay unsent, and fail the test
                if not cast.member.csrf:  # its round page failed: a cast would be a 403
                    cast.outcome = Outcome("cast", None, "not sent: no form", time.time(), 0.0)
                    continue
                await cast_one(cast)

        def hangs() -> int:
            return sum(1 for c in casts if c.outcome and c.outcome.status is None)

        async def chair() -> None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(half_way.wait(), STORM_DEADLINE)
            chair = world.chair
            close["outcome"] = await _timed(
                "close",
                lambda: chair.client.post(
                    f"/rounds/{round_id}/close",
                    data={"csrf_token": chair.csrf, "statement": "Closed during the storm."},
                ),
            )

        started = time.perf_counter()
        await asyncio.gather(*(caster() for _ in range(IN_FLIGHT)), chair())
        return time.perf_counter() - started

    wall = run_async(storm)
    closing: Outcome = close["outcome"]
    unsent = [c for c in casts if c.outcome is None]
    for cast in unsent:
        cast.outcome = Outcome("cast", None, "not sent: the storm gave up", time.time(), 0.0)
    outcomes = [c.outcome for c in casts]
    print_figures("storm", [*forms, *outcomes, closing], wall)
    acks = [c for c in casts if c.outcome.status == 303]
    refused = [c for c in casts if c.outcome.status == 409]
    unknown = [c for c in casts if c.outcome.status is None or c.outcome.status >= 500]
    print(
        f"[storm] acknowledged {len(acks)}, refused as closed (409) {len(refused)}, "
        f"server error or no answer {len(unknown)}; the close answered "
        f"{closing.status or closing.error} after {closing.seconds:.2f} s"
    )

    problems = _check_storm(world, casts, closing)
    for problem, count in Counter(problems).most_common(30):
        print(f"[storm] PROBLEM ({count}×): {problem}")
    failures = _failures([*forms, *outcomes, closing])
    assert not failures, (
        f"{len(failures)} requests got a server error or no answer: "
        f"{Counter((o.label, o.status or o.error) for o in failures)}; "
        f"the server logged {dict(world.server.errors().most_common(3))}"
    )
    assert not problems, f"{len(problems)} problems: {Counter(problems).most_common(10)}"


async def _fetch_csrf(member: Member, round_id: int) -> Outcome:
    """The form's CSRF token, from the round page (a cast without one is refused: 403)."""
    page: list = []

    async def get():
        page.append(await member.client.get(f"/rounds/{round_id}"))
        return page[0]

    outcome = await _timed("round page (form)", get)
    member.csrf = csrf_from(page[0].text) if outcome.status == 200 else ""
    return outcome


SLACK = 1.0  # seconds between the test's clock and the server's, and the request's travel


def _check_storm(world: World, casts: list[Cast], closing: Outcome) -> list[str]:
    """Every acknowledged cast recorded once, nothing refused recorded, the close sealed each
    seat's last acknowledged cast."""
    problems: list[str] = []
    if closing.status != 303:
        problems.append(f"the close answered {closing.status or closing.error}, not 303")
    close_sent, close_answered = closing.started, closing.started + closing.seconds
    for cast in casts:
        status = cast.outcome.status
        if status not in (303, 409, None) and status < 500:
            problems.append(f"a cast answered {status} (expected 303, or 409 once closed)")
        if status == 409 and cast.ended < close_sent:
            problems.append("a cast was refused (409) before the chair closed the round")
        if status == 303 and cast.outcome.started > close_answered + SLACK:
            problems.append("a cast sent after the round was closed was acknowledged")

    database = Database.from_url(world.server.database_url)
    try:
        with database.transaction(write=False) as session:
            round_ = session.get(Round, world.storm_round_id)
            history = session.exec(
                select(PositionChange).where(PositionChange.round_id == round_.id)
            ).all()
            seat_kinds = dict(session.exec(select(Seat.id, Seat.kind)).all())
    finally:
        database.dispose()
    if round_.closed_at is None:
        problems.append("the round is still open")
        return problems

    acks_of: dict[int, list[Cast]] = defaultdict(list)
    unknown_of: dict[int, int] = Counter()
    for cast in casts:
        if cast.outcome.status == 303:
            acks_of[cast.member.seat_id].append(cast)
        elif cast.outcome.status is None or cast.outcome.status >= 500:
            unknown_of[cast.member.seat_id] += 1
    history_of: dict[int, list[PositionChange]] = defaultdict(list)
    for change in history:
        history_of[change.seat_id].append(change)
    sealed = {item["seat_id"]: item for item in json.loads(round_.sealed_positions)}

    for seat_id in sorted(set(acks_of) | set(history_of) | set(sealed)):
        acks, changes = acks_of[seat_id], sorted(history_of[seat_id], key=lambda c: c.version)
        if [c.version for c in changes] != list(range(1, len(changes) + 1)):
            problems.append(
                f"seat {seat_id}: history versions "
                f"{[c.version for c in changes]} have gaps or repeats"
            )
        if not len(acks) <= len(changes) <= len(acks) + unknown_of[seat_id]:
            problems.append(
                f"seat {seat_id}: {len(acks)} acknowledged casts but {len(changes)} in the history"
            )
        unmatched = _match(acks, changes)
        for cast in unmatched:
            problems.append(
                f"seat {seat_id}: acknowledged cast {cast.choice} {cast.text!r} "
                "is not in the history exactly once"
            )
        if not acks:
            if seat_id in sealed and not unknown_of[seat_id]:
                problems.append(f"seat {seat_id}: sealed without an acknowledged cast")
            continue
        if seat_id not in sealed:
            problems.append(f"seat {seat_id}: acknowledged casts but nothing sealed")
            continue
        item = sealed[seat_id]
        last = changes[-1] if changes else None
        if last is None or (item["version"], item["choice"], item["text"]) != (
            last.version,
            last.choice,
            last.text,
        ):
            problems.append(
                f"seat {seat_id}: sealed {item['choice']} v{item['version']} is "
                "not the seat's last recorded position"
            )
        # the acknowledged casts that may have been the seat's last: no other cast of the
        # seat was sent after it was answered
        candidates = [
            a for a in acks if not any(b.outcome.started > a.ended for b in acks if b is not a)
        ]
        if not any(
            (a.choice, a.text, a.member.person_id)
            == (item["choice"], item["text"], item["cast_by_id"])
            for a in candidates
        ):
            problems.append(
                f"seat {seat_id} ({seat_kinds.get(seat_id)}): sealed {item['choice']} "
                f"{item['text']!r} by {item['cast_by_id']}, but its last acknowledged cast "
                f"was one of {[(a.choice, a.text, a.member.person_id) for a in candidates]}"
            )
    return problems


def _match(acks: list[Cast], changes: list[PositionChange]) -> list[Cast]:
    """Pair each acknowledged cast with its own history row (same person, choice and text,
    stamped while the cast was under way), a maximum matching since casts of a seat overlap;
    returns the casts left without a row."""

    def fits(cast: Cast, change: PositionChange) -> bool:
        low = datetime.fromtimestamp(cast.outcome.started - SLACK, UTC)
        high = datetime.fromtimestamp(cast.ended + SLACK, UTC)
        return (change.cast_by_id, change.choice, change.text) == (
            cast.member.person_id,
            cast.choice,
            cast.text,
        ) and low <= change.cast_at <= high

    options = [[i for i, change in enumerate(changes) if fits(cast, change)] for cast in acks]
    owner: dict[int, int] = {}  # history row -> cast

    def place(cast: int, seen: set[int]) -> bool:
        for row in options[cast]:
            if row not in seen:
                seen.add(row)
                if row not in owner or place(owner[row], seen):
                    owner[row] = cast
                    return True
        return False

    return [acks[i] for i in range(len(acks)) if not place(i, set())]
