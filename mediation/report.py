"""The annual report of a brand's mediation panel (R.614-2; directive 2013/11 art. 7(2)), per calendar year (UTC).

Which cases count where (the law leaves it open; the public page says the same):

- *received* (1°): the cases filed during the year. They give the count, the split by category, the recurring
  problems (2°) and the split by origin: domestic, cross-border, outside the Union (see `origin`).
- every other figure is over the cases *closed* during the year, whatever the year they were filed in, so that a
  case is counted once, when its fate is known:
  - 3° the refusal rate is refused cases among the closed ones, and each reason's share among the refused;
  - 4° the interrupted (discontinued) share is among the closed cases that had been *admitted* (opened): a refused
    case, or one withdrawn before the admissibility decision, was never a mediation. Reasons: withdrawn by the
    complainant, withdrawn by the brand, the brand
    refused to take part (said no, or did not answer in 20 days), lapsed (the 90 days and their extensions ran out);
  - 5° the average duration is from filing to closing, in days, over the closed admitted cases;
  - 6° the compliance rate is among the settled cases whose complainant said whether the brand complied;
  - 8° the shares of outcomes (for the consumer, for the brand, amicable) are among the closed cases where the
    mediator recorded whom the outcome favours.
- 7° the cooperation within networks of cross-border mediators: the `networks` of the roster entry of each
  mediator who sat on the panel during the year.
- L.612-2: the admissibility decisions taken during the year (an opening, or a refusal) and how many came after
  the three weeks (`MediationCase.admissibility_late`).
- a *recurring problem* is a category with at least `RECURRING_SHARE` % (20 %) of the cases received and at least
  two cases. The mediators' recommendations on it are the texts panel mediators write per category and year
  (mediation/recommendations.py). (The cases' closing notes are not used: they hold the complainant's
  reason for withdrawing or the brand's for declining, which are a case's content and never public.)
- the same figures are given for the domestic and for the cross-border disputes, and per mediator (the cases a
  mediator handles, for this panel).
- publication: the report of a year is a draft, seen by the panel's mediators only, until a panel mediator
  publishes it, which needs the year to be over and a recommendation on every recurring problem (the panel's and
  each mediator's). The publication records the SHA-256 of the figures, also in the audit trail.

Three queries whatever the number of cases: the cases filed, opened or closed in the year with their category,
the year's recommendations, the mediators seated on the panel during the year.
"""
from __future__ import annotations

import hashlib
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from extensions import db
from mediation import admissibility, filing, outcome, recommendations, report_archive, roster
from mediation.models import (
    CLOSED_CASE_STATES,
    CaseCategory,
    CaseState,
    MediationCase,
    Mediator,
    PanelSeat,
    ReportPublication,
)
from institutions import audit
from institutions.clock import utcnow
from institutions.errors import DomainError, Forbidden, NotFound
from institutions.models import Brand, User

RECURRING_SHARE = 20  # percent of the cases received
RECURRING_MINIMUM = 2  # a single case is not a recurring problem
FIRST_YEAR = 2000

# Code de la consommation L.611-1 (directive art. 4(1)(f)): a dispute is cross-border when the consumer lives in a
# member state of the European Union other than the one where the professional is established. ISO 3166 codes;
# Greece is "GR" (the Union's own "EL" is accepted too).
EU_MEMBER_STATES = frozenset("AT BE BG CY CZ DE DK EE EL ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"
                             .split())
ORIGINS = {"domestic": _l("Domestic disputes"), "cross_border": _l("Cross-border disputes"),
           "outside_eu": _l("Consumer or brand outside the European Union")}

# The keys are the outcome module's (outcome.FAVOURS); these are the report's column labels.
OUTCOME_LABELS = {"consumer": _l("In favour of the consumer"), "brand": _l("In favour of the brand"),
                  "amicable": _l("Amicable settlement")}
# 4°: why an admitted case ended without an outcome, by key (a case state's value, or "brand_withdrew").
DISCONTINUED = {"withdrawn": _l("Withdrawn by the complainant"),
                "brand_withdrew": _l("Withdrawn by the brand"),
                "brand_refused": _l("The brand refused to take part"),
                "lapsed": _l("The time limit ran out without an outcome")}
DISCONTINUED_STATES = (CaseState.WITHDRAWN, CaseState.BRAND_REFUSED, CaseState.LAPSED)


def percent(part: int, whole: int) -> float | None:
    """A share in percent with one decimal, or None when there is nothing to share."""
    return round(100 * part / whole, 1) if whole else None


def origin(complainant_country: str | None, brand_country: str | None) -> str:
    """L.611-1: "domestic" (same country), "cross_border" (two member states) or "outside_eu" (either is not one)."""
    consumer, brand = (complainant_country or "").upper(), (brand_country or "").upper()
    if consumer == brand:
        return "domestic"
    if consumer in EU_MEMBER_STATES and brand in EU_MEMBER_STATES:
        return "cross_border"
    return "outside_eu"


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
class Figures:
    """The figures of R.614-2 over a set of cases (the whole panel, one origin, or one mediator's cases)."""

    received: int
    categories: list[CategoryLine]
    closed: int
    refused: Share
    refusal_reasons: list[ReasonLine]
    admitted_closed: int  # the base of 4° and 5°: closed cases that had been opened
    discontinued: Share
    discontinued_reasons: list[ReasonLine]
    with_outcome: int
    outcomes: list[ReasonLine]
    average_duration_days: float | None
    settled: int
    compliance: Share
    decisions: int  # admissibility decisions taken during the year
    late_decisions: Share  # L.612-2: taken after the three weeks

    @property
    def recurring(self) -> list[CategoryLine]:
        return [line for line in self.categories if line.recurring]


@dataclass(frozen=True)
class OriginLine:
    """The figures of the disputes of one origin (domestic, cross-border, outside the Union)."""

    key: str
    label: str
    share: Share  # of the cases received
    figures: Figures


@dataclass(frozen=True)
class NetworkLine:
    """R.614-2 7°: a mediator of the panel and the cross-border networks they cooperate in ("" for none)."""

    mediator_id: int
    name: str
    networks: str


@dataclass
class AnnualReport(Figures):
    """Every figure of one panel's year (or of one mediator's cases for the panel, when `mediator` is set)."""

    brand: Brand = None
    year: int = 0
    in_progress: bool = False
    cross_border: Share = Share(0, 0)
    by_origin: list[OriginLine] = field(default_factory=list)
    networks: list[NetworkLine] = field(default_factory=list)
    mediator: Mediator | None = None
    mediators: list[NetworkLine] = field(default_factory=list)  # whose own report exists (handled a case)
    publication: ReportPublication | None = None

    @property
    def published(self) -> bool:
        return self.publication is not None


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The calendar year in UTC: [1 January, next 1 January)."""
    return datetime(year, 1, 1, tzinfo=timezone.utc), datetime(year + 1, 1, 1, tzinfo=timezone.utc)


def refusal_label(reason: str) -> str:
    """A refusal reason from the fixed list, in words."""
    return str(admissibility.REFUSAL_REASONS.get(reason, reason))


def _in(column, start: datetime, end: datetime):
    return and_(column >= start, column < end)


def _discontinued_reason(row) -> str:
    """The key of DISCONTINUED for a discontinued case (L.612-2: either party may withdraw)."""
    if row.state is CaseState.WITHDRAWN and row.withdrawn_by == "brand":
        return "brand_withdrew"
    return row.state.value


def _within(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


def _year_rows(brand: Brand, start: datetime, end: datetime) -> list:
    """The brand's cases filed, opened or closed in [start, end), with their category (one query)."""
    return db.session.execute(
        select(CaseCategory, MediationCase.state, MediationCase.refusal_reason, MediationCase.outcome_favours,
               MediationCase.complied, MediationCase.complainant_country, MediationCase.filed_at,
               MediationCase.opened_at, MediationCase.closed_at, MediationCase.mediator_id,
               MediationCase.admissibility_late, MediationCase.withdrawn_by)
        .join(CaseCategory, CaseCategory.id == MediationCase.category_id)
        .where(MediationCase.brand_id == brand.id,
               or_(_in(MediationCase.filed_at, start, end), _in(MediationCase.opened_at, start, end),
                   and_(MediationCase.state.in_(CLOSED_CASE_STATES), _in(MediationCase.closed_at, start, end))))
    ).all()


def _figures(rows: list, start: datetime, end: datetime, written: dict[int, list[str]]) -> Figures:
    """R.614-2's figures over these rows (in memory: no query)."""
    received = [row for row in rows if _within(row.filed_at, start, end)]
    closed = [row for row in rows if row.state in CLOSED_CASE_STATES and _within(row.closed_at, start, end)]
    # 4° and 5°: only a case the mediator admitted was a mediation (refused or withdrawn before it, it never was).
    admitted = [row for row in closed if row.opened_at is not None]
    # An admissibility decision is an opening, or a refusal (the refused case closes at the decision).
    decided = [row for row in rows if _within(row.opened_at, start, end)
               or (row.state is CaseState.REFUSED and _within(row.closed_at, start, end))]

    per_category = Counter(row.CaseCategory for row in received)
    categories = []
    for category, count in sorted(per_category.items(),
                                  key=lambda item: (-item[1], filing.category_label(item[0]).casefold())):
        share = Share(count, len(received))
        categories.append(CategoryLine(key=category.key, label=filing.category_label(category), share=share,
                                       recurring=count >= RECURRING_MINIMUM and share.percent >= RECURRING_SHARE,
                                       recommendations=written.get(category.id, [])))

    refused = [row for row in closed if row.state is CaseState.REFUSED]
    reasons = Counter(row.refusal_reason or "" for row in refused)
    discontinued = Counter(_discontinued_reason(row) for row in admitted if row.state in DISCONTINUED_STATES)
    favours = Counter(row.outcome_favours for row in closed if row.outcome_favours in outcome.FAVOURS)
    settled = [row for row in closed if row.state is CaseState.SETTLED]
    answered = [row for row in settled if row.complied is not None]
    durations = [(row.closed_at - row.filed_at).total_seconds() / 86400 for row in admitted]
    return Figures(
        received=len(received), categories=categories, closed=len(closed),
        refused=Share(len(refused), len(closed)),
        refusal_reasons=[ReasonLine(reason, refusal_label(reason), Share(count, len(refused)))
                         for reason, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))],
        admitted_closed=len(admitted),
        discontinued=Share(sum(discontinued.values()), len(admitted)),
        discontinued_reasons=[ReasonLine(key, str(label), Share(discontinued[key], sum(discontinued.values())))
                              for key, label in DISCONTINUED.items()],
        with_outcome=sum(favours.values()),
        outcomes=[ReasonLine(key, str(OUTCOME_LABELS.get(key, key)), Share(favours[key], sum(favours.values())))
                  for key in outcome.FAVOURS],
        average_duration_days=round(sum(durations) / len(durations), 1) if durations else None,
        settled=len(settled), compliance=Share(sum(1 for row in answered if row.complied), len(answered)),
        decisions=len(decided), late_decisions=Share(sum(1 for row in decided if row.admissibility_late),
                                                     len(decided)),
    )


def _panel_mediators(brand: Brand, start: datetime, end: datetime, rows: list) -> list[Mediator]:
    """The mediators seated on the panel during the year or who handled one of its cases, by name (one query)."""
    handled = {row.mediator_id for row in rows if row.mediator_id is not None}
    seated = (select(PanelSeat.mediator_id)
              .where(PanelSeat.brand_id == brand.id, PanelSeat.appointed_at < end,
                     or_(PanelSeat.ended_at.is_(None), PanelSeat.ended_at >= start)))
    return list(db.session.scalars(
        select(Mediator).where(or_(Mediator.id.in_(seated), Mediator.id.in_(sorted(handled))))
        .order_by(Mediator.name, Mediator.id)))


def _network_line(mediator: Mediator) -> NetworkLine:
    return NetworkLine(mediator.id, mediator.name, (mediator.networks or "").strip())


def _build(brand: Brand, year: int, rows: list, written: dict[int, list[str]], seated: list[Mediator],
           now: datetime, mediator: Mediator | None = None) -> AnnualReport:
    """The report over the rows (the panel's, or one mediator's), with its origins: no query."""
    start, end = year_bounds(year)
    if mediator is not None:
        rows = [row for row in rows if row.mediator_id == mediator.id]
    figures = _figures(rows, start, end, written)
    by_origin = []
    for key, label in ORIGINS.items():
        subset = [row for row in rows if origin(row.complainant_country, brand.country) == key]
        part = _figures(subset, start, end, written)
        by_origin.append(OriginLine(key, str(label), Share(part.received, figures.received), part))
    handled = {row.mediator_id for row in rows if row.mediator_id is not None}
    return AnnualReport(
        **vars(figures), brand=brand, year=year, in_progress=now < end,
        cross_border=by_origin[1].share, by_origin=by_origin,
        networks=[_network_line(mediator)] if mediator is not None else [_network_line(m) for m in seated],
        mediator=mediator,
        mediators=[] if mediator is not None else [_network_line(m) for m in seated if m.id in handled])


def annual_report(brand: Brand, year: int, *, now: datetime | None = None,
                  mediator: Mediator | None = None) -> AnnualReport:
    """Compute the panel's report for a calendar year, or one of its mediators' (three queries, whatever the cases)."""
    now = now or utcnow()
    start, end = year_bounds(year)
    rows = _year_rows(brand, start, end)
    written = recommendations.recommendations_by_category(brand, year)
    seated = _panel_mediators(brand, start, end, rows)
    return _report_over(brand, year, rows, written, seated, now, mediator)


def _report_over(brand: Brand, year: int, rows: list, written: dict[int, list[str]], seated: list, now: datetime,
                 mediator: Mediator | None) -> AnnualReport:
    """The panel's report (or one mediator's) over these inputs, live or frozen at publication."""
    if mediator is not None and mediator.id not in {m.id for m in seated}:
        # Neither seated during the year nor handling one of its cases: no report of theirs for this panel's year.
        raise NotFound(_("No such mediator on this panel."))
    return _build(brand, year, rows, written, seated, now, mediator)


# --- drafts and publication ----------------------------------------------------------------------------------------

def publication_of(brand: Brand, year: int) -> ReportPublication | None:
    """The year's publication, or None while the report is a draft (one query)."""
    return db.session.scalar(select(ReportPublication).where(ReportPublication.brand_id == brand.id,
                                                             ReportPublication.year == year))


def published_years(brand: Brand) -> set[int]:
    """The years whose report the panel published (one query)."""
    return set(db.session.scalars(select(ReportPublication.year).where(ReportPublication.brand_id == brand.id)))


def sees_drafts(viewer: User | None, brand: Brand) -> bool:
    """Only a mediator seated on the brand's panel reads a report before it is published."""
    return viewer is not None and getattr(viewer, "is_authenticated", False) and roster.sits_on_panel(viewer, brand)


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= utcnow().year:
        raise NotFound(_("There is no report for this year."))


def report_for(brand: Brand, year: int, viewer: User | None, mediator_id: int | None = None) -> AnnualReport:
    """The year's report (the panel's or a mediator's) for this viewer: a draft is NotFound but to panel mediators."""
    _check_year(year)
    publication = publication_of(brand, year)
    if publication is None and not sees_drafts(viewer, brand):
        raise NotFound(_("The report for this year is not published yet."))
    mediator = None
    if mediator_id is not None:
        mediator = db.session.get(Mediator, mediator_id)
        if mediator is None:
            raise NotFound(_("No such mediator on this panel."))
    if publication is not None and publication.frozen_inputs:
        # Published: the figures as published, from the inputs frozen then (report_archive).
        rows, written, seated = report_archive.thaw(publication.frozen_inputs)
        found = _report_over(brand, year, rows, written, seated, utcnow(), mediator)
    else:
        found = annual_report(brand, year, mediator=mediator)
    found.publication = publication
    return found


def missing_recommendations(brand: Brand, year: int) -> list[tuple[str, str]]:
    """The recurring problems without a recommendation, as (whose report, category), over every report of the year."""
    start, end = year_bounds(year)
    rows = _year_rows(brand, start, end)
    written = recommendations.recommendations_by_category(brand, year)
    seated = _panel_mediators(brand, start, end, rows)
    panel = _build(brand, year, rows, written, seated, utcnow())
    reports = [(_("the panel"), panel)]
    known = {m.id: m for m in seated}
    for line in panel.mediators:
        reports.append((line.name, _build(brand, year, rows, written, seated, utcnow(), known[line.mediator_id])))
    return [(name, line.label) for name, part in reports for line in part.recurring if not line.recommendations]


def figures_digest(found: AnnualReport) -> str:
    """SHA-256 of the report's figures as published (its JSON document without the audit chain head)."""
    document = as_dict(found)
    for key in ("audit_chain_head", "published", "published_at"):  # what publishing changes, not a figure
        document.pop(key, None)
    return hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def publish(brand: Brand, year: int, actor: User, *, now: datetime | None = None) -> ReportPublication:
    """A panel mediator publishes a finished year's report, once, when every recurring problem has a recommendation."""
    now = now or utcnow()
    if not roster.sits_on_panel(actor, brand):
        raise Forbidden(_("Only a mediator of the brand's panel can publish its annual report."))
    _check_year(year)
    if now < year_bounds(year)[1]:
        raise DomainError(_("A year's report can be published once the year is over."))
    if publication_of(brand, year) is not None:
        raise DomainError(_("The report for this year is already published."))
    missing = missing_recommendations(brand, year)
    if missing:
        raise DomainError(_("Every recurring problem needs a recommendation before the report is published. "
                            "Missing: %(missing)s.", missing="; ".join(f"{category} ({who})"
                                                                         for who, category in missing)))
    start, end = year_bounds(year)
    rows = _year_rows(brand, start, end)
    written = recommendations.recommendations_by_category(brand, year)
    seated = _panel_mediators(brand, start, end, rows)
    digest = figures_digest(_build(brand, year, rows, written, seated, now))
    publication = ReportPublication(brand_id=brand.id, year=year, published_at=now,
                                    published_by_id=roster.active_mediator_of(actor).id, figures_sha256=digest,
                                    frozen_inputs=report_archive.freeze(rows, written, seated))
    db.session.add(publication)
    db.session.flush()
    audit.record("mediation.report_published", actor=actor, brand=brand, subject=publication,
                 payload={"year": year, "figures_sha256": digest}, public=True)
    return publication


def report_years(brand: Brand, *, now: datetime | None = None) -> list[int]:
    """The years a report exists for, newest first: from the first case filed to this year (one query)."""
    this_year = (now or utcnow()).year
    first = db.session.scalar(select(func.min(MediationCase.filed_at)).where(MediationCase.brand_id == brand.id))
    first_year = min(first.year, this_year) if first else this_year
    return list(range(this_year, first_year - 1, -1))


# --- downloads -----------------------------------------------------------------------------------------------------

def _share(share: Share) -> dict:
    return {"count": share.count, "of": share.of, "percent": share.percent}


def _origin_dict(line: OriginLine) -> dict:
    part = line.figures
    return {"label": line.label, "received": _share(line.share), "closed": part.closed,
            "refused": _share(part.refused), "admitted_closed": part.admitted_closed,
            "discontinued": _share(part.discontinued),
            "outcomes": [{"favours": o.key, "label": o.label, **_share(o.share)} for o in part.outcomes],
            "average_duration_days": part.average_duration_days, "compliance": _share(part.compliance),
            "late_decisions": _share(part.late_decisions)}


def as_dict(report: AnnualReport) -> dict:
    """The report as a JSON document (the page, the .json download and the API give the same figures)."""
    return {
        "brand": report.brand.slug, "year": report.year, "in_progress": report.in_progress,
        "published": report.published,
        "published_at": report.publication.published_at.isoformat() if report.publication else None,
        "mediator": {"id": report.mediator.id, "name": report.mediator.name} if report.mediator else None,
        "definitions": {
            "received": "cases filed during the calendar year (UTC)",
            "closed": "cases closed during the calendar year, whatever their filing year; every figure below "
                      "except categories, cross_border and by_origin.*.received is over them",
            "admitted_closed": "the closed cases that had been admitted (opened): the base of discontinued and "
                               "average_duration_days (R.614-2 4° and 5°)",
            "cross_border": "the consumer lives in a member state of the European Union other than the brand's "
                            "(Code de la consommation L.611-1)",
            "late_decisions": "admissibility decisions (openings and refusals) taken during the year, and those "
                              "taken after the three weeks (L.612-2)",
            "recurring_share_percent": RECURRING_SHARE, "recurring_minimum_cases": RECURRING_MINIMUM,
        },
        "received": report.received,
        "categories": [{"key": line.key, "label": line.label, **_share(line.share), "recurring": line.recurring,
                        "recommendations": line.recommendations} for line in report.categories],
        "recurring_problems": [line.key for line in report.recurring],
        "cross_border": _share(report.cross_border),
        "by_origin": {line.key: _origin_dict(line) for line in report.by_origin},
        "closed": report.closed,
        "refused": _share(report.refused),
        "refusal_reasons": [{"reason": line.key, "label": line.label, **_share(line.share)}
                            for line in report.refusal_reasons],
        "admitted_closed": report.admitted_closed,
        "discontinued": _share(report.discontinued),
        "discontinued_reasons": [{"reason": line.key, "label": line.label, **_share(line.share)}
                                 for line in report.discontinued_reasons],
        "outcomes": [{"favours": line.key, "label": line.label, **_share(line.share)} for line in report.outcomes],
        "average_duration_days": report.average_duration_days,
        "settled": report.settled,
        "compliance": _share(report.compliance),
        "late_decisions": _share(report.late_decisions),
        "cross_border_networks": [{"mediator": line.mediator_id, "name": line.name, "networks": line.networks}
                                  for line in report.networks],
        "mediator_reports": [{"id": line.mediator_id, "name": line.name} for line in report.mediators],
        # The audit chain's head as the document was produced: a reader keeps it to check the chain later.
        "audit_chain_head": audit.chain_head().as_dict(),
    }


CSV_HEADER = ["section", "item", "label", "count", "of", "percent"]


def file_name(brand: Brand, found: AnnualReport, extension: str) -> str:
    """The download's name: mediation-report-<slug>-<year>[-mediator-<id>].<extension>."""
    suffix = f"-mediator-{found.mediator.id}" if found.mediator else ""
    return f"mediation-report-{brand.slug}-{found.year}{suffix}.{extension}"


def csv_text(found: AnnualReport) -> str:
    """The report as CSV: one row per figure (the page's download and the report job write the same text)."""
    from institutions import csv_safety

    buffer = io.StringIO()
    writer = csv_safety.writer(buffer)  # a category named "=cmd|…" stays text in a spreadsheet
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_rows(found))
    return buffer.getvalue()


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
    rows += [row("origin", line.key, line.label, line.share) for line in report.by_origin]
    rows.append(row("closed", "", _("Cases closed"), value=report.closed))
    rows.append(row("refused", "", _("Refused"), report.refused))
    rows += [row("refusal_reason", line.key, line.label, line.share) for line in report.refusal_reasons]
    rows.append(row("admitted_closed", "", _("Closed cases that had been admitted"), value=report.admitted_closed))
    rows.append(row("discontinued", "", _("Discontinued"), report.discontinued))
    rows += [row("discontinued_reason", line.key, line.label, line.share) for line in report.discontinued_reasons]
    rows += [row("outcome", line.key, line.label, line.share) for line in report.outcomes]
    rows.append(row("average_duration_days", "", _("Average duration (days)"), value=report.average_duration_days))
    rows.append(row("compliance", "", _("The brand complied (settled cases)"), report.compliance))
    rows.append(row("late_decisions", "", _("Admissibility decisions taken after the three weeks"),
                    report.late_decisions))
    for line in report.by_origin:  # the same figures for each origin, its key in the item column
        part = line.figures
        rows.append(row("origin_closed", line.key, line.label, value=part.closed))
        rows.append(row("origin_refused", line.key, line.label, part.refused))
        rows.append(row("origin_discontinued", line.key, line.label, part.discontinued))
        rows.append(row("origin_average_duration_days", line.key, line.label, value=part.average_duration_days))
        rows.append(row("origin_compliance", line.key, line.label, part.compliance))
    rows += [row("cross_border_networks", line.name, line.networks or _("No cooperation within a cross-border "
                                                                          "network")) for line in report.networks]
    rows.append(row("published", "", _("Published"),
                    value=report.publication.published_at.isoformat() if report.publication else _("Draft")))
    head = audit.chain_head()  # as the file was produced: item is the event number, label its hash
    rows.append(["audit_chain_head", head.number, head.hash, "", "", ""])
    return rows
