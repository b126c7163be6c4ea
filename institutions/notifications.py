"""In-app notifications and the e-mail outbox, with per-kind opt-in."""
from __future__ import annotations

import smtplib
import sys
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from extensions import db
from institutions.clock import utcnow
from sqlalchemy.orm import joinedload

from institutions.models import Brand, EmailPreference, Notification, OutboxMessage, StaffRole, User


@dataclass(frozen=True)
class NotificationKind:
    """A kind of notice; `mandatory` ones are e-mailed whatever the person chose (a rule says so)."""

    key: str
    label: object
    mandatory: bool = False


# Later features register their kinds here with register_kind().
KINDS: dict[str, NotificationKind] = {}


def register_kind(key: str, label, mandatory: bool = False) -> NotificationKind:
    """Declare a kind of notification once, at import time."""
    kind = NotificationKind(key, label, mandatory)
    KINDS[key] = kind
    return kind


register_kind("account", _l("Account security (verification, password reset)"), mandatory=True)
register_kind("staff_invitation", _l("Invitations to join a brand's staff"), mandatory=True)
register_kind("membership", _l("My memberships (verification of my customer status)"))
register_kind("community", _l("News of my brands' communities"))


def email_enabled(user: User, kind_key: str) -> bool:
    """Whether this person gets e-mail for this kind: mandatory, or opted in."""
    kind = KINDS[kind_key]
    if kind.mandatory:
        return True
    preference = db.session.scalar(
        select(EmailPreference).where(EmailPreference.user_id == user.id, EmailPreference.kind == kind_key)
    )
    return bool(preference and preference.enabled)


def set_email_preferences(user: User, enabled_kinds: set[str]) -> None:
    """Record the person's opt-ins; mandatory kinds cannot be switched off and are not stored."""
    existing = {
        p.kind: p for p in db.session.scalars(select(EmailPreference).where(EmailPreference.user_id == user.id))
    }
    for key, kind in KINDS.items():
        if kind.mandatory:
            continue
        preference = existing.get(key) or EmailPreference(user_id=user.id, kind=key)
        preference.enabled = key in enabled_kinds
        db.session.add(preference)
    db.session.flush()


def queue_email(to_address: str, subject: str, body: str, kind: str, user: User | None = None) -> OutboxMessage:
    """Store an e-mail in the outbox; `flask mail send` delivers it."""
    message = OutboxMessage(
        user_id=user.id if user else None,
        to_address=to_address,
        subject=str(subject)[:200],
        body=str(body),
        kind=kind,
        mandatory=KINDS[kind].mandatory,
        created_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    return message


def notify(user: User, kind: str, message: str, link: str | None = None, brand: Brand | None = None) -> Notification:
    """Tell a person something in the app, and by e-mail when the kind is mandatory or opted in."""
    if kind not in KINDS:
        raise KeyError(f"unknown notification kind {kind!r}")
    notification = Notification(
        user_id=user.id, brand_id=brand.id if brand else None, kind=kind,
        message=str(message), link=link, created_at=utcnow(),
    )
    db.session.add(notification)
    if user.deleted_at is None and email_enabled(user, kind):
        base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
        body = str(message) + (f"\n\n{base}{link}" if link else "")
        queue_email(user.email, str(message)[:120], body, kind, user)
    db.session.flush()
    return notification


def reachable_staff(brand: Brand) -> list[User]:
    """The brand's staff whose account still exists: who is told when "the brand" is told."""
    roles = db.session.scalars(select(StaffRole).where(StaffRole.brand_id == brand.id)
                               .options(joinedload(StaffRole.user)).order_by(StaffRole.id)).all()
    return [role.user for role in roles if role.user is not None and role.user.deleted_at is None]


def notify_staff(brand: Brand, kind: str, message: str, link: str | None = None) -> int:
    """Tell every staff member of the brand whose account still exists; returns how many were told."""
    staff = reachable_staff(brand)
    for user in staff:
        notify(user, kind, message, link=link, brand=brand)
    return len(staff)


def unread_count(user: User) -> int:
    """How many notices the person has not read yet (shown in the navigation)."""
    return db.session.scalar(
        select(db.func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ) or 0


def recent(user: User, limit: int = 200) -> list[Notification]:
    """The person's latest notices, newest first."""
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc()).limit(limit)
    ).all()


def mark_all_read(user: User) -> None:
    """Mark every notice of this person as read."""
    now = utcnow()
    for notification in db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ):
        notification.read_at = now
    db.session.flush()


# Messages sent by the "memory" backend (tests), newest last.
SENT_IN_MEMORY: list[EmailMessage] = []


def _build(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_SENDER"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email.set_content(message.body)
    return email


def send_pending(limit: int = 500, out=sys.stdout) -> tuple[int, int]:
    """Send what waits in the outbox with the configured backend; returns (sent, failed)."""
    config = current_app.config
    backend = config["MAIL_BACKEND"]
    pending = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id).limit(limit)
    ).all()
    sent = failed = 0
    smtp = None
    try:
        for message in pending:
            email = _build(message)
            message.attempts += 1
            try:
                if backend == "console":
                    print(f"--- outbox #{message.id}\n{email}", file=out)
                elif backend == "memory":
                    SENT_IN_MEMORY.append(email)
                else:
                    if smtp is None:
                        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30)
                        if config["MAIL_USE_TLS"]:
                            smtp.starttls()
                        if config["MAIL_USERNAME"]:
                            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
                    smtp.send_message(email)
                message.sent_at = utcnow()
                message.last_error = None
                sent += 1
            except (OSError, smtplib.SMTPException) as error:
                message.last_error = str(error)[:2000]
                failed += 1
        db.session.flush()
    finally:
        if smtp is not None:
            smtp.quit()
    return sent, failed
