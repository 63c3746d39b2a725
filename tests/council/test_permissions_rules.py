"""can(actor, action, target) against DOMAIN.md's table, on actors built by hand; then
load_actor() on real rows, where time and membership decide who holds which role."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from council.database import utcnow
from council.models import ChairTerm, Council, Person, Seat, SeatKind, SeatRole, WorkingGroup
from council.permissions import (
    ANONYMOUS,
    RULES,
    Actor,
    Addressed,
    Proposed,
    Sponsored,
    can,
    load_actor,
)
from tests.factories import (
    make_chair,
    make_council,
    make_group,
    make_person,
    make_seat,
    make_secretariat,
)

GROUP = WorkingGroup(id=1, slug="protection", name="Humanitarian protection", number=1)
OPEN_GROUP = WorkingGroup(
    id=2, slug="pathways", name="Alternative pathways", number=2, observers_read_deliberations=True
)
OTHER = WorkingGroup(id=3, slug="narratives", name="Integration and narratives", number=3)
PRIVATE = Council(id=1, name="Council", public_recommendations=False)
PUBLIC = Council(id=1, name="Council", public_recommendations=True)


def person(**fields) -> Person:
    return Person(id=fields.pop("id", 10), email="p@example.org", name="P", **fields)


def seat(kind: SeatKind, seat_id: int) -> Seat:
    return Seat(id=seat_id, name=f"{kind} {seat_id}", kind=kind)


SECRETARIAT = Actor(person=person(is_secretariat=True), chaired_groups=frozenset({1}))
SECRETARIAT_NO_CHAIRS = Actor(person=person(is_secretariat=True))
CHAIR = Actor(
    person=person(seat_id=1, seat_role=SeatRole.DELEGATE),
    seat=seat(SeatKind.MEMBER_STATE, 1),
    sitting=frozenset({1, 2}),
    chairing=frozenset({1}),
    chaired_groups=frozenset({1}),
)
MEMBER = Actor(
    person=person(seat_id=2, seat_role=SeatRole.HEAD),
    seat=seat(SeatKind.MEMBER_STATE, 2),
    sitting=frozenset({1, 2}),
    chaired_groups=frozenset({1}),
)
PARTICIPANT = Actor(
    person=person(seat_id=3, seat_role=SeatRole.DELEGATE),
    seat=seat(SeatKind.PARTICIPANT, 3),
    sitting=frozenset({1}),
)
OUTSIDER = Actor(
    person=person(seat_id=4, seat_role=SeatRole.DELEGATE),
    seat=seat(SeatKind.MEMBER_STATE, 4),
    sitting=frozenset({3}),
    chairing=frozenset({3}),
    chaired_groups=frozenset({1, 3}),
)
OBSERVER = Actor(
    person=person(seat_id=5, seat_role=SeatRole.HEAD),
    seat=seat(SeatKind.OBSERVER, 5),
    following=frozenset({1, 2}),
)

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
    "document.upload": {"secretariat", "chair", "member", "participant"},  # not observers
    "followup.address": {"chair"},  # the seats a recommendation addresses; as round.manage
    "report.compose": {"secretariat", "chair"},  # the group's reports; see also below
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
    on_a_document = {"document.read", "document.manage"}  # tested below
    on_an_addressed_seat = {"followup.report"}  # tested below
    covered = (
        set(ALLOWED_ON_GROUP)
        | on_a_term
        | on_a_sponsored_draft
        | on_an_amendment
        | on_an_addressed_seat
        | on_a_document
        | {
            "council.read",
            "group.read",
            "council.manage",
            "recommendations.read",
            "recommendations.manage",
        }
    )
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
    council_chair = Actor(
        person=person(seat_id=1, seat_role=SeatRole.HEAD),
        seat=seat(SeatKind.MEMBER_STATE, 1),
        chairs_council=True,
    )
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
    ending = make_chair(
        db, group, world["chair_state"], world["delegate"], days_before=100, days_after=0
    )
    ending.ends_at = utcnow() - timedelta(minutes=1)
    make_chair(db, group, world["member_state"], world["member"], days_before=0, days_after=180)
    now = utcnow()
    assert load_actor(db, world["delegate"], now).chairing == frozenset()
    assert load_actor(db, world["member"], now).chairing == {group.id}
    earlier = now - timedelta(days=1)
    assert load_actor(db, world["delegate"], earlier).chairing == {group.id}


def test_future_chair_does_not_chair_yet(db, world):
    group = world["group"]
    make_chair(db, group, world["member_state"], world["member"], days_before=-10, days_after=170)
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


SPONSORED_BY_PARTICIPANT = Sponsored(
    draft_id=7, working_group_id=1, sponsor_seat_ids=frozenset({3})
)


@pytest.mark.parametrize(
    "name, allowed",
    [
        ("secretariat", True),
        ("chair", True),
        ("member", False),
        ("participant", True),
        ("outsider", False),
        ("observer", False),
        ("anonymous", False),
    ],
)
def test_who_may_withdraw_a_draft(name, allowed):
    actor = ACTORS.get(name, ANONYMOUS)
    assert can(actor, "draft.withdraw", SPONSORED_BY_PARTICIPANT) is allowed


def test_a_chair_who_stood_aside_from_a_draft_may_not_withdraw_it_but_the_vice_chair_may():
    stood_aside = Actor(
        person=CHAIR.person,
        seat=CHAIR.seat,
        sitting=CHAIR.sitting,
        chairing=CHAIR.chairing,
        chaired_groups=CHAIR.chaired_groups,
        recused_subjects=frozenset({(1, "draft:7")}),
    )
    assert not can(stood_aside, "draft.withdraw", SPONSORED_BY_PARTICIPANT)
    vice = Actor(
        person=MEMBER.person,
        seat=MEMBER.seat,
        sitting=MEMBER.sitting,
        recused_subjects=frozenset({(1, "draft:7")}),
        vice_chair_subjects=frozenset({(1, "draft:7")}),
    )
    assert can(vice, "draft.withdraw", SPONSORED_BY_PARTICIPANT)
    sponsor_chair = Sponsored(draft_id=7, working_group_id=1, sponsor_seat_ids=frozenset({1}))
    assert can(stood_aside, "draft.withdraw", sponsor_chair), "a sponsor may, as a sponsor"


@pytest.mark.parametrize(
    "name, allowed",
    [
        ("secretariat", True),
        ("chair", True),
        ("member", False),
        ("participant", True),
        ("outsider", False),
        ("observer", False),
        ("anonymous", False),
    ],
)
def test_the_sponsors_the_chair_and_the_secretariat_revise_the_whole_text(name, allowed):
    assert can(ACTORS[name], "draft.revise_whole", SPONSORED_BY_PARTICIPANT) is allowed


def test_a_sponsor_whose_seat_left_the_group_no_longer_revises_the_whole_text():
    left = Actor(person=PARTICIPANT.person, seat=PARTICIPANT.seat, sitting=frozenset({3}))
    assert not can(left, "draft.revise_whole", SPONSORED_BY_PARTICIPANT)


def test_a_chair_who_stood_aside_does_not_revise_the_whole_text_but_the_vice_chair_does():
    stood_aside = Actor(
        person=CHAIR.person,
        seat=CHAIR.seat,
        sitting=CHAIR.sitting,
        chairing=CHAIR.chairing,
        chaired_groups=CHAIR.chaired_groups,
        recused_subjects=frozenset({(1, "draft:7")}),
    )
    vice = Actor(
        person=MEMBER.person,
        seat=MEMBER.seat,
        sitting=MEMBER.sitting,
        recused_subjects=frozenset({(1, "draft:7")}),
        vice_chair_subjects=frozenset({(1, "draft:7")}),
    )
    assert not can(stood_aside, "draft.revise_whole", SPONSORED_BY_PARTICIPANT)
    assert can(vice, "draft.revise_whole", SPONSORED_BY_PARTICIPANT)


@pytest.mark.parametrize(
    "seat_id, allowed",
    [
        (2, {"member"}),  # the member's seat's amendment: its people only
        (None, {"chair"}),  # the chair's editorial proposal: whoever decides amendments
    ],
)
def test_who_may_withdraw_an_amendment(seat_id, allowed):
    proposed = Proposed(draft_id=7, working_group_id=1, seat_id=seat_id)
    assert {
        name for name, actor in ACTORS.items() if can(actor, "amendment.withdraw", proposed)
    } == allowed


def test_a_seat_that_left_the_group_no_longer_withdraws_its_amendment():
    left = Actor(person=MEMBER.person, seat=MEMBER.seat, sitting=frozenset({3}))
    assert not can(left, "amendment.withdraw", Proposed(7, 1, MEMBER.seat.id))


def test_a_recused_chair_does_not_decide_amendments_on_that_draft():
    stood_aside = Actor(
        person=CHAIR.person,
        seat=CHAIR.seat,
        sitting=CHAIR.sitting,
        chairing=CHAIR.chairing,
        chaired_groups=CHAIR.chaired_groups,
        recused_subjects=frozenset({(1, "draft:7")}),
    )
    on_the_draft = Proposed(draft_id=7, working_group_id=1, seat_id=None)
    assert not can(stood_aside, "amendment.decide", on_the_draft)
    assert can(stood_aside, "amendment.decide", GROUP)  # other drafts of the group


# follow-up: DOMAIN.md "report follow-up for a seat": secretariat no; the chair as a person of its
# seat; a head or delegate for their own seat; an observer seat's person for their own seat, if
# the recommendation addresses it. Seat ids: chair 1, member 2, participant 3, outsider 4,
# observer 5 (none of them need sit in the group: the addressing decides).


@pytest.mark.parametrize(
    "name, seat_id, addressed, allowed",
    [
        ("chair", 1, True, True),
        ("chair", 2, True, False),  # the chair never reports for another seat
        ("member", 2, True, True),
        ("member", 2, False, False),  # its seat is not addressed
        ("member", 3, True, False),
        ("participant", 3, True, True),
        ("outsider", 4, True, True),  # a member state of another group, addressed all the same
        ("observer", 5, True, True),
        ("observer", 5, False, False),
        ("secretariat", 2, True, False),
        ("anonymous", 2, True, False),
    ],
)
def test_a_seat_reports_follow_up_for_itself_only(name, seat_id, addressed, allowed):
    target = Addressed(working_group_id=1, seat_id=seat_id, addressed=addressed)
    assert can(ACTORS[name], "followup.report", target) is allowed


def test_follow_up_reports_need_an_addressed_seat():
    with pytest.raises(TypeError):
        can(MEMBER, "followup.report", GROUP)


# the evidence library: DOMAIN.md "upload a document" (secretariat, the chair, a group's heads
# and delegates; not observers, not the public); reading: a public document everyone signed in
# and the public where the council publishes, a members-only one the council's members only
# (member-state and participant seats, the secretariat); editing and withdrawing: the
# secretariat, the acting chair of the body it is filed under, its uploader.


def _document(
    group_id: int | None,
    *,
    public: bool,
    council_public: bool = False,
    uploaded_by: int | None = None,
    withdrawn: bool = False,
):
    from council.permissions import Filed

    return Filed(
        document_id=9,
        working_group_id=group_id,
        uploaded_by_id=uploaded_by,
        public=public,
        withdrawn=withdrawn,
        council_public=council_public,
    )


COUNCIL_CHAIR = Actor(
    person=person(id=11, seat_id=6, seat_role=SeatRole.DELEGATE),
    seat=seat(SeatKind.MEMBER_STATE, 6),
    chairs_council=True,
)


@pytest.mark.parametrize("who", sorted(ACTORS))
def test_council_members_upload_documents_to_the_council_observers_do_not(who):
    allowed = who in {"secretariat", "chair", "member", "participant", "outsider"}
    assert can(ACTORS[who], "document.upload", PRIVATE) is allowed
    assert can(COUNCIL_CHAIR, "document.upload", PRIVATE)


@pytest.mark.parametrize("who", sorted(ACTORS))
def test_who_reads_a_document(who):
    members = {"secretariat", "chair", "member", "participant", "outsider"}
    actor = ACTORS[who]
    assert can(actor, "document.read", _document(1, public=False)) is (who in members)
    assert can(actor, "document.read", _document(None, public=False)) is (who in members)
    assert can(actor, "document.read", _document(1, public=True)) is (who in SIGNED_IN)
    assert can(actor, "document.read", _document(1, public=True, council_public=True)) is True
    # a withdrawn document is the members' only, even a public one of a public council
    withdrawn = _document(1, public=True, council_public=True, withdrawn=True)
    assert can(actor, "document.read", withdrawn) is (who in members)


@pytest.mark.parametrize(
    "who, uploaded_by, allowed",
    [
        ("secretariat", None, True),
        ("chair", None, True),  # the group's acting chair
        ("member", None, False),
        ("member", 10, True),  # its uploader (every test person has id 10, but the chair's term)
        ("participant", 10, True),
        ("outsider", 10, False),  # uploaded it, but no longer sits in the group
        ("observer", 10, False),
        ("anonymous", None, False),
    ],
)
def test_who_edits_and_withdraws_a_group_document(who, uploaded_by, allowed):
    target = _document(1, public=True, uploaded_by=uploaded_by)
    assert can(ACTORS[who], "document.manage", target) is allowed


def test_the_council_chair_manages_the_councils_documents_not_a_groups():
    assert can(COUNCIL_CHAIR, "document.manage", _document(None, public=False))
    assert not can(COUNCIL_CHAIR, "document.manage", _document(1, public=False))
    assert not can(CHAIR, "document.manage", _document(None, public=False))  # a group's chair


def test_document_rules_need_a_filed_document():
    with pytest.raises(TypeError):
        can(MEMBER, "document.read", GROUP)


# reports: DOMAIN.md "compose and publish a report": the secretariat, any report; a working
# group's chair, that group's (the council's are the secretariat's).


@pytest.mark.parametrize("who", sorted(ACTORS))
def test_reports_are_composed_by_the_secretariat_and_each_groups_chair(who):
    from workspaces.report_models import Report

    actor = ACTORS[who]
    groups_report = Report(
        id=1, working_group_id=GROUP.id, kind="interim", title="R", created_by_id=1
    )
    other_groups = Report(
        id=2, working_group_id=OTHER.id, kind="interim", title="R", created_by_id=1
    )
    councils = Report(id=3, working_group_id=None, kind="annual", title="R", created_by_id=1)
    assert can(actor, "report.compose", groups_report) is (who in {"secretariat", "chair"})
    assert can(actor, "report.compose", other_groups) is (who in {"secretariat", "outsider"})
    assert can(actor, "report.compose", councils) is (who == "secretariat")
    assert can(actor, "report.compose", PUBLIC) is (who == "secretariat")


# Corners that mutation testing (docs/MUTATION.md) found no test for

DRAFT_7 = Sponsored(draft_id=7, working_group_id=1, sponsor_seat_ids=frozenset())
ASIDE = frozenset({(1, "draft:7")})
STOOD_ASIDE = dataclasses.replace(CHAIR, recused_subjects=ASIDE)
VICE_CHAIR = dataclasses.replace(MEMBER, recused_subjects=ASIDE, vice_chair_subjects=ASIDE)


def test_rounds_on_a_draft_the_chair_stood_aside_from_go_to_the_vice_chair_else_the_secretariat():
    assert not can(STOOD_ASIDE, "round.manage", DRAFT_7)
    assert can(STOOD_ASIDE, "round.manage", GROUP)  # the group's other business: still the chair
    assert can(VICE_CHAIR, "round.manage", DRAFT_7)
    unattended = dataclasses.replace(SECRETARIAT, recused_subjects=ASIDE, unattended_subjects=ASIDE)
    assert can(unattended, "round.manage", DRAFT_7)
    assert not can(
        dataclasses.replace(SECRETARIAT, recused_subjects=ASIDE), "round.manage", DRAFT_7
    )
    assert not can(
        dataclasses.replace(MEMBER, recused_subjects=ASIDE, unattended_subjects=ASIDE),
        "round.manage",
        DRAFT_7,
    )


def test_the_vice_chair_publishes_the_statement_on_a_draft_the_chair_stood_aside_from():
    assert not can(STOOD_ASIDE, "statement.publish", DRAFT_7)
    assert can(STOOD_ASIDE, "statement.publish", GROUP)
    assert can(VICE_CHAIR, "statement.publish", DRAFT_7)
    assert not can(
        dataclasses.replace(SECRETARIAT, recused_subjects=ASIDE, unattended_subjects=ASIDE),
        "statement.publish",
        DRAFT_7,
    )


def test_a_sponsor_whose_seat_left_the_group_may_still_withdraw_the_draft():
    left = dataclasses.replace(PARTICIPANT, sitting=frozenset())
    assert can(left, "draft.withdraw", SPONSORED_BY_PARTICIPANT)
    assert not can(left, "draft.revise_whole", SPONSORED_BY_PARTICIPANT)


def test_the_head_of_the_chairing_seat_or_the_secretariat_names_who_acts_for_it():
    now = utcnow()
    term = ChairTerm(id=5, working_group_id=1, seat_id=2, starts_at=now, ends_at=now)
    projected = ChairTerm(id=-1, working_group_id=1, seat_id=2, starts_at=now, ends_at=now)
    delegate = dataclasses.replace(MEMBER, person=person(seat_id=2, seat_role=SeatRole.DELEGATE))
    inactive_head = dataclasses.replace(
        MEMBER, person=person(seat_id=2, seat_role=SeatRole.HEAD, is_active=False)
    )
    assert can(MEMBER, "chair.name_acting", term)  # the head of seat 2
    assert can(SECRETARIAT, "chair.name_acting", term)
    for refused in (delegate, inactive_head, OBSERVER, CHAIR, ANONYMOUS):  # OBSERVER: a head
        assert not can(refused, "chair.name_acting", term)
    assert not can(MEMBER, "chair.name_acting", projected)  # named once the term is recorded
    assert not can(SECRETARIAT, "chair.name_acting", projected)
    with pytest.raises(TypeError):
        can(MEMBER, "chair.name_acting", GROUP)


def test_the_uploader_of_a_council_document_manages_it_while_they_may_upload_there():
    assert can(MEMBER, "document.manage", _document(None, public=False, uploaded_by=10))
    assert not can(OBSERVER, "document.manage", _document(None, public=False, uploaded_by=10))
