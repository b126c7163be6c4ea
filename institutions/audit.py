"""The audit trail: append institutional acts to a hash chain, list them, verify the chain."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import selectinload

from extensions import db
from institutions.clock import utcnow
from institutions.models import AuditEvent, Brand, User

GENESIS_HASH = "0" * 64
# Any constant works; it only has to be the same for every writer of the chain.
_PG_CHAIN_LOCK_KEY = 7_283_001


def canonical_json(event: AuditEvent) -> str:
    """The exact text that is hashed: every stored column but the hash itself, sorted keys, no spaces.

    The actor's account id is included, not only the pseudonym: the transparency page names the
    account, so pointing an event at another account must break the chain. The payload is hashed
    as the stored text, so even a re-spacing of it shows. tests/institutions/test_audit_trust.py
    fails when a column is added to `audit_events` and not covered here.
    """
    document = {
        "id": event.id,
        "created_at": event.created_at.isoformat(timespec="microseconds"),
        "brand_id": event.brand_id,
        "actor_id": event.actor_id,
        "actor": event.actor_pseudonym,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "payload": event.payload,
        "public": bool(event.is_public),
        "prev_hash": event.prev_hash,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    """hash = SHA-256(previous hash + canonical JSON of the event), in hexadecimal."""
    return hashlib.sha256((prev_hash + canonical_json(event)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainHead:
    """The last event of the chain: its number and hash (number 0 and the genesis hash when empty).

    Whoever keeps a head can later check that the chain still holds it: an event removed from
    the end, or any event up to it rewritten (even with every hash recomputed), no longer does.
    """

    number: int
    hash: str

    def __str__(self) -> str:
        return f"{self.number} {self.hash}"

    def as_dict(self) -> dict[str, Any]:
        """The head as a JSON object (annual reports, API documents)."""
        return {"number": self.number, "hash": self.hash}


_HEAD_PATTERN = re.compile(r"\s*(\d{1,18})\s*[:\s]\s*([0-9a-fA-F]{64})\s*")


def parse_head(value: str) -> ChainHead:
    """A kept head written `N:HASH` (or `N HASH`, as `flask audit head` prints it); ValueError otherwise."""
    match = _HEAD_PATTERN.fullmatch(value or "")
    if match is None:
        raise ValueError("a chain head is written N:HASH: the event number, a colon and the 64 hexadecimal "
                         "digits of its hash")
    number, digest = int(match.group(1)), match.group(2).lower()
    if number == 0 and digest != GENESIS_HASH:
        raise ValueError("the head of an empty chain (event 0) is the genesis hash, 64 zeros")
    return ChainHead(number, digest)


def chain_head() -> ChainHead:
    """The chain's head now (one query)."""
    last = db.session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    return ChainHead(last.id, last.hash) if last else ChainHead(0, GENESIS_HASH)


def take_chain_lock() -> None:
    """Serialize writers of the chain so two acts never link to the same predecessor."""
    bind = db.session.get_bind()
    if bind.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_CHAIN_LOCK_KEY})
    else:
        # SQLite: a write statement takes the database's write lock until commit, and the
        # read of the last event that follows then sees every committed event.
        db.session.execute(text("UPDATE audit_events SET id = id WHERE 1 = 0"))


def _new_event(number: int, prev_hash: str, action: str, actor: User | None, brand: Brand | None, subject: Any,
               payload: dict[str, Any] | None, public: bool) -> AuditEvent:
    """One chained event, numbered and hashed after its predecessor."""
    event = AuditEvent(
        id=number,
        created_at=utcnow(),
        brand_id=brand.id if brand is not None else None,
        actor_id=actor.id if actor is not None else None,
        actor_pseudonym=actor.pseudonym if actor is not None else None,
        action=action,
        subject_type=type(subject).__name__ if subject is not None else None,
        subject_id=getattr(subject, "id", None),
        payload=json.dumps(payload or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
        is_public=public,
        prev_hash=prev_hash,
    )
    event.hash = chain_hash(prev_hash, event)
    return event


def _locked_head() -> tuple[int, str]:
    """Take the chain's lock and read its head (number, hash), after flushing what the act wrote."""
    db.session.flush()
    take_chain_lock()
    last = db.session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    return (last.id, last.hash) if last else (0, GENESIS_HASH)


def record(
    action: str,
    *,
    actor: User | None = None,
    brand: Brand | None = None,
    subject: Any = None,
    payload: dict[str, Any] | None = None,
    public: bool = False,
) -> AuditEvent:
    """Append one act to the chain (the caller commits). Payloads carry no personal data."""
    number, prev_hash = _locked_head()
    event = _new_event(number + 1, prev_hash, action, actor, brand, subject, payload, public)
    db.session.add(event)
    db.session.flush()
    return event


def record_many(action: str, subjects: list[Any], *, actor: User | None = None, brand: Brand | None = None,
                payload: dict[str, Any] | None = None, public: bool = False) -> list[AuditEvent]:
    """Append the same act done to each of `subjects`, one event each, under one lock and one read of the head."""
    if not subjects:
        return []
    number, prev_hash = _locked_head()
    events = []
    for subject in subjects:
        number += 1
        event = _new_event(number, prev_hash, action, actor, brand, subject, payload, public)
        prev_hash = event.hash
        events.append(event)
    db.session.add_all(events)
    db.session.flush()
    return events


@dataclass
class ChainReport:
    """What verifying the chain found: how many events, the first bad one if any, the head it ends on."""

    checked: int
    bad_event_id: int | None = None
    problem: str | None = None
    head: ChainHead | None = None

    @property
    def ok(self) -> bool:
        return self.bad_event_id is None


def verify_chain(batch_size: int = 2000, kept_head: ChainHead | None = None) -> ChainReport:
    """Recompute every hash in order; name the first event whose link or content is wrong.

    With `kept_head` (a head written down earlier), also fail when the chain no longer holds it:
    fewer events than its number (the newest were removed), or that event's hash differs (the
    chain was rewritten, even with every hash recomputed so that it is consistent in itself).
    """
    prev_hash = GENESIS_HASH
    prev_id = 0
    checked = 0
    last_id = 0
    if kept_head is not None and kept_head.number == 0 and kept_head.hash != GENESIS_HASH:
        return ChainReport(0, 0, "the head of an empty chain (event #0) is the genesis hash")
    while True:
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch_size)
        ).all()
        if not events:
            break
        for event in events:
            if event.id != prev_id + 1 or event.prev_hash != prev_hash:
                return ChainReport(
                    checked, event.id,
                    f"event #{event.id} does not link to event #{prev_id}: "
                    f"an event before it was removed or altered",
                )
            if chain_hash(prev_hash, event) != event.hash:
                return ChainReport(checked, event.id, f"event #{event.id} was altered after it was written")
            if kept_head is not None and event.id == kept_head.number and event.hash != kept_head.hash:
                return ChainReport(
                    checked, event.id,
                    f"event #{event.id} has the hash {event.hash}, not the kept head's {kept_head.hash}: "
                    f"the chain was rewritten up to the kept head",
                )
            prev_hash, prev_id = event.hash, event.id
            checked += 1
        last_id = events[-1].id
        db.session.expunge_all()
    if kept_head is not None and checked < kept_head.number:
        return ChainReport(
            checked, checked + 1,
            f"the chain ends at event #{checked} but the kept head is event #{kept_head.number}: "
            f"events after #{checked} were removed",
        )
    return ChainReport(checked, head=ChainHead(prev_id, prev_hash))


def public_events(brand: Brand, page: int = 1, per_page: int = 50):
    """The brand's public acts, newest first (the transparency page)."""
    return db.paginate(
        select(AuditEvent)
        .where(AuditEvent.brand_id == brand.id, AuditEvent.is_public.is_(True))
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )
