"""After the count: staff certify, the winner takes office; reminders before a term ends."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from elections.models import Election, ElectionKind, ElectionState
from extensions import db
from institutions import audit, charter, permissions
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden
from institutions.models import Brand, Office, OfficeHolding, OfficeKind, User
from institutions.notifications import notify, notify_staff
from institutions.messages import message, moment

REMINDER_BEFORE_TERM_END = timedelta(days=90)


def _months_later(moment: datetime, months: int) -> datetime:
    """The same day `months` later (the last day of the month when that day does not exist)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=28)


def certification_due(election: Election) -> datetime | None:
    """When the brand must have certified the count (fixed at close; older elections: 14 days after close)."""
    if election.certification_due_at is not None:
        return election.certification_due_at
    if election.closed_at is None:
        return None
    return election.closed_at + timedelta(days=charter.DEFAULT_CERTIFICATION_DAYS)


def certification_overdue(election: Election, now: datetime | None = None) -> bool:
    """A counted election the brand has not certified by the charter's deadline."""
    due = certification_due(election)
    return election.state is ElectionState.CLOSED and due is not None and (now or utcnow()) > due


def overdue_certifications(brand: Brand, now: datetime | None = None) -> list[Election]:
    """The brand's counted elections past their certification deadline, the oldest deadline first."""
    closed = db.session.scalars(select(Election).where(Election.brand_id == brand.id,
                                                       Election.state == ElectionState.CLOSED)).all()
    return sorted((e for e in closed if certification_overdue(e, now)), key=certification_due)


def certify(election: Election, actor: User, now: datetime | None = None) -> Election:
    """Staff certify the stored count (they cannot change it); the winner takes office for the term."""
    now = now or utcnow()
    if not permissions.is_brand_staff(actor, election.brand):
        raise Forbidden(_("Only the brand's staff can certify an election."))
    if election.state is not ElectionState.CLOSED:
        raise DomainError(_("Only a closed election can be certified: voting must be over and counted."))
    election.state = ElectionState.CERTIFIED
    election.certified_at = now
    election.certified_by_id = actor.id
    db.session.flush()
    audit.record("election.certified", actor=actor, brand=election.brand, subject=election, public=True,
                 payload={"outcome": election.outcome, "fingerprint": election.fingerprint})
    if election.kind is ElectionKind.RECALL:
        holding = election.recall_holding
        if election.outcome == "recall_carried" and holding is not None and holding.ended_at is None:
            charter.end_holding(holding, "recalled by the members' vote", actor=actor)
        return election
    winner = election.winner
    if election.outcome == "winner" and winner is not None and winner.user is not None:
        previous = charter.sitting_president(election.brand)
        if previous is not None:
            charter.end_holding(previous, "term ended: a successor was elected", actor=actor)
        charter.install_holder(
            election.brand, OfficeKind.PRESIDENT, winner.user, source=f"election:{election.id}", actor=actor,
            starts_at=now, term_ends_at=_months_later(now, election.term_months),
        )
        notify(winner.user, "elections",
               message("You are elected customer president of %(brand)s.", brand=election.brand.name),
               link=f"/b/{election.brand.slug}/charter", brand=election.brand)
    return election


def _presidencies(brand: Brand | None, *conditions):
    """Sitting presidencies with a term end (of one brand, or all) matching the conditions."""
    query = (select(OfficeHolding).join(Office, OfficeHolding.office_id == Office.id)
             .where(Office.kind == OfficeKind.PRESIDENT, OfficeHolding.ended_at.is_(None),
                    OfficeHolding.term_ends_at.is_not(None), *conditions))
    if brand is not None:
        query = query.where(Office.brand_id == brand.id)
    return db.session.scalars(query).all()


def remind_terms_ending(now: datetime | None = None, brand: Brand | None = None) -> int:
    """Tell staff, once per presidency, that its term ends within 90 days; returns how many reminders."""
    now = now or utcnow()
    holdings = _presidencies(brand, OfficeHolding.term_ends_at <= now + REMINDER_BEFORE_TERM_END,
                             OfficeHolding.reminder_sent_at.is_(None))
    for holding in holdings:
        brand_of_office = holding.office.brand
        notify_staff(brand_of_office, "elections",
                     message("The customer president's term at %(brand)s ends on %(date)s: schedule the next election.",
                             brand=brand_of_office.name, date=moment(holding.term_ends_at)),
                     link=f"/b/{brand_of_office.slug}/elections/new")
        holding.reminder_sent_at = now
        audit.record("office.term_reminder_sent", brand=brand_of_office, subject=holding)
    db.session.flush()
    return len(holdings)


def end_expired_terms(now: datetime | None = None, brand: Brand | None = None) -> int:
    """End presidencies (of one brand, or all) whose term is over; the clock calls this."""
    now = now or utcnow()
    holdings = _presidencies(brand, OfficeHolding.term_ends_at <= now)
    for holding in holdings:
        charter.end_holding(holding, "term over")
    return len(holdings)
