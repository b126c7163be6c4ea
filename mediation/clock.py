"""The mediation clock: close cases whose deadlines passed, expire proposals, remind of what is near.

The dates come from the pure computations of deadlines.py; this module queries the cases that are due and moves
them through the services. Run for every brand by `flask advance` (and its alias `flask cases remind`), and for
one brand by the pillar's route guards before a page or an API route answers (`advance_due` only: the guards
neither remind nor re-check the mediators' conflicts of interest, which `advance` does as a net).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from institutions import audit
from institutions.clock import utcnow
from institutions.models import Brand
from institutions import messages
from institutions.messages import message
from mediation import deadlines, outcome, parties, roster
from mediation.filing import with_deadline_data
from mediation.models import CLOSED_CASE_STATES, CaseState, MediationCase
from mediation.timeline import record_event

REMINDER_DAYS = 3


def advance(now: datetime, brand: Brand | None = None, within_days: int = REMINDER_DAYS) -> list[str]:
    """Move what fell due and remind of the deadlines within `within_days` days; say what was done."""
    moved = advance_due(now, brand)
    sent = send_reminders(within_days, now, brand)
    lines = [f"{len(moved)} cases moved, {sent} reminders sent"]
    # The net for ties to a brand made where no role change was announced: never on page views (it costs queries).
    reassigned = roster.reassign_all_conflicted(brand)
    if reassigned:
        lines.append(f"{len(reassigned)} cases reassigned for a conflict of interest")
    return lines


# --- what falls due ------------------------------------------------------------------------------------------------

def _close(case: MediationCase, state: CaseState, at: datetime, kind: str, note: str) -> None:
    case.state = state
    case.closed_at = at
    case.closing_note = note
    record_event(case, kind, None, note=note, at=at)
    audit.record(f"case.{kind}", brand=case.brand, subject=case, payload={"state": state.value})


def close_for_brand_silence(case: MediationCase) -> None:
    """The 20 days passed without the brand's answer: recorded as refusing to take part, the case closes so."""
    due = deadlines.brand_answer_due(case)
    note = _("The brand did not answer within 20 days of the opening: it is recorded as refusing to take part, "
             "and the case is closed. You remain free to take the dispute to court.")
    _close(case, CaseState.BRAND_REFUSED, due, "brand_silent", note)
    notice = message("Case #%(id)s against %(brand)s: the brand did not answer within 20 days; it is recorded as "
                     "refusing to take part and the case is closed.", id=case.id, brand=case.brand.name)
    parties.tell_complainants(case, notice)
    parties.tell_mediator(case, notice)
    parties.tell_brand(case, notice)


def lapse(case: MediationCase) -> None:
    """The 90 days (with their extension) ran out without a proposal: the case lapses."""
    due = deadlines.mediation_due(case)
    note = _("The time of the mediation ran out without a proposal: the case is closed without outcome. "
             "You remain free to take the dispute to court.")
    _close(case, CaseState.LAPSED, due, "lapsed", note)
    notice = message("Case #%(id)s against %(brand)s: the time of the mediation ran out without a proposal; the case "
                     "is closed.", id=case.id, brand=case.brand.name)
    parties.tell_complainants(case, notice)
    parties.tell_mediator(case, notice)
    parties.tell_brand(case, notice)


def advance_case(case: MediationCase, now: datetime | None = None) -> str | None:
    """Apply to one case what its deadlines say by now; returns the new state's value if it moved."""
    now = now or utcnow()
    if case.state is not CaseState.OPEN:
        return None
    due = deadlines.brand_answer_due(case)
    if case.brand_answered_at is None and due is not None and due <= now:
        close_for_brand_silence(case)
        return case.state.value
    due = deadlines.mediation_due(case)
    if due is not None and due <= now:
        lapse(case)
        return case.state.value
    return None


def advance_due(now: datetime | None = None, brand: Brand | None = None) -> list[MediationCase]:
    """Close the cases whose deadlines passed (brand silent, mediation over) and expire unanswered proposals.

    Only the brand's cases when `brand` is given. Run by `advance` and by the pillar's route guards; a constant number of queries when nothing is due.
    """
    now = now or utcnow()
    silent = MediationCase.brand_answered_at.is_(None) & (
        MediationCase.opened_at <= now - timedelta(days=deadlines.BRAND_ANSWER_DAYS))
    over = MediationCase.opened_at <= now - timedelta(days=deadlines.MEDIATION_DAYS)  # refined below by the extension
    # Rows another request is already advancing are skipped (PostgreSQL), so no step is recorded twice.
    query = select(MediationCase).where(MediationCase.state == CaseState.OPEN, silent | over)
    if brand is not None:
        query = query.where(MediationCase.brand_id == brand.id)
    candidates = db.session.scalars(query.order_by(MediationCase.id).with_for_update(skip_locked=True)).all()
    moved = [case for case in candidates if advance_case(case, now)]
    moved.extend(outcome.expire_due_proposals(now, brand))
    db.session.flush()
    return moved


# --- reminders -----------------------------------------------------------------------------------------------------

def _reminded(case: MediationCase) -> set[str]:
    return set((case.reminders_sent or "").split())


def send_reminders(within_days: int = REMINDER_DAYS, now: datetime | None = None, brand: Brand | None = None) -> int:
    """Remind whoever owes an act of each deadline due within `within_days` days (or already late), once each.

    A deadline is remembered as "kind:due-date" in MediationCase.reminders_sent, so a moved deadline (the
    admissibility clock stopped, the mediation extended) is reminded again at its new date.
    """
    now = now or utcnow()
    horizon = now + timedelta(days=within_days)
    query = select(MediationCase).where(MediationCase.state.not_in(CLOSED_CASE_STATES))
    if brand is not None:
        query = query.where(MediationCase.brand_id == brand.id)
    cases = db.session.scalars(with_deadline_data(query).order_by(MediationCase.id)).unique().all()
    sent = 0
    tell = {"mediator": parties.tell_mediator, "brand": parties.tell_brand,
            "complainant": parties.tell_complainants}
    for case in cases:
        done = _reminded(case)
        for deadline in deadlines.next_deadlines(case, None, now, with_objections=False):
            if deadline.due_at is None or deadline.due_at > horizon:
                continue
            key = f"{deadline.kind}:{deadline.due_at.date().isoformat()}"
            if key in done:
                continue
            late = deadline.due_at <= now
            notice = (message("Reminder, case #%(id)s at %(brand)s: %(what)s was due on %(due)s.", id=case.id,
                              brand=case.brand.name, what=deadline.label, due=messages.moment(deadline.due_at))
                      if late else
                      message("Reminder, case #%(id)s at %(brand)s: %(what)s is due %(due)s.", id=case.id,
                              brand=case.brand.name, what=deadline.label, due=messages.deadline(deadline.due_at)))
            tell[deadline.whose](case, notice)
            done.add(key)
            sent += 1
        case.reminders_sent = " ".join(sorted(done))
    db.session.flush()
    return sent
