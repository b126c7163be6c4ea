"""What elections put on the staff dashboard: overdue certifications first, then counted elections waiting."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from extensions import db
from elections.certification import certification_due, overdue_certifications
from elections.models import Election, ElectionState
from institutions.dashboard import DashboardItem
from institutions.models import Brand


def election_items(brand: Brand) -> list[DashboardItem]:
    """Closed elections whose stored count the staff still have to certify, overdue ones first (urgent)."""
    waiting = db.session.scalar(select(func.count(Election.id)).where(
        Election.brand_id == brand.id, Election.state == ElectionState.CLOSED)) or 0
    items = []
    for election in overdue_certifications(brand):
        items.append(DashboardItem(1, _("The certification of “%(title)s” is overdue: it was due on %(date)s (UTC)",
                                        title=election.title,
                                        date=certification_due(election).strftime("%Y-%m-%d %H:%M")),
                                   url_for("elections.detail", slug=brand.slug, election_id=election.id),
                                   urgent=True))
    items.append(DashboardItem(waiting, ngettext("%(num)d counted election waits for certification",
                                                 "%(num)d counted elections wait for certification", waiting),
                               url_for("elections.index", slug=brand.slug)))
    return items
