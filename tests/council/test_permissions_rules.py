"""can(actor, action, target) against DOMAIN.md's table, on actors built by hand; then
load_actor() on real rows, where time and membership decide who holds which role."""

from __future__ import annotations

from datetime import timedelta

import pytest

from council.database import utcnow
from council.models import Council, Person, Seat, SeatKind, SeatRole, WorkingGroup
from council.permissions import ANONYMOUS, RULES, Actor, Proposed, Sponsored, can, load_actor
from tests.factories import (
    make_chair,
    make_council,
    make_group,
    make_person,
    make_seat,
    make_secretariat,
)

GROUP = WorkingGroup(id=1, slug="protection", name="Humanitarian protection", number=1)
OPEN_GROUP = WorkingGroup(id=2, slug="pathways", name="Alternative pathways", number=2,
                          observers_read_deliberations=True)
OTHER = WorkingGroup(id=3, slug="narratives", name="Integration and narratives", number=3)
PRIVATE = Council(id=1, name="Council", public_recommendations=False)
PUBLIC = Council(id=1, name="Council", public_recommendations=True)


def person(**fields) -> Person:
    return Person(id=fields.pop("id", 10), email="p@example.org", name="P", **fields)


def seat(kind: SeatKind, seat_id: int) -> Seat:
    return Seat(id=seat_id, name=f"{kind} {seat_id}", kind=kind)


SECRETARIAT = Actor(person=person(is_secretariat=True), chaired_groups=frozenset({1}))
SECRETARIAT_NO_CHAIRS = Actor(person=person(is_secretariat=True))
CHAIR = Actor(person=person(seat_id=1, seat_role=SeatRole.DELEGATE),
              seat=seat(SeatKind.MEMBER_STATE, 1), sitting=frozenset({1, 2}),
              chairing=frozenset({1}), chaired_groups=frozenset({1}))
MEMBER = Actor(person=person(seat_id=2, seat_role=SeatRole.HEAD),
               seat=seat(SeatKind.MEMBER_STATE, 2), sitting=frozenset({1, 2}),
               chaired_groups=frozenset({1}))
PARTICIPANT = Actor(person=person(seat_id=3, seat_role=SeatRole.DELEGATE),
                    seat=seat(SeatKind.PARTICIPANT, 3), sitting=frozenset({1}))
OUTSIDER = Actor(person=person(seat_id=4, seat_role=SeatRole.DELEGATE),
                 seat=seat(SeatKind.MEMBER_STATE, 4), sitting=frozenset({3}),
                 chairing=frozenset({3}), chaired_groups=frozenset({1, 3}))
OBSERVER = Actor(person=person(seat_id=5, seat_role=SeatRole.HEAD),
                 seat=seat(SeatKind.OBSERVER, 5), following=frozenset({1, 2}))

ACTORS = {
    "secretariat": SECRETARIAT,
    "chair": CHAIR,
    "member": MEMBER,
    "participant": PARTICIPANT,
    "outsider": OUTSIDER,  # sits in, and chairs, another group only
    "observer": OBSERVER,
    "anonymous": ANONYMOUS,
}

# DOMAIN.md's table for GROUP (chaired by CHAIR), which observers may not read
ALLOWED_ON_GROUP = {
    "deliberations.read": {"secretariat", "chair", "member", "participant"},
    "draft.write": {"secretariat", "chair", "member", "participant"},
    "comment.write": {"secretariat", "chair", "member", "participant"},
    "comment.moderate": {"secretariat", "chair"},
    "round.manage": {"chair"},
    "round.remind": {"chair"},  # the secretariat only where no one chairs, as round.manage
    "chair.desk": {"chair"},
    "statement.publish": {"chair"},
    "position.cast": {"chair", "member", "participant"},
    "statement.submit": {"observer"},
    "chair.hand_over": {"secretariat", "chair"},
    "chair.pass_over": {"secretariat"},
    "chair.recuse": {"secretariat", "chair"},
    "amendment.propose": {"chair", "member", "participant"},  # through their seats
    "amendment.support": {"chair", "member", "participant"},
    "amendment.decide": {"chair"},  # the secretariat only where no one chairs
    "version.edit": {"secretariat", "chair", "member", "participant"},
}
SIGNED_IN = set(ACTORS) - {"anonymous"}


@pytest.mark.parametrize("action", sorted(ALLOWED_ON_GROUP))
@pytest.mark.parametrize("who", sorted(ACTORS))
def test_group_acts_follow_the_table(who, action):
    assert can(ACTORS[who], action, GROUP) is (who in ALLOWED_ON_GROUP[action])


@pytest.mark.parametrize("who", sorted(ACTORS))
def test_council_acts_follow_the_table(who):
    actor = ACTORS[who]
    assert can(actor, "council.read") is (who in SIGNED_IN)
    assert can(actor, "group.read") is (who in SIGNED_IN)
    assert can(actor, "council.manage") is (who == "secretariat")
    assert can(actor, "recommendations.read", PUBLIC) is True
    assert can(actor, "recommendations.read", PRIVATE) is (who in SIGNED_IN)
    assert can(actor, "recommendations.manage") is (who == "secretariat")


def test_every_rule_is_covered_here():
    on_a_term = {"chair.name_acting"}  # tested in test_chairs.py
    on_a_sponsored_draft = {"draft.withdraw", "draft.revise_whole"}  # tested below
    on_an_amendment = {"amendment.withdraw"}  # tested below
    covered = set(ALLOWED_ON_GROUP) | on_a_term | on_a_sponsored_draft | on_an_amendment | {
        "council.read", "group.read", "council.manage", "recommendations.read",
        "recommendations.manage"}
    assert covered == set(RULES)


def test_secretariat_manages_rounds_only_where_no_one_chairs():
    assert not can(SECRETARIAT, "round.manage", GROUP)
    assert can(SECRETARIAT, "round.manage", OPEN_GROUP)
    assert can(SECRETARIAT_NO_CHAIRS, "round.manage", GROUP)


def test_only_the_chair_publishes_a_chairs_statement_even_where_no_one_chairs():
    """DOMAIN: the secretariat may close a chairless group's rounds, never publish a chair's
    statement in the chair's place."""
    assert can(SECRETARIAT_NO_CHAIRS, "round.manage", GROUP)
    assert not can(SECRETARIAT_NO_CHAIRS, "statement.publish", GROUP)
    assert not can(SECRETARIAT, "statement.publish", OPEN_GROUP)
    assert can(CHAIR, "statement.publish", GROUP)


def test_chair_of_another_group_has_no_chairs_powers_here():
    assert can(OUTSIDER, "comment.moderate", OTHER)
    assert not can(OUTSIDER, "comment.moderate", GROUP)
    assert not can(OUTSIDER, "round.manage", GROUP)
    assert not can(OUTSIDER, "chair.hand_over", GROUP)


def test_chair_is_not_a_chair_elsewhere_but_a_delegate_where_the_seat_sits():
    assert not can(CHAIR, "comment.moderate", OPEN_GROUP)
    assert can(CHAIR, "position.cast", OPEN_GROUP)
    assert can(CHAIR, "comment.write", OPEN_GROUP)


def test_observer_reads_deliberations_only_where_the_group_opens_them():
    assert not can(OBSERVER, "deliberations.read", GROUP)
    assert can(OBSERVER, "deliberations.read", OPEN_GROUP)
    assert not can(OBSERVER, "comment.write", OPEN_GROUP)
    assert not can(OBSERVER, "position.cast", OPEN_GROUP)
    assert can(OBSERVER, "statement.submit", OPEN_GROUP)
    assert not can(OBSERVER, "statement.submit", OTHER)  # it does not follow that group


def test_only_the_council_chair_or_secretariat_hands_the_council_chair_over():
    council_chair = Actor(person=person(seat_id=1, seat_role=SeatRole.HEAD),
                          seat=seat(SeatKind.MEMBER_STATE, 1), chairs_council=True)
    assert can(council_chair, "chair.hand_over", PRIVATE)
    assert can(council_chair, "chair.hand_over", None)
    assert can(SECRETARIAT, "chair.hand_over", PRIVATE)
    assert not can(CHAIR, "chair.hand_over", PRIVATE)
    assert not can(council_chair, "chair.hand_over", GROUP)


def test_unknown_action_is_an_error_not_a_refusal():
    with pytest.raises(KeyError):
        can(SECRETARIAT, "council.destroy")


def test_group_actions_need_a_group():
    with pytest.raises(TypeError):
        can(MEMBER, "draft.write", PRIVATE)


# load_actor(): the same rules on real rows


@pytest.fixture
def world(db):
    make_council(db)
    chair_state = make_seat(db, name="Costa Rica")
    member_state = make_seat(db, name="Belize")
    observer_seat = make_seat(db, SeatKind.OBSERVER, name="Observer Org")
    group = make_group(db, seats=[chair_state, member_state, observer_seat], slug="protection")
    return {
        "group": group,
        "chair_state": chair_state,
        "member_state": member_state,
        "head": make_person(db, seat=chair_state, role=SeatRole.HEAD),
        "delegate": make_person(db, seat=chair_state, role=SeatRole.DELEGATE),
        "member": make_person(db, seat=member_state),
        "observer": make_person(db, seat=observer_seat, role=SeatRole.HEAD),
        "secretariat": make_secretariat(db),
    }


def test_loaded_roles(db, world):
    group = world["group"]
    make_chair(db, group, world["chair_state"], world["delegate"])
    now = utcnow()
    chair = load_actor(db, world["delegate"], now)
    assert chair.chairing == {group.id} and chair.sitting == {group.id}
    assert can(chair, "round.manage", group)
    head = load_actor(db, world["head"], now)
    assert head.chairing == frozenset()  # the seat named its delegate to act
    assert can(head, "position.cast", group) and not can(head, "round.manage", group)
    observer = load_actor(db, world["observer"], now)
    assert observer.following == {group.id} and observer.sitting == frozenset()
    assert can(observer, "statement.submit", group)
    assert not can(observer, "position.cast", group)
    secretariat = load_actor(db, world["secretariat"], now)
    assert not can(secretariat, "round.manage", group)
    assert can(secretariat, "comment.moderate", group)


def test_the_head_acts_when_the_term_names_no_one(db, world):
    group = world["group"]
    make_chair(db, group, world["chair_state"])
    assert load_actor(db, world["head"], utcnow()).chairing == {world["group"].id}
    assert load_actor(db, world["delegate"], utcnow()).chairing == frozenset()


def test_former_chair_loses_chairing_when_the_term_ends(db, world):
    group = world["group"]
    term = make_chair(db, group, world["chair_state"], world["delegate"])
    assert can(load_actor(db, world["delegate"], utcnow()), "round.manage", group)
    term.ends_at = utcnow() - timedelta(seconds=1)
    db.add(term)
    db.flush()
    now = utcnow()
    former = load_actor(db, world["delegate"], now)
    assert former.chairing == frozenset()
    assert not can(former, "round.manage", group)
    assert not can(former, "comment.moderate", group)
    assert can(former, "position.cast", group)  # still a delegate of a seat that sits
    # with no chair, the secretariat may open and close rounds
    assert can(load_actor(db, world["secretariat"], now), "round.manage", group)


def test_handover_moves_the_chair_at_the_start_of_the_next_term(db, world):
    group = world["group"]
    ending = make_chair(db, group, world["chair_state"], world["delegate"], days_before=100,
                        days_after=0)
    ending.ends_at = utcnow() - timedelta(minutes=1)
    make_chair(db, group, world["member_state"], world["member"], days_before=0, days_after=180)
    now = utcnow()
    assert load_actor(db, world["delegate"], now).chairing == frozenset()
    assert load_actor(db, world["member"], now).chairing == {group.id}
    earlier = now - timedelta(days=1)
    assert load_actor(db, world["delegate"], earlier).chairing == {group.id}


def test_future_chair_does_not_chair_yet(db, world):
    group = world["group"]
    make_chair(db, group, world["member_state"], world["member"], days_before=-10,
               days_after=170)
    assert load_actor(db, world["member"], utcnow()).chairing == frozenset()


def test_person_who_leaves_a_seat_loses_its_rights_at_once(db, world):
    group = world["group"]
    member = world["member"]
    assert can(load_actor(db, member, utcnow()), "position.cast", group)
    member.seat_id, member.seat_role = None, None
    db.add(member)
    db.flush()
    actor = load_actor(db, member, utcnow())
    assert actor.sitting == frozenset()
    assert not can(actor, "position.cast", group)
    assert not can(actor, "deliberations.read", group)


def test_deactivated_person_is_anonymous(db, world):
    delegate = world["delegate"]
    make_chair(db, world["group"], world["chair_state"], delegate)
    delegate.is_active = False
    db.add(delegate)
    db.flush()
    assert load_actor(db, delegate, utcnow()) is ANONYMOUS
    assert not can(load_actor(db, None, utcnow()), "council.read")


def test_a_named_chair_who_leaves_the_seat_stops_chairing_at_once(db):
    seat, other_seat = make_seat(db), make_seat(db)
    group = make_group(db, seats=[seat, other_seat])
    head = make_person(db, seat=seat, role=SeatRole.HEAD)
    delegate = make_person(db, seat=seat, role=SeatRole.DELEGATE)
    make_chair(db, group, seat, delegate)
    assert group.id in load_actor(db, delegate, utcnow()).chairing

    delegate.seat_id = other_seat.id
    db.add(delegate)
    db.flush()

    assert group.id not in load_actor(db, delegate, utcnow()).chairing
    assert group.id in load_actor(db, head, utcnow()).chairing


SPONSORED_BY_PARTICIPANT = Sponsored(draft_id=7, working_group_id=1,
                                     sponsor_seat_ids=frozenset({3}))


@pytest.mark.parametrize("name, allowed", [
    ("secretariat", True), ("chair", True), ("member", False), ("participant", True),
    ("outsider", False), ("observer", False), ("anonymous", False),
])
def test_who_may_withdraw_a_draft(name, allowed):
    actor = ACTORS.get(name, ANONYMOUS)
    assert can(actor, "draft.withdraw", SPONSORED_BY_PARTICIPANT) is allowed


def test_a_chair_who_stood_aside_from_a_draft_may_not_withdraw_it_but_the_vice_chair_may():
    stood_aside = Actor(person=CHAIR.person, seat=CHAIR.seat, sitting=CHAIR.sitting,
                        chairing=CHAIR.chairing, chaired_groups=CHAIR.chaired_groups,
                        recused_subjects=frozenset({(1, "draft:7")}))
    assert not can(stood_aside, "draft.withdraw", SPONSORED_BY_PARTICIPANT)
    vice = Actor(person=MEMBER.person, seat=MEMBER.seat, sitting=MEMBER.sitting,
                 recused_subjects=frozenset({(1, "draft:7")}),
                 vice_chair_subjects=frozenset({(1, "draft:7")}))
    assert can(vice, "draft.withdraw", SPONSORED_BY_PARTICIPANT)
    sponsor_chair = Sponsored(draft_id=7, working_group_id=1, sponsor_seat_ids=frozenset({1}))
    assert can(stood_aside, "draft.withdraw", sponsor_chair), "a sponsor may, as a sponsor"


@pytest.mark.parametrize("name, allowed", [
    ("secretariat", True), ("chair", True), ("member", False), ("participant", True),
    ("outsider", False), ("observer", False), ("anonymous", False),
])
def test_the_sponsors_the_chair_and_the_secretariat_revise_the_whole_text(name, allowed):
    assert can(ACTORS[name], "draft.revise_whole", SPONSORED_BY_PARTICIPANT) is allowed


def test_a_sponsor_whose_seat_left_the_group_no_longer_revises_the_whole_text():
    left = Actor(person=PARTICIPANT.person, seat=PARTICIPANT.seat, sitting=frozenset({3}))
    assert not can(left, "draft.revise_whole", SPONSORED_BY_PARTICIPANT)


def test_a_chair_who_stood_aside_does_not_revise_the_whole_text_but_the_vice_chair_does():
    stood_aside = Actor(person=CHAIR.person, seat=CHAIR.seat, sitting=CHAIR.sitting,
                        chairing=CHAIR.chairing, chaired_groups=CHAIR.chaired_groups,
                        recused_subjects=frozenset({(1, "draft:7")}))
    vice = Actor(person=MEMBER.person, seat=MEMBER.seat, sitting=MEMBER.sitting,
                 recused_subjects=frozenset({(1, "draft:7")}),
                 vice_chair_subjects=frozenset({(1, "draft:7")}))
    assert not can(stood_aside, "draft.revise_whole", SPONSORED_BY_PARTICIPANT)
    assert can(vice, "draft.revise_whole", SPONSORED_BY_PARTICIPANT)


@pytest.mark.parametrize("seat_id, allowed", [
    (2, {"member"}),  # the member's seat's amendment: its people only
    (None, {"chair"}),  # the chair's editorial proposal: whoever decides amendments
])
def test_who_may_withdraw_an_amendment(seat_id, allowed):
    proposed = Proposed(draft_id=7, working_group_id=1, seat_id=seat_id)
    assert {name for name, actor in ACTORS.items()
            if can(actor, "amendment.withdraw", proposed)} == allowed


def test_a_seat_that_left_the_group_no_longer_withdraws_its_amendment():
    left = Actor(person=MEMBER.person, seat=MEMBER.seat, sitting=frozenset({3}))
    assert not can(left, "amendment.withdraw", Proposed(7, 1, MEMBER.seat.id))


def test_a_recused_chair_does_not_decide_amendments_on_that_draft():
    stood_aside = Actor(person=CHAIR.person, seat=CHAIR.seat, sitting=CHAIR.sitting,
                        chairing=CHAIR.chairing, chaired_groups=CHAIR.chaired_groups,
                        recused_subjects=frozenset({(1, "draft:7")}))
    on_the_draft = Proposed(draft_id=7, working_group_id=1, seat_id=None)
    assert not can(stood_aside, "amendment.decide", on_the_draft)
    assert can(stood_aside, "amendment.decide", GROUP)  # other drafts of the group
