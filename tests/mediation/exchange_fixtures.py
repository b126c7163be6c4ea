"""Cases built straight through the models, for the exchange and outcome tests.

`case_scene()` makes a brand with its staff, a verified member who filed, a mediator (account, roster entry and
panel seat), a category, and a case in the OPEN state (by default) that the brand has agreed to take part in.
The clock is frozen at T0; the case was opened OPENED_DAYS_AGO days before.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from extensions import db
from institutions import clock
from mediation.models import (
    CaseCategory,
    CaseParticipant,
    CaseState,
    MediationCase,
    Mediator,
    PanelSeat,
)
from tests.mediation.filing_fixtures import declare_for
from institutions.models import Brand, User
from tests.conftest import T0

OPENED_DAYS_AGO = 10
OPENED_AT = T0 - timedelta(days=OPENED_DAYS_AGO)
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@dataclass
class CaseScene:
    brand: Brand
    staff: User
    complainant: User
    mediator: User
    mediator_entry: Mediator
    outsider: User
    case: MediationCase
    joined: User | None = None


def insert_mediator(make, brand: Brand, name: str = "Maya Mediator") -> tuple[User, Mediator]:
    """A mediator on the roster with an account, seated on the brand's panel."""
    user = make.user(name=name)
    entry = Mediator(user_id=user.id, name=name, qualifications="Certified mediator", appointing_body="Bar council",
                     term_starts_on=date(2026, 1, 1), term_ends_on=date(2029, 1, 1),
                     declaration_of_interests="None.", created_at=clock.utcnow())
    db.session.add(entry)
    db.session.flush()
    db.session.add(PanelSeat(mediator_id=entry.id, brand_id=brand.id, appointed_at=clock.utcnow()))
    db.session.commit()
    return user, entry


def insert_case(brand: Brand, complainant: User, mediator: Mediator | None, *, state: CaseState = CaseState.OPEN,
                opened_at: datetime | None = OPENED_AT, brand_answered: bool = True, collective: bool = False,
                category: CaseCategory | None = None, declared: bool = True) -> MediationCase:
    """A case against the brand in the given state (OPEN: opened, and the brand agreed to take part).

    `declared`: the mediator has made their declaration of no conflict on it (R.613-1), as they must before acting.
    """
    if category is None:
        category = CaseCategory(brand_id=brand.id, key=f"delivery-{clock.utcnow().timestamp()}", name=None,
                                created_at=clock.utcnow())
        db.session.add(category)
        db.session.flush()
    before_opening = state in (CaseState.FILED, CaseState.INCOMPLETE)
    case = MediationCase(
        brand_id=brand.id, complainant_id=complainant.id, collective=collective, category_id=category.id,
        facts="The bike arrived broken.", request="A new bike.", prior_complaint_on=date(2027, 1, 10),
        prior_complaint="E-mail to support, ticket 4521.", complainant_country="FR", state=state,
        mediator_id=mediator.id if mediator else None, filed_at=(opened_at or clock.utcnow()) - timedelta(days=7),
        opened_at=None if before_opening else opened_at,
        brand_answered_at=(opened_at + timedelta(days=3)) if brand_answered and opened_at and not before_opening
        else None,
        brand_answer="We take part." if brand_answered and not before_opening else None,
    )
    db.session.add(case)
    db.session.flush()
    if declared and mediator is not None:
        declare_for(case)
    db.session.commit()
    return case


@pytest.fixture
def case_scene(make):
    """case_scene(state=CaseState.OPEN, brand_answered=True, collective=False, slug="acme") -> CaseScene."""

    def build(state: CaseState = CaseState.OPEN, brand_answered: bool = True, collective: bool = False,
              slug: str = "acme") -> CaseScene:
        clock.freeze(T0)
        brand = make.brand(slug=slug, name="Acme Bikes")
        staff = make.staff(brand, user=make.user(name="Sam Staff"))
        complainant = make.member(brand, user=make.user(name="Carla Complainant"))
        outsider = make.member(brand, user=make.user(name="Otto Outsider"))
        mediator_user, entry = insert_mediator(make, brand)
        case = insert_case(brand, complainant, entry, state=state, brand_answered=brand_answered,
                           collective=collective)
        joined = None
        if collective:
            joined = make.member(brand, user=make.user(name="Jo Joined"))
            db.session.add(CaseParticipant(case_id=case.id, user_id=joined.id, joined_at=clock.utcnow()))
            db.session.commit()
        return CaseScene(brand, staff, complainant, mediator_user, entry, outsider, case, joined)

    return build


