"""A person's ties to a brand through this pillar (mandates, advocacy, benefits), for mediators' conflicts of interest.

The manifest declares `brand_ties`; the core's `features.brand_ties` reads it, so the mediation pillar learns that
its mediator is the brand's ambassador without importing this pillar. A mandate counts from its offer (the draft is
the brand's alone until then), until three years after it ended; a benefit for three years after it was given; an
advocacy while it is pending (the person's own declaration) or recognized.
"""
from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from extensions import db
from institutions.clock import utcnow
from institutions.models import Office, OfficeHolding, OfficeKind, User
from mandates.models import ENDED_STATES, AdvocacyState, AdvocateDeclaration, Benefit, Mandate, MandateState

# A past tie still counts this long (the cooling-off French law asks of a mediator the professional employed).
COOLING_OFF = timedelta(days=3 * 365)
IN_PROGRESS = (MandateState.OFFERED, MandateState.SIGNED, MandateState.SCHEDULED, MandateState.ACTIVE)


def brand_ties(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], list[str]]:
    """The mandates, advocacies and benefits tying each (user id, brand id) pair, in words (five queries)."""
    found: dict[tuple[int, int], list[str]] = {}
    if not pairs:
        return found
    user_ids = {user_id for user_id, _brand in pairs}
    brand_ids = {brand_id for _user, brand_id in pairs}
    since = utcnow() - COOLING_OFF

    def add(user_id: int, brand_id: int, words: str) -> None:
        if (user_id, brand_id) in pairs and words not in found.get((user_id, brand_id), []):
            found.setdefault((user_id, brand_id), []).append(words)

    emails = dict(db.session.execute(select(func.lower(User.email), User.id)
                                     .where(User.id.in_(user_ids))).tuples().all())
    # An invitation sent to the person's address ties them as much as one sent to their account.
    mandates = db.session.execute(
        select(Mandate.ambassador_id, func.lower(Mandate.invited_email), Mandate.brand_id, Mandate.state)
        .where(Mandate.brand_id.in_(brand_ids),
               or_(Mandate.ambassador_id.in_(user_ids), func.lower(Mandate.invited_email).in_(set(emails))),
               or_(Mandate.state.in_(IN_PROGRESS), and_(Mandate.state.in_(ENDED_STATES), Mandate.ended_at >= since)))
        .order_by(Mandate.id)).tuples().all()
    for ambassador_id, invited, brand_id, state in mandates:
        user_id = ambassador_id if ambassador_id is not None else emails.get(invited)
        if user_id is None:
            continue
        if state in IN_PROGRESS:
            add(user_id, brand_id, _("an ambassador mandate (offered, signed or in force)"))
        else:
            add(user_id, brand_id, _("an ambassador mandate that ended less than three years ago"))
    advocacies = db.session.execute(
        select(AdvocateDeclaration.user_id, AdvocateDeclaration.brand_id, AdvocateDeclaration.state)
        .where(AdvocateDeclaration.user_id.in_(user_ids), AdvocateDeclaration.brand_id.in_(brand_ids),
               AdvocateDeclaration.state.in_((AdvocacyState.PENDING, AdvocacyState.RECOGNIZED)))).tuples().all()
    # The advocate office counts as recognized even before the declaration says so: `recognize` installs the
    # holder (which announces the role change) before it marks the declaration.
    recognized = {(user_id, brand_id) for user_id, brand_id, state in advocacies if state is AdvocacyState.RECOGNIZED}
    recognized |= set(db.session.execute(
        select(OfficeHolding.user_id, Office.brand_id).join(Office, Office.id == OfficeHolding.office_id)
        .where(Office.kind == OfficeKind.ADVOCATE, OfficeHolding.ended_at.is_(None),
               OfficeHolding.user_id.in_(user_ids), Office.brand_id.in_(brand_ids))).tuples().all())
    for user_id, brand_id in sorted(recognized):
        add(user_id, brand_id, _("a recognized advocacy"))
    for user_id, brand_id, _state in advocacies:
        if (user_id, brand_id) not in recognized:
            add(user_id, brand_id, _("a declaration as advocate, waiting for the brand's answer"))
    benefits = db.session.execute(
        select(Mandate.ambassador_id, Mandate.brand_id, func.max(Benefit.given_on))
        .join(Mandate, Mandate.id == Benefit.mandate_id)
        .where(Mandate.ambassador_id.in_(user_ids), Mandate.brand_id.in_(brand_ids), Benefit.given_on >= since.date())
        .group_by(Mandate.ambassador_id, Mandate.brand_id)).tuples().all()
    for user_id, brand_id, last_given in benefits:
        add(user_id, brand_id, _("a benefit received from the brand (the last on %(day)s)", day=last_given.isoformat()))
    return found
