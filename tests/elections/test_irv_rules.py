"""The rules of elections/methods/irv.py pinned one by one (the gaps mutation testing found)."""
from __future__ import annotations

import pytest

from elections.methods import instant_runoff, irv
from elections.methods.lot import lot_order, profile_fingerprint
from elections.methods.results import IRVRound

SEED = "a" * 64


def r(*groups):
    """A ranking: one frozenset per place."""
    return tuple(frozenset(group) for group in groups)


# A ranks alone; B's ballot moves to A; one of C's ballots ranks A and D equal (an overvote),
# two are exhausted; E has no vote at all.
TRANSFERS = {r("A"): 4, r("B", "A"): 1, r("C"): 2, r("C", "AD"): 1, r("D"): 3, r("D", "C"): 1}
TRANSFER_ROUNDS = [
    IRVRound(counts={"A": 4, "B": 1, "C": 3, "D": 4, "E": 0}, overvotes=0, exhausted=0, eliminated="E"),
    IRVRound(counts={"A": 4, "B": 1, "C": 3, "D": 4}, overvotes=0, exhausted=0, eliminated="B",
             transfers={"A": 1}),
    IRVRound(counts={"A": 5, "C": 3, "D": 4}, overvotes=0, exhausted=0, eliminated="C",
             transfers_exhausted=2, transfers_overvotes=1),
    IRVRound(counts={"A": 5, "D": 4}, overvotes=1, exhausted=2),
]


@pytest.mark.parametrize("profile, message", [
    ({r("A"): -1}, "negative"),
    ({(frozenset(),): 1}, "empty group"),
    ({r("A", "Z"): 1}, "unknown candidates"),
])
def test_an_invalid_profile_is_refused(profile, message):
    with pytest.raises(ValueError, match=message):
        instant_runoff(profile, ["A", "B"])


@pytest.mark.parametrize("profile, candidates, blank, ballots, blanks", [
    ({}, ["A", "B"], 0, 0, 0),
    ({(): 3}, ["A", "B"], 2, 0, 5),
    ({(): 1}, [], 1, 0, 2),
])
def test_an_empty_count_has_no_winner(profile, candidates, blank, ballots, blanks):
    result = instant_runoff(profile, candidates, blank=blank)
    assert result.method == "instant-runoff" and result.candidates == candidates
    assert result.winner is None and result.winners == [] and result.rounds == []
    assert result.ballots == ballots and result.blank == blanks
    assert result.tie_broken_by_lot is False and result.seed is None


def test_zero_counts_exhausted_and_overvote_transfers_round_by_round():
    result = instant_runoff(TRANSFERS, ["A", "B", "C", "D", "E"])
    assert result.rounds == TRANSFER_ROUNDS
    assert result.winner == "A" and result.winners == ["A"]
    assert result.ballots == 12 and result.blank == 0
    assert result.tie_broken_by_lot is False and result.seed is None


def test_rankings_given_as_tuples_count_as_frozensets():
    as_tuples = {tuple(tuple(sorted(group)) for group in ranking): count for ranking, count in TRANSFERS.items()}
    result = instant_runoff(as_tuples, ["A", "B", "C", "D", "E"])
    assert result.rounds == TRANSFER_ROUNDS and result.winner == "A"


def test_mixed_groups_of_the_same_first_place_are_merged():
    profile = {(("A",),): 2, r("A", "B"): 1, r("B"): 2}
    result = instant_runoff(profile, ["A", "B"])
    assert result.rounds[0].counts == {"A": 3, "B": 2} and result.winner == "A"


def test_an_overvote_counts_once_one_of_its_candidates_is_left():
    profile = {r("AB"): 3, r("A"): 2, r("B"): 2, r("C"): 3}
    result = instant_runoff(profile, ["A", "B", "C"], seed=SEED)
    first = result.rounds[0]
    assert first.counts == {"A": 2, "B": 2, "C": 3} and first.overvotes == 3
    assert first.tied_for_last == ["A", "B"]
    loser = first.eliminated
    survivor = "A" if loser == "B" else "B"
    assert loser == lot_order(["A", "B"], SEED)[-1] and first.tie_break == "lot"
    second = result.rounds[1]
    assert second.counts == {survivor: 5, "C": 3} and second.overvotes == 0 and second.exhausted == 2
    assert first.transfers == {} and first.transfers_exhausted == 2 and first.transfers_overvotes == 0
    assert result.winners == ["A", "B"] and result.tie_broken_by_lot is True and result.seed == SEED


def test_the_lots_seed_is_the_fingerprint_with_the_blank_ballots():
    profile = {r("A"): 1, r("B"): 1, (): 2}
    result = instant_runoff(profile, ["A", "B"], blank=3)
    assert result.seed == profile_fingerprint(profile, 3) != profile_fingerprint(profile, 0)
    assert result.blank == 5 and result.ballots == 2
    assert result.rounds[0].tie_break == "lot" and result.rounds[0].transfers_exhausted == 1
    assert result.rounds[1] == IRVRound(counts={result.winner: 1}, overvotes=0, exhausted=1)
    assert result.winners == ["A", "B"] and result.tie_broken_by_lot is True


def test_a_draw_that_cannot_change_the_winner_is_not_reported_as_a_lot_tie():
    profile = {r("A"): 4, r("B"): 3, r("C"): 2, r("D", "C"): 1, r("E", "B"): 1}
    result = instant_runoff(profile, ["A", "B", "C", "D", "E"], seed=SEED)
    assert result.rounds[0].tied_for_last == ["D", "E"] and result.rounds[0].tie_break == "lot"
    assert result.seed == SEED and result.tie_broken_by_lot is False  # either draw gives the same winner
    assert result.winners == [result.winner]


def test_the_earlier_rounds_break_a_later_tie():
    profile = {r("A"): 5, r("B"): 3, r("C"): 2, r("D", "C"): 1}
    result = instant_runoff(profile, ["A", "B", "C", "D"])
    assert [round_.eliminated for round_ in result.rounds] == ["D", "C", None]
    assert result.rounds[0].tie_break is None and result.rounds[0].tied_for_last == []
    assert result.rounds[1].counts == {"A": 5, "B": 3, "C": 3}
    assert result.rounds[1].tied_for_last == ["B", "C"] and result.rounds[1].tie_break == "earlier rounds"
    assert result.rounds[1].eliminated == "C"  # fewer votes in the first round
    assert result.rounds[2].counts == {"A": 5, "B": 3}  # C's ballots are exhausted
    assert result.rounds[2].exhausted == 3 and result.rounds[1].transfers_exhausted == 3
    assert result.tie_broken_by_lot is False and result.winner == "A" and result.seed is None


def test_the_lot_universes_are_capped(monkeypatch):
    profile = {r(c): 1 for c in "ABCDEF"}
    capped = instant_runoff(profile, list("ABCDEF"), seed="s")
    assert len(capped.winners) < 6 and capped.tie_broken_by_lot is True
    monkeypatch.setattr(irv, "MAX_LOT_UNIVERSES", 100000)
    full = instant_runoff(profile, list("ABCDEF"), seed="s")
    assert full.winners == list("ABCDEF") and full.winner == capped.winner
    monkeypatch.setattr(irv, "MAX_LOT_UNIVERSES", 0)
    none = instant_runoff(profile, list("ABCDEF"), seed="s")
    assert none.winners == [none.winner] and none.tie_broken_by_lot is True


def test_a_majority_wins_at_once_and_half_is_not_a_majority():
    result = instant_runoff({r("A"): 2, r("B"): 1, r("C"): 1}, ["A", "B", "C"], seed=SEED)
    assert len(result.rounds) > 1 and result.rounds[0].eliminated is not None
    result = instant_runoff({r("A"): 3, r("B"): 1, r("C"): 1}, ["A", "B", "C"])
    assert len(result.rounds) == 1 and result.winner == "A" and result.rounds[0].eliminated is None
