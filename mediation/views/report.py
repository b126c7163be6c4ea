"""The public annual report of a brand's mediation panel."""
from __future__ import annotations

import io

from flask import Blueprint, Response, abort, jsonify, render_template

from institutions import csv_safety
from institutions.access import brand_public
from mediation import report, roster
from institutions.clock import utcnow

blueprint = Blueprint("mediation_report", __name__, url_prefix="/b/<slug>/mediation")


def _report(brand, year: int) -> report.AnnualReport:
    """The year's report, or 404 for a year that has not begun (or before the platform)."""
    if not report.FIRST_YEAR <= year <= utcnow().year:
        abort(404)
    return report.annual_report(brand, year)


@blueprint.get("/")
@brand_public
def index(brand):
    """The panel: its mediators (appointing body, term), and a link to each year's report."""
    return render_template("mediation/index.html", brand=brand, panel=[seat.mediator for seat in roster.panel_of(brand)],
                           years=report.report_years(brand))


@blueprint.get("/report/<int:year>")
@brand_public
def annual(brand, year: int):
    """The annual report of a calendar year, as a page."""
    return render_template("mediation/report.html", brand=brand, report=_report(brand, year),
                           recurring_share=report.RECURRING_SHARE, recurring_minimum=report.RECURRING_MINIMUM)


@blueprint.get("/report/<int:year>.json")
@brand_public
def annual_json(brand, year: int):
    """The annual report as JSON."""
    response = jsonify(report.as_dict(_report(brand, year)))
    response.headers["Content-Disposition"] = f"attachment; filename=mediation-report-{brand.slug}-{year}.json"
    return response


@blueprint.get("/report/<int:year>.csv")
@brand_public
def annual_csv(brand, year: int):
    """The annual report as CSV: one row per figure (section, item, label, count, of, percent)."""
    buffer = io.StringIO()
    writer = csv_safety.writer(buffer)  # a category named "=cmd|…" stays text in a spreadsheet
    writer.writerow(report.CSV_HEADER)
    writer.writerows(report.csv_rows(_report(brand, year)))
    return Response(buffer.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=mediation-report-{brand.slug}-{year}.csv"})
