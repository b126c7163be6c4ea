"""audit trail: the hash covers every stored field

Revision ID: 0010_audit_trust
Revises: 0009_mediation_trust
Create Date: 2026-12-03 14:00:00.000000

The event hash now covers every column of `audit_events` (the actor's account id, the stored
payload text and the previous hash included). Existing events are rehashed in order, each one
linked to its predecessor's new hash. The two formulas are written out here, frozen, rather than
imported from institutions.audit: this revision must keep computing what it computed when it was
written, whatever the service later becomes.
"""
import hashlib
import json

from alembic import op
import sqlalchemy as sa

import institutions.types


# revision identifiers, used by Alembic.
revision = '0010_audit_trust'
down_revision = '0009_mediation_trust'
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64

audit_events = sa.table(
    "audit_events",
    sa.column("id", sa.Integer),
    sa.column("created_at", institutions.types.UTCDateTime(timezone=True)),
    sa.column("brand_id", sa.Integer),
    sa.column("actor_id", sa.Integer),
    sa.column("actor_pseudonym", sa.String),
    sa.column("action", sa.String),
    sa.column("subject_type", sa.String),
    sa.column("subject_id", sa.Integer),
    sa.column("payload", sa.Text),
    sa.column("is_public", sa.Boolean),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)


def _every_field(row, prev_hash: str) -> dict:
    """The 0010 document: every column but the hash."""
    return {
        "id": row.id,
        "created_at": row.created_at.isoformat(timespec="microseconds"),
        "brand_id": row.brand_id,
        "actor_id": row.actor_id,
        "actor": row.actor_pseudonym,
        "action": row.action,
        "subject_type": row.subject_type,
        "subject_id": row.subject_id,
        "payload": row.payload,
        "public": bool(row.is_public),
        "prev_hash": prev_hash,
    }


def _before_0010(row, _prev_hash: str) -> dict:
    """The 0001 document: no actor id, the payload parsed, the previous hash only prefixed."""
    return {
        "id": row.id,
        "created_at": row.created_at.isoformat(timespec="microseconds"),
        "brand_id": row.brand_id,
        "actor": row.actor_pseudonym,
        "action": row.action,
        "subject_type": row.subject_type,
        "subject_id": row.subject_id,
        "payload": json.loads(row.payload),
        "public": bool(row.is_public),
    }


def _hash(document, row, prev_hash: str) -> str:
    text = json.dumps(document(row, prev_hash), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + text).encode("utf-8")).hexdigest()


def _rehash(old, new) -> None:
    """Check the chain under the `old` formula, then rehash it in order under the `new` one.

    A chain that is already broken is refused rather than rehashed: rehashing it would make the
    tampering invisible. Investigate with `flask audit verify` at the previous revision first.
    """
    bind = op.get_bind()
    rows = bind.execute(sa.select(audit_events).order_by(audit_events.c.id)).all()
    prev_hash, prev_id = GENESIS_HASH, 0
    for row in rows:
        if row.id != prev_id + 1 or row.prev_hash != prev_hash or _hash(old, row, prev_hash) != row.hash:
            raise RuntimeError(
                f"the audit chain is broken at event #{row.id}: refusing to rehash it, which would hide "
                f"the alteration; investigate with `flask audit verify` before upgrading")
        prev_hash, prev_id = row.hash, row.id
    if not rows:
        return
    # prev_hash and hash are unique: park every row on a placeholder first, so that no
    # intermediate state can collide with a row not rewritten yet.
    bind.execute(audit_events.update().values(
        prev_hash=sa.literal("p") + sa.cast(audit_events.c.id, sa.String),
        hash=sa.literal("h") + sa.cast(audit_events.c.id, sa.String)))
    statement = (audit_events.update().where(audit_events.c.id == sa.bindparam("event_id"))
                 .values(prev_hash=sa.bindparam("new_prev"), hash=sa.bindparam("new_hash")))
    prev_hash, batch = GENESIS_HASH, []
    for row in rows:
        new_hash = _hash(new, row, prev_hash)
        batch.append({"event_id": row.id, "new_prev": prev_hash, "new_hash": new_hash})
        prev_hash = new_hash
        if len(batch) == 1000:
            bind.execute(statement, batch)
            batch = []
    if batch:
        bind.execute(statement, batch)


def upgrade():
    _rehash(_before_0010, _every_field)


def downgrade():
    _rehash(_every_field, _before_0010)
