"""Language versions of a draft: the same paragraphs (same stable ids) in the council's other
official languages, translated paragraph by paragraph, and the gate that lets a decision round
open only when every official version is current.

Each translated paragraph remembers the original text it translates (`translated_from`). Against
the latest revision, a paragraph of a version is:
- current: its translation was made from the paragraph's present text;
- outdated: the paragraph changed since (in revision `origin_revision`, its provenance says
  which); the comparison from `translated_from` to the present text shows how;
- missing: nothing translates it (a new paragraph, or one half of a split).
A translation of a paragraph the latest revision no longer has (deleted, merged into another)
is kept but shown nowhere. Moving a paragraph moves its translation with it: versions follow
the original's order.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, select

from council import audit
from council.errors import Conflict, Invalid, NotAllowed, NotFound
from council.i18n import gettext as _
from council.models import Council
from council.names import language_in_words
from council.permissions import Actor, can
from council.settings import LANGUAGES
from workspaces import drafts
from workspaces.diffs import word_diff_html
from workspaces.markdown import readable, render_markdown
from workspaces.models import Draft, DraftStatus, RevisionParagraph, VersionParagraph
from workspaces.paragraphs import split_blocks

MAX_PARAGRAPH = 50_000


class State(StrEnum):
    CURRENT = "current"
    OUTDATED = "outdated"
    MISSING = "missing"


@dataclass(frozen=True)
class ParagraphVersion:
    """One paragraph of the latest revision and its translation in one language."""

    original: RevisionParagraph
    translation: VersionParagraph | None
    state: State

    @property
    def changed_in(self) -> int | None:
        """For an outdated translation: the revision that changed the original paragraph."""
        return self.original.origin_revision if self.state == State.OUTDATED else None

    def comparison(self) -> str:
        """Escaped HTML: how the original changed since it was translated."""
        if self.translation is None:
            return ""
        return word_diff_html(
            readable(render_markdown(self.translation.translated_from)),
            readable(self.original.html),
        )


@dataclass
class Gaps:
    """What a language's version lacks for the latest revision: paragraphs and title."""

    language: str
    missing: list[RevisionParagraph] = field(default_factory=list)
    outdated: list[RevisionParagraph] = field(default_factory=list)
    title_missing: bool = False

    def __bool__(self) -> bool:
        return bool(self.missing or self.outdated or self.title_missing)

    @property
    def missing_places(self) -> str:
        return _places(self.missing)

    @property
    def outdated_places(self) -> str:
        return _places(self.outdated)


def official_languages(council: Council) -> list[str]:
    chosen = {code.strip() for code in (council.official_languages or "").split(",")}
    return [code for code in LANGUAGES if code in chosen]


def version_languages(council: Council, draft: Draft) -> list[str]:
    """The languages the draft needs a version in: the official ones but its own."""
    return [code for code in official_languages(council) if code != draft.language]


def state_of(original: RevisionParagraph, translation: VersionParagraph | None) -> State:
    if translation is None:
        return State.MISSING
    if translation.translated_from == original.source:
        return State.CURRENT
    return State.OUTDATED


def translations(
    session: Session, draft: Draft, languages: Sequence[str]
) -> dict[str, dict[str, VersionParagraph]]:
    """Language -> paragraph id -> its translation (one query)."""
    found: dict[str, dict[str, VersionParagraph]] = {code: {} for code in languages}
    if languages:
        for row in session.exec(
            select(VersionParagraph).where(
                VersionParagraph.draft_id == draft.id,
                VersionParagraph.language.in_(list(languages)),
            )
        ).all():
            found[row.language][row.paragraph_id] = row
    return found


def version(
    session: Session, draft: Draft, paragraphs: Sequence[RevisionParagraph], language: str
) -> list[ParagraphVersion]:
    """The version in `language` of the latest revision's `paragraphs`, in their order."""
    found = translations(session, draft, [language])[language]
    return [
        ParagraphVersion(p, found.get(p.paragraph_id), state_of(p, found.get(p.paragraph_id)))
        for p in paragraphs
    ]


def gaps(
    session: Session, council: Council, draft: Draft, paragraphs: Sequence[RevisionParagraph]
) -> list[Gaps]:
    """For each language the draft needs, what its version lacks (empty Gaps when current)."""
    languages = version_languages(council, draft)
    found = translations(session, draft, languages)
    titles = json.loads(draft.title_translations or "{}")
    result = []
    for code in languages:
        gap = Gaps(code, title_missing=not titles.get(code))
        for p in paragraphs:
            state = state_of(p, found[code].get(p.paragraph_id))
            if state == State.MISSING:
                gap.missing.append(p)
            elif state == State.OUTDATED:
                gap.outdated.append(p)
        result.append(gap)
    return result


def counts(
    session: Session, council: Council, draft: Draft, paragraphs: Sequence[RevisionParagraph]
) -> dict[str, Counter]:
    """Language -> how many paragraphs are current, outdated, missing (for the draft page)."""
    languages = version_languages(council, draft)
    found = translations(session, draft, languages)
    return {
        code: Counter(state_of(p, found[code].get(p.paragraph_id)) for p in paragraphs)
        for code in languages
    }


def check_gate(session: Session, council: Council, draft: Draft) -> None:
    """Refuse a decision round while an official version is not current for the latest
    revision, saying what is missing and where."""
    paragraphs = drafts.paragraphs(session, drafts.latest_revision(session, draft))
    lacking = [gap for gap in gaps(session, council, draft, paragraphs) if gap]
    if not lacking:
        return
    lines = []
    for gap in lacking:
        parts = []
        if gap.title_missing:
            parts.append(_("the title"))
        if gap.missing:
            parts.append(_("missing: %(places)s", places=_places(gap.missing)))
        if gap.outdated:
            parts.append(_("outdated: %(places)s", places=_places(gap.outdated)))
        lines.append(
            _(
                "%(language)s version — %(gaps)s",
                language=language_in_words(gap.language),
                gaps=", ".join(parts),
            )
        )
    raise VersionsIncomplete(
        _(
            "A decision round can open only when the text is current in every official language. "
            "Still to translate: %(list)s.",
            list=" · ".join(lines),
        ),
        lacking,
    )


class VersionsIncomplete(Conflict):
    def __init__(self, message: str, lacking: list[Gaps]):
        super().__init__(message)
        self.lacking = lacking


def _places(paragraphs: Sequence[RevisionParagraph]) -> str:
    return ", ".join(str(p.number) if p.number is not None else _("a heading") for p in paragraphs)


@dataclass(frozen=True)
class ShownParagraph:
    """A paragraph as read in one language: the shared id and number, that language's HTML."""

    paragraph_id: str
    number: int | None
    html: str


def readable_texts(
    session: Session, council: Council, draft: Draft, paragraphs: Sequence[RevisionParagraph]
) -> dict[str, list[ShownParagraph]]:
    """Language -> the text of `paragraphs` in it: the original, and each version that
    translates every one of them from exactly their text (one query)."""
    texts = {draft.language: [ShownParagraph(p.paragraph_id, p.number, p.html) for p in paragraphs]}
    found = translations(session, draft, version_languages(council, draft))
    for code, rows in found.items():
        if all(state_of(p, rows.get(p.paragraph_id)) == State.CURRENT for p in paragraphs):
            texts[code] = [
                ShownParagraph(p.paragraph_id, p.number, rows[p.paragraph_id].html)
                for p in paragraphs
            ]
    return dict(sorted(texts.items(), key=lambda item: LANGUAGES.index(item[0])))


# translating


def may_translate(session: Session, actor: Actor, draft: Draft) -> bool:
    return (
        can(actor, "version.edit", draft)
        and draft.status in (DraftStatus.DRAFTING, DraftStatus.NOT_ADOPTED, DraftStatus.IN_ROUND)
        and not drafts.is_frozen(session, draft)
    )


def check_translating(
    session: Session, actor: Actor, council: Council, draft: Draft, language: str
) -> None:
    if language not in version_languages(council, draft):
        raise NotFound()
    if not can(actor, "version.edit", draft):
        raise NotAllowed(_("The members of the working group translate its drafts."))
    if draft.status not in (DraftStatus.DRAFTING, DraftStatus.NOT_ADOPTED, DraftStatus.IN_ROUND):
        raise Conflict(_("This draft is closed: its versions are kept as they were."))
    if drafts.is_frozen(session, draft):
        raise Conflict(
            _(
                "A decision round is open on this draft: its text and its versions "
                "are frozen until the round closes."
            )
        )


def save_paragraph(
    session: Session,
    *,
    actor: Actor,
    council: Council,
    draft: Draft,
    language: str,
    paragraph_id: str,
    text: str,
    seen_original: str,
    seen_translation: str,
    now: datetime,
) -> VersionParagraph:
    """Store the translation of one paragraph of the latest revision. `seen_original` and
    `seen_translation` are the texts the translator had before them: if either changed since,
    nothing is saved (409) and the form comes back with their text."""
    check_translating(session, actor, council, draft, language)
    drafts.ensure_revisable(session, draft, lock=True)  # the row, and no decision round
    revision = drafts.latest_revision(session, draft)
    original = next(
        (p for p in drafts.paragraphs(session, revision) if p.paragraph_id == paragraph_id), None
    )
    if original is None:
        raise Conflict(
            _(
                "This paragraph is no longer in the text: a revision removed it while "
                "you translated. Your translation is kept below."
            )
        )
    existing = session.get(VersionParagraph, (draft.id, language, paragraph_id))
    if original.source != drafts.normalise(seen_original):
        raise Conflict(
            _(
                "The original paragraph changed while you translated (revision "
                "%(number)s). Nothing was saved: compare, then save again.",
                number=revision.number,
            )
        )
    if (existing.source if existing else "") != drafts.normalise(seen_translation):
        raise Conflict(
            _(
                "Someone saved another translation of this paragraph meanwhile. "
                "Nothing was saved: compare it with yours, then save again."
            )
        )
    text = drafts.normalise(text)
    errors: dict[str, str] = {}
    drafts.check_line(
        errors,
        "text",
        text.replace("\n", " "),
        MAX_PARAGRAPH,
        required=True,
        missing=_("Write the translation of the paragraph."),
    )
    if not errors and len(split_blocks(text)) != 1:
        errors["text"] = _(
            "Translate the paragraph as one paragraph (no empty line inside), "
            "so that it keeps its number in every language."
        )
    if errors:
        raise Invalid(errors)
    row = existing or VersionParagraph(
        draft_id=draft.id,
        language=language,
        paragraph_id=paragraph_id,
        source="",
        html="",
        translated_from="",
        translated_revision=revision.number,
        translated_by_id=actor.person.id,
    )
    row.source, row.html = text, render_markdown(text)
    row.translated_from, row.translated_revision = original.source, revision.number
    row.translated_by_id = actor.person.id
    row.seat_id = actor.seat.id if actor.seat else None
    row.updated_at = now
    session.add(row)
    session.flush()
    audit.record(
        session,
        by=actor.person,
        action="version.paragraph_saved",
        target=draft,
        language=language,
        paragraph=paragraph_id,
        revision=revision.number,
        seat=row.seat_id,
        text_sha256=audit.fingerprint(text),
    )
    return row


def save_title(
    session: Session,
    *,
    actor: Actor,
    council: Council,
    draft: Draft,
    language: str,
    title: str,
    purpose: str,
    now: datetime,
) -> None:
    check_translating(session, actor, council, draft, language)
    drafts.ensure_revisable(session, draft, lock=True)
    title, purpose = title.strip(), purpose.strip()
    errors: dict[str, str] = {}
    drafts.check_line(errors, "title", title, drafts.MAX_TITLE, required=True)
    drafts.check_line(errors, "purpose", purpose, drafts.MAX_PURPOSE)
    if errors:
        raise Invalid(errors)
    for column, value in (("title_translations", title), ("purpose_translations", purpose)):
        values = json.loads(getattr(draft, column) or "{}")
        if value:
            values[language] = value
        else:
            values.pop(language, None)
        setattr(draft, column, json.dumps(values, ensure_ascii=False, sort_keys=True))
    session.add(draft)
    session.flush()
    audit.record(
        session,
        by=actor.person,
        action="version.title_saved",
        target=draft,
        language=language,
        title=title,
        purpose=purpose,
    )


def title_in(draft: Draft, language: str) -> tuple[str, str]:
    """The draft's title and purpose in `language`: its own, or a version's ("" if none)."""
    if language == draft.language:
        return draft.title, draft.purpose
    return (
        json.loads(draft.title_translations or "{}").get(language, ""),
        json.loads(draft.purpose_translations or "{}").get(language, ""),
    )
