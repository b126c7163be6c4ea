"""The canonical text of a mission contract, rendered from its clauses in the contract's language.

The text is what both parties sign and what the SHA-256 fingerprint covers, so it is built only
from the clauses, the language, the reference and the day it is checked: never from the reader's
locale, the time of day or the translation catalogue (each language has its own explicit wording
below). Lines end with "\\n" and never carry trailing spaces; the text does not start with a line
break and ends with exactly one; it is NFC-normalized, and the fingerprint is the SHA-256 of its
exact UTF-8 bytes (the contract page offers the exact text as a file for that reason).
"""
from __future__ import annotations

import hashlib
import unicodedata
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency

from mandates import clauses as schema

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "AMBASSADOR MISSION CONTRACT",
        "reference": "Reference: mandate {mandate}, version {version}",
        "language": "Language of the contract: English",
        "between": "Between the undersigned:",
        "brand": "The brand: {legal_name}, {postal_address}, {email}, tax resident in {tax_country};",
        "ambassador": ("The ambassador: {legal_name}, born on {birth_date}, {postal_address}, {email}, living in "
                       "{residence_country}, tax resident in {tax_country}."),
        "minor": ("The ambassador, under 16, acts with their legal representative {name}, {postal_address}, who "
                  "signs this contract after them (French Labour Code, article L.7124-1), under the administrative "
                  "authorisation no. {authorisation_number} granted by {authorisation_authority} on "
                  "{authorisation_date}."),
        "eu_rep": ("The ambassador, who is established outside the European Union, the European Economic Area and "
                   "Switzerland, appoints as representative in the European Union {name}, {postal_address}, "
                   "{email}."),
        "article": "Article {n}. {title}",
        "missions": "Missions",
        "nature": "Nature: {nature}",
        "scope": "Scope: {scope}",
        "channels": "Channels: {channels}",
        "audiences": "Publics targeted: {audiences}",
        "powers": "Delegated powers",
        "powers_intro": "The ambassador may say or do in the brand's name only the following; nothing else commits "
                        "the brand:",
        "compensation": "Compensation",
        "comp_none": "No compensation: the ambassador receives neither money nor any benefit in kind under this "
                     "contract.",
        "comp_money": "Compensation in money.",
        "comp_amount": "Amount: {amount}",
        "comp_formula": "Formula: {formula}",
        "comp_currency": "Currency: {currency}",
        "comp_schedule": "Payment schedule: {schedule}",
        "comp_in_kind": "Compensation in kind: {description}",
        "comp_value": "Value: {value}",
        "comp_award": "Conditions and terms of the award: {award_terms}",
        "comp_todo": "Kind of compensation: {todo}",
        "comp_minor": ("The ambassador being under 16, the earnings due to them are paid to the Caisse des dépôts "
                       "et consignations, which keeps them until their majority, except for the share the "
                       "administrative authority allows to be paid to their legal representatives (French Labour "
                       "Code, article L.7124-9)."),
        "ip": "Intellectual property",
        "ip_scope": "The ambassador grants the brand a licence on the content produced under this contract: {scope}",
        "ip_duration": "The licence lasts {months} months from the publication of each content; it is never "
                       "open-ended. Outside this licence, the ambassador keeps every right on their content.",
        "term": "Term and renewal",
        "term_dates": "The contract runs from {starts_on} to {ends_on}, both days included.",
        "renewal": "Renewal: {renewal}",
        "termination": "Termination and notice",
        "notice": "Notice: {days} days. An ending takes effect at the earliest {days} days after it is given.",
        "takedown": "Takedown duty",
        "disclosure": "Disclosure",
        "label": "Every publication made under this contract shows, visibly and from its start, the label: {label}",
        "employee": "The ambassador is employed by the brand and also discloses this employment.",
        "images": ("A publication whose images were retouched to change a face or a body shows the mention "
                   "\"Images retouchées\" (retouched images); one whose images were produced by artificial "
                   "intelligence shows \"Images virtuelles\" (virtual images) (French law no. 2023-451, "
                   "article 5)."),
        "conduct": "Code of conduct",
        "liability": "Joint liability",
        "liability_text": ("The brand and the ambassador are jointly and severally liable towards third parties "
                           "for any damage caused by the performance of this contract, including by content "
                           "published under it (French law no. 2023-451 of 9 June 2023, article 8 III)."),
        "insurance": "Professional liability insurance",
        "insurance_text": ("The ambassador, established outside the European Union, the European Economic Area and "
                           "Switzerland, holds a professional liability insurance with {insurer}, an insurer "
                           "established in {insurer_country}, policy no. {policy_number} (French law no. 2023-451 "
                           "of 9 June 2023, article 9)."),
        "law": "Governing law and jurisdiction",
        "law_line": "Governing law: {law}",
        "law_fr": "French law",
        "law_of": "the law of {country}",
        "court_line": "Jurisdiction: {jurisdiction}",
        "signatures": "Signatures",
        "signing": ("Each party signs this exact text electronically on the Tribune platform by typing their full "
                    "name. Each signature records the version, the SHA-256 fingerprint of this text, the typed "
                    "name, the UTC time, the IP address and the browser. The contract is in force once the brand "
                    "has countersigned it."),
        "signing_minor": "As the ambassador is under 16, the contract is in force only once their legal "
                         "representative has signed it too, after them, and the brand has countersigned it.",
        "todo": "[to be completed]",
        "yes": "yes",
    },
    "fr": {
        "title": "CONTRAT DE MISSION D'AMBASSADEUR",
        "reference": "Référence : mandat {mandate}, version {version}",
        "language": "Langue du contrat : français",
        "between": "Entre les soussignés :",
        "brand": "La marque : {legal_name}, {postal_address}, {email}, résidente fiscale : {tax_country} ;",
        "ambassador": ("L'ambassadeur : {legal_name}, né(e) le {birth_date}, {postal_address}, {email}, résidant : "
                       "{residence_country}, résident(e) fiscal(e) : {tax_country}."),
        "minor": ("L'ambassadeur, âgé de moins de 16 ans, agit avec son représentant légal {name}, "
                  "{postal_address}, qui signe le présent contrat après lui (code du travail, article L.7124-1), "
                  "en vertu de l'autorisation administrative n° {authorisation_number} délivrée par "
                  "{authorisation_authority} le {authorisation_date}."),
        "eu_rep": ("L'ambassadeur, établi hors de l'Union européenne, de l'Espace économique européen et de la "
                   "Suisse, désigne comme représentant dans l'Union européenne {name}, {postal_address}, {email}."),
        "article": "Article {n}. {title}",
        "missions": "Missions",
        "nature": "Nature : {nature}",
        "scope": "Périmètre : {scope}",
        "channels": "Canaux : {channels}",
        "audiences": "Publics visés : {audiences}",
        "powers": "Pouvoirs délégués",
        "powers_intro": "L'ambassadeur ne peut dire ou faire au nom de la marque que ce qui suit ; rien d'autre "
                        "n'engage la marque :",
        "compensation": "Rémunération",
        "comp_none": "Aucune rémunération : l'ambassadeur ne reçoit ni argent ni avantage en nature au titre du "
                     "présent contrat.",
        "comp_money": "Rémunération en argent.",
        "comp_amount": "Montant : {amount}",
        "comp_formula": "Formule : {formula}",
        "comp_currency": "Devise : {currency}",
        "comp_schedule": "Échéancier de paiement : {schedule}",
        "comp_in_kind": "Rémunération en nature : {description}",
        "comp_value": "Valeur : {value}",
        "comp_award": "Conditions et modalités d'attribution : {award_terms}",
        "comp_todo": "Nature de la rémunération : {todo}",
        "comp_minor": ("L'ambassadeur ayant moins de 16 ans, les revenus qui lui sont dus sont versés à la Caisse "
                       "des dépôts et consignations, qui les gère jusqu'à sa majorité, sauf la part que l'autorité "
                       "administrative autorise à verser à ses représentants légaux (code du travail, article "
                       "L.7124-9)."),
        "ip": "Propriété intellectuelle",
        "ip_scope": "L'ambassadeur concède à la marque une licence sur les contenus produits en application du "
                    "présent contrat : {scope}",
        "ip_duration": "La licence dure {months} mois à compter de la publication de chaque contenu ; elle n'est "
                       "jamais illimitée. Hors de cette licence, l'ambassadeur conserve tous ses droits sur ses "
                       "contenus.",
        "term": "Durée et renouvellement",
        "term_dates": "Le contrat court du {starts_on} au {ends_on}, ces deux jours inclus.",
        "renewal": "Renouvellement : {renewal}",
        "termination": "Résiliation et préavis",
        "notice": "Préavis : {days} jours. Une fin de contrat prend effet au plus tôt {days} jours après avoir été "
                  "notifiée.",
        "takedown": "Obligation de retrait",
        "disclosure": "Transparence",
        "label": "Chaque publication faite en application du présent contrat porte, de façon visible et dès son "
                 "début, la mention : {label}",
        "employee": "L'ambassadeur est salarié de la marque et le signale également.",
        "images": ("Une publication dont les images ont été retouchées pour modifier l'apparence d'un visage ou "
                   "d'une silhouette porte la mention « Images retouchées » ; une publication dont les images ont "
                   "été produites par intelligence artificielle porte la mention « Images virtuelles » (loi "
                   "n° 2023-451 du 9 juin 2023, article 5)."),
        "conduct": "Code de conduite",
        "liability": "Responsabilité solidaire",
        "liability_text": ("La marque et l'ambassadeur sont solidairement responsables envers les tiers des "
                           "dommages causés par l'exécution du présent contrat, y compris par les contenus publiés "
                           "en son application (loi n° 2023-451 du 9 juin 2023, article 8 III)."),
        "insurance": "Assurance de responsabilité civile professionnelle",
        "insurance_text": ("L'ambassadeur, établi hors de l'Union européenne, de l'Espace économique européen et de "
                           "la Suisse, est assuré en responsabilité civile professionnelle auprès de {insurer}, "
                           "assureur établi : {insurer_country}, police n° {policy_number} (loi n° 2023-451 du "
                           "9 juin 2023, article 9)."),
        "law": "Droit applicable et juridiction",
        "law_line": "Droit applicable : {law}",
        "law_fr": "droit français",
        "law_of": "droit de l'État suivant : {country}",
        "court_line": "Juridiction compétente : {jurisdiction}",
        "signatures": "Signatures",
        "signing": ("Chaque partie signe électroniquement ce texte exact sur la plateforme Tribune en tapant son "
                    "nom complet. Chaque signature enregistre la version, l'empreinte SHA-256 de ce texte, le nom "
                    "tapé, l'heure UTC, l'adresse IP et le navigateur. Le contrat est en vigueur une fois "
                    "contresigné par la marque."),
        "signing_minor": "L'ambassadeur ayant moins de 16 ans, le contrat n'est en vigueur qu'une fois signé "
                         "aussi par son représentant légal, après lui, et contresigné par la marque.",
        "todo": "[à compléter]",
        "yes": "oui",
    },
}


def fingerprint(text: str) -> str:
    """SHA-256 of the exact UTF-8 bytes of a text, in lowercase hexadecimal."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# The Babel locale each contract language writes its dates and amounts in: fixed, never the reader's.
FORMAT_LOCALES = {"fr": "fr_FR"}


def format_day(day: str, language: str) -> str:
    """A stored ISO date as the contract writes it: "10 mars 2027" in French, ISO otherwise."""
    locale = FORMAT_LOCALES.get(language)
    return format_date(date.fromisoformat(day), format="long", locale=locale) if locale else day


def format_amount(amount: str, currency: str | None, language: str, todo: str) -> str:
    """An amount and its currency as the contract writes them: "250,00 €" in French, "250.00 EUR" otherwise."""
    locale = FORMAT_LOCALES.get(language)
    if locale and amount != todo and currency:
        return format_currency(Decimal(amount), currency, locale=locale)
    return f"{amount} {currency or todo}"


def render(clauses: dict, language: str, *, mandate_id: int, version_number: int, as_of: date) -> str:
    """The contract's canonical text; an incomplete draft shows "[to be completed]" where a value is missing.

    `as_of` is the day the text is checked (the offer's day): it decides whether the ambassador is
    under 16, so rendering the same clauses for the same day always gives the same text.
    """
    words = WORDS[schema.validate_language(language)]
    todo = words["todo"]

    def get(clause: str, field: str) -> str:
        found = schema.value(clauses, clause, field)
        if found is None or found == []:
            return todo
        kind = schema.CLAUSES_BY_KEY[clause].field(field).kind
        if kind == "country":
            return f"{schema.country_name(found, language)} ({found})"
        if kind == "countries":
            return ", ".join(f"{schema.country_name(code, language)} ({code})" for code in found)
        if kind == "date":
            return format_day(found, language)
        if kind == "law":
            return words["law_fr"] if found == "FR" else words["law_of"].format(
                country=f"{schema.country_name(found, language)} ({found})")
        return str(found)

    def fill(key: str, clause: str, *fields: str) -> str:
        return words[key].format(**{field: get(clause, field) for field in fields})

    minor = schema.needs_legal_representative(clauses, as_of)
    outside = schema.needs_eu_representative(clauses)
    lines: list[str] = [
        words["title"],
        words["reference"].format(mandate=mandate_id, version=version_number),
        words["language"],
        "",
        words["between"],
        "",
        fill("brand", "brand_party", "legal_name", "postal_address", "email", "tax_country"),
        fill("ambassador", "ambassador_party", "legal_name", "birth_date", "postal_address", "email",
             "residence_country", "tax_country"),
    ]
    if minor:
        lines.append(fill("minor", "legal_representative", "name", "postal_address", "authorisation_number",
                          "authorisation_authority", "authorisation_date"))
    if outside:
        lines.append(fill("eu_rep", "eu_representative", "name", "postal_address", "email"))

    articles: list[tuple[str, list[str]]] = [
        (words["missions"], [fill("nature", "missions", "nature"), fill("scope", "missions", "scope"),
                             fill("channels", "missions", "channels"), fill("audiences", "missions", "audiences")]),
        (words["powers"], [words["powers_intro"], get("powers", "text")]),
        (words["compensation"], _compensation(clauses, words, todo, language, minor)),
        (words["ip"], [fill("ip_scope", "intellectual_property", "scope"),
                       words["ip_duration"].format(months=get("intellectual_property", "duration_months"))]),
        (words["term"], [fill("term_dates", "term", "starts_on", "ends_on"), fill("renewal", "term", "renewal")]),
        (words["termination"], [get("termination", "conditions"),
                                words["notice"].format(days=get("termination", "notice_days"))]),
        (words["takedown"], [get("takedown", "text")]),
        (words["disclosure"], [fill("label", "disclosure", "label")]
         + ([words["employee"]] if schema.value(clauses, "disclosure", "employee") else [])
         # Fixed by law (art. 5 II): the duty on retouched and virtual images.
         + [words["images"]]),
        (words["conduct"], [get("code_of_conduct", "text"), words["images"]]),
        # Fixed by law (art. 8 III): never the staff's wording.
        (words["liability"], [words["liability_text"]]),
    ]
    if outside:
        articles.append((words["insurance"], [fill("insurance_text", "liability_insurance", "insurer",
                                                   "insurer_country", "policy_number")]))
    articles.append((words["law"], [fill("law_line", "governing_law", "law"),
                                    fill("court_line", "governing_law", "jurisdiction")]))
    for number, (title, paragraphs) in enumerate(articles, start=1):
        lines += ["", words["article"].format(n=number, title=title)]
        lines += paragraphs
    lines += ["", words["signatures"], words["signing"]] + ([words["signing_minor"]] if minor else [])
    return _canonical("\n".join(lines))


def _compensation(clauses: dict, words: dict[str, str], todo: str, language: str, minor: bool) -> list[str]:
    fields = clauses.get("compensation") or {}
    kind = fields.get("kind") or ""

    def get(key: str) -> str:
        return str(fields.get(key) or todo)

    def money(key: str) -> str:
        return format_amount(get(key), fields.get("currency"), language, todo)

    if kind == "none":
        return [words["comp_none"]]
    if kind == "money":
        lines = [words["comp_money"]]
        if fields.get("amount") or not fields.get("formula"):
            lines.append(words["comp_amount"].format(amount=money("amount")))
        if fields.get("formula"):
            lines.append(words["comp_formula"].format(formula=get("formula")))
            if not fields.get("amount"):
                lines.append(words["comp_currency"].format(currency=get("currency")))
        lines.append(words["comp_schedule"].format(schedule=get("schedule")))
        if minor:
            # Code du travail L.7124-9: an under-16's earnings are kept until majority.
            lines.append(words["comp_minor"])
        return lines
    if kind == "in_kind":
        return [words["comp_in_kind"].format(description=get("description")),
                words["comp_value"].format(value=money("value")),
                words["comp_award"].format(award_terms=get("award_terms"))]
    return [words["comp_todo"].format(todo=todo)]


def _canonical(text: str) -> str:
    """One form for the same words: NFC, "\\n" line ends, no trailing spaces, one final newline."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n") + "\n"
