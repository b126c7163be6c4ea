"""Every deadline of a case, computed from its timestamps and events (never typed in); clock.py moves what is due.

Admissibility: 3 weeks from filing, not counting the days the case was incomplete (stopped while INCOMPLETE).
The brand: 20 days from the opening to answer; silence counts as a refusal to take part.
Objections: 7 days, from the assignment of the current mediator for the complainant side, and from the later
of that assignment and the opening (when the brand is told) for the brand.
Mediation: 90 days from the opening, plus every extension the mediator granted for a complex case (R.612-5).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from mediation.models import CLOSED_CASE_STATES, CaseState, MediationCase, Objection, Proposal
from institutions.clock import utcnow

ADMISSIBILITY_DAYS = 21
BRAND_ANSWER_DAYS = 20
OBJECTION_DAYS = 7
MEDIATION_DAYS = 90
# Timeline events that (re)assign a mediator: the objection window runs from the last one.
ASSIGNMENT_EVENTS = ("assigned", "reassigned")


class Deadline(tuple):
    """(label, due_at, whose): what is due, when (None: no date, e.g. while the clock is stopped), from whom.

    `whose` is "mediator", "brand" or "complainant"; `kind` names the deadline for reminders.
    """

    def __new__(cls, label: str, due_at: datetime | None, whose: str, kind: str):
        deadline = super().__new__(cls, (label, due_at, whose))
        deadline.kind = kind
        return deadline

    @property
    def label(self) -> str:
        return self[0]

    @property
    def due_at(self) -> datetime | None:
        return self[1]

    @property
    def whose(self) -> str:
        return self[2]


def is_closed(case: MediationCase) -> bool:
    """Refused, settled, not settled, refused by the brand, withdrawn or lapsed."""
    return case.state in CLOSED_CASE_STATES


def assigned_at(case: MediationCase) -> datetime | None:
    """When the current mediator was assigned (the last assignment event), or None while unassigned."""
    if case.mediator_id is None:
        return None
    moments = [event.at for event in case.events if event.kind in ASSIGNMENT_EVENTS]
    return max(moments) if moments else None


def admissibility_due(case: MediationCase) -> datetime | None:
    """Filing + 21 days + the days it was incomplete; None while incomplete (the clock is stopped)."""
    if case.state is CaseState.INCOMPLETE:
        return None
    return case.filed_at + timedelta(days=ADMISSIBILITY_DAYS + (case.clock_stopped_days or 0))


def admissibility_decision_late(case: MediationCase, at: datetime) -> bool:
    """L.612-2: whether an admissibility decision taken at `at` comes after the three weeks (never while stopped)."""
    due = admissibility_due(case)
    return due is not None and at > due


def admissibility_overdue(case: MediationCase, now: datetime) -> bool:
    """A filed case whose three weeks have run out without a decision (the mediator's queue puts it first)."""
    return case.state is CaseState.FILED and admissibility_decision_late(case, now)


def brand_answer_due(case: MediationCase) -> datetime | None:
    """Opening + 20 days: the brand says whether it takes part."""
    return case.opened_at + timedelta(days=BRAND_ANSWER_DAYS) if case.opened_at else None


def objection_due(case: MediationCase, party: str | None = None) -> datetime | None:
    """The end of a party's 7 days to object to the current mediator (None: no window, or not started).

    Without `party`, the later of both sides' windows.
    """
    assigned = assigned_at(case)
    if assigned is None:
        return None
    if party == "complainant":
        return assigned + timedelta(days=OBJECTION_DAYS)
    brand_start = max(assigned, case.opened_at) if case.opened_at else None
    brand_due = brand_start + timedelta(days=OBJECTION_DAYS) if brand_start else None
    if party == "brand":
        return brand_due
    return brand_due or assigned + timedelta(days=OBJECTION_DAYS)


def mediation_due(case: MediationCase) -> datetime | None:
    """Opening + 90 days + the days of every extension, the end of the mediation."""
    if case.opened_at is None:
        return None
    return case.opened_at + timedelta(days=MEDIATION_DAYS + (case.extension_days or 0))


def proposal_answer_due(proposal: Proposal) -> datetime:
    """When the parties' answers to a proposal are due (14 days by default)."""
    return proposal.made_at + timedelta(days=proposal.answer_days)


def pending_proposal(case: MediationCase) -> Proposal | None:
    """The latest proposal while the case waits for the answers to it."""
    if case.state is not CaseState.PROPOSAL or not case.proposals:
        return None
    return case.proposals[-1]


def objection_window(case: MediationCase, party: str, now: datetime | None = None) -> datetime | None:
    """The end of the party's window to object if it is still open and unused, else None."""
    now = now or utcnow()
    due = objection_due(case, party)
    if due is None or due <= now:
        return None
    return None if has_objected(case, party) else due


def has_objected(case: MediationCase, party: str) -> bool:
    """Whether this side of this case already objected to its current mediator (once per mediator and side)."""
    return db.session.scalar(select(Objection.id).where(
        Objection.case_id == case.id, Objection.party == party, Objection.mediator_id == case.mediator_id)) is not None


def next_deadlines(case: MediationCase, role: str | None = None, now: datetime | None = None,
                   with_objections: bool = True) -> list[Deadline]:
    """What the case waits for, soonest first: (label, due_at, whose), for the pages, dashboards and reminders.

    `role` ("mediator", "complainant", "brand" or None for everyone) leaves out what is none of that
    viewer's business: the mediator does not see the parties' windows to object to them.
    `with_objections=False` skips the objection windows (one query each) on long lists.
    """
    now = now or utcnow()
    found: list[Deadline] = []
    if is_closed(case):
        return found
    state = case.state
    if state is CaseState.FILED:
        found.append(Deadline(_("Decision on admissibility (incomplete, refused or opened)"),
                              admissibility_due(case), "mediator", "admissibility"))
    elif state is CaseState.INCOMPLETE:
        found.append(Deadline(_("Complete the case with what the mediator asks (the admissibility clock is stopped)"),
                              None, "complainant", "complete"))
    elif state is CaseState.OPEN:
        if case.brand_answered_at is None:
            found.append(Deadline(_("The brand's answer: take part in the mediation or not"),
                                  brand_answer_due(case), "brand", "brand_answer"))
        found.append(Deadline(_("The mediator's proposal, within the mediation's time"),
                              mediation_due(case), "mediator", "mediation"))
    elif state is CaseState.PROPOSAL:
        proposal = pending_proposal(case)
        if proposal is not None:
            due = proposal_answer_due(proposal)
            if proposal.complainant_answer is None:
                found.append(Deadline(_("The complainant's answer to the proposal"), due, "complainant",
                                      "proposal_complainant"))
            if proposal.brand_answer is None:
                found.append(Deadline(_("The brand's answer to the proposal"), due, "brand", "proposal_brand"))
    if with_objections and role != "mediator" and case.mediator_id is not None:
        for party in ("complainant", "brand"):
            if role in (None, party):
                due = objection_window(case, party, now)
                if due is not None:
                    found.append(Deadline(_("Last day to object to the mediator, with a reason"), due, party,
                                          f"objection_{party}"))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(found, key=lambda deadline: deadline.due_at or far)


def nearest(case: MediationCase) -> Deadline | None:
    """The first thing the case waits for, objection windows aside (for queues sorted by nearest deadline)."""
    deadlines = next_deadlines(case, with_objections=False)
    return deadlines[0] if deadlines else None
