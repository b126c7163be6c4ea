"""Mandates and advocates built straight through the models, for the registry and verification tests."""
from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone

from extensions import db
from institutions import clock
from mandates import clauses as clause_schema
from mandates import contract_text as contract_text_module
from mandates.models import (
    AdvocacyState,
    AdvocateDeclaration,
    Mandate,
    MandateState,
    MandateVersion,
    Signature,
    SigningParty,
    VersionState,
)

# The version state each mandate state implies, and who has signed it.
VERSION_OF = {
    MandateState.DRAFT: (VersionState.DRAFT, ()),
    MandateState.OFFERED: (VersionState.OFFERED, ()),
    MandateState.DECLINED: (VersionState.DECLINED, ()),
    MandateState.SIGNED: (VersionState.SIGNED, (SigningParty.AMBASSADOR,)),
}
BOTH = (SigningParty.AMBASSADOR, SigningParty.BRAND)

# Private clauses a registry must never show.
CODE_OF_CONDUCT = ("Be honest: speak only of what you know of the products, make no claim the brand cannot prove, "
                   "respect the people you address, never aim commercial content at minors, disclose the commercial "
                   "relationship in every publication and follow the rules of each platform.")
PRIVATE = {
    "legal_name": "Jeanne-Marie Privatelegal",
    "address": "12 rue du Secret, 75011 Paris",
    "email": "jeanne.private@example.test",
    "amount": "4321",
}


def sample_clauses(*, mission: str = "Product demonstrations", channels: str = "YouTube, Instagram",
                   compensation: str = "money", label: str = "#ad", starts_on: date | None = None,
                   ends_on: date | None = None, employee: bool = False) -> dict:
    """Complete clauses (mandates/clauses.py keys) with private details the public must not see."""
    starts_on = starts_on or date(2026, 1, 1)
    ends_on = ends_on or date(2026, 12, 31)
    comp: dict = {"kind": compensation}
    if compensation == "money":
        comp.update(amount=PRIVATE["amount"], currency="EUR", schedule="monthly")
    elif compensation == "in_kind":
        comp.update(description="Two products a year", value=PRIVATE["amount"], currency="EUR",
                    award_terms="Sent in January and July while the contract is in force")
    raw = {
        "brand_party": {"legal_name": "Brand SAS", "postal_address": "1 avenue de la Marque, Lyon",
                        "email": "legal@brand.test", "tax_country": "FR"},
        "ambassador_party": {"legal_name": PRIVATE["legal_name"], "birth_date": "1990-05-04",
                             "postal_address": PRIVATE["address"], "email": PRIVATE["email"],
                             "residence_country": "FR", "tax_country": "FR"},
        "missions": {"nature": mission, "scope": "France", "channels": channels, "audiences": ["FR"]},
        "powers": {"text": "Present the products and their public prices."},
        "compensation": comp,
        "intellectual_property": {"scope": "Brand's social accounts", "duration_months": 12},
        "governing_law": {"law": "FR", "jurisdiction": "Paris courts"},
        "term": {"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(), "renewal": "None."},
        "termination": {"conditions": "Notice on the platform.", "notice_days": 30},
        "takedown": {"text": "Within 7 days."},
        "disclosure": {"label": label, "employee": employee},
        "code_of_conduct": {"text": CODE_OF_CONDUCT},
    }
    return clause_schema.clean_clauses(raw, today=date(2025, 1, 1))


def contract_text(clauses: dict, language: str, mandate_id: int, number: int) -> str:
    """The canonical text, rendered as offering renders it (malformed clauses, for tolerance tests: their JSON)."""
    if not all(isinstance(fields, dict) for fields in clauses.values()):
        return clause_schema.dumps(clauses) + "\n"
    return contract_text_module.render(clauses, language, mandate_id=mandate_id, version_number=number,
                                       as_of=date(2025, 1, 1))


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class MandateMaker:
    """make_mandate(brand, state, ...) builds a mandate, its version and signatures, committed."""

    def __init__(self, make):
        self.make = make

    def __call__(self, brand, state: MandateState = MandateState.ACTIVE, *, public_name: str | None = None,
                 ambassador=None, clauses: dict | None = None, starts_on: date | None = None,
                 ends_on: date | None = None, end_requested_on: date | None = None,
                 end_effective_on: date | None = None, language: str = "en") -> Mandate:
        now = clock.utcnow()
        ambassador = ambassador or self.make.user()
        name = public_name or ambassador.display_name
        # Default terms agree with the state today, so that mandates following their dates stay put.
        today = now.date()
        if state in (MandateState.COMPLETED, MandateState.REVOKED, MandateState.RESIGNED):
            default_start, default_end = today - timedelta(days=300), today - timedelta(days=10)
        elif state is MandateState.ACTIVE:
            default_start, default_end = today - timedelta(days=30), today + timedelta(days=300)
        else:
            default_start, default_end = today + timedelta(days=30), today + timedelta(days=360)
        starts_on = starts_on or default_start
        ends_on = ends_on or default_end
        clauses = clauses if clauses is not None else sample_clauses(starts_on=starts_on, ends_on=ends_on)
        mandate = Mandate(brand_id=brand.id, ambassador_id=ambassador.id, public_name=name, state=state,
                          created_at=now, starts_on=starts_on, ends_on=ends_on)
        if state in (MandateState.REVOKED, MandateState.RESIGNED, MandateState.COMPLETED):
            effective = end_effective_on or ends_on
            mandate.ended_at = clock.utcnow().replace(year=effective.year, month=effective.month, day=effective.day)
            if state is not MandateState.COMPLETED:
                requested = end_requested_on or effective - timedelta(days=30)
                mandate.end_requested_at = mandate.ended_at.replace(
                    year=requested.year, month=requested.month, day=requested.day)
                mandate.end_effective_on = effective
                mandate.end_reason = "Private reason the registry does not show"
        elif end_effective_on:
            mandate.end_effective_on = end_effective_on
            mandate.end_requested_at = now
        db.session.add(mandate)
        db.session.flush()
        version_state, parties = VERSION_OF.get(state, (VersionState.IN_FORCE, BOTH))
        # Inserted as signed, then put in force once both signatures exist (the database insists).
        version = MandateVersion(mandate_id=mandate.id, number=1, language=language,
                                 state=VersionState.SIGNED if version_state is VersionState.IN_FORCE else version_state,
                                 clauses_json=clause_schema.dumps(clauses), created_at=now)
        if version_state is not VersionState.DRAFT:
            version.text = contract_text(clauses, language, mandate.id, 1)
            version.text_sha256 = sha(version.text)
            version.offered_at = now
        db.session.add(version)
        db.session.flush()
        for offset, party in enumerate(parties):
            db.session.add(Signature(
                version_id=version.id, party=party, user_id=ambassador.id, typed_name=name,
                text_sha256=version.text_sha256, signed_at=now + timedelta(minutes=offset),
                ip_address="192.0.2.1", user_agent="pytest"))
        db.session.flush()
        if version_state is VersionState.IN_FORCE:
            version.state = VersionState.IN_FORCE
            version.in_force_at = now
            db.session.flush()
            mandate.version_in_force_id = version.id
        db.session.commit()
        return mandate

    def amend(self, mandate: Mandate, clauses: dict, state: VersionState = VersionState.IN_FORCE) -> MandateVersion:
        """A later version: in force (the previous one superseded), or just offered."""
        now = clock.utcnow()
        number = len(mandate.versions) + 1
        version = MandateVersion(mandate_id=mandate.id, number=number, language="en",
                                 state=VersionState.SIGNED if state is VersionState.IN_FORCE else state,
                                 clauses_json=clause_schema.dumps(clauses), created_at=now, offered_at=now)
        version.text = contract_text(clauses, "en", mandate.id, number)
        version.text_sha256 = sha(version.text)
        db.session.add(version)
        db.session.flush()
        if state is VersionState.IN_FORCE:
            for party in BOTH:
                db.session.add(Signature(version_id=version.id, party=party, user_id=mandate.ambassador_id,
                                         typed_name=mandate.public_name, text_sha256=version.text_sha256,
                                         signed_at=now, ip_address="192.0.2.1", user_agent="pytest"))
            db.session.flush()
            version.state = VersionState.IN_FORCE
            previous = mandate.version_in_force
            previous.state = VersionState.SUPERSEDED
            mandate.version_in_force_id = version.id
            version.in_force_at = now
        db.session.commit()
        db.session.refresh(mandate)
        return version


def make_advocate(brand, user, state: AdvocacyState = AdvocacyState.RECOGNIZED, *, public_name: str | None = None,
                  defends: str = "brand", statement: str = "I like their repair service.") -> AdvocateDeclaration:
    """An advocate declaration in the given state, committed."""
    now = clock.utcnow()
    declaration = AdvocateDeclaration(
        brand_id=brand.id, user_id=user.id, public_name=public_name or user.display_name, defends=defends,
        statement=statement, state=state, created_at=now,
        decided_at=now if state is not AdvocacyState.PENDING else None)
    db.session.add(declaration)
    db.session.commit()
    return declaration


# The registry tests write absolute dates: they run on a fixed day.
REGISTRY_TODAY = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
