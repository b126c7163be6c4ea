"""The registry (page and API), its verification and the charter's counts run a bounded number of queries."""
from __future__ import annotations

import pytest

from mandates.models import MandateState
from tests.mandates.registry_fixtures import make_advocate

pytestmark = pytest.mark.usefixtures("registry_clock")

LISTED = (MandateState.ACTIVE, MandateState.SCHEDULED, MandateState.COMPLETED, MandateState.RESIGNED,
          MandateState.REVOKED)
UNLISTED = (MandateState.DRAFT, MandateState.OFFERED, MandateState.SIGNED, MandateState.DECLINED)


def _add(make, make_mandate, brand, rounds):
    for index in range(rounds):
        make_mandate(brand, LISTED[index % len(LISTED)])
        make_mandate(brand, UNLISTED[index % len(UNLISTED)])
        make_advocate(brand, make.user())


def _count(client, count_queries, method, path, **kwargs):
    with count_queries() as counter:
        response = getattr(client, method)(path, **kwargs)
        assert response.status_code == 200
    return counter.count, response


def test_registry_page_and_api_do_not_grow_with_mandates(app, make, client, count_queries, make_mandate):
    brand = make.brand(slug="acme")
    _add(make, make_mandate, brand, 2)
    paths = ("/b/acme/registry", "/api/v1/brands/acme/registry", "/b/acme/charter")
    few = {path: _count(client, count_queries, "get", path)[0] for path in paths}
    _add(make, make_mandate, brand, 18)
    for path in paths:
        many, response = _count(client, count_queries, "get", path)
        assert many == few[path], path
    # The last page counted is the charter: it now reports the 20 advocates.
    assert "20 recognized advocates." in response.get_data(as_text=True)
    assert len(client.get("/api/v1/brands/acme/registry").get_json()["advocates"]) == 20


def test_registry_reads_ended_mandates_without_a_version_in_force_in_one_more_query(
        app, make, client, count_queries, make_mandate):
    from extensions import db

    brand = make.brand(slug="acme")

    def add_orphans(n):
        for _ in range(n):
            mandate = make_mandate(brand, MandateState.COMPLETED)
            mandate.version_in_force_id = None
        db.session.commit()

    add_orphans(2)
    few, _response = _count(client, count_queries, "get", "/b/acme/registry")
    add_orphans(15)
    assert _count(client, count_queries, "get", "/b/acme/registry")[0] == few


def test_verification_does_not_grow_with_mandates(app, make, client, count_queries, make_mandate):
    brand = make.brand(slug="acme")
    first = make_mandate(brand)
    few, _response = _count(client, count_queries, "post", "/b/acme/registry/verify",
                            data={"sha256": first.versions[0].text_sha256})
    api_few, _response = _count(client, count_queries, "post", "/api/v1/brands/acme/registry/verify",
                                json={"text": first.versions[0].text})
    for _ in range(15):
        make_mandate(brand)
    assert _count(client, count_queries, "post", "/b/acme/registry/verify",
                  data={"sha256": first.versions[0].text_sha256})[0] == few
    assert _count(client, count_queries, "post", "/api/v1/brands/acme/registry/verify",
                  json={"text": first.versions[0].text})[0] == api_few
