"""The clause schema: defaults, field checks, the completeness check, and the canonical contract text."""
from __future__ import annotations

import hashlib
from datetime import date

import pytest
from flask_babel import force_locale

from extensions import db
from institutions import charter
from institutions.errors import ValidationFailed
from institutions.models import OfficeKind
from mandates import clauses as schema
from mandates import contract_text
from tests.mandates.contract_fixtures import LEGAL_NAME, complete_clauses

TODAY = date(2027, 3, 1)
MANDATORY = ["brand_party", "ambassador_party", "missions", "powers", "compensation", "intellectual_property",
             "governing_law", "term", "termination", "takedown", "disclosure", "code_of_conduct"]
REPRESENTATIVE = {"name": "Anne Martin", "postal_address": "Lyon", "email": "anne@example.test",
                  "authorisation_authority": "Préfecture du Rhône", "authorisation_number": "AUT-2027-12",
                  "authorisation_date": "2027-02-15"}


def clean(**overrides):
    return schema.clean_clauses(complete_clauses(**overrides), TODAY)


def refused_field(raw) -> set[str]:
    with pytest.raises(ValidationFailed) as refusal:
        schema.clean_clauses(raw, TODAY)
    return set(refusal.value.fields)


def test_an_empty_draft_misses_every_mandatory_clause_by_name(ctx):
    missing = schema.missing_clauses({}, TODAY)
    assert [c.key for c in missing] == MANDATORY
    assert "Intellectual property" in schema.missing_names(missing)
    assert schema.missing_clauses(clean(), TODAY) == []


def test_defaults_fill_what_the_platform_can_and_nothing_personal(ctx, make):
    brand = make.brand(name="Acme")
    defaults = schema.default_clauses(brand, "en", ambassador_email="someone@example.test")
    assert defaults["brand_party"] == {"legal_name": "Acme", "tax_country": "FR"}
    assert defaults["ambassador_party"] == {"email": "someone@example.test"}
    assert defaults["disclosure"]["label"] == "#ad"
    assert defaults["termination"]["notice_days"] == 30
    assert defaults["governing_law"]["law"] == "FR"
    assert "joint_liability" not in defaults  # fixed by law: nothing to fill in
    assert defaults["code_of_conduct"]["text"] == schema.DEFAULT_TEXTS["en"]["code_of_conduct.text"]
    french = schema.default_clauses(brand, "fr")
    assert french["disclosure"]["label"] == "Publicité"
    still_missing = {c.key for c in schema.missing_clauses(defaults, TODAY)}
    assert {"ambassador_party", "compensation", "intellectual_property", "term", "missions"} <= still_missing
    assert "joint_liability" not in still_missing and "code_of_conduct" not in still_missing


def test_the_code_of_conduct_defaults_to_the_brands_charter_text(ctx, make):
    brand = make.brand()
    staff = make.staff(brand)
    office = charter.office_of(brand, OfficeKind.AMBASSADOR)
    own = "Our own rules for ambassadors: " + "be honest and kind to every customer; " * 6
    charter.update_office_texts(office, staff, {"obligations": own}, None)
    db.session.commit()
    from mandates.contracts import _office_code_of_conduct

    defaults = schema.default_clauses(brand, "en", code_of_conduct=_office_code_of_conduct(brand))
    assert defaults["code_of_conduct"]["text"] == own.strip()
    # A charter text too short to be a code of conduct gives way to the platform's.
    short = schema.default_clauses(brand, "en", code_of_conduct="Be nice.")
    assert short["code_of_conduct"]["text"] == schema.DEFAULT_TEXTS["en"]["code_of_conduct.text"]


@pytest.mark.parametrize("duration", ["unlimited", "perpetual", 0, -1, "0", "1.5", 1.5, True,
                                      schema.MAX_LICENCE_MONTHS + 1, "forever", "12 months"])
def test_an_ip_licence_is_a_finite_number_of_months(ctx, duration):
    raw = complete_clauses(intellectual_property={"duration_months": duration})
    assert refused_field(raw) == {"intellectual_property.duration_months"}


def test_a_licence_duration_is_stored_as_a_number(ctx):
    assert clean(intellectual_property={"duration_months": " 24 "})["intellectual_property"]["duration_months"] == 24


def test_compensation_kinds(ctx):
    money = clean(compensation={"kind": "money", "amount": "1 250,5", "currency": "eur"})["compensation"]
    assert money == {"kind": "money", "amount": "1250.50", "currency": "EUR", "schedule": "monthly, on the 5th"}
    formula_only = {"kind": "money", "formula": "5 % of sales with the code", "currency": "EUR", "schedule": "yearly"}
    assert schema.missing_clauses(clean(compensation=None) | {"compensation": formula_only}, TODAY) == []
    no_amount = schema.clean_clauses(complete_clauses() | {"compensation": {"kind": "money", "currency": "EUR",
                                                                            "schedule": "monthly"}}, TODAY)
    assert [c.key for c in schema.missing_clauses(no_amount, TODAY)] == ["compensation"]
    in_kind = {"kind": "in_kind", "description": "Two repair kits a year", "value": "80", "currency": "EUR",
               "award_terms": "Sent in January and July"}
    assert schema.missing_clauses(complete_clauses() | {"compensation": in_kind}, TODAY) == []
    assert schema.missing_fields(schema.CLAUSES_BY_KEY["compensation"], {"compensation": {"kind": "in_kind"}}) == \
        ["description", "value", "currency", "award_terms"]
    none = clean(compensation={"kind": "none"})["compensation"]
    assert none == {"kind": "none"}  # figures of another kind are not kept


@pytest.mark.parametrize("fields, bad", [
    ({"kind": "gift"}, "compensation.kind"),
    ({"amount": "abc"}, "compensation.amount"),
    ({"amount": "-5"}, "compensation.amount"),
    ({"amount": "1.234"}, "compensation.amount"),
    ({"amount": "0"}, "compensation.amount"),
    ({"currency": "EURO"}, "compensation.currency"),
    ({"currency": "ZZZ"}, "compensation.currency"),
])
def test_malformed_compensation_is_refused_with_the_field(ctx, fields, bad):
    assert refused_field(complete_clauses(compensation=fields)) == {bad}


@pytest.mark.parametrize("overrides, bad", [
    ({"termination": {"notice_days": -1}}, "termination.notice_days"),
    ({"termination": {"notice_days": "thirty"}}, "termination.notice_days"),
    ({"termination": {"notice_days": 400}}, "termination.notice_days"),
    ({"term": {"starts_on": "10/03/2027"}}, "term.starts_on"),
    ({"term": {"ends_on": "2027-02-30"}}, "term.ends_on"),
    ({"term": {"ends_on": "2027-03-01"}}, "term.ends_on"),
    ({"ambassador_party": {"birth_date": "2030-01-01"}}, "ambassador_party.birth_date"),
    ({"ambassador_party": {"email": "not-an-address"}}, "ambassador_party.email"),
    ({"ambassador_party": {"residence_country": "XX"}}, "ambassador_party.residence_country"),
    ({"brand_party": {"tax_country": "France"}}, "brand_party.tax_country"),
    ({"disclosure": {"label": "#ad\n#sponsored"}}, "disclosure.label"),
    ({"disclosure": {"label": "x" * 101}}, "disclosure.label"),
    ({"disclosure": {"employee": "maybe"}}, "disclosure.employee"),
    ({"powers": {"text": 42}}, "powers.text"),
    ({"powers": {"text": "x" * 4001}}, "powers.text"),
    ({"missions": {"colour": "blue"}}, "missions.colour"),
    ({"bonus": {"text": "extra"}}, "bonus"),
])
def test_malformed_fields_are_refused_naming_them(ctx, overrides, bad):
    raw = complete_clauses()
    for key, fields in overrides.items():
        raw[key] = {**raw.get(key, {}), **fields}
    assert refused_field(raw) == {bad}


def test_clauses_must_be_objects(ctx):
    assert refused_field(["not", "an", "object"]) == {"clauses"}
    assert refused_field({"powers": "text"}) == {"powers"}


def test_an_ambassador_under_16_needs_a_legal_representative(ctx):
    young = clean(ambassador_party={"birth_date": "2012-06-01"})
    assert [c.key for c in schema.missing_clauses(young, TODAY)] == ["legal_representative"]
    assert schema.missing_clauses(young, date(2028, 6, 1)) == []  # 16 that day
    represented = young | {"legal_representative": dict(REPRESENTATIVE)}
    assert schema.missing_clauses(represented, TODAY) == []


def test_an_ambassador_living_outside_the_eu_needs_an_eu_representative(ctx):
    abroad = clean(ambassador_party={"residence_country": "US"})
    missing = schema.missing_clauses(abroad, TODAY)
    assert [c.key for c in missing] == ["eu_representative", "liability_insurance"]
    assert str(missing[0].name) == "EU representative"
    greek = clean(ambassador_party={"residence_country": "GR"})
    assert schema.missing_clauses(greek, TODAY) == []


def test_languages(ctx):
    assert schema.validate_language(" FR ") == "fr"
    with pytest.raises(ValidationFailed) as refusal:
        schema.validate_language("de")
    assert set(refusal.value.fields) == {"language"}


def test_switching_language_carries_the_untouched_defaults_only(ctx, make):
    english = schema.default_clauses(make.brand(), "en")
    english["takedown"]["text"] = "Our own takedown words."
    french = schema.switch_language(english, "en", "fr")
    assert french["disclosure"]["label"] == "Publicité"
    assert french["term"]["renewal"] == schema.DEFAULT_TEXTS["fr"]["term.renewal"]
    assert french["takedown"]["text"] == "Our own takedown words."


def render(clauses, language="en", as_of=TODAY):
    return contract_text.render(clauses, language, mandate_id=7, version_number=2, as_of=as_of)


def test_the_text_is_canonical_and_its_fingerprint_is_the_sha256_of_its_utf8_bytes(ctx):
    text = render(clean())
    assert text == render(clean())
    assert text.endswith("\n") and not text.endswith("\n\n") and not text.startswith("\n") and "\r" not in text
    assert all(line == line.rstrip() for line in text.split("\n"))
    assert contract_text.fingerprint(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert "Reference: mandate 7, version 2" in text
    assert LEGAL_NAME in text and "12 months" in text and "250.00 EUR" in text and "#ad" in text


def test_the_text_follows_the_contract_language_never_the_readers(ctx):
    clauses = clean()
    with force_locale("fr"):
        english_for_a_french_reader = render(clauses, "en")
        french = render(clauses, "fr")
    with force_locale("en"):
        assert render(clauses, "fr") == french
    assert english_for_a_french_reader == render(clauses, "en")
    assert french.startswith("CONTRAT DE MISSION D'AMBASSADEUR")
    assert "12 mois" in french and "Propriété intellectuelle" in french


def test_conditional_paragraphs_and_an_incomplete_preview(ctx):
    young = clean(ambassador_party={"birth_date": "2012-06-01", "residence_country": "US"}) | {
        "legal_representative": dict(REPRESENTATIVE)}
    text = render(young)
    assert "legal representative Anne Martin" in text and "AUT-2027-12" in text
    assert "representative in the European Union [to be completed]" in text
    assert "Anne Martin" not in render(young, as_of=date(2029, 1, 1))
    draft = render({})
    assert draft.count("[to be completed]") > 10
    assert "[à compléter]" in render({}, "fr")


def test_every_malformed_field_is_named_at_once(ctx):
    raw = complete_clauses(intellectual_property={"duration_months": "unlimited"}, compensation={"amount": "lots"},
                           term={"starts_on": "tomorrow"})
    with pytest.raises(ValidationFailed) as refusal:
        schema.clean_clauses(raw, TODAY)
    assert set(refusal.value.fields) == {"intellectual_property.duration_months", "compensation.amount",
                                         "term.starts_on"}
    assert "3 fields are not valid" in refusal.value.message
