"""Notifications, each person's choices of delivery, and the hour of their digest

Revision ID: 6c2f1d8e9a30
Revises: 5b1e0c9d2a11
Create Date: 2026-12-05 02:25:28.648125
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import council.database


revision: str = '6c2f1d8e9a30'
down_revision: str | None = '5b1e0c9d2a11'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('created_at', council.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', council.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('working_group_id', sa.Integer(), nullable=True),
    sa.Column('requires', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('params', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('dedupe_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('delivery', sa.String(length=10), nullable=False),
    sa.Column('emailed_at', council.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_notification_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['working_group_id'], ['working_group.id'], name=op.f('fk_notification_working_group_id_working_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('person_id', 'dedupe_key', name=op.f('uq_notification_person_id_dedupe_key'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_person_read_at', ['person_id', 'read_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_working_group_id'), ['working_group_id'], unique=False)

    op.create_table('notification_preference',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('delivery', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_notification_preference_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', 'kind', name=op.f('pk_notification_preference'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_hour', sa.Integer(), server_default='8', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('digest_hour')

    op.drop_table('notification_preference')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_working_group_id'))
        batch_op.drop_index('ix_notification_person_read_at')

    op.drop_table('notification')
