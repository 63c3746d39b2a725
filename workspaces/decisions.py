"""The decision rule of a working group, as a pure function of the seats' answers.

Choices made where DOMAIN.md is silent:

- Deciding seats are the member-state seats, plus the participant seats when the group's
  `participants_block` setting is on. Only deciding seats count towards the quorum and the
  supports/objections; every answer is still counted in the tally per seat kind.
- Quorum is ceil(numerator / denominator * deciding seats) answers from deciding seats, in
  integer arithmetic; any answer counts, abstentions included. With no deciding seat at all
  there is no quorum.
- `support_with_reservation` counts as support under every rule.
- Consensus: with quorum, any objection from a deciding seat blocks (`objection`); otherwise
  the text is adopted only if at least one deciding seat supports it, so a text every deciding
  seat stands aside from is not adopted (`too_few_supports`). Objections of participant seats
  that do not block are listed in the tally (`recorded_objections`) to be published.
- Majority: adopted when supports outnumber objections among deciding seats (abstentions
  excluded); a tie, or no support and no objection, is not adopted (`too_few_supports`).
- Two thirds: adopted when supports are at least two thirds of supports plus objections
  among deciding seats, with at least one support (`too_few_supports` otherwise).

Because every answer counts towards the quorum, under majority and two thirds a seat that
objects instead of staying silent may complete the quorum of a text that then passes; under
consensus an added objection never helps a text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from council.models import DecisionRule, SeatKind

Rule = DecisionRule
"""The working group's decision rule (the model's enum, so `group.decision_rule` fits)."""


class Choice(StrEnum):
    SUPPORT = "support"
    SUPPORT_WITH_RESERVATION = "support_with_reservation"
    ABSTAIN = "abstain"
    OBJECT = "object"


class Outcome(StrEnum):
    ADOPTED = "adopted"
    NOT_ADOPTED = "not_adopted"
    NO_QUORUM = "no_quorum"


SUPPORTS = frozenset({Choice.SUPPORT, Choice.SUPPORT_WITH_RESERVATION})
NEEDS_TEXT = frozenset({Choice.SUPPORT_WITH_RESERVATION, Choice.OBJECT})
"""Choices that carry a text: the reservation, or the reason for the objection."""
ANSWERING_KINDS = (SeatKind.MEMBER_STATE.value, SeatKind.PARTICIPANT.value)
_COUNTED = (*(c.value for c in Choice), "unanswered")


def kind_order(kind: str) -> int:
    """Where a seat kind comes in lists of seats: member states, participants, the rest."""
    order: dict[str, int] = {SeatKind.MEMBER_STATE: 0, SeatKind.PARTICIPANT: 1}
    return order.get(kind, 2)


@dataclass(frozen=True)
class SeatAnswer:
    """One seat of the group and its final position; `choice` None means it did not answer."""

    seat_id: int
    kind: str
    choice: Choice | None


@dataclass(frozen=True)
class RuleSettings:
    rule: Rule = Rule.CONSENSUS
    quorum_numerator: int = 2
    quorum_denominator: int = 3
    participants_block: bool = False

    def __post_init__(self) -> None:
        if not 0 < self.quorum_numerator <= self.quorum_denominator:
            raise ValueError("the quorum must be a fraction in (0, 1]")

    def deciding(self, kind: str) -> bool:
        return kind == SeatKind.MEMBER_STATE or (
            self.participants_block and kind == SeatKind.PARTICIPANT
        )

    def quorum(self, deciding_seats: int) -> int:
        """Answers needed: the fraction of the deciding seats, rounded up."""
        return -(-self.quorum_numerator * deciding_seats // self.quorum_denominator)


@dataclass(frozen=True)
class Tally:
    """What a closed round stores and shows; plain data, so `dataclasses.asdict` gives JSON.

    `counts` is seat kind -> choice (or "unanswered") -> number of seats, over every seat;
    `supports`, `objections` and `abstentions` count deciding seats only (reservations are
    supports); `recorded_objections` are objecting seats that do not decide: not counted,
    but published. Seat id lists are sorted.
    """

    counts: dict[str, dict[str, int]]
    seats: int
    answered: int
    deciding_seats: int
    deciding_answered: int
    quorum: int
    supports: int
    objections: int
    abstentions: int
    blocking_objections: list[int] = field(default_factory=list)
    recorded_objections: list[int] = field(default_factory=list)
    unanswered: list[int] = field(default_factory=list)

    @property
    def has_quorum(self) -> bool:
        return self.deciding_seats > 0 and self.deciding_answered >= self.quorum


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    tally: Tally
    reason: str
    """`consensus`, `majority` or `two_thirds` when adopted; else `no_quorum`, `objection`
    or `too_few_supports`."""


def tally(answers: Sequence[SeatAnswer], settings: RuleSettings) -> Tally:
    """Count the answers; raises ValueError on a repeated seat or a seat that cannot answer."""
    seen: set[int] = set()
    counts = {kind: dict.fromkeys(_COUNTED, 0) for kind in ANSWERING_KINDS}
    deciding = deciding_answered = supports = objections = abstentions = 0
    blocking: list[int] = []
    recorded: list[int] = []
    unanswered: list[int] = []
    for answer in answers:
        if answer.seat_id in seen:
            raise ValueError(f"seat {answer.seat_id} answers twice")
        if answer.kind not in ANSWERING_KINDS:
            raise ValueError(f"seat {answer.seat_id} of kind {answer.kind!r} cannot answer")
        seen.add(answer.seat_id)
        choice = None if answer.choice is None else Choice(answer.choice)
        counts[answer.kind][choice.value if choice else "unanswered"] += 1
        if choice is None:
            unanswered.append(answer.seat_id)
        decides = settings.deciding(answer.kind)
        deciding += decides
        if choice is Choice.OBJECT:
            (blocking if decides else recorded).append(answer.seat_id)
        if not decides or choice is None:
            continue
        deciding_answered += 1
        supports += choice in SUPPORTS
        objections += choice is Choice.OBJECT
        abstentions += choice is Choice.ABSTAIN
    return Tally(
        counts=counts,
        seats=len(seen),
        answered=len(seen) - len(unanswered),
        deciding_seats=deciding,
        deciding_answered=deciding_answered,
        quorum=settings.quorum(deciding),
        supports=supports,
        objections=objections,
        abstentions=abstentions,
        blocking_objections=sorted(blocking),
        recorded_objections=sorted(recorded),
        unanswered=sorted(unanswered),
    )


def decide(answers: Sequence[SeatAnswer], settings: RuleSettings) -> Decision:
    """The outcome of a closed decision round; `answers` holds every answering-kind seat of the
    group (member states and participants), answered or not."""
    counted = tally(answers, settings)
    if not counted.has_quorum:
        return Decision(Outcome.NO_QUORUM, counted, "no_quorum")
    rule = Rule(settings.rule)
    s, o = counted.supports, counted.objections
    if rule is Rule.CONSENSUS:
        if o:
            return Decision(Outcome.NOT_ADOPTED, counted, "objection")
        adopted = s > 0
    elif rule is Rule.MAJORITY:
        adopted = s > o
    else:
        adopted = s > 0 and 3 * s >= 2 * (s + o)
    if adopted:
        return Decision(Outcome.ADOPTED, counted, rule.value)
    return Decision(Outcome.NOT_ADOPTED, counted, "too_few_supports")
