"""The public registry of a brand: who represents it and on what terms, and who did.

Everything here is public. Only what the issue names leaves the contract: the public name, a
mission summary, paid or unpaid (never the amount), the disclosure label and the term. Legal
names, addresses, tax residence and amounts stay in the signed text, which only the parties see.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import url_for
from flask_babel import ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, load_only

from extensions import db
from institutions import charter
from institutions.models import Brand
from mandates import clauses as schema
from mandates.models import (
    ENDED_STATES,
    AdvocacyState,
    AdvocateDeclaration,
    Benefit,
    Mandate,
    MandateState,
    MandateVersion,
    VersionState,
)

# A mandate reaches the registry once both parties have signed; drafts, offers waiting for a
# signature and declined offers never do.
CURRENT_STATES = (MandateState.ACTIVE, MandateState.SCHEDULED)
LISTED_STATES = CURRENT_STATES + ENDED_STATES
SIGNED_VERSION_STATES = (VersionState.IN_FORCE, VersionState.SUPERSEDED)
MISSION_SUMMARY_LENGTH = 280

# Only these version columns are read (never the contract text, which can be long).
_FACT_COLUMNS = (MandateVersion.id, MandateVersion.mandate_id, MandateVersion.number, MandateVersion.state,
                 MandateVersion.clauses_json, MandateVersion.in_force_at)


@dataclass(frozen=True)
class RegistryFacts:
    """What the registry shows of a contract's clauses."""

    mission: str | None = None
    # "none", "money" or "in_kind"; None when the clauses do not say.
    compensation: str | None = None
    label: str | None = None
    # An employee of the brand also discloses the employment (DOMAIN: disclosure obligation).
    employee: bool = False
    starts_on: date | None = None
    ends_on: date | None = None

    @property
    def paid(self) -> bool | None:
        """True when the ambassador gets money or something in kind; None when unknown."""
        return None if self.compensation is None else self.compensation != "none"


@dataclass
class RegistryEntry:
    """One mandate as the public sees it."""

    mandate_id: int
    public_name: str
    state: MandateState
    facts: RegistryFacts
    starts_on: date | None
    ends_on: date | None
    # An end announced (revocation or resignation): when it was given and when it takes effect.
    end_requested_on: date | None = None
    end_effective_on: date | None = None
    # When it actually ended (ended mandates only).
    ended_on: date | None = None
    # A benefit was recorded under the mandate: a material connection, whatever the contract says (FTC 255.5).
    benefit_recorded: bool = False

    @property
    def paid(self) -> bool | None:
        """Paid as soon as any benefit is recorded; otherwise what the contract says."""
        return True if self.benefit_recorded else self.facts.paid

    @property
    def compensation(self) -> str | None:
        """The compensation the registry shows: "benefit" when a benefit was recorded under an unpaid contract."""
        if self.benefit_recorded and self.facts.compensation in (None, "none"):
            return "benefit"
        return self.facts.compensation


@dataclass
class AdvocateEntry:
    """A recognized advocate as the public sees them."""

    public_name: str
    defends: str
    since: datetime | None


@dataclass
class Registry:
    """The whole public registry of a brand."""

    brand: Brand
    active: list[RegistryEntry] = field(default_factory=list)
    scheduled: list[RegistryEntry] = field(default_factory=list)
    history: list[RegistryEntry] = field(default_factory=list)
    advocates: list[AdvocateEntry] = field(default_factory=list)


def _field(data: dict, clause_key: str, field_key: str):
    """One clause field, or None; stored clauses are cleaned, but the registry must never fail on a shape."""
    if not isinstance(data.get(clause_key), dict):
        return None
    return schema.value(data, clause_key, field_key)


def _day(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _text(value) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    value = " ".join(str(value).split())
    if len(value) > MISSION_SUMMARY_LENGTH:
        value = value[:MISSION_SUMMARY_LENGTH - 1].rstrip() + "…"
    return value or None


def registry_facts(version: MandateVersion | None) -> RegistryFacts:
    """Read the public facts from a version's clauses (see mandates/clauses.py); anything missing gives None."""
    try:
        data = schema.loads(version.clauses_json) if version is not None else {}
    except ValueError:
        data = {}
    nature, channels = _text(_field(data, "missions", "nature")), _text(_field(data, "missions", "channels"))
    mission = nature
    if nature and channels:
        mission = _text(_("%(nature)s (channels: %(channels)s)", nature=nature, channels=channels))
    compensation = _field(data, "compensation", "kind")
    return RegistryFacts(
        mission=mission,
        compensation=compensation if compensation in schema.COMPENSATION_KINDS else None,
        label=_text(_field(data, "disclosure", "label")),
        employee=_field(data, "disclosure", "employee") is True,
        starts_on=_day(_field(data, "term", "starts_on")),
        ends_on=_day(_field(data, "term", "ends_on")),
    )


def _entry(mandate: Mandate, version: MandateVersion | None) -> RegistryEntry:
    facts = registry_facts(version)
    ended_on = None
    if mandate.state is MandateState.COMPLETED:
        # It ran to its last day (included), whenever the completion was recorded.
        ended_on = mandate.ends_on or facts.ends_on or _day(mandate.ended_at)
    elif mandate.state in ENDED_STATES:
        # A revocation or resignation takes effect at 00:00 UTC on its effective day.
        ended_on = mandate.end_effective_on or _day(mandate.ended_at)
    return RegistryEntry(
        mandate_id=mandate.id, public_name=mandate.public_name, state=mandate.state, facts=facts,
        starts_on=mandate.starts_on or facts.starts_on, ends_on=mandate.ends_on or facts.ends_on,
        end_requested_on=_day(mandate.end_requested_at), end_effective_on=mandate.end_effective_on,
        ended_on=ended_on,
    )


def _signed_versions(mandate_ids: list[int]) -> dict[int, MandateVersion]:
    """The latest version signed by both parties of each mandate (one query for all of them)."""
    if not mandate_ids:
        return {}
    versions = db.session.scalars(
        select(MandateVersion).options(load_only(*_FACT_COLUMNS))
        .where(MandateVersion.mandate_id.in_(mandate_ids), MandateVersion.state.in_(SIGNED_VERSION_STATES))
        .order_by(MandateVersion.mandate_id, MandateVersion.number)
    ).all()
    return {version.mandate_id: version for version in versions}  # the highest number wins


def _with_benefits(mandate_ids: list[int]) -> set[int]:
    """The mandates under which at least one benefit was recorded (one query for all of them)."""
    if not mandate_ids:
        return set()
    return set(db.session.scalars(select(Benefit.mandate_id).where(Benefit.mandate_id.in_(mandate_ids)).distinct()))


def registry_of(brand: Brand) -> Registry:
    """The brand's public registry, in three queries whatever the number of mandates and advocates."""
    mandates = db.session.scalars(
        select(Mandate)
        .options(joinedload(Mandate.version_in_force).load_only(*_FACT_COLUMNS))
        .where(Mandate.brand_id == brand.id, Mandate.state.in_(LISTED_STATES))
        .order_by(Mandate.id)
    ).all()
    # A mandate that ended may have let go of its version in force: read the last signed one instead.
    fallback = _signed_versions([m.id for m in mandates if m.version_in_force is None])
    benefited = _with_benefits([m.id for m in mandates])
    registry = Registry(brand=brand)
    for mandate in mandates:
        entry = _entry(mandate, mandate.version_in_force or fallback.get(mandate.id))
        entry.benefit_recorded = mandate.id in benefited
        if mandate.state is MandateState.ACTIVE:
            registry.active.append(entry)
        elif mandate.state is MandateState.SCHEDULED:
            registry.scheduled.append(entry)
        else:
            registry.history.append(entry)
    registry.active.sort(key=lambda e: (e.public_name.casefold(), e.mandate_id))
    registry.scheduled.sort(key=lambda e: (e.starts_on or date.max, e.public_name.casefold()))
    registry.history.sort(key=lambda e: (e.ended_on or date.min, e.mandate_id), reverse=True)
    advocates = db.session.scalars(
        select(AdvocateDeclaration)
        .where(AdvocateDeclaration.brand_id == brand.id, AdvocateDeclaration.state == AdvocacyState.RECOGNIZED)
        .order_by(AdvocateDeclaration.public_name, AdvocateDeclaration.id)
    ).all()
    registry.advocates = [AdvocateEntry(public_name=a.public_name, defends=a.defends, since=a.decided_at)
                          for a in advocates]
    return registry


def count_active_ambassadors(brand: Brand) -> int:
    """How many ambassadors represent the brand today (one query)."""
    return db.session.scalar(select(func.count(Mandate.id)).where(
        Mandate.brand_id == brand.id, Mandate.state == MandateState.ACTIVE)) or 0


def count_recognized_advocates(brand: Brand) -> int:
    """How many advocates the brand recognizes today (one query)."""
    return db.session.scalar(select(func.count(AdvocateDeclaration.id)).where(
        AdvocateDeclaration.brand_id == brand.id, AdvocateDeclaration.state == AdvocacyState.RECOGNIZED)) or 0


def ambassador_summary(brand: Brand) -> charter.OfficeSummary:
    count = count_active_ambassadors(brand)
    return charter.OfficeSummary(
        text=ngettext("%(num)d active ambassador.", "%(num)d active ambassadors.", count),
        link=url_for("registry.index", slug=brand.slug, _anchor="ambassadors"),
        link_label=_("See them in the public registry"))


def advocate_summary(brand: Brand) -> charter.OfficeSummary:
    count = count_recognized_advocates(brand)
    return charter.OfficeSummary(
        text=ngettext("%(num)d recognized advocate.", "%(num)d recognized advocates.", count),
        link=url_for("registry.index", slug=brand.slug, _anchor="advocates"),
        link_label=_("See them in the public registry"))


# The charter shows these counts and links here, without institutions importing mandates.
