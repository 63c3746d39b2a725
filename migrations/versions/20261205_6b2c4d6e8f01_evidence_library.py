"""Evidence library: documents and citations (issue 19)

`document` describes each PDF of the library (its file is under the var directory, named by its
digest), `document_text` holds the words extracted from it, and `document_citation` which
published recommendations cite which documents. The library's full-text index is made with each
database's own SQL, like the recommendations' (workspaces.document_search): not modelled.

Revision ID: 6b2c4d6e8f01
Revises: 6a1b3c5d7e90
Create Date: 2026-12-05 08:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import council.database

revision: str = "6b2c4d6e8f01"
down_revision: str | None = "6a1b3c5d7e90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('working_group_id', sa.Integer(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('authors', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('has_scripts', sa.Boolean(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', council.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', council.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', council.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.CheckConstraint("language IN ('en', 'es', 'fr')", name=op.f('ck_document_language')),
    sa.CheckConstraint("visibility IN ('members', 'public')", name=op.f('ck_document_visibility')),
    sa.CheckConstraint('size > 0', name=op.f('ck_document_size')),
    sa.CheckConstraint('(withdrawn_at IS NULL) = (withdrawn_by_id IS NULL)', name=op.f('ck_document_withdrawn_by')),
    sa.ForeignKeyConstraint(['working_group_id'], ['working_group.id'], name=op.f('fk_document_working_group_id_working_group')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['person.id'], name=op.f('fk_document_uploaded_by_id_person')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['person.id'], name=op.f('fk_document_withdrawn_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document'))
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_sha256'), ['sha256'], unique=False)
        batch_op.create_index('ix_document_uploaded', ['uploaded_at', 'id'], unique=False)
        batch_op.create_index('ix_document_group_uploaded', ['working_group_id', 'uploaded_at'], unique=False)

    op.create_table('document_text',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_text_document_id_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', name=op.f('pk_document_text'))
    )
    op.create_table('document_citation',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_citation_document_id_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendation.id'], name=op.f('fk_document_citation_recommendation_id_recommendation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'recommendation_id', name=op.f('pk_document_citation'))
    )
    with op.batch_alter_table('document_citation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_citation_recommendation_id'), ['recommendation_id'], unique=False)

    # the library's full-text index (workspaces.document_search), in each database's own terms
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE document_fts USING fts5("
                   "title, body, tokenize = 'unicode61 remove_diacritics 2')")
    else:
        op.execute("CREATE TABLE document_search ("
                   "document_id INTEGER PRIMARY KEY REFERENCES document (id) ON DELETE CASCADE, "
                   "document TSVECTOR NOT NULL)")
        op.execute("CREATE INDEX ix_document_search_document "
                   "ON document_search USING GIN (document)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE document_fts")
    else:
        op.execute("DROP TABLE document_search")
    with op.batch_alter_table('document_citation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_citation_recommendation_id'))

    op.drop_table('document_citation')
    op.drop_table('document_text')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index('ix_document_group_uploaded')
        batch_op.drop_index('ix_document_uploaded')
        batch_op.drop_index(batch_op.f('ix_document_sha256'))

    op.drop_table('document')
