"""A mandate's life after signature: it starts on its first day, completes after its last day by itself,
and ends early by the brand's revocation or the ambassador's resignation, given with notice.

Days are UTC calendar days. The term's last day is included: a mandate running to 31 August
completes on 1 September at 00:00 UTC. An ending notified for a day takes effect at 00:00 UTC that
day, and that day must respect the contract's notice (at the earliest today + notice days).
The mandates clock (mandates/clock.py) calls `advance_due`: the route guards run it before a mandate page,
and `flask advance` / `flask mandates advance` run it from the schedule.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select, update

from extensions import db
from institutions import audit, charter
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden, ValidationFailed
from institutions.models import Brand, OfficeKind, User
from institutions.notifications import notify, notify_staff
from institutions.messages import day, message
from mandates import clauses as schema
from mandates import missions
from mandates.models import MAX_REASON, RUNNING_STATES, WAITING_STATES, Mandate, MandateState, VersionState
from mandates.notices import CONTRACT_KIND
from mandates.permissions import can_manage_mandates, is_ambassador_of


def term_end_moment(last_day: date | None) -> datetime | None:
    """The moment a term ends: 00:00 UTC the day after its last day."""
    if last_day is None:
        return None
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=timezone.utc)


def notice_days(mandate: Mandate) -> int:
    """The notice the contract in force sets for an early ending, in days."""
    if mandate.version_in_force is None:
        return 0
    days = schema.value(schema.loads(mandate.version_in_force.clauses_json), "termination", "notice_days", 0)
    return int(days)


def earliest_end(mandate: Mandate, today: date) -> date:
    """The first day an ending notified today may take effect."""
    return today + timedelta(days=notice_days(mandate))


def _claim(mandate: Mandate, expected: MandateState, new: MandateState) -> bool:
    """Move the state only if nobody else did (a concurrent page view may be advancing too)."""
    result = db.session.execute(
        update(Mandate).where(Mandate.id == mandate.id, Mandate.state == expected).values(state=new)
        .execution_options(synchronize_session=False))
    db.session.refresh(mandate)
    return result.rowcount == 1


def _activate(mandate: Mandate, now: datetime, actor: User | None) -> bool:
    if not _claim(mandate, MandateState.SCHEDULED, MandateState.ACTIVE):
        return False
    mandate.activated_at = now
    if mandate.ambassador is not None:
        holding = charter.install_holder(
            mandate.brand, OfficeKind.AMBASSADOR, mandate.ambassador, source=f"mandate:{mandate.id}", actor=actor,
            starts_at=now, term_ends_at=term_end_moment(mandate.ends_on))
        mandate.holding_id = holding.id
    db.session.flush()
    audit.record("mandate.activated", actor=actor, brand=mandate.brand, subject=mandate, public=True,
                 payload={"starts_on": mandate.starts_on.isoformat(), "ends_on": mandate.ends_on.isoformat()})
    if mandate.ambassador is not None:
        notify(mandate.ambassador, CONTRACT_KIND,
               message("Your mandate as ambassador of %(brand)s has started.", brand=mandate.brand.name),
               link=f"/b/{mandate.brand.slug}/mandates/{mandate.id}", brand=mandate.brand)
    return True


HOLDING_REASONS = {
    MandateState.COMPLETED: "mandate completed",
    MandateState.REVOKED: "mandate revoked",
    MandateState.RESIGNED: "mandate resigned",
}


def _end(mandate: Mandate, new: MandateState, now: datetime, actor: User | None = None) -> bool:
    if not _claim(mandate, mandate.state, new):
        return False
    mandate.ended_at = now
    for version in mandate.versions:
        # A version still waiting for signature can no longer come into force.
        if version.state in WAITING_STATES:
            version.state = VersionState.WITHDRAWN
    if mandate.holding is not None and mandate.holding.ended_at is None:
        charter.end_holding(mandate.holding, HOLDING_REASONS[new], actor=actor)
    db.session.flush()
    payload = {"state": new.value}
    if mandate.end_effective_on is not None and new is not MandateState.COMPLETED:
        payload["effective_on"] = mandate.end_effective_on.isoformat()
    audit.record(f"mandate.{new.value}", actor=actor, brand=mandate.brand, subject=mandate, public=True,
                 payload=payload)
    missions.cancel_open_orders(mandate, actor)
    if mandate.ambassador is not None:
        notify(mandate.ambassador, CONTRACT_KIND,
               message("Your mandate as ambassador of %(brand)s has ended.", brand=mandate.brand.name),
               link=f"/b/{mandate.brand.slug}/mandates/{mandate.id}", brand=mandate.brand)
    return True


def advance(mandate: Mandate, now: datetime | None = None, actor: User | None = None) -> bool:
    """Move a signed mandate to where its dates say: start, notified ending, completion. True if it moved."""
    now = now or utcnow()
    today = now.date()
    moved = False
    if mandate.state not in RUNNING_STATES:
        return False
    if mandate.end_effective_on is not None and mandate.end_effective_on <= today:
        resigned = mandate.end_requested_by_id is not None and mandate.end_requested_by_id == mandate.ambassador_id
        return _end(mandate, MandateState.RESIGNED if resigned else MandateState.REVOKED, now)
    if mandate.state is MandateState.SCHEDULED and mandate.starts_on is not None and mandate.starts_on <= today:
        moved = _activate(mandate, now, actor)
    if mandate.state is MandateState.ACTIVE and mandate.ends_on is not None and mandate.ends_on < today:
        moved = _end(mandate, MandateState.COMPLETED, now) or moved
    return moved


def advance_due(now: datetime | None = None, brand: Brand | None = None,
                ambassador: User | None = None) -> list[Mandate]:
    """Start, complete and end every mandate (of a brand, of an ambassador) whose day has come (the clock calls it)."""
    now = now or utcnow()
    today = now.date()
    query = select(Mandate).where(or_(
        and_(Mandate.state == MandateState.SCHEDULED, Mandate.starts_on <= today),
        and_(Mandate.state == MandateState.ACTIVE, Mandate.ends_on < today),
        and_(Mandate.state.in_(RUNNING_STATES), Mandate.end_effective_on <= today),
    )).order_by(Mandate.id)
    if brand is not None:
        query = query.where(Mandate.brand_id == brand.id)
    if ambassador is not None:
        query = query.where(Mandate.ambassador_id == ambassador.id)
    return [mandate for mandate in db.session.scalars(query).all() if advance(mandate, now)]


def _notify_end(mandate: Mandate, actor: User, resigned: bool) -> None:
    effective = day(mandate.end_effective_on)
    if resigned:
        notify_staff(mandate.brand, CONTRACT_KIND,
                     message("%(name)s resigned as ambassador; the mandate ends on %(date)s.", name=mandate.public_name,
                             date=effective), link=f"/b/{mandate.brand.slug}/mandates/{mandate.id}")
    elif mandate.ambassador is not None:
        notify(mandate.ambassador, CONTRACT_KIND,
               message("%(brand)s revoked your ambassador mandate; it ends on %(date)s.", brand=mandate.brand.name,
                       date=effective),
               link=f"/b/{mandate.brand.slug}/mandates/{mandate.id}", brand=mandate.brand)


def _notify_ending(mandate: Mandate, actor: User, reason: str | None, effective_on: date | None, now: datetime,
                   resigned: bool) -> Mandate:
    today = now.date()
    if mandate.state not in RUNNING_STATES:
        raise DomainError(_("Only a signed mandate that has not ended can be ended."))
    if mandate.end_effective_on is not None:
        raise DomainError(_("An ending is already notified: the mandate ends on %(date)s.",
                            date=mandate.end_effective_on.isoformat()))
    earliest = earliest_end(mandate, today)
    effective_on = effective_on or earliest
    if effective_on < earliest:
        raise ValidationFailed(
            _("The contract's notice is %(days)d days: the ending can take effect on %(date)s at the earliest.",
              days=notice_days(mandate), date=earliest.isoformat()), field="effective_on")
    if mandate.ends_on is not None and effective_on > mandate.ends_on:
        raise ValidationFailed(
            _("The mandate completes by itself after %(date)s: choose an earlier day, or let it complete.",
              date=mandate.ends_on.isoformat()), field="effective_on")
    mandate.end_requested_at = now
    mandate.end_requested_by_id = actor.id
    mandate.end_effective_on = effective_on
    mandate.end_reason = reason or None
    db.session.flush()
    audit.record("mandate.resignation_notified" if resigned else "mandate.revocation_notified", actor=actor,
                 brand=mandate.brand, subject=mandate, public=True,
                 payload={"effective_on": effective_on.isoformat()})
    _notify_end(mandate, actor, resigned)
    advance(mandate, now, actor)
    return mandate


def revoke(mandate: Mandate, actor: User, reason: str | None, effective_on: date | None = None,
           now: datetime | None = None) -> Mandate:
    """Staff revoke the mandate with a reason, effective on a day that respects the contract's notice."""
    now = now or utcnow()
    if not can_manage_mandates(actor, mandate.brand):
        raise Forbidden(_("Only the brand's staff can revoke a mandate."))
    if is_ambassador_of(actor, mandate):
        raise Forbidden(_("You cannot revoke your own mandate: resign instead."))
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ValidationFailed(_("Give the reason for the revocation (at most %(n)d characters).", n=MAX_REASON),
                               field="reason")
    return _notify_ending(mandate, actor, reason, effective_on, now, resigned=False)


def resign(mandate: Mandate, user: User, reason: str | None = None, effective_on: date | None = None,
           now: datetime | None = None) -> Mandate:
    """The ambassador resigns, effective on a day that respects the contract's notice (reason optional)."""
    now = now or utcnow()
    if not is_ambassador_of(user, mandate):
        raise Forbidden(_("Only the ambassador can resign from this mandate."))
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ValidationFailed(_("At most %(n)d characters.", n=MAX_REASON), field="reason")
    return _notify_ending(mandate, user, reason, effective_on, now, resigned=True)
