"""The rules of elections/methods/schulze.py pinned one by one, against direct counts written here."""
from __future__ import annotations

import itertools
import random

import pytest

from elections.methods import ranking, schulze
from elections.methods.schulze import pairwise_counts, strongest_paths


def direct_pairwise(profile: dict, candidates: list) -> list[list[int]]:
    """d[x][y] counted ballot by ballot: x ranked, and above y (unranked y is below every ranked x)."""
    d = [[0] * len(candidates) for _ in candidates]
    for key, count in profile.items():
        place = {c: i for i, group in enumerate(key) for c in group}
        for i, x in enumerate(candidates):
            for j, y in enumerate(candidates):
                if i != j and x in place and place[x] < place.get(y, len(key)):
                    d[i][j] += count
    return d


def widest_paths(d: list[list[int]]) -> list[list[int]]:
    """Strongest path strengths by trying every simple path (an independent, slow computation)."""
    size = len(d)
    link = [[d[i][j] if d[i][j] > d[j][i] else 0 for j in range(size)] for i in range(size)]
    p = [[0] * size for _ in range(size)]
    for i, j in itertools.permutations(range(size), 2):
        others = [k for k in range(size) if k not in (i, j)]
        best = 0
        for length in range(len(others) + 1):
            for middle in itertools.permutations(others, length):
                path = (i, *middle, j)
                best = max(best, min(link[a][b] for a, b in zip(path, path[1:])))
        p[i][j] = best
    return p


def random_profile(rng: random.Random, candidates: list, *, full_only: bool = False) -> dict:
    profile: dict = {}
    for _ in range(rng.randint(1, 25)):
        if full_only:
            places = rng.sample(candidates, len(candidates))
            groups = [{c} for c in places]
        else:
            places = rng.sample(candidates, rng.randint(0, len(candidates)))
            groups, i = [], 0
            while i < len(places):
                size = rng.choice([1, 1, 2, 3])
                groups.append(set(places[i:i + size]))
                i += size
        key = ranking(*groups)
        profile[key] = profile.get(key, 0) + rng.randint(0, 4)
    return profile


def test_pairwise_counts_equal_a_ballot_by_ballot_count():
    for seed in range(40):
        rng = random.Random(seed)
        candidates = list("ABCDEF"[: rng.randint(2, 6)])
        profile = random_profile(rng, candidates, full_only=seed % 4 == 0)
        assert pairwise_counts(profile, candidates) == direct_pairwise(profile, candidates)



def test_only_long_rankings_still_count_their_prefixes():
    # no ranking of length 1 or 2 is given: their levels are made up from the longer ones
    profile = {ranking("A", "B", "C"): 2, ranking("B", "A", "C", "D"): 1}
    assert pairwise_counts(profile, list("ABCD")) == direct_pairwise(profile, list("ABCD"))
    assert pairwise_counts(profile, list("ABCD"))[0] == [0, 2, 3, 3]


def test_zero_counts_and_empty_rankings_add_nothing():
    profile = {ranking("A", "B"): 0, (): 5, ranking("B"): 1}
    assert pairwise_counts(profile, ["A", "B"]) == [[0, 0], [1, 0]]
    assert pairwise_counts({}, ["A", "B"]) == [[0, 0], [0, 0]]


def test_a_ranking_of_every_candidate_in_one_group_prefers_nobody():
    assert pairwise_counts({ranking({"A", "B", "C"}): 4}, list("ABC")) == [[0] * 3] * 3
    assert pairwise_counts({ranking({"A", "B"}, "C"): 4}, list("ABC")) == [[0, 0, 4], [0, 0, 4], [0, 0, 0]]


def test_strongest_paths_equal_the_best_of_every_path():
    for seed in range(60):
        rng = random.Random(1000 + seed)
        size = rng.randint(2, 5)
        d = [[0 if i == j else rng.randint(0, 6) for j in range(size)] for i in range(size)]
        assert strongest_paths(d) == widest_paths(d)



def test_a_tied_pair_is_no_link():
    assert strongest_paths([[0, 2], [2, 0]]) == [[0, 0], [0, 0]]
    assert strongest_paths([[0, 3], [2, 0]]) == [[0, 3], [0, 0]]


def test_the_winners_are_unbeaten_on_paths():
    for seed in range(30):
        rng = random.Random(2000 + seed)
        candidates = list("ABCDE"[: rng.randint(2, 5)])
        profile = random_profile(rng, candidates)
        result = schulze(profile, candidates)
        p = widest_paths(direct_pairwise(profile, candidates))
        expected = [x for i, x in enumerate(candidates)
                    if all(p[i][j] >= p[j][i] for j in range(len(candidates)) if j != i)]
        counted = sum(count for key, count in profile.items() if key)
        assert result.winners == (expected if counted else [])
        assert result.tie_broken_by_lot is (len(result.winners) > 1)
        assert result.winner == (result.winners[0] if len(result.winners) == 1 else result.winner)



def test_blank_ballots_are_counted_apart_and_nobody_wins_on_blanks_alone():
    result = schulze({(): 3}, ["A", "B"], blank=2)
    assert (result.ballots, result.blank, result.winner, result.winners) == (0, 5, None, [])
    assert result.tie_broken_by_lot is False and result.seed is None
    result = schulze({(): 1, ranking("B"): 2}, ["A", "B"])
    assert (result.ballots, result.blank, result.winner, result.winners) == (2, 1, "B", ["B"])
    assert result.tie_broken_by_lot is False


def test_a_tie_of_winners_is_broken_by_the_lot_with_its_seed():
    result = schulze({ranking("A"): 1, ranking("B"): 1}, ["A", "B"], seed="ab" * 32)
    assert result.winners == ["A", "B"] and result.tie_broken_by_lot is True
    assert result.winner in ("A", "B") and result.seed == "ab" * 32
    again = schulze({ranking("A"): 1, ranking("B"): 1}, ["A", "B"], seed="ab" * 32)
    assert again.winner == result.winner


def test_the_result_tables_leave_out_each_candidate_against_itself():
    result = schulze({ranking("A", "B", "C"): 2}, list("ABC"))
    assert result.pairwise == {"A": {"B": 2, "C": 2}, "B": {"A": 0, "C": 2}, "C": {"A": 0, "B": 0}}
    assert result.strongest_paths == {"A": {"B": 2, "C": 2}, "B": {"A": 0, "C": 2}, "C": {"A": 0, "B": 0}}
    assert result.method == "schulze" and result.candidates == list("ABC")


def test_an_unknown_candidate_is_refused():
    with pytest.raises(ValueError):
        schulze({ranking("Z"): 1}, ["A"])
