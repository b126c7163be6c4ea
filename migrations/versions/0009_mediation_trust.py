"""mediation: attachment storage and quotas, conflicts of interest

Revision ID: 0009_mediation_trust
Revises: 0008_mandate_trust
Create Date: 2026-12-03 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import institutions.types


# revision identifiers, used by Alembic.
revision = '0009_mediation_trust'
down_revision = '0008_mandate_trust'
branch_labels = None
depends_on = None


def upgrade():
    # Attachments kept in the database when CASE_FILES_STORAGE=database (several machines, no shared disk).
    op.create_table('case_file_blobs',
        sa.Column('storage_key', sa.String(length=100), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('stored_at', institutions.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('storage_key', name=op.f('pk_case_file_blobs'))
    )
    # The per-person attachment quota sums what one account sent lately.
    with op.batch_alter_table('case_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_documents_uploaded_by_id'), ['uploaded_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_documents_uploaded_by_id'))
    op.drop_table('case_file_blobs')
