"""The case mediator's independence on each case (L.613-1, R.613-1; directive 2013/11 art. 6).

At assignment the mediator declares, in their own name, that they have no conflict with the case, or discloses a
circumstance that may affect their independence or impartiality; they may also recuse themself. After a disclosure
each party is told of its right to object: a party that refuses to continue ends the mediator's mission on the case
at once (the platform admin has no say; the case goes to another panel mediator, or waits for one).
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from institutions import audit
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden, required_text
from institutions.models import User
from institutions.messages import message
from mediation import parties, roster
from mediation.models import CLOSED_CASE_STATES, MediationCase, MediatorDeclaration, Objection
from mediation.permissions import STANDING_DECLARATIONS, case_role, is_case_mediator
from mediation.timeline import record_event

MAX_TEXT = 4000


def declarations_of(case: MediationCase, mediator_id: int | None = None) -> list[MediatorDeclaration]:
    """The case's declarations (of one mediator if given), oldest first."""
    query = select(MediatorDeclaration).where(MediatorDeclaration.case_id == case.id)
    if mediator_id is not None:
        query = query.where(MediatorDeclaration.mediator_id == mediator_id)
    return db.session.scalars(query.order_by(MediatorDeclaration.id)).all()


def current_declaration(case: MediationCase) -> MediatorDeclaration | None:
    """The present mediator's declaration on this case (no conflict, or a disclosure), if they made one."""
    if case.mediator_id is None:
        return None
    made = [d for d in declarations_of(case, case.mediator_id) if d.kind in STANDING_DECLARATIONS]
    return made[-1] if made else None


def pending_disclosure(case: MediationCase) -> MediatorDeclaration | None:
    """A circumstance the present mediator disclosed on this case (the parties may refuse that they continue)."""
    declaration = current_declaration(case)
    return declaration if declaration is not None and declaration.kind == "disclosure" else None


def _require_case_mediator(case: MediationCase, actor: User) -> None:
    """Only the case's own mediator, on a case still running."""
    if not is_case_mediator(actor, case):
        raise Forbidden(_("Only the case's mediator declares their independence on it."))
    if case.state in CLOSED_CASE_STATES:
        raise DomainError(_("This case is closed."))


def _declare(case: MediationCase, actor: User, kind: str, text: str | None) -> MediatorDeclaration:
    """Store one declaration of the present mediator on the case."""
    declaration = MediatorDeclaration(case_id=case.id, mediator_id=case.mediator_id, kind=kind, text=text,
                                      made_at=utcnow())
    db.session.add(declaration)
    db.session.flush()
    return declaration


def declare_no_conflict(case: MediationCase, actor: User) -> MediatorDeclaration:
    """The case mediator declares, in their own name, that nothing affects their independence on this case."""
    _require_case_mediator(case, actor)
    if current_declaration(case) is not None:
        raise DomainError(_("You have already made your declaration on this case."))
    declaration = _declare(case, actor, "no_conflict", None)
    record_event(case, "independence_declared", actor, note=_(
        "%(name)s declares having no conflict of interest and no circumstance affecting their independence or "
        "impartiality in this case.", name=case.mediator.name))
    audit.record("case.independence_declared", actor=actor, brand=case.brand, subject=case)
    return declaration


def _right_to_object(case: MediationCase, circumstance: str) -> str:
    """The notice each party gets after a disclosure: the circumstance and the right to refuse the mediator."""
    return _("The mediator of case #%(id)s, %(name)s, discloses a circumstance that may affect their independence "
             "or impartiality: %(circumstance)s. You have the right to object: if you refuse that they continue, "
             "their mission on the case ends and another mediator takes it.", id=case.id, name=case.mediator.name,
             circumstance=circumstance)


def disclose(case: MediationCase, actor: User, circumstance: str) -> MediatorDeclaration:
    """R.613-1: the mediator discloses a circumstance; each party is told at once of its right to object."""
    _require_case_mediator(case, actor)
    circumstance = required_text(circumstance, "circumstance", _("The circumstance"), MAX_TEXT)
    declaration = _declare(case, actor, "disclosure", circumstance)
    record_event(case, "independence_disclosed", actor, note=circumstance)
    audit.record("case.independence_disclosed", actor=actor, brand=case.brand, subject=case)
    message = _right_to_object(case, circumstance)
    parties.tell_complainants(case, message)
    if case.opened_at is not None:
        parties.tell_brand(case, message)
    return declaration


def recuse(case: MediationCase, actor: User, reason: str) -> MediationCase:
    """The case mediator steps down from the case, with a reason; it goes to another panel mediator."""
    _require_case_mediator(case, actor)
    reason = required_text(reason, "reason", _("Reason"), MAX_TEXT)
    mediator = case.mediator
    _declare(case, actor, "recusal", reason)
    record_event(case, "recused", actor, note=reason)
    audit.record("case.mediator_recused", actor=actor, brand=case.brand, subject=case,
                 payload={"mediator_id": mediator.id})
    roster.assign(case, actor, exclude={mediator.id}, kind="reassigned",
                  reason=_("The previous mediator recused themself."))
    return case


def can_refuse_to_continue(user, case: MediationCase) -> bool:
    """A party of a running case whose mediator disclosed a circumstance (the brand once the case is open)."""
    role = case_role(user, case)
    if role not in ("complainant", "brand") or case.state in CLOSED_CASE_STATES:
        return False
    if role == "brand" and case.opened_at is None:
        return False
    return pending_disclosure(case) is not None


def refuse_to_continue(case: MediationCase, actor: User, reason: str | None = None) -> Objection:
    """L.613-1, R.613-1: after a disclosure a party refuses that the mediator continue: the mission ends at once."""
    role = case_role(actor, case)
    if role not in ("complainant", "brand"):
        raise Forbidden(_("Only a party to the case may object to its mediator."))
    if case.state in CLOSED_CASE_STATES:
        raise DomainError(_("This case is closed."))
    if role == "brand" and case.opened_at is None:
        raise DomainError(_("The brand may object to the mediator once the case is open."))
    disclosure = pending_disclosure(case)
    if disclosure is None:
        raise DomainError(_("The mediator has disclosed no circumstance on this case: object with a reason "
                            "instead."))
    reason = (reason or "").strip() or _("Refuses that the mediator continue after their disclosure.")
    if len(reason) > MAX_TEXT:
        reason = required_text(reason, "reason", _("Reason"), MAX_TEXT)
    now = utcnow()
    mediator = case.mediator
    # No decision is left to the platform: the refusal itself ends the mission (recorded as decided at once).
    objection = Objection(case_id=case.id, mediator_id=mediator.id, party=role, raised_by_id=actor.id,
                          reason=reason, raised_at=now, after_disclosure=True, decision="mission_ended",
                          decision_reason=disclosure.text, decided_at=now)
    db.session.add(objection)
    db.session.flush()
    record_event(case, "mission_ended", actor, at=now, note=_(
        "A party refuses that %(name)s continue after their disclosure: their mission on this case ends.",
        name=mediator.name))
    audit.record("case.mission_ended", actor=actor, brand=case.brand, subject=objection,
                 payload={"party": role, "mediator_id": mediator.id})
    parties.tell_admins(message("Case #%(id)s at %(brand)s: a party refused that its mediator continue after a "
                                "disclosure; the mission ended and the case is reassigned.", id=case.id,
                                brand=case.brand.name))
    roster.assign(case, actor, exclude={mediator.id}, kind="reassigned",
                  reason=_("After the mediator's disclosure, a party refused that they continue."))
    return objection
