"""Plurality (first choices) and approval (approvals), over a ranked :data:`Profile`."""
from __future__ import annotations

from collections.abc import Sequence

from elections.methods.lot import Lot, profile_fingerprint
from elections.methods.profile import Candidate, Profile, check_profile
from elections.methods.results import CountResult


def _decide(method: str, candidates: list, counts: dict, ballots: int, blank: int,
            lot: Lot, overvotes: int = 0) -> CountResult:
    best = max(counts.values(), default=0)
    winners = [c for c in candidates if counts[c] == best] if best > 0 else []
    if len(winners) > 1:
        winner = lot.first(winners)
    else:
        winner = winners[0] if winners else None
    return CountResult(
        method=method, candidates=candidates, winner=winner, winners=winners,
        ballots=ballots, blank=blank, tie_broken_by_lot=lot.used, seed=lot.seed_if_used,
        counts=counts, overvotes=overvotes,
    )


def plurality(profile: Profile, candidates: Sequence[Candidate], *, blank: int = 0,
              seed: str | None = None) -> CountResult:
    """Count each ballot for its first choice; the most votes wins.

    A ballot whose first place holds several candidates counts for no one (an overvote).
    A tie for the most votes is broken by the lot; with no vote for anyone there is no winner.
    """
    candidates = list(candidates)
    check_profile(profile, candidates)
    by_first: dict = {}
    blanks = blank
    for ranking, count in profile.items():
        if ranking:
            first = ranking[0]
            by_first[first] = by_first.get(first, 0) + count
        else:
            blanks += count
    counts = dict.fromkeys(candidates, 0)
    overvotes = 0
    for group, count in by_first.items():
        if len(group) == 1:
            for candidate in group:
                counts[candidate] += count
        else:
            overvotes += count
    ballots = sum(by_first.values())
    lot = Lot(seed, lambda: profile_fingerprint(profile, blank))
    return _decide("plurality", candidates, counts, ballots, blanks, lot, overvotes)


def approval(profile: Profile, candidates: Sequence[Candidate], *, blank: int = 0,
             seed: str | None = None) -> CountResult:
    """Count one approval for every candidate a ballot ranks; the most approvals wins.

    An approval ballot is the ranking of one group, the approved candidates; on a longer
    ranking every ranked candidate is approved. A tie is broken by the lot; with no approval
    at all there is no winner.
    """
    candidates = list(candidates)
    check_profile(profile, candidates)
    by_group: dict = {}
    blanks = blank
    ballots = 0
    for ranking, count in profile.items():
        if ranking:
            ballots += count
            for group in ranking:
                by_group[group] = by_group.get(group, 0) + count
        else:
            blanks += count
    counts = dict.fromkeys(candidates, 0)
    for group, count in by_group.items():
        for candidate in group:
            counts[candidate] += count
    lot = Lot(seed, lambda: profile_fingerprint(profile, blank))
    return _decide("approval", candidates, counts, ballots, blanks, lot)
