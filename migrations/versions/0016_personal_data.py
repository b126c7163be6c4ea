"""personal data: a declined or withdrawn contract offer may lose its personal data

Revision ID: 0016_personal_data
Revises: 0015_annual_report
Create Date: 2026-12-03 14:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016_personal_data'
down_revision = '0015_annual_report'
branch_labels = None
depends_on = None

# The frozen columns of migration 0003. An offer the ambassador declined or the brand withdrew never became a
# contract: GDPR art. 17 lets its text and clauses (legal name, birth date, addresses) be erased, and only that:
# the state, number, language and fingerprint stay, the text becomes NULL and the clauses '{}'.
FROZEN_VERSION_COLUMNS = ("text", "text_sha256", "clauses_json", "language", "number", "mandate_id")
KEPT = ("text_sha256", "language", "number", "mandate_id", "state")
ERASABLE_STATES = "('declined', 'withdrawn')"


def _erasure(distinct: str) -> str:
    kept = " AND ".join(f"NOT (NEW.{c} {distinct} OLD.{c})" for c in KEPT)
    return f"(OLD.state IN {ERASABLE_STATES} AND NEW.text IS NULL AND NEW.clauses_json = '{{}}' AND {kept})"


def _postgresql_function(allow_erasure: bool) -> str:
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FROZEN_VERSION_COLUMNS)
    erasure = f" AND NOT {_erasure('IS DISTINCT FROM')}" if allow_erasure else ""
    return f"""
        CREATE OR REPLACE FUNCTION tribune_frozen_version() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                IF OLD.text_sha256 IS NOT NULL THEN
                    RAISE EXCEPTION 'an offered contract version cannot be deleted';
                END IF;
                RETURN OLD;
            END IF;
            IF OLD.text_sha256 IS NOT NULL AND ({changed}){erasure} THEN
                RAISE EXCEPTION 'an offered contract version is immutable';
            END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql"""


def _sqlite_trigger(allow_erasure: bool) -> str:
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN_VERSION_COLUMNS)
    erasure = f" AND NOT {_erasure('IS NOT')}" if allow_erasure else ""
    return f"""
        CREATE TRIGGER tribune_frozen_version BEFORE UPDATE ON mandate_versions
        WHEN OLD.text_sha256 IS NOT NULL AND ({changed}){erasure}
        BEGIN SELECT RAISE(ABORT, 'an offered contract version is immutable'); END"""


def _replace(allow_erasure: bool) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_postgresql_function(allow_erasure))
    else:
        op.execute("DROP TRIGGER IF EXISTS tribune_frozen_version")
        op.execute(_sqlite_trigger(allow_erasure))


def upgrade():
    _replace(allow_erasure=True)


def downgrade():
    _replace(allow_erasure=False)
