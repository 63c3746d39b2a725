"""What closing a round records: the outcome, the tally, the sealed copy of every final
position, and the status it leaves the draft in. One computation serves the close that is
stored (`acts`) and the close that pages show before it is stored (`reading.as_of`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from council import names
from council.models import Person, Seat, WorkingGroup, WorkingGroupSeat
from workspaces.decisions import (
    ANSWERING_KINDS,
    Choice,
    Outcome,
    RuleSettings,
    SeatAnswer,
    decide,
    kind_order,
)
from workspaces.models import Draft, DraftStatus
from workspaces.round_models import Position, Round, RoundKind


@dataclass(frozen=True)
class Closing:
    """What closing a round writes on it (and on its draft), as stored text."""

    sealed_positions: str
    draft_status: DraftStatus
    outcome: str | None = None
    outcome_reason: str | None = None
    rule_settings: str | None = None
    tally: str | None = None
    details: dict = field(default_factory=dict)
    """For the audit record."""


COMMENT_ROUND_CLOSING = Closing(sealed_positions="[]", draft_status=DraftStatus.DRAFTING)


def closing_of(session: Session, round_: Round, group: WorkingGroup) -> Closing:
    """What closing the round now would record: reads the group's seats and the round's
    positions (two queries for a decision round, none for a comment round); writes nothing."""
    if round_.kind != RoundKind.DECISION:
        return COMMENT_ROUND_CLOSING
    rows = session.exec(
        select(Position, Seat, Person)
        .join(Seat, Seat.id == Position.seat_id)
        .join(Person, Person.id == Position.cast_by_id)
        .where(Position.round_id == round_.id)
        .execution_options(populate_existing=True)
    ).all()
    return decided_closing(group_seats(session, group), rows, rule_settings(group))


def decided_closing(
    seats: Sequence[Seat], rows: Sequence[tuple[Position, Seat, Person]], settings: RuleSettings
) -> Closing:
    """The decision over the group's member-state and participant `seats`, and the sealed copy
    of every final position in `rows` (a seat that left the group since keeps its row, not
    counted). Pure: plain data in, plain data out."""
    by_seat = {position.seat_id: position for position, _seat, _person in rows}
    answers = [
        SeatAnswer(
            seat.id, seat.kind, Choice(by_seat[seat.id].choice) if seat.id in by_seat else None
        )
        for seat in seats
    ]
    counted = {seat.id for seat in seats}
    sealed = [
        {
            "seat_id": seat.id,
            "seat": seat.name,
            "seat_names": names.translations(seat, "name"),
            "kind": seat.kind,
            "choice": position.choice,
            "text": position.text,
            "paragraph_ids": json.loads(position.paragraph_ids),
            "cast_by_id": person.id,
            "cast_by": person.name,
            "cast_at": position.cast_at.isoformat(),
            "version": position.version,
            "counted": seat.id in counted,
        }
        for position, seat, person in sorted(rows, key=lambda r: (kind_order(r[1].kind), r[1].name))
    ]
    decision = decide(answers, settings)
    tally = decision.tally
    return Closing(
        sealed_positions=json.dumps(sealed, ensure_ascii=False),
        draft_status=(
            DraftStatus.ADOPTED if decision.outcome is Outcome.ADOPTED else DraftStatus.DRAFTING
        ),
        outcome=decision.outcome.value,
        outcome_reason=decision.reason,
        rule_settings=json.dumps({**asdict(settings), "rule": str(settings.rule)}),
        tally=json.dumps(asdict(tally), sort_keys=True),
        details={
            "outcome": decision.outcome.value,
            "reason": decision.reason,
            "supports": tally.supports,
            "objections": tally.objections,
            "abstentions": tally.abstentions,
            "answered": tally.answered,
            "quorum": tally.quorum,
            "deciding_answered": tally.deciding_answered,
        },
    )


def apply_closing(
    round_: Round,
    draft: Draft,
    closing: Closing,
    *,
    closed_at: datetime,
    by: Person | None,
    statement: str,
) -> None:
    """Set on the objects what the close records (the caller stores them, or not)."""
    if round_.kind == RoundKind.DECISION:
        round_.outcome, round_.outcome_reason = closing.outcome, closing.outcome_reason
        round_.rule_settings, round_.tally = closing.rule_settings, closing.tally
    round_.sealed_positions = closing.sealed_positions
    round_.closed_at = closed_at
    round_.closed_by_id = by.id if by else None
    if statement:
        round_.chair_statement, round_.chair_statement_at = statement, closed_at
        round_.chair_statement_by_id = by.id if by else None
    draft.status = closing.draft_status
    draft.updated_at = max(draft.updated_at, closed_at)


def rule_settings(group: WorkingGroup) -> RuleSettings:
    return RuleSettings(
        rule=group.decision_rule,
        quorum_numerator=group.quorum_numerator,
        quorum_denominator=group.quorum_denominator,
        participants_block=group.participants_block,
    )


def group_seats(session: Session, group: WorkingGroup) -> list[Seat]:
    """The group's member-state and participant seats, in the order pages list them."""
    seats = session.exec(
        select(Seat)
        .join(WorkingGroupSeat, WorkingGroupSeat.seat_id == Seat.id)
        .where(WorkingGroupSeat.working_group_id == group.id, Seat.kind.in_(ANSWERING_KINDS))
    ).all()
    return sorted(seats, key=lambda s: (kind_order(s.kind), s.name))
