"""The rules of mediation/clock.py pinned one by one: the scope of a brand, what the command says, the closings' words."""
from __future__ import annotations

from datetime import timedelta

import pytest

from extensions import db
from institutions import clock
from mediation import admissibility, roster
from mediation import clock as mediation_clock
from mediation.models import CaseState
from tests.conftest import T0
from tests.mediation.filing_fixtures import file_case, notes_of

DAY = timedelta(days=1)


@pytest.fixture
def two_brands(panel, make):
    """An opened case at each of two brands, opened at T0 and never answered by either brand."""
    scenes, cases = [], []
    for slug in ("acme", "other"):
        scene = panel(mediators=1, slug=slug)
        member = make.member(scene.brand, user=make.user(name=f"Carla of {slug}"))
        case = file_case(scene, member)
        clock.freeze(T0)
        admissibility.open_case(case, scene.mediators[0])
        db.session.commit()
        scenes.append(scene)
        cases.append(case)
    return scenes, cases


def test_one_brands_clock_moves_and_reminds_only_that_brand(ctx, two_brands):
    (acme, other), (acme_case, other_case) = two_brands
    # day 21: the brand's 20 days are over at both; the mediation's end (day 90) is not within 3 days
    lines = mediation_clock.advance(T0 + 21 * DAY, acme.brand)
    db.session.commit()
    assert lines == ["1 cases moved, 0 reminders sent"]
    assert acme_case.state is CaseState.BRAND_REFUSED and other_case.state is CaseState.OPEN
    assert mediation_clock.advance(T0 + 21 * DAY) == ["1 cases moved, 0 reminders sent"]
    assert other_case.state is CaseState.BRAND_REFUSED


def test_reminders_of_one_brand_stay_with_it(ctx, two_brands):
    (acme, other), (acme_case, other_case) = two_brands
    assert mediation_clock.advance(T0 + 18 * DAY, other.brand) == ["0 cases moved, 1 reminders sent"]
    db.session.commit()
    assert other_case.reminders_sent and not acme_case.reminders_sent


def test_the_command_says_how_many_cases_were_reassigned_for_a_conflict(ctx, two_brands, monkeypatch):
    (acme, _other), (acme_case, _other_case) = two_brands
    asked = []
    monkeypatch.setattr(roster, "reassign_all_conflicted", lambda brand: asked.append(brand) or [acme_case])
    assert mediation_clock.advance(T0 + DAY, acme.brand) == [
        "0 cases moved, 0 reminders sent", "1 cases reassigned for a conflict of interest"]
    assert asked == [acme.brand]


def test_the_closings_say_why_in_full(ctx, two_brands):
    (acme, other), (silent, lapsing) = two_brands
    carla = silent.complainant
    mediation_clock.advance_case(silent, T0 + 20 * DAY)
    assert silent.closing_note == (
        "The brand did not answer within 20 days of the opening: it is recorded as refusing to take part, "
        "and the case is closed. You remain free to take the dispute to court.")
    told = (f"Case #{silent.id} against Acme Bikes: the brand did not answer within 20 days; it is recorded as "
            "refusing to take part and the case is closed.")
    for person in (carla, acme.staff, acme.mediators[0]):
        assert notes_of(person)[-1].startswith(told)
    admissibility.brand_answer(lapsing, other.staff, "We take part.")
    mediation_clock.advance_case(lapsing, T0 + 90 * DAY)
    assert lapsing.closing_note == (
        "The time of the mediation ran out without a proposal: the case is closed without outcome. "
        "You remain free to take the dispute to court.")
    told = (f"Case #{lapsing.id} against Acme Bikes: the time of the mediation ran out without a proposal; the case "
            "is closed.")
    for person in (lapsing.complainant, other.staff, other.mediators[0]):
        assert notes_of(person)[-1].startswith(told)
