"""Differential tests: our counts against the pref-voting library on random profiles.

pref-voting is the `crosscheck` extra, installed by CI (`make test EXTRAS=test,crosscheck`). Profiles come from a seeded generator;
only profiles where pref-voting returns exactly one winner are compared (its IRV eliminates
every candidate tied for last at once, ours breaks such ties one at a time, so IRV is also
compared only when our count broke no tie for last).
"""
from __future__ import annotations

import os
import random

import pytest

from elections.methods import instant_runoff, plurality, ranking, schulze

if os.environ.get("TRIBUNE_REQUIRE_CROSSCHECK") == "1":  # CI: a missing library is a failure
    import pref_voting  # noqa: F401
pytest.importorskip("pref_voting", reason="pref-voting is not installed (make test EXTRAS=test,crosscheck)")
from pref_voting.profiles_with_ties import ProfileWithTies  # noqa: E402
from pref_voting.voting_methods import (  # noqa: E402
    beat_path,
    instant_runoff_for_truncated_linear_orders,
)
from pref_voting.voting_methods import plurality as pv_plurality  # noqa: E402

PROFILES = 300


def random_profile(rng: random.Random, *, ties: bool) -> tuple[list[int], dict]:
    """A profile over 3-6 candidates: truncated rankings, with equal ranks when ``ties``."""
    candidates = list(range(rng.randint(3, 6)))
    weights = [rng.random() + 0.2 for _ in candidates]
    profile: dict = {}
    for _ in range(rng.randint(1, 12)):
        order = []
        pool = list(candidates)
        pool_weights = list(weights)
        for _ in range(rng.randint(1, len(candidates))):
            pick = rng.choices(range(len(pool)), weights=pool_weights)[0]
            order.append(pool.pop(pick))
            pool_weights.pop(pick)
        places, i = [], 0
        while i < len(order):
            size = rng.choice([1, 1, 1, 2, 3]) if ties else 1
            places.append(set(order[i:i + size]))
            i += size
        key = ranking(*places)
        profile[key] = profile.get(key, 0) + rng.randint(1, 25)
    return candidates, profile


def to_pref_voting(candidates: list[int], profile: dict) -> ProfileWithTies:
    rankings = [{c: rank for rank, group in enumerate(key, start=1) for c in group} for key in profile]
    result = ProfileWithTies(rankings, rcounts=list(profile.values()), candidates=candidates)
    result.use_extended_strict_preference()
    return result


def test_schulze_matches_pref_voting_beat_path_winning_votes():
    rng = random.Random(1)
    compared = 0
    for _ in range(PROFILES):
        candidates, profile = random_profile(rng, ties=True)
        theirs = beat_path(to_pref_voting(candidates, profile),
                           strength_function=to_pref_voting(candidates, profile).support)
        ours = schulze(profile, candidates, seed="00")
        assert sorted(ours.winners) == sorted(theirs)
        if len(theirs) == 1:
            compared += 1
            assert ours.winner == theirs[0] and not ours.tie_broken_by_lot
    assert compared > PROFILES // 2


def test_pairwise_counts_match_pref_voting_support():
    rng = random.Random(2)
    for _ in range(60):
        candidates, profile = random_profile(rng, ties=True)
        theirs = to_pref_voting(candidates, profile)
        ours = schulze(profile, candidates, seed="00")
        for x in candidates:
            for y in candidates:
                if x != y:
                    assert ours.pairwise[x][y] == theirs.support(x, y)


def test_instant_runoff_matches_pref_voting():
    rng = random.Random(3)
    compared = 0
    for _ in range(PROFILES):
        candidates, profile = random_profile(rng, ties=False)
        ours = instant_runoff(profile, candidates, seed="00")
        if any(r.tied_for_last for r in ours.rounds):
            continue
        theirs = instant_runoff_for_truncated_linear_orders(to_pref_voting(candidates, profile))
        if len(theirs) == 1:
            compared += 1
            assert ours.winner == theirs[0], (profile, ours.rounds)
    assert compared > PROFILES // 3


def test_plurality_matches_pref_voting():
    rng = random.Random(4)
    compared = 0
    for _ in range(PROFILES):
        candidates, profile = random_profile(rng, ties=False)
        theirs = pv_plurality(to_pref_voting(candidates, profile))
        ours = plurality(profile, candidates, seed="00")
        assert sorted(ours.winners) == sorted(theirs)
        if len(theirs) == 1:
            compared += 1
            assert ours.winner == theirs[0]
    assert compared > PROFILES // 2


def test_plurality_counts_ignore_overvotes_like_pref_voting():
    rng = random.Random(5)
    for _ in range(60):
        candidates, profile = random_profile(rng, ties=True)
        theirs = to_pref_voting(candidates, profile).plurality_scores_ignoring_overvotes()
        assert plurality(profile, candidates, seed="00").counts == theirs
