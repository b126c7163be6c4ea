"""The core's one home for rules every pillar asks: the scoped lookup, telling the staff, JSON fields."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from extensions import db
from institutions.api_support import boolean_field, date_field, integer_field, moment_field, number_field
from institutions.clock import utcnow
from institutions.errors import NotFound, ValidationFailed
from institutions.lookup import get_in_brand
from institutions.models import Membership, Notification, StaffRole
from institutions.notifications import notify_staff


def test_get_in_brand_finds_only_the_brands_own_rows(ctx, make):
    acme, other = make.brand(slug="acme"), make.brand(slug="other")
    member = make.member(acme)
    membership = db.session.scalar(select(Membership).where(Membership.user_id == member.id))
    assert get_in_brand(Membership, membership.id, acme) is membership
    with pytest.raises(NotFound):
        get_in_brand(Membership, membership.id, other)  # another tenant's id is not found
    with pytest.raises(NotFound, match="No such membership"):
        get_in_brand(Membership, membership.id + 1000, acme, message="No such membership")
    for forged in ("1", True, None):
        with pytest.raises(NotFound):
            get_in_brand(Membership, forged, acme)


def test_notify_staff_tells_every_living_staff_member_of_this_brand_only(ctx, make):
    acme, other = make.brand(slug="acme"), make.brand(slug="other")
    alice, bob, gone, elsewhere = make.staff(acme), make.staff(acme), make.staff(acme), make.staff(other)
    gone.deleted_at = utcnow()
    db.session.commit()
    assert notify_staff(acme, "community", "News for the staff", link="/b/acme") == 2
    told = db.session.scalars(select(Notification.user_id).where(Notification.message == "News for the staff")).all()
    assert sorted(told) == sorted([alice.id, bob.id])
    assert elsewhere.id not in told and db.session.scalar(select(StaffRole).where(StaffRole.user_id == gone.id))


def test_moment_field_needs_an_offset():
    assert moment_field({"at": "2027-03-01T09:00:00Z"}, "at") == datetime(2027, 3, 1, 9, tzinfo=timezone.utc)
    assert moment_field({}, "at") is None
    for bad, message in (("2027-03-01T09:00:00", "time zone"), ("soon", "ISO 8601"), (12, "string")):
        with pytest.raises(ValidationFailed, match=message) as refusal:
            moment_field({"at": bad}, "at")
        assert "at" in refusal.value.fields
    with pytest.raises(ValidationFailed, match="required"):
        moment_field({}, "at", required=True)


def test_date_field_reads_a_calendar_date():
    assert date_field({"on": " 2027-03-01 "}, "on") == date(2027, 3, 1)
    assert date_field({"on": ""}, "on") is None
    with pytest.raises(ValidationFailed, match="ISO 8601") as refusal:
        date_field({"on": "01/03/2027"}, "on")
    assert "on" in refusal.value.fields
    with pytest.raises(ValidationFailed, match="required"):
        date_field({"on": " "}, "on", required=True)


def test_number_fields_refuse_booleans_and_strings():
    assert integer_field({"n": 3}, "n") == 3 and integer_field({}, "n", default=7) == 7
    assert integer_field({}, "n") is None
    assert number_field({"x": 0.5}, "x") == 0.5 and number_field({"x": 2}, "x") == 2
    for bad in (True, "3", 2.5):
        with pytest.raises(ValidationFailed, match="whole number"):
            integer_field({"n": bad}, "n")
    for bad in (False, "0.5"):
        with pytest.raises(ValidationFailed, match="must be a number"):
            number_field({"x": bad}, "x")
    with pytest.raises(ValidationFailed, match="required"):
        integer_field({}, "n", required=True)
    with pytest.raises(ValidationFailed, match="required"):
        number_field({}, "x", required=True)


def test_boolean_field_takes_only_true_or_false():
    assert boolean_field({"flag": True}, "flag") is True and boolean_field({}, "flag") is False
    with pytest.raises(ValidationFailed, match="true or false"):
        boolean_field({"flag": "yes"}, "flag")
