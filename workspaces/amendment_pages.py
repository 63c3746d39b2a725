"""What pages read of amendments: a draft's amendments with their changes shown as comparisons,
the open amendments per paragraph (the draft page's counts) and each paragraph's provenance.
A fixed number of queries whatever the number of amendments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, select

from council import names
from council.models import Person, Seat
from workspaces import amendments
from workspaces.amendment_models import (
    Amendment,
    AmendmentChange,
    AmendmentComment,
    AmendmentStatus,
    AmendmentSupport,
)
from workspaces.diffs import word_diff_html
from workspaces.markdown import readable, render_markdown
from workspaces.models import Draft, RevisionParagraph

OPEN_FIRST = (AmendmentStatus.OPEN, AmendmentStatus.OUTDATED)


@dataclass(frozen=True)
class ChangeView:
    row: AmendmentChange
    number: int | None
    """The citable number of the paragraph changed (or followed) in the current text."""
    in_text: bool
    """Whether that paragraph is still in the current text."""
    comparison: str
    """Escaped HTML: the proposed text with deletions and insertions marked."""
    accepted_comparison: str | None = None
    """For a change accepted with an editorial change: from the proposed to the accepted text."""


@dataclass
class AmendmentView:
    amendment: Amendment
    changes: list[ChangeView]
    seat: str | None
    proposed_by: str
    decided_by: str | None = None
    supporters: list[str] = field(default_factory=list)
    parent_number: int | None = None
    children: list[Amendment] = field(default_factory=list)
    merged_into_number: int | None = None
    merged: list[tuple[int, str | None]] = field(default_factory=list)
    """For a merge: (number, seat) of the amendments it merged."""

    @property
    def is_open(self) -> bool:
        return self.amendment.status == AmendmentStatus.OPEN

    @property
    def paragraph_ids(self) -> set[str]:
        return {c.row.paragraph_id for c in self.changes}


def draft_amendments(
    session: Session,
    draft: Draft,
    current: Sequence[RevisionParagraph],
    *,
    only: Iterable[int] | None = None,
) -> list[AmendmentView]:
    """The draft's amendments (or those of `only`), open ones first, by number."""
    query = select(Amendment).where(Amendment.draft_id == draft.id)
    if only is not None:
        query = query.where(Amendment.id.in_(list(only)))
    found = list(session.exec(query.order_by(Amendment.number)).all())
    return _views(session, found, current)


def _views(
    session: Session, found: list[Amendment], current: Sequence[RevisionParagraph]
) -> list[AmendmentView]:
    if not found:
        return []
    ids = [a.id for a in found]
    rows = amendments.changes_of(session, ids)
    seat_ids = {a.seat_id for a in found} | {a.decided_by_seat_id for a in found}
    person_ids = {a.proposed_by_id for a in found} | {a.decided_by_id for a in found}
    supports: dict[int, list[int]] = {}
    for amendment_id, seat_id in session.exec(
        select(AmendmentSupport.amendment_id, AmendmentSupport.seat_id).where(
            AmendmentSupport.amendment_id.in_(ids)
        )
    ).all():
        supports.setdefault(amendment_id, []).append(seat_id)
        seat_ids.add(seat_id)
    related = {
        a.id: a
        for a in session.exec(
            select(Amendment).where(Amendment.draft_id == found[0].draft_id)
        ).all()
    }
    for a in related.values():
        seat_ids.add(a.seat_id)
    seats = names.names_by_id(session, Seat, seat_ids)
    people = _names(session, Person, person_ids)
    numbers = {p.paragraph_id: p.number for p in current}
    children: dict[int, list[Amendment]] = {}
    merged: dict[int, list[tuple[int, str | None]]] = {}
    for a in sorted(related.values(), key=lambda a: a.number):
        if a.parent_id is not None:
            children.setdefault(a.parent_id, []).append(a)
        if a.merged_into_id is not None:
            merged.setdefault(a.merged_into_id, []).append((a.number, seats.get(a.seat_id)))
    views = []
    for a in found:
        views.append(
            AmendmentView(
                amendment=a,
                changes=[_change_view(row, numbers) for row in rows[a.id]],
                seat=seats.get(a.seat_id),
                proposed_by=people.get(a.proposed_by_id, ""),
                decided_by=seats.get(a.decided_by_seat_id) or people.get(a.decided_by_id),
                supporters=sorted(seats[s] for s in supports.get(a.id, [])),
                parent_number=related[a.parent_id].number if a.parent_id in related else None,
                children=children.get(a.id, []),
                merged_into_number=(
                    related[a.merged_into_id].number if a.merged_into_id in related else None
                ),
                merged=merged.get(a.id, []),
            )
        )
    views.sort(key=lambda v: (v.amendment.status not in OPEN_FIRST, v.amendment.number))
    return views


def plain(source: str) -> str:
    """A paragraph's Markdown as read, without its marks (for comparisons)."""
    return readable(render_markdown(source)) if source else ""


def _change_view(row: AmendmentChange, numbers: dict[str, int | None]) -> ChangeView:
    old = plain(row.original) if row.action != "insert" else ""
    new = plain(row.text)
    accepted = None
    if row.accepted_text is not None:
        accepted = word_diff_html(new, plain(row.accepted_text))
    return ChangeView(
        row,
        numbers.get(row.paragraph_id),
        row.paragraph_id in numbers,
        word_diff_html(old, new),
        accepted,
    )


def _names(session: Session, model: type, ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.exec(select(model.id, model.name).where(model.id.in_(ids))).all())


def open_counts(session: Session, draft: Draft) -> dict[str, int]:
    """Paragraph id -> how many open amendments change it or insert after it (one query)."""
    counts: dict[str, int] = {}
    for paragraph_id, _amendment in session.exec(
        select(AmendmentChange.paragraph_id, AmendmentChange.amendment_id)
        .distinct()
        .join(Amendment, Amendment.id == AmendmentChange.amendment_id)
        .where(
            Amendment.draft_id == draft.id,
            Amendment.status == AmendmentStatus.OPEN,
            Amendment.parent_id.is_(None),
        )
    ).all():
        counts[paragraph_id] = counts.get(paragraph_id, 0) + 1
    return counts


def comments_of(
    session: Session, amendment: Amendment
) -> list[tuple[AmendmentComment, str, str | None]]:
    """The amendment's thread, oldest first: (comment, author, seat)."""
    rows = list(
        session.exec(
            select(AmendmentComment)
            .where(AmendmentComment.amendment_id == amendment.id)
            .order_by(AmendmentComment.created_at, AmendmentComment.id)
        ).all()
    )
    people = _names(session, Person, {r.author_id for r in rows})
    seats = names.names_by_id(session, Seat, {r.seat_id for r in rows})
    return [(r, people.get(r.author_id, ""), seats.get(r.seat_id)) for r in rows]


def own_support(session: Session, amendment: Amendment, seat_id: int | None) -> bool:
    return (
        seat_id is not None and session.get(AmendmentSupport, (amendment.id, seat_id)) is not None
    )
