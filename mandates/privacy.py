"""Personal data in mandates: the contracts and signatures a person's export holds, erasure, retention.

GDPR art. 15/20: the export holds every contract version offered to the person with its clauses (identity,
birth date, addresses) and every signature they gave (typed name, moment, IP address, user agent).
Art. 17: an offer that never became a contract (draft, declined, withdrawn) loses its text and clauses; a running
mandate ends when its ambassador deletes the account (the brand is told); the registry shows the pseudonym.
Art. 17(3)(e): a signed contract and its signatures are kept, with the legal name in the text, for the
limitation period of contract claims (5 years after the mandate ended, Code civil art. 2224); then the retention
purge erases their text, clauses and the signatures' typed names, IP addresses and browsers (the fingerprints, the
moments and the audit trail stay).
"""
from __future__ import annotations

import json
from datetime import datetime

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import or_, select

from extensions import db
from institutions import audit
from institutions.clock import utcnow
from institutions.features import RecordKind
from institutions.models import User
from institutions.notifications import notify_staff
from institutions.messages import message
from mandates import ending
from mandates.models import RUNNING_STATES, WAITING_STATES, Mandate, MandateState, MandateVersion, Signature, \
    VersionState
from mandates.notices import CONTRACT_KIND

# Versions that never became a contract: their personal data can go (the database allows exactly this).
ERASABLE = (VersionState.DRAFT, VersionState.DECLINED, VersionState.WITHDRAWN)
ERASED_CLAUSES = "{}"


def _iso(moment):
    return moment.isoformat() if moment else None


def _signature(signature: Signature, own: bool) -> dict:
    shown = {"party": signature.party.value, "typed_name": signature.typed_name, "signed_at": _iso(signature.signed_at),
             "text_sha256": signature.text_sha256}
    if own:  # the other party's IP address and browser are their personal data, not this person's
        shown.update(ip_address=signature.ip_address, user_agent=signature.user_agent)
    return shown


def export_contracts(user: User) -> list[dict]:
    """Every mandate offered to this person, each version with its clauses, text and signatures."""
    mandates = db.session.scalars(select(Mandate).where(Mandate.ambassador_id == user.id).order_by(Mandate.id)).all()
    return [{
        "mandate": m.id, "brand": m.brand.slug, "state": m.state.value, "public_name": m.public_name,
        "starts_on": _iso(m.starts_on), "ends_on": _iso(m.ends_on), "ended_at": _iso(m.ended_at),
        "end_reason": m.end_reason,
        "versions": [{
            "number": v.number, "state": v.state.value, "language": v.language,
            "clauses": json.loads(v.clauses_json or "{}"), "text": v.text, "text_sha256": v.text_sha256,
            "offered_at": _iso(v.offered_at), "declined_at": _iso(v.declined_at), "decline_reason": v.decline_reason,
            "in_force_at": _iso(v.in_force_at),
            "signatures": [_signature(s, s.user_id == user.id) for s in v.signatures],
        } for v in m.versions],
    } for m in mandates]


def export_signatures(user: User) -> list[dict]:
    """Every signature this person gave (as ambassador or as the brand's signatory), with IP address and browser."""
    rows = db.session.scalars(select(Signature).where(Signature.user_id == user.id).order_by(Signature.id)).all()
    return [{"mandate": s.version.mandate_id, "version": s.version.number, **_signature(s, True)} for s in rows]


def _erase_version(version: MandateVersion) -> None:
    version.text = None
    version.clauses_json = ERASED_CLAUSES


def _end_on_deletion(mandate: Mandate, user: User, now: datetime) -> None:
    """The ambassador left the platform: the mandate ends today as a resignation, and the brand is told."""
    name = mandate.public_name
    mandate.end_requested_at = now
    mandate.end_requested_by_id = user.id
    mandate.end_effective_on = now.date()
    mandate.end_reason = mandate.end_reason or "account deleted"
    ending.advance(mandate, now, user)
    notify_staff(mandate.brand, CONTRACT_KIND,
                 message("%(name)s deleted their account: their mandate as ambassador has ended.", name=name),
                 link=f"/b/{mandate.brand.slug}/mandates/{mandate.id}")


def erase_contracts(user: User) -> None:
    """Erasing an account: running mandates end, offers not signed lose their data, the registry shows the pseudonym."""
    now = utcnow()
    mandates = db.session.scalars(select(Mandate).where(Mandate.ambassador_id == user.id).order_by(Mandate.id)).all()
    for mandate in mandates:
        if mandate.state in RUNNING_STATES:
            _end_on_deletion(mandate, user, now)
        elif mandate.state in (MandateState.DRAFT, MandateState.OFFERED, MandateState.SIGNED):
            # Nobody is left to sign or be countersigned: the first offer lapses as declined.
            mandate.state = MandateState.DECLINED
            mandate.ended_at = now
            if mandate.holding is not None and mandate.holding.ended_at is None:
                mandate.holding.holder_name = user.pseudonym
        for version in mandate.versions:
            if version.state in WAITING_STATES:
                version.state = VersionState.WITHDRAWN
                db.session.flush()  # the database lets a version be erased once it is withdrawn, not in one step
            if version.state in ERASABLE:
                _erase_version(version)
        mandate.public_name = user.pseudonym
        mandate.invited_email = None
        db.session.flush()
        audit.record("mandate.personal_data_erased", actor=user, brand=mandate.brand, subject=mandate)


def purge_offers(cutoff: datetime) -> list[str]:
    """Erase the text and clauses of offers declined or withdrawn before the cutoff."""
    versions = db.session.scalars(select(MandateVersion).where(
        MandateVersion.state.in_((VersionState.DECLINED, VersionState.WITHDRAWN)),
        MandateVersion.clauses_json != ERASED_CLAUSES,
        or_(MandateVersion.declined_at < cutoff,
            MandateVersion.declined_at.is_(None) & (MandateVersion.created_at < cutoff)))).all()
    for version in versions:
        _erase_version(version)
    db.session.flush()
    return [f"{len(versions)} declined or withdrawn contract offers erased"] if versions else []


# A blanked signature: who signed (the party), when and what fingerprint stay; the person's traces go.
ERASED_SIGNATURE = {"typed_name": "", "ip_address": "", "user_agent": ""}


def purge_signed_contracts(cutoff: datetime) -> list[str]:
    """Erase the personal data of the contracts of mandates that ended before the cutoff (the retention is over)."""
    mandates = db.session.scalars(select(Mandate).where(Mandate.ended_at.is_not(None), Mandate.ended_at < cutoff,
                                                        Mandate.versions.any(MandateVersion.text.is_not(None)))).all()
    for mandate in mandates:
        for version in mandate.versions:
            for signature in version.signatures:
                for column, value in ERASED_SIGNATURE.items():
                    setattr(signature, column, value)
            db.session.flush()
            _erase_version(version)
        db.session.flush()
        audit.record("mandate.retention_ended", brand=mandate.brand, subject=mandate,
                     payload={"ended_at": mandate.ended_at.isoformat()})
    return [f"{len(mandates)} ended mandates' signed contracts erased"] if mandates else []


RECORD_KINDS = (
    RecordKind(
        "contract_offers",
        purpose=_l("Offering you a mission contract (identity, birth date, addresses, clauses)."),
        recipients=_l("You and the brand's staff."),
        retention=_l("A draft, declined or withdrawn offer is erased when you delete your account, and one year "
                     "after it was declined or withdrawn."),
        retention_days=365, purge=purge_offers),
    RecordKind(
        "signed_contracts",
        purpose=_l("Proving the contract and its signatures (typed name, time, IP address, browser) "
                   "(loi 2023-451 art. 8)."),
        recipients=_l("You and the brand's staff; the public registry shows only the public name and dates."),
        retention=_l("Kept after account deletion, on the legal basis of GDPR art. 17(3)(e) (establishing or "
                     "defending legal claims), for 5 years after the mandate ended (Code civil art. 2224); then the "
                     "text, the clauses and the signatures' names, IP addresses and browsers are erased (the "
                     "fingerprints and dates stay)."),
        retention_days=5 * 365 + 2, purge=purge_signed_contracts),
)
