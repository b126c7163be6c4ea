"""The API of the mediation panel's annual report (public once published; a draft for the panel's mediators)."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from institutions.access import brand_public
from institutions.api_support import action_route, documented
from mediation import report
from mediation.access import panel_mediator

blueprint = Blueprint("mediation_report_api", __name__, url_prefix="/api/v1")

STRING = {"type": "string"}
SHARE = {"type": "object", "required": ["count", "of", "percent"],
         "properties": {"count": {"type": "integer"}, "of": {"type": "integer"},
                        "percent": {"type": ["number", "null"]}}}
LINE = {"type": "object", "required": ["label", "count", "of", "percent"],
        "properties": {"label": STRING, **SHARE["properties"]}}
REPORT_SCHEMA = {
    "type": "object",
    "required": ["brand", "year", "in_progress", "received", "categories", "recurring_problems", "cross_border",
                 "closed", "refused", "refusal_reasons", "discontinued", "discontinued_reasons", "outcomes",
                 "average_duration_days", "settled", "compliance"],
    "properties": {
        "brand": STRING, "year": {"type": "integer"}, "in_progress": {"type": "boolean"},
        "definitions": {"type": "object"},
        "received": {"type": "integer", "description": "Cases filed during the calendar year (UTC)."},
        "categories": {"type": "array", "items": {**LINE, "properties": {
            **LINE["properties"], "key": STRING, "recurring": {"type": "boolean"},
            "recommendations": {"type": "array", "items": STRING}}}},
        "recurring_problems": {"type": "array", "items": STRING},
        "cross_border": SHARE,
        "closed": {"type": "integer", "description": "Cases closed during the year: the base of the figures below."},
        "refused": SHARE,
        "refusal_reasons": {"type": "array", "items": {**LINE, "properties": {**LINE["properties"], "reason": STRING}}},
        "discontinued": SHARE,
        "discontinued_reasons": {"type": "array", "items": {**LINE, "properties": {
            **LINE["properties"], "reason": {"enum": ["withdrawn", "brand_withdrew", "brand_refused", "lapsed"]}}}},
        "outcomes": {"type": "array", "items": {**LINE, "properties": {
            **LINE["properties"], "favours": {"enum": ["consumer", "brand", "amicable"]}}}},
        "average_duration_days": {"type": ["number", "null"]},
        "settled": {"type": "integer"},
        "compliance": SHARE,
        "published": {"type": "boolean", "description": "False: a draft, which only the panel's mediators read."},
        "published_at": {"type": ["string", "null"]},
        "mediator": {"type": ["object", "null"], "description": "Set on one mediator's report: its id and name.",
                     "properties": {"id": {"type": "integer"}, "name": STRING}},
        "by_origin": {"type": "object", "description": "The figures for domestic disputes, cross-border ones (the "
                                                       "consumer lives in another EU member state than the brand, "
                                                       "L.611-1) and those with a party outside the Union.",
                      "properties": {key: {"type": "object"} for key in ("domestic", "cross_border", "outside_eu")}},
        "admitted_closed": {"type": "integer", "description": "Closed cases that had been admitted: the base of "
                                                             "discontinued and average_duration_days."},
        "late_decisions": {**SHARE, "description": "Admissibility decisions of the year taken after the three weeks "
                                                   "(L.612-2)."},
        "cross_border_networks": {"type": "array", "description": "R.614-2 7°: each mediator of the panel during "
                                                                  "the year and the cross-border networks they "
                                                                  "cooperate in.",
                                  "items": {"type": "object", "properties": {"mediator": {"type": "integer"},
                                                                             "name": STRING, "networks": STRING}}},
        "mediator_reports": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": STRING}}},
        "audit_chain_head": {"type": "object", "required": ["number", "hash"],
                             "description": "The audit chain's head (event number and SHA-256 hash) as the report "
                                            "was produced: keep it to check later that the chain still holds it.",
                             "properties": {"number": {"type": "integer", "minimum": 0},
                                            "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}},
    },
}

@blueprint.get("/brands/<slug>/mediation/reports/<int:year>")
@documented("The mediation panel's annual report for a calendar year (public once the panel published it; before, "
            "a draft only its mediators read). Cases received are those filed in the year; every other figure is "
            "over the cases closed in the year.", tag="mediation report", response_schema=REPORT_SCHEMA,
            errors=(404,))
@brand_public
def annual_report(brand, year: int):
    """The annual report as JSON (the same document as the page's .json download)."""
    return jsonify(report.as_dict(report.report_for(brand, year, current_user)))


@blueprint.get("/brands/<slug>/mediation/reports/<int:year>/mediators/<int:mediator_id>")
@documented("One mediator's report for the panel's year: the same figures over the cases they handled (public "
            "once the panel's report is published).", tag="mediation report", response_schema=REPORT_SCHEMA,
            errors=(404,))
@brand_public
def mediator_report(brand, year: int, mediator_id: int):
    """One mediator's report as JSON."""
    return jsonify(report.as_dict(report.report_for(brand, year, current_user, mediator_id)))


# A panel mediator publishes the year's report; the answer is the report as now published (409 while a recurring
# problem lacks a recommendation, the year is in progress, or it is already published).
action_route(blueprint, "/brands/<slug>/mediation/reports/<int:year>/publish", "publish_report",
             summary="A mediator of the panel publishes the year's annual report (R.614-2): refused while the year is "
                     "in progress, once published, or while a recurring problem has no recommendation.",
             tag="mediation report", policy=panel_mediator, load=lambda brand, year: (brand, year),
             act=lambda subject, data: report.publish(*subject, current_user),
             answer=lambda subject: report.as_dict(report.report_for(*subject, current_user)),
             response_schema=REPORT_SCHEMA, errors=(401, 403, 404, 409))
