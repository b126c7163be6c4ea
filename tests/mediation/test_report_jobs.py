"""The mediation annual report's file built as a job: the same figures as the direct download, the file only for
those who may read the report, and clear refusals."""
from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from extensions import db
from institutions.models import JobRun, JobState
from mediation import report
from tests.conftest import login
from tests.mediation.test_report_r614_2 import _recommend, year  # noqa: F401  (the fixture)


def _jobs() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(JobRun))


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_a_published_report_is_built_as_a_job_with_the_same_csv_as_the_download(app, client, year):  # noqa: F811
    _recommend(year)
    report.publish(year.brand, 2026, year.mediators[0])
    db.session.commit()
    login(client, year.staff)
    page = client.get("/b/acme/mediation/report/2026").text
    assert "Build the CSV file" in page
    done = client.post("/b/acme/mediation/report/2026/prepare", data={"csrf_token": _csrf(page), "format": "csv"})
    assert done.status_code == 302 and "/jobs/" in done.headers["Location"]
    job_page = client.get(done.headers["Location"])
    assert job_page.status_code == 200 and "6 cases received" in job_page.text
    job = db.session.scalar(select(JobRun))
    assert job.state is JobState.DONE and job.kind == "report_build"
    built = client.get(f"/jobs/{job.id}/file")
    direct = client.get("/b/acme/mediation/report/2026.csv")
    assert built.status_code == 200 and built.data == direct.data
    # JSON too: the same figures as the direct JSON download.
    page = client.get("/b/acme/mediation/report/2026").text
    client.post("/b/acme/mediation/report/2026/prepare", data={"csrf_token": _csrf(page), "format": "json"})
    job = db.session.scalars(select(JobRun).order_by(JobRun.id.desc())).first()
    built = json.loads(client.get(f"/jobs/{job.id}/file").data)
    direct = client.get("/b/acme/mediation/report/2026.json").get_json()
    for document in (built, direct):
        document.pop("audit_chain_head")
    assert built == direct


def test_a_draft_is_never_built_as_a_job_and_a_bad_format_is_refused(app, client, year):  # noqa: F811
    login(client, year.staff)
    token = _csrf(client.get("/account").text)
    refused = client.post("/b/acme/mediation/report/2026/prepare", data={"csrf_token": token, "format": "csv"},
                          follow_redirects=True)
    assert "not published yet" in refused.text and _jobs() == 0  # a draft: staff may not even read it
    client.post("/logout")
    login(client, year.mediators[0])
    page = client.get("/b/acme/mediation/report/2026").text
    assert "Build the CSV file" not in page  # the panel downloads its draft directly
    draft = client.post("/b/acme/mediation/report/2026/prepare", data={"csrf_token": _csrf(page), "format": "csv"},
                        follow_redirects=True)
    assert "Only a published report is built in the background" in draft.text and _jobs() == 0
    _recommend(year)
    report.publish(year.brand, 2026, year.mediators[0])
    db.session.commit()
    bad = client.post("/b/acme/mediation/report/2026/prepare", data={"csrf_token": _csrf(page), "format": "xlsx"},
                      follow_redirects=True)
    assert "Choose CSV or JSON." in bad.text and _jobs() == 0
    ok = client.post("/b/acme/mediation/report/2026/prepare", data={"csrf_token": _csrf(page), "format": "csv"})
    assert ok.status_code == 302 and _jobs() == 1
    job = db.session.scalar(select(JobRun))
    client.post("/logout")
    assert client.get(f"/jobs/{job.id}/file").status_code in (302, 401, 404)  # signed out: never the file
