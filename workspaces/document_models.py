"""The evidence library: documents (PDF files) uploaded to a working group or to the council.

A document's file is kept outside the database, under the var directory, named by its SHA-256
digest (workspaces.documents); the row holds what readers see about it, and its extracted text
lives apart (`DocumentText`) so that lists never load it. `DocumentCitation` records which
published recommendations cite which documents, written at publication (workspaces.citations).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlmodel import Field, SQLModel

from council.database import UTCDateTime
from council.models import timestamp
from workspaces.models import foreign_key


class Visibility(StrEnum):
    MEMBERS = "members"
    """Members of the council only (council.permissions: "document.read")."""
    PUBLIC = "public"
    """Anyone, where the council publishes to the public."""


class Document(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("visibility IN ('members', 'public')", name="visibility"),
        CheckConstraint("language IN ('en', 'es', 'fr')", name="language"),
        CheckConstraint("size > 0", name="size"),
        CheckConstraint("(withdrawn_at IS NULL) = (withdrawn_by_id IS NULL)", name="withdrawn_by"),
        Index("ix_document_uploaded", "uploaded_at", "id"),
        Index("ix_document_group_uploaded", "working_group_id", "uploaded_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    working_group_id: int | None = Field(
        default=None, sa_column=foreign_key("working_group.id", nullable=True, cascade=False)
    )
    """The working group it is filed under; None: the council's."""
    title: str = Field(max_length=300)
    authors: str = Field(max_length=500)
    issued_on: date
    """The document's own date (of publication), as its uploader gave it."""
    language: str = Field(sa_type=String(8))
    summary: str = Field(default="", sa_type=Text)
    visibility: Visibility = Field(default=Visibility.MEMBERS, sa_type=String(10))
    file_name: str = Field(max_length=200)
    """The name the file had on its uploader's computer, cleaned: shown and offered on
    download, never used to find the file."""
    sha256: str = Field(max_length=64, index=True)
    size: int
    pages: int = 0
    has_scripts: bool = False
    """The PDF holds JavaScript: never run here (it is only ever downloaded), said on its page."""
    uploaded_by_id: int | None = Field(
        default=None, sa_column=foreign_key("person.id", nullable=True, cascade=False)
    )
    uploaded_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_by_id: int | None = Field(
        default=None, sa_column=foreign_key("person.id", nullable=True, cascade=False)
    )
    withdrawn_reason: str = Field(default="", max_length=1000)


class DocumentText(SQLModel, table=True):
    """The words of a document's PDF, extracted at upload: what the library's search indexes
    (with the title, authors and summary), kept to index them again after an edit."""

    __tablename__ = "document_text"

    document_id: int = Field(sa_column=foreign_key("document.id", primary_key=True))
    text: str = Field(default="", sa_type=Text)


class DocumentCitation(SQLModel, table=True):
    """A published recommendation cites a document (its record keeps the citation as it was
    at adoption): the library lists each document with the recommendations that cite it."""

    __tablename__ = "document_citation"

    document_id: int = Field(sa_column=foreign_key("document.id", primary_key=True))
    recommendation_id: int = Field(
        sa_column=foreign_key("recommendation.id", primary_key=True, index=True)
    )
