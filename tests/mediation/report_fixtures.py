"""Cases inserted straight through the models, for the annual report tests (no service, no timeline)."""
from __future__ import annotations

from datetime import date, datetime, timezone

from extensions import db
from mediation.models import CaseCategory, CaseState, MediationCase, ReportPublication
from institutions.models import Brand


def utc(text: str) -> datetime:
    """'2026-03-01' or '2026-03-01 12:00' as a UTC moment."""
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def category(brand: Brand, key: str, name: str | None = None) -> CaseCategory:
    """A case category of the brand (a default key, or the panel's own with a name)."""
    row = CaseCategory(brand_id=brand.id, key=key, name=name)
    db.session.add(row)
    db.session.flush()
    return row


def insert_case(brand: Brand, category: CaseCategory, filed: str, state: CaseState, closed: str | None = None, *,
                country: str = "FR", **columns) -> MediationCase:
    """A case in `state`, filed and (when given) closed at those UTC moments."""
    case = MediationCase(brand_id=brand.id, category_id=category.id, facts="What happened.", request="What I ask.",
                         prior_complaint_on=date(2020, 1, 1), prior_complaint="Letter of 1 January 2020.",
                         complainant_country=country, state=state, filed_at=utc(filed),
                         closed_at=utc(closed) if closed else None, **columns)
    db.session.add(case)
    db.session.flush()
    return case


def mark_published(brand: Brand, year: int) -> ReportPublication:
    """The panel's report of `year` as published (straight through the model: no recommendation check)."""
    row = ReportPublication(brand_id=brand.id, year=year, published_at=utc(f"{year + 1}-01-15"),
                            figures_sha256="0" * 64)
    db.session.add(row)
    db.session.flush()
    return row
