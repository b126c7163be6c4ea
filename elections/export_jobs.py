"""Preparing a large election's ballot file (CSV or PrefLib) as a job: counted in batches with progress, kept as
the job's file, the same bytes as the direct download.

The direct downloads (`…/ballots.csv`, `…/ballots.toi|cat`) stay as they are; for an election of more than
LARGE_ELECTION_BALLOTS ballots the page also offers to prepare the file in the worker, so nobody waits on a request
that a proxy may cut. Who may ask: anyone signed in who may download the ballots (they are public once voting closed).
"""
from __future__ import annotations

import json

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from elections import ballot_box, exports
from elections.models import Election
from elections.permissions import can_view_election
from extensions import db
from institutions import job_runs, jobs
from institutions.errors import DomainError, NotFound
from institutions.models import JobRun, User

JOB_KIND = "election_export"
# Above this many ballots the pages offer the job next to the direct download (below, the download is instant).
LARGE_ELECTION_BALLOTS = 10_000
# Distinct ballot lines read per step (each step one indexed query, then the progress is recorded).
BATCH = 5_000
MIMETYPES = {"csv": "text/csv", "toi": "text/plain", "cat": "text/plain"}

job_runs.register_kind(JOB_KIND, _l("Election ballots file"))
job_runs.register_phase("export_counting", _l("Counting the ballots: %(done)s of %(total)s."))
job_runs.register_phase("export_writing", _l("Writing the file."))


def is_large(election: Election) -> bool:
    """Whether the pages offer to prepare the file as a job (more than LARGE_ELECTION_BALLOTS ballots)."""
    return exports.is_published(election) and ballot_box.turnout(election) > LARGE_ELECTION_BALLOTS


def _check(election: Election, actor: User | None, extension: str) -> None:
    """Refuse unless the ballots are published, the format is this election's, and the actor may download them."""
    if actor is None or not can_view_election(actor, election):
        raise NotFound(_("No such election."))
    if not exports.is_published(election):
        raise DomainError(_("The ballots are published once voting has closed."))
    if extension not in ("csv", exports.preflib_extension(election)):
        raise DomainError(_("This election's ballots come as CSV or as .%(extension)s.",
                            extension=exports.preflib_extension(election)), field="format")


def start_export(election: Election, actor: User, extension: str) -> JobRun:
    """Queue the preparation of the ballots file (refused at once if it may not be made); commits the job."""
    _check(election, actor, extension)
    job = job_runs.create(JOB_KIND, election.brand, actor, total=ballot_box.turnout(election),
                          input_data=json.dumps({"election_id": election.id, "format": extension}).encode())
    db.session.commit()
    jobs.enqueue(JOB_KIND, job_id=job.id)
    return job


def build_file(election: Election, extension: str, counts: dict[str, int]) -> bytes:
    """The file's bytes, exactly those of the direct download (same writers, same counts)."""
    if extension == "csv":
        return exports.ballots_csv(election, counts).encode()
    return exports.ballots_preflib(election, counts).encode()


def _export_work(job: JobRun, progress: job_runs.Progress) -> dict:
    """The job: check again, count the ballots in batches with progress, write the file and keep it."""
    asked = json.loads(job.input_data)
    election = db.session.get(Election, asked["election_id"])
    if election is None:
        raise NotFound(_("No such election."))
    extension = asked["format"]
    _check(election, job.requested_by, extension)
    total = ballot_box.turnout(election)
    progress(0, total, "export_counting")
    counts = ballot_box.ballot_counts_in_batches(
        election, BATCH, lambda counted: progress(counted, total, "export_counting"))
    progress(total, total, "export_writing")
    content = build_file(election, extension, counts)
    name = exports.file_name(election, extension)
    job_runs.attach_file(job, name, MIMETYPES[extension], content)
    return {"election_id": election.id, "file_name": name, "bytes": len(content), "ballots": total}


def run_export_job(job_id: int) -> JobRun | None:
    """The worker's side: run the queued export (its page shows the progress, then the download)."""
    return job_runs.run(job_id, _export_work)
