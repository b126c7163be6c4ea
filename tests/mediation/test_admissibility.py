"""Admissibility (incomplete, refused, opened), the brand's answer, objections and the admin's decision."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from extensions import db
from institutions import clock
from mediation import admissibility, deadlines
from mediation.models import CaseState
from mediation.timeline import visible_events
from institutions.errors import DomainError, Forbidden, ValidationFailed
from tests.conftest import T0
from tests.mediation.filing_fixtures import PDF, file_case, notes_of


@pytest.fixture
def filed(panel, make):
    """A panel of two mediators and a case filed by Carla, assigned to Maya."""

    def build():
        scene = panel(mediators=2)
        carla = make.member(scene.brand, user=make.user(name="Carla Complainant"))
        return scene, carla, file_case(scene, carla)

    return build


def _kinds(case, role="mediator"):
    return [event.kind for event in visible_events(case, role)]


def test_the_mediator_opens_a_case_and_both_parties_are_told(ctx, filed):
    scene, carla, case = filed()
    clock.freeze(T0 + timedelta(days=2))
    admissibility.open_case(case, scene.mediators[0])
    db.session.commit()
    assert case.state is CaseState.OPEN and case.opened_at == T0 + timedelta(days=2)
    assert deadlines.brand_answer_due(case) == T0 + timedelta(days=22)
    assert deadlines.mediation_due(case) == T0 + timedelta(days=92)
    told = notes_of(carla)[-1]
    # Deadlines are written for the reader (here in English, UTC), with the time left.
    assert "may withdraw from the mediation at any time" in told and "runs until 1 June at 09:00 (in 3 months)" in told
    assert "Answer by 23 March at 09:00 (in 20 days) whether the brand takes part" in notes_of(scene.staff)[-1]
    assert _kinds(case, "brand")[-1] == "opened"


def test_only_the_cases_mediator_decides(ctx, filed, make):
    scene, carla, case = filed()
    for someone in (scene.mediators[1], scene.staff, carla, scene.admin, make.user()):
        with pytest.raises(Forbidden, match="case's mediator"):
            admissibility.open_case(case, someone)
        with pytest.raises(Forbidden, match="case's mediator"):
            admissibility.refuse(case, someone, "outside_scope")
        with pytest.raises(Forbidden, match="case's mediator"):
            admissibility.mark_incomplete(case, someone, "The invoice")


def test_incomplete_then_completed_stops_and_restarts_the_clock(ctx, filed):
    scene, carla, case = filed()
    maya = scene.mediators[0]
    clock.freeze(T0 + timedelta(days=5))
    with pytest.raises(ValidationFailed) as empty:
        admissibility.mark_incomplete(case, maya, " ")
    assert "missing" in empty.value.fields
    admissibility.mark_incomplete(case, maya, "the invoice of the bike")
    db.session.commit()
    assert case.state is CaseState.INCOMPLETE and case.missing_information == "the invoice of the bike"
    assert "asks for the invoice of the bike" in notes_of(carla)[-1]
    with pytest.raises(DomainError, match="Only a complete case"):
        admissibility.open_case(case, maya)
    with pytest.raises(Forbidden, match="complainant side"):
        admissibility.complete(case, scene.staff, "Here it is")
    clock.freeze(T0 + timedelta(days=15, hours=2))
    admissibility.complete(case, carla, "Here is the invoice.", prior_complaint_on=date(2027, 1, 30),
                           attachments=[("invoice.pdf", PDF)])
    db.session.commit()
    assert case.state is CaseState.FILED and case.clock_stopped_days == 11  # 10 days and 2 hours, rounded up
    assert case.prior_complaint_on == date(2027, 1, 30)
    assert "due by 2 April at 09:00 (" in notes_of(maya)[-1]
    assert _kinds(case)[-2:] == ["incomplete", "completed"]
    with pytest.raises(DomainError, match="not waiting to be completed"):
        admissibility.complete(case, carla, "Again")


def test_refusal_needs_a_reason_from_the_fixed_list(ctx, filed):
    scene, carla, case = filed()
    maya = scene.mediators[0]
    with pytest.raises(ValidationFailed) as unknown:
        admissibility.refuse(case, maya, "i_do_not_like_it")
    assert "reason" in unknown.value.fields
    assert set(admissibility.REFUSAL_REASONS) == {"no_prior_complaint", "manifestly_unfounded", "already_judged",
                                                  "too_late", "outside_scope"}
    admissibility.refuse(case, maya, "too_late", "The complaint dates from 2025.")
    db.session.commit()
    assert case.state is CaseState.REFUSED and case.closed_at == T0 and case.refusal_reason == "too_late"
    assert "Filed more than a year after the written complaint" in notes_of(carla)[-1]
    with pytest.raises(DomainError, match="Only a complete case waiting"):
        admissibility.open_case(case, maya)


def test_an_incomplete_case_may_be_refused(ctx, filed):
    scene, _carla, case = filed()
    admissibility.mark_incomplete(case, scene.mediators[0], "The prior complaint")
    admissibility.refuse(case, scene.mediators[0], "no_prior_complaint")
    assert case.state is CaseState.REFUSED and case.incomplete_since is None


def test_the_late_complaint_hint(ctx, filed):
    _scene, _carla, case = filed()
    assert not admissibility.late_complaint(case)
    case.prior_complaint_on = date(2026, 2, 28)
    assert admissibility.late_complaint(case)


def _opened(filed):
    scene, carla, case = filed()
    admissibility.open_case(case, scene.mediators[0])
    db.session.commit()
    return scene, carla, case


def test_the_brand_answers_that_it_takes_part(ctx, filed, make):
    scene, carla, case = _opened(filed)
    for someone in (carla, scene.mediators[0], make.staff(make.brand(slug="other"))):
        with pytest.raises(Forbidden, match="brand's staff"):
            admissibility.brand_answer(case, someone, "We take part.")
    with pytest.raises(ValidationFailed):
        admissibility.brand_answer(case, scene.staff, "")
    admissibility.brand_answer(case, scene.staff, "We take part; the frame was faulty.")
    db.session.commit()
    assert case.brand_answered_at == T0 and case.state is CaseState.OPEN
    assert "takes part in the mediation" in notes_of(carla)[-1]
    with pytest.raises(DomainError, match="already answered"):
        admissibility.brand_answer(case, scene.staff, "Again")
    with pytest.raises(DomainError, match="not answered yet"):
        admissibility.brand_decline(case, scene.staff)


def test_the_brand_declines_to_take_part_and_the_case_closes(ctx, filed):
    scene, carla, case = _opened(filed)
    admissibility.brand_decline(case, scene.staff, "We settled with the customer directly.")
    db.session.commit()
    assert case.state is CaseState.BRAND_REFUSED and case.closed_at == T0
    assert "declines to take part" in notes_of(carla)[-1] and "declines" in notes_of(scene.mediators[0])[-1]


def test_the_brand_cannot_answer_before_the_opening_nor_after_20_days(ctx, filed):
    scene, _carla, case = filed()
    with pytest.raises(DomainError, match="only an open case"):
        admissibility.brand_answer(case, scene.staff, "Yes")
    admissibility.open_case(case, scene.mediators[0])
    clock.freeze(T0 + timedelta(days=20, seconds=1))
    with pytest.raises(DomainError, match="20 days may have passed"):
        admissibility.brand_answer(case, scene.staff, "Yes")


def test_objections_are_decided_by_the_admin(ctx, filed):
    scene, carla, case = _opened(filed)
    maya, noor = scene.entries
    with pytest.raises(ValidationFailed):
        admissibility.raise_objection(case, carla, " ")
    with pytest.raises(Forbidden, match="Only a party"):
        admissibility.raise_objection(case, scene.mediators[1], "I object")
    objection = admissibility.raise_objection(case, carla, "She handled my neighbour's case badly.")
    db.session.commit()
    assert objection.party == "complainant" and objection.mediator_id == maya.id
    assert any("objection to the mediator of case" in note for note in notes_of(scene.admin))
    with pytest.raises(DomainError, match="already objected"):
        admissibility.raise_objection(case, carla, "Again")
    assert admissibility.can_object(scene.staff, case) and not admissibility.can_object(carla, case)
    with pytest.raises(Forbidden, match="platform administrator"):
        admissibility.decide_objection(objection, scene.staff, "kept", "No")
    with pytest.raises(ValidationFailed):
        admissibility.decide_objection(objection, scene.admin, "fired", "No")
    with pytest.raises(ValidationFailed):
        admissibility.decide_objection(objection, scene.admin, "kept", "")
    admissibility.decide_objection(objection, scene.admin, "reassigned", "A fair doubt is enough.")
    db.session.commit()
    assert case.mediator is noor and objection.decision == "reassigned"
    assert _kinds(case)[-2:] == ["objection_decided", "reassigned"]
    # The one who takes over an open case is told the act actually due, not the admissibility decision.
    takeover = notes_of(scene.mediators[1])[-1]
    assert takeover.startswith(f"You take over case #{case.id} against Acme Bikes: the mediation is open")
    assert "make your proposal by" in takeover and "admissibility" not in takeover
    assert "now has the mediator Noor Neutral" in notes_of(scene.staff)[-1]
    with pytest.raises(DomainError, match="already been decided"):
        admissibility.decide_objection(objection, scene.admin, "kept", "Changed my mind")
    # A new mediator opens a new window for each side.
    assert admissibility.can_object(carla, case)


def test_keeping_the_mediator_and_refusing_a_reassignment_without_anyone_else(ctx, panel, make):
    scene = panel(mediators=1)
    carla = make.member(scene.brand)
    case = file_case(scene, carla)
    objection = admissibility.raise_objection(case, carla, "I met her before.")
    with pytest.raises(DomainError, match="No other mediator"):
        admissibility.decide_objection(objection, scene.admin, "reassigned", "Fair doubt")
    db.session.rollback()
    admissibility.decide_objection(objection, scene.admin, "kept", "A past meeting is no conflict.")
    db.session.commit()
    assert case.mediator is scene.entries[0] and objection.decision == "kept"
    assert "the mediator stays" in notes_of(carla)[-1]
    assert [o.id for o in db.session.scalars(admissibility.objections_query())] == []


def test_the_objection_window_is_seven_days(ctx, filed):
    scene, carla, case = filed()
    # The brand is not involved before the opening: its window starts then.
    assert deadlines.objection_due(case, "brand") is None and not admissibility.can_object(scene.staff, case)
    with pytest.raises(DomainError, match="once the case is open"):
        admissibility.raise_objection(case, scene.staff, "Too early")
    clock.freeze(T0 + timedelta(days=3))
    admissibility.open_case(case, scene.mediators[0])
    clock.freeze(T0 + timedelta(days=7, seconds=1))
    with pytest.raises(DomainError, match="7 days to object"):
        admissibility.raise_objection(case, carla, "Too late")
    assert deadlines.objection_due(case, "brand") == T0 + timedelta(days=10)
    clock.freeze(T0 + timedelta(days=10))
    assert admissibility.raise_objection(case, scene.staff, "Conflict with a competitor").party == "brand"
    clock.freeze(T0 + timedelta(days=10, seconds=1))
    assert not admissibility.can_object(scene.staff, case)
