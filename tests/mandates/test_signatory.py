"""The brand's signature binds the person who signs: staff record their legal name once, a countersignature
must type exactly it, and only a signatory gives signing rights to someone else."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from extensions import db
from institutions import brands
from institutions.errors import DomainError, Forbidden, ValidationFailed
from institutions.models import AuditEvent, StaffInvitation, StaffRole
from mandates import contracts
from mandates.models import MandateState, VersionState
from tests.conftest import bearer, login
from tests.mandates.contract_fixtures import LEGAL_NAME

BASE = "/api/v1/brands/acme"


def _signed_by_ambassador(scene):
    mandate = scene.offered()
    scene.sign(mandate)
    return mandate


def _role(user, brand) -> StaffRole:
    db.session.expire_all()
    return db.session.scalar(select(StaffRole).where(StaffRole.user_id == user.id, StaffRole.brand_id == brand.id))


def _countersign_form(mandate):
    version = contracts.waiting_version(mandate)
    return {"version": str(version.number), "text_sha256": version.text_sha256}


# --- the countersignature types the signer's own legal name ------------------------------------------------------

def test_the_service_refuses_a_countersignature_under_another_name(ctx, contract_scene):
    scene = contract_scene
    mandate = _signed_by_ambassador(scene)
    with pytest.raises(ValidationFailed) as refused:
        contracts.countersign(mandate, scene.signer, "Someone Else", ip_address="192.0.2.8", user_agent="pytest")
    assert refused.value.fields == {"typed_name": refused.value.message}
    assert scene.signer.display_name in refused.value.message  # it says which name to type
    db.session.rollback()
    assert contracts.waiting_version(mandate).state is VersionState.SIGNED and mandate.version_in_force_id is None
    # The same rule as the ambassador's: case and spacing do not matter, the letters do.
    signature = contracts.countersign(mandate, scene.signer, "  sam   SIGNER ", ip_address="192.0.2.8",
                                      user_agent="pytest")
    assert signature.typed_name == "sam SIGNER" and mandate.version_in_force.state is VersionState.IN_FORCE


def test_the_page_refuses_another_name_and_accepts_the_recorded_one(app, contract_scene):
    scene = contract_scene
    mandate = _signed_by_ambassador(scene)
    page = app.test_client()
    login(page, scene.signer)
    shown = page.get(f"/b/acme/mandates/{mandate.id}")
    assert "You sign as Sam Signer" in shown.text
    refused = page.post(f"/b/acme/mandates/{mandate.id}/countersign",
                        data={**_countersign_form(mandate), "typed_name": "Someone Else"})
    assert refused.status_code == 422
    assert "Type your own full legal name, as recorded on the team page: Sam Signer." in refused.text
    db.session.expire_all()
    assert mandate.version_in_force_id is None and mandate.state is MandateState.SIGNED
    accepted = page.post(f"/b/acme/mandates/{mandate.id}/countersign",
                         data={**_countersign_form(mandate), "typed_name": "Sam Signer"}, follow_redirects=True)
    assert "The contract is countersigned and in force." in accepted.text
    printable = page.get(f"/b/acme/mandates/{mandate.id}/contract")
    assert "Sam Signer" in printable.text and "Someone Else" not in printable.text


def test_the_api_refuses_another_name_and_accepts_the_recorded_one(client, contract_scene):
    scene = contract_scene
    mandate = _signed_by_ambassador(scene)
    signer = bearer(scene.signer)
    url = f"{BASE}/mandates/{mandate.id}/countersign"
    refused = client.post(url, headers=signer, json={"typed_name": "Someone Else"})
    assert refused.status_code == 422 and "typed_name" in refused.get_json()["error"]["fields"]
    db.session.expire_all()
    assert mandate.version_in_force_id is None
    accepted = client.post(url, headers=signer, json={"typed_name": "Sam Signer"})
    assert accepted.status_code == 200
    db.session.expire_all()
    assert mandate.version_in_force.signatures[-1].typed_name == "Sam Signer"


def test_a_signatory_without_a_recorded_legal_name_is_told_to_record_it_first(app, make, contract_scene):
    scene = contract_scene
    newcomer = make.staff(scene.brand, user=make.user(name="Nina New"), can_sign=True, legal_name=None)
    mandate = _signed_by_ambassador(scene)
    page = app.test_client()
    login(page, newcomer)
    shown = page.get(f"/b/acme/mandates/{mandate.id}")
    assert "Before you countersign, record your full legal name on the team page" in shown.text
    assert 'name="typed_name"' not in shown.text
    refused = page.post(f"/b/acme/mandates/{mandate.id}/countersign",
                        data={**_countersign_form(mandate), "typed_name": "Nina New"})
    assert refused.status_code == 422 and "Before you countersign, record your full legal name" in refused.text
    api = app.test_client().post(f"{BASE}/mandates/{mandate.id}/countersign", headers=bearer(newcomer),
                                 json={"typed_name": "Nina New"})
    assert api.status_code == 409 and "typed_name" in api.get_json()["error"]["fields"]
    db.session.expire_all()
    assert mandate.version_in_force_id is None

    # Recorded on the team page, the name signs.
    recorded = page.post("/b/acme/staff/team/legal-name", data={"legal_name": "Nina  Newton"}, follow_redirects=True)
    assert "Your legal name is recorded." in recorded.text and "Recorded as Nina Newton." in recorded.text
    assert page.post(f"/b/acme/mandates/{mandate.id}/countersign",
                     data={**_countersign_form(mandate), "typed_name": "Nina New"}).status_code == 422
    done = page.post(f"/b/acme/mandates/{mandate.id}/countersign",
                     data={**_countersign_form(mandate), "typed_name": "nina newton"}, follow_redirects=True)
    assert "The contract is countersigned and in force." in done.text


def test_the_ambassador_rule_is_unchanged(ctx, contract_scene):
    mandate = contract_scene.offered()
    with pytest.raises(ValidationFailed, match="exactly as the contract writes it"):
        contracts.sign(mandate, contract_scene.ambassador, "Elodie Martin", accept=True, ip_address=None,
                       user_agent=None)
    db.session.rollback()
    contracts.sign(mandate, contract_scene.ambassador, "élodie  MARTIN", accept=True, ip_address=None,
                   user_agent=None)
    assert contracts.waiting_version(mandate).state is VersionState.SIGNED
    assert LEGAL_NAME != "élodie  MARTIN"


# --- the legal name is recorded once ------------------------------------------------------------------------------

def test_the_legal_name_is_recorded_once_and_audited(ctx, make, contract_scene):
    newcomer = make.staff(contract_scene.brand, can_sign=False, legal_name=None)
    role = brands.record_legal_name(contract_scene.brand, newcomer, "  Jeanne   d'Arc ")
    assert (role.legal_name, role.legal_name_recorded_at is not None) == ("Jeanne d'Arc", True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "staff.legal_name_recorded"))
    assert event is not None and "Jeanne" not in event.payload
    db.session.commit()
    with pytest.raises(DomainError, match="already recorded as Jeanne d'Arc"):
        brands.record_legal_name(contract_scene.brand, newcomer, "Someone Else")
    db.session.rollback()
    assert _role(newcomer, contract_scene.brand).legal_name == "Jeanne d'Arc"


@pytest.mark.parametrize("name, message", [
    ("   ", "Write your full legal name"),
    ("x" * 201, "At most 200 characters."),
    ("Sam\x00Signer", "control characters"),
    ("Sam\u202eSigner", "control characters"),
])
def test_a_malformed_legal_name_is_refused(ctx, make, contract_scene, name, message):
    newcomer = make.staff(contract_scene.brand, legal_name=None)
    with pytest.raises(ValidationFailed, match=message):
        brands.record_legal_name(contract_scene.brand, newcomer, name)
    db.session.rollback()
    assert _role(newcomer, contract_scene.brand).legal_name is None


def test_only_the_brands_staff_record_a_legal_name(ctx, make, contract_scene):
    with pytest.raises(Forbidden):
        brands.record_legal_name(contract_scene.brand, contract_scene.ambassador, "Élodie Martin")
    other = make.brand(slug="other")
    with pytest.raises(Forbidden):
        brands.record_legal_name(other, contract_scene.signer, "Sam Signer")


def test_the_legal_name_through_the_api(client, make, contract_scene):
    newcomer = make.staff(contract_scene.brand, user=make.user(name="Nina"), legal_name=None)
    headers = bearer(newcomer)
    assert client.get(f"{BASE}/staff/me", headers=headers).get_json()["legal_name"] is None
    bad = client.put(f"{BASE}/staff/me/legal-name", headers=headers, json={"legal_name": 12})
    assert bad.status_code == 422 and "legal_name" in bad.get_json()["error"]["fields"]
    unknown = client.put(f"{BASE}/staff/me/legal-name", headers=headers, json={"legal_name": "N", "can_sign": True})
    assert unknown.status_code == 422
    recorded = client.put(f"{BASE}/staff/me/legal-name", headers=headers, json={"legal_name": "Nina Newton"})
    assert recorded.status_code == 200 and recorded.get_json()["legal_name"] == "Nina Newton"
    again = client.put(f"{BASE}/staff/me/legal-name", headers=headers, json={"legal_name": "Someone Else"})
    assert again.status_code == 409 and again.get_json()["error"]["fields"]["legal_name"]
    assert client.get(f"{BASE}/staff/me", headers=headers).get_json()["legal_name"] == "Nina Newton"
    member = bearer(contract_scene.ambassador)
    assert client.put(f"{BASE}/staff/me/legal-name", headers=member, json={"legal_name": "X"}).status_code == 403


def test_the_team_page_shows_legal_names_and_refuses_a_blank_one(app, make, contract_scene):
    newcomer = make.staff(contract_scene.brand, user=make.user(name="Nina"), legal_name=None)
    page = app.test_client()
    login(page, newcomer)
    team = page.get("/b/acme/staff/team")
    assert "Sam Signer" in team.text and "not recorded yet" in team.text
    assert 'name="legal_name"' in team.text
    blank = page.post("/b/acme/staff/team/legal-name", data={"legal_name": " "})
    assert blank.status_code == 422 and 'aria-invalid="true"' in blank.text
    assert _role(newcomer, contract_scene.brand).legal_name is None


# --- only signers grant signing rights ----------------------------------------------------------------------------

def _invitations(brand) -> list[tuple[str, bool]]:
    db.session.expire_all()
    return [(i.email, i.can_sign) for i in db.session.scalars(
        select(StaffInvitation).where(StaffInvitation.brand_id == brand.id).order_by(StaffInvitation.id))]


def test_the_service_refuses_signing_rights_from_a_non_signatory(ctx, contract_scene):
    scene = contract_scene
    with pytest.raises(Forbidden) as refused:
        brands.invite_staff(scene.brand, scene.clerk, "friend@acme.test", can_sign=True)
    assert "can_sign" in refused.value.fields
    db.session.rollback()
    assert _invitations(scene.brand) == []
    brands.invite_staff(scene.brand, scene.clerk, "friend@acme.test", can_sign=False)
    brands.invite_staff(scene.brand, scene.signer, "lawyer@acme.test", can_sign=True)
    assert _invitations(scene.brand) == [("friend@acme.test", False), ("lawyer@acme.test", True)]


def test_the_team_page_refuses_signing_rights_from_a_non_signatory(app, contract_scene):
    scene = contract_scene
    clerk = app.test_client()
    login(clerk, scene.clerk)
    team = clerk.get("/b/acme/staff/team")
    assert "Only staff with signing rights can invite someone with signing rights." in team.text
    refused = clerk.post("/b/acme/staff/team", data={"email": "friend@acme.test", "can_sign": "y"})
    assert refused.status_code == 422
    assert "Only staff with signing rights can invite someone with signing rights." in refused.text
    assert _invitations(scene.brand) == []
    signer = app.test_client()
    login(signer, scene.signer)
    sent = signer.post("/b/acme/staff/team", data={"email": "friend@acme.test", "can_sign": "y"},
                       follow_redirects=True)
    assert "The invitation is sent to friend@acme.test." in sent.text
    assert _invitations(scene.brand) == [("friend@acme.test", True)]


def test_the_api_refuses_signing_rights_from_a_non_signatory(client, make, contract_scene):
    scene = contract_scene
    clerk = bearer(scene.clerk)
    refused = client.post(f"{BASE}/staff/invitations", headers=clerk,
                          json={"email": "friend@acme.test", "can_sign": True})
    assert refused.status_code == 403 and "can_sign" in refused.get_json()["error"]["fields"]
    assert _invitations(scene.brand) == []
    plain = client.post(f"{BASE}/staff/invitations", headers=clerk, json={"email": "friend@acme.test"})
    assert plain.status_code == 201 and plain.get_json()["can_sign"] is False
    assert "token" not in plain.get_json()
    granted = client.post(f"{BASE}/staff/invitations", headers=bearer(scene.signer),
                          json={"email": "lawyer@acme.test", "can_sign": True})
    assert granted.status_code == 201 and granted.get_json()["can_sign"] is True
    assert client.post(f"{BASE}/staff/invitations", headers=bearer(scene.ambassador),
                       json={"email": "x@acme.test"}).status_code == 403
    assert client.post(f"{BASE}/staff/invitations", headers=clerk,
                       json={"email": "y@acme.test", "can_sign": "yes"}).status_code == 422
    assert _invitations(scene.brand) == [("friend@acme.test", False), ("lawyer@acme.test", True)]
