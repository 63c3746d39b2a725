"""What the round pages and panels read: the round page, the open rounds of the home page."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from council.models import Person, Seat, SeatKind, WorkingGroup
from council.names import Named
from council.permissions import Actor, can
from workspaces import drafts
from workspaces.decisions import kind_order
from workspaces.markdown import readable
from workspaces.models import Draft, RevisionParagraph
from workspaces.round_models import (
    ObserverStatement,
    Position,
    PositionChange,
    Round,
    RoundExtension,
    RoundKind,
)
from workspaces.rounds.reading import round_comment_count
from workspaces.rounds.sealing import group_seats


@dataclass(frozen=True)
class PositionView:
    seat_id: int
    seat: str
    kind: str
    choice: str
    text: str
    paragraph_ids: list[str]
    cast_by: str
    cast_at: datetime
    version: int = 1
    counted: bool = True


@dataclass(frozen=True)
class ParagraphChoice:
    """A paragraph a reservation may concern: its number and its text, as read."""

    paragraph_id: str
    number: int
    text: str


@dataclass(frozen=True)
class StatementView:
    seat: str
    text: str
    author: str
    submitted_at: datetime
    revised: int


@dataclass
class RoundPage:
    """Everything the round page shows, loaded in a fixed number of queries."""

    round: Round
    draft: Draft
    group: WorkingGroup
    paragraphs: list[RevisionParagraph]
    opened_by: str
    closed_by: str | None
    statement_by: str | None
    seats: list[Seat]
    """The group's member-state and participant seats."""
    answered: set[int]
    positions: list[PositionView]
    """Everyone's positions: after close, or while open when the round shows its tally."""
    own: PositionView | None
    own_history: list[PositionView]
    statements: list[StatementView]
    extensions: list[RoundExtension]
    tally: dict | None = None
    rule: dict | None = None
    paragraph_numbers: dict[str, int | str] = field(default_factory=dict)
    """What a reservation cites each paragraph by: its number, or a heading's words (a choice
    made before headings stopped being offered)."""
    choices: list[ParagraphChoice] = field(default_factory=list)
    """The paragraphs a reservation may concern: the numbered ones."""
    comments: int = 0
    """In a comment round: how many comments were written during it."""

    @property
    def is_open(self) -> bool:
        return self.round.closed_at is None

    @property
    def unanswered(self) -> list[Seat]:
        return [seat for seat in self.seats if seat.id not in self.answered]

    @property
    def participants_not_consulted(self) -> list[Seat]:
        return [seat for seat in self.unanswered if seat.kind == SeatKind.PARTICIPANT]

    @property
    def answered_seats(self) -> list[Seat]:
        return [seat for seat in self.seats if seat.id in self.answered]

    def positions_of(self, kind: str) -> list[PositionView]:
        return [p for p in self.positions if p.kind == kind]


def round_page(session: Session, round_: Round, *, actor: Actor) -> RoundPage:
    """The round as `actor` may see it: the tally and others' positions only once closed, or
    while open when the round chose to show them; the actor's own seat always."""
    draft = session.get(Draft, round_.draft_id)
    group = session.get(WorkingGroup, draft.working_group_id)
    revision = drafts.revision(session, draft, round_.revision_number)
    paragraphs = drafts.paragraphs(session, revision)
    names = _names(
        session, {round_.opened_by_id, round_.closed_by_id, round_.chair_statement_by_id}
    )
    seats = group_seats(session, group)
    own_seat = actor.seat.id if actor.seat is not None and actor.signed_in else None
    closed = round_.closed_at is not None
    if closed:
        positions = [_sealed_view(item) for item in json.loads(round_.sealed_positions or "[]")]
        answered = {p.seat_id for p in positions if p.counted}
    else:
        positions = _live_positions(session, round_)
        answered = {p.seat_id for p in positions}
    own = next((p for p in positions if p.seat_id == own_seat), None)
    history = _history(session, round_, own_seat) if own is not None else []
    if not closed and not round_.tally_visible:
        positions = []
    return RoundPage(
        round=round_,
        draft=draft,
        group=group,
        paragraphs=paragraphs,
        opened_by=names.get(round_.opened_by_id, ""),
        closed_by=names.get(round_.closed_by_id),
        statement_by=names.get(round_.chair_statement_by_id),
        seats=seats,
        answered=answered,
        positions=positions,
        own=own,
        own_history=history,
        statements=_statements(session, round_),
        extensions=_extensions(session, round_),
        tally=json.loads(round_.tally) if round_.tally else None,
        rule=json.loads(round_.rule_settings) if round_.rule_settings else None,
        paragraph_numbers={p.paragraph_id: p.number or readable(p.html) for p in paragraphs},
        choices=[
            ParagraphChoice(p.paragraph_id, p.number, readable(p.html))
            for p in paragraphs
            if p.number is not None
        ],
        comments=(round_comment_count(session, round_) if round_.kind == RoundKind.COMMENT else 0),
    )


def _names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.exec(select(Person.id, Person.name).where(Person.id.in_(wanted))).all())


def _live_positions(session: Session, round_: Round) -> list[PositionView]:
    rows = session.exec(
        select(Position, Seat.name, Seat.name_translations, Seat.kind, Person.name)
        .join(Seat, Seat.id == Position.seat_id)
        .join(Person, Person.id == Position.cast_by_id)
        .where(Position.round_id == round_.id)
        .execution_options(populate_existing=True)
    ).all()
    views = [
        PositionView(
            p.seat_id,
            Named(seat, translated),
            kind,
            p.choice,
            p.text,
            json.loads(p.paragraph_ids),
            person,
            p.cast_at,
            p.version,
        )
        for p, seat, translated, kind, person in rows
    ]
    return sorted(views, key=lambda v: (kind_order(v.kind), v.seat))


def _sealed_view(item: dict) -> PositionView:
    return PositionView(
        item["seat_id"],
        Named(item["seat"], item.get("seat_names") or {}),
        item["kind"],
        item["choice"],
        item["text"],
        item["paragraph_ids"],
        item["cast_by"],
        datetime.fromisoformat(item["cast_at"]),
        item["version"],
        item["counted"],
    )


def _history(session: Session, round_: Round, seat_id: int | None) -> list[PositionView]:
    if seat_id is None:
        return []
    rows = session.exec(
        select(PositionChange, Seat.name, Seat.name_translations, Seat.kind, Person.name)
        .join(Seat, Seat.id == PositionChange.seat_id)
        .join(Person, Person.id == PositionChange.cast_by_id)
        .where(PositionChange.round_id == round_.id, PositionChange.seat_id == seat_id)
        .order_by(PositionChange.version.desc())
    ).all()
    return [
        PositionView(
            c.seat_id,
            Named(seat, translated),
            kind,
            c.choice,
            c.text,
            json.loads(c.paragraph_ids),
            person,
            c.cast_at,
            c.version,
        )
        for c, seat, translated, kind, person in rows
    ]


def _statements(session: Session, round_: Round) -> list[StatementView]:
    rows = session.exec(
        select(ObserverStatement, Seat.name, Seat.name_translations, Person.name)
        .join(Seat, Seat.id == ObserverStatement.seat_id)
        .join(Person, Person.id == ObserverStatement.author_id)
        .where(ObserverStatement.round_id == round_.id)
        .order_by(Seat.name)
    ).all()
    return [
        StatementView(Named(seat, translated), s.text, person, s.submitted_at, s.revised)
        for s, seat, translated, person in rows
    ]


def _extensions(session: Session, round_: Round) -> list[RoundExtension]:
    return list(
        session.exec(
            select(RoundExtension)
            .where(RoundExtension.round_id == round_.id)
            .order_by(RoundExtension.at)
        ).all()
    )


def own_statement(session: Session, round_: Round, seat: Seat | None) -> ObserverStatement | None:
    if seat is None:
        return None
    return session.exec(
        select(ObserverStatement).where(
            ObserverStatement.round_id == round_.id, ObserverStatement.seat_id == seat.id
        )
    ).first()


# lists


@dataclass(frozen=True)
class OpenRound:
    round: Round
    draft: Draft
    group: WorkingGroup
    answered: bool | None
    """Whether the actor's seat has answered (None when it takes no position)."""
    readable: bool


def open_rounds_for(
    session: Session, actor: Actor, now: datetime, *, limit: int = 10
) -> list[OpenRound]:
    """Rounds open now in the groups where the actor reads, chairs, or makes statements: one
    query. Rounds past their deadline read as closed, so they are left out."""
    if not actor.signed_in:
        return []
    seat_id = actor.seat.id if actor.seat is not None else -1
    query = (
        select(Round, Draft, WorkingGroup, Position.version)
        .join(Draft, Draft.id == Round.draft_id)
        .join(WorkingGroup, WorkingGroup.id == Draft.working_group_id)
        .join(
            Position, (Position.round_id == Round.id) & (Position.seat_id == seat_id), isouter=True
        )
        .where(Round.closed_at.is_(None), Round.deadline > now)
        .order_by(Round.deadline, Round.id)
        .limit(limit)
    )
    if not actor.is_secretariat:
        group_ids = actor.sitting | actor.chairing | actor.following
        if not group_ids:
            return []
        query = query.where(Draft.working_group_id.in_(sorted(group_ids)))
    found = []
    for round_, draft, group, version in session.exec(query).all():
        readable = can(actor, "deliberations.read", group)
        statement = can(actor, "statement.submit", draft) and round_.kind == RoundKind.DECISION
        if not readable and not statement:
            continue
        takes_position = round_.kind == RoundKind.DECISION and can(actor, "position.cast", draft)
        found.append(
            OpenRound(
                round_, draft, group, (version is not None) if takes_position else None, readable
            )
        )
    return found


def open_round_counts(session: Session, round_ids: Sequence[int]) -> dict[int, int]:
    """How many seats have answered, per round: one grouped query."""
    if not round_ids:
        return {}
    return dict(
        session.exec(
            select(Position.round_id, func.count())
            .where(Position.round_id.in_(round_ids))
            .group_by(Position.round_id)
        ).all()
    )
