"""The API of applications, mission orders, reports, benefits and advocates (bearer tokens; same services as pages)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from extensions import db
from institutions.access import brand_signed_in, brand_staff
from institutions.api_support import (
    PAGE_SCHEMA,
    PAGINATION_PARAMETERS,
    action_route,
    date_field,
    documented,
    iso,
    json_body,
    moment_field,
    paginated,
    string_field,
)
from institutions.errors import ValidationFailed
from mandates import advocates, applications, benefits, missions
from mandates.access import mandate_party, mandate_staff
from mandates.models import AdvocacyState, ApplicationState, Mandate
from mandates.permissions import can_manage_mandates

blueprint = Blueprint("mandates_community_api", __name__, url_prefix="/api/v1")

ERRORS = (401, 403, 404, 409, 422)
STRING = {"type": "string"}
REASON_SCHEMA = {"type": "object", "required": ["reason"], "properties": {"reason": STRING}}
APPLICATION_SCHEMA = {"type": "object", "required": ["motivation", "channels", "audience"],
                      "properties": {"motivation": STRING, "channels": STRING, "audience": STRING}}
ORDER_SCHEMA = {
    "type": "object", "required": ["title", "instructions", "due_at", "expected_proof"],
    "properties": {"title": STRING, "instructions": STRING, "due_at": {"type": "string", "format": "date-time"},
                   "expected_proof": STRING, "disclosure_label": STRING},
}
REPORT_SCHEMA = {"type": "object", "required": ["text"],
                 "properties": {"text": STRING, "links": {"oneOf": [STRING, {"type": "array", "items": STRING}]},
                                "retouched_images": {"type": "boolean"}, "virtual_images": {"type": "boolean"}}}
BENEFIT_SCHEMA = {
    "type": "object", "required": ["kind", "description", "value", "currency", "given_on"],
    "properties": {"kind": {"enum": ["money", "in_kind"]}, "description": STRING,
                   "value": {"oneOf": [STRING, {"type": "number"}], "description": "A decimal amount, e.g. \"49.90\"."},
                   "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                   "given_on": {"type": "string", "format": "date"}},
}
DECLARATION_SCHEMA = {"type": "object", "required": ["defends", "statement"],
                      "properties": {"defends": {"enum": ["brand", "customers"]}, "statement": STRING}}
ID_STATE = {"type": "object", "required": ["id", "state"],
            "properties": {"id": {"type": "integer"}, "state": {"type": "string"}}}


def _state_query(enum_cls) -> list[dict]:
    return [{"name": "state", "in": "query", "schema": {"enum": [member.value for member in enum_cls]}}]


def _state(enum_cls):
    raw = request.args.get("state")
    if raw is None:
        return None
    try:
        return enum_cls(raw)
    except ValueError:
        raise ValidationFailed(_("Unknown state."), field="state")


# --- serializers ---------------------------------------------------------------------------------------------------

def serialize_application(application) -> dict:
    """An application as its applicant and the brand's staff see it."""
    return {"id": application.id, "brand": application.brand.slug, "applicant_name": application.applicant_name,
            "motivation": application.motivation, "channels": application.channels,
            "audience": application.audience, "state": application.state.value,
            "created_at": iso(application.created_at), "decided_at": iso(application.decided_at),
            "decline_reason": application.decline_reason, "mandate_id": application.mandate_id}


def serialize_report(report) -> dict:
    return {"id": report.id, "text": report.text, "links": report.links.splitlines() if report.links else [],
            "submitted_at": iso(report.submitted_at), "label_missing": report.label_missing,
            "missing_mentions": [key for key in (report.missing_mentions or "").split(",") if key],
            "retouched_images": report.retouched_images, "virtual_images": report.virtual_images,
            "warning_cleared_at": iso(report.warning_cleared_at), "warning_note": report.warning_note,
            "decision": report.decision, "review_comment": report.review_comment,
            "reviewed_at": iso(report.reviewed_at)}


def serialize_order(order) -> dict:
    """A mission order with its reports and its overdue flag."""
    return {"id": order.id, "mandate_id": order.mandate_id, "ambassador": order.mandate.public_name,
            "title": order.title, "instructions": order.instructions, "due_at": iso(order.due_at),
            "expected_proof": order.expected_proof, "disclosure_label": order.disclosure_label,
            "state": order.state.value, "overdue": missions.is_overdue(order), "issued_at": iso(order.issued_at),
            "answered_at": iso(order.answered_at), "decline_reason": order.decline_reason,
            "approved_at": iso(order.approved_at), "warning_to_clear": missions.warning_to_clear(order),
            "reports": [serialize_report(report) for report in order.reports]}


def serialize_benefit(benefit) -> dict:
    return {"id": benefit.id, "mandate_id": benefit.mandate_id, "kind": benefit.kind.value,
            "description": benefit.description, "value_minor": benefit.value_minor, "currency": benefit.currency,
            "given_on": benefit.given_on.isoformat(), "recorded_at": iso(benefit.recorded_at)}


def serialize_declaration(declaration) -> dict:
    return {"id": declaration.id, "brand": declaration.brand.slug, "public_name": declaration.public_name,
            "defends": declaration.defends, "statement": declaration.statement, "state": declaration.state.value,
            "created_at": iso(declaration.created_at), "decided_at": iso(declaration.decided_at),
            "reason": declaration.reason, "ended_at": iso(declaration.ended_at)}


# --- applications --------------------------------------------------------------------------------------------------

@blueprint.post("/brands/<slug>/ambassador-applications")
@documented("Apply to become an ambassador (verified members; one pending application at a time).",
            tag="applications", request_schema=APPLICATION_SCHEMA, response_schema=ID_STATE, status=201, errors=ERRORS)
@brand_signed_in
def application_create(brand):
    """A verified member applies."""
    data = json_body(set(APPLICATION_SCHEMA["properties"]))
    application = applications.apply(brand, current_user, motivation=string_field(data, "motivation", True),
                                      channels=string_field(data, "channels", True),
                                      audience=string_field(data, "audience", True))
    db.session.commit()
    return jsonify(serialize_application(application)), 201


@blueprint.get("/brands/<slug>/ambassador-applications")
@documented("The brand's applications, pending first (staff of the brand).", tag="applications",
            response_schema=PAGE_SCHEMA, query=PAGINATION_PARAMETERS + _state_query(ApplicationState),
            errors=(401, 403, 404, 422))
@brand_staff
def application_list(brand):
    """The staff's queue of applications."""
    return jsonify(paginated(applications.applications_query(brand, _state(ApplicationState)),
                             serialize_application))


@blueprint.get("/brands/<slug>/ambassador-applications/mine")
@documented("My own applications to this brand, newest first.", tag="applications", errors=(401, 404))
@brand_signed_in
def application_mine(brand):
    """The caller's applications and their answers."""
    return jsonify({"items": [serialize_application(a) for a in applications.applications_of(current_user, brand)]})


def _application_route(name: str, summary: str, policy, act, request_schema=None):
    """Declare POST /brands/<slug>/ambassador-applications/<id>/<name> calling `act(application, data)`."""
    action_route(blueprint, f"/brands/<slug>/ambassador-applications/<int:application_id>/{name}",
                 f"application_{name}", summary=summary, tag="applications", policy=policy,
                 request_schema=request_schema, response_schema=ID_STATE, errors=ERRORS,
                 load=lambda brand, application_id: applications.application_in_brand(brand, application_id),
                 act=act, answer=serialize_application)


_application_route("accept", "Accept the application: a draft mandate is started and linked (mandate_id).",
                   brand_staff, lambda a, d: applications.accept(a, current_user))
_application_route("decline", "Decline the application with a reason the applicant reads.", brand_staff,
                   lambda a, d: applications.decline(a, current_user, string_field(d, "reason", True)),
                   REASON_SCHEMA)
_application_route("withdraw", "The applicant withdraws their pending application.", brand_signed_in,
                   lambda a, d: applications.withdraw(a, current_user))


# --- mission orders ------------------------------------------------------------------------------------------------

@blueprint.post("/brands/<slug>/mandates/<int:mandate_id>/mission-orders")
@documented("Issue a mission order inside an active mandate (staff); the label defaults to the contract's.",
            tag="mission orders", request_schema=ORDER_SCHEMA, response_schema=ID_STATE, status=201, errors=ERRORS)
@mandate_staff
def order_create(brand, mandate: Mandate):
    """Staff issue an order."""
    data = json_body(set(ORDER_SCHEMA["properties"]))
    order = missions.issue_order(mandate, current_user, title=string_field(data, "title", True),
                                 instructions=string_field(data, "instructions", True),
                                 due_at=moment_field(data, "due_at"),
                                 expected_proof=string_field(data, "expected_proof", True),
                                 disclosure_label=string_field(data, "disclosure_label"))
    db.session.commit()
    return jsonify(serialize_order(order)), 201


@blueprint.get("/brands/<slug>/mandates/<int:mandate_id>/mission-orders")
@documented("A mandate's mission orders, open ones first (its ambassador and the brand's staff).",
            tag="mission orders", response_schema=PAGE_SCHEMA, query=PAGINATION_PARAMETERS, errors=(401, 403, 404, 422))
@mandate_party
def order_list(brand, mandate: Mandate):
    """Orders of one mandate with states and overdue flags."""
    return jsonify(paginated(missions.orders_query(mandate), serialize_order))


@blueprint.get("/brands/<slug>/mission-orders/waiting")
@documented("What waits for me: as ambassador (to accept, to report, sent back) and, for staff, reports to review "
            "and overdue orders.", tag="mission orders", errors=(401, 404))
@mandate_party
def order_waiting(brand):
    """Both sides' lists of what waits for them."""
    mine = missions.waiting_for_ambassador(current_user, brand)
    document = {"ambassador": {key: [serialize_order(o) for o in orders] for key, orders in mine.items()}}
    if can_manage_mandates(current_user, brand):
        staff = missions.waiting_for_staff(brand)
        document["staff"] = {key: [serialize_order(o) for o in orders] for key, orders in staff.items()}
    return jsonify(document)


@blueprint.get("/brands/<slug>/mission-orders/<int:order_id>")
@documented("One mission order with its reports (its ambassador and the brand's staff).", tag="mission orders",
            response_schema=ID_STATE, errors=(401, 403, 404))
@mandate_party
def order_detail(brand, order_id: int):
    """The order as it stands."""
    return jsonify(serialize_order(missions.order_for_viewer(brand, order_id, current_user)))


def _order_route(name: str, summary: str, policy, act, request_schema=None):
    """Declare POST /brands/<slug>/mission-orders/<id>/<name> calling `act(order, data)`."""
    action_route(blueprint, f"/brands/<slug>/mission-orders/<int:order_id>/{name}",
                 f"order_{name.replace('-', '_')}", summary=summary, tag="mission orders", policy=policy,
                 request_schema=request_schema, response_schema=ID_STATE, errors=ERRORS,
                 load=lambda brand, order_id: missions.order_in_brand(brand, order_id), act=act,
                 answer=serialize_order)


_order_route("accept", "The ambassador accepts the order.", mandate_party,
             lambda o, d: missions.accept_order(o, current_user))
_order_route("decline", "The ambassador declines the order with a reason.", mandate_party,
             lambda o, d: missions.decline_order(o, current_user, string_field(d, "reason", True)), REASON_SCHEMA)
_order_route("report", "The ambassador reports: text and links (a list, or one URL per line), and whether the "
             "publication has retouched or virtual images. A report whose text does not show the disclosure label "
             "near its start (links never count), or the employment or image mention that applies, gets "
             "label_missing=true and missing_mentions.", mandate_party,
             lambda o, d: missions.submit_report(o, current_user, text=string_field(d, "text", True),
                                                 links=_links(d), retouched_images=_flag(d, "retouched_images"),
                                                 virtual_images=_flag(d, "virtual_images")), REPORT_SCHEMA)
_order_route("clear-warning", "The reviewer clears the missing-label warning with a note (staff).", mandate_staff,
             lambda o, d: missions.clear_warning(o, current_user, string_field(d, "note", True)),
             {"type": "object", "required": ["note"], "properties": {"note": STRING}})
_order_route("approve", "Approve the report (staff); refused while a label warning is not cleared.", mandate_staff,
             lambda o, d: missions.approve(o, current_user, string_field(d, "comment")),
             {"type": "object", "properties": {"comment": STRING}})
_order_route("send-back", "Send the report back with a comment (staff); the ambassador reports again.",
             mandate_staff, lambda o, d: missions.send_back(o, current_user, string_field(d, "comment", True)),
             {"type": "object", "required": ["comment"], "properties": {"comment": STRING}})


def _flag(data: dict, name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise ValidationFailed(_("Answer true or false."), field=name)
    return value


def _links(data: dict) -> str | list[str] | None:
    links = data.get("links")
    if links is None or isinstance(links, str):
        return links
    if isinstance(links, list) and all(isinstance(link, str) for link in links):
        return links
    raise ValidationFailed(_("Give the links as a list of strings or as one URL per line."), field="links")


# --- benefits ------------------------------------------------------------------------------------------------------

@blueprint.post("/brands/<slug>/mandates/<int:mandate_id>/benefits")
@documented("Record a benefit given to the ambassador (staff); refused unless the mandate is active.",
            tag="benefits", request_schema=BENEFIT_SCHEMA, response_schema={"type": "object"}, status=201,
            errors=ERRORS)
@mandate_staff
def benefit_create(brand, mandate: Mandate):
    """Staff record a benefit."""
    data = json_body(set(BENEFIT_SCHEMA["properties"]))
    benefit = benefits.record_benefit(mandate, current_user, kind=string_field(data, "kind", True),
                                      description=string_field(data, "description", True), value=data.get("value"),
                                      currency=string_field(data, "currency", True),
                                      given_on=date_field(data, "given_on"))
    db.session.commit()
    return jsonify(serialize_benefit(benefit)), 201


@blueprint.get("/brands/<slug>/mandates/<int:mandate_id>/benefits")
@documented("A mandate's benefits and their yearly totals per currency (its ambassador and the brand's staff).",
            tag="benefits", errors=(401, 403, 404),
            response_schema={"type": "object", "required": ["items", "yearly_totals"],
                             "properties": {"items": {"type": "array"}, "yearly_totals": {"type": "array"}}})
@mandate_party
def benefit_list(brand, mandate: Mandate):
    """Benefits, newest first, with totals per year and currency."""
    return jsonify({"items": [serialize_benefit(b) for b in benefits.benefits_of(mandate)],
                    "yearly_totals": [{"year": t.year, "currency": t.currency, "total_minor": t.total_minor}
                                      for t in benefits.yearly_totals(mandate)]})


# --- advocates -----------------------------------------------------------------------------------------------------

@blueprint.post("/brands/<slug>/advocate-declarations")
@documented("Declare myself an advocate of the brand or of its customers (verified members).", tag="advocates",
            request_schema=DECLARATION_SCHEMA, response_schema=ID_STATE, status=201, errors=ERRORS)
@brand_signed_in
def declaration_create(brand):
    """A verified member declares advocacy."""
    data = json_body(set(DECLARATION_SCHEMA["properties"]))
    declaration = advocates.declare(brand, current_user, defends=string_field(data, "defends", True),
                                    statement=string_field(data, "statement", True))
    db.session.commit()
    return jsonify(serialize_declaration(declaration)), 201


@blueprint.get("/brands/<slug>/advocate-declarations")
@documented("The brand's declarations of advocacy, pending first (staff of the brand).", tag="advocates",
            response_schema=PAGE_SCHEMA, query=PAGINATION_PARAMETERS + _state_query(AdvocacyState),
            errors=(401, 403, 404, 422))
@brand_staff
def declaration_list(brand):
    """The staff's queue of declarations."""
    return jsonify(paginated(advocates.declarations_query(brand, _state(AdvocacyState)), serialize_declaration))


def _declaration_route(name: str, summary: str, policy, act, request_schema=None):
    """Declare POST /brands/<slug>/advocate-declarations/<id>/<name> calling `act(declaration, data)`."""
    action_route(blueprint, f"/brands/<slug>/advocate-declarations/<int:declaration_id>/{name}",
                 f"declaration_{name}", summary=summary, tag="advocates", policy=policy,
                 request_schema=request_schema, response_schema=ID_STATE, errors=ERRORS,
                 load=lambda brand, declaration_id: advocates.declaration_in_brand(brand, declaration_id),
                 act=act, answer=serialize_declaration)


_declaration_route("recognize", "Recognize the advocate (staff): they hold the advocate office on the charter.",
                   brand_staff, lambda d, data: advocates.recognize(d, current_user))
_declaration_route("decline", "Decline the declaration with a reason (staff).", brand_staff,
                   lambda d, data: advocates.decline(d, current_user, string_field(data, "reason", True)),
                   REASON_SCHEMA)
_declaration_route("withdraw", "Withdraw a recognition with a public reason (staff).", brand_staff,
                   lambda d, data: advocates.withdraw_recognition(d, current_user,
                                                                  string_field(data, "reason", True)),
                   REASON_SCHEMA)
_declaration_route("retract", "The declarant retracts their declaration (a recognition ends).", brand_signed_in,
                   lambda d, data: advocates.retract(d, current_user))
