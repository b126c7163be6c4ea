"""The public registry: what anyone sees (active ambassadors, advocates, history) and never sees."""
from __future__ import annotations

import pytest

from datetime import date

from extensions import db
from mandates.models import AdvocacyState, MandateState
from tests.conftest import login
from tests.mandates.registry_fixtures import PRIVATE, make_advocate, sample_clauses

pytestmark = pytest.mark.usefixtures("registry_clock")


def _registry(client, slug="acme"):
    response = client.get(f"/b/{slug}/registry")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_active_ambassador_shows_name_mission_pay_label_and_term(app, make, client, make_mandate):
    brand = make.brand(slug="acme")
    make_mandate(brand, MandateState.ACTIVE, public_name="Alice Ambassador",
                 clauses=sample_clauses(mission="Repair workshops", channels="TikTok", compensation="money",
                                        label="#ad", starts_on=date(2026, 2, 1), ends_on=date(2027, 1, 31)),
                 starts_on=date(2026, 2, 1), ends_on=date(2027, 1, 31))
    html = _registry(client)
    assert "Active ambassadors" in html
    assert "Alice Ambassador" in html
    assert "Repair workshops (channels: TikTok)" in html
    assert ">Paid<" in html.replace("\n", "")
    assert "#ad" in html
    assert 'datetime="2026-02-01"' in html and 'datetime="2027-01-31"' in html


def test_unpaid_and_in_kind_are_told_apart(app, make, client, make_mandate):
    brand = make.brand(slug="acme")
    make_mandate(brand, public_name="Unpaid Ursula", clauses=sample_clauses(compensation="none"))
    make_mandate(brand, public_name="Kind Karl", clauses=sample_clauses(compensation="in_kind"))
    html = _registry(client)
    assert "Unpaid" in html
    assert "Paid in kind" in html


def test_private_clauses_and_reasons_are_never_shown(app, make, client, make_mandate):
    brand = make.brand(slug="acme")
    make_mandate(brand, MandateState.ACTIVE, public_name="Public Name")
    make_mandate(brand, MandateState.REVOKED, public_name="Revoked Roger")
    html = _registry(client)
    assert "Public Name" in html and "Revoked Roger" in html
    for secret in PRIVATE.values():
        assert secret not in html
    assert "Private reason" not in html
    assert "MISSION CONTRACT" not in html  # the contract text itself stays with the parties


def test_drafts_offers_and_declined_mandates_are_never_listed(app, make, client, make_mandate):
    brand = make.brand(slug="acme")
    for state in (MandateState.DRAFT, MandateState.OFFERED, MandateState.SIGNED, MandateState.DECLINED):
        make_mandate(brand, state, public_name=f"Hidden {state.value}")
    make_mandate(brand, MandateState.ACTIVE, public_name="Visible Vera")
    html = _registry(client)
    assert "Visible Vera" in html
    assert "Hidden" not in html
    # Even staff see only signed mandates here: the registry is the public's page.
    login(client, make.staff(brand))
    assert "Hidden" not in _registry(client)


def test_history_lists_ended_mandates_with_their_dates(app, make, client, make_mandate):
    brand = make.brand(slug="acme")
    make_mandate(brand, MandateState.COMPLETED, public_name="Completed Carla",
                 starts_on=date(2024, 1, 1), ends_on=date(2024, 12, 31))
    make_mandate(brand, MandateState.RESIGNED, public_name="Resigned Rita",
                 starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31),
                 end_requested_on=date(2025, 4, 1), end_effective_on=date(2025, 5, 1))
    make_mandate(brand, MandateState.REVOKED, public_name="Revoked Roger",
                 starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31),
                 end_requested_on=date(2025, 6, 1), end_effective_on=date(2025, 7, 1))
    html = _registry(client)
    history = html.split('id="history"')[1]
    assert "Active ambassadors" in html and "No ambassador represents the brand today." in html
    # Newest end first.
    assert history.index("Revoked Roger") < history.index("Resigned Rita") < history.index("Completed Carla")
    revoked_row = history[history.index("Revoked Roger"):].split("</tr>")[0]
    assert "Revoked by the brand" in revoked_row
    assert 'datetime="2025-06-01"' in revoked_row  # notice given
    assert 'datetime="2025-07-01"' in revoked_row  # took effect
    resigned_row = history[history.index("Resigned Rita"):].split("</tr>")[0]
    assert "Resigned" in resigned_row and 'datetime="2025-05-01"' in resigned_row
    completed_row = history[history.index("Completed Carla"):].split("</tr>")[0]
    assert "Completed" in completed_row and 'datetime="2024-12-31"' in completed_row


def test_notice_given_on_an_active_mandate_shows_its_end(app, make, client, make_mandate):
    brand = make.brand(slug="acme")
    make_mandate(brand, MandateState.ACTIVE, public_name="Leaving Leo", end_effective_on=date(2026, 9, 30))
    html = _registry(client)
    row = html[html.index("Leaving Leo"):].split("</tr>")[0]
    assert "notice given" in row and 'datetime="2026-09-30"' in row


def test_scheduled_mandates_are_listed_apart_from_active_ones(app, make, client, make_mandate):
    brand = make.brand(slug="acme")
    make_mandate(brand, MandateState.SCHEDULED, public_name="Future Fanny", starts_on=date(2030, 1, 1),
                 ends_on=date(2030, 12, 31))
    html = _registry(client)
    assert "No ambassador represents the brand today." in html
    assert "Signed by both parties, starting later" in html and "Future Fanny" in html


def test_only_recognized_advocates_are_listed(app, make, client):
    brand = make.brand(slug="acme")
    make_advocate(brand, make.user(), public_name="Recognized Rosa", defends="customers")
    for state in (AdvocacyState.PENDING, AdvocacyState.DECLINED, AdvocacyState.WITHDRAWN, AdvocacyState.RETRACTED):
        make_advocate(brand, make.user(), state, public_name=f"Hidden {state.value}")
    html = _registry(client)
    advocates = html.split('id="advocates"')[1].split('id="history"')[0]
    assert "Recognized Rosa" in advocates and "Its customers" in advocates
    assert "Hidden" not in html
    assert "I like their repair service" not in html  # the statement is the brand's business to judge


def test_another_brands_mandates_and_advocates_stay_on_its_registry(app, make, client, make_mandate):
    acme, other = make.brand(slug="acme"), make.brand(slug="other")
    make_mandate(other, public_name="Other Otto")
    make_advocate(other, make.user(), public_name="Other Olga")
    html = _registry(client, "acme")
    assert "Other Otto" not in html and "Other Olga" not in html
    assert "Other Otto" in _registry(client, "other")


def test_registry_links_to_verification_and_is_in_the_brand_navigation(app, make, client):
    make.brand(slug="acme")
    html = _registry(client)
    assert 'href="/b/acme/registry/verify"' in html
    home = client.get("/b/acme/").get_data(as_text=True)
    assert 'href="/b/acme/registry"' in home


def test_unknown_brand_has_no_registry(app, client):
    assert client.get("/b/nope/registry").status_code == 404
    assert client.get("/b/nope/registry/verify").status_code == 404


def test_charter_shows_the_counts_and_links_to_the_registry(app, make, client, make_mandate):
    brand = make.brand(slug="acme")
    make_mandate(brand, MandateState.ACTIVE)
    make_mandate(brand, MandateState.ACTIVE)
    make_mandate(brand, MandateState.OFFERED)
    make_mandate(brand, MandateState.REVOKED)
    make_advocate(brand, make.user())
    make_advocate(brand, make.user(), AdvocacyState.PENDING)
    html = client.get("/b/acme/charter").get_data(as_text=True)
    ambassador = html.split('id="office-ambassador"')[1].split("</section>")[0]
    advocate = html.split('id="office-advocate"')[1].split("</section>")[0]
    assert "2 active ambassadors." in ambassador
    assert 'href="/b/acme/registry#ambassadors"' in ambassador
    assert "1 recognized advocate." in advocate
    assert 'href="/b/acme/registry#advocates"' in advocate


def test_registry_counts_nothing_for_an_empty_brand(app, make, client):
    make.brand(slug="acme")
    html = client.get("/b/acme/charter").get_data(as_text=True)
    assert "0 active ambassadors." in html and "0 recognized advocates." in html
    registry = _registry(client)
    assert "No ambassador represents the brand today." in registry
    assert "The brand recognizes no advocate today." in registry
    assert "No mandate has ended yet." in registry


def test_facts_fall_back_to_the_last_signed_version_when_none_is_in_force(app, make, client, make_mandate):
    brand = make.brand(slug="acme")
    mandate = make_mandate(brand, MandateState.COMPLETED, public_name="Old Oscar",
                           clauses=sample_clauses(mission="Old mission", label="Publicité"))
    mandate.version_in_force_id = None
    db.session.commit()
    html = _registry(client)
    assert "Old mission" in html and "Publicité" in html


def test_malformed_clauses_show_not_stated(app, make, client, make_mandate):
    brand = make.brand(slug="acme")
    make_mandate(brand, public_name="Bare Bob", clauses={"missions": "not a dict"})
    html = _registry(client)
    row = html[html.index("Bare Bob"):].split("</tr>")[0]
    assert row.count("Not stated") == 3


def test_an_employee_ambassador_is_shown_as_such(app, make, client, make_mandate):
    brand = make.brand(slug="acme")
    make_mandate(brand, public_name="Staff Stella", clauses=sample_clauses(employee=True, label="Publicité"))
    html = _registry(client)
    row = html[html.index("Staff Stella"):].split("</tr>")[0]
    assert "Publicité" in row and "Employed by the brand" in row


def test_mandates_follow_their_dates_before_the_registry_is_read(app, make, client, make_mandate):
    from institutions import clock
    from tests.conftest import at

    brand = make.brand(slug="acme")
    make_mandate(brand, MandateState.ACTIVE, public_name="Ending Emma", starts_on=date(2026, 1, 1),
                 ends_on=date(2026, 6, 30))
    make_mandate(brand, MandateState.SCHEDULED, public_name="Starting Sam", starts_on=date(2026, 6, 15),
                 ends_on=date(2026, 12, 31))
    clock.freeze(at("2026-07-01 08:00"))
    html = _registry(client)
    active = html.split('id="ambassadors"')[1].split('id="advocates"')[0]
    history = html.split('id="history"')[1]
    assert "Starting Sam" in active and "Ending Emma" not in active
    emma = history[history.index("Ending Emma"):].split("</tr>")[0]
    assert "at the end of its term, on" in emma and emma.count('datetime="2026-06-30"') == 2  # term, end
    assert client.get("/api/v1/brands/acme/registry").get_json()["counts"]["active_ambassadors"] == 1
