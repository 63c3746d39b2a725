"""What waits for a person in the working groups, for the "Needs you" page: the decision rounds
where their seat has not given its position, the rounds they chair that close soon with the
seats that have not answered, and the replies and mentions they have not read. A fixed number
of queries, whatever the number of rounds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_
from sqlmodel import Session, select

from council import dates, notifications
from council.models import Seat, WorkingGroup, WorkingGroupSeat
from council.permissions import Actor, can
from workspaces import notices
from workspaces.decisions import ANSWERING_KINDS, kind_order
from workspaces.models import Draft
from workspaces.round_models import Position, Round, RoundKind

CLOSING_SOON = timedelta(days=7)
"""A round the person chairs is listed when its deadline is this close."""


@dataclass
class Waiting:
    round: Round
    draft: Draft
    group: WorkingGroup
    time_left: str
    unanswered: list[Seat] = field(default_factory=list)


def time_left(deadline: datetime, now: datetime, actor: Actor) -> str:
    """ "in 2 days", "dans 2 jours": how long until the deadline, in the active language, in
    calendar days of the reader's zone beyond a few hours (council.dates.relative), so that it
    agrees with the weekday of the deadline shown beside it."""
    return dates.relative(deadline, now, actor.person.timezone if actor.person else None)


def positions_due(session: Session, actor: Actor, now: datetime) -> list[Waiting]:
    """Open decision rounds where the actor's seat takes a position and has not: one query."""
    seat = actor.seat if actor.signed_in else None
    if seat is None or seat.kind not in ANSWERING_KINDS or not actor.sitting:
        return []
    rows = session.exec(
        select(Round, Draft, WorkingGroup)
        .join(Draft, Draft.id == Round.draft_id)
        .join(WorkingGroup, WorkingGroup.id == Draft.working_group_id)
        .join(
            Position, and_(Position.round_id == Round.id, Position.seat_id == seat.id), isouter=True
        )
        .where(
            Round.kind == RoundKind.DECISION,
            Round.closed_at.is_(None),
            Round.deadline > now,
            Position.round_id.is_(None),
            Draft.working_group_id.in_(sorted(actor.sitting)),
        )
        .order_by(Round.deadline, Round.id)
    ).all()
    return [
        Waiting(round_, draft, group, time_left(round_.deadline, now, actor))
        for round_, draft, group in rows
        if can(actor, "position.cast", draft)
    ]


def chaired_closing_soon(session: Session, actor: Actor, now: datetime) -> list[Waiting]:
    """Open rounds the actor manages as chair (or vice chair) that close within CLOSING_SOON,
    each with the seats that have not answered (decision rounds): two queries."""
    groups = set(actor.chairing) | {group for group, _key in actor.vice_chair_subjects}
    if not actor.signed_in or not groups:
        return []
    rows = session.exec(
        select(Round, Draft, WorkingGroup)
        .join(Draft, Draft.id == Round.draft_id)
        .join(WorkingGroup, WorkingGroup.id == Draft.working_group_id)
        .where(
            Round.closed_at.is_(None),
            Round.deadline > now,
            Round.deadline <= now + CLOSING_SOON,
            Draft.working_group_id.in_(sorted(groups)),
        )
        .order_by(Round.deadline, Round.id)
    ).all()
    found = [
        Waiting(round_, draft, group, time_left(round_.deadline, now, actor))
        for round_, draft, group in rows
        if can(actor, "round.manage", draft)
    ]
    decision = {item.round.id: item for item in found if item.round.kind == RoundKind.DECISION}
    if decision:
        for round_id, seat in session.exec(
            select(Round.id, Seat)
            .join(Draft, Draft.id == Round.draft_id)
            .join(WorkingGroupSeat, WorkingGroupSeat.working_group_id == Draft.working_group_id)
            .join(Seat, and_(Seat.id == WorkingGroupSeat.seat_id, Seat.kind.in_(ANSWERING_KINDS)))
            .join(
                Position,
                and_(Position.round_id == Round.id, Position.seat_id == Seat.id),
                isouter=True,
            )
            .where(Round.id.in_(sorted(decision)), Position.round_id.is_(None))
        ).all():
            decision[round_id].unanswered.append(seat)
        for item in decision.values():
            item.unanswered.sort(key=lambda s: (kind_order(s.kind), s.name))
    return found


def unread_conversation(session: Session, actor: Actor) -> list[notifications.Shown]:
    """Replies and mentions not read yet (the latest few): one query."""
    return notifications.shown_to(
        session,
        actor,
        unread=True,
        limit=20,
        kinds=[notices.COMMENT_REPLY, notices.COMMENT_MENTION],
    )


def needs_you_panel(session: Session, actor: Actor, group: None, now: datetime) -> dict:
    """The working groups' part of the "Needs you" page (at most four queries)."""
    return {
        "positions": positions_due(session, actor, now),
        "chaired": chaired_closing_soon(session, actor, now),
        "conversation": unread_conversation(session, actor),
    }
