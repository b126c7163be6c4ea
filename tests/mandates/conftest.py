"""Fixtures of the mandates tests.

`active_mandate(brand, ambassador, ...)` inserts an ACTIVE mandate with an in-force contract version
straight through the models, so mission orders and benefits can be tested without the signing path.
`mission_scene()` builds a brand, a staff member, a verified member who is its ambassador, and that mandate.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone

import pytest

from extensions import db
from institutions import clock
from institutions.models import Brand, User
from mandates.models import Mandate, MandateState, MandateVersion, Signature, SigningParty, VersionState
from tests.conftest import T0
from tests.mandates.contract_fixtures import ContractScene
from tests.mandates.registry_fixtures import REGISTRY_TODAY, MandateMaker

MISSION_T0 = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)
MISSION_STARTS = date(2027, 2, 1)
MISSION_ENDS = date(2027, 12, 31)


def insert_active_mandate(brand: Brand, ambassador: User | None, *, label: str | None = "#ad",
                          state: MandateState = MandateState.ACTIVE, starts_on: date = MISSION_STARTS,
                          ends_on: date | None = MISSION_ENDS, clauses: dict | None = None,
                          language: str = "en") -> Mandate:
    """A mandate (ACTIVE by default) whose version 1 is in force, with the disclosure label in its clauses."""
    now = clock.utcnow()
    if clauses is None:
        # In kind without a stated value: any benefit in kind is provided for (mandates.benefits.check_provided_for).
        clauses = ({"disclosure": {"label": label, "employee": False},
                    "compensation": {"kind": "in_kind", "description": "Products to test"}}
                   if label is not None else {})
    text = f"Mission contract between {brand.name} and {ambassador.display_name if ambassador else 'someone'}."
    mandate = Mandate(brand_id=brand.id, ambassador_id=ambassador.id if ambassador else None,
                      public_name=ambassador.display_name if ambassador else "Someone", state=state,
                      created_at=now, starts_on=starts_on, ends_on=ends_on, activated_at=now)
    db.session.add(mandate)
    db.session.flush()
    version = MandateVersion(mandate_id=mandate.id, number=1, state=VersionState.SIGNED, language=language,
                             clauses_json=json.dumps(clauses, sort_keys=True), text=text,
                             text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), created_at=now,
                             offered_at=now)
    db.session.add(version)
    db.session.flush()
    # The database puts a version in force only once both parties signed it (migration 0008).
    for party in SigningParty:
        db.session.add(Signature(version_id=version.id, party=party, user_id=ambassador.id if ambassador else None,
                                 typed_name=mandate.public_name, text_sha256=version.text_sha256, signed_at=now,
                                 ip_address="192.0.2.1", user_agent="pytest"))
    db.session.flush()
    version.state = VersionState.IN_FORCE
    version.in_force_at = now
    db.session.flush()
    mandate.version_in_force_id = version.id
    db.session.commit()
    return mandate


@pytest.fixture
def active_mandate(make):
    """active_mandate(brand, ambassador, label="#ad", state=MandateState.ACTIVE, ...) -> Mandate."""
    return insert_active_mandate


@dataclass
class MissionScene:
    brand: Brand
    staff: User
    ambassador: User
    mandate: Mandate


@pytest.fixture
def mission_scene(make):
    """mission_scene(slug="acme", label="#ad") -> a brand, its staff, its ambassador and their active mandate."""

    def build(slug: str = "acme", label: str | None = "#ad", **mandate_options) -> MissionScene:
        clock.freeze(MISSION_T0)
        brand = make.brand(slug=slug)
        staff = make.staff(brand)
        ambassador = make.member(brand, user=make.user(name=f"Ambassador of {slug}"))
        mandate = insert_active_mandate(brand, ambassador, label=label, **mandate_options)
        return MissionScene(brand, staff, ambassador, mandate)

    return build


@pytest.fixture
def contract_scene(make):
    """A ContractScene at T0 (2027-03-01 09:00 UTC)."""
    brand = make.brand(slug="acme", name="Acme")
    signer = make.staff(brand, user=make.user(name="Sam Signer"), can_sign=True)
    clerk = make.staff(brand, user=make.user(name="Cleo Clerk"), can_sign=False)
    ambassador = make.member(brand, user=make.user(email="elodie@example.test", name="Elodie"))
    clock.freeze(T0)
    return ContractScene(brand, signer, clerk, ambassador)


@pytest.fixture
def registry_clock():
    """The registry tests write absolute dates: their modules use this fixture to run on REGISTRY_TODAY."""
    clock.freeze(REGISTRY_TODAY)
    yield
    clock.freeze(None)


@pytest.fixture
def make_mandate(make):
    """make_mandate(brand, MandateState.ACTIVE, public_name=..., clauses=...)."""
    return MandateMaker(make)
