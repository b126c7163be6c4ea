"""What elections put on the staff dashboard: counted elections waiting for certification."""
from __future__ import annotations

from flask import url_for
from flask_babel import ngettext
from sqlalchemy import func, select

from extensions import db
from elections.models import Election, ElectionState
from institutions.dashboard import DashboardItem
from institutions.models import Brand


def election_items(brand: Brand) -> list[DashboardItem]:
    """Closed elections whose stored count the staff still have to certify."""
    waiting = db.session.scalar(select(func.count(Election.id)).where(
        Election.brand_id == brand.id, Election.state == ElectionState.CLOSED)) or 0
    return [DashboardItem(waiting, ngettext("%(num)d counted election waits for certification",
                                            "%(num)d counted elections wait for certification", waiting),
                          url_for("elections.index", slug=brand.slug))]
