"""Route policies: every view declares who may call it; a test walks the URL map to check."""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from extensions import db
from institutions import permissions
from institutions.models import Brand

POLICY_ATTRIBUTE = "route_policy"


def declare_policy(view: Callable, policy: str) -> Callable:
    """Record who may call a view (the route-policy test reads it)."""
    setattr(view, POLICY_ATTRIBUTE, policy)
    return view


def load_brand(slug: str) -> Brand:
    """The brand at /b/<slug>/, or 404."""
    brand = db.session.scalar(select(Brand).where(Brand.slug == slug))
    if brand is None:
        abort(404)
    return brand


def public(view: Callable) -> Callable:
    """Anyone, signed in or not."""
    return declare_policy(view, "public")


def signed_in(view: Callable) -> Callable:
    """Any signed-in account (HTML: redirect to log in; API: 401)."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            abort(401)
        return view(*args, **kwargs)

    return declare_policy(guarded, "signed_in")


def platform_admin(view: Callable) -> Callable:
    """Operators of the deployment only."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            abort(401)
        if not permissions.is_platform_admin(current_user):
            abort(403)
        return view(*args, **kwargs)

    return declare_policy(guarded, "platform_admin")


def brand_public(view: Callable) -> Callable:
    """A brand's public page: anyone; the view receives `brand` instead of `slug`."""

    @wraps(view)
    def guarded(slug: str, *args, **kwargs):
        return view(load_brand(slug), *args, **kwargs)

    return declare_policy(guarded, "brand_public")


def brand_signed_in(view: Callable) -> Callable:
    """A brand page for any signed-in account (joining, leaving); receives `brand`."""

    @wraps(view)
    def guarded(slug: str, *args, **kwargs):
        brand = load_brand(slug)
        if not current_user.is_authenticated:
            abort(401)
        return view(brand, *args, **kwargs)

    return declare_policy(guarded, "brand_signed_in")


def brand_staff(view: Callable) -> Callable:
    """Staff of this brand only (staff of another brand get 403); receives `brand`."""

    @wraps(view)
    def guarded(slug: str, *args, **kwargs):
        brand = load_brand(slug)
        if not current_user.is_authenticated:
            abort(401)
        if not permissions.is_brand_staff(current_user, brand):
            abort(403)
        return view(brand, *args, **kwargs)

    return declare_policy(guarded, "brand_staff")


def policy_of(view: Callable) -> str | None:
    """The declared policy of a view function, or None when it declared nothing."""
    return getattr(view, POLICY_ATTRIBUTE, None)


def is_public_policy(policy: str | None) -> bool:
    """Policies that let anonymous visitors in (brand_public, election_public, ...)."""
    return policy is not None and (policy == "public" or policy.endswith("_public"))
