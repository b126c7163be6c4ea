"""The platform's roster of mediators, the brands' panels, conflicts of interest and the assignment of cases.

A mediator who is staff of a brand, a party (complainant or co-complainant) to one of its cases, or tied to it
in a way an installed feature declares (`Feature.brand_ties`: the sitting presidency, a mandate offered or in
force, an advocacy, a benefit received) is never appointed to its panel nor assigned its cases: the
check runs at appointment, at every assignment and reassignment, whenever a role changes
(`institutions.role_changes` calls `recheck_conflicts`: the open cases there are reassigned and the platform admins
told why), and on every `flask advance` as a net for ties nobody announced.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from extensions import db
from institutions import audit, charter, features, permissions
from institutions.accounts import normalize_email, user_by_email
from mediation import deadlines, parties
from mediation.models import (
    CLOSED_CASE_STATES,
    CaseParticipant,
    CaseState,
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

@dataclass(frozen=True)
class Conflict:
    """Why one account may not handle one brand's cases: staff, a party to a case, or ties the features declare."""

    staff: bool = False
    party: bool = False
    ties: tuple[str, ...] = ()

    def reason(self, name: str, brand: Brand) -> str:
        """The conflict in one sentence, naming the mediator and the brand."""
        if self.staff:
            return _("%(name)s is on the staff of %(brand)s: a conflict of interest.", name=name, brand=brand.name)
        if self.party:
            return _("%(name)s is a party to a case against %(brand)s: a conflict of interest.", name=name,
                     brand=brand.name)
        return _("%(name)s is tied to %(brand)s (%(ties)s): a conflict of interest.", name=name, brand=brand.name,
                 ties="; ".join(self.ties))


def conflicts(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], Conflict]:
    """The conflicted ones among (user id, brand id) pairs, and why (a bounded number of queries, whatever the number).

    Staff and parties are this pillar's and the core's to know; every other tie (an office, a mandate, an advocacy,
    a benefit) is what the installed features declare (`institutions.features.brand_ties`).
    """
    pairs = {pair for pair in pairs if pair[0] is not None}
    if not pairs:
        return {}
    user_ids = {user_id for user_id, _brand in pairs}
    brand_ids = {brand_id for _user, brand_id in pairs}
    staff = set(db.session.execute(select(StaffRole.user_id, StaffRole.brand_id).where(
        StaffRole.user_id.in_(user_ids), StaffRole.brand_id.in_(brand_ids))).tuples().all())
    party = set(db.session.execute(select(MediationCase.complainant_id, MediationCase.brand_id).where(
        MediationCase.complainant_id.in_(user_ids), MediationCase.brand_id.in_(brand_ids))).tuples().all())
    party |= set(db.session.execute(
        select(CaseParticipant.user_id, MediationCase.brand_id).join(MediationCase)
        .where(CaseParticipant.user_id.in_(user_ids), MediationCase.brand_id.in_(brand_ids))).tuples().all())
    ties = features.brand_ties(pairs)
    found = {}
    for pair in pairs:
        conflict = Conflict(staff=pair in staff, party=pair in party, ties=tuple(ties.get(pair, ())))
        if conflict.staff or conflict.party or conflict.ties:
            found[pair] = conflict
    return found


def conflict_of(mediator: Mediator, brand: Brand) -> Conflict | None:
    """This mediator's conflict of interest with this brand, if any."""
    if mediator.user_id is None:
        return None
    return conflicts({(mediator.user_id, brand.id)}).get((mediator.user_id, brand.id))


def conflict_reason(mediator: Mediator, brand: Brand) -> str | None:
    """Why this mediator may not handle this brand's cases (staff, a party, an office, a mandate...), or None."""
    conflict = conflict_of(mediator, brand)
    return conflict.reason(mediator.name, brand) if conflict else None


def seat_conflicts(seats: list[PanelSeat]) -> set[int]:
    """The ids of the seats whose mediator is conflicted at that brand (a bounded number of queries)."""
    by_pair = {(seat.mediator.user_id, seat.brand_id): seat.id for seat in seats if seat.mediator.user_id is not None}
    return {by_pair[pair] for pair in conflicts(set(by_pair))}


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
    conflicted = {user_id for user_id, _brand in conflicts({(seat.mediator.user_id, brand.id) for seat in seats})}
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
    parties.tell_mediator(case, assignment_notice(case, kind))
    parties.tell_complainants(case, _("Your case #%(id)s is assigned to the mediator %(name)s. You may object to "
                                      "this mediator within 7 days, with a reason.", id=case.id, name=chosen.name))
    if case.opened_at is not None:
        parties.tell_brand(case, _("Case #%(id)s now has the mediator %(name)s. You may object within 7 days, "
                                   "with a reason.", id=case.id, name=chosen.name))
    if previous is not None and previous is not chosen:
        _tell_former(case, previous)
    return chosen


def _day(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d") if moment is not None else "?"


def act_due(case: MediationCase) -> str:
    """What the case's mediator has to do next, in words, for the notice of (re)assignment."""
    if case.state is CaseState.FILED:
        return _("decide on its admissibility (incomplete, refused or opened) by %(due)s",
                 due=_day(deadlines.admissibility_due(case)))
    if case.state is CaseState.INCOMPLETE:
        return _("it waits for the complainant to complete it (the admissibility clock is stopped); then decide on "
                 "its admissibility")
    if case.state is CaseState.OPEN:
        return _("the mediation is open: hear the parties and make your proposal by %(due)s",
                 due=_day(deadlines.mediation_due(case)))
    proposal = deadlines.pending_proposal(case)
    return _("a proposal waits for the parties' answers until %(due)s; then record the outcome",
             due=_day(deadlines.proposal_answer_due(proposal) if proposal is not None else None))


def assignment_notice(case: MediationCase, kind: str = "assigned") -> str:
    """The notice to the mediator who gets the case: it names the act due in the case's present state."""
    if kind == "reassigned":
        return _("You take over case #%(id)s against %(brand)s: %(act)s.", id=case.id, brand=case.brand.name,
                 act=act_due(case))
    return _("Case #%(id)s against %(brand)s is assigned to you: %(act)s.", id=case.id, brand=case.brand.name,
             act=act_due(case))


def _tell_former(case: MediationCase, previous: Mediator) -> None:
    if previous.user is not None and previous.user.deleted_at is None:
        notify(previous.user, CASE_KIND, _("Case #%(id)s against %(brand)s is no longer assigned to you.",
                                           id=case.id, brand=case.brand.name), brand=case.brand)


def _reassign_conflicted(mediator: Mediator, brand: Brand | None = None) -> list[MediationCase]:
    """Reassign the mediator's open cases at every brand they are now conflicted with; the admins are told why."""
    cases = open_cases_of(mediator, brand)
    if mediator.user_id is None or not cases:
        return []
    found = conflicts({(mediator.user_id, case.brand_id) for case in cases})
    moved = []
    for case in cases:
        conflict = found.get((mediator.user_id, case.brand_id))
        if conflict is None:
            continue
        # The parties read that there is a conflict, not what it is: a mandate offer is none of their business.
        assign(case, None, exclude={mediator.id}, kind="reassigned",
               reason=_("The previous mediator has a conflict of interest with the brand."))
        moved.append(case)
    for brand_id in sorted({case.brand_id for case in moved}):
        at = next(case.brand for case in moved if case.brand_id == brand_id)
        there = [case for case in moved if case.brand_id == brand_id]
        numbers = ", ".join(f"#{case.id}" for case in there)
        audit.record("mediator.conflict_found", brand=at, subject=mediator, payload={"cases": len(there)})
        parties.tell_admins(_("%(reason)s Their open cases there are reassigned: %(cases)s.",
                              reason=found[(mediator.user_id, brand_id)].reason(mediator.name, at), cases=numbers))
    return moved


def recheck_conflicts(user: User, brand: Brand | None = None) -> list[MediationCase]:
    """After a role change: if this account is a mediator now conflicted at a brand, reassign its open cases there."""
    mediator = active_mediator_of(user)
    if mediator is None:
        return []
    return _reassign_conflicted(mediator, brand)


def reassign_all_conflicted(brand: Brand | None = None) -> list[MediationCase]:
    """Re-check every open case's mediator (at one brand if given) and reassign the conflicted ones (the clock's net).

    Catches ties made where no role change was announced (a tie that exists only in the data, an invitation
    claimed later); a bounded number of queries when nobody is conflicted.
    """
    query = (select(MediationCase).join(Mediator, Mediator.id == MediationCase.mediator_id)
             .where(MediationCase.state.not_in(CLOSED_CASE_STATES), Mediator.user_id.is_not(None))
             .options(joinedload(MediationCase.mediator)))
    if brand is not None:
        query = query.where(MediationCase.brand_id == brand.id)
    cases = db.session.scalars(query.order_by(MediationCase.id)).all()
    found = conflicts({(case.mediator.user_id, case.brand_id) for case in cases})
    moved: list[MediationCase] = []
    for mediator in {case.mediator.id: case.mediator for case in cases
                     if (case.mediator.user_id, case.brand_id) in found}.values():
        moved.extend(_reassign_conflicted(mediator, brand))
    return moved
