"""mandates: minors' legal representatives, authorisations, contract clauses

Revision ID: 0012_contract_clauses
Revises: 0011_disclosure
Create Date: 2026-12-03 14:30:00.000000

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_contract_clauses'
down_revision = '0011_disclosure'
branch_labels = None
depends_on = None

# Migration 0008's rule (both parties signed the very text), kept here so the downgrade restores it.
BOTH_SIGNED = ("(SELECT count(DISTINCT s.party) FROM signatures s WHERE s.version_id = {version} "
               "AND s.party IN ('ambassador', 'brand') AND s.text_sha256 = {sha}) = 2")
# Added by this migration: a version offered to an ambassador under 16 also needs their legal
# representative's signature of the same text (Code du travail L.7124-1).
REPRESENTED = ("(NOT {flag} OR EXISTS (SELECT 1 FROM signatures r WHERE r.version_id = {version} "
               "AND r.party = 'legal_representative' AND r.text_sha256 = {sha}))")
SIGNED_STATES = "('in_force', 'superseded')"
NOT_SIGNED = "a contract version comes into force only once both parties signed it"
NOT_REPRESENTED = ("a contract version comes into force only once both parties signed it, and the legal "
                   "representative of an ambassador under 16")
# Governing laws a draft may keep (mandates/clauses.py GOVERNING_LAWS); "French law" written by hand becomes FR.
LAWS = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT",
        "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO", "CH", "GB"}
FRENCH_LAW = {"french law", "droit français", "droit francais", "loi française", "fr"}


def _signed(version: str, sha: str, flag: str | None) -> str:
    rule = BOTH_SIGNED.format(version=version, sha=sha)
    if flag is not None:
        rule += " AND " + REPRESENTED.format(version=version, sha=sha, flag=flag)
    return f"({rule})"


def upgrade():
    # A plain ADD COLUMN (SQLite supports it): a batch "move and copy" would lose the table's triggers.
    op.add_column('mandate_versions', sa.Column('needs_legal_representative', sa.Boolean(),
                                                server_default=sa.false(), nullable=False))
    _migrate_drafts()
    _guards(represented=True)


def _migrate_drafts():
    """Drafts (never offered, so not frozen) move to the new clause fields; offered texts stay as signed."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, clauses_json FROM mandate_versions WHERE text_sha256 IS NULL")).all()
    for row_id, raw in rows:
        try:
            clauses = json.loads(raw or "{}")
        except ValueError:
            continue
        if not isinstance(clauses, dict):
            continue
        if isinstance(clauses.get("joint_liability"), dict):
            clauses["joint_liability"] = {}  # fixed by law now: the contract writes it
        representative = clauses.get("legal_representative")
        if isinstance(representative, dict) and "authorisation_reference" in representative:
            representative["authorisation_number"] = representative.pop("authorisation_reference")
        law_clause = clauses.get("governing_law")
        if isinstance(law_clause, dict) and isinstance(law_clause.get("law"), str):
            law = law_clause["law"].strip()
            law_clause["law"] = ("FR" if law.lower() in FRENCH_LAW else law.upper() if law.upper() in LAWS else "")
        bind.execute(sa.text("UPDATE mandate_versions SET clauses_json = :clauses WHERE id = :id"),
                     {"clauses": json.dumps(clauses, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
                      "id": row_id})


def _guards(represented: bool):
    message = NOT_REPRESENTED if represented else NOT_SIGNED
    new_flag = "NEW.needs_legal_representative" if represented else None
    v_flag = "v.needs_legal_representative" if represented else None
    version_unsigned = f"NEW.state IN {SIGNED_STATES} AND NOT {_signed('NEW.id', 'NEW.text_sha256', new_flag)}"
    mandate_unsigned = (f"NEW.version_in_force_id IS NOT NULL AND NOT EXISTS ("
                        f"SELECT 1 FROM mandate_versions v WHERE v.id = NEW.version_in_force_id "
                        f"AND v.mandate_id = NEW.id AND {_signed('v.id', 'v.text_sha256', v_flag)})")
    if op.get_bind().dialect.name == "postgresql":
        # Replacing the functions keeps migration 0008's triggers, which call them.
        op.execute(f"""
            CREATE OR REPLACE FUNCTION tribune_in_force_signed() RETURNS trigger AS $$
            BEGIN
                IF {version_unsigned} THEN
                    RAISE EXCEPTION '{message}';
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql""")
        op.execute(f"""
            CREATE OR REPLACE FUNCTION tribune_mandate_in_force_signed() RETURNS trigger AS $$
            BEGIN
                IF {mandate_unsigned} THEN
                    RAISE EXCEPTION '{message}';
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql""")
        return
    for event in ("INSERT", "UPDATE"):
        name = f"tribune_in_force_signed_{event.lower()}"
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"""
            CREATE TRIGGER {name} BEFORE {event} ON mandate_versions
            WHEN {version_unsigned}
            BEGIN SELECT RAISE(ABORT, '{message}'); END""")
    for event in ("INSERT", "UPDATE OF version_in_force_id"):
        name = "tribune_mandate_in_force_signed_" + ("insert" if event == "INSERT" else "update")
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"""
            CREATE TRIGGER {name} BEFORE {event} ON mandates
            WHEN {mandate_unsigned}
            BEGIN SELECT RAISE(ABORT, '{message}'); END""")


def downgrade():
    _guards(represented=False)
    if op.get_bind().dialect.name == "sqlite":
        # A batch "move and copy" would lose the table's other triggers (migrations 0003 and 0008).
        op.execute("ALTER TABLE mandate_versions DROP COLUMN needs_legal_representative")
    else:
        with op.batch_alter_table('mandate_versions') as batch_op:
            batch_op.drop_column('needs_legal_representative')
