"""Demo data: a platform admin, the brand `demo` with staff, members, and a mediator."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from extensions import db
from institutions import audit, brands, charter, features
from institutions.accounts import new_pseudonym
from institutions.clock import utcnow
from institutions.models import Brand, Membership, MembershipStatus, OfficeHolding, OfficeKind, StaffRole, User

DEMO_PASSWORD = "tribune-demo"
MEMBER_COUNT = 50

FIRST_NAMES = ["Alice", "Bruno", "Chloé", "David", "Emma", "Farid", "Gabrielle", "Hugo", "Inès", "Jules"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Moreau", "Laurent"]


@dataclass
class DemoCast:
    """Who the demo has, for the features that add their own demo data."""

    brand: Brand
    admin: User
    staff: User
    members: list[User]  # the verified members, sorted by e-mail (member01@ ... member49@, then member@)


def _person(email: str, name: str, password_hash: str, **extra) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, display_name=name, pseudonym=new_pseudonym(), password_hash=password_hash,
                    timezone="Europe/Paris", created_at=utcnow(), email_verified_at=utcnow(), **extra)
        db.session.add(user)
        db.session.flush()
    return user


def load_demo_data() -> list[tuple[str, str]]:
    """Create what is missing, leave what exists; return (role, e-mail) for each demo login."""
    # One hash for every demo account: scrypt is slow on purpose, 50 of them would take seconds.
    password_hash = generate_password_hash(DEMO_PASSWORD)
    admin = _person("admin@tribune.test", "Ada Admin", password_hash, is_platform_admin=True)
    brand = db.session.scalar(select(Brand).where(Brand.slug == "demo"))
    if brand is None:
        brand = brands.create_brand(
            admin, name="Maison Demo", slug="demo", colour="#9d174d", country="FR",
            description="A demonstration brand: its customers elect a president, its ambassadors sign "
                        "contracts, and independent mediators settle disputes.",
        )
    staff = _person("staff@tribune.test", "Sam Staff", password_hash)
    if db.session.scalar(select(StaffRole).where(StaffRole.brand_id == brand.id, StaffRole.user_id == staff.id)) is None:
        db.session.add(StaffRole(brand_id=brand.id, user_id=staff.id, can_sign=True, created_at=utcnow()))
        audit.record("staff.joined", actor=staff, brand=brand, payload={"can_sign": True}, public=True)
    joined = utcnow() - timedelta(days=400)
    for index in range(MEMBER_COUNT):
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = LAST_NAMES[index // len(FIRST_NAMES) % len(LAST_NAMES)]
        email = "member@tribune.test" if index == 0 else f"member{index:02d}@tribune.test"
        member = _person(email, f"{first} {last}" if index else "Maya Member", password_hash)
        _membership(brand, member, MembershipStatus.VERIFIED, joined + timedelta(days=index), staff,
                    f"C-{1000 + index}")
    pending = _person("pending@tribune.test", "Paul Pending", password_hash)
    _membership(brand, pending, MembershipStatus.PENDING, utcnow() - timedelta(days=2), None, None)
    mediator = _person("mediator@tribune.test", "Mona Mediator", password_hash)
    office = charter.office_of(brand, OfficeKind.MEDIATOR)
    has_holding = db.session.scalar(
        select(OfficeHolding).where(OfficeHolding.office_id == office.id, OfficeHolding.user_id == mediator.id)
    )
    if has_holding is None:
        charter.install_holder(brand, OfficeKind.MEDIATOR, mediator, source="appointment", actor=admin,
                               term_ends_at=utcnow() + timedelta(days=3 * 365))
    db.session.flush()
    members = db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.brand_id == brand.id, Membership.status == MembershipStatus.VERIFIED).order_by(User.email)
    ).all()
    cast = DemoCast(brand=brand, admin=admin, staff=staff, members=members)
    # Each installed feature adds its demo data (its manifest's demo loader) and returns extra logins.
    extra = [login for loader in features.demo_loaders() for login in loader(cast)]
    return [
        ("platform admin", admin.email),
        ("brand staff", staff.email),
        ("member", "member@tribune.test"),
        ("pending member", pending.email),
        ("mediator", mediator.email),
        *extra,
    ]


def _membership(brand, user, status, started_at, verifier, customer_number) -> None:
    exists = db.session.scalar(select(Membership).where(Membership.brand_id == brand.id, Membership.user_id == user.id))
    if exists is not None:
        return
    membership = Membership(
        brand_id=brand.id, user_id=user.id, status=status, started_at=started_at, customer_number=customer_number,
        verified_at=started_at + timedelta(days=1) if status is MembershipStatus.VERIFIED else None,
        verified_by_id=verifier.id if verifier and status is MembershipStatus.VERIFIED else None,
        verification_source="staff" if status is MembershipStatus.VERIFIED else None,
    )
    db.session.add(membership)
    db.session.flush()
    audit.record(f"membership.{'verified' if status is MembershipStatus.VERIFIED else 'requested'}",
                 actor=verifier, brand=brand, subject=membership, public=True)
