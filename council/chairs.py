"""Chair terms over time: the rotation settled into rows, handovers, acting persons, recusals.

The rules of who chairs when are in council.rotation; this module records what they decide.
The current chair is derived from the terms and the time: when a term has run out without a
handover, reads project the automatic terms that followed it (rotation.current_terms) and never
write; `settle_terms` records them, once, in a write transaction: the next unsafe request, or
the worker's `chairs.turnover` job (CHAIR_JOBS).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from council import audit, notices, rotation
from council.errors import Conflict, Invalid, NotAllowed, NotFound
from council.i18n import gettext as _
from council.i18n import lazy
from council.models import (
    ChairRecusal,
    ChairTerm,
    Council,
    Person,
    Seat,
    SeatKind,
    SeatRole,
    WorkingGroup,
    WorkingGroupSeat,
)
from council.rotation import Rotation, bodies_due, latest_term, of_body, rotation_of

if TYPE_CHECKING:
    from council.permissions import Actor
from council.worker import Job

MAX_REASON = 1000
SUBJECT_KEY = re.compile(r"draft:[1-9][0-9]{0,9}")


def body_id(body: WorkingGroup | None) -> int | None:
    """Chair terms name their body by working group id; None is the council."""
    return body.id if body is not None else None


def _body_label(session: Session, group_id: int | None) -> str:
    if group_id is None:
        return "council"
    return session.exec(select(WorkingGroup.name).where(WorkingGroup.id == group_id)).one()


def _seat_names(session: Session, seat_ids) -> dict[int, str]:
    ids = {s for s in seat_ids if s is not None}
    if not ids:
        return {}
    return dict(session.exec(select(Seat.id, Seat.name).where(Seat.id.in_(ids))).all())


# settling: the automatic turnover, projected on read and recorded once by a write


def settle_terms(session: Session, now: datetime) -> list[ChairTerm]:
    """Record the automatic terms of every body whose chair ran out without a handover: the
    next seats in order, one term length each, up to the term that covers `now`.

    Idempotent, and safe when several workers settle at once: a body's terms never share a
    start (a unique constraint), so the loser's insert fails inside a savepoint, and it reads
    again what the winner recorded. Each automatic term is written to the audit log once.
    """
    due = bodies_due(session, now)
    created: list[ChairTerm] = []
    for group_id in sorted(due, key=lambda g: (g is not None, g or 0)):
        created.extend(_settle_body(session, group_id, now))
    return created


def settle_due(session: Session, now: datetime) -> int:
    """The worker's job: record the turnovers due at `now`; returns how many terms it recorded."""
    return len(settle_terms(session, now))


CHAIR_JOBS = [
    Job(
        "chairs.turnover",
        settle_due,
        every=timedelta(seconds=30),
        label=lazy("Record the chair turnovers the rotation has reached"),
    )
]


def _settle_body(session: Session, group_id: int | None, now: datetime) -> list[ChairTerm]:
    for _attempt in range(5):
        last = latest_term(session, group_id)
        if last is None or last.ends_at > now:
            return []
        planned = rotation.planned_after(session, last, now)
        if not planned:
            return []  # nobody left in the rotation: the body has no chair until a handover
        try:
            with session.begin_nested():
                return _record_automatic(session, group_id, last, planned, now)
        except IntegrityError:
            continue  # another worker recorded these terms meanwhile: read them again
    return []


def _record_automatic(
    session: Session,
    group_id: int | None,
    last: ChairTerm,
    planned: list[rotation.PlannedTerm],
    now: datetime,
) -> list[ChairTerm]:
    label = _body_label(session, group_id)
    names = _seat_names(session, [last.seat_id, *(p.seat_id for p in planned)])
    previous = last.seat_id
    terms = []
    for plan in planned:
        term = ChairTerm(
            working_group_id=group_id,
            seat_id=plan.seat_id,
            starts_at=plan.starts_at,
            ends_at=plan.ends_at,
            automatic=True,
        )
        session.add(term)
        session.flush()
        audit.record(
            session,
            by=None,
            action="chair.turned_over",
            target=term,
            body=label,
            working_group_id=group_id,
            seat=names.get(plan.seat_id),
            previous_seat=names.get(previous),
            starts_at=plan.starts_at,
            ends_at=plan.ends_at,
        )
        previous = plan.seat_id
        terms.append(term)
    if terms:  # only the seat that chairs now and the one that chaired before are told
        group = session.get(WorkingGroup, group_id) if group_id is not None else None
        notices.chair_changed(
            session,
            group=group,
            term=terms[-1],
            previous_seat_id=last.seat_id,
            by=None,
            now=now,
            automatic=True,
        )
    return terms


# the current term, and handing it over


def current_term(
    session: Session, group_id: int | None, now: datetime, *, lock: bool = False
) -> ChairTerm | None:
    """The body's term covering `now`: recorded, or else projected (rotation.projected_terms)
    when its chair ran out without a handover. With `lock` (a write that settled first) only a
    recorded term, locked."""
    query = (
        select(ChairTerm)
        .where(of_body(group_id), ChairTerm.starts_at <= now, ChairTerm.ends_at > now)
        .order_by(ChairTerm.starts_at.desc())
        .limit(1)
    )
    if lock:
        query = query.with_for_update()  # two handovers of one term: the second waits, then sees
    recorded = session.exec(query).first()
    if recorded is not None or lock:
        return recorded
    projected = rotation.projected_terms(session, now, [group_id]).get(group_id, [])
    return rotation.current_term(projected, now)


def next_seat(rota: Rotation, anchor_seat: int | None) -> int | None:
    return rotation.next_in_order(rota.order, anchor_seat, rota.present)


def hand_over_chair(
    session: Session,
    *,
    body: WorkingGroup | None,
    to_seat_id: int | None,
    reason: str,
    by: Person | None,
    now: datetime,
    actor: Actor | None = None,
) -> ChairTerm:
    """End the current term now and start the chosen seat's term now, for a full term length.

    The next seat in order needs no reason; another seat (one that declines its turn was
    skipped, say) needs the reason recorded, and `can(actor, "chair.pass_over", ...)`: the
    acting chair hands over to the next seat only. With no term running, this starts the
    rotation.
    Open rounds belong to the group, not the person, so they pass to the new chair as they are.
    """
    group_id = body_id(body)
    settle_terms(session, now)
    current = current_term(session, group_id, now, lock=True)
    latest = latest_term(session, group_id)  # read after the lock: sees a handover just made
    if latest is not None and (latest.starts_at >= now or latest.ended_early_at is not None):
        raise Conflict(
            _("The chair changed hands a moment ago. Reload the page to see who chairs now.")
        )
    rota = rotation_of(session, group_id)
    expected = _check_handover(body, rota, current, current or latest, to_seat_id, reason, actor)
    if current is not None:
        current.ends_at = current.ended_early_at = now
        session.add(current)
        session.flush()
    term = ChairTerm(
        working_group_id=group_id,
        seat_id=to_seat_id,
        starts_at=now,
        ends_at=rotation.add_months(now, rota.term_months),
        handover_reason=reason,
    )
    session.add(term)
    session.flush()
    names = _seat_names(session, [to_seat_id, current.seat_id if current else None, expected])
    audit.record(
        session,
        by=by,
        action="chair.handed_over",
        target=term,
        body=_body_label(session, group_id),
        working_group_id=group_id,
        from_seat=names.get(current.seat_id) if current else None,
        to_seat=names.get(to_seat_id),
        next_in_order=to_seat_id == expected,
        passed_over=None if to_seat_id == expected else names.get(expected),
        reason=reason,
        ended_term_id=current.id if current else None,
        ends_at=term.ends_at,
    )
    notices.chair_changed(
        session,
        group=body,
        term=term,
        previous_seat_id=current.seat_id if current else None,
        by=by,
        now=now,
    )
    return term


def _check_handover(
    body: WorkingGroup | None,
    rota: Rotation,
    current: ChairTerm | None,
    anchor: ChairTerm | None,
    to_seat_id: int | None,
    reason: str,
    actor: Actor | None,
) -> int | None:
    """Refuse a handover the rules do not allow; the seat next in order, which needs no
    reason. `anchor` is the term the rotation continues from (the current, else the latest)."""
    expected = next_seat(rota, anchor.seat_id if anchor else None)
    errors: dict[str, str] = {}
    if to_seat_id is None or to_seat_id not in rota.present:
        errors["seat_id"] = _("Choose a seat of the rotation.")
    elif current is not None and to_seat_id == current.seat_id:
        errors["seat_id"] = _("This seat chairs already.")
    elif to_seat_id != expected and actor is not None and not _may_pass_over(actor, body):
        raise NotAllowed(
            _("Only the secretariat can hand the chair to a seat other than the next in order.")
        )
    elif to_seat_id != expected and not reason:
        errors["reason"] = _("Give the reason for passing over the seat next in order.")
    if len(reason) > MAX_REASON:
        errors["reason"] = _("At most %(limit)s characters.", limit=MAX_REASON)
    if errors:
        raise Invalid(errors)
    return expected


@dataclass(frozen=True)
class HandoverPlan:
    """What a handover would do, for the page that asks to confirm it."""

    from_seat: Seat | None
    """The seat that chairs now (None: the handover starts the rotation)."""
    to_seat: Seat
    starts_at: datetime
    ends_at: datetime
    passed_over: Seat | None
    """The seat next in order, when the handover goes to another one."""
    reason: str


def plan_handover(
    session: Session,
    *,
    body: WorkingGroup | None,
    to_seat_id: int | None,
    reason: str,
    now: datetime,
    actor: Actor | None = None,
) -> HandoverPlan:
    """Check a handover as `hand_over_chair` will, and say what it would do; writes nothing."""
    group_id = body_id(body)
    current = current_term(session, group_id, now)
    rota = rotation_of(session, group_id)
    expected = _check_handover(
        body, rota, current, current or latest_term(session, group_id), to_seat_id, reason, actor
    )
    ids = {to_seat_id, expected, current.seat_id if current else None} - {None}
    seats = {s.id: s for s in session.exec(select(Seat).where(Seat.id.in_(ids))).all()}
    return HandoverPlan(
        from_seat=seats.get(current.seat_id) if current else None,
        to_seat=seats[to_seat_id],
        starts_at=now,
        ends_at=rotation.add_months(now, rota.term_months),
        passed_over=seats.get(expected) if expected != to_seat_id else None,
        reason=reason,
    )


def _may_pass_over(actor: Actor, body: WorkingGroup | None) -> bool:
    from council.permissions import can  # permissions reads the chairs: imported when used

    return can(actor, "chair.pass_over", body)


def chairing_seat_left(
    session: Session,
    *,
    group: WorkingGroup,
    seat_id: int,
    order_before: list[int],
    by: Person | None,
    now: datetime,
) -> ChairTerm | None:
    """A seat that leaves a working group stops chairing it at once: the seat after it in
    the rotation as it was takes over for a full term (recorded as a handover, with the
    reason), or, when no seat of the rotation is left, the term ends with no successor and
    the secretariat acts until a chair is chosen. Nothing happens if the seat was not
    chairing. Call it once the group's seats are saved."""
    current = current_term(session, group.id, now, lock=True)
    if current is None or current.seat_id != seat_id:
        return None
    successor = rotation.next_in_order(
        order_before, seat_id, rotation_of(session, group.id).present
    )
    if successor is not None:
        return hand_over_chair(
            session,
            body=group,
            to_seat_id=successor,
            by=by,
            now=now,
            reason=_("The chairing seat left the working group."),
        )
    current.ends_at = current.ended_early_at = now
    session.add(current)
    session.flush()
    audit.record(
        session,
        by=by,
        action="chair.term_ended",
        target=current,
        body=group.name,
        working_group_id=group.id,
        seat=_seat_names(session, [seat_id]).get(seat_id),
        reason="the chairing seat left the working group; no seat of the rotation is left",
    )
    return None


# who acts for the chairing seat


def get_term(session: Session, term_id: int) -> ChairTerm:
    term = session.get(ChairTerm, term_id)
    if term is None:
        raise NotFound()
    return term


def seat_people(session: Session, seat_id: int) -> list[Person]:
    """The active people of a seat, head first: who may act for it."""
    return list(
        session.exec(
            select(Person)
            .where(Person.seat_id == seat_id, Person.is_active)
            .order_by(Person.seat_role.desc(), Person.name)  # "head" > "delegate"
        ).all()
    )


def name_acting_person(
    session: Session, *, term: ChairTerm, person_id: int | None, by: Person | None, now: datetime
) -> ChairTerm:
    """The seat's head names who of the seat acts as chair for this term; None: the head."""
    if term.ends_at <= now:
        raise Conflict(_("This term has ended; its acting chair can no longer change."))
    if person_id is not None and person_id not in {
        p.id for p in seat_people(session, term.seat_id)
    }:
        raise Invalid({"person_id": _("Choose a person of the seat.")})
    before = term.acting_person_id
    if before == person_id:
        return term
    term.acting_person_id = person_id
    session.add(term)
    session.flush()
    people = dict(
        session.exec(
            select(Person.id, Person.name).where(
                Person.id.in_({p for p in (before, person_id) if p is not None})
            )
        ).all()
    )
    audit.record(
        session,
        by=by,
        action="chair.acting_named",
        target=term,
        body=_body_label(session, term.working_group_id),
        working_group_id=term.working_group_id,
        before=people.get(before, "head"),
        after=people.get(person_id, "head"),
    )
    return term


# recusal: the chair's seat stands aside for one draft, the vice chair acts


def subject_key(target: object) -> str | None:
    """The key a recusal names for a target of a group action: "draft:<id>" for a draft or
    anything of one (a round has a draft_id); None for the group itself."""
    if type(target).__name__ == "Draft" and getattr(target, "id", None) is not None:
        return f"draft:{target.id}"
    draft_id = getattr(target, "draft_id", None)
    return f"draft:{draft_id}" if draft_id is not None else None


def subject_number(key: str) -> str:
    return key.partition(":")[2]


@dataclass(frozen=True)
class RecusalFacts:
    """What the permission rules need, keyed by (working group id, subject key)."""

    recused: frozenset[tuple[int, str]] = frozenset()
    acting_for: frozenset[tuple[int, str]] = frozenset()
    """Subjects this person chairs as the vice chair's acting person."""
    unattended: frozenset[tuple[int, str]] = frozenset()
    """Recused subjects with no vice chair to act: the secretariat acts, as with no chair."""


def recusal_facts(
    session: Session, group_terms: Mapping[int, ChairTerm], person_id: int | None
) -> RecusalFacts:
    """The current chairs' recusals in force, in at most three queries."""
    if not group_terms:
        return RecusalFacts()
    rows = session.exec(
        select(ChairRecusal.working_group_id, ChairRecusal.seat_id, ChairRecusal.subject_key).where(
            ChairRecusal.working_group_id.in_(group_terms)
        )
    ).all()
    active = {(g, key) for g, seat, key in rows if group_terms[g].seat_id == seat}
    if not active:
        return RecusalFacts()
    vice = vice_chairs(session, {g: group_terms[g].seat_id for g, _key in active})
    heads = _heads(session, vice.values())
    acting = {g: heads.get(seat) for g, seat in vice.items()}
    return RecusalFacts(
        recused=frozenset(active),
        acting_for=frozenset(
            s for s in active if person_id is not None and acting.get(s[0]) == person_id
        ),
        unattended=frozenset(s for s in active if acting.get(s[0]) is None),
    )


def vice_chairs(session: Session, chair_seats: Mapping[int, int]) -> dict[int, int | None]:
    """Group id -> the vice chair's seat (the next present seat after the chair), one query."""
    orders: dict[int, list[int]] = {g: [] for g in chair_seats}
    for group_id, seat_id in session.exec(
        select(WorkingGroupSeat.working_group_id, WorkingGroupSeat.seat_id)
        .where(
            WorkingGroupSeat.working_group_id.in_(chair_seats),
            WorkingGroupSeat.rotation_position.is_not(None),
        )
        .order_by(WorkingGroupSeat.rotation_position, WorkingGroupSeat.seat_id)
    ).all():
        orders[group_id].append(seat_id)
    return {
        g: rotation.vice_chair(order, set(order), chair_seats[g]) for g, order in orders.items()
    }


def next_in_turn(session: Session, chair_seats: Mapping[int, int]) -> dict[int, Seat | None]:
    """Group id -> the seat whose turn comes after the chairing seat's (None when no other
    seat is in the rotation): one query, whatever the number of groups."""
    if not chair_seats:
        return {}
    orders: dict[int, list[Seat]] = {g: [] for g in chair_seats}
    for group_id, seat in session.exec(
        select(WorkingGroupSeat.working_group_id, Seat)
        .join(Seat, Seat.id == WorkingGroupSeat.seat_id)
        .where(
            WorkingGroupSeat.working_group_id.in_(chair_seats),
            WorkingGroupSeat.rotation_position.is_not(None),
        )
        .order_by(WorkingGroupSeat.rotation_position, WorkingGroupSeat.seat_id)
    ).all():
        orders[group_id].append(seat)
    turns: dict[int, Seat | None] = {}
    for group_id, order in orders.items():
        by_id = {seat.id: seat for seat in order}
        following = rotation.next_in_order(list(by_id), chair_seats[group_id], set(by_id))
        turns[group_id] = by_id.get(following) if following != chair_seats[group_id] else None
    return turns


def _heads(session: Session, seat_ids) -> dict[int, int]:
    """Seat id -> its active head: who acts for a vice-chair seat."""
    ids = {s for s in seat_ids if s is not None}
    if not ids:
        return {}
    heads: dict[int, int] = {}
    for person_id, seat_id in session.exec(
        select(Person.id, Person.seat_id)
        .where(Person.seat_id.in_(ids), Person.is_active, Person.seat_role == SeatRole.HEAD)
        .order_by(Person.id)
    ).all():
        heads.setdefault(seat_id, person_id)
    return heads


def _check_subject(key: str) -> None:
    if not SUBJECT_KEY.fullmatch(key):
        raise Invalid({"subject": _("Choose the draft to recuse the chair from.")})


def _chair_term(session: Session, group: WorkingGroup, now: datetime) -> ChairTerm:
    settle_terms(session, now)
    term = current_term(session, group.id, now)
    if term is None:
        raise Conflict(_("No seat chairs this working group at present."))
    return term


def find_recusal(session: Session, group_id: int, seat_id: int, key: str) -> ChairRecusal | None:
    return session.exec(
        select(ChairRecusal).where(
            ChairRecusal.working_group_id == group_id,
            ChairRecusal.seat_id == seat_id,
            ChairRecusal.subject_key == key,
        )
    ).first()


def recuse(
    session: Session,
    *,
    group: WorkingGroup,
    subject: str,
    reason: str,
    by: Person | None,
    now: datetime,
) -> ChairRecusal:
    """The chairing seat stands aside from chairing `subject`'s rounds (idempotent)."""
    _check_subject(subject)
    if len(reason) > MAX_REASON:
        raise Invalid({"reason": _("At most %(limit)s characters.", limit=MAX_REASON)})
    term = _chair_term(session, group, now)
    existing = find_recusal(session, group.id, term.seat_id, subject)
    if existing is not None:
        return existing
    recusal = ChairRecusal(
        working_group_id=group.id,
        seat_id=term.seat_id,
        subject_key=subject,
        reason=reason,
        by_id=by.id if by else None,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(recusal)
            session.flush()
    except IntegrityError:  # the same recusal, submitted twice at once
        return find_recusal(session, group.id, term.seat_id, subject)
    vice = vice_chairs(session, {group.id: term.seat_id})[group.id]
    names = _seat_names(session, [term.seat_id, vice])
    audit.record(
        session,
        by=by,
        action="chair.recused",
        target=recusal,
        body=group.name,
        working_group_id=group.id,
        seat=names.get(term.seat_id),
        subject=subject,
        reason=reason,
        vice_chair=names.get(vice),
    )
    notices.vice_chair_named(
        session,
        group=group,
        vice_seat_id=vice,
        chair_seat_id=term.seat_id,
        subject=subject,
        by=by,
        now=now,
    )
    return recusal


def withdraw_recusal(
    session: Session, *, group: WorkingGroup, subject: str, by: Person | None, now: datetime
) -> None:
    """The chairing seat chairs `subject`'s rounds again (nothing happens if it had not
    recused itself)."""
    _check_subject(subject)
    term = _chair_term(session, group, now)
    recusal = find_recusal(session, group.id, term.seat_id, subject)
    if recusal is None:
        return
    audit.record(
        session,
        by=by,
        action="chair.recusal_withdrawn",
        target=recusal,
        body=group.name,
        working_group_id=group.id,
        seat=_seat_names(session, [term.seat_id]).get(term.seat_id),
        subject=subject,
    )
    session.delete(recusal)
    session.flush()


# the rotation settings (secretariat)


def rotation_candidates(session: Session, body: WorkingGroup | None) -> list[Seat]:
    """Seats that may take a place in the rotation: for the council every member-state and
    participant seat, for a working group those that sit in it. Observers never chair."""
    if body is None:
        query = select(Seat).where(Seat.kind != SeatKind.OBSERVER)
    else:
        query = (
            select(Seat)
            .join(WorkingGroupSeat, WorkingGroupSeat.seat_id == Seat.id)
            .where(WorkingGroupSeat.working_group_id == body.id, Seat.kind != SeatKind.OBSERVER)
        )
    return list(session.exec(query.order_by(Seat.kind, Seat.name)).all())


def set_rotation(
    session: Session,
    *,
    body: WorkingGroup | None,
    places: Mapping[int, int | None],
    term_months: int | None,
    by: Person | None,
) -> Rotation:
    """Set the order (seat id -> place from 1; None: not in the rotation; equal places keep the
    listed order) and the term length. The running term keeps its dates; the next ones follow
    the new settings."""
    candidates = rotation_candidates(session, body)
    listed = {seat.id: index for index, seat in enumerate(candidates)}
    errors: dict[str, str] = {}
    if term_months is None or not 1 <= term_months <= 60:
        errors["term_months"] = _("Between 1 and 60 months.")
    if set(places) - set(listed):
        errors["form"] = _("Choose seats from the list.")
    for seat_id, place in places.items():
        if place is not None and place < 1:
            errors[f"place-{seat_id}"] = _("Enter a whole number from 1 upwards.")
    council = None
    if body is None:
        council = session.exec(select(Council).order_by(Council.id).limit(1)).first()
        if council is None:
            raise NotFound()
    if errors:
        raise Invalid(errors)
    before = rotation_of(session, body_id(body))
    order = sorted(
        (s for s, p in places.items() if p is not None), key=lambda s: (places[s], listed[s])
    )
    position = {seat_id: n for n, seat_id in enumerate(order, start=1)}
    if body is None:
        for seat in candidates:
            seat.council_rotation_position = position.get(seat.id)
            session.add(seat)
        council.chair_term_months = term_months
        session.add(council)
        target = council
    else:
        for row in session.exec(
            select(WorkingGroupSeat).where(WorkingGroupSeat.working_group_id == body.id)
        ).all():
            if row.seat_id in listed:
                row.rotation_position = position.get(row.seat_id)
                session.add(row)
        body.chair_term_months = term_months
        session.add(body)
        target = body
    session.flush()
    after = Rotation(order, term_months)
    if after != before:
        names = _seat_names(session, [*before.order, *after.order])
        audit.record(
            session,
            by=by,
            action="chair.rotation_changed",
            target=target,
            body=_body_label(session, body_id(body)),
            before={
                "order": [names.get(s) for s in before.order],
                "term_months": before.term_months,
            },
            after={"order": [names.get(s) for s in after.order], "term_months": after.term_months},
        )
    return after


# the history page: past, current and coming terms


@dataclass(frozen=True)
class TermView:
    term: ChairTerm
    seat: Seat
    person: Person | None
    """Who acts (or acted, when the term named someone) for the seat."""


@dataclass(frozen=True)
class History:
    body: WorkingGroup | None
    rotation: Rotation
    seats: dict[int, Seat]
    past: list[TermView]
    current: TermView | None
    coming: list[tuple[rotation.PlannedTerm, Seat]]
    recusals: list[ChairRecusal] = field(default_factory=list)
    vice_chair: Seat | None = None

    @property
    def next(self) -> Seat | None:
        """Whose turn is next."""
        return self.coming[0][1] if self.coming else None

    @property
    def rotation_seats(self) -> list[Seat]:
        return [self.seats[s] for s in self.rotation.order]

    @property
    def handover_choices(self) -> list[Seat]:
        chair = self.current.seat.id if self.current else None
        return [seat for seat in self.rotation_seats if seat.id != chair]


def history(
    session: Session, body: WorkingGroup | None, now: datetime, coming: int | None = None
) -> History:
    """Every term of the body, newest first, and the coming order with dates (by default one
    full round of the rotation, at least two terms). It writes nothing: the automatic terms not
    recorded yet are shown as projected (rotation.projected_terms)."""
    group_id = body_id(body)
    recorded = session.exec(
        select(ChairTerm).where(of_body(group_id), ChairTerm.starts_at <= now)
    ).all()
    projected = rotation.projected_terms(session, now, [group_id]).get(group_id, [])
    terms = sorted([*recorded, *projected], key=lambda t: t.starts_at, reverse=True)
    rota = rotation_of(session, group_id)
    current = rotation.current_term(terms, now)
    seat_ids = {t.seat_id for t in terms} | set(rota.order)
    seats = {s.id: s for s in session.exec(select(Seat).where(Seat.id.in_(seat_ids))).all()}
    acting = rotation.acting_person_ids(session, [current]) if current else {}
    person_ids = {t.acting_person_id for t in terms if t.acting_person_id} | {
        p for p in acting.values() if p
    }
    people = (
        {p.id: p for p in session.exec(select(Person).where(Person.id.in_(person_ids))).all()}
        if person_ids
        else {}
    )

    def view(term: ChairTerm) -> TermView:
        person_id = acting.get(term.id) if term is current else term.acting_person_id
        return TermView(term, seats[term.seat_id], people.get(person_id))

    planned: list[tuple[rotation.PlannedTerm, Seat]] = []
    if current is not None:
        count = coming if coming is not None else max(len(rota.order) - 1, 2)
        planned = [
            (plan, seats[plan.seat_id])
            for plan in rotation.upcoming(
                rota.order, rota.present, current.seat_id, current.ends_at, rota.term_months, count
            )
        ]
    recusals: list[ChairRecusal] = []
    vice = None
    if group_id is not None and current is not None:
        recusals = list(
            session.exec(
                select(ChairRecusal)
                .where(
                    ChairRecusal.working_group_id == group_id,
                    ChairRecusal.seat_id == current.seat_id,
                )
                .order_by(ChairRecusal.created_at)
            ).all()
        )
        vice_id = rotation.vice_chair(rota.order, rota.present, current.seat_id)
        vice = seats.get(vice_id) if vice_id is not None else None
    return History(
        body=body,
        rotation=rota,
        seats=seats,
        past=[view(t) for t in terms if t is not current and t.ends_at <= now],
        current=view(current) if current else None,
        coming=planned,
        recusals=recusals,
        vice_chair=vice,
    )
