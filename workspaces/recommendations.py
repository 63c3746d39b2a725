"""Recommendations: publishing what a decision round adopted, the library, supersession.

`publish` runs inside the transaction that closes the round, so a round is never `adopted`
without its recommendation. It copies everything a reader sees into the recommendation's
`record` (the adopted text's paragraphs, the reservations as numbered footnotes, the adoption
record with each seat's position, the chair's statement, the observer statements), names
seats and never people, and renders the HTML once per interface language and version
(workspaces.rendering). Nothing of the deliberations (other revisions, comments, who cast a
position) is copied.

The text is published in every official language, each version equally authentic: the
original stays in `paragraphs` (with its footnote marks and provenance); `versions` holds each
other official language's title, summary and paragraphs (the same ids and numbers, in the same
order), so footnotes and provenance, keyed by paragraph id, mark the same paragraphs in every
language. The names of the working group and of the seats the record names are copied in every
language too (`working_group.names`, `seat_names`), so no page joins the live tables for them.
Records published before versions existed have neither: they read in their original only.

Footnotes are numbered in reading order: those on the text as a whole first, then by the
first paragraph they concern; a reservation on several paragraphs is one footnote, marked on
each of them.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from council import audit, chairs, names
from council.database import utcnow
from council.errors import Conflict, Invalid, NotFound
from council.i18n import gettext as _
from council.models import AuditRecord, Council, Person, Seat, WorkingGroup
from council.names import Localized
from council.public import PageFacts
from council.settings import LANGUAGES
from workspaces import citations, drafts, numbering, provenance, rendering, search, versions
from workspaces.decisions import NEEDS_TEXT, kind_order
from workspaces.models import Draft, RevisionParagraph
from workspaces.recommendation_models import Recommendation
from workspaces.round_models import ObserverStatement, Round

PER_PAGE = 20
MAX_REASON = 1000
SUMMARY_LENGTH = 280
_TAG = re.compile(r"<[^>]+>")
_HEADING = re.compile(r"\s*<h[1-6][\s>]")


def number_for(group: WorkingGroup, year: int, sequence: int) -> str:
    return f"WG{group.number}-{year}-{sequence:02d}"


# publishing


def publish(
    session: Session,
    round_: Round,
    *,
    draft: Draft,
    group: WorkingGroup,
    paragraphs: Sequence[RevisionParagraph],
    by: Person | None,
) -> Recommendation:
    """Make the recommendation of a round that closed with `adopted` (called by the close)."""
    adopted_at = round_.closed_at
    data = build_record(session, round_, group, paragraphs)
    recommendation = Recommendation(
        number="",
        draft_id=draft.id,
        round_id=round_.id,
        working_group_id=group.id,
        year=adopted_at.year,
        sequence=0,
        revision_number=round_.revision_number,
        title=draft.title,
        language=draft.language,
        adopted_at=adopted_at,
        published_at=adopted_at,
        updated_at=adopted_at,
        summary=_summary(paragraphs),
        record=json.dumps(data, ensure_ascii=False),
    )
    numbering.insert_numbered(
        session,
        recommendation,
        series=[Recommendation.working_group_id == group.id],
        year=recommendation.year,
        number=lambda sequence: number_for(group, recommendation.year, sequence),
        failure=_("The recommendation could not be numbered. Please try again."),
    )
    citations.link(session, recommendation.id, data)
    published = audit.record(
        session,
        by=by,
        action="recommendation.published",
        target=recommendation,
        number=recommendation.number,
        round=round_.id,
        draft=draft.id,
        revision=round_.revision_number,
    )
    # the chain's head at adoption, published where outsiders keep it (council.audit)
    data["adoption"]["audit_head"] = published.hash
    recommendation.record = json.dumps(data, ensure_ascii=False)
    session.add(recommendation)
    index(session, recommendation, data)
    rendering.render_all(session, recommendation)
    return recommendation


def index(session: Session, recommendation: Recommendation, data: dict) -> None:
    """Index the title and text of every version, so that a reader finds the recommendation
    by words of any of them."""
    texts = [text_in(recommendation, data, code) for code in languages(recommendation, data)]
    search.index(
        session,
        recommendation.id,
        title="\n".join(text.title for text in texts),
        body="\n\n".join(p["markdown"] for text in texts for p in text.paragraphs),
    )


def refresh(session: Session, round_: Round, *, now: datetime | None = None) -> None:
    """Copy the round's record again (after a chair's statement given once it had closed)."""
    recommendation = session.exec(
        select(Recommendation).where(Recommendation.round_id == round_.id)
    ).first()
    if recommendation is None:
        return
    group = session.get(WorkingGroup, recommendation.working_group_id)
    paragraphs = _paragraphs(session, recommendation)
    head = record(recommendation)["adoption"].get("audit_head")
    recommendation.record = json.dumps(
        build_record(session, round_, group, paragraphs, audit_head=head), ensure_ascii=False
    )
    _changed(session, recommendation, now or utcnow())


def build_record(
    session: Session,
    round_: Round,
    group: WorkingGroup,
    paragraphs: Sequence[RevisionParagraph],
    *,
    audit_head: str | None = None,
) -> dict:
    """What readers see besides the title: paragraphs, footnotes, adoption record (with the
    audit chain's head at adoption, once published), statements."""
    sealed = [p for p in json.loads(round_.sealed_positions or "[]") if p["counted"]]
    tally = json.loads(round_.tally or "{}")
    order = [p.paragraph_id for p in paragraphs]
    notes, marks = footnotes(order, sealed)
    positions = [
        {
            "seat": p["seat"],
            "seat_kind": p["kind"],
            "choice": p["choice"],
            "text": p["text"] if p["choice"] in NEEDS_TEXT else "",
            "footnote": marks.get(p["seat_id"]),
        }
        for p in sealed
    ]
    for seat in _seats(session, tally.get("unanswered", [])):
        positions.append(
            {
                "seat": seat.name,
                "seat_kind": seat.kind,
                "choice": "unanswered",
                "text": "",
                "footnote": None,
            }
        )
    positions.sort(key=lambda p: (kind_order(p["seat_kind"]), p["seat"]))
    by_paragraph: dict[str, list[int]] = {}
    general: list[int] = []
    for note in notes:
        for paragraph_id in note["paragraphs"]:
            by_paragraph.setdefault(paragraph_id, []).append(note["number"])
        if not note["paragraphs"]:
            general.append(note["number"])
    origins = provenance.record_provenance(session, paragraphs)
    council = session.exec(select(Council).order_by(Council.id).limit(1)).first()
    default_language = names.default_language_of(council)
    data = {
        "default_language": default_language,
        "working_group": {
            "number": group.number,
            "name": group.name,
            "names": names.in_every_language(group, "name", default_language),
        },
        "paragraphs": [
            {
                "id": p.paragraph_id,
                "number": p.number,
                "html": p.html,
                "markdown": p.source,
                "footnotes": by_paragraph.get(p.paragraph_id, []),
                "origin": origins[p.paragraph_id],
            }
            for p in paragraphs
        ],
        "general_footnotes": general,
        "footnotes": notes,
        "adoption": {
            "round": round_.id,
            "closed_at": round_.closed_at.isoformat(),
            **decision_facts(round_, group),
            "positions": positions,
            "chair_statement": _chair_statement(session, round_, group),
            "audit_head": audit_head,
        },
        "observer_statements": _observer_statements(session, round_),
        "versions": _versions(session, council, session.get(Draft, round_.draft_id), paragraphs),
    }
    data["seat_names"] = _seat_names(session, data, default_language)
    data["citations"] = citations.frozen(session, data)
    return data


TALLY_FIGURES = (
    "seats",
    "answered",
    "deciding_seats",
    "deciding_answered",
    "quorum",
    "supports",
    "objections",
    "abstentions",
)


def decision_facts(round_: Round, group: WorkingGroup) -> dict:
    """How a closed round decided, as its published record keeps it: the rule it applied
    (the group's when the round kept none), the reason of its outcome and its tally by
    figure and by kind of seat (the seats that objected are counted, not named)."""
    tally = json.loads(round_.tally or "{}")
    rule = json.loads(round_.rule_settings or "{}")
    return {
        "rule": rule.get("rule", group.decision_rule),
        "outcome_reason": round_.outcome_reason,
        "quorum_numerator": rule.get("quorum_numerator", group.quorum_numerator),
        "quorum_denominator": rule.get("quorum_denominator", group.quorum_denominator),
        "participants_block": rule.get("participants_block", group.participants_block),
        "tally": {key: tally.get(key, 0) for key in TALLY_FIGURES}
        | {
            "counts": tally.get("counts", {}),
            "recorded_objections": len(tally.get("recorded_objections", [])),
        },
    }


def _versions(
    session: Session, council: Council | None, draft: Draft, paragraphs: Sequence[RevisionParagraph]
) -> dict[str, dict]:
    """Each official version that translates every adopted paragraph from exactly its text
    (the gate on decision rounds saw to it), with its title: language -> title, purpose,
    summary, paragraphs (id, number, html, markdown)."""
    if council is None:
        return {}
    codes = versions.version_languages(council, draft)
    found = versions.translations(session, draft, codes)
    published = {}
    for code in codes:
        rows = found[code]
        title, purpose = versions.title_in(draft, code)
        if not title or any(
            versions.state_of(p, rows.get(p.paragraph_id)) != versions.State.CURRENT
            for p in paragraphs
        ):
            continue  # an incomplete version is not an authentic text
        shown = [
            {
                "id": p.paragraph_id,
                "number": p.number,
                "html": rows[p.paragraph_id].html,
                "markdown": rows[p.paragraph_id].source,
            }
            for p in paragraphs
        ]
        published[code] = {
            "title": title,
            "purpose": purpose,
            "summary": summary_of(p["html"] for p in shown),
            "paragraphs": shown,
        }
    return published


def _seat_names(session: Session, data: dict, default_language: str) -> dict[str, dict]:
    """Default-language name -> {language: name} of every seat the record names (those
    without a translation left out)."""
    named = {p["seat"] for p in data["adoption"]["positions"]}
    named |= {note["seat"] for note in data["footnotes"]}
    named |= {statement["seat"] for statement in data["observer_statements"]}
    if data["adoption"]["chair_statement"]:
        named.add(data["adoption"]["chair_statement"]["chair_seat"])
    for paragraph in data["paragraphs"]:
        origin = paragraph.get("origin") or {}
        named.add(origin.get("seat"))
        named |= {merged.get("seat") for merged in origin.get("merged", [])}
    named.discard(None)
    if not named:
        return {}
    found = {}
    for name, translations in session.exec(
        select(Seat.name, Seat.name_translations).where(Seat.name.in_(named))
    ):
        others = {
            code: text
            for code, text in names.translations(names.Named(name, translations), "name").items()
            if code != default_language
        }
        if others:
            found[name] = others
    return dict(sorted(found.items()))


def footnotes(order: Sequence[str], positions: Sequence[dict]) -> tuple[list[dict], dict]:
    """The numbered footnotes of the reservations (and recorded objections) among `positions`
    (sealed positions: seat_id, seat, kind, choice, text, paragraph_ids), and seat id -> its
    footnote number. `order` is the adopted text's paragraph ids in reading order; paragraph
    ids not in it (a reservation on a paragraph the text no longer has) are dropped."""
    place = {paragraph_id: index for index, paragraph_id in enumerate(order)}
    notes = []
    for position in positions:
        if position["choice"] not in NEEDS_TEXT:
            continue
        concerned = sorted(
            {i for i in position.get("paragraph_ids", []) if i in place}, key=place.__getitem__
        )
        notes.append(
            {
                "seat_id": position["seat_id"],
                "seat": position["seat"],
                "seat_kind": position["kind"],
                "kind": "reservation"
                if position["choice"] == "support_with_reservation"
                else "objection",
                "text": position["text"],
                "paragraphs": concerned,
            }
        )
    notes.sort(
        key=lambda n: (
            place[n["paragraphs"][0]] + 1 if n["paragraphs"] else 0,
            kind_order(n["seat_kind"]),
            n["seat"],
        )
    )
    marks = {}
    for number, note in enumerate(notes, start=1):
        note["number"] = number
        marks[note.pop("seat_id")] = number
    return notes, marks


def _seats(session: Session, ids: Sequence[int]) -> list[Seat]:
    if not ids:
        return []
    return list(session.exec(select(Seat).where(Seat.id.in_(ids))).all())


def _chair_statement(session: Session, round_: Round, group: WorkingGroup) -> dict | None:
    if not round_.chair_statement:
        return None
    term = chairs.current_term(session, group.id, round_.chair_statement_at or round_.closed_at)
    seat = session.get(Seat, term.seat_id) if term and term.seat_id else None
    return {
        "text": round_.chair_statement,
        "chair_seat": seat.name if seat else None,
        "given_at": (round_.chair_statement_at or round_.closed_at).isoformat(),
    }


def _observer_statements(session: Session, round_: Round) -> list[dict]:
    rows = session.exec(
        select(ObserverStatement, Seat.name)
        .join(Seat, Seat.id == ObserverStatement.seat_id)
        .where(ObserverStatement.round_id == round_.id)
        .order_by(Seat.name)
    ).all()
    return [
        {"seat": seat, "text": statement.text, "submitted_at": statement.submitted_at.isoformat()}
        for statement, seat in rows
    ]


def _summary(paragraphs: Sequence[RevisionParagraph]) -> str:
    return summary_of(paragraph.html for paragraph in paragraphs)


def summary_of(htmls: Iterable[str]) -> str:
    """The first words of the text's paragraphs (their HTML), headings left out, as plain
    text."""
    words: list[str] = []
    for paragraph in htmls:
        if _HEADING.match(paragraph):
            continue
        words += html.unescape(_TAG.sub(" ", paragraph)).split()
        if sum(len(word) + 1 for word in words) > SUMMARY_LENGTH:
            break
    text = " ".join(words)
    if len(text) <= SUMMARY_LENGTH:
        return text
    return text[:SUMMARY_LENGTH].rsplit(" ", 1)[0] + "…"


def _paragraphs(session: Session, recommendation: Recommendation) -> list[RevisionParagraph]:
    draft = session.get(Draft, recommendation.draft_id)
    revision = drafts.revision(session, draft, recommendation.revision_number)
    return drafts.paragraphs(session, revision)


def changed(session: Session, recommendation: Recommendation, now: datetime) -> None:
    """Something its pages show changed outside its record (a cited document became public,
    or stopped being): a new Last-Modified, and its pages and PDFs made again."""
    _changed(session, recommendation, now)


def _changed(session: Session, recommendation: Recommendation, now: datetime) -> None:
    recommendation.updated_at = max(now, recommendation.updated_at)
    session.add(recommendation)
    session.flush()
    rendering.render_all(session, recommendation)


# reading


def get(session: Session, number: str) -> Recommendation:
    recommendation = session.exec(
        select(Recommendation).where(Recommendation.number == number)
    ).first()
    if recommendation is None:
        raise NotFound()
    return recommendation


SEAT_RENAMED = "seat.updated"
"""Follow-up names seats as they are named now; a renamed seat changes the page."""


def page_facts(session: Session, number: str) -> tuple | None:
    """The facts of the recommendation numbered `number`'s public page (PAGE_FACTS' values,
    from which its ETag is made), or None when there is none.

    Everything the anonymous page shows changes one of them: the recommendation's
    updated_at (publication, a later chair's statement, supersession, a cited document), its
    group's names, its follow-up (seats addressed and removed, reports, which are never
    edited), a seat's new name (the latest such record of the audit log), and the council's
    row (its names, its languages, whether its recommendations are public)."""
    return PAGE_FACTS.read(session, number=number)


def page_parameters(path_params: dict) -> dict | None:
    """PAGE_FACTS' parameters from the page's address; None for what is not a number."""
    number = path_params.get("number", "")
    return {"number": number} if NUMBER.fullmatch(number) else None


def _page_facts_query():
    """PAGE_FACTS' statement (the council's row is added to it)."""
    from workspaces.followup_models import FollowUpReport, FollowUpSeat

    seats = FollowUpSeat.recommendation_id == Recommendation.id
    reports = FollowUpReport.recommendation_id == Recommendation.id
    return (
        select(
            Recommendation.id,
            Recommendation.updated_at,
            WorkingGroup.slug,
            WorkingGroup.name,
            WorkingGroup.name_translations,
            select(func.count()).where(seats).scalar_subquery(),
            select(func.max(FollowUpSeat.addressed_at)).where(seats).scalar_subquery(),
            select(func.max(FollowUpSeat.removed_at)).where(seats).scalar_subquery(),
            select(func.count()).where(reports).scalar_subquery(),
            select(func.max(FollowUpReport.reported_at)).where(reports).scalar_subquery(),
            select(func.max(AuditRecord.id))
            .where(AuditRecord.action == SEAT_RENAMED)
            .scalar_subquery(),
        )
        .join(WorkingGroup, WorkingGroup.id == Recommendation.working_group_id)
        .where(Recommendation.number == bindparam("number"))
    )


NUMBER = re.compile(r"WG\d{1,9}-\d{4}-\d{2,6}")
"""A recommendation's number: WG<group>-<year>-<nn>."""
PAGE_FACTS = PageFacts(_page_facts_query)
"""The public page's facts, read by council.public before any request machinery, and by
the page's handler in its transaction."""


def find_group(session: Session, slug: str) -> WorkingGroup | None:
    return session.exec(select(WorkingGroup).where(WorkingGroup.slug == slug)).first()


def record(recommendation: Recommendation) -> dict:
    return json.loads(recommendation.record)


# reading in one language


def languages(recommendation: Recommendation, data: dict) -> list[str]:
    """The languages the text is authentic in: its original and each published version."""
    found = {recommendation.language, *data.get("versions", {})}
    return sorted(
        found,
        key=lambda code: (LANGUAGES.index(code) if code in LANGUAGES else len(LANGUAGES), code),
    )


def text_language(recommendation: Recommendation, data: dict, wanted: str | None) -> str:
    """`wanted` if the text is authentic in it, else the original's language."""
    return wanted if wanted in languages(recommendation, data) else recommendation.language


@dataclass(frozen=True)
class Text:
    """The recommendation as read in one of its authentic languages."""

    language: str
    title: str
    summary: str
    paragraphs: list[dict]
    """id, number, html, markdown, and (the same in every language) footnotes, origin."""
    languages: list[str]
    """Every language the text is authentic in, this one included."""

    @property
    def others(self) -> list[str]:
        return [code for code in self.languages if code != self.language]

    @property
    def lang_query(self) -> str:
        """What names this version in a URL: "?lang=es"; nothing when there is no other."""
        return f"?lang={self.language}" if len(self.languages) > 1 else ""


def text_in(recommendation: Recommendation, data: dict, wanted: str | None) -> Text:
    """The text in `wanted` if it is authentic in it, else the original."""
    code = text_language(recommendation, data, wanted)
    codes = languages(recommendation, data)
    version = data.get("versions", {}).get(code)
    if code == recommendation.language or version is None:
        return Text(code, recommendation.title, recommendation.summary, data["paragraphs"], codes)
    translated = {p["id"]: p for p in version["paragraphs"]}
    paragraphs = [
        p | {"html": translated[p["id"]]["html"], "markdown": translated[p["id"]]["markdown"]}
        for p in data["paragraphs"]
    ]
    return Text(code, version["title"], version["summary"], paragraphs, codes)


def seat_name(data: dict, name: str, language: str) -> Localized:
    """A seat the record names, in `language` if it has a name there, else as recorded (in
    the council's default language)."""
    translated = data.get("seat_names", {}).get(name, {})
    if language in translated:
        return Localized(translated[language], language)
    return Localized(name, data.get("default_language", language))


def group_name(data: dict, language: str) -> Localized:
    group = data["working_group"]
    translated = group.get("names", {})
    if language in translated:
        return Localized(translated[language], language)
    return Localized(group["name"], data.get("default_language", language))


def with_seat_names_in(data: dict, language: str) -> dict:
    """A copy of the record whose seats are named in `language` (for the API's answer)."""
    data = json.loads(json.dumps(data))

    def rename(holder: dict | None, key: str = "seat") -> None:
        if holder and holder.get(key):
            holder[key] = seat_name(data, holder[key], language).text

    for item in (*data["adoption"]["positions"], *data["footnotes"], *data["observer_statements"]):
        rename(item)
    rename(data["adoption"]["chair_statement"], "chair_seat")
    for paragraph in data["paragraphs"]:
        rename(paragraph.get("origin"))
        for merged in (paragraph.get("origin") or {}).get("merged", []):
            rename(merged)
    return data


def listed(recommendation: Recommendation, data: dict, reader: str | None, query: str = "") -> Text:
    """The version a list shows: the first of the reader's, the original and the others that
    holds every searched word (the words of a reader's search may be in one version only);
    without a search, the reader's if there is one, else the original."""
    wanted = search.words(query)
    codes = languages(recommendation, data)
    if wanted and len(codes) > 1:
        for code in dict.fromkeys([reader, recommendation.language, *codes]):
            if code not in codes:
                continue
            text = text_in(recommendation, data, code)
            if search.matches(
                text.title + "\n" + "\n".join(p["markdown"] for p in text.paragraphs), wanted
            ):
                return text
    return text_in(recommendation, data, reader)


def published_heads(session: Session) -> list[tuple[str, str]]:
    """(number, the audit chain's head at its adoption) of every recommendation that has one
    (those published before heads were recorded have none)."""
    heads = []
    for number, stored in session.exec(
        select(Recommendation.number, Recommendation.record).order_by(Recommendation.id)
    ):
        head = json.loads(stored)["adoption"].get("audit_head")
        if head:
            heads.append((number, head))
    return heads


@dataclass(frozen=True)
class Filters:
    group: WorkingGroup | None = None
    year: int | None = None
    query: str = ""

    @property
    def active(self) -> bool:
        return bool(self.group or self.year or search.words(self.query))


@dataclass(frozen=True)
class Library:
    items: list[Recommendation]
    groups: dict[int, WorkingGroup]
    total: int
    page: int
    pages: int
    filters: Filters
    last_modified: datetime | None
    """The latest change among every recommendation (for Last-Modified)."""
    shown: dict[int, Text]
    """Recommendation id -> the version the list shows (see `listed`)."""
    records: dict[int, dict]
    """Recommendation id -> its record."""

    @property
    def after(self) -> str | None:
        """The cursor of the next (older) page: the number of this page's last item."""
        return self.items[-1].number if self.items and self.page < self.pages else None

    @property
    def before(self) -> str | None:
        """The cursor of the previous (newer) page, None when it is the first: its address
        needs none (the first page skips no row)."""
        return self.items[0].number if self.items and self.page > 2 else None


def library(
    session: Session,
    filters: Filters,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    language: str | None = None,
    after: str | None = None,
    before: str | None = None,
) -> Library:
    """The recommendations matching `filters`, newest first, one page of them, each in the
    version `language` (the reader's) or the search points to: three queries (count and
    latest change, the page, the groups), whatever the number of results.

    Keyset pagination: with `after` (the number of the last item of the page before) the page
    is the next `per_page` older ones, with `before` (the first item of the page after) the
    newer ones, found through the (adopted_at, id) index however deep the page; `page` is then
    only the number shown. Without either, `page` skips rows (an address typed by hand)."""
    conditions = []
    if filters.group is not None:
        conditions.append(Recommendation.working_group_id == filters.group.id)
    if filters.year is not None:
        conditions.append(Recommendation.year == filters.year)
    matched = search.matching(session, Recommendation.id, filters.query)
    if matched is not None:
        conditions.append(matched)
    total, last_modified = session.exec(
        select(func.count(Recommendation.id), func.max(Recommendation.updated_at)).where(
            *conditions
        )
    ).one()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    newest = (Recommendation.adopted_at.desc(), Recommendation.id.desc())
    query = select(Recommendation).where(*conditions)
    if after:
        query = query.where(_beyond(after, older=True)).order_by(*newest).limit(per_page)
    elif before:
        query = (
            query.where(_beyond(before, older=False))
            .order_by(Recommendation.adopted_at, Recommendation.id)
            .limit(per_page)
        )
    else:
        query = query.order_by(*newest).offset((page - 1) * per_page).limit(per_page)
    items = list(session.exec(query).all())
    if before and not after:
        items.reverse()
    groups = {g.id: g for g in session.exec(select(WorkingGroup)).all()}
    records = {item.id: record(item) for item in items}
    shown = {item.id: listed(item, records[item.id], language, filters.query) for item in items}
    return Library(items, groups, total, page, pages, filters, last_modified, shown, records)


def _beyond(number: str, *, older: bool):
    """Rows older (or newer) than the recommendation numbered `number` in the library's order
    (adopted_at, then id): none when there is no such recommendation."""
    marker = aliased(Recommendation)
    at = select(marker.adopted_at).where(marker.number == number).scalar_subquery()
    cursor_id = select(marker.id).where(marker.number == number).scalar_subquery()
    if older:
        return or_(
            Recommendation.adopted_at < at,
            and_(Recommendation.adopted_at == at, Recommendation.id < cursor_id),
        )
    return or_(
        Recommendation.adopted_at > at,
        and_(Recommendation.adopted_at == at, Recommendation.id > cursor_id),
    )


def years(session: Session) -> list[int]:
    return list(
        session.exec(
            select(Recommendation.year).distinct().order_by(Recommendation.year.desc())
        ).all()
    )


def of_draft(session: Session, draft: Draft) -> Recommendation | None:
    return session.exec(select(Recommendation).where(Recommendation.draft_id == draft.id)).first()


def linked(session: Session, recommendation: Recommendation) -> dict[str, Recommendation | None]:
    """The recommendation that supersedes this one, and the one this one superseded."""
    later = (
        session.get(Recommendation, recommendation.superseded_by_id)
        if recommendation.superseded_by_id
        else None
    )
    earlier = session.exec(
        select(Recommendation).where(Recommendation.superseded_by_id == recommendation.id)
    ).first()
    return {"superseded_by": later, "supersedes": earlier}


# superseding


def supersede(
    session: Session,
    recommendation: Recommendation,
    *,
    by_number: str,
    reason: str,
    by: Person,
    now: datetime | None = None,
) -> Recommendation:
    """The secretariat records that a later recommendation replaces this one. Neither is
    deleted or changed otherwise; both pages link to each other."""
    now = now or utcnow()
    locked = session.exec(
        select(Recommendation)
        .where(Recommendation.id == recommendation.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if locked.superseded_by_id is not None:
        raise Conflict(_("This recommendation is already marked as superseded."))
    by_number, reason = by_number.strip().upper(), " ".join(reason.split())
    errors: dict[str, str] = {}
    later = session.exec(select(Recommendation).where(Recommendation.number == by_number)).first()
    if not by_number:
        errors["superseded_by"] = _("Give the number of the recommendation that replaces it.")
    elif later is None:
        errors["superseded_by"] = _("There is no recommendation %(number)s.", number=by_number)
    elif later.id == recommendation.id:
        errors["superseded_by"] = _("A recommendation cannot replace itself.")
    elif later.adopted_at <= recommendation.adopted_at:
        errors["superseded_by"] = _(
            "Only a recommendation adopted later can replace this one: %(number)s was "
            "adopted before it.",
            number=later.number,
        )
    elif (
        session.exec(
            select(Recommendation.id).where(Recommendation.superseded_by_id == later.id)
        ).first()
        is not None
    ):
        errors["superseded_by"] = _(
            "%(number)s already replaces another recommendation.", number=later.number
        )
    if len(reason) > MAX_REASON:
        errors["reason"] = _("At most %(limit)s characters.", limit=MAX_REASON)
    if errors:
        raise Invalid(errors)
    locked.superseded_by_id, locked.superseded_at = later.id, now
    locked.superseded_reason = reason
    _changed(session, locked, now)
    _changed(session, later, now)
    audit.record(
        session,
        by=by,
        action="recommendation.superseded",
        target=locked,
        number=locked.number,
        superseded_by=later.number,
        reason=reason,
    )
    return locked
