"""Reminders at each stage of an election: each at most once per person and moment, and only to the right people."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from elections import nominations, recall, stage_reminders
from elections.certification import certification_due, certify
from extensions import db
from institutions import clock
from institutions.charter import sitting_president
from institutions.models import AuditEvent, Notification
from tests.elections.conftest import NOMINATIONS_CLOSE, VOTING_CLOSE, VOTING_OPEN


def notices_of(user, text: str) -> list[Notification]:
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                         Notification.message.contains(text))).all()


def advance(app, moment) -> str:
    """Run `flask advance` (the clock the schedule runs) at this moment; its output."""
    clock.freeze(moment)
    result = app.test_cli_runner().invoke(args=["advance"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def _elect(scene):
    for voter in scene.members[2:]:
        scene.vote(voter, {"choice": scene.candidates[0].id})
    scene.at(VOTING_CLOSE + timedelta(minutes=1))


def test_a_nominee_who_has_not_answered_is_reminded_once_48_hours_before_nominations_close(app, scene_factory):
    scene = scene_factory(members=4, candidates=1)
    waiting = nominations.nominate(scene.election, scene.members[1], scene.members[2])
    answered = nominations.nominate(scene.election, scene.members[1], scene.members[3])
    nominations.answer_nomination(answered, scene.members[3], accept=True)
    db.session.commit()
    assert "0 nominee reminders sent" in advance(app, NOMINATIONS_CLOSE - timedelta(hours=49))
    assert "1 nominee reminders sent" in advance(app, NOMINATIONS_CLOSE - timedelta(hours=47))
    assert "0 nominee reminders sent" in advance(app, NOMINATIONS_CLOSE - timedelta(hours=2))  # once
    [notice] = notices_of(scene.members[2], "waits for your answer")
    assert "Customer president 2027" in notice.message and "by " in notice.message and "(in 47 hours)" in notice.message
    assert notice.link.endswith(f"/elections/{scene.election.id}")
    # Who answered, who stood themself, and who nominated someone are not reminded.
    for person in (scene.members[0], scene.members[1], scene.members[3]):
        assert notices_of(person, "waits for your answer") == []
    assert waiting.state.value == "nominated"


def test_candidates_short_of_endorsements_are_reminded_once_and_those_with_enough_are_not(app, scene_factory):
    scene = scene_factory(members=5, candidates=2, endorsements_required=1)
    short, enough = scene.candidates
    nominations.endorse(enough, scene.members[4])
    db.session.commit()
    assert "1 endorsement reminders sent" in advance(app, NOMINATIONS_CLOSE - timedelta(hours=40))
    assert "0 endorsement reminders sent" in advance(app, NOMINATIONS_CLOSE - timedelta(hours=30))
    [notice] = notices_of(scene.members[0], "endorsements it needs")
    assert "has 0 of the 1 endorsements" in notice.message
    assert notices_of(scene.members[1], "endorsements it needs") == []
    assert short.user_id == scene.members[0].id


def test_signers_are_told_once_when_the_petition_reaches_its_threshold_and_others_are_not(app, voting_scene):
    scene = voting_scene(members=10)
    _elect(scene)
    certify(scene.election, scene.staff)
    db.session.commit()
    now = clock.utcnow()
    petition = recall.open_petition(scene.brand, scene.members[5], "Never answers us.", now)
    db.session.commit()
    assert "0 petition signers told" in advance(app, now + timedelta(minutes=1))  # not reached yet
    recall.sign(petition, scene.members[6], now + timedelta(minutes=2))
    db.session.commit()
    assert "2 petition signers told" in advance(app, now + timedelta(minutes=3))
    assert "0 petition signers told" in advance(app, now + timedelta(minutes=4))  # once
    for signer in (scene.members[5], scene.members[6]):
        [notice] = notices_of(signer, "The recall petition you signed")
        assert "reached its threshold" in notice.message and "opens on" in notice.message
    assert notices_of(scene.members[7], "The recall petition you signed") == []
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "recall.signers_told"))


def test_staff_are_reminded_of_a_count_to_certify_once_per_stage_and_not_after_certifying(app, voting_scene, make):
    scene = voting_scene()
    second_staff = make.staff(scene.brand)
    _elect(scene)
    due = certification_due(scene.election)
    assert "2 certification reminders sent" in advance(app, VOTING_CLOSE + timedelta(minutes=2))  # count is in
    assert "0 certification reminders sent" in advance(app, VOTING_CLOSE + timedelta(minutes=3))
    assert "2 certification reminders sent" in advance(app, due - timedelta(hours=47))  # 48 h before the deadline
    assert "0 certification reminders sent" in advance(app, due - timedelta(hours=1))
    for staff in (scene.staff, second_staff):
        assert len(notices_of(staff, "is in: certify it")) == 2
    assert all(notices_of(member, "certify") == [] for member in scene.members)  # staff only
    assert "2 certification reminders sent" in advance(app, due + timedelta(hours=1))  # overdue
    [overdue] = notices_of(scene.staff, "is overdue")
    assert "(60 minutes ago)" in overdue.message
    certify(scene.election, scene.staff)
    db.session.commit()
    assert "0 certification reminders sent" in advance(app, due + timedelta(days=3))


def test_staff_are_reminded_30_days_before_a_term_ends_once_after_the_90_day_reminder(app, voting_scene):
    scene = voting_scene()
    _elect(scene)
    certify(scene.election, scene.staff)
    db.session.commit()
    holding = sitting_president(scene.brand)
    output = advance(app, holding.term_ends_at - timedelta(days=80))
    assert "1 reminders sent" in output and "0 30-day term reminders sent" in output  # the 90-day one
    assert "1 30-day term reminders sent" in advance(app, holding.term_ends_at - timedelta(days=29))
    assert "0 30-day term reminders sent" in advance(app, holding.term_ends_at - timedelta(days=10))
    [notice] = notices_of(scene.staff, "should be under way")
    assert "ends on" in notice.message
    assert all(notices_of(member, "should be under way") == [] for member in scene.members)


def test_the_roll_is_told_once_when_voting_opens_and_nobody_off_the_roll(app, scene_factory, make):
    scene = scene_factory(members=3, candidates=1)
    outsider = make.user(name="Not a member")
    output = advance(app, VOTING_OPEN + timedelta(minutes=1))
    assert "3 voting-open notices sent" in output
    assert "0 voting-open notices sent" in advance(app, VOTING_OPEN + timedelta(minutes=2))
    for member in scene.members:
        [notice] = notices_of(member, "Voting is open in")
        assert "Your ballot is secret." in notice.message and notice.kind == "elections"
    assert notices_of(outsider, "Voting is open in") == []
    assert notices_of(scene.staff, "Voting is open in") == []  # staff are not on the roll
    assert stage_reminders.announce_voting_open(clock.utcnow()) == 0
