"""Filing: who may file, what a case needs, categories, attachments, collective cases and the president."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from extensions import db
from institutions import charter
from mediation import documents_store, filing
from mediation.models import CaseCategory, CaseDocument, CaseState
from institutions.errors import DomainError, Forbidden, ValidationFailed
from institutions.models import AuditEvent, MembershipStatus, OfficeKind
from institutions.privacy import EXPORT_SECTIONS
from tests.conftest import T0
from tests.mediation.filing_fixtures import JPEG, PDF, PNG, file_case, notes_of


def test_a_verified_member_files_a_case_that_goes_to_the_panel(ctx, panel, make):
    scene = panel()
    member = make.member(scene.brand, user=make.user(name="Carla Complainant"))
    case = file_case(scene, member, complainant_country="be", attachments=[("receipt.pdf", PDF),
                                                                            ("photo.png", PNG)])
    assert case.state is CaseState.FILED and case.filed_at == T0 and case.complainant_country == "BE"
    assert case.mediator is scene.entries[0] and case.clock_stopped_days == 0
    documents = db.session.scalars(select(CaseDocument).where(CaseDocument.case_id == case.id)).all()
    assert [d.filename for d in documents] == ["receipt.pdf", "photo.png"]
    assert documents_store.read(documents[0].storage_key) == PDF and documents[1].content_type == "image/png"
    assert any("assigned to the mediator Maya Mediator" in note for note in notes_of(member))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.filed"))
    assert not event.is_public and "broken" not in event.payload  # the content never reaches the audit trail


def test_only_verified_members_file(ctx, panel, make):
    scene = panel()
    for person in (make.member(scene.brand, status=MembershipStatus.PENDING), make.user(), scene.staff,
                   make.member(make.brand(slug="other"))):
        with pytest.raises(Forbidden, match="verified members"):
            file_case(scene, person)


def test_every_missing_piece_is_refused_by_field(ctx, panel, make):
    scene = panel()
    member = make.member(scene.brand)
    cases = {
        "category_id": {"category_id": 99999}, "facts": {"facts": " "}, "request": {"request": ""},
        "prior_complaint": {"prior_complaint": ""}, "prior_complaint_on": {"prior_complaint_on": None},
        "complainant_country": {"complainant_country": "XX"},
    }
    for field, change in cases.items():
        with pytest.raises(ValidationFailed) as refused:
            file_case(scene, member, **change)
        assert field in refused.value.fields, field
    with pytest.raises(ValidationFailed, match="cannot be in the future") as future:
        file_case(scene, member, prior_complaint_on=(T0 + timedelta(days=1)).date())
    assert "prior_complaint_on" in future.value.fields
    other_category = filing.categories_for(make.brand(slug="other"))[0]
    with pytest.raises(ValidationFailed, match="from the list"):
        file_case(scene, member, category_id=other_category.id)


def test_a_file_that_is_not_what_its_name_says_is_refused_and_nothing_is_stored(ctx, panel, make, app):
    scene = panel()
    member = make.member(scene.brand)
    with pytest.raises(ValidationFailed, match="not what its name says") as refused:
        file_case(scene, member, attachments=[("fine.pdf", PDF), ("invoice.pdf", PNG)])
    assert "attachments" in refused.value.fields
    with pytest.raises(ValidationFailed, match="not a PDF, PNG or JPEG"):
        file_case(scene, member, attachments=[("script.pdf", b"#!/bin/sh\nrm -rf /")])
    with pytest.raises(ValidationFailed, match="larger than 5 MB"):
        file_case(scene, member, attachments=[("big.pdf", PDF + b"0" * (5 * 1024 * 1024))])
    with pytest.raises(ValidationFailed, match="at most 10 files"):
        file_case(scene, member, attachments=[(f"p{n}.jpg", JPEG) for n in range(11)])
    db.session.rollback()
    assert db.session.scalars(select(CaseDocument)).all() == []


def test_default_categories_are_created_once_and_the_panel_adds_its_own(ctx, panel, make):
    scene = panel()
    labels = [filing.category_label(c) for c in filing.categories_for(scene.brand)]
    assert labels == ["Delivery", "Product defect", "Billing", "After-sales service", "Unfair contract term", "Other"]
    filing.categories_for(scene.brand)
    assert len(db.session.scalars(select(CaseCategory)).all()) == 6
    added = filing.add_category(scene.brand, scene.mediators[0], "Warranty extension")
    db.session.commit()
    assert filing.category_label(filing.categories_for(scene.brand)[-1]) == "Warranty extension"
    assert file_case(scene, make.member(scene.brand), category_id=added.id).category is added
    with pytest.raises(DomainError, match="already in the list"):
        filing.add_category(scene.brand, scene.mediators[0], "warranty EXTENSION")
    with pytest.raises(DomainError, match="already in the list"):
        filing.add_category(scene.brand, scene.mediators[0], "Billing")
    for outsider in (scene.staff, make.member(scene.brand), scene.admin):
        with pytest.raises(Forbidden, match="mediator of the brand's panel"):
            filing.add_category(scene.brand, outsider, "Loyalty points")


def test_members_join_a_collective_case_once(ctx, panel, make):
    scene = panel()
    carla = make.member(scene.brand)
    case = file_case(scene, carla, collective=True)
    joiner = make.member(scene.brand, user=make.user(name="Jo Joiner"))
    assert filing.joinable_cases(scene.brand, joiner) == [case]
    assert filing.joinable_cases(scene.brand, carla) == []
    filing.join_case(case, joiner)
    db.session.commit()
    assert [p.user for p in case.co_complainants] == [joiner]
    assert filing.cases_of(joiner, scene.brand) == [case]
    assert any("Jo Joiner joined your collective case" in note for note in notes_of(carla))
    assert filing.joinable_cases(scene.brand, joiner) == []
    with pytest.raises(DomainError, match="already a party"):
        filing.join_case(case, joiner)
    with pytest.raises(DomainError, match="already a party"):
        filing.join_case(case, carla)
    with pytest.raises(Forbidden, match="verified members"):
        filing.join_case(case, make.member(scene.brand, status=MembershipStatus.PENDING))
    with pytest.raises(Forbidden, match="verified members"):
        filing.join_case(case, scene.staff)
    with pytest.raises(DomainError, match="Only a collective case"):
        filing.join_case(file_case(scene, carla), make.member(scene.brand))
    case.state = CaseState.PROPOSAL
    with pytest.raises(DomainError, match="can no longer be joined"):
        filing.join_case(case, make.member(scene.brand))


def test_the_sitting_president_files_a_collective_case_for_the_community(ctx, panel, make):
    scene = panel()
    president = make.member(scene.brand, user=make.user(name="Pia President"))
    with pytest.raises(Forbidden, match="sitting customer president"):
        file_case(scene, president, as_president=True)
    db.session.rollback()
    holding = charter.install_holder(scene.brand, OfficeKind.PRESIDENT, president, source="election:1")
    db.session.commit()
    case = file_case(scene, president, as_president=True)
    assert case.collective and case.filed_by_president
    charter.end_holding(holding, "term over")
    db.session.commit()
    with pytest.raises(Forbidden, match="sitting customer president"):
        file_case(scene, president, as_president=True)


def test_the_complainant_adds_attachments_until_the_case_closes(ctx, panel, make):
    scene = panel()
    carla = make.member(scene.brand)
    case = file_case(scene, carla)
    filing.add_attachments(case, carla, [("later.jpg", JPEG)])
    db.session.commit()
    assert any("New attachments" in note for note in notes_of(scene.mediators[0]))
    for other in (scene.staff, scene.mediators[0], make.member(scene.brand)):
        with pytest.raises(Forbidden, match="complainant side"):
            filing.add_attachments(case, other, [("x.jpg", JPEG)])
    with pytest.raises(ValidationFailed, match="Choose a file"):
        filing.add_attachments(case, carla, [])
    case.state = CaseState.REFUSED
    with pytest.raises(DomainError, match="closed"):
        filing.add_attachments(case, carla, [("x.jpg", JPEG)])


def test_the_data_export_carries_the_cases_filed_and_joined(ctx, panel, make):
    scene = panel()
    carla = make.member(scene.brand)
    case = file_case(scene, carla, collective=True)
    joiner = make.member(scene.brand)
    filing.join_case(case, joiner)
    db.session.commit()
    assert EXPORT_SECTIONS["mediation_cases"](carla)[0]["facts"] == case.facts
    assert EXPORT_SECTIONS["mediation_cases"](joiner) == [{"id": case.id, "brand": "acme", "role": "co-complainant",
                                                           "joined_at": T0.isoformat()}]


def test_the_prior_complaint_may_be_today(ctx, panel, make):
    scene = panel()
    assert file_case(scene, make.member(scene.brand), prior_complaint_on=date(2027, 3, 1)).id
