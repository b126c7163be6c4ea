"""A large election's ballot file prepared as a job: the same bytes as the direct download, its progress on the
job's page, the file only for those who may see the job, and clear refusals."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from elections import export_jobs
from extensions import db
from institutions import job_runs
from institutions.models import JobFile, JobRun, JobState
from tests.conftest import login
from tests.elections.conftest import VOTING_CLOSE
from tests.elections.test_exports import _closed as closed_election


def _closed(voting_scene, method: str = "plurality"):
    """An election of six ballots (one blank), closed: its ballots are published."""
    return closed_election(voting_scene, method)


def _jobs() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(JobRun))


@pytest.fixture
def large(monkeypatch):
    """Six ballots count as a large election here (the pages offer the job)."""
    monkeypatch.setattr(export_jobs, "LARGE_ELECTION_BALLOTS", 5)


@pytest.mark.parametrize("method, extension", [("plurality", "csv"), ("plurality", "toi"),
                                               ("majority-judgment", "csv"), ("majority-judgment", "cat")])
def test_the_prepared_file_is_byte_for_byte_the_direct_download(voting_scene, client, large, method, extension):
    scene = _closed(voting_scene, method)
    base = f"/b/{scene.brand.slug}/elections/{scene.election.id}"
    login(client, scene.members[0])
    results = client.get(f"{base}/results").text
    assert "Prepare the CSV file" in results and "Prepare the PrefLib file" in results
    asked = client.post(f"{base}/ballots/prepare", data={"format": extension})
    assert asked.status_code == 302 and re.fullmatch(r"/jobs/\d+", asked.headers["Location"])
    page = client.get(asked.headers["Location"]).text
    assert '<h2 id="job-state">Done</h2>' in page and "The file holds 6 ballots." in page
    name = f"election-{scene.election.id}-ballots.{extension}"
    assert f"Download {name}" in page
    prepared = client.get(asked.headers["Location"] + "/file")
    direct = client.get(f"{base}/ballots.{extension}")
    assert prepared.status_code == 200 and direct.status_code == 200
    assert prepared.get_data() == direct.get_data()
    assert prepared.headers["Content-Disposition"] == direct.headers["Content-Disposition"]
    assert prepared.mimetype == direct.mimetype


def test_a_small_election_offers_only_the_direct_download(voting_scene, client):
    scene = _closed(voting_scene)
    login(client, scene.members[0])
    base = f"/b/{scene.brand.slug}/elections/{scene.election.id}"
    for page in (client.get(f"{base}/results").text, client.get(f"{base}/bulletin").text):
        assert "Prepare the CSV file" not in page and "ballots.csv" in page


def test_the_ballots_counted_so_far_show_on_the_page_while_the_job_runs(app, voting_scene, client, large,
                                                                         monkeypatch):
    scene = _closed(voting_scene)
    login(client, scene.members[0])
    monkeypatch.setattr(export_jobs.jobs, "enqueue", lambda name, **kwargs: None)  # the worker is busy
    asked = client.post(f"/b/{scene.brand.slug}/elections/{scene.election.id}/ballots/prepare",
                        data={"format": "csv"})
    job_page = asked.headers["Location"]
    waiting = client.get(job_page).text
    assert "Waiting for the worker." in waiting and 'http-equiv="refresh"' in waiting
    assert client.get(job_page + "/file").status_code == 404  # nothing to download yet
    monkeypatch.setattr(export_jobs, "BATCH", 2)  # 4 distinct lines (blank, a×3, b, c): two steps
    seen = []
    report = job_runs.report_progress

    def report_then_look(*args):
        report(*args)
        page = client.get(job_page).text
        seen.append((re.search(r'<label for="job-progress">([^<]*)</label>', page).group(1),
                     re.search(r'<progress id="job-progress" max="100" value="(\d+)"', page).group(1)))

    monkeypatch.setattr(job_runs, "report_progress", report_then_look)
    job_id = int(job_page.rsplit("/", 1)[1])
    with app.app_context():
        export_jobs.run_export_job(job_id)
    assert seen == [("Counting the ballots: 0 of 6.", "0"), ("Counting the ballots: 4 of 6.", "66"),
                    ("Counting the ballots: 6 of 6.", "100"), ("Writing the file.", "100")]
    done = client.get(job_page).text
    assert "Done" in done and 'http-equiv="refresh"' not in done
    assert client.get(job_page + "/file").get_data() == client.get(
        f"/b/{scene.brand.slug}/elections/{scene.election.id}/ballots.csv").get_data()


def test_only_the_requester_the_brands_staff_and_admins_see_the_job_and_its_file(voting_scene, client, make, large):
    scene = _closed(voting_scene)
    requester, other_member = scene.members[0], scene.members[1]
    other_brand_staff = make.staff(make.brand(slug="rival"))
    login(client, requester)
    job_page = client.post(f"/b/{scene.brand.slug}/elections/{scene.election.id}/ballots/prepare",
                           data={"format": "csv"}).headers["Location"]
    for person, status in ((other_brand_staff, 404), (other_member, 404), (scene.staff, 200),
                           (make.user(admin=True), 200), (requester, 200)):
        with client.session_transaction() as session:
            session.clear()
        login(client, person)
        assert client.get(job_page).status_code == status, person.email
        assert client.get(job_page + "/file").status_code == status, person.email
    with client.session_transaction() as session:
        session.clear()
    signed_out = client.get(job_page + "/file")
    assert signed_out.status_code == 302 and "login" in signed_out.headers["Location"]  # sign in first


def test_refusals_say_why_and_queue_nothing(voting_scene, client, large):
    scene = voting_scene("plurality", members=4, candidates=2)
    base = f"/b/{scene.brand.slug}/elections/{scene.election.id}"
    signed_out = client.post(f"{base}/ballots/prepare", data={"format": "csv"})
    assert signed_out.status_code == 302 and "login" in signed_out.headers["Location"]  # sign in first
    login(client, scene.members[0])
    page = client.post(f"{base}/ballots/prepare", data={"format": "csv"}, follow_redirects=True)
    assert "The ballots are published once voting has closed." in page.text  # still voting
    scene.at(VOTING_CLOSE + timedelta(minutes=1))
    page = client.post(f"{base}/ballots/prepare", data={"format": "cat"}, follow_redirects=True)
    assert "This election&#39;s ballots come as CSV or as .toi." in page.text
    assert _jobs() == 0


def test_a_job_whose_file_was_deleted_says_so(app, voting_scene, client, large):
    scene = _closed(voting_scene)
    login(client, scene.members[0])
    job_page = client.post(f"/b/{scene.brand.slug}/elections/{scene.election.id}/ballots/prepare",
                           data={"format": "csv"}).headers["Location"]
    db.session.execute(JobFile.__table__.delete())
    db.session.commit()
    assert "This file is no longer kept: prepare it again." in client.get(job_page).text
    assert client.get(job_page + "/file").status_code == 404
    assert db.session.scalar(select(JobRun.state)) is JobState.DONE
