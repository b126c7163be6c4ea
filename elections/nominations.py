"""Nominations: standing or nominating, accepting, endorsing, statements, withdrawing."""
from __future__ import annotations

import re
from datetime import datetime

import markdown
import nh3
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from elections.eligibility import is_eligible
from elections.phases import before_voting, nominations_are_open
from elections.models import Candidacy, CandidacyState, Election, ElectionKind, Endorsement
from extensions import db
from institutions import audit, permissions
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden, NotFound, ValidationFailed
from institutions.models import User
from institutions.notifications import notify
from institutions.messages import message

MAX_STATEMENT = 10_000


def refuse_ineligible(user: User, election: Election) -> None:
    """Say why this person may not take part (staff, not a verified member, joined too late)."""
    if permissions.is_brand_staff(user, election.brand):
        raise Forbidden(_("Brand staff never stand, endorse or vote in the brand's elections."))
    membership = permissions.membership_of(user, election.brand)
    if membership is None or not membership.is_verified:
        raise Forbidden(_("Only verified members of the community take part in its elections; your membership "
                          "is not verified."))
    if not is_eligible(user, election):
        raise Forbidden(_("Only members who joined before nominations opened take part in this election."))


def _refuse_closed(election: Election, now: datetime) -> None:
    if election.kind is not ElectionKind.PRESIDENT:
        raise DomainError(_("A recall vote has no candidates."))
    if not nominations_are_open(election, now):
        raise DomainError(_("Nominations are not open: they run from %(start)s to %(end)s (UTC).",
                            start=election.nominations_open_at.strftime("%Y-%m-%d %H:%M"),
                            end=election.nominations_close_at.strftime("%Y-%m-%d %H:%M")))


def nominate(election: Election, actor: User, nominee: User, now: datetime | None = None) -> Candidacy:
    """An eligible member stands, or nominates another eligible member who must then accept."""
    now = now or utcnow()
    _refuse_closed(election, now)
    refuse_ineligible(actor, election)
    if nominee.id != actor.id and not is_eligible(nominee, election):
        raise DomainError(_("This person is not eligible: only verified members who joined before nominations "
                            "opened can stand."), field="nominee")
    existing = db.session.scalar(
        select(Candidacy).where(Candidacy.election_id == election.id, Candidacy.user_id == nominee.id)
    )
    if existing is not None:
        raise DomainError(_("This person is already nominated in this election."), field="nominee")
    self_nomination = nominee.id == actor.id
    candidacy = Candidacy(
        election_id=election.id, user_id=nominee.id, display_name=nominee.display_name, nominated_by_id=actor.id,
        state=CandidacyState.ACCEPTED if self_nomination else CandidacyState.NOMINATED, created_at=now,
        answered_at=now if self_nomination else None,
    )
    db.session.add(candidacy)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(_("This person is already nominated in this election."), field="nominee")
    audit.record("election.nominated", actor=actor, brand=election.brand, subject=candidacy, public=True,
                 payload={"election": election.id, "nominee": nominee.pseudonym, "self": self_nomination})
    if not self_nomination:
        notify(nominee, "elections",
               message("You are nominated as a candidate in \"%(title)s\": accept or decline.", title=election.title),
               link=f"/b/{election.brand.slug}/elections/{election.id}", brand=election.brand)
    return candidacy


def answer_nomination(candidacy: Candidacy, actor: User, accept: bool, now: datetime | None = None) -> Candidacy:
    """The nominee accepts or declines, while nominations are open."""
    now = now or utcnow()
    election = candidacy.election
    if candidacy.user_id != actor.id:
        raise Forbidden(_("Only the nominee can answer this nomination."))
    _refuse_closed(election, now)
    if candidacy.state is not CandidacyState.NOMINATED:
        raise DomainError(_("This nomination has already been answered."))
    candidacy.state = CandidacyState.ACCEPTED if accept else CandidacyState.DECLINED
    candidacy.answered_at = now
    db.session.flush()
    audit.record("election.nomination_accepted" if accept else "election.nomination_declined", actor=actor,
                 brand=election.brand, subject=candidacy, public=True, payload={"election": election.id})
    return candidacy


def endorse(candidacy: Candidacy, actor: User, now: datetime | None = None) -> Endorsement:
    """An eligible member supports a candidacy, once; a candidate cannot endorse themself."""
    now = now or utcnow()
    election = candidacy.election
    _refuse_closed(election, now)
    refuse_ineligible(actor, election)
    if candidacy.state is not CandidacyState.ACCEPTED:
        raise DomainError(_("Only a candidacy the nominee has accepted can be endorsed."))
    if candidacy.user_id == actor.id:
        raise DomainError(_("Candidates cannot endorse themselves."))
    already = db.session.scalar(
        select(Endorsement.id).where(Endorsement.candidacy_id == candidacy.id, Endorsement.user_id == actor.id)
    )
    if already is not None:
        raise DomainError(_("You have already endorsed this candidate."))
    endorsement = Endorsement(candidacy_id=candidacy.id, user_id=actor.id, created_at=now)
    db.session.add(endorsement)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(_("You have already endorsed this candidate."))
    audit.record("election.endorsed", actor=actor, brand=election.brand, subject=candidacy, public=True,
                 payload={"election": election.id})
    return endorsement


def write_statement(candidacy: Candidacy, actor: User, text: str, now: datetime | None = None) -> Candidacy:
    """The candidate publishes (or rewrites) their statement until voting opens."""
    now = now or utcnow()
    if candidacy.user_id != actor.id:
        raise Forbidden(_("Only the candidate can write their statement."))
    if not before_voting(candidacy.election, now) or candidacy.state is not CandidacyState.ACCEPTED:
        raise DomainError(_("The statement can be written by an accepted candidate until voting opens."))
    text = (text or "").strip()
    if len(text) > MAX_STATEMENT:
        raise ValidationFailed(_("At most %(n)d characters.", n=MAX_STATEMENT), field="statement")
    candidacy.statement_markdown = text
    candidacy.statement_rejected_reason = None
    candidacy.statement_rejected_at = None
    db.session.flush()
    audit.record("election.statement_published", actor=actor, brand=candidacy.election.brand, subject=candidacy,
                 public=True)
    return candidacy


def reject_statement(candidacy: Candidacy, actor: User, reason: str, now: datetime | None = None) -> Candidacy:
    """Staff may only take down a statement for a code-of-conduct breach, with a public reason."""
    election = candidacy.election
    if not permissions.is_brand_staff(actor, election.brand):
        raise Forbidden(_("Only the brand's staff can reject a statement."))
    reason = (reason or "").strip()
    if not reason or len(reason) > 1000:
        raise ValidationFailed(_("Say which rule of the code of conduct the statement breaks (at most 1000 "
                                 "characters)."), field="reason")
    if not candidacy.statement_markdown or candidacy.statement_rejected_at is not None:
        raise DomainError(_("There is no published statement to reject."))
    if election.state.value not in ("nominations", "voting"):
        raise DomainError(_("The election is over: its statements are a public record."))
    candidacy.statement_rejected_reason = reason
    candidacy.statement_rejected_at = now or utcnow()
    db.session.flush()
    audit.record("election.statement_rejected", actor=actor, brand=election.brand, subject=candidacy, public=True,
                 payload={"reason": reason})
    if candidacy.user is not None:
        notify(candidacy.user, "elections",
               message("Your statement in \"%(title)s\" was rejected: %(reason)s", title=election.title, reason=reason),
               link=f"/b/{election.brand.slug}/elections/{election.id}", brand=election.brand)
    return candidacy


def withdraw(candidacy: Candidacy, actor: User, now: datetime | None = None) -> Candidacy:
    """A candidate withdraws, until voting opens."""
    now = now or utcnow()
    if candidacy.user_id != actor.id:
        raise Forbidden(_("Only the candidate can withdraw."))
    if not before_voting(candidacy.election, now):
        raise DomainError(_("Candidates can withdraw only until voting opens."))
    if candidacy.state not in (CandidacyState.ACCEPTED, CandidacyState.NOMINATED):
        raise DomainError(_("This candidacy is not standing."))
    candidacy.state = CandidacyState.WITHDRAWN
    candidacy.withdrawn_at = now
    if candidacy.on_ballot:  # withdrawn after nominations closed, before voting opened
        candidacy.on_ballot = False
        candidacy.exclusion_reason = "withdrew"
    db.session.flush()
    audit.record("election.withdrawn", actor=actor, brand=candidacy.election.brand, subject=candidacy, public=True)
    return candidacy


def candidacy_in_election(election: Election, candidacy_id: int) -> Candidacy:
    """A candidacy of this election, or 404."""
    candidacy = db.session.get(Candidacy, candidacy_id)
    if candidacy is None or candidacy.election_id != election.id:
        raise NotFound(_("No such candidate in this election."))
    return candidacy


STATEMENT_HEADING_SHIFT = 3  # statements sit under the candidate's h3: their "# Title" becomes an h4


def _shift_headings(html: str) -> str:
    """Demote <h1>..<h6> so a statement never breaks the page's heading outline."""
    return re.sub(r"<(/?)h([1-6])\b",
                  lambda match: f"<{match.group(1)}h{min(6, int(match.group(2)) + STATEMENT_HEADING_SHIFT)}", html)


def render_statement(text: str) -> Markup:
    """A statement's Markdown as HTML, sanitized (no script, no style, safe links only)."""
    html = markdown.markdown(text or "", extensions=["sane_lists"], output_format="html")
    return Markup(nh3.clean(_shift_headings(html), link_rel="nofollow noopener noreferrer"))


EXCLUSION_REASONS = {
    "not_accepted": _l("The nominee did not accept before nominations closed."),
    "declined": _l("The nominee declined."),
    "withdrew": _l("The candidate withdrew."),
    "endorsements": _l("Not enough endorsements when nominations closed."),
}
