"""Election fixtures: a brand with members, and an election moved through its calendar by the clock."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from elections import ballot_box, lifecycle, nominations
from elections import clock as elections_clock
from elections.models import Candidacy, Election
from extensions import db
from institutions import clock
from institutions.models import Brand, MembershipStatus, User
from tests.conftest import T0

NOMINATIONS_OPEN = T0 + timedelta(hours=1)
NOMINATIONS_CLOSE = T0 + timedelta(days=7)
VOTING_OPEN = T0 + timedelta(days=8)
VOTING_CLOSE = T0 + timedelta(days=10)


def draft(method: str = "plurality", **overrides) -> lifecycle.ElectionDraft:
    """A valid draft calendar seen from T0."""
    values = dict(title="Customer president 2027", description="", method=method,
                  nominations_open_at=NOMINATIONS_OPEN, nominations_close_at=NOMINATIONS_CLOSE,
                  voting_open_at=VOTING_OPEN, voting_close_at=VOTING_CLOSE, endorsements_required=0,
                  quorum_percent=None, term_months=24)
    values.update(overrides)
    return lifecycle.ElectionDraft(**values)


@dataclass
class Scene:
    """A brand, its staff, verified members who joined long ago, and one election."""

    brand: Brand
    staff: User
    members: list[User]
    election: Election
    candidates: list[Candidacy] = field(default_factory=list)

    def at(self, moment: datetime) -> None:
        """Move the clock and let the election follow its calendar."""
        clock.freeze(moment)
        elections_clock.advance_election(self.election, moment)
        db.session.commit()

    def vote(self, voter: User, choice: dict) -> str:
        tracker = ballot_box.cast_ballot(self.election, voter, choice)
        db.session.commit()
        return tracker


@pytest.fixture
def scene_factory(make):
    """scene_factory(method=..., members=5, candidates=2) -> Scene in its nominations period."""

    def build(method: str = "plurality", members: int = 5, candidates: int = 2, slug: str = "acme",
              **draft_overrides) -> Scene:
        brand = make.brand(slug=slug)
        staff = make.staff(brand)
        people = [make.member(brand, user=make.user(name=f"Member {n}"), started_at=T0 - timedelta(days=30))
                  for n in range(members)]
        clock.freeze(T0)
        election = lifecycle.create_draft(brand, staff, draft(method, **draft_overrides))
        lifecycle.open_nominations(election, staff)
        db.session.commit()
        scene = Scene(brand, staff, people, election)
        scene.at(NOMINATIONS_OPEN + timedelta(minutes=1))
        for person in people[:candidates]:
            scene.candidates.append(nominations.nominate(election, person, person))
        db.session.commit()
        return scene

    return build


@pytest.fixture
def voting_scene(scene_factory):
    """scene in its voting period."""

    def build(method: str = "plurality", **kwargs) -> Scene:
        scene = scene_factory(method, **kwargs)
        scene.at(VOTING_OPEN + timedelta(minutes=1))
        return scene

    return build


def pending_member(make, brand):
    return make.member(brand, status=MembershipStatus.PENDING, started_at=T0 - timedelta(days=30))
