"""Permission questions of mandates, asked by route guards, services and templates alike.

Several modules add functions here: append new ones, keep one function per question.
"""
from __future__ import annotations

from institutions import permissions
from mandates.models import Mandate, MandateState


def can_manage_mandates(user, brand) -> bool:
    """Staff of the brand draft, offer, amend and end mandates, issue orders and record benefits."""
    return permissions.is_brand_staff(user, brand)


def can_countersign(user, brand) -> bool:
    """Only staff with signing rights sign contracts in the brand's name."""
    role = permissions.staff_role(user, brand)
    return role is not None and role.can_sign


def is_ambassador_of(user, mandate: Mandate) -> bool:
    """The person the mandate is for (once their account is linked)."""
    return user.is_authenticated and mandate.ambassador_id == user.id


def can_view_mandate(user, mandate: Mandate) -> bool:
    """The contract's parties: the ambassador and the brand's staff."""
    return is_ambassador_of(user, mandate) or can_manage_mandates(user, mandate.brand)


def is_active(mandate: Mandate) -> bool:
    """A mandate in force today (benefits and mission orders need one)."""
    return mandate.state is MandateState.ACTIVE


def can_apply_as_ambassador(user, brand) -> bool:
    """Verified members of the community apply to become ambassadors (staff are never members)."""
    return permissions.is_verified_member(user, brand)


def can_declare_advocacy(user, brand) -> bool:
    """Verified members declare themselves advocates of the brand or of its customers."""
    return permissions.is_verified_member(user, brand)


def _has_version(mandate: Mandate, state_value: str) -> bool:
    return any(version.state.value == state_value for version in mandate.versions)


def _running_without_end(mandate: Mandate) -> bool:
    return mandate.state in (MandateState.SCHEDULED, MandateState.ACTIVE) and mandate.end_effective_on is None


def can_edit_contract(user, mandate: Mandate) -> bool:
    """Staff edit a draft version (the first one or an amendment); offered versions never change."""
    return can_manage_mandates(user, mandate.brand) and _has_version(mandate, "draft") and mandate.state not in (
        MandateState.COMPLETED, MandateState.REVOKED, MandateState.RESIGNED, MandateState.DECLINED)


def can_sign_contract(user, mandate: Mandate) -> bool:
    """The ambassador signs or declines the version offered to them."""
    return is_ambassador_of(user, mandate) and _has_version(mandate, "offered")


def can_countersign_contract(user, mandate: Mandate) -> bool:
    """A signatory of the brand, other than the ambassador, countersigns what the ambassador signed."""
    return (can_countersign(user, mandate.brand) and not is_ambassador_of(user, mandate)
            and _has_version(mandate, "signed"))


def can_amend_contract(user, mandate: Mandate) -> bool:
    """Staff amend a signed mandate that is not ending, when no other version is in preparation."""
    return (can_manage_mandates(user, mandate.brand) and _running_without_end(mandate)
            and not any(_has_version(mandate, state) for state in ("draft", "offered", "signed")))


def can_revoke_mandate(user, mandate: Mandate) -> bool:
    """Staff revoke a signed mandate that is not ending (never their own: they resign)."""
    return (can_manage_mandates(user, mandate.brand) and not is_ambassador_of(user, mandate)
            and _running_without_end(mandate))


def can_resign_mandate(user, mandate: Mandate) -> bool:
    """The ambassador resigns from a signed mandate that is not ending."""
    return is_ambassador_of(user, mandate) and _running_without_end(mandate)


# What templates may ask, named one by one.
TEMPLATE_PERMISSIONS = {
    "can_manage_mandates": can_manage_mandates,
    "can_countersign": can_countersign,
    "is_ambassador_of": is_ambassador_of,
    "can_view_mandate": can_view_mandate,
    "is_active": is_active,
    "can_apply_as_ambassador": can_apply_as_ambassador,
    "can_declare_advocacy": can_declare_advocacy,
    "can_edit_contract": can_edit_contract,
    "can_sign_contract": can_sign_contract,
    "can_countersign_contract": can_countersign_contract,
    "can_amend_contract": can_amend_contract,
    "can_revoke_mandate": can_revoke_mandate,
    "can_resign_mandate": can_resign_mandate,
}
