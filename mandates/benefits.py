"""Benefits given to ambassadors: recorded by staff, only under an active mandate, totalled per year and currency."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision, is_currency
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from institutions import audit
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden, ValidationFailed
from institutions.models import User
from institutions.notifications import notify
from institutions.messages import message
from mandates import clauses as clause_schema
from mandates.models import Benefit, BenefitKind, Mandate
from mandates.notices import MISSION_KIND
from mandates.permissions import can_manage_mandates, is_active

MAX_DESCRIPTION = 500
MAX_MINOR = 10 ** 15  # far above any real benefit, far below BIGINT
AMOUNT = re.compile(r"^(\d{1,15})(?:[.,](\d+))?$")


@dataclass(frozen=True)
class YearlyTotal:
    year: int
    currency: str
    total_minor: int


def currency_code(raw: str | None) -> str:
    """An ISO 4217 code (three letters, known to CLDR), upper-cased, or a refusal."""
    code = (raw or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code) or not is_currency(code):
        raise ValidationFailed(_("Give the currency as its three-letter ISO 4217 code, e.g. EUR or USD."),
                               field="currency")
    return code


def parse_amount(raw, currency: str) -> int:
    """A decimal amount ("12.50", "12,5", 12) in minor units of the currency; zero, negative or garbage refused."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float, Decimal)):
        raise ValidationFailed(_("Give the value as a positive amount, e.g. 49.90."), field="value")
    # Spaces (and the no-break spaces French uses) group digits; they carry no meaning.
    text = re.sub(r"[\s\u00a0\u202f]", "", repr(raw) if isinstance(raw, float) else str(raw))
    if text.startswith("-"):
        raise ValidationFailed(_("The value must be more than zero."), field="value")
    match = AMOUNT.fullmatch(text)
    if not match:
        raise ValidationFailed(_("Give the value as a positive amount with digits and at most one decimal point, "
                                 "e.g. 49.90."), field="value")
    whole, fraction = match.group(1), match.group(2) or ""
    digits = get_currency_precision(currency)
    if len(fraction.rstrip("0")) > digits:
        raise ValidationFailed(_("%(currency)s amounts have at most %(n)d decimal(s).", currency=currency, n=digits),
                               field="value")
    minor = int(whole) * 10 ** digits + (int(fraction[:digits].ljust(digits, "0")) if digits else 0)
    if minor <= 0:
        raise ValidationFailed(_("The value must be more than zero."), field="value")
    if minor > MAX_MINOR:
        raise ValidationFailed(_("This value is too large."), field="value")
    return minor


def format_minor(value_minor: int, currency: str) -> str:
    """An amount in minor units, written in the reader's language: 1250 EUR -> "€12.50" / "12,50 €"."""
    amount = Decimal(value_minor).scaleb(-get_currency_precision(currency))
    locale = get_locale()
    return format_currency(amount, currency, locale=str(locale) if locale else "en")


def _kind(raw) -> BenefitKind:
    if isinstance(raw, BenefitKind):
        return raw
    try:
        return BenefitKind(raw)
    except ValueError:
        raise ValidationFailed(_("Choose money or in kind."), field="kind")


def _contract_compensation(mandate: Mandate) -> dict:
    version = mandate.version_in_force
    if version is None:
        return {}
    try:
        found = clause_schema.loads(version.clauses_json).get("compensation")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def check_provided_for(mandate: Mandate, value_minor: int, currency: str) -> None:
    """Refuse a benefit the contract in force does not provide for: no compensation stated, another currency, or
    more than the stated amount or value (FTC 255.5; loi 2023-451 art. 8 I): a signed amendment must provide for it."""
    terms = _contract_compensation(mandate)
    stated = terms.get("kind")
    amend = _(" Amend the contract first: the benefit can be recorded once both parties signed an amendment that "
              "provides for it.")
    if stated not in ("money", "in_kind"):
        raise DomainError(_("The contract in force provides for no compensation.") + amend, field="kind")
    limit = terms.get("amount") if stated == "money" else terms.get("value")
    stated_currency = (terms.get("currency") or "").upper()
    if stated_currency and stated_currency != currency:
        raise DomainError(_("The contract in force states its compensation in %(currency)s.",
                            currency=stated_currency) + amend, field="currency")
    if limit:
        try:
            limit_minor = parse_amount(str(limit), stated_currency or currency)
        except ValidationFailed:  # a stored value of an unexpected shape: staff must amend rather than guess
            limit_minor = 0
        if value_minor > limit_minor:
            raise DomainError(_("This is more than the value the contract in force states (%(value)s).",
                                value=format_minor(limit_minor, stated_currency or currency)) + amend,
                              field="value")


def record_benefit(mandate: Mandate, actor: User, *, kind, description: str, value, currency: str,
                   given_on: date | None, now: datetime | None = None) -> Benefit:
    """Staff record something of value given to the ambassador; only while the mandate is active."""
    now = now or utcnow()
    if not can_manage_mandates(actor, mandate.brand):
        raise Forbidden(_("Only the brand's staff can record a benefit."))
    if not is_active(mandate):
        raise DomainError(_("A benefit can only be recorded for an ambassador whose mandate is active. Giving "
                            "something to an advocate or to anyone else means making them an ambassador first, "
                            "with a signed contract."))
    kind = _kind(kind)
    description = (description or "").strip()
    if not description:
        raise ValidationFailed(_("Describe what was given."), field="description")
    if len(description) > MAX_DESCRIPTION:
        raise ValidationFailed(_("Description: at most %(n)d characters.", n=MAX_DESCRIPTION), field="description")
    currency = currency_code(currency)
    value_minor = parse_amount(value, currency)
    if given_on is None:
        raise ValidationFailed(_("Give the date it was given."), field="given_on")
    if given_on > now.date():
        raise ValidationFailed(_("The date it was given cannot be in the future."), field="given_on")
    started = mandate.starts_on or (mandate.activated_at.date() if mandate.activated_at else None)
    if started is not None and given_on < started:
        raise ValidationFailed(_("This date is before the mandate started (%(date)s): a benefit given before is a "
                                 "benefit to someone who was not an ambassador.", date=started.isoformat()),
                               field="given_on")
    check_provided_for(mandate, value_minor, currency)
    benefit = Benefit(mandate_id=mandate.id, kind=kind, description=description, value_minor=value_minor,
                      currency=currency, given_on=given_on, recorded_by_id=actor.id, recorded_at=now)
    db.session.add(benefit)
    db.session.flush()
    audit.record("benefit.recorded", actor=actor, brand=mandate.brand, subject=benefit,
                 payload={"mandate": mandate.id, "kind": kind.value, "value_minor": value_minor,
                          "currency": currency, "given_on": given_on.isoformat()})
    if mandate.ambassador is not None and mandate.ambassador.deleted_at is None:
        notify(mandate.ambassador, MISSION_KIND,
               message("%(brand)s recorded a benefit given to you: %(description)s (%(value)s).",
                       brand=mandate.brand.name,
                       description=description, value=format_minor(value_minor, currency)),
               link=f"/b/{mandate.brand.slug}/missions/mandates/{mandate.id}/benefits", brand=mandate.brand)
    return benefit


def benefits_query(mandate: Mandate):
    """The mandate's benefits, newest given first."""
    return (select(Benefit).where(Benefit.mandate_id == mandate.id)
            .order_by(Benefit.given_on.desc(), Benefit.id.desc()))


def benefits_of(mandate: Mandate) -> list[Benefit]:
    """Every benefit recorded under the mandate."""
    return db.session.scalars(benefits_query(mandate)).all()


def yearly_totals(mandate: Mandate) -> list[YearlyTotal]:
    """Totals per calendar year (of the date given) and currency, newest year first; never mixes currencies."""
    sums: dict[tuple[int, str], int] = defaultdict(int)
    for given_on, currency, value in db.session.execute(
            select(Benefit.given_on, Benefit.currency, Benefit.value_minor).where(Benefit.mandate_id == mandate.id)):
        sums[(given_on.year, currency)] += value
    return [YearlyTotal(year, currency, total) for (year, currency), total in
            sorted(sums.items(), key=lambda item: (-item[0][0], item[0][1]))]


def export_benefits(user: User) -> list[dict]:
    """The benefits recorded as given to the person, for their data export."""
    rows = db.session.scalars(select(Benefit).join(Mandate).where(Mandate.ambassador_id == user.id)
                              .order_by(Benefit.given_on, Benefit.id)).all()
    return [{"mandate_id": b.mandate_id, "kind": b.kind.value, "description": b.description,
             "value_minor": b.value_minor, "currency": b.currency, "given_on": b.given_on.isoformat()} for b in rows]
