"""The presidency the elections install ties its holder to the brand: declared for mediators' conflicts of interest.

The manifest declares `brand_ties`; the core's `features.brand_ties` reads it, so the mediation pillar learns that
its mediator sits as the brand's customer president without importing this pillar.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from institutions.models import Office, OfficeHolding, OfficeKind


def presidency_ties(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], list[str]]:
    """The (user id, brand id) pairs whose user holds the brand's presidency now, with the words (one query)."""
    if not pairs:
        return {}
    rows = db.session.execute(
        select(OfficeHolding.user_id, Office.brand_id).join(Office, Office.id == OfficeHolding.office_id)
        .where(Office.kind == OfficeKind.PRESIDENT, OfficeHolding.ended_at.is_(None),
               OfficeHolding.user_id.in_({user_id for user_id, _brand in pairs}),
               Office.brand_id.in_({brand_id for _user, brand_id in pairs}))).tuples().all()
    return {pair: [_("the sitting customer presidency")] for pair in set(rows) if pair in pairs}
