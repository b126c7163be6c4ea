"""The case pages as people use them: filing, the mediator's decision, the brand's answer, objections, the admin."""
from __future__ import annotations

import io
from datetime import timedelta

from extensions import db
from institutions import clock
from mediation import admissibility, filing
from mediation.models import CaseState, MediationCase, Mediator
from institutions.models import MembershipStatus
from tests.conftest import T0
from tests.mediation.filing_fixtures import PDF, PNG, file_case
from tests.conftest import login

FORM = {"facts": "The bike arrived with a broken frame.", "request": "A new frame.",
        "prior_complaint_on": "2027-02-01", "prior_complaint": "Ticket 4521", "complainant_country": "BE"}


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


def _case() -> MediationCase:
    db.session.expire_all()
    return db.session.scalars(db.select(MediationCase).order_by(MediationCase.id.desc())).first()


def test_a_member_files_through_the_form_and_follows_the_case(app, panel, make):
    scene = panel()
    carla = make.member(scene.brand, user=make.user(name="Carla Complainant"))
    browser = _client(app, carla)
    page = browser.get("/b/acme/cases/new")
    assert page.status_code == 200 and "Product defect" in page.text and '<option selected value="FR">' in page.text
    assert "as the customer president" not in page.text  # only the sitting president sees that box
    category = filing.categories_for(scene.brand)[1]
    refused = browser.post("/b/acme/cases/new", data={**FORM, "category_id": category.id, "facts": ""})
    assert refused.status_code == 422 and "This field is required" in refused.text
    wrong = browser.post("/b/acme/cases/new", content_type="multipart/form-data", data={
        **FORM, "category_id": category.id, "attachments": [(io.BytesIO(PNG), "invoice.pdf")]})
    assert wrong.status_code == 422 and "is not what its name says" in wrong.text
    filed = browser.post("/b/acme/cases/new", content_type="multipart/form-data", data={
        **FORM, "category_id": category.id, "collective": "y",
        "attachments": [(io.BytesIO(PDF), "invoice.pdf"), (io.BytesIO(PNG), "photo.png")]})
    case = _case()
    assert filed.status_code == 302 and filed.headers["Location"].endswith(f"/b/acme/cases/{case.id}")
    assert case.collective and case.complainant_country == "BE" and case.category_id == category.id
    page = browser.get(f"/b/acme/cases/{case.id}")
    assert page.status_code == 200
    for text in ("The bike arrived with a broken frame.", "Ticket 4521", "invoice.pdf", "Mediator: Maya Mediator",
                 "Case filed", "Mediator assigned", "Decision on admissibility", "Object to the mediator",
                 "You may withdraw from the mediation at any time"):
        assert text in page.text, text
    document = db.session.scalars(db.select(filing.CaseDocument).where(
        filing.CaseDocument.case_id == case.id)).first()
    download = browser.get(f"/b/acme/cases/{case.id}/attachments/{document.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf" and "attachment" in download.headers[
        "Content-Disposition"]
    mine = browser.get("/b/acme/cases/")
    assert f"Case #{case.id}" in mine.text and "Filed: waiting for the admissibility decision" in mine.text
    added = browser.post(f"/b/acme/cases/{case.id}/attachments", content_type="multipart/form-data",
                         data={"attach-attachments": [(io.BytesIO(PNG), "later.png")]})
    assert added.status_code == 302 and "later.png" in browser.get(f"/b/acme/cases/{case.id}").text


def test_only_verified_members_see_the_filing_form(app, panel, make):
    scene = panel()
    pending = _client(app, make.member(scene.brand, status=MembershipStatus.PENDING))
    page = pending.get("/b/acme/cases/new")
    assert page.status_code == 403 and "still waits for the brand" in page.text
    assert pending.post("/b/acme/cases/new", data=FORM).status_code == 403
    assert "Only verified members" in _client(app, scene.staff).get("/b/acme/cases/new").text


def test_the_mediator_decides_and_the_brand_answers_through_the_pages(app, panel, make):
    scene = panel()
    carla = make.member(scene.brand)
    case = file_case(scene, carla)
    mediator, staff, complainant = _client(app, scene.mediators[0]), _client(app, scene.staff), _client(app, carla)
    page = mediator.get(f"/b/acme/cases/{case.id}")
    assert "Open the case" in page.text and "Refuse the case" in page.text and "Object to the mediator" not in page.text
    assert "What you can do now" not in staff.get(f"/b/acme/cases/{case.id}").text  # nothing yet for the brand
    empty = mediator.post(f"/b/acme/cases/{case.id}/incomplete", data={"incomplete-missing": ""})
    assert empty.status_code == 422 and "Mark as incomplete" in empty.text
    assert mediator.post(f"/b/acme/cases/{case.id}/incomplete",
                         data={"incomplete-missing": "The invoice"}).status_code == 302
    assert complainant.post(f"/b/acme/cases/{case.id}/open").status_code == 422  # the service refuses a party
    assert "Complete your case" in complainant.get(f"/b/acme/cases/{case.id}").text
    clock.freeze(T0 + timedelta(days=2))
    assert complainant.post(f"/b/acme/cases/{case.id}/complete", content_type="multipart/form-data",
                            data={"complete-information": "Attached.",
                                  "complete-attachments": [(io.BytesIO(PDF), "invoice.pdf")]}).status_code == 302
    assert _case().state is CaseState.FILED and _case().clock_stopped_days == 2
    assert mediator.post(f"/b/acme/cases/{case.id}/open").status_code == 302
    page = staff.get(f"/b/acme/cases/{case.id}")
    assert "Answer for the brand" in page.text and "Object to the mediator" in page.text
    assert staff.post(f"/b/acme/cases/{case.id}/answer", data={"brand_answer-answer": ""}).status_code == 422
    assert staff.post(f"/b/acme/cases/{case.id}/answer",
                      data={"brand_answer-answer": "We take part."}).status_code == 302
    assert _case().brand_answered_at is not None and "The brand takes part" in complainant.get(
        f"/b/acme/cases/{case.id}").text


def test_refusal_and_decline_through_the_pages(app, panel, make):
    scene = panel()
    first, second = file_case(scene, make.member(scene.brand)), file_case(scene, make.member(scene.brand))
    mediator = _client(app, scene.mediators[0])
    assert mediator.post(f"/b/acme/cases/{first.id}/refuse", data={"refuse-reason": "bogus"}).status_code == 422
    assert mediator.post(f"/b/acme/cases/{first.id}/refuse",
                         data={"refuse-reason": "outside_scope", "refuse-note": "Not a consumer dispute."}
                         ).status_code == 302
    page = mediator.get(f"/b/acme/cases/{first.id}")
    assert "Refused by the mediator" in page.text and "Outside the mediator&#39;s scope" in page.text
    admissibility.open_case(second, scene.mediators[0])
    db.session.commit()
    assert _client(app, scene.staff).post(f"/b/acme/cases/{second.id}/decline",
                                          data={"brand_decline-reason": ""}).status_code == 302
    assert _case().state is CaseState.BRAND_REFUSED


def test_an_objection_goes_to_the_admin_who_decides(app, panel, make):
    scene = panel(mediators=2)
    carla = make.member(scene.brand)
    case = file_case(scene, carla)
    complainant, admin = _client(app, carla), _client(app, scene.admin)
    assert complainant.post(f"/b/acme/cases/{case.id}/objection", data={"objection-reason": ""}).status_code == 422
    assert complainant.post(f"/b/acme/cases/{case.id}/objection",
                            data={"objection-reason": "She knows the brand's CEO."}).status_code == 302
    listed = admin.get("/admin/mediators/objections")
    assert "She knows the brand&#39;s CEO." in listed.text and "broken frame" not in listed.text
    objection = admissibility.objections_query()
    objection_id = db.session.scalars(objection).first().id
    bad = admin.post(f"/admin/mediators/objections/{objection_id}/decide",
                     data={f"objection{objection_id}-decision": "reassigned"})
    assert bad.status_code == 422
    done = admin.post(f"/admin/mediators/objections/{objection_id}/decide",
                      data={f"objection{objection_id}-decision": "reassigned",
                            f"objection{objection_id}-reason": "A fair doubt."})
    assert done.status_code == 302 and _case().mediator.name == "Noor Neutral"
    assert "No objection waits" in admin.get("/admin/mediators/objections").text
    assert _client(app, carla).get("/admin/mediators/objections").status_code == 403


def test_the_admin_keeps_the_roster_through_the_pages(app, panel, make):
    scene = panel(mediators=0)
    admin = _client(app, scene.admin)
    home = admin.get("/admin/")
    assert 'href="/admin/mediators/"' in home.text
    newcomer = make.user(email="noor@example.test", name="Noor")
    form = {"name": "Noor Neutral", "email": "noor@example.test", "qualifications": "Certified",
            "appointing_body": "Bar council", "term_starts_on": "2027-01-01", "term_ends_on": "2030-01-01",
            "declaration_of_interests": "None."}
    short = admin.post("/admin/mediators/new", data={**form, "term_ends_on": "2028-01-01"})
    assert short.status_code == 422 and "at least three years" in short.text
    assert admin.post("/admin/mediators/new", data=form).status_code == 302
    entry = db.session.scalars(db.select(Mediator)).one()
    assert entry.user_id == newcomer.id
    case = file_case(scene, make.member(scene.brand))  # waits: nobody on the panel yet
    roster_page = admin.get("/admin/mediators/")
    assert "Noor Neutral" in roster_page.text and f"Case #{case.id} at Acme Bikes" in roster_page.text
    assert admin.post(f"/admin/mediators/{entry.id}/panels",
                      data={f"appoint{entry.id}-brand": "acme"}).status_code == 302
    assert _case().mediator_id == entry.id
    assert "Noor Neutral" in admin.get("/b/acme/charter").text
    edit = admin.get(f"/admin/mediators/{entry.id}/edit")
    assert 'value="noor@example.test"' in edit.text
    assert admin.post(f"/admin/mediators/{entry.id}/edit", data={**form, "name": "Noor N. Neutral"}).status_code == 302
    assert admin.post(f"/admin/mediators/{entry.id}/panels/acme/remove",
                      data={f"leave{entry.id}-acme-reason": "resignation"}).status_code == 302
    assert "Waiting for a mediator" in _client(app, _case().complainant).get(f"/b/acme/cases/{case.id}").text
    assert admin.post(f"/admin/mediators/{entry.id}/remove",
                      data={f"remove{entry.id}-reason": "resignation"}).status_code == 302
    db.session.expire_all()
    assert entry.removed_at is not None
    assert _client(app, scene.staff).get("/admin/mediators/").status_code == 403


def test_the_mediators_queue_and_the_brands_list_sort_by_deadline(app, panel, make):
    scene = panel()
    older = file_case(scene, make.member(scene.brand))
    clock.freeze(T0 + timedelta(days=1))
    newer = file_case(scene, make.member(scene.brand))
    admissibility.open_case(newer, scene.mediators[0])  # the brand's answer is due in 20 days
    db.session.commit()
    queue = _client(app, scene.mediators[0]).get("/mediator/")
    assert queue.status_code == 200
    assert queue.text.index(f"Case #{older.id}") < queue.text.index(f"Case #{newer.id}")  # admissibility first
    assert "due from the brand" in queue.text and "Acme Bikes" in queue.text
    staff = _client(app, scene.staff)
    listing = staff.get("/b/acme/cases/brand")
    assert listing.status_code == 200 and "yours" in listing.text
    assert listing.text.index(f"Case #{newer.id}") > 0
    dashboard = staff.get("/b/acme/staff/")
    assert "1 mediation case waits for the brand&#39;s answer (the first by 2027-03-22)" in dashboard.text
    assert _client(app, make.member(scene.brand)).get("/mediator/").status_code == 403
    assert _client(app, make.member(scene.brand)).get("/b/acme/cases/brand").status_code == 403


def test_page_views_apply_what_fell_due(app, panel, make):
    scene = panel()
    carla = make.member(scene.brand)
    case = file_case(scene, carla)
    admissibility.open_case(case, scene.mediators[0])
    db.session.commit()
    clock.freeze(T0 + timedelta(days=21))
    page = _client(app, carla).get(f"/b/acme/cases/{case.id}")
    assert "The brand did not take part" in page.text and "The brand did not answer in time" in page.text
    assert _case().state is CaseState.BRAND_REFUSED


def test_members_join_a_collective_case_from_their_page(app, panel, make):
    scene = panel()
    case = file_case(scene, make.member(scene.brand), collective=True)
    jo = make.member(scene.brand, user=make.user(name="Jo Joiner"))
    browser = _client(app, jo)
    page = browser.get("/b/acme/cases/")
    assert "Collective cases you may join" in page.text and "broken frame" not in page.text
    assert browser.get(f"/b/acme/cases/{case.id}").status_code == 403  # not before joining
    assert browser.post(f"/b/acme/cases/{case.id}/join").status_code == 302
    assert "Jo Joiner" in browser.get(f"/b/acme/cases/{case.id}").text


def test_a_panel_mediator_extends_the_categories(app, panel, make):
    scene = panel()
    mediator = _client(app, scene.mediators[0])
    assert "After-sales service" in mediator.get("/mediator/brands/acme/categories").text
    assert mediator.post("/mediator/brands/acme/categories", data={"name": "Billing"}).status_code == 422
    assert mediator.post("/mediator/brands/acme/categories", data={"name": "Loyalty points"}).status_code == 302
    assert "Loyalty points" in _client(app, make.member(scene.brand)).get("/b/acme/cases/new").text
    assert _client(app, scene.staff).get("/mediator/brands/acme/categories").status_code == 403
