"""mediation: the annual report's drafts, cross-border figures, per-mediator reports

Revision ID: 0015_annual_report
Revises: 0014_mediation_procedure
Create Date: 2026-12-03 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import institutions.types


# revision identifiers, used by Alembic.
revision = '0015_annual_report'
down_revision = '0014_mediation_procedure'
branch_labels = None
depends_on = None


def upgrade():
    # R.614-2: a panel publishes its year's report; until then it is a draft its mediators see.
    op.create_table('mediation_report_publications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('brand_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('published_at', institutions.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.Column('figures_sha256', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_mediation_report_publications_brand_id_brands'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['published_by_id'], ['mediators.id'],
                                name=op.f('fk_mediation_report_publications_published_by_id_mediators'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mediation_report_publications')),
        sa.UniqueConstraint('brand_id', 'year', name=op.f('uq_mediation_report_publications_brand_id_year'))
    )
    with op.batch_alter_table('mediation_report_publications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediation_report_publications_brand_id'), ['brand_id'], unique=False)


def downgrade():
    with op.batch_alter_table('mediation_report_publications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mediation_report_publications_brand_id'))
    op.drop_table('mediation_report_publications')
