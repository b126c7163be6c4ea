"""A signed contract version cannot change, whatever the path: the service, the draft form, the API, the ORM, raw SQL."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from extensions import db
from institutions import accounts
from institutions.errors import DomainError
from mandates import contract_text, contracts
from mandates.models import MandateVersion, Signature
from tests.conftest import login
from tests.mandates.contract_fixtures import complete_clauses


@pytest.fixture
def signed(contract_scene):
    """A mandate whose version 1 both parties signed, and what its version held then."""
    mandate = contract_scene.in_force()
    version = mandate.versions[0]
    before = (version.text, version.text_sha256, version.clauses_json, version.language, version.number)
    signatures = [(s.id, s.typed_name, s.text_sha256, s.signed_at) for s in version.signatures]
    return contract_scene, mandate, version.id, before, signatures


def assert_unchanged(version_id: int, before, signatures) -> None:
    db.session.rollback()
    db.session.expire_all()
    version = db.session.get(MandateVersion, version_id)
    assert (version.text, version.text_sha256, version.clauses_json, version.language, version.number) == before
    assert contract_text.fingerprint(version.text) == version.text_sha256
    assert [(s.id, s.typed_name, s.text_sha256, s.signed_at) for s in version.signatures] == signatures


def test_the_service_refuses(ctx, signed):
    scene, mandate, version_id, before, signatures = signed
    with pytest.raises(DomainError):
        contracts.update_draft(mandate, scene.clerk, {"compensation": {"kind": "none"}})
    with pytest.raises(DomainError):
        contracts.offer(mandate, scene.clerk)
    assert_unchanged(version_id, before, signatures)


def test_the_draft_form_refuses(app, signed):
    scene, mandate, version_id, before, signatures = signed
    client = app.test_client()
    login(client, scene.clerk)
    data = {"public_name": "X", "language": "fr", "compensation__kind": "none", "powers__text": "Everything"}
    response = client.post(f"/b/acme/mandates/{mandate.id}/draft", data=data, follow_redirects=True)
    assert "an offered or signed contract never changes" in response.text
    assert_unchanged(version_id, before, signatures)


def test_the_api_refuses(app, signed):
    scene, mandate, version_id, before, signatures = signed
    _token, secret = accounts.create_api_token(scene.clerk, "tests")
    db.session.commit()
    response = app.test_client().put(f"/api/v1/brands/acme/mandates/{mandate.id}/draft",
                                     headers={"Authorization": f"Bearer {secret}"},
                                     json={"clauses": complete_clauses(compensation={"kind": "none"}), "language": "fr"})
    assert response.status_code == 409
    assert_unchanged(version_id, before, signatures)


@pytest.mark.parametrize("column, value", [
    ("text", "A contract saying something else."),
    ("text_sha256", "0" * 64),
    ("clauses_json", "{}"),
    ("language", "fr"),
    ("number", 9),
])
def test_the_orm_cannot_assign_and_flush(ctx, signed, column, value):
    _scene, _mandate, version_id, before, signatures = signed
    version = db.session.get(MandateVersion, version_id)
    setattr(version, column, value)
    with pytest.raises(DBAPIError):
        db.session.flush()
    assert_unchanged(version_id, before, signatures)


def test_the_orm_cannot_change_or_remove_a_signature_or_the_version(ctx, signed):
    _scene, _mandate, version_id, before, signatures = signed
    signature = db.session.get(Signature, signatures[0][0])
    signature.typed_name = "Somebody Else"
    with pytest.raises(DBAPIError):
        db.session.flush()
    assert_unchanged(version_id, before, signatures)
    db.session.delete(db.session.get(Signature, signatures[1][0]))
    with pytest.raises(DBAPIError):
        db.session.flush()
    assert_unchanged(version_id, before, signatures)
    with pytest.raises(DBAPIError):
        db.session.execute(delete(MandateVersion).where(MandateVersion.id == version_id))
    assert_unchanged(version_id, before, signatures)


@pytest.mark.parametrize("statement", [
    "UPDATE mandate_versions SET text = 'Another text' WHERE id = :id",
    "UPDATE mandate_versions SET text_sha256 = '" + "f" * 64 + "' WHERE id = :id",
    "UPDATE mandate_versions SET text = text || ' ', text_sha256 = text_sha256 WHERE id = :id",
    "UPDATE mandate_versions SET clauses_json = '{}' WHERE id = :id",
    "DELETE FROM mandate_versions WHERE id = :id",
    "UPDATE signatures SET typed_name = 'Forged' WHERE version_id = :id",
    "UPDATE signatures SET text_sha256 = '" + "0" * 64 + "' WHERE version_id = :id",
    "DELETE FROM signatures WHERE version_id = :id",
])
def test_raw_sql_cannot_change_it(ctx, signed, statement):
    _scene, _mandate, version_id, before, signatures = signed
    with pytest.raises(DBAPIError):
        db.session.execute(text(statement), {"id": version_id})
        db.session.flush()
    assert_unchanged(version_id, before, signatures)


def test_a_superseded_version_stays_as_signed(ctx, signed):
    scene, mandate, version_id, before, signatures = signed
    contracts.amend(mandate, scene.clerk)
    contracts.update_draft(mandate, scene.clerk, complete_clauses(compensation={"kind": "none"}))
    contracts.offer(mandate, scene.clerk)
    scene.sign(mandate)
    scene.countersign(mandate)
    assert db.session.get(MandateVersion, version_id).state.value == "superseded"
    with pytest.raises(DBAPIError):
        db.session.execute(update(MandateVersion).where(MandateVersion.id == version_id).values(text="Changed"))
    assert_unchanged(version_id, before, signatures)


def test_an_offered_version_is_frozen_before_anyone_signs(ctx, contract_scene):
    mandate = contract_scene.offered()
    version = mandate.versions[0]
    version_id = version.id
    before = (version.text, version.text_sha256, version.clauses_json, version.language, version.number)
    version.text = version.text.replace("#ad", "#gifted")
    with pytest.raises(DBAPIError):
        db.session.flush()
    assert_unchanged(version_id, before, [])
    # Its state still moves (withdrawn, declined...): only the words are frozen.
    contracts.withdraw_offer(mandate, contract_scene.clerk)
    db.session.commit()
    assert_unchanged(version_id, before, [])


# --- in force only with both signatures, whatever the SQL -----------------------------------------------------------

def _state_of(version_id: int) -> tuple[str, int | None]:
    db.session.rollback()
    db.session.expire_all()
    version = db.session.get(MandateVersion, version_id)
    return version.state.value, version.mandate.version_in_force_id


@pytest.mark.parametrize("signed_by_ambassador", [False, True])
@pytest.mark.parametrize("statement", [
    "UPDATE mandate_versions SET state = 'in_force' WHERE id = :id",
    "UPDATE mandate_versions SET state = 'superseded' WHERE id = :id",
    "UPDATE mandates SET version_in_force_id = :id, state = 'active' "
    "WHERE id = (SELECT mandate_id FROM mandate_versions WHERE id = :id)",
])
def test_sql_cannot_put_a_version_in_force_without_both_signatures(ctx, contract_scene, statement,
                                                                   signed_by_ambassador):
    mandate = contract_scene.offered()
    if signed_by_ambassador:
        contract_scene.sign(mandate)
    version_id = mandate.versions[0].id
    before = _state_of(version_id)
    with pytest.raises(DBAPIError, match="only once both parties signed it"):
        db.session.execute(text(statement), {"id": version_id})
        db.session.flush()
    assert _state_of(version_id) == before


def test_sql_cannot_insert_a_version_already_in_force(ctx, contract_scene):
    mandate = contract_scene.offered()
    with pytest.raises(DBAPIError, match="only once both parties signed it"):
        db.session.execute(text(
            "INSERT INTO mandate_versions (mandate_id, number, state, language, clauses_json, text, text_sha256, "
            "created_at) VALUES (:m, 2, 'in_force', 'en', '{}', 'Forged', :sha, CURRENT_TIMESTAMP)"),
            {"m": mandate.id, "sha": "a" * 64})
    db.session.rollback()
    assert [v.number for v in db.session.scalars(select(MandateVersion))] == [1]


def test_a_signature_on_another_text_does_not_count(ctx, contract_scene):
    """Both signatures must be on the very text of the version (a signature row with another hash is not one)."""
    mandate = contract_scene.offered()
    contract_scene.sign(mandate)
    version_id = mandate.versions[0].id
    db.session.execute(text(
        "INSERT INTO signatures (version_id, party, user_id, typed_name, text_sha256, signed_at, ip_address, "
        "user_agent) VALUES (:v, 'brand', NULL, 'Forged', :sha, CURRENT_TIMESTAMP, 'x', 'x')"),
        {"v": version_id, "sha": "b" * 64})
    with pytest.raises(DBAPIError, match="only once both parties signed it"):
        db.session.execute(text("UPDATE mandate_versions SET state = 'in_force' WHERE id = :id"), {"id": version_id})
    assert _state_of(version_id) == ("signed", None)


@pytest.mark.parametrize("statement", [
    "TRUNCATE signatures",
    "TRUNCATE signatures, mandate_versions CASCADE",
    "TRUNCATE mandate_versions CASCADE",
    "TRUNCATE mandates CASCADE",
    "TRUNCATE brands CASCADE",
])
def test_truncate_cannot_remove_a_signed_contract_on_postgresql(ctx, signed, statement):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; its DELETE runs the row triggers tested above")
    _scene, _mandate, version_id, before, signatures = signed
    with pytest.raises(DBAPIError, match="cannot be truncated"):
        db.session.execute(text(statement))
    assert_unchanged(version_id, before, signatures)


def test_truncate_still_empties_tables_without_legal_records_on_postgresql(ctx, contract_scene):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    contract_scene.draft()  # a draft is not a legal record yet
    db.session.execute(text("TRUNCATE signatures, mandate_versions CASCADE"))
    assert db.session.scalars(select(MandateVersion)).all() == []
    db.session.rollback()
