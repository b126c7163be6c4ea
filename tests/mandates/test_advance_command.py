"""`flask advance` runs the mandates clock, for every brand or the one named; `flask mandates advance` still works."""
from __future__ import annotations

from datetime import datetime, time, timezone

from extensions import db
from institutions import clock
from mandates.models import MandateState
from tests.mandates.contract_fixtures import STARTS

FIRST_DAY = datetime.combine(STARTS, time(9), tzinfo=timezone.utc)


def test_advance_starts_a_mandate_on_its_first_day(app, ctx, contract_scene):
    mandate = contract_scene.in_force()
    clock.freeze(FIRST_DAY)
    result = app.test_cli_runner().invoke(args=["advance"])
    assert result.exit_code == 0, result.output
    assert "mandates: 1 mandates moved" in result.output
    db.session.expire_all()
    assert mandate.state is MandateState.ACTIVE


def test_advance_for_another_brand_leaves_the_mandate(app, ctx, make, contract_scene):
    mandate = contract_scene.in_force()
    other = make.brand(slug="other")
    db.session.commit()
    clock.freeze(FIRST_DAY)
    result = app.test_cli_runner().invoke(args=["advance", "--brand", other.slug])
    assert result.exit_code == 0 and "mandates: 0 mandates moved" in result.output
    db.session.expire_all()
    assert mandate.state is not MandateState.ACTIVE
    result = app.test_cli_runner().invoke(args=["advance", "--brand", contract_scene.brand.slug])
    assert "mandates: 1 mandates moved" in result.output


def test_the_old_command_is_an_alias(app, ctx, contract_scene):
    mandate = contract_scene.in_force()
    clock.freeze(FIRST_DAY)
    result = app.test_cli_runner().invoke(args=["mandates", "advance"])
    assert result.exit_code == 0 and "1 mandates moved" in result.output
    db.session.expire_all()
    assert mandate.state is MandateState.ACTIVE
