"""Route guards of the mediation pillar: load the case inside the brand, check who may see it, hand it to the view.

Every guard first applies the pillar's clock to the brand (cases whose deadlines passed close, unanswered
proposals expire), so no view reads or acts on a case its deadlines already moved; it is the one place a request
runs the clock. The guards declare their policy the way institutions/access.py does (the route-policy test reads
it): anonymous callers get 401 (a redirect to log in on pages), third parties 403 and another brand's case 404.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from extensions import db
from institutions.access import declare_policy, load_brand
from institutions.clock import utcnow
from institutions.errors import Forbidden
from institutions.lookup import get_in_brand
from institutions.models import Brand
from mediation import clock, roster
from mediation.models import MediationCase
from mediation.permissions import case_role


def apply_clock(brand: Brand | None) -> None:
    """Move what fell due for this brand (every brand with None) before the view reads it, and keep it."""
    if clock.advance_due(utcnow(), brand):
        db.session.commit()


def case_in_brand(brand: Brand, case_id: int) -> MediationCase:
    """A case of this brand (never another brand's, whatever the id says), or 404."""
    return get_in_brand(MediationCase, case_id, brand, message=_("No such case."))


def _signed_in_brand(slug: str) -> Brand:
    brand = load_brand(slug)
    if not current_user.is_authenticated:
        abort(401)
    apply_clock(brand)
    return brand


def _case_guard(policy: str, admits: Callable[[str | None], bool], refusal: Callable[[], str]) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def guarded(slug: str, case_id: int, *args, **kwargs):
            brand = _signed_in_brand(slug)
            case = case_in_brand(brand, case_id)
            if not admits(case_role(current_user, case)):
                raise Forbidden(refusal())
            return view(brand, case, *args, **kwargs)

        return declare_policy(guarded, policy)

    return decorator


case_party = _case_guard(
    "case_party", lambda role: role is not None,
    lambda: _("A case is visible to its parties and its mediator only."))
case_party.__doc__ = """The case's complainant side, the brand's staff or its mediator; the view receives (brand, case)."""

case_mediator = _case_guard(
    "case_mediator", lambda role: role == "mediator", lambda: _("Private notes are the mediator's alone."))
case_mediator.__doc__ = """The case's mediator only (its private notes); the view receives (brand, case)."""


def brand_clocked(view: Callable) -> Callable:
    """A signed-in brand page that lists cases: the brand's clock is applied first; the view receives `brand`."""

    @wraps(view)
    def guarded(slug: str, *args, **kwargs):
        return view(_signed_in_brand(slug), *args, **kwargs)

    return declare_policy(guarded, "brand_signed_in")


def panel_mediator(view: Callable) -> Callable:
    """A mediator seated on the brand's panel now; the view receives `brand`."""

    @wraps(view)
    def guarded(slug: str, *args, **kwargs):
        brand = _signed_in_brand(slug)
        if not roster.sits_on_panel(current_user, brand):
            abort(403)
        return view(brand, *args, **kwargs)

    return declare_policy(guarded, "panel_mediator")
