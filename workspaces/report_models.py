"""Reports: compilations of adopted recommendations, chair's statements and follow-up, with a
foreword and sections (workspaces.reports).

A report is a draft its composer edits (`content`, JSON) until it is published: then it is
numbered and what a reader sees is copied into `record` (JSON), frozen like a
recommendation's, so the public pages, the feed and the PDF never join the live tables.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, LargeBinary, String, Text
from sqlmodel import Field, SQLModel

from council.database import UTCDateTime
from council.models import timestamp
from workspaces.models import foreign_key


class Report(SQLModel, table=True):
    __tablename__ = "report"
    __table_args__ = (
        CheckConstraint("kind IN ('interim', 'annual')", name="kind"),
        CheckConstraint("(published_at IS NULL) = (number IS NULL)", name="numbered"),
        CheckConstraint("(published_at IS NULL) = (record IS NULL)", name="recorded"),
        CheckConstraint("sequence IS NULL OR sequence >= 1", name="sequence"),
        Index("ix_report_published", "published_at", "id"),
        Index("ix_report_group_published", "working_group_id", "published_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    working_group_id: int | None = Field(
        default=None, sa_column=foreign_key("working_group.id", nullable=True, cascade=False)
    )
    """The working group whose report it is; None for the council's own."""
    kind: str = Field(sa_type=String(20))
    title: str = Field(max_length=200)
    """In the council's default language (the other languages: `title_translations`)."""
    title_translations: str = Field(default="{}", sa_type=Text)
    content: str = Field(default="{}", sa_type=Text)
    """JSON, the draft: the foreword and each section (heading, intro, items, follow-up) by
    language (see workspaces.reports.Composition)."""
    created_by_id: int = Field(sa_column=foreign_key("person.id", cascade=False))
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    number: str | None = Field(default=None, max_length=32, unique=True)
    """At publication: R-2026-01 for the council's, WG4-2026-R01 for a working group's."""
    year: int | None = None
    sequence: int | None = None
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    record: str | None = Field(default=None, sa_type=Text)
    """JSON, frozen at publication: what every reader sees (see workspaces.reports)."""


class ReportPdf(SQLModel, table=True):
    """The PDF of a published report in one interface language and one version, made on its
    first download (workspaces.report_pdf)."""

    __tablename__ = "report_pdf"

    report_id: int = Field(sa_column=foreign_key("report.id", primary_key=True))
    language: str = Field(sa_type=String(8), primary_key=True)
    """The interface language and the version's: "es:fr"."""
    version: str = Field(max_length=64)
    data: bytes = Field(sa_type=LargeBinary)
    etag: str = Field(max_length=64)
    made_at: datetime = timestamp()
