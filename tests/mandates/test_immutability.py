"""A signed contract version cannot change, whatever the path: the service, the draft form, the API, the ORM, raw SQL."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, text, update
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
