"""Sending the outbox exactly once, to a real SMTP server on loopback (aiosmtpd), on SQLite and PostgreSQL."""
from __future__ import annotations

import email
import io
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app import create_app
from config import TestConfig, normalize_database_url
from extensions import db
from institutions import clock, email_render, mail_sender, notifications
from institutions.models import AuditEvent, OutboxMessage
from tests.conftest import T0, csrf_token_from, login

ROOT = Path(__file__).resolve().parents[2]


class Recorder:
    """An SMTP handler that keeps every accepted message's Message-ID and refuses the addresses told to."""

    def __init__(self):
        self.lock = threading.Lock()
        self.message_ids: list[str] = []
        self.recipients: list[str] = []
        self.rcpt_tries: Counter = Counter()
        self.replies: dict[str, str] = {"refused.test": "550 5.1.1 No such mailbox", "busy.test": "450 4.2.1 Busy"}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        """Refuse addresses of a refusing domain with its reply; accept the others."""
        with self.lock:
            self.rcpt_tries[address] += 1
        reply = self.replies.get(address.rsplit("@", 1)[-1])
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        """Accept the message and record its Message-ID."""
        parsed = email.message_from_bytes(envelope.content)
        with self.lock:
            self.message_ids.append(parsed["Message-ID"])
            self.recipients.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    def delivered(self) -> int:
        with self.lock:
            return len(self.message_ids)

    def duplicates(self) -> dict[str, int]:
        with self.lock:
            return {mid: n for mid, n in Counter(self.message_ids).items() if n > 1}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1, on a free port, for the length of one test."""
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=_free_port())
    controller.start()
    recorder.port = controller.port
    yield recorder
    controller.stop()


@pytest.fixture
def smtp_app(app, smtp_server):
    """The suite's app sending over SMTP to the loopback server (and back to the memory backend after)."""
    saved = {key: app.config[key] for key in ("MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT", "MAIL_CLAIM_SECONDS")}
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    with app.app_context():
        yield app
        db.session.remove()
    app.config.update(saved)


def _queue(count: int, domain: str = "example.test", start: int = 0) -> list[int]:
    """Queue `count` messages to distinct addresses, committed; returns their ids."""
    ids = [notifications.queue_email(f"p{start + n}@{domain}", f"Message {start + n}", "Body", "account").id
           for n in range(count)]
    db.session.commit()
    return ids


def _expected_ids(ids) -> set[str]:
    return {f"<outbox-{i}@tribune.localhost>" for i in ids}


def _count(*conditions) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(OutboxMessage.id)).where(*conditions))


# --- a scratch database per dialect, for the tests with several senders --------------------------------------

def _postgres_server_url() -> str:
    """DATABASE_URL's PostgreSQL server if the suite runs on one, else the local one on 127.0.0.1:5432."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql")):
        return normalize_database_url(url)
    return "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_url(request, tmp_path):
    """A fresh empty database of each dialect (PostgreSQL: created on the server, dropped after)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'senders.db'}"
        return
    import psycopg

    server = make_url(_postgres_server_url())
    admin = dict(host=server.host or "127.0.0.1", port=server.port or 5432, user=server.username or "postgres",
                 password=server.password, dbname="postgres", autocommit=True, connect_timeout=3)
    try:
        connection = psycopg.connect(**admin)
    except psycopg.OperationalError as error:
        pytest.skip(f"no PostgreSQL server answers at {admin['host']}:{admin['port']} ({error}); "
                    "the PostgreSQL run needs one (or DATABASE_URL=postgresql://...)")
    name = f"tribune_test_mail_{secrets.token_hex(4)}"
    with connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(**admin) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sender_app(scratch_url, smtp_server):
    """An app of its own on the scratch database, migrated, sending to the loopback SMTP server."""
    config = type("SenderConfig", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": scratch_url, "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port, "MAIL_CLAIM_BATCH": 5,
    })
    application = create_app(config)
    with application.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _flask_mail_send(url: str, port: int, *args: str, **settings) -> subprocess.Popen:
    """Start `flask --app app mail send` in its own process against this database and SMTP port."""
    env = dict(os.environ, DATABASE_URL=url, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port),
               SECRET_KEY="test-sender", PUBLIC_BASE_URL="http://tribune.localhost", PYTHONPATH=str(ROOT),
               **{key: str(value) for key, value in settings.items()})
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "mail", "send", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# --- (a) two senders at once deliver each message exactly once ------------------------------------------------

def test_two_sender_threads_deliver_200_messages_each_exactly_once(sender_app, smtp_server):
    with sender_app.app_context():
        ids = _queue(200)
    results, errors = [], []
    start = threading.Barrier(2)

    def sender():
        try:
            with sender_app.app_context():  # its own app context, so its own session and connection
                start.wait()
                results.append(mail_sender.send_pending(limit=500, out=io.StringIO()))
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert smtp_server.duplicates() == {}
    assert set(smtp_server.message_ids) == _expected_ids(ids) and smtp_server.delivered() == 200
    assert sorted(failed for _sent, failed in results) == [0, 0]
    assert sum(sent for sent, _failed in results) == 200
    assert all(sent > 0 for sent, _failed in results), f"one sender did all the work: {results}"
    with sender_app.app_context():
        assert _count(OutboxMessage.sent_at.is_not(None)) == 200


def test_concurrent_claims_never_hand_one_message_to_two_senders(sender_app):
    with sender_app.app_context():
        ids = _queue(300)
    claimed: dict[str, set[int]] = {}
    start = threading.Barrier(8)

    def claimer(token):
        with sender_app.app_context(), Session(db.engine) as session:
            start.wait()
            mine: set[int] = set()
            while True:
                got = {message.id for message in mail_sender.claim(session, token, 3)}
                if got <= mine:
                    break
                mine |= got
            claimed[token] = mine

    threads = [threading.Thread(target=claimer, args=(f"sender-{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    overlaps = {(a, b): claimed[a] & claimed[b] for a in claimed for b in claimed if a < b and claimed[a] & claimed[b]}
    assert overlaps == {}
    assert set().union(*claimed.values()) == set(ids)


def test_two_flask_mail_send_processes_deliver_200_messages_each_exactly_once(sender_app, scratch_url, smtp_server):
    with sender_app.app_context():
        ids = _queue(200)
    senders = [_flask_mail_send(scratch_url, smtp_server.port, MAIL_CLAIM_BATCH=5) for _ in range(2)]
    outputs = [process.communicate(timeout=120) for process in senders]
    assert [process.returncode for process in senders] == [0, 0], outputs
    assert smtp_server.duplicates() == {}
    assert set(smtp_server.message_ids) == _expected_ids(ids) and smtp_server.delivered() == 200
    counts = [int(re.search(r"(\d+) sent, 0 failed", out).group(1)) for out, _err in outputs]
    assert sum(counts) == 200


# --- (b) a sender killed mid-batch: another one delivers the rest, each message once ---------------------------

def test_a_sender_killed_mid_batch_leaves_the_rest_to_the_next_once_its_claim_expires(sender_app, scratch_url,
                                                                                       smtp_server):
    with sender_app.app_context():
        ids = _queue(30)
        first = _flask_mail_send(scratch_url, smtp_server.port, MAIL_CLAIM_SECONDS=1, MAIL_SEND_DELAY_SECONDS=0.5)
        deadline = time.monotonic() + 60
        # Kill it once five are marked sent: it is then pausing between two messages.
        while _count(OutboxMessage.sent_at.is_not(None)) < 5:
            assert first.poll() is None and time.monotonic() < deadline, first.communicate()
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        delivered_by_first = smtp_server.delivered()
        assert 5 <= delivered_by_first < 30
        assert _count(OutboxMessage.sent_at.is_not(None)) == delivered_by_first
        time.sleep(1.2)  # its claims expire (MAIL_CLAIM_SECONDS=1)
        second = _flask_mail_send(scratch_url, smtp_server.port, MAIL_CLAIM_SECONDS=1)
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
        assert f"{30 - delivered_by_first} sent, 0 failed" in out
        assert _count(OutboxMessage.sent_at.is_(None)) == 0
    assert smtp_server.duplicates() == {}
    assert set(smtp_server.message_ids) == _expected_ids(ids)


def test_a_live_claim_is_respected_and_an_expired_one_is_taken_over(smtp_app, smtp_server):
    clock.freeze(T0)
    ids = _queue(3)
    with Session(db.engine) as other:  # a sender that claims them, then dies without a word
        assert [m.id for m in mail_sender.claim(other, "crashed-sender", 10)] == ids
    assert mail_sender.send_pending() == (0, 0)  # someone holds them: nobody else sends them
    assert smtp_server.delivered() == 0
    clock.freeze(T0 + timedelta(seconds=smtp_app.config["MAIL_CLAIM_SECONDS"] - 1))
    assert mail_sender.send_pending() == (0, 0)
    clock.freeze(T0 + timedelta(seconds=smtp_app.config["MAIL_CLAIM_SECONDS"] + 1))
    assert mail_sender.send_pending() == (3, 0)
    assert set(smtp_server.message_ids) == _expected_ids(ids)


# --- (c) failures: retried with backoff, then failed; refused ones never block good ones ------------------------

def test_a_busy_mailbox_is_retried_with_backoff_then_shown_failed_in_the_outbox(smtp_app, smtp_server, make, client):
    clock.freeze(T0)
    (message_id,) = _queue(1, domain="busy.test")
    steps = smtp_app.config["MAIL_RETRY_MINUTES"]
    now = T0
    for attempt in range(1, smtp_app.config["MAIL_MAX_ATTEMPTS"]):
        assert mail_sender.send_pending() == (0, 1)
        db.session.expire_all()
        message = db.session.get(OutboxMessage, message_id)
        assert (message.attempts, message.failed_at) == (attempt, None)
        assert message.next_attempt_at == now + timedelta(minutes=steps[min(attempt, len(steps)) - 1])
        assert "450" in message.last_error
        clock.freeze(message.next_attempt_at - timedelta(seconds=1))
        assert mail_sender.send_pending() == (0, 0)  # not due yet: not tried
        now = message.next_attempt_at
        clock.freeze(now)
    assert mail_sender.send_pending() == (0, 1)  # the last attempt
    db.session.expire_all()
    message = db.session.get(OutboxMessage, message_id)
    assert message.failed_at == now and message.next_attempt_at is None
    assert smtp_server.rcpt_tries["p0@busy.test"] == smtp_app.config["MAIL_MAX_ATTEMPTS"]
    clock.freeze(now + timedelta(days=30))
    assert mail_sender.send_pending() == (0, 0)  # failed for good: no more tries
    login(client, make.user(admin=True))
    page = client.get("/admin/outbox").text
    assert "Failed" in page and "450 4.2.1 Busy" in page and "Retry now" in page


def test_the_outbox_says_when_a_failed_attempt_is_retried(smtp_app, make, client):
    clock.freeze(T0)
    _queue(1, domain="busy.test")
    mail_sender.send_pending()
    login(client, make.user(admin=True))
    page = client.get("/admin/outbox").text
    assert "Retry at" in page and "outbox-retrying" in page and "Retry now" not in page


def test_a_refused_mailbox_fails_at_once_without_retry(smtp_app, smtp_server):
    (message_id,) = _queue(1, domain="refused.test")
    assert mail_sender.send_pending() == (0, 1)
    db.session.expire_all()
    message = db.session.get(OutboxMessage, message_id)
    assert message.attempts == 1 and message.failed_at is not None and "550" in message.last_error
    assert mail_sender.state(message) == "failed"
    assert mail_sender.send_pending() == (0, 0)
    assert smtp_server.rcpt_tries["p0@refused.test"] == 1


def test_good_messages_behind_500_refused_ones_are_still_sent(smtp_app, smtp_server):
    clock.freeze(T0)
    _queue(250, domain="refused.test")
    _queue(250, domain="busy.test", start=250)
    good = _queue(3, start=500)
    assert mail_sender.send_pending(limit=500) == (0, 500)  # the first run reaches only the refused ones
    assert mail_sender.send_pending(limit=500) == (3, 0)  # the next one, at the same moment, sends the good ones
    assert set(smtp_server.message_ids) == _expected_ids(good)
    assert _count(OutboxMessage.failed_at.is_not(None)) == 250
    assert _count(OutboxMessage.next_attempt_at.is_not(None), OutboxMessage.failed_at.is_(None)) == 250


def test_an_unreachable_server_costs_one_attempt_and_leaves_the_rest_for_later(app, make):
    clock.freeze(T0)
    ids = _queue(3)
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())
    try:
        result = app.test_cli_runner().invoke(args=["mail", "send"])
    finally:
        app.config["MAIL_BACKEND"] = "memory"
    assert result.exit_code == 1 and "0 sent, 1 failed" in result.output
    db.session.expire_all()
    first, *rest = [db.session.get(OutboxMessage, i) for i in ids]
    assert first.attempts == 1 and first.next_attempt_at == T0 + timedelta(minutes=1) and first.last_error
    assert [(m.attempts, m.claimed_by, m.next_attempt_at) for m in rest] == [(0, None, None)] * 2


# --- (d) retry now: a platform admin's act, audited, refused to others -----------------------------------------

def _failed_message(smtp_server) -> int:
    (message_id,) = _queue(1, domain="refused.test")
    assert mail_sender.send_pending() == (0, 1)
    return message_id


def test_retry_now_puts_a_failed_message_back_and_it_is_sent(smtp_app, smtp_server, make, client):
    message_id = _failed_message(smtp_server)
    admin = make.user(admin=True)
    login(client, admin)
    smtp_app.config["WTF_CSRF_ENABLED"] = True
    token = csrf_token_from(client.get("/admin/outbox").text)
    response = client.post(f"/admin/outbox/{message_id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    message = db.session.get(OutboxMessage, message_id)
    assert (message.failed_at, message.attempts, mail_sender.state(message)) == (None, 0, "waiting")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "mail.retry_requested")).one()
    assert (event.actor_id, event.subject_id, event.subject_type) == (admin.id, message_id, "OutboxMessage")
    smtp_server.replies.pop("refused.test")  # the mailbox exists now
    assert mail_sender.send_pending() == (1, 0)
    assert smtp_server.message_ids == [f"<outbox-{message_id}@tribune.localhost>"]


def test_retry_now_is_refused_to_non_admins_without_csrf_and_for_a_message_not_failed(smtp_app, smtp_server, make,
                                                                                      client):
    message_id = _failed_message(smtp_server)
    (waiting_id,) = _queue(1, start=10)
    login(client, make.user())
    assert client.post(f"/admin/outbox/{message_id}/retry").status_code == 403
    anonymous = smtp_app.test_client().post(f"/admin/outbox/{message_id}/retry")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    admin_client = smtp_app.test_client()
    login(admin_client, make.user(admin=True))
    smtp_app.config["WTF_CSRF_ENABLED"] = True
    assert admin_client.post(f"/admin/outbox/{message_id}/retry").status_code == 400  # no CSRF token
    token = csrf_token_from(admin_client.get("/admin/outbox").text)
    refused = admin_client.post(f"/admin/outbox/{waiting_id}/retry", data={"csrf_token": token},
                                follow_redirects=True)
    assert "Only a failed message can be retried." in refused.text
    assert admin_client.post("/admin/outbox/999999/retry", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message_id).failed_at is not None
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "mail.retry_requested")) == 0


# --- (e) each message is committed on its own ------------------------------------------------------------------

def test_a_crash_mid_batch_keeps_the_messages_already_sent_as_sent(smtp_app, smtp_server, monkeypatch):
    clock.freeze(T0)
    ids = _queue(10)
    real_mark_sent, marked = mail_sender._mark_sent, []

    def crash_on_the_fourth(session, token, message_id):
        if len(marked) == 3:
            raise RuntimeError("the sender dies after the server accepted the 4th message")
        marked.append(message_id)
        real_mark_sent(session, token, message_id)

    monkeypatch.setattr(mail_sender, "_mark_sent", crash_on_the_fourth)
    with pytest.raises(RuntimeError):
        mail_sender.send_pending()
    monkeypatch.setattr(mail_sender, "_mark_sent", real_mark_sent)
    assert smtp_server.delivered() == 4
    assert _count(OutboxMessage.sent_at.is_not(None)) == 3  # each committed on its own: kept
    # Those it never reached are released at once; the one in flight stays claimed until the claim expires.
    assert mail_sender.send_pending() == (6, 0)
    assert smtp_server.duplicates() == {}
    clock.freeze(T0 + timedelta(seconds=smtp_app.config["MAIL_CLAIM_SECONDS"] + 1))
    assert mail_sender.send_pending() == (1, 0)
    # The documented limit: the one accepted but not marked goes out twice, under the same Message-ID.
    assert smtp_server.duplicates() == {f"<outbox-{ids[3]}@tribune.localhost>": 2}


# --- the command and the rendering -----------------------------------------------------------------------------

def test_mail_send_takes_a_limit_and_refuses_a_bad_one(smtp_app, smtp_server):
    _queue(3)
    runner = smtp_app.test_cli_runner()
    result = runner.invoke(args=["mail", "send", "--limit", "2"])
    assert result.exit_code == 0 and "2 sent, 0 failed" in result.output
    assert smtp_server.delivered() == 2
    result = runner.invoke(args=["mail", "send", "--limit", "0"])
    assert result.exit_code == 2 and "--limit" in result.output
    result = runner.invoke(args=["mail", "send"])
    assert "1 sent, 0 failed" in result.output


def test_the_message_id_is_stable_and_names_the_senders_domain(app, ctx):
    (message_id,) = _queue(1)
    message = db.session.get(OutboxMessage, message_id)
    assert email_render.build(message)["Message-ID"] == f"<outbox-{message_id}@tribune.localhost>"
    assert email_render.build(message)["Message-ID"] == email_render.build(message)["Message-ID"]
    saved = app.config["MAIL_SENDER"], app.config["PUBLIC_BASE_URL"]
    app.config.update(MAIL_SENDER="Tribune", PUBLIC_BASE_URL="https://tribune.example.org/")
    try:
        assert email_render.build(message)["Message-ID"] == f"<outbox-{message_id}@tribune.example.org>"
    finally:
        app.config["MAIL_SENDER"], app.config["PUBLIC_BASE_URL"] = saved
