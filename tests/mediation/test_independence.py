"""Mediator independence (Code de la consommation L.613-1, L.613-2, D.613-2, R.613-1, R.614-1; directive 2013/11
art. 6): ties to the brand, just-cause removal, the mediator's own declaration on each case, disclosure and the
parties' right to refuse, recusal, who pays, and what the public page shows."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from extensions import db
from institutions import clock
from institutions.errors import DomainError, Forbidden, ValidationFailed
from institutions.models import AuditEvent
from mandates.models import MandateState
from mediation import admissibility, independence, outcome, roster
from mediation.models import CaseState, MediationCase
from mediation.timeline import visible_events
from tests.conftest import T0, bearer, login
from tests.mediation.filing_fixtures import add_to_roster, file_case, notes_of
from tests.mediation.test_conflicts import insert_active_mandate

API = "/api/v1/brands/acme"
COLLEGIAL = {"paid_by": "brand", "paid_independently_of_outcome": True,
             "collegial_consumer_associations": "UFC-Que Choisir\nCLCV",
             "collegial_professional_representatives": "Acme Bikes, legal director\nFédération du cycle"}


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


def _events(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def _entry_fields(entry, **changes) -> dict:
    fields = {"name": entry.name, "qualifications": entry.qualifications, "appointing_body": entry.appointing_body,
              "term_starts_on": entry.term_starts_on, "term_ends_on": entry.term_ends_on,
              "declaration_of_interests": entry.declaration_of_interests, "email": entry.user.email}
    fields.update(changes)
    return fields


def _maya_case(scene, make) -> MediationCase:
    case = file_case(scene, make.member(scene.brand), declared=False)
    assert case.mediator is scene.entries[0]
    return case


# --- ties to the brand ---------------------------------------------------------------------------------------------

def test_l613_1_an_ambassador_of_the_brand_cannot_sit_on_its_panel(app, client, ctx, panel, make):
    scene = panel(mediators=0)
    user, entry = add_to_roster(make, scene.admin, "Tia Tied")
    insert_active_mandate(scene.brand, user, state=MandateState.ACTIVE)
    with pytest.raises(DomainError, match="Tia Tied is tied to Acme Bikes .*ambassador mandate"):
        roster.appoint(entry, scene.brand, scene.admin)
    db.session.rollback()
    refused = client.post(f"/api/v1/mediators/{entry.id}/panels", json={"brand": "acme"}, headers=bearer(scene.admin))
    assert refused.status_code == 409 and "ambassador mandate" in refused.get_json()["error"]["message"]
    assert roster.panel_of(scene.brand) == []


# --- just cause ----------------------------------------------------------------------------------------------------

def test_l613_1_a_mediator_leaves_a_panel_before_the_term_only_for_a_reason_from_the_list(ctx, client, panel, make):
    scene = panel(mediators=2)
    maya = scene.entries[0]
    for reason in (None, "", "we disagree"):
        with pytest.raises(ValidationFailed) as refused:
            roster.remove_from_panel(maya, scene.brand, scene.admin, reason)
        assert "reason" in refused.value.fields
        db.session.rollback()
    assert roster.seat_of(maya, scene.brand).ended_at is None
    roster.remove_from_panel(maya, scene.brand, scene.admin, "breach_of_independence", "Undisclosed consultancy.")
    db.session.commit()
    seat = roster.seat_of(maya, scene.brand)
    assert seat.ended_at is not None and seat.end_reason == "breach_of_independence"
    left = _events("mediator.left_panel")[-1]
    assert left.is_public and json.loads(left.payload)["reason"] == "breach_of_independence"
    page = client.get("/b/acme/mediation/").text
    assert "Former mediators of the panel" in page and "A breach of independence or impartiality" in page
    assert "Undisclosed consultancy." in page
    former = client.get(f"{API}/panel").get_json()["former"]
    assert former[0]["name"] == "Maya Mediator" and former[0]["reason"] == "breach_of_independence"


def test_l613_1_a_mediator_leaves_the_roster_before_the_term_only_for_a_reason_from_the_list(ctx, panel, make):
    scene = panel(mediators=1)
    maya = scene.entries[0]
    with pytest.raises(ValidationFailed, match="only for a reason from the list"):
        roster.remove_mediator(maya, scene.admin)
    db.session.rollback()
    assert maya.removed_at is None
    roster.remove_mediator(maya, scene.admin, "incapacity")
    db.session.commit()
    assert maya.removal_reason == "incapacity"
    assert json.loads(_events("mediator.removed")[-1].payload)["reason"] == "incapacity"
    assert roster.seat_of(maya, scene.brand).end_reason == "incapacity"


def test_l613_1_after_the_term_no_reason_is_needed_and_the_record_says_the_term_is_over(ctx, panel, make):
    scene = panel(mediators=0)
    _user, old = add_to_roster(make, scene.admin, "Olga Old", term_starts_on=date(2023, 1, 1),
                               term_ends_on=date(2026, 1, 1))
    roster.remove_mediator(old, scene.admin)
    db.session.commit()
    assert old.removal_reason == "term_over"


def test_l613_1_the_admin_pages_and_api_ask_for_the_just_cause(app, client, ctx, panel, make):
    scene = panel(mediators=1)
    maya = scene.entries[0]
    admin = _client(app, scene.admin)
    assert "Remove from this panel" in admin.get("/admin/mediators/").text
    admin.post(f"/admin/mediators/{maya.id}/panels/acme/remove", data={f"leave{maya.id}-acme-reason": "bogus"})
    db.session.expire_all()
    assert roster.seat_of(maya, scene.brand).ended_at is None
    refused = client.delete(f"/api/v1/mediators/{maya.id}", headers=bearer(scene.admin))
    assert refused.status_code == 422 and "reason" in refused.get_json()["error"]["fields"]
    assert admin.post(f"/admin/mediators/{maya.id}/remove",
                      data={f"remove{maya.id}-reason": "serious_misconduct"}).status_code == 302
    db.session.expire_all()
    assert maya.removed_at is not None and maya.removal_reason == "serious_misconduct"
    assert client.get(f"/api/v1/mediators/{maya.id}", headers=bearer(scene.admin)).get_json()[
        "removal_reason"] == "serious_misconduct"


# --- the mediator's own declaration, disclosure, recusal -----------------------------------------------------------

def test_l613_1_each_case_carries_the_mediators_own_declaration_of_no_conflict(ctx, panel, make):
    scene = panel(mediators=1)
    case = _maya_case(scene, make)
    assert independence.current_declaration(case) is None
    with pytest.raises(Forbidden):
        independence.declare_no_conflict(case, scene.staff)
    independence.declare_no_conflict(case, scene.mediators[0])
    db.session.commit()
    declaration = independence.current_declaration(case)
    assert declaration.kind == "no_conflict" and declaration.mediator_id == scene.entries[0].id
    with pytest.raises(DomainError, match="already made your declaration"):
        independence.declare_no_conflict(case, scene.mediators[0])
    db.session.rollback()
    assert "independence_declared" in [e.kind for e in visible_events(case, "complainant")]


def test_r613_1_a_partys_refusal_after_a_disclosure_ends_the_mediators_mission(ctx, panel, make):
    scene = panel(mediators=2)
    case = _maya_case(scene, make)
    independence.declare_no_conflict(case, scene.mediators[0])
    admissibility.open_case(case, scene.mediators[0])
    db.session.commit()
    with pytest.raises(DomainError, match="disclosed no circumstance"):
        independence.refuse_to_continue(case, case.complainant)
    db.session.rollback()
    independence.disclose(case, scene.mediators[0], "I advised Acme Bikes on returns in 2024.")
    db.session.commit()
    for party in (case.complainant, scene.staff):
        told = notes_of(party)[-1]
        assert "I advised Acme Bikes on returns in 2024." in told and "right to object" in told
    # Long after the usual 7 days: the right follows the disclosure.
    clock.freeze(T0 + timedelta(days=30))
    objection = independence.refuse_to_continue(case, scene.staff, "We do not accept her.")
    db.session.commit()
    assert case.mediator is scene.entries[1]
    assert objection.decision == "mission_ended" and objection.after_disclosure and objection.decided_by_id is None
    assert any(e.kind == "mission_ended" for e in visible_events(case, "complainant"))
    # The platform admin has nothing left to decide, and cannot keep her.
    with pytest.raises(DomainError, match="already been decided"):
        admissibility.decide_objection(objection, scene.admin, "kept", "She is fine.")
    db.session.rollback()
    # Her mission ended for good: when Noor leaves, the case waits rather than going back to Maya.
    roster.remove_from_panel(scene.entries[1], scene.brand, scene.admin, "resignation")
    db.session.commit()
    assert case.mediator_id is None


def test_r613_1_after_a_disclosure_the_platform_admin_cannot_keep_the_mediator(ctx, panel, make):
    scene = panel(mediators=2)
    case = _maya_case(scene, make)
    objection = admissibility.raise_objection(case, case.complainant, "I met her at the brand's party.")
    independence.disclose(case, scene.mediators[0], "I attended the brand's party.")
    db.session.commit()
    with pytest.raises(DomainError, match="mission on the case ends") as refused:
        admissibility.decide_objection(objection, scene.admin, "kept", "A party is no tie.")
    assert "decision" in refused.value.fields
    db.session.rollback()
    assert case.mediator is scene.entries[0] and objection.decision is None
    admissibility.decide_objection(objection, scene.admin, "reassigned", "The disclosure stands.")
    db.session.commit()
    assert case.mediator is scene.entries[1]


def test_r613_1_an_objection_after_a_disclosure_is_a_refusal_to_continue(ctx, panel, make):
    scene = panel(mediators=2)
    case = _maya_case(scene, make)
    independence.disclose(case, scene.mediators[0], "My cousin works at Acme Bikes.")
    db.session.commit()
    clock.freeze(T0 + timedelta(days=20))  # past the 7 days of an ordinary objection
    objection = admissibility.raise_objection(case, case.complainant, "Her cousin works there.")
    db.session.commit()
    assert objection.decision == "mission_ended" and case.mediator is scene.entries[1]


def test_r613_1_the_refusal_to_continue_through_the_pages_and_the_api(app, client, ctx, panel, make):
    scene = panel(mediators=3)
    case = _maya_case(scene, make)
    page = f"/b/acme/cases/{case.id}"
    maya = _client(app, scene.mediators[0])
    assert "I declare having no conflict in this case" in maya.get(page).text
    assert maya.post(f"{page}/disclosure", data={"disclosure-circumstance": ""}).status_code == 422
    assert maya.post(f"{page}/disclosure",
                     data={"disclosure-circumstance": "I once sold bikes for Acme."}).status_code == 302
    complainant = _client(app, case.complainant)
    shown = complainant.get(page).text
    assert "I once sold bikes for Acme." in shown and "Refuse that this mediator continue" in shown
    assert complainant.post(f"{page}/refuse-to-continue", data={}).status_code == 302
    db.session.expire_all()
    assert case.mediator is scene.entries[1]
    assert "The mediator&#39;s mission ended" in complainant.get(page).text
    assert "Refuse that this mediator continue" not in complainant.get(page).text  # Noor disclosed nothing
    assert "Mission ended: a party refused" in _client(app, scene.admin).get("/admin/mediators/objections").text
    # The API: Noor discloses, the complainant refuses, Omar takes the case.
    noor = bearer(scene.mediators[1])
    assert client.post(f"{API}/cases/{case.id}/disclosure", json={}, headers=noor).status_code == 422
    disclosed = client.post(f"{API}/cases/{case.id}/disclosure", json={"circumstance": "Acme is my client."},
                            headers=noor)
    assert disclosed.status_code == 200 and disclosed.get_json()["independence"]["declaration"] == "disclosure"
    seen = client.get(f"{API}/cases/{case.id}", headers=bearer(case.complainant)).get_json()["independence"]
    assert seen["disclosure"] == "Acme is my client." and seen["may_refuse_to_continue"] is True
    ended = client.post(f"{API}/cases/{case.id}/refuse-to-continue", json={}, headers=bearer(case.complainant))
    assert ended.status_code == 200 and ended.get_json()["mediator"] == "Omar Other"


def test_l613_1_a_mediator_recuses_themself_and_never_gets_the_case_back(app, client, ctx, panel, make):
    scene = panel(mediators=2)
    case = _maya_case(scene, make)
    with pytest.raises(ValidationFailed):
        independence.recuse(case, scene.mediators[0], " ")
    db.session.rollback()
    independence.recuse(case, scene.mediators[0], "I know the complainant.")
    db.session.commit()
    assert case.mediator is scene.entries[1]
    assert "no longer assigned to you" in notes_of(scene.mediators[0])[-1]
    recused = client.post(f"{API}/cases/{case.id}/recusal", json={"reason": "Overloaded."},
                          headers=bearer(scene.mediators[1]))
    assert recused.status_code == 200
    db.session.expire_all()
    assert case.mediator_id is None  # Maya recused herself: the case waits for a new mediator


def test_l613_1_the_api_declaration_is_the_mediators_alone(client, ctx, panel, make):
    scene = panel(mediators=1)
    case = _maya_case(scene, make)
    assert client.post(f"{API}/cases/{case.id}/declaration", headers=bearer(case.complainant)).status_code == 403
    done = client.post(f"{API}/cases/{case.id}/declaration", headers=bearer(scene.mediators[0]))
    assert done.status_code == 200 and done.get_json()["independence"]["declaration"] == "no_conflict"
    assert client.post(f"{API}/cases/{case.id}/declaration", headers=bearer(scene.mediators[0])).status_code == 409


# --- who pays ------------------------------------------------------------------------------------------------------

def test_l613_2_a_mediator_the_brand_pays_is_appointed_by_a_collegial_body(client, ctx, panel, make):
    scene = panel(mediators=1)
    maya = scene.entries[0]
    with pytest.raises(ValidationFailed) as refused:
        roster.update_mediator(maya, scene.admin, **_entry_fields(maya, paid_by="brand"))
    assert "collegial_consumer_associations" in refused.value.fields
    db.session.rollback()
    with pytest.raises(ValidationFailed) as refused:
        roster.update_mediator(maya, scene.admin, **_entry_fields(
            maya, **{**COLLEGIAL, "collegial_professional_representatives": "Only one"}))
    assert "collegial_professional_representatives" in refused.value.fields
    db.session.rollback()
    with pytest.raises(ValidationFailed) as refused:
        roster.update_mediator(maya, scene.admin, **_entry_fields(maya, paid_by="someone"))
    assert "paid_by" in refused.value.fields
    db.session.rollback()
    with pytest.raises(ValidationFailed) as refused:
        roster.update_mediator(maya, scene.admin, **_entry_fields(maya, paid_by="third_party"))
    assert "payer_name" in refused.value.fields
    db.session.rollback()
    roster.update_mediator(maya, scene.admin, **_entry_fields(maya, **COLLEGIAL))
    db.session.commit()
    assert json.loads(_events("mediator.updated")[-1].payload)["collegial_appointment"] is True
    page = client.get("/b/acme/mediation/").text
    assert "Appointed by a collegial body" in page and "UFC-Que Choisir, CLCV" in page
    public = client.get(f"{API}/panel").get_json()["items"][0]
    assert public["paid_by"] == "brand" and public["collegial_body"]["consumer_associations"] == [
        "UFC-Que Choisir", "CLCV"]


def test_l613_1_paid_independently_of_the_outcome_is_said_only_when_recorded(client, ctx, panel, make):
    scene = panel(mediators=1)
    maya = scene.entries[0]
    sentence = "paid independently of the outcome"
    assert sentence not in client.get("/b/acme/mediation/").text
    # The charter's description of the office does not promise it either.
    charter_page = client.get("/b/acme/charter").text
    assert "Paid as the public mediation page records" in charter_page and sentence not in charter_page.lower()
    roster.update_mediator(maya, scene.admin, **_entry_fields(maya, paid_independently_of_outcome=True))
    db.session.commit()
    assert sentence in client.get("/b/acme/mediation/").text
    assert client.get(f"{API}/panel").get_json()["items"][0]["paid_independently_of_outcome"] is True


# --- the public page -----------------------------------------------------------------------------------------------

def test_r614_1_the_public_page_shows_what_the_law_lists(client, ctx, panel, make):
    scene = panel(mediators=1)
    maya = scene.entries[0]
    with pytest.raises(ValidationFailed) as refused:
        roster.update_mediator(maya, scene.admin, **_entry_fields(maya, ec_listing_url="http://example.test/x"))
    assert "ec_listing_url" in refused.value.fields
    db.session.rollback()
    roster.update_mediator(maya, scene.admin, **_entry_fields(
        maya, postal_address="12 rue de la Paix, 75002 Paris", contact_email="Maya@Mediation.test",
        ec_listing_url="https://ec.europa.eu/consumers/odr/adr/1234",
        appointment_decision="Decision of the Paris bar council, 15 December 2025", networks="FIN-NET",
        dispute_kinds="Sales and delivery of bicycles", languages="French, English"))
    db.session.commit()
    page = client.get("/b/acme/mediation/").text
    for shown in ("12 rue de la Paix, 75002 Paris", "mailto:maya@mediation.test",
                  'href="https://ec.europa.eu/consumers/odr/adr/1234"', roster.EC_LIST_URL.replace("&", "&amp;"),
                  "Decision of the Paris bar council, 15 December 2025", "Certified consumer mediator", "FIN-NET",
                  "Sales and delivery of bicycles", "French, English", "Code de la consommation",
                  "No prior written complaint to the brand", "Manifestly unfounded or abusive"):
        assert shown in page, shown
    public = client.get(f"{API}/panel").get_json()
    entry = public["items"][0]
    assert entry["contact_email"] == "maya@mediation.test" and entry["languages"] == "French, English"
    assert entry["ec_listing_url"].endswith("/1234") and public["legal_references"]
    assert "no_prior_complaint" in public["refusal_grounds"]


def test_r613_1_the_mediator_acts_on_a_case_only_after_their_declaration(app, client, ctx, panel, make):
    scene = panel(mediators=2)
    case = file_case(scene, make.member(scene.brand), declared=False)
    maya = next(user for user in scene.mediators if user.id == case.mediator.user_id)
    for act in (lambda: admissibility.open_case(case, maya),
                lambda: admissibility.mark_incomplete(case, maya, "The invoice."),
                lambda: admissibility.refuse(case, maya, "no_prior_complaint")):
        with pytest.raises(DomainError, match="Declare first that you have no conflict"):
            act()
        db.session.rollback()
    assert case.state is CaseState.FILED
    page = _client(app, maya).get(f"/b/acme/cases/{case.id}").text
    assert 'id="declaration-first"' in page and "Open the case: notify both parties" not in page
    refused = client.post(f"{API}/cases/{case.id}/open", headers=bearer(maya))
    assert refused.status_code == 409 and "declaration" in refused.get_json()["error"]["fields"]
    # A disclosure is a declaration too: the mediator then acts, and the parties may still object.
    independence.disclose(case, maya, "I advised the brand's supplier in 2024.")
    admissibility.open_case(case, maya)
    db.session.commit()
    admissibility.brand_answer(case, scene.staff, "We take part.")
    db.session.commit()
    assert case.state is CaseState.OPEN
    assert 'id="declaration-first"' not in _client(app, maya).get(f"/b/acme/cases/{case.id}").text
    # After a recusal the next mediator makes their own declaration before proposing anything.
    independence.recuse(case, maya, "I now represent the brand's supplier.")
    db.session.commit()
    other = next(user for user in scene.mediators if user.id == case.mediator.user_id)
    assert other is not maya
    with pytest.raises(DomainError, match="Declare first"):
        outcome.propose(case, other, "The brand refunds the frame.")
    db.session.rollback()
    independence.declare_no_conflict(case, other)
    outcome.propose(case, other, "The brand refunds the frame.")
