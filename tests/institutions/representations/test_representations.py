"""Representations: only the sitting president files, members co-sign once, staff acknowledge and answer within
the charter's deadline, and an unanswered representation becomes overdue when the clock passes its due date."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from institutions import charter, clock
from institutions.representations import service as representations
from institutions.representations.models import RepresentationState
from institutions.dashboard import dashboard_items
from institutions.errors import DomainError, Forbidden, ValidationFailed
from institutions.models import AuditEvent, MembershipStatus, Notification, OfficeKind
from institutions.privacy import delete_account, export_user_data
from tests.conftest import T0
from tests.conftest import PASSWORD


def _file(scene, **given):
    representation = representations.file(scene.brand, scene.president, title=given.get("title", "Repair prices"),
                                          body=given.get("body", "Publish the prices of repairs."))
    db.session.commit()
    return representation


def test_only_the_sitting_president_files(ctx, make, scene):
    for person in (scene.members[0], scene.staff, make.user()):
        with pytest.raises(Forbidden):
            representations.file(scene.brand, person, title="T", body="B")
    with pytest.raises(ValidationFailed) as refused:
        representations.file(scene.brand, scene.president, title="  ", body="B")
    assert "title" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        representations.file(scene.brand, scene.president, title="T", body="x" * (representations.MAX_BODY + 1))
    assert "body" in refused.value.fields

    representation = _file(scene)
    assert representation.state is RepresentationState.FILED and representation.author_name == "Pia President"
    assert representation.response_days == 30 and representations.due_at(representation) == T0 + timedelta(days=30)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "representation.filed"))
    assert event.is_public
    # The staff are told.
    assert db.session.scalar(select(Notification).where(Notification.user_id == scene.staff.id)) is not None

    # Once the term has ended, the former president files nothing.
    holding = charter.sitting_president(scene.brand)
    charter.end_holding(holding, "recalled")
    db.session.commit()
    with pytest.raises(Forbidden):
        representations.file(scene.brand, scene.president, title="T", body="B")
    assert not representations.can_file_representation(scene.president, scene.brand)


def test_the_charter_sets_the_deadline_and_a_change_never_moves_a_running_one(ctx, scene):
    first = _file(scene)
    office = charter.office_of(scene.brand, OfficeKind.PRESIDENT)
    with pytest.raises(ValidationFailed) as refused:
        charter.update_office_texts(office, scene.staff, {}, 24, representation_response_days=0)
    assert "representation_response_days" in refused.value.fields
    db.session.rollback()
    charter.update_office_texts(office, scene.staff, {}, 24, representation_response_days=10)
    db.session.commit()
    second = _file(scene, title="Opening hours")
    assert second.response_days == 10 and representations.due_at(second) == T0 + timedelta(days=10)
    assert representations.due_at(first) == T0 + timedelta(days=30)


def test_members_co_sign_once(ctx, make, scene):
    representation = _file(scene)
    alice, bob = scene.members[:2]
    representations.cosign(representation, alice)
    db.session.commit()
    with pytest.raises(DomainError) as twice:
        representations.cosign(representation, alice)
    assert twice.value.status == 409
    db.session.rollback()
    with pytest.raises(DomainError):  # the author already speaks in it
        representations.cosign(representation, scene.president)
    for outsider in (scene.staff, make.member(scene.brand, status=MembershipStatus.PENDING), make.user()):
        with pytest.raises(Forbidden):
            representations.cosign(representation, outsider)
    other_brand = make.brand(slug="other")
    with pytest.raises(Forbidden):  # a member of another community
        representations.cosign(representation, make.member(other_brand))
    representations.cosign(representation, bob)
    db.session.commit()
    assert representations.cosignature_counts([representation]) == {representation.id: 2}
    assert representations.cosigners(representation) == [alice.display_name, bob.display_name]
    assert representations.has_cosigned(alice, representation)
    assert not representations.can_cosign_representation(alice, representation)
    assert representations.can_cosign_representation(scene.members[2], representation)


def test_staff_acknowledge_and_answer_with_reasons(ctx, scene):
    representation = _file(scene)
    alice = scene.members[0]
    representations.cosign(representation, alice)
    db.session.commit()
    with pytest.raises(Forbidden):
        representations.acknowledge(representation, scene.president)
    with pytest.raises(Forbidden):
        representations.answer(representation, alice, decision="accepted", reasons="Yes")
    clock.freeze(T0 + timedelta(days=2))
    representations.acknowledge(representation, scene.staff)
    db.session.commit()
    assert representation.state is RepresentationState.ACKNOWLEDGED
    assert representation.acknowledged_at == T0 + timedelta(days=2)
    assert representations.due_at(representation) == T0 + timedelta(days=30)  # acknowledging moves nothing
    with pytest.raises(DomainError):
        representations.acknowledge(representation, scene.staff)
    db.session.rollback()

    with pytest.raises(ValidationFailed) as refused:
        representations.answer(representation, scene.staff, decision="maybe", reasons="Hmm")
    assert "answer" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        representations.answer(representation, scene.staff, decision="declined", reasons=" ")
    assert "reasons" in refused.value.fields
    db.session.rollback()
    clock.freeze(T0 + timedelta(days=9))
    representations.answer(representation, scene.staff, decision="partly_accepted",
                           reasons="Prices go online; opening hours stay.")
    db.session.commit()
    assert representation.state is RepresentationState.ANSWERED and representation.answer == "partly_accepted"
    assert not representations.answered_late(representation) and not representations.is_overdue(representation)
    told = {n.user_id for n in db.session.scalars(select(Notification).where(
        Notification.message.contains("answered the representation")))}
    assert told == {scene.president.id, alice.id}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "representation.answered"))
    assert event.is_public and '"late":false' in event.payload
    with pytest.raises(DomainError):
        representations.answer(representation, scene.staff, decision="accepted", reasons="Again")
    db.session.rollback()
    with pytest.raises(DomainError):  # answered: nothing left to co-sign
        representations.cosign(representation, scene.members[1])


def test_answering_without_acknowledging_first_acknowledges(ctx, scene):
    representation = _file(scene)
    representations.answer(representation, scene.staff, decision="declined", reasons="Not possible this year.")
    db.session.commit()
    assert representation.acknowledged_at == representation.answered_at == T0


def test_a_representation_is_overdue_once_the_clock_passes_its_due_date(ctx, scene):
    representation = _file(scene)
    representations.acknowledge(representation, scene.staff)
    db.session.commit()
    due = T0 + timedelta(days=30)
    clock.freeze(due - timedelta(minutes=1))
    assert not representations.is_overdue(representation)
    assert [item.count for item in dashboard_items(scene.brand) if "representation" in item.label] == [1]
    clock.freeze(due + timedelta(minutes=1))
    assert representations.is_overdue(representation)
    labels = [(item.count, item.label) for item in dashboard_items(scene.brand) if "representation" in item.label]
    assert labels == [(1, "1 representation of the president is overdue"),
                      (1, "1 representation of the president waits for the brand's answer")]
    assert representations.summary(scene.brand).overdue == 1

    clock.freeze(due + timedelta(days=3))
    representations.answer(representation, scene.staff, decision="accepted", reasons="Done, late.")
    db.session.commit()
    assert not representations.is_overdue(representation) and representations.answered_late(representation)
    summary = representations.summary(scene.brand)
    assert (summary.filed, summary.answered, summary.answered_in_time, summary.waiting, summary.overdue) == \
        (1, 1, 0, 0, 0)


def test_waiting_list_puts_the_nearest_due_date_first(ctx, scene):
    older = _file(scene, title="Older")
    office = charter.office_of(scene.brand, OfficeKind.PRESIDENT)
    charter.update_office_texts(office, scene.staff, {}, 24, representation_response_days=5)
    clock.freeze(T0 + timedelta(days=1))
    newer_but_sooner = _file(scene, title="Sooner")
    assert representations.waiting_for_answer(scene.brand) == [newer_but_sooner, older]


def test_export_and_erasure_keep_the_public_record_under_a_pseudonym(ctx, scene):
    representation = _file(scene)
    representations.cosign(representation, scene.members[0])
    db.session.commit()
    exported = export_user_data(scene.president)["representations"]
    assert exported["filed"][0]["title"] == "Repair prices"
    assert export_user_data(scene.members[0])["representations"]["cosigned"][0]["id"] == representation.id
    delete_account(scene.president, PASSWORD)
    db.session.commit()
    assert representation.author_name == scene.president.pseudonym
