"""Names in every language: the council's, the working groups' (and their mandates), the seats'.

The plain column (`name`, `mandate`) holds the value in the council's default language; the
`<field>_translations` column holds JSON `{language: text}` for the others. A reader sees the
value in their language, or else the default one, marked with its language (`lang`), so that a
screen reader pronounces it right and nobody takes it for a translation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from babel import Locale
from markupsafe import Markup, escape
from sqlmodel import select

from council import i18n
from council.settings import LANGUAGES

FALLBACK_LANGUAGE = "en"
"""The default language when no council is known (a page before any council exists)."""


@dataclass(frozen=True)
class Localized:
    """A text and the language it is really in (the reader's, or the default as a fallback)."""

    text: str
    language: str

    def __str__(self) -> str:
        return self.text


class Named(str):
    """A name read as a column rather than a row (`select(Seat.id, Seat.name,
    Seat.name_translations)`): a string, equal to the default-language name wherever it was
    one, that still knows its translations, so `local()` shows it in the reader's language."""

    name_translations: str

    def __new__(
        cls, name: str | None, translations: str | Mapping[str, str] | None = "{}"
    ) -> Named:
        named = super().__new__(cls, name or "")
        if isinstance(translations, Mapping):
            translations = json.dumps(_clean(translations), sort_keys=True, ensure_ascii=False)
        named.name_translations = translations or "{}"
        return named

    @property
    def name(self) -> str:
        return str(self)


def names_by_id(session: Any, model: Any, ids: Iterable[int | None]) -> dict[int, Named]:
    """Id -> Named for these rows of `model` (Seat, WorkingGroup), in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.exec(
        select(model.id, model.name, model.name_translations).where(model.id.in_(wanted))
    ).all()
    return {id_: Named(name, translations) for id_, name, translations in rows}


def _clean(values: Any) -> dict[str, str]:
    if not isinstance(values, Mapping):
        return {}
    return {
        language: text.strip()
        for language, text in values.items()
        if isinstance(language, str) and isinstance(text, str) and text.strip()
    }


def translations(obj: Any, field: str) -> dict[str, str]:
    """The stored values of `field` in the languages other than the default one (bad JSON: none)."""
    raw = getattr(obj, f"{field}_translations", None) or "{}"
    try:
        return _clean(json.loads(raw))
    except (TypeError, ValueError):
        return {}


def choose(values: Mapping[str, str], language: str, default_language: str) -> Localized:
    """From values by language (e.g. `in_every_language` kept in a notification's params):
    the one in `language`, else the default language's, else any."""
    values = _clean(values)
    if language in values:
        return Localized(values[language], language)
    if default_language in values:
        return Localized(values[default_language], default_language)
    for other in sorted(values, key=_order):
        return Localized(values[other], other)
    return Localized("", default_language)


def localized(obj: Any, field: str, language: str, default_language: str) -> Localized:
    """`field` of `obj` in `language` if it has a value there, else the default value."""
    default = getattr(obj, field) or ""
    if language != default_language:
        text = translations(obj, field).get(language)
        if text:
            return Localized(text, language)
    return Localized(default, default_language)


def shown(obj: Any, council: Any, field: str = "name") -> Localized:
    """`field` of `obj` in the active language, for Python code that builds what a reader
    sees (`council`: the council row, or None before one exists)."""
    return localized(obj, field, i18n.current_language(), default_language_of(council))


def in_every_language(obj: Any, field: str, default_language: str) -> dict[str, str]:
    """Every value `field` has, the default one included, by language (LANGUAGES order)."""
    values = {
        language: text
        for language, text in translations(obj, field).items()
        if language != default_language
    }
    default = getattr(obj, field) or ""
    if default:
        values[default_language] = default
    return {language: values[language] for language in sorted(values, key=_order)}


def set_translations(
    obj: Any, field: str, values: Mapping[str, str], *, default_language: str | None = None
) -> None:
    """Store the non-empty `values` as `field`'s translations (those of `default_language`,
    when given, belong in the plain column and are left out)."""
    kept = {
        language: text for language, text in _clean(values).items() if language != default_language
    }
    setattr(obj, f"{field}_translations", json.dumps(kept, sort_keys=True, ensure_ascii=False))


def param(key: str, obj: Any, field: str = "name") -> dict[str, Any]:
    """A name for a notification's params, which are described later in their reader's
    language: `key` holds the default value (as before), `<key>_names` the translations."""
    if obj is None:
        return {key: None}
    return {key: getattr(obj, field), f"{key}_names": translations(obj, field)}


def from_params(params: Mapping[str, Any], key: str) -> Any:
    """What `param()` kept under `key`, in the active language (else the default value)."""
    others = params.get(f"{key}_names")
    if isinstance(others, Mapping):
        text = others.get(i18n.current_language())
        if isinstance(text, str) and text.strip():
            return text
    return params.get(key)


def language_in_words(code: str) -> str:
    """A language's name in the active language, to go inside a sentence: "Name in
    Spanish", "Nombre en español", "Nom en espagnol"."""
    try:
        return Locale.parse(code).get_display_name(i18n.current_language()) or code
    except (ValueError, TypeError):
        return code


def default_language_of(council: Any) -> str:
    return getattr(council, "default_language", None) or FALLBACK_LANGUAGE


def _order(language: str) -> tuple[int, str]:
    return (LANGUAGES.index(language) if language in LANGUAGES else len(LANGUAGES), language)


# In templates


def _context_default_language(ctx: Mapping[str, Any]) -> str:
    request = ctx.get("request")
    council = getattr(getattr(request, "state", None), "council", None) if request else None
    if council is None:
        council = ctx.get("council")
    return default_language_of(council)


def _shown(ctx: Mapping[str, Any], obj: Any, field: str) -> Localized:
    language = i18n.current_language()
    if obj is None:
        return Localized("", language)
    if isinstance(obj, str) and not isinstance(obj, Named):
        return Localized(obj, language)  # a name kept as a plain string: shown as it is
    return localized(obj, field, language, _context_default_language(ctx))


@jinja2.pass_context
def local(ctx: Mapping[str, Any], obj: Any, field: str = "name") -> Markup:
    """`{{ local(group) }}`: the name (or `field`) in the reader's language, escaped; a
    fallback in another language is wrapped in `<span lang="xx">`."""
    shown = _shown(ctx, obj, field)
    if shown.language != i18n.current_language():
        return Markup('<span lang="{}">{}</span>').format(shown.language, shown.text)
    return escape(shown.text)


@jinja2.pass_context
def local_text(ctx: Mapping[str, Any], obj: Any, field: str = "name") -> str:
    """The same as plain text, for an attribute or a <title>."""
    return _shown(ctx, obj, field).text


def register(env: jinja2.Environment) -> None:
    env.globals["local"] = local
    env.globals["local_text"] = local_text
    env.globals["language_in_words"] = language_in_words
    env.filters["local"] = local  # `seats | map("local") | join(", ")`
