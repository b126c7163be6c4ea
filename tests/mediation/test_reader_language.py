"""A French member reads a mediation proposal's notice and e-mail in French, deadline in Paris time, time left."""
from __future__ import annotations

from sqlalchemy import select

from extensions import db
from institutions import notifications
from institutions.email_render import build
from institutions.models import Notification, OutboxMessage
from mediation import outcome
from tests.conftest import login


def _french(user) -> None:
    user.locale, user.timezone = "fr", "Europe/Paris"
    db.session.commit()


def test_a_french_member_reads_the_proposal_notice_in_french_with_paris_time_and_time_left(ctx, case_scene, client):
    scene = case_scene()  # the clock stands at T0, 1 March 2027 09:00 UTC
    _french(scene.complainant)
    outcome.propose(scene.case, scene.mediator, "The brand replaces the bike within 10 days.")
    db.session.commit()
    notice = db.session.scalars(select(Notification).where(Notification.user_id == scene.complainant.id)
                                .order_by(Notification.id.desc())).first()
    # Answer due 15 March 09:00 UTC: 10:00 in Paris (UTC+1 before the end of March), 14 days from now.
    text = notifications.text_of(notice, scene.complainant)
    assert "Acceptez-la ou refusez-la avant le 15 mars à 10 h 00 (dans 14 jours)." in text
    assert "dossier n° %d contre Acme Bikes" % scene.case.id in text
    assert str(outcome.NOTICES[0]) not in text  # the three notices are French too, not the actor's English

    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == scene.complainant.id)
                              .order_by(OutboxMessage.id.desc())).first()
    email = build(mail)
    plain = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    assert plain.startswith("Bonjour Carla Complainant,")
    assert "avant le 15 mars à 10 h 00 (dans 14 jours)" in plain and "avant le 15 mars à 10 h 00 (dans 14 jours)" in html
    assert f"http://127.0.0.1:5000/b/acme/cases/{scene.case.id}" in plain
    assert mail.subject.startswith("Acme Bikes : Le médiateur a fait une proposition")
    # A case notice is mandatory: no unsubscribe, and the footer says why.
    assert "List-Unsubscribe" not in email and "ne peut pas être désactivé" in plain

    # The member switches to English: the same, old notice is now read in English (still Paris time).
    scene.complainant.locale = "en"
    db.session.commit()
    login(client, scene.complainant)
    page = client.get("/notifications").text
    assert "Accept or refuse it by 15 March at 10:00 (in 14 days)." in page
    assert "Acceptez-la" not in page
