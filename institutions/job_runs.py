"""Long work run by the job queue, as a record people can watch: queued, running with its progress, done or failed.

The work itself runs in the worker (`institutions.jobs.enqueue`); this module keeps its `JobRun` up to date. Progress
is written on a connection of its own and committed at once, so the job's page shows it while the work's own
transaction is still open; the result is committed with the work, so "done" and what was done appear together.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any, Callable

from flask import current_app
from flask_babel import force_locale, format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from extensions import db
from institutions import permissions
from institutions.clock import utcnow
from institutions.errors import DomainError, NotFound
from institutions.models import Brand, JobFile, JobRun, JobState, User

logger = logging.getLogger("tribune.jobs")

# What a job is doing, by key, in words with %(done)s and %(total)s: the key is stored, the words are rendered for
# whoever reads the page, in their language. Jobs add theirs with register_phase().
PHASES: dict[str, Any] = {
    "queued": _l("Waiting for the worker."),
    "starting": _l("Starting."),
}
# What the work is, in words, by JobRun.kind (the page's title).
KIND_LABELS: dict[str, Any] = {}

# Reports progress: (done, total, phase key).
Progress = Callable[[int, int | None, str], None]


def register_phase(key: str, words) -> None:
    """Declare a phase a job reports (its words use %(done)s and %(total)s), once at import."""
    PHASES[key] = words


def register_kind(kind: str, label) -> None:
    """Declare a kind of job and its title, once at import."""
    KIND_LABELS[kind] = label


def create(kind: str, brand: Brand | None, requested_by: User | None, total: int | None = None,
           input_data: bytes | None = None) -> JobRun:
    """A queued job record (the caller commits it before enqueuing the work)."""
    job = JobRun(kind=kind, brand_id=brand.id if brand else None, requested_by_id=requested_by.id if requested_by else None,
                 state=JobState.QUEUED, done=0, total=total, progress_text="queued", input_data=input_data,
                 created_at=utcnow())
    db.session.add(job)
    db.session.flush()
    return job


def report_progress(job_id: int, done: int, total: int | None, phase: str) -> None:
    """Record how far the job is, in a short transaction of its own (committed at once, whatever the caller's)."""
    with db.engine.begin() as connection:
        connection.execute(update(JobRun.__table__).where(JobRun.__table__.c.id == job_id)
                           .values(done=done, total=total, progress_text=phase))


def progress_while_writing() -> bool:
    """Whether progress can be committed while the work's own transaction writes: not on SQLite (one writer at a
    time, so the progress would wait for the work it reports on), yes on PostgreSQL."""
    return db.engine.dialect.name != "sqlite"


def _start(job_id: int) -> JobRun | None:
    """Mark a queued job running (committed); None when it is not queued any more (already run by someone)."""
    claimed = db.session.execute(
        update(JobRun).where(JobRun.id == job_id, JobRun.state == JobState.QUEUED)
        .values(state=JobState.RUNNING, started_at=utcnow(), progress_text="starting")
        .execution_options(synchronize_session=False))
    db.session.commit()
    if claimed.rowcount != 1:
        return None
    return db.session.get(JobRun, job_id)


def _fail(job_id: int, message: str) -> None:
    """Record a job's failure and why, after its work was rolled back; its input is dropped."""
    db.session.rollback()
    db.session.execute(update(JobRun).where(JobRun.id == job_id).values(
        state=JobState.FAILED, error=message[:20_000], finished_at=utcnow(), input_data=None)
        .execution_options(synchronize_session=False))
    db.session.commit()


def refusal_text(error: DomainError) -> str:
    """A refusal as the job's page shows it: the message, then what it says of each field (the faulty lines)."""
    details = [text for text in error.fields.values() if text and text != error.message]
    return "\n".join([error.message, *details])


def run(job_id: int, work: Callable[[JobRun, Progress], dict]) -> JobRun | None:
    """Run `work(job, progress)` for a queued job: its result is committed with its acts, a refusal or a bug rolls
    them back and marks the job failed with the reason. Messages are written in the requester's language."""
    job = _start(job_id)
    if job is None:
        logger.warning("job %s is not queued any more: not run again", job_id)
        return None
    locale = (job.requested_by.locale if job.requested_by else None) or "en"

    def progress(done: int, total: int | None, phase: str) -> None:
        """Report progress of this job."""
        report_progress(job_id, done, total, phase)

    with force_locale(locale):
        try:
            result = work(job, progress)
        except DomainError as error:
            _fail(job_id, refusal_text(error))
            logger.info("job %s (%s) refused: %s", job_id, job.kind, error.message)
            return db.session.get(JobRun, job_id)
        except Exception as error:  # a bug: the page says the job failed, the log has the traceback
            logger.exception("job %s (%s) failed", job_id, job.kind)
            _fail(job_id, _("The work stopped on an unexpected error (%(error)s); nothing of it was kept.",
                            error=type(error).__name__))
            return db.session.get(JobRun, job_id)
        job.state = JobState.DONE
        job.result = json.dumps(result, sort_keys=True)
        job.done = job.total if job.total is not None else job.done
        job.progress_text = None
        job.finished_at = utcnow()
        job.input_data = None
        db.session.commit()
    logger.info("job %s (%s) done: %s", job_id, job.kind, job.result)
    return job


def can_see(job: JobRun, viewer: User) -> bool:
    """Its requester, the staff of its brand, and the platform's operators see a job."""
    if permissions.is_platform_admin(viewer) or job.requested_by_id == viewer.id:
        return True
    return job.brand is not None and permissions.is_brand_staff(viewer, job.brand)


def visible_job(job_id: int, viewer: User) -> JobRun:
    """The job if this person may see it; NotFound otherwise (whether it exists or not is nobody else's business)."""
    job = db.session.get(JobRun, job_id)
    if job is None or not can_see(job, viewer):
        raise NotFound(_("No such job."))
    return job


def result_of(job: JobRun) -> dict:
    """The job's result as a dict (empty until done)."""
    return json.loads(job.result) if job.result else {}


def progress_words(job: JobRun) -> str:
    """What the job is doing now, in the reader's language ("Checking the file: 12,000 of 100,000 lines.")."""
    words = PHASES.get(job.progress_text or "")
    if words is None:
        return ""
    return str(words) % {"done": format_number(job.done or 0),
                         "total": format_number(job.total) if job.total is not None else "?"}


def percent(job: JobRun) -> int | None:
    """How far the job is, in percent (None when its size is unknown)."""
    if job.state is JobState.DONE:
        return 100
    if not job.total:
        return None
    return max(0, min(100, (job.done or 0) * 100 // job.total))


def serialize(job: JobRun) -> dict:
    """The job as the API shows it."""
    from institutions.api_support import iso

    return {"id": job.id, "kind": job.kind, "brand": job.brand.slug if job.brand else None, "state": job.state.value,
            "done": job.done, "total": job.total, "percent": percent(job), "progress": progress_words(job) or None,
            "result": result_of(job) or None, "error": job.error, "created_at": iso(job.created_at),
            "started_at": iso(job.started_at), "finished_at": iso(job.finished_at)}


def attach_file(job: JobRun, name: str, mimetype: str, content: bytes) -> JobFile:
    """Keep the file the job made, committed with its result (the job's page offers it for download)."""
    stored = JobFile(job_id=job.id, name=name, mimetype=mimetype, size=len(content), content=content,
                     created_at=utcnow())
    db.session.add(stored)
    return stored


def file_of(job: JobRun) -> JobFile | None:
    """The file a job offers, if it made one and it was not deleted yet."""
    return db.session.get(JobFile, job.id)


def visible_file(job_id: int, viewer: User) -> JobFile:
    """A finished job's file for someone who may see the job; NotFound otherwise (or once the file is deleted)."""
    job = visible_job(job_id, viewer)
    stored = file_of(job) if job.state is JobState.DONE else None
    if stored is None:
        raise NotFound(_("This file is no longer kept: prepare it again."))
    return stored


def sweep(now: datetime) -> list[str]:
    """Mark failed the jobs still running JOBS_STALE_MINUTES after they started (a killed worker never finishes
    them), and delete the files made more than JOBS_FILE_DAYS ago; says what it did."""
    stale_before = now - timedelta(minutes=int(current_app.config.get("JOBS_STALE_MINUTES") or 60))
    stale = db.session.scalars(select(JobRun).where(JobRun.state == JobState.RUNNING,
                                                    JobRun.started_at < stale_before)).all()
    for job in stale:
        with force_locale((job.requested_by.locale if job.requested_by else None) or "en"):
            job.error = _("The work did not finish in time (its worker probably stopped); nothing of it was kept. "
                          "Start it again.")
        job.state, job.finished_at, job.input_data, job.progress_text = JobState.FAILED, now, None, None
        logger.warning("job %s (%s) was running since %s: marked failed", job.id, job.kind, job.started_at)
    files_before = now - timedelta(days=int(current_app.config.get("JOBS_FILE_DAYS") or 7))
    deleted = db.session.execute(delete(JobFile).where(JobFile.created_at < files_before)).rowcount
    lines = [f"{len(stale)} stale jobs marked failed"] if stale else []
    return lines + ([f"{deleted} job files deleted"] if deleted else [])
