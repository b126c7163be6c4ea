"""The API of a case's exchange and outcome: the paths, who may read and do what, and the JSON errors."""
from __future__ import annotations

import io
from datetime import timedelta

from extensions import db
from institutions import clock
from mediation.models import CaseState
from tests.conftest import T0, bearer
from tests.mediation.exchange_fixtures import PDF, PNG


def _error(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.get_json())
    return response.get_json()["error"]


def _url(scene, tail: str = "") -> str:
    return f"/api/v1/brands/{scene.brand.slug}/cases/{scene.case.id}{tail}"


def test_messages_and_notes_per_viewer(app, client, case_scene):
    scene = case_scene()
    mediator, complainant, staff = bearer(scene.mediator), bearer(scene.complainant), bearer(scene.staff)
    outsider = bearer(scene.outsider)
    url = _url(scene, "/messages")
    assert _error(client.post(url, json={"channel": "both", "body": "Hi"}), 401)["code"] == "unauthenticated"
    created = client.post(url, json={"channel": "both", "body": "Hello both"}, headers=mediator)
    assert created.status_code == 201
    assert created.get_json()["author_role"] == "mediator" and created.get_json()["channel"] == "both"
    assert client.post(url, json={"channel": "brand", "body": "Brand only"}, headers=mediator).status_code == 201
    assert client.post(url, json={"channel": "complainant", "body": "My side"}, headers=complainant).status_code == 201
    assert client.post(_url(scene, "/notes"), json={"body": "Hmm"}, headers=mediator).status_code == 201

    assert _error(client.post(url, json={"channel": "brand", "body": "x"}, headers=complainant), 403)["fields"] == {
        "channel": "You can write to both parties or to the mediator in your own separate hearing only."}
    assert _error(client.post(_url(scene, "/notes"), json={"body": "x"}, headers=staff), 403)
    assert "body" in _error(client.post(url, json={"channel": "both", "body": ""}, headers=staff), 422)["fields"]
    assert "channel" in _error(client.post(url, json={"channel": "all", "body": "x"}, headers=staff), 422)["fields"]
    assert "to" in _error(client.post(url, json={"to": "both", "channel": "both", "body": "x"}, headers=staff),
                          422)["fields"]

    def bodies(headers, query=""):
        return [item["body"] for item in client.get(url + query, headers=headers).get_json()["items"]]

    assert bodies(mediator) == ["Hello both", "Brand only", "My side", "Hmm"]
    assert bodies(complainant) == ["Hello both", "My side"]
    assert bodies(staff) == ["Hello both", "Brand only"]
    assert bodies(mediator, "?channel=note") == ["Hmm"]
    assert bodies(staff, "?channel=note") == []  # not listed, whatever the filter
    assert "channel" in _error(client.get(url + "?channel=secret", headers=staff), 422)["fields"]
    page = client.get(url + "?per_page=1", headers=mediator).get_json()
    assert page["total"] == 4 and page["next"] is not None
    assert [i["author_role"] for i in client.get(url, headers=complainant).get_json()["items"]] == [
        "mediator", "complainant"]
    assert [i["body"] for i in client.get(_url(scene, "/notes"), headers=mediator).get_json()["items"]] == ["Hmm"]
    assert _error(client.get(_url(scene, "/notes"), headers=complainant), 403)

    # A third party reads nothing of the case; another brand's address does not reach it either.
    assert _error(client.get(url, headers=outsider), 403)["code"] == "forbidden"
    assert _error(client.get(f"/api/v1/brands/nowhere/cases/{scene.case.id}/messages", headers=mediator), 404)
    assert _error(client.get(f"/api/v1/brands/acme/cases/{scene.case.id + 99}/messages", headers=mediator), 404)


def test_document_requests_uploads_and_downloads(app, client, case_scene):
    scene = case_scene()
    mediator, complainant, staff = bearer(scene.mediator), bearer(scene.complainant), bearer(scene.staff)
    url = _url(scene, "/document-requests")
    body = {"from_party": "complainant", "description": "Your invoice", "share_with": "mediator"}
    assert _error(client.post(url, json=body, headers=staff), 403)
    assert "share_with" in _error(client.post(url, json={**body, "share_with": "world"}, headers=mediator),
                                  422)["fields"]
    created = client.post(url, json=body, headers=mediator)
    assert created.status_code == 201 and created.get_json()["share_with"] == "mediator"
    request_id = created.get_json()["id"]
    mine = client.get(url, headers=complainant).get_json()["items"]
    assert [(r["id"], r["can_upload"]) for r in mine] == [(request_id, True)]
    assert client.get(url, headers=staff).get_json()["items"] == []

    upload = f"{url}/{request_id}/documents"
    assert "file" in _error(client.post(upload, headers=complainant, data={}), 422)["fields"]
    fake = {"file": (io.BytesIO(PNG), "invoice.pdf")}
    refused = _error(client.post(upload, headers=complainant, data=fake, content_type="multipart/form-data"), 422)
    assert "not what its name says" in refused["fields"]["file"]
    assert _error(client.post(upload, headers=staff, data={"file": (io.BytesIO(PDF), "invoice.pdf")},
                              content_type="multipart/form-data"), 403)
    sent = client.post(upload, headers=complainant, data={"file": (io.BytesIO(PDF), "invoice.pdf")},
                       content_type="multipart/form-data")
    assert sent.status_code == 201, sent.get_json()
    document = sent.get_json()
    assert document["visible_to"] == "complainant" and document["content_type"] == "application/pdf"
    assert _error(client.post(f"{url}/{request_id + 50}/documents", headers=complainant,
                              data={"file": (io.BytesIO(PDF), "invoice.pdf")}, content_type="multipart/form-data"),
                  404)

    listed = {role: [d["id"] for d in client.get(_url(scene, "/documents"), headers=h).get_json()["items"]]
              for role, h in (("mediator", mediator), ("complainant", complainant), ("brand", staff))}
    assert listed == {"mediator": [document["id"]], "complainant": [document["id"]], "brand": []}
    download = client.get(document["url"], headers=mediator)
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "private, no-store"
    assert _error(client.get(document["url"], headers=staff), 404)
    assert client.get(url, headers=mediator).get_json()["items"][0]["fulfilled_at"] is not None


def test_the_outcome_path_through_the_api(app, client, case_scene):
    scene = case_scene()
    mediator, complainant, staff = bearer(scene.mediator), bearer(scene.complainant), bearer(scene.staff)
    outsider = bearer(scene.outsider)

    assert _error(client.post(_url(scene, "/extension"), json={"reason": "x"}, headers=staff), 403)
    assert "days" in _error(client.post(_url(scene, "/extension"), json={"reason": "x", "days": "ten"},
                                        headers=mediator), 422)["fields"]
    extended = client.post(_url(scene, "/extension"), json={"reason": "An expert report", "days": 30},
                           headers=mediator).get_json()
    assert extended["extension_days"] == 30 and extended["mediation_due"] == "2027-06-19T09:00:00+00:00"
    second = client.post(_url(scene, "/extension"), json={"reason": "Again", "days": 10}, headers=mediator).get_json()
    assert second["extension_days"] == 40 and second["extension_reason"] == "Again"
    assert second["mediation_due"] == "2027-06-29T09:00:00+00:00"

    assert _error(client.get(_url(scene, "/proposal"), headers=complainant), 404)
    assert _error(client.post(_url(scene, "/proposal"), json={"text": "Mine"}, headers=complainant), 403)
    made = client.post(_url(scene, "/proposal"), json={"text": "A new bike", "answer_days": 10}, headers=mediator)
    assert made.status_code == 201
    proposal = client.get(_url(scene, "/proposal"), headers=staff).get_json()
    assert proposal["answer_due"] == (T0 + timedelta(days=10)).isoformat() and len(proposal["notices"]) == 3
    assert proposal["case_state"] == "proposal"

    answer = _url(scene, "/proposal/answer")
    assert _error(client.post(answer, json={"answer": "accept"}, headers=outsider), 403)
    assert _error(client.post(answer, json={"answer": "accept"}, headers=mediator), 403)
    assert "answer" in _error(client.post(answer, json={"answer": "maybe"}, headers=staff), 422)["fields"]
    assert client.post(answer, json={"answer": "accept"}, headers=complainant).get_json()["complainant_answer"] \
        == "accepted"
    assert _error(client.post(answer, json={"answer": "refuse"}, headers=complainant), 409)
    settled = client.post(answer, json={"answer": "accept"}, headers=staff).get_json()
    assert settled["case_state"] == "settled" and settled["brand_answer"] == "accepted"

    favours = _url(scene, "/outcome")
    assert _error(client.post(favours, json={"favours": "consumer"}, headers=complainant), 403)
    recorded = client.post(favours, json={"favours": "consumer"}, headers=mediator).get_json()
    assert recorded["outcome_favours"] == "consumer"

    compliance = _url(scene, "/compliance")
    assert "complied" in _error(client.post(compliance, json={"complied": "yes"}, headers=complainant),
                                422)["fields"]
    assert _error(client.post(compliance, json={"complied": True}, headers=staff), 403)
    confirmed = client.post(compliance, json={"complied": True}, headers=complainant).get_json()
    assert confirmed["complied"] is True and confirmed["outcome_favours"] is None  # the mediator's record only
    assert _error(client.post(compliance, json={"complied": False}, headers=complainant), 409)

    closed = _error(client.post(_url(scene, "/proposal"), json={"text": "Another"}, headers=mediator), 409)
    assert "only be made on an open case" in closed["message"]
    assert _error(client.post(_url(scene, "/withdraw"), json={}, headers=complainant), 409)


def test_proposal_expiry_and_withdrawal_through_the_api(app, client, case_scene):
    scene = case_scene()
    mediator, complainant, staff = bearer(scene.mediator), bearer(scene.complainant), bearer(scene.staff)
    client.post(_url(scene, "/proposal"), json={"text": "A new bike"}, headers=mediator)
    clock.freeze(T0 + timedelta(days=14))
    # The route's guard runs the brand's clock first: the unanswered proposal has expired, the case is closed.
    late = _error(client.post(_url(scene, "/proposal/answer"), json={"answer": "accept"}, headers=staff), 409)
    assert "No proposal waits for an answer" in late["message"]
    db.session.expire_all()
    assert scene.case.state is CaseState.NOT_SETTLED

    other = case_scene(slug="other")
    assert _error(client.post(_url(other, "/withdraw"), json={"reason": "x"}, headers=bearer(other.outsider)), 403)
    withdrawn = client.post(_url(other, "/withdraw"), json={"reason": "Sorted it out"},
                            headers=bearer(other.complainant)).get_json()
    assert withdrawn["state"] == "withdrawn" and withdrawn["closing_note"] == "Sorted it out"
    db.session.expire_all()
    assert other.case.state is CaseState.WITHDRAWN


def test_every_exchange_route_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    base = "/api/v1/brands/{slug}/cases/{case_id}"
    for tail, methods in {"/messages": {"get", "post"}, "/notes": {"get", "post"},
                          "/document-requests": {"get", "post"},
                          "/document-requests/{request_id}/documents": {"post"}, "/documents": {"get"},
                          "/documents/{document_id}": {"get"}, "/extension": {"post"},
                          "/proposal": {"get", "post"}, "/proposal/answer": {"post"}, "/outcome": {"post"},
                          "/compliance": {"post"}, "/withdraw": {"post"}}.items():
        assert set(paths[base + tail]) >= methods, tail
    upload = paths[base + "/document-requests/{request_id}/documents"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
