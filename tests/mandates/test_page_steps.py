"""The mandate pages say one consistent thing at each step, "Save and offer" never loses what was typed, and a
finished mission order is never shown as late."""
from __future__ import annotations

from datetime import timedelta

from extensions import db
from institutions import clock
from mandates import contracts, missions
from mandates.models import MandateState, VersionState
from tests.conftest import login
from tests.mandates.conftest import MISSION_T0
from tests.mandates.contract_fixtures import complete_clauses
from tests.mandates.test_contract_pages import form_data

TERM = "2027-03-10 to 2027-08-31"
CONTRADICTIONS = ("not signed yet", "waits for signature")


def _page(app, user, path: str) -> str:
    client = app.test_client()
    login(client, user)
    response = client.get(path)
    assert response.status_code == 200
    return response.text


def _term_of(page: str) -> str:
    """The words of the "Term" line of the mandate page."""
    return page.split("<dt>Term</dt><dd>", 1)[1].split("</dd>", 1)[0]


def test_each_step_of_the_contract_says_one_thing(app, contract_scene):
    scene = contract_scene
    mandate = scene.draft()
    path = f"/b/acme/mandates/{mandate.id}"
    draft = _page(app, scene.clerk, path)
    assert "set by the draft, once both parties sign" in _term_of(draft)

    contracts.offer(mandate, scene.clerk)
    db.session.commit()
    for person in (scene.clerk, scene.ambassador):
        offered = _page(app, person, path)
        assert _term_of(offered).strip() == f"{TERM}, once both parties sign"
        assert "Version 1 waits for the ambassador's signature" in offered
        assert not any(words in offered for words in CONTRADICTIONS)
    mine = _page(app, scene.ambassador, "/b/acme/mandates/mine")
    assert "Version 1 waits for your signature." in mine and f"{TERM}, once both parties sign" in mine
    listed = _page(app, scene.clerk, "/b/acme/mandates/")
    assert f"{TERM}, once both parties sign" in listed and "not signed yet" not in listed

    scene.sign(mandate)
    signed = _page(app, scene.signer, path)
    assert "Signed: waiting for the countersignature" in signed
    assert "Version 1 is signed by the ambassador and waits for the brand's countersignature" in signed
    assert _term_of(signed).strip() == f"{TERM}, once the brand countersigns"
    assert not any(words in signed for words in CONTRADICTIONS)
    assert f"{TERM}, once the brand countersigns" in _page(app, scene.ambassador, "/b/acme/mandates/mine")

    scene.countersign(mandate)
    in_force = _page(app, scene.signer, path)
    assert _term_of(in_force).strip() == TERM
    assert "waits for" not in in_force and "once" not in _term_of(in_force)


def test_a_declined_contract_has_no_term(app, contract_scene):
    mandate = contract_scene.offered()
    contracts.decline(mandate, contract_scene.ambassador, "Not for me.")
    db.session.commit()
    page = _page(app, contract_scene.clerk, f"/b/acme/mandates/{mandate.id}")
    assert "none: no contract was signed" in _term_of(page)


def test_save_and_offer_keeps_what_was_typed_when_the_draft_is_incomplete(app, contract_scene):
    scene = contract_scene
    mandate = contracts.start_mandate(scene.brand, scene.clerk, ambassador=scene.ambassador)
    db.session.commit()
    clerk = app.test_client()
    login(clerk, scene.clerk)
    editor = clerk.get(f"/b/acme/mandates/{mandate.id}/draft").text
    assert 'form="contract-form" name="then" value="offer"' in editor  # the offer button sends the form
    typed = form_data(compensation=None)  # everything but the compensation clause
    typed["ambassador_party__postal_address"] = "12 rue Neuve, 13001 Marseille"
    refused = clerk.post(f"/b/acme/mandates/{mandate.id}/draft", data={**typed, "then": "offer"})
    assert refused.status_code == 422
    assert "cannot be offered until every mandatory clause is filled" in refused.text
    assert "Compensation" in refused.text and "Your changes are saved, but the contract is not offered yet." in refused.text
    assert "12 rue Neuve, 13001 Marseille</textarea>" in refused.text  # the form shows what was typed
    db.session.expire_all()
    assert mandate.state is MandateState.DRAFT
    saved = contracts.clauses_of(contracts.draft_version(mandate))
    assert saved["ambassador_party"]["postal_address"] == "12 rue Neuve, 13001 Marseille"

    typed = form_data()
    typed["missions__nature"] = "Typed just before offering"
    offered = clerk.post(f"/b/acme/mandates/{mandate.id}/draft", data={**typed, "then": "offer"},
                         follow_redirects=True)
    assert "The contract is offered" in offered.text
    db.session.expire_all()
    version = mandate.versions[0]
    assert version.state is VersionState.OFFERED and "Typed just before offering" in version.text


def test_save_and_offer_with_a_malformed_field_saves_nothing_and_shows_it(app, contract_scene):
    scene = contract_scene
    mandate = scene.draft()
    clerk = app.test_client()
    login(clerk, scene.clerk)
    typed = form_data()
    typed["intellectual_property__duration_months"] = "forever"
    typed["missions__nature"] = "A new nature"
    refused = clerk.post(f"/b/acme/mandates/{mandate.id}/draft", data={**typed, "then": "offer"})
    assert refused.status_code == 422 and "A new nature</textarea>" in refused.text
    db.session.expire_all()
    assert mandate.state is MandateState.DRAFT
    assert contracts.clauses_of(contracts.draft_version(mandate))["missions"]["nature"] != "A new nature"


def test_an_approved_or_declined_order_is_never_shown_as_late(app, mission_scene):
    scene = mission_scene()
    due = MISSION_T0 + timedelta(hours=2)
    approved = missions.issue_order(scene.mandate, scene.staff, title="Approved one", instructions="Film it.",
                                    due_at=due, expected_proof="A link.")
    declined = missions.issue_order(scene.mandate, scene.staff, title="Declined one", instructions="Film it.",
                                    due_at=due, expected_proof="A link.")
    late = missions.issue_order(scene.mandate, scene.staff, title="Late one", instructions="Film it.",
                                due_at=due, expected_proof="A link.")
    missions.accept_order(approved, scene.ambassador)
    missions.submit_report(approved, scene.ambassador, text="Done #ad", links="https://video.example/1")
    missions.approve(approved, scene.staff)
    missions.decline_order(declined, scene.ambassador, "No time.")
    db.session.commit()
    clock.freeze(MISSION_T0 + timedelta(days=3))  # every due date has passed

    for order in (approved, declined):
        for person in (scene.staff, scene.ambassador):
            page = _page(app, person, f"/b/acme/missions/orders/{order.id}")
            assert "deadline late" not in page and "overdue" not in page.lower() and " late" not in page
    still_late = _page(app, scene.staff, f"/b/acme/missions/orders/{late.id}")
    assert "deadline late" in still_late and "This order is overdue" in still_late

    for person, path in ((scene.staff, f"/b/acme/missions/mandates/{scene.mandate.id}"),
                         (scene.ambassador, "/b/acme/missions/")):
        page = _page(app, person, path)
        rows = {title: page.split(title, 1)[1].split("</tr>", 1)[0] for title in ("Approved one", "Declined one",
                                                                                  "Late one")}
        assert "late" not in rows["Approved one"] and "late" not in rows["Declined one"]
        assert "deadline late" in rows["Late one"] and "overdue-flag" in rows["Late one"]
