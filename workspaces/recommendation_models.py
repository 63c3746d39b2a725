"""Recommendations: what a decision round adopted, published under a stable number.

A recommendation is written once, when its round closes with `adopted`: the adopted text, its
paragraphs, the reservations as footnotes and the adoption record are copied into `record`
(JSON), so the public pages, the feed and the API never join the deliberation tables. Its HTML
is rendered then too, once per interface language (`RecommendationRendering`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from council.database import UTCDateTime
from council.models import timestamp
from workspaces.models import foreign_key


class Recommendation(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("working_group_id", "year", "sequence"),
        CheckConstraint("sequence >= 1", name="sequence"),
        CheckConstraint("revision_number >= 1", name="revision_number"),
        CheckConstraint("language IN ('en', 'es', 'fr')", name="language"),
        CheckConstraint(
            "(superseded_by_id IS NULL) = (superseded_at IS NULL)", name="superseded_at"
        ),
        CheckConstraint(
            "superseded_by_id IS NULL OR superseded_by_id <> id", name="not_self_superseded"
        ),
        Index("ix_recommendation_adopted", "adopted_at", "id"),
        Index("ix_recommendation_group_adopted", "working_group_id", "adopted_at"),
        Index("ix_recommendation_year", "year"),
        Index("ix_recommendation_superseded_by_id", "superseded_by_id"),
        Index("ix_recommendation_updated_at", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True)
    """e.g. WG2-2026-03: the group's number, the year of adoption, the order within both."""
    draft_id: int = Field(sa_column=foreign_key("draft.id", unique=True, cascade=False))
    round_id: int = Field(sa_column=foreign_key("round.id", unique=True, cascade=False))
    working_group_id: int = Field(sa_column=foreign_key("working_group.id", cascade=False))
    year: int
    sequence: int
    revision_number: int
    title: str = Field(max_length=200)
    language: str = Field(sa_type=String(8))
    """The language the text was adopted in; it is never translated here."""
    adopted_at: datetime = Field(sa_type=UTCDateTime)
    published_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    """Last change of anything a reader sees (Last-Modified): a chair's statement added
    afterwards, or a supersession."""
    summary: str = Field(default="", max_length=600)
    """The first words of the text, for lists and the feed."""
    record: str = Field(sa_type=Text)
    """JSON: paragraphs, footnotes, adoption record and observer statements (see publish)."""
    superseded_by_id: int | None = Field(
        default=None, sa_column=foreign_key("recommendation.id", nullable=True, cascade=False)
    )
    superseded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    superseded_reason: str = Field(default="", max_length=1000)


class RecommendationRendering(SQLModel, table=True):
    """The recommendation's HTML in one interface language, rendered at publication (and again
    when the recommendation or the templates and catalogues it was rendered with change)."""

    __tablename__ = "recommendation_rendering"

    recommendation_id: int = Field(sa_column=foreign_key("recommendation.id", primary_key=True))
    language: str = Field(sa_type=String(8), primary_key=True)
    version: str = Field(max_length=64)
    """Of the recommendation and of the templates and catalogues that rendered it."""
    html: str = Field(sa_type=Text)
    etag: str = Field(max_length=64)
    rendered_at: datetime = timestamp()


class RecommendationPdf(SQLModel, table=True):
    """The PDF of a recommendation in one interface language, made on its first download."""

    __tablename__ = "recommendation_pdf"

    recommendation_id: int = Field(sa_column=foreign_key("recommendation.id", primary_key=True))
    language: str = Field(sa_type=String(8), primary_key=True)
    version: str = Field(max_length=64)
    """The version of the rendering it was made from."""
    data: bytes = Field(sa_type=LargeBinary)
    etag: str = Field(max_length=64)
    made_at: datetime = timestamp()
