"""Recounts of real elections (PrefLib copies in tests/data/preflib) against their published
outcomes, through the library and through ``python -m elections.recount``."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from elections.ballot_files import read_ballot_file
from elections.methods import instant_runoff, plurality, schulze
from elections.preflib import read_preflib

DATA = Path(__file__).resolve().parents[1] / "data" / "preflib"
ROOT = Path(__file__).resolve().parents[2]
BURLINGTON_2009 = DATA / "00005-00000002.toi"

IRV_WINNERS = {
    "00005-00000002.toi": "Bob Kiss",
    "00005-00000001.toi": "Bob Kiss",
    "00021-00000011.toi": "Ed Lee",
    "00021-00000010.toi": "George GascÓN",
    "00021-00000012.toi": "Ross Mirkarimi",
    "00021-00000006.toi": "Malia Cohen",
    "00021-00000001.toi": "Eric Mar",
}
IRV_RUNNERS_UP = {
    "00005-00000001.toi": "Hinda Miller",
    "00021-00000011.toi": "John Avalos",
    "00005-00000002.toi": "Kurt Wright",
}


def recount(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "elections.recount", *map(str, arguments)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def recount_json(path, method: str, *extra: str) -> dict:
    completed = recount(path, "--method", method, "--json", *extra)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


# --- through the library -------------------------------------------------------------------

def names_of(data, candidates):
    return [data.names[c] for c in candidates]


def test_burlington_2009_irv_elects_kiss_with_the_published_first_round():
    data = read_preflib(BURLINGTON_2009)
    assert data.ballots == 8980
    result = instant_runoff(data.profile, data.candidates, blank=data.blank)
    assert data.names[result.winner] == "Bob Kiss"
    first = {data.names[c]: votes for c, votes in result.rounds[0].counts.items()}
    assert first["Kurt Wright"] == 2951
    assert first["Bob Kiss"] == 2585
    assert first["Andy Montroll"] == 2063
    assert first["Dan Smith"] == 1306
    final = {data.names[c]: votes for c, votes in result.rounds[-1].counts.items()}
    assert set(final) == {"Bob Kiss", "Kurt Wright"}
    # Certified 4,313-4,061; PrefLib's copy of the ballots gives a few more to each.
    assert abs(final["Bob Kiss"] - 4313) <= 5 and abs(final["Kurt Wright"] - 4061) <= 5
    assert not result.tie_broken_by_lot


def test_burlington_2009_schulze_elects_montroll_the_condorcet_winner():
    data = read_preflib(BURLINGTON_2009)
    result = schulze(data.profile, data.candidates)
    by_name = {data.names[c]: c for c in data.candidates}
    montroll, kiss, wright = by_name["Andy Montroll"], by_name["Bob Kiss"], by_name["Kurt Wright"]
    assert (result.pairwise[montroll][kiss], result.pairwise[kiss][montroll]) == (4067, 3477)
    assert (result.pairwise[montroll][wright], result.pairwise[wright][montroll]) == (4597, 3668)
    assert result.winner == montroll and result.winners == [montroll]


def test_burlington_2009_plurality_elects_wright():
    data = read_preflib(BURLINGTON_2009)
    result = plurality(data.profile, data.candidates)
    assert data.names[result.winner] == "Kurt Wright"
    assert result.counts[result.winner] == 2951


@pytest.mark.parametrize("file_name", sorted(IRV_WINNERS))
def test_published_irv_winners(file_name):
    data = read_preflib(DATA / file_name)
    assert data.ballots == int(data.metadata["NUMBER VOTERS"])
    result = instant_runoff(data.profile, data.candidates, blank=data.blank)
    assert data.names[result.winner] == IRV_WINNERS[file_name]
    assert not result.tie_broken_by_lot
    if file_name in IRV_RUNNERS_UP:
        final = result.rounds[-1].counts
        assert sorted(names_of(data, final)) == sorted([IRV_WINNERS[file_name], IRV_RUNNERS_UP[file_name]])


def test_san_francisco_district_10_takes_21_rounds_and_sweet_led_the_first():
    data = read_preflib(DATA / "00021-00000006.toi")
    result = instant_runoff(data.profile, data.candidates)
    assert len(result.rounds) == 21
    first = result.rounds[0].counts
    assert data.names[max(first, key=first.get)] == "Lynette Sweet"
    assert data.names[result.winner] == "Malia Cohen"


# --- through the command -------------------------------------------------------------------

def test_cli_burlington_irv_json():
    output = recount_json(BURLINGTON_2009, "irv")
    assert output["method"] == "instant-runoff"
    assert output["winner"] == "Bob Kiss"
    assert output["ballots"] == 8980 and output["blank"] == 0
    first = output["rounds"][0]
    assert first["counts"]["Kurt Wright"] == 2951 and first["counts"]["Bob Kiss"] == 2585
    assert first["counts"]["Andy Montroll"] == 2063 and first["counts"]["Dan Smith"] == 1306
    assert first["eliminated"] == "James Simpson"
    assert first["exhausted"] == 0
    assert output["rounds"][-1]["eliminated"] is None
    assert set(output["rounds"][-1]["counts"]) == {"Bob Kiss", "Kurt Wright"}


def test_cli_burlington_schulze_and_plurality_json():
    output = recount_json(BURLINGTON_2009, "schulze")
    assert output["winner"] == "Andy Montroll"
    assert output["pairwise"]["Andy Montroll"]["Bob Kiss"] == 4067
    assert output["pairwise"]["Bob Kiss"]["Andy Montroll"] == 3477
    assert output["pairwise"]["Andy Montroll"]["Kurt Wright"] == 4597
    assert output["pairwise"]["Kurt Wright"]["Andy Montroll"] == 3668
    assert "strongest_paths" in output
    output = recount_json(BURLINGTON_2009, "plurality")
    assert output["winner"] == "Kurt Wright" and output["counts"]["Kurt Wright"] == 2951


@pytest.mark.parametrize("file_name", sorted(set(IRV_WINNERS) - {"00005-00000002.toi"}))
def test_cli_san_francisco_and_2006_winners(file_name):
    assert recount_json(DATA / file_name, "irv")["winner"] == IRV_WINNERS[file_name]


def test_cli_human_readable_output():
    completed = recount(BURLINGTON_2009, "--method", "irv")
    assert completed.returncode == 0
    assert "Round 1" in completed.stdout and "Kurt Wright    2,951" in completed.stdout
    assert completed.stdout.rstrip().endswith("Winner: Bob Kiss")
    assert "Fingerprint: " in completed.stdout


@pytest.mark.parametrize(("method", "winner"), [
    ("plurality", "Kurt Wright"), ("approval", "Andy Montroll"), ("schulze", "Andy Montroll")])
def test_cli_human_readable_output_of_every_ranked_method(method, winner):
    completed = recount(BURLINGTON_2009, "--method", method)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.rstrip().endswith(f"Winner: {winner}")


def test_cli_fingerprint_matches_the_library():
    output = recount_json(BURLINGTON_2009, "plurality", "--fingerprint")
    assert output["fingerprint"] == read_preflib(BURLINGTON_2009).fingerprint()


def test_cli_malformed_file_exits_2_naming_the_line(tmp_path):
    text = BURLINGTON_2009.read_text(encoding="utf-8").splitlines()
    text[25] = "12: 1,2,9"  # alternative 9 does not exist
    bad = tmp_path / "bad.toi"
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    completed = recount(bad, "--method", "irv", "--json")
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert "line 26" in completed.stderr and "alternative 9" in completed.stderr


def test_cli_missing_file_and_wrong_ballot_kind_exit_2(tmp_path):
    assert recount(tmp_path / "none.toi", "--method", "irv").returncode == 2
    completed = recount(BURLINGTON_2009, "--method", "majority-judgment")
    assert completed.returncode == 2 and "graded" in completed.stderr


def test_cli_majority_judgment_on_a_cat_file(tmp_path):
    cat = tmp_path / "mj.cat"
    cat.write_text(
        "# DATA TYPE: cat\n# NUMBER ALTERNATIVES: 2\n# NUMBER VOTERS: 5\n# NUMBER CATEGORIES: 6\n"
        + "".join(f"# CATEGORY NAME {i}: {g}\n" for i, g in enumerate(
            ["Excellent", "Very good", "Good", "Fair", "Poor", "Reject"], start=1))
        + "# ALTERNATIVE NAME 1: Ann\n# ALTERNATIVE NAME 2: Bob\n"
        "2: 1,2,{},{},{},{}\n2: {},{},1,2,{},{}\n1: {},{},{},{},{},{1,2}\n",
        encoding="utf-8")
    output = recount_json(cat, "majority-judgment")
    assert output["winner"] == "Ann"
    human = recount(cat, "--method", "majority-judgment").stdout
    assert "Good" in human and human.rstrip().endswith("Winner: Ann")
    assert output["medians"] == {"Ann": 2, "Bob": 3}
    assert output["profiles"]["Bob"] == [0, 2, 0, 2, 0, 1]


def test_cli_seed_decides_a_tie_reproducibly(tmp_path):
    tie = tmp_path / "tie.soi"
    tie.write_text("# NUMBER ALTERNATIVES: 2\n# ALTERNATIVE NAME 1: Ann\n# ALTERNATIVE NAME 2: Bob\n"
                   "3: 1,2\n3: 2,1\n", encoding="utf-8")
    default = recount_json(tie, "plurality")
    assert default["tie_broken_by_lot"] and default["winners"] == ["Ann", "Bob"]
    assert default["seed"] == read_ballot_file(tie).fingerprint()
    assert recount_json(tie, "plurality") == default
    winners = {recount_json(tie, "plurality", "--seed", f"{seed:064x}")["winner"] for seed in range(8)}
    assert winners == {"Ann", "Bob"}


def test_cli_imports_neither_flask_nor_sqlalchemy():
    probe = ("import runpy, sys; sys.argv = ['recount', sys.argv[1], '--method', 'plurality', '--json'];"
             "import io, contextlib\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n"
             "    try: runpy.run_module('elections.recount', run_name='__main__')\n"
             "    except SystemExit: pass\n"
             "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'werkzeug'))\n"
             "print(bad)")
    completed = subprocess.run([sys.executable, "-c", probe, str(BURLINGTON_2009)], cwd=ROOT,
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"
