"""The sweeper: a job a killed worker left running is marked failed after JOBS_STALE_MINUTES, its page says so;
job files are deleted JOBS_FILE_DAYS after they were made; it runs from the schedule."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from extensions import db
from institutions import clock, job_runs, jobs
from institutions.models import JobFile, JobRun, JobState
from tests.conftest import login

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)


def _running(brand, staff, started: datetime) -> JobRun:
    job = job_runs.create("customer_import", brand, staff, total=10)
    job.state, job.started_at, job.done, job.progress_text = JobState.RUNNING, started, 4, "starting"
    db.session.commit()
    return job


def test_a_job_left_running_past_the_limit_is_marked_failed_and_its_page_says_to_start_again(app, make, client):
    brand = make.brand(slug="acme")
    staff = make.staff(brand)
    clock.freeze(NOW)
    stale = _running(brand, staff, NOW - timedelta(minutes=61))
    recent = _running(brand, staff, NOW - timedelta(minutes=59))
    assert jobs.task(app, "sweep_jobs").call_local() == ["1 stale jobs marked failed"]
    db.session.expire_all()
    assert db.session.get(JobRun, stale.id).state is JobState.FAILED
    assert db.session.get(JobRun, stale.id).finished_at == NOW
    assert db.session.get(JobRun, recent.id).state is JobState.RUNNING
    login(client, staff)
    page = client.get(f"/jobs/{stale.id}").text
    assert '<h2 id="job-state">Failed</h2>' in page and "did not finish in time" in page
    assert 'http-equiv="refresh"' not in page
    app.config["JOBS_STALE_MINUTES"] = 30  # the limit is a setting
    try:
        jobs.task(app, "sweep_jobs")()
    finally:
        app.config["JOBS_STALE_MINUTES"] = 60
    db.session.expire_all()
    assert db.session.get(JobRun, recent.id).state is JobState.FAILED


def test_a_finished_job_is_never_swept_however_old(app, make):
    brand = make.brand()
    staff = make.staff(brand)
    clock.freeze(NOW)
    job = _running(brand, staff, NOW - timedelta(days=3))
    job.state = JobState.DONE
    db.session.commit()
    assert jobs.task(app, "sweep_jobs").call_local() == []
    db.session.expire_all()
    assert db.session.get(JobRun, job.id).state is JobState.DONE


def test_job_files_are_deleted_after_their_days_and_the_sweep_is_on_the_schedule(app, make, client):
    brand = make.brand()
    staff = make.staff(brand)
    clock.freeze(NOW)
    old, fresh = (_running(brand, staff, NOW) for _ in range(2))
    for job, made in ((old, NOW - timedelta(days=7, minutes=1)), (fresh, NOW - timedelta(days=6))):
        job.state = JobState.DONE
        job_runs.attach_file(job, "x.csv", "text/csv", b"a,b\n").created_at = made
    db.session.commit()
    assert jobs.task(app, "sweep_jobs").call_local() == ["1 job files deleted"]
    assert db.session.scalars(select(JobFile.job_id)).all() == [fresh.id]
    login(client, staff)
    assert client.get(f"/jobs/{old.id}/file").status_code == 404
    assert client.get(f"/jobs/{fresh.id}/file").get_data() == b"a,b\n"
    runs = {name: (words, moment) for name, words, moment in jobs.next_runs(NOW + timedelta(minutes=1))}
    assert runs["sweep_jobs"] == ("every ten minutes", NOW + timedelta(minutes=10))
    assert "tribune.sweep_jobs" in {task.name for task in jobs.queue(app)._registry.periodic_tasks}
