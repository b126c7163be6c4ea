"""The secret ballot: the frozen roll, one ballot per voter, trackers, and no link from voter to ballot."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, inspect

from elections import ballot_box
from elections.models import Ballot, Election, RollEntry, VoteRecord
from extensions import db
from institutions import accounts, clock
from institutions.errors import DomainError, Forbidden, ValidationFailed
from institutions.models import ApiToken
from tests.elections.conftest import VOTING_CLOSE, VOTING_OPEN, pending_member


def test_a_voter_gets_a_tracker_and_is_marked_as_having_voted(voting_scene):
    scene = voting_scene()
    voter = scene.members[2]
    tracker = scene.vote(voter, {"choice": scene.candidates[0].id})
    assert len(tracker) == 23
    assert ballot_box.has_voted(scene.election, voter)
    stored = db.session.scalars(db.select(Ballot)).one()
    assert stored.tracker_hash == ballot_box.tracker_hash(tracker) and tracker not in stored.tracker_hash
    assert ballot_box.check_tracker(scene.election, tracker.lower()).found
    assert ballot_box.check_tracker(scene.election, tracker).choice is None  # nothing shown while voting


def test_second_ballot_is_refused(voting_scene):
    scene = voting_scene()
    voter = scene.members[2]
    scene.vote(voter, {"choice": scene.candidates[0].id})
    with pytest.raises(DomainError) as refusal:
        scene.vote(voter, {"choice": scene.candidates[1].id})
    assert "already voted" in refusal.value.message
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Ballot)) == 1


def test_those_off_the_roll_cannot_vote(voting_scene, make):
    scene = voting_scene()
    choice = {"choice": scene.candidates[0].id}
    late = make.member(scene.brand)  # joined after the cut-off
    for outsider in (pending_member(make, scene.brand), scene.staff, late, make.user()):
        with pytest.raises(Forbidden):
            scene.vote(outsider, choice)
        db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Ballot)) == 0


def test_no_vote_outside_the_voting_period(voting_scene):
    scene = voting_scene()
    clock.freeze(VOTING_OPEN - timedelta(minutes=5))
    with pytest.raises(DomainError):
        ballot_box.cast_ballot(scene.election, scene.members[2], {"blank": True})
    scene.at(VOTING_CLOSE + timedelta(minutes=1))
    with pytest.raises(DomainError) as refusal:
        scene.vote(scene.members[2], {"blank": True})
    assert "Voting is not open" in refusal.value.message


@pytest.mark.parametrize("method, choice, field", [
    ("plurality", {"choice": 999}, "choice"),
    ("plurality", {}, "choice"),
    ("approval", {"approvals": []}, "approvals"),
    ("irv", {"ranking": []}, "ranking"),
    ("irv", {"ranking": ["A", "B"]}, "ranking"),
    ("schulze", {"ranking": "first"}, "ranking"),
    ("majority-judgment", {"grades": {}}, "grades"),
    ("majority-judgment", {"grades": {"1": 9}}, "grades"),
    ("plurality", {"blank": True, "choice": 1}, "blank"),
])
def test_invalid_ballots_are_refused_with_the_field(voting_scene, method, choice, field):
    scene = voting_scene(method)
    with pytest.raises(ValidationFailed) as refusal:
        scene.vote(scene.members[2], choice)
    assert field in refusal.value.fields


def test_a_ranking_naming_a_candidate_twice_is_refused(voting_scene):
    scene = voting_scene("irv")
    first = scene.candidates[0].id
    with pytest.raises(ValidationFailed) as refusal:
        scene.vote(scene.members[2], {"ranking": [first, first]})
    assert "twice" in refusal.value.message


def test_blank_votes_count_in_turnout(voting_scene):
    scene = voting_scene("schulze")
    scene.vote(scene.members[2], {"blank": True})
    scene.vote(scene.members[3], {"ranking": [scene.candidates[1].id]})
    scene.at(VOTING_CLOSE)
    election = scene.election
    assert (election.ballots_counted, election.blank_ballots) == (2, 1)
    assert election.winner_candidacy_id == scene.candidates[1].id


def test_the_schema_cannot_join_a_ballot_to_a_voter(app):
    """Roll and ballot box share no key, no sequence, no timestamp."""
    with app.app_context():
        inspector = inspect(db.engine)
        ballot_columns = {c["name"]: c for c in inspector.get_columns("ballots")}
        assert set(ballot_columns) == {"id", "election_id", "tracker_hash", "content"}
        ballot_fks = {fk["referred_table"] for fk in inspector.get_foreign_keys("ballots")}
        assert ballot_fks == {"elections"}
        for table in ("vote_records", "roll_entries", "ballots"):
            columns = inspector.get_columns(table)
            assert not any("time" in str(c["type"]).lower() or c["name"].endswith("_at") for c in columns), table
            # No autoincrementing surrogate key to line up with another table's insertion order.
            assert not any(c.get("autoincrement") is True for c in columns), table
        shared = set(ballot_columns) & {c["name"] for c in inspector.get_columns("vote_records")}
        assert shared == {"election_id"}
        assert set(VoteRecord.__table__.primary_key.columns.keys()) == {"election_id", "user_id"}
        assert Ballot.__table__.c.id.type.length == 32  # a random uuid4, not a sequence
        if db.engine.dialect.name == "sqlite":
            # Without rowid, SQLite keeps no hidden insertion counter either.
            for table in ("ballots", "vote_records", "roll_entries"):
                sql = db.session.execute(db.text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}).scalar()
                assert "WITHOUT ROWID" in sql, table


def test_ballots_do_not_follow_the_order_of_voting(voting_scene):
    """On SQLite (no rowid) rows are stored by their random key. PostgreSQL's heap order follows the
    order of voting until close, when the close rewrites it (tests/elections/test_unlinkable_at_rest.py)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("physical row order is only controlled on SQLite")
    scene = voting_scene(members=8, candidates=2)
    voters = scene.members[2:8]
    for voter in voters:
        scene.vote(voter, {"choice": scene.candidates[0].id})
    ids = db.session.scalars(db.select(Ballot.id)).all()
    assert ids == sorted(ids)  # stored by random key, so this order says nothing of who came first
    assert len(set(ids)) == len(voters)


def test_concurrent_double_submissions_count_once(app, voting_scene):
    scene = voting_scene(members=6, candidates=2)
    election_id, choice = scene.election.id, {"choice": scene.candidates[0].id}
    voter_ids = [m.id for m in scene.members]
    outcomes = []

    def submit(voter_id):
        with app.app_context():
            from institutions.models import User

            election = db.session.get(Election, election_id)
            try:
                ballot_box.cast_ballot(election, db.session.get(User, voter_id), dict(choice))
                db.session.commit()
                outcomes.append("cast")
            except DomainError:
                db.session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=submit, args=(voter_id,)) for voter_id in voter_ids for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    ballots = db.session.scalar(db.select(db.func.count()).select_from(Ballot))
    records = db.session.scalar(db.select(db.func.count()).select_from(VoteRecord))
    assert outcomes.count("cast") == len(voter_ids) == ballots == records
    assert outcomes.count("refused") == 3 * len(voter_ids)
    assert db.session.scalar(db.select(db.func.count()).select_from(RollEntry)) == 6


def test_the_voters_standing_is_read_in_one_query(voting_scene, make, count_queries):
    scene = voting_scene(members=6, candidates=3)
    voter = scene.members[4]
    db.session.refresh(scene.election)  # loaded, as a caller holds them
    db.session.refresh(voter)
    with count_queries() as counter:
        standing = ballot_box.voter_standing(scene.election, voter)
    assert counter.count == 1
    options = ballot_box.options_of(scene.election)
    assert standing == ballot_box.VoterStanding(on_roll=True, voted=False, options=options)
    assert len(standing.options) == 3
    scene.vote(voter, {"blank": True})
    assert ballot_box.voter_standing(scene.election, voter).voted
    assert not ballot_box.voter_standing(scene.election, make.user()).on_roll


def test_refusals_come_in_order_off_the_roll_then_malformed_then_second_ballot(voting_scene):
    scene = voting_scene()
    with pytest.raises(Forbidden):  # not a voter: said first, even of a malformed ballot
        scene.vote(scene.staff, {"choice": 999})
    db.session.rollback()
    voter = scene.members[2]
    scene.vote(voter, {"choice": scene.candidates[0].id})
    with pytest.raises(ValidationFailed):
        scene.vote(voter, {"choice": 999})
    db.session.rollback()
    with pytest.raises(DomainError) as refusal:
        scene.vote(voter, {"choice": scene.candidates[1].id})
    assert "already voted" in refusal.value.message


def test_a_second_ballot_racing_past_the_check_is_refused_by_the_key(voting_scene, monkeypatch):
    scene = voting_scene()
    voter = scene.members[2]
    scene.vote(voter, {"choice": scene.candidates[0].id})
    # As if a concurrent submission read the standing before the first ballot was committed.
    stale = ballot_box.VoterStanding(on_roll=True, voted=False, options=ballot_box.options_of(scene.election))
    monkeypatch.setattr(ballot_box, "voter_standing", lambda election, person: stale)
    with pytest.raises(DomainError) as refusal:
        scene.vote(voter, {"choice": scene.candidates[1].id})
    assert "already voted" in refusal.value.message
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Ballot)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(VoteRecord)) == 1


def test_casting_through_the_api_takes_a_few_statements_and_one_commit(app, voting_scene, client, count_queries):
    scene = voting_scene()
    token, secret = accounts.create_api_token(scene.members[2], "tests")
    db.session.commit()
    url, headers = f"/api/v1/elections/{scene.election.id}/ballots", {"Authorization": f"Bearer {secret}"}
    choice = {"choice": scene.candidates[0].id}
    commits = []

    def count_commit(connection):
        commits.append(connection)

    event.listen(db.engine, "commit", count_commit)
    try:
        with count_queries() as first:
            assert client.post(url, json=choice, headers=headers).status_code == 201
        assert len(commits) == 1  # the ballot, its roll row and the token's use, together
        with count_queries() as second:
            assert client.post(url, json=choice, headers=headers).status_code == 409
        assert len(commits) == 1
    finally:
        event.remove(db.engine, "commit", count_commit)
    # token and account, election, standing, roll row, ballot, token use; then token, election, standing
    assert first.count <= 6 and second.count <= 3, (first.count, second.count)
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is not None
