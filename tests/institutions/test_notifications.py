"""Notifications in the app; e-mail only when opted in, or when a rule makes it mandatory."""
from extensions import db
from institutions import notifications
from institutions.models import OutboxMessage
from institutions.mail_sender import SENT_IN_MEMORY
from tests.conftest import login


def _outbox_for(user):
    return db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.user_id == user.id)).all()


def test_email_is_opt_in_per_kind(ctx, make):
    user = make.user()
    notifications.notify(user, "community", "News!")
    assert _outbox_for(user) == []
    notifications.set_email_preferences(user, {"community"})
    notifications.notify(user, "community", "More news!")
    notifications.notify(user, "membership", "Not chosen")
    # The subject names the brand (here none: the platform) and the act.
    assert [m.subject for m in _outbox_for(user)] == ["Tribune: More news!"]


def test_mandatory_notices_are_mailed_whatever_the_preferences(ctx, make):
    user = make.user()
    notifications.set_email_preferences(user, set())
    notifications.notify(user, "account", "Security notice")
    assert [m.mandatory for m in _outbox_for(user)] == [True]


def test_preferences_page_saves_choices(app, make, client):
    user = make.user()
    login(client, user)
    client.post("/account/email-preferences", data={"frequency-membership": "immediate"})
    with app.app_context():
        assert notifications.email_enabled(user, "membership")
        assert not notifications.email_enabled(user, "community")
        assert notifications.email_enabled(user, "account")  # mandatory


def test_mail_send_delivers_the_outbox_once(app, make):
    user = make.user()
    notifications.queue_email(user.email, "Hello", "Body", "account", user)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0 and "1 sent, 0 failed" in result.output
    assert SENT_IN_MEMORY[-1]["To"] == user.email
    assert SENT_IN_MEMORY[-1]["Message-ID"] == f"<outbox-{_outbox_for(user)[0].id}@tribune.localhost>"
    result = runner.invoke(args=["mail", "send"])
    assert "0 sent" in result.output


def test_mail_send_reports_smtp_failures(app, make):
    user = make.user()
    notifications.queue_email(user.email, "Hello", "Body", "account", user)
    db.session.commit()
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
    try:
        result = app.test_cli_runner().invoke(args=["mail", "send"])
    finally:
        app.config["MAIL_BACKEND"] = "memory"
    assert result.exit_code == 1 and "1 failed" in result.output
    db.session.expire_all()
    message = _outbox_for(user)[0]
    assert message.sent_at is None and message.last_error


def test_notifications_page_lists_and_marks_read(app, make, client):
    user = make.user()
    notifications.notify(user, "community", "Election soon")
    db.session.commit()
    login(client, user)
    page = client.get("/notifications")
    assert "Election soon" in page.text
    client.post("/notifications/read")
    with app.app_context():
        assert notifications.unread_count(user) == 0
