"""Reminders to vote: voters on the roll who have not voted are told before voting closes, each reminder once.

An election lists the hours before its close when reminders go ("72,24" by default: three days and one day before).
The elections clock calls `remind_voters` every minute (the job queue's schedule): for each election in its voting
period, the reminder due is the latest one whose moment has passed; it goes to every voter on the roll who has not
voted and has not had it yet. A reminder row (election, voter, hours) is inserted before the notice, once (its key
refuses a second), so two clocks running at once never remind anyone twice. Nothing here reads a ballot, and the rows
of an election are deleted once its voting is over.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, exists, select

from elections.models import Election, ElectionReminder, ElectionState, RollEntry, VoteRecord
from extensions import db
from institutions import audit, reminder_log
from institutions.errors import ValidationFailed
from institutions.models import Brand, User
from institutions.messages import Message, deadline, message
from institutions.notifications import notify

DEFAULT_REMINDER_HOURS = "72,24"
MAX_REMINDERS = 5
MAX_HOURS = 30 * 24
KIND = "election_reminders"
# Rows inserted per statement: a large roll is reminded in a few round trips, not one per voter.
BATCH = 500


def parse_hours(text: str | None) -> tuple[int, ...]:
    """The hours in "72,24" (largest first); refuses anything but up to 5 distinct whole numbers from 1 to 720."""
    cleaned = (text or "").replace(" ", "")
    if not cleaned:
        return ()
    hours = []
    for part in cleaned.split(","):
        if not part.isdigit() or not 1 <= int(part) <= MAX_HOURS:
            raise ValidationFailed(
                _("Give the hours before voting closes as whole numbers from 1 to %(max)d, separated by commas "
                  "(for example 72,24).", max=MAX_HOURS), field="reminder_hours")
        hours.append(int(part))
    if len(set(hours)) != len(hours):
        raise ValidationFailed(_("Each reminder time can be given only once."), field="reminder_hours")
    if len(hours) > MAX_REMINDERS:
        raise ValidationFailed(_("At most %(n)d reminders.", n=MAX_REMINDERS), field="reminder_hours")
    return tuple(sorted(hours, reverse=True))


def normalized(text: str | None) -> str:
    """The setting as stored: None means the default, "" no reminders, else the hours sorted, largest first."""
    if text is None:
        return DEFAULT_REMINDER_HOURS
    return ",".join(str(hours) for hours in parse_hours(text))


@dataclass(frozen=True)
class PlannedReminder:
    """One reminder of an election's setting: when it goes, and whether it can (not before voting opens)."""

    hours: int
    at: datetime
    applies: bool


def schedule(election: Election) -> list[PlannedReminder]:
    """The election's reminders in time order; one whose moment comes before voting opens is never sent."""
    planned = []
    for hours in parse_hours(election.reminder_hours):
        moment = election.voting_close_at - timedelta(hours=hours)
        planned.append(PlannedReminder(hours, moment, moment >= election.voting_open_at))
    return planned


def due_hours(election: Election, now: datetime) -> int | None:
    """The reminder due at `now`: the latest whose moment has passed, while voting is still open (else None)."""
    if election.state is not ElectionState.VOTING or not election.voting_open_at <= now < election.voting_close_at:
        return None
    passed = [reminder.hours for reminder in schedule(election) if reminder.applies and reminder.at <= now]
    return min(passed) if passed else None


def _not_yet_reminded(election: Election, hours: int) -> list[int]:
    """Ids of the voters on the roll who have not voted, whose account exists, and who lack this reminder."""
    voted = exists().where(VoteRecord.election_id == election.id, VoteRecord.user_id == RollEntry.user_id)
    reminded = exists().where(ElectionReminder.election_id == election.id,
                              ElectionReminder.user_id == RollEntry.user_id, ElectionReminder.hours == hours)
    return db.session.scalars(
        select(RollEntry.user_id).join(User, User.id == RollEntry.user_id)
        .where(RollEntry.election_id == election.id, User.deleted_at.is_(None), ~voted, ~reminded)
        .order_by(RollEntry.user_id)
    ).all()


def _insert_once(election: Election, hours: int, user_ids: list[int]) -> list[int]:
    """Record the reminder for these voters; returns those whose row is new (another clock may have sent some)."""
    return reminder_log.insert_new(ElectionReminder, [{"election_id": election.id, "user_id": user_id,
                                                       "hours": hours} for user_id in user_ids],
                                   ElectionReminder.user_id)


def _message(election: Election) -> Message:
    """The reminder's words: the election, its brand, when voting closes (in the reader's time); nothing about any
    ballot."""
    return message("You have not voted yet in “%(election)s” at %(brand)s: vote %(due)s. Your ballot is secret.",
                   election=election.title, brand=election.brand.name, due=deadline(election.voting_close_at))


def remind_election(election: Election, now: datetime) -> int:
    """Send the reminder due now to this election's non-voters who have not had it; returns how many got it."""
    hours = due_hours(election, now)
    if hours is None:
        return 0
    pending = _not_yet_reminded(election, hours)
    reminded = 0
    link = f"/b/{election.brand.slug}/elections/{election.id}"
    for start in range(0, len(pending), BATCH):
        new = _insert_once(election, hours, pending[start:start + BATCH])
        for user in db.session.scalars(select(User).where(User.id.in_(new))):
            notify(user, KIND, _message(election), link=link, brand=election.brand)
        reminded += len(new)
    if reminded:
        # A count only: who was reminded is nobody's business but theirs.
        audit.record("election.voter_reminders_sent", brand=election.brand, subject=election,
                     payload={"hours": hours, "reminded": reminded})
    return reminded


def forget_finished(brand: Brand | None = None) -> int:
    """Delete the reminder rows of elections whose voting is over: who had not voted by when is kept no longer."""
    finished = select(Election.id).where(Election.state != ElectionState.VOTING)
    if brand is not None:
        finished = finished.where(Election.brand_id == brand.id)
    result = db.session.execute(delete(ElectionReminder).where(ElectionReminder.election_id.in_(finished))
                                .execution_options(synchronize_session=False))
    return result.rowcount or 0


def remind_voters(now: datetime, brand: Brand | None = None) -> int:
    """The clock's round: remind the non-voters of every election (of one brand, or all) whose reminder is due."""
    forget_finished(brand)
    query = select(Election).where(Election.state == ElectionState.VOTING, Election.voting_open_at <= now,
                                   Election.voting_close_at > now, Election.reminder_hours != "")
    if brand is not None:
        query = query.where(Election.brand_id == brand.id)
    total = sum(remind_election(election, now) for election in db.session.scalars(query).all())
    db.session.flush()
    return total
