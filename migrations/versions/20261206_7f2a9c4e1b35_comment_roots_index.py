"""The latest threads of each paragraph read from an index (issue 20)

The draft page shows the latest threads under each paragraph. It ranked every thread of the
draft to find them, so the page slowed as threads grew (25 ms at 5,000 threads on SQLite); it
now reads the few it shows per paragraph from this index: a draft's threads by anchor, newest
first.

Revision ID: 7f2a9c4e1b35
Revises: 6d4e6f801234
Create Date: 2026-12-06 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7f2a9c4e1b35"
down_revision: str | None = "6d4e6f801234"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_comment_anchor_threads",
        "comment",
        ["draft_id", "paragraph_id", "parent_id", "created_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_comment_anchor_threads", table_name="comment")
