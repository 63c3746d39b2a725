"""Follow-up of adopted recommendations (issue 19)

`follow_up_seat`: the seats a recommendation addresses (a seat no longer addressed keeps its
row, with `removed_at`); `follow_up_report`: each seat's reports, append-only, with the seat
that chaired the working group when it came; `council.follow_up_review_months`: how often the
addressed seats are asked to report again (12 months for an existing council).

Revision ID: 6a1b3c5d7e90
Revises: 5c7d2e9f1a48
Create Date: 2026-12-05 08:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import council.database

revision: str = "6a1b3c5d7e90"
down_revision: str | None = "5c7d2e9f1a48"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "follow_up_seat",
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("addressed_at", council.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("addressed_by_id", sa.Integer(), nullable=True),
        sa.Column("removed_at", council.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("removed_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("removed_at IS NULL OR removed_at >= addressed_at",
                           name=op.f("ck_follow_up_seat_removed_at")),
        sa.ForeignKeyConstraint(["addressed_by_id"], ["person.id"],
                                name=op.f("fk_follow_up_seat_addressed_by_id_person")),
        sa.ForeignKeyConstraint(
            ["recommendation_id"], ["recommendation.id"],
            name=op.f("fk_follow_up_seat_recommendation_id_recommendation")),
        sa.ForeignKeyConstraint(["removed_by_id"], ["person.id"],
                                name=op.f("fk_follow_up_seat_removed_by_id_person")),
        sa.ForeignKeyConstraint(["seat_id"], ["seat.id"],
                                name=op.f("fk_follow_up_seat_seat_id_seat")),
        sa.PrimaryKeyConstraint("recommendation_id", "seat_id", name=op.f("pk_follow_up_seat")),
    )
    op.create_index(op.f("ix_follow_up_seat_seat_id"), "follow_up_seat", ["seat_id"],
                    unique=False)
    op.create_table(
        "follow_up_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("narrative_html", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("links", sa.Text(), nullable=False),
        sa.Column("chair_seat_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("reported_at", council.database.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status <> 'not_pursued' OR reason <> ''",
                           name=op.f("ck_follow_up_report_reason")),
        sa.CheckConstraint(
            "status IN ('not_started', 'planned', 'under_way', 'implemented', 'not_pursued')",
            name=op.f("ck_follow_up_report_status")),
        sa.ForeignKeyConstraint(["author_id"], ["person.id"],
                                name=op.f("fk_follow_up_report_author_id_person")),
        sa.ForeignKeyConstraint(["chair_seat_id"], ["seat.id"],
                                name=op.f("fk_follow_up_report_chair_seat_id_seat")),
        sa.ForeignKeyConstraint(
            ["recommendation_id"], ["recommendation.id"],
            name=op.f("fk_follow_up_report_recommendation_id_recommendation")),
        sa.ForeignKeyConstraint(["seat_id"], ["seat.id"],
                                name=op.f("fk_follow_up_report_seat_id_seat")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_report")),
    )
    op.create_index("ix_follow_up_report_recommendation", "follow_up_report",
                    ["recommendation_id", "seat_id", "id"], unique=False)
    op.create_index("ix_follow_up_report_reported_at", "follow_up_report", ["reported_at"],
                    unique=False)
    op.create_index(op.f("ix_follow_up_report_seat_id"), "follow_up_report", ["seat_id"],
                    unique=False)
    with op.batch_alter_table("council", schema=None) as batch_op:
        batch_op.add_column(sa.Column("follow_up_review_months", sa.Integer(),
                                      server_default="12", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("council", schema=None) as batch_op:
        batch_op.drop_column("follow_up_review_months")
    op.drop_index(op.f("ix_follow_up_report_seat_id"), table_name="follow_up_report")
    op.drop_index("ix_follow_up_report_reported_at", table_name="follow_up_report")
    op.drop_index("ix_follow_up_report_recommendation", table_name="follow_up_report")
    op.drop_table("follow_up_report")
    op.drop_index(op.f("ix_follow_up_seat_seat_id"), table_name="follow_up_seat")
    op.drop_table("follow_up_seat")
