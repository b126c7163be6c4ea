"""In-app notifications and the e-mail outbox, with a per-kind choice: each time, daily or weekly digest, never."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from extensions import db
from institutions.clock import utcnow
from institutions.errors import ValidationFailed
from sqlalchemy.orm import joinedload

from institutions import notice_mail
from institutions.messages import Message, dumps, loads, render
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


IMMEDIATE, DAILY, WEEKLY, NEVER = "immediate", "daily", "weekly", "never"
# The choices a person has for each optional kind, in the order the page offers them.
FREQUENCIES = {
    IMMEDIATE: _l("Each time"),
    DAILY: _l("In a daily digest"),
    WEEKLY: _l("In a weekly digest (Mondays)"),
    NEVER: _l("Never (on Tribune only)"),
}
DIGESTS = (DAILY, WEEKLY)


def frequency(user: User, kind_key: str) -> str:
    """How this person gets e-mail of this kind: mandatory kinds each time, else their choice (never by default)."""
    if KINDS[kind_key].mandatory:
        return IMMEDIATE
    chosen = db.session.scalar(select(EmailPreference.frequency).where(
        EmailPreference.user_id == user.id, EmailPreference.kind == kind_key))
    return chosen if chosen in FREQUENCIES else NEVER


def frequencies(user: User) -> dict[str, str]:
    """Every kind's frequency for this person (for the account page and the API)."""
    chosen = {p.kind: p.frequency for p in db.session.scalars(
        select(EmailPreference).where(EmailPreference.user_id == user.id))}
    return {key: IMMEDIATE if kind.mandatory else (chosen.get(key) if chosen.get(key) in FREQUENCIES else NEVER)
            for key, kind in KINDS.items()}


def email_enabled(user: User, kind_key: str) -> bool:
    """Whether this person gets each notice of this kind by e-mail as it happens."""
    return frequency(user, kind_key) == IMMEDIATE


def set_frequencies(user: User, choices: dict[str, str]) -> dict[str, str]:
    """Record the person's choice for the kinds named (others unchanged); refuses unknown kinds, unknown values and
    any change to a mandatory kind, naming the field. Returns every kind's frequency after the change."""
    for key, value in choices.items():
        if key not in KINDS:
            raise ValidationFailed(_("There is no kind of notification called “%(kind)s”.", kind=key), field=key)
        if value not in FREQUENCIES:
            raise ValidationFailed(_("Choose one of: %(choices)s.", choices=", ".join(FREQUENCIES)), field=key)
        if KINDS[key].mandatory and value != IMMEDIATE:
            raise ValidationFailed(_("“%(kind)s” is always e-mailed each time: the rules of the institution require "
                                     "that you be told.", kind=KINDS[key].label), field=key)
    existing = {p.kind: p for p in db.session.scalars(
        select(EmailPreference).where(EmailPreference.user_id == user.id))}
    for key, value in choices.items():
        if KINDS[key].mandatory:
            continue  # always each time; nothing to store
        preference = existing.get(key) or EmailPreference(user_id=user.id, kind=key)
        preference.frequency = value
        db.session.add(preference)
    db.session.flush()
    return frequencies(user)


def set_email_preferences(user: User, enabled_kinds: set[str]) -> None:
    """The older all-or-nothing form: the kinds named each time, every other optional kind never."""
    set_frequencies(user, {key: IMMEDIATE if key in enabled_kinds else NEVER
                           for key, kind in KINDS.items() if not kind.mandatory})


def queue_email(to_address: str, subject: str, body: str, kind: str, user: User | None = None,
                html_body: str | None = None, list_unsubscribe: str | None = None) -> OutboxMessage:
    """Store an e-mail in the outbox; institutions.mail_sender delivers it."""
    message = OutboxMessage(
        user_id=user.id if user else None,
        to_address=to_address,
        subject=str(subject)[:200],
        body=str(body),
        html_body=html_body,
        list_unsubscribe=list_unsubscribe,
        kind=kind,
        mandatory=KINDS[kind].mandatory,
        created_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    return message


def notify(user: User, kind: str, message: Message | str, link: str | None = None,
           brand: Brand | None = None) -> Notification:
    """Tell a person something in the app; by e-mail now, in their next digest, or not, as they chose per kind.

    `message` is a Message (institutions.messages.message: stored as key + parameters, rendered for each reader)
    or, for older callers, a string already written.
    """
    if kind not in KINDS:
        raise KeyError(f"unknown notification kind {kind!r}")
    keyed = isinstance(message, Message)
    notification = Notification(
        user_id=user.id, brand_id=brand.id if brand else None, kind=kind,
        message=notice_mail.english(message), link=link, created_at=utcnow(),
        message_key=message.msgid if keyed else None, params_json=dumps(message) if keyed else None,
    )
    db.session.add(notification)
    how = frequency(user, kind) if user.deleted_at is None else NEVER
    if how == IMMEDIATE:
        mail = notice_mail.compose(user, KINDS[kind], message, link, brand)  # rendered for its reader, now
        queue_email(user.email, mail["subject"], mail["body"], kind, user,
                    html_body=mail["html_body"], list_unsubscribe=mail["list_unsubscribe"])
    elif how in DIGESTS:
        notification.digest = how  # institutions.digests sends it with the others, once
    db.session.flush()
    return notification


def text_of(notification: Notification, reader: User) -> str:
    """The notice as its reader reads it now: rendered from its key in their language and time zone."""
    if not notification.message_key:
        return notification.message  # written before messages had keys, or by an older caller
    return render(loads(notification.message_key, notification.params_json), reader)


def reachable_staff(brand: Brand) -> list[User]:
    """The brand's staff whose account still exists: who is told when "the brand" is told."""
    roles = db.session.scalars(select(StaffRole).where(StaffRole.brand_id == brand.id)
                               .options(joinedload(StaffRole.user)).order_by(StaffRole.id)).all()
    return [role.user for role in roles if role.user is not None and role.user.deleted_at is None]


def notify_staff(brand: Brand, kind: str, message: Message | str, link: str | None = None) -> int:
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
