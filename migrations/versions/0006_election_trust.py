"""elections: the certification deadline, ballots unlinkable at rest

Revision ID: 0006_election_trust
Revises: 0005_mediation
Create Date: 2026-12-03 14:00:00.000000

The ballots need no schema change to be unlinkable at rest: the close rewrites the rows
(elections.ballot_box.unlink_at_rest). The certification deadline is a charter setting of the
president's office and a date fixed on each election when it is counted.
"""
from alembic import op
import sqlalchemy as sa

import institutions.types


# revision identifiers, used by Alembic.
revision = '0006_election_trust'
down_revision = '0005_mediation'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certification_days', sa.Integer(), nullable=True))
    with op.batch_alter_table('elections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certification_due_at', institutions.types.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('elections', schema=None) as batch_op:
        batch_op.drop_column('certification_due_at')
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.drop_column('certification_days')
