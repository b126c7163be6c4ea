"""Advocates: a verified member declares they defend the brand or its customers; staff recognize or decline."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from extensions import db
from institutions import audit, charter
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden, ValidationFailed, required_text
from institutions.models import Brand, Membership, OfficeHolding, OfficeKind, User
from institutions.notifications import notify, notify_staff
from institutions.lookup import get_in_brand
from institutions.messages import message
from mandates.models import AdvocacyState, AdvocateDeclaration
from mandates.notices import ADVOCACY_KIND
from mandates.permissions import can_declare_advocacy, can_manage_mandates

MAX_STATEMENT = 4000
MAX_REASON = 2000
DEFENDS = {"brand": _l("the brand"), "customers": _l("the brand's customers")}
# A declaration still standing: waiting for an answer, or recognized.
OPEN_STATES = (AdvocacyState.PENDING, AdvocacyState.RECOGNIZED)


_text = required_text


def _status_link(brand: Brand) -> str:
    return f"/b/{brand.slug}/ambassadors/my-status"


def _queue_link(brand: Brand) -> str:
    return f"/b/{brand.slug}/advocates/declarations"


def open_declaration_of(user: User, brand: Brand) -> AdvocateDeclaration | None:
    """The person's pending or recognized declaration at this brand, if any."""
    return db.session.scalar(select(AdvocateDeclaration).where(
        AdvocateDeclaration.brand_id == brand.id, AdvocateDeclaration.user_id == user.id,
        AdvocateDeclaration.state.in_(OPEN_STATES)))


def declare(brand: Brand, actor: User, *, defends: str, statement: str,
            now: datetime | None = None) -> AdvocateDeclaration:
    """A verified member declares themself an advocate of the brand or of its customers, with a statement."""
    now = now or utcnow()
    if not can_declare_advocacy(actor, brand):
        raise Forbidden(_("Only verified members of the community can declare themselves advocates."))
    if defends not in DEFENDS:
        raise ValidationFailed(_("Say whom you defend: the brand or its customers."), field="defends")
    statement = _text(statement, "statement", _("Statement"), MAX_STATEMENT)
    # Lock the membership row (PostgreSQL) so two simultaneous declarations cannot both pass the check below.
    db.session.execute(select(Membership.id).where(Membership.brand_id == brand.id, Membership.user_id == actor.id)
                       .with_for_update())
    if open_declaration_of(actor, brand) is not None:
        raise DomainError(_("You already have a declaration waiting for an answer or recognized at this brand."))
    declaration = AdvocateDeclaration(brand_id=brand.id, user_id=actor.id, public_name=actor.display_name[:120],
                                      defends=defends, statement=statement, state=AdvocacyState.PENDING,
                                      created_at=now)
    db.session.add(declaration)
    db.session.flush()
    audit.record("advocate.declared", actor=actor, brand=brand, subject=declaration, payload={"defends": defends})
    notify_staff(brand, ADVOCACY_KIND, message("%(name)s declares themself an advocate of %(whom)s.",
                                               name=actor.display_name, whom=DEFENDS[defends]), link=_queue_link(brand))
    return declaration


def _require_staff(actor: User, brand: Brand) -> None:
    if not can_manage_mandates(actor, brand):
        raise Forbidden(_("Only the brand's staff can answer a declaration of advocacy."))


def _tell_advocate(declaration: AdvocateDeclaration, message: str) -> None:
    if declaration.user is not None and declaration.user.deleted_at is None:
        notify(declaration.user, ADVOCACY_KIND, message, link=_status_link(declaration.brand),
               brand=declaration.brand)


def recognize(declaration: AdvocateDeclaration, actor: User, *, now: datetime | None = None) -> AdvocateDeclaration:
    """Staff recognize the advocate: they hold the advocate office on the charter."""
    now = now or utcnow()
    brand = declaration.brand
    _require_staff(actor, brand)
    if declaration.state is not AdvocacyState.PENDING:
        raise DomainError(_("This declaration has already been answered."))
    if declaration.user is None or declaration.user.deleted_at is not None:
        raise DomainError(_("The declarant's account no longer exists."))
    holding = charter.install_holder(brand, OfficeKind.ADVOCATE, declaration.user, source="recognition",
                                     actor=actor, starts_at=now)
    declaration.state = AdvocacyState.RECOGNIZED
    declaration.decided_at = now
    declaration.decided_by_id = actor.id
    declaration.holding_id = holding.id
    db.session.flush()
    audit.record("advocate.recognized", actor=actor, brand=brand, subject=declaration, public=True,
                 payload={"defends": declaration.defends})
    _tell_advocate(declaration, message("%(brand)s recognizes you as an advocate.", brand=brand.name))
    return declaration


def decline(declaration: AdvocateDeclaration, actor: User, reason: str, *,
            now: datetime | None = None) -> AdvocateDeclaration:
    """Staff decline the declaration, with a reason the declarant reads."""
    now = now or utcnow()
    _require_staff(actor, declaration.brand)
    reason = _text(reason, "reason", _("Reason"), MAX_REASON)
    if declaration.state is not AdvocacyState.PENDING:
        raise DomainError(_("This declaration has already been answered."))
    declaration.state = AdvocacyState.DECLINED
    declaration.decided_at = now
    declaration.decided_by_id = actor.id
    declaration.reason = reason
    db.session.flush()
    audit.record("advocate.declined", actor=actor, brand=declaration.brand, subject=declaration)
    _tell_advocate(declaration, message("%(brand)s declined your declaration of advocacy: %(reason)s",
                                        brand=declaration.brand.name, reason=reason))
    return declaration


def _end_holding(declaration: AdvocateDeclaration, reason: str, actor: User) -> None:
    holding = db.session.get(OfficeHolding, declaration.holding_id) if declaration.holding_id else None
    if holding is not None and holding.ended_at is None:
        charter.end_holding(holding, reason, actor=actor)


def withdraw_recognition(declaration: AdvocateDeclaration, actor: User, reason: str, *,
                         now: datetime | None = None) -> AdvocateDeclaration:
    """Staff withdraw a recognition, with a public reason; the advocate leaves the charter's holders."""
    now = now or utcnow()
    _require_staff(actor, declaration.brand)
    reason = _text(reason, "reason", _("Reason"), MAX_REASON)
    if declaration.state is not AdvocacyState.RECOGNIZED:
        raise DomainError(_("Only a recognized advocate's recognition can be withdrawn."))
    _end_holding(declaration, reason, actor)
    declaration.state = AdvocacyState.WITHDRAWN
    declaration.reason = reason
    declaration.ended_at = now
    db.session.flush()
    audit.record("advocate.recognition_withdrawn", actor=actor, brand=declaration.brand, subject=declaration,
                 public=True, payload={"reason": reason})
    _tell_advocate(declaration, message("%(brand)s withdrew your recognition as an advocate: %(reason)s",
                                        brand=declaration.brand.name, reason=reason))
    return declaration


def retract(declaration: AdvocateDeclaration, actor: User, *, now: datetime | None = None) -> AdvocateDeclaration:
    """The advocate stops: a pending declaration is dropped, a recognition ends."""
    now = now or utcnow()
    if declaration.user_id != actor.id:
        raise Forbidden(_("Only the declarant can retract this declaration."))
    if declaration.state not in OPEN_STATES:
        raise DomainError(_("This declaration is no longer standing."))
    was_recognized = declaration.state is AdvocacyState.RECOGNIZED
    if was_recognized:
        _end_holding(declaration, "retracted by the advocate", actor)
    declaration.state = AdvocacyState.RETRACTED
    declaration.ended_at = now
    db.session.flush()
    audit.record("advocate.retracted", actor=actor, brand=declaration.brand, subject=declaration,
                 public=was_recognized)
    notify_staff(declaration.brand, ADVOCACY_KIND,
                 message("%(name)s retracted their declaration of advocacy.", name=declaration.public_name),
                 link=_queue_link(declaration.brand))
    return declaration


def declaration_in_brand(brand: Brand, declaration_id: int) -> AdvocateDeclaration:
    """A declaration made at this brand, or 404."""
    return get_in_brand(AdvocateDeclaration, declaration_id, brand, message=_("No such declaration."))


def declarations_query(brand: Brand, state: AdvocacyState | None = None):
    """The brand's declarations: pending first, then recognized, then the rest, newest first."""
    query = select(AdvocateDeclaration).where(AdvocateDeclaration.brand_id == brand.id)
    if state is not None:
        query = query.where(AdvocateDeclaration.state == state)
    rank = db.case((AdvocateDeclaration.state == AdvocacyState.PENDING, 0),
                   (AdvocateDeclaration.state == AdvocacyState.RECOGNIZED, 1), else_=2)
    return query.order_by(rank, AdvocateDeclaration.created_at.desc(), AdvocateDeclaration.id.desc())


def declarations_of(user: User, brand: Brand) -> list[AdvocateDeclaration]:
    """The person's own declarations at this brand, newest first."""
    return db.session.scalars(select(AdvocateDeclaration).where(
        AdvocateDeclaration.brand_id == brand.id, AdvocateDeclaration.user_id == user.id)
        .order_by(AdvocateDeclaration.id.desc())).all()


def export_declarations(user: User) -> list[dict]:
    """The person's declarations of advocacy, for their data export."""
    rows = db.session.scalars(select(AdvocateDeclaration).where(AdvocateDeclaration.user_id == user.id)
                              .order_by(AdvocateDeclaration.id)).all()
    return [{"brand": d.brand.slug, "defends": d.defends, "statement": d.statement, "state": d.state.value,
             "created_at": d.created_at.isoformat(), "decided_at": d.decided_at.isoformat() if d.decided_at else None,
             "reason": d.reason, "ended_at": d.ended_at.isoformat() if d.ended_at else None} for d in rows]


def erase_declarations(user: User) -> None:
    """Erasing an account: a standing declaration ends (and its recognition), the statement is removed."""
    now = utcnow()
    for declaration in db.session.scalars(select(AdvocateDeclaration).where(AdvocateDeclaration.user_id == user.id)):
        if declaration.state in OPEN_STATES:
            _end_holding(declaration, "account deleted", user)
            declaration.state = AdvocacyState.RETRACTED
            declaration.ended_at = now
        declaration.public_name = user.pseudonym
        declaration.statement = ""
