"""The email outbox (messages to send, with their attempts and claims) and the settings links
that emails carry

Revision ID: 7d3a9b1c4e52
Revises: 6c2f1d8e9a30
Create Date: 2026-12-05 02:44:02.166296
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import council.database


revision: str = '7d3a9b1c4e52'
down_revision: str | None = '6c2f1d8e9a30'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('email_settings_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('created_at', council.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', council.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', council.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_email_settings_link_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_settings_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_email_settings_link_token_hash'))
    )
    with op.batch_alter_table('email_settings_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_settings_link_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_email_settings_link_person_id'), ['person_id'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=True),
    sa.Column('is_digest', sa.Boolean(), nullable=False),
    sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', council.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', council.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claim_token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('claimed_until', council.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', council.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'sent', 'cancelled', 'failed')", name=op.f('ck_outbox_message_status')),
    sa.ForeignKeyConstraint(['notification_id'], ['notification.id'], name=op.f('fk_outbox_message_notification_id_notification'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_outbox_message_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('key', name=op.f('uq_outbox_message_key')),
    sa.UniqueConstraint('notification_id', name=op.f('uq_outbox_message_notification_id'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_person_id_digest', ['person_id', 'is_digest', 'created_at'], unique=False)
        batch_op.create_index('ix_outbox_message_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_status_next_attempt_at')
        batch_op.drop_index('ix_outbox_message_person_id_digest')

    op.drop_table('outbox_message')
    with op.batch_alter_table('email_settings_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_settings_link_person_id'))
        batch_op.drop_index(batch_op.f('ix_email_settings_link_expires_at'))

    op.drop_table('email_settings_link')
