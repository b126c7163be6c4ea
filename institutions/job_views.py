"""The page of one job: its state, its progress while it runs (refreshed on its own), its result or its error."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user

from institutions import job_runs
from institutions.access import signed_in
from institutions.errors import NotFound

blueprint = Blueprint("jobs", __name__)
# How often the page reloads itself while the job waits or runs (a <meta> refresh: no JavaScript needed).
REFRESH_SECONDS = 3


@blueprint.get("/jobs/<int:job_id>")
@signed_in
def show(job_id: int):
    """A job's page for its requester, its brand's staff or a platform admin (404 for anyone else)."""
    try:
        job = job_runs.visible_job(job_id, current_user)
    except NotFound:
        abort(404)
    return render_template("jobs/show.html", job=job, result=job_runs.result_of(job),
                           kind_label=job_runs.KIND_LABELS.get(job.kind, job.kind),
                           progress=job_runs.progress_words(job), percent=job_runs.percent(job),
                           refresh=None if job.state.finished else REFRESH_SECONDS, file=job_runs.file_of(job))


@blueprint.get("/jobs/<int:job_id>/file")
@signed_in
def download(job_id: int):
    """The file a finished job made, for whoever may see the job (404 for anyone else, or once it is deleted)."""
    try:
        stored = job_runs.visible_file(job_id, current_user)
    except NotFound:
        abort(404)
    return Response(stored.content, mimetype=stored.mimetype,
                    headers={"Content-Disposition": f"attachment; filename={stored.name}",
                             "Cache-Control": "private, no-store"})
