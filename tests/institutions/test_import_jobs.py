"""The customer import runs as a job: its page shows the progress while it runs and the figures when done; a refused
file writes nothing; only the requester, the brand's staff and platform admins see the job."""
from __future__ import annotations

import base64
import io
import re

import pytest
from sqlalchemy import func, select

from extensions import db
from institutions import accounts, audit, customer_import, job_runs
from institutions.models import (AuditEvent, CustomerRecord, JobRun, JobState, Membership, MembershipStatus,
                                 Notification, StaffRole)
from tests.conftest import login


def _status(user):
    return db.session.scalar(select(Membership.status).where(Membership.user_id == user.id))


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _token(user) -> dict:
    _, secret = accounts.create_api_token(user, "tests")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _queued_job(monkeypatch, brand, staff, content: bytes) -> JobRun:
    """A checked import queued but not run yet (the worker is "busy"): the test runs it step by step."""
    monkeypatch.setattr(customer_import.jobs, "enqueue", lambda name, **kwargs: None)
    job = customer_import.start_import(brand, staff, content)
    assert job.state is JobState.QUEUED
    return job


def _run_as_the_worker(app, job: JobRun) -> None:
    """Run the queued job as the worker does: in an app context (and a session) of its own."""
    with app.app_context():
        customer_import.run_import_job(job.id)
    db.session.expire_all()


def test_the_import_job_verifies_the_matching_members_and_its_page_shows_done_with_the_figures(app, make, client):
    brand = make.brand(slug="acme")
    staff = make.staff(brand)
    ann = make.member(brand, user=make.user(email="ann@example.test", name="Ann"), status=MembershipStatus.PENDING)
    bob = make.member(brand, user=make.user(email="bob@example.test", name="Bob"), status=MembershipStatus.PENDING)
    unlisted = make.member(brand, status=MembershipStatus.PENDING)
    login(client, staff)
    content = b"email\nann@example.test\nbob@example.test\nlater@example.test\n"
    preview = client.post("/b/acme/staff/members/import", data={"file": (io.BytesIO(content), "customers.csv")},
                          content_type="multipart/form-data")
    assert "2 pending members will be verified now." in preview.text
    confirmed = client.post("/b/acme/staff/members/import/confirm",
                            data={"payload": base64.b64encode(content).decode()})
    assert confirmed.status_code == 302 and re.fullmatch(r"/jobs/\d+", confirmed.headers["Location"])
    page = client.get(confirmed.headers["Location"])
    assert page.status_code == 200
    assert "<h2 id=\"job-state\">Done</h2>" in page.text
    assert "3 customers imported; 2 members verified now." in page.text
    assert "2 are kept for when they sign up." not in page.text and "1 is kept for when they sign up." in page.text
    assert '<progress id="job-progress" max="100" value="100">' in page.text
    assert 'http-equiv="refresh"' not in page.text  # finished: it stops reloading itself
    with app.app_context():
        assert [_status(ann), _status(bob), _status(unlisted)] == [MembershipStatus.VERIFIED] * 2 + [
            MembershipStatus.PENDING]
        assert _count(CustomerRecord) == 3
        # Every verification is its own audited act (batched, not dropped), plus the import's one event.
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions.count("membership.verified") == 2 and actions.count("community.customers_imported") == 1
        assert audit.verify_chain().ok
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "membership")) == 2
        job = db.session.scalar(select(JobRun))
        assert job.input_data is None  # the uploaded list (personal data) is not kept once the job ends


def test_progress_is_shown_on_the_page_while_the_job_runs(app, make, client, monkeypatch):
    brand = make.brand(slug="acme")
    staff = make.staff(brand)
    login(client, staff)
    content = b"email\n" + b"".join(f"c{n}@example.test\n".encode() for n in range(7))
    job = _queued_job(monkeypatch, brand, staff, content)
    waiting = client.get(f"/jobs/{job.id}")
    assert "Waiting for its turn" in waiting.text and "Waiting for the worker." in waiting.text
    assert '<meta http-equiv="refresh" content="3">' in waiting.text
    monkeypatch.setattr(customer_import, "BATCH", 2)
    seen = []
    report = job_runs.report_progress

    def report_then_look(*args):
        report(*args)
        page = client.get(f"/jobs/{job.id}").text
        seen.append((re.search(r'<label for="job-progress">([^<]*)</label>', page).group(1),
                     re.search(r'<progress id="job-progress" max="100" value="(\d+)"', page).group(1),
                     'http-equiv="refresh"' in page))

    monkeypatch.setattr(job_runs, "report_progress", report_then_look)
    _run_as_the_worker(app, job)
    assert ("Checking the file: 2 of 8 lines.", "25", True) in seen
    assert ("Checking the file: 6 of 8 lines.", "75", True) in seen
    assert ("Matching the list with the members.", "100", True) in seen
    if job_runs.progress_while_writing():  # PostgreSQL: the writing's batches show too
        assert ("Writing: 4 of 7 customers.", "57", True) in seen
    done = client.get(f"/jobs/{job.id}").text
    assert "7 customers imported; 0 members verified now." in done and 'http-equiv="refresh"' not in done
    assert client.get(f"/api/v1/jobs/{job.id}", headers=_token(staff)).get_json()["result"]["rows"] == 7


def test_a_faulty_file_is_refused_before_any_job_and_nothing_is_written(app, make, client):
    brand = make.brand(slug="acme")
    staff = make.staff(brand)
    pending = make.member(brand, user=make.user(email="good@example.test"), status=MembershipStatus.PENDING)
    login(client, staff)
    bad = b"email\ngood@example.test\nbad@@example\n"
    page = client.post("/b/acme/staff/members/import/confirm", data={"payload": base64.b64encode(bad).decode()},
                       follow_redirects=True)
    assert "The file was refused; nothing was imported." in page.text
    refused = client.post("/api/v1/brands/acme/memberships/import", data=bad, headers=_token(staff))
    assert refused.status_code == 422
    assert "Line 3" in refused.get_json()["error"]["fields"]["file"]
    with app.app_context():
        assert _count(JobRun) == 0 and _count(CustomerRecord) == 0
        assert _status(pending) is MembershipStatus.PENDING


def test_a_job_refused_when_it_runs_writes_nothing_and_shows_failed_with_the_reason(app, make, client, monkeypatch):
    brand = make.brand(slug="acme")
    staff = make.staff(brand)
    pending = make.member(brand, user=make.user(email="ann@example.test"), status=MembershipStatus.PENDING)
    job = _queued_job(monkeypatch, brand, staff, b"email\nann@example.test\n")
    # Between the queue and the run, the requester left the brand's staff: the worker refuses the import.
    db.session.delete(db.session.scalar(select(StaffRole).where(StaffRole.user_id == staff.id)))
    db.session.commit()
    _run_as_the_worker(app, job)
    login(client, staff)
    page = client.get(f"/jobs/{job.id}")  # still their job: they asked for it
    assert "<h2 id=\"job-state\">Failed</h2>" in page.text
    assert "Only the brand&#39;s staff can import customers." in page.text
    assert _count(CustomerRecord) == 0 and _status(pending) is MembershipStatus.PENDING


def test_a_failure_after_the_customers_were_written_undoes_them_all(app, make, client, monkeypatch):
    brand = make.brand(slug="acme")
    staff = make.staff(brand)
    pending = make.member(brand, user=make.user(email="c3@example.test"), status=MembershipStatus.PENDING)
    content = b"email\n" + b"".join(f"c{n}@example.test\n".encode() for n in range(12))
    job = _queued_job(monkeypatch, brand, staff, content)
    monkeypatch.setattr(customer_import, "BATCH", 5)
    written = []

    def crash(*args):
        written.append(db.session.scalar(select(func.count()).select_from(CustomerRecord)))  # inside the job
        raise RuntimeError("disk full")

    monkeypatch.setattr(customer_import, "mark_verified_many", crash)
    _run_as_the_worker(app, job)
    assert written == [12]  # every line had been written, in the job's one transaction…
    assert _count(CustomerRecord) == 0 and _status(pending) is MembershipStatus.PENDING  # …and none is left
    login(client, staff)
    data = client.get(f"/api/v1/jobs/{job.id}", headers=_token(staff)).get_json()
    assert data["state"] == "failed" and "RuntimeError" in data["error"] and "nothing of it was kept" in data["error"]
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert not {"membership.verified", "community.customers_imported"} & actions


def test_only_the_requester_the_brands_staff_and_admins_see_a_job(app, make, client):
    brand, other = make.brand(slug="acme"), make.brand(slug="other")
    requester, colleague = make.staff(brand), make.staff(brand)
    admin = make.user(admin=True)
    outsiders = [make.staff(other), make.member(brand), make.user()]
    job = customer_import.start_import(brand, requester, b"email\nx@example.test\n")
    for person in (requester, colleague, admin):
        assert client.get(f"/api/v1/jobs/{job.id}", headers=_token(person)).status_code == 200
    for person in outsiders:
        assert client.get(f"/api/v1/jobs/{job.id}", headers=_token(person)).status_code == 404
        assert client.get(f"/api/v1/jobs/{job.id + 1000}", headers=_token(person)).status_code == 404
        login(client, person)
        assert client.get(f"/jobs/{job.id}").status_code == 404
        client.post("/logout")
    login(client, colleague)
    assert client.get(f"/jobs/{job.id}").status_code == 200
    assert client.get(f"/jobs/{job.id + 1000}").status_code == 404


def test_a_100000_line_file_is_accepted_and_imported_by_the_job(app, make):
    brand = make.brand(slug="acme")
    staff = make.staff(brand)
    # A realistic 100,000-address list fits the size limit (the web form and the API check it first)…
    addresses = b"email,customer_number\n" + b"".join(
        f"firstname.lastname{n}@example-shop.test,C-{n:07d}\n".encode() for n in range(100_000))
    customer_import.check_size(addresses, app.config["IMPORT_MAX_BYTES"])
    # …and 100,000 lines go through the whole job (numbers only: the e-mail check's cost is measured in bench/).
    numbers = b"customer_number\n" + b"".join(f"C-{n:07d}\n".encode() for n in range(100_000))
    job = customer_import.start_import(brand, staff, numbers)
    db.session.expire_all()
    job = db.session.get(JobRun, job.id)
    assert job.state is JobState.DONE, job.error
    assert (job.done, job.total, job_runs.result_of(job)["rows"]) == (100_000, 100_000, 100_000)
    assert _count(CustomerRecord) == 100_000


def test_more_lines_than_the_limit_are_refused_saying_the_limit(app, make, monkeypatch):
    brand = make.brand(slug="acme")
    staff = make.staff(brand)
    assert customer_import.MAX_ROWS == 200_000
    monkeypatch.setattr(customer_import, "MAX_ROWS", 3)
    with pytest.raises(customer_import.ValidationFailed, match="At most 3 customers per file."):
        customer_import.start_import(brand, staff, b"customer_number\nA\nB\nC\nD\n")
    assert _count(JobRun) == 0


@pytest.mark.parametrize("address", [
    "Ann.Smith@Example.ORG", "a+tag@sub.example.org", "o'brien@example.org", "x@localhost", "a..b@example.org",
    ".a@example.org", "a.@example.org", "a@-example.org", "a@example", "a@example..org", "zoé@exämple.org",
    "\"quoted local\"@example.org", "a@[127.0.0.1]", "a@example.org.", "a" * 65 + "@example.org",
    "a@" + "b" * 64 + ".org", "a@b@example.org", "@example.org", "a@", "a b@example.org", "a@exa_mple.org",
])
def test_the_fast_address_check_agrees_with_email_validator(app, address):
    from email_validator import EmailNotValidError, validate_email

    def reference(value):
        try:
            return validate_email(value, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            return "refused"

    def fast(value):
        try:
            return customer_import.email_checker()(value)
        except EmailNotValidError:
            return "refused"

    with app.app_context():
        assert fast(address) == reference(address)
