"""Reports: the council's (or a working group's) interim and annual reports, composed from
adopted recommendations, published chair's statements and the follow-up of the
recommendations, with a foreword and sections.

The secretariat composes the council's reports and any working group's; a working group's
acting chair composes that group's (`report.compose`). A report is a draft its composer edits
(`Report.content`: the foreword and each section's heading, introduction, chosen texts in order
and whether it shows their follow-up) until it is published, once, recorded in the audit log.

Its words are written in the council's default language and, for each other language the
composer gives the report a title in, in that language too: each such version is published
when it is complete (every heading, and the foreword and introductions the default one has).
The texts it gathers are copied in every language they are authentic in; a version shows each
text in its own language when the text is authentic in it, else in the text's original.

Publishing copies everything a reader sees into `Report.record` (JSON), frozen: the words,
each text's title, paragraphs and reservations, each chair's statement, the follow-up status of
each recommendation at that moment, and the names of the working groups and seats in every
language. It names seats, never people.

A report's number is "R", the year of publication and its order within it for the council's
(R-2026-01); the working group's number, the year, "R" and the order for a group's
(WG4-2026-R01), beside its recommendations (WG4-2026-03) and chair's statements (WG4-2026-S01).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.orm import defer
from sqlmodel import Session, select

from council import audit, names
from council.database import utcnow
from council.errors import Conflict, Invalid, NotFound
from council.i18n import gettext as _
from council.models import Council, Person, WorkingGroup
from council.names import Localized
from council.permissions import Actor, can
from council.settings import LANGUAGES
from workspaces import followup, markdown, numbering, recommendations, statements
from workspaces.recommendation_models import Recommendation
from workspaces.report_models import Report
from workspaces.statement_models import PublishedStatement

KINDS = ("interim", "annual")
_COUNCIL_NUMBER = re.compile(r"R-\d{4}-\d{2,6}")
_GROUP_NUMBER = re.compile(r"WG\d{1,9}-\d{4}-R\d{2,6}")
_ITEM = re.compile(r"WG\d{1,9}-\d{4}-S?\d{2,6}")
_SEPARATORS = re.compile(r"[\s,;]+")
_HEADING = re.compile(r"<(/?)h([3-6])>")
PER_PAGE = 20
MAX_TITLE = 200
MAX_HEADING = 200
MAX_FOREWORD = 20000
MAX_INTRO = 10000
MAX_SECTIONS = 30
MAX_ITEMS = 100


def kind_label(kind: str) -> str:
    return {"interim": _("Interim report"), "annual": _("Annual report")}.get(kind, kind)


def number_for(group: WorkingGroup | None, year: int, sequence: int) -> str:
    if group is None:
        return f"R-{year}-{sequence:02d}"
    return f"WG{group.number}-{year}-R{sequence:02d}"


def is_number(text: str) -> bool:
    return bool(_COUNCIL_NUMBER.fullmatch(text) or _GROUP_NUMBER.fullmatch(text))


# the draft


@dataclass
class SectionForm:
    """One section as its composer writes it: words by language, the texts by number."""

    headings: dict[str, str] = field(default_factory=dict)
    intros: dict[str, str] = field(default_factory=dict)
    """Markdown, by language."""
    items: list[str] = field(default_factory=list)
    followup: bool = False
    items_text: str | None = None
    """The numbers as typed (kept to show a refused form as it was sent)."""

    @property
    def empty(self) -> bool:
        return not (
            any(self.headings.values())
            or any(self.intros.values())
            or self.items
            or (self.items_text or "").strip()
        )

    def as_json(self) -> dict:
        return {
            "heading": _kept(self.headings),
            "intro": _kept(self.intros),
            "items": self.items,
            "followup": self.followup,
        }


@dataclass
class Composition:
    """A report's draft as its composer edits it."""

    kind: str
    titles: dict[str, str]
    forewords: dict[str, str]
    """Markdown, by language."""
    sections: list[SectionForm]


def _kept(values: dict[str, str]) -> dict[str, str]:
    return {code: text for code, text in values.items() if text}


def composition(report: Report, default_language: str) -> Composition:
    """The draft as stored."""
    content = json.loads(report.content or "{}")
    titles = {
        default_language: report.title,
        **{
            code: text
            for code, text in names.translations(report, "title").items()
            if code != default_language
        },
    }
    return Composition(
        kind=report.kind,
        titles=_kept(titles),
        forewords=dict(content.get("foreword", {})),
        sections=[
            SectionForm(
                headings=dict(s.get("heading", {})),
                intros=dict(s.get("intro", {})),
                items=list(s.get("items", [])),
                followup=bool(s.get("followup")),
            )
            for s in content.get("sections", [])
        ],
    )


def parse_items(text: str) -> list[str]:
    """The numbers typed in a section's list: one a line (commas and spaces separate too)."""
    return [word.upper() for word in _SEPARATORS.split(text or "") if word]


def start(
    session: Session,
    *,
    by: Person,
    group: WorkingGroup | None,
    kind: str,
    titles: dict[str, str],
    default_language: str,
    languages: Sequence[str],
    now: datetime | None = None,
) -> Report:
    """A new draft report of `group` (None: the council's); the caller checked
    report.compose."""
    now = now or utcnow()
    errors = _check_heading(kind, titles, default_language, languages)
    if errors:
        raise Invalid(errors)
    report = Report(
        working_group_id=group.id if group else None,
        kind=kind,
        title=titles[default_language].strip(),
        created_by_id=by.id,
        created_at=now,
        updated_at=now,
        content=json.dumps({"foreword": {}, "sections": []}),
    )
    names.set_translations(report, "title", _kept(titles), default_language=default_language)
    session.add(report)
    session.flush()
    audit.record(
        session,
        by=by,
        action="report.started",
        target=report,
        kind=kind,
        group=group.id if group else None,
        title=report.title,
    )
    return report


def _check_heading(
    kind: str, titles: dict[str, str], default_language: str, languages: Sequence[str]
) -> dict[str, str]:
    errors = {}
    if kind not in KINDS:
        errors["kind"] = _("Choose whether the report is interim or annual.")
    if not titles.get(default_language, "").strip():
        errors["title"] = _("Give the report a title.")
    for code in languages:
        if len(titles.get(code, "")) > MAX_TITLE:
            errors["title" if code == default_language else f"title_{code}"] = _(
                "At most %(limit)s characters.", limit=MAX_TITLE
            )
    return errors


def save(
    session: Session,
    report: Report,
    draft: Composition,
    *,
    by: Person,
    default_language: str,
    languages: Sequence[str],
    now: datetime | None = None,
) -> Report:
    """Store the composer's draft, once every section's texts are found (and are the group's,
    for a working group's report). Refused once the report is published."""
    now = now or utcnow()
    report = _locked(session, report)
    if report.published_at is not None:
        raise Conflict(_("This report is published: it can no longer be changed."))
    errors = _check_heading(draft.kind, draft.titles, default_language, languages)
    for code in languages:
        if len(draft.forewords.get(code, "")) > MAX_FOREWORD:
            key = "foreword" if code == default_language else f"foreword_{code}"
            errors[key] = _("At most %(limit)s characters.", limit=MAX_FOREWORD)
    sections = [section for section in draft.sections if not section.empty]
    if len(sections) > MAX_SECTIONS:
        errors["form"] = _("A report has at most %(limit)s sections.", limit=MAX_SECTIONS)
    found = items_by_number(session, [n for s in draft.sections for n in s.items])
    seen: set[str] = set()
    for index, section in enumerate(draft.sections):
        if section.empty:
            continue
        errors |= _check_section(report, section, index, found, seen, default_language, languages)
    if errors:
        raise Invalid(errors)
    report.kind = draft.kind
    report.title = draft.titles[default_language].strip()
    names.set_translations(report, "title", _kept(draft.titles), default_language=default_language)
    content = {
        "foreword": _kept(draft.forewords),
        "sections": [section.as_json() for section in sections],
    }
    report.content = json.dumps(content, ensure_ascii=False)
    report.updated_at = max(now, report.updated_at)
    session.add(report)
    audit.record(
        session,
        by=by,
        action="report.saved",
        target=report,
        content=audit.fingerprint(report.content),
        title=report.title,
    )
    return report


def _check_section(
    report: Report,
    section: SectionForm,
    index: int,
    found: dict,
    seen: set[str],
    default_language: str,
    languages: Sequence[str],
) -> dict[str, str]:
    errors = {}
    if not section.headings.get(default_language, "").strip():
        errors[f"heading_{index}"] = _("Give this section a heading.")
    for code in languages:
        suffix = "" if code == default_language else f"_{code}"
        if len(section.headings.get(code, "")) > MAX_HEADING:
            errors[f"heading_{index}{suffix}"] = _(
                "At most %(limit)s characters.", limit=MAX_HEADING
            )
        if len(section.intros.get(code, "")) > MAX_INTRO:
            errors[f"intro_{index}{suffix}"] = _("At most %(limit)s characters.", limit=MAX_INTRO)
    problems = []
    if len(section.items) > MAX_ITEMS:
        problems.append(_("At most %(limit)s texts in a section.", limit=MAX_ITEMS))
    for number in section.items:
        item = found.get(number)
        if item is None:
            problems.append(
                _("There is no recommendation or chair's statement %(number)s.", number=number)
            )
        elif (
            report.working_group_id is not None and item.working_group_id != report.working_group_id
        ):
            problems.append(
                _(
                    "%(number)s is another working group's: a working group's "
                    "report gathers its own texts.",
                    number=number,
                )
            )
        elif number in seen:
            problems.append(_("%(number)s is already in the report.", number=number))
        seen.add(number)
    if problems:
        errors[f"items_{index}"] = " ".join(problems)
    return errors


def items_by_number(
    session: Session, numbers: Sequence[str]
) -> dict[str, Recommendation | PublishedStatement]:
    """The recommendations and chair's statements of these numbers (two queries at most)."""
    wanted = {n for n in numbers if _ITEM.fullmatch(n)}
    said = {n for n in wanted if "-S" in n}
    found: dict[str, Recommendation | PublishedStatement] = {}
    if wanted - said:
        found |= {
            r.number: r
            for r in session.exec(
                select(Recommendation).where(Recommendation.number.in_(wanted - said))
            ).all()
        }
    if said:
        found |= {
            s.number: s
            for s in session.exec(
                select(PublishedStatement).where(PublishedStatement.number.in_(said))
            ).all()
        }
    return found


def missing_words(draft: Composition, default_language: str) -> list[tuple[str, str]]:
    """(language, what it lacks) of each version with a title that lacks words the default
    one has: a version is published only when complete."""
    problems = []
    for code in draft.titles:
        if code == default_language:
            continue
        where = names.language_in_words(code)
        if draft.forewords.get(default_language) and not draft.forewords.get(code):
            problems.append(
                (code, _("The version in %(language)s has no foreword.", language=where))
            )
        for number, section in enumerate(draft.sections, start=1):
            if not section.headings.get(code):
                problems.append(
                    (
                        code,
                        _(
                            "The version in %(language)s has no heading for section %(number)s.",
                            language=where,
                            number=number,
                        ),
                    )
                )
            if section.intros.get(default_language) and not section.intros.get(code):
                problems.append(
                    (
                        code,
                        _(
                            "The version in %(language)s has no introduction for section "
                            "%(number)s.",
                            language=where,
                            number=number,
                        ),
                    )
                )
    return problems


def refusals(draft: Composition, default_language: str) -> list[str]:
    """Why the draft cannot be published yet (nothing: it can)."""
    problems = []
    if not any(section.items for section in draft.sections):
        problems.append(_("Choose at least one text for the report before publishing it."))
    return problems + [problem for _code, problem in missing_words(draft, default_language)]


def _locked(session: Session, report: Report) -> Report:
    return session.exec(
        select(Report)
        .where(Report.id == report.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


# publishing


def publish(session: Session, report: Report, *, by: Person, now: datetime | None = None) -> Report:
    """Publish the draft (the caller checked report.compose): once, under the report's lock,
    numbered, its record frozen, recorded in the audit log."""
    now = now or utcnow()
    report = _locked(session, report)
    if report.published_at is not None:
        raise Conflict(_("This report is already published, as %(number)s.", number=report.number))
    council = session.exec(select(Council).order_by(Council.id).limit(1)).first()
    default_language = names.default_language_of(council)
    draft = composition(report, default_language)
    problems = refusals(draft, default_language)
    if problems:
        raise Invalid({"form": " ".join(problems)})
    group = (
        session.get(WorkingGroup, report.working_group_id)
        if report.working_group_id is not None
        else None
    )
    data = json.dumps(
        build_record(session, report, draft, group=group, council=council), ensure_ascii=False
    )
    _publish_numbered(session, report, group, data, now)
    audit.record(
        session,
        by=by,
        action="report.published",
        target=report,
        number=report.number,
        kind=report.kind,
        group=report.working_group_id,
        record=audit.fingerprint(report.record),
    )
    return report


def _publish_numbered(
    session: Session, report: Report, group: WorkingGroup | None, data: str, now: datetime
) -> None:
    """Number and freeze the report: the next number of the council's (or the group's)
    reports of the year. Two publications racing for it both get one: the unique number
    refuses the second, whose savepoint is rolled back, and it takes the following."""
    series = [
        Report.working_group_id == group.id
        if group is not None
        else Report.working_group_id.is_(None)
    ]

    def prepare() -> None:
        report.published_at = report.updated_at = now
        report.record = data

    numbering.insert_numbered(
        session,
        report,
        series=series,
        year=now.year,
        number=lambda sequence: number_for(group, now.year, sequence),
        failure=_("The report could not be numbered. Please try again."),
        prepare=prepare,
    )


def build_record(
    session: Session,
    report: Report,
    draft: Composition,
    *,
    group: WorkingGroup | None,
    council: Council | None,
) -> dict:
    """What every reader sees, frozen: the words in each complete version, and each text as
    published (in every language it is authentic in). Seats, never people."""
    default_language = names.default_language_of(council)
    found = items_by_number(session, [n for s in draft.sections for n in s.items])
    summaries = followup_summaries(
        session,
        [
            found[n].id
            for s in draft.sections
            if s.followup
            for n in s.items
            if isinstance(found.get(n), Recommendation)
        ],
    )
    codes = [code for code in _ordered(draft.titles) if draft.titles.get(code, "").strip()]
    seat_names: dict[str, dict] = {}
    sections = []
    for index, section in enumerate(draft.sections, start=1):
        items = []
        for number in section.items:
            item = found[number]
            if isinstance(item, Recommendation):
                data = recommendations.record(item)
                items.append(
                    _recommendation_item(
                        item, data, summaries.get(item.id) if section.followup else None
                    )
                )
            else:
                data = statements.record(item)
                items.append(_statement_item(item, data))
            for name, translated in data.get("seat_names", {}).items():
                seat_names.setdefault(name, {}).update(translated)
        sections.append(
            {
                "anchor": f"section-{index}",
                "headings": {
                    code: text.strip()
                    for code, text in section.headings.items()
                    if text.strip() and code in codes
                },
                "intros": {
                    code: markdown.render_markdown(text)
                    for code, text in _kept(section.intros).items()
                    if code in codes
                },
                "followup": section.followup,
                "items": items,
            }
        )
    for summary in summaries.values():
        for name, translated in summary.get("seat_names", {}).items():
            seat_names.setdefault(name, {}).update(translated)
    return {
        "default_language": default_language,
        "languages": codes,
        "kind": report.kind,
        "working_group": (
            {
                "number": group.number,
                "name": group.name,
                "names": names.in_every_language(group, "name", default_language),
            }
            if group
            else None
        ),
        "council_names": (
            names.in_every_language(council, "name", default_language) if council else {}
        ),
        "titles": {code: draft.titles[code].strip() for code in codes},
        "forewords": {
            code: markdown.render_markdown(text)
            for code, text in _kept(draft.forewords).items()
            if code in codes
        },
        "sections": sections,
        "seat_names": dict(sorted(seat_names.items())),
    }


def _recommendation_item(item: Recommendation, data: dict, followup: dict | None) -> dict:
    texts = {}
    for code in recommendations.languages(item, data):
        text = recommendations.text_in(item, data, code)
        texts[code] = {
            "title": text.title,
            "paragraphs": [
                {
                    "number": p["number"],
                    "html": _demoted(p["html"]),
                    "footnotes": p.get("footnotes", []),
                }
                for p in text.paragraphs
            ],
        }
    numbers = {p["id"]: p["number"] for p in data["paragraphs"]}
    return {
        "kind": "recommendation",
        "number": item.number,
        "language": item.language,
        "adopted_at": item.adopted_at.isoformat(),
        "superseded": item.superseded_by_id is not None,
        "working_group": data["working_group"],
        "texts": texts,
        "general_footnotes": data.get("general_footnotes", []),
        "footnotes": [
            {
                "number": note["number"],
                "seat": note["seat"],
                "seat_kind": note["seat_kind"],
                "kind": note["kind"],
                "text": note["text"],
                "paragraphs": [numbers.get(pid) for pid in note["paragraphs"]],
            }
            for note in data.get("footnotes", [])
        ],
        "chair_statement": data["adoption"].get("chair_statement"),
        "followup": followup,
    }


def _demoted(html: str) -> str:
    """A text's headings one level down (h3 becomes h4): in a report the text sits under its
    own h3 (the recommendation's page has it under the h1)."""
    return _HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 1, 6)}>", html)


def _statement_item(item: PublishedStatement, data: dict) -> dict:
    titles = {item.language: item.title, **data.get("titles", {})}
    return {
        "kind": "statement",
        "number": item.number,
        "language": item.language,
        "titles": titles,
        "outcome": item.outcome,
        "outcome_reason": data["decision"].get("outcome_reason"),
        "closed_at": item.closed_at.isoformat(),
        "working_group": data["working_group"],
        "statement": data["statement"]["text"],
        "chair_seat": data["statement"].get("chair_seat"),
    }


def followup_summaries(session: Session, recommendation_ids: Sequence[int]) -> dict[int, dict]:
    """Recommendation id -> its follow-up as the report freezes it (workspaces.followup): the
    addressed seats by current status ("counts"), and each addressed seat with its current
    status and the date of its latest report ("seats"), and those seats' names in every
    language ("seat_names"). Two queries a recommendation, at publication only."""
    if not recommendation_ids:
        return {}
    counts = followup.summaries(session, list(recommendation_ids))
    found = {}
    for recommendation in session.exec(
        select(Recommendation).where(Recommendation.id.in_(recommendation_ids))
    ).all():
        state = followup.of_recommendation(session, recommendation)
        seats = [
            {
                "seat": item.seat.name,
                "seat_kind": item.kind,
                "status": item.latest.report.status if item.latest else followup.NO_REPORT,
                "reported_at": (
                    item.latest.report.reported_at.isoformat() if item.latest else None
                ),
            }
            for item in state.seats
        ]
        found[recommendation.id] = {
            "counts": {
                status: number
                for status, number in counts.get(recommendation.id, {}).items()
                if number
            },
            "seats": seats,
            "seat_names": {
                item.seat.name: names.translations(item.seat, "name")
                for item in state.seats
                if names.translations(item.seat, "name")
            },
        }
    return found


def preview_record(session: Session, report: Report) -> dict:
    """The record the draft would be published with, as it stands (nothing is written)."""
    council = session.exec(select(Council).order_by(Council.id).limit(1)).first()
    draft = composition(report, names.default_language_of(council))
    group = (
        session.get(WorkingGroup, report.working_group_id)
        if report.working_group_id is not None
        else None
    )
    return build_record(session, report, draft, group=group, council=council)


def _ordered(codes) -> list[str]:
    return sorted(
        codes,
        key=lambda code: (LANGUAGES.index(code) if code in LANGUAGES else len(LANGUAGES), code),
    )


# reading


def record(report: Report) -> dict:
    return json.loads(report.record or "{}")


def get(session: Session, number: str) -> Report:
    """A published report by its number."""
    found = None
    if is_number(number):
        found = session.exec(select(Report).where(Report.number == number)).first()
    if found is None:
        raise NotFound()
    return found


def get_draft(session: Session, report_id: int) -> Report:
    """A report by its id (a draft, or a published one its composer's links still name)."""
    found = session.get(Report, report_id)
    if found is None:
        raise NotFound()
    return found


def version_of(data: dict, *, reader: str, asked: str | None) -> str | None:
    """The version to show: `asked` (None when the report has no version in it), else the
    reader's language's when there is one, else the default language's."""
    codes = data.get("languages", [])
    if asked:
        return asked if asked in codes else None
    return reader if reader in codes else data.get("default_language", codes[0])


def _pick(values: dict, language: str, fallback: str) -> Localized:
    if values.get(language):
        return Localized(values[language], language)
    if values.get(fallback):
        return Localized(values[fallback], fallback)
    for code in _ordered(values):
        return Localized(values[code], code)
    return Localized("", fallback)


@dataclass(frozen=True)
class ShownItem:
    kind: str
    number: str
    anchor: str
    title: Localized
    group_name: Localized
    language: str
    """The language of its text in this version."""
    data: dict
    paragraphs: list[dict]
    url: str


@dataclass(frozen=True)
class ShownSection:
    anchor: str
    number: int
    heading: Localized
    intro: Localized
    """HTML (sanitised at publication)."""
    followup: bool
    items: list[ShownItem]


@dataclass(frozen=True)
class Shown:
    """A published report as read in one of its versions."""

    language: str
    languages: list[str]
    title: Localized
    foreword: Localized
    scope: Localized
    """The working group's name, or the council's."""
    sections: list[ShownSection]

    @property
    def others(self) -> list[str]:
        return [code for code in self.languages if code != self.language]

    @property
    def lang_query(self) -> str:
        return f"?lang={self.language}" if len(self.languages) > 1 else ""


def shown(report: Report, data: dict, language: str) -> Shown:
    """The report in the version `language` (one of data["languages"])."""
    default = data.get("default_language", language)
    sections = []
    for number, section in enumerate(data["sections"], start=1):
        items = [_shown_item(item, language, default) for item in section["items"]]
        sections.append(
            ShownSection(
                anchor=section["anchor"],
                number=number,
                heading=_pick(section["headings"], language, default),
                intro=_pick(section["intros"], language, default),
                followup=section["followup"],
                items=items,
            )
        )
    group = data.get("working_group")
    scope = (
        _pick({default: group["name"], **group.get("names", {})}, language, default)
        if group
        else _pick(data.get("council_names", {}), language, default)
    )
    return Shown(
        language=language,
        languages=data["languages"],
        title=_pick(data["titles"], language, default),
        foreword=_pick(data.get("forewords", {}), language, default),
        scope=scope,
        sections=sections,
    )


def _shown_item(item: dict, language: str, default: str) -> ShownItem:
    group = item["working_group"]
    group_names = {default: group["name"], **group.get("names", {})}
    anchor = f"item-{item['number']}"
    if item["kind"] == "recommendation":
        code = language if language in item["texts"] else item["language"]
        text = item["texts"][code]
        query = f"?lang={code}" if len(item["texts"]) > 1 else ""
        return ShownItem(
            "recommendation",
            item["number"],
            anchor,
            Localized(text["title"], code),
            _pick(group_names, code, default),
            code,
            item,
            text["paragraphs"],
            f"/recommendations/{item['number']}{query}",
        )
    title = _pick(item["titles"], language, item["language"])
    return ShownItem(
        "statement",
        item["number"],
        anchor,
        title,
        _pick(group_names, language, default),
        title.language,
        item,
        [],
        f"/statements/{item['number']}",
    )


def seat_name(data: dict, name: str, language: str) -> Localized:
    return recommendations.seat_name(data, name, language)


def council_name(data: dict, language: str) -> Localized:
    found = _pick(data.get("council_names", {}), language, data.get("default_language", language))
    return found if found.text else Localized(_("Council Workspace"), language)


@dataclass(frozen=True)
class Listing:
    items: list[Report]
    groups: dict[int, WorkingGroup]
    total: int
    page: int
    pages: int
    last_modified: datetime | None


def listing(
    session: Session, *, group: WorkingGroup | None = None, page: int = 1, per_page: int = PER_PAGE
) -> Listing:
    """The published reports (of `group`, when given), newest first, one page of them: three
    queries whatever their number (their records are not read)."""
    conditions = [Report.published_at.is_not(None)]
    if group is not None:
        conditions.append(Report.working_group_id == group.id)
    total, last_modified = session.exec(
        select(func.count(Report.id), func.max(Report.published_at)).where(*conditions)
    ).one()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    items = list(
        session.exec(
            select(Report)
            .where(*conditions)
            .options(defer(Report.record), defer(Report.content))
            .order_by(Report.published_at.desc(), Report.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
    )
    group_ids = {item.working_group_id for item in items if item.working_group_id}
    groups = (
        {
            g.id: g
            for g in session.exec(select(WorkingGroup).where(WorkingGroup.id.in_(group_ids))).all()
        }
        if group_ids
        else {}
    )
    return Listing(items, groups, total, page, pages, last_modified)


def feed_entries(
    session: Session, *, group: WorkingGroup | None = None, limit: int = 50
) -> list[Report]:
    """The latest published reports (of `group`), records included, for the feeds."""
    conditions = [Report.published_at.is_not(None)]
    if group is not None:
        conditions.append(Report.working_group_id == group.id)
    return list(
        session.exec(
            select(Report)
            .where(*conditions)
            .order_by(Report.published_at.desc(), Report.id.desc())
            .limit(limit)
        ).all()
    )


def drafts_for(session: Session, actor: Actor) -> list[Report]:
    """The draft reports `actor` may compose, latest change first."""
    if not actor.signed_in:
        return []
    rows = session.exec(
        select(Report)
        .where(Report.published_at.is_(None))
        .options(defer(Report.content))
        .order_by(Report.updated_at.desc(), Report.id.desc())
    ).all()
    return [row for row in rows if can(actor, "report.compose", row)]


def groups_composed_by(session: Session, actor: Actor) -> list[WorkingGroup]:
    """The working groups whose reports `actor` may compose, in their order."""
    if not actor.signed_in:
        return []
    return [
        group
        for group in session.exec(select(WorkingGroup).order_by(WorkingGroup.number)).all()
        if can(actor, "report.compose", group)
    ]


@dataclass(frozen=True)
class Available:
    """A text a report may gather: its number, kind, title in the reader's language (or its
    original), working group and date."""

    number: str
    kind: str
    title: Localized
    working_group_id: int
    moment: datetime


def available(session: Session, report: Report, language: str) -> list[Available]:
    """The recommendations and chair's statements the report may gather (the group's, for a
    group's report), newest first: two queries."""
    texts = select(Recommendation)
    said = select(PublishedStatement)
    if report.working_group_id is not None:
        texts = texts.where(Recommendation.working_group_id == report.working_group_id)
        said = said.where(PublishedStatement.working_group_id == report.working_group_id)
    found = []
    for item in session.exec(texts).all():
        text = recommendations.text_in(item, recommendations.record(item), language)
        found.append(
            Available(
                item.number,
                "recommendation",
                Localized(text.title, text.language),
                item.working_group_id,
                item.adopted_at,
            )
        )
    for item in session.exec(said).all():
        found.append(
            Available(
                item.number,
                "statement",
                statements.title_in(item, statements.record(item), language),
                item.working_group_id,
                item.published_at,
            )
        )
    return sorted(found, key=lambda a: (a.moment, a.number), reverse=True)
