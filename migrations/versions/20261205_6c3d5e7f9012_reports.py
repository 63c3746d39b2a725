"""Reports composed from adopted texts (issue 19)

`report`: a report of the council (working_group_id NULL) or of a working group, a draft its
composer edits (`content`) until it is published, numbered and frozen (`record`);
`report_pdf`: its PDF in one interface language and version, made on the first download.

Revision ID: 6c3d5e7f9012
Revises: 6b2c4d6e8f01
Create Date: 2026-12-05 08:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import council.database

revision: str = "6c3d5e7f9012"
down_revision: str | None = "6b2c4d6e8f01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("working_group_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("title_translations", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", council.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", council.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=True),
        sa.Column("published_at", council.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("record", sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('interim', 'annual')", name=op.f("ck_report_kind")),
        sa.CheckConstraint("(published_at IS NULL) = (number IS NULL)",
                           name=op.f("ck_report_numbered")),
        sa.CheckConstraint("(published_at IS NULL) = (record IS NULL)",
                           name=op.f("ck_report_recorded")),
        sa.CheckConstraint("sequence IS NULL OR sequence >= 1",
                           name=op.f("ck_report_sequence")),
        sa.ForeignKeyConstraint(["created_by_id"], ["person.id"],
                                name=op.f("fk_report_created_by_id_person")),
        sa.ForeignKeyConstraint(["working_group_id"], ["working_group.id"],
                                name=op.f("fk_report_working_group_id_working_group")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
        sa.UniqueConstraint("number", name=op.f("uq_report_number")),
    )
    op.create_index("ix_report_published", "report", ["published_at", "id"], unique=False)
    op.create_index("ix_report_group_published", "report",
                    ["working_group_id", "published_at"], unique=False)
    op.create_table(
        "report_pdf",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("etag", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("made_at", council.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"],
                                name=op.f("fk_report_pdf_report_id_report"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("report_id", "language", name=op.f("pk_report_pdf")),
    )


def downgrade() -> None:
    op.drop_table("report_pdf")
    op.drop_index("ix_report_group_published", table_name="report")
    op.drop_index("ix_report_published", table_name="report")
    op.drop_table("report")
