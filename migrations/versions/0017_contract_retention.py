"""contract retention: an ended mandate's contract and signatures may lose their personal data

Revision ID: 0017_contract_retention
Revises: 0016_personal_data
Create Date: 2026-12-07 15:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017_contract_retention'
down_revision = '0016_personal_data'
branch_labels = None
depends_on = None

# Signed contracts are kept for the legal-claims period after the mandate ended (GDPR art. 17(3)(e), Code civil
# art. 2224), then the retention purge erases their personal data. The database still refuses every other change:
# a version of an ended mandate may only lose its text and clauses (its fingerprint, number and state stay), and a
# signature of an ended mandate may only have its typed name, IP address and browser blanked (party, time and the
# fingerprint signed stay). Whether five years have passed is the purge's rule (mandates/privacy.py).
FROZEN_VERSION_COLUMNS = ("text", "text_sha256", "clauses_json", "language", "number", "mandate_id")
KEPT = ("text_sha256", "language", "number", "mandate_id", "state")
KEPT_SIGNATURE = ("version_id", "party", "user_id", "text_sha256", "signed_at")
ERASABLE_STATES = "('declined', 'withdrawn')"
ENDED_MANDATE = "EXISTS (SELECT 1 FROM mandates m WHERE m.id = {mandate} AND m.ended_at IS NOT NULL)"
SIGNATURE_OF_ENDED = ("EXISTS (SELECT 1 FROM mandate_versions v JOIN mandates m ON m.id = v.mandate_id "
                      "WHERE v.id = OLD.version_id AND m.ended_at IS NOT NULL)")


def _erasure(distinct: str, ended: bool) -> str:
    kept = " AND ".join(f"NOT (NEW.{c} {distinct} OLD.{c})" for c in KEPT)
    allowed = f"OLD.state IN {ERASABLE_STATES}"
    if ended:
        allowed = f"({allowed} OR {ENDED_MANDATE.format(mandate='OLD.mandate_id')})"
    return f"({allowed} AND NEW.text IS NULL AND NEW.clauses_json = '{{}}' AND {kept})"


def _signature_erasure(distinct: str) -> str:
    kept = " AND ".join(f"NOT (NEW.{c} {distinct} OLD.{c})" for c in KEPT_SIGNATURE)
    return (f"({SIGNATURE_OF_ENDED} AND NEW.typed_name = '' AND NEW.ip_address = '' AND NEW.user_agent = '' "
            f"AND {kept})")


def _postgresql(ended: bool) -> None:
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FROZEN_VERSION_COLUMNS)
    op.execute(f"""
        CREATE OR REPLACE FUNCTION tribune_frozen_version() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                IF OLD.text_sha256 IS NOT NULL THEN
                    RAISE EXCEPTION 'an offered contract version cannot be deleted';
                END IF;
                RETURN OLD;
            END IF;
            IF OLD.text_sha256 IS NOT NULL AND ({changed}) AND NOT {_erasure('IS DISTINCT FROM', ended)} THEN
                RAISE EXCEPTION 'an offered contract version is immutable';
            END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql""")
    erasure = (f"IF TG_OP = 'UPDATE' AND {_signature_erasure('IS DISTINCT FROM')} THEN RETURN NEW; END IF;"
               if ended else "")
    op.execute(f"""
        CREATE OR REPLACE FUNCTION tribune_frozen_signature() RETURNS trigger AS $$
        BEGIN
            {erasure}
            RAISE EXCEPTION 'a signature is immutable';
        END $$ LANGUAGE plpgsql""")


def _sqlite(ended: bool) -> None:
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN_VERSION_COLUMNS)
    op.execute("DROP TRIGGER IF EXISTS tribune_frozen_version")
    op.execute(f"""
        CREATE TRIGGER tribune_frozen_version BEFORE UPDATE ON mandate_versions
        WHEN OLD.text_sha256 IS NOT NULL AND ({changed}) AND NOT {_erasure('IS NOT', ended)}
        BEGIN SELECT RAISE(ABORT, 'an offered contract version is immutable'); END""")
    op.execute("DROP TRIGGER IF EXISTS tribune_frozen_signature")
    when = f"WHEN NOT {_signature_erasure('IS NOT')}" if ended else ""
    op.execute(f"""
        CREATE TRIGGER tribune_frozen_signature BEFORE UPDATE ON signatures {when}
        BEGIN SELECT RAISE(ABORT, 'a signature is immutable'); END""")


def _replace(ended: bool) -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql(ended)
    else:
        _sqlite(ended)


def upgrade():
    _replace(ended=True)


def downgrade():
    _replace(ended=False)
