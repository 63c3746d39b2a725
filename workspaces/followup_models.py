"""Follow-up of adopted recommendations: the seats a recommendation addresses, and each seat's
reports of how far it got in carrying it out.

Reports are append-only: a seat that changes its status writes a new report, and the latest one
(the highest id) is its current status. Each report keeps the seat that chaired the working
group when it came, so that the history reads the same after the chair has rotated.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlmodel import Field, SQLModel

from council.database import UTCDateTime
from council.models import timestamp
from workspaces.models import foreign_key


class FollowUpStatus(StrEnum):
    NOT_STARTED = "not_started"
    PLANNED = "planned"
    UNDER_WAY = "under_way"
    IMPLEMENTED = "implemented"
    NOT_PURSUED = "not_pursued"


STATUSES = tuple(FollowUpStatus)
"""In the order of the way from adoption to implementation (pages, tables, charts)."""


class FollowUpSeat(SQLModel, table=True):
    """A seat a recommendation addresses, chosen by the group's chair. A seat no longer
    addressed keeps its row (`removed_at`), and its reports stay in the history."""

    __tablename__ = "follow_up_seat"
    __table_args__ = (
        CheckConstraint("removed_at IS NULL OR removed_at >= addressed_at", name="removed_at"),
    )

    recommendation_id: int = Field(
        sa_column=foreign_key("recommendation.id", primary_key=True, cascade=False)
    )
    seat_id: int = Field(
        sa_column=foreign_key("seat.id", primary_key=True, index=True, cascade=False)
    )
    addressed_at: datetime = Field(sa_type=UTCDateTime)
    addressed_by_id: int | None = Field(
        default=None, sa_column=foreign_key("person.id", nullable=True, cascade=False)
    )
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    removed_by_id: int | None = Field(
        default=None, sa_column=foreign_key("person.id", nullable=True, cascade=False)
    )


class FollowUpReport(SQLModel, table=True):
    """One seat's report on a recommendation: its status, a dated narrative and links."""

    __tablename__ = "follow_up_report"
    __table_args__ = (
        CheckConstraint(
            "status IN ('not_started', 'planned', 'under_way', 'implemented', 'not_pursued')",
            name="status",
        ),
        CheckConstraint("status <> 'not_pursued' OR reason <> ''", name="reason"),
        Index("ix_follow_up_report_recommendation", "recommendation_id", "seat_id", "id"),
        Index("ix_follow_up_report_reported_at", "reported_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    recommendation_id: int = Field(sa_column=foreign_key("recommendation.id", cascade=False))
    seat_id: int = Field(sa_column=foreign_key("seat.id", index=True, cascade=False))
    status: FollowUpStatus = Field(sa_type=String(20))
    narrative: str = Field(sa_type=Text)
    """Markdown, as the seat wrote it."""
    narrative_html: str = Field(sa_type=Text)
    """The same, rendered and sanitised once when written (workspaces.markdown)."""
    reason: str = Field(default="", sa_type=Text)
    """Why the seat does not pursue the recommendation (required for that status only)."""
    links: str = Field(default="[]", sa_type=Text)
    """JSON [{"url", "title"}]: http and https addresses only."""
    chair_seat_id: int | None = Field(
        default=None, sa_column=foreign_key("seat.id", nullable=True, cascade=False)
    )
    """The seat that chaired the working group when the report came (None: no chair)."""
    author_id: int = Field(sa_column=foreign_key("person.id", cascade=False))
    """Who wrote it for the seat: kept for the audit, never shown in public."""
    reported_at: datetime = timestamp()
