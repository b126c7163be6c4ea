"""A real worker process (`flask jobs worker`) runs the schedule: on Redis, an election closes and is counted on time
with no page view and its non-voters are reminded once; without Redis, the embedded SQLite queue runs the clocks too.

The worker is a subprocess on the suite's own database (a temporary SQLite file, or DATABASE_URL's PostgreSQL); its
schedule's minute is shortened to 2 s (JOBS_TICK_SECONDS). Nothing here enqueues a task or requests a page: only the
worker's periodic schedule can move the election.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from elections import ballot_box, lifecycle, nominations, reminders
from elections import clock as elections_clock
from elections.models import Election, ElectionState
from extensions import db
from institutions import clock, jobs
from institutions.models import Notification

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
REDIS = ("127.0.0.1", 6379)
REDIS_URL = "redis://127.0.0.1:6379/11"  # a db of its own; keys under a unique JOBS_NAME, deleted before and after
TICK_SECONDS = 2


def _require_redis() -> None:
    """Skip when Redis does not answer, except under TRIBUNE_REQUIRE_REDIS=1 (CI), where that is a failure."""
    try:
        socket.create_connection(REDIS, timeout=1).close()
    except OSError:
        if os.environ.get("TRIBUNE_REQUIRE_REDIS") == "1":
            pytest.fail("Redis is not reachable at 127.0.0.1:6379 (TRIBUNE_REQUIRE_REDIS=1)")
        pytest.skip("Redis is not reachable at 127.0.0.1:6379: the worker cannot be tested on Redis")


def _forget_queue(settings: dict) -> None:
    """Delete everything this test's queue left in its storage (its name only: nobody else's jobs)."""
    huey = jobs.build_queue(settings)
    huey.flush()
    if isinstance(huey.storage, jobs.RedisHuey.storage_class):
        for key in huey.storage.conn.scan_iter(match=f"*{huey.name}*"):
            huey.storage.conn.delete(key)


class Worker:
    """`flask --app app jobs worker` as a subprocess on the suite's database, its output in a file."""

    def __init__(self, app, tmp_path, **settings):
        environment = {key: value for key, value in os.environ.items()
                       if key not in ("REDIS_URL", "JOBS_URL", "JOBS_IMMEDIATE", "RATELIMIT_STORAGE_URI")}
        environment.update({"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "integration",
                            "TRIBUNE_ENV": "development", "MAIL_BACKEND": "console",
                            "JOBS_TICK_SECONDS": str(TICK_SECONDS)}, **settings)
        self.log = tmp_path / "worker.log"
        self.process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "jobs", "worker"], cwd=ROOT,
                                        env=environment, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)

    def output(self) -> str:
        return self.log.read_text()

    def stop(self) -> None:
        """Ctrl-C (Huey's graceful stop), then a kill if it does not end."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _wait_for(condition, seconds: float, worker: Worker, what: str):
    """Poll the database (a fresh transaction each time) until `condition()` is true; fail saying what."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()
        if condition():
            return
        assert worker.process.poll() is None, f"the worker stopped:\n{worker.output()}"
        time.sleep(0.3)
    pytest.fail(f"{what} did not happen within {seconds} s; worker output:\n{worker.output()}")


def _election_in_voting(make, close_at: datetime, reminder_hours: str, voters: int = 5):
    """A brand, five members on the roll of an election whose voting is open now and closes at `close_at`."""
    real_now = clock.utcnow()
    brand = make.brand(slug=f"acme{uuid.uuid4().hex[:6]}")
    staff = make.staff(brand)
    members = [make.member(brand, user=make.user(name=f"Voter {n}"), started_at=real_now - timedelta(days=30))
               for n in range(voters)]
    start = real_now - timedelta(hours=3)
    clock.freeze(start)  # the services refuse past dates: lay out the calendar from three hours ago
    election = lifecycle.create_draft(brand, staff, lifecycle.ElectionDraft(
        title="Integration president", description="", method="plurality",
        nominations_open_at=start + timedelta(minutes=1), nominations_close_at=start + timedelta(hours=1, minutes=1),
        voting_open_at=start + timedelta(hours=1, minutes=2), voting_close_at=close_at,
        reminder_hours=reminder_hours))
    lifecycle.open_nominations(election, staff)
    db.session.commit()
    clock.freeze(start + timedelta(minutes=2))
    candidates = [nominations.nominate(election, person, person) for person in members[:2]]
    db.session.commit()
    clock.freeze(start + timedelta(hours=1, minutes=3))
    elections_clock.advance_election(election, clock.utcnow())
    db.session.commit()
    clock.freeze(None)
    assert election.state is ElectionState.VOTING and election.roll_size == voters
    return election, members, candidates


def _reminders_of(user) -> int:
    return len(db.session.scalars(select(Notification.id).where(Notification.user_id == user.id,
                                                                Notification.kind == reminders.KIND)).all())


def test_on_redis_the_schedule_closes_and_counts_on_time_and_reminds_each_non_voter_once(app, make, tmp_path):
    _require_redis()
    settings = {"JOBS_URL": REDIS_URL, "JOBS_NAME": f"tribune-test-{uuid.uuid4().hex}"}
    _forget_queue(settings)
    with app.app_context():
        close_at = (datetime.now(timezone.utc) + timedelta(seconds=15)).replace(microsecond=0)
        # Reminded one hour before the close: due at once (the hour has begun), so the first ticks send it.
        election, members, candidates = _election_in_voting(make, close_at, reminder_hours="1")
        voters, non_voters = members[:2], members[2:]
        for voter in voters:
            ballot_box.cast_ballot(election, voter, {"choice": candidates[0].id})
        db.session.commit()
        election_id = election.id
        worker = Worker(app, tmp_path, **settings)
        try:
            _wait_for(lambda: all(_reminders_of(person) == 1 for person in non_voters), 12, worker,
                      "the reminders of the non-voters")
            assert db.session.get(Election, election_id).state is ElectionState.VOTING  # before its close
            _wait_for(lambda: db.session.get(Election, election_id).state is ElectionState.CLOSED, 40, worker,
                      "the close and count")
            closed = db.session.get(Election, election_id)
            late = closed.closed_at - closed.voting_close_at
            assert timedelta(0) <= late <= timedelta(seconds=4 * TICK_SECONDS), f"closed {late} after its close"
            assert closed.ballots_counted == 2 and closed.outcome == "winner"
            assert closed.winner_candidacy_id == candidates[0].id
            time.sleep(2 * TICK_SECONDS)  # more ticks after the close send nothing more
            db.session.rollback()
            assert [_reminders_of(person) for person in non_voters] == [1, 1, 1]
            assert [_reminders_of(person) for person in voters] == [0, 0]
        finally:
            worker.stop()
            _forget_queue(settings)
        assert "Redis at 127.0.0.1:6379 db 11" in worker.output()
        assert "elections: 3 voter reminders sent" in worker.output()
        assert "elections: 1 elections moved" in worker.output()


def test_without_redis_the_embedded_queue_runs_the_schedule(app, make, tmp_path):
    settings = {"JOBS_NAME": f"tribune-test-{uuid.uuid4().hex}"}  # no REDIS_URL, no JOBS_URL: instance/jobs.db
    assert isinstance(jobs.build_queue(settings), jobs.SqliteHuey)
    with app.app_context():
        # Voting closed a second ago and nobody looked at the election: only the worker's schedule can count it.
        election, _members, _candidates = _election_in_voting(make, datetime.now(timezone.utc) + timedelta(seconds=1),
                                                              reminder_hours="")
        election_id = election.id
        worker = Worker(app, tmp_path, **settings)
        try:
            _wait_for(lambda: db.session.get(Election, election_id).state is ElectionState.CLOSED, 30, worker,
                      "the close by the embedded queue's schedule")
        finally:
            worker.stop()
            _forget_queue(settings)
        assert "SQLite file" in worker.output() and "jobs.db" in worker.output()
