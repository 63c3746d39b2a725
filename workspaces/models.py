"""Drafts and their append-only revisions, split into paragraphs with stable ids."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from council.database import UNVERSIONED, UTCDateTime
from council.models import timestamp


class DraftStatus(StrEnum):
    DRAFTING = "drafting"
    IN_ROUND = "in_round"
    ADOPTED = "adopted"
    NOT_ADOPTED = "not_adopted"
    WITHDRAWN = "withdrawn"


def foreign_key(
    target: str, *, cascade: bool = True, nullable: bool = False, **column: bool
) -> Column:
    """An integer column referring to `target` ("table.id"), deleted with it unless `cascade`
    is off; `column` passes primary_key, index or unique on to the Column."""
    return Column(
        Integer,
        ForeignKey(target, ondelete="CASCADE" if cascade else None),
        nullable=nullable,
        **column,
    )


class Draft(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(
            "status IN ('drafting', 'in_round', 'adopted', 'not_adopted', 'withdrawn')",
            name="status",
        ),
        CheckConstraint("language IN ('en', 'es', 'fr')", name="language"),
        CheckConstraint("latest_revision_number >= 0", name="latest_revision_number"),
        CheckConstraint("comment_count >= 0", name="comment_count"),
        Index("ix_draft_group_updated", "working_group_id", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    working_group_id: int = Field(sa_column=foreign_key("working_group.id", cascade=False))
    title: str = Field(max_length=200)
    purpose: str = Field(default="", max_length=300)
    title_translations: str = Field(
        default="{}", sa_type=Text, sa_column_kwargs={"server_default": "{}"}
    )
    purpose_translations: str = Field(
        default="{}", sa_type=Text, sa_column_kwargs={"server_default": "{}"}
    )
    """JSON {language: text}: the title and purpose in the draft's other language versions."""
    language: str = Field(default="en", sa_type=String(8))
    """The original language: the versions in the other official languages translate it."""
    status: DraftStatus = Field(default=DraftStatus.DRAFTING, sa_type=String(20))
    created_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    latest_revision_number: int = 0
    """Denormalised from the revisions, for lists; 0 only while the first one is written."""
    comment_count: int = 0


class DraftSponsor(SQLModel, table=True):
    __tablename__ = "draft_sponsor"

    draft_id: int = Field(sa_column=foreign_key("draft.id", primary_key=True))
    seat_id: int = Field(
        sa_column=foreign_key("seat.id", primary_key=True, index=True, cascade=False)
    )


class Revision(SQLModel, table=True):
    """One saved text of a draft; never edited. (draft_id, number) is unique, so of two
    people saving on the same base only the first gets the next number."""

    __table_args__ = (
        UniqueConstraint("draft_id", "number"),
        CheckConstraint("number >= 1", name="number"),
        CheckConstraint("number = 1 OR summary <> ''", name="summary_required"),
    )

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(sa_column=foreign_key("draft.id"))
    number: int
    author_id: int = Field(foreign_key="person.id")
    created_at: datetime = timestamp()
    summary: str = Field(default="", max_length=500)
    source: str = Field(sa_type=Text)
    html: str = Field(sa_type=Text)
    base_number: int | None = None


class Origin(StrEnum):
    """Where a paragraph's text came from (its provenance)."""

    ORIGINAL = "original"
    """Revision 1, as the sponsors wrote it."""
    REVISION = "revision"
    """A whole-text revision (origin_seat_id: its author's seat, if any)."""
    AMENDMENT = "amendment"
    """An accepted amendment, a chair's editorial change or a merge (origin_amendment_id)."""


class RevisionParagraph(SQLModel, table=True):
    """A block of a revision: its position, its citable number (None for headings), its stable
    id (for links) and its provenance, carried from revision to revision while its text stays."""

    __tablename__ = "revision_paragraph"
    __table_args__ = (
        UniqueConstraint("revision_id", "paragraph_id"),
        CheckConstraint("position >= 1", name="position"),
        CheckConstraint("number IS NULL OR number >= 1", name="number"),
        CheckConstraint("origin IN ('original', 'revision', 'amendment')", name="origin"),
        CheckConstraint(
            "(origin = 'amendment') = (origin_amendment_id IS NOT NULL)", name="origin_amendment"
        ),
    )

    revision_id: int = Field(sa_column=foreign_key("revision.id", primary_key=True))
    position: int = Field(primary_key=True)
    paragraph_id: str = Field(max_length=16)
    source: str = Field(sa_type=Text)
    html: str = Field(sa_type=Text)
    number: int | None = None
    origin: Origin = Field(default=Origin.ORIGINAL, sa_type=String(16))
    origin_revision: int = 1
    """The revision that gave the paragraph its present text."""
    origin_amendment_id: int | None = Field(
        default=None, sa_column=foreign_key("amendment.id", nullable=True, cascade=False)
    )
    origin_seat_id: int | None = Field(
        default=None, sa_column=foreign_key("seat.id", nullable=True, cascade=False)
    )


class VersionParagraph(SQLModel, table=True):
    """A paragraph of a draft's version in another language: the same stable id as the
    original's, and the original text it translates (`translated_from`). It is current while
    the latest revision's paragraph reads exactly so, outdated once that changed, and a
    paragraph of the latest revision without a row is missing (workspaces.versions)."""

    __tablename__ = "version_paragraph"
    __table_args__ = (
        CheckConstraint("language IN ('en', 'es', 'fr')", name="language"),
        CheckConstraint("translated_revision >= 1", name="translated_revision"),
    )

    draft_id: int = Field(sa_column=foreign_key("draft.id", primary_key=True))
    language: str = Field(sa_type=String(8), primary_key=True)
    paragraph_id: str = Field(max_length=16, primary_key=True)
    source: str = Field(sa_type=Text)
    html: str = Field(sa_type=Text)
    translated_from: str = Field(sa_type=Text)
    translated_revision: int
    """The revision whose paragraph it was translated from."""
    seat_id: int | None = Field(
        default=None, sa_column=foreign_key("seat.id", nullable=True, cascade=False)
    )
    """The seat its translator acted for (the record names the seat)."""
    translated_by_id: int = Field(foreign_key="person.id")
    updated_at: datetime = timestamp()


class DraftVisit(SQLModel, table=True):
    """The revision a person last saw, and the one they had seen before it (for "what
    changed since my last visit" after the visit that showed the new revision)."""

    __tablename__ = "draft_visit"
    __table_args__ = (
        {"info": {UNVERSIONED: True}},
    )  # a reader's visit: the draft page names it in its copies' key

    person_id: int = Field(sa_column=foreign_key("person.id", primary_key=True))
    draft_id: int = Field(sa_column=foreign_key("draft.id", primary_key=True, index=True))
    revision_number: int
    previous_revision_number: int | None = None
    seen_at: datetime = Field(sa_type=UTCDateTime)


class Comment(SQLModel, table=True):
    """A comment on a draft, anchored to a paragraph (by stable id) of the revision being read,
    or to the whole draft (paragraph_id None). Replies point to the root of their thread and
    repeat its anchor; the thread's resolution is kept on the root."""

    __table_args__ = (
        CheckConstraint("revision_number >= 1", name="revision_number"),
        CheckConstraint("(hidden_at IS NULL) = (hidden_by_id IS NULL)", name="hidden_by"),
        CheckConstraint("(resolved_at IS NULL) = (resolved_by_id IS NULL)", name="resolved_by"),
        CheckConstraint("parent_id IS NULL OR resolved_at IS NULL", name="resolved_root"),
        Index("ix_comment_draft_anchor", "draft_id", "paragraph_id", "created_at"),
        Index(
            "ix_comment_anchor_threads", "draft_id", "paragraph_id", "parent_id", "created_at", "id"
        ),
        Index("ix_comment_parent_created", "parent_id", "created_at"),
        Index("ix_comment_author_created", "author_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(sa_column=foreign_key("draft.id"))
    revision_number: int
    paragraph_id: str | None = Field(default=None, max_length=16)
    parent_id: int | None = Field(default=None, sa_column=foreign_key("comment.id", nullable=True))
    author_id: int = Field(foreign_key="person.id")
    body_source: str = Field(sa_type=Text)
    body_html: str = Field(sa_type=Text)
    """Rendered and sanitised when written, mentions linked."""
    created_at: datetime = timestamp()
    edited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hidden_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hidden_by_id: int | None = Field(default=None, foreign_key="person.id")
    hidden_reason: str = Field(default="", max_length=500)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_by_id: int | None = Field(default=None, foreign_key="person.id")
    round_id: int | None = Field(default=None, foreign_key="round.id", index=True)
    """The comment round open when it was written (workspaces.rounds): sealed once it closes."""
