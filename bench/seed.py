"""The benchmark's council: the demo council grown to a whole council's size.

At scale 1: 50 seats, the 6 working groups, 300 people, 300 drafts of 20 to 60 paragraphs
with two to four revisions, amendments, translations and comments, three drafts with 10,
1,000 and 5,000 threads, 500 recommendations adopted through real decision rounds, and an
open decision round in every group. Acts that carry rules (drafts, revisions, amendments,
rounds, positions, publication) go through the domain functions; bulk rows without rules of
their own (people, translations, comments) are inserted through SQLAlchemy core, many at once.

Counts scale with `scale` (at least one of each); the three thread counts do not, since they
are what the draft page's budget is about.
"""

from __future__ import annotations

import contextlib
import json
import random
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, insert, update
from sqlmodel import Session, select

from council import chairs, demo, sessions
from council.auth import hash_password
from council.database import Database, utcnow
from council.models import (
    Notification,
    Person,
    Seat,
    SeatKind,
    SeatRole,
    WorkingGroup,
    WorkingGroupSeat,
)
from council.permissions import load_actor
from council.settings import Settings
from workspaces import amendments, drafts, recommendations, rounds
from workspaces.markdown import render_markdown
from workspaces.models import Comment, Draft, VersionParagraph
from workspaces.round_models import RoundKind

THREADS = (10, 1000, 5000)
PASSWORD = "bench-password-not-secret"  # noqa: S105  (a throwaway database)
VOCABULARY = (
    "regional cooperation labour mobility pathways protection asylum return reintegration "
    "communities employers visas seasonal workers recognition skills families children "
    "border humanitarian shelters data reporting states participants observers commitments "
    "programmes funding review annual council secretariat evaluation consular access "
    "recruitment fees remittances climate displacement drought resilience integration "
    "narratives municipalities schools health housing legal aid"
)
WORDS = VOCABULARY.split(" ")
"""What the seeded texts are made of."""


@dataclass(frozen=True)
class Sizes:
    seats: int
    people: int
    drafts: int
    recommendations: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        return cls(
            seats=min(50, max(16, round(50 * scale))),
            people=max(90, round(300 * scale)),
            drafts=max(6, round(300 * scale)),
            recommendations=max(6, round(500 * scale)),
        )


@dataclass
class User:
    """A signed-in member of the mixed workload: their session and what they work on."""

    token: str
    person_id: int
    group_slug: str
    drafts: list[tuple[int, str, int]] = field(default_factory=list)
    """(draft id, a paragraph id, latest revision number) of open drafts of their group."""
    round_id: int = 0
    """The open decision round of their group."""


@dataclass
class Plan:
    """What the benchmark asks for, written by seed() for the load generator."""

    sizes: dict
    thread_drafts: dict[int, int]
    """Threads -> draft id."""
    thread_paragraph: str
    """A paragraph of the draft with 1,000 threads."""
    group_slug: str
    round_id: int
    member_token: str
    recommendations: list[str]
    users: list[User]
    counts: dict = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Plan:
        data = json.loads(text)
        data["users"] = [User(**u) for u in data["users"]]
        data["thread_drafts"] = {int(k): v for k, v in data["thread_drafts"].items()}
        return cls(**data)


def seed(
    database: Database, settings: Settings, scale: float, *, users: int = 50, seed_value: int = 20
) -> Plan:
    sizes = Sizes.at(scale)
    rng = random.Random(seed_value)
    now = utcnow()
    with database.transaction() as session:
        demo.build(session, password=PASSWORD)
        seats = _seats(session, sizes.seats)
        _people(session, seats, sizes.people)
    with database.transaction() as session, quick_notifications(session, now):
        groups = list(session.exec(select(WorkingGroup).order_by(WorkingGroup.number)).all())
        sitting = _sitting(session)
        open_drafts = _drafts(session, rng, groups, sitting, sizes.drafts, now)
        thread_drafts, paragraph = _thread_drafts(session, rng, groups[0], sitting, now)
    with database.transaction() as session, quick_notifications(session, now):
        numbers = _recommendations(session, rng, groups, sitting, sizes.recommendations, now)
    with database.transaction() as session, quick_notifications(session, now):
        round_ids = _open_rounds(session, rng, groups, sitting, now)
        chosen = _users(session, settings, groups, sitting, open_drafts, round_ids, users, now)
        member = next(u for u in chosen if u.group_slug == groups[0].slug)
    with database.session() as session:
        counts = {
            model.__tablename__: session.exec(select(func.count()).select_from(model)).one()
            for model in (Seat, Person, WorkingGroup, Draft, Comment)
        }
        counts["recommendation"] = len(numbers) + 2  # the demo's two
    return Plan(
        sizes=asdict(sizes),
        thread_drafts=thread_drafts,
        thread_paragraph=paragraph,
        group_slug=member.group_slug,
        round_id=member.round_id,
        member_token=member.token,
        recommendations=numbers,
        users=chosen,
        counts=counts,
    )


@contextlib.contextmanager
def quick_notifications(session: Session, now: datetime):
    """Notifications of the seeded acts written many at once: the same rows `notify` writes
    (every person of the group is told; all of them may see it), without its per-person
    checks and email, which would make seeding a whole council take an hour. Those older
    than two days are read."""
    from council import notifications
    from workspaces import notices

    pending: list[dict] = []
    cutoff = now - timedelta(days=2)

    def write() -> None:
        if pending:
            session.execute(insert(Notification), pending)
            pending.clear()

    def notify(
        session: Session,
        *,
        people,
        kind: str,
        url: str,
        now: datetime,
        group: WorkingGroup | None = None,
        requires: str = "council.read",
        subject: str = "",
        params: dict | None = None,
        dedupe_key: str | None = None,
        skip=(),
    ) -> list:
        for person_id in sorted(set(people) - set(skip)):
            pending.append(
                {
                    "person_id": person_id,
                    "kind": kind,
                    "created_at": now,
                    "read_at": now + timedelta(hours=1) if now < cutoff else None,
                    "working_group_id": group.id if group else None,
                    "requires": requires,
                    "subject": subject,
                    "url": url,
                    "dedupe_key": dedupe_key,
                    "params": json.dumps(params or {}, ensure_ascii=False, sort_keys=True),
                    "delivery": notifications.KINDS[kind].default,
                }
            )
        if len(pending) >= 5000:
            write()
        return []

    real = notices.notify
    notices.notify = notify
    try:
        yield
        write()
    finally:
        notices.notify = real


# the council's structure


def _seats(session: Session, total: int) -> list[Seat]:
    """Seats beyond the demo's: a few member states (sitting in every group), participants
    (in two groups each) and observers (following every group)."""
    groups = list(session.exec(select(WorkingGroup).order_by(WorkingGroup.number)).all())
    existing = list(session.exec(select(Seat).order_by(Seat.id)).all())
    kinds = [SeatKind.MEMBER_STATE] * 6 + [SeatKind.PARTICIPANT] * 20 + [SeatKind.OBSERVER] * 9
    places = {
        g.id: session.exec(
            select(func.max(WorkingGroupSeat.rotation_position)).where(
                WorkingGroupSeat.working_group_id == g.id
            )
        ).one()
        or 0
        for g in groups
    }
    rotation = session.exec(select(func.max(Seat.council_rotation_position))).one() or 0
    for n, kind in enumerate(kinds[: max(0, total - len(existing))], start=1):
        seat = Seat(
            name=f"Delegation {n:02d}",
            kind=kind,
            council_rotation_position=rotation + n if kind == SeatKind.MEMBER_STATE else None,
        )
        session.add(seat)
        session.flush()
        existing.append(seat)
        joined = (
            groups
            if kind != SeatKind.PARTICIPANT
            else [groups[n % len(groups)], groups[(n + 3) % len(groups)]]
        )
        for group in joined:
            position = None
            if kind != SeatKind.OBSERVER:
                places[group.id] += 1
                position = places[group.id]
            session.add(
                WorkingGroupSeat(
                    working_group_id=group.id, seat_id=seat.id, rotation_position=position
                )
            )
    session.flush()
    return existing


def _people(session: Session, seats: list[Seat], total: int) -> None:
    """Heads for the new seats, then delegates round the seats until `total` people."""
    password_hash = hash_password(PASSWORD)
    count = session.exec(select(func.count()).select_from(Person)).one()
    has_head = set(
        session.exec(select(Person.seat_id).where(Person.seat_role == SeatRole.HEAD)).all()
    )
    rows = []
    for seat in seats:
        if seat.id not in has_head and count + len(rows) < total:
            rows.append(_person(seat, SeatRole.HEAD, len(rows), password_hash))
    n = 0
    while count + len(rows) < total:
        seat = seats[n % len(seats)]
        rows.append(_person(seat, SeatRole.DELEGATE, len(rows), password_hash))
        n += 1
    if rows:
        session.execute(insert(Person), rows)


def _person(seat: Seat, role: SeatRole, n: int, password_hash: str) -> dict:
    return {
        "email": f"bench.person{n}@bench.example",
        "name": f"Bench Person {n}",
        "seat_id": seat.id,
        "seat_role": role,
        "password_hash": password_hash,
        "is_secretariat": False,
        "is_active": True,
        "timezone": "UTC",
        "digest_hour": 8,
        "created_at": utcnow(),
    }


@dataclass
class Sitting:
    """Per group: its deciding seats and one person of each (by seat id)."""

    seats: dict[int, list[Seat]]
    people: dict[int, Person]


def _sitting(session: Session) -> Sitting:
    seats: dict[int, list[Seat]] = {}
    for group_id, seat in session.exec(
        select(WorkingGroupSeat.working_group_id, Seat)
        .join(Seat, Seat.id == WorkingGroupSeat.seat_id)
        .where(Seat.kind != SeatKind.OBSERVER)
        .order_by(Seat.id)
    ).all():
        seats.setdefault(group_id, []).append(seat)
    people: dict[int, Person] = {}
    for person in session.exec(
        select(Person).where(Person.seat_id.is_not(None)).order_by(Person.seat_role, Person.id)
    ).all():
        people.setdefault(person.seat_id, person)  # a delegate first, else the head
    return Sitting(seats, people)


# drafts


def _text(rng: random.Random, paragraphs: int, label: str) -> str:
    blocks = []
    for n in range(paragraphs):
        if n % 9 == 0:
            blocks.append(f"## {label}: part {n // 9 + 1}")
            continue
        words = [rng.choice(WORDS) for _ in range(rng.randint(30, 70))]
        blocks.append(f"{' '.join(words).capitalize()} ({label}, {n}).")
    return "\n\n".join(blocks)


def _start(
    session: Session,
    rng: random.Random,
    group: WorkingGroup,
    sitting: Sitting,
    title: str,
    paragraphs: int,
    when: datetime,
) -> tuple[Draft, Person]:
    seat = rng.choice(sitting.seats[group.id])
    author = sitting.people[seat.id]
    draft = drafts.start_draft(
        session,
        by=author,
        group=group,
        title=title,
        purpose="",
        sponsor_seat_ids=[seat.id],
        language="en",
        now=when,
        text=_text(rng, paragraphs, title),
    )
    return draft, author


def _drafts(
    session: Session,
    rng: random.Random,
    groups: list[WorkingGroup],
    sitting: Sitting,
    total: int,
    now: datetime,
) -> dict[int, list[tuple]]:
    """`total` drafts spread over the groups, each revised once to three times, with two
    amendments, the two other languages and a few comments; group id -> [(draft id,
    paragraph id, revision)]."""
    made: dict[int, list[tuple]] = {}
    for n in range(total):
        group = groups[n % len(groups)]
        when = now - timedelta(days=40) + timedelta(minutes=7 * n)
        draft, author = _start(
            session, rng, group, sitting, f"Bench draft {n}", rng.randint(20, 60), when
        )
        for r in range(rng.randint(1, 3)):
            latest = drafts.latest_revision(session, draft)
            blocks = latest.source.split("\n\n")
            for _ in range(3):
                k = rng.randrange(1, len(blocks))
                if not blocks[k].startswith("#"):
                    blocks[k] = blocks[k][:-1] + f", as revised ({r + 2})."
            drafts.revise(
                session,
                by=author,
                draft=draft,
                base_number=latest.number,
                text="\n\n".join(blocks),
                summary=f"Revision {r + 2}.",
                now=when + timedelta(hours=r + 1),
            )
        paragraphs = drafts.paragraphs(session, drafts.latest_revision(session, draft))
        operative = [p for p in paragraphs if p.number is not None]
        _amend(session, rng, group, sitting, draft, operative, when + timedelta(hours=5))
        _translate(session, draft, paragraphs, author)
        _comments(
            session,
            rng,
            draft,
            operative,
            sitting.seats[group.id],
            sitting,
            rng.randint(0, 30),
            when + timedelta(hours=6),
        )
        made.setdefault(group.id, []).append(
            (draft.id, operative[0].paragraph_id, draft.latest_revision_number)
        )
    return made


def _amend(
    session: Session,
    rng: random.Random,
    group: WorkingGroup,
    sitting: Sitting,
    draft: Draft,
    operative: list,
    when: datetime,
) -> None:
    for k, target in enumerate(rng.sample(operative, 2)):
        seat = rng.choice(sitting.seats[group.id])
        actor = load_actor(session, sitting.people[seat.id], when, settle=False)
        amendments.propose(
            session,
            actor=actor,
            draft=draft,
            justification="Clearer.",
            changes=[
                amendments.ChangeForm(target.paragraph_id, "replace", target.source + " (amended)")
            ],
            now=when + timedelta(minutes=k),
        )


def _translate(session: Session, draft: Draft, paragraphs: list, by: Person) -> None:
    """The Spanish and French versions of the latest revision, current (so a decision round
    may open)."""
    revision = draft.latest_revision_number
    rows = [
        {
            "draft_id": draft.id,
            "language": code,
            "paragraph_id": p.paragraph_id,
            "source": f"[{code}] {p.source}",
            "html": render_markdown(f"[{code}] {p.source}"),
            "translated_from": p.source,
            "translated_revision": revision,
            "seat_id": by.seat_id,
            "translated_by_id": by.id,
            "updated_at": utcnow(),
        }
        for code in ("es", "fr")
        for p in paragraphs
    ]
    session.execute(insert(VersionParagraph), rows)
    draft.title_translations = json.dumps(
        {"es": f"{draft.title} (es)", "fr": f"{draft.title} (fr)"}
    )
    session.add(draft)
    session.flush()


def _comments(
    session: Session,
    rng: random.Random,
    draft: Draft,
    operative: list,
    seats: list[Seat],
    sitting: Sitting,
    threads: int,
    when: datetime,
) -> None:
    """`threads` threads on the paragraphs and the whole draft, a reply on every fifth."""
    if threads:
        authors = [sitting.people[seat.id].id for seat in seats]
        rows = []
        for n in range(threads):
            anchor = None if n % 11 == 0 else operative[n % len(operative)].paragraph_id
            rows.append(
                {
                    "draft_id": draft.id,
                    "revision_number": draft.latest_revision_number,
                    "paragraph_id": anchor,
                    "author_id": authors[n % len(authors)],
                    "body_source": f"Comment {n}: {rng.choice(WORDS)}.",
                    "body_html": f"<p>Comment {n}: {rng.choice(WORDS)}.</p>",
                    "created_at": when + timedelta(seconds=n),
                    "hidden_reason": "",
                }
            )
        session.execute(insert(Comment), rows)
        roots = session.exec(
            select(Comment.id, Comment.paragraph_id).where(
                Comment.draft_id == draft.id, Comment.parent_id.is_(None)
            )
        ).all()
        replies = [
            {
                "draft_id": draft.id,
                "revision_number": draft.latest_revision_number,
                "paragraph_id": pid,
                "parent_id": rid,
                "author_id": authors[rid % len(authors)],
                "body_source": "A reply.",
                "body_html": "<p>A reply.</p>",
                "created_at": when + timedelta(hours=1, seconds=rid),
                "hidden_reason": "",
            }
            for rid, pid in roots[::5]
        ]
        if replies:
            session.execute(insert(Comment), replies)
    count = session.exec(
        select(func.count()).select_from(Comment).where(Comment.draft_id == draft.id)
    ).one()
    session.execute(update(Draft).where(Draft.id == draft.id).values(comment_count=count))


def _thread_drafts(
    session: Session, rng: random.Random, group: WorkingGroup, sitting: Sitting, now: datetime
) -> tuple[dict[int, int], str]:
    """Drafts with 10, 1,000 and 5,000 threads: the draft page must cost the same for each."""
    found = {}
    paragraph = ""
    for threads in THREADS:
        draft, author = _start(
            session,
            rng,
            group,
            sitting,
            f"Draft with {threads} threads",
            30,
            now - timedelta(days=20),
        )
        paragraphs = drafts.paragraphs(session, drafts.latest_revision(session, draft))
        operative = [p for p in paragraphs if p.number is not None]
        _translate(session, draft, paragraphs, author)
        _comments(
            session,
            rng,
            draft,
            operative,
            sitting.seats[group.id],
            sitting,
            threads,
            now - timedelta(days=10),
        )
        found[threads] = draft.id
        if threads == 1000:
            paragraph = operative[1].paragraph_id
    return found, paragraph


# recommendations and rounds


def _acting_chair(
    session: Session, group: WorkingGroup, sitting: Sitting, when: datetime
) -> Person:
    term = chairs.current_term(session, group.id, when)
    if term and term.acting_person_id:
        return session.get(Person, term.acting_person_id)
    if term:
        return sitting.people[term.seat_id]
    return session.exec(select(Person).where(Person.is_secretariat)).first()


def _recommendations(
    session: Session,
    rng: random.Random,
    groups: list[WorkingGroup],
    sitting: Sitting,
    total: int,
    now: datetime,
) -> list[str]:
    """`total` recommendations, each adopted in a decision round every deciding seat of its
    group answered (one in seven with a reservation on a paragraph), over the last 50 days
    (the newest a day ago)."""
    numbers = []
    for n in range(total):
        group = groups[n % len(groups)]
        when = now - timedelta(days=50) + timedelta(days=49) * n / max(total - 1, 1)
        draft, author = _start(
            session, rng, group, sitting, f"Bench recommendation {n}", rng.randint(12, 30), when
        )
        paragraphs = drafts.paragraphs(session, drafts.latest_revision(session, draft))
        _translate(session, draft, paragraphs, author)
        chair = _acting_chair(session, group, sitting, when)
        round_ = rounds.open_round(
            session,
            by=chair,
            draft=draft,
            kind=RoundKind.DECISION,
            deadline=when + timedelta(days=7),
            now=when,
        )
        operative = [p for p in paragraphs if p.number is not None]
        for k, seat in enumerate(sitting.seats[group.id]):
            form = rounds.PositionForm("support")
            if k % 7 == 3:
                form = rounds.PositionForm(
                    "support_with_reservation",
                    reservation="Subject to our national law.",
                    paragraph_ids=[rng.choice(operative).paragraph_id],
                )
            rounds.cast_position(
                session,
                round_,
                by=sitting.people[seat.id],
                seat=seat,
                form=form,
                now=when + timedelta(minutes=1 + k),
            )
        rounds.close_round(session, round_, by=chair, now=when + timedelta(hours=3))
        numbers.append(recommendations.of_draft(session, draft).number)
    return numbers


def _open_rounds(
    session: Session,
    rng: random.Random,
    groups: list[WorkingGroup],
    sitting: Sitting,
    now: datetime,
) -> dict[int, int]:
    """A decision round open in every group (on a draft of its own), half its seats answered:
    group id -> round id."""
    found = {}
    for group in groups:
        draft, author = _start(
            session,
            rng,
            group,
            sitting,
            f"Bench decision {group.number}",
            30,
            now - timedelta(days=3),
        )
        _translate(
            session,
            draft,
            drafts.paragraphs(session, drafts.latest_revision(session, draft)),
            author,
        )
        chair = _acting_chair(session, group, sitting, now)
        round_ = rounds.open_round(
            session,
            by=chair,
            draft=draft,
            kind=RoundKind.DECISION,
            deadline=now + timedelta(days=7),
            now=now - timedelta(days=2),
        )
        for k, seat in enumerate(sitting.seats[group.id][::2]):
            rounds.cast_position(
                session,
                round_,
                by=sitting.people[seat.id],
                seat=seat,
                form=rounds.PositionForm("support"),
                now=now - timedelta(days=1, minutes=k),
            )
        found[group.id] = round_.id
    return found


def _users(
    session: Session,
    settings: Settings,
    groups: list[WorkingGroup],
    sitting: Sitting,
    open_drafts: dict[int, list[tuple]],
    round_ids: dict[int, int],
    total: int,
    now: datetime,
) -> list[User]:
    """`total` members of deciding seats, each signed in, with their group's drafts."""
    by_id = {g.id: g for g in groups}
    people = list(
        session.exec(
            select(Person, WorkingGroupSeat.working_group_id)
            .join(WorkingGroupSeat, WorkingGroupSeat.seat_id == Person.seat_id)
            .join(Seat, Seat.id == Person.seat_id)
            .where(Seat.kind != SeatKind.OBSERVER)
            .order_by(Person.id, WorkingGroupSeat.working_group_id)
        ).all()
    )
    chosen: list[User] = []
    seen: set[int] = set()
    for person, group_id in people:
        if person.id in seen or len(chosen) >= total:
            continue
        seen.add(person.id)
        token = sessions.start(session, person, settings=settings, now=now)
        chosen.append(
            User(
                token=token,
                person_id=person.id,
                group_slug=by_id[group_id].slug,
                drafts=[list(d) for d in open_drafts.get(group_id, [])[:40]],
                round_id=round_ids[group_id],
            )
        )
    return chosen
