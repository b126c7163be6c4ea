"""The contract rules of issue 10 (minors, clauses), each test named after the article it enforces.

Code du travail L.7124-1 and L.7124-9 (ambassadors under 16), loi 2023-451 art. 8 I 3°, 8 III and 9.
"""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from extensions import db
from institutions.errors import DomainError, Forbidden, ValidationFailed
from institutions.models import AuditEvent, Notification
from mandates import clauses as schema
from mandates import contract_text, contracts
from mandates.models import MandateState, MandateVersion, Signature, SigningParty, VersionState
from tests.mandates.contract_fixtures import CODE_OF_CONDUCT, LEGAL_NAME, complete_clauses

TODAY = date(2027, 3, 1)  # T0's day
MINOR_BIRTH = "2013-01-01"  # 14 on T0
REPRESENTATIVE = {"name": "Anne Martin", "postal_address": "3 quai des Brumes, 69001 Lyon",
                  "email": "anne@example.test", "authorisation_authority": "Préfet du Rhône",
                  "authorisation_number": "AUT-2027-12", "authorisation_date": "2027-02-15"}


def refusal(**overrides) -> dict:
    with pytest.raises(ValidationFailed) as refused:
        schema.clean_clauses(complete_clauses(**overrides), TODAY)
    return refused.value.fields


def render(clauses: dict, language: str = "en") -> str:
    return contract_text.render(clauses, language, mandate_id=7, version_number=1, as_of=TODAY)


def minor_offer(scene):
    """A contract offered to an ambassador of 14, with a legal representative who has an account."""
    parent = scene_make_user(scene)
    mandate = scene.offered(ambassador_party={"birth_date": MINOR_BIRTH}, legal_representative=REPRESENTATIVE)
    return mandate, parent


def scene_make_user(scene):
    return scene.make.user(email=REPRESENTATIVE["email"], name="Anne")


@pytest.fixture
def scene(contract_scene, make):
    contract_scene.make = make
    return contract_scene


def rep_sign(mandate, user, name="Anne Martin", **kwargs):
    return contracts.sign_as_legal_representative(mandate, user, name, accept=True, ip_address="192.0.2.9",
                                                  user_agent="pytest", **kwargs)


# --- Code du travail L.7124-1 and L.7124-9: ambassadors under 16 ------------------------------------

def test_l7124_9_minor_contract_needs_the_legal_representative(ctx, scene):
    mandate, parent = minor_offer(scene)
    version = mandate.versions[0]
    assert version.needs_legal_representative is True
    # The legal representative signs after the minor, never before.
    with pytest.raises(DomainError, match="The ambassador signs first: the legal representative signs after them."):
        rep_sign(mandate, parent)
    scene.sign(mandate)
    assert version.state is VersionState.SIGNED
    # The representative is told, with a link to sign; the brand is not asked to countersign yet.
    assert [n.link for n in db.session.query(Notification).filter_by(user_id=parent.id)] == [
        f"/b/acme/mandates/{mandate.id}/represent"]
    assert db.session.query(Notification).filter_by(user_id=scene.signer.id).count() == 0
    with pytest.raises(DomainError, match="The ambassador is under 16: the contract comes into force only once "
                                          "their legal representative has signed it too."):
        contracts.countersign(mandate, scene.signer, scene.signer.display_name, ip_address="192.0.2.8",
                              user_agent="pytest")
    assert mandate.version_in_force_id is None and version.state is VersionState.SIGNED
    assert contracts.count_waiting_countersignature(scene.brand) == 0  # not yet the brand's turn
    signature = rep_sign(mandate, parent, "  anne   MARTIN ")
    assert signature.party is SigningParty.LEGAL_REPRESENTATIVE and signature.user_id == parent.id
    assert signature.text_sha256 == version.text_sha256
    db.session.commit()
    assert db.session.query(Notification).filter_by(user_id=scene.signer.id).count() == 1
    assert contracts.count_waiting_countersignature(scene.brand) == 1
    scene.countersign(mandate)
    assert version.state is VersionState.IN_FORCE and mandate.state is MandateState.SCHEDULED
    assert {s.party for s in version.signatures} == set(SigningParty)
    signed = db.session.query(AuditEvent).filter(AuditEvent.action.like("mandate.signed%")).order_by(AuditEvent.id)
    assert [(e.action, json.loads(e.payload)["party"]) for e in signed] == [
        ("mandate.signed", "ambassador"), ("mandate.signed_by_legal_representative", "legal_representative")]


def test_l7124_1_only_the_named_legal_representative_signs_with_their_own_account(ctx, scene):
    mandate, parent = minor_offer(scene)
    scene.sign(mandate)
    stranger = scene.make.user(email="someone@example.test")
    for person in (stranger, scene.ambassador, scene.signer):
        with pytest.raises(Forbidden, match="Only the legal representative named in this contract"):
            rep_sign(mandate, person)
    parent.email_verified_at = None
    assert contracts.is_legal_representative_of(parent, mandate.versions[0]) is False
    db.session.rollback()
    with pytest.raises(ValidationFailed, match="Type your full name exactly as the contract writes it: Anne Martin."):
        rep_sign(mandate, parent, "Anne Dupont")
    with pytest.raises(ValidationFailed, match="Tick the box to accept the contract."):
        contracts.sign_as_legal_representative(mandate, parent, "Anne Martin", accept=False, ip_address=None,
                                               user_agent=None)
    with pytest.raises(DomainError, match="The text you read is not the one waiting for signature"):
        rep_sign(mandate, parent, text_sha256="0" * 64)
    rep_sign(mandate, parent)
    with pytest.raises(DomainError, match="The legal representative has already signed this contract."):
        rep_sign(mandate, parent)


def test_l7124_1_an_adults_contract_waits_for_no_legal_representative(ctx, scene):
    mandate = scene.offered()
    parent = scene.make.user(email=REPRESENTATIVE["email"])
    assert mandate.versions[0].needs_legal_representative is False
    scene.sign(mandate)
    with pytest.raises(DomainError, match="No contract waits for a legal representative's signature."):
        rep_sign(mandate, parent)
    scene.countersign(mandate)
    assert mandate.versions[0].state is VersionState.IN_FORCE


@pytest.mark.parametrize("statement", [
    "UPDATE mandate_versions SET state = 'in_force' WHERE id = :id",
    "UPDATE mandates SET version_in_force_id = :id, state = 'active' "
    "WHERE id = (SELECT mandate_id FROM mandate_versions WHERE id = :id)",
])
def test_l7124_1_sql_cannot_put_a_minors_version_in_force_without_the_representative(ctx, scene, statement):
    mandate, _parent = minor_offer(scene)
    scene.sign(mandate)
    version = mandate.versions[0]
    # The brand's signature forged by hand: both parties, but no legal representative.
    db.session.add(Signature(version_id=version.id, party=SigningParty.BRAND, user_id=scene.signer.id,
                             typed_name="Sam Signer", text_sha256=version.text_sha256, signed_at=version.offered_at,
                             ip_address="192.0.2.8", user_agent="forged"))
    db.session.commit()
    with pytest.raises(DBAPIError, match="and the legal representative of an ambassador under 16"):
        db.session.execute(text(statement), {"id": version.id})
        db.session.flush()
    db.session.rollback()
    assert db.session.get(MandateVersion, version.id).state is VersionState.SIGNED


def test_l7124_9_the_authorisation_is_an_authority_a_number_and_a_date(ctx):
    young = {"ambassador_party": {"birth_date": MINOR_BIRTH}}
    clause = schema.CLAUSES_BY_KEY["legal_representative"]
    assert [spec.key for spec in clause.fields] == ["name", "postal_address", "email", "authorisation_authority",
                                                     "authorisation_number", "authorisation_date"]
    clauses = schema.clean_clauses(complete_clauses(**young), TODAY)
    assert schema.missing_fields(clause, clauses) == [spec.key for spec in clause.fields]
    assert refusal(**young, legal_representative={**REPRESENTATIVE, "authorisation_date": "15/02/2027"}) == {
        "legal_representative.authorisation_date": "Write a date as YYYY-MM-DD."}
    assert refusal(**young, legal_representative={**REPRESENTATIVE, "authorisation_date": "2027-03-02"}) == {
        "legal_representative.authorisation_date": "The authorisation cannot be dated in the future."}
    same_day = schema.clean_clauses(complete_clauses(**young, legal_representative={
        **REPRESENTATIVE, "authorisation_date": "2027-03-01"}), TODAY)
    assert same_day["legal_representative"]["authorisation_date"] == "2027-03-01"
    assert refusal(**young, legal_representative={**REPRESENTATIVE, "authorisation_reference": "AUT"}) == {
        "legal_representative.authorisation_reference": "Unknown field."}
    assert refusal(**young, legal_representative={**REPRESENTATIVE, "email": "Elodie@Example.test"}) == {
        "legal_representative.email": "The legal representative signs with their own account: give their own "
                                      "e-mail address, not the ambassador's."}
    filled = schema.clean_clauses(complete_clauses(**young, legal_representative=REPRESENTATIVE), TODAY)
    assert schema.missing_clauses(filled, TODAY) == []
    assert ("under the administrative authorisation no. AUT-2027-12 granted by Préfet du Rhône on 2027-02-15."
            in render(filled))
    assert ("en vertu de l'autorisation administrative n° AUT-2027-12 délivrée par Préfet du Rhône le "
            "15 février 2027." in render(filled, "fr"))


def test_l7124_9_money_earned_under_16_is_deposited_with_the_caisse_des_depots(ctx):
    young = schema.clean_clauses(complete_clauses(ambassador_party={"birth_date": MINOR_BIRTH},
                                                  legal_representative=REPRESENTATIVE), TODAY)
    english, french = render(young), render(young, "fr")
    assert ("the earnings due to them are paid to the Caisse des dépôts et consignations, which keeps them until "
            "their majority" in english)
    assert "versés à la Caisse des dépôts et consignations, qui les gère jusqu'à sa majorité" in french
    assert "Caisse des dépôts" not in render(schema.clean_clauses(complete_clauses(), TODAY))
    unpaid = young | {"compensation": {"kind": "none"}}
    assert "Caisse des dépôts" not in render(unpaid)
    # Once 16 on the day of the offer, the clause goes with the legal representative.
    assert "Caisse des dépôts" not in contract_text.render(young, "en", mandate_id=7, version_number=1,
                                                            as_of=date(2029, 1, 1))
    assert "legal representative has signed it too, after them" in english


# --- loi 2023-451 art. 8 and 9: the contract's clauses ----------------------------------------------

def test_art8_i_3_compensation_in_kind_states_the_conditions_and_terms_of_its_award(ctx):
    in_kind = {"kind": "in_kind", "description": "Two repair kits a year", "value": "80", "currency": "EUR"}
    clauses = schema.clean_clauses(complete_clauses() | {"compensation": in_kind}, TODAY)
    assert [c.key for c in schema.missing_clauses(clauses, TODAY)] == ["compensation"]
    assert schema.missing_fields(schema.CLAUSES_BY_KEY["compensation"], clauses) == ["award_terms"]
    given = schema.clean_clauses(complete_clauses() | {"compensation": {**in_kind, "award_terms": "Sent each "
                                                                         "January"}}, TODAY)
    assert schema.missing_clauses(given, TODAY) == []
    assert "Conditions and terms of the award: Sent each January" in render(given)
    assert "Conditions et modalités d'attribution : Sent each January" in render(given, "fr")
    money = schema.clean_clauses(complete_clauses(compensation={"award_terms": "Sent each January"}), TODAY)
    assert "award_terms" not in money["compensation"]  # only in-kind compensation keeps it


def test_art9_french_law_governs_a_contract_that_targets_a_public_in_france(ctx):
    assert refusal(governing_law={"law": "DE"}) == {
        "governing_law.law": "A contract that targets a public in France is governed by French law."}
    filled = schema.clean_clauses(complete_clauses(governing_law={"law": ""}), TODAY)
    assert filled["governing_law"]["law"] == "FR"
    no_law = complete_clauses(missions={"audiences": "be, FR  ;fr"}, governing_law=None)
    assert schema.clean_clauses(no_law, TODAY)["governing_law"] == {"law": "FR"}
    assert schema.clean_clauses(no_law, TODAY)["missions"]["audiences"] == ["BE", "FR"]
    assert "Governing law: French law" in render(filled)
    assert "Droit applicable : droit français" in render(filled, "fr")
    assert "Publics targeted: Belgium (BE), France (FR)" in render(schema.clean_clauses(no_law, TODAY))


def test_art9_outside_france_the_governing_law_is_chosen_from_a_list(ctx):
    abroad = {"missions": {"audiences": ["DE"]}}
    german = schema.clean_clauses(complete_clauses(**abroad, governing_law={"law": "de"}), TODAY)
    assert german["governing_law"]["law"] == "DE"
    assert "Governing law: the law of Germany (DE)" in render(german)
    for free_text in ("German law", "US", "XX", "Droit allemand"):
        assert refusal(**abroad, governing_law={"law": free_text}) == {
            "governing_law.law": "Choose the governing law from the list."}
    assert schema.GOVERNING_LAWS == tuple(sorted(schema.EU_COUNTRIES | {"IS", "LI", "NO", "CH", "GB"}))
    assert refusal(missions={"audiences": "FR, France"}) == {
        "missions.audiences": "Give countries as two-letter ISO codes, e.g. FR, BE."}
    assert refusal(missions={"audiences": 12}) == {
        "missions.audiences": "Give countries as two-letter ISO codes, e.g. FR, BE."}
    nobody = schema.clean_clauses(complete_clauses(missions={"audiences": ""}, governing_law={"law": "DE"}), TODAY)
    assert [c.key for c in schema.missing_clauses(nobody, TODAY)] == ["missions"]


def test_art8_iii_joint_liability_is_a_fixed_sentence_in_the_contract_language(ctx):
    assert refusal(joint_liability={"text": "Each party answers for itself."}) == {
        "joint_liability.text": "This clause is fixed by law: it cannot be edited."}
    clauses = schema.clean_clauses(complete_clauses(), TODAY)
    assert ("The brand and the ambassador are jointly and severally liable towards third parties for any damage "
            "caused by the performance of this contract, including by content published under it (French law "
            "no. 2023-451 of 9 June 2023, article 8 III)." in render(clauses))
    assert ("La marque et l'ambassadeur sont solidairement responsables envers les tiers des dommages causés par "
            "l'exécution du présent contrat" in render(clauses, "fr"))
    assert schema.missing_fields(schema.CLAUSES_BY_KEY["joint_liability"], {}) == []


def test_art8_code_of_conduct_and_delegated_powers_have_a_minimum_length(ctx):
    assert schema.MIN_CODE_OF_CONDUCT == 200 and schema.MIN_POWERS == 40
    assert refusal(code_of_conduct={"text": "x" * 199}) == {"code_of_conduct.text": "At least 200 characters."}
    assert schema.clean_clauses(complete_clauses(code_of_conduct={"text": "x" * 200}), TODAY)
    assert refusal(code_of_conduct={"text": "  " + "x" * 199 + "\n"}) == {
        "code_of_conduct.text": "At least 200 characters."}
    assert refusal(powers={"text": "x" * 39}) == {"powers.text": "At least 40 characters."}
    assert schema.clean_clauses(complete_clauses(powers={"text": "x" * 40}), TODAY)["powers"]["text"] == "x" * 40
    # Empty is a missing clause (named when offering), not a malformed one.
    empty = schema.clean_clauses(complete_clauses(powers={"text": ""}), TODAY)
    assert [c.key for c in schema.missing_clauses(empty, TODAY)] == ["powers"]
    assert len(CODE_OF_CONDUCT) >= 200


@pytest.mark.parametrize("country, outside", [
    ("NO", False), ("IS", False), ("LI", False), ("CH", False), ("GR", False), ("FR", False),
    ("US", True), ("GB", True), ("MA", True)])
def test_art9_an_eu_representative_is_required_only_outside_the_eu_eea_and_switzerland(ctx, country, outside):
    clauses = complete_clauses(ambassador_party={"residence_country": country})
    assert schema.needs_eu_representative(clauses) is outside
    missing = [c.key for c in schema.missing_clauses(schema.clean_clauses(clauses, TODAY), TODAY)]
    assert missing == (["eu_representative", "liability_insurance"] if outside else [])


def test_art9_an_ambassador_outside_the_union_is_insured_by_an_insurer_established_in_it(ctx):
    abroad = {"ambassador_party": {"residence_country": "US"},
              "eu_representative": {"name": "EU Rep GmbH", "postal_address": "Berlin", "email": "rep@eu.test"}}
    insurance = {"insurer": "Assur SA", "insurer_country": "CH", "policy_number": "RC-42"}
    assert refusal(**abroad, liability_insurance=insurance) == {
        "liability_insurance.insurer_country": "The insurer must be established in the European Union."}
    assert refusal(**abroad, liability_insurance={**insurance, "insurer_country": "NO"}) == {
        "liability_insurance.insurer_country": "The insurer must be established in the European Union."}
    insured = schema.clean_clauses(complete_clauses(**abroad, liability_insurance={
        **insurance, "insurer_country": "LU"}), TODAY)
    assert schema.missing_clauses(insured, TODAY) == []
    english = render(insured)
    assert ("holds a professional liability insurance with Assur SA, an insurer established in Luxembourg (LU), "
            "policy no. RC-42" in english)
    assert "Article 11. Professional liability insurance" in english and "Article 12. Governing law" in english
    assert "Assurance de responsabilité civile professionnelle" in render(insured, "fr")
    assert "liability insurance" not in render(schema.clean_clauses(complete_clauses(), TODAY))


def test_art8_french_contracts_write_amounts_and_dates_the_french_way(ctx):
    clauses = schema.clean_clauses(complete_clauses(), TODAY)
    french, english = render(clauses, "fr"), render(clauses)
    assert "Montant : 250,00\u00a0€" in french
    assert "Le contrat court du 10 mars 2027 au 31 août 2027, ces deux jours inclus." in french
    assert f"{LEGAL_NAME}, né(e) le 12 avril 1995" in french
    assert "Amount: 250.00 EUR" in english and "from 2027-03-10 to 2027-08-31" in english
    in_kind = schema.clean_clauses(complete_clauses(compensation={
        "kind": "in_kind", "description": "Kit", "value": "1250.5", "currency": "USD", "award_terms": "Once"}), TODAY)
    assert "Valeur : 1\u202f250,50\u00a0$US" in render(in_kind, "fr")


def test_l7124_1_the_legal_representative_signs_on_their_own_page(app, ctx, scene):
    from tests.conftest import login

    mandate, parent = minor_offer(scene)
    url = f"/b/acme/mandates/{mandate.id}/represent"
    stranger_client = app.test_client()
    login(stranger_client, scene.make.user(email="nosy@example.test"))
    assert stranger_client.get(url).status_code == 404  # nothing shown to anyone else
    assert app.test_client().get(url).status_code == 302  # to the sign-in page
    client = app.test_client()
    login(client, parent)
    assert "you sign after them" in client.get(url).text
    scene.sign(mandate)
    page = client.get(url)
    assert page.status_code == 200 and "the contract is in force only once you" in page.text
    version = mandate.versions[0]
    data = {"typed_name": "Anne Martin", "accept": "y", "version": version.number, "text_sha256": version.text_sha256}
    assert client.post(url, data={**data, "typed_name": "Someone"}).status_code == 422
    done = client.post(url, data=data, follow_redirects=True)
    assert done.status_code == 200 and "You signed this contract as legal representative" in done.text
    db.session.expire_all()
    assert contracts.signature_of(db.session.get(MandateVersion, version.id),
                                  SigningParty.LEGAL_REPRESENTATIVE).user_id == parent.id


def test_l7124_1_the_legal_representative_signs_through_the_api(app, ctx, scene):
    from tests.conftest import bearer

    mandate, parent = minor_offer(scene)
    url = f"/api/v1/brands/acme/mandates/{mandate.id}/represent"
    version = mandate.versions[0]
    body = {"typed_name": "Anne Martin", "accept": True, "version": version.number, "text_sha256": version.text_sha256}
    client = app.test_client()
    assert client.post(url, json=body).status_code == 401
    nosy = scene.make.user(email="nosy-api@example.test")
    assert client.post(url, json=body, headers=bearer(nosy)).status_code == 404  # nothing shown to anyone else
    early = client.post(url, json=body, headers=bearer(parent))
    assert early.status_code == 409  # the minor signs first
    scene.sign(mandate)
    wrong = client.post(url, json={**body, "typed_name": "Someone"}, headers=bearer(parent))
    assert wrong.status_code == 422 and set(wrong.get_json()["error"]["fields"]) == {"typed_name"}
    done = client.post(url, json=body, headers=bearer(parent))
    assert done.status_code == 200 and done.get_json()["signed_by_legal_representative"] is True
    db.session.expire_all()
    assert contracts.signature_of(db.session.get(MandateVersion, version.id),
                                  SigningParty.LEGAL_REPRESENTATIVE).user_id == parent.id
    assert client.post(url, json=body, headers=bearer(parent)).status_code in (404, 409)  # signed once
