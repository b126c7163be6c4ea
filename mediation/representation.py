"""Lawyers and assistants of a case (R.612-1 3°): a party adds one for its side, who then has their own access.

A lawyer represents, an assistant assists; both read the case and take part in the exchange as the side they were
added for (messages, documents). The acts only a party signs (answering the proposal, withdrawing, completing the
case, confirming compliance) stay with the party: a product rule, the issue being silent on mandates.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from extensions import db
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden, NotFound, ValidationFailed
from institutions.models import User
from mediation.exchange import audit_act, case_title, tell
from mediation.models import CLOSED_CASE_STATES, CaseRepresentative, MediationCase
from mediation.notices import CASE_KIND
from mediation.parties import case_link
from mediation.permissions import case_role, is_brand_side, is_complainant_side, represented_side
from mediation.timeline import record_event
from institutions.notifications import notify
from institutions.messages import message

KINDS = {"lawyer": _l("a lawyer representing"), "assistant": _l("a person assisting")}
SIDE_LABELS = {"complainant": _l("the complainant side"), "brand": _l("the brand")}


def _party_side(actor: User, case: MediationCase) -> str:
    """The side the actor is a party of (not a representative: they add nobody)."""
    if is_complainant_side(actor, case):
        return "complainant"
    if is_brand_side(actor, case):
        return "brand"
    raise Forbidden(_("Only a party adds or removes a lawyer or an assistant for its side."))


def representatives_of(case: MediationCase) -> list[CaseRepresentative]:
    """The lawyers and assistants still on the case, in the order they were added."""
    return db.session.scalars(select(CaseRepresentative).where(
        CaseRepresentative.case_id == case.id, CaseRepresentative.removed_at.is_(None))
        .order_by(CaseRepresentative.id)).all()


def add_representative(case: MediationCase, actor: User, email: str, kind: str) -> CaseRepresentative:
    """A party adds a lawyer or an assistant for its side, by the e-mail of their account; all are told."""
    side = _party_side(actor, case)
    if kind not in KINDS:
        raise ValidationFailed(_("Choose a lawyer or an assistant."), field="kind")
    email = (email or "").strip().lower()
    if not email:
        raise ValidationFailed(_("This field is required."), field="email")
    if case.state in CLOSED_CASE_STATES:
        raise DomainError(_("This case is closed."))
    if side == "brand" and case.opened_at is None:
        raise DomainError(_("The brand adds a lawyer or an assistant once the case is open."))
    person = db.session.scalar(select(User).where(func.lower(User.email) == email, User.deleted_at.is_(None)))
    if person is None:
        raise ValidationFailed(_("No account has this e-mail address: ask the person to sign up first."),
                               field="email")
    if case_role(person, case) is not None:
        raise DomainError(_("This person already has access to the case."), field="email")
    existing = db.session.scalar(select(CaseRepresentative).where(
        CaseRepresentative.case_id == case.id, CaseRepresentative.user_id == person.id))
    now = utcnow()
    if existing is not None:  # removed earlier: added again
        existing.side, existing.kind, existing.added_by_id, existing.added_at = side, kind, actor.id, now
        existing.removed_at = None
        entry = existing
    else:
        entry = CaseRepresentative(case_id=case.id, user_id=person.id, side=side, kind=kind, added_by_id=actor.id,
                                   added_at=now)
        db.session.add(entry)
    db.session.flush()
    note = _("%(name)s, %(kind)s %(side)s", name=person.display_name, kind=KINDS[kind], side=SIDE_LABELS[side])
    record_event(case, "representative_added", actor, note=note, at=now)
    sides = ("mediator", "complainant", "brand") if case.opened_at is not None else ("mediator", "complainant")
    tell(case, sides, message("In %(case)s: %(note)s, now has access to the case.", case=case_title(case), note=note),
         actor=actor)
    audit_act("case.representative_added", actor, case, representative=entry.id, side=side, kind=kind)
    return entry


def remove_representative(case: MediationCase, actor: User, representative_id: int) -> CaseRepresentative:
    """The party of that side, or the representative themself, ends a representative's access."""
    entry = db.session.get(CaseRepresentative, representative_id)
    if entry is None or entry.case_id != case.id or entry.removed_at is not None:
        raise NotFound(_("No such representative in this case."))
    is_self = entry.user_id == actor.id
    if not is_self:
        side = _party_side(actor, case)
        if side != entry.side:
            raise Forbidden(_("Only the side a representative acts for removes them."))
    now = utcnow()
    entry.removed_at = now
    db.session.flush()
    name = entry.user.display_name if entry.user else ""
    record_event(case, "representative_removed", actor, note=name, at=now)
    if entry.user is not None and not is_self:
        notify(entry.user, CASE_KIND, message("Your access to %(case)s has ended.", case=case_title(case)),
               link=case_link(case), brand=case.brand)
    audit_act("case.representative_removed", actor, case, representative=entry.id)
    return entry


def page_context(case: MediationCase, viewer) -> dict:
    """What the case page shows of the representatives to this viewer."""
    role = case_role(viewer, case)
    can_add = (role in ("complainant", "brand") and represented_side(viewer, case) is None
               and case.state not in CLOSED_CASE_STATES and (role == "complainant" or case.opened_at is not None))
    return {"representatives": representatives_of(case) if role is not None else [],
            "can_add_representative": can_add, "representative_kinds": KINDS, "side_labels": SIDE_LABELS}
