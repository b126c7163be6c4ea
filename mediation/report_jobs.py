"""Building a mediation annual report's file (CSV or JSON) as a job: its page shows the progress, then the download.

The direct downloads (`…/report/<year>.csv|.json`) stay as they are; the report page also offers to build the file
in the worker. Only a published report is built this way: a job's file is readable by the brand's staff (the job page's rule),
who must not read a draft, and a draft is for the panel only (its mediators download it directly). Anyone signed in
may ask; the worker checks again when it runs.
"""
from __future__ import annotations

import json

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from extensions import db
from institutions import job_runs, jobs
from institutions.errors import DomainError, NotFound, ValidationFailed
from institutions.models import Brand, JobRun, User
from mediation import report

JOB_KIND = "report_build"
MIMETYPES = {"csv": "text/csv", "json": "application/json"}

job_runs.register_kind(JOB_KIND, _l("Mediation annual report file"))
job_runs.register_phase("report_computing", _l("Computing the report's figures."))
job_runs.register_phase("report_writing", _l("Writing the file."))


def _check_format(extension: str) -> None:
    """Only CSV or JSON."""
    if extension not in MIMETYPES:
        raise ValidationFailed(_("Choose CSV or JSON."), field="format")


def _published(brand: Brand, year: int, actor: User | None) -> report.AnnualReport:
    """The year's report as this actor may read it, refused unless published."""
    found = report.report_for(brand, year, actor)  # NotFound for a draft the actor may not see, or a year not begun
    if not found.published:
        raise DomainError(_("Only a published report is built in the background: download the draft directly."))
    return found


def can_build(user, found: report.AnnualReport) -> bool:
    """Whether the report page offers this reader to build the file as a job: signed in, the panel's published
    report (a mediator's own report is downloaded directly)."""
    return getattr(user, "is_authenticated", False) and found.published and found.mediator is None


def start_build(brand: Brand, year: int, actor: User, extension: str) -> JobRun:
    """Queue the building of the year's report file (refused at once if the actor may not read it); commits it."""
    _check_format(extension)
    _published(brand, year, actor)
    job = job_runs.create(JOB_KIND, brand, actor, total=2,
                          input_data=json.dumps({"year": year, "format": extension}).encode())
    db.session.commit()
    jobs.enqueue(JOB_KIND, job_id=job.id)
    return job


def file_bytes(found: report.AnnualReport, extension: str) -> bytes:
    """The report's file: CSV as the page's download writes it, or its JSON document."""
    if extension == "csv":
        return report.csv_text(found).encode()
    return json.dumps(report.as_dict(found), ensure_ascii=False, sort_keys=True, indent=2).encode()


def _build_work(job: JobRun, progress: job_runs.Progress) -> dict:
    """The job: check again, compute the figures, write the file and keep it."""
    asked = json.loads(job.input_data)
    _check_format(asked["format"])
    if job.brand is None:
        raise NotFound(_("No such brand."))
    progress(0, 2, "report_computing")
    found = _published(job.brand, asked["year"], job.requested_by)
    progress(1, 2, "report_writing")
    content = file_bytes(found, asked["format"])
    name = report.file_name(job.brand, found, asked["format"])
    job_runs.attach_file(job, name, MIMETYPES[asked["format"]], content)
    return {"year": found.year, "file_name": name, "bytes": len(content), "received": found.received}


def run_build_job(job_id: int) -> JobRun | None:
    """The worker's side: run the queued report build."""
    return job_runs.run(job_id, _build_work)
