"""The rules of elections/methods/profile.py pinned one by one: rankings, canonical strings and their reading."""
from __future__ import annotations

import gc
import random

import pytest

from elections.methods import profile as p
from elections.methods.profile import ranking


def test_places_become_groups_and_empty_places_vanish():
    assert ranking(3, [1, 2], (4,), {5}, frozenset({6}), [], set()) == (
        frozenset({3}), frozenset({1, 2}), frozenset({4}), frozenset({5}), frozenset({6}))
    assert ranking("ab") == (frozenset({"ab"}),)  # a string is one candidate, not its letters


def test_a_candidate_twice_is_refused_and_named():
    with pytest.raises(ValueError, match=r"^candidate ranked twice: \[1, 'x'\]$"):
        ranking({1, "x"}, 2, [1, "x"])


def test_profiles_aggregate_rankings_and_approvals():
    assert p.profile_from_rankings([[1, 2], (1, 2), [2]]) == {ranking(1, 2): 2, ranking(2): 1}
    assert p.profile_from_approvals([{1, 3}, [3, 1], [], ()]) == {(frozenset({1, 3}),): 2, (): 2}


def test_check_profile_refusals():
    p.check_profile({}, [])
    p.check_profile({(): 0}, ["A"])
    with pytest.raises(ValueError, match="^a ballot count is negative$"):
        p.check_profile({ranking("A"): 1, ranking("B"): -1}, ["A", "B"])
    with pytest.raises(ValueError, match="^a ranking has an empty group$"):
        p.check_profile({(frozenset(),): 1}, ["A"])
    with pytest.raises(ValueError, match=r"^unknown candidates in the profile: \['Y', 'Z'\]$"):
        p.check_profile({ranking("Z", "A", "Y"): 1}, ["A"])


def test_blank_ballots_split_from_the_counted():
    assert p.split_blank({(): 2, ranking(1): 3}, 4) == (3, 6)
    assert p.split_blank({ranking(1): 3}) == (3, 0)


def test_ints_sort_before_strings():
    assert sorted(["b", 10, "a", 2], key=p.candidate_sort_key) == [2, 10, "a", "b"]


def test_canonical_strings_of_rankings_and_grades():
    assert p.canonical_group([4, 2]) == "{2,4}" and p.canonical_group({"x"}) == "x"
    assert p.canonical_ranking(ranking(3, 1, {4, 2})) == "3,1,{2,4}"
    assert p.canonical_ranking([(), (1,)]) == "1" and p.canonical_ranking(()) == ""
    assert p.canonical_grades([5, None, 0], [4, 2, 1]) == "1:0,4:5"
    assert p.canonical_grades([None, None], [1, 2]) == ""
    assert p.canonical_grades([True], [1]) == "1:1"


@pytest.mark.parametrize("bad", ["", "a,b", "a{", "b}", "a:b", "x\ny", "x\ry"])
def test_ids_that_cannot_be_written_are_refused(bad):
    with pytest.raises(ValueError, match="cannot be written in a ballot string"):
        p.canonical_group([bad])


def test_ranking_and_grade_lines_add_blanks_and_skip_zero_counts():
    profile = {ranking(2, {1, 3}): 2, ranking(3, 1): 0, (): 1}
    assert p.ranking_lines(profile, 3) == {"2,{1,3}": 2, "": 4}
    assert p.ranking_lines({ranking(1): 1}) == {"1": 1}
    assert p.grade_lines({(0, None): 2, (1, 1): 0, (None, None): 1}, [1, 2], 2) == {"1:0": 2, "": 3}
    assert p.grade_lines({(0, 3): 1}, [2, 1]) == {"1:3,2:0": 1}


def test_parse_ranking_reads_what_canonical_ranking_writes():
    assert p.parse_ranking("7,{3,5},2") == ranking(7, {3, 5}, 2)
    assert p.parse_ranking("") == ()
    assert p.parse_ranking("x,012") == ranking("x", 12)
    assert p.parse_ranking("{a}") == ranking("a")
    assert p.parse_ranking("½") == ranking("½")  # not a decimal digit: stays text


@pytest.mark.parametrize("line, message", [
    ("{1,2", r"^unclosed '\{' in '\{1,2'$"),
    ("1}", r"^misplaced brace in '1\}'$"),
    ("1{2", r"^misplaced brace in '1\{2'$"),
    ("1,", r"^malformed ranking '1,'$"),
    ("{1}2", r"^malformed ranking '\{1\}2'$"),
    ("1,,2", r"^an empty candidate id in a ballot string$"),
    ("1,1", r"^candidate ranked twice: \[1\]$"),
])
def test_malformed_rankings_are_refused(line, message):
    with pytest.raises(ValueError, match=message):
        p.parse_ranking(line)
    with pytest.raises(ValueError, match=message):
        p.profile_from_lines({line: 1})


def test_profile_from_lines_gives_what_parse_ranking_gives():
    rng = random.Random(3)
    lines = {"": 2}
    for _ in range(200):
        places = rng.sample(["1", "2", "3", "x", "yz"], rng.randint(1, 5))
        groups, i = [], 0
        while i < len(places):
            size = rng.choice([1, 1, 2])
            group = sorted(places[i:i + size], key=lambda t: p.candidate_sort_key(p._id(t)))
            groups.append(group[0] if len(group) == 1 else "{" + ",".join(group) + "}")
            i += size
        line = ",".join(groups)
        lines[line] = lines.get(line, 0) + rng.randint(1, 3)
    profile, blank = p.profile_from_lines(lines)
    assert blank == 2
    expected: dict = {}
    for line, count in lines.items():
        if line:
            key = p.parse_ranking(line)
            expected[key] = expected.get(key, 0) + count
    assert profile == expected
    assert p.profile_from_lines({"1,2": 1, "2,1": 2, "1,2 ": 0}) == (
        {ranking(1, 2): 1, ranking(2, 1): 2, ranking(1, "2 "): 0}, 0)


def test_grade_profiles_read_back_in_candidate_order():
    assert p.grade_profile_from_lines({"1:0,4:5": 2, "4:5,1:0": 1, "": 3}, [4, 2, 1]) == (
        {(5, None, 0): 3}, 3)
    assert p.grade_profile_from_lines({"x:2": 1}, ["x", "y"]) == ({(2, None): 1}, 0)


@pytest.mark.parametrize("line", ["1", "1:", "9:0", "1:a", "1:-1", ":0"])
def test_malformed_graded_ballots_are_refused(line):
    with pytest.raises(ValueError, match="malformed graded ballot|empty candidate id"):
        p.grade_profile_from_lines({line: 1}, [1, 2])


def test_grade_profiles_from_mappings():
    assert p.grade_profile([{1: 0}, {1: 0}, {}], [1, 2]) == {(0, None): 2, (None, None): 1}
    with pytest.raises(ValueError, match=r"^unknown candidates on a graded ballot: \[3\]$"):
        p.grade_profile([{3: 1}], [1, 2])


def test_check_grade_profile_refusals():
    p.check_grade_profile({(0, 5): 1, (None, None): 0}, [1, 2], 6)
    with pytest.raises(ValueError, match="^a ballot count is negative$"):
        p.check_grade_profile({(0, 1): -1}, [1, 2], 6)
    with pytest.raises(ValueError, match="^a graded ballot has 1 entries for 2 candidates$"):
        p.check_grade_profile({(0,): 1}, [1, 2], 6)
    for grade in (6, -1, "1", 1.0):
        with pytest.raises(ValueError, match=rf"^grade {grade!r} is not an index of the 6 grades$"):
            p.check_grade_profile({(grade, 0): 1}, [1, 2], 6)


def test_the_collector_is_paused_only_while_building_and_restored():
    assert gc.isenabled()
    with p.gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with p.gc_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()
