"""An election's life: the draft, the frozen calendar, the states that follow it, cancellation."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from elections import reminders
from elections.models import CandidacyState, Election, ElectionKind, ElectionState, VotingMethod
from extensions import db
from institutions import audit, permissions
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden, ValidationFailed
from institutions.models import Brand, User

MIN_PHASE = timedelta(hours=1)
MAX_DESCRIPTION = 5000


@dataclass
class ElectionDraft:
    """What staff type when they create or edit a draft."""

    title: str
    description: str
    method: str
    nominations_open_at: datetime | None
    nominations_close_at: datetime | None
    voting_open_at: datetime | None
    voting_close_at: datetime | None
    endorsements_required: int | None = 0
    quorum_percent: int | None = None
    term_months: int | None = 24
    # Hours before voting closes when non-voters are reminded, e.g. "72,24"; None: the default, "": none.
    reminder_hours: str | None = None


def _check_staff(actor: User, brand: Brand) -> None:
    if not permissions.is_brand_staff(actor, brand):
        raise Forbidden(_("Only the brand's staff can run its elections."))


def _validated(draft: ElectionDraft, now: datetime) -> dict:
    title = (draft.title or "").strip()
    if not title or len(title) > 200:
        raise ValidationFailed(_("The title must have between 1 and 200 characters."), field="title")
    description = (draft.description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise ValidationFailed(_("The description can have at most %(n)d characters.", n=MAX_DESCRIPTION),
                               field="description")
    try:
        method = VotingMethod(draft.method)
    except ValueError:
        raise ValidationFailed(_("Choose one of the voting methods."), field="method")
    moments = {
        "nominations_open_at": draft.nominations_open_at, "nominations_close_at": draft.nominations_close_at,
        "voting_open_at": draft.voting_open_at, "voting_close_at": draft.voting_close_at,
    }
    for field, moment in moments.items():
        if moment is None:
            raise ValidationFailed(_("This date is required."), field=field)
        if moment.tzinfo is None:
            raise ValidationFailed(_("This date needs a time zone."), field=field)
        if moment <= now:
            raise ValidationFailed(_("This date is in the past."), field=field)
    if moments["nominations_close_at"] < moments["nominations_open_at"] + MIN_PHASE:
        raise ValidationFailed(_("Nominations must close at least an hour after they open."),
                               field="nominations_close_at")
    if moments["voting_open_at"] < moments["nominations_close_at"]:
        raise ValidationFailed(_("Voting cannot open before nominations close."), field="voting_open_at")
    if moments["voting_close_at"] < moments["voting_open_at"] + MIN_PHASE:
        raise ValidationFailed(_("Voting must last at least an hour."), field="voting_close_at")
    endorsements = 0 if draft.endorsements_required is None else draft.endorsements_required
    if not 0 <= endorsements <= 1000:
        raise ValidationFailed(_("Between 0 and 1000 endorsements."), field="endorsements_required")
    if draft.quorum_percent is not None and not 1 <= draft.quorum_percent <= 100:
        raise ValidationFailed(_("A quorum is a share of the roll between 1 and 100 percent."), field="quorum_percent")
    term = 24 if draft.term_months is None else draft.term_months
    if not 1 <= term <= 120:
        raise ValidationFailed(_("The term must be between 1 and 120 months."), field="term_months")
    return {"title": title, "description": description, "method": method, **moments,
            "endorsements_required": endorsements, "quorum_percent": draft.quorum_percent, "term_months": term,
            "reminder_hours": reminders.normalized(draft.reminder_hours)}


def create_draft(brand: Brand, actor: User, draft: ElectionDraft, now: datetime | None = None) -> Election:
    """Staff prepare an election; nothing is public until nominations open."""
    _check_staff(actor, brand)
    fields = _validated(draft, now or utcnow())
    election = Election(brand_id=brand.id, kind=ElectionKind.PRESIDENT, state=ElectionState.DRAFT,
                        created_by_id=actor.id, created_at=now or utcnow(), **fields)
    db.session.add(election)
    db.session.flush()
    audit.record("election.drafted", actor=actor, brand=brand, subject=election)
    return election


def update_draft(election: Election, actor: User, draft: ElectionDraft, now: datetime | None = None) -> Election:
    """Change a draft; once nominations open the calendar and rules are frozen."""
    _check_staff(actor, election.brand)
    if election.state is not ElectionState.DRAFT:
        raise DomainError(_("Only a draft can be edited: this election's calendar and rules are frozen."))
    for key, value in _validated(draft, now or utcnow()).items():
        setattr(election, key, value)
    db.session.flush()
    audit.record("election.draft_updated", actor=actor, brand=election.brand, subject=election)
    return election


def open_nominations(election: Election, actor: User, now: datetime | None = None) -> Election:
    """Announce the election: the calendar freezes; nominations open on the published date (at once if it passed).

    The eligibility cut-off is the published opening of nominations, not the moment staff announce:
    members who join before that date take part (an opening already past when announced opens now).
    """
    now = now or utcnow()
    _check_staff(actor, election.brand)
    if election.state is not ElectionState.DRAFT:
        raise DomainError(_("This election is already announced."))
    if election.nominations_close_at <= now:
        raise DomainError(_("The calendar is in the past: edit the dates first."))
    election.state = ElectionState.NOMINATIONS
    election.published_at = now
    election.eligibility_cutoff = max(election.nominations_open_at, now)
    db.session.flush()
    audit.record("election.nominations_opened", actor=actor, brand=election.brand, subject=election, public=True,
                 payload={"method": election.method.value, "cutoff": election.eligibility_cutoff.isoformat(),
                          "nominations_open_at": election.nominations_open_at.isoformat(),
                          "voting_open_at": election.voting_open_at.isoformat(),
                          "voting_close_at": election.voting_close_at.isoformat()})
    return election


def cancel(election: Election, actor: User, reason: str, now: datetime | None = None) -> Election:
    """Cancel before voting closes, with a public reason; once counted, only certification remains."""
    now = now or utcnow()
    _check_staff(actor, election.brand)
    if election.state is ElectionState.CANCELLED:
        raise DomainError(_("This election is already cancelled."))
    # Once the ballots are in and counted, cancelling would let the brand discard a result it dislikes.
    if election.state in (ElectionState.CLOSED, ElectionState.CERTIFIED) or (
            election.state is ElectionState.VOTING and now >= election.voting_close_at):
        raise DomainError(_("Voting is over and the ballots are counted: the election cannot be cancelled, "
                            "only certified."))
    reason = (reason or "").strip()
    if not reason or len(reason) > 2000:
        raise ValidationFailed(_("Give the public reason (at most 2000 characters)."), field="reason")
    if election.kind is ElectionKind.RECALL:
        raise DomainError(_("A recall vote obliged by the members' petition cannot be cancelled by the brand."))
    election.state = ElectionState.CANCELLED
    election.cancelled_at = now
    election.cancel_reason = reason
    db.session.flush()
    audit.record("election.cancelled", actor=actor, brand=election.brand, subject=election, public=True,
                 payload={"reason": reason})
    return election


def decide_ballot(election: Election) -> None:
    """When nominations close: accepted candidates with enough endorsements are on the ballot."""
    position = 0
    for candidacy in election.candidacies:
        if candidacy.on_ballot is not None:
            continue
        if candidacy.state is not CandidacyState.ACCEPTED:
            candidacy.on_ballot = False
            candidacy.exclusion_reason = {
                CandidacyState.NOMINATED: "not_accepted",
                CandidacyState.DECLINED: "declined",
                CandidacyState.WITHDRAWN: "withdrew",
            }[candidacy.state]
        elif len(candidacy.endorsements) < election.endorsements_required:
            candidacy.on_ballot = False
            candidacy.exclusion_reason = "endorsements"
        else:
            position += 1
            candidacy.on_ballot = True
            candidacy.ballot_position = position
    db.session.flush()


def elections_of(brand: Brand, include_drafts: bool = False) -> list[Election]:
    """The brand's elections, newest first (drafts only for staff)."""
    query = select(Election).where(Election.brand_id == brand.id).order_by(Election.voting_close_at.desc())
    if not include_drafts:
        query = query.where(Election.state != ElectionState.DRAFT)
    return db.session.scalars(query).all()
