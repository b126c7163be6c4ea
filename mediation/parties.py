"""Who to tell in a case: the complainant side, the brand's staff, the mediator, the platform admins."""
from __future__ import annotations

from sqlalchemy import select

from extensions import db
from mediation.models import CaseParticipant, CaseRepresentative, MediationCase
from mediation.notices import CASE_KIND
from institutions.models import User
from institutions.notifications import notify, notify_staff


def case_link(case: MediationCase) -> str:
    """The case page's address (parties and mediator only)."""
    return f"/b/{case.brand.slug}/cases/{case.id}"


def _reachable(user: User | None) -> bool:
    return user is not None and user.deleted_at is None


def complainant_users(case: MediationCase) -> list[User]:
    """The complainant and the members who joined the collective case."""
    people = [case.complainant] if case.complainant is not None else []
    joined = db.session.scalars(select(User).join(CaseParticipant, CaseParticipant.user_id == User.id)
                                .where(CaseParticipant.case_id == case.id).order_by(CaseParticipant.id)).all()
    return [person for person in people + [u for u in joined if u not in people] if _reachable(person)]


def representative_users(case: MediationCase, side: str) -> list[User]:
    """The lawyers and assistants added for one side ("complainant" or "brand"), still on the case (R.612-1 3°)."""
    people = db.session.scalars(select(User).join(CaseRepresentative, CaseRepresentative.user_id == User.id)
                                .where(CaseRepresentative.case_id == case.id, CaseRepresentative.side == side,
                                       CaseRepresentative.removed_at.is_(None))
                                .order_by(CaseRepresentative.id)).all()
    return [person for person in people if _reachable(person)]


def mediator_user(case: MediationCase) -> User | None:
    """The account of the assigned mediator, if any."""
    user = case.mediator.user if case.mediator is not None else None
    return user if _reachable(user) else None


def tell_complainants(case: MediationCase, message: str) -> None:
    """A mandatory notice to everyone on the complainant side."""
    for person in complainant_users(case) + representative_users(case, "complainant"):
        notify(person, CASE_KIND, message, link=case_link(case), brand=case.brand)


def tell_brand(case: MediationCase, message: str) -> None:
    """A mandatory notice to every staff member of the brand (the core's one rule for "tell the staff")."""
    notify_staff(case.brand, CASE_KIND, message, link=case_link(case))
    for person in representative_users(case, "brand"):
        notify(person, CASE_KIND, message, link=case_link(case), brand=case.brand)


def tell_mediator(case: MediationCase, message: str) -> None:
    """A mandatory notice to the assigned mediator."""
    user = mediator_user(case)
    if user is not None:
        notify(user, CASE_KIND, message, link=case_link(case), brand=case.brand)


def tell_admins(message: str, link: str = "/admin/mediators/") -> None:
    """A mandatory notice to every platform admin (no case content: they are not parties)."""
    admins = db.session.scalars(select(User).where(User.is_platform_admin.is_(True), User.deleted_at.is_(None))
                                .order_by(User.id)).all()
    for admin in admins:
        notify(admin, CASE_KIND, message, link=link)
