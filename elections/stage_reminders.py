"""Reminders at each stage of an election, each at most once per person and moment, sent by the elections clock.

- nominees whose nomination waits for their answer, and candidates short of the endorsements the ballot needs,
  48 hours before nominations close;
- the signers of a recall petition, once it reached its threshold (the recall vote is scheduled);
- the brand's staff, of a count to certify: when it is in, 48 hours before the charter's deadline, and once overdue;
- the brand's staff, 30 days before the customer president's term ends (the 90-day one is certification.py's);
- the voters on the roll, when voting opens (before anyone could vote: the row says no more than the roll).

Each reminder is a topic in institutions.reminder_log, inserted before the notice with ON CONFLICT DO NOTHING: two clocks at once never remind anyone twice.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from elections import certification
from elections.models import (Candidacy, CandidacyState, Election, ElectionState, Endorsement, RecallPetition,
                              RecallSignature, RollEntry, VoteRecord)
from extensions import db
from institutions import audit, reminder_log
from institutions.messages import deadline, message, moment
from institutions.models import Brand, Office, OfficeHolding, OfficeKind, User
from institutions.notifications import notify, reachable_staff

BEFORE_NOMINATIONS_CLOSE = timedelta(hours=48)
BEFORE_CERTIFICATION_DUE = timedelta(hours=48)
BEFORE_TERM_END = timedelta(days=30)
KIND = "elections"


def _link(election: Election) -> str:
    return f"/b/{election.brand.slug}/elections/{election.id}"


def _of_brand(query, brand: Brand | None):
    return query.where(Election.brand_id == brand.id) if brand is not None else query


def _closing_soon(now: datetime, brand: Brand | None):
    """Elections whose nominations close within 48 hours (and have not closed)."""
    return _of_brand(select(Election).where(
        Election.state == ElectionState.NOMINATIONS, Election.nominations_close_at > now,
        Election.nominations_close_at <= now + BEFORE_NOMINATIONS_CLOSE), brand)


def remind_nominees(now: datetime, brand: Brand | None = None) -> int:
    """Nominees who have not answered, 48 hours before nominations close: accept or decline by then."""
    sent = 0
    for election in db.session.scalars(_closing_soon(now, brand)).all():
        waiting = db.session.scalars(select(Candidacy).where(
            Candidacy.election_id == election.id, Candidacy.state == CandidacyState.NOMINATED,
            Candidacy.user_id.is_not(None))).all()
        for candidacy in waiting:
            sent += reminder_log.remind_once(
                f"candidacy:{candidacy.id}:answer", [candidacy.user],
                lambda user, e=election: notify(user, KIND, message(
                    "Your nomination in “%(election)s” at %(brand)s waits for your answer: accept or decline "
                    "%(due)s, when nominations close.", election=e.title, brand=e.brand.name,
                    due=deadline(e.nominations_close_at)), link=_link(e), brand=e.brand))
    return sent


def remind_endorsements(now: datetime, brand: Brand | None = None) -> int:
    """Candidates short of the endorsements required, 48 hours before nominations close."""
    sent = 0
    query = _closing_soon(now, brand).where(Election.endorsements_required > 0)
    for election in db.session.scalars(query).all():
        counts = dict(db.session.execute(
            select(Candidacy.id, func.count(Endorsement.id)).outerjoin(Endorsement, Endorsement.candidacy_id == Candidacy.id)
            .where(Candidacy.election_id == election.id, Candidacy.state == CandidacyState.ACCEPTED,
                   Candidacy.user_id.is_not(None)).group_by(Candidacy.id)).all())
        for candidacy_id, have in counts.items():
            if have >= election.endorsements_required:
                continue
            candidacy = db.session.get(Candidacy, candidacy_id)
            sent += reminder_log.remind_once(
                f"candidacy:{candidacy.id}:endorsements", [candidacy.user],
                lambda user, e=election, n=have: notify(user, KIND, message(
                    "Your candidacy in “%(election)s” at %(brand)s has %(have)s of the %(need)s endorsements it "
                    "needs to be on the ballot: gather them %(due)s.", election=e.title, brand=e.brand.name,
                    have=n, need=e.endorsements_required, due=deadline(e.nominations_close_at)),
                    link=_link(e), brand=e.brand))
    return sent


def tell_petition_signers(now: datetime, brand: Brand | None = None) -> int:
    """The signers of a petition that reached its threshold, while its recall vote is still to open."""
    query = (select(RecallPetition, Election).join(Election, Election.id == RecallPetition.recall_election_id)
             .where(RecallPetition.succeeded_at.is_not(None), Election.state == ElectionState.NOMINATIONS,
                    Election.voting_open_at > now))
    if brand is not None:
        query = query.where(RecallPetition.brand_id == brand.id)
    sent = 0
    for petition, election in db.session.execute(query).all():
        signers = reminder_log.users_by_id(db.session.scalars(select(RecallSignature.user_id).where(
            RecallSignature.petition_id == petition.id, RecallSignature.user_id.is_not(None))).all())
        told = reminder_log.remind_once(
            f"petition:{petition.id}:threshold", signers,
            lambda user: notify(user, KIND, message(
                "The recall petition you signed at %(brand)s reached its threshold: the members' recall vote "
                "opens on %(opens)s.", brand=election.brand.name, opens=moment(election.voting_open_at)),
                link=_link(election), brand=election.brand))
        if told:
            audit.record("recall.signers_told", brand=election.brand, subject=petition, payload={"told": told})
        sent += told
    return sent


def _certification_stage(election: Election, now: datetime) -> str | None:
    """Which certification reminder is current: "counted", "48h" before the deadline, or "overdue"."""
    due = certification.certification_due(election)
    if due is None:
        return None
    if now >= due:
        return "overdue"
    if now >= due - BEFORE_CERTIFICATION_DUE:
        return "48h"
    return "counted"


def remind_certifications(now: datetime, brand: Brand | None = None) -> int:
    """The brand's staff, of each counted election not yet certified: once per stage (the latest one only)."""
    sent = 0
    for election in db.session.scalars(_of_brand(select(Election).where(Election.state == ElectionState.CLOSED),
                                                 brand)).all():
        stage = _certification_stage(election, now)
        if stage is None:
            continue
        due = certification.certification_due(election)
        if stage == "overdue":
            text = message("The certification of “%(election)s” at %(brand)s is overdue: it was due on %(due)s. "
                           "Certify the count now.", election=election.title, brand=election.brand.name,
                           due=moment(due))
        else:
            text = message("The count of “%(election)s” at %(brand)s is in: certify it %(due)s, the charter's "
                           "deadline.", election=election.title, brand=election.brand.name, due=deadline(due))
        told = reminder_log.remind_once(
            f"election:{election.id}:certify:{stage}", reachable_staff(election.brand),
            lambda user, t=text, e=election: notify(user, KIND, t, link=_link(e), brand=e.brand))
        if told:
            audit.record("election.certification_reminder_sent", brand=election.brand, subject=election,
                         payload={"stage": stage, "staff": told})
        sent += told
    return sent


def remind_terms_ending_soon(now: datetime, brand: Brand | None = None) -> int:
    """The brand's staff, 30 days before a sitting president's term ends (after the 90-day reminder)."""
    query = (select(OfficeHolding).join(Office, OfficeHolding.office_id == Office.id)
             .where(Office.kind == OfficeKind.PRESIDENT, OfficeHolding.ended_at.is_(None),
                    OfficeHolding.term_ends_at.is_not(None), OfficeHolding.term_ends_at > now,
                    OfficeHolding.term_ends_at <= now + BEFORE_TERM_END))
    if brand is not None:
        query = query.where(Office.brand_id == brand.id)
    sent = 0
    for holding in db.session.scalars(query).all():
        office_brand = holding.office.brand
        sent += reminder_log.remind_once(
            f"holding:{holding.id}:term_end:30d", reachable_staff(office_brand),
            lambda user, h=holding, b=office_brand: notify(user, KIND, message(
                "The customer president's term at %(brand)s ends on %(date)s: the next election should be under "
                "way.", brand=b.name, date=moment(h.term_ends_at)), link=f"/b/{b.slug}/elections/new", brand=b))
    return sent


def announce_voting_open(now: datetime, brand: Brand | None = None) -> int:
    """Tell the roll that voting is open, once each (not those who already voted); nothing about any ballot."""
    query = _of_brand(select(Election).where(Election.state == ElectionState.VOTING, Election.voting_open_at <= now,
                                             Election.voting_close_at > now, Election.roll_frozen_at.is_not(None)), brand)
    sent = 0
    for election in db.session.scalars(query).all():
        voted = select(VoteRecord.user_id).where(VoteRecord.election_id == election.id)
        roll = db.session.scalars(select(User).join(RollEntry, RollEntry.user_id == User.id).where(
            RollEntry.election_id == election.id, User.id.not_in(voted)).order_by(User.id)).all()
        # News of the election (kind "elections"), not a reminder to vote: those are counted apart.
        sent += reminder_log.remind_once(
            f"election:{election.id}:voting_open", roll,
            lambda user, e=election: notify(user, KIND, message(
                "Voting is open in “%(election)s” at %(brand)s: vote %(due)s. Your ballot is secret.",
                election=e.title, brand=e.brand.name, due=deadline(e.voting_close_at)), link=_link(e), brand=e.brand))
    return sent


def run(now: datetime, brand: Brand | None = None) -> list[str]:
    """Every stage reminder due at `now` (of one brand, or all); one line per sort, for the clock's report."""
    lines = [
        f"{remind_nominees(now, brand)} nominee reminders sent",
        f"{remind_endorsements(now, brand)} endorsement reminders sent",
        f"{tell_petition_signers(now, brand)} petition signers told",
        f"{remind_certifications(now, brand)} certification reminders sent",
        f"{remind_terms_ending_soon(now, brand)} 30-day term reminders sent",
        f"{announce_voting_open(now, brand)} voting-open notices sent",
    ]
    db.session.flush()
    return lines
