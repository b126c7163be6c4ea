"""The job queue: which storage the settings pick, the schedule's tasks, and the clocks run in one place."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from huey import RedisHuey, SqliteHuey
from sqlalchemy import select

from config import INSTANCE_DIR
from extensions import db
from institutions import clock, features, jobs, mail_sender, notifications
from institutions.clock_runner import advance_all
from institutions.models import Brand, OutboxMessage


def test_without_redis_the_queue_is_the_embedded_sqlite_file_in_instance():
    huey = jobs.build_queue({})
    assert isinstance(huey, SqliteHuey) and not huey.immediate
    assert huey.storage.filename == str(INSTANCE_DIR / "jobs.db") and huey.name == "tribune"


def test_redis_url_moves_the_queue_to_redis_and_jobs_url_wins(tmp_path):
    on_redis = jobs.build_queue({"REDIS_URL": "redis://cache.internal:6380/4"})
    assert isinstance(on_redis, RedisHuey)
    assert jobs.describe_storage(on_redis) == "Redis at cache.internal:6380 db 4 (name tribune)"
    chosen = jobs.build_queue({"REDIS_URL": "redis://cache.internal:6380/4", "JOBS_URL": f"sqlite:///{tmp_path}/q.db",
                               "JOBS_NAME": "other"})
    assert isinstance(chosen, SqliteHuey) and chosen.storage.filename == f"{tmp_path}/q.db" and chosen.name == "other"


def test_an_unknown_storage_is_refused_with_what_is_accepted():
    with pytest.raises(jobs.JobsMisconfigured, match="redis:// or sqlite:///, not 'amqp'"):
        jobs.build_queue({"JOBS_URL": "amqp://broker"})


def test_tests_run_jobs_at_once_unless_told_otherwise():
    assert jobs.build_queue({"TESTING": True, "JOBS_URL": "redis://x"}).immediate
    assert not jobs.build_queue({"TESTING": True, "JOBS_URL": "redis://x", "JOBS_IMMEDIATE": "0"}).immediate
    assert jobs.build_queue({"JOBS_URL": "redis://x", "JOBS_IMMEDIATE": "1"}).immediate


def test_the_worker_refuses_to_start_on_an_immediate_queue(app):
    result = app.test_cli_runner().invoke(args=["jobs", "worker"])
    assert result.exit_code != 0 and "immediate mode" in result.output


def test_the_schedule_runs_clocks_and_outbox_every_minute_and_the_purge_at_three(app):
    runs = {name: (words, moment) for name, words, moment in jobs.next_runs(datetime(2027, 3, 1, 9, 0, 30,
                                                                                       tzinfo=timezone.utc))}
    assert runs["advance_clocks"] == ("every minute", datetime(2027, 3, 1, 9, 1, tzinfo=timezone.utc))
    assert runs["send_outbox"] == ("every minute", datetime(2027, 3, 1, 9, 1, tzinfo=timezone.utc))
    assert runs["purge_expired"] == ("daily at 03:00 UTC", datetime(2027, 3, 2, 3, 0, tzinfo=timezone.utc))
    assert {task.name for task in jobs.queue(app)._registry.periodic_tasks} >= {
        "tribune.advance_clocks", "tribune.send_outbox", "tribune.purge_expired"}


def test_jobs_status_says_where_the_queue_is_and_when_tasks_run(app):
    clock.freeze(datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc))
    result = app.test_cli_runner().invoke(args=["jobs", "status"])
    assert result.exit_code == 0, result.output
    assert "pending: 0" in result.output
    assert "purge_expired: daily at 03:00 UTC, next at 2027-03-02 03:00 UTC" in result.output


def test_the_outbox_task_sends_what_waits_and_commits(app, make):
    user = make.user()
    notifications.queue_email(user.email, "Hello", "Body", "account", user)
    db.session.commit()
    jobs.task(app, "send_outbox")()
    db.session.expire_all()
    assert [str(m["Subject"]) for m in mail_sender.SENT_IN_MEMORY] == ["Hello"]
    assert db.session.scalar(select(OutboxMessage)).sent_at is not None


def test_the_purge_task_runs_the_retention_purge(app, monkeypatch):
    calls = []
    monkeypatch.setattr("institutions.privacy.purge", lambda: calls.append("purged") or ["1 expired account link"])
    jobs.task(app, "purge_expired")()
    assert calls == ["purged"]


def test_a_failing_clock_does_not_stop_the_others_and_its_acts_are_undone(app, make, monkeypatch):
    def broken(now, brand):
        db.session.add(Brand(slug="half-done", name="Half", description="", colour="#000000", country="FR",
                             created_at=now))
        db.session.flush()
        raise RuntimeError("a bug")

    def working(now, brand):
        db.session.add(Brand(slug="kept", name="Kept", description="", colour="#000000", country="FR", created_at=now))
        return ["1 thing done"]

    monkeypatch.setattr(features, "clocks", lambda: [("broken", broken), ("working", working)])
    result = app.test_cli_runner().invoke(args=["advance"])
    assert result.exit_code == 1
    assert "broken: FAILED (RuntimeError: a bug)" in result.output and "working: 1 thing done" in result.output
    assert "failed: broken" in result.output
    db.session.expire_all()
    assert db.session.scalars(select(Brand.slug)).all() == ["kept"]
    monkeypatch.setattr(features, "clocks", lambda: [("broken", broken)])
    with app.app_context():
        report = advance_all(clock.utcnow())
    assert report.failed == ["broken"] and report == ["broken: FAILED (RuntimeError: a bug)"]
