"""The roster and the panels: who the admin may add, appointments on the charter, assignment and conflicts."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from extensions import db
from institutions import brands, charter
from mediation import filing, roster
from mediation.models import CaseState, PanelSeat
from mediation.timeline import visible_events
from institutions.errors import DomainError, Forbidden, ValidationFailed
from institutions.models import OfficeKind
from tests.mediation.filing_fixtures import add_to_roster, file_case, notes_of

ENTRY = dict(name="Maya Mediator", qualifications="Certified", appointing_body="Bar council",
             term_starts_on=date(2026, 1, 1), term_ends_on=date(2029, 1, 1), declaration_of_interests="None.")


def _holders(brand) -> list[str]:
    office = charter.office_of(brand, OfficeKind.MEDIATOR)
    db.session.refresh(office)
    return [h.holder_name for h in charter.current_holdings(office)]


def test_the_admin_adds_a_mediator_linked_by_email(ctx, make):
    admin = make.user(admin=True)
    maya = make.user(email="maya@example.test", name="Maya M.")
    entry = roster.add_mediator(admin, **{**ENTRY, "email": " Maya@Example.test "})
    db.session.commit()
    assert entry.user_id == maya.id and entry.removed_at is None
    assert roster.active_mediator_of(maya) is entry
    with pytest.raises(DomainError, match="already on the roster"):
        roster.add_mediator(admin, **{**ENTRY, "email": "maya@example.test"})


def test_roster_entries_are_refused_field_by_field(ctx, make):
    admin = make.user(admin=True)
    make.user(email="maya@example.test")
    with pytest.raises(Forbidden, match="platform administrator"):
        roster.add_mediator(make.user(), **{**ENTRY, "email": "maya@example.test"})
    with pytest.raises(ValidationFailed) as short:
        roster.add_mediator(admin, **{**ENTRY, "term_ends_on": date(2028, 12, 31), "email": "maya@example.test"})
    assert "three years" in short.value.fields["term_ends_on"] and "2029-01-01" in short.value.message
    for name in ("name", "qualifications", "appointing_body", "declaration_of_interests"):
        with pytest.raises(ValidationFailed) as empty:
            roster.add_mediator(admin, **{**ENTRY, name: " ", "email": "maya@example.test"})
        assert name in empty.value.fields
    with pytest.raises(ValidationFailed) as nobody:
        roster.add_mediator(admin, **{**ENTRY, "email": "nobody@example.test"})
    assert "signs up first" in nobody.value.fields["email"]
    with pytest.raises(ValidationFailed) as bad:
        roster.add_mediator(admin, **{**ENTRY, "email": "not an address"})
    assert "email" in bad.value.fields


def test_appointing_puts_the_mediator_on_the_charter_and_removal_ends_it(ctx, panel):
    scene = panel(mediators=1)
    entry = scene.entries[0]
    assert _holders(scene.brand) == ["Maya Mediator"]
    holding = charter.current_holdings(charter.office_of(scene.brand, OfficeKind.MEDIATOR))[0]
    assert holding.source == "appointment" and holding.term_ends_at.date() == date(2029, 12, 31)
    with pytest.raises(DomainError, match="already sits"):
        roster.appoint(entry, scene.brand, scene.admin)
    db.session.rollback()
    roster.remove_from_panel(entry, scene.brand, scene.admin, "resignation")
    db.session.commit()
    assert _holders(scene.brand) == []
    with pytest.raises(DomainError, match="does not sit"):
        roster.remove_from_panel(entry, scene.brand, scene.admin, "resignation")
    db.session.rollback()
    roster.appoint(entry, scene.brand, scene.admin)  # the seat is reused
    db.session.commit()
    assert _holders(scene.brand) == ["Maya Mediator"]
    assert len(db.session.scalars(select(PanelSeat)).all()) == 1


def test_staff_of_the_brand_cannot_be_appointed_to_its_panel(ctx, panel, make):
    scene = panel(mediators=0)
    user, entry = add_to_roster(make, scene.admin, "Stan Staffer")
    make.staff(scene.brand, user=user)
    with pytest.raises(DomainError, match="staff of Acme Bikes: a conflict of interest"):
        roster.appoint(entry, scene.brand, scene.admin)


def test_a_short_or_ended_term_and_removed_mediators_are_refused(ctx, panel, make):
    scene = panel(mediators=0)
    _user, old = add_to_roster(make, scene.admin, "Old Timer", date(2020, 1, 1), date(2026, 12, 31))
    with pytest.raises(DomainError, match="term is over"):
        roster.appoint(old, scene.brand, scene.admin)
    roster.remove_mediator(old, scene.admin, "resignation")
    db.session.commit()
    with pytest.raises(DomainError, match="removed from the roster"):
        roster.appoint(old, scene.brand, scene.admin)


def test_a_case_goes_to_the_mediator_with_the_fewest_open_cases(ctx, panel, make):
    scene = panel(mediators=2)
    maya, noor = scene.entries
    first = file_case(scene, make.member(scene.brand))
    second = file_case(scene, make.member(scene.brand))
    third = file_case(scene, make.member(scene.brand))
    assert (first.mediator, second.mediator, third.mediator) == (maya, noor, maya)
    assert [e.kind for e in visible_events(first, "complainant")] == ["filed", "assigned"]
    assert any("assigned to you" in note for note in notes_of(scene.mediators[0]))


def test_without_a_free_mediator_the_case_waits_and_the_admin_is_told(ctx, panel, make):
    scene = panel(mediators=0)
    case = file_case(scene, make.member(scene.brand))
    assert case.mediator_id is None and case.state is CaseState.FILED
    assert any("waits for a mediator" in note for note in notes_of(scene.admin))
    assert roster.waiting_cases() == [case]
    _user, entry = add_to_roster(make, scene.admin, "Late Larry")
    roster.appoint(entry, scene.brand, scene.admin)
    db.session.commit()
    assert case.mediator is entry and roster.waiting_cases() == []


def test_a_conflicted_mediator_is_never_assigned(ctx, panel, make):
    scene = panel(mediators=2)
    maya, noor = scene.entries
    # Maya files a case of her own against the brand: she is a party, so never its mediator nor any other's here.
    make.member(scene.brand, user=scene.mediators[0])
    own = file_case(scene, scene.mediators[0])
    assert own.mediator is noor
    for _ in range(3):
        assert file_case(scene, make.member(scene.brand)).mediator is noor
    assert roster.conflict_reason(maya, scene.brand).endswith("party to a case against Acme Bikes: a conflict of "
                                                               "interest.")


def test_becoming_staff_reassigns_the_mediators_open_cases(ctx, panel, make):
    scene = panel(mediators=2)
    maya, noor = scene.entries
    case = file_case(scene, make.member(scene.brand))
    assert case.mediator is maya
    _invitation, secret = brands.invite_staff(scene.brand, scene.staff, scene.mediators[0].email)
    brands.accept_invitation(secret, scene.mediators[0])
    db.session.commit()
    assert case.mediator is noor
    last = visible_events(case, "complainant")[-1]
    assert last.kind == "reassigned" and "conflict of interest" in last.note and "Noor Neutral" in last.note
    assert any("no longer assigned to you" in note for note in notes_of(scene.mediators[0]))


def test_joining_a_collective_case_makes_a_mediator_a_party(ctx, panel, make):
    scene = panel(mediators=2)
    maya, noor = scene.entries
    mine = file_case(scene, make.member(scene.brand))
    collective = file_case(scene, make.member(scene.brand), collective=True)
    assert (mine.mediator, collective.mediator) == (maya, noor)
    make.member(scene.brand, user=scene.mediators[0])
    filing.join_case(collective, scene.mediators[0])
    db.session.commit()
    assert mine.mediator is noor  # Maya is now a party of the brand: her case there moved


def test_with_nobody_else_the_conflicted_case_waits(ctx, panel, make):
    scene = panel(mediators=1)
    case = file_case(scene, make.member(scene.brand))
    _invitation, secret = brands.invite_staff(scene.brand, scene.staff, scene.mediators[0].email)
    brands.accept_invitation(secret, scene.mediators[0])
    db.session.commit()
    assert case.mediator_id is None
    assert visible_events(case, "complainant")[-1].kind == "waiting_for_mediator"
    assert any("waits for a mediator" in note for note in notes_of(scene.admin))


def test_removing_a_mediator_ends_their_panels_and_reassigns(ctx, panel, make):
    scene = panel(mediators=2)
    maya, noor = scene.entries
    case = file_case(scene, make.member(scene.brand))
    roster.remove_mediator(maya, scene.admin, "resignation")
    db.session.commit()
    assert maya.removed_at is not None and case.mediator is noor
    assert _holders(scene.brand) == ["Noor Neutral"]
    assert roster.active_mediator_of(scene.mediators[0]) is None
    with pytest.raises(DomainError, match="already removed"):
        roster.remove_mediator(maya, scene.admin, "resignation")
    db.session.rollback()
    back = roster.add_mediator(scene.admin, **{**ENTRY, "email": scene.mediators[0].email})
    assert back is maya and back.removed_at is None  # one account, one roster entry


def test_editing_the_account_rechecks_conflicts(ctx, panel, make):
    scene = panel(mediators=2)
    maya, noor = scene.entries
    case = file_case(scene, make.member(scene.brand))
    assert case.mediator is maya
    roster.update_mediator(maya, scene.admin, **{**ENTRY, "email": scene.staff.email})
    db.session.commit()
    assert maya.user_id == scene.staff.id and case.mediator is noor


def test_a_mediator_who_deletes_their_account_leaves_roster_and_panels(ctx, panel, make):
    from institutions.privacy import delete_account
    from tests.conftest import PASSWORD

    scene = panel(mediators=2)
    maya, noor = scene.entries
    case = file_case(scene, make.member(scene.brand))
    assert case.mediator is maya
    delete_account(scene.mediators[0], PASSWORD)
    db.session.commit()
    assert maya.removed_at is not None and case.mediator is noor
    assert maya.name == scene.mediators[0].pseudonym and _holders(scene.brand) == ["Noor Neutral"]
