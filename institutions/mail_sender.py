"""Sending the outbox: each message claimed by one sender, sent, and marked sent in its own commit."""
from __future__ import annotations

import logging
import secrets
import smtplib
import sys
import time
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from extensions import db
from institutions import audit
from institutions.clock import utcnow
from institutions.email_render import build
from institutions.errors import DomainError
from institutions.models import OutboxMessage, User

log = logging.getLogger(__name__)
# Plain UPDATE statements: the rows are the truth, objects loaded earlier are not patched in memory.
_PLAIN = {"synchronize_session": False}

# Messages sent by the "memory" backend (tests), newest last.
SENT_IN_MEMORY: list[EmailMessage] = []


class Unreachable(Exception):
    """The mail server could not be reached or refused the session (connect, STARTTLS, log-in)."""


def is_permanent(error: Exception) -> bool:
    """A 5xx refusal of this message or its recipient: sending it again cannot help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPDataError):
        return 500 <= error.smtp_code < 600
    # Anything else (connection lost, 4xx, our sender refused) may pass later: retried with backoff.
    return False


def describe(error: Exception) -> str:
    """The server's answer as an admin reads it: "address: 550 5.1.1 No such mailbox"."""
    def reply(code: int, text) -> str:
        return f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"

    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{address}: {reply(code, text)}" for address, (code, text) in error.recipients.items())
    if isinstance(error, smtplib.SMTPResponseException):
        return reply(error.smtp_code, error.smtp_error)
    return str(error) or type(error).__name__


class SmtpBackend:
    """One SMTP connection for a run, opened on the first message and again after it was lost."""

    def __init__(self, config):
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        """Open, secure and log in, or raise Unreachable."""
        config = self.config
        try:
            connection = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_SMTP_TIMEOUT"])
            if config["MAIL_USE_TLS"]:
                connection.starttls()
            if config["MAIL_USERNAME"]:
                connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        except (OSError, smtplib.SMTPException) as error:
            raise Unreachable(f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}: {describe(error)}") from error
        return connection

    def send(self, email: EmailMessage) -> None:
        """Hand the message to the server; a lost or closed connection is dropped so the next one reconnects."""
        if self.connection is None:
            self.connection = self._connect()
        try:
            self.connection.send_message(email)
        except (OSError, smtplib.SMTPServerDisconnected):
            self.reset()
            raise
        except smtplib.SMTPResponseException as error:
            if error.smtp_code == 421:  # the server closes the session
                self.reset()
            raise

    def reset(self) -> None:
        """Forget the connection (closing it if it still answers)."""
        if self.connection is not None:
            try:
                self.connection.close()
            finally:
                self.connection = None

    def close(self) -> None:
        """End the session politely at the end of the run."""
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                pass  # the messages are already marked; a failed goodbye changes nothing
            self.connection = None


class PrintBackend:
    """`console`: print each message (development); `memory`: keep it in SENT_IN_MEMORY (tests)."""

    def __init__(self, kind: str, out):
        self.kind, self.out = kind, out

    def send(self, email: EmailMessage) -> None:
        """Print or keep the message."""
        if self.kind == "memory":
            SENT_IN_MEMORY.append(email)
        else:
            print(f"--- {email['Message-ID']}\n{email}", file=self.out)

    def close(self) -> None:
        """Nothing to close."""


def _backend(out):
    """The backend MAIL_BACKEND names."""
    kind = current_app.config["MAIL_BACKEND"]
    return PrintBackend(kind, out) if kind in ("console", "memory") else SmtpBackend(current_app.config)


def claimable(now: datetime):
    """Not sent, not failed, claimed by nobody (or the claim expired), and due (first try or backoff over)."""
    return and_(
        OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
    )


def claim(session: Session, token: str, count: int) -> list[OutboxMessage]:
    """Claim up to `count` messages for this sender, committed, oldest first; returns them."""
    now = utcnow()
    until = now + timedelta(seconds=current_app.config["MAIL_CLAIM_SECONDS"])
    due = select(OutboxMessage.id).where(claimable(now)).order_by(OutboxMessage.id).limit(count)
    if session.get_bind().dialect.name == "postgresql":
        # Rows another sender is claiming are skipped, not waited for; its claim is then seen as live.
        ids = session.scalars(due.with_for_update(skip_locked=True)).all()
        if ids:
            session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                            .values(claimed_by=token, claimed_until=until), execution_options=_PLAIN)
    else:
        # SQLite runs one writer at a time: the choice and the claim happen in one statement under its lock.
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(due))
                        .values(claimed_by=token, claimed_until=until), execution_options=_PLAIN)
    session.commit()
    return session.scalars(select(OutboxMessage).where(
        OutboxMessage.claimed_by == token, OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
    ).order_by(OutboxMessage.id).execution_options(populate_existing=True)).all()


def _ours(message_id: int, token: str):
    """The statement's row: this message, still claimed by this sender."""
    return update(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == token)


def _renew(session: Session, token: str, message: OutboxMessage) -> bool:
    """Count the attempt and extend the claim just before sending; False when another sender took it."""
    until = utcnow() + timedelta(seconds=current_app.config["MAIL_CLAIM_SECONDS"])
    result = session.execute(_ours(message.id, token).where(OutboxMessage.sent_at.is_(None))
                             .values(claimed_until=until, attempts=OutboxMessage.attempts + 1),
                             execution_options=_PLAIN)
    session.commit()
    return result.rowcount == 1


def retry_delay(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: MAIL_RETRY_MINUTES, the last step repeated."""
    steps = current_app.config["MAIL_RETRY_MINUTES"]
    return timedelta(minutes=steps[min(attempts, len(steps)) - 1])


def _mark_sent(session: Session, token: str, message_id: int) -> None:
    """Record the delivery in its own commit."""
    result = session.execute(_ours(message_id, token).values(sent_at=utcnow(), claimed_until=None, last_error=None,
                                                             next_attempt_at=None), execution_options=_PLAIN)
    session.commit()
    if result.rowcount != 1:
        # Only when one send outlasted MAIL_CLAIM_SECONDS: another sender may have sent it too.
        log.warning("outbox #%s: claim lost while sending; it may have been delivered twice", message_id)


def _mark_failed(session: Session, token: str, message: OutboxMessage, error: str, permanent: bool) -> None:
    """Schedule the next attempt with backoff, or mark the message failed (refused, or out of attempts)."""
    now = utcnow()
    attempts = message.attempts + 1  # _renew counted this attempt in the database
    values = {"last_error": error[:2000], "claimed_by": None, "claimed_until": None}
    if permanent or attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        values.update(failed_at=now, next_attempt_at=None)
    else:
        values["next_attempt_at"] = now + retry_delay(attempts)
    session.execute(_ours(message.id, token).values(**values), execution_options=_PLAIN)
    session.commit()


def _release(session: Session, token: str, ids: list[int]) -> None:
    """Give back claimed messages this run did not try, so the next sender takes them at once."""
    if ids:
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids), OutboxMessage.claimed_by == token,
                                                    OutboxMessage.sent_at.is_(None))
                        .values(claimed_by=None, claimed_until=None), execution_options=_PLAIN)
        session.commit()


def send_pending(limit: int = 500, out=sys.stdout) -> tuple[int, int]:
    """Claim and send up to `limit` due messages, each marked in its own commit; returns (sent, failed).

    It works in its own session: the caller's unfinished work is neither committed nor rolled back.
    """
    config = current_app.config
    token = secrets.token_hex(16)
    backend = _backend(out)
    sent = failed = tried = 0
    untried: list[int] = []
    with Session(db.engine, expire_on_commit=False) as session:
        try:
            while tried < limit:
                batch = claim(session, token, min(config["MAIL_CLAIM_BATCH"], limit - tried))
                if not batch:
                    break
                untried = [message.id for message in batch]
                for message in batch:
                    untried.remove(message.id)
                    tried += 1
                    if not _renew(session, token, message):
                        continue  # our claim expired and another sender has it
                    outcome = _send_one(session, token, message, backend)
                    sent += outcome == "sent"
                    failed += outcome != "sent"
                    if outcome == "unreachable":
                        return sent, failed
                    if config["MAIL_SEND_DELAY_SECONDS"]:
                        time.sleep(config["MAIL_SEND_DELAY_SECONDS"])  # test-only: widens the window to kill a sender
        finally:
            session.rollback()
            _release(session, token, untried)
            backend.close()
    return sent, failed


def _send_one(session: Session, token: str, message: OutboxMessage, backend) -> str:
    """Send one claimed message and record what happened: "sent", "failed" or "unreachable"."""
    try:
        email = build(message)
    except Exception as error:  # a message that cannot be rendered must not stop the ones behind it
        log.exception("outbox #%s could not be rendered", message.id)
        _mark_failed(session, token, message, f"could not be rendered: {error!r}", permanent=True)
        return "failed"
    try:
        backend.send(email)
    except Unreachable as error:
        _mark_failed(session, token, message, str(error), permanent=False)
        return "unreachable"  # the rest of the batch is released rather than charged for the outage
    except (OSError, smtplib.SMTPException) as error:
        _mark_failed(session, token, message, describe(error), permanent=is_permanent(error))
        return "failed"
    _mark_sent(session, token, message.id)
    return "sent"


def state(message: OutboxMessage, now: datetime | None = None) -> str:
    """Where the message stands: sent, failed, retrying (after a failure), sending (claimed) or waiting."""
    now = now or utcnow()
    if message.sent_at is not None:
        return "sent"
    if message.failed_at is not None:
        return "failed"
    if message.claimed_until is not None and message.claimed_until >= now:
        return "sending"
    if message.next_attempt_at is not None:
        return "retrying"
    return "waiting"


def retry_now(message: OutboxMessage, actor: User) -> OutboxMessage:
    """Put a failed message back in the queue with a fresh round of attempts (a platform admin's act, audited)."""
    if message.failed_at is None:
        raise DomainError(_("Only a failed message can be retried."))
    previous = message.attempts
    message.failed_at = message.next_attempt_at = message.claimed_by = message.claimed_until = None
    message.attempts = 0
    db.session.flush()
    audit.record("mail.retry_requested", actor=actor, subject=message, payload={"attempts_before": previous})
    return message
