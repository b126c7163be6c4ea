"""Malformed requests get a clear 4xx (JSON under /api/, a page elsewhere), never a 500; an outage gets a 503."""
from __future__ import annotations

import json

import pytest
from sqlalchemy.exc import DataError, DBAPIError, OperationalError

from app import create_app
from config import TestConfig
from extensions import db
from institutions.api_support import JSON_MAX_BYTES
from tests.conftest import bearer, login

HUGE = "99999999999999999999"  # beyond 64 bits: SQLite overflows, PostgreSQL is out of range
JUST_BEYOND_INTEGER = str(2**31)  # beyond PostgreSQL's INTEGER columns, within 64 bits


def _json_error(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.data[:300])
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"]
    if field is not None:
        assert field in error["fields"], error
    return error


def _page(response, status: int) -> str:
    assert response.status_code == status, (response.status_code, response.data[:300])
    assert response.mimetype == "text/html"
    assert f"Error code {status}" in response.text
    return response.text


@pytest.fixture
def demo(make):
    """A brand `demo` with a staff member and a verified member, and their API headers."""
    brand = make.brand(slug="demo")
    staff = make.staff(brand)
    member = make.member(brand)
    return {"brand": brand, "staff": staff, "member": member, "staff_headers": bearer(staff),
            "member_headers": bearer(member)}


@pytest.mark.parametrize("number", [HUGE, JUST_BEYOND_INTEGER])
def test_an_id_beyond_the_database_integers_is_not_found(client, demo, number):
    headers = demo["staff_headers"]
    assert _json_error(client.get(f"/api/v1/elections/{number}", headers=headers), 404)["code"] == "not_found"
    _json_error(client.post(f"/api/v1/elections/{number}/cancel", json={"reason": "x"}, headers=headers), 404)
    _json_error(client.get(f"/api/v1/brands/demo/cases/{number}", headers=headers), 404)
    _json_error(client.get(f"/api/v1/brands/demo/mediation/reports/{number}", headers=headers), 404)
    _page(client.get(f"/b/demo/elections/{number}"), 404)


def test_an_id_of_five_thousand_digits_is_not_found(client, demo):
    _json_error(client.get(f"/api/v1/elections/{'9' * 5000}", headers=demo["staff_headers"]), 404)
    _page(client.get(f"/b/demo/elections/{'9' * 5000}"), 404)


def test_the_largest_integer_id_is_still_looked_up(client, demo):
    # The bound is the column's: 2**31 - 1 reaches the database, which has no such election (404 all the same).
    _json_error(client.get(f"/api/v1/elections/{2**31 - 1}", headers=demo["staff_headers"]), 404)


@pytest.mark.parametrize("value", [HUGE, JUST_BEYOND_INTEGER, "9" * 5000, "³", "٣", "0", "-1", "1.5", "1e3", " 1", ""])
def test_a_page_number_out_of_range_or_not_ascii_digits_is_refused_naming_it(client, demo, value):
    for name in ("page", "per_page"):
        error = _json_error(client.get("/api/v1/brands", query_string={name: value}), 422, name)
        assert error["code"] == "invalid"


def test_the_largest_page_is_an_empty_page(client, demo):
    answer = client.get(f"/api/v1/brands?page={2**31 - 1}&per_page=100")
    assert answer.status_code == 200 and answer.get_json()["items"] == [] and answer.get_json()["total"] == 1


def test_pages_with_a_page_number_beyond_range_are_not_found(client, demo):
    _page(client.get(f"/b/demo/transparency?page={HUGE}"), 404)
    _page(client.get(f"/b/demo/transparency?page={JUST_BEYOND_INTEGER}"), 404)
    _page(client.get(f"/b/demo/transparency?page={'9' * 5000}"), 404)
    # A page number that is not a number at all shows the first page, as before.
    assert client.get("/b/demo/transparency?page=%C2%B3").status_code == 200


def test_a_nul_character_in_the_address_is_not_found(client, demo):
    _page(client.get("/b/demo%00/"), 404)
    _page(client.get("/b/demo%00/charter"), 404)
    _json_error(client.get("/api/v1/brands/demo%00/charter"), 404)
    _json_error(client.get("/api/v1/brands/demo%00", headers=demo["staff_headers"]), 404)


def test_a_nul_character_in_a_query_parameter_is_a_bad_request(client, demo):
    error = _json_error(client.get("/api/v1/brands/demo/memberships?status=pending%00",
                                   headers=demo["staff_headers"]), 400)
    assert error["code"] == "bad_request"
    _page(client.get("/b/demo/transparency?page=1%00"), 400)


def test_a_nul_character_in_the_log_in_email_is_refused_and_signs_no_one_in(client, demo):
    response = client.post("/login", data={"email": demo["member"].email + "\x00", "password": "whatever"})
    _page(response, 400)
    assert client.get("/account").status_code == 302  # still signed out
    _page(client.post("/signup", data={"email": "new\x00@example.test", "password": "x" * 20,
                                       "display_name": "New"}), 400)


def test_a_nul_character_in_a_json_value_or_key_is_refused_naming_the_field(client, make, demo):
    headers = bearer(make.user())
    error = _json_error(client.post("/api/v1/brands/demo/memberships", json={"customer_number": "C\x001"},
                                    headers=headers), 400, "customer_number")
    assert "NUL" in error["fields"]["customer_number"]
    _json_error(client.post("/api/v1/brands/demo/memberships", json={"customer\x00number": "C1"},
                            headers=headers), 400, "body")
    # Nothing was written: the member can still join.
    assert client.post("/api/v1/brands/demo/memberships", json={"customer_number": "C1"},
                       headers=headers).status_code == 201


def test_a_json_body_nested_five_thousand_levels_deep_is_refused(client, demo):
    deep = "[" * 5000 + "]" * 5000
    error = _json_error(client.post("/api/v1/brands/demo/memberships", data=deep, content_type="application/json",
                                    headers=demo["member_headers"]), 400, "body")
    assert error["code"] == "bad_request" and "nested" in error["message"]
    object_deep = '{"a":' * 5000 + "1" + "}" * 5000
    _json_error(client.post("/api/v1/brands/demo/memberships", data=object_deep, content_type="application/json",
                            headers=demo["member_headers"]), 400, "body")


def test_a_json_body_nested_beyond_the_limit_names_the_field_it_came_in(client, demo):
    body = '{"customer_number": ' + "[" * 40 + "]" * 40 + "}"
    _json_error(client.post("/api/v1/brands/demo/memberships", data=body, content_type="application/json",
                            headers=demo["member_headers"]), 400, "customer_number")


def test_a_json_body_over_the_size_limit_is_too_large(client, demo):
    body = json.dumps({"customer_number": "x" * JSON_MAX_BYTES})
    error = _json_error(client.post("/api/v1/brands/demo/memberships", data=body, content_type="application/json",
                                    headers=demo["member_headers"]), 413, "body")
    assert error["code"] == "too_large"


def _election(**changes) -> dict:
    body = {"title": "President 2027", "method": "plurality", "nominations_open_at": "2030-01-01T09:00:00Z",
            "nominations_close_at": "2030-01-08T09:00:00Z", "voting_open_at": "2030-01-09T09:00:00Z",
            "voting_close_at": "2030-01-11T09:00:00Z"}
    body.update(changes)
    return body


@pytest.mark.parametrize("value", [2**31, -(2**31) - 1, 10**30])
def test_a_whole_number_beyond_the_database_integers_is_refused_naming_it(client, demo, value):
    response = client.post("/api/v1/brands/demo/elections", json=_election(term_months=value),
                           headers=demo["staff_headers"])
    assert "out of range" in _json_error(response, 422, "term_months")["fields"]["term_months"]


def test_a_moment_that_cannot_be_converted_to_utc_is_refused_naming_it(client, demo):
    response = client.post("/api/v1/brands/demo/elections",
                           json=_election(nominations_open_at="0001-01-01T00:00:00+05:00"),
                           headers=demo["staff_headers"])
    _json_error(response, 422, "nominations_open_at")


def test_numbers_that_no_column_holds_are_refused(app):
    from institutions.api_support import number_field
    from institutions.errors import ValidationFailed

    with app.test_request_context():
        for value in (float("nan"), float("inf"), -float("inf"), 10**40):
            with pytest.raises(ValidationFailed) as refused:
                number_field({"amount": value}, "amount")
            assert "amount" in refused.value.fields
        assert number_field({"amount": 12.5}, "amount") == 12.5
    # Python's JSON reader turns these literals into floats: the API refuses them all the same.
    assert json.loads('{"a": NaN, "b": Infinity}')["b"] == float("inf")


@pytest.mark.parametrize("error, status, code", [
    (OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly")), 503, "unavailable"),
    (DBAPIError("SELECT 1", {}, Exception("connection reset"), connection_invalidated=True), 503, "unavailable"),
    (DataError("SELECT 1", {}, Exception("integer out of range")), 400, "bad_request"),
    (OverflowError("Python int too large to convert to SQLite INTEGER"), 400, "bad_request"),
])
def test_database_failures_are_an_outage_or_bad_input_not_a_crash(app, client, demo, monkeypatch, error, status,
                                                                   code):
    def failing():
        raise error

    monkeypatch.setitem(app.view_functions, "api.me", failing)
    assert _json_error(client.get("/api/v1/me", headers=demo["member_headers"]), status)["code"] == code
    monkeypatch.setitem(app.view_functions, "site.home", failing)
    _page(client.get("/"), status)


@pytest.fixture(params=["postgresql+psycopg://postgres@127.0.0.1:1/nothing", "sqlite:////nonexistent/dir/tribune.db"])
def database_down(request, app):
    """The same application whose database cannot be reached (PostgreSQL refused, SQLite unopenable)."""
    config = type("DownConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": request.param, "WTF_CSRF_ENABLED": False,
                                                "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True}})
    down = create_app(config)
    down.test_client_class = app.test_client_class
    yield down
    with down.app_context():
        db.engine.dispose()


def test_a_database_outage_answers_503_json_in_the_api(database_down):
    client = database_down.test_client()
    for path, headers in [("/api/v1/brands", {}), ("/api/v1/brands/demo/charter", {}),
                          ("/api/v1/me", {"Authorization": "Bearer trb_whatever"})]:
        response = client.get(path, headers=headers)
        assert _json_error(response, 503)["code"] == "unavailable"
        assert response.headers["Retry-After"] == "30"
    _json_error(client.post("/api/v1/brands/demo/memberships", json={}, headers={"Authorization": "Bearer trb_x"}),
                503)


def test_a_database_outage_answers_a_503_page_elsewhere(app, database_down, demo):
    signed_in = app.test_client()
    login(signed_in, demo["member"])
    client = database_down.test_client()
    for path in ("/", "/b/demo/", "/b/demo/charter"):
        assert "try again" in _page(client.get(path), 503)
    assert client.post("/login", data={"email": "someone@example.test", "password": "x" * 12}).status_code == 503
    # A signed-in person's cookie would need the database to find the account: the page answers as to a visitor.
    cookie = signed_in.get_cookie("session")
    if cookie is not None:
        client.set_cookie("session", cookie.value)
    _page(client.get("/b/demo/"), 503)
