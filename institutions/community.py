"""Community membership: joining, verification (staff, the listed address, a customer code), leaving."""
from __future__ import annotations

import hmac
import re
import secrets

from flask_babel import gettext as _
from sqlalchemy import case, or_, select, update
from sqlalchemy.orm import joinedload

from extensions import db
from institutions import audit, permissions
from institutions.accounts import hash_token
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden, NotFound, ValidationFailed
from institutions.models import Brand, CustomerRecord, Membership, MembershipStatus, User
from institutions.notifications import notify
from institutions.role_changes import role_changed
from institutions.messages import message

CUSTOMER_NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
# How a membership was verified (Membership.verification_source).
BY_STAFF = "staff"
BY_LISTED_EMAIL = "listed_email"
BY_CUSTOMER_CODE = "customer_code"
# Verification codes: 12 characters from an alphabet without look-alikes (0/O, 1/I/L), about 59 bits,
# shown as three groups of four; spaces, dashes and case do not matter when typed.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


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


def _normalize_code(raw: str | None) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", raw or "").upper()


def _code_hash(code: str) -> str:
    return hash_token(_normalize_code(code))


def _held_elsewhere(record: CustomerRecord, membership: Membership | None) -> bool:
    """Whether another membership already holds this listed customer (one customer, one membership)."""
    # A membership that ended (left, or its account erased) holds no one any more.
    query = select(Membership.id).where(Membership.customer_record_id == record.id,
                                        Membership.status != MembershipStatus.LEFT)
    if membership is not None and membership.id is not None:
        query = query.where(Membership.id != membership.id)
    return db.session.scalar(query.limit(1)) is not None


def _listed_for_address(brand: Brand, user: User, membership: Membership | None) -> CustomerRecord | None:
    """The listed customer whose address is this person's, once they confirmed it and if no one holds it.

    A customer number alone never verifies anyone: anyone can type one.
    """
    if not user.is_email_verified:
        return None
    record = db.session.scalar(
        select(CustomerRecord).where(CustomerRecord.brand_id == brand.id, CustomerRecord.email == user.email)
    )
    if record is None or _held_elsewhere(record, membership):
        return None
    return record


def _listed_for_code(brand: Brand, customer_number: str | None, code: str | None,
                     membership: Membership | None) -> CustomerRecord:
    """The listed customer this number and code belong to, or a refusal saying what is wrong."""
    if not customer_number:
        raise ValidationFailed(_("Type the customer number the verification code goes with."),
                               field="customer_number")
    record = db.session.scalar(
        select(CustomerRecord).where(CustomerRecord.brand_id == brand.id,
                                     CustomerRecord.customer_number == customer_number)
    )
    # Same refusal whether the number is unknown or the code wrong: no probing of the list.
    if record is None or record.code_hash is None or not hmac.compare_digest(record.code_hash, _code_hash(code)):
        raise DomainError(_("This customer number and verification code do not match."), field="verification_code")
    if _held_elsewhere(record, membership):
        raise DomainError(
            _("This customer already verifies another membership. Ask the brand's staff if this is a mistake."),
            field="verification_code",
        )
    return record


def hold_listed_customer(membership: Membership, record: CustomerRecord) -> None:
    """This membership is the one the listed customer verifies (an ended membership lets go of it first)."""
    db.session.execute(
        update(Membership).where(Membership.customer_record_id == record.id, Membership.id != membership.id,
                                 Membership.status == MembershipStatus.LEFT)
        .values(customer_record_id=None).execution_options(synchronize_session="fetch"))
    membership.customer_record_id = record.id


def mark_verified(membership: Membership, actor: User | None, source: str,
                  record: CustomerRecord | None = None) -> None:
    """Record that a membership is verified (by staff, or as the listed customer `record`)."""
    membership.status = MembershipStatus.VERIFIED
    membership.verified_at = utcnow()
    membership.verified_by_id = actor.id if actor else None
    membership.verification_source = source
    membership.needs_review = False
    if record is not None:
        hold_listed_customer(membership, record)
    db.session.flush()
    role_changed(membership.user, membership.brand)
    audit.record(
        "membership.verified", actor=actor, brand=membership.brand, subject=membership,
        payload={"source": source}, public=True,
    )
    notify(
        membership.user, "membership",
        message("Your membership of %(brand)s is verified: you can now take part in its institutions.",
                brand=membership.brand.name),
        link=f"/b/{membership.brand.slug}/", brand=membership.brand,
    )


def hold_listed_customers(pairs: list[tuple[Membership, int]]) -> None:
    """Many memberships each hold their listed customer (by record id): ended memberships let go in one statement
    per thousand records, instead of one per membership."""
    record_ids = [record_id for _membership, record_id in pairs]
    for start in range(0, len(record_ids), 1000):
        db.session.execute(
            update(Membership).where(Membership.customer_record_id.in_(record_ids[start:start + 1000]),
                                     Membership.status == MembershipStatus.LEFT)
            .values(customer_record_id=None).execution_options(synchronize_session="fetch"))
    for membership, record_id in pairs:
        membership.customer_record_id = record_id


def mark_verified_many(memberships: list[tuple[Membership, int | None]], actor: User | None, source: str,
                       brand: Brand) -> None:
    """mark_verified for many memberships of one brand (each with its listed customer's record id, or None): the
    same per-member audit event, role-change hooks and notice, with the writes and the audit chain batched."""
    if not memberships:
        return
    now = utcnow()
    hold_listed_customers([(membership, record_id) for membership, record_id in memberships if record_id is not None])
    for membership, _record_id in memberships:
        membership.status = MembershipStatus.VERIFIED
        membership.verified_at = now
        membership.verified_by_id = actor.id if actor else None
        membership.verification_source = source
        membership.needs_review = False
    db.session.flush()
    audit.record_many("membership.verified", [membership for membership, _ in memberships], actor=actor, brand=brand,
                      payload={"source": source}, public=True)
    notice = message("Your membership of %(brand)s is verified: you can now take part in its institutions.",
                     brand=brand.name)
    for membership, _record_id in memberships:
        role_changed(membership.user, brand)
        notify(membership.user, "membership", notice, link=f"/b/{brand.slug}/", brand=brand)


def join(brand: Brand, user: User, customer_number: str | None = None,
         verification_code: str | None = None) -> Membership:
    """Join a brand's community: pending until staff verify, at once with the listed address or a customer code."""
    if permissions.is_brand_staff(user, brand):
        raise Forbidden(_("Brand staff cannot join the customer community of their own brand."))
    customer_number = clean_customer_number(customer_number)
    membership = permissions.membership_of(user, brand)
    if membership is not None and membership.status is not MembershipStatus.LEFT:
        raise DomainError(_("You are already a member of this community."))
    # Checked before anything is written, so a wrong code leaves no pending membership behind.
    coded = _listed_for_code(brand, customer_number, verification_code, membership) \
        if _normalize_code(verification_code) else None
    now = utcnow()
    if membership is None:
        membership = Membership(brand_id=brand.id, user_id=user.id)
        db.session.add(membership)
    # Rejoining starts afresh: the eligibility date is the date of this membership.
    membership.status = MembershipStatus.PENDING
    membership.customer_number = customer_number
    membership.started_at = now
    membership.verified_at = membership.verified_by_id = membership.verification_source = None
    membership.customer_record_id = None
    membership.needs_review = False
    membership.left_at = None
    db.session.flush()
    permissions.forget_cached_roles()
    role_changed(user, brand)
    audit.record("membership.requested", actor=user, brand=brand, subject=membership, public=True)
    if coded is not None:
        mark_verified(membership, None, BY_CUSTOMER_CODE, coded)
    else:
        listed = _listed_for_address(brand, user, membership)
        if listed is not None:
            mark_verified(membership, None, BY_LISTED_EMAIL, listed)
    return membership


def verify_with_code(brand: Brand, user: User, customer_number: str | None, verification_code: str | None) -> Membership:
    """A pending member proves they are a listed customer with the number and code the brand gave them."""
    membership = permissions.membership_of(user, brand)
    if membership is None or membership.status is not MembershipStatus.PENDING:
        raise DomainError(_("Only a pending membership can be verified."))
    customer_number = clean_customer_number(customer_number)
    if not _normalize_code(verification_code):
        raise ValidationFailed(_("Type the verification code the brand gave you."), field="verification_code")
    record = _listed_for_code(brand, customer_number, verification_code, membership)
    membership.customer_number = customer_number
    mark_verified(membership, None, BY_CUSTOMER_CODE, record)
    return membership


def issue_customer_code(brand: Brand, actor: User, record_id: int) -> tuple[CustomerRecord, str]:
    """Staff issue a listed customer's verification code (it replaces any earlier one); shown once."""
    if not permissions.can_manage_community(actor, brand):
        raise Forbidden(_("Only the brand's staff can issue verification codes."))
    record = db.session.get(CustomerRecord, record_id)
    if record is None or record.brand_id != brand.id:
        raise NotFound(_("No such customer in this list."))
    if record.customer_number is None:
        raise DomainError(_("A code goes with a customer number; this customer is listed by address only."))
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    record.code_hash = _code_hash(code)
    record.code_issued_at = utcnow()
    db.session.flush()
    audit.record("community.customer_code_issued", actor=actor, brand=brand, subject=record)
    return record, "-".join(code[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def customer_records_query(brand: Brand, search: str | None = None):
    """The brand's listed customers, by number then address, optionally those matching `search`."""
    query = select(CustomerRecord).where(CustomerRecord.brand_id == brand.id)
    term = (search or "").strip().lower()
    if term:
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(db.func.lower(CustomerRecord.customer_number).like(pattern, escape="\\"),
                                CustomerRecord.email.like(pattern, escape="\\")))
    return query.order_by(CustomerRecord.customer_number, CustomerRecord.email, CustomerRecord.id)


def verify(membership: Membership, actor: User) -> Membership:
    """Staff confirm that a pending member is a customer."""
    if not permissions.can_manage_community(actor, membership.brand):
        raise Forbidden(_("Only the brand's staff can verify members."))
    if membership.status is not MembershipStatus.PENDING:
        raise DomainError(_("Only a pending membership can be verified."))
    mark_verified(membership, actor, BY_STAFF)
    return membership


def leave(brand: Brand, user: User) -> Membership:
    """A member leaves the community (they can join again later, with a new start date)."""
    membership = permissions.membership_of(user, brand)
    if membership is None or membership.status is MembershipStatus.LEFT:
        raise DomainError(_("You are not a member of this community."))
    membership.status = MembershipStatus.LEFT
    membership.left_at = utcnow()
    membership.customer_record_id = None  # the listed customer is free again
    membership.needs_review = False
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
        listed = _listed_for_address(membership.brand, user, membership)
        if listed is not None:
            mark_verified(membership, None, BY_LISTED_EMAIL, listed)
            verified.append(membership)
    return verified


def review_queue(brand: Brand) -> list[Membership]:
    """Memberships verified by a customer number alone (before it stopped being enough), for staff to review."""
    return db.session.scalars(
        select(Membership).where(Membership.brand_id == brand.id, Membership.needs_review.is_(True),
                                 Membership.status == MembershipStatus.VERIFIED)
        .options(joinedload(Membership.user)).order_by(Membership.verified_at, Membership.id)
    ).all()


def _under_review(membership: Membership, actor: User) -> None:
    if not permissions.can_manage_community(actor, membership.brand):
        raise Forbidden(_("Only the brand's staff can review memberships."))
    if not membership.needs_review or membership.status is not MembershipStatus.VERIFIED:
        raise DomainError(_("This membership is not waiting for a review."))


def confirm_review(membership: Membership, actor: User) -> Membership:
    """Staff confirm a membership verified by number alone: it is now verified by staff."""
    _under_review(membership, actor)
    membership.needs_review = False
    membership.verified_by_id = actor.id
    membership.verification_source = BY_STAFF
    db.session.flush()
    audit.record("membership.review_confirmed", actor=actor, brand=membership.brand, subject=membership,
                 public=True)
    return membership


def revoke_review(membership: Membership, actor: User) -> Membership:
    """Staff revoke a membership verified by number alone: it is pending again until proven."""
    _under_review(membership, actor)
    membership.status = MembershipStatus.PENDING
    membership.verified_at = membership.verified_by_id = membership.verification_source = None
    membership.needs_review = False
    membership.customer_record_id = None
    db.session.flush()
    permissions.forget_cached_roles()
    role_changed(membership.user, membership.brand)
    audit.record("membership.verification_revoked", actor=actor, brand=membership.brand, subject=membership,
                 public=True)
    notify(
        membership.user, "membership",
        message("%(brand)s could not confirm that you are a customer: your membership is pending again. Ask the brand "
                "for a verification code, or confirm the address it knows you by.", brand=membership.brand.name),
        link=f"/b/{membership.brand.slug}/", brand=membership.brand,
    )
    return membership


def count_to_review(brand: Brand) -> int:
    """How many memberships of this brand wait for a staff review."""
    return db.session.scalar(
        select(db.func.count(Membership.id)).where(Membership.brand_id == brand.id, Membership.needs_review.is_(True),
                                                   Membership.status == MembershipStatus.VERIFIED)
    ) or 0


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
