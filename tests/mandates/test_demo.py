"""The demo: an active mandate with mission orders in each state, a contract waiting for the demo member,
a recognized advocate, and a revoked mandate in the registry's history."""
from __future__ import annotations

from sqlalchemy import func, select

from extensions import db
from institutions.models import Brand, User
from mandates import missions, verification
from mandates.demo import ACTIVE_EMAIL, ADVOCATE_EMAIL, OFFERED_EMAIL, REVOKED_EMAIL
from mandates.models import (
    AdvocacyState,
    AdvocateDeclaration,
    Mandate,
    MandateState,
    MissionOrder,
    OrderState,
    VersionState,
)
from tests.conftest import login


def _load(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result.output


def _person(email):
    return db.session.scalar(select(User).where(User.email == email))


def test_demo_load_is_idempotent_and_tells_the_whole_story(app, ctx, client):
    output = _load(app)
    assert ACTIVE_EMAIL in output and ADVOCATE_EMAIL in output
    counts = (db.session.scalar(select(func.count(Mandate.id))),
              db.session.scalar(select(func.count(MissionOrder.id))),
              db.session.scalar(select(func.count(AdvocateDeclaration.id))))
    _load(app)
    assert counts == (db.session.scalar(select(func.count(Mandate.id))),
                      db.session.scalar(select(func.count(MissionOrder.id))),
                      db.session.scalar(select(func.count(AdvocateDeclaration.id))))

    brand = db.session.scalar(select(Brand).where(Brand.slug == "demo"))
    mandates = {m.ambassador.email: m for m in db.session.scalars(select(Mandate).where(Mandate.brand_id == brand.id))}
    active, revoked, offered = mandates[ACTIVE_EMAIL], mandates[REVOKED_EMAIL], mandates[OFFERED_EMAIL]

    assert active.state is MandateState.ACTIVE and active.version_in_force.state is VersionState.IN_FORCE
    assert len(active.version_in_force.signatures) == 2
    orders = missions.orders_of(active)
    states = {order.state for order in orders}
    assert {OrderState.ISSUED, OrderState.ACCEPTED, OrderState.DECLINED, OrderState.REPORTED,
            OrderState.SENT_BACK, OrderState.APPROVED} <= states
    assert any(missions.is_overdue(order) for order in orders)
    assert any(missions.warning_to_clear(order) for order in orders)

    assert revoked.state is MandateState.REVOKED and revoked.end_effective_on is not None
    assert {order.state for order in missions.orders_of(revoked)} == {OrderState.CANCELLED}

    assert offered.state is MandateState.OFFERED and offered.ambassador.email == OFFERED_EMAIL
    assert offered.versions[-1].state is VersionState.OFFERED and offered.versions[-1].text_sha256

    advocate = db.session.scalar(select(AdvocateDeclaration).where(AdvocateDeclaration.brand_id == brand.id))
    assert advocate.state is AdvocacyState.RECOGNIZED and advocate.user.email == ADVOCATE_EMAIL

    # The public sees the active ambassador, the advocate and the revocation, not the offer.
    registry = client.get("/b/demo/registry").get_data(as_text=True)
    assert active.public_name in registry and revoked.public_name in registry
    assert advocate.public_name in registry and "Revoked by the brand" in registry
    assert offered.public_name not in registry
    assert verification.verify(brand, text=active.version_in_force.text).matched
    assert not verification.verify(brand, text=offered.versions[-1].text).matched
    charter = client.get("/b/demo/charter").get_data(as_text=True)
    assert "1 active ambassador." in charter and "1 recognized advocate." in charter


def test_the_demo_member_can_read_and_sign_the_offered_contract(app, ctx, client):
    _load(app)
    member = _person(OFFERED_EMAIL)
    mandate = db.session.scalar(select(Mandate).where(Mandate.ambassador_id == member.id))
    from mandates import contracts

    contracts.sign(mandate, member, member.display_name, accept=True, ip_address="192.0.2.1", user_agent="pytest")
    db.session.commit()
    assert mandate.state is MandateState.SIGNED
    login(client, member, password="tribune-demo")
    assert client.get(f"/b/demo/mandates/{mandate.id}").status_code == 200
