"""Every deadline of a case, computed from its timestamps and events (never typed in), and what falls due.

Admissibility: 3 weeks from filing, not counting the days the case was incomplete (stopped while INCOMPLETE).
The brand: 20 days from the opening to answer; silence counts as a refusal to take part.
Objections: 7 days, from the assignment of the current mediator for the complainant side, and from the later
of that assignment and the opening (when the brand is told) for the brand.
Mediation: 90 days from the opening, plus the one extension if the mediator granted it.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from institutions import audit
from mediation import parties
from mediation.models import CLOSED_CASE_STATES, CaseState, MediationCase, Proposal
from mediation.timeline import record_event
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
    """Opening + 90 days + the extension (granted once), the end of the mediation."""
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
    from mediation.models import Objection

    raised = db.session.scalar(select(Objection.id).where(
        Objection.case_id == case.id, Objection.party == party, Objection.mediator_id == case.mediator_id))
    return None if raised else due


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


def nearest(case: MediationCase, role: str | None = None) -> Deadline | None:
    """The first thing the case waits for (for queues sorted by nearest deadline)."""
    deadlines = next_deadlines(case, role, with_objections=False)
    return deadlines[0] if deadlines else None


# --- what falls due ------------------------------------------------------------------------------------------------

def _close(case: MediationCase, state: CaseState, at: datetime, kind: str, note: str) -> None:
    case.state = state
    case.closed_at = at
    case.closing_note = note
    record_event(case, kind, None, note=note, at=at)
    audit.record(f"case.{kind}", brand=case.brand, subject=case, payload={"state": state.value})


def close_for_brand_silence(case: MediationCase) -> None:
    """The 20 days passed without the brand's answer: recorded as refusing to take part, the case closes so."""
    due = brand_answer_due(case)
    note = _("The brand did not answer within 20 days of the opening: it is recorded as refusing to take part, "
             "and the case is closed. You remain free to take the dispute to court.")
    _close(case, CaseState.BRAND_REFUSED, due, "brand_silent", note)
    message = _("Case #%(id)s against %(brand)s: the brand did not answer within 20 days; it is recorded as "
                "refusing to take part and the case is closed.", id=case.id, brand=case.brand.name)
    parties.tell_complainants(case, message)
    parties.tell_mediator(case, message)
    parties.tell_brand(case, message)


def lapse(case: MediationCase) -> None:
    """The 90 days (with their extension) ran out without a proposal: the case lapses."""
    due = mediation_due(case)
    note = _("The time of the mediation ran out without a proposal: the case is closed without outcome. "
             "You remain free to take the dispute to court.")
    _close(case, CaseState.LAPSED, due, "lapsed", note)
    message = _("Case #%(id)s against %(brand)s: the time of the mediation ran out without a proposal; the case is "
                "closed.", id=case.id, brand=case.brand.name)
    parties.tell_complainants(case, message)
    parties.tell_mediator(case, message)
    parties.tell_brand(case, message)


def advance_case(case: MediationCase, now: datetime | None = None) -> str | None:
    """Apply to one case what its deadlines say by now; returns the new state's value if it moved."""
    now = now or utcnow()
    if case.state is not CaseState.OPEN:
        return None
    due = brand_answer_due(case)
    if case.brand_answered_at is None and due is not None and due <= now:
        close_for_brand_silence(case)
        return case.state.value
    due = mediation_due(case)
    if due is not None and due <= now:
        lapse(case)
        return case.state.value
    return None


def advance_due(now: datetime | None = None) -> list[MediationCase]:
    """Close the cases whose deadlines passed (brand silent, mediation over) and expire unanswered proposals.

    Run by `flask cases remind` and by case page views; a constant number of queries when nothing is due.
    """
    now = now or utcnow()
    silent = MediationCase.brand_answered_at.is_(None) & (
        MediationCase.opened_at <= now - timedelta(days=BRAND_ANSWER_DAYS))
    over = MediationCase.opened_at <= now - timedelta(days=MEDIATION_DAYS)  # refined below by the extension
    # Rows another request is already advancing are skipped (PostgreSQL), so no step is recorded twice.
    candidates = db.session.scalars(
        select(MediationCase).where(MediationCase.state == CaseState.OPEN, silent | over)
        .order_by(MediationCase.id).with_for_update(skip_locked=True)).all()
    moved = [case for case in candidates if advance_case(case, now)]
    from mediation import outcome

    # The proposal's answer deadline belongs to the outcome module; it may not exist in older trees.
    if hasattr(outcome, "expire_due_proposals"):
        expired = outcome.expire_due_proposals(now) or []
        moved.extend(case for case in expired if isinstance(case, MediationCase))
    db.session.flush()
    return moved


# --- reminders -----------------------------------------------------------------------------------------------------

def _reminded(case: MediationCase) -> set[str]:
    return set((case.reminders_sent or "").split())


def send_reminders(within_days: int = 3, now: datetime | None = None) -> int:
    """Remind whoever owes an act of each deadline due within `within_days` days (or already late), once each.

    A deadline is remembered as "kind:due-date" in MediationCase.reminders_sent, so a moved deadline (the
    admissibility clock stopped, the mediation extended) is reminded again at its new date.
    """
    from mediation.filing import with_deadline_data

    now = now or utcnow()
    horizon = now + timedelta(days=within_days)
    cases = db.session.scalars(with_deadline_data(
        select(MediationCase).where(MediationCase.state.not_in(CLOSED_CASE_STATES)))
        .order_by(MediationCase.id)).unique().all()
    sent = 0
    tell = {"mediator": parties.tell_mediator, "brand": parties.tell_brand,
            "complainant": parties.tell_complainants}
    for case in cases:
        done = _reminded(case)
        for deadline in next_deadlines(case, None, now, with_objections=False):
            if deadline.due_at is None or deadline.due_at > horizon:
                continue
            key = f"{deadline.kind}:{deadline.due_at.date().isoformat()}"
            if key in done:
                continue
            late = deadline.due_at <= now
            message = (_("Reminder, case #%(id)s at %(brand)s: %(what)s was due on %(due)s.", id=case.id,
                         brand=case.brand.name, what=deadline.label, due=deadline.due_at.strftime("%Y-%m-%d %H:%M UTC"))
                       if late else
                       _("Reminder, case #%(id)s at %(brand)s: %(what)s is due by %(due)s.", id=case.id,
                         brand=case.brand.name, what=deadline.label, due=deadline.due_at.strftime("%Y-%m-%d %H:%M UTC")))
            tell[deadline.whose](case, message)
            done.add(key)
            sent += 1
        case.reminders_sent = " ".join(sorted(done))
    db.session.flush()
    return sent
