"""The annual report of a brand's mediation panel, per calendar year (UTC), public, with a fixed number of queries.

Which cases count where (the issue leaves it open; the public page says the same):

- *received*: the cases filed during the year. They give the count, the split by category, the recurring problems
  and the cross-border cases (the complainant's country differs from the brand's).
- every other figure is over the cases *closed* during the year, whatever the year they were filed in, so that a
  case is counted once, when its fate is known:
  - the refusal rate is refused cases among the closed ones, and each reason's share among the refused;
  - the discontinued share is among the closed ones: withdrawn by the complainant, the brand refused to take part
    (said no, or did not answer in 20 days), lapsed (the 90 days and their extension ran out), each reason's share
    among the discontinued;
  - the shares of outcomes (for the consumer, for the brand, amicable) are among the closed cases where the
    mediator recorded whom the outcome favours;
  - the average duration is from filing to closing, in days, over every closed case;
  - the compliance rate is among the settled cases whose complainant said whether the brand complied.
- a *recurring problem* is a category with at least `RECURRING_SHARE` % (20 %) of the cases received and at least
  two cases. The mediators' recommendations on it are the texts panel mediators write per category and year
  (mediation/recommendations.py). (The cases' closing notes are not used: they hold the complainant's
  reason for withdrawing or the brand's for declining, which are a case's content and never public.)

Two queries whatever the number of cases: the cases filed or closed in the year with their category, and the
year's recommendations.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from extensions import db
from mediation import admissibility, filing, outcome, recommendations
from mediation.models import (
    CLOSED_CASE_STATES,
    CaseCategory,
    CaseState,
    MediationCase,
)
from institutions import audit
from institutions.clock import utcnow
from institutions.models import Brand

RECURRING_SHARE = 20  # percent of the cases received
RECURRING_MINIMUM = 2  # a single case is not a recurring problem
FIRST_YEAR = 2000

# The keys are the outcome module's (outcome.FAVOURS); these are the report's column labels.
OUTCOME_LABELS = {"consumer": _l("In favour of the consumer"), "brand": _l("In favour of the brand"),
                  "amicable": _l("Amicable settlement")}
DISCONTINUED = {CaseState.WITHDRAWN: _l("Withdrawn by the complainant"),
                CaseState.BRAND_REFUSED: _l("The brand refused to take part"),
                CaseState.LAPSED: _l("The time limit ran out without an outcome")}


def percent(part: int, whole: int) -> float | None:
    """A share in percent with one decimal, or None when there is nothing to share."""
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class Share:
    """`count` out of `of`, and the percentage."""

    count: int
    of: int

    @property
    def percent(self) -> float | None:
        return percent(self.count, self.of)


@dataclass
class CategoryLine:
    """One category of cases received: how many, their share, whether it recurs, what the mediators recommend."""

    key: str
    label: str
    share: Share
    recurring: bool = False
    recommendations: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReasonLine:
    """A reason (for refusing, or for discontinuing) and its share."""

    key: str
    label: str
    share: Share


@dataclass
class AnnualReport:
    """Every figure of one panel's year."""

    brand: Brand
    year: int
    in_progress: bool
    received: int
    categories: list[CategoryLine]
    cross_border: Share
    closed: int
    refused: Share
    refusal_reasons: list[ReasonLine]
    discontinued: Share
    discontinued_reasons: list[ReasonLine]
    with_outcome: int
    outcomes: list[ReasonLine]
    average_duration_days: float | None
    settled: int
    compliance: Share

    @property
    def recurring(self) -> list[CategoryLine]:
        return [line for line in self.categories if line.recurring]


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The calendar year in UTC: [1 January, next 1 January)."""
    return datetime(year, 1, 1, tzinfo=timezone.utc), datetime(year + 1, 1, 1, tzinfo=timezone.utc)


def refusal_label(reason: str) -> str:
    """A refusal reason from the fixed list, in words."""
    return str(admissibility.REFUSAL_REASONS.get(reason, reason))


def _in(column, start: datetime, end: datetime):
    return and_(column >= start, column < end)


def annual_report(brand: Brand, year: int, *, now: datetime | None = None) -> AnnualReport:
    """Compute the panel's report for a calendar year (two queries, whatever the number of cases)."""
    now = now or utcnow()
    start, end = year_bounds(year)
    rows = db.session.execute(
        select(CaseCategory, MediationCase.state, MediationCase.refusal_reason, MediationCase.outcome_favours,
               MediationCase.complied, MediationCase.complainant_country, MediationCase.filed_at,
               MediationCase.closed_at)
        .join(CaseCategory, CaseCategory.id == MediationCase.category_id)
        .where(MediationCase.brand_id == brand.id,
               or_(_in(MediationCase.filed_at, start, end),
                   and_(MediationCase.state.in_(CLOSED_CASE_STATES), _in(MediationCase.closed_at, start, end))))
    ).all()
    home = (brand.country or "").upper()
    received = [row for row in rows if start <= row.filed_at < end]
    closed = [row for row in rows if row.state in CLOSED_CASE_STATES and row.closed_at is not None
              and start <= row.closed_at < end]

    per_category = Counter(row.CaseCategory for row in received)
    written = recommendations.recommendations_by_category(brand, year)
    categories = []
    for category, count in sorted(per_category.items(),
                                  key=lambda item: (-item[1], filing.category_label(item[0]).casefold())):
        share = Share(count, len(received))
        categories.append(CategoryLine(key=category.key, label=filing.category_label(category), share=share,
                                       recurring=count >= RECURRING_MINIMUM and share.percent >= RECURRING_SHARE,
                                       recommendations=written.get(category.id, [])))
    cross_border = sum(1 for row in received if (row.complainant_country or "").upper() != home)

    refused = [row for row in closed if row.state is CaseState.REFUSED]
    reasons = Counter(row.refusal_reason or "" for row in refused)
    discontinued = Counter(row.state for row in closed if row.state in DISCONTINUED)
    favours = Counter(row.outcome_favours for row in closed if row.outcome_favours in outcome.FAVOURS)
    settled = [row for row in closed if row.state is CaseState.SETTLED]
    answered = [row for row in settled if row.complied is not None]
    durations = [(row.closed_at - row.filed_at).total_seconds() / 86400 for row in closed]
    return AnnualReport(
        brand=brand, year=year, in_progress=now < end, received=len(received), categories=categories,
        cross_border=Share(cross_border, len(received)), closed=len(closed), refused=Share(len(refused), len(closed)),
        refusal_reasons=[ReasonLine(reason, refusal_label(reason), Share(count, len(refused)))
                         for reason, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))],
        discontinued=Share(sum(discontinued.values()), len(closed)),
        discontinued_reasons=[ReasonLine(state.value, str(label), Share(discontinued[state],
                                                                        sum(discontinued.values())))
                              for state, label in DISCONTINUED.items()],
        with_outcome=sum(favours.values()),
        outcomes=[ReasonLine(key, str(OUTCOME_LABELS.get(key, key)), Share(favours[key], sum(favours.values())))
                  for key in outcome.FAVOURS],
        average_duration_days=round(sum(durations) / len(durations), 1) if durations else None,
        settled=len(settled), compliance=Share(sum(1 for row in answered if row.complied), len(answered)),
    )


def report_years(brand: Brand, *, now: datetime | None = None) -> list[int]:
    """The years a report exists for, newest first: from the first case filed to this year (one query)."""
    this_year = (now or utcnow()).year
    first = db.session.scalar(select(func.min(MediationCase.filed_at)).where(MediationCase.brand_id == brand.id))
    first_year = min(first.year, this_year) if first else this_year
    return list(range(this_year, first_year - 1, -1))


# --- downloads -----------------------------------------------------------------------------------------------------

def _share(share: Share) -> dict:
    return {"count": share.count, "of": share.of, "percent": share.percent}


def as_dict(report: AnnualReport) -> dict:
    """The report as a JSON document (the page, the .json download and the API give the same figures)."""
    return {
        "brand": report.brand.slug, "year": report.year, "in_progress": report.in_progress,
        "definitions": {
            "received": "cases filed during the calendar year (UTC)",
            "closed": "cases closed during the calendar year, whatever their filing year; every figure below "
                      "except categories and cross_border is over them",
            "recurring_share_percent": RECURRING_SHARE, "recurring_minimum_cases": RECURRING_MINIMUM,
        },
        "received": report.received,
        "categories": [{"key": line.key, "label": line.label, **_share(line.share), "recurring": line.recurring,
                        "recommendations": line.recommendations} for line in report.categories],
        "recurring_problems": [line.key for line in report.recurring],
        "cross_border": _share(report.cross_border),
        "closed": report.closed,
        "refused": _share(report.refused),
        "refusal_reasons": [{"reason": line.key, "label": line.label, **_share(line.share)}
                            for line in report.refusal_reasons],
        "discontinued": _share(report.discontinued),
        "discontinued_reasons": [{"reason": line.key, "label": line.label, **_share(line.share)}
                                 for line in report.discontinued_reasons],
        "outcomes": [{"favours": line.key, "label": line.label, **_share(line.share)} for line in report.outcomes],
        "average_duration_days": report.average_duration_days,
        "settled": report.settled,
        "compliance": _share(report.compliance),
        # The audit chain's head as the document was produced: a reader keeps it to check the chain later.
        "audit_chain_head": audit.chain_head().as_dict(),
    }


CSV_HEADER = ["section", "item", "label", "count", "of", "percent"]


def csv_rows(report: AnnualReport) -> list[list]:
    """The report as flat rows (section, item, label, count, of, percent) for a spreadsheet."""
    def row(section, item, label, share: Share | None = None, value=None):
        if share is not None:
            return [section, item, label, share.count, share.of, "" if share.percent is None else share.percent]
        return [section, item, label, "" if value is None else value, "", ""]

    rows = [row("received", "", _("Cases received"), value=report.received)]
    rows += [row("category", line.key, line.label, line.share) for line in report.categories]
    rows += [row("recurring_problem", line.key, line.label, line.share) for line in report.recurring]
    rows += [row("recommendation", line.key, note) for line in report.recurring for note in line.recommendations]
    rows.append(row("cross_border", "", _("Cross-border cases"), report.cross_border))
    rows.append(row("closed", "", _("Cases closed"), value=report.closed))
    rows.append(row("refused", "", _("Refused"), report.refused))
    rows += [row("refusal_reason", line.key, line.label, line.share) for line in report.refusal_reasons]
    rows.append(row("discontinued", "", _("Discontinued"), report.discontinued))
    rows += [row("discontinued_reason", line.key, line.label, line.share) for line in report.discontinued_reasons]
    rows += [row("outcome", line.key, line.label, line.share) for line in report.outcomes]
    rows.append(row("average_duration_days", "", _("Average duration (days)"), value=report.average_duration_days))
    rows.append(row("compliance", "", _("The brand complied (settled cases)"), report.compliance))
    head = audit.chain_head()  # as the file was produced: item is the event number, label its hash
    rows.append(["audit_chain_head", head.number, head.hash, "", "", ""])
    return rows
