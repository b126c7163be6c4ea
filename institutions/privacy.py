"""Privacy: every person can download all their data and delete their account."""
from __future__ import annotations

import secrets
from typing import Any, Callable

from flask_babel import gettext as _
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from extensions import db
from institutions import audit
from institutions.clock import utcnow
from institutions.errors import DomainError
from institutions.models import (
    AccountToken,
    ApiToken,
    AuditEvent,
    EmailPreference,
    Membership,
    MembershipStatus,
    Notification,
    OfficeHolding,
    OutboxMessage,
    StaffRole,
    User,
)

# Later features add their own sections: name -> function(user) -> JSON-ready data.
EXPORT_SECTIONS: dict[str, Callable[[User], Any]] = {}


def export_section(name: str):
    """Register a function that contributes one section to a person's data export."""

    def register(fn):
        EXPORT_SECTIONS[name] = fn
        return fn

    return register


def _iso(moment):
    return moment.isoformat() if moment else None


@export_section("account")
def _account(user: User):
    return {
        "email": user.email, "display_name": user.display_name, "pseudonym": user.pseudonym,
        "locale": user.locale, "timezone": user.timezone, "created_at": _iso(user.created_at),
        "email_verified_at": _iso(user.email_verified_at), "is_platform_admin": user.is_platform_admin,
    }


@export_section("memberships")
def _memberships(user: User):
    rows = db.session.scalars(select(Membership).where(Membership.user_id == user.id)).all()
    return [
        {"brand": m.brand.slug, "status": m.status.value, "customer_number": m.customer_number,
         "started_at": _iso(m.started_at), "verified_at": _iso(m.verified_at), "left_at": _iso(m.left_at)}
        for m in rows
    ]


@export_section("staff_roles")
def _staff_roles(user: User):
    rows = db.session.scalars(select(StaffRole).where(StaffRole.user_id == user.id)).all()
    return [{"brand": r.brand.slug, "can_sign": r.can_sign, "since": _iso(r.created_at), "legal_name": r.legal_name}
            for r in rows]


@export_section("offices")
def _offices(user: User):
    rows = db.session.scalars(select(OfficeHolding).where(OfficeHolding.user_id == user.id)).all()
    return [
        {"brand": h.office.brand.slug, "office": h.office.kind.value, "source": h.source,
         "started_at": _iso(h.started_at), "ended_at": _iso(h.ended_at), "end_reason": h.end_reason}
        for h in rows
    ]


@export_section("notifications")
def _notifications(user: User):
    rows = db.session.scalars(select(Notification).where(Notification.user_id == user.id)).all()
    return [{"kind": n.kind, "message": n.message, "link": n.link, "created_at": _iso(n.created_at),
             "read_at": _iso(n.read_at)} for n in rows]


@export_section("email_preferences")
def _preferences(user: User):
    rows = db.session.scalars(select(EmailPreference).where(EmailPreference.user_id == user.id)).all()
    return {p.kind: p.enabled for p in rows}


@export_section("emails")
def _emails(user: User):
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)).all()
    return [{"subject": m.subject, "kind": m.kind, "created_at": _iso(m.created_at), "sent_at": _iso(m.sent_at)}
            for m in rows]


@export_section("api_tokens")
def _tokens(user: User):
    rows = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()
    return [{"name": t.name, "prefix": t.prefix, "created_at": _iso(t.created_at),
             "revoked_at": _iso(t.revoked_at)} for t in rows]


@export_section("audit_events")
def _audit(user: User):
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.id)).all()
    return [{"id": e.id, "action": e.action, "created_at": _iso(e.created_at), "public": e.is_public}
            for e in rows]


def export_user_data(user: User) -> dict[str, Any]:
    """Everything the platform holds about a person, as one JSON-ready document."""
    return {"exported_at": _iso(utcnow()), **{name: fn(user) for name, fn in EXPORT_SECTIONS.items()}}


# Later features register what erasing an account must do to their own rows.
ERASERS: list[Callable[[User], None]] = []


def delete_account(user: User, password: str) -> None:
    """Erase a person's personal data; the audit trail keeps only their pseudonym."""
    if user.deleted_at is not None:
        raise DomainError(_("This account is already deleted."))
    if not check_password_hash(user.password_hash, password or ""):
        raise DomainError(_("The password is wrong."), field="password")
    now = utcnow()
    for membership in db.session.scalars(select(Membership).where(Membership.user_id == user.id)):
        if membership.status is not MembershipStatus.LEFT:
            membership.status = MembershipStatus.LEFT
            membership.left_at = now
        membership.customer_number = None
    db.session.execute(delete(StaffRole).where(StaffRole.user_id == user.id))
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(delete(EmailPreference).where(EmailPreference.user_id == user.id))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.user_id == user.id))
    db.session.execute(delete(AccountToken).where(AccountToken.user_id == user.id))
    for token in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
        token.revoked_at = token.revoked_at or now
    for eraser in ERASERS:
        eraser(user)
    # Office holdings are public records: the name shown becomes the pseudonym.
    for holding in db.session.scalars(select(OfficeHolding).where(OfficeHolding.user_id == user.id)):
        holding.holder_name = user.pseudonym
    user.email = f"{user.pseudonym}@deleted.invalid"
    user.display_name = user.pseudonym
    user.password_hash = generate_password_hash(secrets.token_urlsafe(32))
    user.locale = None
    user.timezone = "UTC"
    user.is_platform_admin = False
    user.deleted_at = now
    db.session.flush()
    audit.record("account.deleted", actor=user, subject=user)
