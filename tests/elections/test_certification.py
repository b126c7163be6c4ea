"""After the count: quorum, certification, taking office, reminders and recall."""
from datetime import timedelta

import pytest

from elections import ballot_box, recall
from elections import clock as elections_clock
from elections.certification import certify, remind_terms_ending
from institutions.charter import sitting_president
from elections.models import ElectionKind, ElectionState
from extensions import db
from institutions import clock
from institutions.errors import DomainError, Forbidden
from institutions.models import Notification
from tests.elections.conftest import VOTING_CLOSE


def _elect(scene, winner_index=0):
    for voter in scene.members[2:]:
        scene.vote(voter, {"choice": scene.candidates[winner_index].id})
    scene.at(VOTING_CLOSE + timedelta(minutes=1))


def test_certification_installs_the_winner_as_president(voting_scene, client):
    scene = voting_scene()
    with pytest.raises(DomainError) as refusal:
        certify(scene.election, scene.staff)  # still voting
    assert "closed" in refusal.value.message
    _elect(scene)
    with pytest.raises(Forbidden):
        certify(scene.election, scene.members[3])
    counted = scene.election.result_json
    certify(scene.election, scene.staff)
    db.session.commit()
    assert scene.election.state is ElectionState.CERTIFIED and scene.election.result_json == counted
    holding = sitting_president(scene.brand)
    assert holding.user_id == scene.members[0].id and holding.source == f"election:{scene.election.id}"
    assert holding.term_ends_at.year == scene.election.certified_at.year + 2
    assert "Member 0" in client.get("/b/acme/charter").text
    with pytest.raises(DomainError):
        certify(scene.election, scene.staff)


def test_below_quorum_there_is_no_winner(voting_scene):
    scene = voting_scene(quorum_percent=80)  # 5 on the roll: 4 ballots needed
    for voter in scene.members[:3]:
        scene.vote(voter, {"choice": scene.candidates[0].id})
    scene.at(VOTING_CLOSE)
    assert scene.election.outcome == "no_quorum" and scene.election.winner_candidacy_id is None
    certify(scene.election, scene.staff)
    assert sitting_president(scene.brand) is None


def test_result_is_computed_once_with_its_fingerprint(voting_scene):
    scene = voting_scene("irv")
    a, b = (c.id for c in scene.candidates)
    scene.vote(scene.members[2], {"ranking": [a, b]})
    scene.vote(scene.members[3], {"ranking": [b]})
    scene.vote(scene.members[4], {"ranking": [a]})
    scene.at(VOTING_CLOSE)
    result = ballot_box.stored_result(scene.election)
    assert result["winner"] == a and result["rounds"]
    from elections.methods.lot import fingerprint

    assert scene.election.fingerprint == fingerprint([f"{a},{b}", f"{b}", f"{a}"])


def test_staff_are_reminded_before_the_term_ends(voting_scene):
    scene = voting_scene()
    _elect(scene)
    certify(scene.election, scene.staff)
    db.session.commit()
    holding = sitting_president(scene.brand)
    clock.freeze(holding.term_ends_at - timedelta(days=100))
    assert remind_terms_ending() == 0
    clock.freeze(holding.term_ends_at - timedelta(days=80))
    assert remind_terms_ending() == 1
    assert remind_terms_ending() == 0  # once
    assert db.session.scalar(db.select(Notification).where(Notification.user_id == scene.staff.id,
                                                           Notification.message.contains("schedule the next election")))


def test_recall_petition_obliges_a_vote_whose_yes_ends_the_presidency(voting_scene, make):
    scene = voting_scene(members=10)
    _elect(scene)
    certify(scene.election, scene.staff)
    db.session.commit()
    now = clock.utcnow()
    with pytest.raises(Forbidden):
        recall.open_petition(scene.brand, scene.staff, "staff cannot", now)
    petition = recall.open_petition(scene.brand, scene.members[5], "Never answers us.", now)
    assert petition.threshold == 2  # 20 % of 10 verified members
    with pytest.raises(DomainError):
        recall.sign(petition, scene.members[5], now)  # once
    recall.sign(petition, scene.members[6], now)
    db.session.commit()
    vote = db.session.get(type(scene.election), petition.recall_election_id)
    assert vote.kind is ElectionKind.RECALL and vote.state is ElectionState.NOMINATIONS
    clock.freeze(vote.voting_open_at + timedelta(minutes=1))
    elections_clock.advance_election(vote, clock.utcnow())
    for voter in scene.members[1:8]:
        ballot_box.cast_ballot(vote, voter, {"choice": "yes"})
    ballot_box.cast_ballot(vote, scene.members[8], {"choice": "no"})
    clock.freeze(vote.voting_close_at)
    elections_clock.advance_election(vote, clock.utcnow())
    assert vote.outcome == "recall_carried"
    certify(vote, scene.staff)
    assert sitting_president(scene.brand) is None


def test_petition_window_closes(voting_scene):
    scene = voting_scene(members=10)
    _elect(scene)
    certify(scene.election, scene.staff)
    petition = recall.open_petition(scene.brand, scene.members[5], "Reason", clock.utcnow())
    with pytest.raises(DomainError) as refusal:
        recall.sign(petition, scene.members[6], petition.closes_at + timedelta(seconds=1))
    assert "window" in refusal.value.message
