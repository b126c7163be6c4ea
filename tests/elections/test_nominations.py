"""Nominations: standing, nominating, accepting, endorsing, statements and withdrawal."""
from datetime import timedelta

import pytest

from elections import nominations, phases
from elections.models import CandidacyState
from extensions import db
from institutions import clock
from institutions.errors import DomainError, Forbidden, ValidationFailed
from tests.elections.conftest import NOMINATIONS_CLOSE, VOTING_OPEN, pending_member


def test_nominating_another_member_waits_for_acceptance(scene_factory):
    scene = scene_factory(candidates=0)
    proposer, nominee, other = scene.members[:3]
    candidacy = nominations.nominate(scene.election, proposer, nominee)
    assert candidacy.state is CandidacyState.NOMINATED
    with pytest.raises(Forbidden):
        nominations.answer_nomination(candidacy, other, True)
    nominations.answer_nomination(candidacy, nominee, True)
    assert candidacy.state is CandidacyState.ACCEPTED
    with pytest.raises(DomainError):
        nominations.answer_nomination(candidacy, nominee, False)
    with pytest.raises(DomainError) as refusal:
        nominations.nominate(scene.election, other, nominee)
    assert "already nominated" in refusal.value.message


def test_pending_members_staff_and_late_joiners_neither_stand_nor_endorse(scene_factory, make):
    scene = scene_factory(candidates=1)
    candidacy = scene.candidates[0]
    pending = pending_member(make, scene.brand)
    late = make.member(scene.brand)  # joined after the cut-off (now > T0)
    for outsider in (pending, scene.staff, late):
        with pytest.raises(Forbidden):
            nominations.nominate(scene.election, outsider, outsider)
        with pytest.raises(Forbidden):
            nominations.endorse(candidacy, outsider)
    with pytest.raises(DomainError) as refusal:
        nominations.nominate(scene.election, scene.members[2], late)
    assert "not eligible" in refusal.value.message


def test_endorsements_are_once_per_member_and_never_ones_own(scene_factory):
    scene = scene_factory(candidates=1)
    candidacy = scene.candidates[0]
    supporter = scene.members[3]
    nominations.endorse(candidacy, supporter)
    with pytest.raises(DomainError) as refusal:
        nominations.endorse(candidacy, supporter)
    assert "already endorsed" in refusal.value.message
    with pytest.raises(DomainError):
        nominations.endorse(candidacy, scene.members[0])
    assert len(candidacy.endorsements) == 1


def test_candidates_without_enough_endorsements_are_not_on_the_ballot(scene_factory):
    scene = scene_factory(candidates=2, endorsements_required=2)
    endorsed, short = scene.candidates
    for supporter in scene.members[2:4]:
        nominations.endorse(endorsed, supporter)
    nominations.endorse(short, scene.members[4])
    db.session.commit()
    scene.at(NOMINATIONS_CLOSE + timedelta(minutes=1))
    assert endorsed.on_ballot is True
    assert short.on_ballot is False and short.exclusion_reason == "endorsements"
    assert phases.ballot_candidacies(scene.election) == [endorsed]


def test_nothing_is_accepted_outside_the_nominations_window(scene_factory):
    scene = scene_factory(candidates=1)
    clock.freeze(NOMINATIONS_CLOSE + timedelta(minutes=1))
    with pytest.raises(DomainError) as refusal:
        nominations.nominate(scene.election, scene.members[3], scene.members[3])
    assert "Nominations are not open" in refusal.value.message
    with pytest.raises(DomainError):
        nominations.endorse(scene.candidates[0], scene.members[3])


def test_statement_is_sanitized_and_can_be_rejected_only_with_a_reason(scene_factory):
    scene = scene_factory(candidates=1)
    candidacy = scene.candidates[0]
    nominations.write_statement(candidacy, scene.members[0], "**Fair prices** <script>alert(1)</script>"
                                                              "[x](javascript:alert(1))")
    html = str(nominations.render_statement(candidacy.statement_markdown))
    assert "<strong>Fair prices</strong>" in html and "<script" not in html and "javascript:" not in html
    with pytest.raises(Forbidden):
        nominations.write_statement(candidacy, scene.members[1], "not mine")
    with pytest.raises(Forbidden):
        nominations.reject_statement(candidacy, scene.members[1], "I dislike it")
    with pytest.raises(ValidationFailed):
        nominations.reject_statement(candidacy, scene.staff, "")
    nominations.reject_statement(candidacy, scene.staff, "Insults another member (rule 3).")
    assert candidacy.statement_rejected_reason == "Insults another member (rule 3)."


def test_withdrawal_until_voting_opens(scene_factory):
    scene = scene_factory(candidates=2)
    first, second = scene.candidates
    scene.at(NOMINATIONS_CLOSE + timedelta(minutes=1))
    nominations.withdraw(first, scene.members[0])
    assert first.on_ballot is False and first.exclusion_reason == "withdrew"
    scene.at(VOTING_OPEN + timedelta(minutes=1))
    with pytest.raises(DomainError):
        nominations.withdraw(second, scene.members[1])
