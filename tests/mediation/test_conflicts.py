"""Conflicts of interest: every tie to the brand (a mandate, an advocacy, the presidency, a benefit) keeps a mediator
off its panel and its cases, at appointment, assignment, reassignment, and whenever the tie appears."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from extensions import db
from institutions import charter, clock
from institutions.errors import DomainError
from institutions.models import OfficeKind
from mandates import advocates, contracts
from mandates.models import AdvocacyState, AdvocateDeclaration, Benefit, BenefitKind, Mandate, MandateState
from mediation import admissibility, roster
from mediation.models import CaseState
from mediation.timeline import visible_events
from tests.conftest import T0
from tests.mandates.contract_fixtures import complete_clauses
from tests.mediation.filing_fixtures import add_to_roster, file_case, notes_of

YEAR = timedelta(days=365)


def insert_active_mandate(brand, user, *, state=MandateState.ACTIVE, starts_on=date(2027, 2, 1),
                          ends_on=date(2027, 12, 31)) -> Mandate:
    """A mandate row in this state (its contract versions do not matter to a tie), with no role change announced."""
    mandate = Mandate(brand_id=brand.id, ambassador_id=user.id if user else None,
                      public_name=user.display_name if user else "Someone", state=state, created_at=T0,
                      starts_on=starts_on, ends_on=ends_on)
    db.session.add(mandate)
    db.session.commit()
    return mandate


def _offered(brand, user):
    insert_active_mandate(brand, user, state=MandateState.OFFERED)


def _active(brand, user):
    insert_active_mandate(brand, user)


def _invited_at_their_address(brand, user):
    mandate = insert_active_mandate(brand, None, state=MandateState.SIGNED)
    mandate.invited_email = user.email.upper()
    db.session.commit()


def _advocacy(state):
    def declare(brand, user):
        db.session.add(AdvocateDeclaration(brand_id=brand.id, user_id=user.id, public_name=user.display_name,
                                           defends="brand", statement="I love them.", state=state))
        db.session.commit()

    return declare


def _presidency(brand, user):
    charter.install_holder(brand, OfficeKind.PRESIDENT, user, source="election")
    db.session.commit()


def _benefit_under_a_mandate_ended_last_year(brand, user):
    mandate = insert_active_mandate(brand, user, state=MandateState.REVOKED, starts_on=date(2025, 1, 1),
                                    ends_on=date(2026, 3, 1))
    mandate.ended_at = T0 - YEAR
    db.session.add(Benefit(mandate_id=mandate.id, kind=BenefitKind.IN_KIND, description="A bike", value_minor=90000,
                           currency="EUR", given_on=date(2026, 2, 1)))
    db.session.commit()


TIES = {
    "offered mandate": (_offered, "an ambassador mandate (offered, signed or in force)"),
    "active mandate": (_active, "an ambassador mandate (offered, signed or in force)"),
    "mandate invited at the address": (_invited_at_their_address, "an ambassador mandate (offered"),
    "recognized advocacy": (_advocacy(AdvocacyState.RECOGNIZED), "a recognized advocacy"),
    "own advocacy declaration": (_advocacy(AdvocacyState.PENDING), "a declaration as advocate, waiting for the "
                                                                   "brand's answer"),
    "sitting presidency": (_presidency, "the sitting customer presidency"),
    "benefit received": (_benefit_under_a_mandate_ended_last_year, "a benefit received from the brand (the last on "
                                                                   "2026-02-01)"),
}


@pytest.fixture(params=list(TIES))
def tie(request):
    """(make_tie(brand, user), words the reason carries), for each tie to a brand."""
    return TIES[request.param]


def test_a_tied_mediator_cannot_be_appointed_to_the_panel(ctx, panel, make, tie):
    scene = panel(mediators=0)
    user, entry = add_to_roster(make, scene.admin, "Tia Tied")
    make_tie, words = tie
    make_tie(scene.brand, user)
    with pytest.raises(DomainError, match="Tia Tied is tied to Acme Bikes") as refused:
        roster.appoint(entry, scene.brand, scene.admin)
    assert words in refused.value.message and "conflict of interest" in refused.value.message
    db.session.rollback()
    other = make.brand(slug="other", name="Other Co")
    roster.appoint(entry, other, scene.admin)  # a tie to one brand is no conflict with another
    db.session.commit()


def test_a_tied_mediator_is_never_assigned(ctx, panel, make, tie):
    scene = panel(mediators=2)
    maya, noor = scene.entries
    make_tie, _words = tie
    make_tie(scene.brand, scene.mediators[0])
    # Maya has no case and would come first: her tie sends every case to Noor.
    for _ in range(2):
        assert file_case(scene, make.member(scene.brand)).mediator is noor
    assert roster.seat_conflicts(roster.panel_of(scene.brand)) == {roster.seat_of(maya, scene.brand).id}


def test_with_only_tied_mediators_the_case_waits_and_the_admin_is_told(ctx, panel, make):
    scene = panel(mediators=1)
    _presidency(scene.brand, scene.mediators[0])
    case = file_case(scene, make.member(scene.brand))
    assert case.mediator_id is None
    assert any("waits for a mediator" in note for note in notes_of(scene.admin))


def test_past_ties_count_for_three_years_only(ctx, panel, make):
    scene = panel(mediators=1)
    maya = scene.entries[0]
    mandate = insert_active_mandate(scene.brand, scene.mediators[0], state=MandateState.COMPLETED,
                                    starts_on=date(2022, 1, 1), ends_on=date(2023, 12, 31))
    mandate.ended_at = T0 - 3 * YEAR + timedelta(days=2)
    db.session.commit()
    assert "ended less than three years ago" in roster.conflict_reason(maya, scene.brand)
    mandate.ended_at = T0 - 3 * YEAR - timedelta(days=2)
    db.session.commit()
    assert roster.conflict_reason(maya, scene.brand) is None
    # A draft is the brand's alone; a declined offer or a decided-against advocacy ties nobody.
    for state in (MandateState.DRAFT, MandateState.DECLINED):
        insert_active_mandate(scene.brand, scene.mediators[0], state=state)
    for state in (AdvocacyState.DECLINED, AdvocacyState.WITHDRAWN, AdvocacyState.RETRACTED):
        _advocacy(state)(scene.brand, scene.mediators[0])
    assert roster.conflict_reason(maya, scene.brand) is None


def _case_with_maya(scene, make):
    case = file_case(scene, make.member(scene.brand, user=make.user(name="Carla Complainant")))
    assert case.mediator is scene.entries[0]
    return case


def _assert_moved_to_noor(scene, case, why: str):
    db.session.expire_all()
    maya, noor = scene.entries
    assert case.mediator is noor
    events = visible_events(case, "complainant")
    assert events[-1].kind == "reassigned" and "conflict of interest" in events[-1].note
    assert why not in events[-1].note  # the parties learn there is a conflict, not the mediator's private ties
    told = notes_of(scene.admin)[-1]
    assert told.startswith("Maya Mediator is tied to Acme Bikes") and why in told and f"#{case.id}" in told
    assert any("no longer assigned to you" in note for note in notes_of(scene.mediators[0]))


def test_an_offered_mandate_moves_the_mediators_cases_at_once(ctx, panel, make):
    scene = panel(mediators=2)
    case = _case_with_maya(scene, make)
    mandate = contracts.start_mandate(scene.brand, scene.staff, ambassador=scene.mediators[0])
    contracts.update_draft(mandate, scene.staff, complete_clauses())
    db.session.commit()
    assert case.mediator is scene.entries[0]  # a draft is not a tie yet
    contracts.offer(mandate, scene.staff)
    db.session.commit()
    _assert_moved_to_noor(scene, case, "ambassador mandate")
    # Noor takes over a case still waiting for its admissibility decision: that is the act she is told of.
    takeover = notes_of(scene.mediators[1])[-1]
    due = (case.filed_at + timedelta(days=21)).strftime("%-d %B at %H:%M")
    assert takeover.startswith(f"You take over case #{case.id} against Acme Bikes: decide on its admissibility "
                               f"(incomplete, refused or opened) by {due} (in ")


def test_a_recognized_advocacy_moves_the_mediators_cases(ctx, panel, make):
    scene = panel(mediators=2)
    case = _case_with_maya(scene, make)
    make.member(scene.brand, user=scene.mediators[0])
    declaration = advocates.declare(scene.brand, scene.mediators[0], defends="customers", statement="I help them.")
    db.session.commit()
    advocates.recognize(declaration, scene.staff)
    db.session.commit()
    _assert_moved_to_noor(scene, case, "a recognized advocacy")


def test_taking_the_presidency_moves_the_mediators_open_cases(ctx, panel, make):
    scene = panel(mediators=2)
    case = _case_with_maya(scene, make)
    admissibility.open_case(case, scene.mediators[0])
    db.session.commit()
    _presidency(scene.brand, scene.mediators[0])
    _assert_moved_to_noor(scene, case, "the sitting customer presidency")
    assert notes_of(scene.mediators[1])[-1].startswith(
        f"You take over case #{case.id} against Acme Bikes: the mediation is open: hear the parties and make your "
        f"proposal by ")


def test_advance_catches_a_tie_nobody_announced(app, ctx, panel, make):
    scene = panel(mediators=2)
    case = _case_with_maya(scene, make)
    _active(scene.brand, scene.mediators[0])  # written straight into the table: no role change was announced
    assert case.mediator is scene.entries[0]
    result = app.test_cli_runner().invoke(args=["advance"])
    assert result.exit_code == 0, result.output
    assert "1 cases reassigned for a conflict of interest" in result.output
    _assert_moved_to_noor(scene, case, "ambassador mandate")
    again = app.test_cli_runner().invoke(args=["advance"])
    assert "reassigned for a conflict" not in again.output


def test_an_objection_cannot_keep_a_tied_mediator(ctx, panel, make):
    scene = panel(mediators=2)
    case = _case_with_maya(scene, make)
    objection = admissibility.raise_objection(case, case.complainant, "She is their ambassador.")
    db.session.commit()
    _active(scene.brand, scene.mediators[0])
    with pytest.raises(DomainError, match="tied to Acme Bikes .*Reassign the case"):
        admissibility.decide_objection(objection, scene.admin, "kept", "She is fine.")
    db.session.rollback()
    admissibility.decide_objection(objection, scene.admin, "reassigned", "She is their ambassador.")
    db.session.commit()
    assert case.mediator is scene.entries[1]


def test_a_new_mediator_for_an_incomplete_case_is_told_it_waits_for_the_complainant(ctx, panel, make):
    scene = panel(mediators=2)
    case = _case_with_maya(scene, make)
    admissibility.mark_incomplete(case, scene.mediators[0], "Send the invoice.")
    db.session.commit()
    roster.remove_from_panel(scene.entries[0], scene.brand, scene.admin, "resignation")
    db.session.commit()
    assert case.state is CaseState.INCOMPLETE and case.mediator is scene.entries[1]
    takeover = notes_of(scene.mediators[1])[-1]
    assert "waits for the complainant to complete it" in takeover and " by " not in takeover


def test_the_roster_page_flags_a_tied_seat(ctx, panel, make, client):
    from tests.conftest import login
    scene = panel(mediators=1)
    _offered(scene.brand, scene.mediators[0])
    login(client, scene.admin)
    page = client.get("/admin/mediators/").get_data(as_text=True)
    assert "conflict of interest: never assigned there" in page


def test_a_tie_is_with_its_brand_only(ctx, panel, make):
    scene = panel(mediators=1)
    clock.freeze(T0)
    other = make.brand(slug="other", name="Other Co")
    _active(other, scene.mediators[0])
    _presidency(other, scene.mediators[0])
    assert roster.conflict_reason(scene.entries[0], scene.brand) is None
    assert file_case(scene, make.member(scene.brand)).mediator is scene.entries[0]
    assert db.session.query(Mandate).count() == 1
