"""What mandates put on the staff dashboard: applications, declarations, countersignatures, reports, overdue orders."""
from __future__ import annotations

from flask import url_for
from flask_babel import ngettext
from sqlalchemy import func, select

from extensions import db
from institutions.dashboard import DashboardItem
from institutions.models import Brand
from mandates import contracts, missions
from mandates.models import AdvocacyState, AdvocateDeclaration, AmbassadorApplication, ApplicationState


def _count(model, brand: Brand, state) -> int:
    return db.session.scalar(
        select(func.count(model.id)).where(model.brand_id == brand.id, model.state == state)) or 0


def mandate_items(brand: Brand) -> list[DashboardItem]:
    """The brand's mandate to-dos, each with the page where staff act on it."""
    waiting = missions.waiting_for_staff(brand)
    applications = _count(AmbassadorApplication, brand, ApplicationState.PENDING)
    declarations = _count(AdvocateDeclaration, brand, AdvocacyState.PENDING)
    countersign = contracts.count_waiting_countersignature(brand)
    review, overdue = len(waiting["to_review"]), len(waiting["overdue"])
    return [
        DashboardItem(applications, ngettext("%(num)d ambassador application waits for an answer",
                                             "%(num)d ambassador applications wait for an answer", applications),
                      url_for("ambassadors.application_queue", slug=brand.slug)),
        DashboardItem(declarations, ngettext("%(num)d advocate declaration waits for an answer",
                                             "%(num)d advocate declarations wait for an answer", declarations),
                      url_for("ambassadors.declaration_queue", slug=brand.slug)),
        DashboardItem(countersign, ngettext("%(num)d signed contract waits for the brand's countersignature",
                                            "%(num)d signed contracts wait for the brand's countersignature",
                                            countersign),
                      url_for("mandates.index", slug=brand.slug)),
        DashboardItem(review, ngettext("%(num)d mission report waits for review",
                                       "%(num)d mission reports wait for review", review),
                      url_for("missions.review", slug=brand.slug)),
        DashboardItem(overdue, ngettext("%(num)d mission order is overdue", "%(num)d mission orders are overdue",
                                        overdue),
                      url_for("missions.review", slug=brand.slug)),
    ]
