"""Privacy: every person can download all their data and delete their account; records are kept no longer than
their stated period (GDPR arts 5(1)(e), 13, 15, 17, 20)."""
from __future__ import annotations

import io
import json
import os
import secrets
import zipfile
from datetime import datetime, timedelta
from typing import Any, Callable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from extensions import db
from institutions import audit
from institutions.clock import utcnow
from institutions.errors import DomainError
from institutions.models import (AccountToken, ApiToken, AuditEvent, EmailPreference, Membership, MembershipStatus,
                                 Notification, OfficeHolding, OutboxMessage, StaffRole, User)

def _plain(value):
    """A value as JSON holds it: moments and dates in ISO 8601, enums by value."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return getattr(value, "value", value)


def _rows(model, owner, *names: str, **computed: Callable[[Any], Any]) -> Callable[[User], list[dict]]:
    """An export section: the person's rows of a table, each with these columns and computed fields."""
    def section(user: User) -> list[dict]:
        rows = db.session.scalars(select(model).where(owner == user.id).order_by(*model.__table__.primary_key)).all()
        return [{**{name: _plain(getattr(row, name)) for name in names},
                 **{name: fn(row) for name, fn in computed.items()}} for row in rows]
    return section


def _brand(row) -> str:
    return row.brand.slug


# Features add their own sections (name -> function(user) -> JSON-ready data) and files beside the JSON in the
# ZIP export; RECORD_KINDS holds each kind of record with its purpose and retention (features.py `RecordKind`).
EXPORT_SECTIONS: dict[str, Callable[[User], Any]] = {
    "account": lambda user: {name: _plain(getattr(user, name)) for name in (
        "email", "display_name", "pseudonym", "locale", "timezone", "created_at", "email_verified_at",
        "is_platform_admin")},
    "memberships": _rows(Membership, Membership.user_id, "status", "customer_number", "started_at", "verified_at",
                         "left_at", brand=_brand),
    "staff_roles": _rows(StaffRole, StaffRole.user_id, "can_sign", "created_at", "legal_name", brand=_brand),
    "offices": _rows(OfficeHolding, OfficeHolding.user_id, "source", "started_at", "ended_at", "end_reason",
                     brand=lambda h: h.office.brand.slug, office=lambda h: h.office.kind.value),
    "notifications": _rows(Notification, Notification.user_id, "kind", "message", "link", "created_at", "read_at"),
    "email_preferences": lambda user: {p.kind: p.frequency for p in db.session.scalars(
        select(EmailPreference).where(EmailPreference.user_id == user.id))},
    "emails": _rows(OutboxMessage, OutboxMessage.user_id, "subject", "kind", "created_at", "sent_at"),
    "api_tokens": _rows(ApiToken, ApiToken.user_id, "name", "prefix", "created_at", "revoked_at"),
    "audit_events": _rows(AuditEvent, AuditEvent.actor_id, "id", "action", "created_at", "is_public"),
}
EXPORT_FILES: list[Callable[[User], list[tuple[str, bytes]]]] = []
RECORD_KINDS: dict[str, Any] = {}


def retention_days(kind) -> int | None:
    """How long this kind of record is kept, in days: the setting RETENTION_<KEY>_DAYS, else the lawful default."""
    name = f"RETENTION_{kind.key.upper()}_DAYS"
    value = current_app.config.get(name, os.environ.get(name))
    if value in (None, ""):
        return kind.retention_days
    return int(value)


def processing_record() -> list[dict[str, Any]]:
    """For each kind of data: its purpose, its recipients and how long it is kept (GDPR art. 15(1)(a), (c), (d))."""
    return [{"kind": key, "purpose": str(kind.purpose), "recipients": str(kind.recipients),
             "retention": str(kind.retention), "retention_days": retention_days(kind)}
            for key, kind in sorted(RECORD_KINDS.items())]


def export_user_data(user: User) -> dict[str, Any]:
    """Everything the platform holds about a person, as one JSON-ready document."""
    return {"exported_at": _plain(utcnow()), **{name: fn(user) for name, fn in EXPORT_SECTIONS.items()},
            "processing": processing_record()}


def export_archive(user: User) -> bytes:
    """The export as a ZIP: my-data.json and, beside it, the files (attachments) held about the person."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("my-data.json", json.dumps(export_user_data(user), indent=2, ensure_ascii=False))
        seen = {"my-data.json"}
        for files in EXPORT_FILES:
            for name, data in files(user):
                if name not in seen:
                    seen.add(name)
                    archive.writestr(name, data)
    return buffer.getvalue()


def purge(now: datetime | None = None) -> list[str]:
    """Remove or erase every record past its retention period; says what it did (the purge command runs it)."""
    now = now or utcnow()
    done: list[str] = []
    for key, kind in sorted(RECORD_KINDS.items()):
        days = retention_days(kind)
        if kind.purge is None or days is None:
            continue
        lines = kind.purge(now - timedelta(days=days))
        if lines:
            audit.record("privacy.purged", payload={"kind": key, "retention_days": days})
        done.extend(lines)
    return done


def purger(what: str, *columns) -> Callable[[datetime], list[str]]:
    """A purge that deletes the rows whose moment (in each column given) is before the cutoff, and says so."""
    def purge_rows(cutoff: datetime) -> list[str]:
        count = sum(db.session.execute(delete(column.class_).where(column < cutoff)).rowcount for column in columns)
        return [f"{count} {what} deleted"] if count else []
    return purge_rows


# Later features register what erasing an account must do to their own rows.
ERASERS: list[Callable[[User], None]] = []


def delete_account(user: User, password: str) -> None:
    """Erase a person's personal data; the audit trail keeps only their pseudonym."""
    if user.deleted_at is not None:
        raise DomainError(_("This account is already deleted."))
    if not check_password_hash(user.password_hash, password or ""):
        raise DomainError(_("The password is wrong."), field="password")
    now = utcnow()
    # The features first: a notice or e-mail they send the person on the way out is erased below with the rest.
    for eraser in ERASERS:
        eraser(user)
    for membership in db.session.scalars(select(Membership).where(Membership.user_id == user.id)):
        if membership.status is not MembershipStatus.LEFT:
            membership.status = MembershipStatus.LEFT
            membership.left_at = now
        membership.customer_number = None
    for model in (StaffRole, Notification, EmailPreference, OutboxMessage, AccountToken):
        db.session.execute(delete(model).where(model.user_id == user.id))
    for token in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
        token.revoked_at = token.revoked_at or now
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
