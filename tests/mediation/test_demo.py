"""The demo: the demo mediator sits on the demo panel (one charter holding), a case in each state, a representation
answered and one pending; loading it again changes nothing; the audit chain verifies."""
from __future__ import annotations

from sqlalchemy import func, select

from extensions import db
from institutions import charter
from institutions.representations import service as representations
from mediation import outcome, report, roster
from institutions.representations.models import Representation, RepresentationState
from mediation.models import CaseState, MediationCase, PanelSeat
from institutions.models import Brand, OfficeHolding, OfficeKind, User
from tests.conftest import login


def _load(app) -> str:
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result.output


def _counts() -> tuple:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (MediationCase, Representation, PanelSeat, OfficeHolding))


def test_demo_load_is_idempotent_and_shows_every_state(app, ctx, client):
    _load(app)
    counts = _counts()
    _load(app)
    assert _counts() == counts

    brand = db.session.scalar(select(Brand).where(Brand.slug == "demo"))
    mediator_user = db.session.scalar(select(User).where(User.email == "mediator@tribune.test"))
    mediator = roster.active_mediator_of(mediator_user)
    assert [seat.mediator for seat in roster.panel_of(brand)] == [mediator]
    office = charter.office_of(brand, OfficeKind.MEDIATOR)
    holdings = [h for h in office.holdings if h.user_id == mediator_user.id]
    assert len(holdings) == 1 and roster.seat_of(mediator, brand).holding_id == holdings[0].id

    cases = db.session.scalars(select(MediationCase).where(MediationCase.brand_id == brand.id)).all()
    assert {case.state for case in cases} == set(CaseState)
    assert all(case.mediator_id == mediator.id for case in cases)
    assert all(case.events for case in cases)  # every case has its timeline
    proposal = next(case for case in cases if case.state is CaseState.PROPOSAL)
    assert proposal.complainant.email == "member@tribune.test"

    reps = {r.title: r for r in db.session.scalars(select(Representation).where(Representation.brand_id == brand.id))}
    answered = next(r for r in reps.values() if r.state is RepresentationState.ANSWERED)
    pending = next(r for r in reps.values() if r.state is not RepresentationState.ANSWERED)
    assert not representations.answered_late(answered) and not representations.is_overdue(pending)
    assert answered.cosignatures and pending.cosignatures
    assert answered.holding_id == charter.sitting_president(brand).id

    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output

    year = max(case.filed_at for case in cases).year
    figures = report.annual_report(brand, year)
    assert figures.received >= 1
    # the year's report is a draft until the panel publishes it: the public does not see it, the mediator does
    assert client.get(f"/b/demo/mediation/report/{year}").status_code == 404
    login(client, "mediator@tribune.test", password="tribune-demo")
    assert client.get(f"/b/demo/mediation/report/{year}").status_code == 200
    client.post("/logout")
    panel = client.get("/b/demo/mediation/").text
    assert mediator.name in panel and "médiation de la consommation (demo)" in panel
    listing = client.get("/b/demo/representations").text
    assert answered.title in listing and pending.title in listing


def test_the_demo_member_can_answer_the_proposal_and_staff_the_pending_representation(app, ctx, client):
    _load(app)
    login(client, "member@tribune.test", password="tribune-demo")
    case = db.session.scalar(select(MediationCase).where(MediationCase.state == CaseState.PROPOSAL))
    member = db.session.scalar(select(User).where(User.email == "member@tribune.test"))
    assert outcome.answering_side(member, case) == "complainant"
    pending = db.session.scalar(select(Representation).where(Representation.state != RepresentationState.ANSWERED))
    assert "Co-sign this representation" in client.get(f"/b/demo/representations/{pending.id}").text
    login(client, "staff@tribune.test", password="tribune-demo")
    page = client.get(f"/b/demo/representations/{pending.id}").text
    assert "Acknowledge receipt" in page and "Publish the answer" in page
