"""Mandates and their contract versions: drafting, offering, signing, countersigning, amending.

A mandate's first version is drafted, offered (its text frozen and fingerprinted), signed by the
ambassador (then, for an ambassador under 16, by their legal representative, L.7124-1) and
countersigned by a staff member with signing rights: it is then IN_FORCE and the mandate SCHEDULED
until its first day (the mandates clock activates it). An amendment is a later version copied
from the one in force; once both parties sign it, it is IN_FORCE and the previous one SUPERSEDED.
Versions IN_FORCE and SUPERSEDED are exactly those both parties signed.

Signing rule (decided here): the typed name must be the ambassador's legal name written in the
contract, ignoring capital letters and extra spaces, but not accents ("élodie  MARTIN" signs for
"Élodie Martin"; "Elodie Martin" does not). The brand's signatory types, by the same rule, the legal
name they recorded once on their staff role (institutions/brands.py): nobody signs under another name.
"""
from __future__ import annotations

import unicodedata
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from extensions import db
from institutions import audit, charter, permissions
from institutions.accounts import normalize_email, user_by_email
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden, NotFound, ValidationFailed
from institutions.models import Brand, OfficeKind, StaffRole, User
from institutions.notifications import notify, queue_email
from institutions.role_changes import role_changed
from institutions.messages import message
from institutions.notice_mail import subject_for
from mandates import clauses as schema
from mandates import contract_text, disclosure, ending
from mandates.notices import CONTRACT_KIND
from mandates.models import (
    ENDED_STATES,
    MAX_REASON,
    RUNNING_STATES,
    WAITING_STATES,
    Mandate,
    MandateState,
    MandateVersion,
    Signature,
    SigningParty,
    VersionState,
)
from mandates.permissions import can_countersign, can_manage_mandates, is_ambassador_of

# A mandate that still counts: nobody gets a second one at the same brand meanwhile.
OPEN_STATES = (MandateState.DRAFT, MandateState.OFFERED, MandateState.SIGNED, MandateState.SCHEDULED,
               MandateState.ACTIVE)
SIGNED_BY_BOTH = (VersionState.IN_FORCE, VersionState.SUPERSEDED)
MAX_TYPED_NAME = 200


class MissingClauses(DomainError):
    """Offering an incomplete contract: the error names every missing clause."""

    code = "missing_clauses"

    def __init__(self, missing: list[schema.Clause]):
        self.missing = missing
        super().__init__(
            _("The contract cannot be offered until every mandatory clause is filled. Missing: %(names)s.",
              names=schema.missing_names(missing)),
            fields={clause.key: _("Missing: %(name)s", name=str(clause.name)) for clause in missing},
        )


# --- reading --------------------------------------------------------------------------------------

def _check_staff(actor: User, brand: Brand) -> None:
    if not can_manage_mandates(actor, brand):
        raise Forbidden(_("Only the brand's staff can manage its mandates."))


def _link(mandate: Mandate, suffix: str = "") -> str:
    return f"/b/{mandate.brand.slug}/mandates/{mandate.id}{suffix}"


def mandates_of_brand(brand: Brand, state: MandateState | None = None):
    """The query of a brand's mandates, newest first, with their ambassadors."""
    query = (select(Mandate).where(Mandate.brand_id == brand.id)
             .options(selectinload(Mandate.ambassador), selectinload(Mandate.version_in_force))
             .order_by(Mandate.id.desc()))
    if state is not None:
        query = query.where(Mandate.state == state)
    return query


def mandates_of_user(user: User, brand: Brand | None = None) -> list[Mandate]:
    """The mandates offered to or held by a person (at one brand or everywhere), newest first."""
    query = (select(Mandate).where(Mandate.ambassador_id == user.id)
             .options(selectinload(Mandate.brand), selectinload(Mandate.versions))
             .order_by(Mandate.id.desc()))
    if brand is not None:
        query = query.where(Mandate.brand_id == brand.id)
    # Drafts stay between the brand's staff until they are offered.
    return [m for m in db.session.scalars(query) if m.state is not MandateState.DRAFT or m.version_in_force_id]


def clauses_of(version: MandateVersion) -> dict:
    """The clauses stored in a version."""
    return schema.loads(version.clauses_json)


def draft_version(mandate: Mandate) -> MandateVersion | None:
    """The version being drafted (the first one, or an amendment), if any."""
    drafts = [v for v in mandate.versions if v.state is VersionState.DRAFT]
    return drafts[-1] if drafts else None


def waiting_version(mandate: Mandate) -> MandateVersion | None:
    """The version offered for signature or waiting for the countersignature, if any."""
    waiting = [v for v in mandate.versions if v.state in WAITING_STATES]
    return waiting[-1] if waiting else None


def planned_term(mandate: Mandate) -> tuple[date, date] | None:
    """The first and last day the version waiting for signature sets, while no version is in force yet."""
    version = waiting_version(mandate)
    if mandate.starts_on is not None or version is None:
        return None
    clauses = clauses_of(version)
    try:
        return (date.fromisoformat(schema.value(clauses, "term", "starts_on")),
                date.fromisoformat(schema.value(clauses, "term", "ends_on")))
    except (TypeError, ValueError):  # an offered version always has them; an odd stored row shows none
        return None


def version_by_number(mandate: Mandate, number: int) -> MandateVersion:
    """One version of the mandate, or NotFound."""
    for version in mandate.versions:
        if version.number == number:
            return version
    raise NotFound(_("No such version of this contract."))


def signature_of(version: MandateVersion, party: SigningParty) -> Signature | None:
    """A party's signature on a version, if given."""
    return next((s for s in version.signatures if s.party is party), None)


def is_amendment(version: MandateVersion) -> bool:
    """A version drafted while an earlier one is (or was) in force."""
    return any(v.number < version.number and v.state in SIGNED_BY_BOTH for v in version.mandate.versions)


def preview(mandate: Mandate, version: MandateVersion, clauses: dict | None = None, language: str | None = None,
            today: date | None = None) -> str:
    """The text a version has (offered) or would have if offered today (a draft, possibly incomplete)."""
    if version.text is not None and clauses is None and language is None:
        return version.text
    if version.text_sha256 is not None and clauses is None and language is None:
        # An offered text erased at the end of its retention (or a declined offer's): only its fingerprint stays.
        return _("The text of this version was erased with its personal data (retention period over, or an offer "
                 "that never became a contract); its fingerprint stays.")
    return contract_text.render(clauses if clauses is not None else clauses_of(version),
                                language or version.language, mandate_id=mandate.id,
                                version_number=version.number, as_of=today or utcnow().date())


def checklist(version: MandateVersion, today: date | None = None) -> list[tuple[schema.Clause, list[str]]]:
    """Every clause this contract needs, with the fields still missing (empty when complete)."""
    clauses = clauses_of(version)
    return [(clause, schema.missing_fields(clause, clauses)) for clause in schema.applicable_clauses(clauses, today)]


# --- starting -------------------------------------------------------------------------------------

def _open_mandate_for(brand: Brand, ambassador: User | None, email: str | None) -> Mandate | None:
    conditions = []
    if ambassador is not None:
        conditions.append(Mandate.ambassador_id == ambassador.id)
    if email:
        conditions.append(Mandate.invited_email == email)
    return db.session.scalar(select(Mandate).where(
        Mandate.brand_id == brand.id, Mandate.state.in_(OPEN_STATES), or_(*conditions)).limit(1))


def _office_code_of_conduct(brand: Brand) -> str | None:
    """The brand's own charter text for the ambassador office's obligations, if it wrote one."""
    return charter.office_of(brand, OfficeKind.AMBASSADOR).obligations


def start_mandate(brand: Brand, actor: User, *, ambassador: User | None = None, invited_email: str | None = None,
                  public_name: str | None = None, now: datetime | None = None) -> Mandate:
    """Staff start a draft mandate for someone with an account, or for an e-mail address they invite."""
    if not can_manage_mandates(actor, brand):
        raise Forbidden(_("Only the brand's staff can start a mandate."))
    if (ambassador is None) == (invited_email is None):
        raise ValidationFailed(_("Choose the future ambassador: an account or an e-mail address."),
                               field="ambassador")
    if ambassador is not None and ambassador.deleted_at is not None:
        raise NotFound(_("No such account."), field="ambassador")
    email = normalize_email(invited_email, field="invited_email") if invited_email is not None else None
    now = now or utcnow()
    name = (public_name or (ambassador.display_name if ambassador else "")).strip()
    if not name or len(name) > 120:
        raise ValidationFailed(_("Give the name the public registry will show (at most 120 characters)."),
                               field="public_name")
    if _open_mandate_for(brand, ambassador, email) is not None:
        raise DomainError(_("This person already has a mandate in progress at this brand."),
                          field="email" if email else "ambassador")
    mandate = Mandate(brand_id=brand.id, ambassador_id=ambassador.id if ambassador else None,
                      invited_email=email, public_name=name, state=MandateState.DRAFT, created_by_id=actor.id,
                      created_at=now)
    db.session.add(mandate)
    db.session.flush()
    language = ambassador.locale if ambassador is not None and ambassador.locale in schema.LANGUAGES else "en"
    defaults = schema.default_clauses(brand, language, ambassador_email=ambassador.email if ambassador else email,
                                      code_of_conduct=_office_code_of_conduct(brand))
    db.session.add(MandateVersion(mandate_id=mandate.id, number=1, created_at=now, language=language,
                                  clauses_json=schema.dumps(defaults)))
    db.session.flush()
    audit.record("mandate.drafted", actor=actor, brand=brand, subject=mandate,
                 payload={"invited": email is not None})
    if email is not None:
        _mail_invitation(mandate, email)
    return mandate


def start_mandate_for_email(brand: Brand, actor: User, email: str, public_name: str | None = None,
                            now: datetime | None = None) -> Mandate:
    """Start a mandate for the account with this verified address, or invite the address to sign up."""
    email = normalize_email(email, field="email")
    person = user_by_email(email)
    if person is not None and person.is_email_verified:
        return start_mandate(brand, actor, ambassador=person, public_name=public_name, now=now)
    # No account yet, or one whose address is unconfirmed: the mandate joins it once confirmed.
    if not (public_name or "").strip():
        raise ValidationFailed(_("Give the name the public registry will show for the person you invite."),
                               field="public_name")
    return start_mandate(brand, actor, invited_email=email, public_name=public_name, now=now)


def _mail_invitation(mandate: Mandate, email: str) -> None:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    brand = mandate.brand
    queue_email(
        email,
        _("%(brand)s invites you to become its ambassador", brand=brand.name),
        _("Hello,\n\n%(brand)s is preparing an ambassador mission contract for you on Tribune.\n"
          "Sign up (or sign in) with this e-mail address and confirm it; the contract will wait for you here:\n"
          "%(link)s\n\nNothing is signed until you read the contract and sign it yourself.",
          brand=brand.name, link=f"{base}/b/{brand.slug}/mandates/mine"),
        CONTRACT_KIND,
    )


def claim_invitations(user: User, now: datetime | None = None) -> list[Mandate]:
    """Link the mandates invited at this person's confirmed address to their account."""
    if not user.is_authenticated or not user.is_email_verified or user.deleted_at is not None:
        return []
    found = db.session.scalars(select(Mandate).where(
        Mandate.ambassador_id.is_(None), Mandate.invited_email == user.email.lower(),
        Mandate.state.not_in(ENDED_STATES + (MandateState.DECLINED,)))).all()
    for mandate in found:
        mandate.ambassador_id = user.id
        db.session.flush()
        audit.record("mandate.invitation_claimed", actor=user, brand=mandate.brand, subject=mandate)
    return found


# --- drafting -------------------------------------------------------------------------------------

def update_draft(mandate: Mandate, actor: User, clauses: dict | None = None, *, language: str | None = None,
                 public_name: str | None = None, now: datetime | None = None) -> MandateVersion:
    """Staff edit the draft: each clause given replaces that clause; an offered version never changes."""
    _check_staff(actor, mandate.brand)
    now = now or utcnow()
    version = draft_version(mandate)
    if version is None or mandate.state in ENDED_STATES + (MandateState.DECLINED,):
        raise DomainError(_("There is no draft to edit: an offered or signed contract never changes. Withdraw the "
                            "offer, or start an amendment."))
    if clauses is not None and not isinstance(clauses, dict):
        raise ValidationFailed(_("The clauses must be an object, one member per clause."), field="clauses")
    current = clauses_of(version)
    new_language = schema.validate_language(language) if language is not None else version.language
    merged = {**current, **{key: fields for key, fields in (clauses or {}).items()}}
    merged = {key: fields for key, fields in merged.items() if fields is not None}
    cleaned = schema.clean_clauses(schema.switch_language(merged, version.language, new_language), now.date())
    disclosure.check_contract_label(cleaned, new_language)  # a French contract uses a French label (art. 5)
    if public_name is not None:
        name = public_name.strip()
        if not name or len(name) > 120:
            raise ValidationFailed(_("Give the name the public registry will show (at most 120 characters)."),
                                   field="public_name")
        mandate.public_name = name
    version.clauses_json = schema.dumps(cleaned)
    version.language = new_language
    db.session.flush()
    audit.record("mandate.draft_updated", actor=actor, brand=mandate.brand, subject=mandate,
                 payload={"version": version.number})
    return version


def _check_term(mandate: Mandate, clauses: dict, today: date) -> None:
    starts = date.fromisoformat(schema.value(clauses, "term", "starts_on"))
    ends = date.fromisoformat(schema.value(clauses, "term", "ends_on"))
    if ends < today:
        raise DomainError(_("The last day of the contract is already past."), field="term.ends_on")
    if mandate.version_in_force_id is None:
        if starts < today:
            raise DomainError(_("A contract cannot start before it is offered: choose a first day from today."),
                              field="term.starts_on")
    elif mandate.state is MandateState.ACTIVE and starts != mandate.starts_on:
        raise DomainError(_("The mandate has started on %(date)s: an amendment keeps that first day.",
                            date=mandate.starts_on.isoformat()), field="term.starts_on")


def offer(mandate: Mandate, actor: User, now: datetime | None = None) -> MandateVersion:
    """Freeze the draft's text and fingerprint and offer it for signature (refused while a clause is missing)."""
    _check_staff(actor, mandate.brand)
    now = now or utcnow()
    version = draft_version(mandate)
    if version is None or mandate.state in ENDED_STATES + (MandateState.DECLINED,):
        raise DomainError(_("There is no draft to offer."))
    if waiting_version(mandate) is not None:
        raise DomainError(_("Another version already waits for signature."))
    clauses = clauses_of(version)
    missing = schema.missing_clauses(clauses, now.date())
    if missing:
        raise MissingClauses(missing)
    _check_term(mandate, clauses, now.date())
    disclosure.check_contract_label(clauses, version.language)
    text = contract_text.render(clauses, version.language, mandate_id=mandate.id, version_number=version.number,
                                as_of=now.date())
    version.text = text
    version.text_sha256 = contract_text.fingerprint(text)
    # Frozen with the text: whether the ambassador is under 16 on the day of the offer (L.7124-1).
    version.needs_legal_representative = schema.needs_legal_representative(clauses, now.date())
    version.state = VersionState.OFFERED
    version.offered_at = now
    version.offered_by_id = actor.id
    if mandate.state is MandateState.DRAFT:
        mandate.state = MandateState.OFFERED
    db.session.flush()
    audit.record("mandate.offered", actor=actor, brand=mandate.brand, subject=mandate,
                 payload={"version": version.number, "sha256": version.text_sha256})
    if mandate.ambassador is not None:
        role_changed(mandate.ambassador, mandate.brand)  # an offered mandate ties them (a mediator's conflicts)
    notice = message("%(brand)s offers you an ambassador contract (version %(n)d): read it, then sign or decline.",
                     brand=mandate.brand.name, n=version.number)
    if mandate.ambassador is not None:
        notify(mandate.ambassador, CONTRACT_KIND, notice, link=_link(mandate, "/sign"), brand=mandate.brand)
    elif mandate.invited_email:
        base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
        text = str(notice)  # no account yet: written in the actor's language, as the invitation is
        queue_email(mandate.invited_email, subject_for(mandate.brand.name, text),
                    text + "\n\n" + _("Sign up or sign in with this e-mail address, then open:") +
                    f"\n{base}/b/{mandate.brand.slug}/mandates/mine", CONTRACT_KIND)
    return version


def _copy_as_draft(mandate: Mandate, source: MandateVersion, now: datetime) -> MandateVersion:
    number = max(v.number for v in mandate.versions) + 1
    version = MandateVersion(mandate_id=mandate.id, number=number, state=VersionState.DRAFT,
                             language=source.language, clauses_json=source.clauses_json, created_at=now)
    db.session.add(version)
    db.session.flush()
    db.session.refresh(mandate, ["versions"])
    return version


def withdraw_offer(mandate: Mandate, actor: User, now: datetime | None = None) -> MandateVersion:
    """The brand takes back an offer not yet signed; its clauses come back as a new draft to edit."""
    _check_staff(actor, mandate.brand)
    now = now or utcnow()
    version = waiting_version(mandate)
    if version is None or version.state is not VersionState.OFFERED:
        raise DomainError(_("Only an offer the ambassador has not signed yet can be withdrawn."))
    version.state = VersionState.WITHDRAWN
    if mandate.state is MandateState.OFFERED:
        mandate.state = MandateState.DRAFT
    draft = _copy_as_draft(mandate, version, now)
    audit.record("mandate.offer_withdrawn", actor=actor, brand=mandate.brand, subject=mandate,
                 payload={"version": version.number})
    if mandate.ambassador is not None:
        notify(mandate.ambassador, CONTRACT_KIND,
               message("%(brand)s withdrew the contract it offered you (version %(n)d).", brand=mandate.brand.name,
                       n=version.number), link=_link(mandate), brand=mandate.brand)
    return draft


# --- signing --------------------------------------------------------------------------------------

def name_key(name: str | None) -> str:
    """How typed names are compared: same letters and accents, any case, any spacing."""
    return " ".join(unicodedata.normalize("NFC", name or "").split()).casefold()


def _typed(typed_name: str | None) -> str:
    typed = " ".join((typed_name or "").split())
    if not typed:
        raise ValidationFailed(_("Type your full name to sign."), field="typed_name")
    if len(typed) > MAX_TYPED_NAME:
        raise ValidationFailed(_("At most %(n)d characters.", n=MAX_TYPED_NAME), field="typed_name")
    return typed


def _typed_as(typed_name: str | None, legal_name: str | None, refusal: str) -> str:
    """The typed signature, refused unless it is the signer's own legal name (the one rule for both parties)."""
    typed = _typed(typed_name)
    if not legal_name or name_key(typed) != name_key(legal_name):
        raise ValidationFailed(refusal, field="typed_name")
    return typed


def signatory_legal_name(user: User, brand: Brand) -> str | None:
    """The legal name a staff member recorded at this brand, which their countersignature must type."""
    role = permissions.staff_role(user, brand)
    return role.legal_name if role is not None else None


def _check_seen(version: MandateVersion, version_number: int | None, text_sha256: str | None) -> None:
    """The signer signs the very version they read, not one that replaced it meanwhile."""
    if version_number is not None and version_number != version.number:
        raise DomainError(_("The contract you read is no longer the one waiting for signature: read version %(n)d.",
                            n=version.number), field="version")
    if text_sha256 is not None and text_sha256.strip().lower() != version.text_sha256:
        raise DomainError(_("The text you read is not the one waiting for signature: read it again."),
                          field="text_sha256")


def _signature(version: MandateVersion, party: SigningParty, user: User, typed: str, now: datetime,
               ip_address: str | None, user_agent: str | None) -> Signature:
    signature = Signature(version_id=version.id, party=party, user_id=user.id, typed_name=typed,
                          text_sha256=version.text_sha256, signed_at=now, ip_address=(ip_address or "unknown")[:64],
                          user_agent=(user_agent or "")[:500])
    db.session.add(signature)
    db.session.flush()
    db.session.refresh(version, ["signatures"])
    return signature


def _signatories(brand: Brand, except_user_id: int | None) -> list[User]:
    return db.session.scalars(
        select(User).join(StaffRole, StaffRole.user_id == User.id)
        .where(StaffRole.brand_id == brand.id, StaffRole.can_sign.is_(True), User.deleted_at.is_(None),
               User.id != (except_user_id or 0))
        .order_by(User.id)
    ).all()


def sign(mandate: Mandate, user: User, typed_name: str | None, *, accept: bool, ip_address: str | None,
         user_agent: str | None, version_number: int | None = None, text_sha256: str | None = None,
         now: datetime | None = None) -> Signature:
    """The ambassador signs the offered text by typing their legal name and accepting it."""
    now = now or utcnow()
    if not is_ambassador_of(user, mandate):
        raise Forbidden(_("Only the ambassador named in this contract can sign it."))
    version = waiting_version(mandate)
    if version is None or version.state is not VersionState.OFFERED:
        raise DomainError(_("No contract waits for your signature."))
    _check_seen(version, version_number, text_sha256)
    if accept is not True:
        raise ValidationFailed(_("Tick the box to accept the contract."), field="accept")
    legal_name = schema.value(clauses_of(version), "ambassador_party", "legal_name", "")
    typed = _typed_as(typed_name, legal_name,
                      _("Type your full legal name exactly as the contract writes it: %(name)s.", name=legal_name))
    signature = _signature(version, SigningParty.AMBASSADOR, user, typed, now, ip_address, user_agent)
    version.state = VersionState.SIGNED
    if mandate.state is MandateState.OFFERED:
        mandate.state = MandateState.SIGNED
    db.session.flush()
    audit.record("mandate.signed", actor=user, brand=mandate.brand, subject=mandate,
                 payload={"version": version.number, "sha256": version.text_sha256, "party": "ambassador"})
    if version.needs_legal_representative:
        _ask_legal_representative(mandate, version)
    else:
        _ask_countersignature(mandate, version)
    return signature


def _ask_countersignature(mandate: Mandate, version: MandateVersion) -> None:
    for signatory in _signatories(mandate.brand, mandate.ambassador_id):
        notify(signatory, CONTRACT_KIND,
               message("%(name)s signed the ambassador contract (version %(n)d): it waits for your countersignature.",
                       name=mandate.public_name, n=version.number), link=_link(mandate), brand=mandate.brand)


def legal_representative_email(version: MandateVersion) -> str:
    """The e-mail address of the account the legal representative signs with ("" when none)."""
    return schema.value(clauses_of(version), "legal_representative", "email", "")


def is_legal_representative_of(user: User, version: MandateVersion) -> bool:
    """Whether this account is the legal representative the version names: their own, confirmed address."""
    email = legal_representative_email(version)
    return bool(email) and user.is_authenticated and user.deleted_at is None and user.is_email_verified \
        and (user.email or "").lower() == email and user.id != version.mandate.ambassador_id


def _ask_legal_representative(mandate: Mandate, version: MandateVersion) -> None:
    email = legal_representative_email(version)
    notice = message("%(name)s, under 16, signed the ambassador contract of %(brand)s (version %(n)d): as their legal "
                     "representative, read it and sign it too.", name=mandate.public_name, brand=mandate.brand.name,
                     n=version.number)
    person = user_by_email(email)
    if person is not None and person.is_email_verified and person.deleted_at is None:
        notify(person, CONTRACT_KIND, notice, link=_link(mandate, "/represent"), brand=mandate.brand)
    else:
        base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
        text = str(notice)  # no account yet: written in the actor's language
        queue_email(email, subject_for(mandate.brand.name, text),
                    text + "\n\n" + _("Sign up or sign in with this e-mail address, then open:")
                    + f"\n{base}{_link(mandate, '/represent')}",
                    CONTRACT_KIND)


def sign_as_legal_representative(mandate: Mandate, user: User, typed_name: str | None, *, accept: bool,
                                 ip_address: str | None, user_agent: str | None, version_number: int | None = None,
                                 text_sha256: str | None = None, now: datetime | None = None) -> Signature:
    """The legal representative of an ambassador under 16 signs, with their own account, after the minor."""
    now = now or utcnow()
    version = waiting_version(mandate)
    if version is None or not version.needs_legal_representative:
        raise DomainError(_("No contract waits for a legal representative's signature."))
    if not is_legal_representative_of(user, version):
        raise Forbidden(_("Only the legal representative named in this contract, with the account of the e-mail "
                          "address it gives, can sign it as such."))
    if signature_of(version, SigningParty.LEGAL_REPRESENTATIVE) is not None:
        raise DomainError(_("The legal representative has already signed this contract."))
    if version.state is not VersionState.SIGNED:
        raise DomainError(_("The ambassador signs first: the legal representative signs after them."))
    _check_seen(version, version_number, text_sha256)
    if accept is not True:
        raise ValidationFailed(_("Tick the box to accept the contract."), field="accept")
    legal_name = schema.value(clauses_of(version), "legal_representative", "name", "")
    typed = _typed_as(typed_name, legal_name,
                      _("Type your full name exactly as the contract writes it: %(name)s.", name=legal_name))
    signature = _signature(version, SigningParty.LEGAL_REPRESENTATIVE, user, typed, now, ip_address, user_agent)
    audit.record("mandate.signed_by_legal_representative", actor=user, brand=mandate.brand, subject=mandate,
                 payload={"version": version.number, "sha256": version.text_sha256, "party": "legal_representative"})
    _ask_countersignature(mandate, version)
    return signature


def decline(mandate: Mandate, user: User, reason: str | None, now: datetime | None = None) -> MandateVersion:
    """The ambassador declines the offered version, with a reason; a declined amendment changes nothing."""
    now = now or utcnow()
    if not is_ambassador_of(user, mandate):
        raise Forbidden(_("Only the ambassador named in this contract can decline it."))
    version = waiting_version(mandate)
    if version is None or version.state is not VersionState.OFFERED:
        raise DomainError(_("No contract waits for your answer."))
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ValidationFailed(_("Give your reason (at most %(n)d characters).", n=MAX_REASON), field="reason")
    version.state = VersionState.DECLINED
    version.declined_at = now
    version.decline_reason = reason
    amendment = mandate.version_in_force_id is not None
    if not amendment:
        mandate.state = MandateState.DECLINED
    db.session.flush()
    audit.record("mandate.declined", actor=user, brand=mandate.brand, subject=mandate,
                 payload={"version": version.number, "amendment": amendment})
    recipients = [u for u in (db.session.get(User, version.offered_by_id) if version.offered_by_id else None,)
                  if u is not None and u.deleted_at is None]
    for person in recipients:
        notify(person, CONTRACT_KIND,
               message("%(name)s declined version %(n)d of the ambassador contract.", name=mandate.public_name,
                       n=version.number), link=_link(mandate), brand=mandate.brand)
    return version


def countersign(mandate: Mandate, actor: User, typed_name: str | None, *, ip_address: str | None,
                user_agent: str | None, version_number: int | None = None, text_sha256: str | None = None,
                now: datetime | None = None) -> Signature:
    """A staff member with signing rights signs in the brand's name: the version comes into force."""
    now = now or utcnow()
    if not can_countersign(actor, mandate.brand):
        raise Forbidden(_("Only staff with signing rights countersign contracts in the brand's name."))
    if is_ambassador_of(actor, mandate):
        raise Forbidden(_("You cannot countersign your own contract: another signatory of the brand must."))
    version = waiting_version(mandate)
    if version is None or version.state is not VersionState.SIGNED:
        raise DomainError(_("No contract signed by the ambassador waits for the brand's countersignature."))
    if version.needs_legal_representative and signature_of(version, SigningParty.LEGAL_REPRESENTATIVE) is None:
        raise DomainError(_("The ambassador is under 16: the contract comes into force only once their legal "
                            "representative has signed it too."))
    _check_seen(version, version_number, text_sha256)
    legal_name = signatory_legal_name(actor, mandate.brand)
    if not legal_name:
        raise DomainError(_("Record your full legal name on the brand's team page first: your countersignature "
                            "must type it."), field="typed_name")
    typed = _typed_as(typed_name, legal_name,
                      _("Type your own full legal name, as recorded on the team page: %(name)s.", name=legal_name))
    signature = _signature(version, SigningParty.BRAND, actor, typed, now, ip_address, user_agent)
    previous = mandate.version_in_force
    _put_in_force(mandate, version, now)
    audit.record("mandate.countersigned", actor=actor, brand=mandate.brand, subject=mandate, public=True,
                 payload={"version": version.number, "sha256": version.text_sha256,
                          "replaces": previous.number if previous else None})
    if mandate.ambassador is not None:
        notify(mandate.ambassador, CONTRACT_KIND,
               message("%(brand)s countersigned your ambassador contract (version %(n)d): it is in force.",
                       brand=mandate.brand.name, n=version.number),
               link=_link(mandate, "/contract"), brand=mandate.brand)
    ending.advance(mandate, now, actor=actor)
    return signature


def _put_in_force(mandate: Mandate, version: MandateVersion, now: datetime) -> None:
    previous = mandate.version_in_force
    if previous is not None and previous.id != version.id:
        previous.state = VersionState.SUPERSEDED
    version.state = VersionState.IN_FORCE
    version.in_force_at = now
    mandate.version_in_force = version
    mandate.version_in_force_id = version.id
    clauses = clauses_of(version)
    mandate.starts_on = date.fromisoformat(schema.value(clauses, "term", "starts_on"))
    mandate.ends_on = date.fromisoformat(schema.value(clauses, "term", "ends_on"))
    if mandate.state is MandateState.SIGNED:
        mandate.state = MandateState.SCHEDULED
    if mandate.holding is not None and mandate.holding.ended_at is None:
        # An amendment may move the last day: the charter shows the new end of term.
        mandate.holding.term_ends_at = ending.term_end_moment(mandate.ends_on)
    db.session.flush()


# --- amending -------------------------------------------------------------------------------------

def amend(mandate: Mandate, actor: User, now: datetime | None = None) -> MandateVersion:
    """Start an amendment: a new draft copied from the version in force, which stays in force meanwhile."""
    _check_staff(actor, mandate.brand)
    now = now or utcnow()
    if mandate.state not in RUNNING_STATES or mandate.version_in_force is None:
        raise DomainError(_("Only a signed mandate that has not ended can be amended."))
    if mandate.end_effective_on is not None:
        raise DomainError(_("This mandate ends on %(date)s: it can no longer be amended.",
                            date=mandate.end_effective_on.isoformat()))
    if draft_version(mandate) is not None or waiting_version(mandate) is not None:
        raise DomainError(_("An amendment is already in preparation or waiting for signature."))
    version = _copy_as_draft(mandate, mandate.version_in_force, now)
    audit.record("mandate.amendment_drafted", actor=actor, brand=mandate.brand, subject=mandate,
                 payload={"version": version.number})
    return version


def discard_amendment(mandate: Mandate, actor: User) -> None:
    """Drop an amendment draft that was never offered (the version in force is untouched)."""
    _check_staff(actor, mandate.brand)
    version = draft_version(mandate)
    if version is None or mandate.version_in_force_id is None:
        raise DomainError(_("There is no amendment draft to discard."))
    number = version.number
    db.session.delete(version)
    db.session.flush()
    db.session.refresh(mandate, ["versions"])
    audit.record("mandate.amendment_discarded", actor=actor, brand=mandate.brand, subject=mandate,
                 payload={"version": number})


def count_waiting_countersignature(brand: Brand) -> int:
    """How many signed contracts wait for the brand's countersignature (for the staff's to-do lists)."""
    return db.session.scalar(
        select(func.count(MandateVersion.id)).join(Mandate, MandateVersion.mandate_id == Mandate.id)
        .where(Mandate.brand_id == brand.id, MandateVersion.state == VersionState.SIGNED,
               # A minor's contract waits for their legal representative before the brand.
               or_(MandateVersion.needs_legal_representative.is_(False),
                   select(Signature.id).where(Signature.version_id == MandateVersion.id,
                                              Signature.party == SigningParty.LEGAL_REPRESENTATIVE).exists()))) or 0
