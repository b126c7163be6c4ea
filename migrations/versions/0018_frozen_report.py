"""frozen report: a published annual report keeps the inputs its figures were computed from

Revision ID: 0018_frozen_report
Revises: 0017_contract_retention
Create Date: 2026-12-07 15:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_frozen_report'
down_revision = '0017_contract_retention'
branch_labels = None
depends_on = None


def upgrade():
    # Reports published before this revision have none: they are still computed from the cases (stated in README).
    with op.batch_alter_table('mediation_report_publications') as batch_op:
        batch_op.add_column(sa.Column('frozen_inputs', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('mediation_report_publications') as batch_op:
        batch_op.drop_column('frozen_inputs')
