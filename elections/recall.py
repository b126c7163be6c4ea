"""Recall: members petition; reaching the charter's threshold in its window obliges a recall vote."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from institutions.charter import sitting_president
from elections.models import (
    Election,
    ElectionKind,
    ElectionState,
    RecallPetition,
    RecallSignature,
    VotingMethod,
)
from extensions import db
from institutions import audit, charter, permissions
from institutions.clock import utcnow
from institutions.community import count_members
from institutions.errors import DomainError, Forbidden, ValidationFailed
from institutions.lookup import get_in_brand
from institutions.models import Brand, MembershipStatus, OfficeKind, User
from institutions.notifications import notify_staff
from institutions.messages import message, moment

RECALL_VOTE_STARTS_AFTER = timedelta(days=7)
RECALL_VOTE_LASTS = timedelta(days=7)


def _eligible_signatory(user: User, brand: Brand) -> None:
    if permissions.is_brand_staff(user, brand):
        raise Forbidden(_("Brand staff cannot sign a recall petition."))
    if not permissions.is_verified_member(user, brand):
        raise Forbidden(_("Only verified members can sign a recall petition."))


def _verified_members(brand: Brand) -> int:
    return count_members(brand, MembershipStatus.VERIFIED)


def open_petition(brand: Brand, actor: User, reason: str, now: datetime | None = None) -> RecallPetition:
    """A verified member starts a petition to recall the sitting president (and signs it)."""
    now = now or utcnow()
    _eligible_signatory(actor, brand)
    reason = (reason or "").strip()
    if not reason or len(reason) > 2000:
        raise ValidationFailed(_("Say why the president should be recalled (at most 2000 characters)."),
                               field="reason")
    holding = sitting_president(brand)
    if holding is None:
        raise DomainError(_("There is no sitting president to recall."))
    if current_petition(brand, now) is not None:
        raise DomainError(_("A recall petition is already open: sign it instead."))
    if pending_recall_vote(brand) is not None:
        raise DomainError(_("A recall vote is already scheduled: its result decides."))
    office = charter.office_of(brand, OfficeKind.PRESIDENT)
    eligible = _verified_members(brand)
    percent = office.recall_threshold_percent or charter.DEFAULT_RECALL_THRESHOLD_PERCENT
    days = office.recall_window_days or charter.DEFAULT_RECALL_WINDOW_DAYS
    petition = RecallPetition(
        brand_id=brand.id, holding_id=holding.id, opened_by_id=actor.id, reason=reason, opened_at=now,
        closes_at=now + timedelta(days=days), eligible_count=eligible,
        threshold=max(1, -(-eligible * percent // 100)),
    )
    db.session.add(petition)
    db.session.flush()
    audit.record("recall.petition_opened", actor=actor, brand=brand, subject=petition, public=True,
                 payload={"threshold": petition.threshold, "closes_at": petition.closes_at.isoformat()})
    sign(petition, actor, now)
    return petition


def current_petition(brand: Brand, now: datetime | None = None) -> RecallPetition | None:
    """The open petition of the brand, if any (open: in its window and not yet successful)."""
    now = now or utcnow()
    return db.session.scalar(
        select(RecallPetition).where(RecallPetition.brand_id == brand.id, RecallPetition.closes_at > now,
                                     RecallPetition.succeeded_at.is_(None))
    )


def pending_recall_vote(brand: Brand) -> Election | None:
    """The recall vote a successful petition obliged, until it is certified (or cancelled)."""
    return db.session.scalar(
        select(Election).where(Election.brand_id == brand.id, Election.kind == ElectionKind.RECALL,
                               Election.state.not_in([ElectionState.CERTIFIED, ElectionState.CANCELLED]))
        .order_by(Election.id.desc()).limit(1)
    )


def petition_on_show(brand: Brand, now: datetime | None = None) -> RecallPetition | None:
    """The petition the recall page shows: the open one, else the one whose recall vote is pending."""
    petition = current_petition(brand, now)
    if petition is not None:
        return petition
    vote = pending_recall_vote(brand)
    if vote is None:
        return None
    return db.session.scalar(select(RecallPetition).where(RecallPetition.recall_election_id == vote.id))


def signature_count(petition: RecallPetition) -> int:
    """How many members signed."""
    return db.session.scalar(
        select(func.count()).select_from(RecallSignature).where(RecallSignature.petition_id == petition.id)
    ) or 0


def has_signed(petition: RecallPetition, user: User) -> bool:
    """Whether this person signed the petition."""
    return db.session.scalar(
        select(RecallSignature.id).where(RecallSignature.petition_id == petition.id, RecallSignature.user_id == user.id)
    ) is not None


def sign(petition: RecallPetition, actor: User, now: datetime | None = None) -> RecallSignature:
    """A verified member signs once, within the window; the threshold triggers the recall vote."""
    now = now or utcnow()
    _eligible_signatory(actor, petition.brand)
    if petition.succeeded_at is not None:
        raise DomainError(_("This petition has already reached its threshold: the recall vote is scheduled."))
    if now >= petition.closes_at:
        raise DomainError(_("This petition's window has closed."))
    if has_signed(petition, actor):
        raise DomainError(_("You have already signed this petition."))
    signature = RecallSignature(petition_id=petition.id, user_id=actor.id, signed_at=now)
    db.session.add(signature)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(_("You have already signed this petition."))
    audit.record("recall.signed", actor=actor, brand=petition.brand, subject=petition, public=True)
    if signature_count(petition) >= petition.threshold:
        _oblige_recall_vote(petition, now)
    return signature


def _oblige_recall_vote(petition: RecallPetition, now: datetime) -> Election:
    """The threshold is reached: a yes/no recall vote is scheduled at once; staff cannot refuse it."""
    petition.succeeded_at = now
    brand = petition.brand
    voting_opens = now + RECALL_VOTE_STARTS_AFTER
    election = Election(
        brand_id=brand.id, kind=ElectionKind.RECALL, state=ElectionState.NOMINATIONS,
        title=_("Recall vote on the customer president (%(name)s)", name=petition.holding.holder_name),
        description=petition.reason, method=VotingMethod.PLURALITY,
        nominations_open_at=now, nominations_close_at=now, voting_open_at=voting_opens,
        voting_close_at=voting_opens + RECALL_VOTE_LASTS, endorsements_required=0, term_months=1,
        created_at=now, published_at=now, eligibility_cutoff=now, recall_holding_id=petition.holding_id,
    )
    db.session.add(election)
    db.session.flush()
    petition.recall_election_id = election.id
    audit.record("recall.vote_obliged", brand=brand, subject=election, public=True,
                 payload={"petition": petition.id, "voting_open_at": voting_opens.isoformat()})
    notify_staff(brand, "elections",
                 message("A recall petition reached its threshold: the recall vote opens on %(date)s.",
                         date=moment(voting_opens)),
                 link=f"/b/{brand.slug}/elections/{election.id}")
    return election


def petition_in_brand(brand: Brand, petition_id: int) -> RecallPetition:
    """A petition of this brand, or 404."""
    return get_in_brand(RecallPetition, petition_id, brand, message=_("No such petition."))
