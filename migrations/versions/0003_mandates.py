"""mandates: applications, mandates, contract versions, signatures, mission orders, benefits, advocates

Revision ID: 0003_mandates
Revises: 0002_elections
Create Date: 2026-12-01 15:59:39.836396

"""
from alembic import op
import sqlalchemy as sa

import institutions.types


# revision identifiers, used by Alembic.
revision = '0003_mandates'
down_revision = '0002_elections'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ambassador_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('applicant_name', sa.String(length=120), nullable=False),
    sa.Column('motivation', sa.Text(), nullable=False),
    sa.Column('channels', sa.Text(), nullable=False),
    sa.Column('audience', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'accepted', 'declined', 'withdrawn', name='applicationstate', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', institutions.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', institutions.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('mandate_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_ambassador_applications_brand_id_brands'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_ambassador_applications_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ambassador_applications_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ambassador_applications'))
    )
    with op.batch_alter_table('ambassador_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ambassador_applications_brand_id'), ['brand_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ambassador_applications_user_id'), ['user_id'], unique=False)

    op.create_table('advocate_declarations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('public_name', sa.String(length=120), nullable=False),
    sa.Column('defends', sa.String(length=20), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'recognized', 'declined', 'withdrawn', 'retracted', name='advocacystate', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', institutions.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', institutions.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('ended_at', institutions.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('holding_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_advocate_declarations_brand_id_brands'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_advocate_declarations_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['holding_id'], ['office_holdings.id'], name=op.f('fk_advocate_declarations_holding_id_office_holdings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_advocate_declarations_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_advocate_declarations'))
    )
    with op.batch_alter_table('advocate_declarations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_advocate_declarations_brand_id'), ['brand_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_advocate_declarations_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_advocate_declarations_user_id'), ['user_id'], unique=False)

    op.create_table('mandates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('ambassador_id', sa.Integer(), nullable=True),
    sa.Column('invited_email', sa.String(length=254), nullable=True),
    sa.Column('public_name', sa.String(length=120), nullable=False),
    sa.Column('state', sa.Enum('draft', 'offered', 'signed', 'scheduled', 'active', 'completed', 'revoked', 'resigned', 'declined', name='mandatestate', native_enum=False, length=32), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', institutions.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version_in_force_id', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('activated_at', institutions.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', institutions.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_requested_at', institutions.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_effective_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=True),
    sa.Column('end_requested_by_id', sa.Integer(), nullable=True),
    sa.Column('holding_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['ambassador_id'], ['users.id'], name=op.f('fk_mandates_ambassador_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_mandates_brand_id_brands'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_mandates_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['end_requested_by_id'], ['users.id'], name=op.f('fk_mandates_end_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['holding_id'], ['office_holdings.id'], name=op.f('fk_mandates_holding_id_office_holdings'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mandates'))
    )
    with op.batch_alter_table('mandates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mandates_ambassador_id'), ['ambassador_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mandates_brand_id'), ['brand_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mandates_invited_email'), ['invited_email'], unique=False)
        batch_op.create_index(batch_op.f('ix_mandates_state'), ['state'], unique=False)

    op.create_table('benefits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mandate_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('money', 'in_kind', name='benefitkind', native_enum=False, length=32), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('value_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', institutions.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['mandate_id'], ['mandates.id'], name=op.f('fk_benefits_mandate_id_mandates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_benefits_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benefits'))
    )
    with op.batch_alter_table('benefits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benefits_mandate_id'), ['mandate_id'], unique=False)

    op.create_table('mandate_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mandate_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'offered', 'signed', 'in_force', 'superseded', 'declined', 'withdrawn', name='versionstate', native_enum=False, length=32), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('clauses_json', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('text_sha256', sa.String(length=64), nullable=True),
    sa.Column('created_at', institutions.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('offered_at', institutions.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('offered_by_id', sa.Integer(), nullable=True),
    sa.Column('declined_at', institutions.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('in_force_at', institutions.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['mandate_id'], ['mandates.id'], name=op.f('fk_mandate_versions_mandate_id_mandates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offered_by_id'], ['users.id'], name=op.f('fk_mandate_versions_offered_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mandate_versions')),
    sa.UniqueConstraint('mandate_id', 'number', name=op.f('uq_mandate_versions_mandate_id_number'))
    )
    with op.batch_alter_table('mandate_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mandate_versions_mandate_id'), ['mandate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mandate_versions_text_sha256'), ['text_sha256'], unique=False)

    op.create_table('mission_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mandate_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=False),
    sa.Column('due_at', institutions.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expected_proof', sa.Text(), nullable=False),
    sa.Column('disclosure_label', sa.String(length=100), nullable=False),
    sa.Column('state', sa.Enum('issued', 'accepted', 'declined', 'reported', 'sent_back', 'approved', 'cancelled', name='orderstate', native_enum=False, length=32), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', institutions.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', institutions.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('approved_at', institutions.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_mission_orders_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mandate_id'], ['mandates.id'], name=op.f('fk_mission_orders_mandate_id_mandates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mission_orders'))
    )
    with op.batch_alter_table('mission_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mission_orders_mandate_id'), ['mandate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mission_orders_state'), ['state'], unique=False)

    op.create_table('mission_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('links', sa.Text(), nullable=False),
    sa.Column('submitted_at', institutions.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('label_missing', sa.Boolean(), nullable=False),
    sa.Column('warning_cleared_at', institutions.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('warning_cleared_by_id', sa.Integer(), nullable=True),
    sa.Column('warning_note', sa.Text(), nullable=True),
    sa.Column('decision', sa.String(length=20), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('reviewed_at', institutions.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['mission_orders.id'], name=op.f('fk_mission_reports_order_id_mission_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_mission_reports_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['warning_cleared_by_id'], ['users.id'], name=op.f('fk_mission_reports_warning_cleared_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mission_reports'))
    )
    with op.batch_alter_table('mission_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mission_reports_order_id'), ['order_id'], unique=False)

    op.create_table('signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('party', sa.Enum('ambassador', 'brand', name='signingparty', native_enum=False, length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('typed_name', sa.String(length=200), nullable=False),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('signed_at', institutions.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ip_address', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_signatures_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['mandate_versions.id'], name=op.f('fk_signatures_version_id_mandate_versions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signatures')),
    sa.UniqueConstraint('version_id', 'party', name=op.f('uq_signatures_version_id_party'))
    )
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signatures_version_id'), ['version_id'], unique=False)

    # The two foreign keys that close a cycle (mandates <-> versions, applications -> mandates),
    # added once both tables exist.
    with op.batch_alter_table('ambassador_applications', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_ambassador_applications_mandate_id_mandates'), 'mandates',
                                    ['mandate_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('mandates', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_mandates_version_in_force_id_mandate_versions'),
                                    'mandate_versions', ['version_in_force_id'], ['id'], ondelete='SET NULL')
    _create_immutability_triggers()


# A contract version's text, hash, clauses and language are frozen once offered, and a signature
# is never changed or removed: the database itself refuses it, whatever path the change takes.
FROZEN_VERSION_COLUMNS = ("text", "text_sha256", "clauses_json", "language", "number", "mandate_id")


def _create_immutability_triggers():
    if op.get_bind().dialect.name == "postgresql":
        changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FROZEN_VERSION_COLUMNS)
        op.execute(f"""
            CREATE FUNCTION tribune_frozen_version() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    IF OLD.text_sha256 IS NOT NULL THEN
                        RAISE EXCEPTION 'an offered contract version cannot be deleted';
                    END IF;
                    RETURN OLD;
                END IF;
                IF OLD.text_sha256 IS NOT NULL AND ({changed}) THEN
                    RAISE EXCEPTION 'an offered contract version is immutable';
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql""")
        op.execute("CREATE TRIGGER tribune_frozen_version BEFORE UPDATE OR DELETE ON mandate_versions "
                   "FOR EACH ROW EXECUTE FUNCTION tribune_frozen_version()")
        op.execute("""
            CREATE FUNCTION tribune_frozen_signature() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'a signature is immutable';
            END $$ LANGUAGE plpgsql""")
        op.execute("CREATE TRIGGER tribune_frozen_signature BEFORE UPDATE OR DELETE ON signatures "
                   "FOR EACH ROW EXECUTE FUNCTION tribune_frozen_signature()")
    else:
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN_VERSION_COLUMNS)
        op.execute(f"""
            CREATE TRIGGER tribune_frozen_version BEFORE UPDATE ON mandate_versions
            WHEN OLD.text_sha256 IS NOT NULL AND ({changed})
            BEGIN SELECT RAISE(ABORT, 'an offered contract version is immutable'); END""")
        op.execute("""
            CREATE TRIGGER tribune_frozen_version_delete BEFORE DELETE ON mandate_versions
            WHEN OLD.text_sha256 IS NOT NULL
            BEGIN SELECT RAISE(ABORT, 'an offered contract version cannot be deleted'); END""")
        op.execute("""
            CREATE TRIGGER tribune_frozen_signature BEFORE UPDATE ON signatures
            BEGIN SELECT RAISE(ABORT, 'a signature is immutable'); END""")
        op.execute("""
            CREATE TRIGGER tribune_frozen_signature_delete BEFORE DELETE ON signatures
            BEGIN SELECT RAISE(ABORT, 'a signature is immutable'); END""")


def _drop_immutability_triggers():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS tribune_frozen_signature ON signatures")
        op.execute("DROP TRIGGER IF EXISTS tribune_frozen_version ON mandate_versions")
        op.execute("DROP FUNCTION IF EXISTS tribune_frozen_signature()")
        op.execute("DROP FUNCTION IF EXISTS tribune_frozen_version()")
    else:
        for name in ("tribune_frozen_signature_delete", "tribune_frozen_signature",
                     "tribune_frozen_version_delete", "tribune_frozen_version"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def downgrade():
    _drop_immutability_triggers()
    with op.batch_alter_table('mandates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_mandates_version_in_force_id_mandate_versions'), type_='foreignkey')
    with op.batch_alter_table('ambassador_applications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ambassador_applications_mandate_id_mandates'), type_='foreignkey')
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signatures_version_id'))

    op.drop_table('signatures')
    with op.batch_alter_table('mission_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mission_reports_order_id'))

    op.drop_table('mission_reports')
    with op.batch_alter_table('mission_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mission_orders_state'))
        batch_op.drop_index(batch_op.f('ix_mission_orders_mandate_id'))

    op.drop_table('mission_orders')
    with op.batch_alter_table('mandate_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mandate_versions_text_sha256'))
        batch_op.drop_index(batch_op.f('ix_mandate_versions_mandate_id'))

    op.drop_table('mandate_versions')
    with op.batch_alter_table('benefits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_benefits_mandate_id'))

    op.drop_table('benefits')
    with op.batch_alter_table('mandates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mandates_state'))
        batch_op.drop_index(batch_op.f('ix_mandates_invited_email'))
        batch_op.drop_index(batch_op.f('ix_mandates_brand_id'))
        batch_op.drop_index(batch_op.f('ix_mandates_ambassador_id'))

    op.drop_table('mandates')
    with op.batch_alter_table('advocate_declarations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_advocate_declarations_user_id'))
        batch_op.drop_index(batch_op.f('ix_advocate_declarations_state'))
        batch_op.drop_index(batch_op.f('ix_advocate_declarations_brand_id'))

    op.drop_table('advocate_declarations')
    with op.batch_alter_table('ambassador_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ambassador_applications_user_id'))
        batch_op.drop_index(batch_op.f('ix_ambassador_applications_brand_id'))

    op.drop_table('ambassador_applications')
    # ### end Alembic commands ###
