"""mandates: disclosure labels, benefits provided for by the contract

Revision ID: 0011_disclosure
Revises: 0010_audit_trust
Create Date: 2026-12-03 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_disclosure'
down_revision = '0010_audit_trust'
branch_labels = None
depends_on = None


def upgrade():
    # A report records which mentions it failed to show, and whether it declares retouched or virtual images.
    with op.batch_alter_table('mission_reports') as batch_op:
        batch_op.add_column(sa.Column('missing_mentions', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('retouched_images', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('virtual_images', sa.Boolean(), server_default=sa.false(), nullable=False))
    # Reports sent before: a missing label was the only mention checked.
    op.execute(sa.text("UPDATE mission_reports SET missing_mentions = 'label' WHERE label_missing = :yes")
               .bindparams(yes=True))


def downgrade():
    with op.batch_alter_table('mission_reports') as batch_op:
        batch_op.drop_column('virtual_images')
        batch_op.drop_column('retouched_images')
        batch_op.drop_column('missing_mentions')
