"""Every user-facing string of the code and templates has a French translation."""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "message": None}


def _method_map():
    methods = []
    for line in (ROOT / "babel.cfg").read_text().splitlines():
        if line.startswith("[") and ":" in line:
            method, pattern = line.strip("[]").split(":", 1)
            methods.append((pattern.strip(), method.strip()))
    return methods


def _messages_in_sources() -> dict[str, str]:
    found = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=_method_map(), keywords=KEYWORDS,
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}, "templates/email/**.txt": {"extensions": "jinja2.ext.i18n"}},
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, filename)
    return found


def test_french_catalog_translates_every_message():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
    missing = []
    for msgid, filename in sorted(_messages_in_sources().items()):
        message = translated.get(msgid)
        text = message.string if message else None
        text = text[0] if isinstance(text, tuple) else text
        if not text or message.fuzzy:
            missing.append(f"{filename}: {msgid!r}")
    assert not missing, f"{len(missing)} messages lack a French translation:\n" + "\n".join(missing[:40])


def test_french_translations_keep_their_placeholders():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    problems = [(message.id, errors) for message, errors in catalog.check() if errors]
    assert problems == []
