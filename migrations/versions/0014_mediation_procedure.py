"""mediation: consumer filing, late admissibility, representatives, extensions, collective answers

Revision ID: 0014_mediation_procedure
Revises: 0013_mediator_independence
Create Date: 2026-12-03 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import institutions.types


# revision identifiers, used by Alembic.
revision = '0014_mediation_procedure'
down_revision = '0013_mediator_independence'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mediation_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('admissibility_late', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('withdrawn_by', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('complainant_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('complainant_contact', sa.Text(), nullable=True))
    op.create_table(
        'mediation_settings',
        sa.Column('brand_id', sa.Integer(), nullable=False),
        sa.Column('consumer_mediation', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('updated_at', institutions.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('brand_id'),
    )
    with op.batch_alter_table('case_participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', institutions.types.UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        'claim_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('answer', sa.String(length=10), nullable=False),
        sa.Column('answered_at', institutions.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['participant_id'], ['case_participants.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('proposal_id', 'participant_id'),
    )
    with op.batch_alter_table('claim_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_answers_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_answers_proposal_id'), ['proposal_id'], unique=False)
    op.create_table(
        'case_representatives',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('side', sa.String(length=20), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.Column('added_at', institutions.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('removed_at', institutions.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['case_id'], ['mediation_cases.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('case_id', 'user_id'),
    )
    with op.batch_alter_table('case_representatives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_representatives_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_representatives_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_representatives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_representatives_user_id'))
        batch_op.drop_index(batch_op.f('ix_case_representatives_case_id'))
    op.drop_table('case_representatives')
    op.drop_table('mediation_settings')
    with op.batch_alter_table('claim_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_answers_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_claim_answers_participant_id'))
    op.drop_table('claim_answers')
    with op.batch_alter_table('case_participants', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_at')
    with op.batch_alter_table('mediation_cases', schema=None) as batch_op:
        batch_op.drop_column('complainant_contact')
        batch_op.drop_column('complainant_name')
        batch_op.drop_column('withdrawn_by')
        batch_op.drop_column('admissibility_late')
