"""ballots: index (election_id, content) for the count at close, replacing the index on election_id

Revision ID: 0004_ballots_count_index
Revises: 0003_mandates
Create Date: 2026-12-01 16:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_ballots_count_index'
down_revision = '0003_mandates'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.create_index('ix_ballots_election_id_content', ['election_id', 'content'], unique=False)
        batch_op.drop_index(batch_op.f('ix_ballots_election_id'))


def downgrade():
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballots_election_id'), ['election_id'], unique=False)
        batch_op.drop_index('ix_ballots_election_id_content')
