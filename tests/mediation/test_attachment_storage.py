"""Attachments: quotas per case and per person, atomic writes (a full disk keeps nothing), a missing file is a 404,
the database store for several machines, CASE_FILES_DIR read from the environment, and a removed mediator's access."""
from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from extensions import db
from institutions import clock
from mediation import admissibility, documents_store, filing, roster
from mediation.models import CaseDocument, CaseFileBlob
from tests.conftest import T0, bearer, login
from tests.mediation.filing_fixtures import PDF, PNG, file_case

MB = 1024 * 1024


def big_pdf(megabytes: float) -> bytes:
    """A PDF of about this size (within the 5 MB a file may weigh)."""
    return PDF + b"0" * int(megabytes * MB)


def stored_files(app) -> set[str]:
    """Every name in the storage folder, temporary files included."""
    return set(os.listdir(app.config["CASE_FILES_DIR"]))


def documents_of(case) -> list[CaseDocument]:
    return db.session.scalars(select(CaseDocument).where(CaseDocument.case_id == case.id)).all()


@pytest.fixture
def quotas(app, monkeypatch):
    """quotas(case_mb, person_mb, days=30): small quotas for this test."""

    def set_quotas(case_mb: int, person_mb: int, days: int = 30) -> None:
        monkeypatch.setitem(app.config, "CASE_FILES_CASE_QUOTA_MB", case_mb)
        monkeypatch.setitem(app.config, "CASE_FILES_PERSON_QUOTA_MB", person_mb)
        monkeypatch.setitem(app.config, "CASE_FILES_PERSON_QUOTA_DAYS", days)

    return set_quotas


@pytest.fixture
def carla_case(panel, make):
    """(scene, carla, case): a filed case of Carla's, without attachments."""
    scene = panel(mediators=2)
    carla = make.member(scene.brand, user=make.user(name="Carla Complainant"))
    return scene, carla, file_case(scene, carla)


# --- quotas --------------------------------------------------------------------------------------------------------

def test_a_case_holds_no_more_than_its_quota(app, ctx, quotas, carla_case, make):
    quotas(case_mb=6, person_mb=100)
    scene, carla, case = carla_case
    filing.add_attachments(case, carla, [("a.pdf", big_pdf(3))])
    db.session.commit()
    before = stored_files(app)
    with pytest.raises(documents_store.QuotaExceeded) as refused:
        filing.add_attachments(case, carla, [("b.pdf", big_pdf(2)), ("c.pdf", big_pdf(2))])
    assert refused.value.status == 413 and "attachments" in refused.value.fields
    assert refused.value.message.startswith("This case already holds 3.0 MB of attachments") and "6.0 MB" in \
        refused.value.message
    db.session.rollback()
    assert stored_files(app) == before and len(documents_of(case)) == 1  # nothing of the refused files was kept
    # What still fits is accepted.
    filing.add_attachments(case, carla, [("b.pdf", big_pdf(2))])
    db.session.commit()
    assert len(documents_of(case)) == 2


def test_a_person_sends_no_more_than_their_quota_over_the_window(app, ctx, quotas, panel, make):
    quotas(case_mb=50, person_mb=5, days=30)
    scene = panel(mediators=1)
    carla = make.member(scene.brand, user=make.user(name="Carla Complainant"))
    first = file_case(scene, carla, attachments=[("a.pdf", big_pdf(4))])
    second = file_case(scene, carla)
    with pytest.raises(documents_store.QuotaExceeded,
                       match="You have sent 4.0 MB of attachments over the last 30 days: with these files you would "
                             "pass the limit of 5.0 MB per person"):
        filing.add_attachments(second, carla, [("b.pdf", big_pdf(2))])
    db.session.rollback()
    # Someone else's files do not count against Carla, nor Carla's against them.
    other = make.member(scene.brand)
    filing.add_attachments(file_case(scene, other), other, [("c.pdf", big_pdf(4))])
    db.session.commit()
    clock.freeze(T0 + timedelta(days=31))
    filing.add_attachments(second, carla, [("b.pdf", big_pdf(2))])
    db.session.commit()
    assert len(documents_of(first)) == 1 and len(documents_of(second)) == 1


def test_the_quota_refusal_reaches_the_api_and_the_page(app, quotas, carla_case):
    quotas(case_mb=1, person_mb=100)
    scene, carla, case = carla_case
    api = app.test_client()
    refused = api.post(f"/api/v1/brands/acme/cases/{case.id}/attachments", headers=bearer(carla),
                       content_type="multipart/form-data", data={"files": [(io.BytesIO(big_pdf(2)), "big.pdf")]})
    assert refused.status_code == 413
    error = refused.get_json()["error"]
    assert error["code"] == "quota_exceeded" and "limit of 1.0 MB" in error["fields"]["attachments"]
    browser = app.test_client()
    login(browser, carla)
    page = browser.post(f"/b/acme/cases/{case.id}/attachments", content_type="multipart/form-data",
                        data={"attach-attachments": [(io.BytesIO(big_pdf(2)), "big.pdf")]})
    assert page.status_code == 422 and "limit of 1.0 MB" in page.text


# --- atomic writes -------------------------------------------------------------------------------------------------

@pytest.fixture
def full_disk(monkeypatch):
    """full_disk(after=n): the n+1-th file's write fails with ENOSPC once its bytes are half on the disk."""

    def fill(after: int = 0) -> None:
        calls = {"n": 0}
        real_fsync = os.fsync

        def fsync(descriptor):
            calls["n"] += 1
            if calls["n"] > after:
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_fsync(descriptor)

        monkeypatch.setattr(documents_store.os, "fsync", fsync)

    return fill


def test_a_full_disk_keeps_nothing_and_says_so(app, ctx, carla_case, full_disk):
    scene, carla, case = carla_case
    before = stored_files(app)
    full_disk(after=1)  # the first file is written, the second fails
    with pytest.raises(documents_store.StorageFailed, match="could not be stored right now") as failed:
        filing.add_attachments(case, carla, [("a.pdf", PDF), ("b.png", PNG)])
    assert failed.value.status == 503
    db.session.rollback()
    assert stored_files(app) == before  # neither the first file nor the second's partial temporary file remains
    assert documents_of(case) == []


def test_a_full_disk_answers_503_on_the_api_and_a_message_on_the_page(app, carla_case, full_disk):
    scene, carla, case = carla_case
    before = stored_files(app)
    full_disk()
    api = app.test_client()
    failed = api.post(f"/api/v1/brands/acme/cases/{case.id}/attachments", headers=bearer(carla),
                      content_type="multipart/form-data", data={"files": [(io.BytesIO(PDF), "a.pdf")]})
    assert failed.status_code == 503 and failed.get_json()["error"]["code"] == "storage_unavailable"
    browser = app.test_client()
    login(browser, carla)
    page = browser.post(f"/b/acme/cases/{case.id}/attachments", content_type="multipart/form-data",
                        data={"attach-attachments": [(io.BytesIO(PDF), "a.pdf")]})
    assert page.status_code == 422 and "nothing was kept" in page.text
    assert stored_files(app) == before


def test_a_file_written_for_an_act_rolled_back_is_removed(app, ctx, carla_case):
    scene, carla, case = carla_case
    before = stored_files(app)
    filing.add_attachments(case, carla, [("a.pdf", PDF)])
    assert len(stored_files(app)) == len(before) + 1  # written, not yet committed
    db.session.rollback()  # e.g. the commit failed
    assert stored_files(app) == before


# --- missing files -------------------------------------------------------------------------------------------------

def test_a_missing_file_answers_404_not_500(app, carla_case):
    scene, carla, case = carla_case
    filing.add_attachments(case, carla, [("a.pdf", PDF)])
    db.session.commit()
    document = documents_of(case)[0]
    Path(app.config["CASE_FILES_DIR"], document.storage_key).unlink()
    browser = app.test_client()
    login(browser, carla)
    page = browser.get(f"/b/acme/cases/{case.id}/attachments/{document.id}")
    assert page.status_code == 404 and "no longer in storage" in page.text
    api = app.test_client().get(f"/api/v1/brands/acme/cases/{case.id}/documents/{document.id}", headers=bearer(carla))
    assert api.status_code == 404 and api.get_json()["error"]["code"] == "not_found"


# --- where files live ----------------------------------------------------------------------------------------------

def test_files_go_to_the_configured_folder(app, ctx, carla_case):
    scene, carla, case = carla_case
    filing.add_attachments(case, carla, [("a.pdf", PDF)])
    db.session.commit()
    key = documents_of(case)[0].storage_key
    assert Path(app.config["CASE_FILES_DIR"], key).read_bytes() == PDF
    assert not Path(app.instance_path, "case_files", key).exists()


def test_case_files_dir_and_storage_are_read_from_the_environment(tmp_path):
    script = "from config import Config; print(Config.CASE_FILES_DIR, Config.CASE_FILES_STORAGE, " \
             "Config.CASE_FILES_CASE_QUOTA_MB, Config.CASE_FILES_PERSON_QUOTA_MB)"
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "CASE_FILES_DIR": str(tmp_path), "CASE_FILES_STORAGE": "database",
           "CASE_FILES_CASE_QUOTA_MB": "12", "CASE_FILES_PERSON_QUOTA_MB": "34"}
    out = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == [str(tmp_path), "database", "12", "34"]


def test_the_database_store_serves_every_machine(app, monkeypatch, carla_case, tmp_path):
    scene, carla, case = carla_case
    monkeypatch.setitem(app.config, "CASE_FILES_STORAGE", "database")
    before = stored_files(app)
    api = app.test_client()
    sent = api.post(f"/api/v1/brands/acme/cases/{case.id}/attachments", headers=bearer(carla),
                    content_type="multipart/form-data", data={"files": [(io.BytesIO(PDF), "a.pdf")]})
    assert sent.status_code == 201
    assert stored_files(app) == before  # nothing on this machine's disk
    # Another machine: its own (empty) folder, the same database.
    monkeypatch.setitem(app.config, "CASE_FILES_DIR", str(tmp_path))
    url = sent.get_json()["attachments"][0]["url"]
    assert app.test_client().get(url, headers=bearer(carla)).data == PDF
    with app.test_request_context():
        assert db.session.scalar(select(func.count()).select_from(CaseFileBlob)) == 1
        # A failed act keeps no blob: it was written in the act's own transaction.
        filing.add_attachments(case, carla, [("b.pdf", PDF)])
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(CaseFileBlob)) == 1
        db.session.delete(db.session.get(CaseFileBlob, documents_of(case)[0].storage_key))
        db.session.commit()
    assert app.test_client().get(url, headers=bearer(carla)).status_code == 404


def test_an_unknown_storage_is_a_deployment_error(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "CASE_FILES_STORAGE", "s3")
    with pytest.raises(RuntimeError, match="CASE_FILES_STORAGE must be one of filesystem, database"):
        documents_store.backend()


# --- a mediator who leaves -----------------------------------------------------------------------------------------

def test_a_mediator_removed_from_the_roster_loses_their_closed_cases(app, carla_case):
    scene, carla, case = carla_case
    filing.add_attachments(case, carla, [("a.pdf", PDF)])
    admissibility.refuse(case, scene.mediators[0], "outside_scope")
    db.session.commit()
    document = documents_of(case)[0]
    page, download = f"/b/acme/cases/{case.id}", f"/b/acme/cases/{case.id}/attachments/{document.id}"
    maya = app.test_client()
    login(maya, scene.mediators[0])
    assert maya.get(page).status_code == 200 and maya.get(download).data == PDF
    # Leaving the brand's panel only: the closed case stays readable.
    roster.remove_from_panel(scene.entries[0], scene.brand, scene.admin, "resignation")
    db.session.commit()
    assert maya.get(page).status_code == 200
    # Leaving the roster: no case of hers is readable any more, closed or not; the parties keep theirs.
    roster.remove_mediator(scene.entries[0], scene.admin, "resignation")
    db.session.commit()
    for path in (page, download):
        assert maya.get(path).status_code == 403
    assert maya.get(f"/api/v1/brands/acme/cases/{case.id}", headers=bearer(scene.mediators[0])).status_code == 403
    assert app.test_client().get(f"/api/v1/brands/acme/cases/{case.id}", headers=bearer(carla)).status_code == 200
