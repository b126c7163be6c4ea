"""Demo elections: a past certified election with its sitting president, and one open for voting."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from elections import ballot_box, lifecycle, nominations
from elections import clock as elections_clock
from elections.certification import certify
from elections.models import Election
from extensions import db
from institutions import clock
from institutions.demo import DemoCast

PAST_TITLE = "Customer president 2025"
CURRENT_TITLE = "Customer president 2027"


def _election(cast: DemoCast, title: str, method: str, start, endorsements: int = 1) -> Election:
    """Create and publish an election whose calendar starts at `start` (the clock is frozen there)."""
    clock.freeze(start)
    election = lifecycle.create_draft(cast.brand, cast.staff, lifecycle.ElectionDraft(
        title=title, description="The community elects the customer president who speaks for it to the brand.",
        method=method, nominations_open_at=start + timedelta(hours=1), nominations_close_at=start + timedelta(days=5),
        voting_open_at=start + timedelta(days=6), voting_close_at=start + timedelta(days=13),
        endorsements_required=endorsements, quorum_percent=20, term_months=24,
    ))
    lifecycle.open_nominations(election, cast.staff)
    clock.freeze(start + timedelta(hours=2))
    return election


def _stand(election: Election, cast: DemoCast, candidates, statement: str) -> list:
    standing = []
    for person in candidates:
        candidacy = nominations.nominate(election, person, person)
        nominations.write_statement(candidacy, person, statement % person.display_name)
        standing.append(candidacy)
    for index, candidacy in enumerate(standing):
        nominations.endorse(candidacy, cast.members[20 + index])
    return standing


def load_demo_elections(cast: DemoCast) -> list[tuple[str, str]]:
    """Idempotent: create the two demo elections if they are missing."""
    existing = set(db.session.scalars(select(Election.title).where(Election.brand_id == cast.brand.id)))
    now = clock.utcnow()
    lots = random.Random(2025)
    try:
        if PAST_TITLE not in existing:
            start = now - timedelta(days=120)
            election = _election(cast, PAST_TITLE, "irv", start)
            candidates = _stand(election, cast, cast.members[1:4],
                                "**%s** will ask the brand to answer every complaint within a month.")
            clock.freeze(election.voting_open_at + timedelta(minutes=1))
            elections_clock.advance_election(election, clock.utcnow())
            ids = [c.id for c in candidates]
            for voter in cast.members[4:44]:
                ranking = ids[:]
                lots.shuffle(ranking)
                ballot_box.cast_ballot(election, voter, {"ranking": ranking[: lots.randint(1, 3)]})
            clock.freeze(election.voting_close_at + timedelta(minutes=1))
            elections_clock.advance_election(election, clock.utcnow())
            certify(election, cast.staff)
        if CURRENT_TITLE not in existing:
            start = now - timedelta(days=7)
            election = _election(cast, CURRENT_TITLE, "schulze", start)
            candidates = _stand(election, cast, cast.members[5:8],
                                "**%s** stands for clearer prices and a real repair service.")
            clock.freeze(election.voting_open_at + timedelta(minutes=1))
            elections_clock.advance_election(election, clock.utcnow())
            ids = [c.id for c in candidates]
            for voter in cast.members[10:25]:
                ranking = ids[:]
                lots.shuffle(ranking)
                ballot_box.cast_ballot(election, voter, {"ranking": ranking})
    finally:
        clock.freeze(None)
    return []

