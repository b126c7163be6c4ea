"""Admissibility (incomplete, refused, opened), the brand's answer, and objections to the mediator."""
from __future__ import annotations

import math
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from extensions import db
from institutions import audit, permissions
from mediation import clock, deadlines, exchange, filing, independence, parties, roster
from mediation.models import CLOSED_CASE_STATES, CaseState, MediationCase, Objection
from mediation.permissions import case_role, is_brand_side, is_case_mediator, is_complainant_side
from mediation.timeline import record_event
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden, NotFound, ValidationFailed, required_text
from institutions.models import User
from institutions.messages import Message, deadline, message, moment

# The fixed list of reasons a mediator may refuse a case for (consumer ADR rules).
REFUSAL_REASONS = {
    "no_prior_complaint": _l("No prior written complaint to the brand"),
    "manifestly_unfounded": _l("Manifestly unfounded or abusive"),
    "already_judged": _l("Already judged, or being examined by a court or another mediator"),
    "too_late": _l("Filed more than a year after the written complaint to the brand"),
    "outside_scope": _l("Outside the mediator's scope"),
}
OBJECTION_DECISIONS = {"reassigned": _l("Reassigned to another mediator"), "kept": _l("Mediator kept")}
# Every recorded outcome of an objection, including the one no admin decides (L.613-1: refusal after a disclosure).
OBJECTION_OUTCOMES = {**OBJECTION_DECISIONS,
                      "mission_ended": _l("Mission ended: a party refused that the mediator continue after a "
                                          "disclosure")}
MAX_TEXT = 4000


def _require_mediator(case: MediationCase, actor: User) -> None:
    if not is_case_mediator(actor, case):
        raise Forbidden(_("Only the case's mediator decides on its admissibility."))
    exchange.require_declared(case)


def _catch_up(case: MediationCase) -> None:
    """Apply what fell due before acting, so no act lands on a case its deadlines already closed."""
    clock.advance_case(case)


def late_complaint(case: MediationCase) -> bool:
    """Filed more than a year after the written complaint (a hint for the mediator, who decides)."""
    filed = case.filed_at.date()
    try:
        year_after = case.prior_complaint_on.replace(year=case.prior_complaint_on.year + 1)
    except ValueError:
        year_after = date(case.prior_complaint_on.year + 1, 3, 1)
    return filed > year_after


# --- the mediator's decision ---------------------------------------------------------------------------------------

def _note_lateness(case: MediationCase, actor: User, now) -> bool:
    """L.612-2: a decision after the three weeks is still taken, but recorded as late, for the case and the report."""
    if not deadlines.admissibility_decision_late(case, now):
        return False
    due = deadlines.admissibility_due(case)
    # Once late, always late: completing the case later does not erase that the decision came after its deadline.
    case.admissibility_late = True
    record_event(case, "admissibility_late", actor, at=now, note=_(
        "The admissibility decision was due by %(due)s: it comes late.", due=due.strftime("%Y-%m-%d %H:%M UTC")))
    audit.record("case.admissibility_late", actor=actor, brand=case.brand, subject=case,
                 payload={"due": due.isoformat()})
    return True


def opening_rights() -> str:
    """R.612-2 (withdrawal), R.612-1 (representation, expert) and Code civil 2238, in the current language."""
    return str(opening_rights_notice())


def opening_rights_notice() -> Message:
    """What the opening notice tells both parties, as a key: each reader reads it in their language."""
    return message("Each party may withdraw from the mediation at any time. Each party may, at every stage, be "
                   "represented by a lawyer or assisted by a person of their choice, and may ask for an expert's "
                   "opinion, at their own cost. The limitation period of the dispute is suspended from this notice "
                   "(Code civil, art. 2238) and runs again, for at least six months, from the end of the mediation.")


def mark_incomplete(case: MediationCase, actor: User, missing: str) -> MediationCase:
    """The mediator says what is missing; the admissibility clock stops until the complainant completes the case."""
    _require_mediator(case, actor)
    missing = required_text(missing, "missing", _("What is missing"), MAX_TEXT)
    if case.state is not CaseState.FILED:
        raise DomainError(_("Only a case waiting for the admissibility decision can be marked incomplete."))
    now = utcnow()
    _note_lateness(case, actor, now)
    case.state = CaseState.INCOMPLETE
    case.incomplete_since = now
    case.missing_information = missing
    db.session.flush()
    record_event(case, "incomplete", actor, note=missing, at=now)
    audit.record("case.incomplete", actor=actor, brand=case.brand, subject=case)
    parties.tell_complainants(case, message("Case #%(id)s is incomplete: the mediator asks for %(missing)s. The three "
                                            "weeks of the admissibility decision are stopped until you complete it.",
                                            id=case.id, missing=missing))
    return case


def complete(case: MediationCase, actor: User, information: str, *, prior_complaint_on: date | None = None,
             prior_complaint: str | None = None, attachments=()) -> MediationCase:
    """The complainant side answers what was missing; the clock starts again where it stopped."""
    if not is_complainant_side(actor, case):
        raise Forbidden(_("Only the complainant side completes its case."))
    information = required_text(information, "information", _("What you add"), MAX_TEXT)
    if case.state is not CaseState.INCOMPLETE:
        raise DomainError(_("This case is not waiting to be completed."))
    if prior_complaint_on is not None:
        case.prior_complaint_on = filing._prior_date(prior_complaint_on)
    if prior_complaint is not None and prior_complaint.strip():
        case.prior_complaint = required_text(prior_complaint, "prior_complaint",
                                             _("Your written complaint to the brand (its content or reference)"),
                                             filing.MAX_PRIOR)
    files = filing._check_files(attachments, "attachments")
    now = utcnow()
    # The stopped time counts in whole days, rounded up: the mediator never loses part of the three weeks.
    stopped = now - case.incomplete_since
    case.clock_stopped_days = (case.clock_stopped_days or 0) + max(0, math.ceil(stopped.total_seconds() / 86400))
    case.incomplete_since = None
    case.state = CaseState.FILED
    db.session.flush()
    record_event(case, "completed", actor, note=information, at=now)
    documents = filing._store_files(case, actor, files, "attachments")
    audit.record("case.completed", actor=actor, brand=case.brand, subject=case,
                 payload={"attachments": len(documents), "clock_stopped_days": case.clock_stopped_days})
    parties.tell_mediator(case, message("Case #%(id)s is completed: the admissibility decision is due %(due)s.",
                                        id=case.id, due=deadline(deadlines.admissibility_due(case))))
    return case


def refuse(case: MediationCase, actor: User, reason: str, note: str | None = None) -> MediationCase:
    """The mediator refuses the case, with a reason from the fixed list (and an explanation if they wish)."""
    _require_mediator(case, actor)
    if reason not in REFUSAL_REASONS:
        raise ValidationFailed(_("Choose a reason from the list."), field="reason")
    note = (note or "").strip() or None
    if note and len(note) > MAX_TEXT:
        raise ValidationFailed(_("At most %(n)d characters.", n=MAX_TEXT), field="note")
    if case.state not in (CaseState.FILED, CaseState.INCOMPLETE):
        raise DomainError(_("Only a case waiting for the admissibility decision can be refused."))
    now = utcnow()
    _note_lateness(case, actor, now)
    case.state = CaseState.REFUSED
    case.refusal_reason = reason
    case.refusal_note = note
    case.incomplete_since = None
    case.closed_at = now
    db.session.flush()
    label = str(REFUSAL_REASONS[reason])
    record_event(case, "refused", actor, note=label + (f" — {note}" if note else ""), at=now)
    audit.record("case.refused", actor=actor, brand=case.brand, subject=case, payload={"reason": reason})
    parties.tell_complainants(case, message("Case #%(id)s is refused by the mediator: %(reason)s. You remain free to "
                                            "take the dispute to court.", id=case.id, reason=label))
    return case


def open_case(case: MediationCase, actor: User) -> MediationCase:
    """The mediator opens the case: both parties are told, the 90 days start, the brand has 20 days to answer."""
    _require_mediator(case, actor)
    if case.state is not CaseState.FILED:
        raise DomainError(_("Only a complete case waiting for the admissibility decision can be opened."))
    now = utcnow()
    late = _note_lateness(case, actor, now)
    case.state = CaseState.OPEN
    case.opened_at = now
    db.session.flush()
    ends = deadlines.mediation_due(case).strftime("%Y-%m-%d")
    answer_by = deadlines.brand_answer_due(case).strftime("%Y-%m-%d")
    rights = opening_rights_notice()
    # The opening notice, on the timeline both parties read: it is the date the limitation period stops running.
    record_event(case, "opened", actor, at=now, note=_(
        "The mediation runs until %(ends)s. The brand answers by %(answer)s whether it takes part.", ends=ends,
        answer=answer_by) + " " + str(rights))
    audit.record("case.opened", actor=actor, brand=case.brand, subject=case, payload={"late": late})
    parties.tell_complainants(case, message(
        "Case #%(id)s is open: the mediation runs until %(ends)s and the brand has until %(answer)s to say whether "
        "it takes part. %(rights)s", id=case.id, ends=moment(deadlines.mediation_due(case)),
        answer=moment(deadlines.brand_answer_due(case)), rights=rights))
    parties.tell_brand(case, message(
        "A mediation case (#%(id)s) is open against %(brand)s. Answer %(answer)s whether the brand takes part: "
        "without an answer, the brand is recorded as refusing to take part. You may object to the mediator within "
        "7 days, with a reason. %(rights)s", id=case.id, brand=case.brand.name,
        answer=deadline(deadlines.brand_answer_due(case)), rights=rights))
    return case


# --- the brand's answer --------------------------------------------------------------------------------------------

def _require_brand(case: MediationCase, actor: User) -> None:
    if not is_brand_side(actor, case):
        raise Forbidden(_("Only the brand's staff answer for the brand."))


def brand_answer(case: MediationCase, actor: User, answer: str) -> MediationCase:
    """The brand takes part in the mediation, with its answer to the complaint."""
    _require_brand(case, actor)
    answer = required_text(answer, "answer", _("The brand's answer"), MAX_TEXT)
    _catch_up(case)
    if case.state is not CaseState.OPEN:
        raise DomainError(_("The brand answers only an open case (the 20 days may have passed)."))
    if case.brand_answered_at is not None:
        raise DomainError(_("The brand has already answered."))
    now = utcnow()
    case.brand_answered_at = now
    case.brand_answer = answer
    db.session.flush()
    record_event(case, "brand_answered", actor, note=answer, at=now)
    audit.record("case.brand_answered", actor=actor, brand=case.brand, subject=case)
    notice = message("Case #%(id)s: %(brand)s takes part in the mediation and has answered.", id=case.id,
                     brand=case.brand.name)
    parties.tell_complainants(case, notice)
    parties.tell_mediator(case, notice)
    return case


def brand_decline(case: MediationCase, actor: User, reason: str | None = None) -> MediationCase:
    """The brand declines to take part: the case closes so."""
    _require_brand(case, actor)
    reason = (reason or "").strip() or None
    if reason and len(reason) > MAX_TEXT:
        raise ValidationFailed(_("At most %(n)d characters.", n=MAX_TEXT), field="reason")
    _catch_up(case)
    if case.state is not CaseState.OPEN or case.brand_answered_at is not None:
        raise DomainError(_("The brand can decline only an open case it has not answered yet."))
    now = utcnow()
    case.state = CaseState.BRAND_REFUSED
    case.brand_answered_at = now
    case.closed_at = now
    case.closing_note = reason
    db.session.flush()
    record_event(case, "brand_declined", actor, note=reason, at=now)
    audit.record("case.brand_declined", actor=actor, brand=case.brand, subject=case)
    notice = message("Case #%(id)s: %(brand)s declines to take part in the mediation; the case is closed. You remain "
                     "free to take the dispute to court.", id=case.id, brand=case.brand.name)
    parties.tell_complainants(case, notice)
    parties.tell_mediator(case, notice)
    return case


# --- objections to the mediator ------------------------------------------------------------------------------------

def can_object(user, case: MediationCase) -> bool:
    """A party inside its 7 days, with no objection yet to this mediator."""
    role = case_role(user, case)
    if role not in ("complainant", "brand") or case.state in CLOSED_CASE_STATES:
        return False
    return deadlines.objection_window(case, role, utcnow()) is not None


def raise_objection(case: MediationCase, actor: User, reason: str) -> Objection:
    """A party objects to the assigned mediator within 7 days, with a reason; the platform admin decides."""
    role = case_role(actor, case)
    if role not in ("complainant", "brand"):
        raise Forbidden(_("Only a party to the case may object to its mediator."))
    reason = required_text(reason, "reason", _("Reason"), MAX_TEXT)
    _catch_up(case)
    if case.state in CLOSED_CASE_STATES:
        raise DomainError(_("This case is closed."))
    if case.mediator_id is None:
        raise DomainError(_("The case has no mediator yet."))
    if independence.can_refuse_to_continue(actor, case):
        # After a disclosure an objection is a refusal to continue: it ends the mission, whatever the 7 days.
        return independence.refuse_to_continue(case, actor, reason)
    if deadlines.has_objected(case, role):
        raise DomainError(_("Your side has already objected to this mediator."))
    due = deadlines.objection_due(case, role)
    if due is None:
        raise DomainError(_("The brand may object to the mediator once the case is open."))
    if utcnow() > due:
        raise DomainError(_("The 7 days to object to this mediator have passed."))
    now = utcnow()
    objection = Objection(case_id=case.id, mediator_id=case.mediator_id, party=role, raised_by_id=actor.id,
                          reason=reason, raised_at=now)
    db.session.add(objection)
    db.session.flush()
    record_event(case, "objection", actor, note=reason, at=now)
    audit.record("case.objection_raised", actor=actor, brand=case.brand, subject=objection, payload={"party": role})
    parties.tell_admins(message("An objection to the mediator of case #%(id)s at %(brand)s waits for your decision.",
                                id=case.id, brand=case.brand.name), link="/admin/mediators/objections")
    parties.tell_mediator(case, message("A party objects to you as the mediator of case #%(id)s; the platform decides.",
                                        id=case.id))
    return objection


def decide_objection(objection: Objection, actor: User, decision: str, reason: str) -> Objection:
    """The platform admin reassigns the case to another conflict-free panel mediator, or keeps the mediator."""
    if not permissions.is_platform_admin(actor):
        raise Forbidden(_("Only a platform administrator decides on objections."))
    if decision not in OBJECTION_DECISIONS:
        raise ValidationFailed(_("Choose to reassign or to keep the mediator."), field="decision")
    reason = required_text(reason, "reason", _("Reason"), MAX_TEXT)
    if objection.decided_at is not None:
        raise DomainError(_("This objection has already been decided."))
    case = objection.case
    if case.state in CLOSED_CASE_STATES:
        raise DomainError(_("This case is closed."))
    if decision == "reassigned":
        if case.mediator_id != objection.mediator_id:
            raise DomainError(_("The case already has another mediator."))
        if not roster.available_mediators(case.brand, {objection.mediator_id}):
            raise DomainError(_("No other mediator of the panel is available without a conflict of interest: "
                                "appoint one to the panel first."), field="decision")
    elif objection.after_disclosure or (case.mediator_id == objection.mediator_id
                                        and independence.pending_disclosure(case) is not None):
        # L.613-1, R.613-1: a party objecting after the mediator's disclosure ends the mission; nobody keeps them.
        raise DomainError(_("The mediator disclosed a circumstance and a party objects: their mission on the case "
                            "ends. Reassign the case."), field="decision")
    elif case.mediator is not None and (conflict := roster.conflict_reason(case.mediator, case.brand)):
        # Keeping is an assignment too: a mediator tied to the brand cannot be kept, whatever the objection says.
        raise DomainError(conflict + " " + _("Reassign the case."), field="decision")
    now = utcnow()
    objection.decision = decision
    objection.decision_reason = reason
    objection.decided_at = now
    objection.decided_by_id = actor.id
    db.session.flush()
    record_event(case, "objection_decided", actor, at=now,
                 note=f"{OBJECTION_DECISIONS[decision]}: {reason}")
    audit.record("case.objection_decided", actor=actor, brand=case.brand, subject=objection,
                 payload={"decision": decision})
    if decision == "reassigned":
        roster.assign(case, actor, exclude={objection.mediator_id}, kind="reassigned",
                      reason=_("After an objection: %(reason)s", reason=reason))
    else:
        notice = message("The objection to the mediator of case #%(id)s is decided: the mediator stays. %(reason)s",
                         id=case.id, reason=reason)
        parties.tell_complainants(case, notice)
        parties.tell_mediator(case, notice)
        if case.opened_at is not None:
            parties.tell_brand(case, notice)
    return objection


def objection_by_id(objection_id: int) -> Objection:
    """An objection, or 404."""
    objection = db.session.get(Objection, objection_id)
    if objection is None:
        raise NotFound(_("No such objection."))
    return objection


def objections_query(undecided_only: bool = True):
    """Objections for the platform admin, oldest first (with their case and brand; never the case's content)."""
    query = select(Objection).options(joinedload(Objection.case).joinedload(MediationCase.brand))
    if undecided_only:
        query = query.where(Objection.decided_at.is_(None))
    return query.order_by(Objection.raised_at, Objection.id)
