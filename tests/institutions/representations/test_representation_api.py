"""The API of representations and of the annual report: the paths, who may call them, the refusals."""
from __future__ import annotations

from datetime import timedelta

from institutions import clock
from institutions.models import MembershipStatus
from tests.conftest import T0
from tests.conftest import bearer

API = "/api/v1/brands/acme"


def _error(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.get_json())
    return response.get_json()["error"]


def test_representations_through_the_api(app, make, client, scene):
    president, staff, member = (bearer(p) for p in (scene.president, scene.staff, scene.members[0]))
    body = {"title": "Repair prices", "body": "Publish the prices of repairs."}
    url = f"{API}/representations"
    assert _error(client.post(url, json=body), 401)["code"] == "unauthenticated"
    assert _error(client.post(url, json=body, headers=member), 403)["code"] == "forbidden"
    assert _error(client.post(url, json=body, headers=staff), 403)
    assert "title" in _error(client.post(url, json={**body, "title": ""}, headers=president), 422)["fields"]
    assert "mood" in _error(client.post(url, json={**body, "mood": "angry"}, headers=president), 422)["fields"]
    created = client.post(url, json=body, headers=president)
    assert created.status_code == 201
    document = created.get_json()
    assert document["state"] == "filed" and document["author"] == "Pia President"
    assert document["due_at"] == (T0 + timedelta(days=30)).isoformat() and document["overdue"] is False
    one = f"{url}/{document['id']}"

    assert _error(client.post(f"{one}/cosignatures"), 401)
    pending = bearer(make.member(scene.brand, status=MembershipStatus.PENDING))
    assert _error(client.post(f"{one}/cosignatures", headers=pending), 403)
    signed = client.post(f"{one}/cosignatures", headers=member)
    assert signed.status_code == 201 and signed.get_json()["cosignatures"] == 1
    assert "cosigners" not in signed.get_json()
    assert _error(client.post(f"{one}/cosignatures", headers=member), 409)["code"] == "conflict"
    assert _error(client.post(f"{one}/cosignatures", headers=president), 409)

    public = client.get(one).get_json()
    assert public["cosignatures"] == 1 and "cosigners" not in public
    assert client.get(one, headers=staff).get_json()["cosigners"] == [scene.members[0].display_name]

    assert _error(client.post(f"{one}/acknowledge", headers=member), 403)
    other_staff = bearer(make.staff(make.brand(slug="other")))
    assert _error(client.post(f"{one}/acknowledge", headers=other_staff), 403)
    assert _error(client.post(f"/api/v1/brands/other/representations/{document['id']}/acknowledge",
                              headers=other_staff), 404)
    assert client.post(f"{one}/acknowledge", headers=staff).get_json()["state"] == "acknowledged"
    assert _error(client.post(f"{one}/acknowledge", headers=staff), 409)

    clock.freeze(T0 + timedelta(days=31))
    assert client.get(one).get_json()["overdue"] is True
    assert "answer" in _error(client.post(f"{one}/answer", json={"answer": "maybe", "reasons": "x"}, headers=staff),
                              422)["fields"]
    assert "reasons" in _error(client.post(f"{one}/answer", json={"answer": "declined"}, headers=staff),
                               422)["fields"]
    answered = client.post(f"{one}/answer", json={"answer": "declined", "reasons": "Not this year."}, headers=staff)
    assert answered.status_code == 200
    answered = answered.get_json()
    assert answered["state"] == "answered" and answered["answer"] == "declined"
    assert answered["answered_late"] is True and answered["overdue"] is False
    assert _error(client.post(f"{one}/answer", json={"answer": "accepted", "reasons": "x"}, headers=staff), 409)

    listed = client.get(url).get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == document["id"]
    assert listed["items"][0]["cosignatures"] == 1
    assert _error(client.get(f"{url}/999"), 404)
    assert _error(client.get("/api/v1/brands/nobody/representations"), 404)


def test_the_annual_report_is_public_json(app, client, scene):
    from extensions import db
    from tests.mediation.report_fixtures import mark_published

    mark_published(scene.brand, 2027)  # a draft is the panel's only (R.614-2, issue 10)
    db.session.commit()
    document = client.get(f"{API}/mediation/reports/2027").get_json()
    assert document["brand"] == "acme" and document["year"] == 2027 and document["received"] == 0
    assert document["in_progress"] is True and document["refused"] == {"count": 0, "of": 0, "percent": None}
    assert _error(client.get(f"{API}/mediation/reports/2028"), 404)
    assert _error(client.get(f"{API}/mediation/reports/1999"), 404)


def test_the_openapi_document_describes_these_routes(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/brands/{slug}/representations"])
    assert "post" in paths["/api/v1/brands/{slug}/representations/{representation_id}/answer"]
    assert "get" in paths["/api/v1/brands/{slug}/mediation/reports/{year}"]
