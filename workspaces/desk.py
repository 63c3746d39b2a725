"""The working groups' items on the chair's desk (council.desk): the open rounds with their time
left and the seats that have not answered, the chair's reminder to those seats, and the drafts
with threads to settle or amendments waiting for the chair's decision.

Reading the desk takes at most four queries, whatever the number of groups, rounds, seats and
drafts. The reminder is throttled from the audit log (its `round.reminded` records), so it
needs no column of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from council import audit
from council.errors import Conflict
from council.i18n import format_datetime
from council.i18n import gettext as _
from council.models import AuditRecord, Notification, Person, Seat, WorkingGroup, WorkingGroupSeat
from council.permissions import Actor, can
from workspaces import notices
from workspaces.amendment_models import Amendment, AmendmentStatus
from workspaces.decisions import ANSWERING_KINDS, kind_order
from workspaces.models import Comment, Draft, DraftStatus
from workspaces.round_models import Position, Round, RoundKind
from workspaces.waiting import time_left

REMIND_GAP = timedelta(hours=4)
"""The chair reminds the seats of one round at most once in this time."""
REMINDED = "round.reminded"
"""The audit action of a chair's reminder."""
SETTLING = (DraftStatus.DRAFTING, DraftStatus.IN_ROUND, DraftStatus.NOT_ADOPTED)
"""Drafts still being written: their threads and amendments wait for the chair."""


class TooSoon(Conflict):
    """The chair reminded the round's seats less than REMIND_GAP ago."""


@dataclass
class DeskRound:
    round: Round
    draft: Draft
    time_left: str
    silent: list[Seat] = field(default_factory=list)
    """The seats that have not answered (decision rounds), member states first."""
    reminded_at: datetime | None = None
    remind_from: datetime | None = None
    """When the chair may remind again, while the last reminder is too recent."""

    @property
    def is_decision(self) -> bool:
        return self.round.kind == RoundKind.DECISION


@dataclass(frozen=True)
class DeskDraft:
    draft: Draft
    open_threads: int
    waiting_amendments: int


def _chaired(actor: Actor, group: WorkingGroup | None) -> list[int]:
    """The groups whose desk is read: the one of the page, or every one the actor chairs."""
    if group is not None:
        return [group.id] if can(actor, "chair.desk", group) else []
    return sorted(actor.chairing)


def silent_seats(session: Session, round_ids: list[int]) -> dict[int, list[Seat]]:
    """Round id -> the seats of its group that take positions and have not answered (sorted as
    the round page lists seats): one query for all the rounds."""
    found: dict[int, list[Seat]] = {round_id: [] for round_id in round_ids}
    if not round_ids:
        return found
    for round_id, seat in session.exec(
        select(Round.id, Seat)
        .join(Draft, Draft.id == Round.draft_id)
        .join(WorkingGroupSeat, WorkingGroupSeat.working_group_id == Draft.working_group_id)
        .join(Seat, and_(Seat.id == WorkingGroupSeat.seat_id, Seat.kind.in_(ANSWERING_KINDS)))
        .join(
            Position, and_(Position.round_id == Round.id, Position.seat_id == Seat.id), isouter=True
        )
        .where(Round.id.in_(round_ids), Position.round_id.is_(None))
    ).all():
        found[round_id].append(seat)
    for seats in found.values():
        seats.sort(key=lambda s: (kind_order(s.kind), s.name))
    return found


def last_reminders(session: Session, round_ids: list[int]) -> dict[int, datetime]:
    """Round id -> when the chair last reminded its seats (the audit log): one query."""
    if not round_ids:
        return {}
    rows = session.exec(
        select(AuditRecord.target_id, func.max(AuditRecord.at))
        .where(
            AuditRecord.action == REMINDED,
            AuditRecord.target_type == "Round",
            AuditRecord.target_id.in_([str(i) for i in round_ids]),
        )
        .group_by(AuditRecord.target_id)
    ).all()
    return {int(target_id): at for target_id, at in rows}


def open_rounds(
    session: Session, actor: Actor, groups: list[int], now: datetime
) -> dict[int, list[DeskRound]]:
    """Group id -> its open rounds the actor manages, soonest deadline first (three queries)."""
    found: dict[int, list[DeskRound]] = {g: [] for g in groups}
    if not groups:
        return found
    rows = session.exec(
        select(Round, Draft)
        .join(Draft, Draft.id == Round.draft_id)
        .where(Draft.working_group_id.in_(groups), Round.closed_at.is_(None), Round.deadline > now)
        .order_by(Round.deadline, Round.id)
    ).all()
    items = [
        DeskRound(round_, draft, time_left(round_.deadline, now, actor))
        for round_, draft in rows
        if can(actor, "round.manage", draft)
    ]
    decision = [item.round.id for item in items if item.is_decision]
    silent = silent_seats(session, decision)
    reminded = last_reminders(session, decision)
    for item in items:
        item.silent = silent.get(item.round.id, [])
        item.reminded_at = reminded.get(item.round.id)
        if item.reminded_at is not None and now < item.reminded_at + REMIND_GAP:
            item.remind_from = item.reminded_at + REMIND_GAP
        found[item.draft.working_group_id].append(item)
    return found


def drafts_to_settle(
    session: Session, actor: Actor, groups: list[int]
) -> dict[int, list[DeskDraft]]:
    """Group id -> its drafts with open comment threads or open amendments (one query)."""
    found: dict[int, list[DeskDraft]] = {g: [] for g in groups}
    if not groups:
        return found
    threads = (
        select(func.count())
        .select_from(Comment)
        .where(
            Comment.draft_id == Draft.id,
            Comment.parent_id.is_(None),
            Comment.resolved_at.is_(None),
            Comment.withdrawn_at.is_(None),
        )
        .correlate(Draft)
        .scalar_subquery()
    )
    waiting = (
        select(func.count())
        .select_from(Amendment)
        .where(Amendment.draft_id == Draft.id, Amendment.status == AmendmentStatus.OPEN)
        .correlate(Draft)
        .scalar_subquery()
    )
    for draft, open_threads, open_amendments in session.exec(
        select(Draft, threads, waiting)
        .where(
            Draft.working_group_id.in_(groups),
            Draft.status.in_(SETTLING),
            or_(threads > 0, waiting > 0),
        )
        .order_by(Draft.updated_at.desc(), Draft.id.desc())
    ).all():
        open_threads = open_threads if can(actor, "comment.moderate", draft) else 0
        open_amendments = open_amendments if can(actor, "amendment.decide", draft) else 0
        if open_threads or open_amendments:
            found[draft.working_group_id].append(DeskDraft(draft, open_threads, open_amendments))
    return found


def desk_panel(session: Session, actor: Actor, group: WorkingGroup | None, now: datetime) -> dict:
    """The panel of the page "desk": each chaired group's rounds and drafts (at most four
    queries; none for someone who chairs nothing)."""
    groups = _chaired(actor, group)
    return {
        "rounds": open_rounds(session, actor, groups, now),
        "drafts": drafts_to_settle(session, actor, groups),
        "gap": REMIND_GAP,
    }


def remind_silent_seats(
    session: Session, *, round_: Round, draft: Draft, group: WorkingGroup, by: Person, now: datetime
) -> list[Notification]:
    """The chair reminds the people of every seat that has not answered the decision round:
    once in REMIND_GAP per round (the round is locked, so two reminders sent at once are one),
    recorded in the audit log. The notifications made."""
    locked = session.exec(select(Round).where(Round.id == round_.id).with_for_update()).one()
    if locked.kind != RoundKind.DECISION:
        raise Conflict(
            _(
                "Only a decision round waits for the seats' answers: there is no one "
                "to remind in a comment round."
            )
        )
    if locked.closed_at is not None or locked.deadline <= now:
        raise Conflict(_("This round has closed: there is no one left to remind."))
    last = last_reminders(session, [locked.id]).get(locked.id)
    if last is not None and now < last + REMIND_GAP:
        raise TooSoon(
            _(
                "The seats that have not answered were reminded on %(when)s. You can "
                "remind them again from %(again)s.",
                when=format_datetime(last, by.timezone),
                again=format_datetime(last + REMIND_GAP, by.timezone),
            )
        )
    silent = silent_seats(session, [locked.id])[locked.id]
    if not silent:
        raise Conflict(_("Every seat has answered this round: there is no one to remind."))
    made = notices.chair_reminded(
        session, round_=locked, draft=draft, group=group, seats=silent, by=by, now=now
    )
    audit.record(
        session,
        by=by,
        action=REMINDED,
        target=locked,
        draft=draft.id,
        working_group_id=group.id,
        seats=[seat.name for seat in silent],
        people_told=len(made),
    )
    return made
