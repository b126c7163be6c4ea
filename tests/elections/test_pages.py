"""Election pages as a person uses them: the booth, the receipt, the bulletin board, results, recall."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from elections import lifecycle, nominations, recall
from elections.models import Ballot
from extensions import db
from institutions import clock
from institutions.errors import DomainError
from tests.conftest import login
from tests.elections.conftest import VOTING_CLOSE

TRACKER = re.compile(r'id="tracker-code"[^>]*>([A-Z0-9-]{23})<')


def _booth(scene):
    return f"/b/{scene.brand.slug}/elections/{scene.election.id}"


def _form_for(method: str, a: int, b: int) -> dict:
    return {"plurality": {"choice": str(a)}, "approval": {"approvals": [str(a), str(b)]},
            "irv": {"rank-1": str(b), "rank-2": str(a)}, "schulze": {"rank-1": str(a)},
            "majority-judgment": {f"grade-{a}": "0", f"grade-{b}": "3"}}[method]


@pytest.mark.parametrize("method", ["plurality", "approval", "irv", "schulze", "majority-judgment"])
def test_a_member_votes_through_the_booth_and_gets_a_tracker_once(voting_scene, client, method):
    scene = voting_scene(method)
    a, b = (c.id for c in scene.candidates)
    voter = scene.members[3]
    login(client, voter)
    booth = client.get(f"{_booth(scene)}/vote")
    assert booth.status_code == 200 and "Vote blank" in booth.get_data(as_text=True)
    confirm = client.post(f"{_booth(scene)}/vote", data=_form_for(method, a, b))
    page = confirm.get_data(as_text=True)
    assert "Check your ballot" in page and "Cast my ballot" in page
    choice = re.search(r'name="choice" value="([^"]+)"', page).group(1).replace("&#34;", '"')
    assert db.session.query(Ballot).count() == 0  # nothing is cast before the confirmation
    receipt = client.post(f"{_booth(scene)}/vote/cast", data={"choice": choice})
    assert receipt.status_code == 200 and receipt.headers["Cache-Control"] == "no-store"
    assert TRACKER.search(receipt.get_data(as_text=True))
    again = client.post(f"{_booth(scene)}/vote/cast", data={"choice": choice}, follow_redirects=True)
    assert "already voted" in again.get_data(as_text=True)
    assert db.session.query(Ballot).count() == 1
    detail = client.get(_booth(scene)).get_data(as_text=True)
    assert "You have voted." in detail


def test_a_ranking_with_a_gap_is_explained_and_nothing_is_lost(voting_scene, client):
    scene = voting_scene("irv")
    a, b = (c.id for c in scene.candidates)
    login(client, scene.members[3])
    response = client.post(f"{_booth(scene)}/vote", data={"rank-2": str(a)})
    page = response.get_data(as_text=True)
    assert "Rank 1 is empty but a later rank is filled" in page
    assert "Check your ballot" not in page
    twice = client.post(f"{_booth(scene)}/vote", data={"rank-1": str(a), "rank-2": str(a)}).get_data(as_text=True)
    assert "the same candidate at two ranks" in twice


def test_the_booth_refuses_staff_and_those_off_the_roll(voting_scene, client, make):
    scene = voting_scene("plurality")
    login(client, scene.staff)
    page = client.post(f"{_booth(scene)}/vote/cast", data={"choice": '{"blank": true}'},
                       follow_redirects=True).get_data(as_text=True)
    assert "Brand staff never stand, endorse or vote" in page
    assert db.session.query(Ballot).count() == 0


def test_the_bulletin_board_finds_a_tracker_by_post_and_shows_the_ballot_after_close(voting_scene, client):
    scene = voting_scene("plurality")
    a, _b = (c.id for c in scene.candidates)
    tracker = scene.vote(scene.members[3], {"choice": a})
    board = f"{_booth(scene)}/bulletin"
    while_voting = client.post(board, data={"tracker": tracker.lower().replace("-", " ")})
    text = while_voting.get_data(as_text=True)
    assert "Your ballot is in the box." in text and "after voting closes" in text
    assert while_voting.headers["Cache-Control"] == "no-store"
    assert "Not found:" in client.post(board, data={"tracker": "AAAAA-BBBBB-CCCCC-DDDDD"}).get_data(as_text=True)
    assert client.post(board, data={"tracker": ""}).status_code == 422
    scene.at(VOTING_CLOSE + timedelta(minutes=1))
    after = client.post(board, data={"tracker": tracker}).get_data(as_text=True)
    assert "It says:" in after and scene.candidates[0].display_name in after
    assert f"election-{scene.election.id}-ballots.csv" in after and "ballots.toi" in after


def test_results_page_shows_winner_detail_and_charts(voting_scene, client):
    scene = voting_scene("schulze", members=4, candidates=2)
    a, b = (c.id for c in scene.candidates)
    for voter in scene.members[:3]:
        scene.vote(voter, {"ranking": [b, a]})
    scene.at(VOTING_CLOSE + timedelta(minutes=1))
    page = client.get(f"{_booth(scene)}/results").get_data(as_text=True)
    assert scene.candidates[1].display_name in page
    assert "<svg" in page and "<table" in page
    assert f"ballots.toi" in page


def test_statement_headings_stay_below_the_candidate_heading(scene_factory):
    scene = scene_factory("plurality")
    nominations.write_statement(scene.candidates[0], scene.members[0], "# My programme\n\n## Prices")
    html = str(nominations.render_statement(scene.candidates[0].statement_markdown))
    assert "<h4>My programme</h4>" in html and "<h5>Prices</h5>" in html and "<h1" not in html


def _carried_petition(voting_scene, client):
    """A certified president, and a petition that reached its threshold."""
    from elections.certification import certify
    scene = voting_scene("plurality", members=6, candidates=2)
    for voter in scene.members[:3]:
        scene.vote(voter, {"choice": scene.candidates[0].id})
    scene.at(VOTING_CLOSE + timedelta(minutes=1))
    certify(scene.election, scene.staff)
    db.session.commit()
    now = clock.utcnow()
    petition = recall.open_petition(scene.brand, scene.members[4], "Never answers us.", now)
    for signer in scene.members[5:]:
        if petition.succeeded_at is None:
            recall.sign(petition, signer, now)
    db.session.commit()
    return scene, petition


def test_the_recall_page_shows_the_scheduled_vote_and_no_new_petition(voting_scene, client):
    scene, petition = _carried_petition(voting_scene, client)
    assert petition.succeeded_at is not None
    login(client, scene.members[2])
    page = client.get(f"/b/{scene.brand.slug}/recall/").get_data(as_text=True)
    assert "Go to the recall vote" in page and "The successful petition" in page
    assert "Open a petition" not in page
    with pytest.raises(DomainError, match="recall vote is already scheduled"):
        recall.open_petition(scene.brand, scene.members[2], "Again", clock.utcnow())


def test_staff_cannot_cancel_a_recall_vote(voting_scene, client):
    scene, petition = _carried_petition(voting_scene, client)
    vote = db.session.get(type(scene.election), petition.recall_election_id)
    with pytest.raises(DomainError, match="cannot be cancelled by the brand"):
        lifecycle.cancel(vote, scene.staff, "We would rather not")
    login(client, scene.staff)
    page = client.get(f"/b/{scene.brand.slug}/elections/{vote.id}").get_data(as_text=True)
    assert "Cancel the election" not in page
