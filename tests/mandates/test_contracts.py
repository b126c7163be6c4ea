"""The contract services: drafting, offering (refused while incomplete), signing, countersigning, amending."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from extensions import db
from institutions import clock
from institutions.errors import DomainError, Forbidden, ValidationFailed
from institutions.models import AuditEvent, Notification, OfficeHolding, OutboxMessage
from mandates import clauses as schema
from mandates import contract_text, contracts
from mandates.models import Mandate, MandateState, SigningParty, VersionState
from tests.conftest import T0
from tests.mandates.contract_fixtures import ENDS, LEGAL_NAME, STARTS, complete_clauses

MANDATORY = [clause.key for clause in schema.CLAUSES if clause.condition is None and clause.fields]


def actions(mandate) -> list[str]:
    return db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.subject_type == "Mandate", AuditEvent.subject_id == mandate.id).order_by(AuditEvent.id)).all()


@pytest.mark.parametrize("missing", MANDATORY)
def test_offering_without_a_mandatory_clause_is_refused_and_names_it(ctx, contract_scene, missing):
    mandate = contract_scene.draft()
    version = contracts.draft_version(mandate)
    stored = contracts.clauses_of(version)
    stored.pop(missing)
    version.clauses_json = schema.dumps(stored)
    db.session.commit()
    with pytest.raises(contracts.MissingClauses) as refusal:
        contracts.offer(mandate, contract_scene.clerk)
    error = refusal.value
    assert error.status == 409 and list(error.fields) == [missing]
    assert str(schema.CLAUSES_BY_KEY[missing].name) in error.message
    db.session.rollback()
    assert mandate.state is MandateState.DRAFT and contracts.draft_version(mandate).text is None


@pytest.mark.parametrize("clause, field", [
    (clause.key, spec.key) for clause in schema.CLAUSES if clause.condition is None
    # A contract that targets France gets French law filled in (test_contract_rules covers the law).
    for spec in clause.fields if spec.required and (clause.key, spec.key) != ("governing_law", "law")])
def test_an_empty_required_field_makes_its_clause_missing(ctx, contract_scene, clause, field):
    mandate = contract_scene.draft(**{clause: {field: ""}})
    with pytest.raises(contracts.MissingClauses) as refusal:
        contracts.offer(mandate, contract_scene.clerk)
    assert list(refusal.value.fields) == [clause]


@pytest.mark.parametrize("overrides, missing", [
    ({"ambassador_party": {"birth_date": "2013-01-01"}}, "legal_representative"),
    ({"ambassador_party": {"residence_country": "US"}}, "eu_representative liability_insurance"),
])
def test_conditional_clauses_are_required_when_they_apply(ctx, contract_scene, overrides, missing):
    mandate = contract_scene.draft(**overrides)
    with pytest.raises(contracts.MissingClauses) as refusal:
        contracts.offer(mandate, contract_scene.clerk)
    assert list(refusal.value.fields) == missing.split()


def test_all_missing_clauses_are_listed_at_once(ctx, contract_scene):
    mandate = contracts.start_mandate(contract_scene.brand, contract_scene.clerk, ambassador=contract_scene.ambassador)
    with pytest.raises(contracts.MissingClauses) as refusal:
        contracts.offer(mandate, contract_scene.clerk)
    assert set(refusal.value.fields) == {"ambassador_party", "missions", "powers", "compensation",
                                         "intellectual_property", "governing_law", "term", "brand_party"}
    assert "Compensation" in refusal.value.message and "Delegated powers" in refusal.value.message


def test_a_complete_contract_is_offered_signed_countersigned_and_becomes_active(ctx, contract_scene):
    scene = contract_scene
    mandate = scene.offered()
    version = mandate.versions[0]
    assert mandate.state is MandateState.OFFERED and version.state is VersionState.OFFERED
    assert version.text_sha256 == contract_text.fingerprint(version.text)
    assert version.text == contract_text.render(contracts.clauses_of(version), "en", mandate_id=mandate.id,
                                                version_number=1, as_of=version.offered_at.date())
    assert contracts.preview(mandate, version) == version.text
    notice = db.session.scalar(select(Notification).where(Notification.user_id == scene.ambassador.id))
    assert "offers you an ambassador contract" in notice.message and notice.link.endswith(f"/{mandate.id}/sign")
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == scene.ambassador.email))

    clock.freeze(T0 + timedelta(hours=1))
    scene.sign(mandate, name="  élodie   MARTIN ")
    assert mandate.state is MandateState.SIGNED and version.state is VersionState.SIGNED
    signature = contracts.signature_of(version, SigningParty.AMBASSADOR)
    assert (signature.typed_name, signature.text_sha256, signature.ip_address, signature.user_agent) == \
        ("élodie MARTIN", version.text_sha256, "192.0.2.7", "pytest")
    assert signature.signed_at == T0 + timedelta(hours=1) and signature.user_id == scene.ambassador.id
    assert db.session.scalar(select(Notification).where(Notification.user_id == scene.signer.id))

    scene.countersign(mandate)
    assert mandate.state is MandateState.SCHEDULED and version.state is VersionState.IN_FORCE
    assert mandate.version_in_force_id == version.id
    assert (mandate.starts_on, mandate.ends_on) == (STARTS, ENDS)
    assert contracts.signature_of(version, SigningParty.BRAND).user_id == scene.signer.id
    assert mandate.holding_id is None

    scene.at(T0 + timedelta(days=9))
    assert mandate.state is MandateState.ACTIVE
    holding = db.session.get(OfficeHolding, mandate.holding_id)
    assert holding.source == f"mandate:{mandate.id}" and holding.user_id == scene.ambassador.id
    assert actions(mandate) == ["mandate.drafted", "mandate.draft_updated", "mandate.offered", "mandate.signed",
                                "mandate.countersigned", "mandate.activated"]


def test_countersigning_on_or_after_the_first_day_activates_at_once(ctx, contract_scene):
    mandate = contract_scene.offered(term={"starts_on": T0.date().isoformat()})
    contract_scene.sign(mandate)
    contract_scene.countersign(mandate)
    assert mandate.state is MandateState.ACTIVE and mandate.holding is not None


def test_signing_refusals(ctx, contract_scene, make):
    scene = contract_scene
    mandate = scene.offered()
    sign = contracts.sign
    with pytest.raises(ValidationFailed) as wrong_name:
        sign(mandate, scene.ambassador, "Elodie Martin", accept=True, ip_address=None, user_agent=None)
    assert "typed_name" in wrong_name.value.fields and LEGAL_NAME in wrong_name.value.message
    with pytest.raises(ValidationFailed) as not_accepted:
        sign(mandate, scene.ambassador, LEGAL_NAME, accept=False, ip_address=None, user_agent=None)
    assert "accept" in not_accepted.value.fields
    with pytest.raises(ValidationFailed):
        sign(mandate, scene.ambassador, "   ", accept=True, ip_address=None, user_agent=None)
    with pytest.raises(DomainError) as stale:
        sign(mandate, scene.ambassador, LEGAL_NAME, accept=True, ip_address=None, user_agent=None, version_number=2)
    assert "version" in stale.value.fields
    with pytest.raises(DomainError):
        sign(mandate, scene.ambassador, LEGAL_NAME, accept=True, ip_address=None, user_agent=None,
             text_sha256="0" * 64)
    for someone_else in (make.member(scene.brand), scene.signer, scene.clerk):
        with pytest.raises(Forbidden):
            sign(mandate, someone_else, LEGAL_NAME, accept=True, ip_address=None, user_agent=None)
    with pytest.raises(Forbidden):
        contracts.decline(mandate, make.member(scene.brand), "No")
    db.session.rollback()
    assert mandate.versions[0].signatures == []
    scene.sign(mandate)
    with pytest.raises(DomainError):
        scene.sign(mandate)


def test_countersigning_refusals(ctx, contract_scene, make):
    scene = contract_scene
    mandate = scene.offered()
    with pytest.raises(DomainError):  # the ambassador has not signed yet
        contracts.countersign(mandate, scene.signer, "Sam Signer", ip_address=None, user_agent=None)
    scene.sign(mandate)
    other_brand = make.brand()
    outsiders = [scene.clerk, scene.ambassador, make.member(scene.brand), make.staff(other_brand, can_sign=True)]
    for outsider in outsiders:
        with pytest.raises(Forbidden):
            contracts.countersign(mandate, outsider, "Name", ip_address=None, user_agent=None)
    with pytest.raises(ValidationFailed):
        contracts.countersign(mandate, scene.signer, "", ip_address=None, user_agent=None)
    db.session.rollback()
    assert mandate.state is MandateState.SIGNED


def test_a_staff_ambassador_cannot_countersign_their_own_contract(ctx, contract_scene, make):
    scene = contract_scene
    employee = make.staff(scene.brand, can_sign=True)
    mandate = contracts.start_mandate(scene.brand, scene.clerk, ambassador=employee)
    contracts.update_draft(mandate, scene.clerk, complete_clauses(disclosure={"employee": True}))
    contracts.offer(mandate, scene.clerk)
    contracts.sign(mandate, employee, LEGAL_NAME, accept=True, ip_address=None, user_agent=None)
    with pytest.raises(Forbidden):
        contracts.countersign(mandate, employee, LEGAL_NAME, ip_address=None, user_agent=None)
    assert "also discloses this employment" in mandate.versions[0].text


def test_a_member_acting_as_staff_and_staff_of_another_brand_are_refused(ctx, contract_scene, make):
    scene = contract_scene
    mandate = scene.draft()
    member = make.member(scene.brand)
    foreign_staff = make.staff(make.brand(), can_sign=True)
    for intruder in (member, foreign_staff, scene.ambassador):
        with pytest.raises(Forbidden):
            contracts.start_mandate(scene.brand, intruder, ambassador=member)
        with pytest.raises(Forbidden):
            contracts.update_draft(mandate, intruder, {"powers": {"text": "Everything"}})
        with pytest.raises(Forbidden):
            contracts.offer(mandate, intruder)
    contracts.offer(mandate, scene.clerk)
    for intruder in (member, foreign_staff):
        with pytest.raises(Forbidden):
            contracts.withdraw_offer(mandate, intruder)
    scene.sign(mandate)
    scene.countersign(mandate)
    for intruder in (member, foreign_staff, scene.ambassador):
        with pytest.raises(Forbidden):
            contracts.amend(mandate, intruder)


def test_editing_a_draft_merges_clauses_and_follows_the_language(ctx, contract_scene):
    scene = contract_scene
    mandate = contracts.start_mandate(scene.brand, scene.clerk, ambassador=scene.ambassador)
    version = contracts.update_draft(mandate, scene.clerk, {"powers": {"text": "Show the kits at the repair fairs and in videos."}},
                                     public_name="Élodie M.")
    stored = contracts.clauses_of(version)
    assert stored["powers"] == {"text": "Show the kits at the repair fairs and in videos."} and stored["disclosure"]["label"] == "#ad"
    assert mandate.public_name == "Élodie M."
    contracts.update_draft(mandate, scene.clerk, {"powers": None}, language="fr")
    stored = contracts.clauses_of(version)
    assert "powers" not in stored and stored["disclosure"]["label"] == "Publicité" and version.language == "fr"
    with pytest.raises(ValidationFailed) as refusal:
        contracts.update_draft(mandate, scene.clerk, {"intellectual_property": {"duration_months": "unlimited"}})
    assert list(refusal.value.fields) == ["intellectual_property.duration_months"]
    with pytest.raises(ValidationFailed):
        contracts.update_draft(mandate, scene.clerk, language="de")
    with pytest.raises(ValidationFailed):
        contracts.update_draft(mandate, scene.clerk, public_name=" ")


def test_a_contract_cannot_start_before_it_is_offered(ctx, contract_scene):
    mandate = contract_scene.draft(term={"starts_on": "2027-02-20"})
    with pytest.raises(DomainError) as refusal:
        contracts.offer(mandate, contract_scene.clerk)
    assert "term.starts_on" in refusal.value.fields


def test_an_offered_version_is_frozen_for_the_service(ctx, contract_scene):
    mandate = contract_scene.offered()
    with pytest.raises(DomainError):
        contracts.update_draft(mandate, contract_scene.clerk, {"powers": {"text": "More"}})
    with pytest.raises(DomainError):
        contracts.offer(mandate, contract_scene.clerk)


def test_withdrawing_an_offer_brings_the_clauses_back_as_a_new_draft(ctx, contract_scene):
    scene = contract_scene
    mandate = scene.offered()
    first = mandate.versions[0]
    draft = contracts.withdraw_offer(mandate, scene.clerk)
    db.session.commit()
    assert first.state is VersionState.WITHDRAWN and first.text is not None
    assert draft.number == 2 and draft.state is VersionState.DRAFT and draft.clauses_json == first.clauses_json
    assert mandate.state is MandateState.DRAFT
    with pytest.raises(DomainError):
        scene.sign(mandate)
    with pytest.raises(DomainError):
        contracts.withdraw_offer(mandate, scene.clerk)
    contracts.offer(mandate, scene.clerk)
    assert "version 2" in draft.text and draft.text_sha256 != first.text_sha256
    scene.sign(mandate)
    with pytest.raises(DomainError):  # signed by the ambassador: no longer withdrawable
        contracts.withdraw_offer(mandate, scene.clerk)


def test_declining_the_first_offer_ends_the_mandate(ctx, contract_scene):
    scene = contract_scene
    mandate = scene.offered()
    with pytest.raises(ValidationFailed) as refusal:
        contracts.decline(mandate, scene.ambassador, "  ")
    assert "reason" in refusal.value.fields
    contracts.decline(mandate, scene.ambassador, "The compensation is too low.")
    db.session.commit()
    version = mandate.versions[0]
    assert mandate.state is MandateState.DECLINED and version.state is VersionState.DECLINED
    assert version.decline_reason == "The compensation is too low." and version.declined_at == T0
    assert db.session.scalar(select(Notification).where(Notification.user_id == scene.clerk.id))
    with pytest.raises(DomainError):
        scene.sign(mandate)
    with pytest.raises(DomainError):
        contracts.update_draft(mandate, scene.clerk, {})


def amended(scene, mandate, **overrides):
    version = contracts.amend(mandate, scene.clerk)
    contracts.update_draft(mandate, scene.clerk, complete_clauses(**overrides))
    contracts.offer(mandate, scene.clerk)
    db.session.commit()
    return version


def test_an_amendment_replaces_the_version_in_force_once_both_sign(ctx, contract_scene):
    scene = contract_scene
    mandate = scene.active()
    first = mandate.version_in_force
    amendment = amended(scene, mandate, compensation={"amount": "400"}, term={"ends_on": "2027-12-31"})
    assert amendment.number == 2 and amendment.state is VersionState.OFFERED
    assert mandate.version_in_force_id == first.id and first.state is VersionState.IN_FORCE
    assert mandate.state is MandateState.ACTIVE and "400.00 EUR" in amendment.text
    with pytest.raises(DomainError):  # one amendment at a time
        contracts.amend(mandate, scene.clerk)
    scene.sign(mandate)
    assert mandate.version_in_force_id == first.id and mandate.state is MandateState.ACTIVE
    scene.countersign(mandate)
    assert first.state is VersionState.SUPERSEDED and amendment.state is VersionState.IN_FORCE
    assert mandate.version_in_force_id == amendment.id and mandate.ends_on == date(2027, 12, 31)
    assert mandate.holding.term_ends_at.date() == date(2028, 1, 1)
    assert mandate.state is MandateState.ACTIVE
    assert "mandate.amendment_drafted" in actions(mandate)


def test_a_declined_amendment_changes_nothing(ctx, contract_scene):
    scene = contract_scene
    mandate = scene.active()
    first = mandate.version_in_force
    before = (first.text, first.text_sha256, first.clauses_json, mandate.ends_on, mandate.holding_id)
    amendment = amended(scene, mandate, compensation={"amount": "10"})
    contracts.decline(mandate, scene.ambassador, "I prefer the current terms.")
    db.session.commit()
    assert amendment.state is VersionState.DECLINED
    assert mandate.state is MandateState.ACTIVE and mandate.version_in_force_id == first.id
    assert first.state is VersionState.IN_FORCE
    assert (first.text, first.text_sha256, first.clauses_json, mandate.ends_on, mandate.holding_id) == before
    contracts.amend(mandate, scene.clerk)  # a new amendment may be prepared afterwards


def test_an_amendment_keeps_the_first_day_of_a_started_mandate(ctx, contract_scene):
    scene = contract_scene
    mandate = scene.active()
    contracts.amend(mandate, scene.clerk)
    contracts.update_draft(mandate, scene.clerk, {"term": {"starts_on": "2027-04-01", "ends_on": ENDS.isoformat(),
                                                           "renewal": "None"}})
    with pytest.raises(DomainError) as refusal:
        contracts.offer(mandate, scene.clerk)
    assert "term.starts_on" in refusal.value.fields
    contracts.discard_amendment(mandate, scene.clerk)
    assert contracts.draft_version(mandate) is None and len(mandate.versions) == 1


def test_amending_needs_a_signed_mandate(ctx, contract_scene):
    mandate = contract_scene.offered()
    with pytest.raises(DomainError):
        contracts.amend(mandate, contract_scene.clerk)


def test_an_invited_person_gets_the_mandate_once_their_address_is_confirmed(ctx, contract_scene, make):
    scene = contract_scene
    mandate = contracts.start_mandate_for_email(scene.brand, scene.clerk, "New.Person@Example.test",
                                                public_name="New Person")
    db.session.commit()
    assert mandate.ambassador_id is None and mandate.invited_email == "new.person@example.test"
    invitation = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "new.person@example.test"))
    assert "invites you to become its ambassador" in invitation.subject and "/b/acme/mandates/mine" in invitation.body
    contracts.update_draft(mandate, scene.clerk, complete_clauses())
    contracts.offer(mandate, scene.clerk)
    db.session.commit()
    assert db.session.query(OutboxMessage).filter_by(to_address="new.person@example.test").count() == 2
    unconfirmed = make.user(email="new.person@example.test", verified=False)
    assert contracts.claim_invitations(unconfirmed) == []
    with pytest.raises(Forbidden):
        contracts.sign(mandate, unconfirmed, LEGAL_NAME, accept=True, ip_address=None, user_agent=None)
    unconfirmed.email_verified_at = clock.utcnow()
    assert contracts.claim_invitations(unconfirmed) == [mandate]
    assert mandate.ambassador_id == unconfirmed.id
    assert contracts.claim_invitations(unconfirmed) == []
    contracts.sign(mandate, unconfirmed, LEGAL_NAME, accept=True, ip_address=None, user_agent=None)
    assert mandate.state is MandateState.SIGNED


def test_starting_by_email_finds_a_confirmed_account_and_refuses_duplicates(ctx, contract_scene, make):
    scene = contract_scene
    mandate = contracts.start_mandate_for_email(scene.brand, scene.clerk, scene.ambassador.email)
    assert mandate.ambassador_id == scene.ambassador.id and mandate.public_name == scene.ambassador.display_name
    with pytest.raises(DomainError):
        contracts.start_mandate_for_email(scene.brand, scene.clerk, scene.ambassador.email)
    with pytest.raises(ValidationFailed) as no_name:
        contracts.start_mandate_for_email(scene.brand, scene.clerk, "nobody@example.test")
    assert "public_name" in no_name.value.fields
    with pytest.raises(ValidationFailed) as bad:
        contracts.start_mandate_for_email(scene.brand, scene.clerk, "not an address", public_name="X")
    assert "email" in bad.value.fields
    # Another brand may still make the same person its ambassador.
    other = make.brand()
    contracts.start_mandate(other, make.staff(other), ambassador=scene.ambassador)


def test_a_new_draft_is_in_the_ambassadors_language(ctx, contract_scene, make):
    francophone = make.user()
    francophone.locale = "fr"
    mandate = contracts.start_mandate(contract_scene.brand, contract_scene.clerk, ambassador=francophone)
    version = contracts.draft_version(mandate)
    assert version.language == "fr" and contracts.clauses_of(version)["disclosure"]["label"] == "Publicité"
    assert "[à compléter]" in contracts.preview(mandate, version)


def test_the_ambassador_sees_offered_mandates_not_drafts(ctx, contract_scene):
    scene = contract_scene
    mandate = scene.draft()
    assert contracts.mandates_of_user(scene.ambassador) == []
    contracts.offer(mandate, scene.clerk)
    assert contracts.mandates_of_user(scene.ambassador) == [mandate]
    assert db.session.get(Mandate, mandate.id).public_name == scene.ambassador.display_name
