"""The rules of elections/methods/lot.py pinned one by one: the fingerprint bytes and the lot order."""
from __future__ import annotations

import hashlib

import pytest

from elections.methods.lot import (
    Lot, fingerprint, fingerprint_counts, grade_profile_fingerprint, lot_key, lot_order, profile_fingerprint,
)
from elections.methods.profile import grade_lines, ranking_lines

EMPTY = hashlib.sha256(b"").hexdigest()


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_the_fingerprint_hashes_the_sorted_lines_each_followed_by_a_newline():
    assert fingerprint(["b", "a", "é", ""]) == sha("\na\nb\né\n")
    assert fingerprint([]) == EMPTY
    assert fingerprint([""]) == sha("\n")


@pytest.mark.parametrize("line", ["a\nb", "a\rb"])
def test_a_line_break_is_refused(line):
    with pytest.raises(ValueError, match="line break"):
        fingerprint(["ok", line])
    with pytest.raises(ValueError, match="line break"):
        fingerprint_counts({"ok": 1, line: 1})


def test_the_counts_give_the_same_fingerprint_as_the_lines():
    assert fingerprint_counts({"b": 2, "a": 1, "": 1}) == fingerprint(["a", "b", "b", ""]) == sha("\na\nb\nb\n")
    assert fingerprint_counts({"a": 1, "z": 0}) == sha("a\n")
    assert fingerprint_counts({}) == EMPTY
    with pytest.raises(ValueError):
        fingerprint_counts({"a\n": 0})  # refused even when no ballot has it


def test_the_profile_fingerprints_count_their_blank_ballots():
    profile = {(frozenset({"A"}), frozenset({"B"})): 2}
    assert profile_fingerprint(profile) == fingerprint_counts(ranking_lines(profile, 0))
    assert profile_fingerprint(profile, 3) == fingerprint_counts(ranking_lines(profile, 3))
    assert profile_fingerprint(profile, 3) != profile_fingerprint(profile)
    grades = {(3, 1): 2}
    assert grade_profile_fingerprint(grades, ["A", "B"], 1) == fingerprint_counts(grade_lines(grades, ["A", "B"], 1))
    assert grade_profile_fingerprint(grades, ["A", "B"], 1) != grade_profile_fingerprint(grades, ["A", "B"])


def test_the_lot_key_and_order():
    assert lot_key(3, "seed") == hashlib.sha256(b"seed:3").digest()
    order = lot_order(["A", "B", "C", "D"], "s")
    assert order == sorted(["A", "B", "C", "D"], key=lambda c: hashlib.sha256(f"s:{c}".encode()).digest())
    assert lot_order(reversed(order), "s") == order


def test_the_lot_works_out_its_seed_only_when_drawn():
    calls = []

    def default():
        calls.append(1)
        return "s"

    lot = Lot(None, default)
    assert lot.used is False and lot.seed_if_used is None and calls == []
    order = lot_order(["A", "B", "C"], "s")
    assert lot.first(["C", "B", "A"]) == order[0]
    assert lot.used is True and lot.seed_if_used == "s" and lot.seed == "s" and calls == [1]
    assert lot.last(["A", "B", "C"]) == order[-1] and calls == [1]
    given = Lot("given", default)
    assert given.last(["A", "B", "C"]) == lot_order(["A", "B", "C"], "given")[-1]
    assert given.seed_if_used == "given" and calls == [1]
    assert Lot("x", default).seed_if_used is None
