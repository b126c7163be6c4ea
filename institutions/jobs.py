"""The job queue (Huey): where background work waits, the schedule that runs the clocks, and the worker.

One Huey instance per app, built from the settings: `JOBS_URL`, else `REDIS_URL` (redis://… → Redis, for several
machines), else a SQLite file in instance/ (the embedded default: `make run` needs no Redis). The worker process
(`flask jobs worker`) is also the scheduler: Huey's consumer enqueues the periodic tasks itself. Every task runs
inside an app context of the worker's one app, commits its own work and logs what it did.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer, Scheduler

from config import INSTANCE_DIR

EXTENSION_KEY = "tribune.jobs"
logger = logging.getLogger("tribune.jobs")

# One-off work by name (e.g. "customer_import"): the core and the pillars declare theirs in their manifest
# (Feature.jobs); register_job adds one by hand (tests). The worker looks a name up when the task runs, in its own
# app's installed features, so every process knows what create_app installed.
ONE_OFF: dict[str, Callable[..., object]] = {}

# The schedule, in words and as crontab tests (UTC): shown by `flask jobs status` and the README.
EVERY_MINUTE = crontab()
DAILY_AT_3 = crontab(minute="0", hour="3")
# Hourly: each reader's digest leaves at the first run after 07:00 in their own time zone (institutions/digests.py).
HOURLY = crontab(minute="0")
EVERY_TEN_MINUTES = crontab(minute="*/10")


class JobsMisconfigured(ValueError):
    """JOBS_URL names a storage Tribune does not know."""


def storage_url(config) -> str:
    """Where the queue lives: JOBS_URL, else REDIS_URL, else the SQLite file instance/jobs.db."""
    return config.get("JOBS_URL") or config.get("REDIS_URL") or f"sqlite:///{INSTANCE_DIR / 'jobs.db'}"


def _immediate(config) -> bool:
    """Immediate mode (tasks run at once, in memory): JOBS_IMMEDIATE=1, or the test config unless JOBS_IMMEDIATE=0."""
    setting = config.get("JOBS_IMMEDIATE")
    if setting is None or setting == "":
        return bool(config.get("TESTING"))
    return str(setting).lower() in ("1", "true", "yes")


def build_queue(config) -> Huey:
    """The Huey instance for these settings: RedisHuey for redis://, SqliteHuey for sqlite:///path."""
    url = storage_url(config)
    name = config.get("JOBS_NAME") or "tribune"
    immediate = _immediate(config)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, immediate=immediate)
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path), immediate=immediate)
    raise JobsMisconfigured(f"JOBS_URL must start with redis:// or sqlite:///, not {url.split(':')[0]!r}")


def init_app(app: Flask) -> Huey:
    """Build the app's queue and register its tasks on it; create_app calls this once."""
    huey = build_queue(app.config)
    _register_tasks(huey, app)
    app.extensions[EXTENSION_KEY] = huey
    return huey


def queue(app: Flask | None = None) -> Huey:
    """The running app's queue."""
    return (app or current_app).extensions[EXTENSION_KEY]


def task(app: Flask, name: str):
    """One registered task of the app's queue by its short name (e.g. "advance_clocks")."""
    return app.extensions[EXTENSION_KEY + ".tasks"][name]


def _in_app_context(app: Flask, function):
    """Run a task's body inside an app context of this process's app, with the session removed after it."""
    from extensions import db

    def run(*args, **kwargs):
        """The task's body in an app context; whatever it left uncommitted on failure is rolled back."""
        with app.app_context():
            try:
                return function(*args, **kwargs)
            except Exception:
                db.session.rollback()
                raise
            finally:
                db.session.remove()

    run.__name__ = function.__name__
    run.__doc__ = function.__doc__
    return run


def advance_clocks() -> list[str]:
    """Every minute: advance every pillar's clock (votes open and close, deadlines pass, reminders go)."""
    from institutions.clock import utcnow
    from institutions.clock_runner import advance_all

    report = advance_all(utcnow())
    for line in report:
        logger.info("advance: %s", line)
    return list(report)


def send_outbox() -> tuple[int, int]:
    """Every minute: send what waits in the e-mail outbox; each message is committed by the sender."""
    from extensions import db

    from institutions.mail_sender import send_pending

    sent, failed = send_pending()
    db.session.commit()
    if sent or failed:
        logger.info("outbox: %d sent, %d failed", sent, failed)
    return sent, failed


def send_digests() -> int:
    """Every hour: queue the daily and weekly digests now due in their readers' time zones (each notice once)."""
    from institutions import digests

    queued = digests.send_due()  # commits each reader's digest itself
    if queued:
        logger.info("digests: %d queued", queued)
    return queued


def purge_expired() -> list[str]:
    """Daily at 03:00 UTC: remove or erase every record past its retention period."""
    from extensions import db
    from institutions import privacy

    lines = privacy.purge()
    db.session.commit()
    for line in lines or ["nothing is past its retention period"]:
        logger.info("purge: %s", line)
    return lines


def sweep_jobs() -> list[str]:
    """Every ten minutes: fail the jobs a killed worker left running, delete the job files past their days."""
    from extensions import db
    from institutions import job_runs
    from institutions.clock import utcnow

    lines = job_runs.sweep(utcnow())
    db.session.commit()
    for line in lines:
        logger.info("sweep: %s", line)
    return lines


# (short name, function, when it runs, the schedule in words)
SCHEDULE = (
    ("advance_clocks", advance_clocks, EVERY_MINUTE, "every minute"),
    ("send_outbox", send_outbox, EVERY_MINUTE, "every minute"),
    ("send_digests", send_digests, HOURLY, "hourly (daily digests at 07:00 and weekly on Mondays at 07:00, "
                                           "in each reader's time zone)"),
    ("purge_expired", purge_expired, DAILY_AT_3, "daily at 03:00 UTC"),
    ("sweep_jobs", sweep_jobs, EVERY_TEN_MINUTES, "every ten minutes"),
)


def register_job(name: str, function: Callable[..., object]) -> None:
    """Declare a one-off job by name (once, at start-up); `enqueue(name, **kwargs)` runs it in the worker."""
    ONE_OFF[name] = function


def _one_off(name: str) -> Callable[..., object]:
    """The one-off job registered as `name`: declared by an installed feature, or by register_job."""
    from institutions import features

    function = {**features.jobs(), **ONE_OFF}.get(name)
    if function is None:
        raise KeyError(f"no job is registered as {name!r}")
    return function


def run_one_off(name: str, kwargs: dict) -> object:
    """The worker's side of `enqueue`: run the registered job `name` with its keyword arguments."""
    return _one_off(name)(**kwargs)


def enqueue(name: str, **kwargs) -> None:
    """Queue the one-off job `name` (keyword arguments must pickle: ids, not objects); immediate mode runs it now.

    The caller commits what the job reads (its JobRun) before enqueuing: the worker reads in its own transaction.
    """
    _one_off(name)
    task(current_app, "run_one_off")(name, kwargs)


def _register_tasks(huey: Huey, app: Flask) -> None:
    """Register the periodic tasks and the one-off runner on this queue, each wrapped to run in the app's context."""
    tasks = {}
    for name, function, when, _words in SCHEDULE:
        tasks[name] = huey.periodic_task(when, name=f"tribune.{name}")(_in_app_context(app, function))
    # No retries: a job records its own failure on its JobRun, and all-or-nothing work must not run twice.
    tasks["run_one_off"] = huey.task(name="tribune.run_one_off")(_in_app_context(app, run_one_off))
    app.extensions[EXTENSION_KEY + ".tasks"] = tasks


def tick_seconds(config) -> int:
    """How often the scheduler checks the periodic tasks: 60 s, shorter only for tests (JOBS_TICK_SECONDS)."""
    return max(1, min(60, int(config.get("JOBS_TICK_SECONDS") or 60)))


def make_consumer(app: Flask, workers: int = 1, periodic: bool = True) -> Consumer:
    """Huey's consumer for this app: `workers` threads, and the scheduler (periodic tasks) unless told not to."""
    huey = queue(app)
    if huey.immediate:
        raise JobsMisconfigured("the job queue is in immediate mode (JOBS_IMMEDIATE or tests): no worker can run")
    seconds = tick_seconds(app.config)

    class TribuneScheduler(Scheduler):
        periodic_task_seconds = seconds

    class TribuneConsumer(Consumer):
        scheduler_class = TribuneScheduler

    # A factor of 60 (Huey's rule), never longer than the tick itself.
    interval = max(step for step in (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60) if step <= seconds)
    return TribuneConsumer(huey, workers=workers, periodic=periodic, worker_type="thread",
                           scheduler_interval=interval)


def next_runs(now: datetime, horizon: timedelta = timedelta(days=2)) -> list[tuple[str, str, datetime | None]]:
    """When each periodic task next runs after `now` (to the minute), for `flask jobs status`."""
    start = now.astimezone(timezone.utc).replace(second=0, microsecond=0, tzinfo=None) + timedelta(minutes=1)
    found = []
    for name, _function, when, words in SCHEDULE:
        moment, minutes = start, int(horizon.total_seconds() // 60)
        for _ in range(minutes):
            if when(moment):
                break
            moment += timedelta(minutes=1)
        else:
            moment = None
        found.append((name, words, moment.replace(tzinfo=timezone.utc) if moment else None))
    return found


def describe_storage(huey: Huey) -> str:
    """The queue's storage in words, without any password."""
    if huey.immediate:
        return f"memory, immediate mode: tasks run at once in the caller (name {huey.name})"
    if isinstance(huey, RedisHuey):
        kwargs = huey.storage.pool.connection_kwargs
        return f"Redis at {kwargs.get('host', '?')}:{kwargs.get('port', '?')} db {kwargs.get('db', 0)} (name {huey.name})"
    if isinstance(huey, SqliteHuey):
        return f"SQLite file {huey.storage.filename} (name {huey.name})"
    return type(huey).__name__
