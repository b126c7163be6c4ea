"""Accounts: sign up, e-mail verification, password reset, profile, API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from zoneinfo import available_timezones

from email_validator import EmailNotValidError, validate_email
from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import bindparam, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from extensions import db
from institutions import audit
from institutions.clock import utcnow
from institutions.errors import DomainError, NotFound, ValidationFailed
from institutions.models import AccountToken, AccountTokenPurpose, ApiToken, User
from institutions.notifications import queue_email

MIN_PASSWORD_LENGTH = 10
API_TOKEN_PREFIX = "trb_"


def hash_token(secret: str) -> str:
    """Tokens are stored as SHA-256 of the secret; the secret itself is only ever shown or mailed."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalize_email(raw: str, field: str = "email") -> str:
    """A syntactically valid e-mail address, lower-cased; refused with a message otherwise."""
    try:
        return validate_email((raw or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ValidationFailed(_("This e-mail address is not valid: %(reason)s", reason=str(error)), field=field)


def user_by_email(email: str) -> User | None:
    """The live account with this address, if any."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower(), User.deleted_at.is_(None)))


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            _("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field="password"
        )


def new_pseudonym() -> str:
    """A random public handle for the audit trail."""
    return "person-" + secrets.token_hex(6)


def sign_up(email: str, password: str, display_name: str, locale: str | None = None) -> User | None:
    """Create an account (unverified) and mail the verification link.

    An address that already has an account gets the same answer (None instead of the account, so the
    caller cannot tell it apart from the outside) and its owner gets an e-mail: sign-up does not reveal
    which addresses are registered.
    """
    email = normalize_email(email)
    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationFailed(_("Please give the name others will see."), field="display_name")
    if len(display_name) > 120:
        raise ValidationFailed(_("The name can have at most 120 characters."), field="display_name")
    _check_password(password)
    # Hashed in both cases, so the time taken does not tell a registered address either.
    password_hash = generate_password_hash(password)
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is not None:
        _tell_owner_of_sign_up_attempt(existing)
        return None
    user = User(
        email=email,
        password_hash=password_hash,
        display_name=display_name,
        pseudonym=new_pseudonym(),
        locale=locale,
        timezone="UTC",
        created_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record("account.created", actor=user, subject=user)
    send_verification_email(user)
    return user


def _tell_owner_of_sign_up_attempt(user: User) -> None:
    """Someone tried to create an account with this address: tell its owner, not the one who typed it."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    queue_email(
        user.email,
        _("Someone tried to create a Tribune account with your address"),
        _("Hello %(name)s,\n\nSomeone, maybe you, tried to create a Tribune account with this e-mail address, "
          "which already has one. No new account was created.\n\nIf it was you, sign in: %(login)s\n"
          "Forgot your password? Choose a new one: %(reset)s\n\nIf it was not you, ignore this message.",
          name=user.display_name, login=base + url_for("accounts.login"), reset=base + url_for("accounts.request_reset")),
        "account",
        user,
    )


def _issue_token(user: User, purpose: AccountTokenPurpose, hours: int) -> str:
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        AccountToken(
            user_id=user.id, purpose=purpose, token_hash=hash_token(secret),
            created_at=now, expires_at=now + timedelta(hours=hours),
        )
    )
    db.session.flush()
    return secret


def send_verification_email(user: User) -> None:
    """Mail a fresh single-use link that proves the person owns the address."""
    secret = _issue_token(user, AccountTokenPurpose.VERIFY_EMAIL, current_app.config["EMAIL_TOKEN_HOURS"])
    link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("accounts.verify_email", token=secret)
    queue_email(
        user.email,
        _("Confirm your e-mail address for Tribune"),
        _("Hello %(name)s,\n\nOpen this link to confirm your address (valid %(hours)d hours):\n%(link)s",
          name=user.display_name, hours=current_app.config["EMAIL_TOKEN_HOURS"], link=link),
        "account",
        user,
    )


def _consume_token(secret: str, purpose: AccountTokenPurpose) -> AccountToken:
    token = db.session.scalar(
        select(AccountToken).where(AccountToken.token_hash == hash_token(secret or ""), AccountToken.purpose == purpose)
    )
    if token is None or token.user.deleted_at is not None:
        raise NotFound(_("This link is not valid."), field="token")
    if token.used_at is not None:
        raise DomainError(_("This link has already been used."), field="token")
    if token.expires_at <= utcnow():
        raise DomainError(_("This link has expired; ask for a new one."), field="token")
    token.used_at = utcnow()
    return token


def verify_email(secret: str) -> User:
    """Mark the address as verified with a single-use, unexpired token."""
    token = _consume_token(secret, AccountTokenPurpose.VERIFY_EMAIL)
    user = token.user
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        audit.record("account.email_verified", actor=user, subject=user)
    db.session.flush()
    return user


def request_password_reset(email: str) -> None:
    """Mail a reset link if the account exists; say nothing either way (no account probing)."""
    try:
        email = normalize_email(email)
    except ValidationFailed:
        return
    user = user_by_email(email)
    if user is None:
        return
    secret = _issue_token(user, AccountTokenPurpose.RESET_PASSWORD, current_app.config["RESET_TOKEN_HOURS"])
    link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("accounts.reset_password", token=secret)
    queue_email(
        user.email,
        _("Reset your Tribune password"),
        _("Hello %(name)s,\n\nOpen this link to choose a new password (valid %(hours)d hours):\n%(link)s\n\n"
          "If you did not ask for it, ignore this message.",
          name=user.display_name, hours=current_app.config["RESET_TOKEN_HOURS"], link=link),
        "account",
        user,
    )


def reset_password(secret: str, new_password: str) -> User:
    """Set a new password with a single-use, unexpired reset token.

    Whoever held the old password may have signed in, kept a link or made a token: every session and
    remember-me cookie ends, every other reset link stops working and every API token is revoked.
    """
    _check_password(new_password)
    token = _consume_token(secret, AccountTokenPurpose.RESET_PASSWORD)
    user = token.user
    user.password_hash = generate_password_hash(new_password)
    # Following the link proves ownership of the address as well.
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    end_sessions(user)
    links = _void_reset_links(user)
    now = utcnow()
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for api_token in tokens:
        api_token.revoked_at = now
    db.session.flush()
    audit.record("account.password_reset", actor=user, subject=user,
                 payload={"api_tokens_revoked": len(tokens), "reset_links_voided": links})
    return user


def _void_reset_links(user: User) -> int:
    """Every reset link of the account not used yet stops working; how many there were."""
    now = utcnow()
    pending = db.session.scalars(
        select(AccountToken).where(AccountToken.user_id == user.id,
                                   AccountToken.purpose == AccountTokenPurpose.RESET_PASSWORD,
                                   AccountToken.used_at.is_(None), AccountToken.expires_at > now)
    ).all()
    for link in pending:
        link.used_at = now
    return len(pending)


def end_sessions(user: User) -> None:
    """End every session and remember-me cookie of the account (they carry the old session version)."""
    user.session_version = (user.session_version or 0) + 1
    db.session.flush()


def sign_out(user: User) -> None:
    """Signing out ends this session, its copies and every other session of the account."""
    end_sessions(user)


def sign_out_everywhere(user: User) -> None:
    """The account page's "sign out everywhere": every browser and device, remembered or not."""
    end_sessions(user)
    audit.record("account.signed_out_everywhere", actor=user, subject=user)


def authenticate(email: str, password: str) -> User:
    """The account these credentials open, or a refusal that does not say which part was wrong."""
    user = user_by_email(email or "")
    # Hash anyway when the account is unknown, so timing does not reveal which addresses exist.
    candidate_hash = user.password_hash if user else generate_password_hash("not-a-real-password")
    if not check_password_hash(candidate_hash, password or "") or user is None:
        raise DomainError(_("Wrong e-mail address or password."), field="password")
    return user


def update_profile(user: User, display_name: str, locale: str | None, timezone_name: str) -> None:
    """Change the name, language and time zone a person sees the platform in."""
    display_name = (display_name or "").strip()
    if not display_name or len(display_name) > 120:
        raise ValidationFailed(_("The name must have between 1 and 120 characters."), field="display_name")
    if locale not in (None, "", *current_app.config["LANGUAGES"]):
        raise ValidationFailed(_("This language is not available."), field="locale")
    if timezone_name not in available_timezones() and timezone_name != "UTC":
        raise ValidationFailed(_("Unknown time zone."), field="timezone")
    user.display_name = display_name
    user.locale = locale or None
    user.timezone = timezone_name
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Replace the password after checking the current one."""
    if not check_password_hash(user.password_hash, current_password or ""):
        raise DomainError(_("The current password is wrong."), field="current_password")
    _check_password(new_password)
    user.password_hash = generate_password_hash(new_password)
    # Other sessions and pending reset links were opened with the old password: they end.
    end_sessions(user)
    _void_reset_links(user)
    audit.record("account.password_changed", actor=user, subject=user)


def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a personal API token; the secret is returned once and only its hash is kept."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ValidationFailed(_("Give the token a name of at most 80 characters."), field="name")
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=name, prefix=secret[:10], token_hash=hash_token(secret), created_at=utcnow()
    )
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.created", actor=user, subject=token)
    return token, secret


def revoke_api_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the person's own tokens."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_("No such token."), field="token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("api_token.revoked", actor=user, subject=token)
    return token


# How finely a token's last use is kept: a write per request would add a statement to every API call
# (and serialize API traffic on SQLite), so a use is recorded at most once a minute.
API_TOKEN_USE_RESOLUTION = timedelta(minutes=1)
# Where a due record of use waits, in the request's session, until it is written (write_api_token_use).
API_TOKEN_USE_KEY = "tribune.api_token_use"
# Built once, since every API request runs them: the live account behind a token (with the token's
# id and last use), and the record of a use, which never moves it back in time.
_TOKEN_HOLDER = (
    select(ApiToken.id, ApiToken.last_used_at, User)
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None), User.deleted_at.is_(None))
)
_RECORD_TOKEN_USE = (
    update(ApiToken.__table__)
    .where(ApiToken.id == bindparam("token_id"),
           or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < bindparam("when")))
    .values(last_used_at=bindparam("when"))
)


def user_for_api_token(secret: str, now: datetime | None = None) -> User | None:
    """The live account behind a bearer token, or None (revoked, unknown, deleted).

    Token and account come in one query. When the last recorded use is over a minute old, the use is
    noted in the session (`API_TOKEN_USE_KEY`) for the caller to write with `write_api_token_use`,
    ideally in the request's own transaction.
    """
    if not secret or not secret.startswith(API_TOKEN_PREFIX):
        return None
    found = db.session.execute(_TOKEN_HOLDER, {"token_hash": hash_token(secret)}).first()
    if found is None:
        return None
    token_id, last_used_at, user = found
    now = now or utcnow()
    if last_used_at is None or now - last_used_at > API_TOKEN_USE_RESOLUTION:
        db.session.info[API_TOKEN_USE_KEY] = (token_id, now)
    return user


def write_api_token_use(session, noted: tuple[int, datetime]) -> None:
    """Record a token's use noted by `user_for_api_token`, in `session`'s transaction."""
    token_id, when = noted
    session.execute(_RECORD_TOKEN_USE, {"token_id": token_id, "when": when})


def active_api_tokens(user: User) -> list[ApiToken]:
    """The person's tokens that still work, newest first."""
    return db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).order_by(ApiToken.id.desc())
    ).all()
