"""e-mail frequency per kind (each time, daily or weekly digest, never), digests, and reminders sent once

Revision ID: 0023_email_frequency
Revises: 0022_job_runs
Create Date: 2026-12-15 11:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import institutions.types


# revision identifiers, used by Alembic.
revision = '0023_email_frequency'
down_revision = '0022_job_runs'
branch_labels = None
depends_on = None

DIGEST_PENDING = "digest IS NOT NULL AND digested_at IS NULL"


def upgrade():
    # Existing choices keep their meaning: an opt-in was "each time", an opt-out (or no row) "never".
    with op.batch_alter_table('email_preferences') as batch_op:
        batch_op.add_column(sa.Column('frequency', sa.String(length=10), nullable=False, server_default='never'))
    op.execute(sa.text("UPDATE email_preferences SET frequency = CASE WHEN enabled THEN 'immediate' ELSE 'never' END"))
    with op.batch_alter_table('email_preferences') as batch_op:
        batch_op.drop_column('enabled')
    with op.batch_alter_table('notifications') as batch_op:
        batch_op.add_column(sa.Column('digest', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('digested_at', institutions.types.UTCDateTime(timezone=True), nullable=True))
    op.create_index('ix_notifications_digest_pending', 'notifications', ['user_id'], unique=False,
                    postgresql_where=sa.text(DIGEST_PENDING), sqlite_where=sa.text(DIGEST_PENDING))
    op.create_table(
        'sent_reminders',
        sa.Column('topic', sa.String(length=120), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('sent_at', institutions.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sent_reminders_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('topic', 'user_id', name=op.f('pk_sent_reminders')),
    )


def downgrade():
    op.drop_table('sent_reminders')
    op.drop_index('ix_notifications_digest_pending', table_name='notifications')
    with op.batch_alter_table('notifications') as batch_op:
        batch_op.drop_column('digested_at')
        batch_op.drop_column('digest')
    # A digest choice becomes an opt-in (the person still wanted e-mail); never becomes an opt-out.
    with op.batch_alter_table('email_preferences') as batch_op:
        batch_op.add_column(sa.Column('enabled', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(sa.text("UPDATE email_preferences SET enabled = (frequency <> 'never')"))
    with op.batch_alter_table('email_preferences') as batch_op:
        batch_op.drop_column('frequency')
