"""Who may see and act on a case: its parties (complainant side, brand staff) and its mediator, nobody else.

Several modules add functions here: append new ones ABOVE TEMPLATE_PERMISSIONS.
"""
from __future__ import annotations

from sqlalchemy import select

from extensions import db
from institutions import permissions
from mediation.models import (CLOSED_CASE_STATES, CaseParticipant, CaseRepresentative, MediationCase,
                              MediationSettings, Mediator, MediatorDeclaration)

# The declarations that state the mediator's position on a case (a recusal ends their part instead).
STANDING_DECLARATIONS = ("no_conflict", "disclosure")


def mediator_of(user) -> Mediator | None:
    """The roster entry of this account, if it is a mediator's."""
    if not user.is_authenticated:
        return None
    return db.session.scalar(select(Mediator).where(Mediator.user_id == user.id, Mediator.removed_at.is_(None)))


def is_complainant_side(user, case: MediationCase) -> bool:
    """The complainant, or a member who joined the collective case."""
    if not user.is_authenticated:
        return False
    if case.complainant_id == user.id:
        return True
    return db.session.scalar(select(CaseParticipant.id).where(
        CaseParticipant.case_id == case.id, CaseParticipant.user_id == user.id)) is not None


def is_brand_side(user, case: MediationCase) -> bool:
    """Staff of the brand the case is against."""
    return permissions.is_brand_staff(user, case.brand)


def is_case_mediator(user, case: MediationCase) -> bool:
    """The mediator assigned to the case, while on the roster.

    A mediator removed from the roster loses access to every case they handled, closed ones included (their open
    ones went to others): the file stays with the parties. One who only left a brand's panel keeps their closed
    cases there.
    """
    return (user.is_authenticated and case.mediator is not None
            and case.mediator.user_id == user.id and case.mediator.removed_at is None)


def represented_side(user, case: MediationCase) -> str | None:
    """The side a lawyer or an assistant added to the case (and not removed) acts for, if any (R.612-1 3°)."""
    if not user.is_authenticated:
        return None
    return db.session.scalar(select(CaseRepresentative.side).where(
        CaseRepresentative.case_id == case.id, CaseRepresentative.user_id == user.id,
        CaseRepresentative.removed_at.is_(None)))


def case_role(user, case: MediationCase) -> str | None:
    """"mediator", "complainant", "brand", or None for anyone else (who sees nothing of the case).

    A representative or assistant reads and writes as the side they were added for.
    """
    if is_case_mediator(user, case):
        return "mediator"
    if is_complainant_side(user, case):
        return "complainant"
    if is_brand_side(user, case):
        return "brand"
    return represented_side(user, case)


def can_view_case(user, case: MediationCase) -> bool:
    """A case's content is visible to its parties and its mediator only."""
    return case_role(user, case) is not None


def is_case_closed(case: MediationCase) -> bool:
    """Refused, settled, not settled, refused by the brand, withdrawn or lapsed: nothing more happens in it."""
    return case.state in CLOSED_CASE_STATES


def is_mediator(user) -> bool:
    """An account on the mediators' roster (it has a desk of cases)."""
    return mediator_of(user) is not None


def uses_consumer_mediation(brand) -> bool:
    """Whether the brand uses Tribune as its consumer mediation (then any consumer of the brand files, L.612-1)."""
    settings = db.session.get(MediationSettings, brand.id)
    return settings is not None and settings.consumer_mediation


# What templates may ask, named one by one.
def has_declared_independence(case: MediationCase) -> bool:
    """The present mediator declared no conflict, or disclosed a circumstance, on this case (R.613-1)."""
    if case.mediator_id is None:
        return False
    return db.session.scalar(select(MediatorDeclaration.id).where(
        MediatorDeclaration.case_id == case.id, MediatorDeclaration.mediator_id == case.mediator_id,
        MediatorDeclaration.kind.in_(STANDING_DECLARATIONS)).limit(1)) is not None


def must_declare_first(user, case: MediationCase) -> bool:
    """The case's mediator, on a running case, who has not made their declaration on it yet (R.613-1)."""
    return is_case_mediator(user, case) and not is_case_closed(case) and not has_declared_independence(case)


TEMPLATE_PERMISSIONS = {
    "has_declared_independence": has_declared_independence,
    "must_declare_first": must_declare_first,
    "uses_consumer_mediation": uses_consumer_mediation,
    "is_complainant_side": is_complainant_side,
    "is_brand_side": is_brand_side,
    "is_case_mediator": is_case_mediator,
    "can_view_case": can_view_case,
    "is_case_closed": is_case_closed,
    "is_mediator": is_mediator,
}
