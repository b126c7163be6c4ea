"""Route guards of mandates: load the brand (and the mandate within it), check who may call, run the clock.

The guards are the one place the mandates clock runs before a view: a page or API route always sees
the brand's mandates where their dates say. A route with `<int:mandate_id>` receives the mandate
instead of its id (looked up within the brand only, so another tenant's ids are never found).
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from extensions import db
from institutions import permissions
from institutions.access import declare_policy, load_brand
from institutions.clock import utcnow
from institutions.errors import Forbidden
from institutions.lookup import get_in_brand
from institutions.models import Brand
from mandates import clock, contracts
from mandates.models import Mandate
from mandates.permissions import can_view_mandate


def _run_clock(brand: Brand | None) -> None:
    """Move the brand's mandates (every brand's, or the signed-in person's) to where their dates say."""
    claimed = contracts.claim_invitations(current_user)
    ambassador = current_user if brand is None else None
    if clock.advance_mandates(utcnow(), brand, ambassador) or claimed:
        db.session.commit()


def _load_mandate(brand: Brand, kwargs: dict) -> None:
    """Replace `mandate_id` by the mandate of this brand the visitor is a party to (404, 403 otherwise)."""
    if "mandate_id" not in kwargs:
        return
    mandate = get_in_brand(Mandate, kwargs.pop("mandate_id"), brand, message=_("No such mandate."))
    if not can_view_mandate(current_user, mandate):
        raise Forbidden(_("Only the parties to this contract can see it."))
    kwargs["mandate"] = mandate


def mandate_party(view: Callable) -> Callable:
    """A mandate's parties: its ambassador and the brand's staff (any signed-in account on a brand-wide list).

    The view receives `brand`, and `mandate` instead of `mandate_id` when the route has one.
    """

    @wraps(view)
    def guarded(slug: str, *args, **kwargs):
        brand = load_brand(slug)
        if not current_user.is_authenticated:
            abort(401)
        _run_clock(brand)
        _load_mandate(brand, kwargs)
        return view(brand, *args, **kwargs)

    return declare_policy(guarded, "mandate_party")


def mandate_staff(view: Callable) -> Callable:
    """Staff of the brand only (staff of another brand get 403); receives `brand`, and `mandate` if the route has
    one."""

    @wraps(view)
    def guarded(slug: str, *args, **kwargs):
        brand = load_brand(slug)
        if not current_user.is_authenticated:
            abort(401)
        if not permissions.is_brand_staff(current_user, brand):
            abort(403)
        _run_clock(brand)
        _load_mandate(brand, kwargs)
        return view(brand, *args, **kwargs)

    return declare_policy(guarded, "mandate_staff")


def mandate_holder(view: Callable) -> Callable:
    """Any signed-in account, about its own mandates at every brand (moved to where their dates say)."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            abort(401)
        _run_clock(None)
        return view(*args, **kwargs)

    return declare_policy(guarded, "mandate_holder")


def registry_public(view: Callable) -> Callable:
    """The brand's public registry: anyone; the view receives `brand`, its mandates moved to where their dates say."""

    @wraps(view)
    def guarded(slug: str, *args, **kwargs):
        brand = load_brand(slug)
        if clock.advance_mandates(utcnow(), brand):
            db.session.commit()
        return view(brand, *args, **kwargs)

    return declare_policy(guarded, "registry_public")
