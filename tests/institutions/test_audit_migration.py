"""Revision 0010 rehashes the events written under the old formula, in order, and refuses a broken chain.

It runs the revision's downgrade and upgrade on the suite's database (SQLite, or PostgreSQL with
DATABASE_URL), then leaves the database at the head revision as it found it.
"""
from __future__ import annotations

import hashlib
import json
import os

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from extensions import db
from institutions import audit
from institutions.clock import utcnow
from institutions.models import AuditEvent

BEFORE = "0009_mediation_trust"


def _old_hash(prev_hash: str, row) -> str:
    """The formula before 0010, written out independently of the migration: no actor id, payload parsed."""
    document = {"id": row.id, "created_at": row.created_at.isoformat(timespec="microseconds"),
                "brand_id": row.brand_id, "actor": row.actor_pseudonym, "action": row.action,
                "subject_type": row.subject_type, "subject_id": row.subject_id,
                "payload": json.loads(row.payload), "public": bool(row.is_public)}
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def _rows():
    return db.session.execute(select(AuditEvent.__table__).order_by(AuditEvent.id)).all()


def _migrations(app) -> str:
    return os.path.join(app.root_path, "migrations")


@pytest.fixture
def at_0009(app):
    """Run the test with the audit revision undone; put it back afterwards whatever happened."""
    db.session.remove()
    downgrade(directory=_migrations(app), revision=BEFORE)
    try:
        yield
    finally:
        db.session.remove()
        upgrade(directory=_migrations(app))


def _three_events(make):
    brand, actor = make.brand(slug="acme"), make.user()
    audit.record("test.first", brand=brand, payload={"b": 2, "a": [1, "é"]}, public=True)
    audit.record("test.second", actor=actor, brand=brand, subject=brand)
    audit.record("test.third", actor=actor, payload={})
    db.session.commit()


def test_downgrade_and_upgrade_rehash_the_chain_in_order(app, make):
    _three_events(make)
    written = [row.hash for row in _rows()]
    db.session.remove()
    downgrade(directory=_migrations(app), revision=BEFORE)
    try:
        old = _rows()
        prev = audit.GENESIS_HASH
        for row in old:  # the old formula, linked in order
            assert row.prev_hash == prev and row.hash == _old_hash(prev, row)
            prev = row.hash
        assert [row.hash for row in old] != written
    finally:
        db.session.remove()
        upgrade(directory=_migrations(app))
    # the upgrade computes exactly what the service computes for the same rows
    assert [row.hash for row in _rows()] == written
    assert audit.verify_chain().ok


def test_the_upgrade_refuses_to_rehash_a_broken_chain(app, make, at_0009):
    brand = make.brand(slug="acme")
    prev = audit.GENESIS_HASH
    for number in (1, 2):  # two events written under the old formula, as a 0009 database holds them
        event = AuditEvent(id=number, created_at=utcnow(), brand_id=brand.id, action="test.old", payload="{}",
                           is_public=True, prev_hash=prev)
        event.hash = _old_hash(prev, event)
        db.session.add(event)
        db.session.flush()
        prev = event.hash
    db.session.commit()
    db.session.execute(text("UPDATE audit_events SET action = 'test.forged' WHERE id = 1"))
    db.session.commit()
    before = [tuple(row) for row in _rows()]
    db.session.remove()
    with pytest.raises((RuntimeError, SystemExit)) as refusal:
        upgrade(directory=_migrations(app))
    assert refusal.type is SystemExit or "broken at event #1" in str(refusal.value)
    assert [tuple(row) for row in _rows()] == before  # nothing was rehashed: the forgery still shows
    db.session.execute(text("DELETE FROM audit_events"))
    db.session.commit()
