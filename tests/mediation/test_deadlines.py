"""Every deadline, computed from the case's events and tested by moving the clock (never by sleeping)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from extensions import db
from institutions import clock
from mediation import admissibility, deadlines, outcome
from mediation import clock as mediation_clock
from mediation.cli import cases_cli
from mediation.models import CaseState
from mediation.timeline import visible_events
from tests.conftest import T0
from tests.mediation.filing_fixtures import file_case, notes_of

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


@pytest.fixture
def filed(panel, make):
    def build():
        scene = panel(mediators=1)
        carla = make.member(scene.brand, user=make.user(name="Carla Complainant"))
        return scene, carla, file_case(scene, carla)

    return build


def _open(scene, case, at):
    clock.freeze(at)
    admissibility.open_case(case, scene.mediators[0])
    db.session.commit()


def _whose(case, role=None):
    return [(d.kind, d.whose) for d in deadlines.next_deadlines(case, role)]


def test_admissibility_is_due_three_weeks_after_filing(ctx, filed):
    scene, _carla, case = filed()
    assert deadlines.admissibility_due(case) == T0 + 21 * DAY
    first = deadlines.next_deadlines(case, "mediator")[0]
    label, due, whose = first  # a plain (label, due_at, whose) triple
    assert (first.kind, due, whose) == ("admissibility", T0 + 21 * DAY, "mediator") and "admissibility" in label
    assert _whose(case, "complainant") == [("objection_complainant", "complainant"), ("admissibility", "mediator")]
    assert _whose(case, "mediator") == [("admissibility", "mediator")]  # not the parties' windows against them


def test_the_clock_stops_while_the_case_is_incomplete(ctx, filed):
    scene, carla, case = filed()
    clock.freeze(T0 + 20 * DAY)
    admissibility.mark_incomplete(case, scene.mediators[0], "The invoice")
    assert deadlines.admissibility_due(case) is None
    assert deadlines.next_deadlines(case, "complainant")[0].kind == "complete"
    clock.freeze(T0 + 50 * DAY)  # long after the three weeks: the clock was stopped
    admissibility.complete(case, carla, "Attached.")
    assert deadlines.admissibility_due(case) == T0 + 51 * DAY  # 21 days + 30 stopped
    clock.freeze(T0 + 50 * DAY + 12 * timedelta(hours=1))
    admissibility.mark_incomplete(case, scene.mediators[0], "The delivery note")
    clock.freeze(T0 + 51 * DAY)
    admissibility.complete(case, carla, "Attached too.")
    assert case.clock_stopped_days == 31 and deadlines.admissibility_due(case) == T0 + 52 * DAY


def test_the_brand_has_20_days_then_its_silence_closes_the_case(ctx, filed):
    scene, carla, case = filed()
    _open(scene, case, T0 + 2 * DAY)
    assert deadlines.brand_answer_due(case) == T0 + 22 * DAY
    assert ("brand_answer", "brand") in _whose(case, "brand")
    assert mediation_clock.advance_due(T0 + 22 * DAY - SECOND) == []
    assert case.state is CaseState.OPEN
    clock.freeze(T0 + 25 * DAY)
    assert mediation_clock.advance_due() == [case]
    db.session.commit()
    assert case.state is CaseState.BRAND_REFUSED and case.closed_at == T0 + 22 * DAY
    assert visible_events(case, "complainant")[-1].kind == "brand_silent"
    for person in (carla, scene.staff, scene.mediators[0]):
        assert "did not answer within 20 days" in notes_of(person)[-1]
    assert deadlines.next_deadlines(case) == [] and mediation_clock.advance_due() == []


def test_the_mediation_lapses_after_90_days_and_its_extension(ctx, filed):
    scene, _carla, case = filed()
    _open(scene, case, T0)
    admissibility.brand_answer(case, scene.staff, "We take part.")
    db.session.commit()
    assert deadlines.mediation_due(case) == T0 + 90 * DAY
    assert _whose(case, "mediator") == [("mediation", "mediator")]
    clock.freeze(T0 + 80 * DAY)
    outcome.extend(case, scene.mediators[0], "Expert report needed.", 30)
    db.session.commit()
    assert deadlines.mediation_due(case) == T0 + 120 * DAY
    assert mediation_clock.advance_due(T0 + 100 * DAY) == []
    assert mediation_clock.advance_due(T0 + 120 * DAY) == [case]
    assert case.state is CaseState.LAPSED and case.closed_at == T0 + 120 * DAY
    assert visible_events(case, "brand")[-1].kind == "lapsed"


def test_an_unanswered_proposal_expires_through_advance_due(ctx, filed):
    scene, carla, case = filed()
    _open(scene, case, T0)
    admissibility.brand_answer(case, scene.staff, "We take part.")
    proposal = outcome.propose(case, scene.mediators[0], "A new frame.", 14)
    db.session.commit()
    assert deadlines.proposal_answer_due(proposal) == T0 + 14 * DAY
    assert _whose(case) == [("objection_complainant", "complainant"), ("objection_brand", "brand"),
                            ("proposal_complainant", "complainant"), ("proposal_brand", "brand")]
    outcome.answer_proposal(case, carla, True)
    assert _whose(case, "mediator") == [("proposal_brand", "brand")]
    assert mediation_clock.advance_due(T0 + 14 * DAY) == [case]
    assert case.state is CaseState.NOT_SETTLED


def test_the_objection_window_follows_the_assignment_and_the_opening(ctx, filed):
    scene, carla, case = filed()
    assert deadlines.objection_due(case, "complainant") == T0 + 7 * DAY
    _open(scene, case, T0 + 4 * DAY)
    assert deadlines.objection_due(case, "brand") == T0 + 11 * DAY
    clock.freeze(T0 + 7 * DAY + SECOND)
    assert ("objection_complainant", "complainant") not in _whose(case)
    assert ("objection_brand", "brand") in _whose(case)
    clock.freeze(T0 + 11 * DAY + SECOND)
    assert ("objection_brand", "brand") not in _whose(case)


def test_remind_tells_each_deadline_once_and_advances_first(app, ctx, filed):
    scene, carla, case = filed()
    runner = app.test_cli_runner()
    clock.freeze(T0 + 17 * DAY)
    result = runner.invoke(cases_cli, ["remind"])
    assert result.exit_code == 0 and "0 reminders sent" in result.output  # 4 days left, more than 3
    clock.freeze(T0 + 18 * DAY + SECOND)
    result = runner.invoke(cases_cli, ["remind"])
    assert "1 reminders sent" in result.output
    db.session.expire_all()
    assert "Decision on admissibility" in notes_of(scene.mediators[0])[-1]
    assert "is due by 22 March at 09:00 (" in notes_of(scene.mediators[0])[-1]
    assert "0 reminders sent" in runner.invoke(cases_cli, ["remind"]).output
    assert "0 reminders sent" in runner.invoke(cases_cli, ["remind", "--days", "1"]).output
    # The brand's 20 days: reminded once before, then closed by the same command when they pass.
    db.session.expire_all()
    _open(scene, db.session.merge(case), T0 + 19 * DAY)
    clock.freeze(T0 + 37 * DAY)
    assert "1 reminders sent" in runner.invoke(cases_cli, ["remind"]).output
    db.session.expire_all()
    assert "The brand's answer" in notes_of(scene.staff)[-1]
    clock.freeze(T0 + 39 * DAY)
    output = runner.invoke(cases_cli, ["remind"]).output
    assert "1 cases moved" in output
    db.session.expire_all()
    assert db.session.merge(case).state is CaseState.BRAND_REFUSED
