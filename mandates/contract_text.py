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
        "minor": ("The ambassador, under 16, acts through their legal representative {name}, {postal_address}, "
                  "under the authorisation referenced {authorisation_reference}."),
        "eu_rep": ("The ambassador, who lives outside the European Union, appoints as representative in the "
                   "European Union {name}, {postal_address}, {email}."),
        "article": "Article {n}. {title}",
        "missions": "Missions",
        "nature": "Nature: {nature}",
        "scope": "Scope: {scope}",
        "channels": "Channels: {channels}",
        "powers": "Delegated powers",
        "powers_intro": "The ambassador may say or do in the brand's name only the following; nothing else commits "
                        "the brand:",
        "compensation": "Compensation",
        "comp_none": "No compensation: the ambassador receives neither money nor any benefit in kind under this "
                     "contract.",
        "comp_money": "Compensation in money.",
        "comp_amount": "Amount: {amount} {currency}",
        "comp_formula": "Formula: {formula}",
        "comp_currency": "Currency: {currency}",
        "comp_schedule": "Payment schedule: {schedule}",
        "comp_in_kind": "Compensation in kind: {description}",
        "comp_value": "Value: {value} {currency}",
        "comp_todo": "Kind of compensation: {todo}",
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
        "conduct": "Code of conduct",
        "liability": "Joint liability",
        "law": "Governing law and jurisdiction",
        "law_line": "Governing law: {law}",
        "court_line": "Jurisdiction: {jurisdiction}",
        "signatures": "Signatures",
        "signing": ("Each party signs this exact text electronically on the Tribune platform by typing their full "
                    "name. Each signature records the version, the SHA-256 fingerprint of this text, the typed "
                    "name, the UTC time, the IP address and the browser. The contract is in force once the brand "
                    "has countersigned it."),
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
        "minor": ("L'ambassadeur, âgé de moins de 16 ans, agit par l'intermédiaire de son représentant légal "
                  "{name}, {postal_address}, en vertu de l'autorisation référencée {authorisation_reference}."),
        "eu_rep": ("L'ambassadeur, qui réside hors de l'Union européenne, désigne comme représentant dans l'Union "
                   "européenne {name}, {postal_address}, {email}."),
        "article": "Article {n}. {title}",
        "missions": "Missions",
        "nature": "Nature : {nature}",
        "scope": "Périmètre : {scope}",
        "channels": "Canaux : {channels}",
        "powers": "Pouvoirs délégués",
        "powers_intro": "L'ambassadeur ne peut dire ou faire au nom de la marque que ce qui suit ; rien d'autre "
                        "n'engage la marque :",
        "compensation": "Rémunération",
        "comp_none": "Aucune rémunération : l'ambassadeur ne reçoit ni argent ni avantage en nature au titre du "
                     "présent contrat.",
        "comp_money": "Rémunération en argent.",
        "comp_amount": "Montant : {amount} {currency}",
        "comp_formula": "Formule : {formula}",
        "comp_currency": "Devise : {currency}",
        "comp_schedule": "Échéancier de paiement : {schedule}",
        "comp_in_kind": "Rémunération en nature : {description}",
        "comp_value": "Valeur : {value} {currency}",
        "comp_todo": "Nature de la rémunération : {todo}",
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
        "conduct": "Code de conduite",
        "liability": "Responsabilité solidaire",
        "law": "Droit applicable et juridiction",
        "law_line": "Droit applicable : {law}",
        "court_line": "Juridiction compétente : {jurisdiction}",
        "signatures": "Signatures",
        "signing": ("Chaque partie signe électroniquement ce texte exact sur la plateforme Tribune en tapant son "
                    "nom complet. Chaque signature enregistre la version, l'empreinte SHA-256 de ce texte, le nom "
                    "tapé, l'heure UTC, l'adresse IP et le navigateur. Le contrat est en vigueur une fois "
                    "contresigné par la marque."),
        "todo": "[à compléter]",
        "yes": "oui",
    },
}


def fingerprint(text: str) -> str:
    """SHA-256 of the exact UTF-8 bytes of a text, in lowercase hexadecimal."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render(clauses: dict, language: str, *, mandate_id: int, version_number: int, as_of: date) -> str:
    """The contract's canonical text; an incomplete draft shows "[to be completed]" where a value is missing.

    `as_of` is the day the text is checked (the offer's day): it decides whether the ambassador is
    under 16, so rendering the same clauses for the same day always gives the same text.
    """
    words = WORDS[schema.validate_language(language)]
    todo = words["todo"]

    def get(clause: str, field: str) -> str:
        found = schema.value(clauses, clause, field)
        if found is None:
            return todo
        if (schema.CLAUSES_BY_KEY[clause].field(field).kind == "country"):
            return f"{schema.country_name(found, language)} ({found})"
        return str(found)

    def fill(key: str, clause: str, *fields: str) -> str:
        return words[key].format(**{field: get(clause, field) for field in fields})

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
    if schema.needs_legal_representative(clauses, as_of):
        lines.append(fill("minor", "legal_representative", "name", "postal_address", "authorisation_reference"))
    if schema.needs_eu_representative(clauses):
        lines.append(fill("eu_rep", "eu_representative", "name", "postal_address", "email"))

    articles: list[tuple[str, list[str]]] = [
        (words["missions"], [fill("nature", "missions", "nature"), fill("scope", "missions", "scope"),
                             fill("channels", "missions", "channels")]),
        (words["powers"], [words["powers_intro"], get("powers", "text")]),
        (words["compensation"], _compensation(clauses, words, todo)),
        (words["ip"], [fill("ip_scope", "intellectual_property", "scope"),
                       words["ip_duration"].format(months=get("intellectual_property", "duration_months"))]),
        (words["term"], [fill("term_dates", "term", "starts_on", "ends_on"), fill("renewal", "term", "renewal")]),
        (words["termination"], [get("termination", "conditions"),
                                words["notice"].format(days=get("termination", "notice_days"))]),
        (words["takedown"], [get("takedown", "text")]),
        (words["disclosure"], [fill("label", "disclosure", "label")]
         + ([words["employee"]] if schema.value(clauses, "disclosure", "employee") else [])),
        (words["conduct"], [get("code_of_conduct", "text")]),
        (words["liability"], [get("joint_liability", "text")]),
        (words["law"], [fill("law_line", "governing_law", "law"),
                        fill("court_line", "governing_law", "jurisdiction")]),
    ]
    for number, (title, paragraphs) in enumerate(articles, start=1):
        lines += ["", words["article"].format(n=number, title=title)]
        lines += paragraphs
    lines += ["", words["signatures"], words["signing"]]
    return _canonical("\n".join(lines))


def _compensation(clauses: dict, words: dict[str, str], todo: str) -> list[str]:
    fields = clauses.get("compensation") or {}
    kind = fields.get("kind") or ""

    def get(key: str) -> str:
        return str(fields.get(key) or todo)

    if kind == "none":
        return [words["comp_none"]]
    if kind == "money":
        lines = [words["comp_money"]]
        if fields.get("amount") or not fields.get("formula"):
            lines.append(words["comp_amount"].format(amount=get("amount"), currency=get("currency")))
        if fields.get("formula"):
            lines.append(words["comp_formula"].format(formula=get("formula")))
            if not fields.get("amount"):
                lines.append(words["comp_currency"].format(currency=get("currency")))
        lines.append(words["comp_schedule"].format(schedule=get("schedule")))
        return lines
    if kind == "in_kind":
        return [words["comp_in_kind"].format(description=get("description")),
                words["comp_value"].format(value=get("value"), currency=get("currency"))]
    return [words["comp_todo"].format(todo=todo)]


def _canonical(text: str) -> str:
    """One form for the same words: NFC, "\\n" line ends, no trailing spaces, one final newline."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n") + "\n"
