"""Brands as tenants: creation by the platform admin, staff invitations."""
from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from extensions import db
from institutions import audit, permissions
from institutions.accounts import hash_token, normalize_email
from institutions.charter import create_default_offices
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden, NotFound, ValidationFailed
from institutions.models import Brand, Membership, MembershipStatus, StaffInvitation, StaffRole, User
from institutions.notifications import queue_email
from institutions.role_changes import role_changed

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
COLOUR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
# Addresses the platform itself uses under /b/<slug>/ would be confusing as brand names.
RESERVED_SLUGS = {"admin", "api", "static", "new"}
MAX_LEGAL_NAME = 200  # as long as a typed signature may be


def validate_brand_fields(name: str, slug: str, description: str, colour: str, country: str) -> dict:
    """Check a brand's public fields and return them cleaned, or refuse naming the field."""
    name = (name or "").strip()
    slug = (slug or "").strip().lower()
    description = (description or "").strip()
    colour = (colour or "#1d4ed8").strip()
    country = (country or "FR").strip().upper()
    if not name or len(name) > 120:
        raise ValidationFailed(_("The name must have between 1 and 120 characters."), field="name")
    if not SLUG_PATTERN.match(slug) or slug in RESERVED_SLUGS:
        raise ValidationFailed(
            _("The address must be 1 to 40 lower-case letters, digits or hyphens, not at either end."),
            field="slug",
        )
    if len(description) > 2000:
        raise ValidationFailed(_("The description can have at most 2000 characters."), field="description")
    if not COLOUR_PATTERN.match(colour):
        raise ValidationFailed(_("The colour must look like #1d4ed8."), field="colour")
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise ValidationFailed(_("The country must be a two-letter code such as FR."), field="country")
    return {"name": name, "slug": slug, "description": description, "colour": colour, "country": country}


def create_brand(actor: User, *, name: str, slug: str, description: str = "", colour: str = "#1d4ed8",
                 country: str = "FR", first_staff_email: str | None = None) -> Brand:
    """A platform admin creates a brand, with its charter, and invites its first staff member."""
    if not permissions.can_create_brand(actor):
        raise Forbidden(_("Only a platform administrator can create a brand."))
    fields = validate_brand_fields(name, slug, description, colour, country)
    if first_staff_email:
        first_staff_email = normalize_email(first_staff_email, field="first_staff_email")
    if db.session.scalar(select(Brand.id).where(Brand.slug == fields["slug"])) is not None:
        raise DomainError(_("Another brand already uses this address."), field="slug")
    brand = Brand(**fields, created_at=utcnow())
    db.session.add(brand)
    db.session.flush()
    create_default_offices(brand)
    audit.record("brand.created", actor=actor, brand=brand, subject=brand,
                 payload={"slug": brand.slug, "name": brand.name}, public=True)
    if first_staff_email:
        invite_staff(brand, actor, first_staff_email, can_sign=True)
    return brand


def update_brand(brand: Brand, actor: User, *, name: str, description: str, colour: str, country: str) -> Brand:
    """Staff (or the platform admin) change the brand's public profile; the address stays."""
    if not (permissions.is_brand_staff(actor, brand) or permissions.is_platform_admin(actor)):
        raise Forbidden(_("Only the brand's staff can change its profile."))
    fields = validate_brand_fields(name, brand.slug, description, colour, country)
    for key in ("name", "description", "colour", "country"):
        setattr(brand, key, fields[key])
    audit.record("brand.updated", actor=actor, brand=brand, subject=brand, public=True)
    return brand


def invite_staff(brand: Brand, actor: User, email: str, can_sign: bool = False) -> tuple[StaffInvitation, str]:
    """Invite someone by e-mail to the brand's staff; the link works once, for a limited time."""
    if not permissions.can_invite_staff(actor, brand):
        raise Forbidden(_("Only the brand's staff can invite staff."))
    if can_sign and not permissions.can_grant_signing_rights(actor, brand):
        # Nobody hands out a power they do not hold: the signature binds the brand.
        raise Forbidden(_("Only staff with signing rights can invite someone with signing rights."),
                        field="can_sign")
    email = normalize_email(email)
    existing_user = db.session.scalar(select(User).where(User.email == email, User.deleted_at.is_(None)))
    if existing_user is not None and permissions.is_brand_staff(existing_user, brand):
        raise DomainError(_("This person is already on the brand's staff."), field="email")
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    invitation = StaffInvitation(
        brand_id=brand.id, email=email, can_sign=can_sign, token_hash=hash_token(secret),
        invited_by_id=actor.id, created_at=now,
        expires_at=now + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("brands.accept_invitation", token=secret)
    queue_email(
        email,
        _("You are invited to the staff of %(brand)s on Tribune", brand=brand.name),
        _("%(inviter)s invites you to act for %(brand)s on Tribune. Sign in or create an account with this "
          "address, then open:\n%(link)s\n\nThe link works for %(days)d days.",
          inviter=actor.display_name, brand=brand.name, link=link, days=current_app.config["INVITATION_DAYS"]),
        "staff_invitation",
        existing_user,
    )
    audit.record("staff.invited", actor=actor, brand=brand, subject=invitation, payload={"can_sign": can_sign})
    return invitation, secret


def invitation_for_token(secret: str) -> StaffInvitation:
    """The invitation behind a link, or a refusal saying why it no longer works."""
    invitation = db.session.scalar(select(StaffInvitation).where(StaffInvitation.token_hash == hash_token(secret or "")))
    if invitation is None:
        raise NotFound(_("This invitation link is not valid."), field="token")
    if invitation.accepted_at is not None:
        raise DomainError(_("This invitation has already been used."), field="token")
    if invitation.expires_at <= utcnow():
        raise DomainError(_("This invitation has expired; ask the brand for a new one."), field="token")
    return invitation


def accept_invitation(secret: str, user: User) -> StaffRole:
    """The invited person, signed in with the invited address, joins the staff."""
    invitation = invitation_for_token(secret)
    if user.email != invitation.email:
        raise Forbidden(_("This invitation was sent to another e-mail address."), field="token")
    if not user.is_email_verified:
        # Opening the invitation link proves the address as well.
        user.email_verified_at = utcnow()
    brand = invitation.brand
    role = db.session.scalar(select(StaffRole).where(StaffRole.brand_id == brand.id, StaffRole.user_id == user.id))
    if role is None:
        role = StaffRole(brand_id=brand.id, user_id=user.id, can_sign=invitation.can_sign, created_at=utcnow())
        db.session.add(role)
    # Staff never vote or stand: an existing customer membership is closed.
    membership = db.session.scalar(
        select(Membership).where(Membership.brand_id == brand.id, Membership.user_id == user.id)
    )
    if membership is not None and membership.status is not MembershipStatus.LEFT:
        membership.status = MembershipStatus.LEFT
        membership.left_at = utcnow()
    invitation.accepted_at = utcnow()
    db.session.flush()
    permissions.forget_cached_roles()
    role_changed(user, brand)
    audit.record("staff.joined", actor=user, brand=brand, subject=role, payload={"can_sign": role.can_sign}, public=True)
    return role


def clean_legal_name(legal_name: str | None) -> str:
    """A full legal name as typed, with its spacing tidied, or a refusal naming the field."""
    name = " ".join(unicodedata.normalize("NFC", legal_name or "").split())
    if not name:
        raise ValidationFailed(_("Write your full legal name, as on your identity papers."), field="legal_name")
    if len(name) > MAX_LEGAL_NAME:
        raise ValidationFailed(_("At most %(n)d characters.", n=MAX_LEGAL_NAME), field="legal_name")
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in name):
        raise ValidationFailed(_("A name cannot contain control characters."), field="legal_name")
    return name


def record_legal_name(brand: Brand, actor: User, legal_name: str | None) -> StaffRole:
    """A staff member records their own legal name once; every countersignature of theirs must type it."""
    role = permissions.staff_role(actor, brand)
    if role is None:
        raise Forbidden(_("Only the brand's staff record a legal name here."))
    name = clean_legal_name(legal_name)
    if role.legal_name:
        # Fixed once recorded: the signatures given under it must keep naming the same person.
        raise DomainError(_("Your legal name is already recorded as %(name)s and cannot be changed.",
                            name=role.legal_name), field="legal_name")
    role.legal_name = name
    role.legal_name_recorded_at = utcnow()
    db.session.flush()
    # The name itself stays out of the trail, which names people only by pseudonym.
    audit.record("staff.legal_name_recorded", actor=actor, brand=brand, subject=role)
    return role


def staff_of(brand: Brand) -> list[StaffRole]:
    """The brand's staff, with their accounts."""
    from sqlalchemy.orm import joinedload

    return db.session.scalars(
        select(StaffRole).where(StaffRole.brand_id == brand.id).options(joinedload(StaffRole.user)).order_by(StaffRole.id)
    ).all()


def list_brands() -> list[Brand]:
    """Every brand hosted, by name."""
    return db.session.scalars(select(Brand).order_by(func.lower(Brand.name))).all()
