"""The published ballots: a recount of the downloaded files finds the stored winner and fingerprint."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest

from elections import ballot_box
from elections.ballot_files import parse_csv
from elections.preflib import parse_preflib
from elections.recount import count
from tests.elections.conftest import VOTING_CLOSE, VOTING_OPEN

RECOUNT_METHOD = {"plurality": "plurality", "approval": "approval", "irv": "irv", "schulze": "schulze",
                  "majority-judgment": "majority-judgment"}


def _choices(method: str, a: int, b: int, c: int) -> list[dict]:
    """Five ballots per method where candidate a wins, plus a blank vote."""
    if method == "plurality":
        votes = [{"choice": a}, {"choice": a}, {"choice": a}, {"choice": b}, {"choice": c}]
    elif method == "approval":
        votes = [{"approvals": [a, b]}, {"approvals": [a]}, {"approvals": [a, c]}, {"approvals": [b]},
                 {"approvals": [c]}]
    elif method == "majority-judgment":
        votes = [{"grades": {a: 0, b: 3, c: 5}}, {"grades": {a: 1, b: 2, c: 4}}, {"grades": {a: 1, b: 0, c: 5}},
                 {"grades": {a: 4, b: 1, c: 0}}, {"grades": {a: 2, b: 2, c: 2}}]
    else:
        votes = [{"ranking": [a, b, c]}, {"ranking": [a, c]}, {"ranking": [b, a]}, {"ranking": [c, a, b]},
                 {"ranking": [a]}]
    return votes + [{"blank": True}]


def _closed(voting_scene, method: str):
    scene = voting_scene(method, members=7, candidates=3)
    a, b, c = (candidacy.id for candidacy in scene.candidates)
    for voter, choice in zip(scene.members, _choices(method, a, b, c)):
        scene.vote(voter, choice)
    scene.at(VOTING_CLOSE + timedelta(minutes=1))
    return scene


@pytest.mark.parametrize("method", list(RECOUNT_METHOD))
def test_recounting_both_downloads_finds_the_stored_result(voting_scene, client, method):
    scene = _closed(voting_scene, method)
    election = scene.election
    base = f"/b/{scene.brand.slug}/elections/{election.id}"
    extension = "cat" if method == "majority-judgment" else "toi"

    csv_response = client.get(f"{base}/ballots.csv")
    preflib_response = client.get(f"{base}/ballots.{extension}")
    assert csv_response.status_code == 200 and preflib_response.status_code == 200
    assert f"election-{election.id}-ballots.csv" in csv_response.headers["Content-Disposition"]
    assert f"election-{election.id}-ballots.{extension}" in preflib_response.headers["Content-Disposition"]

    winner_name = ballot_box.option_names(election)[election.winner_candidacy_id]
    for data in (parse_csv(csv_response.get_data(as_text=True)),
                 parse_preflib(preflib_response.get_data(as_text=True), data_type=extension)):
        assert data.fingerprint() == election.fingerprint
        assert data.blank == 1
        result = count(data, RECOUNT_METHOD[method])
        assert data.names[result.winner] == winner_name


def test_recount_command_reads_the_downloaded_file(voting_scene, client, tmp_path):
    scene = _closed(voting_scene, "irv")
    response = client.get(f"/b/{scene.brand.slug}/elections/{scene.election.id}/ballots.toi")
    path = tmp_path / "ballots.toi"
    path.write_bytes(response.data)
    completed = subprocess.run([sys.executable, "-m", "elections.recount", str(path), "--method", "irv", "--json"],
                               capture_output=True, text=True, check=True)
    printed = json.loads(completed.stdout)
    assert printed["winner"] == scene.candidates[0].display_name
    assert printed["ballots"] == 5


def test_ballots_are_not_published_during_the_vote(voting_scene, client):
    scene = voting_scene("irv", members=3, candidates=2)
    scene.vote(scene.members[0], {"ranking": [scene.candidates[0].id]})
    base = f"/b/{scene.brand.slug}/elections/{scene.election.id}"
    assert client.get(f"{base}/ballots.csv").status_code == 404
    assert client.get(f"{base}/ballots.toi").status_code == 404
    response = client.get(f"/api/v1/elections/{scene.election.id}/ballots.csv")
    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == "The ballots are published when voting closes."


def test_a_graded_election_has_no_toi_file(voting_scene, client):
    scene = _closed(voting_scene, "majority-judgment")
    assert client.get(f"/b/{scene.brand.slug}/elections/{scene.election.id}/ballots.toi").status_code == 404
    response = client.get(f"/api/v1/elections/{scene.election.id}/ballots.toi")
    assert response.status_code == 404
    assert "ballots.cat" in response.get_json()["error"]["message"]
    api = client.get(f"/api/v1/elections/{scene.election.id}/ballots.cat")
    assert api.status_code == 200 and "# DATA TYPE: cat" in api.get_data(as_text=True)


def test_a_formula_candidate_name_is_neutralised_and_the_recount_reads_it_back(scene_factory, client, tmp_path):
    scene = scene_factory("irv", members=5, candidates=0)
    from elections import nominations
    from extensions import db

    evil_name = '=HYPERLINK("http://evil.example","x")'
    scene.members[0].display_name = evil_name
    scene.members[1].display_name = "@Bob"
    for person in scene.members[:2]:
        scene.candidates.append(nominations.nominate(scene.election, person, person))
    db.session.commit()
    scene.at(VOTING_OPEN + timedelta(minutes=1))
    a, b = (c.id for c in scene.candidates)
    for voter, ranking in zip(scene.members, ([a, b], [a], [b, a])):
        scene.vote(voter, {"ranking": ranking})
    scene.at(VOTING_CLOSE + timedelta(minutes=1))
    text = client.get(f"/b/acme/elections/{scene.election.id}/ballots.csv").get_data(as_text=True)
    header = text.splitlines()[0]
    assert header.startswith("ballot,") and "'=HYPERLINK" in header and ",'@Bob" in header
    cells = [cell for line in text.splitlines() for cell in line.split(",")]
    assert not any(cell.lstrip('"').startswith(("=", "+", "-", "@")) for cell in cells)
    data = parse_csv(text)
    assert sorted(data.names.values()) == sorted([evil_name, "@Bob"])
    assert data.fingerprint() == scene.election.fingerprint
    path = tmp_path / "ballots.csv"
    path.write_text(text, encoding="utf-8")
    completed = subprocess.run([sys.executable, "-m", "elections.recount", str(path), "--method", "irv", "--json"],
                               capture_output=True, text=True, check=True)
    assert json.loads(completed.stdout)["winner"] == evil_name
