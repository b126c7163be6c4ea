"""Applications to become an ambassador: a verified member applies, staff accept (a draft mandate) or decline."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from institutions import audit
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden, required_text
from institutions.models import Brand, Membership, User
from institutions.notifications import notify, notify_staff
from institutions.lookup import get_in_brand
from institutions.messages import message
from mandates import contracts
from mandates.models import AmbassadorApplication, ApplicationState, Mandate, MandateState
from mandates.notices import ADVOCACY_KIND
from mandates.permissions import can_apply_as_ambassador, can_manage_mandates

MAX_TEXT = 4000
MAX_REASON = 2000
# A mandate in one of these states is already under way: applying again makes no sense.
ONGOING_MANDATE_STATES = (MandateState.DRAFT, MandateState.OFFERED, MandateState.SIGNED, MandateState.SCHEDULED,
                          MandateState.ACTIVE)


def _text(value: str | None, field: str, label: str, maximum: int = MAX_TEXT) -> str:
    """A required free text, stripped, within its length."""
    return required_text(value, field, label, maximum)


def _status_link(brand: Brand) -> str:
    return f"/b/{brand.slug}/ambassadors/my-status"


def _queue_link(brand: Brand) -> str:
    return f"/b/{brand.slug}/ambassadors/applications"


def pending_application_of(user: User, brand: Brand) -> AmbassadorApplication | None:
    """The person's application that still waits for an answer at this brand, if any."""
    return db.session.scalar(select(AmbassadorApplication).where(
        AmbassadorApplication.brand_id == brand.id, AmbassadorApplication.user_id == user.id,
        AmbassadorApplication.state == ApplicationState.PENDING))


def ongoing_mandate_of(user: User, brand: Brand) -> Mandate | None:
    """A mandate of this person at this brand that is drafted, offered, signed, scheduled or active."""
    return db.session.scalar(select(Mandate).where(
        Mandate.brand_id == brand.id, Mandate.ambassador_id == user.id,
        Mandate.state.in_(ONGOING_MANDATE_STATES)).limit(1))


def apply(brand: Brand, actor: User, *, motivation: str, channels: str, audience: str,
          now: datetime | None = None) -> AmbassadorApplication:
    """A verified member asks to become an ambassador: why, on which channels, for which audience."""
    now = now or utcnow()
    if not can_apply_as_ambassador(actor, brand):
        raise Forbidden(_("Only verified members of the community can apply to become an ambassador."))
    motivation = _text(motivation, "motivation", _("Motivation"))
    channels = _text(channels, "channels", _("Channels"))
    audience = _text(audience, "audience", _("Audience"))
    # Lock the membership row (PostgreSQL) so two simultaneous applications cannot both pass the check below.
    db.session.execute(select(Membership.id).where(Membership.brand_id == brand.id, Membership.user_id == actor.id)
                       .with_for_update())
    if pending_application_of(actor, brand) is not None:
        raise DomainError(_("You already have an application waiting for an answer from this brand."))
    if ongoing_mandate_of(actor, brand) is not None:
        raise DomainError(_("You already have a mandate with this brand."))
    application = AmbassadorApplication(
        brand_id=brand.id, user_id=actor.id, applicant_name=actor.display_name[:120], motivation=motivation,
        channels=channels, audience=audience, state=ApplicationState.PENDING, created_at=now)
    db.session.add(application)
    db.session.flush()
    audit.record("ambassador.applied", actor=actor, brand=brand, subject=application)
    notify_staff(brand, ADVOCACY_KIND,
                 message("%(name)s applies to become an ambassador of %(brand)s.", name=actor.display_name,
                         brand=brand.name), link=_queue_link(brand))
    return application


def _pending(application: AmbassadorApplication) -> None:
    if application.state is not ApplicationState.PENDING:
        raise DomainError(_("This application has already been answered or withdrawn."))


def accept(application: AmbassadorApplication, actor: User, *, now: datetime | None = None) -> Mandate:
    """Staff accept: a draft mandate is started for the applicant and linked to the application."""
    now = now or utcnow()
    brand = application.brand
    if not can_manage_mandates(actor, brand):
        raise Forbidden(_("Only the brand's staff can answer an application."))
    _pending(application)
    applicant = application.user
    if applicant is None or applicant.deleted_at is not None:
        raise DomainError(_("The applicant's account no longer exists."))
    if ongoing_mandate_of(applicant, brand) is not None:
        raise DomainError(_("This person already has a mandate with this brand: decline the application or "
                            "withdraw it from the mandate's page."))
    mandate = contracts.start_mandate(brand, actor, ambassador=applicant, now=now)
    application.state = ApplicationState.ACCEPTED
    application.decided_at = now
    application.decided_by_id = actor.id
    application.mandate_id = mandate.id
    db.session.flush()
    audit.record("ambassador.application_accepted", actor=actor, brand=brand, subject=application,
                 payload={"mandate": mandate.id})
    _tell_applicant(applicant, message("Your application to become an ambassador of %(brand)s is accepted: the brand "
                        "is preparing your contract.", brand=brand.name), brand)
    return mandate


def decline(application: AmbassadorApplication, actor: User, reason: str, *,
            now: datetime | None = None) -> AmbassadorApplication:
    """Staff decline, with a reason the applicant reads."""
    now = now or utcnow()
    brand = application.brand
    if not can_manage_mandates(actor, brand):
        raise Forbidden(_("Only the brand's staff can answer an application."))
    reason = _text(reason, "reason", _("Reason"), MAX_REASON)
    _pending(application)
    application.state = ApplicationState.DECLINED
    application.decided_at = now
    application.decided_by_id = actor.id
    application.decline_reason = reason
    db.session.flush()
    audit.record("ambassador.application_declined", actor=actor, brand=brand, subject=application)
    if application.user is not None:
        _tell_applicant(application.user, message("Your application to become an ambassador of %(brand)s is declined: "
                                   "%(reason)s", brand=brand.name, reason=reason), brand)
    return application


def withdraw(application: AmbassadorApplication, actor: User, *, now: datetime | None = None) -> AmbassadorApplication:
    """The applicant withdraws their application while it is pending."""
    now = now or utcnow()
    if application.user_id != actor.id:
        raise Forbidden(_("Only the applicant can withdraw this application."))
    _pending(application)
    application.state = ApplicationState.WITHDRAWN
    application.decided_at = now
    db.session.flush()
    audit.record("ambassador.application_withdrawn", actor=actor, brand=application.brand, subject=application)
    notify_staff(application.brand, ADVOCACY_KIND,
                 message("%(name)s withdrew their application to become an ambassador.",
                         name=application.applicant_name),
                 link=_queue_link(application.brand))
    return application


def _tell_applicant(user: User, message: str, brand: Brand) -> None:
    """Tell the applicant about their application (with a link to its status)."""
    notify(user, ADVOCACY_KIND, message, link=_status_link(brand), brand=brand)


def application_in_brand(brand: Brand, application_id: int) -> AmbassadorApplication:
    """An application to this brand, or 404."""
    return get_in_brand(AmbassadorApplication, application_id, brand, message=_("No such application."))


def applications_query(brand: Brand, state: ApplicationState | None = None):
    """The brand's applications, pending first then newest first (for the staff queue and the API)."""
    query = select(AmbassadorApplication).where(AmbassadorApplication.brand_id == brand.id)
    if state is not None:
        query = query.where(AmbassadorApplication.state == state)
    pending_first = db.case((AmbassadorApplication.state == ApplicationState.PENDING, 0), else_=1)
    return query.order_by(pending_first, AmbassadorApplication.created_at.desc(), AmbassadorApplication.id.desc())


def applications_of(user: User, brand: Brand) -> list[AmbassadorApplication]:
    """The person's own applications to this brand, newest first."""
    return db.session.scalars(select(AmbassadorApplication).where(
        AmbassadorApplication.brand_id == brand.id, AmbassadorApplication.user_id == user.id)
        .order_by(AmbassadorApplication.id.desc())).all()


def export_applications(user: User) -> list[dict]:
    """The person's applications, for their data export."""
    rows = db.session.scalars(select(AmbassadorApplication).where(AmbassadorApplication.user_id == user.id)
                              .order_by(AmbassadorApplication.id)).all()
    return [{"brand": a.brand.slug, "motivation": a.motivation, "channels": a.channels, "audience": a.audience,
             "state": a.state.value, "created_at": a.created_at.isoformat(),
             "decided_at": a.decided_at.isoformat() if a.decided_at else None, "decline_reason": a.decline_reason,
             "mandate_id": a.mandate_id} for a in rows]


def erase_applications(user: User) -> None:
    """Erasing an account: a pending application is withdrawn and the texts the person wrote are removed."""
    now = utcnow()
    for application in db.session.scalars(select(AmbassadorApplication)
                                          .where(AmbassadorApplication.user_id == user.id)):
        if application.state is ApplicationState.PENDING:
            application.state = ApplicationState.WITHDRAWN
            application.decided_at = now
        application.applicant_name = user.pseudonym
        application.motivation = application.channels = application.audience = ""
