"""message keys: notifications stored as a msgid and parameters; e-mails with an HTML part and List-Unsubscribe

Revision ID: 0020_message_keys
Revises: 0019_outbox_claims
Create Date: 2026-12-08 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_message_keys'
down_revision = '0019_outbox_claims'
branch_labels = None
depends_on = None


def upgrade():
    # Notices written before this revision have no key: they keep showing their stored English text.
    with op.batch_alter_table('notifications') as batch_op:
        batch_op.add_column(sa.Column('message_key', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('params_json', sa.Text(), nullable=True))
    with op.batch_alter_table('outbox_messages') as batch_op:
        batch_op.add_column(sa.Column('html_body', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('list_unsubscribe', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages') as batch_op:
        batch_op.drop_column('list_unsubscribe')
        batch_op.drop_column('html_body')
    with op.batch_alter_table('notifications') as batch_op:
        batch_op.drop_column('params_json')
        batch_op.drop_column('message_key')
