"""Ballot files: PrefLib reading and writing, the CSV export, malformed files."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from elections.ballot_files import parse_csv, read_ballot_file, write_csv, write_graded_csv
from elections.methods import (
    GRADES,
    canonical_ranking,
    fingerprint_counts,
    grade_profile_from_lines,
    instant_runoff,
    parse_ranking,
    plurality,
    profile_fingerprint,
    profile_from_lines,
    ranking,
    schulze,
)
from elections.preflib import MalformedBallotFile, parse_preflib, read_preflib, write_cat, write_toi

DATA = Path(__file__).resolve().parents[1] / "data" / "preflib"

HEADER = "# DATA TYPE: toi\n# NUMBER ALTERNATIVES: 3\n# ALTERNATIVE NAME 1: Ann\n" \
         "# ALTERNATIVE NAME 2: Bob\n# ALTERNATIVE NAME 3: Cy\n"


def test_reads_orders_with_ties_blanks_and_spaces():
    data = parse_preflib(HEADER + "4: 1,2,3\n3: 2, {1, 3}\n2: {1,2}\n1: 3\n5:\n")
    assert data.kind == "ranked" and data.candidates == [1, 2, 3]
    assert data.names == {1: "Ann", 2: "Bob", 3: "Cy"}
    assert data.profile == {ranking(1, 2, 3): 4, ranking(2, {1, 3}): 3, ranking({1, 2}): 2, ranking(3): 1}
    assert data.blank == 5 and data.ballots == 15


def test_duplicate_order_lines_add_up_and_crlf_is_accepted():
    data = parse_preflib(HEADER.replace("\n", "\r\n") + "4: 1,2\r\n3: 1,2\r\n")
    assert data.profile == {ranking(1, 2): 7}


def test_reads_every_real_file_consistently_with_its_header():
    for path in sorted(DATA.glob("*.toi")):
        data = read_preflib(path)
        assert data.ballots == int(data.metadata["NUMBER VOTERS"])
        assert len(data.candidates) == int(data.metadata["NUMBER ALTERNATIVES"])


@pytest.mark.parametrize(("data_line", "message"), [
    ("x: 1,2", "not a whole number"),
    ("-2: 1,2", "negative"),
    ("3: 1,4", "alternative 4 is not in 1..3"),
    ("3: 1,2,1", "appears twice"),
    ("3: 1,{2,3", "without its closing"),
    ("3: 1,,2", "empty place"),
    ("3: 1,2,", "ends with ','"),
    ("3: 1,{}", "empty group"),
    ("3 1,2", "expected 'count: order'"),
    ("# NUMBER VOTERS: 3", "header line after the data"),
])
def test_malformed_lines_are_named(data_line, message):
    text = HEADER + "4: 1,2,3\n" + data_line + "\n2: 3\n"
    with pytest.raises(MalformedBallotFile) as error:
        parse_preflib(text, source="votes.toi")
    assert error.value.line == 7
    assert message in str(error.value) and "votes.toi: line 7" in str(error.value)


def test_header_totals_must_match_the_data():
    with pytest.raises(MalformedBallotFile) as error:
        parse_preflib(HEADER + "# NUMBER VOTERS: 9\n4: 1,2,3\n")
    assert error.value.line == 6 and "NUMBER VOTERS is 9" in str(error.value)
    with pytest.raises(MalformedBallotFile) as error:
        parse_preflib(HEADER + "# NUMBER UNIQUE ORDERS: 2\n4: 1,2,3\n")
    assert error.value.line == 6
    with pytest.raises(MalformedBallotFile) as error:
        parse_preflib("# TITLE: no alternatives\n1: 1\n")
    assert "NUMBER ALTERNATIVES" in str(error.value)
    with pytest.raises(MalformedBallotFile):
        parse_preflib(HEADER.replace("toi", "wmd") + "1: 1\n")


def test_invalid_utf8_is_named(tmp_path):
    path = tmp_path / "bad.toi"
    path.write_bytes(HEADER.encode() + b"1: 1\n# TITLE: \xff\n")
    with pytest.raises(MalformedBallotFile) as error:
        read_preflib(path)
    assert error.value.line == 7


def random_profile(rng: random.Random, candidates: list) -> dict:
    profile: dict = {}
    for _ in range(rng.randint(1, 40)):
        order = rng.sample(candidates, rng.randint(0, len(candidates)))
        places, i = [], 0
        while i < len(order):
            size = rng.choice([1, 1, 2])
            places.append(set(order[i:i + size]))
            i += size
        key = ranking(*places)
        profile[key] = profile.get(key, 0) + rng.randint(1, 9)
    return profile


def test_toi_round_trip_keeps_ballots_and_fingerprint(tmp_path):
    rng = random.Random(11)
    for trial in range(20):
        candidates = [f"c{i}" for i in range(rng.randint(1, 7))]
        profile = random_profile(rng, candidates)
        names = {c: f"Name, {c.upper()} ‘{trial}’" for c in candidates}
        path = tmp_path / f"export{trial}.toi"
        path.write_text(write_toi(profile, candidates, names, blank=3, title="Test"), encoding="utf-8")
        data = read_preflib(path)
        expected = {key: count for key, count in profile.items() if key}
        assert data.candidates == candidates  # the ids survive (# ALTERNATIVE ID lines)
        assert data.profile == expected
        assert data.blank == 3 + profile.get((), 0)
        assert data.names == names
        assert data.fingerprint() == profile_fingerprint(expected, data.blank)


def test_write_soi_data_type_and_preflibtools_style_spacing():
    text = write_toi({ranking(2, 1): 3}, [1, 2], data_type="soi")
    assert "# DATA TYPE: soi" in text and text.endswith("3: 2,1\n")
    spaced = parse_preflib("# NUMBER ALTERNATIVES: 4\n3: 1, 2, {3, 4}\n2: 4 ,3 \n")
    assert spaced.profile == {ranking(1, 2, {3, 4}): 3, ranking(4, 3): 2}


def test_cat_round_trip():
    candidates = ["a", "b", "c"]
    profile = {(0, 5, None): 2, (2, 2, 1): 1, (None, None, None): 4}
    text = write_cat(profile, candidates, {"a": "Ann", "b": "Bob", "c": "Cy"})
    assert "# NUMBER CATEGORIES: 6" in text and "# BLANK BALLOTS: 4" in text
    data = parse_preflib(text)
    assert data.kind == "graded" and data.grades == list(GRADES)
    assert data.profile == {(0, 5, None): 2, (2, 2, 1): 1}
    assert data.blank == 4


def test_csv_round_trip_for_ranked_ballots(tmp_path):
    rng = random.Random(12)
    candidates = [10, 20, 30, 40]
    names = {10: "Ann, Jr.", 20: 'Bob "B"', 30: "Cy", 40: "Dee"}
    profile = random_profile(rng, candidates)
    text = write_csv(profile, candidates, names, blank=2)
    path = tmp_path / "ballots.csv"
    path.write_text(text, encoding="utf-8")
    data = read_ballot_file(path)
    assert data.kind == "ranked"
    assert data.candidates == candidates and data.names == names
    assert data.profile == {key: count for key, count in profile.items() if key}
    assert data.blank == 2 + profile.get((), 0)
    assert len(text.strip().splitlines()) == 2 + data.ballots  # header, id row, one row per ballot
    # The count is the same from the CSV as from the PrefLib export.
    toi = parse_preflib(write_toi(profile, candidates, names, blank=2))
    assert instant_runoff(data.profile, data.candidates, seed="0").to_dict() == \
        instant_runoff(toi.profile, toi.candidates, seed="0").to_dict()
    assert data.fingerprint() == toi.fingerprint()


def test_csv_reads_rank_numbers_by_order_and_blank_rows():
    data = parse_csv("ballot,A,B,C\nx1,1,3,3\nx2,,,\nx3,5,,2\n")
    assert data.profile == {ranking(1, {2, 3}): 1, ranking(3, 1): 1}
    assert data.blank == 1


def test_csv_graded_ballots():
    text = write_graded_csv({(0, None, 5): 2, (None, None, None): 1}, [1, 2, 3], {1: "A", 2: "B", 3: "C"})
    assert "Excellent" in text and "Reject" in text
    data = parse_csv(text)
    assert data.kind == "graded" and data.profile == {(0, None, 5): 2} and data.blank == 1
    assert parse_csv("ballot,A\n1,very GOOD\n").profile == {(1,): 1}


@pytest.mark.parametrize(("body", "line", "message"), [
    ("1,1,2\n2,1\n", 3, "expected 3 cells"),
    ("1,1,2\n2,0,1\n", 3, "whole number from 1"),
    ("1,1,2\n2,Good,\n", 3, "graded ballot in a file of ranked"),
    ("1,Good,\n2,Great,\n", 3, "not a grade"),
])
def test_csv_errors_are_named(body, line, message):
    with pytest.raises(MalformedBallotFile) as error:
        parse_csv("ballot,A,B\n" + body)
    assert error.value.line == line and message in str(error.value)
    with pytest.raises(MalformedBallotFile) as error:
        parse_csv("voter,A,B\n1,1,2\n")
    assert error.value.line == 1


def test_csv_with_quoted_labels():
    data = parse_csv('ballot,A,B\n"tracker, 1",1,2\n"t2",2,1\n')
    assert data.profile == {ranking(1, 2): 1, ranking(2, 1): 1}


def test_schulze_from_csv_and_toi_agree():
    rng = random.Random(13)
    candidates = [1, 2, 3, 4, 5]
    profile = random_profile(rng, candidates)
    from_csv = parse_csv(write_csv(profile, candidates))
    from_toi = parse_preflib(write_toi(profile, candidates))
    assert schulze(from_csv.profile, from_csv.candidates).pairwise == \
        schulze(from_toi.profile, from_toi.candidates).pairwise


def test_exports_keep_the_ballot_box_ids_so_fingerprint_and_lot_match(tmp_path):
    # The ballot box keeps canonical lines over its own candidate ids (here 17, 12, 31).
    box = {"17,12": 3, "12,{17,31}": 2, "31": 3, "": 1}
    names = {17: "Ann", 12: "Bob", 31: "Cy"}
    box_fingerprint = fingerprint_counts(box)
    profile, blank = profile_from_lines(box)
    candidates = [17, 12, 31]
    in_app = plurality(profile, candidates, blank=blank, seed=box_fingerprint)
    assert in_app.tie_broken_by_lot  # Ann 3, Cy 3
    for file_name, text in (("box.toi", write_toi(profile, candidates, names, blank=blank)),
                            ("box.csv", write_csv(profile, candidates, names, blank=blank))):
        path = tmp_path / file_name
        path.write_text(text, encoding="utf-8")
        data = read_ballot_file(path)
        assert data.candidates == candidates and data.names == names
        assert data.fingerprint() == box_fingerprint
        recounted = plurality(data.profile, data.candidates, blank=data.blank)
        assert recounted.seed == box_fingerprint and recounted.winner == in_app.winner


def test_graded_exports_keep_ids():
    box = {"3:0,5:2": 2, "3:5,5:5": 1, "": 1}
    candidates = [3, 5]
    profile, blank = grade_profile_from_lines(box, candidates)
    for text in (write_cat(profile, candidates, blank=blank), write_graded_csv(profile, candidates, blank=blank)):
        data = parse_preflib(text) if text.startswith("#") else parse_csv(text)
        assert data.candidates == candidates and data.kind == "graded"
        assert data.profile == profile and data.blank == 1
        assert data.fingerprint() == fingerprint_counts(box)


def test_bad_id_rows_and_headers():
    with pytest.raises(MalformedBallotFile) as error:
        parse_csv("ballot,A,B\n#id,1,1\n1,1,\n")
    assert error.value.line == 2
    with pytest.raises(MalformedBallotFile):
        parse_preflib("# NUMBER ALTERNATIVES: 2\n# ALTERNATIVE ID 1: 7\n1: 1\n")
    with pytest.raises(ValueError):
        write_toi({}, ["a,b"])


def test_parse_ranking_reads_canonical_lines_back():
    assert parse_ranking("7,{3,5},yes") == ranking(7, {3, 5}, "yes")
    assert parse_ranking("") == ()
    for bad in ("1,", "{1,2", "1,,2", "1{2}", "1,1"):
        with pytest.raises(ValueError):
            parse_ranking(bad)
    rng = random.Random(14)
    for _ in range(50):
        key = ranking(*random_profile(rng, [1, 2, 3, 11, "x"]).popitem()[0])
        assert parse_ranking(canonical_ranking(key)) == key


def test_profile_from_lines_agrees_with_parse_ranking_on_every_line():
    # The fast path (strict rankings, memoized groups) must give what parse_ranking gives.
    box = {"7,3": 2, "3,7": 1, "07,3": 4, "yes,7": 1, "7,{3,5},2": 2, "{3,5}": 1, "": 3, "x y,7": 1}
    profile, blank = profile_from_lines(box)
    expected: dict = {}
    for line, count in box.items():
        if line:
            key = parse_ranking(line)
            expected[key] = expected.get(key, 0) + count
    assert profile == expected and blank == 3
    assert profile[ranking(7, 3)] == 6  # "7,3" and "07,3" are the same ballot
    for bad in ("1,", "1,,2", "1}", "1,1", "7,07", "{1,2", "1{2}"):
        with pytest.raises(ValueError):
            profile_from_lines({"1,2": 1, bad: 1})


def test_grade_profile_from_lines_reuses_pairs_and_refuses_bad_ones():
    box = {"3:0,5:2": 2, "3:2,5:0": 1, "5:2": 1, "": 2}
    profile, blank = grade_profile_from_lines(box, [3, 5])
    assert profile == {(0, 2): 2, (2, 0): 1, (None, 2): 1} and blank == 2
    for bad in ("3:0,5", "3:0,7:1", "3:x", ":1", "3:0,"):
        with pytest.raises(ValueError):
            grade_profile_from_lines({"3:0,5:2": 1, bad: 1}, [3, 5])
