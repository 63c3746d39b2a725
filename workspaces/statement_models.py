"""Published chair's statements: what the chair said when a decision round did not adopt its
text, made public under a stable number.

A statement is published once, by an explicit act of the chair: the statement, the round's
outcome and tally, each seat's position (by seat, never by person) and the names of the working
group and seats in every language are copied into `record` (JSON), so that the public pages,
the feeds and the API never join the deliberation tables. The draft's text is never copied;
its title names the subject.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from council.database import UTCDateTime
from council.models import timestamp
from workspaces.models import foreign_key


class PublishedStatement(SQLModel, table=True):
    __tablename__ = "published_statement"
    __table_args__ = (
        UniqueConstraint("working_group_id", "year", "sequence"),
        CheckConstraint("sequence >= 1", name="sequence"),
        CheckConstraint("outcome IN ('not_adopted', 'no_quorum')", name="outcome"),
        CheckConstraint("language IN ('en', 'es', 'fr')", name="language"),
        Index("ix_published_statement_published", "published_at", "id"),
        Index("ix_published_statement_group_published", "working_group_id", "published_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True)
    """e.g. WG4-2026-S01: the working group's number, the year the round closed, "S" and the
    order within both."""
    round_id: int = Field(sa_column=foreign_key("round.id", unique=True, cascade=False))
    draft_id: int = Field(sa_column=foreign_key("draft.id", index=True, cascade=False))
    working_group_id: int = Field(sa_column=foreign_key("working_group.id", cascade=False))
    year: int
    sequence: int
    outcome: str = Field(sa_type=String(20))
    title: str = Field(max_length=200)
    """The title of the draft put to the round, in its original language, at publication."""
    language: str = Field(sa_type=String(8))
    """The draft's original language (the title's)."""
    closed_at: datetime = Field(sa_type=UTCDateTime)
    given_at: datetime = Field(sa_type=UTCDateTime)
    """When the chair gave the statement (in its final form)."""
    published_at: datetime = timestamp()
    record: str = Field(sa_type=Text)
    """JSON: the statement, the decision record and the names (see workspaces.statements)."""
