"""Recommendations, their stored renderings and PDFs, and the full-text index

Revision ID: 73022e9c7ba5
Revises: 080bee0c4061
Create Date: 2026-11-23 16:41:04.998442
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import council.database


revision: str = '73022e9c7ba5'
down_revision: str | None = '080bee0c4061'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('recommendation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('working_group_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('adopted_at', council.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', council.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', council.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=600), nullable=False),
    sa.Column('record', sa.Text(), nullable=False),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('superseded_at', council.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('superseded_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.CheckConstraint("language IN ('en', 'es', 'fr')", name=op.f('ck_recommendation_language')),
    sa.CheckConstraint('(superseded_by_id IS NULL) = (superseded_at IS NULL)', name=op.f('ck_recommendation_superseded_at')),
    sa.CheckConstraint('revision_number >= 1', name=op.f('ck_recommendation_revision_number')),
    sa.CheckConstraint('sequence >= 1', name=op.f('ck_recommendation_sequence')),
    sa.CheckConstraint('superseded_by_id IS NULL OR superseded_by_id <> id', name=op.f('ck_recommendation_not_self_superseded')),
    sa.ForeignKeyConstraint(['draft_id'], ['draft.id'], name=op.f('fk_recommendation_draft_id_draft')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_recommendation_round_id_round')),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['recommendation.id'], name=op.f('fk_recommendation_superseded_by_id_recommendation')),
    sa.ForeignKeyConstraint(['working_group_id'], ['working_group.id'], name=op.f('fk_recommendation_working_group_id_working_group')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendation')),
    sa.UniqueConstraint('draft_id', name=op.f('uq_recommendation_draft_id')),
    sa.UniqueConstraint('number', name=op.f('uq_recommendation_number')),
    sa.UniqueConstraint('round_id', name=op.f('uq_recommendation_round_id')),
    sa.UniqueConstraint('working_group_id', 'year', 'sequence', name=op.f('uq_recommendation_working_group_id_year_sequence'))
    )
    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.create_index('ix_recommendation_adopted', ['adopted_at', 'id'], unique=False)
        batch_op.create_index('ix_recommendation_group_adopted', ['working_group_id', 'adopted_at'], unique=False)
        batch_op.create_index('ix_recommendation_year', ['year'], unique=False)

    op.create_table('recommendation_pdf',
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('etag', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('made_at', council.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendation.id'], name=op.f('fk_recommendation_pdf_recommendation_id_recommendation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('recommendation_id', 'language', name=op.f('pk_recommendation_pdf'))
    )
    op.create_table('recommendation_rendering',
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('etag', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('rendered_at', council.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendation.id'], name=op.f('fk_recommendation_rendering_recommendation_id_recommendation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('recommendation_id', 'language', name=op.f('pk_recommendation_rendering'))
    )
    # the full-text index of workspaces.search, in each database's own terms (not modelled)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE recommendation_fts USING fts5("
                   "title, body, tokenize = 'unicode61 remove_diacritics 2')")
    else:
        op.execute("CREATE TABLE recommendation_search ("
                   "recommendation_id INTEGER PRIMARY KEY "
                   "REFERENCES recommendation (id) ON DELETE CASCADE, "
                   "document TSVECTOR NOT NULL)")
        op.execute("CREATE INDEX ix_recommendation_search_document "
                   "ON recommendation_search USING GIN (document)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE recommendation_fts")
    else:
        op.execute("DROP TABLE recommendation_search")
    op.drop_table('recommendation_rendering')
    op.drop_table('recommendation_pdf')
    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.drop_index('ix_recommendation_year')
        batch_op.drop_index('ix_recommendation_group_adopted')
        batch_op.drop_index('ix_recommendation_adopted')

    op.drop_table('recommendation')
