"""accounts: session versions, customer verification by address or code

Revision ID: 0007_account_trust
Revises: 0006_election_trust
Create Date: 2026-12-03 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_account_trust'
down_revision = '0006_election_trust'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('customer_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('code_issued_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer_record_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('needs_review', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_unique_constraint(batch_op.f('uq_memberships_customer_record_id'), ['customer_record_id'])
        batch_op.create_foreign_key(batch_op.f('fk_memberships_customer_record_id_customer_records'),
                                    'customer_records', ['customer_record_id'], ['id'], ondelete='SET NULL')

    # Until now the brand's list verified a membership by the listed address OR the typed customer
    # number. A membership verified by the list whose owner's address is listed keeps its verification
    # and now holds that listed customer; every other one was verified by a number alone, which anyone
    # could type: it stays verified but is marked for staff to confirm or revoke.
    op.execute(sa.text(
        "UPDATE memberships SET customer_record_id = ("
        " SELECT cr.id FROM customer_records cr JOIN users u ON u.email = cr.email"
        " WHERE cr.brand_id = memberships.brand_id AND u.id = memberships.user_id"
        " AND u.email_verified_at IS NOT NULL),"
        " verification_source = 'listed_email'"
        " WHERE status = 'verified' AND verification_source = 'import' AND EXISTS ("
        " SELECT 1 FROM customer_records cr JOIN users u ON u.email = cr.email"
        " WHERE cr.brand_id = memberships.brand_id AND u.id = memberships.user_id"
        " AND u.email_verified_at IS NOT NULL)"
    ))
    op.execute(sa.text(
        "UPDATE memberships SET needs_review = :yes"
        " WHERE status = 'verified' AND verification_source = 'import'"
    ).bindparams(sa.bindparam('yes', True, type_=sa.Boolean())))


def downgrade():
    op.execute(sa.text(
        "UPDATE memberships SET verification_source = 'import' WHERE verification_source IN ('listed_email', 'customer_code')"
    ))
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_memberships_customer_record_id_customer_records'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_memberships_customer_record_id'), type_='unique')
        batch_op.drop_column('needs_review')
        batch_op.drop_column('customer_record_id')

    with op.batch_alter_table('customer_records', schema=None) as batch_op:
        batch_op.drop_column('code_issued_at')
        batch_op.drop_column('code_hash')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
