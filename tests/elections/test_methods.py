"""Unit tests of the tally methods: edge cases of each rule, blank ballots, the lot."""
from __future__ import annotations

import hashlib
import json
import random

import pytest

from elections.methods import (
    GRADES,
    approval,
    canonical_grades,
    canonical_ranking,
    fingerprint,
    grade_profile,
    instant_runoff,
    lot_order,
    majority_judgment,
    plurality,
    profile_fingerprint,
    profile_from_approvals,
    profile_from_rankings,
    ranking,
    schulze,
)
from elections.methods.majority_judgment import compare_majority_values, median_grade

SEED = "3601daa615132b2c2779308de2d3fe3cc27cd030089b670123476b7aaab4e432"


def profile(*entries):
    """``profile((4, "A", "B"), (2, {"B", "C"}))`` -> {ranking("A", "B"): 4, ...}."""
    result: dict = {}
    for count, *places in entries:
        key = ranking(*places)
        result[key] = result.get(key, 0) + count
    return result


# --- profile helpers, canonical strings, fingerprint, lot --------------------------------

def test_ranking_normalizes_places_and_refuses_duplicates():
    assert ranking(3, {1, 2}) == (frozenset({3}), frozenset({1, 2}))
    assert ranking(1, (), [2]) == (frozenset({1}), frozenset({2}))
    with pytest.raises(ValueError):
        ranking(1, {2, 1})


def test_canonical_strings():
    assert canonical_ranking(ranking(3, 1, {10, 2})) == "3,1,{2,10}"
    assert canonical_ranking(()) == ""
    assert canonical_grades((0, None, 5), ["b", "a", "c"]) == "b:0,c:5"
    with pytest.raises(ValueError):
        canonical_ranking(ranking("a,b"))


def test_fingerprint_is_sha256_of_sorted_lines():
    lines = ["2,1", "", "1,{2,3}", "2,1"]
    expected = hashlib.sha256(b"\n1,{2,3}\n2,1\n2,1\n").hexdigest()
    assert fingerprint(lines) == expected
    assert fingerprint(reversed(lines)) == expected
    ranked = {ranking(2, 1): 2, ranking(1, {2, 3}): 1}
    assert profile_fingerprint(ranked, blank=1) == expected
    assert profile_fingerprint({**ranked, (): 1}) == expected
    assert fingerprint([]) == hashlib.sha256(b"").hexdigest()


def test_lot_order_is_reproducible_by_hand_and_ignores_input_order():
    candidates = [1, 2, 3, 4, 5]
    by_hand = sorted(candidates, key=lambda c: hashlib.sha256(f"{SEED}:{c}".encode()).hexdigest())
    assert lot_order(candidates, SEED) == by_hand
    assert lot_order(list(reversed(candidates)), SEED) == by_hand
    # Different seeds give different orders (the lot is not a fixed preference).
    orders = {tuple(lot_order(candidates, f"{seed:064x}")) for seed in range(20)}
    assert len(orders) > 5


# --- plurality and approval ----------------------------------------------------------------

def test_plurality_counts_first_choices_and_overvotes_count_for_no_one():
    ballots = profile((4, "A", "B"), (3, "B"), (2, {"A", "B"}, "C"), (1, "C", "A"))
    result = plurality(ballots, ["A", "B", "C"])
    assert result.counts == {"A": 4, "B": 3, "C": 1}
    assert result.overvotes == 2
    assert result.ballots == 10
    assert result.winner == "A" and result.winners == ["A"]
    assert not result.tie_broken_by_lot and result.seed is None


def test_blank_ballots_are_counted_apart_and_support_no_one():
    ballots = profile((3, "A"), (2, "B"))
    ballots[()] = 4
    for method in (plurality, approval, instant_runoff, schulze):
        result = method(ballots, ["A", "B"], blank=1)
        assert (result.ballots, result.blank, result.winner) == (5, 5, "A"), method.__name__
    graded = {(0, 3): 3, (None, None): 2}
    result = majority_judgment(graded, ["A", "B"], blank=1)
    assert (result.ballots, result.blank, result.winner) == (3, 3, "A")


def test_only_blank_ballots_elect_no_one():
    for method in (plurality, approval, instant_runoff, schulze):
        result = method({(): 5}, ["A", "B"])
        assert result.winner is None and result.winners == [] and result.blank == 5
    assert majority_judgment({(None, None): 2}, ["A", "B"]).winner is None
    assert plurality({}, []).winner is None


def test_plurality_tie_is_broken_by_the_lot_reproducibly():
    ballots = profile((3, "A"), (3, "B"), (1, "C"))
    result = plurality(ballots, ["A", "B", "C"], seed=SEED)
    assert result.winners == ["A", "B"]
    assert result.tie_broken_by_lot and result.seed == SEED
    assert result.winner == lot_order(["A", "B"], SEED)[0]
    assert plurality(ballots, ["C", "B", "A"], seed=SEED).winner == result.winner
    winners = {plurality(ballots, ["A", "B", "C"], seed=f"{seed:064x}").winner for seed in range(16)}
    assert winners == {"A", "B"}


def test_without_a_seed_the_lot_uses_the_ballots_fingerprint():
    ballots = profile((3, "A"), (3, "B"))
    result = plurality(ballots, ["A", "B"], blank=2)
    assert result.seed == profile_fingerprint(ballots, blank=2)
    assert result.winner == lot_order(["A", "B"], result.seed)[0]


def test_approval_counts_every_approved_candidate():
    ballots = profile_from_approvals([{"A", "B"}, {"B"}, {"B", "C"}, set(), {"A"}])
    result = approval(ballots, ["A", "B", "C"])
    assert result.counts == {"A": 2, "B": 3, "C": 1}
    assert (result.winner, result.ballots, result.blank) == ("B", 4, 1)
    # On a ranking, every ranked candidate is approved.
    assert approval(profile((1, "A", "C")), ["A", "B", "C"]).counts == {"A": 1, "B": 0, "C": 1}


def test_approval_tie():
    result = approval(profile_from_approvals([{"A", "B"}, {"A", "B"}]), ["A", "B"], seed=SEED)
    assert result.winners == ["A", "B"] and result.tie_broken_by_lot


def test_unknown_candidates_and_negative_counts_are_refused():
    with pytest.raises(ValueError):
        plurality(profile((1, "Z")), ["A"])
    with pytest.raises(ValueError):
        schulze({ranking("A"): -1}, ["A"])
    with pytest.raises(ValueError):
        majority_judgment({(0,): 1}, ["A", "B"])
    with pytest.raises(ValueError):
        majority_judgment({(6, 0): 1}, ["A", "B"])


# --- instant-runoff -------------------------------------------------------------------------

def test_irv_first_round_majority():
    result = instant_runoff(profile((6, "A", "B"), (4, "B")), ["A", "B"])
    assert result.winner == "A" and len(result.rounds) == 1
    assert result.rounds[0].counts == {"A": 6, "B": 4}
    assert result.rounds[0].eliminated is None


def test_irv_transfers_and_exhaustion():
    ballots = profile((5, "A"), (4, "B"), (3, "C", "B"), (2, "C"), (1, "D", "C"))
    result = instant_runoff(ballots, ["A", "B", "C", "D"])
    first, second, third = result.rounds
    assert first.counts == {"A": 5, "B": 4, "C": 5, "D": 1}
    assert first.eliminated == "D" and first.transfers == {"C": 1}
    assert second.counts == {"A": 5, "B": 4, "C": 6}
    assert second.eliminated == "B"
    assert second.transfers == {} and second.transfers_exhausted == 4
    assert third.counts == {"A": 5, "C": 6} and third.exhausted == 4
    assert third.eliminated is None
    assert result.winner == "C" and result.ballots == 15


def test_irv_majority_base_excludes_exhausted_ballots():
    ballots = profile((5, "A"), (4, "B"), (3, "C", "B"), (2, "D"))
    result = instant_runoff(ballots, ["A", "B", "C", "D"])
    assert [r.eliminated for r in result.rounds] == ["D", "C", None]
    assert result.rounds[0].transfers_exhausted == 2
    final = result.rounds[-1]
    assert final.counts == {"A": 5, "B": 7} and final.exhausted == 2
    # 7 of 14 ballots is no majority of all ballots, but 7 > 12 / 2 continuing votes.
    assert final.continuing_votes == 12
    assert result.winner == "B"


def test_irv_equal_rank_group_counts_for_no_one_but_is_not_exhausted():
    ballots = profile((3, {"A", "B"}), (3, "C"), (2, "B", "C"), (1, "A"))
    result = instant_runoff(ballots, ["A", "B", "C"])
    first = result.rounds[0]
    # C has 3 of the 6 votes counted for someone: no majority (the 3 overvotes are not counted).
    assert first.counts == {"A": 1, "B": 2, "C": 3}
    assert first.overvotes == 3 and first.exhausted == 0
    assert first.eliminated == "A"
    # A is out: the three {A,B} ballots now count for B.
    second = result.rounds[1]
    assert second.counts == {"B": 5, "C": 3}
    assert second.overvotes == 0 and second.exhausted == 1
    assert first.transfers_exhausted == 1
    assert result.winner == "B"


def test_irv_overvote_below_the_top_moves_with_the_ballot():
    ballots = profile((3, "A", {"B", "C"}), (4, "B"), (5, "C"), (1, "D", "B"))
    result = instant_runoff(ballots, ["A", "B", "C", "D"])
    assert [r.eliminated for r in result.rounds[:2]] == ["D", "A"]
    second = result.rounds[1]
    assert second.transfers == {} and second.transfers_overvotes == 3
    third = result.rounds[2]
    assert third.overvotes == 3 and third.counts == {"B": 5, "C": 5}
    # B and C are tied, and were in round 2; round 1 decides (B 4, C 5).
    assert third.tie_break == "earlier rounds" and third.eliminated == "B"
    final = result.rounds[3]
    assert final.counts == {"C": 8} and final.overvotes == 0
    assert result.winner == "C" and not result.tie_broken_by_lot


def test_irv_tie_for_last_broken_by_earlier_rounds_most_recent_first():
    # Round 1: A 6, B 4, C 3, D 2 -> D out, one ballot to C.
    # Round 2: A 6, B 4, C 4 -> tie B/C; round 1 had C 3 < B 4, so C goes.
    ballots = profile((6, "A"), (4, "B"), (3, "C"), (1, "D", "C"), (1, "D"))
    result = instant_runoff(ballots, ["A", "B", "C", "D"])
    second = result.rounds[1]
    assert second.counts == {"A": 6, "B": 4, "C": 4}
    assert second.tied_for_last == ["B", "C"]
    assert second.tie_break == "earlier rounds" and second.eliminated == "C"
    assert result.winner == "A" and not result.tie_broken_by_lot


def test_irv_earlier_rounds_are_read_most_recent_first():
    # Round 1: X 5 > Y 4. Round 2 (Q out, to Y): X 5 < Y 6. Round 3 (P out, one to X): X 6 = Y 6.
    # The most recent earlier round (2) decides: X is eliminated, though round 1 says Y.
    ballots = profile((10, "A"), (5, "X"), (4, "Y"), (2, "Q", "Y"), (1, "P", "X"), (2, "P"))
    result = instant_runoff(ballots, ["A", "X", "Y", "P", "Q"])
    counts = [r.counts for r in result.rounds]
    assert counts[0] == {"A": 10, "X": 5, "Y": 4, "P": 3, "Q": 2}
    assert counts[1] == {"A": 10, "X": 5, "Y": 6, "P": 3}
    assert counts[2] == {"A": 10, "X": 6, "Y": 6}
    third = result.rounds[2]
    assert third.tied_for_last == ["X", "Y"]
    assert third.tie_break == "earlier rounds" and third.eliminated == "X"
    assert counts[3] == {"A": 10, "Y": 6}
    assert result.winner == "A" and not result.tie_broken_by_lot


def test_irv_tie_for_last_broken_by_lot_that_decides_the_winner():
    # A 3, B 2, C 2: B out -> C 4 beats A 3; C out -> A 5 wins.
    ballots = profile((3, "A"), (2, "B", "C"), (2, "C", "A"))
    result = instant_runoff(ballots, ["A", "B", "C"], seed=SEED)
    first = result.rounds[0]
    assert first.tied_for_last == ["B", "C"] and first.tie_break == "lot"
    assert first.eliminated == lot_order(["B", "C"], SEED)[-1]
    assert result.winners == ["A", "C"]
    assert result.tie_broken_by_lot and result.seed == SEED
    expected = "C" if first.eliminated == "B" else "A"
    assert result.winner == expected
    # Other seeds can eliminate the other one.
    outcomes = {instant_runoff(ballots, ["A", "B", "C"], seed=f"{s:064x}").winner for s in range(16)}
    assert outcomes == {"A", "C"}


def test_irv_winners_list_everyone_some_outcome_of_the_lot_elects():
    cycle = profile((1, "A", "B"), (1, "B", "C"), (1, "C", "A"))
    result = instant_runoff(cycle, ["A", "B", "C"], seed=SEED)
    assert result.winners == ["A", "B", "C"] and result.tie_broken_by_lot
    # Four lone first choices: three successive draws, every candidate can win.
    result = instant_runoff(profile((1, "A"), (1, "B"), (1, "C"), (1, "D")), list("ABCD"), seed=SEED)
    assert result.winners == list("ABCD") and result.tie_broken_by_lot
    assert [r.tie_break for r in result.rounds] == ["lot", "lot", "lot", None]
    assert result.winner == lot_order("ABCD", SEED)[0]


def test_irv_exact_final_tie_is_decided_by_lot():
    result = instant_runoff(profile((2, "A"), (2, "B")), ["A", "B"], seed=SEED)
    assert result.winners == ["A", "B"] and result.tie_broken_by_lot
    assert result.winner == lot_order(["A", "B"], SEED)[0]


def test_irv_lot_between_candidates_without_votes_does_not_mark_the_result():
    ballots = profile((4, "A"), (3, "B"), (2, "C", "B"))
    result = instant_runoff(ballots, ["A", "B", "C", "D", "E"], seed=SEED)
    assert result.rounds[0].tied_for_last == ["D", "E"]
    assert result.rounds[0].tie_break == "lot"
    assert result.rounds[1].tie_break is None  # the other one is now alone at 0
    assert result.winner == "B" and result.winners == ["B"]
    assert not result.tie_broken_by_lot


def test_irv_single_candidate_and_no_candidates():
    assert instant_runoff(profile((1, "A")), ["A"]).winner == "A"
    assert instant_runoff({}, ["A"]).winner is None


def test_irv_rounds_serialize_with_names():
    result = instant_runoff(profile((3, 1, 2), (2, 2), (2, 3, 2)), [1, 2, 3])
    data = result.to_dict({1: "Ann", 2: "Bob", 3: "Cy"})
    json.dumps(data)
    assert data["winner"] == "Bob"
    assert data["rounds"][0]["counts"] == {"Ann": 3, "Bob": 2, "Cy": 2}
    assert data["rounds"][0]["eliminated"] in ("Bob", "Cy")


# --- Schulze ----------------------------------------------------------------------------------

WIKIPEDIA = [(5, "ACBED"), (5, "ADECB"), (8, "BEDAC"), (3, "CABED"), (7, "CAEBD"), (2, "CBADE"),
             (7, "DCEBA"), (8, "EBADC")]


def test_schulze_condorcet_cycle_wikipedia_example():
    ballots = {ranking(*order): count for count, order in WIKIPEDIA}
    result = schulze(ballots, list("ABCDE"))
    assert result.pairwise["A"] == {"B": 20, "C": 26, "D": 30, "E": 22}
    assert result.pairwise["E"] == {"A": 23, "B": 27, "C": 21, "D": 31}
    assert result.strongest_paths["E"] == {"A": 25, "B": 28, "C": 28, "D": 31}
    assert result.strongest_paths["A"] == {"B": 28, "C": 28, "D": 30, "E": 24}
    assert result.winner == "E" and result.winners == ["E"]


def test_schulze_three_way_cycle_weakest_defeat_loses():
    # A beats B 6-3, B beats C 7-2, C beats A 5-4: C's win over A is the weakest link.
    ballots = profile((4, "A", "B", "C"), (3, "B", "C", "A"), (2, "C", "A", "B"))
    result = schulze(ballots, ["A", "B", "C"])
    assert result.pairwise["A"]["B"] == 6 and result.pairwise["B"]["C"] == 7
    assert result.pairwise["C"]["A"] == 5
    assert result.winner == "A"


def test_schulze_equal_ranks_express_no_preference_and_unranked_are_last():
    ballots = profile((3, {"A", "B"}), (2, "C"))
    result = schulze(ballots, ["A", "B", "C"])
    assert result.pairwise["A"] == {"B": 0, "C": 3}
    assert result.pairwise["C"] == {"A": 2, "B": 2}
    assert result.pairwise["B"]["A"] == 0
    # A and B are tied: both Schulze winners, the lot chooses.
    assert result.winners == ["A", "B"] and result.tie_broken_by_lot


def test_schulze_pairwise_matches_a_direct_count():
    rng = random.Random(7)
    candidates = list(range(1, 7))
    ballots: dict = {}
    for _ in range(300):
        places = rng.sample(candidates, rng.randint(0, 6))
        groups, i = [], 0
        while i < len(places):
            size = rng.choice([1, 1, 1, 2])
            groups.append(set(places[i:i + size]))
            i += size
        key = ranking(*groups)
        ballots[key] = ballots.get(key, 0) + rng.randint(1, 3)
    result = schulze(ballots, candidates)
    for x in candidates:
        for y in candidates:
            if x == y:
                continue
            direct = 0
            for key, count in ballots.items():
                place = {c: i for i, group in enumerate(key) for c in group}
                if x in place and place[x] < place.get(y, len(key)):
                    direct += count
            assert result.pairwise[x][y] == direct


# --- majority judgment ---------------------------------------------------------------------

def test_majority_judgment_lower_median_and_profiles():
    ballots = grade_profile(
        [{"A": 0, "B": 1}, {"A": 0, "B": 1}, {"A": 4, "B": 2}, {"A": 4}, {}], ["A", "B"])
    result = majority_judgment(ballots, ["A", "B"])
    assert result.profiles == {"A": [2, 0, 0, 0, 2, 0], "B": [0, 2, 1, 0, 0, 1]}
    # A: Excellent, Excellent, Poor, Poor -> the lower (worse) middle grade is Poor.
    assert result.medians == {"A": 4, "B": 2}
    assert result.winner == "B" and result.blank == 1 and result.ballots == 4
    assert result.grades == list(GRADES)


def test_majority_judgment_tie_break_removes_median_grades():
    # Both medians are Good. A: Excellent, Good, Good, Good, Reject; B: Very good x2, Good, Poor x2.
    ballots = {(0, 1): 1, (2, 1): 1, (2, 2): 1, (2, 4): 1, (5, 4): 1}
    result = majority_judgment(ballots, ["A", "B"])
    assert result.medians == {"A": 2, "B": 2}
    # Remove one Good each: A has E,G,G,R -> lower median G; B has VG,VG,P,P -> P. A wins.
    assert result.winner == "A" and result.ranking == ["A", "B"]
    assert not result.tie_broken_by_lot


def test_majority_judgment_identical_profiles_are_decided_by_lot():
    ballots = {(0, 3): 1, (3, 0): 1, (2, 2): 1}
    result = majority_judgment(ballots, ["A", "B"], seed=SEED)
    assert result.winners == ["A", "B"] and result.tie_broken_by_lot
    assert result.winner == lot_order(["A", "B"], SEED)[0] == result.ranking[0]


def _majority_value(tally):
    grades = sorted(g for g, n in enumerate(tally) for _ in range(n))
    value = []
    while grades:
        value.append(grades.pop(len(grades) // 2))
    return value


def test_majority_value_comparison_matches_repeated_median_removal():
    rng = random.Random(2024)
    for _ in range(3000):
        voters = rng.randint(1, 12)
        a = [0] * 6
        b = [0] * 6
        for _ in range(voters):
            a[rng.choice([0, 1, 2, 2, 3, 4, 5])] += 1
            b[rng.choice([0, 1, 2, 3, 3, 4, 5])] += 1
        expected = (_majority_value(a) > _majority_value(b)) - (_majority_value(a) < _majority_value(b))
        assert compare_majority_values(a, b) == expected, (a, b)
        assert median_grade(a) == _majority_value(a)[0]


def test_results_are_json_serializable():
    ballots = profile((3, 1, 2), (2, 2, {1, 3}))
    for method in (plurality, approval, instant_runoff, schulze):
        json.dumps(method(ballots, [1, 2, 3]).to_dict())
    json.dumps(majority_judgment({(0, 1, None): 2}, [1, 2, 3]).to_dict({1: "a", 2: "b", 3: "c"}))


def test_profile_from_rankings_aggregates():
    aggregated = profile_from_rankings([[1, 2], [1, 2], [{1, 2}], []])
    assert aggregated == {ranking(1, 2): 2, ranking({1, 2}): 1, (): 1}


def test_groups_may_be_tuples():
    as_sets = profile((3, "A", {"B", "C"}), (2, "B", "A"), (2, {"C", "A"}), (1, "C"))
    as_tuples = {tuple(tuple(sorted(group)) for group in key): count for key, count in as_sets.items()}
    for method in (plurality, approval, instant_runoff, schulze):
        assert method(as_tuples, ["A", "B", "C"], seed=SEED).to_dict() == \
            method(as_sets, ["A", "B", "C"], seed=SEED).to_dict(), method.__name__
