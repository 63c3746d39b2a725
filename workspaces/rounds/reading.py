"""Finding rounds, and reading them as the clock leaves them.

A round past its deadline is over at once, whether or not its close has been stored yet (the
worker stores it within seconds; the next write on it does too). Reading never stores it:
`as_of` and `draft_as_of` give detached copies that show the close it will record, so a GET
writes nothing and needs no second transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from sqlalchemy import func, inspect
from sqlalchemy.orm import object_session
from sqlmodel import Session, SQLModel, select

from council.database import utcnow
from council.errors import NotFound
from council.models import WorkingGroup
from workspaces.decisions import Outcome
from workspaces.drafts import DraftSummary
from workspaces.models import Comment, Draft, DraftStatus
from workspaces.round_models import Round, RoundKind
from workspaces.rounds.sealing import apply_closing, closing_of

Row = TypeVar("Row", bound=SQLModel)


def get_round(session: Session, round_id: int) -> Round:
    found = session.get(Round, round_id)
    if found is None:
        raise NotFound()
    return found


def open_round_of(session: Session, draft: Draft) -> Round | None:
    return session.exec(
        select(Round).where(Round.draft_id == draft.id, Round.closed_at.is_(None))
    ).first()


def draft_rounds(session: Session, draft: Draft) -> list[Round]:
    """Every round of the draft, the latest first."""
    return list(
        session.exec(
            select(Round)
            .where(Round.draft_id == draft.id)
            .order_by(Round.opened_at.desc(), Round.id.desc())
        ).all()
    )


def adopted_round(session: Session, draft: Draft) -> Round | None:
    """The decision round that adopted the draft: its revision_number is the adopted text."""
    return session.exec(
        select(Round).where(Round.draft_id == draft.id, Round.outcome == Outcome.ADOPTED)
    ).first()


def past_deadline(round_: Round, now: datetime) -> bool:
    """Open in the database but already over: it reads as closed, and its close is stored by
    the worker or the next write."""
    return round_.closed_at is None and round_.deadline <= now


def accepting(round_: Round, now: datetime) -> bool:
    return round_.closed_at is None and round_.deadline > now


def any_expired(
    session: Session,
    now: datetime,
    *,
    draft: Draft | None = None,
    group: WorkingGroup | None = None,
) -> bool:
    """One query: is a round (of the draft, of the group, or anywhere) past its deadline?"""
    return session.exec(expired_query(now, draft, group).limit(1)).first() is not None


def expired_query(now: datetime, draft: Draft | None = None, group: WorkingGroup | None = None):
    query = select(Round).where(Round.closed_at.is_(None), Round.deadline <= now)
    if draft is not None:
        query = query.where(Round.draft_id == draft.id)
    if group is not None:
        query = query.join(Draft, Draft.id == Round.draft_id).where(
            Draft.working_group_id == group.id
        )
    return query.order_by(Round.id)


# as the clock leaves them


def as_of(session: Session, round_: Round, now: datetime) -> Round:
    """The round as it reads at `now`. A round past its deadline whose close is not stored yet
    comes back as a detached copy, closed at its deadline with the outcome, tally and sealed
    positions that closing it will record; it is never added to the session, so no flush
    writes it. Any other round comes back as it is."""
    if not past_deadline(round_, now):
        return round_
    return _closed_copies(session, round_, session.get(Draft, round_.draft_id))[0]


def draft_as_of(session: Session, draft: Draft, now: datetime) -> Draft:
    """The draft as it reads at `now`: while its round is past its deadline but not yet
    closed in the database, a detached copy with the status that closing will leave."""
    if draft.status != DraftStatus.IN_ROUND:
        return draft
    expired = session.exec(expired_query(now, draft)).first()
    if expired is None:
        return draft
    return _closed_copies(session, expired, draft)[1]


def summaries_as_of(
    session: Session, summaries: Sequence[DraftSummary], now: datetime
) -> list[DraftSummary]:
    """A list of drafts (drafts.list_drafts) as it reads at `now`: one query when a draft is
    in a round, none otherwise."""
    in_round = [s.draft.id for s in summaries if s.draft.status == DraftStatus.IN_ROUND]
    if not in_round:
        return list(summaries)
    expired = {
        r.draft_id: r
        for r in session.exec(expired_query(now).where(Round.draft_id.in_(in_round))).all()
    }
    if not expired:
        return list(summaries)
    shown = [
        replace(s, draft=_closed_copies(session, expired[s.draft.id], s.draft)[1])
        if s.draft.id in expired
        else s
        for s in summaries
    ]
    # closing moves a draft's updated_at to the deadline: keep the list's order
    return sorted(shown, key=lambda s: (s.draft.updated_at, s.draft.id), reverse=True)


def _closed_copies(session: Session, round_: Round, draft: Draft) -> tuple[Round, Draft]:
    """Detached copies of the round and its draft, closed at the deadline."""
    group = session.get(WorkingGroup, draft.working_group_id)
    closing = closing_of(session, round_, group)
    round_copy, draft_copy = _detached(round_), _detached(draft)
    apply_closing(round_copy, draft_copy, closing, closed_at=round_.deadline, by=None, statement="")
    return round_copy, draft_copy


def _detached(row: Row) -> Row:
    """A transient copy of a row's columns: no session holds it, so nothing flushes it."""
    return type(row)(
        **{attr.key: getattr(row, attr.key) for attr in inspect(type(row)).column_attrs}
    )


# comments of comment rounds


def comment_round_id(session: Session, draft: Draft, now: datetime | None = None) -> int | None:
    """The comment round open on the draft, to which a comment written now belongs."""
    now = now or utcnow()
    return session.exec(
        select(Round.id).where(
            Round.draft_id == draft.id,
            Round.closed_at.is_(None),
            Round.kind == RoundKind.COMMENT,
            Round.opened_at <= now,
            Round.deadline > now,
        )
    ).first()


def comment_sealed(comment: Comment, now: datetime | None = None) -> bool:
    """Whether the comment belongs to a comment round that has closed (or is past its
    deadline): then nothing in it changes. The round is read through the comment's session,
    whose identity map keeps it, so a page of comments costs one query per round."""
    if comment.round_id is None:
        return False
    session = object_session(comment)
    round_ = session.get(Round, comment.round_id) if session is not None else None
    return round_ is not None and not accepting(round_, now or utcnow())


def round_comment_count(session: Session, round_: Round) -> int:
    return session.exec(
        select(func.count())
        .select_from(Comment)
        .where(Comment.round_id == round_.id, Comment.withdrawn_at.is_(None))
    ).one()
