"""`flask advance` runs the elections clock, for every brand or for the one named; the old command still works."""
from __future__ import annotations

from datetime import timedelta

from elections.models import ElectionState
from extensions import db
from institutions import clock
from tests.elections.conftest import VOTING_CLOSE, VOTING_OPEN


def test_advance_moves_the_elections_that_are_due(app, scene_factory):
    scene = scene_factory()
    clock.freeze(VOTING_CLOSE + timedelta(hours=1))
    result = app.test_cli_runner().invoke(args=["advance"])
    assert result.exit_code == 0, result.output
    assert "elections: 1 elections moved" in result.output
    db.session.refresh(scene.election)
    assert scene.election.state is ElectionState.CLOSED


def test_advance_for_one_brand_leaves_the_others(app, make, scene_factory):
    scene = scene_factory()
    other = make.brand(slug="other")
    db.session.commit()
    clock.freeze(VOTING_OPEN + timedelta(minutes=1))
    result = app.test_cli_runner().invoke(args=["advance", "--brand", other.slug])
    assert result.exit_code == 0 and "elections: 0 elections moved" in result.output
    db.session.refresh(scene.election)
    assert scene.election.state is ElectionState.NOMINATIONS
    result = app.test_cli_runner().invoke(args=["advance", "--brand", scene.brand.slug])
    assert "elections: 1 elections moved" in result.output
    db.session.refresh(scene.election)
    assert scene.election.state is ElectionState.VOTING


def test_advance_refuses_an_unknown_brand(app):
    result = app.test_cli_runner().invoke(args=["advance", "--brand", "nobody"])
    assert result.exit_code != 0 and "no brand with the slug 'nobody'" in result.output


def test_the_old_command_is_an_alias(app, scene_factory):
    scene = scene_factory()
    clock.freeze(VOTING_OPEN + timedelta(minutes=1))
    result = app.test_cli_runner().invoke(args=["elections", "advance"])
    assert result.exit_code == 0 and "1 elections moved" in result.output
    db.session.refresh(scene.election)
    assert scene.election.state is ElectionState.VOTING
