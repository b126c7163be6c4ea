"""Named permission questions, one function each; route guards and templates both ask them."""
from __future__ import annotations

from flask import g
from sqlalchemy import select

from extensions import db
from institutions.models import Brand, Membership, MembershipStatus, StaffRole, User


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_platform_admin(user) -> bool:
    """Operators of the deployment."""
    return _signed_in(user) and bool(user.is_platform_admin)


def staff_role(user, brand: Brand) -> StaffRole | None:
    """The user's staff role at this brand, cached for the request."""
    if not _signed_in(user):
        return None
    cache = g.setdefault("_staff_roles", {})
    key = (user.id, brand.id)
    if key not in cache:
        cache[key] = db.session.scalar(
            select(StaffRole).where(StaffRole.user_id == user.id, StaffRole.brand_id == brand.id)
        )
    return cache[key]


def membership_of(user, brand: Brand) -> Membership | None:
    """The user's membership of this brand's community (any status), cached for the request."""
    if not _signed_in(user):
        return None
    cache = g.setdefault("_memberships", {})
    key = (user.id, brand.id)
    if key not in cache:
        cache[key] = db.session.scalar(
            select(Membership).where(Membership.user_id == user.id, Membership.brand_id == brand.id)
        )
    return cache[key]


def forget_cached_roles() -> None:
    """Drop the per-request caches after a service changed a role."""
    g.pop("_staff_roles", None)
    g.pop("_memberships", None)


def is_brand_staff(user, brand: Brand) -> bool:
    """Employees of this brand (never of another one)."""
    return staff_role(user, brand) is not None


def is_verified_member(user, brand: Brand) -> bool:
    """A customer the brand has verified, still in the community."""
    membership = membership_of(user, brand)
    return membership is not None and membership.status is MembershipStatus.VERIFIED


def can_join(user, brand: Brand) -> bool:
    """A signed-in person who is neither staff nor already a (pending or verified) member."""
    if not _signed_in(user) or is_brand_staff(user, brand):
        return False
    membership = membership_of(user, brand)
    return membership is None or membership.status is MembershipStatus.LEFT


def can_leave(user, brand: Brand) -> bool:
    """A pending or verified member may leave the community."""
    membership = membership_of(user, brand)
    return membership is not None and membership.status is not MembershipStatus.LEFT


def can_manage_community(user, brand: Brand) -> bool:
    """Verify members and import customer lists."""
    return is_brand_staff(user, brand)


def can_edit_charter(user, brand: Brand) -> bool:
    """Edit the texts of the brand's offices."""
    return is_brand_staff(user, brand)


def can_invite_staff(user, brand: Brand) -> bool:
    """Staff invite other staff; the platform admin invites the first one."""
    return is_brand_staff(user, brand) or is_platform_admin(user)


def can_grant_signing_rights(user, brand: Brand) -> bool:
    """Only a signatory of the brand (or the platform admin, for the first one) gives signing rights."""
    role = staff_role(user, brand)
    return (role is not None and role.can_sign) or is_platform_admin(user)


def can_create_brand(user) -> bool:
    """Only operators create tenants."""
    return is_platform_admin(user)


def can_view_brand_private(user, brand: Brand) -> bool:
    """Private data of a brand (member lists, outbox of invitations...) is for its staff."""
    return is_brand_staff(user, brand)


# What templates may ask, named one by one.
TEMPLATE_PERMISSIONS = {
    "is_platform_admin": is_platform_admin,
    "is_brand_staff": is_brand_staff,
    "is_verified_member": is_verified_member,
    "can_join": can_join,
    "can_leave": can_leave,
    "can_manage_community": can_manage_community,
    "can_edit_charter": can_edit_charter,
    "can_invite_staff": can_invite_staff,
    "can_grant_signing_rights": can_grant_signing_rights,
    "can_create_brand": can_create_brand,
    "can_view_brand_private": can_view_brand_private,
}


def account_can_act(user: User) -> bool:
    """Deleted accounts act on nothing."""
    return _signed_in(user)
