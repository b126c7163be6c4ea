"""The count at close: the ballot box's {canonical line: count} handed to the pure tally methods."""
from __future__ import annotations

from elections.ballots import parse_line
from elections.methods.irv import instant_runoff
from elections.methods.majority_judgment import majority_judgment
from elections.methods.plurality import approval, plurality
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
    blank = counts.get("", 0)
    if method is VotingMethod.MAJORITY_JUDGMENT:
        profile: dict = {}
        for line, n in counts.items():
            if line:
                grades = dict(pair.split(":") for pair in line.split(","))
                key = tuple(int(grades[str(option)]) if str(option) in grades else None for option in options)
                profile[key] = profile.get(key, 0) + n
        result = majority_judgment(profile, options, blank=blank, seed=seed)
    else:
        profile = {}
        for line, n in counts.items():
            if line:
                ranking = tuple(frozenset(group) for group in parse_line(line))
                profile[ranking] = profile.get(ranking, 0) + n
        result = RANKED_METHODS[method](profile, options, blank=blank, seed=seed)
    return result.to_dict()
