"""The platform's roster of mediators, the brands' panels, conflicts of interest and the assignment of cases.

A mediator who is staff of a brand, or a party (complainant or co-complainant) to one of its cases, is never
assigned a case of that brand: the check runs at every assignment and again whenever a role changes
(`institutions.role_changes` calls `recheck_conflicts`), and a conflicted mediator's open cases are reassigned.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from extensions import db
from institutions import audit, charter, permissions
from institutions.accounts import normalize_email, user_by_email
from mediation import parties
from mediation.models import (
    CLOSED_CASE_STATES,
    CaseParticipant,
    MediationCase,
    Mediator,
    PanelSeat,
)
from mediation.notices import CASE_KIND
from mediation.timeline import record_event
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden, NotFound, ValidationFailed, required_text
from institutions.models import Brand, OfficeKind, StaffRole, User
from institutions.notifications import notify

MIN_TERM_YEARS = 3
MAX_NAME = 120
MAX_BODY = 200
MAX_TEXT = 4000


# --- the roster ----------------------------------------------------------------------------------------------------

def _require_admin(actor: User) -> None:
    if not permissions.is_platform_admin(actor):
        raise Forbidden(_("Only a platform administrator keeps the roster of mediators."))


def add_years(day: date, years: int) -> date:
    """The same day `years` later (29 February becomes 1 March)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def _clean(mediator: Mediator | None, *, name, qualifications, appointing_body, term_starts_on, term_ends_on,
           declaration_of_interests, email) -> dict:
    fields = {
        "name": required_text(name, "name", _("Name"), MAX_NAME),
        "qualifications": required_text(qualifications, "qualifications", _("Qualifications"), MAX_TEXT),
        "appointing_body": required_text(appointing_body, "appointing_body", _("Appointing body"), MAX_BODY),
        "declaration_of_interests": required_text(declaration_of_interests, "declaration_of_interests",
                                                  _("Declaration of interests"), MAX_TEXT),
    }
    if not isinstance(term_starts_on, date):
        raise ValidationFailed(_("Give the first day of the term."), field="term_starts_on")
    if not isinstance(term_ends_on, date):
        raise ValidationFailed(_("Give the last day of the term."), field="term_ends_on")
    if term_ends_on < add_years(term_starts_on, MIN_TERM_YEARS):
        raise ValidationFailed(_("A mediator's term lasts at least three years: it ends on %(day)s at the earliest.",
                                 day=add_years(term_starts_on, MIN_TERM_YEARS).isoformat()), field="term_ends_on")
    fields["term_starts_on"], fields["term_ends_on"] = term_starts_on, term_ends_on
    address = normalize_email(email or "", field="email")
    user = user_by_email(address)
    if user is None:
        raise ValidationFailed(_("No account uses this address: the mediator signs up first, then you link them."),
                               field="email")
    other = db.session.scalar(select(Mediator).where(Mediator.user_id == user.id))
    if other is not None and other is not mediator and other.removed_at is None:
        raise DomainError(_("This account is already on the roster as %(name)s.", name=other.name), field="email")
    fields["user"] = user
    fields["former"] = other if other is not None and other is not mediator else None
    return fields


def add_mediator(actor: User, *, name: str, qualifications: str, appointing_body: str, term_starts_on: date,
                 term_ends_on: date, declaration_of_interests: str, email: str) -> Mediator:
    """The platform admin puts a mediator on the roster, linked to their account by e-mail."""
    _require_admin(actor)
    fields = _clean(None, name=name, qualifications=qualifications, appointing_body=appointing_body,
                    term_starts_on=term_starts_on, term_ends_on=term_ends_on,
                    declaration_of_interests=declaration_of_interests, email=email)
    # One account, one roster entry: a former mediator coming back gets their entry (and history) back.
    mediator = fields.pop("former") or Mediator(created_at=utcnow())
    user = fields.pop("user")
    for key, value in fields.items():
        setattr(mediator, key, value)
    mediator.user_id = user.id
    mediator.removed_at = None
    db.session.add(mediator)
    db.session.flush()
    audit.record("mediator.added", actor=actor, subject=mediator)
    return mediator


def update_mediator(mediator: Mediator, actor: User, *, name: str, qualifications: str, appointing_body: str,
                    term_starts_on: date, term_ends_on: date, declaration_of_interests: str, email: str) -> Mediator:
    """The platform admin corrects a roster entry; a new account or term is re-checked for conflicts."""
    _require_admin(actor)
    if mediator.removed_at is not None:
        raise DomainError(_("This mediator was removed from the roster."))
    fields = _clean(mediator, name=name, qualifications=qualifications, appointing_body=appointing_body,
                    term_starts_on=term_starts_on, term_ends_on=term_ends_on,
                    declaration_of_interests=declaration_of_interests, email=email)
    if fields.pop("former") is not None:
        raise DomainError(_("This account belonged to a former mediator: add them again instead."), field="email")
    user = fields.pop("user")
    relinked = user.id != mediator.user_id
    for key, value in fields.items():
        setattr(mediator, key, value)
    mediator.user_id = user.id
    for seat in active_seats(mediator):
        if seat.holding is not None and seat.holding.ended_at is None:
            seat.holding.term_ends_at = term_end_moment(mediator)
    db.session.flush()
    db.session.expire(mediator, ["user"])
    audit.record("mediator.updated", actor=actor, subject=mediator, payload={"account_changed": relinked})
    _reassign_conflicted(mediator)
    return mediator


def remove_mediator(mediator: Mediator, actor: User) -> Mediator:
    """The platform admin takes a mediator off the roster: their panels end and their open cases are reassigned."""
    _require_admin(actor)
    if mediator.removed_at is not None:
        raise DomainError(_("This mediator was already removed from the roster."))
    return _retire(mediator, actor, "removed from the roster")


def _retire(mediator: Mediator, actor: User | None, reason: str) -> Mediator:
    for seat in active_seats(mediator):
        _end_seat(seat, actor, reason)
    mediator.removed_at = utcnow()
    db.session.flush()
    audit.record("mediator.removed", actor=actor, subject=mediator, payload={"reason": reason})
    note = _("The previous mediator left the roster.")
    for case in open_cases_of(mediator):
        assign(case, actor, exclude={mediator.id}, kind="reassigned", reason=note)
    return mediator


def erase_mediator(user: User) -> None:
    """Erasing an account: a mediator leaves the roster and the panels, their open cases go to others."""
    mediator = active_mediator_of(user)
    if mediator is not None:
        _retire(mediator, user, "account deleted")
    former = db.session.scalar(select(Mediator).where(Mediator.user_id == user.id))
    if former is not None:
        former.name = user.pseudonym  # the roster is a public record: it keeps the pseudonym, like the charter


def mediator_by_id(mediator_id: int) -> Mediator:
    """A roster entry, or 404."""
    mediator = db.session.get(Mediator, mediator_id)
    if mediator is None:
        raise NotFound(_("No such mediator on the roster."))
    return mediator


def roster() -> list[Mediator]:
    """The mediators on the roster (removed ones last), with their accounts and panels (three queries)."""
    return db.session.scalars(
        select(Mediator).options(joinedload(Mediator.user), selectinload(Mediator.seats).joinedload(PanelSeat.brand))
        .order_by(Mediator.removed_at.is_not(None), func.lower(Mediator.name), Mediator.id)).unique().all()


def active_mediator_of(user: User) -> Mediator | None:
    """The roster entry linked to this account, unless removed."""
    if not user.is_authenticated:
        return None
    return db.session.scalar(select(Mediator).where(Mediator.user_id == user.id, Mediator.removed_at.is_(None)))


# --- panels --------------------------------------------------------------------------------------------------------

def term_end_moment(mediator: Mediator) -> datetime:
    """The last moment of the mediator's term, for the charter's holding."""
    return datetime.combine(mediator.term_ends_on, time(23, 59, 59), tzinfo=timezone.utc)


def active_seats(mediator: Mediator) -> list[PanelSeat]:
    """The panels the mediator sits on now."""
    return [seat for seat in mediator.seats if seat.ended_at is None]


def seat_of(mediator: Mediator, brand: Brand) -> PanelSeat | None:
    """The mediator's seat on this brand's panel (ended or not), if they ever sat on it."""
    return db.session.scalar(select(PanelSeat).where(PanelSeat.mediator_id == mediator.id,
                                                     PanelSeat.brand_id == brand.id))


def panel_of(brand: Brand) -> list[PanelSeat]:
    """The brand's panel now: seats with their mediators, in order of appointment."""
    return db.session.scalars(
        select(PanelSeat).join(Mediator).where(PanelSeat.brand_id == brand.id, PanelSeat.ended_at.is_(None),
                                               Mediator.removed_at.is_(None))
        .options(joinedload(PanelSeat.mediator)).order_by(PanelSeat.appointed_at, PanelSeat.id)).all()


def sits_on_panel(user: User, brand: Brand) -> bool:
    """Whether this account is a mediator on the brand's panel now."""
    mediator = active_mediator_of(user)
    seat = seat_of(mediator, brand) if mediator is not None else None
    return seat is not None and seat.ended_at is None


def appoint(mediator: Mediator, brand: Brand, actor: User) -> PanelSeat:
    """The platform admin appoints a roster mediator to a brand's panel (an office holding on its charter)."""
    _require_admin(actor)
    if mediator.removed_at is not None:
        raise DomainError(_("This mediator was removed from the roster."))
    if mediator.user is None or mediator.user.deleted_at is not None:
        raise DomainError(_("This mediator has no account: link one on the roster first."))
    if mediator.term_ends_on < utcnow().date():
        raise DomainError(_("This mediator's term is over: renew it on the roster first."))
    seat = seat_of(mediator, brand)
    if seat is not None and seat.ended_at is None:
        raise DomainError(_("%(name)s already sits on the panel of %(brand)s.", name=mediator.name, brand=brand.name))
    reason = conflict_reason(mediator, brand)
    if reason:
        raise DomainError(reason, field="brand")
    holding = charter.install_holder(brand, OfficeKind.MEDIATOR, mediator.user, source="appointment", actor=actor,
                                     term_ends_at=term_end_moment(mediator))
    if seat is None:
        seat = PanelSeat(mediator_id=mediator.id, brand_id=brand.id)
        db.session.add(seat)
    seat.appointed_at = utcnow()
    seat.ended_at = None
    seat.holding_id = holding.id
    db.session.flush()
    db.session.expire(mediator, ["seats"])
    audit.record("mediator.appointed", actor=actor, brand=brand, subject=seat, public=True)
    # Cases that waited for a mediator at this brand get one now.
    for case in waiting_cases(brand):
        assign(case, actor)
    return seat


def _end_seat(seat: PanelSeat, actor: User, reason: str) -> None:
    seat.ended_at = utcnow()
    if seat.holding is not None and seat.holding.ended_at is None:
        charter.end_holding(seat.holding, reason, actor=actor)
    audit.record("mediator.left_panel", actor=actor, brand=seat.brand, subject=seat, public=True)


def remove_from_panel(mediator: Mediator, brand: Brand, actor: User) -> PanelSeat:
    """The platform admin removes a mediator from a brand's panel; their open cases there are reassigned."""
    _require_admin(actor)
    seat = seat_of(mediator, brand)
    if seat is None or seat.ended_at is not None:
        raise DomainError(_("%(name)s does not sit on the panel of %(brand)s.", name=mediator.name, brand=brand.name))
    _end_seat(seat, actor, "removed from the panel")
    db.session.flush()
    note = _("The previous mediator left the brand's panel.")
    for case in open_cases_of(mediator, brand):
        assign(case, actor, exclude={mediator.id}, kind="reassigned", reason=note)
    return seat


# --- conflicts of interest -----------------------------------------------------------------------------------------

def _party_user_ids(brand_id: int, user_ids: set[int] | None = None) -> set[int]:
    """Accounts that are complainants or co-complainants in a case of the brand (among `user_ids` if given)."""
    filed = select(MediationCase.complainant_id).where(MediationCase.brand_id == brand_id,
                                                       MediationCase.complainant_id.is_not(None))
    joined = (select(CaseParticipant.user_id).join(MediationCase, MediationCase.id == CaseParticipant.case_id)
              .where(MediationCase.brand_id == brand_id, CaseParticipant.user_id.is_not(None)))
    if user_ids is not None:
        filed = filed.where(MediationCase.complainant_id.in_(user_ids))
        joined = joined.where(CaseParticipant.user_id.in_(user_ids))
    return set(db.session.scalars(filed.union(joined)).all())


def _staff_user_ids(brand_id: int, user_ids: set[int]) -> set[int]:
    return set(db.session.scalars(select(StaffRole.user_id).where(StaffRole.brand_id == brand_id,
                                                                  StaffRole.user_id.in_(user_ids))).all())


def conflict_reason(mediator: Mediator, brand: Brand) -> str | None:
    """Why this mediator may not handle this brand's cases (staff of the brand, or a party to one of its cases)."""
    if mediator.user_id is None:
        return None
    if _staff_user_ids(brand.id, {mediator.user_id}):
        return _("%(name)s is on the staff of %(brand)s: a conflict of interest.", name=mediator.name,
                 brand=brand.name)
    if _party_user_ids(brand.id, {mediator.user_id}):
        return _("%(name)s is a party to a case against %(brand)s: a conflict of interest.", name=mediator.name,
                 brand=brand.name)
    return None


def seat_conflicts(seats: list[PanelSeat]) -> set[int]:
    """The ids of the seats whose mediator is conflicted at that brand (three queries whatever the number)."""
    pairs = {(seat.mediator.user_id, seat.brand_id): seat.id for seat in seats if seat.mediator.user_id is not None}
    if not pairs:
        return set()
    user_ids = {user_id for user_id, _brand in pairs}
    found = set(db.session.execute(select(StaffRole.user_id, StaffRole.brand_id)
                                   .where(StaffRole.user_id.in_(user_ids))).tuples().all())
    found |= set(db.session.execute(select(MediationCase.complainant_id, MediationCase.brand_id)
                                    .where(MediationCase.complainant_id.in_(user_ids))).tuples().all())
    found |= set(db.session.execute(
        select(CaseParticipant.user_id, MediationCase.brand_id).join(MediationCase)
        .where(CaseParticipant.user_id.in_(user_ids))).tuples().all())
    return {seat_id for pair, seat_id in pairs.items() if pair in found}


def available_mediators(brand: Brand, exclude: set[int] | frozenset = frozenset()) -> list[Mediator]:
    """The brand's panel mediators who may take a case now, fewest open cases first (a bounded number of queries).

    Never a removed mediator, one whose term is not running, one without a live account, or a conflicted one.
    """
    today = utcnow().date()
    seats = db.session.scalars(
        select(PanelSeat).join(Mediator).join(User, User.id == Mediator.user_id)
        .where(PanelSeat.brand_id == brand.id, PanelSeat.ended_at.is_(None), Mediator.removed_at.is_(None),
               Mediator.term_starts_on <= today, Mediator.term_ends_on >= today, User.deleted_at.is_(None))
        .options(joinedload(PanelSeat.mediator)).order_by(PanelSeat.appointed_at, PanelSeat.id)).all()
    seats = [seat for seat in seats if seat.mediator_id not in exclude]
    if not seats:
        return []
    user_ids = {seat.mediator.user_id for seat in seats}
    conflicted = _staff_user_ids(brand.id, user_ids) | _party_user_ids(brand.id, user_ids)
    seats = [seat for seat in seats if seat.mediator.user_id not in conflicted]
    if not seats:
        return []
    load = dict(db.session.execute(
        select(MediationCase.mediator_id, func.count(MediationCase.id))
        .where(MediationCase.mediator_id.in_([seat.mediator_id for seat in seats]),
               MediationCase.state.not_in(CLOSED_CASE_STATES))
        .group_by(MediationCase.mediator_id)).tuples().all())
    ordered = sorted(enumerate(seats), key=lambda pair: (load.get(pair[1].mediator_id, 0), pair[0]))
    return [seat.mediator for _index, seat in ordered]


# --- assignment ----------------------------------------------------------------------------------------------------

def open_cases_of(mediator: Mediator, brand: Brand | None = None) -> list[MediationCase]:
    """The mediator's cases not yet closed (at one brand if given)."""
    query = select(MediationCase).where(MediationCase.mediator_id == mediator.id,
                                        MediationCase.state.not_in(CLOSED_CASE_STATES))
    if brand is not None:
        query = query.where(MediationCase.brand_id == brand.id)
    return db.session.scalars(query.order_by(MediationCase.id)).all()


def waiting_cases(brand: Brand | None = None) -> list[MediationCase]:
    """Cases not yet closed that wait for a mediator (none was available)."""
    query = (select(MediationCase).where(MediationCase.mediator_id.is_(None),
                                         MediationCase.state.not_in(CLOSED_CASE_STATES))
             .options(joinedload(MediationCase.brand)))
    if brand is not None:
        query = query.where(MediationCase.brand_id == brand.id)
    return db.session.scalars(query.order_by(MediationCase.filed_at, MediationCase.id)).all()


def assign(case: MediationCase, actor: User | None = None, *, exclude: set[int] | frozenset = frozenset(),
           kind: str = "assigned", reason: str | None = None) -> Mediator | None:
    """Give the case to the conflict-free panel mediator with the fewest open cases; none: it waits, the admin is told.

    `kind` is "assigned" for a first assignment and "reassigned" otherwise; `reason` says why (timeline).
    """
    previous = case.mediator
    candidates = available_mediators(case.brand, exclude)
    chosen = candidates[0] if candidates else None
    case.mediator = chosen
    case.mediator_id = chosen.id if chosen else None
    db.session.flush()
    if chosen is None:
        note = _("No mediator of the panel is available without a conflict of interest: the case waits for the "
                 "platform to appoint one.")
        if reason:
            note = reason + " " + note
        record_event(case, "waiting_for_mediator", actor, note=note)
        audit.record("case.waiting_for_mediator", actor=actor, brand=case.brand, subject=case)
        parties.tell_admins(_("Case #%(id)s at %(brand)s waits for a mediator: no panel mediator is available "
                              "without a conflict of interest.", id=case.id, brand=case.brand.name))
        parties.tell_complainants(case, _("Case #%(id)s waits for a mediator: the platform is appointing one.",
                                          id=case.id))
        if previous is not None and previous.user is not None:
            _tell_former(case, previous)
        return None
    note = _("Mediator: %(name)s.", name=chosen.name)
    if reason:
        note = reason + " " + note
    record_event(case, kind, actor, note=note)
    audit.record(f"case.{kind}", actor=actor, brand=case.brand, subject=case, payload={"mediator_id": chosen.id})
    parties.tell_mediator(case, _("Case #%(id)s against %(brand)s is assigned to you: decide on its admissibility "
                                  "within three weeks of its filing.", id=case.id, brand=case.brand.name))
    parties.tell_complainants(case, _("Your case #%(id)s is assigned to the mediator %(name)s. You may object to "
                                      "this mediator within 7 days, with a reason.", id=case.id, name=chosen.name))
    if case.opened_at is not None:
        parties.tell_brand(case, _("Case #%(id)s now has the mediator %(name)s. You may object within 7 days, "
                                   "with a reason.", id=case.id, name=chosen.name))
    if previous is not None and previous is not chosen:
        _tell_former(case, previous)
    return chosen


def _tell_former(case: MediationCase, previous: Mediator) -> None:
    if previous.user is not None and previous.user.deleted_at is None:
        notify(previous.user, CASE_KIND, _("Case #%(id)s against %(brand)s is no longer assigned to you.",
                                           id=case.id, brand=case.brand.name), brand=case.brand)


def _reassign_conflicted(mediator: Mediator, brand: Brand | None = None) -> list[MediationCase]:
    moved = []
    cases = open_cases_of(mediator, brand)
    verdicts: dict[int, str | None] = {}
    for case in cases:
        if case.brand_id not in verdicts:
            verdicts[case.brand_id] = conflict_reason(mediator, case.brand)
        if verdicts[case.brand_id]:
            assign(case, None, exclude={mediator.id}, kind="reassigned",
                   reason=_("The previous mediator has a conflict of interest with the brand."))
            moved.append(case)
    return moved


def recheck_conflicts(user: User, brand: Brand | None = None) -> list[MediationCase]:
    """After a role change: if this account is a mediator now conflicted at a brand, reassign its open cases there."""
    mediator = active_mediator_of(user)
    if mediator is None:
        return []
    return _reassign_conflicted(mediator, brand)
