"""Seats, people and working groups: the council's structure, changed only by the secretariat."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from council import audit, rotation, sessions
from council.auth import MIN_PASSWORD_LENGTH, hash_password, normalise_email
from council.errors import Invalid, NotFound
from council.i18n import gettext as _
from council.models import (
    ChairTerm,
    Council,
    DecisionRule,
    Person,
    Seat,
    SeatKind,
    SeatRole,
    WorkingGroup,
    WorkingGroupSeat,
)

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80]


def _require(errors: dict[str, str], value: str, field: str, limit: int) -> None:
    if not value:
        errors[field] = _("This field is required.")
    elif len(value) > limit:
        errors[field] = _("At most %(limit)s characters.", limit=limit)


def get_seat(session: Session, seat_id: int) -> Seat:
    seat = session.get(Seat, seat_id)
    if seat is None:
        raise NotFound()
    return seat


def get_person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound()
    return person


def get_group(session: Session, slug: str) -> WorkingGroup:
    group = session.exec(select(WorkingGroup).where(WorkingGroup.slug == slug)).first()
    if group is None:
        raise NotFound()
    return group


def save_seat(session: Session, *, by: Person | None, seat: Seat | None = None, name: str,
              kind: str, description: str = "") -> Seat:
    errors: dict[str, str] = {}
    _require(errors, name, "name", 200)
    if kind not in SeatKind.__members__.values():
        errors["kind"] = _("Choose a kind of seat.")
    if len(description) > 2000:
        errors["description"] = _("At most %(limit)s characters.", limit=2000)
    clash = session.exec(select(Seat.id).where(func.lower(Seat.name) == name.lower())).first()
    if name and clash is not None and (seat is None or clash != seat.id):
        errors["name"] = _("Another seat already has this name.")
    if errors:
        raise Invalid(errors)
    created = seat is None
    seat = seat or Seat(name=name, kind=SeatKind(kind))
    before = {"name": seat.name, "kind": seat.kind, "description": seat.description}
    seat.name, seat.kind, seat.description = name, SeatKind(kind), description
    session.add(seat)
    session.flush()
    after = {"name": seat.name, "kind": seat.kind, "description": seat.description}
    if created:
        audit.record(session, by=by, action="seat.created", target=seat, **after)
    elif before != after:
        audit.record(session, by=by, action="seat.updated", target=seat, before=before,
                     after=after)
    return seat


@dataclass
class PersonForm:
    email: str
    name: str
    seat_id: int | None = None
    seat_role: str | None = None
    is_secretariat: bool = False
    is_active: bool = True
    language: str | None = None
    password: str = ""


def save_person(session: Session, *, by: Person | None, form: PersonForm,
                person: Person | None = None, now: datetime) -> Person:
    errors: dict[str, str] = {}
    email = normalise_email(form.email)
    _require(errors, form.name, "name", 200)
    if not EMAIL_PATTERN.match(email) or len(email) > 320:
        errors["email"] = _("Enter a valid email address.")
    clash = session.exec(select(Person.id).where(Person.email == email)).first()
    if clash is not None and (person is None or clash != person.id):
        errors["email"] = _("Another person already uses this email.")
    if form.seat_id is not None and session.get(Seat, form.seat_id) is None:
        errors["seat_id"] = _("Choose a seat from the list.")
    if form.seat_id is not None and form.seat_role not in ("head", "delegate"):
        errors["seat_role"] = _("Choose whether the person is the head or a delegate.")
    if form.seat_id is not None and form.is_secretariat:
        errors["is_secretariat"] = _("The secretariat belongs to no seat.")
    if form.password and len(form.password) < MIN_PASSWORD_LENGTH:
        errors["password"] = _("At least %(limit)s characters.", limit=MIN_PASSWORD_LENGTH)
    if errors:
        raise Invalid(errors)
    created = person is None
    person = person or Person(email=email, name=form.name)
    before = _person_facts(person)
    person.email, person.name = email, form.name
    person.seat_id = form.seat_id
    person.seat_role = SeatRole(form.seat_role) if form.seat_id is not None else None
    person.is_secretariat = form.is_secretariat
    person.is_active = form.is_active
    person.language = form.language or None
    if form.password:
        person.password_hash = hash_password(form.password)
    session.add(person)
    session.flush()
    after = _person_facts(person)
    if created:
        audit.record(session, by=by, action="person.created", target=person, **after)
    elif before != after:
        audit.record(session, by=by, action="person.updated", target=person, before=before,
                     after=after)
    if not person.is_active or before.get("seat_id") != after["seat_id"]:
        sessions.end_all(session, person.id)
    return person


def _person_facts(person: Person) -> dict:
    return {"email": person.email, "name": person.name, "seat_id": person.seat_id,
            "seat_role": person.seat_role, "is_secretariat": person.is_secretariat,
            "is_active": person.is_active}


@dataclass
class GroupForm:
    name: str
    number: int | None
    mandate: str = ""
    decision_rule: str = DecisionRule.CONSENSUS
    quorum_numerator: int = 2
    quorum_denominator: int = 3
    participants_block: bool = False
    observers_read_deliberations: bool = False
    chair_term_months: int = 6


def save_group(session: Session, *, by: Person | None, form: GroupForm,
               group: WorkingGroup | None = None) -> WorkingGroup:
    errors: dict[str, str] = {}
    _require(errors, form.name, "name", 200)
    if len(form.mandate) > 5000:
        errors["mandate"] = _("At most %(limit)s characters.", limit=5000)
    if form.decision_rule not in DecisionRule.__members__.values():
        errors["decision_rule"] = _("Choose a decision rule.")
    if not (0 < form.quorum_numerator <= form.quorum_denominator <= 100):
        errors["quorum_numerator"] = _("The quorum must be a fraction between 0 and 1.")
    if not 1 <= form.chair_term_months <= 60:
        errors["chair_term_months"] = _("Between 1 and 60 months.")
    if form.number is None or form.number < 1:
        errors["number"] = _("Give the working group a number.")
    clash = session.exec(select(WorkingGroup.id).where(
        (func.lower(WorkingGroup.name) == form.name.lower()) | (WorkingGroup.number == form.number)
    )).first()
    if form.name and clash is not None and (group is None or clash != group.id):
        errors["name"] = _("Another working group already has this name or number.")
    if errors:
        raise Invalid(errors)
    created = group is None
    group = group or WorkingGroup(name=form.name, number=form.number, slug="")
    before = group.model_dump(exclude={"id", "created_at", "slug"})
    for key, value in vars(form).items():
        setattr(group, key, DecisionRule(value) if key == "decision_rule" else value)
    if created:
        group.slug = _unique_slug(session, form.name)
    session.add(group)
    session.flush()
    after = group.model_dump(exclude={"id", "created_at", "slug"})
    if created:
        audit.record(session, by=by, action="group.created", target=group, **after)
    elif before != after:
        audit.record(session, by=by, action="group.updated", target=group, before=before,
                     after=after)
    return group


def _unique_slug(session: Session, name: str) -> str:
    base = slugify(name) or "group"
    slug, n = base, 2
    while session.exec(select(WorkingGroup.id).where(WorkingGroup.slug == slug)).first():
        slug, n = f"{base}-{n}", n + 1
    return slug


def set_group_seats(session: Session, *, by: Person | None, group: WorkingGroup,
                    seat_ids: list[int]) -> None:
    """Make exactly these seats sit in (or, for observers, follow) the group; the order given
    is the rotation order of its member-state and participant seats."""
    known = {s.id: s for s in session.exec(select(Seat).where(Seat.id.in_(seat_ids))).all()}
    if len(known) != len(set(seat_ids)):
        raise Invalid({"seat_ids": _("Choose seats from the list.")})
    current = {row.seat_id: row for row in session.exec(
        select(WorkingGroupSeat).where(WorkingGroupSeat.working_group_id == group.id)).all()}
    for seat_id, row in current.items():
        if seat_id not in known:
            session.delete(row)
            audit.record(session, by=by, action="group.seat_removed", target=group,
                         seat_id=seat_id)
    position = 0
    for seat_id in dict.fromkeys(seat_ids):
        seat = known[seat_id]
        rotating = seat.kind != SeatKind.OBSERVER
        position += rotating
        row = current.get(seat_id)
        if row is None:
            row = WorkingGroupSeat(working_group_id=group.id, seat_id=seat_id)
            audit.record(session, by=by, action="group.seat_added", target=group,
                         seat_id=seat_id, seat=seat.name)
        row.rotation_position = position if rotating else None
        session.add(row)
    session.flush()


@dataclass(frozen=True)
class ChairInfo:
    seat: Seat
    person: Person | None
    term: ChairTerm


@dataclass(frozen=True)
class GroupSummary:
    group: WorkingGroup
    chair: ChairInfo | None
    seat_counts: Counter


def current_chairs(session: Session, now: datetime) -> dict[int | None, ChairInfo]:
    terms = {body: t for body, t in rotation.current_terms(session, now).items() if t}
    acting = rotation.acting_person_ids(session, list(terms.values()))
    seat_ids = {t.seat_id for t in terms.values()}
    person_ids = {p for p in acting.values() if p}
    seats = {s.id: s for s in session.exec(select(Seat).where(Seat.id.in_(seat_ids))).all()}
    people = {p.id: p for p in session.exec(
        select(Person).where(Person.id.in_(person_ids))).all()}
    return {
        body: ChairInfo(seats[t.seat_id], people.get(acting.get(t.id)), t)
        for body, t in terms.items()
    }


def group_summaries(session: Session, now: datetime) -> list[GroupSummary]:
    groups = session.exec(select(WorkingGroup).order_by(WorkingGroup.number)).all()
    counts: dict[int, Counter] = {g.id: Counter() for g in groups}
    for group_id, kind, n in session.exec(
        select(WorkingGroupSeat.working_group_id, Seat.kind, func.count())
        .join(Seat, Seat.id == WorkingGroupSeat.seat_id)
        .group_by(WorkingGroupSeat.working_group_id, Seat.kind)
    ).all():
        counts[group_id][SeatKind(kind)] = n
    chairs = current_chairs(session, now)
    return [GroupSummary(g, chairs.get(g.id), counts[g.id]) for g in groups]


def group_seats(session: Session, group: WorkingGroup) -> list[tuple[Seat, WorkingGroupSeat]]:
    """The group's seats in rotation order (observers last, by name)."""
    rows = session.exec(
        select(Seat, WorkingGroupSeat).join(WorkingGroupSeat, WorkingGroupSeat.seat_id == Seat.id)
        .where(WorkingGroupSeat.working_group_id == group.id)
    ).all()
    return sorted(rows, key=lambda r: (r[1].rotation_position is None,
                                       r[1].rotation_position or 0, r[0].name))


def list_seats(session: Session) -> list[Seat]:
    return list(session.exec(select(Seat).order_by(Seat.kind, Seat.name)).all())


def list_people(session: Session) -> list[tuple[Person, Seat | None]]:
    return list(session.exec(
        select(Person, Seat).join(Seat, Seat.id == Person.seat_id, isouter=True)
        .order_by(Person.name)
    ).all())


def save_preferences(session: Session, *, person: Person, language: str, timezone: str,
                     languages: tuple[str, ...]) -> None:
    from zoneinfo import available_timezones

    errors: dict[str, str] = {}
    if language and language not in languages:
        errors["language"] = _("Choose one of the offered languages.")
    if timezone not in available_timezones():
        errors["timezone"] = _("Choose a time zone from the list.")
    if errors:
        raise Invalid(errors)
    person.language = language or None
    person.timezone = timezone
    session.add(person)


def ensure_council(session: Session, *, name: str, is_demo: bool = False) -> Council:
    council = session.exec(select(Council).order_by(Council.id).limit(1)).first()
    if council is None:
        council = Council(name=name, is_demo=is_demo)
        session.add(council)
        session.flush()
    return council
