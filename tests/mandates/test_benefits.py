"""Benefits: only under an active mandate, amounts in minor units, ISO currencies, dates, yearly totals."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from institutions.errors import DomainError, Forbidden, ValidationFailed
from institutions.models import AuditEvent
from mandates import advocates, benefits, contracts
from mandates.models import MandateState
from tests.mandates.conftest import MISSION_STARTS, MISSION_T0

TODAY = MISSION_T0.date()


def _record(scene, **overrides):
    values = dict(kind="in_kind", description="Repair kit XL", value="49.90", currency="EUR", given_on=TODAY)
    values.update(overrides)
    benefit = benefits.record_benefit(scene.mandate, scene.staff, **values)
    db.session.commit()
    return benefit


@pytest.mark.parametrize(("raw", "currency", "minor"), [
    ("49.90", "EUR", 4990), ("49,9", "EUR", 4990), ("1 250", "EUR", 125000), ("1\u202f250,50", "EUR", 125050),
    ("0.01", "EUR", 1), (12, "USD", 1200), (12.5, "USD", 1250), (Decimal("3.10"), "GBP", 310),
    ("1000", "JPY", 1000), ("1.234", "BHD", 1234), ("7.50", "EUR", 750), ("7.500", "EUR", 750),
])
def test_amounts_become_minor_units(raw, currency, minor):
    assert benefits.parse_amount(raw, currency) == minor


@pytest.mark.parametrize(("raw", "currency", "message"), [
    ("0", "EUR", "more than zero"), ("0.00", "EUR", "more than zero"), ("-5", "EUR", "more than zero"),
    (-5, "EUR", "more than zero"), ("abc", "EUR", "positive amount"), ("1.2.3", "EUR", "positive amount"),
    ("", "EUR", "positive amount"), ("1e5", "EUR", "positive amount"), ("€12", "EUR", "positive amount"),
    (True, "EUR", "positive amount"), (None, "EUR", "positive amount"), ([1], "EUR", "positive amount"),
    ("12.345", "EUR", "at most 2 decimal"), ("10.5", "JPY", "at most 0 decimal"),
    ("9" * 16, "EUR", "positive amount"), ("999999999999999", "EUR", "too large"),
])
def test_zero_negative_and_garbage_amounts_are_refused(raw, currency, message):
    with pytest.raises(ValidationFailed, match=message) as refused:
        benefits.parse_amount(raw, currency)
    assert "value" in refused.value.fields


def test_currencies_are_iso_4217_codes():
    assert benefits.currency_code(" eur ") == "EUR"
    for bad in ("EU", "EURO", "ZZZ", "", None, "€", "12E"):
        with pytest.raises(ValidationFailed) as refused:
            benefits.currency_code(bad)
        assert "currency" in refused.value.fields


def test_staff_record_a_benefit_under_an_active_mandate(ctx, mission_scene):
    scene = mission_scene()
    benefit = _record(scene)
    assert benefit.value_minor == 4990 and benefit.currency == "EUR" and benefit.given_on == TODAY
    assert benefit.kind.value == "in_kind" and benefit.recorded_by_id == scene.staff.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "benefit.recorded"))
    assert event is not None and '"value_minor":4990' in event.payload
    assert benefits.benefits_of(scene.mandate) == [benefit]


def test_a_benefit_for_a_non_ambassador_is_refused(ctx, mission_scene, active_mandate, make):
    scene = mission_scene()
    # An advocate with a draft mandate (not signed yet) is not an ambassador.
    advocate = make.member(scene.brand)
    declaration = advocates.declare(scene.brand, advocate, defends="brand", statement="I love this brand.")
    advocates.recognize(declaration, scene.staff)
    draft = contracts.start_mandate(scene.brand, scene.staff, ambassador=advocate)
    db.session.commit()
    for mandate in (draft, *(active_mandate(scene.brand, make.member(scene.brand), state=state)
                             for state in (MandateState.OFFERED, MandateState.SIGNED, MandateState.SCHEDULED,
                                           MandateState.REVOKED, MandateState.COMPLETED, MandateState.RESIGNED,
                                           MandateState.DECLINED))):
        with pytest.raises(DomainError, match="making them an ambassador first") as refused:
            benefits.record_benefit(mandate, scene.staff, kind="money", description="Gift card", value="20",
                                    currency="EUR", given_on=TODAY)
        assert refused.value.status == 409
        db.session.rollback()
    assert benefits.benefits_of(draft) == []


def test_a_member_acting_as_staff_and_staff_of_another_brand_cannot_record(ctx, mission_scene):
    scene = mission_scene()
    other = mission_scene(slug="other")
    for intruder in (scene.ambassador, other.staff, other.ambassador):
        with pytest.raises(Forbidden):
            benefits.record_benefit(scene.mandate, intruder, kind="money", description="Fee", value="100",
                                    currency="EUR", given_on=TODAY)


def test_bad_fields_are_refused_by_name(ctx, mission_scene):
    scene = mission_scene()
    cases = [
        (dict(kind="crypto"), "kind"),
        (dict(description="  "), "description"),
        (dict(description="x" * 501), "description"),
        (dict(currency="EURO"), "currency"),
        (dict(value="-3"), "value"),
        (dict(given_on=None), "given_on"),
        (dict(given_on=TODAY + timedelta(days=1)), "given_on"),
        (dict(given_on=MISSION_STARTS - timedelta(days=1)), "given_on"),
    ]
    for overrides, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            _record(scene, **overrides)
        assert field in refused.value.fields, overrides
        db.session.rollback()
    assert _record(scene, given_on=MISSION_STARTS).given_on == MISSION_STARTS


def test_yearly_totals_per_currency(ctx, mission_scene):
    scene = mission_scene(starts_on=date(2025, 6, 1))
    _record(scene, value="100", given_on=date(2026, 3, 1), kind="money")
    _record(scene, value="50.50", given_on=date(2026, 11, 30))
    _record(scene, value="20", currency="USD", given_on=date(2026, 5, 1))
    _record(scene, value="10", given_on=date(2027, 1, 2))
    _record(scene, value="1000", currency="JPY", given_on=date(2027, 2, 2))
    totals = [(t.year, t.currency, t.total_minor) for t in benefits.yearly_totals(scene.mandate)]
    assert totals == [(2027, "EUR", 1000), (2027, "JPY", 1000), (2026, "EUR", 15050), (2026, "USD", 2000)]
    assert benefits.format_minor(15050, "EUR") == "€150.50"
    assert benefits.format_minor(1000, "JPY") == "¥1,000"
