"""Seats, people and working groups: the council's structure, changed only by the secretariat."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from council import audit, chairs, dates, names, rotation, sessions
from council.auth import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    normalise_email,
)
from council.database import MAX_ID, memo, utcnow
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


def _translated(
    errors: dict[str, str], values: dict[str, str] | None, field: str, limit: int
) -> dict[str, str] | None:
    """The values typed for `field` in the other languages (blank: none), each checked for
    length beside its own field, `<field>_<language>`. None (not given): left as they are."""
    if values is None:
        return None
    for language, value in values.items():
        if len(value) > limit:
            errors[f"{field}_{language}"] = _("At most %(limit)s characters.", limit=limit)
    return {language: value for language, value in values.items() if value}


def _name_clashes(
    errors: dict[str, str], typed: dict[str, str] | None, others, message: str
) -> None:
    """A translated name another seat (or group) already has in that language."""
    for language, value in (typed or {}).items():
        if any(
            names.translations(other, "name").get(language, "").lower() == value.lower()
            for other in others
        ):
            errors[f"name_{language}"] = message


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


def save_seat(
    session: Session,
    *,
    by: Person | None,
    seat: Seat | None = None,
    name: str,
    kind: str,
    description: str = "",
    name_translations: dict[str, str] | None = None,
) -> Seat:
    """`name` in the council's default language; `name_translations` in the others."""
    errors: dict[str, str] = {}
    _require(errors, name, "name", 200)
    typed = _translated(errors, name_translations, "name", 200)
    if typed:
        others = [
            other
            for other in session.exec(select(Seat)).all()
            if seat is None or other.id != seat.id
        ]
        _name_clashes(errors, typed, others, _("Another seat already has this name."))
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
    before = _seat_facts(seat)
    seat.name, seat.kind, seat.description = name, SeatKind(kind), description
    if typed is not None:
        names.set_translations(seat, "name", typed)
    session.add(seat)
    session.flush()
    after = _seat_facts(seat)
    if created:
        audit.record(session, by=by, action="seat.created", target=seat, **after)
    elif before != after:
        audit.record(session, by=by, action="seat.updated", target=seat, before=before, after=after)
    return seat


def _seat_facts(seat: Seat) -> dict:
    return {
        "name": seat.name,
        "kind": seat.kind,
        "description": seat.description,
        "name_translations": names.translations(seat, "name"),
    }


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


def save_person(
    session: Session,
    *,
    by: Person | None,
    form: PersonForm,
    person: Person | None = None,
    now: datetime,
    languages: tuple[str, ...] | None = None,
) -> Person:
    """Create or change a person. Deactivating them, moving them to another seat or setting a
    new password for them ends their sessions at once."""
    errors: dict[str, str] = {}
    email = normalise_email(form.email)
    _require(errors, form.name, "name", 200)
    if not EMAIL_PATTERN.match(email) or len(email) > 320:
        errors["email"] = _("Enter a valid email address.")
    clash = session.exec(select(Person.id).where(Person.email == email)).first()
    if clash is not None and (person is None or clash != person.id):
        errors["email"] = _("Another person already uses this email.")
    if form.seat_id is not None and (
        not 0 < form.seat_id <= MAX_ID or session.get(Seat, form.seat_id) is None
    ):
        errors["seat_id"] = _("Choose a seat from the list.")
    if form.seat_id is not None and form.seat_role not in ("head", "delegate"):
        errors["seat_role"] = _("Choose whether the person is the head or a delegate.")
    if form.seat_id is not None and form.is_secretariat:
        errors["is_secretariat"] = _("The secretariat belongs to no seat.")
    if form.password and len(form.password) < MIN_PASSWORD_LENGTH:
        errors["password"] = _("At least %(limit)s characters.", limit=MIN_PASSWORD_LENGTH)
    elif len(form.password) > MAX_PASSWORD_LENGTH:
        errors["password"] = _("At most %(limit)s characters.", limit=MAX_PASSWORD_LENGTH)
    offered = languages is None or form.language in languages
    if form.language and (len(form.language) > 8 or not offered):
        errors["language"] = _("Choose one of the offered languages.")
    if person is not None and by is not None and person.id == by.id:
        # the secretariat cannot lock itself out of the area that could undo it
        if not form.is_active:
            errors["is_active"] = _("You cannot deactivate your own account.")
        if by.is_secretariat and not form.is_secretariat:
            errors["is_secretariat"] = _("You cannot remove your own secretariat role.")
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
    password_reset = bool(form.password) and not created
    if created:
        audit.record(session, by=by, action="person.created", target=person, **after)
    elif before != after or password_reset:
        audit.record(
            session,
            by=by,
            action="person.updated",
            target=person,
            before=before,
            after=after,
            password_reset=password_reset,
        )
    reset_by_other = password_reset and (by is None or by.id != person.id)
    if not person.is_active or before["seat_id"] != after["seat_id"] or reset_by_other:
        sessions.end_all(session, person.id)
    return person


def _person_facts(person: Person) -> dict:
    return {
        "email": person.email,
        "name": person.name,
        "seat_id": person.seat_id,
        "seat_role": person.seat_role,
        "is_secretariat": person.is_secretariat,
        "is_active": person.is_active,
    }


@dataclass
class GroupForm:
    """None in a number field means it was left blank or was not a whole number."""

    name: str
    number: int | None
    mandate: str = ""
    decision_rule: str = DecisionRule.CONSENSUS
    quorum_numerator: int | None = 2
    quorum_denominator: int | None = 3
    participants_block: bool = False
    observers_read_deliberations: bool = False
    chair_term_months: int | None = 6
    name_translations: dict[str, str] | None = None
    """The name in the languages other than the council's default one (None: unchanged)."""
    mandate_translations: dict[str, str] | None = None


TRANSLATED = ("name_translations", "mandate_translations")


def save_group(
    session: Session, *, by: Person | None, form: GroupForm, group: WorkingGroup | None = None
) -> WorkingGroup:
    errors: dict[str, str] = {}
    _require(errors, form.name, "name", 200)
    if len(form.mandate) > 5000:
        errors["mandate"] = _("At most %(limit)s characters.", limit=5000)
    typed_names = _translated(errors, form.name_translations, "name", 200)
    typed_mandates = _translated(errors, form.mandate_translations, "mandate", 5000)
    if typed_names:
        _name_clashes(
            errors,
            typed_names,
            [
                other
                for other in session.exec(select(WorkingGroup)).all()
                if group is None or other.id != group.id
            ],
            _("Another working group already has this name."),
        )
    if form.decision_rule not in DecisionRule.__members__.values():
        errors["decision_rule"] = _("Choose a decision rule.")
    numerator, denominator = form.quorum_numerator, form.quorum_denominator
    if denominator is None or not 1 <= denominator <= 100:
        errors["quorum_denominator"] = _("A whole number between 1 and 100.")
    elif numerator is None or not 0 < numerator <= denominator:
        errors["quorum_numerator"] = _("The quorum must be a fraction between 0 and 1.")
    if form.chair_term_months is None or not 1 <= form.chair_term_months <= 60:
        errors["chair_term_months"] = _("Between 1 and 60 months.")
    if form.number is None or not 1 <= form.number <= 999:
        errors["number"] = _("Give the working group a number between 1 and 999.")
    others = select(WorkingGroup).where(
        (func.lower(WorkingGroup.name) == form.name.lower()) | (WorkingGroup.number == form.number)
    )
    for other in session.exec(others).all():
        if group is not None and other.id == group.id:
            continue
        if form.name and other.name.lower() == form.name.lower():
            errors["name"] = _("Another working group already has this name.")
        if other.number == form.number:
            errors["number"] = _("Another working group already has this number.")
    if errors:
        raise Invalid(errors)
    created = group is None
    group = group or WorkingGroup(name=form.name, number=form.number, slug="")
    before = _group_facts(group)
    for key, value in vars(form).items():
        if key not in TRANSLATED:
            setattr(group, key, DecisionRule(value) if key == "decision_rule" else value)
    if typed_names is not None:
        names.set_translations(group, "name", typed_names)
    if typed_mandates is not None:
        names.set_translations(group, "mandate", typed_mandates)
    if created:
        group.slug = _unique_slug(session, form.name)
    session.add(group)
    session.flush()
    after = _group_facts(group)
    if created:
        audit.record(session, by=by, action="group.created", target=group, **after)
    elif before != after:
        audit.record(
            session, by=by, action="group.updated", target=group, before=before, after=after
        )
    return group


def _group_facts(group: WorkingGroup) -> dict:
    facts = {
        key: getattr(group, key) for key in GroupForm.__dataclass_fields__ if key not in TRANSLATED
    }
    facts["decision_rule"] = str(facts["decision_rule"])  # an enum when set, a str when loaded
    facts["name_translations"] = names.translations(group, "name")
    facts["mandate_translations"] = names.translations(group, "mandate")
    return facts


def next_group_number(session: Session) -> int:
    """The number a new working group is offered: one after the highest."""
    return (session.exec(select(func.max(WorkingGroup.number))).one() or 0) + 1


def _unique_slug(session: Session, name: str) -> str:
    base = slugify(name) or "group"
    slug, n = base, 2
    while session.exec(select(WorkingGroup.id).where(WorkingGroup.slug == slug)).first():
        slug, n = f"{base}-{n}", n + 1
    return slug


def set_group_seats(
    session: Session,
    *,
    by: Person | None,
    group: WorkingGroup,
    seat_ids: list[int],
    now: datetime | None = None,
) -> None:
    """Make exactly these seats sit in (or, for observers, follow) the group; the order given
    is the rotation order of its member-state and participant seats."""
    known = {s.id: s for s in session.exec(select(Seat).where(Seat.id.in_(seat_ids))).all()}
    if len(known) != len(set(seat_ids)):
        raise Invalid({"seat_ids": _("Choose seats from the list.")})
    current = {
        row.seat_id: row
        for row in session.exec(
            select(WorkingGroupSeat).where(WorkingGroupSeat.working_group_id == group.id)
        ).all()
    }
    for seat_id, row in current.items():
        if seat_id not in known:
            session.delete(row)
            audit.record(session, by=by, action="group.seat_removed", target=group, seat_id=seat_id)
    rotation_before = [
        seat_id
        for seat_id, row in sorted(
            ((s, r) for s, r in current.items() if r.rotation_position is not None),
            key=lambda pair: pair[1].rotation_position,
        )
    ]
    rotation_after: list[int] = []
    for seat_id in dict.fromkeys(seat_ids):
        seat = known[seat_id]
        rotating = seat.kind != SeatKind.OBSERVER
        row = current.get(seat_id)
        if row is None:
            row = WorkingGroupSeat(working_group_id=group.id, seat_id=seat_id)
            audit.record(
                session,
                by=by,
                action="group.seat_added",
                target=group,
                seat_id=seat_id,
                seat=seat.name,
            )
        if rotating:
            rotation_after.append(seat_id)
        row.rotation_position = len(rotation_after) if rotating else None
        session.add(row)
    if rotation_after != rotation_before:
        audit.record(
            session,
            by=by,
            action="group.rotation_changed",
            target=group,
            before=rotation_before,
            after=rotation_after,
        )
    session.flush()
    now = now or utcnow()
    for seat_id in set(current) - set(known):  # a chairing seat that left hands over now
        chairs.chairing_seat_left(
            session, group=group, seat_id=seat_id, order_before=rotation_before, by=by, now=now
        )


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
    """Body -> its chair at `now` (seat, acting person, term); read once per transaction
    (council.database.memo): the group list and the council's chair both show them."""
    return dict(memo(session, ("current_chairs", now), lambda: _current_chairs(session, now)))


def _current_chairs(session: Session, now: datetime) -> dict[int | None, ChairInfo]:
    terms = {body: t for body, t in rotation.current_terms(session, now).items() if t}
    acting = rotation.acting_person_ids(session, list(terms.values()))
    seat_ids = {t.seat_id for t in terms.values()}
    person_ids = {p for p in acting.values() if p}
    seats = {s.id: s for s in session.exec(select(Seat).where(Seat.id.in_(seat_ids))).all()}
    people = {p.id: p for p in session.exec(select(Person).where(Person.id.in_(person_ids))).all()}
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
        select(Seat, WorkingGroupSeat)
        .join(WorkingGroupSeat, WorkingGroupSeat.seat_id == Seat.id)
        .where(WorkingGroupSeat.working_group_id == group.id)
    ).all()
    return sorted(
        rows, key=lambda r: (r[1].rotation_position is None, r[1].rotation_position or 0, r[0].name)
    )


def list_seats(session: Session) -> list[Seat]:
    return list(session.exec(select(Seat).order_by(Seat.kind, Seat.name)).all())


def list_people(session: Session) -> list[tuple[Person, Seat | None]]:
    return list(
        session.exec(
            select(Person, Seat)
            .join(Seat, Seat.id == Person.seat_id, isouter=True)
            .order_by(Person.name)
        ).all()
    )


def seat_people(session: Session, seat: Seat) -> list[Person]:
    """The seat's people, head first, then by name (inactive ones included, marked)."""
    return list(
        session.exec(
            select(Person)
            .where(Person.seat_id == seat.id)
            .order_by(Person.seat_role.desc(), Person.name)  # "head" > "delegate": heads first
        ).all()
    )


def seat_groups(session: Session, seat: Seat) -> list[WorkingGroup]:
    return list(
        session.exec(
            select(WorkingGroup)
            .join(WorkingGroupSeat, WorkingGroupSeat.working_group_id == WorkingGroup.id)
            .where(WorkingGroupSeat.seat_id == seat.id)
            .order_by(WorkingGroup.number)
        ).all()
    )


def people_per_seat(session: Session) -> dict[int, int]:
    """Seat id -> how many active people it has (one query)."""
    return dict(
        session.exec(
            select(Person.seat_id, func.count())
            .where(Person.seat_id.is_not(None), Person.is_active)
            .group_by(Person.seat_id)
        ).all()
    )


@dataclass(frozen=True)
class StructureCounts:
    seats: Counter
    people_active: int
    people_inactive: int
    secretariat: int
    groups: int


def structure_counts(session: Session) -> StructureCounts:
    """What the secretariat's overview counts, in three queries."""
    seats = Counter(
        {
            SeatKind(kind): n
            for kind, n in session.exec(select(Seat.kind, func.count()).group_by(Seat.kind)).all()
        }
    )
    people = Counter()
    for active, secretariat, n in session.exec(
        select(Person.is_active, Person.is_secretariat, func.count()).group_by(
            Person.is_active, Person.is_secretariat
        )
    ).all():
        people["active" if active else "inactive"] += n
        people["secretariat"] += n if active and secretariat else 0
    groups = session.exec(select(func.count()).select_from(WorkingGroup)).one()
    return StructureCounts(
        seats, people["active"], people["inactive"], people["secretariat"], groups
    )


def save_preferences(
    session: Session, *, person: Person, language: str, timezone: str, languages: tuple[str, ...]
) -> None:
    """The person's language and time zone: one of the zones offered (council.dates), or the
    one they have, which an older list may have offered."""
    errors: dict[str, str] = {}
    if language and language not in languages:
        errors["language"] = _("Choose one of the offered languages.")
    if not dates.offered(timezone) and timezone != person.timezone:
        errors["timezone"] = _("Choose a time zone from the list.")
    if errors:
        raise Invalid(errors)
    person.language = language or None
    person.timezone = timezone
    session.add(person)


def official_languages(council: Council, languages: tuple[str, ...]) -> list[str]:
    """The council's official languages (a comma list) among `languages`, in their order."""
    chosen = {code.strip() for code in (council.official_languages or "").split(",")}
    return [code for code in languages if code in chosen]


TRANSLATED_FIELDS = ((Seat, ("name",)), (WorkingGroup, ("name", "mandate")))
"""What has a value per language, besides the council's own name."""


REVIEW_MONTHS = (0, 3, 6, 12, 24)
"""The follow-up review cycles the secretariat may choose, in months (0: no reminders)."""


def save_council(
    session: Session,
    *,
    by: Person,
    council: Council,
    name: str,
    default_language: str,
    public_recommendations: bool,
    languages: tuple[str, ...],
    name_translations: dict[str, str] | None = None,
    official: list[str] | None = None,
    follow_up_review_months: int | None = None,
) -> Council:
    """The council's own settings, changed by the secretariat and recorded.

    `name` is in the current default language, `name_translations` in the others. A new
    default language takes its values from the translations, for the council's name and for
    every seat's and working group's, so that each plain value stays in the default language;
    it is refused while one of them has no value in it."""
    name = " ".join(name.split())
    errors: dict[str, str] = {}
    _require(errors, name, "name", 200)
    if default_language not in languages:
        errors["default_language"] = _("Choose one of the offered languages.")
    typed = _translated(errors, name_translations, "name", 200)
    if typed is not None:
        typed = {
            code: " ".join(value.split())
            for code, value in typed.items()
            if code in languages and code != council.default_language
        }
    if official is not None:
        official = [code for code in languages if code in set(official)]
        if not official:
            errors["official_languages"] = _("Choose at least one official language.")
        elif default_language in languages and default_language not in official:
            errors["official_languages"] = _(
                "The default language must be one of the official languages."
            )
    old_default = council.default_language
    every_name = {
        old_default: name,
        **(typed if typed is not None else names.translations(council, "name")),
    }
    rows: list = []
    if default_language != old_default and default_language in languages:
        if not every_name.get(default_language):
            errors[f"name_{default_language}"] = _(
                "Give the council's name in the new default language."
            )
        rows, missing = _without_value_in(session, default_language, old_default)
        if missing:
            errors["default_language"] = _(
                "First give these names in %(language)s, the new default language: %(names)s.",
                language=names.language_in_words(default_language),
                names=", ".join(missing),
            )
    if follow_up_review_months is not None and follow_up_review_months not in REVIEW_MONTHS:
        errors["follow_up_review_months"] = _("Choose one of the offered periods.")
    if errors:
        raise Invalid(errors)
    before = _council_facts(council)
    if default_language != old_default:
        for row, field in rows:
            _change_default(row, field, old_default, default_language)
    council.name = every_name.get(default_language) or name
    names.set_translations(council, "name", every_name, default_language=default_language)
    council.default_language = default_language
    council.public_recommendations = public_recommendations
    if official is not None:
        council.official_languages = ",".join(official)
    if follow_up_review_months is not None:
        council.follow_up_review_months = follow_up_review_months
    after = _council_facts(council)
    if before == after:
        return council
    session.add(council)
    session.flush()
    audit.record(
        session,
        by=by,
        action="council.settings_changed",
        target=council,
        changes={key: [before[key], value] for key, value in after.items() if before[key] != value},
    )
    return council


def _council_facts(council: Council) -> dict:
    return {
        "name": council.name,
        "default_language": council.default_language,
        "public_recommendations": council.public_recommendations,
        "official_languages": council.official_languages,
        "follow_up_review_months": council.follow_up_review_months,
        "name_translations": names.translations(council, "name"),
    }


def _without_value_in(
    session: Session, language: str, old_default: str
) -> tuple[list[tuple[object, str]], list[str]]:
    """Every seat's and working group's translated field, and the names of those that have
    a value in the old default language but none in `language`."""
    rows, missing = [], []
    for model, fields in TRANSLATED_FIELDS:
        for row in session.exec(select(model)).all():
            for field in fields:
                rows.append((row, field))
                if getattr(row, field) and not names.translations(row, field).get(language):
                    missing.append(
                        row.name
                        if field == "name"
                        else _("the mandate of %(group)s", group=row.name)
                    )
    return rows, missing


def _change_default(row, field: str, old: str, new: str) -> None:
    """Swap the plain value (in `old`) with its translation in `new`."""
    values = names.in_every_language(row, field, old)
    setattr(row, field, values.get(new, ""))
    names.set_translations(row, field, values, default_language=new)


def ensure_council(session: Session, *, name: str, is_demo: bool = False) -> Council:
    council = session.exec(select(Council).order_by(Council.id).limit(1)).first()
    if council is None:
        council = Council(name=name, is_demo=is_demo)
        session.add(council)
        session.flush()
    return council
