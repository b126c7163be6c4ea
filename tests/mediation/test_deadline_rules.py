"""The rules of mediation/deadlines.py pinned one by one (the gaps mutation testing found)."""
from __future__ import annotations

import json
from types import SimpleNamespace
from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from institutions import clock
from institutions.models import AuditEvent
from mediation import admissibility, deadlines, outcome
from mediation import clock as mediation_clock
from mediation.models import CaseState, Objection
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


def _answered_open(scene, case, at=T0):
    _open(scene, case, at)
    admissibility.brand_answer(case, scene.staff, "We take part.")
    db.session.commit()


def test_the_deadline_triple_and_its_names(ctx, filed):
    scene, _carla, case = filed()
    deadline = deadlines.next_deadlines(case, "mediator")[0]
    assert deadline.label == deadline[0] and deadline.due_at == deadline[1] == T0 + 21 * DAY
    assert deadline.whose == deadline[2] == "mediator" and deadline.kind == "admissibility"
    assert deadlines.is_closed(case) is False
    assert deadlines.assigned_at(case) == T0
    # the nearest deadline leaves out the objection windows (due earlier, at T0 + 7 days)
    assert [d.kind for d in deadlines.next_deadlines(case, "complainant")] == ["objection_complainant",
                                                                               "admissibility"]
    assert deadlines.nearest(case).kind == "admissibility"
    assert [d.kind for d in deadlines.next_deadlines(case, "brand")] == ["admissibility"]  # not yet opened
    assert [d.kind for d in deadlines.next_deadlines(case, None, with_objections=False)] == ["admissibility"]


def test_an_open_case_waits_for_the_brand_then_the_mediator(ctx, filed):
    scene, _carla, case = filed()
    _open(scene, case, T0 + 2 * DAY)
    found = deadlines.next_deadlines(case, "mediator")
    assert [(d.kind, d.due_at, d.whose) for d in found] == [
        ("brand_answer", T0 + 22 * DAY, "brand"), ("mediation", T0 + 92 * DAY, "mediator")]
    assert deadlines.mediation_due(case) == T0 + 92 * DAY
    assert deadlines.nearest(case).kind == "brand_answer"
    admissibility.brand_answer(case, scene.staff, "We take part.")
    assert [d.kind for d in deadlines.next_deadlines(case, "mediator")] == ["mediation"]


def test_no_dates_before_the_opening_and_none_left_when_closed(ctx, filed):
    scene, _carla, case = filed()
    assert deadlines.brand_answer_due(case) is None and deadlines.mediation_due(case) is None
    assert deadlines.objection_due(case, "brand") is None
    assert deadlines.objection_due(case) == T0 + 7 * DAY  # the complainant's window only
    assert deadlines.pending_proposal(case) is None
    _open(scene, case, T0 + 3 * DAY)
    assert deadlines.objection_due(case) == T0 + 10 * DAY  # the later one: the brand's
    assert mediation_clock.advance_case(case, T0 + 200 * DAY) == CaseState.BRAND_REFUSED.value
    assert deadlines.is_closed(case) is True
    assert deadlines.next_deadlines(case) == [] and deadlines.nearest(case) is None
    assert mediation_clock.advance_case(case, T0 + 400 * DAY) is None


def test_the_proposal_answers_are_due_on_the_proposals_date(ctx, filed):
    scene, carla, case = filed()
    _answered_open(scene, case)
    clock.freeze(T0 + 5 * DAY)
    proposal = outcome.propose(case, scene.mediators[0], "A new frame.", 10)
    db.session.commit()
    assert deadlines.pending_proposal(case) is proposal
    found = deadlines.next_deadlines(case, "mediator")
    assert [(d.kind, d.due_at, d.whose) for d in found] == [
        ("proposal_complainant", T0 + 15 * DAY, "complainant"), ("proposal_brand", T0 + 15 * DAY, "brand")]
    assert "complainant's answer" in found[0].label and "brand's answer" in found[1].label
    outcome.answer_proposal(case, scene.staff, True)
    assert [d.kind for d in deadlines.next_deadlines(case, "mediator")] == ["proposal_complainant"]


def test_the_brand_is_silent_only_once_its_day_has_come(ctx, filed):
    scene, carla, case = filed()
    _open(scene, case, T0)
    due = T0 + 20 * DAY
    assert mediation_clock.advance_case(case, due - SECOND) is None and case.state is CaseState.OPEN
    assert mediation_clock.advance_case(case, due) == "brand_refused"
    db.session.commit()
    assert case.closed_at == due and "did not answer within 20 days" in case.closing_note
    assert case.events[-1].kind == "brand_silent" and case.events[-1].at == due
    assert case.events[-1].note == case.closing_note
    record = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert record.action == "case.brand_silent" and record.subject_id == case.id
    assert record.brand_id == scene.brand.id and json.loads(record.payload) == {"state": "brand_refused"}
    assert f"Case #{case.id} against Acme Bikes" in notes_of(carla)[-1]


def test_the_mediation_lapses_on_its_day_and_everyone_is_told(ctx, filed):
    scene, carla, case = filed()
    _answered_open(scene, case)
    due = T0 + 90 * DAY
    assert mediation_clock.advance_case(case, due - SECOND) is None
    assert mediation_clock.advance_due(due - SECOND) == []
    assert mediation_clock.advance_case(case, due) == "lapsed"
    db.session.commit()
    assert case.state is CaseState.LAPSED and case.closed_at == due
    assert "ran out without a proposal" in case.closing_note
    assert case.events[-1].kind == "lapsed" and case.events[-1].note == case.closing_note
    record = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert record.action == "case.lapsed" and json.loads(record.payload) == {"state": "lapsed"}
    message = f"Case #{case.id} against Acme Bikes: the time of the mediation ran out without a proposal"
    for person in (carla, scene.staff, scene.mediators[0]):
        assert notes_of(person)[-1].startswith(message)


def test_advance_due_finds_the_silent_brand_from_its_day(ctx, filed):
    scene, _carla, case = filed()
    _open(scene, case, T0)
    assert mediation_clock.advance_due(T0 + 20 * DAY - SECOND) == []
    assert mediation_clock.advance_due(T0 + 20 * DAY) == [case]


def test_only_this_cases_objection_closes_its_window(ctx, filed, make):
    scene, carla, case = filed()
    other_member = make.member(scene.brand, user=make.user(name="Oli Other"))
    other = file_case(scene, other_member)
    clock.freeze(T0 + DAY)
    admissibility.raise_objection(other, other_member, "I know this mediator.")
    db.session.commit()
    assert db.session.scalar(select(Objection.case_id)) == other.id
    assert deadlines.objection_window(case, "complainant", T0 + DAY) == T0 + 7 * DAY
    assert deadlines.objection_window(other, "complainant", T0 + DAY) is None
    assert deadlines.objection_window(case, "complainant", T0 + 7 * DAY) is None  # the day itself: closed
    assert deadlines.objection_window(case, "complainant", T0 + 7 * DAY - SECOND) == T0 + 7 * DAY


def test_a_reminder_reaches_the_complainant_and_counts_one(ctx, filed):
    scene, carla, case = filed()
    clock.freeze(T0 + 20 * DAY)
    admissibility.mark_incomplete(case, scene.mediators[0], "The invoice")
    db.session.commit()
    assert mediation_clock.send_reminders(3, T0 + 20 * DAY) == 0  # the incomplete case has no date: nothing to remind
    admissibility.complete(case, carla, "Attached.")
    _open(scene, case, T0 + 21 * DAY)
    admissibility.brand_answer(case, scene.staff, "We take part.")
    proposal = outcome.propose(case, scene.mediators[0], "A new frame.", 14)
    db.session.commit()
    now = T0 + 33 * DAY
    assert mediation_clock.send_reminders(3, now) == 2
    db.session.commit()
    due = deadlines.proposal_answer_due(proposal).strftime("%-d %B at %H:%M")
    assert notes_of(carla)[-1].startswith(f"Reminder, case #{case.id} at Acme Bikes: The complainant's answer to the "
                                          f"proposal is due by {due} (")
    assert "The brand's answer to the proposal" in notes_of(scene.staff)[-1]
    assert case.reminders_sent == (f"proposal_brand:{proposal.made_at.date() + timedelta(days=14)} "
                                   f"proposal_complainant:{proposal.made_at.date() + timedelta(days=14)}")
    assert mediation_clock.send_reminders(3, now) == 0


def test_late_deadlines_are_reminded_as_was_due(ctx, filed):
    scene, _carla, case = filed()
    now = T0 + 22 * DAY
    assert mediation_clock.send_reminders(3, now) == 1
    db.session.commit()
    assert notes_of(scene.mediators[0])[-1].startswith(
        f"Reminder, case #{case.id} at Acme Bikes: Decision on admissibility (incomplete, refused or opened) "
        f"was due on {(T0 + 21 * DAY).strftime('%-d %B at %H:%M')} (")


def test_the_horizon_includes_its_last_second_and_the_day_of_the_deadline(ctx, filed):
    scene, _carla, case = filed()
    due = T0 + 21 * DAY
    assert mediation_clock.send_reminders(3, due - 3 * DAY - SECOND) == 0
    assert mediation_clock.send_reminders(3, due - 3 * DAY) == 1
    db.session.commit()
    assert "is due by" in notes_of(scene.mediators[0])[-1]
    assert mediation_clock.send_reminders(0, due) == 0  # already reminded for this date


def test_a_deadline_due_exactly_now_is_late(ctx, filed):
    scene, _carla, case = filed()
    due = T0 + 21 * DAY
    assert mediation_clock.send_reminders(0, due) == 1
    db.session.commit()
    assert "was due on" in notes_of(scene.mediators[0])[-1]


def test_a_reminded_deadline_does_not_stop_the_later_ones(ctx, filed):
    scene, carla, case = filed()
    _open(scene, case, T0)
    now = T0 + 18 * DAY
    case.reminders_sent = f"brand_answer:{(T0 + 20 * DAY).date().isoformat()}"
    db.session.commit()
    # the brand's answer was reminded; the mediation's end (day 90) is later but within 80 days
    assert mediation_clock.send_reminders(80, now) == 1
    db.session.commit()
    assert "The mediator's proposal" in notes_of(scene.mediators[0])[-1]
    assert case.reminders_sent.split() == [f"brand_answer:{(T0 + 20 * DAY).date()}",
                                           f"mediation:{(T0 + 90 * DAY).date()}"]


def test_reminders_are_counted_across_cases(ctx, filed, make):
    scene, _carla, case = filed()
    second = file_case(scene, make.member(scene.brand, user=make.user(name="Oli Other")))
    assert mediation_clock.send_reminders(3, T0 + 20 * DAY) == 2
    assert case.reminders_sent and second.reminders_sent


def test_every_deadline_says_what_is_due_in_words(ctx, filed):
    scene, carla, case = filed()
    assert [d.label for d in deadlines.next_deadlines(case, "complainant")] == [
        "Last day to object to the mediator, with a reason",
        "Decision on admissibility (incomplete, refused or opened)"]
    _open(scene, case, T0 + DAY)
    assert [d.label for d in deadlines.next_deadlines(case, "mediator")] == [
        "The brand's answer: take part in the mediation or not", "The mediator's proposal, within the mediation's time"]
    admissibility.brand_answer(case, scene.staff, "We take part.")
    outcome.propose(case, scene.mediators[0], "A new frame.", 10)
    assert [(d.label, d.whose) for d in deadlines.next_deadlines(case, "mediator")] == [
        ("The complainant's answer to the proposal", "complainant"),
        ("The brand's answer to the proposal", "brand")]


def test_an_incomplete_case_waits_for_the_complainant_without_a_date(ctx, filed):
    scene, carla, case = filed()
    clock.freeze(T0 + DAY)
    admissibility.mark_incomplete(case, scene.mediators[0], "The invoice")
    db.session.commit()
    # the dateless deadline sorts after the dated objection window (and the sort compares both kinds)
    assert [(d.kind, d.due_at, d.whose) for d in deadlines.next_deadlines(case, "complainant")] == [
        ("objection_complainant", T0 + 7 * DAY, "complainant"), ("complete", None, "complainant")]
    assert deadlines.next_deadlines(case, "complainant")[1].label == (
        "Complete the case with what the mediator asks (the admissibility clock is stopped)")


def test_the_mediator_never_sees_the_windows_to_object_to_them(ctx, filed):
    scene, _carla, case = filed()
    _open(scene, case, T0 + DAY)
    assert [d.kind for d in deadlines.next_deadlines(case, "mediator")] == ["brand_answer", "mediation"]
    assert [d.kind for d in deadlines.next_deadlines(case)] == [
        "objection_complainant", "objection_brand", "brand_answer", "mediation"]


def test_the_windows_close_at_the_moment_asked_about(ctx, filed):
    scene, _carla, case = filed()
    clock.freeze(T0)
    # asked about day 8, the windows that close on day 7 are gone although the clock still says day 0
    assert [d.kind for d in deadlines.next_deadlines(case, "complainant", now=T0 + 8 * DAY)] == ["admissibility"]


def test_one_sides_objection_leaves_the_other_sides_window_open(ctx, filed):
    scene, carla, case = filed()
    _open(scene, case, T0 + DAY)
    admissibility.raise_objection(case, scene.staff, "They worked for our rival.")
    db.session.commit()
    assert deadlines.has_objected(case, "brand") and not deadlines.has_objected(case, "complainant")
    assert deadlines.objection_window(case, "brand", T0 + DAY) is None
    assert deadlines.objection_window(case, "complainant", T0 + DAY) == T0 + 7 * DAY


def test_an_objection_to_the_previous_mediator_leaves_the_new_ones_window_open(ctx, filed):
    scene, carla, case = filed()
    clock.freeze(T0 + DAY)
    db.session.add(Objection(case_id=case.id, mediator_id=None, party="complainant", raised_by_id=carla.id,
                             reason="The one before."))
    db.session.commit()
    assert not deadlines.has_objected(case, "complainant")
    assert deadlines.objection_window(case, "complainant", T0 + DAY) == T0 + 7 * DAY


def test_no_assignment_event_means_no_assignment_date():
    assert deadlines.assigned_at(SimpleNamespace(mediator_id=3, events=[])) is None
    assert deadlines.assigned_at(SimpleNamespace(mediator_id=None, events=[object()])) is None


def test_only_a_case_waiting_for_answers_has_a_pending_proposal():
    first, latest = object(), object()
    assert deadlines.pending_proposal(SimpleNamespace(state=CaseState.OPEN, proposals=[first])) is None
    assert deadlines.pending_proposal(SimpleNamespace(state=CaseState.PROPOSAL, proposals=[])) is None
    assert deadlines.pending_proposal(SimpleNamespace(state=CaseState.PROPOSAL, proposals=[first, latest])) is latest
