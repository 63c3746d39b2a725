"""can(actor, action, target): the one place where roles are interpreted (DOMAIN.md's table)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlmodel import Session, select

from council import chairs, rotation
from council.caches import BoundedCache
from council.database import StateVersion
from council.models import (
    ChairTerm,
    Council,
    Person,
    Seat,
    SeatKind,
    SeatRole,
    WorkingGroup,
    WorkingGroupSeat,
)


@dataclass(frozen=True)
class Actor:
    """Who is asking, with the facts the rules need, loaded once per request."""

    person: Person | None = None
    seat: Seat | None = None
    sitting: frozenset[int] = field(default_factory=frozenset)
    following: frozenset[int] = field(default_factory=frozenset)
    chairing: frozenset[int] = field(default_factory=frozenset)
    chaired_groups: frozenset[int] = field(default_factory=frozenset)
    """Groups whose current term has someone to act: elsewhere the secretariat manages rounds."""
    chairs_council: bool = False
    recused_subjects: frozenset[tuple[int, str]] = field(default_factory=frozenset)
    """(group id, subject key) the group's chairing seat stood aside from, e.g. "draft:42"."""
    vice_chair_subjects: frozenset[tuple[int, str]] = field(default_factory=frozenset)
    """Of those, the ones this person chairs for the vice-chair seat."""
    unattended_subjects: frozenset[tuple[int, str]] = field(default_factory=frozenset)
    """Of those, the ones no vice chair can take: the secretariat acts, as with no chair."""

    @property
    def signed_in(self) -> bool:
        return self.person is not None and self.person.is_active

    @property
    def is_secretariat(self) -> bool:
        return self.signed_in and self.person is not None and self.person.is_secretariat

    @property
    def seat_kind(self) -> SeatKind | None:
        return self.seat.kind if self.seat and self.signed_in else None


ANONYMOUS = Actor()


def load_actor(
    session: Session, person: Person | None, now: datetime, *, settle: bool = True
) -> Actor:
    """The person's roles at `now`. Chairs follow the terms: a term that ran out without a
    handover is followed by the rotation's next seat at the instant of its end, so a former
    chair's powers end and the next seat's begin then. With `settle` (a write transaction:
    an unsafe request) the automatic terms are recorded first; without it (a GET) they are only
    projected, and nothing is written."""
    if person is None or not person.is_active:
        return ANONYMOUS
    if settle:
        chairs.settle_terms(session, now)
    terms = rotation.current_terms(session, now)
    acting = rotation.acting_person_ids(session, [t for t in terms.values() if t])
    group_terms = {body: t for body, t in terms.items() if t and body is not None}
    recusals = chairs.recusal_facts(session, group_terms, person.id)
    chairing = frozenset(
        body
        for body, term in terms.items()
        if term and body is not None and acting.get(term.id) == person.id
    )
    council_term = terms.get(None)
    seat = None
    group_ids: set[int] = set()
    if person.seat_id is not None:
        seat = session.get(Seat, person.seat_id)
        group_ids = set(
            session.exec(
                select(WorkingGroupSeat.working_group_id).where(
                    WorkingGroupSeat.seat_id == person.seat_id
                )
            ).all()
        )
    observer = seat is not None and seat.kind == SeatKind.OBSERVER
    return Actor(
        person=person,
        seat=seat,
        sitting=frozenset() if observer else frozenset(group_ids),
        following=frozenset(group_ids) if observer else frozenset(),
        chairing=chairing,
        chaired_groups=frozenset(b for b, t in group_terms.items() if acting.get(t.id)),
        chairs_council=bool(council_term and acting.get(council_term.id) == person.id),
        recused_subjects=recusals.recused,
        vice_chair_subjects=recusals.acting_for,
        unattended_subjects=recusals.unattended,
    )


_ACTOR_SIZE = 1024  # about what a kept actor holds, in bytes
_READING = BoundedCache(4096 * _ACTOR_SIZE)


def reading_actor(
    session: Session,
    person: Person,
    now: datetime,
    version: StateVersion | None,
    *,
    check: bool = False,
) -> Actor:
    """load_actor for a safe request (nothing settled), at `now` read to the step
    (council.database.reading_clock): kept for the same person, state version and step, so a
    member's page asks the database for their powers once in a while rather than on every
    view. The kept actor's person and seat are this request's own rows. With `check`
    (Settings.check_fragments: the tests), loaded every time and compared with the kept one."""
    if version is None or not person.is_active:
        return load_actor(session, person, now, settle=False)
    key = (person.id, version.stamp, now)
    kept: Actor | None = _READING.get(key)
    if kept is None or check:
        loaded = load_actor(session, person, now, settle=False)
        bare = replace(loaded, person=None, seat=None)
        if kept is not None and kept != bare:
            raise AssertionError(f"the kept powers of person {person.id} are not theirs")
        _READING.put(key, bare, _ACTOR_SIZE)
        return loaded
    seat = session.get(Seat, person.seat_id) if person.seat_id is not None else None
    return replace(kept, person=person, seat=seat)


def can(actor: Actor, action: str, target: object = None) -> bool:
    """Whether `actor` may do `action` on `target`: a Council, a WorkingGroup, None, or for
    actions inside a group (drafts, rounds, comments) an object with a `working_group_id`."""
    rule = RULES.get(action)
    if rule is None:
        raise KeyError(f"unknown action {action!r}")
    return rule(actor, target)


def _group_id(target: object) -> int | None:
    """The working group a target belongs to: the group itself, or e.g. a draft in it."""
    if isinstance(target, WorkingGroup):
        return target.id
    group_id: int | None = getattr(target, "working_group_id", None)
    if group_id is None:
        raise TypeError("this action needs a working group or something in one")
    return group_id


def _signed_in(actor: Actor, _target: object) -> bool:
    return actor.signed_in


def _secretariat(actor: Actor, _target: object) -> bool:
    return actor.is_secretariat


def _read_recommendations(actor: Actor, target: object) -> bool:
    if actor.signed_in:
        return True
    return isinstance(target, Council) and target.public_recommendations


def _read_deliberations(actor: Actor, target: object) -> bool:
    group_id = _group_id(target)
    if actor.is_secretariat or group_id in actor.sitting or group_id in actor.chairing:
        return True
    # a WorkingGroup, or a row carrying its flag (council.notifications)
    return group_id in actor.following and bool(target.observers_read_deliberations)  # type: ignore[attr-defined]


def _write_in_group(actor: Actor, target: object) -> bool:
    group_id = _group_id(target)
    return actor.is_secretariat or group_id in actor.sitting or group_id in actor.chairing


def _secretariat_or_chair(actor: Actor, target: object) -> bool:
    """The group's acting chair, or the secretariat (moderation; a chair standing aside)."""
    return actor.is_secretariat or _group_id(target) in actor.chairing


def _manage_rounds(actor: Actor, target: object) -> bool:
    """The acting chair; for a draft its chairing seat stood aside from, the vice chair."""
    group_id = _group_id(target)
    subject = (group_id, chairs.subject_key(target))
    if subject in actor.recused_subjects:
        if subject in actor.vice_chair_subjects:
            return True
        return actor.is_secretariat and subject in actor.unattended_subjects
    if group_id in actor.chairing:
        return True
    return actor.is_secretariat and group_id not in actor.chaired_groups


def _publish_chair_statement(actor: Actor, target: object) -> bool:
    """A failed round's chair's statement is the chair's to make public: the acting chair (the
    vice chair for a draft its chairing seat stood aside from), never the secretariat in the
    chair's place, even where it closes rounds for a group without a chair."""
    group_id = _group_id(target)
    subject = (group_id, chairs.subject_key(target))
    if subject in actor.recused_subjects:
        return subject in actor.vice_chair_subjects
    return group_id in actor.chairing


def _chair_desk(actor: Actor, target: object) -> bool:
    """The chair's desk of a group (what waits for its chair): whoever acts for the chairing
    seat. The secretariat reads the same facts on the group's pages; the desk is the chair's."""
    return actor.signed_in and _group_id(target) in actor.chairing


def _cast_position(actor: Actor, target: object) -> bool:
    return actor.signed_in and _group_id(target) in actor.sitting


def _submit_statement(actor: Actor, target: object) -> bool:
    return actor.signed_in and _group_id(target) in actor.following


@dataclass(frozen=True)
class Sponsored:
    """A draft as the withdrawal rule sees it: its group and the seats that sponsor it."""

    draft_id: int
    working_group_id: int
    sponsor_seat_ids: frozenset[int]


def _withdraw_draft(actor: Actor, target: object) -> bool:
    """A sponsoring seat's people, the secretariat, and the group's acting chair, unless the
    chairing seat stood aside from this draft (then its vice chair)."""
    return _sponsor_secretariat_or_chair(actor, target, sponsor_must_sit=False)


def _revise_whole(actor: Actor, target: object) -> bool:
    """Whole-text revision (restructuring): the sponsoring seats' people while their seat sits
    in the group, the group's acting chair (its vice chair for a draft the chairing seat stood
    aside from) and the secretariat. Everyone else who writes in the group amends."""
    return _sponsor_secretariat_or_chair(actor, target, sponsor_must_sit=True)


def _sponsor_secretariat_or_chair(actor: Actor, target: object, *, sponsor_must_sit: bool) -> bool:
    """The rule the sponsors' acts share: a sponsoring seat's people (while the seat sits in
    the group, if `sponsor_must_sit`), the secretariat, and the acting chair of the draft."""
    if not actor.signed_in:
        return False
    if not isinstance(target, Sponsored):
        raise TypeError("this action needs a Sponsored draft")
    if (
        actor.seat is not None
        and actor.seat.id in target.sponsor_seat_ids
        and (not sponsor_must_sit or target.working_group_id in actor.sitting)
    ):
        return True
    if actor.is_secretariat:
        return True
    subject = (target.working_group_id, chairs.subject_key(target))
    if subject in actor.recused_subjects:
        return subject in actor.vice_chair_subjects
    return target.working_group_id in actor.chairing


@dataclass(frozen=True)
class Proposed:
    """An amendment as the withdrawal rule sees it: its draft, group and proposing seat (None
    for the chair's editorial proposals and merges)."""

    draft_id: int
    working_group_id: int
    seat_id: int | None


def _propose_amendment(actor: Actor, target: object) -> bool:
    """A seat's people, in a group the seat sits in (not observers, not the secretariat)."""
    return actor.signed_in and actor.seat is not None and _group_id(target) in actor.sitting


def _withdraw_amendment(actor: Actor, target: object) -> bool:
    """A seat's amendment: its seat's people while the seat sits in the group. The chair's
    proposals: whoever decides amendments on the draft."""
    if not isinstance(target, Proposed):
        raise TypeError("this action needs a Proposed amendment")
    if target.seat_id is None:
        return _manage_rounds(actor, target)
    return (
        _propose_amendment(actor, target)
        and actor.seat is not None
        and actor.seat.id == target.seat_id
    )


@dataclass(frozen=True)
class Addressed:
    """A seat as the follow-up of a recommendation sees it: the recommendation's group, the
    seat, and whether the recommendation addresses it (now)."""

    working_group_id: int
    seat_id: int
    addressed: bool


def _report_follow_up(actor: Actor, target: object) -> bool:
    """A seat reports for itself only, through its head or a delegate, when the recommendation
    addresses it: member states, participants and observers alike; the chair reports as a
    person of its own seat; the secretariat, which has no seat, never."""
    if not isinstance(target, Addressed):
        raise TypeError("this action needs an Addressed seat")
    return (
        actor.signed_in
        and actor.seat is not None
        and target.addressed
        and actor.seat.id == target.seat_id
    )


def _compose_report(actor: Actor, target: object) -> bool:
    """A report: the secretariat, the council's and any working group's; a working group's
    acting chair, that group's (a WorkingGroup, or a report with its working_group_id; the
    council, or a report whose working_group_id is None, is the council's)."""
    if not actor.signed_in:
        return False
    if actor.is_secretariat:
        return True
    group_id = (
        target.id if isinstance(target, WorkingGroup) else getattr(target, "working_group_id", None)
    )
    return group_id is not None and group_id in actor.chairing


def _hand_over_chair(actor: Actor, target: object) -> bool:
    if target is None or isinstance(target, Council):
        return actor.is_secretariat or actor.chairs_council
    return actor.is_secretariat or _group_id(target) in actor.chairing


def _name_acting_chair(actor: Actor, target: object) -> bool:
    """The head of the chairing seat names who acts for it (the secretariat may too)."""
    if not isinstance(target, ChairTerm):
        raise TypeError("this action needs a chair term")
    if not rotation.is_recorded(target):
        return False  # a projected term: named once recorded (the next write, or the worker)
    if actor.is_secretariat:
        return True
    return (
        actor.signed_in
        and actor.seat is not None
        and actor.seat.id == target.seat_id
        and actor.person is not None
        and actor.person.seat_role == SeatRole.HEAD
    )


@dataclass(frozen=True)
class Filed:
    """A document of the library as the rules see it: the body it is filed under (a working
    group, or None for the council), who uploaded it, and who may read it."""

    document_id: int
    working_group_id: int | None
    uploaded_by_id: int | None
    public: bool
    withdrawn: bool
    council_public: bool
    """The council publishes to the public (Council.public_recommendations)."""


COUNCIL_MEMBERS = frozenset({SeatKind.MEMBER_STATE, SeatKind.PARTICIPANT})


def _upload_document(actor: Actor, target: object) -> bool:
    """To a working group: whoever writes in it (not its observers). To the council (a Council,
    or a Filed document without a group): the secretariat, the council's acting chair, and the
    people of member-state and participant seats."""
    if isinstance(target, Council) or getattr(target, "working_group_id", 0) is None:
        return actor.is_secretariat or actor.chairs_council or actor.seat_kind in COUNCIL_MEMBERS
    return _write_in_group(actor, target)


def _read_document(actor: Actor, target: object) -> bool:
    """A public document: anyone signed in, and the public where the council publishes. A
    members-only (or withdrawn) one: the secretariat and the people of member-state and
    participant seats; never observers or the public."""
    if not isinstance(target, Filed):
        raise TypeError("this action needs a Filed document")
    if target.public and not target.withdrawn:
        return actor.signed_in or target.council_public
    return actor.is_secretariat or actor.seat_kind in COUNCIL_MEMBERS


def _manage_document(actor: Actor, target: object) -> bool:
    """Edit or withdraw a document: the secretariat, the acting chair of the body it is filed
    under, and its uploader while they may still upload there."""
    if not isinstance(target, Filed):
        raise TypeError("this action needs a Filed document")
    if not actor.signed_in:
        return False
    if actor.is_secretariat:
        return True
    if target.working_group_id is None:
        chairs_body = actor.chairs_council
    else:
        chairs_body = target.working_group_id in actor.chairing
    uploader = (
        actor.person is not None
        and target.uploaded_by_id == actor.person.id
        and _upload_document(actor, target)
    )
    return chairs_body or uploader


RULES = {
    "council.read": _signed_in,
    "council.manage": _secretariat,
    "group.read": _signed_in,
    "recommendations.read": _read_recommendations,
    "recommendations.manage": _secretariat,
    "deliberations.read": _read_deliberations,
    "draft.write": _write_in_group,
    "draft.withdraw": _withdraw_draft,
    "draft.revise_whole": _revise_whole,
    "amendment.propose": _propose_amendment,
    "amendment.support": _propose_amendment,
    "amendment.withdraw": _withdraw_amendment,
    "amendment.decide": _manage_rounds,
    "version.edit": _write_in_group,
    "comment.write": _write_in_group,
    "comment.moderate": _secretariat_or_chair,
    "round.manage": _manage_rounds,
    "round.remind": _manage_rounds,
    "statement.publish": _publish_chair_statement,
    "chair.desk": _chair_desk,
    "position.cast": _cast_position,
    "statement.submit": _submit_statement,
    "chair.hand_over": _hand_over_chair,
    "chair.pass_over": _secretariat,
    "chair.recuse": _secretariat_or_chair,
    "chair.name_acting": _name_acting_chair,
    "document.upload": _upload_document,
    "document.read": _read_document,
    "document.manage": _manage_document,
    "report.compose": _compose_report,
    "followup.address": _manage_rounds,
    "followup.report": _report_follow_up,
}
