"""jobs and reminders: when an election reminds its non-voters, and who was reminded (at most once each)

Revision ID: 0021_jobs_reminders
Revises: 0020_message_keys
Create Date: 2026-12-10 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_jobs_reminders'
down_revision = '0020_message_keys'
branch_labels = None
depends_on = None


def upgrade():
    # Elections that exist already take the default: 3 days and 1 day before voting closes.
    with op.batch_alter_table('elections') as batch_op:
        batch_op.add_column(sa.Column('reminder_hours', sa.String(length=40), nullable=False, server_default='72,24'))
    op.create_table(
        'election_reminders',
        sa.Column('election_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('hours', sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(['election_id'], ['elections.id'],
                                name=op.f('fk_election_reminders_election_id_elections'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_election_reminders_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('election_id', 'user_id', 'hours', name=op.f('pk_election_reminders')),
    )


def downgrade():
    op.drop_table('election_reminders')
    with op.batch_alter_table('elections') as batch_op:
        batch_op.drop_column('reminder_hours')
