"""GDPR arts 5(1)(e), 15, 17, 20: the export holds everything about the person, erasure, and retention.

The scene is a signed ambassador of a brand who voted in its election and filed a case with an attachment.
"""
import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from elections import ballot_box, lifecycle, nominations
from elections.models import Ballot, Candidacy, CandidacyState, ElectionState, RollEntry, VoteRecord
from extensions import db
from institutions import clock, privacy
from institutions.models import AuditEvent, Notification, OutboxMessage, User
from mandates import contracts, ending
from mandates.models import Mandate, MandateState, MandateVersion, VersionState
from mediation import filing
from mediation.models import CaseMessage, CaseState, MediationCase, MessageChannel, Proposal
from tests.conftest import PASSWORD, T0, login
from tests.elections.conftest import NOMINATIONS_OPEN, VOTING_OPEN, Scene, draft
from tests.mandates.contract_fixtures import LEGAL_NAME, ContractScene
from tests.mediation.exchange_fixtures import PDF, insert_case, insert_mediator


@pytest.fixture
def ambassador_scene(make):
    """A brand, its signatory and clerk, and a member (Elodie) whose mandate is in force, signed from 192.0.2.7."""
    brand = make.brand(slug="acme", name="Acme")
    signer = make.staff(brand, user=make.user(name="Sam Signer"), can_sign=True)
    clerk = make.staff(brand, user=make.user(name="Cleo Clerk"), can_sign=False)
    ambassador = make.member(brand, user=make.user(email="elodie@example.test", name="Elodie"),
                             started_at=T0 - timedelta(days=30))
    clock.freeze(T0)
    scene = ContractScene(brand, signer, clerk, ambassador)
    scene.mandate = scene.in_force()
    return scene


def _election(scene, make, voter_votes: bool = True) -> Scene:
    election = lifecycle.create_draft(scene.brand, scene.clerk, draft())
    lifecycle.open_nominations(election, scene.clerk)
    db.session.commit()
    other = make.member(scene.brand, user=make.user(name="Oscar Other"), started_at=T0 - timedelta(days=30))
    voting = Scene(scene.brand, scene.clerk, [scene.ambassador, other], election)
    voting.at(NOMINATIONS_OPEN + timedelta(minutes=1))
    voting.candidates.append(nominations.nominate(election, other, other))
    db.session.commit()
    if voter_votes:
        voting.at(VOTING_OPEN + timedelta(minutes=1))
        voting.vote(scene.ambassador, {"choice": voting.candidates[0].id})
    return voting


def _settled_case(scene, make) -> MediationCase:
    clock.freeze(T0)
    mediator, entry = insert_mediator(make, scene.brand)
    case = insert_case(scene.brand, scene.ambassador, entry)
    filing.add_attachments(case, scene.ambassador, [("invoice.pdf", PDF)])
    db.session.add(CaseMessage(case_id=case.id, channel=MessageChannel.BOTH, author_id=mediator.id,
                               body="Both of you: here is my proposal.", created_at=T0))
    db.session.add(Proposal(case_id=case.id, text="A new bike within 10 days.", made_at=T0,
                            complainant_answer="accepted", complainant_answered_at=T0,
                            brand_answer="accepted", brand_answered_at=T0))
    case.state, case.closed_at, case.outcome_favours = CaseState.SETTLED, T0, "complainant"
    db.session.commit()
    return case


def _zip(client) -> tuple[dict, zipfile.ZipFile]:
    response = client.get("/account/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return json.loads(archive.read("my-data.json")), archive


def test_gdpr_art15_export_holds_the_signature_ip_and_that_they_voted(app, make, client, ambassador_scene):
    scene = ambassador_scene
    voting = _election(scene, make)
    case = _settled_case(scene, make)
    login(client, scene.ambassador)
    data, archive = _zip(client)

    contract = data["contracts"][0]
    version = contract["versions"][0]
    assert version["clauses"]["ambassador_party"]["legal_name"] == LEGAL_NAME
    assert version["clauses"]["ambassador_party"]["birth_date"] == "1995-04-12"
    assert "3 quai des Brumes" in version["clauses"]["ambassador_party"]["postal_address"]
    mine = next(s for s in version["signatures"] if s["party"] == "ambassador")
    assert mine["ip_address"] == "192.0.2.7" and mine["user_agent"] == "pytest" and mine["typed_name"] == LEGAL_NAME
    # The brand's signatory's IP address is theirs, not the ambassador's.
    brand_side = next(s for s in version["signatures"] if s["party"] != "ambassador")
    assert "ip_address" not in brand_side
    assert data["signatures"][0]["ip_address"] == "192.0.2.7"

    assert [e["id"] for e in data["elections"]["voted_in"]] == [voting.election.id]
    assert [e["id"] for e in data["elections"]["roll_entries"]] == [voting.election.id]
    # That they voted, never what: the candidate they chose appears nowhere in their export.
    assert set(data["elections"]["voted_in"][0]) == {"id", "brand", "title", "state"}
    assert "Oscar" not in json.dumps(data)

    files = next(f for f in data["case_files"] if f["case"] == case.id)
    assert files["outcome"]["state"] == "settled" and files["outcome"]["favours"] == "complainant"
    assert (files["facts"], files["request"], files["complainant_country"]) == (
        "The bike arrived broken.", "A new bike.", "FR")
    assert {"complainant_name", "complainant_contact"} <= set(files)  # a consumer filing outside the community
    assert files["proposals"][0]["text"] == "A new bike within 10 days."
    assert files["messages"][0]["body"] == "Both of you: here is my proposal."
    attachment = files["documents"][0]
    assert attachment["filename"] == "invoice.pdf"
    assert archive.read(attachment["file"]) == PDF

    # The JSON route keeps working and holds the same sections.
    as_json = client.get("/account/export.json")
    assert as_json.status_code == 200 and json.loads(as_json.data)["signatures"][0]["ip_address"] == "192.0.2.7"


def test_gdpr_art15_export_says_the_purpose_recipients_and_retention_of_each_kind(app, make, client):
    user = make.user()
    login(client, user)
    kinds = {k["kind"]: k for k in json.loads(client.get("/account/export.json").data)["processing"]}
    for key in ("account", "notifications", "contract_offers", "signed_contracts", "voter_lists", "candidacies",
                "case_files"):
        assert kinds[key]["purpose"] and kinds[key]["recipients"] and kinds[key]["retention"]
    assert kinds["case_files"]["retention_days"] == 5 * 365
    assert "17(3)(e)" in kinds["signed_contracts"]["retention"]


def test_gdpr_art20_zip_export_is_linked_from_the_account_page_and_private(app, make, client):
    user = make.user()
    assert client.get("/account/export.zip").status_code == 302  # anonymous: to the log-in page
    login(client, user)
    assert 'href="/account/export.zip"' in client.get("/account").text
    data, archive = _zip(client)
    assert archive.namelist() == ["my-data.json"] and data["account"]["email"] == user.email


def _delete(client, user):
    login(client, user)
    response = client.post("/account/delete", data={"delete-password": PASSWORD, "delete-confirm": "y"})
    assert response.status_code == 302


def test_gdpr_art17_deleting_the_account_ends_the_active_mandate_and_tells_the_brand(app, make, client,
                                                                                      ambassador_scene):
    scene = ambassador_scene
    scene.at(T0 + timedelta(days=10))  # the term has started
    assert db.session.get(Mandate, scene.mandate.id).state is MandateState.ACTIVE
    pseudonym = scene.ambassador.pseudonym
    _delete(client, scene.ambassador)
    with app.app_context():
        mandate = db.session.get(Mandate, scene.mandate.id)
        assert mandate.state is MandateState.RESIGNED and mandate.public_name == pseudonym
        told = db.session.scalars(select(Notification.message).where(Notification.user_id == scene.signer.id)).all()
        assert any("deleted their account" in message for message in told)
        # Art. 17(3)(e): the signed contract keeps the legal name and the signature, for the stated period.
        version = mandate.versions[0]
        assert LEGAL_NAME in version.text and version.signatures[0].ip_address
        assert db.session.get(User, scene.ambassador.id).email.endswith("@deleted.invalid")
        # The notice of the ending sent to the leaving ambassador is erased with their mail, not kept.
        assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == "elodie@example.test")
                                  ).all() == []
    registry = client.get("/b/acme/registry").text
    assert pseudonym in registry and "Elodie" not in registry


def test_gdpr_art17_declined_offer_loses_its_personal_data(app, make, client, ambassador_scene):
    scene = ambassador_scene
    second_brand = make.brand(slug="beta", name="Beta")
    clerk = make.staff(second_brand, user=make.user(name="Bea Clerk"))
    make.member(second_brand, user=scene.ambassador)
    other = ContractScene(second_brand, make.staff(second_brand, can_sign=True), clerk, scene.ambassador)
    declined = other.offered()
    contracts.decline(declined, scene.ambassador, "No, thanks.")
    drafted = other.draft()
    third_brand = make.brand(slug="gamma", name="Gamma")
    make.member(third_brand, user=scene.ambassador)
    waiting = ContractScene(third_brand, make.staff(third_brand, can_sign=True), make.staff(third_brand),
                            scene.ambassador).offered()
    db.session.commit()
    _delete(client, scene.ambassador)
    with app.app_context():
        assert db.session.get(Mandate, waiting.id).state is MandateState.DECLINED
        for mandate_id in (declined.id, drafted.id, waiting.id):
            for version in db.session.get(Mandate, mandate_id).versions:
                assert version.clauses_json == "{}" and version.text is None
                assert version.state in (VersionState.DECLINED, VersionState.WITHDRAWN, VersionState.DRAFT)
        signed = db.session.get(Mandate, scene.mandate.id).versions[0]
        assert LEGAL_NAME in signed.clauses_json


def test_gdpr_art17_3_e_the_database_still_refuses_erasing_a_signed_contract(app, ambassador_scene):
    version_id = ambassador_scene.mandate.versions[0].id
    with pytest.raises(Exception, match="immutable"):
        db.session.execute(text("UPDATE mandate_versions SET text = NULL, clauses_json = '{}' WHERE id = :id"),
                           {"id": version_id})
        db.session.flush()
    db.session.rollback()
    assert LEGAL_NAME in db.session.get(MandateVersion, version_id).text


def test_gdpr_art17_a_declined_offer_may_be_erased_but_not_rewritten(app, ambassador_scene, make):
    scene = ambassador_scene
    other = ContractScene(scene.brand, scene.signer, scene.clerk, make.member(scene.brand, user=make.user()))
    offer = other.offered()
    contracts.decline(offer, other.ambassador, "No.")
    db.session.commit()
    version_id = offer.versions[0].id
    with pytest.raises(Exception, match="immutable"):
        db.session.execute(text("UPDATE mandate_versions SET text = 'forged' WHERE id = :id"), {"id": version_id})
    db.session.rollback()
    db.session.execute(text("UPDATE mandate_versions SET text = NULL, clauses_json = '{}' WHERE id = :id"),
                       {"id": version_id})
    db.session.commit()
    assert db.session.get(MandateVersion, version_id).text is None


def test_gdpr_art17_open_case_is_withdrawn_and_the_brand_told(app, make, client, ambassador_scene):
    scene = ambassador_scene
    _user, entry = insert_mediator(make, scene.brand)
    case = insert_case(scene.brand, scene.ambassador, entry)
    _delete(client, scene.ambassador)
    with app.app_context():
        case = db.session.get(MediationCase, case.id)
        assert case.state is CaseState.WITHDRAWN
        told = db.session.scalars(select(Notification.message).where(Notification.user_id == scene.clerk.id)).all()
        assert any("withdrew" in message for message in told)


def test_gdpr_art17_standing_candidacy_is_withdrawn_and_its_statement_erased(app, make, client, ambassador_scene):
    scene = ambassador_scene
    voting = _election(scene, make, voter_votes=False)
    candidacy = nominations.nominate(voting.election, scene.ambassador, scene.ambassador)
    nominations.write_statement(candidacy, scene.ambassador, "Vote Elodie Martin, 3 quai des Brumes.")
    db.session.commit()
    pseudonym = scene.ambassador.pseudonym
    _delete(client, scene.ambassador)
    with app.app_context():
        candidacy = db.session.get(Candidacy, candidacy.id)
        assert candidacy.state is CandidacyState.WITHDRAWN
        assert candidacy.statement_markdown == "" and candidacy.display_name == pseudonym


def test_gdpr_art5_1_e_purge_removes_what_is_past_its_retention(app, make, ambassador_scene):
    scene = ambassador_scene
    voting = _election(scene, make)
    case = _settled_case(scene, make)
    offer = ContractScene(scene.brand, scene.signer, scene.clerk,
                          make.member(scene.brand, user=make.user(name="Dora Declines"))).offered()
    contracts.decline(offer, offer.ambassador, "No.")
    db.session.commit()
    assert privacy.purge(T0 + timedelta(days=30)) == []  # nothing is old enough yet

    voting.election.state, voting.election.certified_at = ElectionState.CERTIFIED, T0
    db.session.commit()
    lines = privacy.purge(T0 + timedelta(days=5 * 365 + 30))
    assert any("closed case files" in line for line in lines)
    assert db.session.get(MediationCase, case.id) is None
    assert db.session.scalars(select(VoteRecord).where(VoteRecord.election_id == voting.election.id)).all() == []
    assert db.session.scalars(select(RollEntry).where(RollEntry.election_id == voting.election.id)).all() == []
    assert db.session.get(Mandate, offer.id).versions[0].clauses_json == "{}"
    # The signed contract is kept (art. 17(3)(e)); so are the anonymous ballots.
    assert LEGAL_NAME in db.session.get(Mandate, scene.mandate.id).versions[0].text
    ballots = select(func.count()).select_from(Ballot).where(Ballot.election_id == voting.election.id)
    assert db.session.scalar(ballots) == 1
    assert ballot_box.turnout(voting.election) == 1  # the published turnout does not change


def test_gdpr_art17_3_e_a_signed_contract_is_erased_five_years_after_the_mandate_ended(app, make, ambassador_scene):
    scene = ambassador_scene
    mandate = scene.mandate
    ending.resign(mandate, scene.ambassador, "Moving on.")
    db.session.commit()
    ended = db.session.get(Mandate, mandate.id)
    ending.advance(ended, clock.utcnow() + timedelta(days=120))
    db.session.commit()
    assert ended.ended_at is not None
    # Four years on the contract is still the proof of the claims it may raise (Code civil art. 2224).
    assert not any("signed contracts" in line for line in privacy.purge(ended.ended_at + timedelta(days=4 * 365)))
    version = ended.versions[0]
    fingerprint, signed_at = version.text_sha256, version.signatures[0].signed_at
    assert LEGAL_NAME in version.text and version.signatures[0].ip_address == "192.0.2.7"
    lines = privacy.purge(ended.ended_at + timedelta(days=5 * 365 + 3))
    assert any("signed contracts erased" in line for line in lines)
    db.session.expire_all()
    version = db.session.get(Mandate, mandate.id).versions[0]
    assert version.text is None and version.clauses_json == "{}" and version.text_sha256 == fingerprint
    assert [(s.typed_name, s.ip_address, s.user_agent, s.signed_at) for s in version.signatures][0] == (
        "", "", "", signed_at)
    assert "retention_ended" in " ".join(db.session.scalars(select(AuditEvent.action)).all())
    # The database still refuses anything else on the erased contract: its fingerprint, a signature's time.
    with pytest.raises(Exception, match="immutable"):
        db.session.execute(text("UPDATE mandate_versions SET text_sha256 = 'forged' WHERE id = :id"),
                           {"id": version.id})
    db.session.rollback()
    with pytest.raises(Exception, match="immutable"):
        db.session.execute(text("UPDATE signatures SET ip_address = '' , signed_at = signed_at, party = 'brand' "
                                "WHERE version_id = :id"), {"id": version.id})
    db.session.rollback()


def test_gdpr_art17_3_e_a_running_mandates_signatures_stay_immutable(app, make, ambassador_scene):
    version_id = ambassador_scene.mandate.versions[0].id
    with pytest.raises(Exception, match="immutable"):
        db.session.execute(text("UPDATE signatures SET typed_name = '', ip_address = '', user_agent = '' "
                                "WHERE version_id = :id"), {"id": version_id})
    db.session.rollback()
    with pytest.raises(Exception, match="immutable"):
        db.session.execute(text("UPDATE mandate_versions SET text = NULL, clauses_json = '{}' WHERE id = :id"),
                           {"id": version_id})
    db.session.rollback()


def test_gdpr_art5_1_e_retention_is_a_setting_and_the_purge_command_applies_it(app, make, ambassador_scene):
    scene = ambassador_scene
    notice = Notification(user_id=scene.ambassador.id, kind="contract", message="old", created_at=T0)
    db.session.add(notice)
    db.session.commit()
    clock.freeze(T0 + timedelta(days=40))
    app.config["RETENTION_NOTIFICATIONS_DAYS"] = 30
    try:
        result = app.test_cli_runner().invoke(args=["privacy", "purge"])
    finally:
        app.config.pop("RETENTION_NOTIFICATIONS_DAYS")
    assert result.exit_code == 0, result.output
    assert "notifications" in result.output
    assert db.session.scalars(select(Notification).where(Notification.message == "old")).all() == []


def test_gdpr_art15_export_holds_candidacies_statements_nominations_and_endorsements(app, make, client,
                                                                                      ambassador_scene):
    scene = ambassador_scene
    voting = _election(scene, make, voter_votes=False)
    mine = nominations.nominate(voting.election, scene.ambassador, scene.ambassador)
    nominations.write_statement(mine, scene.ambassador, "Repairable products for all.")
    nominations.endorse(voting.candidates[0], scene.ambassador)  # Oscar's candidacy, accepted by himself
    db.session.commit()
    login(client, scene.ambassador)
    elections = json.loads(client.get("/account/export.json").data)["elections"]
    assert elections["candidacies"][0]["statement"] == "Repairable products for all."
    assert elections["nominations_made"][0]["nominee"] == scene.ambassador.display_name
    assert elections["endorsements"][0]["candidate"] == "Oscar Other"
    assert elections["voted_in"] == []
