"""The outcome of a case: the extension, the proposal and its answers, settlement, compliance, withdrawal.

Rules: the mediator extends the 90 days once, for a complex case, with a reason both parties read. The mediator's
proposal (only once the brand has agreed to take part, within the mediation period) carries the three notices and
an answer deadline computed from when it was made. The complainant who filed the case answers for the complainant
side, any staff member for the brand; each answers once. Both accept: settled; one refuses, or the deadline passes:
not settled. The mediator then records whom the outcome favours; after a settlement the complainant says, once,
whether the brand complied. The complainant may withdraw at any moment before the outcome.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from extensions import db
from mediation import deadlines
from mediation.exchange import IN_MEDIATION, SIDES, audit_act, case_title, require_mediator, role_in, tell
from mediation.models import CaseState, MediationCase, Proposal
from mediation.permissions import case_role
from mediation.timeline import record_event
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden, ValidationFailed, required_text
from institutions.models import User

MAX_TEXT = 20_000
MAX_REASON = 4000
DEFAULT_EXTENSION_DAYS = 90
MAX_EXTENSION_DAYS = 90
DEFAULT_ANSWER_DAYS = 14
MIN_ANSWER_DAYS = 7
MAX_ANSWER_DAYS = 30

ACCEPTED = "accepted"
REFUSED = "refused"
FAVOURS = ("consumer", "brand", "amicable")
WITHDRAWABLE = (CaseState.FILED, CaseState.INCOMPLETE, CaseState.OPEN, CaseState.PROPOSAL)
OUTCOME_STATES = (CaseState.SETTLED, CaseState.NOT_SETTLED)

# The three notices a proposal always carries (consumer ADR rules: directive 2013/11 art. 9, L.612-4 ff.).
NOTICES = (
    _l("You are free to accept or to refuse this proposal."),
    _l("Whatever you answer, the courts stay open to you: you may still take the dispute to a judge."),
    _l("The proposed solution may differ from the decision a judge would make."),
)
FAVOURS_LABELS = {"consumer": _l("the consumer"), "brand": _l("the brand"), "amicable": _l("an amicable split")}
ANSWER_LABELS = {ACCEPTED: _l("accepted"), REFUSED: _l("refused")}
EVENT_LABELS = {
    "extended": _l("Mediation period extended"),
    "proposal_made": _l("Proposal made"),
    "proposal_accepted": _l("Proposal accepted"),
    "proposal_refused": _l("Proposal refused"),
    "proposal_expired": _l("Answer deadline passed"),
    "settled": _l("Settled"),
    "not_settled": _l("Not settled"),
    "outcome_recorded": _l("Outcome recorded"),
    "compliance_recorded": _l("Compliance recorded"),
    "withdrawn": _l("Withdrawn by the complainant"),
}


def _when(moment: datetime) -> str:
    # Notifications are read in mail too, so they carry an unambiguous UTC time.
    return moment.strftime("%Y-%m-%d %H:%M UTC")


# --- reading ---------------------------------------------------------------------------------------------------

def current_proposal(case: MediationCase) -> Proposal | None:
    """The latest proposal of the case, if any."""
    return case.proposals[-1] if case.proposals else None


def proposal_expired(proposal: Proposal, now: datetime | None = None) -> bool:
    """The answer deadline has come: no answer is taken any more."""
    return (now or utcnow()) >= deadlines.proposal_answer_due(proposal)


def _is_complainant(actor: User, case: MediationCase) -> bool:
    # The complainant who filed answers for the complainant side; members who joined are heard, not signatories.
    return actor.is_authenticated and case.complainant_id == actor.id


def answering_side(actor: User, case: MediationCase) -> str | None:
    """"complainant" for the complainant who filed, "brand" for the brand's staff, None for anyone else."""
    if _is_complainant(actor, case):
        return "complainant"
    role = case_role(actor, case)
    return "brand" if role == "brand" else None


def answer_of(proposal: Proposal, side: str) -> str | None:
    """A side's answer to the proposal: "accepted", "refused" or None."""
    return proposal.complainant_answer if side == "complainant" else proposal.brand_answer


def _outcome_fell_due(case: MediationCase, now: datetime) -> bool:
    """A deadline has passed that closes the case (the next deadline run records it): nothing can be withdrawn."""
    if case.state is CaseState.PROPOSAL:
        proposal = current_proposal(case)
        return proposal is not None and proposal_expired(proposal, now)
    if case.state is CaseState.OPEN:
        brand_due = deadlines.brand_answer_due(case)
        mediation_due = deadlines.mediation_due(case)
        return ((case.brand_answered_at is None and brand_due is not None and now >= brand_due)
                or (mediation_due is not None and now >= mediation_due))
    return False


# --- the extension ---------------------------------------------------------------------------------------------

def extend(case: MediationCase, actor: User, reason: str, days: int | None = DEFAULT_EXTENSION_DAYS) -> MediationCase:
    """The mediator extends the mediation period once, for a complex case; both parties read the reason."""
    require_mediator(actor, case)
    reason = required_text(reason, "reason", _("Reason"), MAX_REASON)
    days = DEFAULT_EXTENSION_DAYS if days is None else days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationFailed(_("The extension is between 1 and %(n)d days.", n=MAX_EXTENSION_DAYS), field="days")
    if case.state not in IN_MEDIATION:
        raise DomainError(_("Only an open case can be extended."))
    if case.extended_at is not None:
        raise DomainError(_("The mediation period was already extended once: it cannot be extended again."))
    now = utcnow()
    if now >= deadlines.mediation_due(case):
        raise DomainError(_("The mediation period has already ended: it can no longer be extended."))
    if _outcome_fell_due(case, now):
        raise DomainError(_("A deadline of this case has passed and decided its outcome: it can no longer be "
                            "extended."))
    case.extended_at = now
    case.extension_reason = reason
    case.extension_days = days
    db.session.flush()
    due = deadlines.mediation_due(case)
    record_event(case, "extended", actor, note=reason, at=now)
    tell(case, SIDES, _("The mediator extended %(case)s by %(days)d days, until %(due)s, because the case is "
                        "complex: %(reason)s", case=case_title(case), days=days, due=_when(due), reason=reason),
         actor=actor)
    audit_act("case.extended", actor, case, days=days)
    return case


# --- the proposal ----------------------------------------------------------------------------------------------

def propose(case: MediationCase, actor: User, text: str, answer_days: int | None = DEFAULT_ANSWER_DAYS) -> Proposal:
    """The mediator proposes a solution; the parties get the three notices and the answer deadline."""
    require_mediator(actor, case)
    text = required_text(text, "text", _("Proposal"), MAX_TEXT)
    answer_days = DEFAULT_ANSWER_DAYS if answer_days is None else answer_days
    if (isinstance(answer_days, bool) or not isinstance(answer_days, int)
            or not MIN_ANSWER_DAYS <= answer_days <= MAX_ANSWER_DAYS):
        raise ValidationFailed(_("The parties get between %(low)d and %(high)d days to answer.",
                                 low=MIN_ANSWER_DAYS, high=MAX_ANSWER_DAYS), field="answer_days")
    if case.state is CaseState.PROPOSAL:
        raise DomainError(_("A proposal already waits for the parties' answers."))
    if case.state is not CaseState.OPEN:
        raise DomainError(_("A proposal can only be made on an open case."))
    if case.brand_answered_at is None:
        raise DomainError(_("The brand has not agreed to take part yet: wait for its answer before proposing."))
    now = utcnow()
    if now >= deadlines.mediation_due(case):
        raise DomainError(_("The mediation period has ended: a proposal can no longer be made."))
    proposal = Proposal(case_id=case.id, text=text, made_at=now, answer_days=answer_days)
    db.session.add(proposal)
    case.proposals.append(proposal)
    case.state = CaseState.PROPOSAL
    db.session.flush()
    due = deadlines.proposal_answer_due(proposal)
    record_event(case, "proposal_made", actor, at=now)
    notices = " ".join(str(notice) for notice in NOTICES)
    tell(case, SIDES, _("The mediator made a proposal in %(case)s. Accept or refuse it before %(due)s. %(notices)s",
                        case=case_title(case), due=_when(due), notices=notices), actor=actor)
    audit_act("case.proposal_made", actor, case, proposal=proposal.id, answer_days=answer_days)
    return proposal


def _close(case: MediationCase, state: CaseState, at: datetime, actor: User | None) -> None:
    case.state = state
    case.closed_at = at
    db.session.flush()
    record_event(case, "settled" if state is CaseState.SETTLED else "not_settled", actor, at=at)


def answer_proposal(case: MediationCase, actor: User, accept: bool) -> Proposal:
    """A party accepts or refuses the proposal, once; both accept: settled; a refusal: not settled."""
    role_in(actor, case)
    side = answering_side(actor, case)
    if side is None:
        raise Forbidden(_("Only the complainant who filed the case and the brand's staff answer the proposal."))
    if not isinstance(accept, bool):
        raise ValidationFailed(_("Answer accept or refuse."), field="answer")
    proposal = current_proposal(case)
    if case.state is not CaseState.PROPOSAL or proposal is None:
        raise DomainError(_("No proposal waits for an answer in this case."))
    now = utcnow()
    if proposal_expired(proposal, now):
        raise DomainError(_("The answer deadline has passed: the proposal can no longer be answered."))
    if answer_of(proposal, side) is not None:
        raise DomainError(_("Your side has already answered this proposal."))
    answer = ACCEPTED if accept else REFUSED
    if side == "complainant":
        proposal.complainant_answer, proposal.complainant_answered_at = answer, now
    else:
        proposal.brand_answer, proposal.brand_answered_at = answer, now
    db.session.flush()
    record_event(case, "proposal_accepted" if accept else "proposal_refused", actor, at=now)
    audit_act("case.proposal_answered", actor, case, proposal=proposal.id, side=side, answer=answer)
    if not accept:
        _close(case, CaseState.NOT_SETTLED, now, actor)
        message = (_("The complainant refused the proposal in %(case)s: the case is closed as not settled. The "
                     "courts stay open.", case=case_title(case)) if side == "complainant" else
                   _("The brand refused the proposal in %(case)s: the case is closed as not settled. The courts "
                     "stay open.", case=case_title(case)))
    elif proposal.complainant_answer == ACCEPTED and proposal.brand_answer == ACCEPTED:
        _close(case, CaseState.SETTLED, now, actor)
        message = _("Both parties accepted the proposal in %(case)s: the case is settled.", case=case_title(case))
    else:
        message = (_("The complainant accepted the proposal in %(case)s; the brand's answer is awaited.",
                     case=case_title(case)) if side == "complainant" else
                   _("The brand accepted the proposal in %(case)s; the complainant's answer is awaited.",
                     case=case_title(case)))
    tell(case, ("mediator",) + SIDES, message, actor=actor)
    return proposal


def expire_due_proposals(now: datetime | None = None, brand=None) -> list[MediationCase]:
    """Close as not settled every case (of `brand`, if given) whose proposal's answer deadline passed without both
    acceptances."""
    now = now or utcnow()
    query = select(MediationCase).where(MediationCase.state == CaseState.PROPOSAL)
    if brand is not None:
        query = query.where(MediationCase.brand_id == brand.id)
    # Rows another request is already closing are skipped (PostgreSQL), so no expiry is recorded twice.
    waiting = db.session.scalars(query.options(selectinload(MediationCase.proposals))
                                 .order_by(MediationCase.id).with_for_update(skip_locked=True)).all()
    expired = []
    for case in waiting:
        proposal = current_proposal(case)
        if proposal is None or not proposal_expired(proposal, now):
            continue
        due = deadlines.proposal_answer_due(proposal)
        record_event(case, "proposal_expired", None, at=due)
        _close(case, CaseState.NOT_SETTLED, due, None)
        tell(case, ("mediator",) + SIDES, _("The answer deadline of the proposal in %(case)s passed without both "
                                            "parties accepting: the case is closed as not settled.",
                                            case=case_title(case)))
        audit_act("case.proposal_expired", None, case, proposal=proposal.id)
        expired.append(case)
    return expired


# --- after the outcome -----------------------------------------------------------------------------------------

def record_favours(case: MediationCase, actor: User, favours: str) -> MediationCase:
    """The mediator records whom the outcome favours (the annual report's shares); a correction is audited too."""
    require_mediator(actor, case)
    if favours not in FAVOURS:
        raise ValidationFailed(_("Choose the consumer, the brand or an amicable split."), field="favours")
    if case.state not in OUTCOME_STATES:
        raise DomainError(_("Whom the outcome favours is recorded once the case is settled or not settled."))
    if favours == "amicable" and case.state is not CaseState.SETTLED:
        raise DomainError(_("An amicable split needs a settlement: this case was not settled."), field="favours")
    case.outcome_favours = favours
    db.session.flush()
    record_event(case, "outcome_recorded", actor, visible_to="mediator", note=favours)
    audit_act("case.outcome_recorded", actor, case, favours=favours)
    return case


def record_compliance(case: MediationCase, actor: User, complied: bool) -> MediationCase:
    """After a settlement, the complainant says once whether the brand did what it agreed."""
    role_in(actor, case)
    if not _is_complainant(actor, case):
        raise Forbidden(_("Only the complainant who filed the case confirms whether the brand complied."))
    if not isinstance(complied, bool):
        raise ValidationFailed(_("Answer yes or no."), field="complied")
    if case.state is not CaseState.SETTLED:
        raise DomainError(_("Compliance is confirmed after a settlement only."))
    if case.complied is not None:
        raise DomainError(_("You have already said whether the brand complied."))
    now = utcnow()
    case.complied = complied
    case.compliance_recorded_at = now
    db.session.flush()
    record_event(case, "compliance_recorded", actor, note="yes" if complied else "no", at=now)
    message = (_("The complainant confirms that the brand complied with the settlement of %(case)s.",
                 case=case_title(case)) if complied else
               _("The complainant says that the brand did not comply with the settlement of %(case)s.",
                 case=case_title(case)))
    tell(case, ("mediator", "brand"), message, actor=actor)
    audit_act("case.compliance_recorded", actor, case, complied=complied)
    return case


def withdraw(case: MediationCase, actor: User, reason: str | None = None) -> MediationCase:
    """The complainant withdraws at any moment before the outcome, optionally saying why."""
    role_in(actor, case)
    if not _is_complainant(actor, case):
        raise Forbidden(_("Only the complainant who filed the case can withdraw it."))
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON:
        raise ValidationFailed(_("Reason: at most %(n)d characters.", n=MAX_REASON), field="reason")
    if case.state not in WITHDRAWABLE:
        raise DomainError(_("This case is already closed: it can no longer be withdrawn."))
    if _outcome_fell_due(case, utcnow()):
        raise DomainError(_("A deadline of this case has passed and decided its outcome: it can no longer be "
                            "withdrawn."))
    now = utcnow()
    was_open = case.opened_at is not None
    case.state = CaseState.WITHDRAWN
    case.closed_at = now
    case.closing_note = reason
    db.session.flush()
    record_event(case, "withdrawn", actor, note=reason, at=now)
    # Before the case was opened the brand was never told of it, and it learns nothing now either.
    sides = ("mediator", "complainant", "brand") if was_open else ("mediator", "complainant")
    tell(case, sides, _("The complainant withdrew %(case)s.", case=case_title(case)), actor=actor)
    audit_act("case.withdrawn", actor, case)
    return case


# --- the page --------------------------------------------------------------------------------------------------

@dataclass
class OutcomeView:
    """What _outcome.html shows to one viewer."""

    role: str | None
    proposal: Proposal | None = None
    proposals: list = field(default_factory=list)
    answer_due: datetime | None = None
    mediation_due: datetime | None = None
    answering_side: str | None = None
    can_answer: bool = False
    can_extend: bool = False
    can_propose: bool = False
    can_record_favours: bool = False
    can_confirm_compliance: bool = False
    can_withdraw: bool = False
    forms: dict = field(default_factory=dict)
    notices: tuple = NOTICES
    favours_labels: dict = field(default_factory=lambda: FAVOURS_LABELS)
    answer_labels: dict = field(default_factory=lambda: ANSWER_LABELS)


def page_context(case: MediationCase, viewer, forms: dict) -> dict:
    """What the case page shows of the proposal and outcome to this viewer (templates/mediation/_outcome.html).

    `forms` are the outcome's forms of the page (forms.outcome_page_forms); the favours' choices are set here.
    """
    role = case_role(viewer, case)
    if role is None:
        return {"outcome": OutcomeView(role=None)}
    now = utcnow()
    proposal = current_proposal(case)
    answer_due = deadlines.proposal_answer_due(proposal) if proposal is not None else None
    mediation_due = deadlines.mediation_due(case) if case.opened_at is not None else None
    running = mediation_due is not None and now < mediation_due
    side = answering_side(viewer, case)
    waiting = (case.state is CaseState.PROPOSAL and proposal is not None and answer_due is not None
               and now < answer_due)
    built = forms
    # An amicable split needs a settlement: it is not offered for a case that was not settled.
    built["favours"].favours.choices = [(key, label) for key, label in FAVOURS_LABELS.items()
                                        if key != "amicable" or case.state is CaseState.SETTLED]
    mediator = role == "mediator"
    return {"outcome": OutcomeView(
        role=role, proposal=proposal, proposals=list(case.proposals), answer_due=answer_due,
        mediation_due=mediation_due, answering_side=side,
        can_answer=waiting and side is not None and answer_of(proposal, side) is None,
        can_extend=mediator and case.state in IN_MEDIATION and case.extended_at is None and running,
        can_propose=mediator and case.state is CaseState.OPEN and case.brand_answered_at is not None and running,
        can_record_favours=mediator and case.state in OUTCOME_STATES,
        can_confirm_compliance=_is_complainant(viewer, case) and case.state is CaseState.SETTLED
        and case.complied is None,
        can_withdraw=_is_complainant(viewer, case) and case.state in WITHDRAWABLE
        and not (case.state is CaseState.PROPOSAL and not waiting),
        forms=built,
    )}
