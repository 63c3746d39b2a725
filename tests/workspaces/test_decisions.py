import dataclasses
import itertools
import json
from fractions import Fraction

import pytest

from workspaces.decisions import (
    Choice,
    Decision,
    Outcome,
    Rule,
    RuleSettings,
    SeatAnswer,
    decide,
    kind_order,
    tally,
)

LETTERS = {
    "S": Choice.SUPPORT,
    "R": Choice.SUPPORT_WITH_RESERVATION,
    "A": Choice.ABSTAIN,
    "O": Choice.OBJECT,
    "-": None,
}
ADOPTED, NOT_ADOPTED, NO_QUORUM = Outcome.ADOPTED, Outcome.NOT_ADOPTED, Outcome.NO_QUORUM


def answers(states: str, participants: str = "") -> list[SeatAnswer]:
    """Member states get seat ids 1.., participants 101..; one letter per seat (see LETTERS)."""
    return [SeatAnswer(i, "member_state", LETTERS[c]) for i, c in enumerate(states, 1)] + [
        SeatAnswer(100 + i, "participant", LETTERS[c]) for i, c in enumerate(participants, 1)
    ]


def settings(
    rule: Rule = Rule.CONSENSUS, quorum: tuple[int, int] = (2, 3), block: bool = False
) -> RuleSettings:
    return RuleSettings(rule, *quorum, participants_block=block)


CONSENSUS, MAJORITY, TWO_THIRDS = Rule.CONSENSUS, Rule.MAJORITY, Rule.TWO_THIRDS

# (rule, member states, participants, quorum, participants block, outcome, reason)
CASES = {
    "consensus all support": (CONSENSUS, "SSSS", "", (2, 3), False, ADOPTED, "consensus"),
    "consensus one member-state objection": (
        CONSENSUS,
        "SSSO",
        "",
        (2, 3),
        False,
        NOT_ADOPTED,
        "objection",
    ),
    "consensus participant objection does not block": (
        CONSENSUS,
        "SSS",
        "O",
        (2, 3),
        False,
        ADOPTED,
        "consensus",
    ),
    "consensus participant objection blocks when set": (
        CONSENSUS,
        "SSS",
        "O",
        (2, 3),
        True,
        NOT_ADOPTED,
        "objection",
    ),
    "consensus abstentions only": (
        CONSENSUS,
        "AAA",
        "",
        (2, 3),
        False,
        NOT_ADOPTED,
        "too_few_supports",
    ),
    "consensus abstentions and one support": (
        CONSENSUS,
        "AAS",
        "",
        (2, 3),
        False,
        ADOPTED,
        "consensus",
    ),
    "consensus abstentions count towards quorum": (
        CONSENSUS,
        "AAAS--",
        "",
        (2, 3),
        False,
        ADOPTED,
        "consensus",
    ),
    "consensus non-deciding participant support is not enough": (
        CONSENSUS,
        "AAA",
        "S",
        (2, 3),
        False,
        NOT_ADOPTED,
        "too_few_supports",
    ),
    "consensus objection without quorum is no quorum": (
        CONSENSUS,
        "O-----",
        "",
        (2, 3),
        False,
        NO_QUORUM,
        "no_quorum",
    ),
    "consensus reservations are supports": (
        CONSENSUS,
        "RRA",
        "",
        (2, 3),
        False,
        ADOPTED,
        "consensus",
    ),
    "arctic 8 states quorum 6 reached": (
        CONSENSUS,
        "SSSSSS--",
        "",
        (2, 3),
        False,
        ADOPTED,
        "consensus",
    ),
    "arctic 8 states 5 answers no quorum": (
        CONSENSUS,
        "SSSSS---",
        "",
        (2, 3),
        False,
        NO_QUORUM,
        "no_quorum",
    ),
    "9 seats exactly at quorum 6": (
        CONSENSUS,
        "SSSSSS---",
        "",
        (2, 3),
        False,
        ADOPTED,
        "consensus",
    ),
    "9 seats one below quorum": (CONSENSUS, "SSSSS----", "", (2, 3), False, NO_QUORUM, "no_quorum"),
    "10 seats exactly at quorum 7": (
        CONSENSUS,
        "SSSSSSS---",
        "",
        (2, 3),
        False,
        ADOPTED,
        "consensus",
    ),
    "10 seats one below quorum": (
        CONSENSUS,
        "SSSSSS----",
        "",
        (2, 3),
        False,
        NO_QUORUM,
        "no_quorum",
    ),
    "3 seats exactly at quorum 2": (CONSENSUS, "SS-", "", (2, 3), False, ADOPTED, "consensus"),
    "3 seats one below quorum": (CONSENSUS, "S--", "", (2, 3), False, NO_QUORUM, "no_quorum"),
    "quorum 1/2 of 4 reached at 2": (CONSENSUS, "SS--", "", (1, 2), False, ADOPTED, "consensus"),
    "quorum 1/2 of 4 missed at 1": (CONSENSUS, "S---", "", (1, 2), False, NO_QUORUM, "no_quorum"),
    "quorum 1/2 of 5 needs 3": (CONSENSUS, "SS---", "", (1, 2), False, NO_QUORUM, "no_quorum"),
    "quorum 3/4 of 4 reached at 3": (CONSENSUS, "SSS-", "", (3, 4), False, ADOPTED, "consensus"),
    "quorum 3/4 of 4 missed at 2": (CONSENSUS, "SS--", "", (3, 4), False, NO_QUORUM, "no_quorum"),
    "quorum 3/4 of 6 needs 5": (CONSENSUS, "SSSS--", "", (3, 4), False, NO_QUORUM, "no_quorum"),
    "quorum 1/1 needs every seat": (CONSENSUS, "SSS-", "", (1, 1), False, NO_QUORUM, "no_quorum"),
    "unanswered participants do not count when they do not decide": (
        CONSENSUS,
        "SS-",
        "---",
        (2, 3),
        False,
        ADOPTED,
        "consensus",
    ),
    "unanswered participants count when they decide": (
        CONSENSUS,
        "SS-",
        "---",
        (2, 3),
        True,
        NO_QUORUM,
        "no_quorum",
    ),
    "no positions at all": (CONSENSUS, "---", "--", (2, 3), False, NO_QUORUM, "no_quorum"),
    "no seats at all": (CONSENSUS, "", "", (2, 3), False, NO_QUORUM, "no_quorum"),
    "only non-deciding participants": (CONSENSUS, "", "SS", (2, 3), False, NO_QUORUM, "no_quorum"),
    "majority more supports": (MAJORITY, "SSSOO", "", (2, 3), False, ADOPTED, "majority"),
    "majority tie": (MAJORITY, "SSOO", "", (2, 3), False, NOT_ADOPTED, "too_few_supports"),
    "majority ignores abstentions": (MAJORITY, "SAAAA", "", (2, 3), False, ADOPTED, "majority"),
    "majority abstentions only": (
        MAJORITY,
        "AAA",
        "",
        (2, 3),
        False,
        NOT_ADOPTED,
        "too_few_supports",
    ),
    "majority reservations are supports": (MAJORITY, "RRO", "", (2, 3), False, ADOPTED, "majority"),
    "majority participants outside the count": (
        MAJORITY,
        "SSO",
        "OO",
        (2, 3),
        False,
        ADOPTED,
        "majority",
    ),
    "majority participants in the count when they decide": (
        MAJORITY,
        "SSO",
        "OO",
        (2, 3),
        True,
        NOT_ADOPTED,
        "too_few_supports",
    ),
    "majority without quorum": (MAJORITY, "SSS---", "", (2, 3), False, NO_QUORUM, "no_quorum"),
    "majority quorum completed by an objection": (
        MAJORITY,
        "SSSO--",
        "",
        (2, 3),
        False,
        ADOPTED,
        "majority",
    ),
    "two thirds exactly 2 of 3": (TWO_THIRDS, "SSO", "", (2, 3), False, ADOPTED, "two_thirds"),
    "two thirds exactly 4 of 6": (TWO_THIRDS, "SSSSOO", "", (2, 3), False, ADOPTED, "two_thirds"),
    "two thirds just below 4 of 7": (
        TWO_THIRDS,
        "SSSSOOO",
        "",
        (2, 3),
        False,
        NOT_ADOPTED,
        "too_few_supports",
    ),
    "two thirds simple majority is not enough": (
        TWO_THIRDS,
        "SSSOO",
        "",
        (2, 3),
        False,
        NOT_ADOPTED,
        "too_few_supports",
    ),
    "two thirds ignores abstentions": (
        TWO_THIRDS,
        "SSOAAA",
        "",
        (2, 3),
        False,
        ADOPTED,
        "two_thirds",
    ),
    "two thirds abstentions only": (
        TWO_THIRDS,
        "AAA",
        "",
        (2, 3),
        False,
        NOT_ADOPTED,
        "too_few_supports",
    ),
    "two thirds reservations are supports": (
        TWO_THIRDS,
        "RSO",
        "",
        (2, 3),
        False,
        ADOPTED,
        "two_thirds",
    ),
}


@pytest.mark.parametrize(
    ("rule", "states", "participants", "quorum", "block", "outcome", "reason"),
    list(CASES.values()),
    ids=list(CASES),
)
def test_decision_table(rule, states, participants, quorum, block, outcome, reason) -> None:
    decision = decide(answers(states, participants), settings(rule, quorum, block))

    assert (decision.outcome, decision.reason) == (outcome, reason)


@pytest.mark.parametrize(
    ("seats", "numerator", "denominator", "quorum"),
    [
        (9, 2, 3, 6),
        (10, 2, 3, 7),
        (3, 2, 3, 2),
        (8, 2, 3, 6),
        (6, 2, 3, 4),
        (1, 2, 3, 1),
        (4, 1, 2, 2),
        (5, 1, 2, 3),
        (4, 3, 4, 3),
        (6, 3, 4, 5),
        (7, 1, 1, 7),
        (0, 2, 3, 0),
    ],
)
def test_quorum_rounds_up(seats, numerator, denominator, quorum) -> None:
    assert RuleSettings(Rule.CONSENSUS, numerator, denominator).quorum(seats) == quorum


def test_tally_counts_every_seat_and_lists_objections() -> None:
    decision = decide(answers("SROA-", "OS-"), settings())

    tally_ = decision.tally
    assert tally_.counts == {
        "member_state": {
            "support": 1,
            "support_with_reservation": 1,
            "abstain": 1,
            "object": 1,
            "unanswered": 1,
        },
        "participant": {
            "support": 1,
            "support_with_reservation": 0,
            "abstain": 0,
            "object": 1,
            "unanswered": 1,
        },
    }
    assert (tally_.seats, tally_.answered) == (8, 6)
    assert (tally_.deciding_seats, tally_.deciding_answered, tally_.quorum) == (5, 4, 4)
    assert (tally_.supports, tally_.objections, tally_.abstentions) == (2, 1, 1)
    assert tally_.blocking_objections == [3]
    assert tally_.recorded_objections == [101]
    assert tally_.unanswered == [5, 103]
    assert decision.outcome == NOT_ADOPTED


def test_blocking_participants_are_deciding_seats() -> None:
    tally_ = tally(answers("SS", "O-"), settings(block=True))

    assert (tally_.deciding_seats, tally_.deciding_answered, tally_.quorum) == (4, 3, 3)
    assert tally_.blocking_objections == [101]
    assert tally_.recorded_objections == []


def test_tally_is_json_ready() -> None:
    decision = decide(answers("SRO", "O"), settings())

    stored = json.loads(json.dumps(dataclasses.asdict(decision)))

    assert stored["outcome"] == "not_adopted"
    assert stored["tally"]["recorded_objections"] == [101]


def test_choices_given_as_strings_are_accepted() -> None:
    decision = decide([SeatAnswer(1, "member_state", "support")], settings(rule="majority"))

    assert decision.outcome == ADOPTED


def test_a_seat_answering_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        decide(
            [
                SeatAnswer(1, "member_state", Choice.SUPPORT),
                SeatAnswer(1, "member_state", Choice.OBJECT),
            ],
            settings(),
        )


def test_an_observer_seat_cannot_answer() -> None:
    with pytest.raises(ValueError, match="observer"):
        decide([SeatAnswer(1, "observer", Choice.SUPPORT)], settings())


@pytest.mark.parametrize("quorum", [(0, 3), (4, 3), (-1, 2)])
def test_quorum_must_be_a_fraction_up_to_one(quorum) -> None:
    with pytest.raises(ValueError, match=r"^the quorum must be a fraction in \(0, 1\]$"):
        RuleSettings(Rule.CONSENSUS, *quorum)


def test_seats_are_listed_member_states_first_then_participants_then_the_rest() -> None:
    kinds = ["observer", "participant", "member_state", "unknown"]
    assert [kind_order(kind) for kind in kinds] == [2, 1, 0, 2]
    assert sorted(kinds, key=kind_order) == ["member_state", "participant", "observer", "unknown"]


# brute force over every combination of answers for a few small groups

OPTIONS = [None, *Choice]
SUPPORT_CHOICES = {Choice.SUPPORT, Choice.SUPPORT_WITH_RESERVATION}
ALL_SETTINGS = [
    settings(rule, quorum, block)
    for rule in Rule
    for block in (False, True)
    for quorum in [(2, 3), (1, 2), (1, 1)]
]


def expected(group: list[SeatAnswer], rules: RuleSettings) -> Outcome:
    """DOMAIN.md's rule, restated independently with fractions."""
    deciding = [
        a
        for a in group
        if a.kind == "member_state" or (rules.participants_block and a.kind == "participant")
    ]
    answered = [a.choice for a in deciding if a.choice is not None]
    fraction = Fraction(rules.quorum_numerator, rules.quorum_denominator)
    if not deciding or len(answered) < fraction * len(deciding):
        return NO_QUORUM
    supports = sum(c in SUPPORT_CHOICES for c in answered)
    objections = answered.count(Choice.OBJECT)
    if rules.rule == Rule.CONSENSUS:
        adopted = objections == 0 and supports > 0
    elif rules.rule == Rule.MAJORITY:
        adopted = supports > objections
    else:
        adopted = supports > 0 and Fraction(supports, supports + objections) >= Fraction(2, 3)
    return ADOPTED if adopted else NOT_ADOPTED


def groups(states: int, participants: int):
    for choices in itertools.product(OPTIONS, repeat=states + participants):
        yield [
            SeatAnswer(i, "member_state" if i < states else "participant", c)
            for i, c in enumerate(choices)
        ]


def replaced(group: list[SeatAnswer], index: int, choice: Choice | None) -> list[SeatAnswer]:
    return [dataclasses.replace(a, choice=choice) if i == index else a for i, a in enumerate(group)]


def check_invariants(group: list[SeatAnswer], rules: RuleSettings, decision: Decision) -> None:
    t = decision.tally
    assert decision.outcome == expected(group, rules)
    assert sum(n for by_choice in t.counts.values() for n in by_choice.values()) == len(group)
    assert t.answered + len(t.unanswered) == t.seats == len(group)
    assert t.supports + t.objections + t.abstentions == t.deciding_answered
    assert len(t.blocking_objections) == t.objections
    objectors = {a.seat_id for a in group if a.choice == Choice.OBJECT}
    assert set(t.blocking_objections) | set(t.recorded_objections) == objectors
    assert (decision.outcome == NO_QUORUM) == (not t.has_quorum)
    if decision.outcome == ADOPTED:
        assert t.deciding_answered >= t.quorum > 0
        assert t.supports > 0
        if rules.rule == Rule.CONSENSUS:
            assert t.blocking_objections == []
    if decision.outcome != ADOPTED:
        for i in range(len(group)):
            # A new answer counts towards quorum, so under majority and two thirds a seat that
            # objects instead of staying silent can complete the quorum of a passing text.
            quorum_only = rules.rule != Rule.CONSENSUS and group[i].choice is None
            if not (quorum_only and decision.outcome == NO_QUORUM):
                assert decide(replaced(group, i, Choice.OBJECT), rules).outcome != ADOPTED
    else:
        for i in range(len(group)):
            assert decide(replaced(group, i, Choice.SUPPORT), rules).outcome == ADOPTED
    plain = [
        dataclasses.replace(a, choice=Choice.SUPPORT)
        if a.choice == Choice.SUPPORT_WITH_RESERVATION
        else a
        for a in group
    ]
    assert decide(plain, rules).outcome == decision.outcome
    assert decide(group[::-1], rules) == decision
    if not rules.participants_block:
        silent = [
            dataclasses.replace(a, choice=None) if a.kind == "participant" else a for a in group
        ]
        assert decide(silent, rules).outcome == decision.outcome


@pytest.mark.parametrize(("states", "participants"), [(3, 1), (2, 2), (1, 0), (0, 2)])
@pytest.mark.parametrize(
    "rules",
    ALL_SETTINGS,
    ids=lambda s: (
        f"{s.rule}-{s.quorum_numerator}/{s.quorum_denominator}"
        f"-{'block' if s.participants_block else 'noblock'}"
    ),
)
def test_invariants_over_every_combination(states, participants, rules) -> None:
    for group in groups(states, participants):
        check_invariants(group, rules, decide(group, rules))


@pytest.mark.parametrize("quorum", [(2, 3), (1, 2), (1, 1)])
@pytest.mark.parametrize("block", [False, True])
def test_stricter_rules_adopt_less(quorum, block) -> None:
    """Adopted by consensus implies adopted by two thirds, which implies adopted by majority."""
    for group in groups(3, 2):
        adopted = [
            decide(group, settings(rule, quorum, block)).outcome == ADOPTED
            for rule in (CONSENSUS, TWO_THIRDS, MAJORITY)
        ]
        assert adopted == sorted(adopted)
