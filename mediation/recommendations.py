"""What panel mediators recommend the brand do about a category of cases, per year (shown in the annual report)."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from institutions import audit
from mediation import roster
from mediation.models import CaseCategory, PanelRecommendation
from institutions.clock import utcnow
from institutions.errors import Forbidden, NotFound, ValidationFailed, required_text
from institutions.models import Brand, User

MAX_RECOMMENDATION = 4000


def write_recommendation(brand: Brand, actor: User, category_id: int | None, year: int | None, text: str,
                         now: datetime | None = None) -> PanelRecommendation:
    """A mediator of the brand's panel writes a recommendation on a category for a year (this one or a past one)."""
    now = now or utcnow()
    if not roster.sits_on_panel(actor, brand):
        raise Forbidden(_("Only a mediator of the brand's panel can write a recommendation."))
    if isinstance(category_id, bool) or not isinstance(category_id, int):
        raise ValidationFailed(_("Choose a category of the brand's list."), field="category")
    category = db.session.get(CaseCategory, category_id)
    if category is None or category.brand_id != brand.id:
        raise NotFound(_("No such category for this brand."), field="category")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= now.year:
        raise ValidationFailed(_("Give a year between 2000 and this year."), field="year")
    text = required_text(text, "text", _("Recommendation"), MAX_RECOMMENDATION)
    recommendation = PanelRecommendation(brand_id=brand.id, category_id=category.id, year=year, text=text,
                                         mediator_id=roster.active_mediator_of(actor).id, written_at=now)
    db.session.add(recommendation)
    db.session.flush()
    audit.record("mediation.recommendation_written", actor=actor, brand=brand, subject=recommendation,
                 payload={"category": category.key, "year": year}, public=True)
    return recommendation


def recommendations_by_category(brand: Brand, year: int) -> dict[int, list[str]]:
    """{category id: [texts, oldest first]} for the year's report (one query)."""
    found: dict[int, list[str]] = {}
    for recommendation in db.session.scalars(
            select(PanelRecommendation).where(PanelRecommendation.brand_id == brand.id,
                                              PanelRecommendation.year == year)
            .order_by(PanelRecommendation.written_at, PanelRecommendation.id)):
        found.setdefault(recommendation.category_id, []).append(recommendation.text)
    return found
