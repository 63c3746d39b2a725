"""The council's state version: a stamp every writing transaction renews (issue 20)

A member's page can then be kept and given again while nothing was written since it was made.

Revision ID: 5b9d3f1a7c28
Revises: 7f2a9c4e1b35
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "5b9d3f1a7c28"
down_revision: str | None = "7f2a9c4e1b35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "state_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stamp", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("written_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_state_version")),
    )


def downgrade() -> None:
    op.drop_table("state_version")
