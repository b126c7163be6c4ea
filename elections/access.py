"""Route guards of elections: load the election within its brand, check who may see or act, run the clock.

Pages live under /b/<slug>/elections/<election_id>/...: the view receives `(brand, election, ...)`.
API routes live under /api/v1/elections/<election_id>/...: the view receives `(election, ...)`.
Either way the clock runs first (voting opens, the count happens), so the view sees the election
where its calendar says: this is the one place pages and API routes call the clock. A page about
one election advances that election only (pure date checks, no query unless something is due:
casting a ballot has a query budget); the brand-wide pages (the lists) run the brand's whole
clock, as `flask advance` and the job queue do.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort
from flask_login import current_user

from elections import clock
from elections.models import Election
from elections.permissions import can_manage_elections, can_view_election
from extensions import db
from institutions.access import declare_policy, load_brand
from institutions.clock import utcnow
from institutions.errors import NotFound
from institutions.lookup import get_in_brand
from institutions.models import Brand


def run_brand_clock(brand: Brand) -> None:
    """Advance what is due in the whole brand and commit it before the view reads its elections."""
    if clock.run(utcnow(), brand).changed_anything:
        db.session.commit()


def run_election_clock(election: Election) -> None:
    """Advance what is due in this election and commit it before the view reads it."""
    if clock.advance_election(election, utcnow()):
        db.session.commit()


def _load(election_id: int, brand: Brand | None) -> Election:
    """The election (within the brand when the address names one), or 404."""
    if brand is None:
        election = db.session.get(Election, election_id)
        if election is None:
            abort(404)
        return election  # its brand is loaded only if a check needs it
    try:
        return get_in_brand(Election, election_id, brand)
    except NotFound:
        abort(404)


def _guard(policy: str, doc: str, *, signed_in: bool, staff: bool) -> Callable[[Callable], Callable]:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, election_id: int, slug: str | None = None, **kwargs):
            if signed_in and not current_user.is_authenticated:
                abort(401)
            brand = load_brand(slug) if slug is not None else None
            if staff and brand is not None and not can_manage_elections(current_user, brand):
                abort(403)  # a page of the brand: refused before anything of the election shows
            election = _load(election_id, brand)
            if not can_view_election(current_user, election):
                abort(404)  # drafts exist only for the brand's staff
            if staff and brand is None and not can_manage_elections(current_user, election.brand):
                abort(403)
            run_election_clock(election)
            if slug is not None:
                return view(brand, election, *args, **kwargs)
            return view(election, *args, **kwargs)

        return declare_policy(guarded, policy)

    decorator.__doc__ = doc
    return decorator


election_public = _guard("election_public", "Anyone may read a published election (drafts: staff only).",
                         signed_in=False, staff=False)
election_signed_in = _guard("election_signed_in", "A signed-in account acting in an election (the service "
                            "checks eligibility).", signed_in=True, staff=False)
election_staff = _guard("election_staff", "Staff of the election's brand only.", signed_in=True, staff=True)


def with_clock(view: Callable) -> Callable:
    """Brand-wide election pages (the list), under a brand guard: run the brand's clock, then the view."""

    @wraps(view)
    def clocked(brand: Brand, *args, **kwargs):
        run_brand_clock(brand)
        return view(brand, *args, **kwargs)

    return clocked
