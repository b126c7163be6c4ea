"""The rules of elections/methods/majority_judgment.py pinned one by one, against a literal replay of the rules."""
from __future__ import annotations

import random
from functools import cmp_to_key

import pytest

from elections.methods import GRADES, majority_judgment
from elections.methods.majority_judgment import compare_majority_values, median_grade


def grades_of(tally):
    """The sorted, best-first list of grades a tally stands for."""
    return [grade for grade, count in enumerate(tally) for _ in range(count)]


def replayed_majority_value(tally):
    """Balinski & Laraki's majority value, by removing the lower median again and again."""
    grades = grades_of(tally)
    value = []
    while grades:
        value.append(grades.pop(len(grades) // 2))  # the lower median: the worse middle grade when even
    return value


def replayed_compare(a, b):
    va, vb = replayed_majority_value(a), replayed_majority_value(b)
    return 0 if va == vb else (-1 if va < vb else 1)


def random_tally(rng, total, size=6):
    cuts = sorted(rng.randint(0, total) for _ in range(size - 1))
    return [high - low for low, high in zip([0, *cuts], [*cuts, total])]


def test_the_lower_median_of_an_even_count_is_the_worse_middle_grade():
    assert median_grade([1, 1]) == 1
    assert median_grade([2, 0, 1]) == 0
    assert median_grade([1, 0, 2]) == 2
    assert median_grade([0, 0, 0]) is None and median_grade([]) is None
    assert median_grade([0, 3]) == 1


def test_majority_values_compare_as_the_replayed_removals_do():
    for seed in range(300):
        rng = random.Random(seed)
        total = rng.randint(1, 9)
        a, b = random_tally(rng, total), random_tally(rng, total)
        if seed % 5 == 0:
            b = list(a)
        assert compare_majority_values(a, b) == replayed_compare(a, b)
        assert compare_majority_values(b, a) == -replayed_compare(a, b)



def test_majority_values_of_different_sizes_are_refused():
    with pytest.raises(ValueError):
        compare_majority_values([1, 0], [1, 1])
    assert compare_majority_values((2, 0), [2, 0]) == 0  # a tuple and a list of the same tally


def test_the_count_ranks_by_majority_value_and_ties_go_to_the_lot():
    for seed in range(60):
        rng = random.Random(500 + seed)
        candidates = list("ABCD"[: rng.randint(1, 4)])
        profile = {}
        for _ in range(rng.randint(1, 8)):
            ballot = tuple(rng.choice([None, *range(len(GRADES))]) for _ in candidates)
            profile[ballot] = profile.get(ballot, 0) + rng.randint(0, 3)
        result = majority_judgment(profile, candidates)
        counted = {b: n for b, n in profile.items() if n and any(g is not None for g in b)}
        tallies = {c: [0] * len(GRADES) for c in candidates}
        for ballot, count in counted.items():
            for c, grade in zip(candidates, ballot):
                tallies[c][len(GRADES) - 1 if grade is None else grade] += count
        assert result.profiles == tallies
        assert result.ballots == sum(counted.values())
        assert result.blank == sum(n for b, n in profile.items() if all(g is None for g in b))
        assert result.medians == {c: median_grade(tallies[c]) for c in candidates}
        order = sorted(candidates, key=cmp_to_key(lambda x, y: replayed_compare(tallies[x], tallies[y])))
        if not counted:
            assert result.winners == [] and result.winner is None and result.tie_broken_by_lot is False
            continue
        best = [c for c in candidates if tallies[c] == tallies[order[0]]]
        assert result.winners == best
        assert result.tie_broken_by_lot is (len(best) > 1)
        assert result.winner in best and result.ranking[0] == result.winner
        assert sorted(result.ranking) == sorted(candidates)
        rest = [c for c in result.ranking[1:]]
        assert [replayed_majority_value(tallies[c]) for c in rest] == sorted(
            replayed_majority_value(tallies[c]) for c in rest)



def test_an_ungraded_candidate_gets_reject_and_an_empty_ballot_is_blank():
    worst = len(GRADES) - 1
    result = majority_judgment({(0, None): 2, (None, None): 3}, ["A", "B"], blank=1)
    assert result.profiles["B"][worst] == 2 and result.profiles["A"][0] == 2
    assert (result.ballots, result.blank, result.winner) == (2, 4, "A")
    assert result.medians == {"A": 0, "B": worst}
    assert result.method == "majority-judgment" and result.grades == list(GRADES)


def test_the_lot_winner_moves_to_the_head_of_the_ranking():
    seeds = ["%064x" % n for n in range(12)]
    winners = {majority_judgment({(1, 1): 1}, ["A", "B"], seed=s).winner for s in seeds}
    assert winners == {"A", "B"}  # some seeds pick B, which then heads the ranking
    for s in seeds:
        result = majority_judgment({(1, 1): 1}, ["A", "B"], seed=s)
        assert result.ranking[0] == result.winner and sorted(result.ranking) == ["A", "B"]
        assert result.tie_broken_by_lot is True and result.seed == s


def test_named_grades_are_kept_and_bound_the_grades():
    result = majority_judgment({(0, 1): 1}, ["A", "B"], grades=["Good", "Bad"])
    assert result.grades == ["Good", "Bad"] and result.winner == "A" and result.profiles["B"] == [0, 1]
    with pytest.raises(ValueError):
        majority_judgment({(2, 1): 1}, ["A", "B"], grades=["Good", "Bad"])


def test_no_candidates_no_winner():
    result = majority_judgment({}, [])
    assert result.winner is None and result.winners == [] and result.ranking == []
