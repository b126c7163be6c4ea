"""Advocates: declare with a statement, one open declaration, recognize (charter), decline, withdraw, retract."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from extensions import db
from institutions import charter
from institutions.errors import DomainError, Forbidden, ValidationFailed
from institutions.models import AuditEvent, MembershipStatus, Notification, OfficeKind
from mandates import advocates
from mandates.models import AdvocacyState


@pytest.fixture
def scene(make):
    brand = make.brand(slug="acme")
    return brand, make.staff(brand), make.member(brand, user=make.user(name="Ada Advocate"))


def _declare(brand, user, defends="brand", statement="Their repair kits saved my bike."):
    declaration = advocates.declare(brand, user, defends=defends, statement=statement)
    db.session.commit()
    return declaration


def _holders(brand) -> list[str]:
    office = charter.office_of(brand, OfficeKind.ADVOCATE)
    db.session.refresh(office)
    return [h.holder_name for h in charter.current_holdings(office)]


def _notes(user) -> list[str]:
    return db.session.scalars(select(Notification.message).where(Notification.user_id == user.id)).all()


def test_a_verified_member_declares_and_staff_recognize(ctx, scene):
    brand, staff, ada = scene
    declaration = _declare(brand, ada, defends="customers")
    assert declaration.state is AdvocacyState.PENDING and declaration.public_name == "Ada Advocate"
    assert any("declares themself an advocate" in note for note in _notes(staff))
    advocates.recognize(declaration, staff)
    db.session.commit()
    assert declaration.state is AdvocacyState.RECOGNIZED and declaration.holding_id is not None
    assert declaration.holding_id and _holders(brand) == ["Ada Advocate"]
    office = charter.office_of(brand, OfficeKind.ADVOCATE)
    assert charter.holding_source_label(charter.current_holdings(office)[0].source) == "Recognized by the brand"
    assert any("recognizes you" in note for note in _notes(ada))
    public = db.session.scalars(select(AuditEvent.action).where(AuditEvent.is_public.is_(True))).all()
    assert "advocate.recognized" in public and "office.holder_installed" in public
    assert "advocate.declared" not in public  # a pending declaration is not public


def test_only_verified_members_declare(ctx, scene, make):
    brand, staff, _ada = scene
    for person in (make.member(brand, status=MembershipStatus.PENDING), make.user(), staff):
        with pytest.raises(Forbidden, match="verified members"):
            advocates.declare(brand, person, defends="brand", statement="I defend them")


def test_bad_input_is_refused_by_field(ctx, scene):
    brand, _staff, ada = scene
    with pytest.raises(ValidationFailed) as whom:
        advocates.declare(brand, ada, defends="shareholders", statement="x")
    assert "defends" in whom.value.fields
    with pytest.raises(ValidationFailed) as empty:
        advocates.declare(brand, ada, defends="brand", statement="  ")
    assert "statement" in empty.value.fields
    with pytest.raises(ValidationFailed) as long:
        advocates.declare(brand, ada, defends="brand", statement="x" * 4001)
    assert "statement" in long.value.fields


def test_one_open_declaration_per_person_per_brand(ctx, scene):
    brand, staff, ada = scene
    declaration = _declare(brand, ada)
    with pytest.raises(DomainError, match="already have a declaration"):
        advocates.declare(brand, ada, defends="customers", statement="Again")
    db.session.rollback()
    advocates.recognize(declaration, staff)
    db.session.commit()
    with pytest.raises(DomainError, match="already have a declaration"):  # recognized is still open
        advocates.declare(brand, ada, defends="customers", statement="Again")
    db.session.rollback()
    advocates.retract(declaration, ada)
    db.session.commit()
    assert _declare(brand, ada).state is AdvocacyState.PENDING


def test_declining_needs_a_reason(ctx, scene):
    brand, staff, ada = scene
    declaration = _declare(brand, ada)
    with pytest.raises(ValidationFailed) as empty:
        advocates.decline(declaration, staff, "")
    assert "reason" in empty.value.fields
    advocates.decline(declaration, staff, "We only recognize members active for a year.")
    db.session.commit()
    assert declaration.state is AdvocacyState.DECLINED and "a year" in declaration.reason
    assert any("a year" in note for note in _notes(ada))
    assert _holders(brand) == []
    with pytest.raises(DomainError):
        advocates.recognize(declaration, staff)
    with pytest.raises(DomainError):
        advocates.retract(declaration, ada)


def test_withdrawing_a_recognition_ends_the_holding_with_the_reason(ctx, scene):
    brand, staff, ada = scene
    declaration = _declare(brand, ada)
    with pytest.raises(DomainError, match="recognized"):
        advocates.withdraw_recognition(declaration, staff, "Too early")
    db.session.rollback()
    advocates.recognize(declaration, staff)
    db.session.commit()
    with pytest.raises(ValidationFailed) as empty:
        advocates.withdraw_recognition(declaration, staff, "")
    assert "reason" in empty.value.fields
    advocates.withdraw_recognition(declaration, staff, "Insulted other customers.")
    db.session.commit()
    assert declaration.state is AdvocacyState.WITHDRAWN and declaration.ended_at is not None
    assert _holders(brand) == []
    office = charter.office_of(brand, OfficeKind.ADVOCATE)
    assert [h.end_reason for h in charter.past_holdings(office)] == ["Insulted other customers."]
    assert any("withdrew your recognition" in note for note in _notes(ada))


def test_the_advocate_retracts_pending_or_recognized(ctx, scene, make):
    brand, staff, ada = scene
    pending = _declare(brand, ada)
    advocates.retract(pending, ada)
    db.session.commit()
    assert pending.state is AdvocacyState.RETRACTED
    recognized = _declare(brand, ada)
    advocates.recognize(recognized, staff)
    db.session.commit()
    with pytest.raises(Forbidden):
        advocates.retract(recognized, make.member(brand))
    with pytest.raises(Forbidden):
        advocates.retract(recognized, staff)
    advocates.retract(recognized, ada)
    db.session.commit()
    assert recognized.state is AdvocacyState.RETRACTED and _holders(brand) == []
    assert any("retracted their declaration" in note for note in _notes(staff))


def test_a_member_acting_as_staff_and_staff_of_another_brand_cannot_answer(ctx, scene, make):
    brand, staff, ada = scene
    declaration = _declare(brand, ada)
    foreign_staff = make.staff(make.brand(slug="other"))
    for intruder in (ada, make.member(brand), foreign_staff):
        with pytest.raises(Forbidden):
            advocates.recognize(declaration, intruder)
        with pytest.raises(Forbidden):
            advocates.decline(declaration, intruder, "no")
    advocates.recognize(declaration, staff)
    db.session.commit()
    with pytest.raises(Forbidden):
        advocates.withdraw_recognition(declaration, foreign_staff, "no")
    assert declaration.state is AdvocacyState.RECOGNIZED


def test_the_queue_shows_pending_then_recognized(ctx, scene, make):
    brand, staff, ada = scene
    recognized = _declare(brand, ada)
    advocates.recognize(recognized, staff)
    bob = make.member(brand, user=make.user(name="Bob"))
    pending = _declare(brand, bob, defends="customers")
    carl = make.member(brand)
    declined = _declare(brand, carl)
    advocates.decline(declined, staff, "No")
    db.session.commit()
    assert db.session.scalars(advocates.declarations_query(brand)).all() == [pending, recognized, declined]
    assert db.session.scalars(advocates.declarations_query(brand, AdvocacyState.RECOGNIZED)).all() == [recognized]
    assert advocates.declarations_of(ada, brand) == [recognized]
    with pytest.raises(DomainError):
        advocates.declaration_in_brand(make.brand(slug="other"), pending.id)


def test_the_advocate_exports_and_erases_their_declaration(ctx, scene):
    from institutions import privacy
    from tests.conftest import PASSWORD

    brand, staff, ada = scene
    declaration = _declare(brand, ada)
    advocates.recognize(declaration, staff)
    db.session.commit()
    assert privacy.export_user_data(ada)["advocate_declarations"][0]["state"] == "recognized"
    privacy.delete_account(ada, PASSWORD)
    db.session.commit()
    assert declaration.state is AdvocacyState.RETRACTED and declaration.statement == ""
    assert declaration.public_name == ada.pseudonym and _holders(brand) == []
