"""Translations (Babel catalogues read once) and the current request's locale."""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

CATALOGUE_DIR = Path(__file__).parent / "translations"
DOMAIN = "messages"

_current: ContextVar[tuple[str, NullTranslations]] = ContextVar(
    "council_locale", default=("en", NullTranslations())
)


def load_catalogues(languages: tuple[str, ...]) -> dict[str, NullTranslations]:
    """Compile each .po in memory, so no build step or generated file is needed. A catalogue
    is compiled once per process and version of its file (a process that builds several
    applications, as the tests and the `council` commands do, shares them: they are only read)."""
    catalogues: dict[str, NullTranslations] = {}
    for language in languages:
        po_path = CATALOGUE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po_path.exists():
            catalogues[language] = NullTranslations()
            continue
        stat = po_path.stat()
        catalogues[language] = _compiled(po_path, language, stat.st_mtime_ns, stat.st_size)
    return catalogues


@functools.lru_cache(maxsize=16)
def _compiled(po_path: Path, language: str, _mtime_ns: int, _size: int) -> Translations:
    with po_path.open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def choose(
    chosen: str | None, accept_language: str, available: tuple[str, ...], default: str
) -> str:
    """An answer's language: the one chosen (the person's, or the language cookie's) when it is
    offered, else the browser's preference (Accept-Language), else the council's default."""
    if chosen in available:
        return chosen
    return negotiate(accept_language, available, default)


def negotiate(accept_language: str, available: tuple[str, ...], default: str) -> str:
    preferred = []
    for part in accept_language.split(","):
        piece = part.strip().split(";")
        tag = piece[0].strip()
        quality = 1.0
        for parameter in piece[1:]:
            name, _, value = parameter.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag:
            preferred.append((quality, tag))
    preferred.sort(key=lambda pair: -pair[0])
    for _quality, tag in preferred:
        base = tag.replace("_", "-").split("-")[0].lower()
        if base in available:
            return base
    return default


def activate(language: str, translations: NullTranslations) -> None:
    _current.set((language, translations))


@contextmanager
def speaking(language: str, translations: NullTranslations) -> Iterator[None]:
    """Translate into another language for a while, e.g. an email for someone who reads it."""
    token = _current.set((language, translations))
    try:
        yield
    finally:
        _current.reset(token)


def current_language() -> str:
    return _current.get()[0]


def gettext(message: str, **variables) -> str:
    text = _current.get()[1].gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables) -> str:
    text = _current.get()[1].ngettext(singular, plural, n)
    return text % {"num": n, **variables}


def pgettext(context: str, message: str, **variables) -> str:
    """A message whose translation depends on what it is about: "Withdrawn" (an invitation,
    feminine in Spanish and French) is not "Withdrawn" (a draft, masculine)."""
    text = _current.get()[1].pgettext(context, message)
    return text % variables if variables else text


def raw_ngettext(singular: str, plural: str, n: int) -> str:
    """For Jinja's newstyle gettext, which fills in the placeholders (all of them) itself."""
    return _current.get()[1].ngettext(singular, plural, n)


def raw_pgettext(context: str, message: str) -> str:
    return _current.get()[1].pgettext(context, message)


def lazy(message: str) -> str:
    """Mark a module-level string for extraction; translate it with gettext() when shown."""
    return message


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def format_datetime(value: datetime, timezone: str | None = None) -> str:
    """Date and time in the reader's zone, to the minute (nobody reads a deadline's seconds),
    joined as the language joins them, with the zone named by its city."""
    return f"{join_date_time(value, timezone, 'medium')} ({zone_label(timezone)})"


def join_date_time(value: datetime, timezone: str | None, form: str = "full") -> str:
    """The date (`form`: "full" has the weekday) and the time to the minute in `timezone`,
    joined as the language joins them, without the zone."""
    local = value.astimezone(zone(timezone))
    language = current_language()
    return (
        str(dates.get_datetime_format(form, locale=language))
        .replace("'", "")
        .replace("{1}", dates.format_date(local, format=form, locale=language))
        .replace("{0}", dates.format_time(local, format="short", locale=language))
    )


def zone_label(timezone: str | None) -> str:
    """ "Mexico City time", "hora de Ciudad de México": a zone by its city, which a reader
    recognises (a zone's generic name, "Central Time", fits several countries)."""
    name = zone(timezone).key
    if name in ("UTC", "Etc/UTC"):
        return "UTC"
    city = dates.get_timezone_location(ZoneInfo(name), locale=current_language(), return_city=True)
    return gettext("%(city)s time", city=city)


def format_date(value: datetime, timezone: str | None = None, form: str = "long") -> str:
    return dates.format_date(
        value.astimezone(zone(timezone)), format=form, locale=current_language()
    )


def format_number(value: int | float) -> str:
    return numbers.format_decimal(value, locale=current_language())


def language_name(code: str, display: str | None = None) -> str:
    """The language's name in its own language, or in `display` (e.g. the reader's)."""
    return Locale.parse(code).get_display_name(display or code).capitalize()
