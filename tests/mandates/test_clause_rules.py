"""The rules of mandates/clauses.py pinned one by one: bounds, messages and the stored form."""
from __future__ import annotations

from datetime import date

import pytest

from institutions.errors import ValidationFailed
from mandates import clauses as schema
from tests.mandates.contract_fixtures import complete_clauses

TODAY = date(2027, 3, 1)


def clean(today=TODAY, **overrides):
    return schema.clean_clauses(complete_clauses(**overrides), today)


def refusal(today=TODAY, **overrides) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as raised:
        clean(today, **overrides)
    return raised.value


@pytest.mark.parametrize("amount, stored", [
    ("0.01", "0.01"), ("0.50", "0.50"), ("999999999.99", "999999999.99"), ("250,5", "250.50"), (250, "250.00"),
    ("1 000", "1000.00"), (" 12 ", "12.00"),
])
def test_amounts_within_the_bounds_are_stored_with_two_decimals(ctx, amount, stored):
    assert clean(compensation={"amount": amount})["compensation"]["amount"] == stored


@pytest.mark.parametrize("amount", ["0", "0.00", "1000000000", "1000000000.00"])
def test_amounts_at_the_bounds_are_refused(ctx, amount):
    error = refusal(compensation={"amount": amount})
    assert error.fields == {"compensation.amount": "The amount must be above zero and below one billion."}
    assert error.message == "The amount must be above zero and below one billion."


@pytest.mark.parametrize("amount, message", [
    ("12.345", "Write an amount such as 250 or 250.50 (at most two decimals)."),
    ("-5", "Write an amount such as 250 or 250.50 (at most two decimals)."),
    (True, "Write an amount such as 250 or 250.50."),
    ([250], "Write an amount such as 250 or 250.50."),
])
def test_malformed_amounts_say_how_to_write_one(ctx, amount, message):
    assert refusal(compensation={"amount": amount}).fields == {"compensation.amount": message}


def test_an_empty_amount_stays_empty(ctx):
    assert clean(compensation={"amount": "  ", "formula": "5 %"})["compensation"]["amount"] == ""


@pytest.mark.parametrize("months", [1, 240, "240", " 7 "])
def test_licence_months_up_to_240(ctx, months):
    assert clean(intellectual_property={"duration_months": months})["intellectual_property"]["duration_months"] \
        == int(str(months).strip())


@pytest.mark.parametrize("months", [0, 241, "241"])
def test_licence_months_beyond_the_bounds(ctx, months):
    assert refusal(intellectual_property={"duration_months": months}).fields == {
        "intellectual_property.duration_months":
            "The licence lasts a whole number of months between 1 and 240: never unlimited."}


@pytest.mark.parametrize("days", [0, 365, "365"])
def test_notice_days_from_0_to_365(ctx, days):
    assert clean(termination={"notice_days": days})["termination"]["notice_days"] == int(days)


@pytest.mark.parametrize("days", [366, -1, "-1", True, "ten"])
def test_notice_days_beyond_the_bounds(ctx, days):
    assert refusal(termination={"notice_days": days}).fields == {
        "termination.notice_days": "The notice is a whole number of days between 0 and 365."}


def test_empty_numbers_stay_empty(ctx):
    assert clean(termination={"notice_days": " "})["termination"]["notice_days"] == ""
    assert clean(termination={"notice_days": None})["termination"]["notice_days"] == ""


def test_a_contract_of_one_day(ctx):
    cleaned = clean(term={"starts_on": "2027-04-01", "ends_on": "2027-04-01"})
    assert cleaned["term"]["starts_on"] == cleaned["term"]["ends_on"] == "2027-04-01"
    error = refusal(term={"starts_on": "2027-04-01", "ends_on": "2027-03-31"})
    assert error.fields == {"term.ends_on": "The last day cannot come before the first day."}


def test_dates_are_written_as_iso(ctx):
    assert clean(term={"starts_on": date(2027, 4, 1)})["term"]["starts_on"] == "2027-04-01"
    assert clean(term={"starts_on": " 2027-04-01 "})["term"]["starts_on"] == "2027-04-01"
    for bad in ("01/04/2027", 20270401):
        assert refusal(term={"starts_on": bad}).fields == {"term.starts_on": "Write a date as YYYY-MM-DD."}


def test_a_birth_date_of_today_is_refused_and_yesterday_accepted(ctx):
    error = refusal(ambassador_party={"birth_date": TODAY.isoformat()})
    assert error.fields == {"ambassador_party.birth_date": "The date of birth must be in the past."}
    assert clean(ambassador_party={"birth_date": "2027-02-28"})["ambassador_party"]["birth_date"] == "2027-02-28"


def test_an_age_above_120_is_checked(ctx):
    assert clean(ambassador_party={"birth_date": "1906-03-02"})  # 120, the day before turning 121
    assert refusal(ambassador_party={"birth_date": "1906-03-01"}).fields == {
        "ambassador_party.birth_date": "Check the date of birth."}


def test_the_age_counts_the_birthday(ctx):
    assert schema._age(date(2011, 3, 1), TODAY) == 16
    assert schema._age(date(2011, 3, 2), TODAY) == 15
    assert schema._age(date(2011, 4, 1), TODAY) == 15
    minor = complete_clauses(ambassador_party={"birth_date": "2011-03-02"})
    assert schema.needs_legal_representative(minor, TODAY) is True
    adult = complete_clauses(ambassador_party={"birth_date": "2011-03-01"})
    assert schema.needs_legal_representative(adult, TODAY) is False


def test_the_stored_json_is_stable(ctx):
    stored = schema.dumps({"term": {"renewal": "Non", "ends_on": "x"}, "disclosure": {"label": "Publicité"}})
    assert stored == '{"disclosure":{"label":"Publicité"},"term":{"ends_on":"x","renewal":"Non"}}'
    assert schema.loads(stored) == {"disclosure": {"label": "Publicité"}, "term": {"ends_on": "x", "renewal": "Non"}}
    assert schema.loads(None) == {} and schema.loads("") == {} and schema.loads("[1]") == {}


def test_value_defaults_for_absent_and_empty(ctx):
    clauses = {"term": {"renewal": "", "ends_on": "2027-04-01"}, "powers": None}
    assert schema.value(clauses, "term", "renewal", "d") == "d"
    assert schema.value(clauses, "term", "ends_on") == "2027-04-01"
    assert schema.value(clauses, "powers", "text") is None
    assert schema.value(clauses, "missing", "text", 0) == 0


def test_switching_to_a_language_without_defaults_changes_nothing(ctx):
    clauses = {"term": {"renewal": schema.DEFAULT_TEXTS["en"]["term.renewal"]}}
    assert schema.switch_language(clauses, "en", "de") is clauses
    assert schema.switch_language(clauses, "de", "en") is clauses
    assert schema.switch_language(clauses, "en", "en") is clauses
    switched = schema.switch_language(clauses, "en", "fr")
    assert switched["term"]["renewal"] == schema.DEFAULT_TEXTS["fr"]["term.renewal"]
    assert clauses["term"]["renewal"] == schema.DEFAULT_TEXTS["en"]["term.renewal"]  # a copy


def test_default_texts_fall_back_to_english(ctx):
    assert schema.default_text("de", "disclosure.label") == "#ad"
    assert schema.default_text("fr", "disclosure.label") == "Publicité"
    assert schema.default_text("en", "nothing") is None


def test_text_fields_keep_their_indentation_and_drop_blank_edge_lines(ctx):
    text = "\n \n  First:\r\n    - one   \r  - two\x00\n\n"
    cleaned = clean(missions={"nature": text})["missions"]["nature"]
    assert cleaned == "  First:\n    - one\n  - two"  # the first line's indentation is kept like the others'
    assert clean(governing_law={"jurisdiction": "  Paris courts  "})["governing_law"]["jurisdiction"] == \
        "Paris courts"  # one line


def test_a_draft_in_a_language_without_defaults_is_refused(ctx, make):
    brand = make.brand(name="Acme")
    with pytest.raises(ValidationFailed) as refused:
        schema.default_clauses(brand, "de")
    assert set(refused.value.fields) == {"language"}
    assert schema.default_clauses(brand, "fr")["disclosure"]["label"] == "Publicité"


def test_lines_are_single_and_bounded(ctx):
    assert refusal(powers=None, governing_law={"jurisdiction": "Paris\ncourts"}).fields == {
        "governing_law.jurisdiction": "This field takes a single line."}
    assert refusal(governing_law={"jurisdiction": "x" * 301}).fields == {
        "governing_law.jurisdiction": "At most 300 characters."}
    assert clean(governing_law={"jurisdiction": "x" * 300})["governing_law"]["jurisdiction"] == "x" * 300
    assert refusal(disclosure={"label": "x" * 101}).fields == {"disclosure.label": "At most 100 characters."}
    assert clean(disclosure={"label": " Advertisement "})["disclosure"]["label"] == "Advertisement"
    assert refusal(missions={"nature": "x" * 4001}).fields == {"missions.nature": "At most 4000 characters."}
    assert len(clean(missions={"nature": "x" * 4000})["missions"]["nature"]) == 4000
    assert refusal(governing_law={"jurisdiction": 12}).fields == {
        "governing_law.jurisdiction": "This field must be text."}
    assert clean(governing_law={"jurisdiction": None})["governing_law"]["jurisdiction"] == ""


@pytest.mark.parametrize("code", ["EU", "ZZ", "EZ", "UN", "QO", "XA", "XB", "XX", "F"])
def test_pseudo_codes_are_not_countries(ctx, code):
    assert refusal(brand_party={"tax_country": code}).fields == {
        "brand_party.tax_country": "Choose a country (two-letter ISO code, e.g. FR)."}


def test_countries_are_upper_cased_and_known(ctx):
    assert clean(brand_party={"tax_country": "de"})["brand_party"]["tax_country"] == "DE"
    assert {"FR", "US", "GB", "DE"} <= schema.countries()
    assert schema.countries().isdisjoint(schema.NOT_COUNTRIES)
    assert all(len(code) == 2 and code.isalpha() for code in schema.countries())
    assert schema.country_name("FR", "fr") == "France" and schema.country_name("", "en") == ""
    assert schema.country_name("QQ", "en") == "QQ"


def test_other_field_kinds_and_their_messages(ctx):
    assert clean(compensation={"currency": "eur"})["compensation"]["currency"] == "EUR"
    assert refusal(compensation={"currency": "EUX"}).fields == {
        "compensation.currency": "Give a currency by its ISO code, e.g. EUR."}
    assert refusal(compensation={"kind": "gift"}).fields == {"compensation.kind": "Choose none, money or in kind."}
    assert refusal(brand_party={"email": "not an address"}).fields == {
        "brand_party.email": "This e-mail address is not valid."}
    assert clean(brand_party={"email": "Legal@ACME.test"})["brand_party"]["email"] == "legal@acme.test"
    assert clean(brand_party={"email": ""})["brand_party"]["email"] == ""
    for yes in (True, 1, "1", "true", "y", "yes", "on"):
        assert clean(disclosure={"employee": yes})["disclosure"]["employee"] is True
    for no in (None, "", False, 0, "0", "false", "n", "no", "off"):
        assert clean(disclosure={"employee": no})["disclosure"]["employee"] is False
    assert refusal(disclosure={"employee": "maybe"}).fields == {"disclosure.employee": "Answer yes or no."}


def test_problems_after_a_malformed_clause_are_named_too(ctx):
    raw = complete_clauses()
    raw["brand_party"] = "Acme"
    raw["term"]["ends_on"] = "soon"
    raw["term"]["colour"] = "blue"
    with pytest.raises(ValidationFailed) as raised:
        schema.clean_clauses(raw, TODAY)
    assert raised.value.fields == {"brand_party": "A clause is an object of fields.",
                                   "term.colour": "Unknown field.", "term.ends_on": "Write a date as YYYY-MM-DD."}
    assert raised.value.message == "3 fields are not valid: see each one."


def test_unknown_clauses_and_non_objects(ctx):
    with pytest.raises(ValidationFailed) as raised:
        schema.clean_clauses({"zeta": {}, "alpha": {}}, TODAY)
    assert raised.value.fields == {"alpha": "Unknown clause.", "zeta": "Unknown clause."}
    assert raised.value.message == "Unknown clause."
    with pytest.raises(ValidationFailed) as raised:
        schema.clean_clauses([], TODAY)
    assert raised.value.fields == {"clauses": "The clauses must be an object, one member per clause."}
    assert schema.clean_clauses(None, TODAY) == {}
    assert schema.clean_clauses({"powers": None}, TODAY) == {}


def test_compensation_keeps_only_the_fields_of_its_kind(ctx):
    money = clean(compensation={"description": "A bike", "value": "100"})["compensation"]
    assert money == {"kind": "money", "amount": "250.00", "currency": "EUR", "schedule": "monthly, on the 5th"}
    in_kind = clean(compensation={"kind": "in_kind", "description": "A bike", "value": "100"})["compensation"]
    assert in_kind == {"kind": "in_kind", "description": "A bike", "value": "100.00", "currency": "EUR"}
    assert clean(compensation={"kind": "none"})["compensation"] == {"kind": "none"}
    undecided = clean(compensation={"kind": ""})["compensation"]
    assert undecided["amount"] == "250.00" and undecided["kind"] == ""


def test_missing_compensation_fields(ctx):
    clause = schema.CLAUSES_BY_KEY["compensation"]
    assert schema.missing_fields(clause, {}) == ["kind"]
    assert schema.missing_fields(clause, {"compensation": {"kind": "money"}}) == ["amount", "currency", "schedule"]
    assert schema.missing_fields(clause, {"compensation": {"kind": "money", "formula": "5 %"}}) == [
        "currency", "schedule"]
    assert schema.missing_fields(clause, {"compensation": {"kind": "in_kind", "value": "3"}}) == [
        "description", "currency", "award_terms"]
    assert schema.missing_fields(clause, {"compensation": {"kind": "none"}}) == []
    disclosure = schema.CLAUSES_BY_KEY["disclosure"]
    assert schema.missing_fields(disclosure, {"disclosure": {"label": ""}}) == ["label"]


def test_eu_residence_and_conditional_clauses(ctx):
    inside = complete_clauses(ambassador_party={"residence_country": "GR"})
    outside = complete_clauses(ambassador_party={"residence_country": "US"})
    assert schema.needs_eu_representative(inside) is False and schema.needs_eu_representative(outside) is True
    assert schema.needs_eu_representative(complete_clauses(ambassador_party={"residence_country": ""})) is False
    keys = [clause.key for clause in schema.applicable_clauses(outside, TODAY)]
    assert keys[-2:] == ["eu_representative", "liability_insurance"] and "legal_representative" not in keys
    assert [c.key for c in schema.missing_clauses(outside, TODAY)] == ["eu_representative", "liability_insurance"]
    assert schema.missing_names(schema.missing_clauses(outside, TODAY)) == \
        "EU representative, Professional liability insurance"
    assert schema.clause_name("term") == "Term and renewal" and schema.clause_name("nope") == "nope"


def test_languages_are_validated(ctx):
    assert schema.validate_language(" FR ") == "fr"
    with pytest.raises(ValidationFailed) as raised:
        schema.validate_language("de", field="lang")
    assert raised.value.fields == {"lang": "The contract's language is English (en) or French (fr)."}
