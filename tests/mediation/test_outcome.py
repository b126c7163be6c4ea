"""The outcome of a case: the extensions, the proposal and its answers, expiry, favours, compliance, withdrawal."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from institutions import clock
from mediation import deadlines, outcome
from mediation import clock as mediation_clock
from mediation.models import CaseState, Proposal
from mediation.timeline import visible_events
from institutions.errors import DomainError, Forbidden, ValidationFailed
from institutions.models import AuditEvent, Notification
from tests.conftest import T0
from tests.mediation.exchange_fixtures import OPENED_AT


def _notified(user) -> list[str]:
    return [n.message for n in db.session.scalars(select(Notification).where(Notification.user_id == user.id))]


def _propose(scene, **options) -> Proposal:
    proposal = outcome.propose(scene.case, scene.mediator, "The brand replaces the bike within 10 days.", **options)
    db.session.commit()
    return proposal


def test_both_accept_settles_the_case(ctx, case_scene):
    scene = case_scene()
    proposal = _propose(scene)
    case = scene.case
    assert case.state is CaseState.PROPOSAL
    assert deadlines.proposal_answer_due(proposal) == T0 + timedelta(days=14)
    # The notification carries the three notices and the deadline.
    told = _notified(scene.complainant)[-1]
    for notice in outcome.NOTICES:
        assert str(notice) in told
    assert "by 15 March at 09:00 (in 14 days)" in told and _notified(scene.staff)[-1] == told

    clock.freeze(T0 + timedelta(days=3))
    outcome.answer_proposal(case, scene.complainant, True)
    assert case.state is CaseState.PROPOSAL and proposal.complainant_answer == "accepted"
    outcome.answer_proposal(case, scene.staff, True)
    db.session.commit()
    assert case.state is CaseState.SETTLED and case.closed_at == T0 + timedelta(days=3)
    assert proposal.brand_answer == "accepted" and proposal.brand_answered_at == T0 + timedelta(days=3)
    assert "the case is settled" in _notified(scene.mediator)[-1]
    kinds = [event.kind for event in visible_events(case, "brand")]
    assert kinds[-4:] == ["proposal_made", "proposal_accepted", "proposal_accepted", "settled"]


def test_one_refusal_closes_the_case_not_settled(ctx, case_scene):
    scene = case_scene()
    _propose(scene)
    outcome.answer_proposal(scene.case, scene.staff, False)
    db.session.commit()
    assert scene.case.state is CaseState.NOT_SETTLED and scene.case.closed_at == T0
    assert "The brand refused the proposal" in _notified(scene.complainant)[-1]
    with pytest.raises(DomainError, match="No proposal waits"):
        outcome.answer_proposal(scene.case, scene.complainant, True)


def test_each_side_answers_once(ctx, case_scene):
    scene = case_scene()
    _propose(scene)
    outcome.answer_proposal(scene.case, scene.complainant, True)
    with pytest.raises(DomainError, match="already answered"):
        outcome.answer_proposal(scene.case, scene.complainant, False)


def test_a_non_party_cannot_answer_a_proposal(ctx, case_scene, make):
    scene = case_scene(collective=True)
    _propose(scene)
    other_brand_staff = make.staff(make.brand(slug="other"))
    for stranger in (scene.outsider, other_brand_staff, scene.mediator):
        with pytest.raises(Forbidden):
            outcome.answer_proposal(scene.case, stranger, True)
    assert scene.case.proposals[-1].complainant_answer is None and scene.case.proposals[-1].brand_answer is None


def test_the_proposal_expires_when_its_deadline_passes(ctx, case_scene):
    scene = case_scene()
    proposal = _propose(scene, answer_days=10)
    due = T0 + timedelta(days=10)
    clock.freeze(T0 + timedelta(days=2))
    outcome.answer_proposal(scene.case, scene.complainant, True)
    db.session.commit()

    clock.freeze(due - timedelta(seconds=1))
    assert outcome.expire_due_proposals() == []
    assert scene.case.state is CaseState.PROPOSAL

    clock.freeze(due)
    with pytest.raises(DomainError, match="deadline has passed"):
        outcome.answer_proposal(scene.case, scene.staff, True)
    db.session.rollback()
    assert mediation_clock.advance_due(clock.utcnow()) == [scene.case]  # the deadline run calls the expiry
    db.session.commit()
    assert scene.case.state is CaseState.NOT_SETTLED and scene.case.closed_at == due
    assert proposal.brand_answer is None
    assert [e.kind for e in scene.case.events][-2:] == ["proposal_expired", "not_settled"]
    assert "passed without both parties accepting" in _notified(scene.staff)[-1]
    assert outcome.expire_due_proposals() == []  # nothing twice


def test_r612_5_extensions_add_up_each_with_a_reason_both_parties_read_at_once(ctx, case_scene):
    scene = case_scene()
    case = scene.case
    assert deadlines.mediation_due(case) == OPENED_AT + timedelta(days=90)
    with pytest.raises(Forbidden):
        outcome.extend(case, scene.staff, "We need time")
    with pytest.raises(ValidationFailed) as no_reason:
        outcome.extend(case, scene.mediator, "")
    assert "reason" in no_reason.value.fields
    with pytest.raises(ValidationFailed) as too_long:
        outcome.extend(case, scene.mediator, "Expert report needed", days=91)
    assert "days" in too_long.value.fields
    outcome.extend(case, scene.mediator, "An expert must examine the frame", days=60)
    db.session.commit()
    assert case.extension_days == 60 and case.extended_at == T0
    assert deadlines.mediation_due(case) == OPENED_AT + timedelta(days=150)
    for party in (scene.complainant, scene.staff):
        assert "An expert must examine the frame" in _notified(party)[-1]
    assert [e for e in visible_events(case, "complainant") if e.kind == "extended"][0].note.startswith("An expert")

    # R.612-5 sets no number of extensions: a second one adds to the first, and is told at once with its reason.
    clock.freeze(T0 + timedelta(days=5))
    outcome.extend(case, scene.mediator, "A second expert is needed", days=20)
    db.session.commit()
    assert case.extension_days == 80 and case.extended_at == T0 + timedelta(days=5)
    assert case.extension_reason == "A second expert is needed"
    assert deadlines.mediation_due(case) == OPENED_AT + timedelta(days=170)
    for party in (scene.complainant, scene.staff):
        assert "by 20 days" in _notified(party)[-1] and "A second expert is needed" in _notified(party)[-1]
    assert [e.note for e in visible_events(case, "brand") if e.kind == "extended"] == [
        "An expert must examine the frame", "A second expert is needed"]


def test_no_extension_once_the_period_ended(ctx, case_scene):
    scene = case_scene()
    clock.freeze(OPENED_AT + timedelta(days=90))
    with pytest.raises(DomainError, match="already ended"):
        outcome.extend(scene.case, scene.mediator, "Too late")
    with pytest.raises(DomainError, match="has ended"):
        outcome.propose(scene.case, scene.mediator, "Too late")


@pytest.mark.parametrize("state", [CaseState.SETTLED, CaseState.NOT_SETTLED, CaseState.WITHDRAWN,
                                   CaseState.BRAND_REFUSED, CaseState.LAPSED, CaseState.REFUSED])
def test_a_proposal_on_a_closed_case_is_refused(ctx, case_scene, state):
    scene = case_scene(state=state)
    with pytest.raises(DomainError, match="only be made on an open case"):
        outcome.propose(scene.case, scene.mediator, "Let us settle")
    with pytest.raises(DomainError):
        outcome.extend(scene.case, scene.mediator, "Complex")


def test_proposal_refusals(ctx, case_scene):
    waiting = case_scene(brand_answered=False)
    with pytest.raises(DomainError, match="not agreed to take part"):
        outcome.propose(waiting.case, waiting.mediator, "A solution")
    scene = case_scene(slug="other")
    with pytest.raises(Forbidden):
        outcome.propose(scene.case, scene.complainant, "My own solution")
    with pytest.raises(ValidationFailed) as days:
        outcome.propose(scene.case, scene.mediator, "A solution", answer_days=3)
    assert "answer_days" in days.value.fields
    _propose(scene)
    with pytest.raises(DomainError, match="already waits"):
        outcome.propose(scene.case, scene.mediator, "Another solution")


def test_the_mediator_records_whom_the_outcome_favours(ctx, case_scene):
    scene = case_scene()
    with pytest.raises(DomainError, match="once the case is settled"):
        outcome.record_favours(scene.case, scene.mediator, "consumer")
    _propose(scene)
    outcome.answer_proposal(scene.case, scene.complainant, True)
    outcome.answer_proposal(scene.case, scene.staff, True)
    with pytest.raises(Forbidden):
        outcome.record_favours(scene.case, scene.staff, "brand")
    with pytest.raises(ValidationFailed):
        outcome.record_favours(scene.case, scene.mediator, "nobody")
    outcome.record_favours(scene.case, scene.mediator, "amicable")
    db.session.commit()
    assert scene.case.outcome_favours == "amicable"
    assert "outcome_recorded" not in [e.kind for e in visible_events(scene.case, "brand")]

    refused = case_scene(slug="other")
    _propose(refused)
    outcome.answer_proposal(refused.case, refused.complainant, False)
    with pytest.raises(DomainError, match="amicable split needs a settlement"):
        outcome.record_favours(refused.case, refused.mediator, "amicable")
    outcome.record_favours(refused.case, refused.mediator, "brand")
    assert refused.case.outcome_favours == "brand"


def test_the_complainant_confirms_compliance_once(ctx, case_scene):
    scene = case_scene()
    with pytest.raises(DomainError, match="after a settlement"):
        outcome.record_compliance(scene.case, scene.complainant, True)
    _propose(scene)
    outcome.answer_proposal(scene.case, scene.complainant, True)
    outcome.answer_proposal(scene.case, scene.staff, True)
    with pytest.raises(Forbidden):
        outcome.record_compliance(scene.case, scene.staff, True)
    clock.freeze(T0 + timedelta(days=20))
    outcome.record_compliance(scene.case, scene.complainant, False)
    db.session.commit()
    assert scene.case.complied is False and scene.case.compliance_recorded_at == T0 + timedelta(days=20)
    assert "did not comply" in _notified(scene.mediator)[-1] and "did not comply" in _notified(scene.staff)[-1]
    with pytest.raises(DomainError, match="already said"):
        outcome.record_compliance(scene.case, scene.complainant, True)


@pytest.mark.parametrize("state", [CaseState.FILED, CaseState.INCOMPLETE, CaseState.OPEN])
def test_the_complainant_withdraws_before_the_outcome(ctx, case_scene, state):
    scene = case_scene(state=state)
    outcome.withdraw(scene.case, scene.complainant, "We found an agreement directly")
    db.session.commit()
    assert scene.case.state is CaseState.WITHDRAWN and scene.case.closed_at == T0
    assert scene.case.closing_note == "We found an agreement directly"
    assert "withdrew" in _notified(scene.mediator)[-1]
    # The brand hears of it only when the case had been opened (before, it was never told of the case).
    assert bool(_notified(scene.staff)) is (state is CaseState.OPEN)
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.withdrawn"))
    assert audit is not None and not audit.is_public and "agreement" not in audit.payload


def test_withdrawal_while_a_proposal_waits_and_its_refusals(ctx, case_scene):
    scene = case_scene(collective=True)
    _propose(scene)
    with pytest.raises(Forbidden):
        outcome.withdraw(scene.case, scene.outsider)
    outcome.withdraw(scene.case, scene.complainant)
    assert scene.case.state is CaseState.WITHDRAWN and scene.case.closing_note is None
    with pytest.raises(DomainError, match="already closed"):
        outcome.withdraw(scene.case, scene.complainant)


def test_no_withdrawal_once_a_deadline_decided_the_outcome(ctx, case_scene):
    scene = case_scene()
    _propose(scene)
    clock.freeze(T0 + timedelta(days=14))
    with pytest.raises(DomainError, match="deadline"):
        outcome.withdraw(scene.case, scene.complainant)
