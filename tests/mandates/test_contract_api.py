"""The mandates API: start, edit the draft (422), offer (409 naming missing clauses), sign, countersign, end."""
from __future__ import annotations

from datetime import timedelta

from institutions import clock
from mandates import contract_text
from tests.conftest import T0
from tests.mandates.contract_fixtures import LEGAL_NAME, STARTS, complete_clauses
from tests.conftest import bearer


BASE = "/api/v1/brands/acme/mandates"


def test_the_whole_contract_through_the_api(contract_scene, client, make):
    scene = contract_scene
    clerk, signer, ambassador = bearer(scene.clerk), bearer(scene.signer), bearer(scene.ambassador)
    member = bearer(make.member(scene.brand))
    assert client.post(BASE, json={"email": scene.ambassador.email}, headers=member).status_code == 403
    created = client.post(BASE, json={"email": scene.ambassador.email}, headers=clerk)
    assert created.status_code == 201
    mandate = created.get_json()
    url = f"{BASE}/{mandate['id']}"
    assert mandate["state"] == "draft" and mandate["draft_version"] == 1
    assert mandate["ambassador"]["id"] == scene.ambassador.id
    assert client.post(BASE, json={"email": scene.ambassador.email}, headers=clerk).status_code == 409

    incomplete = client.post(f"{url}/offer", headers=clerk)
    error = incomplete.get_json()["error"]
    assert incomplete.status_code == 409 and error["code"] == "missing_clauses"
    assert {"compensation", "intellectual_property", "ambassador_party"} <= set(error["fields"])
    assert "Intellectual property" in error["message"]

    bad = client.put(f"{url}/draft", headers=clerk, json={"clauses": {
        "intellectual_property": {"scope": "Reposts", "duration_months": "unlimited"},
        "compensation": {"kind": "money", "amount": "lots"}}})
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"compensation.amount", "intellectual_property.duration_months"}
    unknown = client.put(f"{url}/draft", headers=clerk, json={"clauses": {}, "colour": "red"})
    assert unknown.status_code == 422 and "colour" in unknown.get_json()["error"]["fields"]
    assert client.put(f"{url}/draft", headers=clerk, json={"language": "de"}).status_code == 422
    assert client.put(f"{url}/draft", headers=ambassador, json={"clauses": {}}).status_code == 403
    draft = client.put(f"{url}/draft", headers=clerk, json={"clauses": complete_clauses()})
    assert draft.status_code == 200 and draft.get_json()["missing_clauses"] == []
    preview = client.get(f"{url}/versions/1/text", headers=clerk)
    assert preview.status_code == 200 and "X-Text-SHA256" not in preview.headers
    assert client.get(f"{url}/versions/1", headers=ambassador).status_code == 404  # drafts are the staff's

    offered = client.post(f"{url}/offer", headers=clerk)
    assert offered.status_code == 200 and offered.get_json()["state"] == "offered"
    version = client.get(f"{url}/versions/1", headers=ambassador).get_json()
    text = client.get(f"{url}/versions/1/text", headers=ambassador)
    assert text.mimetype == "text/plain" and text.headers["X-Text-SHA256"] == version["text_sha256"]
    assert contract_text.fingerprint(text.get_data(as_text=True)) == version["text_sha256"]
    assert version["clauses"]["ambassador_party"]["legal_name"] == LEGAL_NAME

    assert client.post(f"{url}/sign", headers=member, json={"typed_name": LEGAL_NAME, "accept": True}).status_code == 403
    wrong = client.post(f"{url}/sign", headers=ambassador, json={"typed_name": "Someone", "accept": True})
    assert wrong.status_code == 422 and "typed_name" in wrong.get_json()["error"]["fields"]
    unaccepted = client.post(f"{url}/sign", headers=ambassador, json={"typed_name": LEGAL_NAME, "accept": False})
    assert unaccepted.status_code == 422 and "accept" in unaccepted.get_json()["error"]["fields"]
    assert client.post(f"{url}/countersign", headers=signer, json={"typed_name": "Sam"}).status_code == 409
    signed = client.post(f"{url}/sign", headers={**ambassador, "User-Agent": "api-test/1"},
                         json={"typed_name": LEGAL_NAME.upper(), "accept": True, "version": 1,
                               "text_sha256": version["text_sha256"]})
    assert signed.status_code == 200 and signed.get_json()["state"] == "signed"
    signature = signed.get_json()["versions"][0]["signatures"][0]
    assert signature["user_agent"] == "api-test/1" and signature["text_sha256"] == version["text_sha256"]

    assert client.post(f"{url}/countersign", headers=clerk, json={"typed_name": "Cleo"}).status_code == 403
    assert client.post(f"{url}/countersign", headers=ambassador, json={"typed_name": "X"}).status_code == 403
    done = client.post(f"{url}/countersign", headers=signer, json={"typed_name": "Sam Signer"})
    assert done.status_code == 200 and done.get_json()["state"] == "scheduled"
    assert done.get_json()["version_in_force"] == 1

    clock.freeze(T0 + timedelta(days=9))
    assert client.get(url, headers=ambassador).get_json()["state"] == "active"
    mine = client.get("/api/v1/me/mandates", headers=ambassador).get_json()["items"]
    assert [m["id"] for m in mine] == [mandate["id"]]
    listed = client.get(f"{BASE}?state=active", headers=clerk).get_json()
    assert listed["total"] == 1 and listed["items"][0]["public_name"] == scene.ambassador.display_name
    assert client.get(f"{BASE}?state=bogus", headers=clerk).status_code == 422

    amendment = client.post(f"{url}/amend", headers=clerk)
    assert amendment.status_code == 201 and amendment.get_json()["draft_version"] == 2
    assert client.post(f"{url}/amend", headers=clerk).status_code == 409
    client.put(f"{url}/draft", headers=clerk, json={"clauses": {"compensation": {
        "kind": "money", "amount": "400", "currency": "EUR", "schedule": "monthly"}}})
    client.post(f"{url}/offer", headers=clerk)
    declined = client.post(f"{url}/decline", headers=ambassador, json={"reason": "No thanks"})
    assert declined.get_json()["state"] == "active" and declined.get_json()["version_in_force"] == 1

    too_soon = client.post(f"{url}/revoke", headers=clerk,
                           json={"reason": "Breach", "effective_on": (STARTS + timedelta(days=1)).isoformat()})
    assert too_soon.status_code == 422 and "effective_on" in too_soon.get_json()["error"]["fields"]
    assert client.post(f"{url}/revoke", headers=clerk, json={"reason": "x", "effective_on": "soon"}).status_code == 422
    assert client.post(f"{url}/revoke", headers=ambassador, json={"reason": "x"}).status_code == 403
    assert client.post(f"{url}/resign", headers=clerk, json={}).status_code == 403
    resigned = client.post(f"{url}/resign", headers=ambassador, json={})
    assert resigned.status_code == 200 and resigned.get_json()["end_effective_on"] == \
        (STARTS + timedelta(days=30)).isoformat()


def test_staff_of_another_brand_and_strangers_see_nothing(contract_scene, client, make):
    scene = contract_scene
    mandate = scene.offered()
    url = f"{BASE}/{mandate.id}"
    foreign = bearer(make.staff(make.brand(slug="other"), can_sign=True))
    stranger = bearer(make.member(scene.brand))
    for headers in (foreign, stranger):
        assert client.get(url, headers=headers).status_code == 403
        assert client.get(f"{url}/versions/1/text", headers=headers).status_code == 403
        assert client.post(f"{url}/sign", headers=headers, json={"typed_name": LEGAL_NAME, "accept": True}
                           ).status_code == 403
    assert client.get(BASE, headers=foreign).status_code == 403
    assert client.post(f"{url}/offer", headers=foreign).status_code == 403
    assert client.get(f"/api/v1/brands/other/mandates/{mandate.id}", headers=foreign).status_code == 404
    assert client.get(url).status_code == 401
    assert client.get(f"{BASE}/999", headers=bearer(scene.clerk)).status_code == 404
    assert client.get(f"{url}/versions/9", headers=bearer(scene.clerk)).status_code == 404


def test_an_invited_person_finds_the_contract_after_signing_up(contract_scene, client, make):
    scene = contract_scene
    created = client.post(BASE, json={"email": "guest@example.test", "public_name": "Guest Star"},
                          headers=bearer(scene.clerk)).get_json()
    assert created["ambassador"] is None and created["invited_email"] == "guest@example.test"
    assert client.post(BASE, json={"email": "x@example.test"}, headers=bearer(scene.clerk)).status_code == 422
    guest = bearer(make.user(email="guest@example.test"))
    assert client.get("/api/v1/me/mandates", headers=guest).get_json()["items"] == []  # still a draft
    detail = client.get(f"{BASE}/{created['id']}", headers=guest)
    assert detail.status_code == 200 and "invited_email" in detail.get_json()
    assert detail.get_json()["invited_email"] is None and detail.get_json()["versions"] == []


def test_the_openapi_document_lists_the_mandate_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/brands/{slug}/mandates", "/api/v1/brands/{slug}/mandates/{mandate_id}/sign",
                 "/api/v1/brands/{slug}/mandates/{mandate_id}/draft",
                 "/api/v1/brands/{slug}/mandates/{mandate_id}/versions/{number}/text", "/api/v1/me/mandates"):
        assert path in paths
