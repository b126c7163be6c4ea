"""Who may take part in an election: verified members who joined before the cut-off, never staff."""
from __future__ import annotations

from sqlalchemy import exists, select

from elections.models import Election
from institutions import permissions
from institutions.models import Membership, MembershipStatus, StaffRole, User


def eligible_members_query(election: Election):
    """Users eligible in this election (the voter roll is frozen from this when voting opens)."""
    cutoff = election.eligibility_cutoff
    staff = exists().where(StaffRole.brand_id == election.brand_id, StaffRole.user_id == User.id)
    query = (
        select(User.id)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.brand_id == election.brand_id,
            Membership.status == MembershipStatus.VERIFIED,
            User.deleted_at.is_(None),
            ~staff,
        )
    )
    if cutoff is not None:
        query = query.where(Membership.started_at < cutoff)
    return query


def is_eligible(user, election: Election) -> bool:
    """A verified member since before the cut-off, not staff of the brand."""
    if not user.is_authenticated or permissions.is_brand_staff(user, election.brand):
        return False
    membership = permissions.membership_of(user, election.brand)
    if membership is None or membership.status is not MembershipStatus.VERIFIED:
        return False
    cutoff = election.eligibility_cutoff
    return cutoff is None or membership.started_at < cutoff
