"""job files: the download a finished job offers (an election's ballots, a mediation report)

Revision ID: 0024_job_files
Revises: 0023_email_frequency
Create Date: 2026-12-11 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import institutions.types


# revision identifiers, used by Alembic.
revision = '0024_job_files'
down_revision = '0023_email_frequency'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job_files',
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('mimetype', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', institutions.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['job_id'], ['job_runs.id'], name=op.f('fk_job_files_job_id_job_runs'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('job_id', name=op.f('pk_job_files')),
    )
    with op.batch_alter_table('job_files') as batch_op:
        batch_op.create_index(batch_op.f('ix_job_files_created_at'), ['created_at'], unique=False)


def downgrade():
    op.drop_table('job_files')
