"""Indexes for the benchmark's queries (issue 20)

EXPLAIN on PostgreSQL of every statement the benchmark's pages and forms send (bench/run.py)
found one lookup without an index: each recommendation page asks which recommendation the one it
shows superseded (`WHERE superseded_by_id = ?`), a scan of every recommendation. The worker's
PDF job (workspaces.pdf.missing) reads the recommendations changed lately, and the library their
latest change: both by `updated_at`.

Revision ID: 6d4e6f801234
Revises: 6c3d5e7f9012
Create Date: 2026-12-05 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "6d4e6f801234"
down_revision: str | None = "6c3d5e7f9012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_recommendation_superseded_by_id", "recommendation",
                    ["superseded_by_id"], unique=False)
    op.create_index("ix_recommendation_updated_at", "recommendation", ["updated_at"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_recommendation_updated_at", table_name="recommendation")
    op.drop_index("ix_recommendation_superseded_by_id", table_name="recommendation")
