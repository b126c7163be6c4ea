"""A case's content is for its parties and its mediator only: everyone else gets 403, on pages, API and files."""
from __future__ import annotations

import pytest

from extensions import db
from mediation import filing
from mediation.models import CaseDocument
from mediation.timeline import record_event, visible_events
from tests.conftest import bearer
from tests.mediation.filing_fixtures import PDF, PNG, file_case
from tests.conftest import login

SECRET = "The bike arrived with a broken frame."


@pytest.fixture
def private_case(panel, make):
    """A case with an attachment, and every kind of third party."""

    def build():
        scene = panel(mediators=2)
        carla = make.member(scene.brand, user=make.user(name="Carla"))
        case = file_case(scene, carla, facts=SECRET, attachments=[("invoice.pdf", PDF)])
        document = db.session.scalars(db.select(CaseDocument).where(CaseDocument.case_id == case.id)).one()
        other_brand = make.brand(slug="other")
        outsiders = {
            "another member": make.member(scene.brand),
            "staff of another brand": make.staff(other_brand),
            "a member of another brand": make.member(other_brand),
            "another mediator of the panel": scene.mediators[1],
            "the platform admin": scene.admin,
            "someone": make.user(),
        }
        return scene, carla, case, document, outsiders

    return build


def test_third_parties_get_403_on_the_page_the_api_and_the_files(app, private_case):
    scene, carla, case, document, outsiders = private_case()
    page = f"/b/acme/cases/{case.id}"
    download = f"{page}/attachments/{document.id}"
    api = f"/api/v1/brands/acme/cases/{case.id}"
    for who, person in outsiders.items():
        browser = app.test_client()
        login(browser, person)
        for path in (page, download):
            response = browser.get(path)
            assert response.status_code == 403 and SECRET not in response.text, (who, path)
        headers = bearer(person)
        for path in (api, f"{api}/documents/{document.id}"):
            response = browser.get(path, headers=headers)
            assert response.status_code == 403 and SECRET not in response.text, (who, path)
        for act in ("open", "incomplete", "refuse", "brand-answer", "objections", "complete"):
            assert browser.post(f"{api}/{act}", json={}, headers=headers).status_code in (403, 422), (who, act)
        assert browser.post(f"{page}/open").status_code == 403, who
    # Anonymous visitors are sent to sign in; the API says 401.
    anonymous = app.test_client()
    assert anonymous.get(page).status_code == 302 and anonymous.get(api).status_code == 401


def test_the_parties_and_the_mediator_read_it(app, private_case):
    scene, carla, case, document, _outsiders = private_case()
    for person in (carla, scene.staff, scene.mediators[0]):
        browser = app.test_client()
        login(browser, person)
        assert SECRET in browser.get(f"/b/acme/cases/{case.id}").text
        assert browser.get(f"/b/acme/cases/{case.id}/attachments/{document.id}").data == PDF
        assert browser.get(f"/api/v1/brands/acme/cases/{case.id}", headers=bearer(person)).get_json()["facts"] == SECRET


def test_a_case_is_only_reached_under_its_own_brand(app, private_case, make):
    scene, carla, case, document, _outsiders = private_case()
    browser = app.test_client()
    login(browser, carla)
    assert browser.get(f"/b/other/cases/{case.id}").status_code == 404
    assert browser.get(f"/b/acme/cases/{case.id}/attachments/99999").status_code == 404


def test_a_document_shared_with_one_side_stays_with_it(app, private_case):
    scene, carla, case, _document, _outsiders = private_case()
    hidden = CaseDocument(case_id=case.id, uploaded_by_id=scene.staff.id, visible_to="brand", filename="margin.png",
                          content_type="image/png", size=len(PNG), sha256="0" * 64, storage_key="a" * 48)
    db.session.add(hidden)
    record_event(case, "document_sent", scene.staff, visible_to="brand", note="margin.png")
    db.session.commit()
    browser = app.test_client()
    login(browser, carla)
    assert browser.get(f"/b/acme/cases/{case.id}/attachments/{hidden.id}").status_code == 404
    assert "margin.png" not in browser.get(f"/b/acme/cases/{case.id}").text
    assert "document_sent" not in [e.kind for e in visible_events(case, "complainant")]


def test_the_public_sees_no_case_content(app, private_case):
    scene, _carla, case, _document, _outsiders = private_case()
    public = app.test_client()
    for path in ("/b/acme/transparency", "/b/acme/", "/api/v1/brands/acme/panel"):
        response = public.get(path)
        assert response.status_code == 200 and SECRET not in response.text and "invoice.pdf" not in response.text
    assert filing.joinable_cases(scene.brand, _outsiders["another member"]) == []  # not collective
