"""Per kind, a person chooses e-mail each time, in a daily or weekly digest, or never; mandatory kinds each time."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from extensions import db
from institutions import notifications, unsubscribe
from institutions.errors import ValidationFailed
from institutions.models import EmailPreference, Notification, OutboxMessage
from tests.conftest import bearer, login


def _outbox(user):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)).all()


def test_the_page_offers_four_choices_per_kind_and_says_why_mandatory_kinds_cannot_change(app, make, client):
    user = make.user()
    login(client, user)
    page = client.get("/account").text
    assert 'name="frequency-community"' in page and 'name="frequency-membership"' in page
    for label in ("Each time", "In a daily digest", "In a weekly digest (Mondays)", "Never (on Tribune only)"):
        assert label in page
    assert 'name="frequency-account"' not in page  # mandatory: nothing to send
    assert "it cannot be changed, because the law or the institution" in page


def test_the_page_saves_a_digest_choice_and_leaves_other_kinds_alone(app, make, client):
    user = make.user()
    notifications.set_frequencies(user, {"membership": "immediate"})
    db.session.commit()
    login(client, user)
    response = client.post("/account/email-preferences", data={"frequency-community": "daily"})
    assert response.status_code == 302
    db.session.expire_all()
    assert notifications.frequencies(user)["community"] == "daily"
    assert notifications.frequencies(user)["membership"] == "immediate"
    assert 'value="daily" selected' in client.get("/account").text


def test_the_page_refuses_an_unknown_value_and_a_change_to_a_mandatory_kind(app, make, client):
    user = make.user()
    login(client, user)
    bad = client.post("/account/email-preferences", data={"frequency-community": "hourly"})
    assert bad.status_code == 422 and "Choose one of: immediate, daily, weekly, never." in bad.text
    assert 'aria-invalid="true"' in bad.text
    mandatory = client.post("/account/email-preferences", data={"frequency-account": "never",
                                                                 "frequency-community": "daily"})
    assert mandatory.status_code == 422 and "is always e-mailed each time" in mandatory.text
    db.session.expire_all()
    assert notifications.frequencies(user)["community"] == "never"  # nothing of a refused form is saved
    assert notifications.frequency(user, "account") == "immediate"


def test_the_api_reads_and_changes_frequencies_and_refuses_bad_input_naming_the_field(app, make, client):
    user = make.user()
    headers = bearer(user)
    document = client.get("/api/v1/me/email-preferences", headers=headers).json
    assert document["frequencies"]["community"] == "never" and document["frequencies"]["account"] == "immediate"
    assert "account" in document["mandatory"] and document["choices"] == ["immediate", "daily", "weekly", "never"]
    changed = client.patch("/api/v1/me/email-preferences", json={"community": "weekly"}, headers=headers)
    assert changed.status_code == 200 and changed.json["frequencies"]["community"] == "weekly"
    for body, field in (({"community": "sometimes"}, "community"), ({"nonsense": "daily"}, "nonsense"),
                        ({"account": "never"}, "account"), ({"community": 3}, "community")):
        refused = client.patch("/api/v1/me/email-preferences", json=body, headers=headers)
        assert refused.status_code == 422 and field in refused.json["error"]["fields"], (body, refused.json)
    db.session.expire_all()
    assert notifications.frequencies(user)["community"] == "weekly"
    assert client.get("/api/v1/me/email-preferences").status_code == 401


def test_never_sends_no_email_but_keeps_the_in_app_notice(ctx, make):
    user = make.user()
    notifications.set_frequencies(user, {"community": "never"})
    notifications.notify(user, "community", "News of the community")
    assert _outbox(user) == []
    assert [n.message for n in notifications.recent(user)] == ["News of the community"]
    assert notifications.recent(user)[0].digest is None  # no digest will take it either


def test_a_digest_choice_queues_no_email_now_and_marks_the_notice_for_the_digest(ctx, make):
    user = make.user()
    notifications.set_frequencies(user, {"community": "daily", "membership": "weekly"})
    notifications.notify(user, "community", "Daily news")
    notifications.notify(user, "membership", "Weekly news")
    notifications.notify(user, "account", "Security notice")  # mandatory: each time, whatever else
    assert [m.kind for m in _outbox(user)] == ["account"]
    assert sorted(n.digest for n in db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.digest.is_not(None)))) == ["daily", "weekly"]


def test_the_one_click_unsubscribe_sets_never_even_after_a_digest_choice(ctx, make):
    user = make.user()
    notifications.set_frequencies(user, {"community": "weekly"})
    person, kind = unsubscribe.read(unsubscribe.token_for(user, "community"), notifications.KINDS)
    unsubscribe.turn_off(person, kind.key)
    assert notifications.frequency(user, "community") == "never"


def test_the_service_refuses_bad_choices_with_the_field_named(ctx, make):
    user = make.user()
    with pytest.raises(ValidationFailed) as refusal:
        notifications.set_frequencies(user, {"community": "yearly"})
    assert "community" in refusal.value.fields
    with pytest.raises(ValidationFailed):
        notifications.set_frequencies(user, {"staff_invitation": "daily"})
    notifications.set_frequencies(user, {"account": "immediate"})  # the only value a mandatory kind has: accepted
    assert db.session.scalars(select(EmailPreference).where(EmailPreference.user_id == user.id)).all() == []


def test_the_migration_keeps_existing_choices_meaning_the_same(tmp_path):
    """An opt-in becomes "each time", an opt-out "never"; downgrading gives the opt-ins back."""
    import importlib.util

    import sqlalchemy as sa
    from alembic.migration import MigrationContext
    from alembic.operations import Operations
    from alembic.script import ScriptDirectory

    from tests.institutions.test_customer_verification import MIGRATIONS

    scripts = ScriptDirectory(str(MIGRATIONS))

    def load(revision):
        spec = importlib.util.spec_from_file_location(revision.revision, revision.path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as connection:
        context = MigrationContext.configure(connection, opts={"render_as_batch": True})
        with Operations.context(context):
            for revision in reversed(list(scripts.walk_revisions("base", "0022_job_runs"))):
                load(revision).upgrade()
            connection.execute(sa.text(
                "INSERT INTO users (id, email, password_hash, display_name, pseudonym, timezone, is_platform_admin, "
                "created_at) VALUES (1, 'a@example.test', 'x', 'A', 'p-1', 'UTC', false, '2026-01-01 00:00:00')"))
            connection.execute(sa.text("INSERT INTO email_preferences (id, user_id, kind, enabled) VALUES "
                                       "(1, 1, 'community', true), (2, 1, 'membership', false)"))
            migration = load(scripts.get_revision("0023_email_frequency"))
            migration.upgrade()
            rows = connection.execute(sa.text("SELECT kind, frequency FROM email_preferences ORDER BY id")).all()
            assert [tuple(row) for row in rows] == [("community", "immediate"), ("membership", "never")]
            migration.downgrade()
            rows = connection.execute(sa.text("SELECT kind, enabled FROM email_preferences ORDER BY id")).all()
            assert [(kind, bool(enabled)) for kind, enabled in rows] == [("community", True), ("membership", False)]
