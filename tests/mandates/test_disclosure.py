"""Disclosure of publications: FTC 16 CFR 255.0(f) and 255.5, UK CAP/CMA, loi 2023-451 art. 5.

A label counts only where a viewer sees it (the visible start of the text, never a link), only
from the allow-list of the contract's language; employees disclose the employment; declared
retouched or virtual images carry their mention; any benefit is a material connection.
"""
from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from institutions import clock
from institutions.errors import DomainError, ValidationFailed
from mandates import benefits, clauses as schema, contract_text, contracts, disclosure, missions, registry
from mandates.models import Benefit, BenefitKind, MandateVersion, Signature, SigningParty, VersionState
from tests.conftest import bearer, login
from tests.mandates.conftest import MISSION_T0

DUE = MISSION_T0 + timedelta(days=10)
TODAY = MISSION_T0.date()
API = "/api/v1/brands"


def _accepted_order(scene, **overrides):
    values = dict(title="Unboxing video", instructions="Film the new repair kit.", due_at=DUE,
                  expected_proof="A link to the published video.")
    values.update(overrides)
    order = missions.issue_order(scene.mandate, scene.staff, **values)
    missions.accept_order(order, scene.ambassador)
    db.session.commit()
    return order


def _report(scene, text, links="", **flags):
    order = _accepted_order(scene)
    report = missions.submit_report(order, scene.ambassador, text=text, links=links, **flags)
    db.session.commit()
    return order, report


def _french(mission_scene, slug="acme"):
    """A scene whose contract is a French-language one with the French label."""
    return mission_scene(slug=slug, language="fr", clauses={
        "disclosure": {"label": "Publicité", "employee": False},
        "compensation": {"kind": "in_kind", "description": "Des produits"}})


# --- where the label counts as shown ------------------------------------------------------------------------------

def test_art5_label_inside_a_link_is_missing(ctx, mission_scene):
    scene = mission_scene()
    _order, report = _report(scene, "Great kit, see https://insta.example/p/1#ad",
                             links="https://insta.example/p/1#ad")
    assert report.label_missing and report.missing_mentions == "label"


def test_art5_label_in_a_link_query_string_is_missing(ctx, mission_scene):
    scene = mission_scene()
    _order, report = _report(scene, "Great kit https://insta.example/p/1?utm=%23ad",
                             links="https://insta.example/p/1?utm=%23ad")
    assert report.label_missing
    # A bare address (no scheme) hides its label too.
    assert not disclosure.mention_is_shown("#ad", "Look: www.insta.example/p/1#ad")


def test_art5_label_after_the_first_200_characters_is_missing(ctx, mission_scene):
    scene = mission_scene()
    _order, report = _report(scene, "Great kit. " + "x" * 2000 + " #ad")
    assert report.label_missing


def test_art5_label_must_end_within_the_window(ctx):
    inside = "y" * 196 + " #ad"  # ends at character 200
    assert len(inside) == 200 and disclosure.mention_is_shown("#ad", inside)
    assert not disclosure.mention_is_shown("#ad", "y" * 197 + " #ad")
    assert disclosure.mention_is_shown("#ad", "   \n#ad " + "y" * 500)  # leading blanks are not seen


def test_art5_the_window_is_configurable_to_the_first_line(app, ctx):
    text = "Great kit\n#ad"
    assert disclosure.mention_is_shown("#ad", text)
    app.config["DISCLOSURE_WINDOW"] = "first_line"
    try:
        assert not disclosure.mention_is_shown("#ad", text)
        assert disclosure.mention_is_shown("#ad", "#ad Great kit " + "y" * 500 + "\nmore")
        assert disclosure.where_shown() == "the first line"
        app.config["DISCLOSURE_WINDOW"] = "50"
        assert not disclosure.mention_is_shown("#ad", "y" * 60 + " #ad")
        assert disclosure.where_shown() == "the first 50 characters"
    finally:
        app.config["DISCLOSURE_WINDOW"] = "200"


def test_art5_sp_is_reported_as_missing(ctx, mission_scene):
    scene = mission_scene()
    _order, report = _report(scene, "#sp Great kit, thanks to Acme")
    assert report.label_missing
    order, shown = _report(scene, "#ad Great kit")
    assert not shown.label_missing and shown.missing_mentions == ""


def test_art5_publicite_at_the_start_of_a_french_post_passes(ctx, mission_scene):
    scene = _french(mission_scene)
    order, report = _report(scene, "Publicité — Le nouveau kit de réparation est arrivé !")
    assert order.disclosure_label == "Publicité" and not report.label_missing
    missions.approve(order, scene.staff)  # no warning to clear
    db.session.commit()


# --- which labels count --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("vague", ["#sp", "#spon", "#collab", "thanks to", "#sponsored", "Partenariat"])
def test_art5_vague_labels_are_refused_in_the_contract_and_on_orders(ctx, mission_scene, vague):
    with pytest.raises(ValidationFailed) as contract:
        schema.clean_clauses({"disclosure": {"label": vague}})
    assert "disclosure.label" in contract.value.fields and "does not clearly disclose" in contract.value.message
    scene = mission_scene(slug=f"brand-{abs(hash(vague)) % 10_000}")
    with pytest.raises(ValidationFailed) as order:
        missions.issue_order(scene.mandate, scene.staff, title="Video", instructions="Film it.", due_at=DUE,
                             expected_proof="A link.", disclosure_label=vague)
    assert "disclosure_label" in order.value.fields
    assert db.session.scalar(select(db.func.count()).select_from(missions.MissionOrder)) == 0


@pytest.mark.parametrize(("label", "language", "stored"), [
    ("Publicité", "fr", "Publicité"), ("collaboration  commerciale", "fr", "Collaboration commerciale"),
    ("#publicité", "fr", "#Publicité"), ("ad", "en", "Ad"), ("#AD", "en", "#ad"), ("Advertisement", "en", "Advertisement"),
    ("Publicité", "en", "Publicité"),  # an English contract may address a French public
])
def test_art5_allowed_labels_are_stored_their_listed_way(ctx, label, language, stored):
    assert disclosure.check_label(label, language) == stored


def test_art5_a_french_language_contract_uses_a_french_label(ctx, contract_scene, mission_scene):
    mandate = contracts.start_mandate(contract_scene.brand, contract_scene.clerk, ambassador=contract_scene.ambassador)
    with pytest.raises(ValidationFailed) as refused:
        contracts.update_draft(mandate, contract_scene.clerk, {"disclosure": {"label": "Advertising"}}, language="fr")
    assert "disclosure.label" in refused.value.fields and "French label" in refused.value.message
    version = contracts.update_draft(mandate, contract_scene.clerk, {"disclosure": {"label": "publicité"}},
                                     language="fr")
    assert schema.loads(version.clauses_json)["disclosure"]["label"] == "Publicité"
    # On the orders of a French contract too.
    scene = _french(mission_scene, "fr-brand")
    with pytest.raises(ValidationFailed) as order:
        missions.issue_order(scene.mandate, scene.staff, title="Vidéo", instructions="Filmer.", due_at=DUE,
                             expected_proof="Un lien.", disclosure_label="#ad")
    assert "disclosure_label" in order.value.fields


# --- employment and images -----------------------------------------------------------------------------------------

def test_ftc_255_5_an_employee_discloses_the_employment_too(ctx, mission_scene):
    scene = mission_scene(clauses={"disclosure": {"label": "#ad", "employee": True},
                                   "compensation": {"kind": "money", "formula": "Salary"}})
    order, report = _report(scene, "#ad Great kit")
    assert report.label_missing and report.missing_mentions == "employment"
    with pytest.raises(DomainError, match="employment"):
        missions.approve(order, scene.staff)
    _order, disclosed = _report(scene, "#ad I work for Acme. Great kit")
    assert not disclosed.label_missing


def test_art5_declared_retouched_or_virtual_images_need_their_mention(ctx, mission_scene):
    scene = mission_scene()
    _order, report = _report(scene, "#ad Great kit", retouched_images=True, virtual_images=True)
    assert report.retouched_images and report.virtual_images
    assert report.missing_mentions == "retouched,virtual"
    _order, partly = _report(scene, "#ad Images retouchées. Great kit", retouched_images=True, virtual_images=True)
    assert partly.missing_mentions == "virtual"
    # Undeclared, nothing more is looked for; a French contract takes only the French mention.
    _order, plain = _report(scene, "#ad Great kit")
    assert plain.missing_mentions == ""
    french = _french(mission_scene, "fr-brand")
    _order, english = _report(french, "Publicité Retouched images", retouched_images=True)
    assert english.missing_mentions == "retouched"


def test_art5_the_contract_and_its_code_of_conduct_carry_the_image_duty(ctx):
    for language, mention in (("en", "\"Images retouchées\""), ("fr", "« Images virtuelles »")):
        text = contract_text.render({"disclosure": {"label": "Publicité"}}, language, mandate_id=1, version_number=1,
                                    as_of=TODAY)
        disclosure_part = text.split(contract_text.WORDS[language]["disclosure"], 1)[1]
        conduct_part = text.split(contract_text.WORDS[language]["conduct"], 1)[1]
        assert mention in disclosure_part.split(contract_text.WORDS[language]["conduct"], 1)[0]
        assert mention in conduct_part


def test_art5_the_report_page_and_api_name_what_is_missing(app, mission_scene, client):
    scene = mission_scene()
    order = _accepted_order(scene)
    response = client.post(f"{API}/acme/mission-orders/{order.id}/report",
                           json={"text": "Great kit #ad", "links": ["https://insta.example/p/1#ad"],
                                 "virtual_images": True}, headers=bearer(scene.ambassador))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["reports"][-1]["missing_mentions"] == ["virtual"] and body["reports"][-1]["virtual_images"] is True
    bad = client.post(f"{API}/acme/mission-orders/{order.id}/report", json={"text": "x", "virtual_images": "yes"},
                      headers=bearer(scene.ambassador))
    assert bad.status_code == 422 and "virtual_images" in bad.get_json()["error"]["fields"]
    login(client, scene.staff)
    page = client.get(f"/b/acme/missions/orders/{order.id}").text
    assert "Images virtuelles" in page and "links do not count" in page


# --- material connection -------------------------------------------------------------------------------------------

def _benefit(scene, **overrides):
    values = dict(kind="in_kind", description="Repair kit", value="49.90", currency="EUR", given_on=TODAY)
    values.update(overrides)
    benefit = benefits.record_benefit(scene.mandate, scene.staff, **values)
    db.session.commit()
    return benefit


def _entry(brand, mandate):
    return next(e for e in registry.registry_of(brand).active if e.mandate_id == mandate.id)


def test_ftc_255_5_benefit_makes_the_registry_show_paid(app, ctx, mission_scene, client):
    unpaid = {"disclosure": {"label": "#ad"}, "compensation": {"kind": "none"}}
    scene = mission_scene(clauses=unpaid)
    assert _entry(scene.brand, scene.mandate).paid is False
    # A benefit on file (recorded before this rule, or under a contract amended since) is a material connection.
    db.session.add(Benefit(mandate_id=scene.mandate.id, kind=BenefitKind.IN_KIND, description="Kit", value_minor=100,
                           currency="EUR", given_on=TODAY, recorded_by_id=scene.staff.id, recorded_at=MISSION_T0))
    db.session.commit()
    entry = _entry(scene.brand, scene.mandate)
    assert entry.paid is True and entry.compensation == "benefit"
    assert "Paid (a benefit was received)" in client.get("/b/acme/registry").text
    listed = client.get(f"{API}/acme/registry").get_json()
    assert any(item["paid"] is True and item["compensation"] == "benefit" for item in listed["ambassadors"])


def _sign_amendment(mandate, clauses):
    """Put a version 2 with these clauses in force, signed by both parties (as an amendment would be)."""
    old = mandate.version_in_force
    text = f"Amendment of mandate {mandate.id}."
    version = MandateVersion(mandate_id=mandate.id, number=2, state=VersionState.SIGNED, language="en",
                             clauses_json=json.dumps(clauses), text=text,
                             text_sha256=hashlib.sha256(text.encode()).hexdigest(), created_at=clock.utcnow(),
                             offered_at=clock.utcnow())
    db.session.add(version)
    db.session.flush()
    for party in (SigningParty.AMBASSADOR, SigningParty.BRAND):
        db.session.add(Signature(version_id=version.id, party=party, user_id=mandate.ambassador_id,
                                 typed_name=mandate.public_name, text_sha256=version.text_sha256,
                                 signed_at=clock.utcnow(), ip_address="192.0.2.1", user_agent="pytest"))
    db.session.flush()
    old.state = VersionState.SUPERSEDED
    db.session.flush()
    version.state = VersionState.IN_FORCE
    version.in_force_at = clock.utcnow()
    db.session.flush()
    mandate.version_in_force_id = version.id
    db.session.commit()
    db.session.refresh(mandate)


def test_ftc_255_5_benefit_under_an_unpaid_contract_is_refused_until_a_signed_amendment(ctx, mission_scene):
    scene = mission_scene(clauses={"disclosure": {"label": "#ad"}, "compensation": {"kind": "none"}})
    with pytest.raises(DomainError) as refused:
        _benefit(scene)
    assert "provides for no compensation" in refused.value.message and "amendment" in refused.value.message
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(Benefit)) == 0
    _sign_amendment(scene.mandate, {"disclosure": {"label": "#ad"},
                                    "compensation": {"kind": "in_kind", "description": "Kits",
                                                     "value": "100.00", "currency": "EUR"}})
    assert _benefit(scene).value_minor == 4990


def test_ftc_255_5_benefit_over_the_stated_value_is_refused(ctx, mission_scene):
    scene = mission_scene(clauses={"disclosure": {"label": "#ad"},
                                   "compensation": {"kind": "money", "amount": "250.00", "currency": "EUR"}})
    assert _benefit(scene, kind="money", value="250").value_minor == 25000
    with pytest.raises(DomainError) as over:
        _benefit(scene, kind="money", value="250.01")
    assert "value" in over.value.fields and "more than the value" in over.value.message
    db.session.rollback()
    with pytest.raises(DomainError) as currency:
        _benefit(scene, kind="money", value="10", currency="USD")
    assert "currency" in currency.value.fields
