"""Public verification: a text or a hash matches a version signed by both parties, or it does not."""
from __future__ import annotations

import pytest

from institutions.errors import ValidationFailed
from mandates import verification
from mandates.models import MandateState, VersionState
from tests.mandates.contract_fixtures import LEGAL_NAME
from tests.mandates.registry_fixtures import sample_clauses, sha

pytestmark = pytest.mark.usefixtures("registry_clock")


def _signed(brand, make_mandate, **kwargs):
    mandate = make_mandate(brand, MandateState.ACTIVE, **kwargs)
    return mandate, mandate.versions[0]


def test_the_signed_text_matches(ctx, make, make_mandate):
    brand = make.brand(slug="acme")
    mandate, version = _signed(brand, make_mandate, public_name="Alice")
    result = verification.verify(brand, text=version.text)
    assert result.matched and result.source == "text" and result.sha256 == version.text_sha256
    (match,) = result.matches
    assert (match.mandate_id, match.version_number, match.public_name) == (mandate.id, 1, "Alice")
    assert match.version_state is VersionState.IN_FORCE
    assert match.ambassador_signed_at is not None and match.brand_signed_at is not None


@pytest.mark.parametrize("change", [
    lambda t: t.replace("version 1", "version 7", 1),     # one character changed
    lambda t: t[:-2] + t[-1],                             # one character removed
    lambda t: t + " ",                                    # one trailing space
    lambda t: t + "\n",                                   # a final newline added
    lambda t: t.replace("\n", "\r"),                      # old Mac line endings are not normalised
    lambda t: "\ufeff" + t,                               # a byte-order mark
])
def test_a_text_changed_by_one_character_does_not_match(ctx, make, make_mandate, change):
    brand = make.brand(slug="acme")
    _mandate, version = _signed(brand, make_mandate)
    changed = change(version.text)
    assert changed != version.text
    result = verification.verify(brand, text=changed)
    assert not result.matched and result.sha256 == sha(changed.replace("\r\n", "\n"))


def test_windows_line_endings_are_the_only_normalisation(ctx, make, make_mandate):
    brand = make.brand(slug="acme")
    _mandate, version = _signed(brand, make_mandate)
    assert verification.verify(brand, text=version.text.replace("\n", "\r\n")).matched


def test_the_hash_matches_in_any_case_and_with_surrounding_spaces(ctx, make, make_mandate):
    brand = make.brand(slug="acme")
    _mandate, version = _signed(brand, make_mandate)
    assert verification.verify(brand, sha256=version.text_sha256).matched
    result = verification.verify(brand, sha256=f"  {version.text_sha256.upper()}\n")
    assert result.matched and result.source == "sha256" and result.sha256 == version.text_sha256


@pytest.mark.parametrize("raw, fragment", [
    ("abc123", "this one has 6"),
    ("g" * 64, "hexadecimal characters only"),
    ("a" * 65, "this one has 65"),
    ("sha256:" + "a" * 64, "this one has 71"),
])
def test_a_malformed_hash_is_refused_with_a_clear_message(ctx, make, raw, fragment):
    brand = make.brand(slug="acme")
    with pytest.raises(ValidationFailed) as refused:
        verification.verify(brand, sha256=raw)
    assert "64 hexadecimal characters" in refused.value.message or "hexadecimal" in refused.value.message
    assert fragment in refused.value.fields["sha256"]


def test_neither_or_both_are_refused(ctx, make):
    brand = make.brand(slug="acme")
    with pytest.raises(ValidationFailed) as neither:
        verification.verify(brand, text="", sha256="  ")
    assert set(neither.value.fields) == {"text", "sha256"}
    with pytest.raises(ValidationFailed) as both:
        verification.verify(brand, text="x", sha256="a" * 64)
    assert "not both" in both.value.message


@pytest.mark.parametrize("state", [MandateState.OFFERED, MandateState.SIGNED, MandateState.DECLINED])
def test_versions_not_signed_by_both_parties_never_match(ctx, make, make_mandate, state):
    brand = make.brand(slug="acme")
    mandate = make_mandate(brand, state)
    version = mandate.versions[0]
    assert version.text_sha256  # it was offered, so it has a text and a hash
    assert not verification.verify(brand, text=version.text).matched
    assert not verification.verify(brand, sha256=version.text_sha256).matched


def test_a_superseded_version_still_matches_and_says_so(ctx, make, make_mandate):
    brand = make.brand(slug="acme")
    mandate, first = _signed(brand, make_mandate)
    second = make_mandate.amend(mandate, sample_clauses(mission="Amended mission"))
    old = verification.verify(brand, text=first.text).matches[0]
    new = verification.verify(brand, text=second.text).matches[0]
    assert (old.version_number, old.version_state) == (1, VersionState.SUPERSEDED)
    assert (new.version_number, new.version_state) == (2, VersionState.IN_FORCE)


def test_an_offered_amendment_does_not_match(ctx, make, make_mandate):
    brand = make.brand(slug="acme")
    mandate, _first = _signed(brand, make_mandate)
    pending = make_mandate.amend(mandate, sample_clauses(mission="Not yet signed"), state=VersionState.OFFERED)
    assert not verification.verify(brand, text=pending.text).matched


def test_ended_mandates_stay_verifiable(ctx, make, make_mandate):
    brand = make.brand(slug="acme")
    mandate = make_mandate(brand, MandateState.REVOKED)
    assert verification.verify(brand, text=mandate.versions[0].text).matched


def test_another_brands_contract_does_not_match_here(ctx, make, make_mandate):
    acme, other = make.brand(slug="acme"), make.brand(slug="other")
    _mandate, version = _signed(other, make_mandate)
    assert not verification.verify(acme, text=version.text).matched
    assert verification.verify(other, text=version.text).matched


# --- the page -------------------------------------------------------------------------------

def test_page_explains_the_normalisation(app, make, client):
    make.brand(slug="acme")
    html = client.get("/b/acme/registry/verify").get_data(as_text=True)
    assert "Windows line endings" in html and "Nothing else is cleaned up" in html
    assert '<textarea' in html and 'name="sha256"' in html


def test_page_accepts_the_pasted_signed_text(app, make, client, make_mandate):
    brand = make.brand(slug="acme")
    mandate, version = _signed(brand, make_mandate, public_name="Alice Ambassador")
    # Browsers send a text box's lines with CR LF.
    response = client.post("/b/acme/registry/verify", data={"text": version.text.replace("\n", "\r\n")})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Match:" in html and "Alice Ambassador" in html
    assert f"Mandate #{mandate.id}, version 1" in html and "in force" in html
    assert version.text_sha256 in html


def test_page_rejects_a_text_changed_by_one_character(app, make, client, make_mandate):
    brand = make.brand(slug="acme")
    _mandate, version = _signed(brand, make_mandate, public_name="Alice Ambassador")
    response = client.post("/b/acme/registry/verify", data={"text": version.text.replace("1", "2", 1)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    result = html.split('class="verification-result"')[1].split("</section>")[0]
    assert "No match:" in result and "Alice Ambassador" not in result


def test_page_accepts_the_hash_by_form_and_by_address(app, make, client, make_mandate):
    brand = make.brand(slug="acme")
    _mandate, version = _signed(brand, make_mandate, public_name="Alice Ambassador")
    posted = client.post("/b/acme/registry/verify", data={"sha256": version.text_sha256}).get_data(as_text=True)
    assert "Match:" in posted and "Alice Ambassador" in posted
    linked = client.get(f"/b/acme/registry/verify?sha256={version.text_sha256}").get_data(as_text=True)
    assert "Match:" in linked and "Alice Ambassador" in linked


def test_page_refuses_a_malformed_hash_next_to_the_field(app, make, client):
    make.brand(slug="acme")
    response = client.post("/b/acme/registry/verify", data={"sha256": "not-a-hash"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="sha256-errors"' in html and "64 hexadecimal characters" in html
    assert "Match:" not in html and "No match:" not in html


def test_page_refuses_an_empty_form(app, make, client):
    make.brand(slug="acme")
    response = client.post("/b/acme/registry/verify", data={})
    assert response.status_code == 422
    assert "Paste the contract text or give its SHA-256 hash." in response.get_data(as_text=True)


def test_page_needs_the_csrf_token(app, make, client, make_mandate):
    brand = make.brand(slug="acme")
    _mandate, version = _signed(brand, make_mandate)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/b/acme/registry/verify", data={"sha256": version.text_sha256})
    assert response.status_code in (400, 422)
    assert "Match:" not in response.get_data(as_text=True)
    page = client.get("/b/acme/registry/verify").get_data(as_text=True)
    from tests.conftest import csrf_token_from

    token = csrf_token_from(page)
    ok = client.post("/b/acme/registry/verify", data={"sha256": version.text_sha256, "csrf_token": token})
    assert ok.status_code == 200 and "Match:" in ok.get_data(as_text=True)


# --- through the real contract services -----------------------------------------------------

def test_a_contract_signed_through_the_services_is_verified_and_listed(app, make, client, contract_scene):
    scene = contract_scene
    offered = scene.offered()
    version = offered.versions[0]
    # Offered but not signed by both parties: not yet a match, not yet in the registry.
    assert not verification.verify(scene.brand, text=version.text).matched
    scene.sign(offered)
    assert not verification.verify(scene.brand, sha256=version.text_sha256).matched
    scene.countersign(offered)
    result = verification.verify(scene.brand, text=version.text)
    assert result.matched and result.matches[0].mandate_id == offered.id
    assert not verification.verify(scene.brand, text=version.text.replace(LEGAL_NAME, LEGAL_NAME.lower())).matched

    page = client.post("/b/acme/registry/verify", data={"text": version.text.replace("\n", "\r\n")})
    assert "Match:" in page.get_data(as_text=True)
    registry = client.get("/b/acme/registry").get_data(as_text=True)
    assert "Signed by both parties, starting later" in registry and offered.public_name in registry
    assert LEGAL_NAME not in registry  # the legal name stays in the contract
