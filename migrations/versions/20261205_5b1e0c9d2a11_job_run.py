"""The worker's jobs and their last run

Revision ID: 5b1e0c9d2a11
Revises: 73022e9c7ba5
Create Date: 2026-12-05 02:50:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import council.database

revision: str = "5b1e0c9d2a11"
down_revision: str | None = "73022e9c7ba5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_run",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("last_started_at", council.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_finished_at", council.database.UTCDateTime(timezone=True),
                  nullable=True),
        sa.Column("last_done", sa.Integer(), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_run")),
    )


def downgrade() -> None:
    op.drop_table("job_run")
