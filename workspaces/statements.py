"""Chair's statements in the open: when a decision round ends without adoption (not adopted, or
no quorum), its chair may publish the chair's statement, as the Arctic Council's chair did at
Rovaniemi when no declaration could be agreed.

Publishing is an explicit act of whoever manages the round (`round.manage`), once, recorded in
the audit log. It copies what a reader sees into the statement's `record`, frozen: the
statement and the seat that held the chair when it was given, the round's outcome, decision
rule and tally, each seat's position (its choice only: the reasons and reservations were about
a text that is not published), the title of the draft in each language it has one, and the
names of the working group and seats in every language. It names seats, never people, and never
copies the draft's text. Publishing seals the statement: it can no longer be completed.

A statement's number is the working group's number, the year its round closed, "S" and its order
within both: WG4-2026-S01. Its page is /statements/<number>; the library, the Atom feeds and the
API list it, for the same readers as the recommendations.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from council import audit, chairs, live, names
from council.database import utcnow
from council.errors import Conflict, NotFound
from council.i18n import gettext as _
from council.models import Council, Person, Seat, WorkingGroup
from council.names import Localized
from council.settings import LANGUAGES
from workspaces import numbering, recommendations, rounds, search, versions
from workspaces.decisions import Outcome, kind_order
from workspaces.models import Draft
from workspaces.round_models import Round, RoundKind
from workspaces.statement_models import PublishedStatement

NUMBER = re.compile(r"WG\d{1,9}-\d{4}-S\d{2,6}")
PUBLISHABLE = (Outcome.NOT_ADOPTED, Outcome.NO_QUORUM)
PER_PAGE = 20
LIBRARY_LIMIT = 50
"""At most this many statements on the library page (the newest that match)."""


def number_for(group: WorkingGroup, year: int, sequence: int) -> str:
    return f"WG{group.number}-{year}-S{sequence:02d}"


# publishing


def refusal(round_: Round) -> str | None:
    """Why the round's statement cannot be published (None: it can, unless it already is)."""
    if round_.closed_at is None:
        return _(
            "The round is still open: its chair's statement can be published once it has "
            "closed without adopting the text."
        )
    if round_.kind != RoundKind.DECISION or round_.outcome not in PUBLISHABLE:
        return _(
            "Only the chair's statement of a decision round that did not adopt its text is "
            "published on its own; an adopted text is published as a recommendation, with "
            "its chair's statement."
        )
    if not round_.chair_statement:
        return _("Write the chair's statement before publishing it.")
    return None


def may_publish(round_: Round, published: PublishedStatement | None) -> bool:
    return published is None and refusal(round_) is None


def publish(
    session: Session, round_: Round, *, by: Person, now: datetime | None = None
) -> PublishedStatement:
    """Publish the chair's statement of a decision round that did not adopt its text (the
    caller checked round.manage): once, under the round's lock, recorded."""
    now = now or utcnow()
    if rounds.past_deadline(round_, now):  # over: its close is stored first
        rounds.settle_expired(session, now, draft=session.get(Draft, round_.draft_id))
    round_ = session.exec(
        select(Round)
        .where(Round.id == round_.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    published = of_round(session, round_)
    if published is not None:
        raise Conflict(
            _(
                "This chair's statement is already published, as %(number)s.",
                number=published.number,
            )
        )
    refused = refusal(round_)
    if refused:
        raise Conflict(refused)
    draft = session.get(Draft, round_.draft_id)
    group = session.get(WorkingGroup, draft.working_group_id)
    data = build_record(session, round_, draft, group)
    statement = PublishedStatement(
        number="",
        round_id=round_.id,
        draft_id=draft.id,
        working_group_id=group.id,
        year=round_.closed_at.year,
        sequence=0,
        outcome=round_.outcome,
        title=draft.title,
        language=draft.language,
        closed_at=round_.closed_at,
        given_at=round_.chair_statement_at or round_.closed_at,
        published_at=now,
        record=json.dumps(data, ensure_ascii=False),
    )
    numbering.insert_numbered(
        session,
        statement,
        series=[PublishedStatement.working_group_id == group.id],
        year=statement.year,
        number=lambda sequence: number_for(group, statement.year, sequence),
        failure=_("The chair's statement could not be numbered. Please try again."),
    )
    audit.record(
        session,
        by=by,
        action="statement.published",
        target=statement,
        number=statement.number,
        round=round_.id,
        draft=draft.id,
        outcome=round_.outcome,
        statement=round_.chair_statement,
    )
    live.publish(session, live.topic("round", round_.id), "round")
    return statement


def build_record(session: Session, round_: Round, draft: Draft, group: WorkingGroup) -> dict:
    """What readers see: the statement, the decision record by seat, the names. Never the
    draft's text, nor who cast a position."""
    council = session.exec(select(Council).order_by(Council.id).limit(1)).first()
    default_language = names.default_language_of(council)
    sealed = [p for p in json.loads(round_.sealed_positions or "[]") if p["counted"]]
    tally = json.loads(round_.tally or "{}")
    positions = [{"seat": p["seat"], "seat_kind": p["kind"], "choice": p["choice"]} for p in sealed]
    unanswered = tally.get("unanswered", [])
    if unanswered:
        for seat in session.exec(select(Seat).where(Seat.id.in_(unanswered))).all():
            positions.append({"seat": seat.name, "seat_kind": seat.kind, "choice": "unanswered"})
    positions.sort(key=lambda p: (kind_order(p["seat_kind"]), p["seat"]))
    given_at = round_.chair_statement_at or round_.closed_at
    term = chairs.current_term(session, group.id, given_at)
    chair_seat = session.get(Seat, term.seat_id) if term and term.seat_id else None
    titles = {draft.language: draft.title}
    for code in versions.version_languages(council, draft) if council else []:
        title, _purpose = versions.title_in(draft, code)
        if title:
            titles[code] = title
    data = {
        "default_language": default_language,
        "working_group": {
            "number": group.number,
            "name": group.name,
            "names": names.in_every_language(group, "name", default_language),
        },
        "titles": dict(sorted(titles.items(), key=lambda item: _order(item[0]))),
        "round": round_.id,
        "revision": round_.revision_number,
        "closed_at": round_.closed_at.isoformat(),
        "closed_by": "chair" if round_.closed_by_id else "deadline",
        "decision": {
            "outcome": round_.outcome,
            **recommendations.decision_facts(round_, group),
            "positions": positions,
        },
        "statement": {
            "text": round_.chair_statement,
            "chair_seat": chair_seat.name if chair_seat else None,
            "given_at": given_at.isoformat(),
        },
    }
    named = {p["seat"] for p in positions} | ({chair_seat.name} if chair_seat else set())
    data["seat_names"] = _seat_names(session, named, default_language)
    return data


def _seat_names(session: Session, named: set[str], default_language: str) -> dict[str, dict]:
    """Default-language name -> {language: name} of the seats named (those without a
    translation left out)."""
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


def _order(language: str) -> int:
    return LANGUAGES.index(language) if language in LANGUAGES else len(LANGUAGES)


# reading


def get(session: Session, number: str) -> PublishedStatement:
    found = None
    if NUMBER.fullmatch(number):
        found = session.exec(
            select(PublishedStatement).where(PublishedStatement.number == number)
        ).first()
    if found is None:
        raise NotFound()
    return found


def of_round(session: Session, round_: Round) -> PublishedStatement | None:
    return session.exec(
        select(PublishedStatement).where(PublishedStatement.round_id == round_.id)
    ).first()


def record(statement: PublishedStatement) -> dict:
    return json.loads(statement.record)


def title_in(statement: PublishedStatement, data: dict, language: str) -> Localized:
    """The draft's title in `language` if it had one there, else in its original language."""
    titles = data.get("titles", {})
    if language in titles:
        return Localized(titles[language], language)
    return Localized(statement.title, statement.language)


def seat_name(data: dict, name: str, language: str) -> Localized:
    return recommendations.seat_name(data, name, language)


def group_name(data: dict, language: str) -> Localized:
    return recommendations.group_name(data, language)


def with_seat_names_in(data: dict, language: str) -> dict:
    """A copy of the record whose seats are named in `language` (for the API's answer)."""
    data = json.loads(json.dumps(data))
    for position in data["decision"]["positions"]:
        position["seat"] = seat_name(data, position["seat"], language).text
    chair = data["statement"].get("chair_seat")
    if chair:
        data["statement"]["chair_seat"] = seat_name(data, chair, language).text
    return data


def _matches(statement: PublishedStatement, data: dict, wanted: list[str]) -> bool:
    """Whether the statement holds every searched word: in a title, the statement or the
    working group's names."""
    text = "\n".join(
        [
            statement.title,
            *data.get("titles", {}).values(),
            data["statement"]["text"],
            data["working_group"]["name"],
            *data["working_group"].get("names", {}).values(),
        ]
    )
    return search.matches(text, wanted)


@dataclass(frozen=True)
class Listing:
    items: list[PublishedStatement]
    records: dict[int, dict]
    """Statement id -> its record."""
    groups: dict[int, WorkingGroup]
    total: int
    page: int
    pages: int
    last_modified: datetime | None
    """The latest publication among every statement (for Last-Modified)."""


def listing(
    session: Session,
    *,
    group: WorkingGroup | None = None,
    year: int | None = None,
    query: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Listing:
    """The published statements of `group` and `year` (the year their round closed) whose
    words hold every word of `query`, newest first, one page of them. Statements are few
    (rounds that failed): a search reads the filtered ones and matches their words here."""
    conditions = []
    if group is not None:
        conditions.append(PublishedStatement.working_group_id == group.id)
    if year is not None:
        conditions.append(PublishedStatement.year == year)
    newest = (PublishedStatement.published_at.desc(), PublishedStatement.id.desc())
    last_modified = session.exec(select(func.max(PublishedStatement.published_at))).one()
    wanted = search.words(query)
    if wanted:
        found = [
            item
            for item in session.exec(
                select(PublishedStatement).where(*conditions).order_by(*newest)
            ).all()
            if _matches(item, record(item), wanted)
        ]
        total = len(found)
        pages = max(1, math.ceil(total / per_page))
        page = min(max(page, 1), pages)
        items = found[(page - 1) * per_page : page * per_page]
    else:
        total = session.exec(select(func.count(PublishedStatement.id)).where(*conditions)).one()
        pages = max(1, math.ceil(total / per_page))
        page = min(max(page, 1), pages)
        items = list(
            session.exec(
                select(PublishedStatement)
                .where(*conditions)
                .order_by(*newest)
                .offset((page - 1) * per_page)
                .limit(per_page)
            ).all()
        )
    groups = {g.id: g for g in session.exec(select(WorkingGroup)).all()} if items else {}
    return Listing(
        items, {item.id: record(item) for item in items}, groups, total, page, pages, last_modified
    )


def by_group(found: Listing) -> list[tuple[WorkingGroup, list[PublishedStatement]]]:
    """The listed statements by working group (in the groups' order), newest first in each."""
    grouped: dict[int, list[PublishedStatement]] = {}
    for item in found.items:
        grouped.setdefault(item.working_group_id, []).append(item)
    return [
        (found.groups[group_id], items)
        for group_id, items in sorted(
            grouped.items(), key=lambda pair: found.groups[pair[0]].number
        )
    ]


def years(session: Session) -> list[int]:
    return list(
        session.exec(
            select(PublishedStatement.year).distinct().order_by(PublishedStatement.year.desc())
        ).all()
    )
