"""outbox claims: each e-mail is claimed by one sender, retried with backoff, or marked failed

Revision ID: 0019_outbox_claims
Revises: 0018_frozen_report
Create Date: 2026-12-14 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import institutions.types


# revision identifiers, used by Alembic.
revision = '0019_outbox_claims'
down_revision = '0018_frozen_report'
branch_labels = None
depends_on = None

UNSENT = "sent_at IS NULL AND failed_at IS NULL"


def upgrade():
    # Messages queued before this revision have no claim and no schedule: they are claimable at once.
    with op.batch_alter_table('outbox_messages') as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', institutions.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', institutions.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_at', institutions.types.UTCDateTime(timezone=True), nullable=True))
    # A partial index: the claim query reads only what is still to send, in queue order.
    op.create_index('ix_outbox_messages_unsent', 'outbox_messages', ['id'], unique=False,
                    postgresql_where=sa.text(UNSENT), sqlite_where=sa.text(UNSENT))


def downgrade():
    op.drop_index('ix_outbox_messages_unsent', table_name='outbox_messages')
    with op.batch_alter_table('outbox_messages') as batch_op:
        batch_op.drop_column('failed_at')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('claimed_by')
