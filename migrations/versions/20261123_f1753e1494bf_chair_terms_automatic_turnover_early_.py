"""Chair terms: automatic turnover recorded once, early ends, recusals

Revision ID: f1753e1494bf
Revises: a1070d7a5cc0
Create Date: 2026-11-23 14:42:52.825228
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import council.database

revision: str = "f1753e1494bf"
down_revision: str | None = "a1070d7a5cc0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chair_recusal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("working_group_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("subject_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", council.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["by_id"], ["person.id"],
                                name=op.f("fk_chair_recusal_by_id_person"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["seat_id"], ["seat.id"],
                                name=op.f("fk_chair_recusal_seat_id_seat"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["working_group_id"], ["working_group.id"],
                                name=op.f("fk_chair_recusal_working_group_id_working_group"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chair_recusal")),
        sa.UniqueConstraint("working_group_id", "seat_id", "subject_key",
                            name=op.f("uq_chair_recusal_working_group_id_seat_id_subject_key")),
    )
    with op.batch_alter_table("chair_term", schema=None) as batch_op:
        # existing terms were all recorded by hand (the demo, the secretariat)
        batch_op.add_column(sa.Column("automatic", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("ended_early_at",
                                      council.database.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.create_check_constraint(
            "ended_early", "ended_early_at IS NULL OR ended_early_at = ends_at")
        batch_op.create_index("uq_chair_term_council_start", ["starts_at"], unique=True,
                              sqlite_where=sa.text("working_group_id IS NULL"),
                              postgresql_where=sa.text("working_group_id IS NULL"))
        batch_op.create_unique_constraint(
            batch_op.f("uq_chair_term_working_group_id_starts_at"),
            ["working_group_id", "starts_at"])


def downgrade() -> None:
    with op.batch_alter_table("chair_term", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_chair_term_working_group_id_starts_at"),
                                 type_="unique")
        batch_op.drop_index("uq_chair_term_council_start",
                            sqlite_where=sa.text("working_group_id IS NULL"),
                            postgresql_where=sa.text("working_group_id IS NULL"))
        batch_op.drop_constraint("ck_chair_term_ended_early", type_="check")
        batch_op.drop_column("ended_early_at")
        batch_op.drop_column("automatic")
    op.drop_table("chair_recusal")
