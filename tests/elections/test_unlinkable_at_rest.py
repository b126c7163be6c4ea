"""Once voting closes, nothing stored links a voter to their ballot (PostgreSQL: xmin, ctid, ids, dead rows)."""
from __future__ import annotations

import itertools
import random
from datetime import timedelta

import pytest
from sqlalchemy import text

from elections import ballots
from extensions import db
from tests.elections.conftest import VOTING_CLOSE

VOTERS = 48
XMIN_PAIRS = ("SELECT count(*) FROM vote_records v JOIN ballots b ON b.election_id = v.election_id "
              "AND b.xmin::text = v.xmin::text WHERE v.election_id = :e")


@pytest.fixture
def postgresql(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("xmin and ctid are PostgreSQL's system columns")


def _voted_scene(voting_scene):
    """48 voters, in a random order, each ranking the 4 candidates in one of the 24 orders (2 voters per order)."""
    scene = voting_scene("irv", members=VOTERS, candidates=4)
    ids = [c.id for c in scene.candidates]
    rankings = list(itertools.permutations(ids))
    expected = {}  # voter id -> the canonical content of their own ballot
    order = list(range(VOTERS))
    random.Random(9).shuffle(order)
    for n in order:
        voter = scene.members[n]
        ranking = list(rankings[n % len(rankings)])
        scene.vote(voter, {"ranking": ranking})
        expected[voter.id] = ballots.encode(scene.election.method, ids, {"ranking": ranking})
    return scene, expected


def _physical(election_id: int, order_by: str) -> tuple[list, list]:
    """The voters and the ballot contents of the election, each table in the given order."""
    voters = db.session.scalars(text(f"SELECT user_id FROM vote_records WHERE election_id = :e ORDER BY {order_by}"),
                                {"e": election_id}).all()
    contents = db.session.scalars(text(f"SELECT content FROM ballots WHERE election_id = :e ORDER BY {order_by}"),
                                  {"e": election_id}).all()
    return voters, contents


def _own_choice_pairs(expected: dict, voters: list, contents: list) -> int:
    """How many voters the two orders pair with a ballot saying exactly what they chose."""
    return sum(1 for voter, content in zip(voters, contents) if expected[voter] == content)


def test_during_voting_the_tables_do_link_voters_and_ballots(postgresql, voting_scene):
    """The control: the attack works before close, so the tests below can fail."""
    scene, expected = _voted_scene(voting_scene)
    assert db.session.scalar(text(XMIN_PAIRS), {"e": scene.election.id}) == VOTERS
    assert _own_choice_pairs(expected, *_physical(scene.election.id, "ctid")) == VOTERS


def test_after_close_no_xmin_pairs_a_voter_with_a_ballot(postgresql, voting_scene):
    scene, _expected = _voted_scene(voting_scene)
    scene.at(VOTING_CLOSE + timedelta(minutes=1))
    assert scene.election.ballots_counted == VOTERS
    assert db.session.scalar(text(XMIN_PAIRS), {"e": scene.election.id}) == 0
    assert db.session.scalar(text("SELECT count(*) FROM vote_records WHERE election_id = :e"),
                             {"e": scene.election.id}) == VOTERS


def test_after_close_physical_order_and_ids_pair_no_more_than_chance(postgresql, voting_scene):
    scene, expected = _voted_scene(voting_scene)
    ids_before = set(db.session.scalars(text("SELECT id FROM ballots")).all())
    scene.at(VOTING_CLOSE + timedelta(minutes=1))
    # Each ranking is on 2 of the 48 ballots: a random pairing matches about 2 voters (10 or more: p < 1e-5).
    assert _own_choice_pairs(expected, *_physical(scene.election.id, "ctid")) < 10
    contents_by_id = db.session.scalars(text("SELECT content FROM ballots WHERE election_id = :e ORDER BY id"),
                                        {"e": scene.election.id}).all()
    assert _own_choice_pairs(expected, _physical(scene.election.id, "ctid")[0], contents_by_id) < 10
    ids_after = set(db.session.scalars(text("SELECT id FROM ballots")).all())
    assert ids_before.isdisjoint(ids_after) and len(ids_after) == VOTERS
    # What was counted is what is stored: same contents, same trackers.
    assert sorted(expected.values()) == sorted(_physical(scene.election.id, "ctid")[1])


def test_after_close_the_deleted_rows_are_reclaimed(postgresql, voting_scene):
    """No dead tuple of the old order stays in the pages (read with pageinspect when it is available)."""
    scene, _expected = _voted_scene(voting_scene)
    scene.at(VOTING_CLOSE + timedelta(minutes=1))
    try:
        with db.engine.begin() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
    except Exception:  # noqa: BLE001 - not a superuser, or contrib missing
        pytest.skip("pageinspect is not available")
    for table in ("vote_records", "ballots"):
        stored = db.session.scalar(text(
            f"SELECT count(*) FROM generate_series(0, pg_relation_size('{table}') / "
            f"current_setting('block_size')::int - 1) AS block, "
            f"heap_page_items(get_raw_page('{table}', block::int)) WHERE t_xmin IS NOT NULL"))
        live = db.session.scalar(text(f"SELECT count(*) FROM {table}"))
        assert stored == live == VOTERS, table
