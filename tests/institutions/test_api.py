"""The JSON API: bearer tokens, one error shape, pagination, and an OpenAPI document in step."""
import re
from datetime import timedelta

from sqlalchemy import event

from extensions import db
from institutions import accounts, clock
from institutions.models import ApiToken, Membership, MembershipStatus
from tests.conftest import at, login


def _token(user) -> dict:
    _, secret = accounts.create_api_token(user, "tests")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _error(response, status, field=None):
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"]
    if field:
        assert field in error["fields"], error
    return error


def test_tokens_are_created_in_the_account_page_shown_once_and_revocable(app, make, client):
    user = make.user()
    login(client, user)
    page = client.post("/account/tokens", data={"token-name": "my script"}, follow_redirects=True)
    secret = re.search(r"(trb_[\w-]+)", page.text).group(1)
    assert secret not in client.get("/account").text  # shown once
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).get_json()["email"] == user.email
    with app.app_context():
        token_id = accounts.active_api_tokens(user)[0].id
        assert accounts.active_api_tokens(user)[0].token_hash != secret
    client.post(f"/account/tokens/{token_id}/revoke")
    _error(client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}), 401)


def test_api_ignores_session_cookies(app, make, client):
    user = make.user()
    login(client, user)
    _error(client.get("/api/v1/me"), 401)


def test_brands_are_paginated(app, make, client):
    for n in range(3):
        make.brand(slug=f"b{n}", name=f"Brand {n}")
    first = client.get("/api/v1/brands?per_page=2").get_json()
    assert [b["slug"] for b in first["items"]] == ["b0", "b1"] and first["total"] == 3
    second = client.get(first["next"]).get_json()
    assert [b["slug"] for b in second["items"]] == ["b2"] and second["next"] is None
    _error(client.get("/api/v1/brands?per_page=1000"), 422, "per_page")
    _error(client.get("/api/v1/brands?page=zero"), 422, "page")


def test_charter_in_the_requested_language(app, make, client):
    make.brand(slug="acme")
    english = client.get("/api/v1/brands/acme/charter").get_json()
    assert [o["kind"] for o in english["offices"]] == ["president", "ambassador", "advocate", "mediator"]
    french = client.get("/api/v1/brands/acme/charter", headers={"Accept-Language": "fr"}).get_json()
    assert french["offices"][0]["title"] == "Président des clients"
    _error(client.get("/api/v1/brands/nope/charter"), 404)


def test_join_verify_and_leave_through_the_api(app, make, client):
    brand = make.brand(slug="acme")
    staff = make.staff(brand)
    customer = make.user()
    customer_headers, staff_headers = _token(customer), _token(staff)
    joined = client.post("/api/v1/brands/acme/memberships", json={"customer_number": "C-5"}, headers=customer_headers)
    assert joined.status_code == 201 and joined.get_json()["status"] == "pending"
    _error(client.post("/api/v1/brands/acme/memberships", json={}, headers=customer_headers), 409)
    _error(client.post("/api/v1/brands/acme/memberships", json={"customer_number": 5}, headers=customer_headers),
           422, "customer_number")
    _error(client.post("/api/v1/brands/acme/memberships", json={"nickname": "x"}, headers=customer_headers),
           422, "nickname")
    listing = client.get("/api/v1/brands/acme/memberships?status=pending", headers=staff_headers).get_json()
    assert [m["member"]["id"] for m in listing["items"]] == [customer.id]
    _error(client.get("/api/v1/brands/acme/memberships", headers=customer_headers), 403)
    verified = client.post(f"/api/v1/brands/acme/memberships/{joined.get_json()['id']}/verify", headers=staff_headers)
    assert verified.get_json()["status"] == "verified"
    left = client.delete("/api/v1/brands/acme/memberships/me", headers=customer_headers)
    assert left.get_json()["status"] == "left"


def test_staff_of_another_brand_get_403_in_the_api(app, make, client):
    mine, theirs = make.brand(slug="mine"), make.brand(slug="theirs")
    headers = _token(make.staff(mine))
    pending = make.member(theirs, status=MembershipStatus.PENDING)
    membership_id = db.session.scalar(db.select(Membership.id).where(Membership.user_id == pending.id))
    _error(client.get("/api/v1/brands/theirs/memberships", headers=headers), 403)
    _error(client.post(f"/api/v1/brands/theirs/memberships/{membership_id}/verify", headers=headers), 403)
    _error(client.post(f"/api/v1/brands/mine/memberships/{membership_id}/verify", headers=headers), 404)


def test_import_through_the_api_with_dry_run(app, make, client):
    brand = make.brand(slug="acme")
    headers = _token(make.staff(brand))
    make.member(brand, user=make.user(email="ann@example.test"), status=MembershipStatus.PENDING)
    body = b"email\nann@example.test\n"
    dry = client.post("/api/v1/brands/acme/memberships/import?dry_run=1", data=body, headers=headers).get_json()
    assert dry == {"dry_run": True, "rows": 1, "verified_now": 1, "already_verified": 0, "kept_for_later": 0,
                   "already_listed": 0}
    queued = client.post("/api/v1/brands/acme/memberships/import", data=body, headers=headers)
    assert queued.status_code == 202 and queued.headers["Location"] == f"/api/v1/jobs/{queued.get_json()['job']['id']}"
    done = client.get(queued.headers["Location"], headers=headers).get_json()  # immediate mode: already run
    assert done["state"] == "done" and done["result"]["verified_now"] == 1
    error = _error(client.post("/api/v1/brands/acme/memberships/import", data=b"email\nbad\n", headers=headers),
                   422, "file")
    assert "Line 2" in error["fields"]["file"]


def test_admin_creates_brands_through_the_api(app, make, client):
    headers = _token(make.user(admin=True))
    created = client.post("/api/v1/brands", json={"name": "Acme", "slug": "acme"}, headers=headers)
    assert created.status_code == 201
    _error(client.post("/api/v1/brands", json={"name": "Acme", "slug": "acme"}, headers=headers), 409, "slug")
    _error(client.post("/api/v1/brands", json={"slug": "x"}, headers=headers), 422, "name")
    _error(client.post("/api/v1/brands", data="not json", headers={**headers, "Content-Type": "application/json"}),
           422, "body")
    _error(client.post("/api/v1/brands", json={"name": "B", "slug": "b"}, headers=_token(make.user())), 403)


def test_openapi_document_covers_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    documented = {(path, method) for path, operations in document["paths"].items() for method in operations}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
            served |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == served
    for path, operations in document["paths"].items():
        for operation in operations.values():
            assert operation["summary"] and operation["responses"]
            names = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert names == set(re.findall(r"{(\w+)}", path))


def _token_and_id(user) -> tuple[dict, int]:
    token, secret = accounts.create_api_token(user, "tests")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}, token.id


def _last_used(token_id: int):
    db.session.expire_all()
    return db.session.scalar(db.select(ApiToken.last_used_at).where(ApiToken.id == token_id))


def test_a_token_use_is_recorded_at_most_once_a_minute(app, make, client):
    headers, token_id = _token_and_id(make.user())
    noon = at("2027-01-04 12:00")
    clock.freeze(noon)
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # a read, which never commits itself
    assert _last_used(token_id) == noon
    clock.freeze(noon + timedelta(seconds=50))
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert _last_used(token_id) == noon  # recent enough: no write
    clock.freeze(noon + timedelta(minutes=2))
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert _last_used(token_id) == noon + timedelta(minutes=2)


def test_a_refused_request_still_records_the_token_use(app, make, client):
    make.brand(slug="acme")
    headers, token_id = _token_and_id(make.user())
    clock.freeze(at("2027-01-04 12:00"))
    refused = client.post("/api/v1/brands/acme/memberships", json={"customer_number": 5}, headers=headers)
    _error(refused, 422, "customer_number")  # rolled back, but the token was used
    assert _last_used(token_id) == at("2027-01-04 12:00")


def test_a_writing_request_records_the_token_use_in_its_own_commit(app, make, client):
    make.brand(slug="acme")
    headers, token_id = _token_and_id(make.user())
    clock.freeze(at("2027-01-04 12:00"))
    commits = []

    def count_commit(connection):
        commits.append(connection)

    event.listen(db.engine, "commit", count_commit)
    try:
        joined = client.post("/api/v1/brands/acme/memberships", json={}, headers=headers)
    finally:
        event.remove(db.engine, "commit", count_commit)
    assert joined.status_code == 201
    assert len(commits) == 1  # no transaction of its own for the token on the way in
    assert _last_used(token_id) == at("2027-01-04 12:00")


def test_revoked_tokens_unknown_tokens_and_erased_accounts_do_not_authenticate(app, make, client):
    erased, revoked = make.user(), make.user()
    (erased_headers, _), (revoked_headers, revoked_id) = _token_and_id(erased), _token_and_id(revoked)
    assert client.get("/api/v1/me", headers=erased_headers).status_code == 200
    assert client.get("/api/v1/me", headers=revoked_headers).status_code == 200
    erased.deleted_at = clock.utcnow()
    db.session.get(ApiToken, revoked_id).revoked_at = clock.utcnow()
    db.session.commit()
    _error(client.get("/api/v1/me", headers=erased_headers), 401)
    _error(client.get("/api/v1/me", headers=revoked_headers), 401)
    _error(client.get("/api/v1/me", headers={"Authorization": "Bearer trb_unknown"}), 401)
