"""Turning an outbox row into the e-mail that goes on the wire: plain text with an HTML alternative, and the
headers mail clients read (a stable Message-ID, List-Unsubscribe)."""
from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import urlsplit

from flask import current_app

from institutions.models import OutboxMessage


def message_id_host() -> str:
    """The domain of Message-IDs: MAIL_SENDER's, else PUBLIC_BASE_URL's host."""
    _, address = parseaddr(current_app.config.get("MAIL_SENDER") or "")
    if "@" in address:
        return address.rsplit("@", 1)[1]
    return urlsplit(current_app.config.get("PUBLIC_BASE_URL") or "").hostname or "localhost"


def message_id(message: OutboxMessage) -> str:
    """The same Message-ID on every attempt, so a mail system can drop a duplicate delivery."""
    return f"<outbox-{message.id}@{message_id_host()}>"


def build(message: OutboxMessage) -> EmailMessage:
    """From, To, Subject, Date, a Message-ID stable for the row, the text (and HTML) parts, List-Unsubscribe."""
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_SENDER"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    if message.created_at is not None:
        email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = message_id(message)
    if message.list_unsubscribe:
        email["List-Unsubscribe"] = f"<{message.list_unsubscribe}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058: the URL takes a bare POST
    email.set_content(message.body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    return email
