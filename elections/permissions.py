"""Permission questions of elections, asked by route guards and templates alike."""
from __future__ import annotations

from elections import ballot_box, certification, phases
from elections.eligibility import is_eligible
from elections.models import Candidacy, CandidacyState, Election, ElectionKind, ElectionState
from institutions import permissions
from institutions.clock import utcnow


def can_manage_elections(user, brand) -> bool:
    """Staff create, schedule, cancel and certify elections."""
    return permissions.is_brand_staff(user, brand)


def can_view_election(user, election: Election) -> bool:
    """Published elections are public; drafts are the staff's."""
    return election.state is not ElectionState.DRAFT or can_manage_elections(user, election.brand)


def can_nominate(user, election: Election) -> bool:
    """An eligible member, while nominations are open."""
    return (election.kind is ElectionKind.PRESIDENT and phases.nominations_are_open(election)
            and is_eligible(user, election))


def can_answer_nomination(user, candidacy: Candidacy) -> bool:
    """The nominee, while nominations are open and the nomination waits for an answer."""
    return (user.is_authenticated and candidacy.user_id == user.id
            and candidacy.state is CandidacyState.NOMINATED and phases.nominations_are_open(candidacy.election))


def can_endorse(user, candidacy: Candidacy) -> bool:
    """An eligible member other than the candidate, once, while nominations are open."""
    return (candidacy.state is CandidacyState.ACCEPTED and phases.nominations_are_open(candidacy.election)
            and is_eligible(user, candidacy.election) and candidacy.user_id != user.id
            and not any(e.user_id == user.id for e in candidacy.endorsements))


def is_candidate(user, candidacy: Candidacy) -> bool:
    """The person standing in this candidacy."""
    return user.is_authenticated and candidacy.user_id == user.id


def can_edit_statement(user, candidacy: Candidacy) -> bool:
    """The accepted candidate, until voting opens."""
    return (is_candidate(user, candidacy) and candidacy.state is CandidacyState.ACCEPTED
            and phases.before_voting(candidacy.election))


def can_withdraw(user, candidacy: Candidacy) -> bool:
    """The candidate, until voting opens."""
    return (is_candidate(user, candidacy) and phases.before_voting(candidacy.election)
            and candidacy.state in (CandidacyState.ACCEPTED, CandidacyState.NOMINATED))


def can_reject_statement(user, candidacy: Candidacy) -> bool:
    """Staff, for a published statement, while the election runs."""
    return (permissions.is_brand_staff(user, candidacy.election.brand) and bool(candidacy.statement_markdown)
            and candidacy.statement_rejected_at is None
            and candidacy.election.state in (ElectionState.NOMINATIONS, ElectionState.VOTING))


def can_vote(user, election: Election) -> bool:
    """On the frozen roll, voting open, not voted yet."""
    return (user.is_authenticated and phases.voting_is_open(election)
            and ballot_box.on_roll(election, user) and not ballot_box.has_voted(election, user))


def has_voted(user, election: Election) -> bool:
    """The voter sees that they voted, never what."""
    return user.is_authenticated and ballot_box.has_voted(election, user)


def can_certify(user, election: Election) -> bool:
    """Staff, once the election is closed and counted."""
    return can_manage_elections(user, election.brand) and election.state is ElectionState.CLOSED


def can_cancel(user, election: Election) -> bool:
    """Staff, until voting closes; never a recall vote the members obliged (the service says why)."""
    return (can_manage_elections(user, election.brand) and election.kind is not ElectionKind.RECALL
            and election.state in (ElectionState.DRAFT, ElectionState.NOMINATIONS, ElectionState.VOTING)
            and not phases.count_is_due(election, utcnow()))


def certification_overdue(election: Election) -> bool:
    """The count waits for certification past the charter's deadline (shown on the election's pages)."""
    return certification.certification_overdue(election)


def overdue_certifications(brand) -> list[Election]:
    """The brand's counted elections past their certification deadline (for the brand's home)."""
    return certification.overdue_certifications(brand)


# What templates may ask, named one by one.
TEMPLATE_PERMISSIONS = {
    "can_manage_elections": can_manage_elections,
    "can_view_election": can_view_election,
    "can_nominate": can_nominate,
    "can_answer_nomination": can_answer_nomination,
    "can_endorse": can_endorse,
    "is_candidate": is_candidate,
    "can_edit_statement": can_edit_statement,
    "can_withdraw": can_withdraw,
    "can_reject_statement": can_reject_statement,
    "can_vote": can_vote,
    "has_voted": has_voted,
    "can_certify": can_certify,
    "can_cancel": can_cancel,
    "certification_overdue": certification_overdue,
    "certification_due": certification.certification_due,
    "overdue_certifications": overdue_certifications,
}
