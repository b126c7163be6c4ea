"""The annual report of a brand's mediation panel: public once published, a draft for the panel's mediators before."""
from __future__ import annotations

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from institutions.access import brand_public, brand_signed_in
from institutions.clock import utcnow
from institutions.forms import ActionForm
from institutions.view_helpers import act_and_redirect, commit_or_refuse
from mediation import public_page, report, report_jobs, roster
from mediation.access import panel_mediator

blueprint = Blueprint("mediation_report", __name__, url_prefix="/b/<slug>/mediation")


def _report(brand, year: int, mediator_id: int | None = None) -> report.AnnualReport:
    """The year's report as the viewer may read it (NotFound, a 404, for a draft or a year not begun)."""
    return report.report_for(brand, year, current_user, mediator_id)


def _page(brand, found: report.AnnualReport):
    return render_template("mediation/report.html", brand=brand, report=found,
                           recurring_share=report.RECURRING_SHARE, recurring_minimum=report.RECURRING_MINIMUM,
                           can_publish=not found.published and not found.in_progress and found.mediator is None
                           and report.sees_drafts(current_user, brand),
                           action_form=ActionForm(), can_build_job=report_jobs.can_build(current_user, found))


def _json(brand, found: report.AnnualReport) -> Response:
    response = jsonify(report.as_dict(found))
    response.headers["Content-Disposition"] = f"attachment; filename={report.file_name(brand, found, 'json')}"
    return response


def _csv(brand, found: report.AnnualReport) -> Response:
    return Response(report.csv_text(found), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename={report.file_name(brand, found, 'csv')}"})


@blueprint.get("/")
@brand_public
def index(brand):
    """The panel: its mediators, and each published year's report (drafts too for the panel's mediators)."""
    published = report.published_years(brand)
    drafts_seen = report.sees_drafts(current_user, brand)
    years = [year for year in report.report_years(brand) if drafts_seen or year in published]
    return render_template("mediation/index.html", brand=brand,
                           panel=[seat.mediator for seat in roster.panel_of(brand)], years=years,
                           drafts={year for year in years if year not in published},
                           current_year=utcnow().year, **public_page.page_context(brand))


@blueprint.get("/report/<int:year>")
@brand_public
def annual(brand, year: int):
    """The annual report of a calendar year, as a page."""
    return _page(brand, _report(brand, year))


@blueprint.get("/report/<int:year>.json")
@brand_public
def annual_json(brand, year: int):
    """The annual report as JSON."""
    return _json(brand, _report(brand, year))


@blueprint.get("/report/<int:year>.csv")
@brand_public
def annual_csv(brand, year: int):
    """The annual report as CSV: one row per figure (section, item, label, count, of, percent)."""
    return _csv(brand, _report(brand, year))


@blueprint.get("/report/<int:year>/mediators/<int:mediator_id>")
@brand_public
def mediator_report(brand, year: int, mediator_id: int):
    """One mediator's report for the panel's year (the cases they handled), as a page."""
    return _page(brand, _report(brand, year, mediator_id))


@blueprint.get("/report/<int:year>/mediators/<int:mediator_id>.json")
@brand_public
def mediator_report_json(brand, year: int, mediator_id: int):
    """One mediator's report as JSON."""
    return _json(brand, _report(brand, year, mediator_id))


@blueprint.get("/report/<int:year>/mediators/<int:mediator_id>.csv")
@brand_public
def mediator_report_csv(brand, year: int, mediator_id: int):
    """One mediator's report as CSV."""
    return _csv(brand, _report(brand, year, mediator_id))


@blueprint.post("/report/<int:year>/prepare")
@brand_signed_in
def prepare(brand, year: int):
    """Build the year's report file (CSV or JSON) as a job: its page shows the progress, then the download."""
    return act_and_redirect(ActionForm(), lambda: report_jobs.start_build(brand, year, current_user,
                                                                          request.form.get("format", "")),
                            done=None, to=lambda job: url_for("jobs.show", job_id=job.id),
                            refused_to=url_for("mediation_report.annual", slug=brand.slug, year=year))


@blueprint.post("/report/<int:year>/publish")
@panel_mediator
def publish(brand, year: int):
    """A panel mediator publishes the year's report (refused while a recurring problem lacks a recommendation)."""
    if ActionForm().validate_on_submit():
        ok, _result = commit_or_refuse(lambda: report.publish(brand, year, current_user))
        if ok:
            flash(_("The %(year)d report is published.", year=year), "success")
    return redirect(url_for("mediation_report.annual", slug=brand.slug, year=year))
