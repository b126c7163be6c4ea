"""mediation: removal reasons, declarations, recusal, who pays the mediator, public listing

Revision ID: 0013_mediator_independence
Revises: 0012_contract_clauses
Create Date: 2026-12-03 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import institutions.types


# revision identifiers, used by Alembic.
revision = '0013_mediator_independence'
down_revision = '0012_contract_clauses'
branch_labels = None
depends_on = None


MEDIATOR_TEXTS = ('removal_note', 'collegial_consumer_associations', 'collegial_professional_representatives',
                  'postal_address', 'appointment_decision', 'networks', 'dispute_kinds')


def upgrade():
    with op.batch_alter_table('mediators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removal_reason', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('paid_by', sa.String(length=20), nullable=False, server_default='platform'))
        batch_op.add_column(sa.Column('payer_name', sa.String(length=200), nullable=True))
        # Existing entries are not recorded as paid independently of the outcome: the admin records it.
        batch_op.add_column(sa.Column('paid_independently_of_outcome', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('contact_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('ec_listing_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('languages', sa.String(length=200), nullable=True))
        for name in MEDIATOR_TEXTS:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=True))
    with op.batch_alter_table('panel_seats', schema=None) as batch_op:
        batch_op.add_column(sa.Column('end_reason', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('end_note', sa.Text(), nullable=True))
    with op.batch_alter_table('mediator_objections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('after_disclosure', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table('mediator_declarations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('mediator_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('made_at', institutions.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['mediation_cases.id'],
                                name=op.f('fk_mediator_declarations_case_id_mediation_cases'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['mediator_id'], ['mediators.id'],
                                name=op.f('fk_mediator_declarations_mediator_id_mediators'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mediator_declarations'))
    )
    with op.batch_alter_table('mediator_declarations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediator_declarations_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mediator_declarations_mediator_id'), ['mediator_id'], unique=False)


def downgrade():
    with op.batch_alter_table('mediator_declarations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mediator_declarations_mediator_id'))
        batch_op.drop_index(batch_op.f('ix_mediator_declarations_case_id'))
    op.drop_table('mediator_declarations')
    with op.batch_alter_table('mediator_objections', schema=None) as batch_op:
        batch_op.drop_column('after_disclosure')
    with op.batch_alter_table('panel_seats', schema=None) as batch_op:
        batch_op.drop_column('end_note')
        batch_op.drop_column('end_reason')
    with op.batch_alter_table('mediators', schema=None) as batch_op:
        for name in reversed(MEDIATOR_TEXTS):
            batch_op.drop_column(name)
        for name in ('languages', 'ec_listing_url', 'contact_email', 'paid_independently_of_outcome', 'payer_name',
                     'paid_by', 'removal_reason'):
            batch_op.drop_column(name)
