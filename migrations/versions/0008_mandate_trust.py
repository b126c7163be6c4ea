"""mandates: staff legal names, contract guards against TRUNCATE

Revision ID: 0008_mandate_trust
Revises: 0007_account_trust
Create Date: 2026-12-03 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import institutions.types


# revision identifiers, used by Alembic.
revision = '0008_mandate_trust'
down_revision = '0007_account_trust'
branch_labels = None
depends_on = None

# A version is in force (or superseded by a later one) only once both parties signed its very text.
BOTH_SIGNED = ("(SELECT count(DISTINCT s.party) FROM signatures s WHERE s.version_id = {version} "
               "AND s.party IN ('ambassador', 'brand') AND s.text_sha256 = {sha}) = 2")
SIGNED_STATES = "('in_force', 'superseded')"
NOT_SIGNED = "a contract version comes into force only once both parties signed it"


def upgrade():
    with op.batch_alter_table('staff_roles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('legal_name_recorded_at', institutions.types.UTCDateTime(timezone=True),
                                      nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_guards()
    else:
        _sqlite_guards()


def _postgresql_guards():
    # TRUNCATE fires no row trigger: a statement trigger refuses it while the table holds a legal
    # record (an offered version, any signature). Emptying tables that hold none stays possible.
    op.execute("""
        CREATE FUNCTION tribune_no_truncate_contracts() RETURNS trigger AS $$
        BEGIN
            IF TG_TABLE_NAME = 'signatures' AND EXISTS (SELECT 1 FROM signatures) THEN
                RAISE EXCEPTION 'signatures cannot be truncated';
            END IF;
            IF TG_TABLE_NAME = 'mandate_versions'
               AND EXISTS (SELECT 1 FROM mandate_versions WHERE text_sha256 IS NOT NULL) THEN
                RAISE EXCEPTION 'offered contract versions cannot be truncated';
            END IF;
            RETURN NULL;
        END $$ LANGUAGE plpgsql""")
    for table in ("mandate_versions", "signatures"):
        op.execute(f"CREATE TRIGGER tribune_no_truncate_{table} BEFORE TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION tribune_no_truncate_contracts()")
    op.execute(f"""
        CREATE FUNCTION tribune_in_force_signed() RETURNS trigger AS $$
        BEGIN
            IF NEW.state IN {SIGNED_STATES} AND NOT {BOTH_SIGNED.format(version='NEW.id', sha='NEW.text_sha256')} THEN
                RAISE EXCEPTION '{NOT_SIGNED}';
            END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql""")
    op.execute("CREATE TRIGGER tribune_in_force_signed BEFORE INSERT OR UPDATE ON mandate_versions "
               "FOR EACH ROW EXECUTE FUNCTION tribune_in_force_signed()")
    op.execute(f"""
        CREATE FUNCTION tribune_mandate_in_force_signed() RETURNS trigger AS $$
        BEGIN
            IF NEW.version_in_force_id IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM mandate_versions v WHERE v.id = NEW.version_in_force_id AND v.mandate_id = NEW.id
                AND {BOTH_SIGNED.format(version='v.id', sha='v.text_sha256')}) THEN
                RAISE EXCEPTION '{NOT_SIGNED}';
            END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql""")
    op.execute("CREATE TRIGGER tribune_mandate_in_force_signed BEFORE INSERT OR UPDATE OF version_in_force_id "
               "ON mandates FOR EACH ROW EXECUTE FUNCTION tribune_mandate_in_force_signed()")


def _sqlite_guards():
    # SQLite has no TRUNCATE (its "truncate optimisation" of DELETE still runs the DELETE triggers
    # of migration 0003); the in-force rule gets the same triggers as on PostgreSQL.
    version_unsigned = (f"NEW.state IN {SIGNED_STATES} AND NOT "
                        f"{BOTH_SIGNED.format(version='NEW.id', sha='NEW.text_sha256')}")
    for event in ("INSERT", "UPDATE"):
        op.execute(f"""
            CREATE TRIGGER tribune_in_force_signed_{event.lower()} BEFORE {event} ON mandate_versions
            WHEN {version_unsigned}
            BEGIN SELECT RAISE(ABORT, '{NOT_SIGNED}'); END""")
    mandate_unsigned = (f"NEW.version_in_force_id IS NOT NULL AND NOT EXISTS ("
                        f"SELECT 1 FROM mandate_versions v WHERE v.id = NEW.version_in_force_id "
                        f"AND v.mandate_id = NEW.id AND {BOTH_SIGNED.format(version='v.id', sha='v.text_sha256')})")
    for event in ("INSERT", "UPDATE OF version_in_force_id"):
        name = "insert" if event == "INSERT" else "update"
        op.execute(f"""
            CREATE TRIGGER tribune_mandate_in_force_signed_{name} BEFORE {event} ON mandates
            WHEN {mandate_unsigned}
            BEGIN SELECT RAISE(ABORT, '{NOT_SIGNED}'); END""")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS tribune_mandate_in_force_signed ON mandates")
        op.execute("DROP TRIGGER IF EXISTS tribune_in_force_signed ON mandate_versions")
        for table in ("mandate_versions", "signatures"):
            op.execute(f"DROP TRIGGER IF EXISTS tribune_no_truncate_{table} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS tribune_mandate_in_force_signed()")
        op.execute("DROP FUNCTION IF EXISTS tribune_in_force_signed()")
        op.execute("DROP FUNCTION IF EXISTS tribune_no_truncate_contracts()")
    else:
        for name in ("tribune_mandate_in_force_signed_update", "tribune_mandate_in_force_signed_insert",
                     "tribune_in_force_signed_update", "tribune_in_force_signed_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('staff_roles', schema=None) as batch_op:
        batch_op.drop_column('legal_name_recorded_at')
        batch_op.drop_column('legal_name')
