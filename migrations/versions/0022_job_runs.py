"""job runs: long work (a customer import…) run by the job queue, with its progress and result

Revision ID: 0022_job_runs
Revises: 0021_jobs_reminders
Create Date: 2026-12-10 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import institutions.types


# revision identifiers, used by Alembic.
revision = '0022_job_runs'
down_revision = '0021_jobs_reminders'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('brand_id', sa.Integer(), nullable=True),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('state', sa.Enum('queued', 'running', 'done', 'failed', name='jobstate', native_enum=False,
                                   create_constraint=False, length=32), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=True),
        sa.Column('progress_text', sa.String(length=200), nullable=True),
        sa.Column('input_data', sa.LargeBinary(), nullable=True),
        sa.Column('result', sa.Text(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('created_at', institutions.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('started_at', institutions.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('finished_at', institutions.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_job_runs_brand_id_brands'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_job_runs_requested_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    )
    with op.batch_alter_table('job_runs') as batch_op:
        batch_op.create_index(batch_op.f('ix_job_runs_brand_id'), ['brand_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_runs_requested_by_id'), ['requested_by_id'], unique=False)


def downgrade():
    op.drop_table('job_runs')
