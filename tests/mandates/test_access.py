"""The mandates route guards: who may call a mandate route, and the clock they run before the view."""
from __future__ import annotations

import re
from datetime import datetime, time, timezone

from extensions import db
from institutions import clock
from institutions.access import policy_of
from mandates.models import MandateState
from tests.conftest import bearer, login
from tests.mandates.contract_fixtures import STARTS

FIRST_DAY = datetime.combine(STARTS, time(9), tzinfo=timezone.utc)


def _concrete(rule: str) -> str:
    return re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: "1" if m.group(1) == "int" else "acme", rule)


def _rules(app, policy: str):
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static" and policy_of(app.view_functions[rule.endpoint]) == policy:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.rule, method


def test_members_get_403_on_every_mandate_staff_route(app, make, client):
    brand = make.brand(slug="acme")
    member = make.member(brand)
    login(client, member)
    headers = bearer(member)
    checked = 0
    for rule, method in _rules(app, "mandate_staff"):
        response = client.open(_concrete(rule), method=method, headers=headers if rule.startswith("/api/") else {})
        assert response.status_code == 403, (rule, method, response.status_code)
        checked += 1
    assert checked > 10


def test_a_stranger_cannot_see_a_mandate(app, make, client, contract_scene):
    mandate = contract_scene.in_force()
    stranger = make.member(contract_scene.brand)
    login(client, stranger)
    assert client.get(f"/b/acme/mandates/{mandate.id}").status_code == 403
    assert client.get(f"/api/v1/brands/acme/mandates/{mandate.id}", headers=bearer(stranger)).status_code == 403


def test_another_brands_mandate_is_not_found(app, make, client, contract_scene):
    mandate = contract_scene.in_force()
    other = make.brand(slug="other")
    staff = make.staff(other)
    login(client, staff)
    assert client.get(f"/b/other/mandates/{mandate.id}/draft").status_code == 404


def test_the_guard_runs_the_clock_before_the_page(app, make, client, contract_scene):
    mandate = contract_scene.in_force()
    assert mandate.state is MandateState.SCHEDULED
    login(client, contract_scene.ambassador)
    clock.freeze(FIRST_DAY)
    assert client.get(f"/b/acme/mandates/{mandate.id}").status_code == 200
    db.session.expire_all()
    assert mandate.state is MandateState.ACTIVE
