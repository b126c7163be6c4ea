"""The charter: each brand's offices, their texts, and who holds (or held) them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from extensions import db
from institutions import audit
from institutions.clock import utcnow
from institutions.errors import DomainError, ValidationFailed
from institutions.models import Brand, Office, OfficeHolding, OfficeKind, User
from institutions.permissions import can_edit_charter
from institutions.role_changes import role_changed

TEXT_FIELDS = ("obtained", "term", "powers", "obligations", "resources")
MAX_TEXT_LENGTH = 4000

OFFICE_TITLES = {
    OfficeKind.PRESIDENT: _l("Customer president"),
    OfficeKind.AMBASSADOR: _l("Ambassador"),
    OfficeKind.ADVOCATE: _l("Advocate"),
    OfficeKind.MEDIATOR: _l("Mediator"),
}

FIELD_LABELS = {
    "obtained": _l("How it is obtained"),
    "term": _l("Term"),
    "powers": _l("Powers"),
    "obligations": _l("Obligations"),
    "resources": _l("Resources"),
}

# The platform's default wording, shown in the reader's language until staff write their own.
DEFAULT_TEXTS = {
    OfficeKind.PRESIDENT: {
        "obtained": _l("Elected by the verified members of the community, by secret ballot, among candidates "
                       "who gathered the required endorsements."),
        "term": _l("Two years from certification of the election. Members may petition for a recall vote."),
        "powers": _l("Speaks for the community to the brand; files representations the brand must answer "
                     "publicly within the deadline; may open a collective mediation case."),
        "obligations": _l("Acts in the interest of the whole community, reports publicly on representations, "
                          "declares any benefit received from the brand."),
        "resources": _l("A public page, the representations register, and the brand's answer within 30 days."),
    },
    OfficeKind.AMBASSADOR: {
        "obtained": _l("A written mission contract offered by the brand and signed by both parties."),
        "term": _l("The term written in the contract; it completes at its end date or may be revoked with "
                   "notice."),
        "powers": _l("Speaks in the brand's name within the missions and channels the contract lists."),
        "obligations": _l("Discloses the commercial relationship with the label the contract sets, follows the "
                          "code of conduct, reports on mission orders."),
        "resources": _l("The compensation written in the contract, if any, recorded in the public registry."),
    },
    OfficeKind.ADVOCATE: {
        "obtained": _l("Declared by the member, with a statement, and recognized by the brand."),
        "term": _l("Until the member withdraws or the brand withdraws recognition, with a reason."),
        "powers": _l("Defends the brand or its customers in their own name; no power to commit the brand."),
        "obligations": _l("Stays independent: any benefit from the brand is a material connection and turns "
                          "the advocate into an ambassador under contract."),
        "resources": _l("Public recognition in the registry."),
    },
    OfficeKind.MEDIATOR: {
        "obtained": _l("Chosen from the platform's roster of independent mediators and appointed to the brand's "
                       "panel by the platform."),
        "term": _l("At least three years, renewable."),
        "powers": _l("Declares cases admissible or not, hears both parties, proposes a solution."),
        "obligations": _l("Independence and impartiality, declared conflicts of interest, a decision on "
                          "admissibility within three weeks, a proposal within 90 days, an annual report."),
        # Who pays, and whether independently of the outcome, is the roster's record, shown on the public mediation
        # page: the charter promises nothing the roster has not recorded (L.613-1, D.613-2).
        "resources": _l("Paid as the public mediation page records (who pays, and whether independently of the "
                        "outcome of cases); the case file and both parties' documents."),
    },
}

DEFAULT_TERM_MONTHS = {OfficeKind.PRESIDENT: 24, OfficeKind.MEDIATOR: 36}
DEFAULT_RECALL_THRESHOLD_PERCENT = 20
DEFAULT_RECALL_WINDOW_DAYS = 30
# The brand answers the president's representations within this many days unless the charter says otherwise.
DEFAULT_REPRESENTATION_RESPONSE_DAYS = 30
# Staff certify a counted election within this many days unless the charter says otherwise.
DEFAULT_CERTIFICATION_DAYS = 14


NUMBERED_SOURCES = {"election": _l("Election #%(ref)s"), "mandate": _l("Mandate #%(ref)s")}
PLAIN_SOURCES = {"appointment": _l("Appointment by the platform"), "recognition": _l("Recognized by the brand")}


def holding_source_label(source: str) -> str:
    """What made someone an office holder, in words: "election:12" -> "Election #12"."""
    kind, _sep, ref = source.partition(":")
    if ref and kind in NUMBERED_SOURCES:
        return str(NUMBERED_SOURCES[kind]) % {"ref": ref}
    if kind in PLAIN_SOURCES:
        return str(PLAIN_SOURCES[kind])
    return source


@dataclass(frozen=True)
class OfficeSummary:
    """A line a later feature shows under an office on the charter: figures in words and a link."""

    text: str
    link: str | None = None
    link_label: str | None = None


# Later features (mandates: ambassadors, advocates) summarise their office on the charter by
# registering a provider at import, so that institutions never imports them.
_SUMMARY_PROVIDERS: dict[OfficeKind, dict[str, Callable[[Brand], OfficeSummary | None]]] = {}


def register_office_summary(kind: OfficeKind, provider: Callable[[Brand], OfficeSummary | None]) -> None:
    """Add (or replace, when registered again under the same name) a summary provider for an office."""
    _SUMMARY_PROVIDERS.setdefault(kind, {})[f"{provider.__module__}.{provider.__qualname__}"] = provider


def office_summaries(brand: Brand) -> dict[OfficeKind, list[OfficeSummary]]:
    """The registered summaries of each office of the brand (each provider runs a bounded number of queries)."""
    summaries: dict[OfficeKind, list[OfficeSummary]] = {}
    for kind, providers in _SUMMARY_PROVIDERS.items():
        lines = [line for line in (provider(brand) for provider in providers.values()) if line is not None]
        if lines:
            summaries[kind] = lines
    return summaries


def office_title(office: Office) -> str:
    """The office's name in the reader's language."""
    return str(OFFICE_TITLES[office.kind])


def office_text(office: Office, field: str) -> str:
    """The brand's wording for a field of the office, or the default in the reader's language."""
    value = getattr(office, field)
    return value if value else str(DEFAULT_TEXTS[office.kind][field])


def create_default_offices(brand: Brand) -> list[Office]:
    """Give a new brand the four offices with the default texts."""
    offices = []
    for position, kind in enumerate(OfficeKind):
        office = Office(
            brand_id=brand.id, kind=kind, position=position,
            term_months=DEFAULT_TERM_MONTHS.get(kind), updated_at=utcnow(),
        )
        if kind is OfficeKind.PRESIDENT:
            office.recall_threshold_percent = DEFAULT_RECALL_THRESHOLD_PERCENT
            office.recall_window_days = DEFAULT_RECALL_WINDOW_DAYS
        db.session.add(office)
        offices.append(office)
    db.session.flush()
    return offices


def offices_with_holders(brand: Brand) -> list[Office]:
    """The brand's offices with their holders loaded, for the charter page (one query each)."""
    return db.session.scalars(
        select(Office)
        .where(Office.brand_id == brand.id)
        .options(selectinload(Office.holdings))
        .order_by(Office.position)
    ).all()


def office_of(brand: Brand, kind: OfficeKind) -> Office:
    """The brand's office of this kind."""
    office = db.session.scalar(select(Office).where(Office.brand_id == brand.id, Office.kind == kind))
    if office is None:  # brands always get their offices at creation
        raise DomainError(_("This brand has no such office."))
    return office


def certification_days(brand: Brand) -> int:
    """Days the brand has to certify a counted election: the president's office in the charter, or 14."""
    days = db.session.scalar(select(Office.certification_days).where(Office.brand_id == brand.id,
                                                                      Office.kind == OfficeKind.PRESIDENT))
    return days or DEFAULT_CERTIFICATION_DAYS


def update_office_texts(office: Office, actor: User, texts: dict[str, str], term_months: int | None,
                        recall_threshold_percent: int | None = None, recall_window_days: int | None = None,
                        representation_response_days: int | None = None,
                        certification_days: int | None = None) -> None:
    """Staff rewrite the charter texts of an office; an empty field goes back to the default.

    For the elected president, the recall threshold (share of eligible members) and window apply too,
    and the days the brand has to answer a representation (empty: the default, 30) and to certify a
    counted election (empty: the default, 14).
    """
    if not can_edit_charter(actor, office.brand):
        raise DomainError(_("Only the brand's staff can edit its charter."))
    for field in TEXT_FIELDS:
        value = (texts.get(field) or "").strip()
        if len(value) > MAX_TEXT_LENGTH:
            raise ValidationFailed(
                _("At most %(n)d characters.", n=MAX_TEXT_LENGTH), field=field
            )
    if term_months is not None and not 1 <= term_months <= 120:
        raise ValidationFailed(_("The term must be between 1 and 120 months."), field="term_months")
    if recall_threshold_percent is not None and not 1 <= recall_threshold_percent <= 100:
        raise ValidationFailed(_("The recall threshold is a share between 1 and 100 percent."),
                               field="recall_threshold_percent")
    if recall_window_days is not None and not 1 <= recall_window_days <= 365:
        raise ValidationFailed(_("The recall window lasts between 1 and 365 days."), field="recall_window_days")
    if representation_response_days is not None and not 1 <= representation_response_days <= 365:
        raise ValidationFailed(_("The brand answers a representation within 1 to 365 days."),
                               field="representation_response_days")
    if certification_days is not None and not 1 <= certification_days <= 365:
        raise ValidationFailed(_("The brand certifies a counted election within 1 to 365 days."),
                               field="certification_days")
    changed = []
    for field in TEXT_FIELDS:
        value = (texts.get(field) or "").strip() or None
        if value != getattr(office, field):
            setattr(office, field, value)
            changed.append(field)
    numbers = {"term_months": term_months}
    if office.kind is OfficeKind.PRESIDENT:
        numbers["recall_threshold_percent"] = recall_threshold_percent or DEFAULT_RECALL_THRESHOLD_PERCENT
        numbers["recall_window_days"] = recall_window_days or DEFAULT_RECALL_WINDOW_DAYS
        numbers["representation_response_days"] = representation_response_days
        numbers["certification_days"] = certification_days
    for field, value in numbers.items():
        if value != getattr(office, field):
            setattr(office, field, value)
            changed.append(field)
    if changed:
        office.updated_at = utcnow()
        audit.record(
            "charter.office_updated", actor=actor, brand=office.brand, subject=office,
            payload={"office": office.kind.value, "fields": changed}, public=True,
        )
    db.session.flush()


def install_holder(
    brand: Brand, kind: OfficeKind, user: User, *, source: str, actor: User | None = None,
    starts_at: datetime | None = None, term_ends_at: datetime | None = None,
) -> OfficeHolding:
    """Make someone an office holder (later features call this: election, mandate, appointment)."""
    office = office_of(brand, kind)
    holding = OfficeHolding(
        office_id=office.id, user_id=user.id, holder_name=user.display_name, source=source,
        started_at=starts_at or utcnow(), term_ends_at=term_ends_at,
    )
    db.session.add(holding)
    db.session.flush()
    audit.record(
        "office.holder_installed", actor=actor, brand=brand, subject=holding,
        payload={"office": kind.value, "holder": user.pseudonym, "source": source}, public=True,
    )
    role_changed(user, brand)  # an office is a role: a mediator who becomes president is no longer neutral
    return holding


def end_holding(holding: OfficeHolding, reason: str, *, actor: User | None = None) -> OfficeHolding:
    """End an office holding, with a public reason (term over, revoked, resigned...)."""
    if holding.ended_at is not None:
        raise DomainError(_("This office holding has already ended."))
    holding.ended_at = utcnow()
    holding.end_reason = reason[:200]
    db.session.flush()
    audit.record(
        "office.holding_ended", actor=actor, brand=holding.office.brand, subject=holding,
        payload={"office": holding.office.kind.value, "reason": holding.end_reason}, public=True,
    )
    return holding


def current_holdings(office: Office) -> list[OfficeHolding]:
    """Holdings still running (loaded with the office)."""
    return [h for h in office.holdings if h.ended_at is None]


def past_holdings(office: Office) -> list[OfficeHolding]:
    """Holdings that have ended, newest first."""
    return [h for h in office.holdings if h.ended_at is not None]


def sitting_president(brand: Brand) -> OfficeHolding | None:
    """The open holding of the brand's PRESIDENT office, if someone holds it now (the one answer, for every feature)."""
    holdings = current_holdings(office_of(brand, OfficeKind.PRESIDENT))
    return max(holdings, key=lambda holding: holding.started_at, default=None)


def is_sitting_president(user, brand: Brand) -> bool:
    """This signed-in account holds the brand's presidency now."""
    if user is None or not user.is_authenticated:
        return False
    holding = sitting_president(brand)
    return holding is not None and holding.user_id == user.id
