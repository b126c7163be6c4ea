"""`flask bench seed-election`: the data bench/vote_load.py casts its ballots into."""
from __future__ import annotations

import json

from sqlalchemy import func, select

from elections.models import Ballot, Candidacy, Election, ElectionState, RollEntry, VoteRecord
from extensions import db
from institutions import clock
from institutions.models import ApiToken


def _seed(app, tmp_path, *arguments):
    tokens_file = tmp_path / "tokens.txt"
    result = app.test_cli_runner().invoke(
        args=["bench", "seed-election", "--tokens-file", str(tokens_file), *arguments]
    )
    assert result.exit_code == 0, result.output
    return result, tokens_file


def test_seed_election_prints_ids_writes_tokens_and_a_token_casts(app, client, tmp_path):
    result, tokens_file = _seed(app, tmp_path, "--voters", "5", "--method", "plurality")

    stdout_lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(stdout_lines) == 1
    seeded = json.loads(stdout_lines[0])
    assert set(seeded) == {"election_id", "candidate_ids"}
    assert len(seeded["candidate_ids"]) == 4
    tokens = tokens_file.read_text().splitlines()
    assert len(tokens) == 5 and len(set(tokens)) == 5
    assert all(token.startswith("trb_") for token in tokens)
    assert clock._frozen is None  # the command gives the real clock back

    with app.app_context():
        election = db.session.get(Election, seeded["election_id"])
        assert election.state is ElectionState.VOTING
        assert election.voting_open_at <= clock.utcnow() < election.voting_close_at
        assert election.roll_size == 5
        assert db.session.scalar(
            select(func.count()).select_from(RollEntry).where(RollEntry.election_id == election.id)) == 5
        on_ballot = db.session.scalars(
            select(Candidacy.id).where(Candidacy.election_id == election.id, Candidacy.on_ballot.is_(True))
            .order_by(Candidacy.ballot_position)).all()
        assert on_ballot == seeded["candidate_ids"]
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 5

    url = f"/api/v1/elections/{seeded['election_id']}/ballots"
    headers = {"Authorization": f"Bearer {tokens[2]}"}
    cast = client.post(url, json={"choice": seeded["candidate_ids"][1]}, headers=headers)
    assert cast.status_code == 201, cast.get_json()
    assert cast.get_json()["tracker"]
    again = client.post(url, json={"choice": seeded["candidate_ids"][0]}, headers=headers)
    assert again.status_code == 409

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
        assert db.session.scalar(select(func.count()).select_from(VoteRecord)) == 1


def test_seed_election_ranked_method_and_fewer_candidates(app, client, tmp_path):
    result, tokens_file = _seed(app, tmp_path, "--voters", "3", "--method", "schulze", "--candidates", "2")
    seeded = json.loads(result.stdout)
    assert len(seeded["candidate_ids"]) == 2
    token = tokens_file.read_text().split()[0]
    cast = client.post(f"/api/v1/elections/{seeded['election_id']}/ballots",
                       json={"ranking": list(reversed(seeded["candidate_ids"]))},
                       headers={"Authorization": f"Bearer {token}"})
    assert cast.status_code == 201, cast.get_json()


def test_seed_election_refuses_more_candidates_than_voters(app, tmp_path):
    result = app.test_cli_runner().invoke(args=[
        "bench", "seed-election", "--voters", "2", "--candidates", "3", "--tokens-file", str(tmp_path / "t.txt"),
    ])
    assert result.exit_code != 0
    assert not (tmp_path / "t.txt").exists()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Election)) == 0
