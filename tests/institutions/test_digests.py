"""Digests: notices of kinds set to daily or weekly leave together, by brand and nearest deadline, each once."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from extensions import db
from institutions import clock, digests, jobs, notifications
from institutions.email_render import build
from institutions.messages import deadline, message
from institutions.models import Notification, OutboxMessage

MONDAY_0500_UTC = datetime(2027, 3, 1, 5, 0, tzinfo=timezone.utc)  # 06:00 in Paris (winter time)


def _digests_of(user):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id,
                                                          OutboxMessage.kind == "digest")).all()


def _reminder(case_id, brand, what, due):
    return message("Reminder, case #%(id)s at %(brand)s: %(what)s is due %(due)s.", id=case_id, brand=brand.name,
                   what=what, due=deadline(due))


def _french_reader(make):
    user = make.user(name="Camille")
    user.locale, user.timezone = "fr", "Europe/Paris"
    notifications.set_frequencies(user, {"community": "daily"})
    db.session.commit()
    return user


def _notify_at(moment, user, text, brand=None, link=None):
    clock.freeze(moment)
    notifications.notify(user, "community", text, link=link, brand=brand)
    db.session.commit()


def test_a_french_readers_daily_digest_groups_by_brand_nearest_deadline_first_at_seven_in_paris(app, make):
    user = _french_reader(make)
    acme, zeta = make.brand(name="Acme"), make.brand(name="Zeta")
    t = MONDAY_0500_UTC - timedelta(hours=10)
    _notify_at(t, user, message("New attachments in case #%(id)s.", id=7), brand=acme, link="/b/acme/x")
    _notify_at(t + timedelta(minutes=1), user, _reminder(8, acme, "la réponse", MONDAY_0500_UTC + timedelta(days=9)),
               brand=acme)
    _notify_at(t + timedelta(minutes=2), user, _reminder(9, zeta, "la proposition",
                                                         MONDAY_0500_UTC + timedelta(days=2)), brand=zeta)
    _notify_at(t + timedelta(minutes=3), user, _reminder(10, acme, "le dossier", MONDAY_0500_UTC + timedelta(days=4)),
               brand=acme)
    # 06:00 in Paris: not yet.
    assert digests.send_due(MONDAY_0500_UTC) == 0
    # 07:00 in Paris (06:00 UTC): one digest with the four notices.
    assert digests.send_due(MONDAY_0500_UTC + timedelta(hours=1)) == 1
    db.session.commit()
    [mail] = _digests_of(user)
    text = mail.body
    assert text.startswith("Bonjour Camille,")
    # Zeta's deadline (in 2 days) is the nearest: its group comes first; in Acme's group, 4 days, then 9, then the rest.
    order = [text.index(part) for part in ("== Zeta ==", "dossier n° 9", "== Acme ==", "dossier n° 10",
                                           "dossier n° 8", "Nouvelles pièces jointes dans le dossier n° 7")]
    assert order == sorted(order), text
    # Deadlines in Paris time with the time left, in French.
    assert "dossier n° 9 chez Zeta : la proposition, attendu avant le 3 mars à 06 h 00 (dans 47 heures)." in text
    assert "Actualités des communautés de mes marques" in text  # the kind, named in French in the footer
    assert "http://127.0.0.1:5000/b/acme/x" in text
    assert "/unsubscribe/" in text and "récapitulatif quotidien" in text  # why, and how to stop
    email = build(mail)
    assert email["List-Unsubscribe"].startswith("<http://127.0.0.1:5000/unsubscribe/")  # one kind in it
    assert "Zeta" in email.get_body(("html",)).get_content()
    assert mail.subject.startswith("Tribune : votre récapitulatif quotidien") and "4" in mail.subject


def test_each_notice_is_digested_once_even_when_the_task_runs_twice(app, make):
    user = _french_reader(make)
    _notify_at(MONDAY_0500_UTC - timedelta(hours=3), user, "First")
    seven = MONDAY_0500_UTC + timedelta(hours=1)
    clock.freeze(seven)
    jobs.task(app, "send_digests")()
    jobs.task(app, "send_digests")()
    db.session.expire_all()
    assert len(_digests_of(user)) == 1
    # A notice written after 07:00 waits for tomorrow's digest, and only it goes then.
    _notify_at(seven + timedelta(minutes=30), user, "Second")
    assert digests.send_due(seven + timedelta(hours=2)) == 0
    assert digests.send_due(seven + timedelta(days=1)) == 1
    db.session.commit()
    second = _digests_of(user)[-1].body
    assert "Second" in second and "First" not in second
    assert db.session.scalar(select(db.func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.digested_at.is_(None))) == 0


def test_a_weekly_digest_leaves_on_monday_at_seven_in_the_readers_time_zone(app, make):
    user = make.user()
    user.timezone = "America/Montreal"
    notifications.set_frequencies(user, {"community": "weekly"})
    db.session.commit()
    _notify_at(datetime(2027, 3, 3, 12, 0, tzinfo=timezone.utc), user, "Wednesday news")  # a Wednesday
    assert digests.send_due(datetime(2027, 3, 4, 12, 0, tzinfo=timezone.utc)) == 0  # Thursday
    assert digests.send_due(datetime(2027, 3, 8, 11, 0, tzinfo=timezone.utc)) == 0  # Monday 06:00 in Montréal
    assert digests.send_due(datetime(2027, 3, 8, 12, 0, tzinfo=timezone.utc)) == 1  # Monday 07:00 in Montréal
    db.session.commit()
    assert "weekly digest" in _digests_of(user)[0].subject


def test_a_kind_switched_to_never_before_the_digest_sends_nothing(app, make):
    user = _french_reader(make)
    _notify_at(MONDAY_0500_UTC - timedelta(hours=3), user, "Waiting")
    notifications.set_frequencies(user, {"community": "never"})
    db.session.commit()
    assert digests.send_due(MONDAY_0500_UTC + timedelta(hours=1)) == 0
    db.session.commit()
    assert _digests_of(user) == []
    assert [n.message for n in notifications.recent(user)] == ["Waiting"]  # still in the app


def test_two_workers_at_once_send_one_digest(app, make):
    """Two threads, each with its own session and connection, run the digest task at the same moment."""
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers; the claim is the same UPDATE … WHERE digested_at IS NULL")
    users = [_french_reader(make) for _ in range(5)]
    for n, user in enumerate(users):
        for k in range(3):
            _notify_at(MONDAY_0500_UTC - timedelta(hours=3, minutes=n * 3 + k), user, f"Notice {n}.{k}")
    seven = MONDAY_0500_UTC + timedelta(hours=1)
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        with app.app_context():
            try:
                barrier.wait()
                digests.send_due(seven)
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.expire_all()
    for user in users:
        [mail] = _digests_of(user)
        assert mail.body.count("Notice ") == 3
