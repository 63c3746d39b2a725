"""Provenance: where each paragraph of a revision came from (the original text, a whole-text
revision by a seat, an accepted amendment, editorial change or merge), as the draft page says it
and as an adopted recommendation's record keeps it: by seat, never by person. Written with each
revision (workspaces.drafts), read here in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, select

from council import names
from council.models import Seat
from workspaces.amendment_models import Amendment, AmendmentKind
from workspaces.models import Origin, RevisionParagraph


@dataclass(frozen=True)
class Provenance:
    """Where a paragraph's text came from, as the draft page says it."""

    origin: str
    revision: int
    seat: str | None = None
    amendment: Amendment | None = None
    amendment_seat: str | None = None
    merged: tuple[tuple[int, str | None], ...] = ()


def provenance(session: Session, paragraphs: Sequence[RevisionParagraph]) -> dict[str, Provenance]:
    """Paragraph id -> its provenance (three queries at most)."""
    amendment_ids = {p.origin_amendment_id for p in paragraphs if p.origin_amendment_id}
    found = (
        {
            a.id: a
            for a in session.exec(select(Amendment).where(Amendment.id.in_(amendment_ids))).all()
        }
        if amendment_ids
        else {}
    )
    merged_rows = (
        list(
            session.exec(
                select(Amendment)
                .where(Amendment.merged_into_id.in_(amendment_ids))
                .order_by(Amendment.number)
            ).all()
        )
        if amendment_ids
        else []
    )
    seats = _seat_names(
        session,
        {p.origin_seat_id for p in paragraphs}
        | {a.seat_id for a in found.values()}
        | {a.seat_id for a in merged_rows},
    )
    merged: dict[int, list[tuple[int, str | None]]] = {}
    for a in merged_rows:
        merged.setdefault(a.merged_into_id, []).append((a.number, seats.get(a.seat_id)))
    result = {}
    for p in paragraphs:
        amendment = found.get(p.origin_amendment_id)
        result[p.paragraph_id] = Provenance(
            origin=p.origin,
            revision=p.origin_revision,
            seat=seats.get(p.origin_seat_id),
            amendment=amendment,
            amendment_seat=seats.get(amendment.seat_id) if amendment else None,
            merged=tuple(merged.get(amendment.id, ())) if amendment else (),
        )
    return result


def record_provenance(session: Session, paragraphs: Sequence[RevisionParagraph]) -> dict[str, dict]:
    """Paragraph id -> its provenance as the adopted recommendation's record keeps it: by seat,
    never by person."""
    if not paragraphs:
        return {}
    shown = provenance(session, paragraphs)
    result = {}
    for paragraph_id, p in shown.items():
        entry: dict = {"kind": p.origin, "revision": p.revision}
        if p.origin == Origin.REVISION:
            entry["seat"] = str(p.seat) if p.seat is not None else None
        if p.amendment is not None:
            a = p.amendment
            entry.update(
                {
                    "kind": "editorial"
                    if a.kind == AmendmentKind.EDITORIAL
                    else ("merge" if a.kind == AmendmentKind.MERGE else "amendment"),
                    "amendment": a.number,
                    "seat": (
                        str(p.amendment_seat)
                        if a.kind == AmendmentKind.AMENDMENT and p.amendment_seat is not None
                        else None
                    ),
                    "decided_at": a.decided_at.isoformat() if a.decided_at else None,
                    "edited": a.edited,
                    "merged": [
                        {"amendment": number, "seat": str(seat) if seat is not None else None}
                        for number, seat in p.merged
                    ],
                }
            )
        result[paragraph_id] = entry
    return result


def _seat_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    """Seat names that pages show in their reader's language (council.names.Named); the
    record keeps them as plain strings, in the default language."""
    return names.names_by_id(session, Seat, ids)
