"""The mission contract's clauses: what each mandatory clause holds, its defaults, and how it is checked.

A contract version stores its clauses as one JSON object, one member per clause, each an object of
fields (see CLAUSES). A draft may be incomplete but never malformed: `clean_clauses` refuses
malformed values naming the field ("compensation.amount"), and `missing_clauses` lists every
mandatory clause that is not filled yet, by key and name, so a contract is offered only once
complete (French law 2023-451 art. 8; FTC 16 CFR 255; UK CAP/CMA guidance).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from babel import Locale
from babel.numbers import list_currencies
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from institutions.clock import utcnow
from institutions.errors import ValidationFailed
from mandates import disclosure

LANGUAGES = ("en", "fr")
LANGUAGE_NAMES = {"en": _l("English"), "fr": _l("French")}

# Member states of the European Union (ISO 3166-1 alpha-2; Greece is "GR").
EU_COUNTRIES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT",
    "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})
# The European Economic Area's other members and Switzerland: an ambassador established in them
# needs no EU representative (loi 2023-451 art. 9 names the Union, the EEA and Switzerland).
EEA_AND_SWISS_COUNTRIES = EU_COUNTRIES | {"IS", "LI", "NO", "CH"}
# Governing laws a contract may choose when it targets no public in France (a list, not free text).
GOVERNING_LAWS = tuple(sorted(EEA_AND_SWISS_COUNTRIES | {"GB"}))
MINOR_AGE = 16                    # below it a legal representative co-signs (Code du travail L.7124-9)
MIN_CODE_OF_CONDUCT = 200         # a code of conduct says something: product rule, the law sets no length
MIN_POWERS = 40                   # the delegated powers likewise
MAX_LICENCE_MONTHS = 240          # an intellectual-property licence is finite: at most 20 years
MAX_NOTICE_DAYS = 365
MAX_LINE = 300
MAX_TEXT = 4000
MAX_LABEL = 100                   # mission orders copy the label into a 100-character column
MAX_AMOUNT = Decimal("1000000000")
COMPENSATION_KINDS = ("none", "money", "in_kind")
COMPENSATION_KIND_NAMES = {"none": _l("None"), "money": _l("Money"), "in_kind": _l("In kind")}


@dataclass(frozen=True)
class Field:
    """One input of a clause. `kind` says how it is checked: line, text, email, country, date,
    months, days, amount, currency, choice, flag, label."""

    key: str
    label: Any
    kind: str = "line"
    required: bool = True
    help: Any = None


@dataclass(frozen=True)
class Clause:
    """A clause of the contract; `condition` names when an optional clause becomes mandatory."""

    key: str
    name: Any
    fields: tuple[Field, ...]
    condition: str | None = None
    help: Any = None

    def field(self, key: str) -> Field:
        """One of the clause's fields, by key."""
        return next(f for f in self.fields if f.key == key)


CLAUSES: tuple[Clause, ...] = (
    Clause("brand_party", _l("Identity of the brand"), (
        Field("legal_name", _l("Legal name of the brand's company")),
        Field("postal_address", _l("Postal address"), "text"),
        Field("email", _l("E-mail address"), "email"),
        Field("tax_country", _l("Country of tax residence"), "country"),
    )),
    Clause("ambassador_party", _l("Identity of the ambassador"), (
        Field("legal_name", _l("Legal name of the ambassador"),
              help=_l("The ambassador signs by typing exactly this name (capital letters do not matter).")),
        Field("birth_date", _l("Date of birth"), "date",
              help=_l("Under 16, a legal representative and an authorisation are required.")),
        Field("postal_address", _l("Postal address"), "text"),
        Field("email", _l("E-mail address"), "email"),
        Field("residence_country", _l("Country of establishment"), "country",
              help=_l("Outside the European Union, the EEA and Switzerland, an EU representative and a "
                      "professional liability insurance are required.")),
        Field("tax_country", _l("Country of tax residence"), "country"),
    )),
    Clause("missions", _l("Missions: nature, scope and channels"), (
        Field("nature", _l("Nature of the missions"), "text"),
        Field("scope", _l("Scope (products, topics, audiences)"), "text"),
        Field("channels", _l("Channels (networks, accounts, events)"), "text"),
        Field("audiences", _l("Countries of the publics targeted (ISO codes, e.g. FR, BE)"), "countries",
              help=_l("When a public in France is targeted, French law governs the contract.")),
    )),
    Clause("powers", _l("Delegated powers"), (
        Field("text", _l("What the ambassador may say or do in the brand's name"), "text"),
    )),
    Clause("compensation", _l("Compensation"), (
        Field("kind", _l("Kind of compensation"), "choice"),
        Field("amount", _l("Amount"), "amount", required=False,
              help=_l("For money: an amount, or a formula below, or both.")),
        Field("formula", _l("Formula (e.g. five per cent of sales made with the ambassador's code)"), "text", required=False),
        Field("currency", _l("Currency (ISO code, e.g. EUR)"), "currency", required=False),
        Field("schedule", _l("Payment schedule"), "line", required=False),
        Field("description", _l("What is given in kind"), "text", required=False),
        Field("value", _l("Value of what is given in kind"), "amount", required=False),
        Field("award_terms", _l("Conditions and terms of the award in kind (when and how it is given)"), "text",
              required=False),
    ), help=_l("None; money with an amount or formula, a currency and a schedule; or in kind with a "
               "description, its value and the conditions and terms of its award.")),
    Clause("intellectual_property", _l("Intellectual property"), (
        Field("scope", _l("Licence granted on the content produced (uses, media, territory)"), "text"),
        Field("duration_months", _l("Licence duration in months"), "months",
              help=_l("A whole number of months, at most %(n)d: a licence is never unlimited.",
                      n=MAX_LICENCE_MONTHS)),
    )),
    Clause("governing_law", _l("Governing law and jurisdiction"), (
        Field("law", _l("Governing law"), "law",
              help=_l("French law when a public in France is targeted; otherwise the law of a country of the list.")),
        Field("jurisdiction", _l("Competent jurisdiction")),
    )),
    Clause("term", _l("Term and renewal"), (
        Field("starts_on", _l("First day"), "date"),
        Field("ends_on", _l("Last day"), "date"),
        Field("renewal", _l("Renewal"), "text"),
    )),
    Clause("termination", _l("Termination and notice"), (
        Field("conditions", _l("Termination conditions"), "text"),
        Field("notice_days", _l("Notice in days"), "days",
              help=_l("An ending (revocation or resignation) takes effect at the earliest this many days after "
                      "it is given.")),
    )),
    Clause("takedown", _l("Takedown duty"), (
        Field("text", _l("What must be removed, when and how fast"), "text"),
    )),
    Clause("disclosure", _l("Disclosure label"), (
        Field("label", _l("The exact label every publication shows"), "label",
              help=_l("\"Publicité\" or \"Collaboration commerciale\" for French content; \"#ad\" or the platform's "
                      "paid-partnership tool otherwise.")),
        Field("employee", _l("The ambassador is employed by the brand and also discloses it"), "flag",
              required=False),
    )),
    Clause("code_of_conduct", _l("Code of conduct"), (
        Field("text", _l("Code of conduct"), "text"),
    )),
    # Fixed by law (art. 8 III): the contract writes it in its language; nothing to fill in or edit.
    Clause("joint_liability", _l("Joint-liability notice"), (),
           help=_l("Fixed by law: the contract states the joint liability in its language.")),
    Clause("legal_representative", _l("Legal representative of an ambassador under 16"), (
        Field("name", _l("Name of the legal representative"),
              help=_l("The legal representative signs with their own account, after the ambassador, by typing "
                      "this name.")),
        Field("postal_address", _l("Postal address of the legal representative"), "text"),
        Field("email", _l("E-mail address of the legal representative's account"), "email"),
        Field("authorisation_authority", _l("Authority that granted the administrative authorisation")),
        Field("authorisation_number", _l("Number of the authorisation")),
        Field("authorisation_date", _l("Date of the authorisation"), "date"),
    ), condition="minor"),
    Clause("eu_representative", _l("EU representative"), (
        Field("name", _l("Name of the representative in the European Union")),
        Field("postal_address", _l("Postal address in the European Union"), "text"),
        Field("email", _l("E-mail address"), "email"),
    ), condition="outside_eu"),
    Clause("liability_insurance", _l("Professional liability insurance"), (
        Field("insurer", _l("Insurer")),
        Field("insurer_country", _l("Country where the insurer is established"), "country",
              help=_l("The insurer is established in the European Union.")),
        Field("policy_number", _l("Policy number")),
    ), condition="outside_eu"),
)

CLAUSES_BY_KEY = {clause.key: clause for clause in CLAUSES}

# The platform's default wording, per contract language: explicit texts rather than the translation
# catalogue, because a contract's words are a legal act that must not change with a catalogue.
DEFAULT_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "term.renewal": "No tacit renewal: the contract is renewed only by a new version signed by both parties.",
        "termination.conditions": (
            "Either party may end the contract before its last day by a notice given on the platform, respecting "
            "the notice period. The brand may revoke it with a reason, in particular for a breach of the code of "
            "conduct or of the disclosure obligation; the ambassador may resign without giving a reason."),
        "takedown.text": (
            "At the brand's written request, the ambassador removes or corrects within 7 days any content "
            "published under this contract that is inaccurate or contrary to the code of conduct, and within "
            "48 hours any content that is unlawful. When the contract ends, the ambassador no longer publishes "
            "in the brand's name."),
        "disclosure.label": "#ad",
        "code_of_conduct.text": (
            "The ambassador speaks honestly, and only about what they know of the brand's products and services; "
            "makes no claim the brand cannot substantiate (health, environment, price); respects the people they "
            "address, never harasses or deceives them, and never aims commercial content at minors; discloses "
            "the commercial relationship in every publication concerned with the label set by this contract; "
            "and follows the rules of each platform used."),
    },
    "fr": {
        "term.renewal": ("Pas de reconduction tacite : le contrat n'est renouvelé que par une nouvelle version signée "
                         "par les deux parties."),
        "termination.conditions": (
            "Chaque partie peut mettre fin au contrat avant son dernier jour par un avis donné sur la plateforme, "
            "en respectant le préavis. La marque peut le révoquer en donnant un motif, notamment pour un manquement "
            "au code de conduite ou à l'obligation de transparence ; l'ambassadeur peut démissionner sans donner "
            "de motif."),
        "takedown.text": (
            "À la demande écrite de la marque, l'ambassadeur retire ou corrige sous 7 jours tout contenu publié en "
            "application du présent contrat qui est inexact ou contraire au code de conduite, et sous 48 heures "
            "tout contenu illicite. À la fin du contrat, l'ambassadeur ne publie plus au nom de la marque."),
        "disclosure.label": "Publicité",
        "code_of_conduct.text": (
            "L'ambassadeur s'exprime avec honnêteté, et seulement sur ce qu'il connaît des produits et services de "
            "la marque ; n'avance aucune allégation que la marque ne peut justifier (santé, environnement, prix) ; "
            "respecte les personnes auxquelles il s'adresse, ne les harcèle ni ne les trompe, et ne destine aucun "
            "contenu commercial aux mineurs ; signale la relation commerciale dans chaque publication concernée "
            "avec la mention fixée par le présent contrat ; et respecte les règles de chaque plateforme utilisée."),
    },
}
DEFAULT_NOTICE_DAYS = 30


# --- reading and writing the stored JSON -------------------------------------------------------

def loads(clauses_json: str | None) -> dict[str, dict[str, Any]]:
    """The clauses stored in a version (an empty draft is {})."""
    data = json.loads(clauses_json or "{}")
    return data if isinstance(data, dict) else {}


def dumps(clauses: dict[str, dict[str, Any]]) -> str:
    """The stored form: sorted keys, so the same clauses always give the same JSON."""
    return json.dumps(clauses, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def value(clauses: dict, clause_key: str, field_key: str, default=None):
    """One field's value, or `default` when absent or empty."""
    found = (clauses.get(clause_key) or {}).get(field_key)
    return default if found in (None, "") else found


# --- defaults -----------------------------------------------------------------------------------

def default_text(language: str, key: str) -> str | None:
    """The platform's default wording of a field in a contract language."""
    return DEFAULT_TEXTS.get(language, DEFAULT_TEXTS["en"]).get(key)


def default_clauses(brand, language: str = "en", *, ambassador_email: str | None = None,
                    code_of_conduct: str | None = None) -> dict[str, dict[str, Any]]:
    """A new draft: what the platform can fill in for the staff, who complete the rest.

    `code_of_conduct` is the brand's own charter text for the ambassador office, when it wrote one;
    otherwise the platform's default code of conduct in the contract's language is used.
    """
    texts = DEFAULT_TEXTS[validate_language(language)]
    # A charter text too short to be a code of conduct is not used as one.
    own_code = (code_of_conduct or "").strip()
    clauses: dict[str, dict[str, Any]] = {
        "brand_party": {"legal_name": brand.name, "tax_country": (brand.country or "").upper()},
        "ambassador_party": {"email": ambassador_email or ""},
        "term": {"renewal": texts["term.renewal"]},
        "termination": {"conditions": texts["termination.conditions"], "notice_days": DEFAULT_NOTICE_DAYS},
        "takedown": {"text": texts["takedown.text"]},
        "disclosure": {"label": texts["disclosure.label"], "employee": False},
        "code_of_conduct": {"text": own_code if len(own_code) >= MIN_CODE_OF_CONDUCT
                            else texts["code_of_conduct.text"]},
    }
    if (brand.country or "").upper() in GOVERNING_LAWS:
        clauses["governing_law"] = {"law": (brand.country or "").upper()}
    return clean_clauses(clauses)


def switch_language(clauses: dict, old: str, new: str) -> dict:
    """When a draft changes language, texts still equal to the old language's defaults follow it."""
    if old == new or old not in DEFAULT_TEXTS or new not in DEFAULT_TEXTS:
        return clauses
    result = {key: dict(fields) for key, fields in clauses.items()}
    for dotted, old_text in DEFAULT_TEXTS[old].items():
        parts = dotted.split(".")
        clause_key, field_key = parts[0], parts[1]
        new_text = DEFAULT_TEXTS[new].get(dotted)
        if new_text and (result.get(clause_key) or {}).get(field_key) == old_text:
            result[clause_key][field_key] = new_text
    return result


# --- validation ---------------------------------------------------------------------------------

def validate_language(raw: Any, field: str = "language") -> str:
    """A contract is written and signed in English ("en") or French ("fr")."""
    language = raw.strip().lower() if isinstance(raw, str) else raw
    if language not in LANGUAGES:
        raise ValidationFailed(_("The contract's language is English (en) or French (fr)."), field=field)
    return language


# Two-letter codes Babel knows that are not countries (groupings, pseudo-locales, "unknown").
NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})


def countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes of countries and territories known to Babel."""
    global _COUNTRIES
    if _COUNTRIES is None:
        _COUNTRIES = frozenset(code for code in Locale("en").territories
                               if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES)
    return _COUNTRIES


_COUNTRIES: frozenset[str] | None = None


def country_name(code: str | None, language: str) -> str:
    """A country's name in a language, from Babel's data ("" for none)."""
    if not code:
        return ""
    return Locale(language).territories.get(code, code)


def _clean_line(raw: Any, path: str, max_length: int = MAX_LINE) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ValidationFailed(_("This field must be text."), field=path)
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    # Trailing spaces and blank edge lines go; the first line's indentation stays (a text may start indented).
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")
    if len(text) > max_length:
        raise ValidationFailed(_("At most %(n)d characters.", n=max_length), field=path)
    return text


def _clean_one_line(raw: Any, path: str, max_length: int) -> str:
    text = _clean_line(raw, path, max_length).strip()
    if "\n" in text:
        raise ValidationFailed(_("This field takes a single line."), field=path)
    return text


def _clean_whole_number(raw: Any, path: str, low: int, high: int, message: str) -> int | str:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return ""
    if isinstance(raw, bool):
        raise ValidationFailed(message, field=path)
    if isinstance(raw, int):
        number = raw
    elif isinstance(raw, str) and re.fullmatch(r"\s*\d+\s*", raw):
        number = int(raw)
    else:
        raise ValidationFailed(message, field=path)
    if not low <= number <= high:
        raise ValidationFailed(message, field=path)
    return number


def _clean_amount(raw: Any, path: str) -> str:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return ""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float, Decimal)):
        raise ValidationFailed(_("Write an amount such as 250 or 250.50."), field=path)
    text = str(raw).strip().replace(",", ".").replace(" ", "")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", text):
        raise ValidationFailed(_("Write an amount such as 250 or 250.50 (at most two decimals)."), field=path)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed(_("Write an amount such as 250 or 250.50."), field=path)
    if amount <= 0 or amount >= MAX_AMOUNT:
        raise ValidationFailed(_("The amount must be above zero and below one billion."), field=path)
    return str(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _clean_date(raw: Any, path: str) -> str:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return ""
    if isinstance(raw, date):
        return raw.isoformat()
    if not isinstance(raw, str):
        raise ValidationFailed(_("Write a date as YYYY-MM-DD."), field=path)
    try:
        return date.fromisoformat(raw.strip()).isoformat()
    except ValueError:
        raise ValidationFailed(_("Write a date as YYYY-MM-DD."), field=path)


def _clean_field(clause: Clause, spec: Field, raw: Any) -> Any:
    path = f"{clause.key}.{spec.key}"
    kind = spec.kind
    if kind == "text":
        text = _clean_line(raw, path, MAX_TEXT)
        minimum = MIN_LENGTHS.get(path, 0)
        if text and len(text.strip()) < minimum:
            raise ValidationFailed(_("At least %(n)d characters.", n=minimum), field=path)
        return text
    if kind == "line":
        return _clean_one_line(raw, path, MAX_LINE)
    if kind == "label":
        text = _clean_one_line(raw, path, MAX_LABEL)
        disclosure.check_any_label(text, field=path)  # "#sp", "#collab", "thanks to" disclose nothing (art. 5)
        return text
    if kind == "email":
        text = _clean_one_line(raw, path, 254)
        if not text:
            return ""
        try:
            return validate_email(text, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            raise ValidationFailed(_("This e-mail address is not valid."), field=path)
    if kind == "country":
        text = _clean_one_line(raw, path, 2).upper()
        if text and text not in countries():
            raise ValidationFailed(_("Choose a country (two-letter ISO code, e.g. FR)."), field=path)
        return text
    if kind == "countries":
        return _clean_countries(raw, path)
    if kind == "law":
        text = _clean_one_line(raw, path, MAX_LINE).upper()
        if text and text not in GOVERNING_LAWS:
            raise ValidationFailed(_("Choose the governing law from the list."), field=path)
        return text
    if kind == "currency":
        text = _clean_one_line(raw, path, 3).upper()
        if text and text not in list_currencies():
            raise ValidationFailed(_("Give a currency by its ISO code, e.g. EUR."), field=path)
        return text
    if kind == "date":
        return _clean_date(raw, path)
    if kind == "months":
        return _clean_whole_number(
            raw, path, 1, MAX_LICENCE_MONTHS,
            _("The licence lasts a whole number of months between 1 and %(n)d: never unlimited.",
              n=MAX_LICENCE_MONTHS))
    if kind == "days":
        return _clean_whole_number(raw, path, 0, MAX_NOTICE_DAYS,
                                   _("The notice is a whole number of days between 0 and %(n)d.", n=MAX_NOTICE_DAYS))
    if kind == "amount":
        return _clean_amount(raw, path)
    if kind == "choice":
        text = _clean_one_line(raw, path, 20)
        if text and text not in COMPENSATION_KINDS:
            raise ValidationFailed(_("Choose none, money or in kind."), field=path)
        return text
    if kind == "flag":
        if raw in (None, "", False, 0, "0", "false", "n", "no", "off"):
            return False
        if raw in (True, 1, "1", "true", "y", "yes", "on"):
            return True
        raise ValidationFailed(_("Answer yes or no."), field=path)
    raise AssertionError(f"unknown field kind {kind}")


MIN_LENGTHS = {"code_of_conduct.text": MIN_CODE_OF_CONDUCT, "powers.text": MIN_POWERS}


def _clean_countries(raw: Any, path: str) -> list[str]:
    """Countries given as a list or as "FR, BE": unique ISO codes, sorted (so the same audiences give the same JSON)."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        items = [item for item in re.split(r"[\s,;]+", raw) if item]
    elif isinstance(raw, list) and all(isinstance(item, str) for item in raw):
        items = raw
    else:
        raise ValidationFailed(_("Give countries as two-letter ISO codes, e.g. FR, BE."), field=path)
    codes = {item.strip().upper() for item in items if item.strip()}
    if any(code not in countries() for code in codes):
        raise ValidationFailed(_("Give countries as two-letter ISO codes, e.g. FR, BE."), field=path)
    return sorted(codes)


COMPENSATION_FIELDS = {
    "none": (),
    "money": ("amount", "formula", "currency", "schedule"),
    "in_kind": ("description", "value", "currency", "award_terms"),
}


def clean_clauses(raw: Any, today: date | None = None) -> dict[str, dict[str, Any]]:
    """Normalize a draft's clauses, refusing malformed or unknown input with the field named.

    Empty fields are allowed (a draft may be incomplete): `missing_clauses` lists them.
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ValidationFailed(_("The clauses must be an object, one member per clause."), field="clauses")
    unknown = sorted(key for key in raw if key not in CLAUSES_BY_KEY)
    if unknown:
        raise ValidationFailed(_("Unknown clause."), fields={key: _("Unknown clause.") for key in unknown})
    today = today or utcnow().date()
    cleaned: dict[str, dict[str, Any]] = {}
    # Every malformed field is named at once, so a form shows all its problems together.
    problems: dict[str, str] = {}
    for clause in CLAUSES:
        given = raw.get(clause.key)
        if given is None:
            continue
        if not isinstance(given, dict):
            problems[clause.key] = _("A clause is an object of fields.")
            continue
        keys = {spec.key for spec in clause.fields}
        for key in sorted(key for key in given if key not in keys):
            problems[f"{clause.key}.{key}"] = (_("Unknown field.") if clause.fields else
                                               _("This clause is fixed by law: it cannot be edited."))
        fields = {}
        for spec in clause.fields:
            if spec.key in given:
                try:
                    fields[spec.key] = _clean_field(clause, spec, given.get(spec.key))
                except ValidationFailed as error:
                    problems.update(error.fields)
        cleaned[clause.key] = fields
    if not problems:
        try:
            _check_coherence(cleaned, today)
        except ValidationFailed as error:
            problems.update(error.fields)
    if problems:
        first = next(iter(problems.values()))
        message = first if len(problems) == 1 else _("%(n)d fields are not valid: see each one.", n=len(problems))
        raise ValidationFailed(message, fields=problems)
    return cleaned


def _check_coherence(clauses: dict, today: date) -> None:
    """Rules that tie several fields together."""
    compensation = clauses.get("compensation")
    if compensation is not None:
        kind = compensation.get("kind") or ""
        if kind:
            # Keep only what the chosen kind uses, so the contract never shows stale figures.
            for key in list(compensation):
                if key != "kind" and key not in COMPENSATION_FIELDS[kind]:
                    compensation.pop(key)
    birth = value(clauses, "ambassador_party", "birth_date")
    if birth:
        born = date.fromisoformat(birth)
        if born >= today:
            raise ValidationFailed(_("The date of birth must be in the past."), field="ambassador_party.birth_date")
        if _age(born, today) > 120:
            raise ValidationFailed(_("Check the date of birth."), field="ambassador_party.birth_date")
    _check_law(clauses)
    insurer_country = value(clauses, "liability_insurance", "insurer_country")
    if insurer_country and insurer_country not in EU_COUNTRIES:
        raise ValidationFailed(_("The insurer must be established in the European Union."),
                               field="liability_insurance.insurer_country")
    representative = value(clauses, "legal_representative", "email")
    if representative and representative == value(clauses, "ambassador_party", "email"):
        raise ValidationFailed(_("The legal representative signs with their own account: give their own e-mail "
                                 "address, not the ambassador's."), field="legal_representative.email")
    authorised = value(clauses, "legal_representative", "authorisation_date")
    if authorised and date.fromisoformat(authorised) > today:
        raise ValidationFailed(_("The authorisation cannot be dated in the future."),
                               field="legal_representative.authorisation_date")
    starts, ends = value(clauses, "term", "starts_on"), value(clauses, "term", "ends_on")
    if starts and ends and date.fromisoformat(ends) < date.fromisoformat(starts):
        raise ValidationFailed(_("The last day cannot come before the first day."), field="term.ends_on")


def targets_france(clauses: dict) -> bool:
    """Whether the contract targets a public in France (then French law governs it, art. 9 II)."""
    return "FR" in (value(clauses, "missions", "audiences") or [])


def _check_law(clauses: dict) -> None:
    """French law is fixed for a contract that targets a public in France: filled in, never another."""
    if not targets_france(clauses):
        return
    law = value(clauses, "governing_law", "law")
    if law and law != "FR":
        raise ValidationFailed(_("A contract that targets a public in France is governed by French law."),
                               field="governing_law.law")
    clauses.setdefault("governing_law", {})["law"] = "FR"


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def needs_legal_representative(clauses: dict, today: date | None = None) -> bool:
    """An ambassador under 16 on the day the contract is checked (signing is the legal act)."""
    birth = value(clauses, "ambassador_party", "birth_date")
    return bool(birth) and _age(date.fromisoformat(birth), today or utcnow().date()) < MINOR_AGE


def needs_eu_representative(clauses: dict) -> bool:
    """An ambassador established outside the European Union, the EEA and Switzerland (art. 9)."""
    country = value(clauses, "ambassador_party", "residence_country")
    return bool(country) and country not in EEA_AND_SWISS_COUNTRIES


def applies(clause: Clause, clauses: dict, today: date | None = None) -> bool:
    """Whether a clause is part of this contract (conditional ones only when relevant)."""
    if clause.condition == "minor":
        return needs_legal_representative(clauses, today)
    if clause.condition == "outside_eu":
        return needs_eu_representative(clauses)
    return True


def missing_fields(clause: Clause, clauses: dict) -> list[str]:
    """The fields of a clause still to fill in."""
    fields = clauses.get(clause.key) or {}
    if clause.key == "compensation":
        kind = fields.get("kind") or ""
        if not kind:
            return ["kind"]
        missing = []
        if kind == "money":
            if not fields.get("amount") and not fields.get("formula"):
                missing.append("amount")
            missing += [key for key in ("currency", "schedule") if not fields.get(key)]
        elif kind == "in_kind":
            missing += [key for key in ("description", "value", "currency", "award_terms") if not fields.get(key)]
        return missing
    return [spec.key for spec in clause.fields if spec.required and fields.get(spec.key) in (None, "", [])]


def applicable_clauses(clauses: dict, today: date | None = None) -> list[Clause]:
    """Every clause this contract must hold, in contract order."""
    return [clause for clause in CLAUSES if applies(clause, clauses, today)]


def missing_clauses(clauses: dict, today: date | None = None) -> list[Clause]:
    """Every mandatory clause (including the conditional ones that apply) not yet complete."""
    return [clause for clause in applicable_clauses(clauses, today) if missing_fields(clause, clauses)]


def missing_names(missing: list[Clause]) -> str:
    """"Compensation, Intellectual property": the missing clauses named in the reader's language."""
    return ", ".join(str(clause.name) for clause in missing)


def clause_name(key: str) -> str:
    """A clause's name in the reader's language."""
    clause = CLAUSES_BY_KEY.get(key)
    return str(clause.name) if clause else key
