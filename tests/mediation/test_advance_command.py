"""`flask advance` runs the mediation clock, for every brand or the one named; `flask cases remind` still works."""
from __future__ import annotations

from datetime import timedelta

from extensions import db
from institutions import clock
from mediation import admissibility
from mediation.models import CaseState, MediationCase
from tests.conftest import T0
from tests.mediation.filing_fixtures import file_case

DAY = timedelta(days=1)


def _opened_case(panel, make):
    """A case opened at T0 + 1 day: the brand has 20 days to answer, or the case closes."""
    scene = panel(mediators=1)
    case = file_case(scene, make.member(scene.brand, user=make.user(name="Carla Complainant")))
    clock.freeze(T0 + DAY)
    admissibility.open_case(case, scene.mediators[0])
    db.session.commit()
    return scene, case


def test_advance_closes_a_case_the_brand_left_unanswered(app, ctx, panel, make):
    scene, case = _opened_case(panel, make)
    clock.freeze(T0 + 22 * DAY)
    result = app.test_cli_runner().invoke(args=["advance"])
    assert result.exit_code == 0, result.output
    assert "mediation: 1 cases moved" in result.output
    db.session.expire_all()
    assert db.session.get(MediationCase, case.id).state is CaseState.BRAND_REFUSED


def test_advance_for_another_brand_leaves_the_case(app, ctx, panel, make):
    scene, case = _opened_case(panel, make)
    other = make.brand(slug="other")
    db.session.commit()
    clock.freeze(T0 + 22 * DAY)
    result = app.test_cli_runner().invoke(args=["advance", "--brand", other.slug])
    assert result.exit_code == 0 and "mediation: 0 cases moved" in result.output
    db.session.expire_all()
    assert db.session.get(MediationCase, case.id).state is CaseState.OPEN
    result = app.test_cli_runner().invoke(args=["advance", "--brand", scene.brand.slug])
    assert "mediation: 1 cases moved" in result.output


def test_the_old_command_is_an_alias(app, ctx, panel, make):
    scene, case = _opened_case(panel, make)
    clock.freeze(T0 + 22 * DAY)
    result = app.test_cli_runner().invoke(args=["cases", "remind"])
    assert result.exit_code == 0 and "1 cases moved" in result.output
    db.session.expire_all()
    assert db.session.get(MediationCase, case.id).state is CaseState.BRAND_REFUSED
