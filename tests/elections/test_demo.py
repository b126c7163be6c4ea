"""The demo: a past certified election with a sitting president, and a vote the demo member can cast."""
from __future__ import annotations

from sqlalchemy import select

from elections import ballot_box, permissions
from institutions.charter import sitting_president
from elections.demo import CURRENT_TITLE, PAST_TITLE
from elections.models import Election, ElectionState
from extensions import db
from institutions.models import Brand, User


def test_demo_load_is_idempotent_and_leaves_a_vote_for_the_demo_member(app, ctx):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    brand = db.session.scalar(select(Brand).where(Brand.slug == "demo"))
    elections = {e.title: e for e in db.session.scalars(select(Election).where(Election.brand_id == brand.id))}
    assert set(elections) == {PAST_TITLE, CURRENT_TITLE}
    past, current = elections[PAST_TITLE], elections[CURRENT_TITLE]
    assert past.state is ElectionState.CERTIFIED and past.outcome == "winner"
    president = sitting_president(brand)
    assert president is not None and president.user_id == past.winner.user_id
    assert current.state is ElectionState.VOTING
    member = db.session.scalar(select(User).where(User.email == "member@tribune.test"))
    assert permissions.can_vote(member, current)
    assert ballot_box.turnout(current) > 0
