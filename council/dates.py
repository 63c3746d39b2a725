"""Dates people read: how long until (or since) a moment, as each language says it; the
moment in the reader's zone, named by its city, and in the chair's when that differs; the time
zones a person chooses from, by country, the council's region first."""

from __future__ import annotations

import functools
import unicodedata
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

import jinja2
from babel import Locale
from babel.core import get_global
from babel.dates import format_time, format_timedelta, get_timezone_location
from sqlalchemy import case, or_
from sqlmodel import Session, select

from council.i18n import current_language, join_date_time, pgettext, zone, zone_label
from council.i18n import gettext as _
from council.models import ChairTerm, Person, SeatRole

UTC_NAME = "UTC"
OTHER = "other"
"""The first list's choice that means "the zone chosen in the list of other zones"."""

REGION: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "CA",
        (
            "America/St_Johns",
            "America/Halifax",
            "America/Toronto",
            "America/Winnipeg",
            "America/Regina",
            "America/Edmonton",
            "America/Vancouver",
            "America/Whitehorse",
        ),
    ),
    (
        "US",
        (
            "America/New_York",
            "America/Chicago",
            "America/Denver",
            "America/Phoenix",
            "America/Los_Angeles",
            "America/Anchorage",
            "Pacific/Honolulu",
        ),
    ),
    (
        "MX",
        (
            "America/Cancun",
            "America/Mexico_City",
            "America/Matamoros",
            "America/Chihuahua",
            "America/Ciudad_Juarez",
            "America/Hermosillo",
            "America/Mazatlan",
            "America/Tijuana",
        ),
    ),
    ("GT", ("America/Guatemala",)),
    ("BZ", ("America/Belize",)),
    ("HN", ("America/Tegucigalpa",)),
    ("SV", ("America/El_Salvador",)),
    ("NI", ("America/Managua",)),
    ("CR", ("America/Costa_Rica",)),
    ("PA", ("America/Panama",)),
    ("CU", ("America/Havana",)),
    ("DO", ("America/Santo_Domingo",)),
    ("HT", ("America/Port-au-Prince",)),
    ("JM", ("America/Jamaica",)),
    ("PR", ("America/Puerto_Rico",)),
)
"""The council's region (North and Central America, and the Caribbean countries its migration
routes cross): each country with the zones its people live in (the main ones, east to west),
offered first."""

REGION_ZONES = frozenset(name for _country, names in REGION for name in names)

AREAS = (
    "America",
    "Europe",
    "Africa",
    "Asia",
    "Atlantic",
    "Pacific",
    "Indian",
    "Australia",
    "Antarctica",
    "Arctic",
)
"""The areas of the other zones' names, in the order their lists are offered."""

SHORT_WHILE = timedelta(hours=12)
"""Nearer than this, a moment is said in hours and minutes ("in 10 hours"); further, in
calendar days of the reader's zone ("tomorrow", "in 4 days")."""


# The zones a person chooses from


def canonical(name: str) -> str:
    """The zone's current name for an old one a browser may still give (Asia/Calcutta)."""
    return get_global("zone_aliases").get(name, name)


@functools.cache
def _other_zones() -> frozenset[str]:
    """Every other current zone of a place (no aliases, no Etc/ offsets, no old names)."""
    aliases = get_global("zone_aliases")
    return frozenset(
        name
        for name in zoneinfo.available_timezones()
        if name.split("/")[0] in AREAS and name not in aliases and name not in REGION_ZONES
    )


def offered(name: str) -> bool:
    return name == UTC_NAME or name in REGION_ZONES or name in _other_zones()


def in_first_list(name: str) -> bool:
    return name == UTC_NAME or name in REGION_ZONES


def chosen(first: str, other: str) -> str:
    """The zone the account form chose: the first list's, or the other list's after "Other"."""
    return other if first == OTHER else first


def proposal(name: str, current: str) -> str | None:
    """The zone a browser proposed (static/js/timezone.js), when it is one offered and not the
    person's already."""
    name = canonical(name.strip())
    return name if offered(name) and name != current else None


def form_values(name: str) -> dict[str, str]:
    """The account form's two lists, set to show `name`."""
    if in_first_list(name):
        return {"timezone": name, "timezone_other": ""}
    return {"timezone": OTHER, "timezone_other": name}


@dataclass(frozen=True)
class ZoneGroup:
    label: str
    zones: tuple[tuple[str, str], ...]
    """(zone name, its city in the reader's language)"""


def _sort_key(label: str) -> str:
    """Alphabetical as a reader expects: "États-Unis" among the E's."""
    return unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().casefold()


def _city(name: str, language: str) -> str:
    return get_timezone_location(zoneinfo.ZoneInfo(name), locale=language, return_city=True)


@functools.cache
def region_choices(language: str) -> tuple[ZoneGroup, ...]:
    """The region's countries by name in `language`, each with its zones by city."""
    territories = Locale.parse(language).territories
    groups = [
        ZoneGroup(
            territories.get(country, country),
            tuple((name, _city(name, language)) for name in names),
        )
        for country, names in REGION
    ]
    return tuple(sorted(groups, key=lambda group: _sort_key(group.label)))


def _area_label(area: str) -> str:
    labels = {
        "America": pgettext("time zone area", "Americas"),
        "Europe": pgettext("time zone area", "Europe"),
        "Africa": pgettext("time zone area", "Africa"),
        "Asia": pgettext("time zone area", "Asia"),
        "Atlantic": pgettext("time zone area", "Atlantic Ocean"),
        "Pacific": pgettext("time zone area", "Pacific Ocean"),
        "Indian": pgettext("time zone area", "Indian Ocean"),
        "Australia": pgettext("time zone area", "Australia"),
        "Antarctica": pgettext("time zone area", "Antarctica"),
        "Arctic": pgettext("time zone area", "Arctic"),
    }
    return labels[area]


def other_choices(language: str) -> tuple[ZoneGroup, ...]:
    """Every other zone, by area, then by city in `language` (the area names translated in
    the active language, which is `language`)."""
    cities = _other_cities(language)
    return tuple(ZoneGroup(_area_label(area), zones) for area, zones in cities)


@functools.cache
def _other_cities(language: str) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    by_area: dict[str, list[tuple[str, str]]] = {area: [] for area in AREAS}
    for name in _other_zones():
        by_area[name.split("/")[0]].append((name, _city(name, language)))
    return tuple(
        (area, tuple(sorted(zones, key=lambda pair: (_sort_key(pair[1]), pair[0]))))
        for area, zones in by_area.items()
        if zones
    )


def city(name: str) -> str:
    """The zone's city in the active language ("Ciudad de México"); "UTC" for UTC."""
    return UTC_NAME if name == UTC_NAME else _city(name, current_language())


# Moments as people read them


def machine(value: datetime) -> str:
    """For <time datetime>: ISO 8601 with the offset, to the minute when the moment has no
    seconds (a deadline), else to the second or the millisecond (HTML allows no more)."""
    if value.microsecond:
        return value.isoformat(timespec="milliseconds")
    return value.isoformat(timespec="seconds" if value.second else "minutes")


def relative(value: datetime, now: datetime, timezone: str | None) -> str:
    """ "in 10 hours", "tomorrow", "in 4 days", "2 hours ago", "hace 3 días": how far `value`
    is from `now`, in the active language. Within SHORT_WHILE in hours or minutes; beyond, in
    calendar days of the reader's zone, so that "in 4 days" is the weekday four days on."""
    language = current_language()
    delta = value - now
    if abs(delta) < SHORT_WHILE:
        return format_timedelta(delta, granularity="minute", add_direction=True, locale=language)
    local_zone = zone(timezone)
    days = (value.astimezone(local_zone).date() - now.astimezone(local_zone).date()).days
    if days == 1:
        return pgettext("relative day", "tomorrow")
    if days == -1:
        return pgettext("relative day", "yesterday")
    if days == 0:  # more than twelve hours away, the same day: e.g. from 00:30 to 23:00
        return format_timedelta(delta, granularity="hour", add_direction=True, locale=language)
    return format_timedelta(
        timedelta(days=days), granularity="day", threshold=2, add_direction=True, locale=language
    )


def moment_text(value: datetime, timezone: str | None) -> str:
    """ "Tuesday, December 8, 2026, 6:00 PM (Mexico City time)"."""
    return f"{join_date_time(value, timezone)} ({zone_label(timezone)})"


def in_two_zones(value: datetime, chair_timezone: str, timezone: str | None) -> str:
    """The moment by the chair's clock, then the reader's: only the time when the date is the
    same in both, else the date too."""
    chair_local = value.astimezone(zone(chair_timezone))
    local = value.astimezone(zone(timezone))
    yours = (
        format_time(local, format="short", locale=current_language())
        if local.date() == chair_local.date()
        else join_date_time(value, timezone)
    )
    return _(
        "%(chair_time)s (%(chair_zone)s), %(your_time)s your time",
        chair_time=join_date_time(value, chair_timezone),
        chair_zone=zone_label(chair_timezone),
        your_time=yours,
    )


def differs(value: datetime, chair_timezone: str | None, timezone: str | None) -> bool:
    """Whether the chair's clock reads `value` otherwise than the reader's."""
    if not chair_timezone:
        return False
    return (
        value.astimezone(zone(chair_timezone)).utcoffset()
        != value.astimezone(zone(timezone)).utcoffset()
    )


@dataclass(frozen=True)
class Moment:
    iso: str
    """For <time datetime>."""
    text: str
    """The date and time in the reader's zone, or in the chair's and the reader's."""
    relative: str | None
    """"in 4 days": None on a page anonymous readers share through caches, which says only
    what stays true."""
    past: bool


@jinja2.pass_context
def when(context, value: datetime, chair_timezone: str | None = None) -> Moment:
    """A moment for a template: "now" is the request's one clock (request.state.now). A page
    that says "in 4 days" is true only now: render() then marks it private and not stored."""
    timezone = context.get("timezone") or UTC_NAME
    request = context.get("request")
    state = getattr(request, "state", None)
    now = getattr(state, "now", None)
    actor = context.get("actor")
    speaking = now is not None and actor is not None and actor.signed_in
    text = (
        in_two_zones(value, chair_timezone, timezone)
        if differs(value, chair_timezone, timezone)
        else moment_text(value, timezone)
    )
    if speaking:
        state.relative_dates = True
    return Moment(
        iso=machine(value),
        text=text,
        relative=relative(value, now, timezone) if speaking else None,
        past=now is not None and value <= now,
    )


def register(env: jinja2.Environment) -> None:
    env.filters["iso"] = machine
    env.globals["when"] = when
    env.globals["zone_label"] = zone_label


# The chair's clock


def chair_timezone(session: Session, group_id: int, now: datetime) -> str | None:
    """The chair's zone for a working group's deadlines: the stored zone of the person acting as
    the group's chair at `now` (the person the chairing seat named, while they belong to it and
    are active, else its head, as rotation.acting_person_ids decides). The chair sets and
    extends deadlines and calls meetings by that clock, so a deadline is shown in it beside the
    reader's own. A vice chair acting on a recused draft does not change the group's clock.

    None when no recorded term covers `now` (a term that ran out reads as handed over before
    the worker records the next one, within seconds) or no one acts for the seat. One query."""
    acting_first = case((Person.id == ChairTerm.acting_person_id, 0), else_=1)
    return session.exec(
        select(Person.timezone)
        .join(ChairTerm, ChairTerm.seat_id == Person.seat_id)
        .where(
            ChairTerm.working_group_id == group_id,
            ChairTerm.starts_at <= now,
            ChairTerm.ends_at > now,
            Person.is_active,
            or_(Person.id == ChairTerm.acting_person_id, Person.seat_role == SeatRole.HEAD),
        )
        .order_by(ChairTerm.starts_at.desc(), acting_first, Person.id)
        .limit(1)
    ).first()
