"""The cases API: filing with attachments, joining, lists, a case, the mediator's acts, the brand, the roster."""
from __future__ import annotations

import io
from datetime import timedelta

from extensions import db
from institutions import clock
from mediation import filing
from mediation.models import CaseState, MediationCase
from institutions.models import MembershipStatus
from tests.conftest import T0, bearer
from tests.mediation.filing_fixtures import PDF, PNG, file_case

API = "/api/v1/brands/acme"
BODY = {"facts": "The bike arrived broken.", "request": "A new frame.", "prior_complaint_on": "2027-02-01",
        "prior_complaint": "Ticket 4521", "complainant_country": "FR"}


def _error(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.get_json())
    return response.get_json()["error"]


def test_filing_attaching_and_reading_a_case_through_the_api(app, client, panel, make):
    scene = panel()
    carla = bearer(make.member(scene.brand, user=make.user(name="Carla")))
    categories = client.get(f"{API}/case-categories", headers=carla).get_json()["items"]
    assert [c["key"] for c in categories][:2] == ["delivery", "product_defect"]
    body = {**BODY, "category_id": categories[1]["id"]}
    assert _error(client.post(f"{API}/cases", json=body), 401)["code"] == "unauthenticated"
    pending = bearer(make.member(scene.brand, status=MembershipStatus.PENDING))
    assert _error(client.post(f"{API}/cases", json=body, headers=pending), 403)["code"] == "forbidden"
    for field, value in (("facts", ""), ("prior_complaint_on", "yesterday"), ("category_id", "1"),
                         ("collective", "yes"), ("complainant_country", "Narnia"), ("age", 3)):
        assert field in _error(client.post(f"{API}/cases", json={**body, field: value}, headers=carla), 422)["fields"]
    future = (T0 + timedelta(days=2)).date().isoformat()
    assert "prior_complaint_on" in _error(client.post(f"{API}/cases", json={**body, "prior_complaint_on": future},
                                                      headers=carla), 422)["fields"]
    created = client.post(f"{API}/cases", json={**body, "collective": True}, headers=carla)
    assert created.status_code == 201
    case = created.get_json()
    assert case["state"] == "filed" and case["role"] == "complainant" and case["mediator"] == "Maya Mediator"
    assert case["admissibility_due"] == (T0 + timedelta(days=21)).isoformat()
    assert case["next_deadline"]["kind"] == "admissibility" and case["can_object"] is True
    assert [d["kind"] for d in case["deadlines"]] == ["objection_complainant", "admissibility"]
    assert [e["kind"] for e in case["timeline"]] == ["filed", "assigned"]
    url = f"{API}/cases/{case['id']}"
    wrong = client.post(f"{url}/attachments", headers=carla, content_type="multipart/form-data",
                        data={"files": [(io.BytesIO(PNG), "invoice.pdf")]})
    assert "not what its name says" in _error(wrong, 422)["fields"]["attachments"]
    attached = client.post(f"{url}/attachments", headers=carla, content_type="multipart/form-data",
                           data={"files": [(io.BytesIO(PDF), "invoice.pdf"), (io.BytesIO(PNG), "photo.png")]})
    assert attached.status_code == 201
    files = attached.get_json()["attachments"]
    assert [f["filename"] for f in files] == ["invoice.pdf", "photo.png"]
    assert client.get(files[0]["url"], headers=carla).data == PDF
    mine = client.get("/api/v1/me/cases", headers=carla).get_json()
    assert mine["total"] == 1 and mine["items"][0]["id"] == case["id"] and "facts" not in mine["items"][0]
    assert client.get(url, headers=carla).get_json()["facts"] == "The bike arrived broken."


def test_joining_a_collective_case_through_the_api(app, client, panel, make):
    scene = panel()
    case = file_case(scene, make.member(scene.brand), collective=True)
    jo = bearer(make.member(scene.brand))
    listed = client.get(f"{API}/cases/collective", headers=jo).get_json()["items"]
    assert [c["id"] for c in listed] == [case.id] and listed[0]["members_joined"] == 0 and "facts" not in listed[0]
    assert _error(client.get(f"{API}/cases/collective", headers=bearer(scene.staff)), 403)
    assert _error(client.get(f"{API}/cases/{case.id}", headers=jo), 403)
    joined = client.post(f"{API}/cases/{case.id}/join", headers=jo)
    assert joined.status_code == 200 and joined.get_json()["role"] == "complainant"
    assert _error(client.post(f"{API}/cases/{case.id}/join", headers=jo), 409)["code"] == "conflict"
    assert client.get(f"{API}/cases/{case.id}", headers=jo).status_code == 200


def test_the_mediator_and_the_brand_act_through_the_api(app, client, panel, make):
    scene = panel(mediators=2)
    carla_user = make.member(scene.brand)
    case = file_case(scene, carla_user)
    url = f"{API}/cases/{case.id}"
    maya, carla, staff = bearer(scene.mediators[0]), bearer(carla_user), bearer(scene.staff)
    assert _error(client.post(f"{url}/open", headers=carla), 403)
    assert "missing" in _error(client.post(f"{url}/incomplete", json={}, headers=maya), 422)["fields"]
    incomplete = client.post(f"{url}/incomplete", json={"missing": "The invoice"}, headers=maya).get_json()
    assert incomplete["state"] == "incomplete" and incomplete["admissibility_due"] is None
    assert incomplete["deadlines"][0]["kind"] == "complete"
    clock.freeze(T0 + timedelta(days=3))
    completed = client.post(f"{url}/complete", json={"information": "Sent by mail.",
                                                     "prior_complaint_on": "2027-01-15"}, headers=carla).get_json()
    assert completed["state"] == "filed" and completed["prior_complaint_on"] == "2027-01-15"
    assert completed["admissibility_due"] == (T0 + timedelta(days=24)).isoformat()
    assert "reason" in _error(client.post(f"{url}/refuse", json={"reason": "boring"}, headers=maya), 422)["fields"]
    opened = client.post(f"{url}/open", headers=maya).get_json()
    assert opened["state"] == "open" and opened["brand_answer_due"] == (T0 + timedelta(days=23)).isoformat()
    assert _error(client.post(f"{url}/open", headers=maya), 409)
    brand_view = client.get(url, headers=staff).get_json()
    assert brand_view["role"] == "brand" and brand_view["objection_due"] == (T0 + timedelta(days=10)).isoformat()
    listed = client.get(f"{API}/cases?open=1", headers=staff).get_json()
    assert listed["items"][0]["next_deadline"]["kind"] == "brand_answer"
    assert "open" in _error(client.get(f"{API}/cases?open=maybe", headers=staff), 422)["fields"]
    assert _error(client.get(f"{API}/cases", headers=carla), 403)
    objection = client.post(f"{url}/objections", json={"reason": "Met her at a trade fair."}, headers=staff)
    assert objection.status_code == 201 and objection.get_json()["can_object"] is False
    answered = client.post(f"{url}/brand-answer", json={"answer": "We take part."}, headers=staff).get_json()
    assert answered["brand_answer"] == "We take part." and answered["brand_answered_at"]
    queue = client.get("/api/v1/mediator/cases", headers=maya).get_json()["items"]
    assert [c["id"] for c in queue] == [case.id] and queue[0]["next_deadline"]["kind"] == "mediation"
    assert _error(client.get("/api/v1/mediator/cases", headers=carla), 403)

    admin = bearer(scene.admin)
    assert _error(client.get("/api/v1/objections", headers=staff), 403)
    pending = client.get("/api/v1/objections", headers=admin).get_json()["items"]
    assert pending[0]["party"] == "brand" and pending[0]["mediator"] == "Maya Mediator" and "facts" not in pending[0]
    decided = client.post(f"/api/v1/objections/{pending[0]['id']}/decision",
                          json={"decision": "reassigned", "reason": "A fair doubt."}, headers=admin)
    assert decided.status_code == 200 and decided.get_json()["decision"] == "reassigned"
    assert _error(client.get(url, headers=maya), 403)  # no longer the case's mediator
    assert client.get(url, headers=bearer(scene.mediators[1])).get_json()["role"] == "mediator"
    assert client.get("/api/v1/objections?all=1", headers=admin).get_json()["total"] == 1


def test_the_brand_declines_and_the_mediator_refuses_through_the_api(app, client, panel, make):
    scene = panel()
    first, second = file_case(scene, make.member(scene.brand)), file_case(scene, make.member(scene.brand))
    maya = bearer(scene.mediators[0])
    refused = client.post(f"{API}/cases/{first.id}/refuse", json={"reason": "already_judged", "note": "Court, 2026"},
                          headers=maya).get_json()
    assert refused["state"] == "refused" and refused["refusal_reason"] == "already_judged"
    client.post(f"{API}/cases/{second.id}/open", headers=maya)
    declined = client.post(f"{API}/cases/{second.id}/brand-decline", json={}, headers=bearer(scene.staff))
    assert declined.get_json()["state"] == "brand_refused"


def test_the_roster_through_the_api(app, client, panel, make):
    scene = panel(mediators=0)
    admin, staff = bearer(scene.admin), bearer(scene.staff)
    noor = make.user(email="noor@example.test")
    body = {"name": "Noor Neutral", "qualifications": "Certified", "appointing_body": "Bar council",
            "term_starts_on": "2027-01-01", "term_ends_on": "2030-01-01", "declaration_of_interests": "None.",
            "email": "noor@example.test"}
    assert _error(client.post("/api/v1/mediators", json=body, headers=staff), 403)
    assert "term_ends_on" in _error(client.post("/api/v1/mediators", json={**body, "term_ends_on": "2029-12-31"},
                                                headers=admin), 422)["fields"]
    created = client.post("/api/v1/mediators", json=body, headers=admin)
    assert created.status_code == 201 and created.get_json()["email"] == noor.email
    mediator_id = created.get_json()["id"]
    waiting = file_case(scene, make.member(scene.brand))
    assert client.get("/api/v1/cases/waiting", headers=admin).get_json()["items"][0]["id"] == waiting.id
    assert _error(client.post(f"/api/v1/mediators/{mediator_id}/panels", json={"brand": "nope"}, headers=admin), 404)
    seated = client.post(f"/api/v1/mediators/{mediator_id}/panels", json={"brand": "acme"}, headers=admin)
    assert seated.status_code == 201 and seated.get_json()["panels"][0]["brand"] == "acme"
    assert _error(client.post(f"/api/v1/mediators/{mediator_id}/panels", json={"brand": "acme"}, headers=admin), 409)
    db.session.expire_all()
    assert db.session.get(MediationCase, waiting.id).mediator_id == mediator_id
    panel_list = client.get(f"{API}/panel").get_json()["items"]  # public
    assert panel_list[0]["name"] == "Noor Neutral" and "email" not in panel_list[0]
    updated = client.put(f"/api/v1/mediators/{mediator_id}", json={**body, "name": "Noor N."}, headers=admin)
    assert updated.get_json()["name"] == "Noor N."
    assert client.get("/api/v1/mediators", headers=admin).get_json()["items"][0]["name"] == "Noor N."
    quit_ = {"reason": "resignation"}
    assert client.delete(f"/api/v1/mediators/{mediator_id}/panels/acme", json=quit_,
                         headers=admin).get_json()["panels"] == []
    assert client.delete(f"/api/v1/mediators/{mediator_id}", json=quit_, headers=admin).get_json()["removed_at"]
    assert _error(client.delete(f"/api/v1/mediators/{mediator_id}", json=quit_, headers=admin), 409)
    assert db.session.get(MediationCase, waiting.id).state is CaseState.FILED


def test_a_panel_mediator_adds_a_category_through_the_api(app, client, panel, make):
    scene = panel()
    created = client.post(f"{API}/case-categories", json={"name": "Loyalty points"},
                          headers=bearer(scene.mediators[0]))
    assert created.status_code == 201 and created.get_json()["label"] == "Loyalty points"
    assert _error(client.post(f"{API}/case-categories", json={"name": "Other"}, headers=bearer(scene.staff)), 403)
    assert len(filing.categories_for(scene.brand)) == 7


def test_every_cases_route_is_in_the_openapi_document(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/brands/{slug}/cases", "/api/v1/brands/{slug}/cases/{case_id}",
                 "/api/v1/brands/{slug}/cases/{case_id}/attachments", "/api/v1/brands/{slug}/cases/{case_id}/open",
                 "/api/v1/brands/{slug}/cases/{case_id}/objections", "/api/v1/mediators/{mediator_id}/panels",
                 "/api/v1/objections/{objection_id}/decision", "/api/v1/mediator/cases", "/api/v1/me/cases"):
        assert path in paths, path
    assert paths["/api/v1/brands/{slug}/cases/{case_id}/attachments"]["post"]["requestBody"]["content"][
        "multipart/form-data"]
