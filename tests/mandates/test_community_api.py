"""The API of applications, mission orders, benefits and advocates: the paths, the refusals and their JSON errors."""
from __future__ import annotations

from datetime import timedelta

from extensions import db
from institutions import clock
from institutions.models import MembershipStatus
from mandates.models import MandateState
from tests.mandates.conftest import MISSION_T0
from tests.conftest import bearer

API = "/api/v1/brands"


def _error(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.get_json())
    return response.get_json()["error"]


def test_applications_through_the_api(app, make, client):
    brand = make.brand(slug="acme")
    staff = bearer(make.staff(brand))
    alice = make.member(brand)
    member = bearer(alice)
    body = {"motivation": "I fix bikes", "channels": "YouTube", "audience": "Cyclists"}
    url = f"{API}/acme/ambassador-applications"
    assert _error(client.post(url, json=body), 401)["code"] == "unauthenticated"
    pending = bearer(make.member(brand, status=MembershipStatus.PENDING))
    assert _error(client.post(url, json=body, headers=pending), 403)["code"] == "forbidden"
    assert "audience" in _error(client.post(url, json={**body, "audience": ""}, headers=member), 422)["fields"]
    assert "age" in _error(client.post(url, json={**body, "age": 30}, headers=member), 422)["fields"]
    assert "channels" in _error(client.post(url, json={**body, "channels": 3}, headers=member), 422)["fields"]
    created = client.post(url, json=body, headers=member)
    assert created.status_code == 201 and created.get_json()["state"] == "pending"
    application_id = created.get_json()["id"]
    assert _error(client.post(url, json=body, headers=member), 409)["code"] == "conflict"

    assert _error(client.get(url, headers=member), 403)
    listed = client.get(f"{url}?state=pending", headers=staff).get_json()
    assert listed["total"] == 1 and listed["items"][0]["motivation"] == "I fix bikes"
    assert "state" in _error(client.get(f"{url}?state=maybe", headers=staff), 422)["fields"]
    assert client.get(f"{url}/mine", headers=member).get_json()["items"][0]["id"] == application_id

    assert _error(client.post(f"{url}/{application_id}/accept", headers=member), 403)  # a member acting as staff
    other_staff = bearer(make.staff(make.brand(slug="other")))
    assert _error(client.post(f"{url}/{application_id}/accept", headers=other_staff), 403)
    assert _error(client.post(f"{API}/other/ambassador-applications/{application_id}/accept", headers=other_staff),
                  404)
    assert "reason" in _error(client.post(f"{url}/{application_id}/decline", json={}, headers=staff), 422)["fields"]
    accepted = client.post(f"{url}/{application_id}/accept", headers=staff).get_json()
    assert accepted["state"] == "accepted" and accepted["mandate_id"]
    assert _error(client.post(f"{url}/{application_id}/withdraw", headers=member), 409)


def test_withdrawing_and_declining_applications(app, make, client):
    brand = make.brand(slug="acme")
    staff = bearer(make.staff(brand))
    member = bearer(make.member(brand))
    url = f"{API}/acme/ambassador-applications"
    body = {"motivation": "m", "channels": "c", "audience": "a"}
    first = client.post(url, json=body, headers=member).get_json()["id"]
    assert _error(client.post(f"{url}/{first}/withdraw", headers=staff), 403)
    assert client.post(f"{url}/{first}/withdraw", headers=member).get_json()["state"] == "withdrawn"
    second = client.post(url, json=body, headers=member).get_json()["id"]
    declined = client.post(f"{url}/{second}/decline", json={"reason": "Not this year"}, headers=staff).get_json()
    assert declined["state"] == "declined" and declined["decline_reason"] == "Not this year"


def test_the_mission_order_path_through_the_api(app, mission_scene, make, client):
    scene = mission_scene()
    staff, ambassador = bearer(scene.staff), bearer(scene.ambassador)
    orders = f"{API}/acme/mandates/{scene.mandate.id}/mission-orders"
    body = {"title": "Unboxing", "instructions": "Film it", "due_at": "2027-03-08T09:00:00Z",
            "expected_proof": "A link"}
    assert _error(client.post(orders, json=body, headers=ambassador), 403)  # a member acting as staff
    assert "due_at" in _error(client.post(orders, json={**body, "due_at": "next week"}, headers=staff), 422)["fields"]
    assert "due_at" in _error(client.post(orders, json={**body, "due_at": "2027-03-08T09:00"}, headers=staff),
                              422)["fields"]
    assert "due_at" in _error(client.post(orders, json={**body, "due_at": "2027-02-08T09:00:00Z"}, headers=staff),
                              422)["fields"]
    created = client.post(orders, json=body, headers=staff)
    assert created.status_code == 201
    order = created.get_json()
    assert order["disclosure_label"] == "#ad" and order["state"] == "issued" and order["overdue"] is False
    url = f"{API}/acme/mission-orders/{order['id']}"

    waiting = client.get(f"{API}/acme/mission-orders/waiting", headers=ambassador).get_json()
    assert [o["id"] for o in waiting["ambassador"]["to_accept"]] == [order["id"]] and "staff" not in waiting
    assert client.post(f"{url}/accept", headers=ambassador).get_json()["state"] == "accepted"
    assert "links" in _error(client.post(f"{url}/report", json={"text": "Done", "links": ["ftp://x"]},
                                         headers=ambassador), 422)["fields"]
    assert "links" in _error(client.post(f"{url}/report", json={"text": "Done", "links": 5}, headers=ambassador),
                             422)["fields"]
    reported = client.post(f"{url}/report", json={"text": "Done", "links": ["https://v.example/1"]},
                           headers=ambassador).get_json()
    assert reported["state"] == "reported" and reported["reports"][0]["label_missing"] is True
    assert reported["warning_to_clear"] is True

    waiting = client.get(f"{API}/acme/mission-orders/waiting", headers=staff).get_json()
    assert [o["id"] for o in waiting["staff"]["to_review"]] == [order["id"]]
    refused = _error(client.post(f"{url}/approve", headers=staff), 409)
    assert "clear the warning" in refused["message"]
    assert _error(client.post(f"{url}/clear-warning", json={"note": "ok"}, headers=ambassador), 403)
    assert "note" in _error(client.post(f"{url}/clear-warning", json={}, headers=staff), 422)["fields"]
    sent_back = client.post(f"{url}/send-back", json={"comment": "Add #ad"}, headers=staff).get_json()
    assert sent_back["state"] == "sent_back" and sent_back["reports"][0]["decision"] == "sent_back"
    again = client.post(f"{url}/report", json={"text": "Story posted", "links": "https://v.example/2"},
                        headers=ambassador).get_json()
    assert again["reports"][1]["label_missing"] is True
    cleared = client.post(f"{url}/clear-warning", json={"note": "Label on the image"}, headers=staff).get_json()
    assert cleared["reports"][1]["warning_note"] == "Label on the image" and cleared["warning_to_clear"] is False
    approved = client.post(f"{url}/approve", json={"comment": "Thanks"}, headers=staff).get_json()
    assert approved["state"] == "approved" and approved["reports"][1]["review_comment"] == "Thanks"

    listed = client.get(orders, headers=ambassador).get_json()
    assert listed["total"] == 1 and listed["items"][0]["state"] == "approved"
    assert client.get(url, headers=staff).get_json()["id"] == order["id"]


def test_overdue_and_refusals_on_orders_through_the_api(app, mission_scene, make, client):
    scene = mission_scene()
    staff, ambassador = bearer(scene.staff), bearer(scene.ambassador)
    body = {"title": "Unboxing", "instructions": "Film it", "due_at": "2027-03-02T09:00:00+00:00",
            "expected_proof": "A link", "disclosure_label": "Publicité"}
    order = client.post(f"{API}/acme/mandates/{scene.mandate.id}/mission-orders", json=body,
                        headers=staff).get_json()
    url = f"{API}/acme/mission-orders/{order['id']}"
    stranger = bearer(make.member(scene.brand))
    other = mission_scene(slug="other")
    assert _error(client.post(f"{url}/accept", headers=stranger), 403)
    assert _error(client.get(url, headers=stranger), 403)
    assert _error(client.get(f"{API}/acme/mandates/{scene.mandate.id}/mission-orders", headers=stranger), 403)
    assert _error(client.post(f"{url}/accept", headers=bearer(other.staff)), 403)  # staff of another brand
    assert _error(client.get(f"{API}/other/mission-orders/{order['id']}", headers=bearer(other.staff)), 404)
    client.post(f"{url}/accept", headers=ambassador)
    report = _error(client.post(f"{url}/report", json={"text": "Fait. Publicité"}, headers=stranger), 403)
    assert "not yours" in report["message"]  # a report on someone else's order

    clock.freeze(MISSION_T0 + timedelta(days=3))
    assert client.get(url, headers=ambassador).get_json()["overdue"] is True
    overdue = client.get(f"{API}/acme/mission-orders/waiting", headers=staff).get_json()["staff"]["overdue"]
    assert [o["id"] for o in overdue] == [order["id"]]
    done = client.post(f"{url}/report", json={"text": "Fait. PUBLICITÉ"}, headers=ambassador).get_json()
    assert done["reports"][0]["label_missing"] is False
    assert client.post(f"{url}/approve", headers=staff).get_json()["overdue"] is False

    scene.mandate.state = MandateState.COMPLETED
    db.session.commit()
    refused = client.post(f"{API}/acme/mandates/{scene.mandate.id}/mission-orders",
                          json={**body, "due_at": "2027-04-01T00:00:00Z"}, headers=staff)
    assert _error(refused, 409)["code"] == "conflict"


def test_benefits_through_the_api(app, mission_scene, active_mandate, make, client):
    scene = mission_scene()
    staff, ambassador = bearer(scene.staff), bearer(scene.ambassador)
    url = f"{API}/acme/mandates/{scene.mandate.id}/benefits"
    body = {"kind": "money", "description": "Monthly fee", "value": "250.00", "currency": "EUR",
            "given_on": "2027-02-05"}
    assert _error(client.post(url, json=body, headers=ambassador), 403)
    assert _error(client.post(url, json=body, headers=bearer(mission_scene(slug="other").staff)), 403)
    for field, value in (("value", "0"), ("value", "-1"), ("value", "lots"), ("value", True), ("currency", "EURO"),
                         ("given_on", "2027-13-01"), ("given_on", "2099-01-01"), ("kind", "shares")):
        error = _error(client.post(url, json={**body, field: value}, headers=staff), 422)
        assert field in error["fields"], (field, value)
    created = client.post(url, json=body, headers=staff)
    assert created.status_code == 201 and created.get_json()["value_minor"] == 25000
    client.post(url, json={**body, "kind": "in_kind", "description": "Kit", "value": 49.9}, headers=staff)
    listed = client.get(url, headers=ambassador).get_json()
    assert [b["value_minor"] for b in listed["items"]] == [4990, 25000]  # latest first
    assert listed["yearly_totals"] == [{"year": 2027, "currency": "EUR", "total_minor": 29990}]
    assert _error(client.get(url, headers=bearer(make.member(scene.brand))), 403)

    # A benefit for a non-ambassador (a draft mandate) is refused with the rule in words.
    draft = active_mandate(scene.brand, make.member(scene.brand), state=MandateState.DRAFT)
    refused = _error(client.post(f"{API}/acme/mandates/{draft.id}/benefits", json=body, headers=staff), 409)
    assert "making them an ambassador first" in refused["message"]


def test_advocates_through_the_api(app, make, client):
    brand = make.brand(slug="acme")
    staff = bearer(make.staff(brand))
    member = bearer(make.member(brand))
    url = f"{API}/acme/advocate-declarations"
    assert "defends" in _error(client.post(url, json={"defends": "me", "statement": "s"}, headers=member),
                               422)["fields"]
    created = client.post(url, json={"defends": "brand", "statement": "Great kits"}, headers=member)
    assert created.status_code == 201
    declaration_id = created.get_json()["id"]
    assert _error(client.post(url, json={"defends": "brand", "statement": "Again"}, headers=member), 409)
    assert _error(client.get(url, headers=member), 403)
    assert client.get(f"{url}?state=pending", headers=staff).get_json()["total"] == 1
    assert _error(client.post(f"{url}/{declaration_id}/recognize", headers=member), 403)  # a member acting as staff
    other_staff = bearer(make.staff(make.brand(slug="other")))
    assert _error(client.post(f"{url}/{declaration_id}/recognize", headers=other_staff), 403)
    recognized = client.post(f"{url}/{declaration_id}/recognize", headers=staff).get_json()
    assert recognized["state"] == "recognized"
    charter = client.get(f"{API}/acme/charter").get_json()
    assert "Great kits" not in str(charter)
    assert "reason" in _error(client.post(f"{url}/{declaration_id}/withdraw", json={"reason": ""}, headers=staff),
                              422)["fields"]
    withdrawn = client.post(f"{url}/{declaration_id}/withdraw", json={"reason": "Rude"}, headers=staff).get_json()
    assert withdrawn["state"] == "withdrawn" and withdrawn["reason"] == "Rude"
    again = client.post(url, json={"defends": "customers", "statement": "Back"}, headers=member).get_json()
    assert _error(client.post(f"{url}/{again['id']}/retract", headers=staff), 403)
    assert client.post(f"{url}/{again['id']}/retract", headers=member).get_json()["state"] == "retracted"
    third = client.post(url, json={"defends": "brand", "statement": "Third"}, headers=member).get_json()
    declined = client.post(f"{url}/{third['id']}/decline", json={"reason": "No"}, headers=staff).get_json()
    assert declined["state"] == "declined"


def test_every_route_is_in_the_openapi_document(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/brands/{slug}/ambassador-applications",
                 "/api/v1/brands/{slug}/ambassador-applications/{application_id}/accept",
                 "/api/v1/brands/{slug}/mandates/{mandate_id}/mission-orders",
                 "/api/v1/brands/{slug}/mission-orders/{order_id}/clear-warning",
                 "/api/v1/brands/{slug}/mission-orders/waiting",
                 "/api/v1/brands/{slug}/mandates/{mandate_id}/benefits",
                 "/api/v1/brands/{slug}/advocate-declarations/{declaration_id}/retract"):
        assert path in paths, path
    assert set(paths["/api/v1/brands/{slug}/mandates/{mandate_id}/benefits"]) == {"get", "post"}
