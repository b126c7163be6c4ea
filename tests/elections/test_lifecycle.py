"""Setting up an election: drafts, the frozen calendar, states that follow it, cancellation."""
from datetime import timedelta

import pytest

from elections import lifecycle
from elections.models import ElectionState
from extensions import db
from institutions import clock
from institutions.errors import DomainError, Forbidden, ValidationFailed
from tests.conftest import T0
from tests.elections.conftest import NOMINATIONS_CLOSE, NOMINATIONS_OPEN, VOTING_CLOSE, VOTING_OPEN, draft


@pytest.mark.parametrize("overrides, field", [
    ({"nominations_open_at": T0 - timedelta(hours=1)}, "nominations_open_at"),
    ({"nominations_close_at": NOMINATIONS_OPEN + timedelta(minutes=10)}, "nominations_close_at"),
    ({"voting_open_at": NOMINATIONS_CLOSE - timedelta(hours=1)}, "voting_open_at"),
    ({"voting_close_at": VOTING_OPEN}, "voting_close_at"),
    ({"voting_close_at": None}, "voting_close_at"),
    ({"method": "dictatorship"}, "method"),
    ({"title": " "}, "title"),
    ({"quorum_percent": 0}, "quorum_percent"),
    ({"quorum_percent": 101}, "quorum_percent"),
    ({"endorsements_required": -1}, "endorsements_required"),
    ({"term_months": 0}, "term_months"),
])
def test_impossible_calendars_and_rules_are_refused(ctx, make, overrides, field):
    brand = make.brand()
    staff = make.staff(brand)
    clock.freeze(T0)
    with pytest.raises(ValidationFailed) as refusal:
        lifecycle.create_draft(brand, staff, draft(**overrides))
    assert field in refusal.value.fields


def test_only_staff_create_elections(ctx, make):
    brand = make.brand()
    clock.freeze(T0)
    with pytest.raises(Forbidden):
        lifecycle.create_draft(brand, make.member(brand), draft())
    other_brand_staff = make.staff(make.brand())
    with pytest.raises(Forbidden):
        lifecycle.create_draft(brand, other_brand_staff, draft())


def test_draft_is_editable_until_nominations_open(ctx, make):
    brand = make.brand()
    staff = make.staff(brand)
    clock.freeze(T0)
    election = lifecycle.create_draft(brand, staff, draft())
    lifecycle.update_draft(election, staff, draft(title="Renamed", method="schulze"))
    assert (election.title, election.method.value) == ("Renamed", "schulze")
    lifecycle.open_nominations(election, staff)
    assert election.state is ElectionState.NOMINATIONS and election.eligibility_cutoff == NOMINATIONS_OPEN
    with pytest.raises(DomainError) as refusal:
        lifecycle.update_draft(election, staff, draft(title="Too late"))
    assert "frozen" in refusal.value.message
    assert election.title == "Renamed"


def test_a_calendar_gone_by_cannot_be_opened(ctx, make):
    brand = make.brand()
    staff = make.staff(brand)
    clock.freeze(T0)
    election = lifecycle.create_draft(brand, staff, draft())
    clock.freeze(NOMINATIONS_CLOSE + timedelta(minutes=1))
    with pytest.raises(DomainError):
        lifecycle.open_nominations(election, staff)


def test_states_follow_the_calendar(scene_factory):
    scene = scene_factory()
    election = scene.election
    scene.at(VOTING_OPEN - timedelta(minutes=1))
    assert election.state is ElectionState.NOMINATIONS
    scene.at(VOTING_OPEN)
    assert election.state is ElectionState.VOTING and election.roll_size == 5
    scene.at(VOTING_CLOSE - timedelta(seconds=1))
    assert election.state is ElectionState.VOTING
    scene.at(VOTING_CLOSE)
    assert election.state is ElectionState.CLOSED and election.fingerprint


def test_cli_advances_what_is_due(app, scene_factory):
    scene = scene_factory()
    clock.freeze(VOTING_CLOSE + timedelta(hours=1))
    result = app.test_cli_runner().invoke(args=["elections", "advance"])
    assert result.exit_code == 0 and "1 elections moved" in result.output
    db.session.refresh(scene.election)
    assert scene.election.state is ElectionState.CLOSED  # opened and closed in one pass


def test_cancellation_needs_a_public_reason_and_not_after_certification(scene_factory):
    from elections.certification import certify

    scene = scene_factory()
    with pytest.raises(ValidationFailed):
        lifecycle.cancel(scene.election, scene.staff, "  ")
    scene.at(VOTING_CLOSE + timedelta(minutes=1))
    certify(scene.election, scene.staff)
    with pytest.raises(DomainError):
        lifecycle.cancel(scene.election, scene.staff, "changed our mind")


def test_cancelled_election_says_why_publicly(app, scene_factory, client):
    scene = scene_factory()
    lifecycle.cancel(scene.election, scene.staff, "The calendar clashed with the holidays.")
    db.session.commit()
    page = client.get(f"/b/acme/elections/{scene.election.id}")
    assert "The calendar clashed with the holidays." in page.text


def test_announcing_before_the_opening_keeps_the_published_date_as_cut_off(app, make, client):
    from tests.conftest import login

    brand = make.brand(slug="acme")
    staff = make.staff(brand)
    clock.freeze(T0)
    election = lifecycle.create_draft(brand, staff, draft())
    db.session.commit()
    login(client, staff)
    draft_page = client.get(f"/b/acme/elections/{election.id}").text
    assert "Announce the election" in draft_page and ">Open nominations<" not in draft_page
    assert "Verified members who joined before" in draft_page  # who takes part, before announcing
    answer = client.post(f"/b/acme/elections/{election.id}/open", follow_redirects=True).text
    assert "The election is announced" in answer and "Nominations open on 2027-03-01 10:00" in answer
    assert "Nominations are open" not in answer
    assert "Announced: nominations not open yet" in answer
    db.session.refresh(election)
    assert election.eligibility_cutoff == NOMINATIONS_OPEN  # the published date, not the click (T0)
    assert client.post(f"/b/acme/elections/{election.id}/open", follow_redirects=True).status_code == 200
    late_joiner = make.member(brand, started_at=T0 + timedelta(minutes=30))  # joined between click and opening
    from elections.eligibility import is_eligible
    assert is_eligible(late_joiner, election)


def test_announcing_after_the_published_opening_opens_nominations_now(ctx, make):
    brand = make.brand()
    staff = make.staff(brand)
    clock.freeze(T0)
    election = lifecycle.create_draft(brand, staff, draft())
    clock.freeze(NOMINATIONS_OPEN + timedelta(hours=2))
    lifecycle.open_nominations(election, staff)
    assert election.eligibility_cutoff == NOMINATIONS_OPEN + timedelta(hours=2)
    with pytest.raises(DomainError, match="already announced"):
        lifecycle.open_nominations(election, staff)
