"""Route policies for /api/v1/elections/<id>/...: load the election, check who may see or act."""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort
from flask_login import current_user

from elections import lifecycle
from elections.models import Election, ElectionState
from extensions import db
from institutions import permissions
from institutions.access import declare_policy


def _load(election_id: int) -> Election:
    """The election, advanced to where its calendar says; drafts exist only for the brand's staff."""
    election = db.session.get(Election, election_id)
    if election is None or (
        election.state is ElectionState.DRAFT and not permissions.is_brand_staff(current_user, election.brand)
    ):
        abort(404)
    if lifecycle.advance(election):
        db.session.commit()
    return election


def election_public(view: Callable) -> Callable:
    """Anyone may read a published election; the view receives `election`."""

    @wraps(view)
    def guarded(election_id: int, *args, **kwargs):
        return view(_load(election_id), *args, **kwargs)

    return declare_policy(guarded, "election_public")


def election_signed_in(view: Callable) -> Callable:
    """A signed-in account acting in an election (the service checks eligibility)."""

    @wraps(view)
    def guarded(election_id: int, *args, **kwargs):
        if not current_user.is_authenticated:
            abort(401)
        return view(_load(election_id), *args, **kwargs)

    return declare_policy(guarded, "election_signed_in")


def election_staff(view: Callable) -> Callable:
    """Staff of the election's brand only."""

    @wraps(view)
    def guarded(election_id: int, *args, **kwargs):
        if not current_user.is_authenticated:
            abort(401)
        election = _load(election_id)
        if not permissions.is_brand_staff(current_user, election.brand):
            abort(403)
        return view(election, *args, **kwargs)

    return declare_policy(guarded, "election_staff")
