"""Mandates after signature: start on the first day, complete after the last, revocation and resignation with notice."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from extensions import db
from institutions import clock
from institutions.errors import DomainError, Forbidden, ValidationFailed
from institutions.models import AuditEvent, Notification, OfficeHolding
from mandates import contracts, ending
from mandates.models import MandateState, MissionOrder, OrderState, VersionState
from tests.conftest import T0
from tests.mandates.contract_fixtures import ENDS, STARTS, complete_clauses


def day(d: date, hour: int = 9) -> datetime:
    return datetime.combine(d, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=hour)


def public_actions(mandate) -> list[str]:
    return db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.subject_type == "Mandate", AuditEvent.subject_id == mandate.id,
        AuditEvent.is_public.is_(True)).order_by(AuditEvent.id)).all()


def test_a_mandate_starts_on_its_first_day_and_completes_after_its_last(ctx, contract_scene):
    scene = contract_scene
    mandate = scene.in_force()
    scene.at(day(STARTS - timedelta(days=1), 23))
    assert mandate.state is MandateState.SCHEDULED
    scene.at(day(STARTS, 0))
    assert mandate.state is MandateState.ACTIVE and mandate.activated_at == day(STARTS, 0)
    holding = db.session.get(OfficeHolding, mandate.holding_id)
    assert holding.term_ends_at == day(ENDS + timedelta(days=1), 0) and holding.ended_at is None
    scene.at(day(ENDS, 23))
    assert mandate.state is MandateState.ACTIVE
    scene.at(day(ENDS + timedelta(days=1), 0))
    assert mandate.state is MandateState.COMPLETED and mandate.ended_at == day(ENDS + timedelta(days=1), 0)
    assert holding.ended_at is not None and holding.end_reason == "mandate completed"
    assert public_actions(mandate) == ["mandate.countersigned", "mandate.activated", "mandate.completed"]
    assert ending.advance_due() == []  # nothing more to do


def test_the_cli_advances_what_is_due(app, ctx, contract_scene):
    mandate = contract_scene.in_force()
    clock.freeze(day(STARTS))
    result = app.test_cli_runner().invoke(args=["mandates", "advance"])
    assert result.exit_code == 0 and "1 mandates moved" in result.output
    db.session.expire_all()
    assert mandate.state is MandateState.ACTIVE


def test_staff_revoke_with_a_reason_respecting_the_notice(ctx, contract_scene, make):
    scene = contract_scene
    mandate = scene.active()
    today = day(STARTS).date()
    order = MissionOrder(mandate_id=mandate.id, title="Video", instructions="Film the kit", due_at=day(ENDS),
                         expected_proof="A link", disclosure_label="#ad", issued_by_id=scene.clerk.id,
                         issued_at=clock.utcnow())
    db.session.add(order)
    db.session.commit()
    with pytest.raises(ValidationFailed) as no_reason:
        ending.revoke(mandate, scene.clerk, " ")
    assert "reason" in no_reason.value.fields
    with pytest.raises(ValidationFailed) as too_soon:
        ending.revoke(mandate, scene.clerk, "Breach of the code of conduct", today + timedelta(days=29))
    assert "effective_on" in too_soon.value.fields and (today + timedelta(days=30)).isoformat() in too_soon.value.message
    with pytest.raises(ValidationFailed) as too_late:
        ending.revoke(mandate, scene.clerk, "Breach", ENDS + timedelta(days=1))
    assert "effective_on" in too_late.value.fields
    for intruder in (make.member(scene.brand), make.staff(make.brand()), scene.ambassador):
        with pytest.raises(Forbidden):
            ending.revoke(mandate, intruder, "No reason")
    ending.revoke(mandate, scene.clerk, "Breach of the code of conduct")
    db.session.commit()
    assert mandate.end_effective_on == today + timedelta(days=30) and mandate.state is MandateState.ACTIVE
    assert mandate.end_reason == "Breach of the code of conduct" and mandate.end_requested_by_id == scene.clerk.id
    assert db.session.scalar(select(Notification).where(Notification.user_id == scene.ambassador.id,
                                                        Notification.message.contains("revoked")))
    with pytest.raises(DomainError):
        ending.revoke(mandate, scene.clerk, "Again")
    with pytest.raises(DomainError):
        ending.resign(mandate, scene.ambassador)
    with pytest.raises(DomainError):  # an ending mandate is not amended
        contracts.amend(mandate, scene.clerk)
    scene.at(day(today + timedelta(days=29), 23))
    assert mandate.state is MandateState.ACTIVE
    scene.at(day(today + timedelta(days=30), 0))
    assert mandate.state is MandateState.REVOKED and mandate.holding.end_reason == "mandate revoked"
    assert order.state is OrderState.CANCELLED
    assert public_actions(mandate)[-2:] == ["mandate.revocation_notified", "mandate.revoked"]


def test_the_ambassador_resigns_with_notice(ctx, contract_scene, make):
    scene = contract_scene
    mandate = scene.active(termination={"notice_days": 15})
    today = day(STARTS).date()
    with pytest.raises(Forbidden):
        ending.resign(mandate, scene.clerk)
    with pytest.raises(Forbidden):
        ending.resign(mandate, make.member(scene.brand))
    with pytest.raises(ValidationFailed):
        ending.resign(mandate, scene.ambassador, effective_on=today + timedelta(days=14))
    ending.resign(mandate, scene.ambassador, "Moving abroad", today + timedelta(days=20))
    db.session.commit()
    assert db.session.scalar(select(Notification).where(Notification.user_id == scene.clerk.id,
                                                        Notification.message.contains("resigned")))
    scene.at(day(today + timedelta(days=20)))
    assert mandate.state is MandateState.RESIGNED and mandate.end_reason == "Moving abroad"
    assert mandate.holding.end_reason == "mandate resigned"


def test_a_zero_notice_ending_takes_effect_at_once(ctx, contract_scene):
    mandate = contract_scene.active(termination={"notice_days": 0})
    ending.resign(mandate, contract_scene.ambassador)
    assert mandate.state is MandateState.RESIGNED and mandate.ended_at == clock.utcnow()


def test_a_scheduled_mandate_revoked_before_its_start_never_becomes_active(ctx, contract_scene):
    scene = contract_scene
    mandate = scene.in_force(termination={"notice_days": 5}, term={"starts_on": "2027-04-01"})
    ending.revoke(mandate, scene.clerk, "Campaign cancelled", T0.date() + timedelta(days=5))
    scene.at(day(T0.date() + timedelta(days=5)))
    assert mandate.state is MandateState.REVOKED and mandate.holding_id is None and mandate.activated_at is None


def test_an_ending_withdraws_an_amendment_waiting_for_signature(ctx, contract_scene):
    scene = contract_scene
    mandate = scene.active(termination={"notice_days": 0})
    contracts.amend(mandate, scene.clerk)
    contracts.update_draft(mandate, scene.clerk, complete_clauses(compensation={"amount": "300"}))
    amendment = contracts.offer(mandate, scene.clerk)
    ending.resign(mandate, scene.ambassador)
    assert amendment.state is VersionState.WITHDRAWN
    with pytest.raises(DomainError):
        scene.sign(mandate)


def test_only_running_mandates_end(ctx, contract_scene):
    mandate = contract_scene.offered()
    with pytest.raises(DomainError):
        ending.revoke(mandate, contract_scene.clerk, "Changed our mind")
