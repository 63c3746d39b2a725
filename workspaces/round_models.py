"""Rounds on a draft's revision, the seats' positions with their history, observer statements.

A closed round is a record: its outcome, tally and a sealed copy of every final position are
stored on the round row, and nothing in it changes afterwards (workspaces.rounds refuses it).
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
    text,
)
from sqlmodel import Field, SQLModel

from council.database import UTCDateTime
from council.models import timestamp
from workspaces.models import foreign_key


class RoundKind(StrEnum):
    COMMENT = "comment"
    DECISION = "decision"


class Round(SQLModel, table=True):
    """A time-boxed step the chair opens on one revision: comments, or positions."""

    __table_args__ = (
        CheckConstraint("kind IN ('comment', 'decision')", name="kind"),
        CheckConstraint("revision_number >= 1", name="revision_number"),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('adopted', 'not_adopted', 'no_quorum')", name="outcome"
        ),
        CheckConstraint("kind = 'decision' OR outcome IS NULL", name="outcome_decision_only"),
        CheckConstraint("(closed_at IS NULL) = (sealed_positions IS NULL)", name="sealed"),
        CheckConstraint(
            "closed_at IS NULL OR kind = 'comment' OR outcome IS NOT NULL", name="closed_outcome"
        ),
        # one open round per draft, whatever the application does
        Index(
            "uq_round_open_per_draft",
            "draft_id",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
        Index("ix_round_draft_opened", "draft_id", "opened_at"),
        Index("ix_round_open_deadline", "closed_at", "deadline"),
    )

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(sa_column=foreign_key("draft.id"))
    kind: RoundKind = Field(sa_type=String(20))
    revision_number: int
    """The revision put to the round (the latest when it opened): frozen in a decision round."""
    opened_by_id: int = Field(foreign_key="person.id")
    opened_at: datetime = timestamp()
    deadline: datetime = Field(sa_type=UTCDateTime)
    note: str = Field(default="", sa_type=Text)
    tally_visible: bool = False
    """Chosen at opening: whether everyone sees the positions while the round is open."""
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_by_id: int | None = Field(default=None, foreign_key="person.id")
    """None when the round closed itself at its deadline."""
    outcome: str | None = Field(default=None, sa_type=String(20))
    outcome_reason: str | None = Field(default=None, sa_type=String(40))
    rule_settings: str | None = Field(default=None, sa_type=Text)
    """JSON: the decision rule and quorum applied at close."""
    tally: str | None = Field(default=None, sa_type=Text)
    """JSON: workspaces.decisions.Tally as a dict."""
    sealed_positions: str | None = Field(default=None, sa_type=Text)
    """JSON: every final position as it stood at close (seat and author names included)."""
    chair_statement: str = Field(default="", sa_type=Text)
    chair_statement_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    chair_statement_by_id: int | None = Field(default=None, foreign_key="person.id")
    chair_statement_final_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the chair gave (or completed) the statement after the close: it is final from
    then on, as it is once the period for it has passed or it was published."""

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class RoundExtension(SQLModel, table=True):
    """A deadline the chair moved, and why."""

    __tablename__ = "round_extension"
    __table_args__ = (CheckConstraint("previous_deadline < new_deadline", name="later"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(sa_column=foreign_key("round.id", index=True))
    previous_deadline: datetime = Field(sa_type=UTCDateTime)
    new_deadline: datetime = Field(sa_type=UTCDateTime)
    reason: str = Field(max_length=500)
    by_id: int = Field(foreign_key="person.id")
    at: datetime = timestamp()


class Position(SQLModel, table=True):
    """A seat's current answer in a decision round: one row per seat, written by an upsert."""

    __table_args__ = (
        UniqueConstraint("round_id", "seat_id"),
        CheckConstraint(
            "choice IN ('support', 'support_with_reservation', 'abstain', 'object')", name="choice"
        ),
        CheckConstraint(
            "choice NOT IN ('support_with_reservation', 'object') OR text <> ''",
            name="text_required",
        ),
        CheckConstraint("version >= 1", name="version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(sa_column=foreign_key("round.id"))
    seat_id: int = Field(sa_column=foreign_key("seat.id", index=True, cascade=False))
    choice: str = Field(sa_type=String(30))
    text: str = Field(default="", sa_type=Text)
    """The reservation, or the reason for an objection."""
    paragraph_ids: str = Field(default="[]", sa_type=Text)
    """JSON list of the stable paragraph ids a reservation concerns."""
    cast_by_id: int = Field(foreign_key="person.id")
    cast_at: datetime = Field(sa_type=UTCDateTime)
    version: int = 1
    """How many times the seat has answered; the history row of the same version matches."""


class PositionChange(SQLModel, table=True):
    """Append-only history: every position a seat cast in a round, by whom and when."""

    __tablename__ = "position_change"
    __table_args__ = (
        UniqueConstraint("round_id", "seat_id", "version"),
        CheckConstraint(
            "choice IN ('support', 'support_with_reservation', 'abstain', 'object')", name="choice"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(sa_column=foreign_key("round.id"))
    seat_id: int = Field(sa_column=foreign_key("seat.id", index=True, cascade=False))
    version: int
    choice: str = Field(sa_type=String(30))
    text: str = Field(default="", sa_type=Text)
    paragraph_ids: str = Field(default="[]", sa_type=Text)
    cast_by_id: int = Field(foreign_key="person.id")
    cast_at: datetime = Field(sa_type=UTCDateTime)


class ObserverStatement(SQLModel, table=True):
    """An observer seat's written statement in a decision round: shown, never counted."""

    __tablename__ = "observer_statement"
    __table_args__ = (UniqueConstraint("round_id", "seat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(sa_column=foreign_key("round.id"))
    seat_id: int = Field(sa_column=foreign_key("seat.id", index=True, cascade=False))
    text: str = Field(sa_type=Text)
    author_id: int = Field(foreign_key="person.id")
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    revised: int = 0
    """How many times the seat replaced its statement (each is in the audit log)."""
