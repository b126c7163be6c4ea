"""The count at close: the ballot box's {canonical line: count} handed to the pure tally methods."""
from __future__ import annotations

from elections.methods.irv import instant_runoff
from elections.methods.majority_judgment import majority_judgment
from elections.methods.plurality import approval, plurality
from elections.methods.profile import grade_profile_from_lines, profile_from_lines
from elections.methods.schulze import schulze
from elections.models import VotingMethod

RANKED_METHODS = {
    VotingMethod.PLURALITY: plurality,
    VotingMethod.APPROVAL: approval,
    VotingMethod.IRV: instant_runoff,
    VotingMethod.SCHULZE: schulze,
}


def count(method: VotingMethod, options: list, counts: dict[str, int], seed: str) -> dict:
    """Run the election's method over the aggregated ballots; the result as JSON-ready data."""
    if method is VotingMethod.MAJORITY_JUDGMENT:
        profile, blank = grade_profile_from_lines(counts, options)
        result = majority_judgment(profile, options, blank=blank, seed=seed)
    else:
        profile, blank = profile_from_lines(counts)
        result = RANKED_METHODS[method](profile, options, blank=blank, seed=seed)
    return result.to_dict()
