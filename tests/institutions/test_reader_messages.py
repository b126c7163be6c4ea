"""Notices stored as key + parameters and rendered for their reader; e-mails with subject, parts, unsubscribe."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from extensions import db
from institutions import clock, notifications, unsubscribe
from institutions.email_render import build
from institutions.messages import deadline, message
from institutions.models import Notification, OutboxMessage
from institutions.notice_mail import shorten
from tests.conftest import T0, login

ROOT = Path(__file__).resolve().parents[2]
DUE = "Case #%(id)s is completed: the admissibility decision is due %(due)s."


def _outbox(user) -> list[OutboxMessage]:
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)
                              .order_by(OutboxMessage.id)).all()


def _french_member(make):
    user = make.user(name="Éloïse")
    user.locale, user.timezone = "fr", "Europe/Paris"
    db.session.commit()
    return user


def test_a_deadline_is_written_in_the_readers_language_and_time_zone_with_the_time_left(ctx, make):
    clock.freeze(T0)
    eloise = _french_member(make)
    notice = notifications.notify(eloise, "account", message(DUE, id=7, due=deadline(T0 + timedelta(days=14))))
    db.session.commit()
    assert notice.message_key == DUE and '"$": "deadline"' in notice.params_json
    assert notifications.text_of(notice, eloise) == (
        "Le dossier n° 7 est complété : la décision de recevabilité est attendue "
        "avant le 15 mars à 10 h 00 (dans 14 jours).")
    # The English text kept beside the key (exports, search) is in UTC.
    assert notice.message == "Case #7 is completed: the admissibility decision is due by 15 March at 09:00 (in 14 days)."
    # Read later, the time left is counted from the moment of reading.
    clock.freeze(T0 + timedelta(days=13))
    assert "(dans 24 heures)" in notifications.text_of(notice, eloise)


def test_the_email_is_written_for_its_reader_with_one_link_from_public_base_url(ctx, make, app, monkeypatch):
    clock.freeze(T0)
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://tribune.example/")
    brand = make.brand(name="Acme Bikes", slug="acme")
    eloise = _french_member(make)
    notifications.notify(eloise, "account", message(DUE, id=7, due=deadline(T0 + timedelta(days=14))),
                         link="/b/acme/cases/7", brand=brand)
    db.session.commit()
    (mail,) = _outbox(eloise)
    assert mail.subject.startswith("Acme Bikes : Le dossier n° 7 est complété")
    email = build(mail)
    plain = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    assert plain.startswith("Bonjour Éloïse,")
    assert "avant le 15 mars à 10 h 00 (dans 14 jours)" in plain
    assert "avant le 15 mars à 10 h 00 (dans 14 jours)" in html and "Bonjour Éloïse," in html
    assert plain.count("https://") == 1 and "https://tribune.example/b/acme/cases/7" in plain
    assert '<a href="https://tribune.example/b/acme/cases/7">' in html
    assert "127.0.0.1" not in plain + html
    assert "Acme Bikes" in plain and "Tribune" in plain
    assert "Il ne peut pas être désactivé" in plain  # a mandatory kind says why it cannot be turned off
    assert email["Message-ID"] == f"<outbox-{mail.id}@tribune.localhost>"


def test_html_part_escapes_what_people_wrote(ctx, make):
    user = make.user(name="<b>Bold</b>")
    notifications.notify(user, "account", message("%(name)s declares themself an advocate of %(whom)s.",
                                                  name="<script>x</script>", whom="Acme"))
    html = build(_outbox(user)[0]).get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;Bold" in html


def test_the_subject_names_the_brand_and_is_never_cut_mid_word(ctx, make):
    brand = make.brand(name="Acme Bikes")
    user = make.user()
    long = ("The mediator extended case #12 against Acme Bikes by 30 days because the case is complex: "
            "the expert's report on the frame and the fork arrives later than anyone expected")
    notifications.notify(user, "account", long, brand=brand)
    subject = _outbox(user)[0].subject
    assert subject.startswith("Acme Bikes: The mediator extended") and subject.endswith("…")
    assert len(subject) <= 120
    kept = subject[:-1]
    full = "Acme Bikes: " + long
    assert full.startswith(kept) and full[len(kept)] in " ,;:"  # the cut falls between two words
    assert shorten("word " * 10, 12) == "word word…"
    assert shorten("short", 12) == "short"


def test_optional_kinds_carry_list_unsubscribe_and_mandatory_ones_do_not(ctx, make):
    user = make.user()
    notifications.set_email_preferences(user, {"community"})
    notifications.notify(user, "community", "News of the community")
    notifications.notify(user, "account", "Security notice")
    optional, mandatory = (build(m) for m in _outbox(user))
    assert optional["List-Unsubscribe"].startswith("<http://127.0.0.1:5000/unsubscribe/")
    assert optional["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/unsubscribe/" in optional.get_body(("plain",)).get_content()
    assert "because you chose" in optional.get_body(("plain",)).get_content()
    assert mandatory["List-Unsubscribe"] is None and mandatory["List-Unsubscribe-Post"] is None
    assert "It cannot be turned off" in mandatory.get_body(("plain",)).get_content()
    assert "/unsubscribe/" not in mandatory.get_body(("plain",)).get_content()


def test_one_click_post_turns_the_kind_off_without_a_csrf_token(app, make, client):
    user = make.user()
    notifications.set_email_preferences(user, {"community"})
    notifications.notify(user, "community", "News")
    db.session.commit()
    path = _outbox(user)[0].list_unsubscribe.removeprefix("http://127.0.0.1:5000")
    app.config["WTF_CSRF_ENABLED"] = True  # the route must work as mail clients call it: no session, no token
    page = client.get(path)
    assert page.status_code == 200 and "Stop these e-mails?" in page.text
    assert notifications.email_enabled(user, "community")  # a GET (a link scanner) changes nothing
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "no longer receive these e-mails" in done.text
    db.session.expire_all()
    assert not notifications.email_enabled(user, "community")
    notifications.notify(user, "community", "More news")
    assert len(_outbox(user)) == 1  # the next notice of that kind queues no e-mail
    assert db.session.scalar(select(db.func.count(Notification.id)).where(Notification.user_id == user.id)) == 2


def test_a_tampered_or_mandatory_unsubscribe_token_is_refused(app, make, client):
    user = make.user()
    notifications.set_email_preferences(user, {"community"})
    db.session.commit()
    token = unsubscribe.token_for(user, "community")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (tampered, "not-a-token", unsubscribe.token_for(user, "account")):
        for method in ("GET", "POST"):
            response = client.open(f"/unsubscribe/{bad}", method=method)
            assert response.status_code == 400 and "cannot be used" in response.text
    db.session.expire_all()
    assert notifications.email_enabled(user, "community")
    assert "cannot be turned off" in client.get(f"/unsubscribe/{unsubscribe.token_for(user, 'account')}").text


def test_the_api_renders_notifications_in_the_readers_current_language(app, make, client):
    from institutions.accounts import create_api_token

    clock.freeze(T0)
    eloise = _french_member(make)
    notifications.notify(eloise, "account", message(DUE, id=7, due=deadline(T0 + timedelta(days=14))))
    _token, secret = create_api_token(eloise, "test")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    item = client.get("/api/v1/me/notifications", headers=headers).json["items"][0]
    assert "avant le 15 mars à 10 h 00 (dans 14 jours)" in item["message"]
    eloise.locale = "en"
    db.session.commit()
    item = client.get("/api/v1/me/notifications", headers=headers).json["items"][0]
    assert "by 15 March at 10:00 (in 14 days)" in item["message"]


def _start(env_extra: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_BASE_URL", "TRIBUNE_ENV")}
    env.update(TRIBUNE_ENV="production", SECRET_KEY="s" * 32, DATABASE_URL="sqlite:///:memory:", **env_extra)
    return subprocess.run([sys.executable, "-c", "from app import create_app; create_app(); print('started')"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_without_public_base_url():
    refused = _start({})
    assert refused.returncode != 0 and "PUBLIC_BASE_URL is not set" in refused.stderr
    started = _start({"PUBLIC_BASE_URL": "https://tribune.example"})
    assert started.returncode == 0, started.stderr
    assert "started" in started.stdout
