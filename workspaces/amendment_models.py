"""Amendments: proposed changes to paragraphs of a draft's current revision, decided by the chair.

An amendment belongs to a draft and is numbered within it (1, 2, ...). It proposes one or more
changes (`AmendmentChange`: replace a paragraph, insert one after a paragraph, delete one), each
remembering the text it was written against, so that a revision changing that paragraph makes it
outdated. A sub-amendment (`parent_id`) proposes another text for changes of an open amendment
and is decided before it. Seats state support (one row per seat); comments form its thread.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from council.database import UTCDateTime
from council.models import timestamp
from workspaces.models import foreign_key


class AmendmentKind(StrEnum):
    AMENDMENT = "amendment"
    """Proposed by a seat, through one of its people."""
    EDITORIAL = "editorial"
    """The chair's editorial proposal (OpenSlides' "change recommendation")."""
    MERGE = "merge"
    """The chair's merged text of several amendments on the same paragraph."""


class AmendmentStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    OUTDATED = "outdated"
    """Its paragraph changed since it was written: its proposer may re-base it."""
    MERGED = "merged"
    """Taken into a merge (merged_into_id), accepted with it."""


class ChangeAction(StrEnum):
    REPLACE = "replace"
    INSERT = "insert"
    """Insert a new paragraph after `paragraph_id`."""
    DELETE = "delete"


class Amendment(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("draft_id", "number"),
        CheckConstraint("number >= 1", name="number"),
        CheckConstraint("kind IN ('amendment', 'editorial', 'merge')", name="kind"),
        CheckConstraint(
            "status IN ('open', 'accepted', 'refused', 'withdrawn', 'outdated', 'merged')",
            name="status",
        ),
        CheckConstraint("kind <> 'amendment' OR seat_id IS NOT NULL", name="seat_required"),
        CheckConstraint("(status = 'merged') = (merged_into_id IS NOT NULL)", name="merged_into"),
        CheckConstraint("status <> 'refused' OR decision_reason <> ''", name="refusal_reason"),
        CheckConstraint("support_count >= 0", name="support_count"),
        CheckConstraint("comment_count >= 0", name="comment_count"),
        Index("ix_amendment_draft_status", "draft_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(sa_column=foreign_key("draft.id"))
    number: int
    kind: AmendmentKind = Field(default=AmendmentKind.AMENDMENT, sa_type=String(16))
    parent_id: int | None = Field(
        default=None, sa_column=foreign_key("amendment.id", nullable=True, index=True)
    )
    """The open amendment this sub-amendment amends (decided before it)."""
    revision_number: int
    """The revision it was written on (or last re-based on)."""
    seat_id: int | None = Field(
        default=None, sa_column=foreign_key("seat.id", nullable=True, cascade=False)
    )
    """The proposing seat; for the chair's proposals, the chairing seat if any."""
    proposed_by_id: int = Field(foreign_key="person.id")
    justification: str = Field(sa_type=Text)
    status: AmendmentStatus = Field(default=AmendmentStatus.OPEN, sa_type=String(16))
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="person.id")
    decided_by_seat_id: int | None = Field(
        default=None, sa_column=foreign_key("seat.id", nullable=True, cascade=False)
    )
    decision_reason: str = Field(default="", max_length=1000)
    edited: bool = False
    """Accepted with an editorial change by the chair (the accepted text differs)."""
    merged_into_id: int | None = Field(
        default=None, sa_column=foreign_key("amendment.id", nullable=True, cascade=False)
    )
    revision_made: int | None = None
    """The revision its acceptance produced."""
    support_count: int = 0
    comment_count: int = 0


class AmendmentChange(SQLModel, table=True):
    """One change of an amendment. For an insertion, `paragraph_id` is the paragraph it follows
    and `new_paragraph_id` the id the inserted paragraph will have."""

    __tablename__ = "amendment_change"
    __table_args__ = (
        CheckConstraint("action IN ('replace', 'insert', 'delete')", name="action"),
        CheckConstraint("position >= 1", name="position"),
        CheckConstraint(
            "(action = 'insert') = (new_paragraph_id IS NOT NULL)", name="new_paragraph_id"
        ),
    )

    amendment_id: int = Field(sa_column=foreign_key("amendment.id", primary_key=True))
    position: int = Field(primary_key=True)
    action: ChangeAction = Field(sa_type=String(8))
    paragraph_id: str = Field(max_length=16)
    original: str = Field(sa_type=Text)
    """The paragraph's text when the change was written (for an insertion, the preceding one)."""
    text: str = Field(default="", sa_type=Text)
    """The proposed text (empty for a deletion); a sub-amendment's acceptance replaces it."""
    accepted_text: str | None = Field(default=None, sa_type=Text)
    """The text as the chair accepted it, when edited."""
    new_paragraph_id: str | None = Field(default=None, max_length=16)


class AmendmentSupport(SQLModel, table=True):
    """A seat's support of an amendment, stated by one of its people (one per seat)."""

    __tablename__ = "amendment_support"

    amendment_id: int = Field(sa_column=foreign_key("amendment.id", primary_key=True))
    seat_id: int = Field(sa_column=foreign_key("seat.id", primary_key=True, cascade=False))
    person_id: int = Field(foreign_key="person.id")
    created_at: datetime = timestamp()


class AmendmentComment(SQLModel, table=True):
    __tablename__ = "amendment_comment"
    __table_args__ = (Index("ix_amendment_comment_amendment", "amendment_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    amendment_id: int = Field(sa_column=foreign_key("amendment.id"))
    author_id: int = Field(foreign_key="person.id")
    seat_id: int | None = Field(
        default=None, sa_column=foreign_key("seat.id", nullable=True, cascade=False)
    )
    body_source: str = Field(sa_type=Text)
    body_html: str = Field(sa_type=Text)
    created_at: datetime = timestamp()
