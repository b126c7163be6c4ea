"""Fixtures of the roster, filing, admissibility and deadline tests: everything goes through the services.

`panel()` builds the brand "acme" with a staff member, a platform admin and mediators appointed to its panel by
the roster service; `file_case(scene, member, **changes)` files a complete case through filing.file_case.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy import select

from extensions import db
from institutions import clock
from mediation import filing, roster
from mediation.models import MediationCase, Mediator, MediatorDeclaration
from institutions.models import Brand, Notification, User
from tests.conftest import T0

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@dataclass
class Panel:
    brand: Brand
    staff: User
    admin: User
    mediators: list[User] = field(default_factory=list)
    entries: list[Mediator] = field(default_factory=list)


def add_to_roster(make, admin: User, name: str, term_starts_on: date = date(2026, 1, 1),
                  term_ends_on: date = date(2029, 12, 31)) -> tuple[User, Mediator]:
    """A new account put on the roster by the admin."""
    user = make.user(name=name)
    entry = roster.add_mediator(admin, name=name, qualifications="Certified consumer mediator",
                                appointing_body="Paris bar council", term_starts_on=term_starts_on,
                                term_ends_on=term_ends_on, declaration_of_interests="None.", email=user.email)
    db.session.commit()
    return user, entry


@pytest.fixture
def panel(make):
    """panel(mediators=1, slug="acme") -> Panel, the clock frozen at T0."""

    def build(mediators: int = 1, slug: str = "acme") -> Panel:
        clock.freeze(T0)
        brand = make.brand(slug=slug, name="Acme Bikes")
        scene = Panel(brand, make.staff(brand, user=make.user(name="Sam Staff")),
                      make.user(name="Ada Admin", admin=True))
        for index in range(mediators):
            user, entry = add_to_roster(make, scene.admin, ["Maya Mediator", "Noor Neutral", "Omar Other"][index])
            roster.appoint(entry, brand, scene.admin)
            db.session.commit()
            scene.mediators.append(user)
            scene.entries.append(entry)
        return scene

    return build


def file_case(scene: Panel, member: User, declared: bool = True, **changes) -> MediationCase:
    """A complete case filed by `member` (a category of the brand's list, a prior complaint a month ago).

    `declared`: its assigned mediator, if any, has declared no conflict on it, as they must before acting.
    """
    category = filing.categories_for(scene.brand)[0]
    fields = dict(category_id=category.id, facts="The bike arrived with a broken frame.",
                  request="A new frame or a refund.", prior_complaint_on=date(2027, 2, 1),
                  prior_complaint="E-mail to support, ticket 4521.", complainant_country="FR")
    fields.update(changes)
    case = filing.file_case(scene.brand, member, **fields)
    if declared and case.mediator_id is not None:
        declare_for(case)
    db.session.commit()
    return case


def declare_for(case: MediationCase) -> None:
    """The case's present mediator declares no conflict on it (what they do before acting, R.613-1)."""
    db.session.add(MediatorDeclaration(case_id=case.id, mediator_id=case.mediator_id, kind="no_conflict",
                                       made_at=clock.utcnow()))
    db.session.flush()


def notes_of(user: User) -> list[str]:
    """Every notification message this person received, oldest first."""
    return db.session.scalars(select(Notification.message).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


