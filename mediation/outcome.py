"""The outcome of a case: the extension, the proposal and its answers, settlement, compliance, withdrawal.

Rules: the mediator extends the 90 days for a complex case, at any time while the mediation runs and as often as
needed (R.612-5), each extension told at once to both parties with its reason. The mediator's proposal (only once
the brand has agreed to take part, within the mediation period) carries the three notices, the legal effect of
accepting it (R.612-4) and an answer deadline computed from when it was made. The complainant who filed the case answers for the complainant
side, any staff member for the brand; each answers once. Both accept: settled; one refuses, or the deadline passes:
not settled. The mediator then records whom the outcome favours; after a settlement the complainant says, once,
whether the brand complied. Either party may withdraw at any moment before the outcome (L.612-2): the complainant
who filed, or the brand once it has taken part.
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
from mediation.exchange import IN_MEDIATION, SIDES, audit_act, case_title, require_acting_mediator, role_in, tell
from mediation.models import CaseParticipant, CaseState, ClaimAnswer, MediationCase, Proposal
from mediation.permissions import case_role
from mediation.timeline import record_event
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden, ValidationFailed, required_text
from institutions.models import User
from institutions.messages import deadline, joined, message, moment

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
# R.612-4: the proposal says what accepting it does, besides the three notices.
LEGAL_EFFECT = _l("If both parties accept, the proposed solution binds them as an agreement they must carry out (Code "
                  "civil, art. 1103), and either may ask a judge to make it enforceable (Code de procédure civile, "
                  "art. 1565). Refusing it, or not answering in time, ends the mediation without agreement.")
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
    "claim_accepted": _l("A member accepted the proposal for their claim"),
    "claim_refused": _l("A member refused the proposal for their claim"),
    "claim_withdrawn": _l("A member withdrew their claim"),
    "brand_withdrawn": _l("Withdrawn by the brand"),
}


# --- reading ---------------------------------------------------------------------------------------------------

def current_proposal(case: MediationCase) -> Proposal | None:
    """The latest proposal of the case, if any."""
    return case.proposals[-1] if case.proposals else None


def proposal_expired(proposal: Proposal, now: datetime | None = None) -> bool:
    """The answer deadline has come: no answer is taken any more."""
    return (now or utcnow()) >= deadlines.proposal_answer_due(proposal)


def _is_complainant(actor: User, case: MediationCase) -> bool:
    # The complainant who filed answers for their own claim; in a collective case each member who joined answers
    # for theirs (participant_of).
    return actor.is_authenticated and case.complainant_id == actor.id


def participant_of(actor: User, case: MediationCase) -> CaseParticipant | None:
    """The actor's own claim in a collective case they joined and have not withdrawn from, if any."""
    if not actor.is_authenticated or case.complainant_id == actor.id:
        return None
    return next((p for p in case.co_complainants if p.user_id == actor.id and p.withdrawn_at is None), None)


def active_participants(case: MediationCase) -> list[CaseParticipant]:
    """The members who joined the collective case and still hold their claim in it."""
    return [p for p in case.co_complainants if p.withdrawn_at is None and p.user_id is not None]


def claim_answers(proposal: Proposal) -> dict[int, ClaimAnswer]:
    """The joined members' own answers to a proposal, by participant id."""
    rows = db.session.scalars(select(ClaimAnswer).where(ClaimAnswer.proposal_id == proposal.id)).all()
    return {row.participant_id: row for row in rows}


def answering_side(actor: User, case: MediationCase) -> str | None:
    """"complainant" for who filed, "claimant" for a member who joined (their own claim), "brand" for its staff."""
    if _is_complainant(actor, case):
        return "complainant"
    if participant_of(actor, case) is not None:
        return "claimant"
    role = case_role(actor, case)
    return "brand" if role == "brand" else None


def answer_of(proposal: Proposal, side: str, participant: CaseParticipant | None = None) -> str | None:
    """A side's answer to the proposal ("accepted", "refused" or None); a joined member's for their claim."""
    if side == "claimant":
        row = claim_answers(proposal).get(participant.id) if participant is not None else None
        return row.answer if row is not None else None
    return proposal.complainant_answer if side == "complainant" else proposal.brand_answer


def _conclusion(case: MediationCase, proposal: Proposal, final: bool) -> CaseState | None:
    """Where the answers leave the case: settled, not settled, or None while answers are awaited.

    Each claim (the filer's, and each joined member's still in the case) is accepted or refused on its own. The
    brand's refusal, or a refusal of every claim, ends the case as not settled. Once every answer is in (or, with
    `final`, the deadline passed: silence is a refusal), it is settled when the brand and at least one claim
    accepted.
    """
    if proposal.brand_answer == REFUSED:
        return CaseState.NOT_SETTLED
    given = claim_answers(proposal)
    answers = [proposal.complainant_answer] + [
        given[p.id].answer if p.id in given else None for p in active_participants(case)]
    if all(answer == REFUSED for answer in answers):
        return CaseState.NOT_SETTLED
    if not final and (None in answers or proposal.brand_answer is None):
        return None
    return CaseState.SETTLED if proposal.brand_answer == ACCEPTED and ACCEPTED in answers else CaseState.NOT_SETTLED


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
    """The mediator extends the mediation period for a complex case, at any time it runs; both parties read why."""
    require_acting_mediator(actor, case)
    reason = required_text(reason, "reason", _("Reason"), MAX_REASON)
    days = DEFAULT_EXTENSION_DAYS if days is None else days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationFailed(_("The extension is between 1 and %(n)d days.", n=MAX_EXTENSION_DAYS), field="days")
    if case.state not in IN_MEDIATION:
        raise DomainError(_("Only an open case can be extended."))
    now = utcnow()
    if now >= deadlines.mediation_due(case):
        raise DomainError(_("The mediation period has already ended: it can no longer be extended."))
    if _outcome_fell_due(case, now):
        raise DomainError(_("A deadline of this case has passed and decided its outcome: it can no longer be "
                            "extended."))
    case.extended_at = now
    case.extension_reason = reason
    # Every extension adds to the period (R.612-5 sets no number); the last reason is kept on the case, each one
    # stays on the timeline.
    case.extension_days = (case.extension_days or 0) + days
    db.session.flush()
    due = deadlines.mediation_due(case)
    record_event(case, "extended", actor, note=reason, at=now)
    tell(case, SIDES, message("The mediator extended %(case)s by %(days)d days, until %(due)s, because the case is "
                              "complex: %(reason)s", case=case_title(case), days=days, due=moment(due), reason=reason),
         actor=actor)
    audit_act("case.extended", actor, case, days=days)
    return case


# --- the proposal ----------------------------------------------------------------------------------------------

def propose(case: MediationCase, actor: User, text: str, answer_days: int | None = DEFAULT_ANSWER_DAYS) -> Proposal:
    """The mediator proposes a solution; the parties get the three notices and the answer deadline."""
    require_acting_mediator(actor, case)
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
    # The notices stay keys too (lazy labels), so each reader reads them in their own language.
    tell(case, SIDES, message("The mediator made a proposal in %(case)s. Accept or refuse it %(due)s. %(notices)s",
                              case=case_title(case), due=deadline(due), notices=joined(*NOTICES, LEGAL_EFFECT)),
         actor=actor)
    audit_act("case.proposal_made", actor, case, proposal=proposal.id, answer_days=answer_days)
    return proposal


def _close(case: MediationCase, state: CaseState, at: datetime, actor: User | None) -> None:
    case.state = state
    case.closed_at = at
    db.session.flush()
    record_event(case, "settled" if state is CaseState.SETTLED else "not_settled", actor, at=at)


def answer_proposal(case: MediationCase, actor: User, accept: bool) -> Proposal:
    """A party accepts or refuses the proposal, once; in a collective case each member for their own claim."""
    role_in(actor, case)
    side = answering_side(actor, case)
    if side is None:
        raise Forbidden(_("Only the complainants, each for their own claim, and the brand's staff answer the "
                          "proposal."))
    if not isinstance(accept, bool):
        raise ValidationFailed(_("Answer accept or refuse."), field="answer")
    proposal = current_proposal(case)
    if case.state is not CaseState.PROPOSAL or proposal is None:
        raise DomainError(_("No proposal waits for an answer in this case."))
    now = utcnow()
    if proposal_expired(proposal, now):
        raise DomainError(_("The answer deadline has passed: the proposal can no longer be answered."))
    participant = participant_of(actor, case)
    if answer_of(proposal, side, participant) is not None:
        raise DomainError(_("Your side has already answered this proposal."))
    answer = ACCEPTED if accept else REFUSED
    if side == "complainant":
        proposal.complainant_answer, proposal.complainant_answered_at = answer, now
    elif side == "brand":
        proposal.brand_answer, proposal.brand_answered_at = answer, now
    else:
        db.session.add(ClaimAnswer(proposal_id=proposal.id, participant_id=participant.id, answer=answer,
                                   answered_at=now))
    db.session.flush()
    kind = "proposal_accepted" if accept else "proposal_refused"
    record_event(case, kind if side != "claimant" else f"claim_{answer}", actor, at=now)
    audit_act("case.proposal_answered", actor, case, proposal=proposal.id, side=side, answer=answer)
    state = _conclusion(case, proposal, final=False)
    if state is not None:
        _close(case, state, now, actor)
    title = case_title(case)
    if side == "claimant":
        notice = (message("A member accepted the proposal in %(case)s for their own claim.", case=title) if accept else
                   message("A member refused the proposal in %(case)s for their own claim.", case=title))
        if state is CaseState.SETTLED:
            notice = joined(notice, message("Every answer is in: the case is settled for the claims accepted."))
        elif state is CaseState.NOT_SETTLED:
            notice = joined(notice, message("Every answer is in: the case is closed as not settled. The courts stay "
                                            "open."))
    elif state is CaseState.NOT_SETTLED and not accept:
        notice = (message("The complainant refused the proposal in %(case)s: the case is closed as not settled. The "
                          "courts stay open.", case=title) if side == "complainant" else
                   message("The brand refused the proposal in %(case)s: the case is closed as not settled. The courts "
                           "stay open.", case=title))
    elif state is CaseState.NOT_SETTLED:
        notice = message("Every answer to the proposal in %(case)s is in: no claim was accepted, the case is closed as "
                         "not settled. The courts stay open.", case=title)
    elif state is CaseState.SETTLED:
        notice = (message("Both parties accepted the proposal in %(case)s: the case is settled.", case=title)
                   if not case.co_complainants else
                   message("Every answer to the proposal in %(case)s is in: the case is settled for the claims "
                           "accepted.",
                           case=title))
    elif not accept:
        notice = message("The complainant refused the proposal in %(case)s for their own claim; the other answers are "
                         "awaited.", case=title)
    else:
        notice = (message("The complainant accepted the proposal in %(case)s; the brand's answer is awaited.",
                          case=title) if side == "complainant" else
                   message("The brand accepted the proposal in %(case)s; the complainant's answer is awaited.",
                           case=title))
    tell(case, ("mediator",) + SIDES, notice, actor=actor)
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
        # A collective case may be settled for the claims accepted in time; a silent claim counts as refused.
        state = _conclusion(case, proposal, final=True)
        _close(case, state, due, None)
        notice = (message("The answer deadline of the proposal in %(case)s passed: the case is settled for the claims "
                          "accepted in time; the others are not settled.", case=case_title(case))
                   if state is CaseState.SETTLED else
                   message("The answer deadline of the proposal in %(case)s passed without both parties accepting: the "
                           "case is closed as not settled.", case=case_title(case)))
        tell(case, ("mediator",) + SIDES, notice)
        audit_act("case.proposal_expired", None, case, proposal=proposal.id)
        expired.append(case)
    return expired


# --- after the outcome -----------------------------------------------------------------------------------------

def record_favours(case: MediationCase, actor: User, favours: str) -> MediationCase:
    """The mediator records whom the outcome favours (the annual report's shares); a correction is audited too."""
    require_acting_mediator(actor, case)
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
    notice = (message("The complainant confirms that the brand complied with the settlement of %(case)s.",
                      case=case_title(case)) if complied else
               message("The complainant says that the brand did not comply with the settlement of %(case)s.",
                       case=case_title(case)))
    tell(case, ("mediator", "brand"), notice, actor=actor)
    audit_act("case.compliance_recorded", actor, case, complied=complied)
    return case


def withdraw_side(actor: User, case: MediationCase) -> str | None:
    """Who may withdraw: "complainant" (who filed: the case), "claimant" (a joined member: their own claim),
    "brand" (its staff, once the case is open), else None."""
    if _is_complainant(actor, case):
        return "complainant"
    if participant_of(actor, case) is not None:
        return "claimant"
    return "brand" if case.opened_at is not None and case_role(actor, case) == "brand" else None


def _withdraw_claim(case: MediationCase, actor: User, reason: str | None, now: datetime) -> MediationCase:
    """A joined member withdraws their own claim; the case goes on for the others (and may conclude now)."""
    participant = participant_of(actor, case)
    participant.withdrawn_at = now
    db.session.flush()
    record_event(case, "claim_withdrawn", actor, note=reason, at=now)
    audit_act("case.claim_withdrawn", actor, case, participant=participant.id)
    sides = ("mediator", "complainant", "brand") if case.opened_at is not None else ("mediator", "complainant")
    tell(case, sides, message("A member withdrew their own claim from %(case)s; the case goes on for the others.",
                              case=case_title(case)), actor=actor)
    proposal = current_proposal(case)
    if case.state is CaseState.PROPOSAL and proposal is not None:
        # The withdrawn claim may have been the last answer awaited.
        state = _conclusion(case, proposal, final=False)
        if state is not None:
            _close(case, state, now, actor)
            tell(case, ("mediator",) + SIDES,
                 message("Every answer to the proposal in %(case)s is in: the case is settled for the claims "
                         "accepted.",
                         case=case_title(case)) if state is CaseState.SETTLED else
                 message("Every answer to the proposal in %(case)s is in: no claim was accepted, the case is closed as "
                         "not settled. The courts stay open.", case=case_title(case)))
    return case


def withdraw(case: MediationCase, actor: User, reason: str | None = None) -> MediationCase:
    """A party withdraws at any moment before the outcome (L.612-2), optionally saying why."""
    role_in(actor, case)
    side = withdraw_side(actor, case)
    if side is None:
        raise Forbidden(_("Only the complainants (each their own claim), or the brand once the case is open, can "
                          "withdraw."))
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON:
        raise ValidationFailed(_("Reason: at most %(n)d characters.", n=MAX_REASON), field="reason")
    if case.state not in WITHDRAWABLE:
        raise DomainError(_("This case is already closed: it can no longer be withdrawn."))
    if _outcome_fell_due(case, utcnow()):
        raise DomainError(_("A deadline of this case has passed and decided its outcome: it can no longer be "
                            "withdrawn."))
    if side == "brand" and case.brand_answered_at is None:
        # Not yet in the mediation: leaving it before answering is declining to take part, counted as such.
        raise DomainError(_("The brand has not taken part yet: decline to take part instead."))
    now = utcnow()
    if side == "claimant":
        return _withdraw_claim(case, actor, reason, now)
    was_open = case.opened_at is not None
    case.state = CaseState.WITHDRAWN
    case.closed_at = now
    case.closing_note = reason
    case.withdrawn_by = side
    db.session.flush()
    record_event(case, "withdrawn" if side == "complainant" else "brand_withdrawn", actor, note=reason, at=now)
    # Before the case was opened the brand was never told of it, and it learns nothing now either.
    sides = ("mediator", "complainant", "brand") if was_open else ("mediator", "complainant")
    notice = (message("The complainant withdrew %(case)s.", case=case_title(case)) if side == "complainant" else
               message("The brand withdrew from the mediation of %(case)s: the case is closed. The courts stay open.",
                       case=case_title(case)))
    tell(case, sides, notice, actor=actor)
    audit_act("case.withdrawn", actor, case, side=side)
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
    legal_effect: str = LEGAL_EFFECT
    withdraw_side: str | None = None
    claims: list = field(default_factory=list)
    favours_labels: dict = field(default_factory=lambda: FAVOURS_LABELS)
    answer_labels: dict = field(default_factory=lambda: ANSWER_LABELS)


def claims_of(case: MediationCase, proposal: Proposal | None) -> list[dict]:
    """The joined members' claims and their own answers to the proposal (for the page and the API)."""
    if not case.co_complainants:
        return []
    given = claim_answers(proposal) if proposal is not None else {}
    return [{"participant_id": p.id, "name": p.user.display_name if p.user else "",
             "withdrawn": p.withdrawn_at is not None,
             "answer": given[p.id].answer if p.id in given else None} for p in case.co_complainants]


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
    withdrawer = withdraw_side(viewer, case)
    can_withdraw = (withdrawer is not None and case.state in WITHDRAWABLE
                    and not (case.state is CaseState.PROPOSAL and not waiting)
                    and (withdrawer != "brand" or case.brand_answered_at is not None))
    return {"outcome": OutcomeView(
        role=role, proposal=proposal, proposals=list(case.proposals), answer_due=answer_due,
        mediation_due=mediation_due, answering_side=side,
        can_answer=waiting and side is not None and answer_of(proposal, side, participant_of(viewer, case)) is None,
        can_extend=mediator and case.state in IN_MEDIATION and running,
        can_propose=mediator and case.state is CaseState.OPEN and case.brand_answered_at is not None and running,
        can_record_favours=mediator and case.state in OUTCOME_STATES,
        can_confirm_compliance=_is_complainant(viewer, case) and case.state is CaseState.SETTLED
        and case.complied is None,
        can_withdraw=can_withdraw, withdraw_side=withdrawer, claims=claims_of(case, proposal),
        forms=built,
    )}
