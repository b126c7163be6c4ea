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
from flask_babel import lazy_gettext as _l
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
    MediatorDeclaration,
    Objection,
    PanelSeat,
)
from mediation.notices import CASE_KIND
from mediation.timeline import record_event
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden, NotFound, ValidationFailed, required_text
from institutions.models import Brand, OfficeKind, StaffRole, User
from institutions.notifications import notify
from institutions.messages import Message, deadline, message, moment

MIN_TERM_YEARS = 3
MAX_NAME = 120
MAX_BODY = 200
MAX_TEXT = 4000
MAX_URL = 500

# L.613-1: a mediator leaves the roster or a panel before the end of their term only for a just cause from this list.
REMOVAL_REASONS = {
    "incapacity": _l("Unable to carry out the mission (incapacity, lasting unavailability)"),
    "breach_of_independence": _l("A breach of independence or impartiality"),
    "serious_misconduct": _l("A serious breach of the mediator's duties"),
    "loss_of_qualification": _l("No longer has the required qualifications or good standing"),
    "resignation": _l("Resigned at their own request"),
}
# Reasons the platform records by itself (never chosen by the admin).
SYSTEM_REASONS = {"term_over": _l("The term is over"), "account_deleted": _l("The mediator's account was deleted")}
# L.613-1, L.613-2: who pays the mediator.
PAYERS = {"platform": _l("The platform"), "brand": _l("The brand"), "third_party": _l("A third party")}
MIN_COLLEGIAL = 2  # D.613-2: at least two consumer associations and two representatives of the professional
# R.614-1 7° and 8°: the legal references shown on the public page.
LEGAL_REFERENCES = (
    "Code de la consommation, articles L.611-1 à L.616-3 et R.612-1 à R.616-2",
    "Directive 2013/11/UE du 21 mai 2013 relative au règlement extrajudiciaire des litiges de consommation",
)
EC_LIST_URL = "https://ec.europa.eu/consumers/odr/main/?event=main.adr.show2"


def reason_label(key: str | None) -> str | None:
    """A removal reason in the reader's language."""
    if key is None:
        return None
    return str(REMOVAL_REASONS.get(key) or SYSTEM_REASONS.get(key) or key)


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


def _lines(text: str | None) -> list[str]:
    """The non-blank lines of a text, trimmed (one member of a collegial body a line)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _optional_text(value, field: str, limit: int) -> str | None:
    """A trimmed optional text within `limit` characters, None when blank; refused naming the field otherwise."""
    value = (value or "").strip() if isinstance(value, str) or value is None else value
    if not isinstance(value, str):
        raise ValidationFailed(_("Give a text."), field=field)
    if len(value) > limit:
        raise ValidationFailed(_("At most %(n)d characters.", n=limit), field=field)
    return value or None


def _clean_independence(*, paid_by, payer_name, paid_independently_of_outcome, collegial_consumer_associations,
                        collegial_professional_representatives, postal_address, contact_email, ec_listing_url,
                        appointment_decision, networks, dispute_kinds, languages) -> dict:
    """Who pays (L.613-1, L.613-2, D.613-2) and what the public page shows (R.614-1), checked field by field."""
    paid_by = paid_by or "platform"
    if paid_by not in PAYERS:
        raise ValidationFailed(_("Choose who pays the mediator from the list."), field="paid_by")
    fields = {
        "paid_by": paid_by,
        "payer_name": _optional_text(payer_name, "payer_name", MAX_BODY),
        "paid_independently_of_outcome": bool(paid_independently_of_outcome),
        "collegial_consumer_associations": _optional_text(collegial_consumer_associations,
                                                          "collegial_consumer_associations", MAX_TEXT),
        "collegial_professional_representatives": _optional_text(collegial_professional_representatives,
                                                                 "collegial_professional_representatives", MAX_TEXT),
        "postal_address": _optional_text(postal_address, "postal_address", MAX_BODY * 2),
        "ec_listing_url": _optional_text(ec_listing_url, "ec_listing_url", MAX_URL),
        "appointment_decision": _optional_text(appointment_decision, "appointment_decision", MAX_TEXT),
        "networks": _optional_text(networks, "networks", MAX_TEXT),
        "dispute_kinds": _optional_text(dispute_kinds, "dispute_kinds", MAX_TEXT),
        "languages": _optional_text(languages, "languages", MAX_BODY),
    }
    if paid_by == "third_party" and not fields["payer_name"]:
        raise ValidationFailed(_("Name the third party who pays the mediator."), field="payer_name")
    if paid_by == "brand":
        # L.613-2: a mediator the professional pays is appointed by a collegial body, recorded member by member.
        if len(_lines(fields["collegial_consumer_associations"])) < MIN_COLLEGIAL:
            raise ValidationFailed(_("When the brand pays, name the at least two approved consumer associations of "
                                     "the collegial body that appointed the mediator, one a line."),
                                   field="collegial_consumer_associations")
        if len(_lines(fields["collegial_professional_representatives"])) < MIN_COLLEGIAL:
            raise ValidationFailed(_("When the brand pays, name the at least two representatives of the "
                                     "professional in the collegial body, one a line."),
                                   field="collegial_professional_representatives")
    url = fields["ec_listing_url"]
    if url and not (url.startswith("https://") and " " not in url and len(url) > len("https://")):
        raise ValidationFailed(_("Give the https:// address of the listing with the European Commission."),
                               field="ec_listing_url")
    contact = (contact_email or "").strip()
    fields["contact_email"] = normalize_email(contact, field="contact_email") if contact else None
    return fields


INDEPENDENCE_FIELDS = ("paid_by", "payer_name", "paid_independently_of_outcome", "collegial_consumer_associations",
                       "collegial_professional_representatives", "postal_address", "contact_email", "ec_listing_url",
                       "appointment_decision", "networks", "dispute_kinds", "languages")


def _clean(mediator: Mediator | None, *, name, qualifications, appointing_body, term_starts_on, term_ends_on,
           declaration_of_interests, email, **independence) -> dict:
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
    fields.update(_clean_independence(**{key: independence.get(key) for key in INDEPENDENCE_FIELDS}))
    return fields


def add_mediator(actor: User, *, name: str, qualifications: str, appointing_body: str, term_starts_on: date,
                 term_ends_on: date, declaration_of_interests: str, email: str, **independence) -> Mediator:
    """The platform admin puts a mediator on the roster, linked to their account by e-mail (and who pays them)."""
    _require_admin(actor)
    fields = _clean(None, name=name, qualifications=qualifications, appointing_body=appointing_body,
                    term_starts_on=term_starts_on, term_ends_on=term_ends_on,
                    declaration_of_interests=declaration_of_interests, email=email, **independence)
    # One account, one roster entry: a former mediator coming back gets their entry (and history) back.
    mediator = fields.pop("former") or Mediator(created_at=utcnow())
    user = fields.pop("user")
    for key, value in fields.items():
        setattr(mediator, key, value)
    mediator.user_id = user.id
    mediator.removed_at = None
    mediator.removal_reason = mediator.removal_note = None
    db.session.add(mediator)
    db.session.flush()
    audit.record("mediator.added", actor=actor, subject=mediator, payload=_pay_payload(mediator))
    return mediator


def update_mediator(mediator: Mediator, actor: User, *, name: str, qualifications: str, appointing_body: str,
                    term_starts_on: date, term_ends_on: date, declaration_of_interests: str, email: str,
                    **independence) -> Mediator:
    """The platform admin corrects a roster entry; a new account or term is re-checked for conflicts."""
    _require_admin(actor)
    if mediator.removed_at is not None:
        raise DomainError(_("This mediator was removed from the roster."))
    fields = _clean(mediator, name=name, qualifications=qualifications, appointing_body=appointing_body,
                    term_starts_on=term_starts_on, term_ends_on=term_ends_on,
                    declaration_of_interests=declaration_of_interests, email=email, **independence)
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
    audit.record("mediator.updated", actor=actor, subject=mediator,
                 payload={"account_changed": relinked, **_pay_payload(mediator)})
    _reassign_conflicted(mediator)
    return mediator


def _pay_payload(mediator: Mediator) -> dict:
    """Who pays, for the audit trail (no personal data: the collegial body's names stay on the roster)."""
    return {"paid_by": mediator.paid_by, "paid_independently_of_outcome": mediator.paid_independently_of_outcome,
            "collegial_appointment": mediator.paid_by == "brand"}


def just_cause(mediator: Mediator, reason: str | None, note: str | None) -> tuple[str, str | None]:
    """L.613-1: before the end of the term, a removal needs a reason from the fixed list; after it, the term is over."""
    note = _optional_text(note, "note", MAX_TEXT)
    if mediator.term_ends_on < utcnow().date() and not reason:
        return "term_over", note
    if reason not in REMOVAL_REASONS:
        raise ValidationFailed(_("Before the end of the term, a mediator is removed only for a reason from the "
                                 "list."), field="reason")
    return reason, note


def remove_mediator(mediator: Mediator, actor: User, reason: str | None = None, note: str | None = None) -> Mediator:
    """The platform admin takes a mediator off the roster, for a just cause: panels end, open cases are reassigned."""
    _require_admin(actor)
    if mediator.removed_at is not None:
        raise DomainError(_("This mediator was already removed from the roster."))
    reason, note = just_cause(mediator, reason, note)
    return _retire(mediator, actor, reason, note)


def _retire(mediator: Mediator, actor: User | None, reason: str, note: str | None = None) -> Mediator:
    for seat in active_seats(mediator):
        _end_seat(seat, actor, reason, note)
    mediator.removed_at = utcnow()
    mediator.removal_reason = reason
    mediator.removal_note = note
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
        _retire(mediator, user, "account_deleted")
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


def former_seats(brand: Brand) -> list[PanelSeat]:
    """The brand's ended seats, latest first, with why they ended (for the public page)."""
    return db.session.scalars(
        select(PanelSeat).where(PanelSeat.brand_id == brand.id, PanelSeat.ended_at.is_not(None))
        .options(joinedload(PanelSeat.mediator)).order_by(PanelSeat.ended_at.desc(), PanelSeat.id.desc())).all()


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


def _end_seat(seat: PanelSeat, actor: User, reason: str, note: str | None = None) -> None:
    seat.ended_at = utcnow()
    seat.end_reason = reason
    seat.end_note = note
    if seat.holding is not None and seat.holding.ended_at is None:
        charter.end_holding(seat.holding, reason_label(reason), actor=actor)
    # Public: the reason (never a private detail beyond the admin's note) is on the brand's transparency page.
    audit.record("mediator.left_panel", actor=actor, brand=seat.brand, subject=seat, public=True,
                 payload={"reason": reason})


def remove_from_panel(mediator: Mediator, brand: Brand, actor: User, reason: str | None = None,
                      note: str | None = None) -> PanelSeat:
    """The platform admin removes a mediator from a brand's panel for a just cause; open cases there are reassigned."""
    _require_admin(actor)
    seat = seat_of(mediator, brand)
    if seat is None or seat.ended_at is not None:
        raise DomainError(_("%(name)s does not sit on the panel of %(brand)s.", name=mediator.name, brand=brand.name))
    reason, note = just_cause(mediator, reason, note)
    _end_seat(seat, actor, reason, note)
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
    # A mediator who recused themself, or whose mission a party ended, never gets the case back.
    candidates = available_mediators(case.brand, set(exclude) | ended_missions(case))
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
        parties.tell_admins(message("Case #%(id)s at %(brand)s waits for a mediator: no panel mediator is available "
                                    "without a conflict of interest.", id=case.id, brand=case.brand.name))
        parties.tell_complainants(case, message("Case #%(id)s waits for a mediator: the platform is appointing one.",
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
    parties.tell_complainants(case, message("Your case #%(id)s is assigned to the mediator %(name)s. You may object to "
                                            "this mediator within 7 days, with a reason.",
                                            id=case.id, name=chosen.name))
    if case.opened_at is not None:
        parties.tell_brand(case, message("Case #%(id)s now has the mediator %(name)s. You may object within 7 days, "
                                         "with a reason.", id=case.id, name=chosen.name))
    if previous is not None and previous is not chosen:
        _tell_former(case, previous)
    return chosen


def ended_missions(case: MediationCase) -> set[int]:
    """The mediators whose mission on this case ended: recused, or reassigned or ended after an objection."""
    if case.id is None:
        return set()
    recused = db.session.scalars(select(MediatorDeclaration.mediator_id).where(
        MediatorDeclaration.case_id == case.id, MediatorDeclaration.kind == "recusal")).all()
    objected = db.session.scalars(select(Objection.mediator_id).where(
        Objection.case_id == case.id, Objection.decision.in_(("reassigned", "mission_ended")))).all()
    return {mediator_id for mediator_id in (*recused, *objected) if mediator_id is not None}


def _due(moment: datetime | None):
    return deadline(moment) if moment is not None else "?"


def act_due(case: MediationCase) -> Message:
    """What the case's mediator has to do next, in words, for the notice of (re)assignment."""
    if case.state is CaseState.FILED:
        return message("decide on its admissibility (incomplete, refused or opened) %(due)s",
                       due=_due(deadlines.admissibility_due(case)))
    if case.state is CaseState.INCOMPLETE:
        return message("it waits for the complainant to complete it (the admissibility clock is stopped); then decide "
                       "on its admissibility")
    if case.state is CaseState.OPEN:
        return message("the mediation is open: hear the parties and make your proposal %(due)s",
                       due=_due(deadlines.mediation_due(case)))
    proposal = deadlines.pending_proposal(case)
    due = deadlines.proposal_answer_due(proposal) if proposal is not None else None
    return message("a proposal waits for the parties' answers until %(due)s; then record the outcome",
                   due=moment(due) if due is not None else "?")


def assignment_notice(case: MediationCase, kind: str = "assigned") -> Message:
    """The notice to the mediator who gets the case: it names the act due in the case's present state."""
    if kind == "reassigned":
        return message("You take over case #%(id)s against %(brand)s: %(act)s.", id=case.id, brand=case.brand.name,
                       act=act_due(case))
    return message("Case #%(id)s against %(brand)s is assigned to you: %(act)s.", id=case.id, brand=case.brand.name,
                   act=act_due(case))


def _tell_former(case: MediationCase, previous: Mediator) -> None:
    if previous.user is not None and previous.user.deleted_at is None:
        notify(previous.user, CASE_KIND, message("Case #%(id)s against %(brand)s is no longer assigned to you.",
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
        parties.tell_admins(message("%(reason)s Their open cases there are reassigned: %(cases)s.",
                                    reason=found[(mediator.user_id, brand_id)].reason(mediator.name, at),
                                    cases=numbers))
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


# --- the public page (R.614-1) -------------------------------------------------------------------------------------

def public_entry(mediator: Mediator) -> dict:
    """A panel mediator as the public reads them (R.614-1), for the API."""
    return {"name": mediator.name, "qualifications": mediator.qualifications,
            "appointing_body": mediator.appointing_body, "appointment_decision": mediator.appointment_decision,
            "term_starts_on": mediator.term_starts_on.isoformat(), "term_ends_on": mediator.term_ends_on.isoformat(),
            "declaration_of_interests": mediator.declaration_of_interests, "paid_by": mediator.paid_by,
            "payer_name": mediator.payer_name,
            "paid_independently_of_outcome": mediator.paid_independently_of_outcome,
            "collegial_body": {"consumer_associations": _lines(mediator.collegial_consumer_associations),
                               "professional_representatives": _lines(mediator.collegial_professional_representatives)}
            if mediator.paid_by == "brand" else None,
            "postal_address": mediator.postal_address, "contact_email": mediator.contact_email,
            "ec_listing_url": mediator.ec_listing_url, "networks": mediator.networks,
            "dispute_kinds": mediator.dispute_kinds, "languages": mediator.languages}
