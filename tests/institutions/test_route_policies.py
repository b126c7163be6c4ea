"""Every route declares who may call it; private routes never answer an anonymous visitor with data or a 500."""
import re

import pytest

from institutions.access import is_public_policy, policy_of
from tests.conftest import csrf_token_from, login

EXEMPT_ENDPOINTS = {"static"}  # Flask's own static files


def test_every_route_declares_a_policy(app):
    missing = [
        rule.rule for rule in app.url_map.iter_rules()
        if rule.endpoint not in EXEMPT_ENDPOINTS and policy_of(app.view_functions[rule.endpoint]) is None
    ]
    assert missing == []


def _concrete(rule: str) -> str:
    def value(match):
        if match.group(1) == "int":
            return "1"
        return {"kind": "president", "token": "not-a-token"}.get(match.group(2), "acme")

    return re.sub(r"<(?:(\w+):)?(\w+)>", value, rule)


def _private_rules(app):
    for rule in app.url_map.iter_rules():
        policy = policy_of(app.view_functions[rule.endpoint]) if rule.endpoint != "static" else "public"
        if not is_public_policy(policy):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.rule, method


def test_anonymous_visitors_never_reach_private_routes(app, make, client):
    make.brand(slug="acme")
    checked = 0
    for rule, method in _private_rules(app):
        response = client.open(_concrete(rule), method=method)
        if rule.startswith("/api/"):
            assert response.status_code == 401, (rule, method, response.status_code)
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"], (rule, method)
        checked += 1
    assert checked > 20


def test_members_get_403_on_staff_and_admin_routes(app, make, client):
    brand = make.brand(slug="acme")
    login(client, make.member(brand))
    for rule in app.url_map.iter_rules():
        policy = policy_of(app.view_functions[rule.endpoint]) if rule.endpoint != "static" else None
        # Every staff-only guard (brand_staff, election_staff, mandate_staff...) refuses a member with 403.
        staff_only = policy is not None and (policy.endswith("_staff") or policy == "platform_admin")
        if staff_only and not rule.rule.startswith("/api/"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                assert client.open(_concrete(rule.rule), method=method).status_code == 403, rule.rule


def test_a_post_without_csrf_token_is_refused(app, make, client):
    user = make.user()
    app.config["WTF_CSRF_ENABLED"] = True
    form = client.get("/login")
    token = csrf_token_from(form.text)
    refused = client.post("/login", data={"email": user.email, "password": "correct-horse-battery"})
    assert refused.status_code == 400
    assert "This form has expired" in refused.text
    accepted = client.post("/login", data={"email": user.email, "password": "correct-horse-battery", "csrf_token": token})
    assert accepted.status_code == 302


def test_security_headers_and_cookies(app, make, client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    login(client, make.user())
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_production_config_marks_cookies_secure():
    from config import Config

    assert Config.DEVELOPMENT or (Config.SESSION_COOKIE_SECURE and Config.REMEMBER_COOKIE_SECURE)


@pytest.mark.parametrize("path", ["/nope", "/b/unknown/", "/b/unknown/charter", "/api/v1/brands/unknown"])
def test_unknown_addresses_are_404(client, path):
    assert client.get(path).status_code == 404
