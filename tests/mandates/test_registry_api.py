"""The registry and contract verification in JSON: public, same facts as the page, one error shape."""
from __future__ import annotations

import json
from datetime import date

import pytest

from mandates.models import AdvocacyState, MandateState
from tests.mandates.registry_fixtures import PRIVATE, make_advocate, sample_clauses

pytestmark = pytest.mark.usefixtures("registry_clock")


def test_registry_document_lists_what_the_page_lists(app, make, client, make_mandate):
    brand = make.brand(slug="acme")
    active = make_mandate(brand, public_name="Alice", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
                          clauses=sample_clauses(mission="Demos", channels="Twitch", compensation="none",
                                                 label="Collaboration commerciale"))
    make_mandate(brand, MandateState.SCHEDULED, public_name="Future")
    make_mandate(brand, MandateState.OFFERED, public_name="Hidden offer")
    make_mandate(brand, MandateState.DRAFT, public_name="Hidden draft")
    revoked = make_mandate(brand, MandateState.REVOKED, public_name="Roger", end_requested_on=date(2025, 6, 1),
                           end_effective_on=date(2025, 7, 1))
    make_advocate(brand, make.user(), public_name="Rosa", defends="customers")
    make_advocate(brand, make.user(), AdvocacyState.PENDING, public_name="Hidden advocate")

    response = client.get("/api/v1/brands/acme/registry")
    assert response.status_code == 200
    document = response.get_json()
    assert document["brand"] == "acme"
    assert document["counts"] == {"active_ambassadors": 1, "recognized_advocates": 1}
    assert document["ambassadors"] == [{
        "mandate": active.id, "public_name": "Alice", "state": "active", "mission": "Demos (channels: Twitch)",
        "paid": False, "compensation": "none", "disclosure_label": "Collaboration commerciale",
        "employee": False,
        "starts_on": "2026-01-01", "ends_on": "2026-12-31", "end_requested_on": None, "end_effective_on": None,
        "ended_on": None,
    }]
    assert [e["public_name"] for e in document["scheduled"]] == ["Future"]
    assert [(a["public_name"], a["defends"]) for a in document["advocates"]] == [("Rosa", "customers")]
    (history,) = document["history"]
    assert history["mandate"] == revoked.id and history["state"] == "revoked" and history["paid"] is True
    assert (history["end_requested_on"], history["end_effective_on"], history["ended_on"]) == \
        ("2025-06-01", "2025-07-01", "2025-07-01")
    text = json.dumps(document)
    assert "Hidden" not in text
    for secret in PRIVATE.values():
        assert secret not in text
    assert "Private reason" not in text


def test_registry_of_an_unknown_brand_is_404_in_the_error_shape(app, client):
    response = client.get("/api/v1/brands/nope/registry")
    assert response.status_code == 404
    assert "error" in response.get_json()


def test_verify_by_text_and_by_hash(app, make, client, make_mandate):
    brand = make.brand(slug="acme")
    mandate = make_mandate(brand, public_name="Alice")
    version = mandate.versions[0]
    by_text = client.post("/api/v1/brands/acme/registry/verify", json={"text": version.text.replace("\n", "\r\n")})
    assert by_text.status_code == 200
    document = by_text.get_json()
    assert document["match"] is True and document["source"] == "text" and document["sha256"] == version.text_sha256
    (match,) = document["matches"]
    assert (match["mandate"], match["version"], match["public_name"], match["version_state"]) == \
        (mandate.id, 1, "Alice", "in_force")
    assert match["ambassador_signed_at"] and match["brand_signed_at"]
    assert "CRLF" in document["normalisation"]

    by_hash = client.post("/api/v1/brands/acme/registry/verify", json={"sha256": version.text_sha256.upper()})
    assert by_hash.status_code == 200 and by_hash.get_json()["match"] is True


def test_verify_a_changed_text_is_an_answer_not_an_error(app, make, client, make_mandate):
    brand = make.brand(slug="acme")
    version = make_mandate(brand).versions[0]
    response = client.post("/api/v1/brands/acme/registry/verify", json={"text": version.text + "."})
    assert response.status_code == 200
    assert response.get_json()["match"] is False and response.get_json()["matches"] == []


def test_verify_refuses_a_malformed_hash_with_its_field(app, make, client):
    make.brand(slug="acme")
    response = client.post("/api/v1/brands/acme/registry/verify", json={"sha256": "1234"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert "64 hexadecimal characters" in error["fields"]["sha256"]


def test_verify_refuses_malformed_bodies(app, make, client):
    make.brand(slug="acme")
    url = "/api/v1/brands/acme/registry/verify"
    assert client.post(url, json={}).status_code == 422
    both = client.post(url, json={"text": "x", "sha256": "a" * 64})
    assert both.status_code == 422 and set(both.get_json()["error"]["fields"]) == {"text", "sha256"}
    unknown = client.post(url, json={"hash": "a" * 64})
    assert unknown.status_code == 422 and "hash" in unknown.get_json()["error"]["fields"]
    wrong_type = client.post(url, json={"sha256": 12})
    assert wrong_type.status_code == 422 and "sha256" in wrong_type.get_json()["error"]["fields"]
    assert client.post(url, data="[]", content_type="application/json").status_code == 422
    assert client.post("/api/v1/brands/nope/registry/verify", json={"sha256": "a" * 64}).status_code == 404


def test_both_routes_are_in_the_openapi_document(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    registry = next(p for p in paths if p.endswith("/registry"))
    verify = next(p for p in paths if p.endswith("/registry/verify"))
    assert "get" in paths[registry] and "post" in paths[verify]
