"""Fixtures of the representation tests: a brand with staff, a sitting president and verified members."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from extensions import db
from institutions import charter, clock
from institutions.models import Brand, OfficeKind, User
from tests.conftest import T0


@dataclass
class RepresentationScene:
    brand: Brand
    staff: User
    president: User
    members: list[User]


def build_scene(make, slug: str = "acme") -> RepresentationScene:
    """A brand with a staff member, a verified member elected president now, and three verified members."""
    clock.freeze(T0)
    brand = make.brand(slug=slug, name="Acme")
    staff = make.staff(brand, make.user(name="Sam Staff"))
    president = make.member(brand, make.user(name="Pia President"))
    charter.install_holder(brand, OfficeKind.PRESIDENT, president, source="election:1",
                           term_ends_at=T0 + timedelta(days=730))
    db.session.commit()
    members = [make.member(brand, make.user(name=f"Member {n}")) for n in range(3)]
    return RepresentationScene(brand=brand, staff=staff, president=president, members=members)


@pytest.fixture
def scene(make):
    """A RepresentationScene at T0 (the clock is frozen there)."""
    return build_scene(make)
