"""The elections clock: open voting, close and count what is due, end finished terms, remind of terms ending."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from elections import ballot_box, certification, lifecycle, phases, reminders, stage_reminders
from elections.models import Election, ElectionState
from extensions import db
from institutions.models import Brand


@dataclass(frozen=True)
class ClockReport:
    """What one turn of the clock did."""

    moved: int
    ended: int
    reminded: int

    @property
    def changed_anything(self) -> bool:
        return bool(self.moved or self.ended or self.reminded)

    def summary(self) -> str:
        return f"{self.moved} elections moved, {self.ended} terms ended, {self.reminded} reminders sent"


def _claim(election: Election, expected: ElectionState, new: ElectionState) -> bool:
    """Move the state only if nobody else did (a concurrent page view may be advancing too)."""
    result = db.session.execute(
        update(Election).where(Election.id == election.id, Election.state == expected).values(state=new)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(election)
    return result.rowcount == 1


def advance_election(election: Election, now: datetime) -> bool:
    """Move the election to the state its calendar says (ballot decided, voting opens, voting closes)."""
    moved = False
    if phases.ballot_is_due(election, now):
        lifecycle.decide_ballot(election)
        moved = True
    if phases.voting_is_due(election, now) and _claim(election, ElectionState.NOMINATIONS, ElectionState.VOTING):
        ballot_box.freeze_roll(election, now)
        moved = True
    if phases.count_is_due(election, now) and _claim(election, ElectionState.VOTING, ElectionState.CLOSED):
        ballot_box.close_and_count(election, now)
        moved = True
    return moved


def _due_elections(brand: Brand | None, now: datetime) -> list[Election]:
    """Published elections whose next date has passed."""
    query = select(Election).where(
        ((Election.state == ElectionState.NOMINATIONS)
         & ((Election.nominations_close_at <= now) | (Election.voting_open_at <= now)))
        | ((Election.state == ElectionState.VOTING) & (Election.voting_close_at <= now))
    )
    if brand is not None:
        query = query.where(Election.brand_id == brand.id)
    return db.session.scalars(query).all()


def run(now: datetime, brand: Brand | None = None) -> ClockReport:
    """Advance every due election (of one brand, or all), end finished terms, remind of terms ending."""
    moved = sum(1 for election in _due_elections(brand, now) if advance_election(election, now))
    ended = certification.end_expired_terms(now, brand)
    reminded = certification.remind_terms_ending(now, brand)
    return ClockReport(moved=moved, ended=ended, reminded=reminded)


def advance(now: datetime, brand: Brand | None = None) -> list[str]:
    """Advance every election (of one brand, or all) whose date has come, then remind the non-voters; say what was done.

    Reminders go from here (the schedule and `flask advance`), not from page views: a page never waits for a roll.
    """
    lines = [run(now, brand).summary()]
    reminded = reminders.remind_voters(now, brand)
    lines.append(f"{reminded} voter reminders sent")
    lines.extend(stage_reminders.run(now, brand))
    return lines
