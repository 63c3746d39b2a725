"""Drafts: start, revise (append-only, never over someone else's newer text), read, compare."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from council import audit, names
from council.database import serialise, upsert, utcnow
from council.errors import Conflict, Invalid, NotAllowed, NotFound, RateLimited
from council.i18n import gettext as _
from council.i18n import pgettext
from council.models import Person, Seat, SeatKind, WorkingGroup, WorkingGroupSeat
from council.permissions import Actor, Sponsored, can, load_actor
from council.settings import LANGUAGES
from council.text import control_message, has_control
from workspaces import notices
from workspaces.amending import Change, is_outdated
from workspaces.amendment_models import Amendment, AmendmentChange, AmendmentStatus
from workspaces.diffs import Compared, ParagraphChange, paragraph_diff
from workspaces.markdown import render_markdown
from workspaces.models import (
    Draft,
    DraftSponsor,
    DraftStatus,
    DraftVisit,
    Origin,
    Revision,
    RevisionParagraph,
)
from workspaces.paragraphs import Paragraph, build_paragraphs, split_blocks
from workspaces.round_models import Round, RoundKind

MAX_TITLE = 200
MAX_PURPOSE = 300
MAX_SUMMARY = 500
MAX_REASON = 500
MAX_TEXT_BYTES = 200 * 1024
MAX_LINES = 5_000  # bounds the time to count paragraphs, which happens under the write lock
MAX_PARAGRAPHS = 1_000  # each heading and list item counts; keeps saving a revision quick
STARTS_PER_WINDOW = 10
START_WINDOW = timedelta(minutes=10)

# NUL (PostgreSQL refuses it), U+FFFD (what undecodable bytes become) and lone surrogates
UNREADABLE = re.compile("[\x00\ufffd\ud800-\udfff]")
_REVISABLE = (DraftStatus.DRAFTING, DraftStatus.NOT_ADOPTED)


class StaleRevision(Conflict):
    """The text was written on a revision that is no longer the latest."""

    title = "Someone revised this meanwhile"

    def __init__(self, latest: Revision, author: Person | None):
        super().__init__(
            _(
                "Someone saved revision %(number)s of this draft while you were editing. Your text "
                "was not saved: compare it with the latest text, then save it again.",
                number=latest.number,
            )
        )
        self.latest = latest
        self.author = author


# reading


@dataclass(frozen=True)
class DraftSummary:
    draft: Draft
    last_author: str
    sponsors: list[str]


@dataclass(frozen=True)
class DraftDetail:
    draft: Draft
    group: WorkingGroup
    revision: Revision
    author: Person
    paragraphs: list[RevisionParagraph]
    sponsors: list[Seat]
    started_by: Person

    @property
    def sponsor_ids(self) -> set[int]:
        return {seat.id for seat in self.sponsors}


@dataclass(frozen=True)
class HistoryEntry:
    number: int
    created_at: datetime
    summary: str
    author: str
    base_number: int | None


@dataclass(frozen=True)
class Comparison:
    old: Revision
    new: Revision
    changes: list[ParagraphChange]

    def count(self, kind: str) -> int:
        return sum(1 for change in self.changes if change.kind == kind)


@dataclass(frozen=True)
class VisitChanges:
    seen: int | None
    """The revision the person had seen before the latest one; None if the draft is new to them."""
    latest: int
    comparison: Comparison | None
    visited: bool
    seen_at: datetime | None = None
    """When the person last opened the draft (comments written since are new to them)."""


def get_draft(session: Session, draft_id: int) -> Draft:
    draft = session.get(Draft, draft_id)
    if draft is None:
        raise NotFound()
    return draft


def group_of(session: Session, draft: Draft) -> WorkingGroup:
    return session.get(WorkingGroup, draft.working_group_id)


def list_drafts(
    session: Session, group: WorkingGroup, *, limit: int | None = None
) -> list[DraftSummary]:
    """The group's drafts, most recently revised first, in two queries whatever their number."""
    rows = session.exec(
        select(Draft, Person.name)
        .join(
            Revision,
            (Revision.draft_id == Draft.id) & (Revision.number == Draft.latest_revision_number),
            isouter=True,
        )
        .join(Person, Person.id == Revision.author_id, isouter=True)
        .where(Draft.working_group_id == group.id)
        .order_by(Draft.updated_at.desc(), Draft.id.desc())
        .limit(limit)
    ).all()
    if not rows:
        return []
    sponsors: dict[int, list[str]] = {}
    for draft_id, name, translations in session.exec(
        select(DraftSponsor.draft_id, Seat.name, Seat.name_translations)
        .join(Seat, Seat.id == DraftSponsor.seat_id)
        .where(DraftSponsor.draft_id.in_([draft.id for draft, _author in rows]))
        .order_by(Seat.name)
    ).all():
        sponsors.setdefault(draft_id, []).append(names.Named(name, translations))
    return [DraftSummary(draft, author or "", sponsors.get(draft.id, [])) for draft, author in rows]


@dataclass(frozen=True)
class WorkItem:
    draft: Draft
    group: WorkingGroup
    unseen: bool


def drafts_to_work_on(session: Session, actor: Actor, *, limit: int = 8) -> list[WorkItem]:
    """Open drafts of the groups the actor writes in (all, for the secretariat): one query."""
    if not actor.signed_in:
        return []
    query = (
        select(Draft, WorkingGroup, DraftVisit.revision_number)
        .join(WorkingGroup, WorkingGroup.id == Draft.working_group_id)
        .join(
            DraftVisit,
            (DraftVisit.draft_id == Draft.id) & (DraftVisit.person_id == actor.person.id),
            isouter=True,
        )
        .where(Draft.status.in_([DraftStatus.DRAFTING, DraftStatus.IN_ROUND]))
        .order_by(Draft.updated_at.desc(), Draft.id.desc())
        .limit(limit)
    )
    if not actor.is_secretariat:
        group_ids = actor.sitting | actor.chairing
        if not group_ids:
            return []
        query = query.where(Draft.working_group_id.in_(sorted(group_ids)))
    return [
        WorkItem(draft, group, seen is None or seen < draft.latest_revision_number)
        for draft, group, seen in session.exec(query).all()
    ]


def latest_revision(session: Session, draft: Draft) -> Revision:
    return revision(session, draft, draft.latest_revision_number)


def revision(session: Session, draft: Draft, number: int) -> Revision:
    found = session.exec(
        select(Revision).where(Revision.draft_id == draft.id, Revision.number == number)
    ).first()
    if found is None:
        raise NotFound()
    return found


def paragraphs(session: Session, revision: Revision) -> list[RevisionParagraph]:
    return list(
        session.exec(
            select(RevisionParagraph)
            .where(RevisionParagraph.revision_id == revision.id)
            .order_by(RevisionParagraph.position)
        ).all()
    )


def sponsors(session: Session, draft: Draft) -> list[Seat]:
    return list(
        session.exec(
            select(Seat)
            .join(DraftSponsor, DraftSponsor.seat_id == Seat.id)
            .where(DraftSponsor.draft_id == draft.id)
            .order_by(Seat.name)
        ).all()
    )


def draft_detail(session: Session, draft: Draft, number: int | None = None) -> DraftDetail:
    """What the draft page shows: one revision (the latest by default) and its paragraphs."""
    shown = revision(session, draft, draft.latest_revision_number if number is None else number)
    people = {
        p.id: p
        for p in session.exec(
            select(Person).where(Person.id.in_({shown.author_id, draft.created_by_id}))
        ).all()
    }
    return DraftDetail(
        draft=draft,
        group=group_of(session, draft),
        revision=shown,
        author=people[shown.author_id],
        paragraphs=paragraphs(session, shown),
        sponsors=sponsors(session, draft),
        started_by=people[draft.created_by_id],
    )


def history(session: Session, draft: Draft) -> list[HistoryEntry]:
    """Every revision, newest first, without loading their texts."""
    rows = session.exec(
        select(
            Revision.number,
            Revision.created_at,
            Revision.summary,
            Person.name,
            Revision.base_number,
        )
        .join(Person, Person.id == Revision.author_id)
        .where(Revision.draft_id == draft.id)
        .order_by(Revision.number.desc())
    ).all()
    return [
        HistoryEntry(number, at, summary, author, base)
        for number, at, summary, author, base in rows
    ]


def comparison_numbers(draft: Draft, from_n: int | None, to_n: int | None) -> tuple[int, int]:
    """The revisions to compare; by default the latest and the one before it."""
    latest = draft.latest_revision_number
    to_n = to_n or latest
    from_n = from_n or max(1, to_n - 1)
    return from_n, to_n


def compare(
    session: Session, draft: Draft, from_n: int | None = None, to_n: int | None = None
) -> Comparison:
    """Paragraph by paragraph (by stable id) and word by word, from one revision to another."""
    from_n, to_n = comparison_numbers(draft, from_n, to_n)
    found = {
        r.number: r
        for r in session.exec(
            select(Revision).where(
                Revision.draft_id == draft.id, Revision.number.in_({from_n, to_n})
            )
        ).all()
    }
    if from_n not in found or to_n not in found:
        raise NotFound()
    old, new = found[from_n], found[to_n]
    texts: dict[int, list[Compared]] = {old.id: [], new.id: []}
    for row in session.exec(
        select(RevisionParagraph)
        .where(RevisionParagraph.revision_id.in_({old.id, new.id}))
        .order_by(RevisionParagraph.revision_id, RevisionParagraph.position)
    ).all():
        texts[row.revision_id].append(_compared(row))
    return Comparison(old, new, paragraph_diff(texts[old.id], texts[new.id]))


def difference_from(session: Session, revision: Revision, text: str) -> list[ParagraphChange]:
    """What saving `text` would change in `revision` (shown when a save came too late)."""
    text = normalise(text)
    errors: dict[str, str] = {}
    _check_text(errors, text)
    if errors:
        return []
    current = paragraphs(session, revision)
    proposed = build_paragraphs(text, [(p.paragraph_id, p.source) for p in current])
    return paragraph_diff(
        [_compared(p) for p in current],
        [Compared(p.id, p.source, p.html, p.number) for p in proposed],
    )


def _compared(row: RevisionParagraph) -> Compared:
    return Compared(row.paragraph_id, row.source, row.html, row.number)


def sponsor_choices(session: Session, group: WorkingGroup) -> list[Seat]:
    """Seats that may sponsor a draft of the group: those sitting in it (not observers)."""
    return list(
        session.exec(
            select(Seat)
            .join(WorkingGroupSeat, WorkingGroupSeat.seat_id == Seat.id)
            .where(WorkingGroupSeat.working_group_id == group.id, Seat.kind != SeatKind.OBSERVER)
            .order_by(Seat.name)
        ).all()
    )


# writing


def start_draft(
    session: Session,
    *,
    by: Person,
    group: WorkingGroup,
    title: str,
    purpose: str,
    sponsor_seat_ids: Iterable[int],
    text: str,
    language: str,
    now: datetime | None = None,
) -> Draft:
    """A new draft and its revision 1."""
    now = now or utcnow()
    title, purpose, text = title.strip(), purpose.strip(), normalise(text)
    sponsor_ids = sorted(set(sponsor_seat_ids))
    errors: dict[str, str] = {}
    check_line(errors, "title", title, MAX_TITLE, required=True)
    check_line(errors, "purpose", purpose, MAX_PURPOSE)
    if language not in LANGUAGES:
        errors["language"] = _("Choose the language the text is written in.")
    if not sponsor_ids:
        errors["sponsor_seat_ids"] = _("Choose at least one sponsoring seat.")
    elif not set(sponsor_ids) <= {seat.id for seat in sponsor_choices(session, group)}:
        errors["sponsor_seat_ids"] = _("Sponsors must be seats that sit in this working group.")
    _check_text(errors, text)
    if errors:
        raise Invalid(errors)

    draft = Draft(
        working_group_id=group.id,
        title=title,
        purpose=purpose,
        language=language,
        created_by_id=by.id,
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    session.flush()
    session.add_all(DraftSponsor(draft_id=draft.id, seat_id=seat_id) for seat_id in sponsor_ids)
    _add_revision(
        session,
        draft,
        by=by,
        number=1,
        base_number=None,
        text=text,
        summary="",
        paragraphs=build_paragraphs(text, previous=[]),
        now=now,
    )
    draft.latest_revision_number = 1
    session.add(draft)
    session.flush()
    record_visit(session, person=by, draft=draft, now=now)  # you have seen what you wrote
    audit.record(
        session,
        by=by,
        action="draft.started",
        target=draft,
        title=title,
        group=group.slug,
        language=language,
        sponsor_seat_ids=sponsor_ids,
    )
    return draft


def ensure_revisable(session: Session, draft: Draft, *, lock: bool = False) -> None:
    """Refuse while a decision round freezes the text (a comment round does not), and once
    the draft is closed. With `lock`, the draft row is locked first (PostgreSQL; SQLite
    serialises writers already), so no round can open between this check and the save."""
    if lock:
        session.exec(
            select(Draft)
            .where(Draft.id == draft.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
    if draft.status == DraftStatus.IN_ROUND and not _comment_round_open(session, draft):
        raise Conflict(
            _(
                "A decision round is open on this draft, so it cannot be revised "
                "until the round closes."
            )
        )
    if draft.status not in (*_REVISABLE, DraftStatus.IN_ROUND):
        raise Conflict(
            _(
                "This draft is closed (%(status)s) and can no longer be revised.",
                status=status_label(draft.status),
            )
        )


def revise(
    session: Session,
    *,
    by: Person,
    draft: Draft,
    base_number: int | None,
    text: str,
    summary: str,
    now: datetime | None = None,
) -> Revision:
    """Append a revision written on `base_number`, which must still be the latest."""
    now = now or utcnow()
    ensure_revisable(session, draft, lock=True)
    if base_number != draft.latest_revision_number:
        raise _stale(session, draft)
    text, summary = normalise(text), summary.strip()
    errors: dict[str, str] = {}
    _check_text(errors, text)
    check_line(
        errors,
        "summary",
        summary,
        MAX_SUMMARY,
        required=True,
        missing=_("Say briefly what this revision changes."),
    )
    base = latest_revision(session, draft)
    if "text" not in errors and text == base.source:
        errors["text"] = _(
            "The text is the same as revision %(number)s. Change it, or leave without saving.",
            number=base.number,
        )
    if errors:
        raise Invalid(errors)

    base_paragraphs = paragraphs(session, base)
    previous = [(p.paragraph_id, p.source) for p in base_paragraphs]
    return append_revision(
        session,
        draft,
        by=by,
        base=base,
        base_paragraphs=base_paragraphs,
        text=text,
        summary=summary,
        paragraphs=build_paragraphs(text, previous),
        now=now,
    )


def append_revision(
    session: Session,
    draft: Draft,
    *,
    by: Person,
    base: Revision,
    base_paragraphs: Sequence[RevisionParagraph],
    text: str,
    summary: str,
    paragraphs: Sequence[Paragraph],
    now: datetime,
    amended: dict[str, int] | None = None,
) -> Revision:
    """Store the revision after `base` (checked, and the draft locked, by the caller), with
    its paragraphs' provenance (`amended`: paragraph id -> the amendment that made it); other
    open amendments on paragraphs it changed become outdated."""
    number = base.number + 1
    try:
        with session.begin_nested():
            created = _add_revision(
                session,
                draft,
                by=by,
                number=number,
                base_number=base.number,
                text=text,
                summary=summary,
                paragraphs=paragraphs,
                now=now,
                previous=base_paragraphs,
                amended=amended,
            )
    except IntegrityError:
        # a concurrent save took this number first: the unique (draft_id, number) decides
        raise _stale(session, draft) from None
    draft.latest_revision_number = number
    draft.updated_at = now
    if draft.status == DraftStatus.NOT_ADOPTED:
        draft.status = DraftStatus.DRAFTING
    session.add(draft)
    session.flush()
    outdate_amendments(
        session,
        draft,
        {p.id: p.source for p in paragraphs},
        by=by,
        now=now,
        accepted=set((amended or {}).values()),
    )
    record_visit(session, person=by, draft=draft, now=now)
    audit.record(
        session,
        by=by,
        action="draft.revised",
        target=draft,
        number=number,
        base_number=base.number,
        summary=summary,
    )
    notices.draft_revised(session, draft=draft, revision=created, by=by, now=now)
    return created


def outdate_amendments(
    session: Session,
    draft: Draft,
    current: dict[str, str],
    *,
    by: Person,
    now: datetime,
    accepted: set[int],
) -> list[Amendment]:
    """Mark outdated the open amendments of `draft` (but the `accepted` ones, which made
    `current`) that the text `current` (paragraph id -> text) no longer reads as they were
    written on, and the open sub-amendments of those."""
    found = list(
        session.exec(
            select(Amendment).where(
                Amendment.draft_id == draft.id,
                Amendment.status == AmendmentStatus.OPEN,
                Amendment.id.not_in(accepted or {0}),
            )
        ).all()
    )
    if not found:
        return []
    changes: dict[int, list[Change]] = {}
    for row in session.exec(
        select(AmendmentChange)
        .where(AmendmentChange.amendment_id.in_([a.id for a in found]))
        .order_by(AmendmentChange.amendment_id, AmendmentChange.position)
    ).all():
        changes.setdefault(row.amendment_id, []).append(change_of(row))
    outdated = {
        a.id for a in found if a.parent_id is None and is_outdated(changes.get(a.id, []), current)
    }
    outdated |= {a.id for a in found if a.parent_id in outdated}
    marked = [a for a in found if a.id in outdated]
    for amendment in marked:
        amendment.status, amendment.updated_at = AmendmentStatus.OUTDATED, now
        session.add(amendment)
        audit.record(
            session,
            by=by,
            action="amendment.outdated",
            target=amendment,
            draft=draft.id,
            number=amendment.number,
            revision=draft.latest_revision_number,
        )
        notices.amendment_decided(session, amendment=amendment, draft=draft, by=by, now=now)
    session.flush()
    return marked


def change_of(row: AmendmentChange) -> Change:
    return Change(row.action, row.paragraph_id, row.text, row.original, row.new_paragraph_id)


def may_withdraw(actor: Actor, draft: Draft, sponsor_seat_ids: set[int]) -> bool:
    """Whether the draft is open and `can(actor, "draft.withdraw", ...)` (who may is there)."""
    if draft.status not in _REVISABLE:
        return False
    return can(
        actor,
        "draft.withdraw",
        Sponsored(draft.id, draft.working_group_id, frozenset(sponsor_seat_ids)),
    )


def sponsored(session: Session, draft: Draft) -> Sponsored:
    """The draft as the sponsors' rules of can() see it."""
    return Sponsored(
        draft.id,
        draft.working_group_id,
        frozenset(
            session.exec(
                select(DraftSponsor.seat_id).where(DraftSponsor.draft_id == draft.id)
            ).all()
        ),
    )


def may_revise_whole(session: Session, actor: Actor, draft: Draft) -> bool:
    """Whether the draft is open to revision and `can(actor, "draft.revise_whole", ...)`
    (sponsoring seats, the chair, the secretariat: everyone else amends)."""
    if draft.status not in (*_REVISABLE, DraftStatus.IN_ROUND) or not actor.signed_in:
        return False
    return can(actor, "draft.revise_whole", sponsored(session, draft))


def is_frozen(session: Session, draft: Draft) -> bool:
    """Whether a decision round freezes the text now (a comment round does not)."""
    return draft.status == DraftStatus.IN_ROUND and not _comment_round_open(session, draft)


def check_withdrawal(session: Session, *, actor: Actor, draft: Draft) -> None:
    """Refuse unless the draft is open and the actor may withdraw it."""
    if draft.status == DraftStatus.IN_ROUND:
        raise Conflict(_("A round is open on this draft; the chair must close it first."))
    if draft.status not in _REVISABLE:
        raise Conflict(_("This draft is closed (%(status)s).", status=status_label(draft.status)))
    if not may_withdraw(actor, draft, {seat.id for seat in sponsors(session, draft)}):
        raise NotAllowed(
            _(
                "Only the secretariat, the chair of the working group and the "
                "sponsoring seats may withdraw a draft."
            )
        )


def withdraw(
    session: Session,
    *,
    by: Person,
    draft: Draft,
    reason: str,
    now: datetime | None = None,
    actor: Actor | None = None,
) -> None:
    """`actor` is `by`'s roles when the caller has them already (a request does)."""
    now = now or utcnow()
    check_withdrawal(session, actor=actor or load_actor(session, by, now), draft=draft)
    reason = reason.strip()
    errors: dict[str, str] = {}
    check_line(
        errors,
        "reason",
        reason,
        MAX_REASON,
        required=True,
        missing=_("Give the reason for withdrawing the draft."),
    )
    if errors:
        raise Invalid(errors)
    draft.status = DraftStatus.WITHDRAWN
    draft.updated_at = now
    session.add(draft)
    session.flush()
    audit.record(
        session,
        by=by,
        action="draft.withdrawn",
        target=draft,
        reason=reason,
        revision=draft.latest_revision_number,
    )


# visits


VISITS = "draft_visit"
"""The bookkeeping kind of visits the draft page notes (council.bookkeeping): keyed by
(person id, draft id), valued by a Visit, written by write_visits outside the request."""


@dataclass(frozen=True)
class Visit:
    """What a person has seen of a draft: the latest revision they opened, the one they had
    seen before it, and when they last opened it."""

    revision_number: int
    previous_revision_number: int | None
    seen_at: datetime


def visit_key(person: Person, draft: Draft) -> tuple[int, int]:
    return person.id, draft.id


def last_visit(
    session: Session, *, person: Person, draft: Draft, pending: Visit | None = None
) -> Visit | None:
    """The visit as stored, or as noted in this process (`pending`) and not written yet."""
    row = session.get(DraftVisit, (person.id, draft.id))
    stored = (
        None
        if row is None
        else Visit(row.revision_number, row.previous_revision_number, row.seen_at)
    )
    return later_visit(stored, pending)


def visits_seen(session: Session, actor: Actor) -> tuple:
    """What changes when the revisions the reader has seen change (a visit is added, or one
    reaches a later revision: visits never go back, so the sums only grow): the facts of the
    "New for you" marks, for council.web.reader_copy. Not when they were seen, which a visit
    moves each time and which only the draft page shows (in facts of its own)."""
    return tuple(
        session.exec(
            select(
                func.count(),
                func.sum(DraftVisit.revision_number),
                func.sum(DraftVisit.previous_revision_number),
            ).where(DraftVisit.person_id == actor.person.id)
        ).one()
    )


def later_visit(visit: Visit | None, noted: Visit | None) -> Visit | None:
    """What writing `noted` over `visit` leaves (write_visits does the same in SQL): a visit
    never goes back to an earlier revision, so notes may be written in any order."""
    if visit is None or noted is None:
        return visit or noted
    seen_at = max(visit.seen_at, noted.seen_at)
    if noted.revision_number <= visit.revision_number:
        return Visit(visit.revision_number, visit.previous_revision_number, seen_at)
    seen_before = max(visit.revision_number, noted.previous_revision_number or 0)
    return Visit(noted.revision_number, seen_before, seen_at)


def visit_now(visit: Visit | None, draft: Draft, now: datetime) -> Visit:
    """The visit that opening the latest revision of `draft` at `now` makes."""
    return later_visit(visit, Visit(draft.latest_revision_number, None, now))


def record_visit(session: Session, *, person: Person, draft: Draft, now: datetime) -> None:
    """The latest revision is now seen, written at once (by who has just written it)."""
    write_visits(
        session, {visit_key(person, draft): Visit(draft.latest_revision_number, None, now)}
    )


def write_visits(session: Session, notes: dict[tuple[int, int], Visit]) -> None:
    """Store visits, one upsert each, keeping the later of the stored and the noted one
    (later_visit): the bookkeeping writer of VISITS."""
    if not notes:
        return
    table = DraftVisit.__table__
    insert = upsert(session, table)
    noted, stored = insert.excluded, table.c
    newer = noted.revision_number > stored.revision_number
    statement = insert.on_conflict_do_update(
        index_elements=[stored.person_id, stored.draft_id],
        set_={
            "previous_revision_number": case(
                (
                    newer & (noted.previous_revision_number > stored.revision_number),
                    noted.previous_revision_number,
                ),
                (newer, stored.revision_number),
                else_=stored.previous_revision_number,
            ),
            "revision_number": case((newer, noted.revision_number), else_=stored.revision_number),
            "seen_at": case((noted.seen_at > stored.seen_at, noted.seen_at), else_=stored.seen_at),
        },
    )
    session.execute(
        statement,
        [
            {
                "person_id": person_id,
                "draft_id": draft_id,
                "revision_number": visit.revision_number,
                "previous_revision_number": visit.previous_revision_number,
                "seen_at": visit.seen_at,
            }
            for (person_id, draft_id), visit in sorted(notes.items())
        ],
    )


def changes_since_last_visit(
    session: Session, *, person: Person, draft: Draft, pending: Visit | None = None
) -> VisitChanges:
    """From the revision seen before the latest one (or before the unseen ones) to the latest;
    `pending` is a visit noted in this process and not written yet."""
    latest = draft.latest_revision_number
    visit = last_visit(session, person=person, draft=draft, pending=pending)
    if visit is None:
        seen = None
    elif visit.revision_number < latest:
        seen = visit.revision_number
    else:
        seen = visit.previous_revision_number
    seen_at = visit.seen_at if visit is not None else None
    if seen is None or seen >= latest:
        return VisitChanges(seen, latest, None, visit is not None, seen_at)
    return VisitChanges(seen, latest, compare(session, draft, seen, latest), True, seen_at)


# shared


def _comment_round_open(session: Session, draft: Draft) -> bool:
    """Whether the open round of the draft, if any, is a comment round (revisions allowed)."""
    return (
        session.exec(
            select(Round.id).where(
                Round.draft_id == draft.id,
                Round.closed_at.is_(None),
                Round.kind == RoundKind.COMMENT,
            )
        ).first()
        is not None
    )


def status_label(status: str) -> str:
    return {
        DraftStatus.DRAFTING: _("Drafting"),
        DraftStatus.IN_ROUND: _("In a round"),
        DraftStatus.ADOPTED: pgettext("draft status", "Adopted"),
        DraftStatus.NOT_ADOPTED: pgettext("draft status", "Not adopted"),
        DraftStatus.WITHDRAWN: pgettext("draft status", "Withdrawn"),
    }.get(status, status)


def _stale(session: Session, draft: Draft) -> StaleRevision:
    latest = session.exec(
        select(Revision)
        .where(Revision.draft_id == draft.id)
        .order_by(Revision.number.desc())
        .limit(1)
    ).one()
    return StaleRevision(latest, session.get(Person, latest.author_id))


def _add_revision(
    session: Session,
    draft: Draft,
    *,
    by: Person,
    number: int,
    base_number: int | None,
    text: str,
    summary: str,
    paragraphs: Sequence[Paragraph],
    now: datetime,
    previous: Sequence[RevisionParagraph] = (),
    amended: dict[str, int] | None = None,
) -> Revision:
    """Store revision `number` and its paragraphs with their provenance: a paragraph whose
    text is that of `previous` (the base revision's paragraphs) keeps its origin; one in
    `amended` (paragraph id -> amendment id) comes from that amendment; any other from this
    revision, written by `by`'s seat (the original text, for revision 1)."""
    created = Revision(
        draft_id=draft.id,
        number=number,
        author_id=by.id,
        created_at=now,
        summary=summary,
        source=text,
        html=render_markdown(text),
        base_number=base_number,
    )
    session.add(created)
    session.flush()
    kept = {p.paragraph_id: p for p in previous}
    amended = amended or {}
    rows = []
    for p in paragraphs:
        row = RevisionParagraph(
            revision_id=created.id,
            position=p.position,
            paragraph_id=p.id,
            source=p.source,
            html=p.html,
            number=p.number,
            origin_revision=number,
        )
        if p.id in amended:
            row.origin, row.origin_amendment_id = Origin.AMENDMENT, amended[p.id]
        elif (old := kept.get(p.id)) is not None and old.source == p.source:
            row.origin, row.origin_revision = old.origin, old.origin_revision
            row.origin_amendment_id = old.origin_amendment_id
            row.origin_seat_id = old.origin_seat_id
        elif number > 1:
            row.origin, row.origin_seat_id = Origin.REVISION, by.seat_id
        rows.append(row)
    session.add_all(rows)
    session.flush()
    return created


def normalise(text: str) -> str:
    """Typed text as kept: one kind of line break, no surrounding blank space."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def unreadable_message() -> str:
    return _(
        "The text contains characters that could not be read (it was not valid UTF-8). "
        "Remove them, or copy the text again from its source."
    )


def check_line(
    errors: dict[str, str],
    field: str,
    value: str,
    limit: int,
    *,
    required: bool = False,
    missing: str | None = None,
) -> None:
    """The error, if any, of one typed field, beside it: unreadable, missing, too long."""
    if UNREADABLE.search(value):
        errors[field] = unreadable_message()
    elif has_control(value):
        errors[field] = control_message()
    elif required and not value:
        errors[field] = missing or _("This field is required.")
    elif len(value) > limit:
        errors[field] = _(
            "At most %(limit)s characters (this has %(count)s).", limit=limit, count=len(value)
        )


def check_start_rate(session: Session, *, by: Person, now: datetime) -> None:
    """At most STARTS_PER_WINDOW drafts started per person per START_WINDOW through the form
    (seeding and imports call start_draft alone), counted under a lock held until the new
    draft is committed, so that simultaneous starts cannot all pass."""
    serialise(session, f"drafts:{by.id}")
    recent = session.exec(
        select(func.count())
        .select_from(Draft)
        .where(Draft.created_by_id == by.id, Draft.created_at > now - START_WINDOW)
    ).one()
    if recent >= STARTS_PER_WINDOW:
        raise RateLimited(
            _(
                "You have started %(limit)s drafts in the last %(minutes)s minutes, the most "
                "allowed. Your text is kept below: start the draft again in a few minutes.",
                limit=STARTS_PER_WINDOW,
                minutes=int(START_WINDOW.total_seconds() // 60),
            )
        )


def _check_text(errors: dict[str, str], text: str) -> None:
    if UNREADABLE.search(text):
        errors["text"] = unreadable_message()
    elif has_control(text):
        errors["text"] = control_message()
    elif not text:
        errors["text"] = _("Write the text of the draft.")
    else:
        size = len(text.encode("utf-8"))
        if size > MAX_TEXT_BYTES:
            errors["text"] = _(
                "The text is %(size)s KB; at most %(limit)s KB are allowed. Shorten it, or "
                "split it into several drafts.",
                size=math.ceil(size / 1024),
                limit=MAX_TEXT_BYTES // 1024,
            )
        elif (lines := text.count("\n") + 1) > MAX_LINES:
            errors["text"] = _(
                "The text has %(count)s lines; at most %(limit)s are allowed. Shorten it, or "
                "split it into several drafts.",
                count=lines,
                limit=MAX_LINES,
            )
        elif (count := len(split_blocks(text))) > MAX_PARAGRAPHS:
            errors["text"] = _(
                "The text has %(count)s paragraphs (each heading and list item counts as one); "
                "at most %(limit)s are allowed. Join some of them, or split the text into "
                "several drafts.",
                count=count,
                limit=MAX_PARAGRAPHS,
            )
