"""A case's timeline: every step is an event; deadlines are computed from these events."""
from __future__ import annotations

from datetime import datetime

from extensions import db
from mediation.models import CaseEvent, MediationCase
from institutions.clock import utcnow
from institutions.models import User

# Who sees an event: everyone in the case, one side only, or the mediator alone.
AUDIENCES = ("all", "complainant", "brand", "mediator")


def record_event(case: MediationCase, kind: str, actor: User | None = None, *, visible_to: str = "all",
                 note: str | None = None, at: datetime | None = None) -> CaseEvent:
    """Append one step to the case's timeline (the caller also writes the audit trail when it is an act)."""
    if visible_to not in AUDIENCES:
        raise ValueError(f"unknown audience {visible_to!r}")
    event = CaseEvent(case_id=case.id, kind=kind, actor_id=actor.id if actor else None, at=at or utcnow(),
                      visible_to=visible_to, note=note)
    db.session.add(event)
    db.session.flush()
    return event


def visible_events(case: MediationCase, role: str) -> list[CaseEvent]:
    """The timeline as one party (or the mediator, who sees everything) may read it."""
    if role == "mediator":
        return list(case.events)
    return [event for event in case.events if event.visible_to in ("all", role)]
