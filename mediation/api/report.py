"""The API of the mediation panel's annual report (public)."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask_babel import gettext as _

from institutions.access import brand_public
from institutions.api_support import documented
from institutions.clock import utcnow
from institutions.errors import NotFound
from mediation import report

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
            **LINE["properties"], "reason": {"enum": ["withdrawn", "brand_refused", "lapsed"]}}}},
        "outcomes": {"type": "array", "items": {**LINE, "properties": {
            **LINE["properties"], "favours": {"enum": ["consumer", "brand", "amicable"]}}}},
        "average_duration_days": {"type": ["number", "null"]},
        "settled": {"type": "integer"},
        "compliance": SHARE,
        "audit_chain_head": {"type": "object", "required": ["number", "hash"],
                             "description": "The audit chain's head (event number and SHA-256 hash) as the report "
                                            "was produced: keep it to check later that the chain still holds it.",
                             "properties": {"number": {"type": "integer", "minimum": 0},
                                            "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}},
    },
}

@blueprint.get("/brands/<slug>/mediation/reports/<int:year>")
@documented("The mediation panel's annual report for a calendar year (public). Cases received are those filed in "
            "the year; every other figure is over the cases closed in the year.", tag="mediation report",
            response_schema=REPORT_SCHEMA, errors=(404,))
@brand_public
def annual_report(brand, year: int):
    """The annual report as JSON (the same document as the page's .json download)."""
    if not report.FIRST_YEAR <= year <= utcnow().year:
        raise NotFound(_("There is no report for this year."))
    return jsonify(report.as_dict(report.annual_report(brand, year)))
