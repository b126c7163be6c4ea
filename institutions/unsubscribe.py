"""One-click unsubscribe: a signed token names (person, kind); using it turns that kind's e-mail off."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from extensions import db
from institutions.models import EmailPreference, User

# The salt keeps these tokens apart from every other use of SECRET_KEY (sessions, CSRF).
SALT = "tribune.unsubscribe.v1"


class InvalidUnsubscribeLink(ValueError):
    """The link was altered, belongs to no account, or names a kind that cannot be turned off."""


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for(user: User, kind: str) -> str:
    """The signed token of an unsubscribe link; it never expires, since old e-mails must keep working (RFC 8058)."""
    return _serializer().dumps([user.id, kind])


def url_for_token(token: str) -> str:
    """The public address of the one-click link, built from PUBLIC_BASE_URL (also the List-Unsubscribe URL)."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/unsubscribe/{token}"


def read(token: str, kinds: dict):
    """The (person, kind) a token names, among `kinds` (notifications.KINDS); raises InvalidUnsubscribeLink else."""
    try:
        user_id, kind = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError) as error:
        raise InvalidUnsubscribeLink("tampered") from error
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.deleted_at is not None or kind not in kinds:
        raise InvalidUnsubscribeLink("unknown")
    if kinds[kind].mandatory:
        raise InvalidUnsubscribeLink("mandatory")
    return user, kinds[kind]


def turn_off(user: User, kind: str) -> None:
    """Stop e-mail of this kind for this person, one by one and in digests (the in-app notices go on)."""
    preference = db.session.scalar(select(EmailPreference).where(EmailPreference.user_id == user.id,
                                                                 EmailPreference.kind == kind))
    if preference is None:
        preference = EmailPreference(user_id=user.id, kind=kind)
        db.session.add(preference)
    preference.frequency = "never"  # institutions.notifications.NEVER (not imported: notifications imports us)
    db.session.flush()
