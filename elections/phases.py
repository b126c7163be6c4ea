"""Pure computations of an election's calendar: which phase it is in at a given time, and what is due."""
from __future__ import annotations

from datetime import datetime

from elections.models import Candidacy, Election, ElectionState
from institutions.clock import utcnow


def nominations_are_open(election: Election, now: datetime | None = None) -> bool:
    """Inside the nominations window of a published election."""
    now = now or utcnow()
    return (election.state is ElectionState.NOMINATIONS
            and election.nominations_open_at <= now < election.nominations_close_at)


def before_voting(election: Election, now: datetime | None = None) -> bool:
    """Candidates may still write their statement or withdraw."""
    now = now or utcnow()
    return election.state is ElectionState.NOMINATIONS and now < election.voting_open_at


def voting_is_open(election: Election, now: datetime | None = None) -> bool:
    """Inside the voting period of an election in its voting state."""
    now = now or utcnow()
    return election.state is ElectionState.VOTING and election.voting_open_at <= now < election.voting_close_at


def ballot_is_due(election: Election, now: datetime) -> bool:
    """Nominations have closed and some candidacy is not yet decided on or off the ballot."""
    return (election.state is ElectionState.NOMINATIONS and now >= election.nominations_close_at
            and any(candidacy.on_ballot is None for candidacy in election.candidacies))


def voting_is_due(election: Election, now: datetime) -> bool:
    """Voting should open: the election is still in nominations and its voting date has come."""
    return election.state is ElectionState.NOMINATIONS and now >= election.voting_open_at


def count_is_due(election: Election, now: datetime) -> bool:
    """Voting should close and the box be counted."""
    return election.state is ElectionState.VOTING and now >= election.voting_close_at


def next_date(election: Election) -> datetime | None:
    """The next date on the election's calendar that will move it (None once voting is over)."""
    if election.state is ElectionState.DRAFT:
        return election.nominations_open_at
    if election.state is ElectionState.NOMINATIONS:
        return election.voting_open_at
    if election.state is ElectionState.VOTING:
        return election.voting_close_at
    return None


def ballot_candidacies(election: Election) -> list[Candidacy]:
    """The candidates on the ballot, in ballot order."""
    return sorted((c for c in election.candidacies if c.on_ballot), key=lambda c: c.ballot_position or 0)
