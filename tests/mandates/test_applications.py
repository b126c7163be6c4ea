"""Applications to become an ambassador: apply, one pending at a time, accept (a draft mandate), decline, withdraw."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from extensions import db
from institutions.errors import DomainError, Forbidden, ValidationFailed
from institutions.models import AuditEvent, MembershipStatus, Notification
from mandates import applications
from mandates.models import ApplicationState, MandateState
from tests.mandates.conftest import insert_active_mandate

TEXTS = dict(motivation="I repair everything with your kits.", channels="YouTube (12k), Instagram",
             audience="DIY enthusiasts in France")


@pytest.fixture
def scene(make):
    brand = make.brand(slug="acme")
    return brand, make.staff(brand), make.member(brand, user=make.user(name="Alice Applicant"))


def _apply(brand, user, **overrides):
    application = applications.apply(brand, user, **{**TEXTS, **overrides})
    db.session.commit()
    return application


def _notes(user) -> list[str]:
    return db.session.scalars(select(Notification.message).where(Notification.user_id == user.id)).all()


def test_a_verified_member_applies_and_staff_are_told(ctx, scene):
    brand, staff, alice = scene
    application = _apply(brand, alice)
    assert application.state is ApplicationState.PENDING and application.applicant_name == "Alice Applicant"
    assert application.channels == TEXTS["channels"]
    assert any("applies to become an ambassador" in note for note in _notes(staff))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "ambassador.applied"))
    assert event is not None and not event.is_public and "Alice" not in event.payload


def test_only_verified_members_apply(ctx, scene, make):
    brand, staff, _alice = scene
    pending = make.member(brand, status=MembershipStatus.PENDING)
    outsider = make.user()
    other_brand = make.brand(slug="other")
    member_elsewhere = make.member(other_brand)
    for person in (pending, outsider, staff, member_elsewhere):
        with pytest.raises(Forbidden, match="verified members"):
            applications.apply(brand, person, **TEXTS)


@pytest.mark.parametrize("field", ["motivation", "channels", "audience"])
def test_each_text_is_required_and_bounded(ctx, scene, field):
    brand, _staff, alice = scene
    with pytest.raises(ValidationFailed) as empty:
        applications.apply(brand, alice, **{**TEXTS, field: "   "})
    assert field in empty.value.fields
    with pytest.raises(ValidationFailed) as long:
        applications.apply(brand, alice, **{**TEXTS, field: "x" * 4001})
    assert field in long.value.fields


def test_one_pending_application_per_person_per_brand(ctx, scene, make):
    brand, staff, alice = scene
    first = _apply(brand, alice)
    with pytest.raises(DomainError, match="already have an application waiting"):
        applications.apply(brand, alice, **TEXTS)
    db.session.rollback()
    # Another brand is another community: applying there is independent.
    other = make.brand(slug="other")
    make.member(other, user=alice)
    assert _apply(other, alice).state is ApplicationState.PENDING
    # Once withdrawn, the person may apply again.
    applications.withdraw(first, alice)
    db.session.commit()
    assert _apply(brand, alice).state is ApplicationState.PENDING


def test_someone_with_a_mandate_under_way_cannot_apply(ctx, scene):
    brand, _staff, alice = scene
    insert_active_mandate(brand, alice)
    with pytest.raises(DomainError, match="already have a mandate"):
        applications.apply(brand, alice, **TEXTS)


def test_accepting_starts_a_draft_mandate_and_links_it(ctx, scene):
    brand, staff, alice = scene
    application = _apply(brand, alice)
    mandate = applications.accept(application, staff)
    db.session.commit()
    assert application.state is ApplicationState.ACCEPTED and application.mandate_id == mandate.id
    assert application.decided_by_id == staff.id and application.decided_at is not None
    assert mandate.state is MandateState.DRAFT and mandate.ambassador_id == alice.id
    assert mandate.public_name == "Alice Applicant" and mandate.brand_id == brand.id
    assert any("is accepted" in note for note in _notes(alice))
    with pytest.raises(DomainError, match="already been answered"):
        applications.accept(application, staff)
    with pytest.raises(DomainError, match="already have a mandate"):  # the draft is under way
        applications.apply(brand, alice, **TEXTS)


def test_a_member_acting_as_staff_and_staff_of_another_brand_cannot_answer(ctx, scene, make):
    brand, _staff, alice = scene
    application = _apply(brand, alice)
    other = make.brand(slug="other")
    foreign_staff = make.staff(other)
    member = make.member(brand)
    for intruder in (member, alice, foreign_staff):
        with pytest.raises(Forbidden):
            applications.accept(application, intruder)
        with pytest.raises(Forbidden):
            applications.decline(application, intruder, "no")
    assert application.state is ApplicationState.PENDING and application.mandate_id is None


def test_declining_needs_a_reason_the_applicant_reads(ctx, scene):
    brand, staff, alice = scene
    application = _apply(brand, alice)
    with pytest.raises(ValidationFailed) as empty:
        applications.decline(application, staff, " ")
    assert "reason" in empty.value.fields
    applications.decline(application, staff, "We look for ambassadors in Belgium this year.")
    db.session.commit()
    assert application.state is ApplicationState.DECLINED
    assert application.decline_reason == "We look for ambassadors in Belgium this year."
    assert any("Belgium" in note for note in _notes(alice))
    with pytest.raises(DomainError):
        applications.accept(application, staff)
    with pytest.raises(DomainError):
        applications.withdraw(application, alice)


def test_only_the_applicant_withdraws_and_only_while_pending(ctx, scene, make):
    brand, staff, alice = scene
    application = _apply(brand, alice)
    with pytest.raises(Forbidden):
        applications.withdraw(application, make.member(brand))
    with pytest.raises(Forbidden):
        applications.withdraw(application, staff)
    applications.withdraw(application, alice)
    db.session.commit()
    assert application.state is ApplicationState.WITHDRAWN
    assert any("withdrew their application" in note for note in _notes(staff))
    with pytest.raises(DomainError):
        applications.withdraw(application, alice)
    with pytest.raises(DomainError):
        applications.accept(application, staff)


def test_the_queue_shows_pending_first_and_applications_stay_in_their_brand(ctx, scene, make):
    brand, staff, alice = scene
    declined = _apply(brand, alice)
    applications.decline(declined, staff, "Not now")
    db.session.commit()
    bob = make.member(brand, user=make.user(name="Bob"))
    pending = _apply(brand, bob)
    queue = db.session.scalars(applications.applications_query(brand)).all()
    assert queue == [pending, declined]
    assert db.session.scalars(applications.applications_query(brand, ApplicationState.DECLINED)).all() == [declined]
    other = make.brand(slug="other")
    with pytest.raises(DomainError):
        applications.application_in_brand(other, pending.id)
    assert applications.applications_of(alice, brand) == [declined]


def test_the_applicant_exports_and_erases_their_application(ctx, scene):
    from institutions import privacy
    from tests.conftest import PASSWORD

    brand, staff, alice = scene
    application = _apply(brand, alice)
    exported = privacy.export_user_data(alice)["ambassador_applications"]
    assert exported[0]["motivation"] == TEXTS["motivation"] and exported[0]["state"] == "pending"
    privacy.delete_account(alice, PASSWORD)
    db.session.commit()
    assert application.state is ApplicationState.WITHDRAWN and application.motivation == ""
    assert application.applicant_name == alice.pseudonym


def test_accepting_is_refused_when_a_mandate_is_already_under_way(ctx, scene):
    brand, staff, alice = scene
    application = _apply(brand, alice)
    insert_active_mandate(brand, alice)  # staff started one directly meanwhile
    with pytest.raises(DomainError, match="already has a mandate"):
        applications.accept(application, staff)
