"""Public contract verification: does this text, or this SHA-256, match a contract both parties signed?

The only change made to a pasted text is turning Windows line endings (\\r\\n) into \\n, because
browsers send a textarea's lines that way; anything else, even one character or a trailing
space, gives another hash and no match.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, defer, selectinload

from extensions import db
from institutions.errors import ValidationFailed
from institutions.models import Brand
from mandates.contract_text import fingerprint
from mandates.models import Mandate, MandateVersion, SigningParty, VersionState

SIGNED_VERSION_STATES = (VersionState.IN_FORCE, VersionState.SUPERSEDED)
HASH_PATTERN = re.compile(r"[0-9a-f]{64}")
# A contract is a few pages; this bound only keeps absurd input out.
MAX_TEXT_LENGTH = 1_000_000


def normalise(text: str) -> str:
    """The one normalisation applied to a pasted text: \\r\\n line endings become \\n."""
    return text.replace("\r\n", "\n")


def text_digest(text: str) -> str:
    """The SHA-256 (hex) of a pasted text, after normalising its line endings."""
    return fingerprint(normalise(text))


def parse_hash(raw: str) -> str:
    """A SHA-256 given by hand: 64 hexadecimal characters (case and surrounding spaces do not matter)."""
    value = (raw or "").strip().lower()
    if HASH_PATTERN.fullmatch(value):
        return value
    if len(value) != 64:
        problem = _("A SHA-256 hash is exactly 64 hexadecimal characters (0-9 and a-f); this one has %(n)d.",
                    n=len(value))
    else:
        problem = _("A SHA-256 hash is made of hexadecimal characters only (0-9 and a-f).")
    raise ValidationFailed(problem, field="sha256")


@dataclass
class Match:
    """A signed version whose text has the hash asked about."""

    mandate_id: int
    public_name: str
    version_number: int
    version_state: VersionState
    language: str
    ambassador_signed_at: datetime | None
    brand_signed_at: datetime | None
    in_force_at: datetime | None


@dataclass
class Verification:
    """The answer: the hash that was looked up, how it was obtained, and what it matches."""

    sha256: str
    source: str  # "text" or "sha256"
    matches: list[Match] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return bool(self.matches)


def _signed_at(version: MandateVersion, party: SigningParty) -> datetime | None:
    return next((s.signed_at for s in version.signatures if s.party is party), None)


def _lookup(brand: Brand, digest: str, source: str) -> Verification:
    versions = db.session.scalars(
        select(MandateVersion)
        .join(MandateVersion.mandate)
        .options(defer(MandateVersion.text), contains_eager(MandateVersion.mandate),
                 selectinload(MandateVersion.signatures))
        .where(Mandate.brand_id == brand.id, MandateVersion.text_sha256 == digest,
               MandateVersion.state.in_(SIGNED_VERSION_STATES))
        .order_by(MandateVersion.mandate_id, MandateVersion.number)
    ).all()
    return Verification(sha256=digest, source=source, matches=[
        Match(mandate_id=v.mandate_id, public_name=v.mandate.public_name, version_number=v.number,
              version_state=v.state, language=v.language,
              ambassador_signed_at=_signed_at(v, SigningParty.AMBASSADOR),
              brand_signed_at=_signed_at(v, SigningParty.BRAND), in_force_at=v.in_force_at)
        for v in versions
    ])


def verify(brand: Brand, *, text: str | None = None, sha256: str | None = None) -> Verification:
    """Tell whether a text or a hash matches a version of this brand's contracts signed by both parties."""
    has_text = bool(text)
    has_hash = bool(sha256 and sha256.strip())
    if has_text == has_hash:
        message = (_("Give either the contract text or its hash, not both.") if has_text
                   else _("Paste the contract text or give its SHA-256 hash."))
        raise ValidationFailed(message, fields={"text": message, "sha256": message})
    if has_hash:
        return _lookup(brand, parse_hash(sha256), "sha256")
    if len(text) > MAX_TEXT_LENGTH:
        raise ValidationFailed(_("At most %(n)d characters.", n=MAX_TEXT_LENGTH), field="text")
    return _lookup(brand, text_digest(text), "text")
