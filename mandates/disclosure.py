"""The disclosure rules: which labels count, and where a label counts as shown.

Sources: FTC 16 CFR 255.0(f) and 255.5 (a material connection is disclosed clearly and
conspicuously), UK CAP code 2.1 / CMA guidance (a clear upfront label such as "Ad"), French law
2023-451 art. 5 (« Publicité » or « Collaboration commerciale »; « Images retouchées » /
« Images virtuelles » for retouched or generated images).

- A label counts only from an allow-list per contract language: the French law names two words,
  English guidance a few. "#sp", "#spon", "#collab", "thanks to"... are not on it and are refused,
  in the contract and on orders.
- A label counts as shown only where a viewer sees it: in the publication's visible text, near its
  start (the first `DISCLOSURE_WINDOW` characters, 200 by default, or only the first line when the
  setting is "first_line"), never inside a web address (its path, query string or fragment).
"""
from __future__ import annotations

import re
import unicodedata

from flask import current_app, has_app_context
from flask_babel import gettext as _

from institutions.errors import ValidationFailed

DEFAULT_WINDOW = 200
FIRST_LINE = "first_line"

# The labels each contract language admits (compared ignoring case and runs of spaces).
# French: the two words of art. 5, alone or as a hashtag (a hashtag shows the same word).
LABELS: dict[str, tuple[str, ...]] = {
    "fr": ("Publicité", "#Publicité", "Collaboration commerciale", "#CollaborationCommerciale"),
    "en": ("Ad", "#ad", "Advert", "#advert", "Advertising", "#advertising", "Advertisement", "#advertisement"),
}
# The employment disclosure of an ambassador employed by the brand (FTC 255.5, example 8).
EMPLOYMENT_MENTIONS: dict[str, tuple[str, ...]] = {
    "fr": ("Salarié de", "Salariée de", "Employé de", "Employée de", "#salarié", "#salariée"),
    "en": ("Employee of", "Employee at", "I work for", "I work at", "#employee"),
}
# Art. 5 II of law 2023-451: the mention on retouched and on virtual (generated) images.
IMAGE_MENTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "retouched": {"fr": ("Images retouchées", "Image retouchée"), "en": ("Retouched images", "Retouched image")},
    "virtual": {"fr": ("Images virtuelles", "Image virtuelle"), "en": ("Virtual images", "Virtual image")},
}
# A web address in a text: what it carries (path, ?query, #fragment) is not seen as a label.
_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S+", re.IGNORECASE)


def _folded(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def admitting(language: str) -> tuple[str, ...]:
    """The languages whose labels a contract language admits: a French contract only French ones (art. 5); an
    English contract also the French ones, since it may address a public in France."""
    return (language,) if language == "fr" else (language, "fr")


def canonical_label(label: str | None, language: str, *, only: bool = False) -> str | None:
    """The allow-listed form of a label in a contract language, or None when the language does not admit it."""
    wanted = _folded(label or "")
    forms = LABELS.get(language, ()) if only else sum((LABELS.get(lang, ()) for lang in admitting(language)), ())
    return next((form for form in forms if _folded(form) == wanted), None)


def admitted_labels(language: str) -> str:
    """The admitted labels of a language, quoted, for a message."""
    return ", ".join(f"\"{form}\"" for form in LABELS.get(language, ()))


def check_label(label: str | None, language: str, field: str = "disclosure.label") -> str:
    """The label written its allow-listed way, or a refusal naming the labels the contract's language admits."""
    form = canonical_label(label, language)
    if form is None:
        other = next((lang for lang in LABELS if lang != language and canonical_label(label, lang, only=True)), None)
        if language == "fr" and other:
            message = _("A French-language contract uses a French label: %(labels)s.", labels=admitted_labels("fr"))
        else:
            message = _("\"%(label)s\" does not clearly disclose advertising. Use one of: %(labels)s.",
                        label=(label or "").strip(), labels=admitted_labels(language))
        raise ValidationFailed(message, field=field)
    return form


def check_any_label(label: str | None, field: str = "disclosure.label") -> None:
    """Refuse a label no contract language admits ("#sp", "#collab", "thanks to"); an empty draft field passes."""
    if not (label or "").strip():
        return
    if not any(canonical_label(label, language, only=True) for language in LABELS):
        raise ValidationFailed(_("\"%(label)s\" does not clearly disclose advertising. Use one of: %(labels)s.",
                                 label=label.strip(), labels=", ".join(admitted_labels(lang) for lang in LABELS)),
                               field=field)


def check_contract_label(clauses: dict, language: str) -> None:
    """A contract's disclosure label must be admitted in the contract's language; it is stored its allow-listed way."""
    fields = clauses.get("disclosure")
    if isinstance(fields, dict) and isinstance(fields.get("label"), str) and fields["label"].strip():
        fields["label"] = check_label(fields["label"], language)


def window() -> int | str:
    """The configured part of a publication a viewer sees first: a number of characters, or "first_line"."""
    setting = current_app.config.get("DISCLOSURE_WINDOW", DEFAULT_WINDOW) if has_app_context() else DEFAULT_WINDOW
    if setting == FIRST_LINE:
        return FIRST_LINE
    try:
        return max(1, int(setting))
    except (TypeError, ValueError):
        return DEFAULT_WINDOW


def where_shown() -> str:
    """Where the label must stand, in words: "the first 200 characters" or "the first line"."""
    within = window()
    if within == FIRST_LINE:
        return _("the first line")
    return _("the first %(n)d characters", n=within)


def visible_start(text: str, within: int | str | None = None) -> str:
    """The start of the publication a viewer sees without expanding it, web addresses blanked out."""
    within = window() if within is None else within
    text = (text or "").replace("\r\n", "\n").lstrip()
    start = text.split("\n", 1)[0] if within == FIRST_LINE else text[:within]
    # Blanking (not deleting) keeps the words on each side of an address apart.
    return _URL.sub(" ", start)


def mention_is_shown(mention: str, text: str, within: int | str | None = None) -> bool:
    """Whether the mention stands as a whole token in the visible start of the text (never in a link)."""
    wanted = _folded(mention)
    if not wanted:
        return True
    # A word character at an edge of the mention must not run on into a longer word ("#ad" is not "#adventure").
    before = r"(?<!\w)" if re.match(r"\w", wanted[0]) else r"(?<![\w#])"
    after = r"(?!\w)" if re.match(r"\w", wanted[-1]) else ""
    return re.search(before + re.escape(wanted) + after, _folded(visible_start(text, within))) is not None


def any_shown(mentions: tuple[str, ...], text: str, within: int | str | None = None) -> bool:
    """Whether one of the mentions is shown."""
    return any(mention_is_shown(mention, text, within) for mention in mentions)


def missing_mentions(text: str, *, label: str, language: str, employee: bool = False, retouched: bool = False,
                     virtual: bool = False, within: int | str | None = None) -> list[str]:
    """What a report's publication fails to show: "label", "employment", "retouched", "virtual" (in that order)."""
    # An English contract may still reach a French public: the French mention is always accepted too.
    languages = admitting(language)
    missing = [] if mention_is_shown(label, text, within) else ["label"]
    if employee and not any_shown(sum((EMPLOYMENT_MENTIONS.get(lang, ()) for lang in languages), ()), text, within):
        missing.append("employment")
    for kind, declared in (("retouched", retouched), ("virtual", virtual)):
        if declared and not any_shown(sum((IMAGE_MENTIONS[kind].get(lang, ()) for lang in languages), ()),
                                      text, within):
            missing.append(kind)
    return missing


def mention_names(missing: list[str], label: str) -> str:
    """The missing mentions named for the reviewer and the ambassador."""
    names = {"label": _("the label \"%(label)s\"", label=label),
             "employment": _("the employment with the brand"),
             "retouched": _("\"Images retouchées\" (retouched images)"),
             "virtual": _("\"Images virtuelles\" (virtual images)")}
    return ", ".join(names[key] for key in missing if key in names)
