"""Community membership: joining, verification by staff, leaving."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import case, or_, select
from sqlalchemy.orm import joinedload

from extensions import db
from institutions import audit, permissions
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden, NotFound, ValidationFailed
from institutions.models import Brand, CustomerRecord, Membership, MembershipStatus, User
from institutions.notifications import notify
from institutions.role_changes import role_changed

CUSTOMER_NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")


def clean_customer_number(raw: str | None, field: str = "customer_number") -> str | None:
    """A customer number as the brand writes it (letters, digits, . _ / -), or None."""
    value = (raw or "").strip()
    if not value:
        return None
    if not CUSTOMER_NUMBER_PATTERN.match(value):
        raise ValidationFailed(
            _("A customer number has 1 to 64 letters, digits, dots, hyphens, slashes or underscores."), field=field
        )
    return value


def _matching_customer_record(brand: Brand, user: User, customer_number: str | None) -> CustomerRecord | None:
    conditions = [CustomerRecord.email == user.email]
    if customer_number:
        conditions.append(CustomerRecord.customer_number == customer_number)
    return db.session.scalar(
        select(CustomerRecord).where(CustomerRecord.brand_id == brand.id, or_(*conditions)).limit(1)
    )


def mark_verified(membership: Membership, actor: User | None, source: str) -> None:
    """Record that a membership is verified (by staff, or by the brand's customer list)."""
    membership.status = MembershipStatus.VERIFIED
    membership.verified_at = utcnow()
    membership.verified_by_id = actor.id if actor else None
    membership.verification_source = source
    db.session.flush()
    role_changed(membership.user, membership.brand)
    audit.record(
        "membership.verified", actor=actor, brand=membership.brand, subject=membership,
        payload={"source": source}, public=True,
    )
    notify(
        membership.user, "membership",
        _("Your membership of %(brand)s is verified: you can now take part in its institutions.",
          brand=membership.brand.name),
        link=f"/b/{membership.brand.slug}/", brand=membership.brand,
    )


def join(brand: Brand, user: User, customer_number: str | None = None) -> Membership:
    """Join a brand's community: pending until staff verify, at once if the brand listed you."""
    if permissions.is_brand_staff(user, brand):
        raise Forbidden(_("Brand staff cannot join the customer community of their own brand."))
    customer_number = clean_customer_number(customer_number)
    membership = permissions.membership_of(user, brand)
    if membership is not None and membership.status is not MembershipStatus.LEFT:
        raise DomainError(_("You are already a member of this community."))
    now = utcnow()
    if membership is None:
        membership = Membership(brand_id=brand.id, user_id=user.id)
        db.session.add(membership)
    # Rejoining starts afresh: the eligibility date is the date of this membership.
    membership.status = MembershipStatus.PENDING
    membership.customer_number = customer_number
    membership.started_at = now
    membership.verified_at = membership.verified_by_id = membership.verification_source = None
    membership.left_at = None
    db.session.flush()
    permissions.forget_cached_roles()
    role_changed(user, brand)
    audit.record("membership.requested", actor=user, brand=brand, subject=membership, public=True)
    if user.is_email_verified and _matching_customer_record(brand, user, customer_number) is not None:
        mark_verified(membership, None, "import")
    return membership


def verify(membership: Membership, actor: User) -> Membership:
    """Staff confirm that a pending member is a customer."""
    if not permissions.can_manage_community(actor, membership.brand):
        raise Forbidden(_("Only the brand's staff can verify members."))
    if membership.status is not MembershipStatus.PENDING:
        raise DomainError(_("Only a pending membership can be verified."))
    mark_verified(membership, actor, "staff")
    return membership


def leave(brand: Brand, user: User) -> Membership:
    """A member leaves the community (they can join again later, with a new start date)."""
    membership = permissions.membership_of(user, brand)
    if membership is None or membership.status is MembershipStatus.LEFT:
        raise DomainError(_("You are not a member of this community."))
    membership.status = MembershipStatus.LEFT
    membership.left_at = utcnow()
    db.session.flush()
    permissions.forget_cached_roles()
    role_changed(user, brand)
    audit.record("membership.left", actor=user, brand=brand, subject=membership, public=True)
    return membership


def verify_on_email_confirmed(user: User) -> list[Membership]:
    """Once a person proves their address, pending memberships the brand listed are verified."""
    verified = []
    pending = db.session.scalars(
        select(Membership).where(Membership.user_id == user.id, Membership.status == MembershipStatus.PENDING)
    ).all()
    for membership in pending:
        if _matching_customer_record(membership.brand, user, membership.customer_number) is not None:
            mark_verified(membership, None, "import")
            verified.append(membership)
    return verified


def membership_in_brand(brand: Brand, membership_id: int) -> Membership:
    """A membership of this brand (never another brand's, whatever the id says)."""
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.brand_id != brand.id:
        raise NotFound(_("No such member in this community."))
    return membership


def members_query(brand: Brand, status: MembershipStatus | None = None):
    """The brand's memberships with their accounts, pending first then by date."""
    query = (
        select(Membership)
        .where(Membership.brand_id == brand.id)
        .options(joinedload(Membership.user))
        .order_by(
            case((Membership.status == MembershipStatus.PENDING, 0),
                 (Membership.status == MembershipStatus.VERIFIED, 1), else_=2),
            Membership.started_at, Membership.id,
        )
    )
    if status is not None:
        query = query.where(Membership.status == status)
    return query


def count_members(brand: Brand, status: MembershipStatus) -> int:
    """How many memberships of this brand have this status."""
    return db.session.scalar(
        select(db.func.count(Membership.id)).where(Membership.brand_id == brand.id, Membership.status == status)
    ) or 0


def memberships_of_user(user: User) -> list[Membership]:
    """A person's memberships, with their brands (My brands)."""
    return db.session.scalars(
        select(Membership).where(Membership.user_id == user.id).options(joinedload(Membership.brand))
        .order_by(Membership.id)
    ).all()
