"""The cases API: filing, attachments, joining, my cases, a case, admissibility, the brand's answer, objections,
the mediator's queue and categories, and the roster and panels (bearer tokens; same services as the pages).

A case's content answers its parties and its mediator only: anyone else gets 403. The platform admin keeps the
roster and decides objections, but reads no case's content (only its number, brand, state and dates).
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import exists, or_, select

from extensions import db
from institutions import permissions
from institutions.access import brand_public, brand_signed_in, brand_staff, load_brand, platform_admin, signed_in
from mediation.access import apply_clock, case_in_brand, case_party, panel_mediator
from institutions.api_support import (
    PAGE_SCHEMA,
    PAGINATION_PARAMETERS,
    action_route,
    boolean_field,
    date_field,
    documented,
    iso,
    json_body,
    paginated,
    string_field,
)
from mediation import (admissibility, deadlines, exchange, filing, independence, public_page, recommendations,
                       roster)
from mediation.models import (
    CLOSED_CASE_STATES,
    CaseDocument,
    CaseParticipant,
    MediationCase,
    Mediator,
    Objection,
)
from mediation.permissions import case_role
from mediation.timeline import visible_events
from institutions.clock import utcnow
from institutions.errors import Forbidden, ValidationFailed

blueprint = Blueprint("cases_api", __name__, url_prefix="/api/v1")

CASE = "/brands/<slug>/cases/<int:case_id>"
TAG, ROSTER_TAG = "cases", "mediators"
ERRORS = (401, 403, 404, 409, 422)
STRING = {"type": "string"}
MOMENT = {"type": ["string", "null"], "format": "date-time"}
DAY = {"type": "string", "format": "date"}
ROLES = ["mediator", "complainant", "brand"]
DEADLINE_SCHEMA = {"type": "object", "required": ["kind", "label", "due_at", "whose"],
                   "properties": {"kind": STRING, "label": STRING, "due_at": MOMENT, "whose": {"enum": ROLES}}}
SUMMARY_SCHEMA = {
    "type": "object", "required": ["id", "brand", "state", "category", "collective", "filed_at", "next_deadline"],
    "properties": {"id": {"type": "integer"}, "brand": STRING, "state": STRING,
                   "category": {"type": "object", "properties": {"id": {"type": "integer"}, "key": STRING,
                                                                 "label": STRING}},
                   "collective": {"type": "boolean"}, "filed_by_president": {"type": "boolean"},
                   "filed_at": MOMENT, "mediator": {"type": ["string", "null"]},
                   "next_deadline": {"oneOf": [DEADLINE_SCHEMA, {"type": "null"}]},
                   "admissibility_overdue": {"type": "boolean",
                                             "description": "Filed, and its three weeks ran out without a decision."},
                   "url": STRING},
}
CASE_SCHEMA = {
    "type": "object", "required": SUMMARY_SCHEMA["required"] + ["role", "facts", "request", "deadlines", "timeline"],
    "properties": {
        **SUMMARY_SCHEMA["properties"], "role": {"enum": ROLES}, "facts": STRING, "request": STRING,
        "independence": {"type": "object", "description": "The mediator's own declaration on this case (L.613-1): "
                         "`declaration` is null (not made yet), `no_conflict` or `disclosure` (then `disclosure` "
                         "holds the circumstance and `may_refuse_to_continue` says whether the caller may end the "
                         "mission)."},
        "prior_complaint_on": DAY, "prior_complaint": STRING, "complainant_country": STRING,
        "complainant": {"type": ["string", "null"]}, "complainant_contact": {"type": ["string", "null"]},
        "co_complainants": {"type": "array", "items": STRING},
        "missing_information": {"type": ["string", "null"]}, "refusal_reason": {"type": ["string", "null"]},
        "refusal_note": {"type": ["string", "null"]}, "opened_at": MOMENT, "brand_answered_at": MOMENT,
        "brand_answer": {"type": ["string", "null"]}, "closed_at": MOMENT, "closing_note": {"type": ["string", "null"]},
        "admissibility_due": MOMENT, "brand_answer_due": MOMENT, "mediation_due": MOMENT,
        "admissibility_late": {"type": "boolean",
                               "description": "The admissibility decision came after its three weeks (L.612-2)."},
        "opening_rights": {"type": ["string", "null"],
                           "description": "The opening notice's rights (withdrawal, lawyer, expert, limitation)."},
        "withdrawn_by": {"type": ["string", "null"], "enum": ["complainant", "brand", None]},
        "objection_due": {**MOMENT, "description": "The end of the caller's side's window to object, if open."},
        "can_object": {"type": "boolean"},
        "deadlines": {"type": "array", "items": DEADLINE_SCHEMA},
        "attachments": {"type": "array", "items": {"type": "object"}},
        "timeline": {"type": "array", "items": {"type": "object", "properties": {
            "kind": STRING, "at": MOMENT, "note": {"type": ["string", "null"]}, "visible_to": STRING}}},
    },
}
FILE_SCHEMA = {
    "type": "object",
    "required": ["category_id", "facts", "request", "prior_complaint_on", "prior_complaint", "complainant_country"],
    "properties": {"category_id": {"type": "integer", "description": "From GET /brands/{slug}/case-categories."},
                   "facts": STRING, "request": STRING,
                   "prior_complaint_on": {**DAY, "description": "Date of the written complaint to the brand."},
                   "prior_complaint": {**STRING, "description": "Its content or reference."},
                   "complainant_country": {"type": "string", "pattern": "^[A-Z]{2}$"},
                   "collective": {"type": "boolean", "default": False},
                   "as_president": {"type": "boolean", "default": False,
                                    "description": "The sitting president files for the community (collective)."},
                   "complainant_name": {**STRING, "description": "A filer who is not a member (consumer "
                                        "mediation): their full name."},
                   "complainant_contact": {**STRING, "description": "A filer who is not a member: how to reach "
                                           "them (postal address, phone)."}},
}
FILES_SCHEMA = {"type": "object", "required": ["files"],
                "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"},
                                         "description": "One or several parts named `files`: PDF, PNG or JPEG, "
                                                        "at most 5 MB each, checked by content."}}}
CATEGORY_SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}, "key": STRING, "label": STRING}}
OPTIONAL_TEXT = {"type": ["string", "null"]}
MEDIATOR_SCHEMA = {
    "type": "object", "required": ["name", "qualifications", "appointing_body", "term_starts_on", "term_ends_on",
                                   "declaration_of_interests", "email"],
    "properties": {"name": STRING, "qualifications": STRING, "appointing_body": STRING, "term_starts_on": DAY,
                   "term_ends_on": {**DAY, "description": "At least three years after the start."},
                   "declaration_of_interests": STRING,
                   "email": {**STRING, "description": "The address of the mediator's existing account."},
                   "paid_by": {"enum": list(roster.PAYERS), "default": "platform",
                               "description": "Who pays the mediator (L.613-1)."},
                   "payer_name": {**OPTIONAL_TEXT, "description": "Required when a third party pays."},
                   "paid_independently_of_outcome": {"type": "boolean", "default": False,
                                                     "description": "The public page says so only when true."},
                   "collegial_consumer_associations": {
                       **OPTIONAL_TEXT, "description": "When the brand pays (L.613-2, D.613-2): the approved consumer "
                                                       "associations of the appointing collegial body, one a line, "
                                                       "at least two."},
                   "collegial_professional_representatives": {
                       **OPTIONAL_TEXT, "description": "When the brand pays: the professional's representatives in "
                                                       "the collegial body, one a line, at least two."},
                   "postal_address": OPTIONAL_TEXT, "contact_email": OPTIONAL_TEXT,
                   "ec_listing_url": {**OPTIONAL_TEXT, "description": "https:// address of the listing with the "
                                                                      "European Commission (R.614-1)."},
                   "appointment_decision": OPTIONAL_TEXT, "networks": OPTIONAL_TEXT, "dispute_kinds": OPTIONAL_TEXT,
                   "languages": OPTIONAL_TEXT},
}
REMOVAL_SCHEMA = {"type": "object", "properties": {
    "reason": {"enum": list(roster.REMOVAL_REASONS), "description": "Required before the end of the term (L.613-1)."},
    "note": {**OPTIONAL_TEXT, "description": "A public note."}}}
MEDIATOR_OUT = {"type": "object", "properties": {
    **{k: v for k, v in MEDIATOR_SCHEMA["properties"].items()}, "id": {"type": "integer"},
    "removed_at": MOMENT, "removal_reason": OPTIONAL_TEXT, "removal_note": OPTIONAL_TEXT,
    "panels": {"type": "array", "items": {"type": "object"}}}}
OBJECTION_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "case_id": {"type": "integer"}, "brand": STRING, "case_state": STRING,
    "mediator": {"type": ["string", "null"]}, "party": {"enum": ["complainant", "brand"]}, "reason": STRING,
    "raised_at": MOMENT, "decision": {"enum": [*admissibility.OBJECTION_OUTCOMES, None]},
    "after_disclosure": {"type": "boolean"},
    "decision_reason": {"type": ["string", "null"]}, "decided_at": MOMENT}}


# --- serializers ---------------------------------------------------------------------------------------------------

def serialize_deadline(deadline) -> dict:
    return {"kind": deadline.kind, "label": str(deadline.label), "due_at": iso(deadline.due_at),
            "whose": deadline.whose}


def serialize_category(category) -> dict:
    return {"id": category.id, "key": category.key, "label": filing.category_label(category)}


def serialize_summary(case: MediationCase) -> dict:
    """What lists show of a case: its state, category and next deadline (no content)."""
    first = deadlines.nearest(case)
    return {"id": case.id, "brand": case.brand.slug, "state": case.state.value,
            "category": serialize_category(case.category), "collective": case.collective,
            "filed_by_president": case.filed_by_president, "filed_at": iso(case.filed_at),
            "mediator": case.mediator.name if case.mediator else None,
            "next_deadline": serialize_deadline(first) if first else None,
            "admissibility_overdue": deadlines.admissibility_overdue(case, utcnow()),
            "url": url_for("cases_api.case_detail", slug=case.brand.slug, case_id=case.id)}


def serialize_case(case: MediationCase, role: str) -> dict:
    """A case as one of its parties or its mediator reads it."""
    attachments = db.session.scalars(select(CaseDocument).where(CaseDocument.case_id == case.id,
                                                                CaseDocument.request_id.is_(None))
                                     .order_by(CaseDocument.id)).all()
    declaration = independence.current_declaration(case)
    return {
        **serialize_summary(case), "role": role, "facts": case.facts, "request": case.request,
        "independence": {"declaration": declaration.kind if declaration else None,
                         "disclosure": declaration.text if declaration and declaration.kind == "disclosure" else None,
                         "may_refuse_to_continue": independence.can_refuse_to_continue(current_user, case)},
        "prior_complaint_on": case.prior_complaint_on.isoformat(), "prior_complaint": case.prior_complaint,
        "complainant_country": case.complainant_country,
        "complainant": case.complainant.display_name if case.complainant else case.complainant_name,
        "complainant_contact": case.complainant_contact,
        "co_complainants": [p.user.display_name if p.user else "" for p in case.co_complainants],
        "missing_information": case.missing_information, "refusal_reason": case.refusal_reason,
        "refusal_note": case.refusal_note, "opened_at": iso(case.opened_at),
        "brand_answered_at": iso(case.brand_answered_at), "brand_answer": case.brand_answer,
        "closed_at": iso(case.closed_at), "closing_note": case.closing_note,
        "admissibility_due": iso(deadlines.admissibility_due(case)),
        "admissibility_late": bool(case.admissibility_late),
        "opening_rights": admissibility.opening_rights() if case.opened_at else None,
        "withdrawn_by": case.withdrawn_by,
        "brand_answer_due": iso(deadlines.brand_answer_due(case)), "mediation_due": iso(deadlines.mediation_due(case)),
        "objection_due": iso(deadlines.objection_window(case, role)) if role in ("complainant", "brand") else None,
        "can_object": admissibility.can_object(current_user, case),
        "deadlines": [serialize_deadline(d) for d in deadlines.next_deadlines(case, role)],
        "attachments": [{"id": d.id, "filename": d.filename, "content_type": d.content_type, "size": d.size,
                         "sha256": d.sha256, "uploaded_at": iso(d.uploaded_at),
                         "url": url_for("case_exchange_api.document_download", slug=case.brand.slug,
                                        case_id=case.id, document_id=d.id)}
                        for d in attachments if exchange.can_read_document(d, role)],
        "timeline": [{"kind": e.kind, "at": iso(e.at), "note": e.note, "visible_to": e.visible_to}
                     for e in visible_events(case, role)],
    }


def serialize_mediator(mediator: Mediator) -> dict:
    return {"id": mediator.id, "name": mediator.name, "qualifications": mediator.qualifications,
            "appointing_body": mediator.appointing_body, "term_starts_on": mediator.term_starts_on.isoformat(),
            "term_ends_on": mediator.term_ends_on.isoformat(),
            "declaration_of_interests": mediator.declaration_of_interests,
            "email": mediator.user.email if mediator.user else None, "removed_at": iso(mediator.removed_at),
            "removal_reason": mediator.removal_reason, "removal_note": mediator.removal_note,
            **{name: getattr(mediator, name) for name in roster.INDEPENDENCE_FIELDS},
            "panels": [{"brand": seat.brand.slug, "appointed_at": iso(seat.appointed_at)}
                       for seat in roster.active_seats(mediator)]}


def serialize_objection(objection: Objection, names: dict[int, str]) -> dict:
    """An objection as the platform admin reads it (never the case's content)."""
    return {"id": objection.id, "case_id": objection.case_id, "brand": objection.case.brand.slug,
            "case_state": objection.case.state.value, "mediator": names.get(objection.mediator_id),
            "party": objection.party, "reason": objection.reason, "raised_at": iso(objection.raised_at),
            "decision": objection.decision, "decision_reason": objection.decision_reason,
            "after_disclosure": objection.after_disclosure,
            "decided_at": iso(objection.decided_at)}


# --- input ---------------------------------------------------------------------------------------------------------

def _uploaded() -> list[tuple[str, bytes]]:
    return [(storage.filename or "", storage.read()) for storage in request.files.getlist("files")]


RECOMMENDATION_SCHEMA = {"type": "object", "required": ["category_id", "year", "text"],
                         "properties": {"category_id": {"type": "integer"}, "year": {"type": "integer"},
                                        "text": STRING}}


@blueprint.post("/brands/<slug>/mediation/recommendations")
@documented("A panel mediator publishes a recommendation on a category, shown in that year's annual report.",
            tag=TAG, request_schema=RECOMMENDATION_SCHEMA, errors=(401, 403, 404, 422))
@panel_mediator
def recommend(brand):
    """Publish a panel recommendation for the annual report."""
    data = json_body({"category_id", "year", "text"})
    written = recommendations.write_recommendation(brand, current_user, data.get("category_id"), data.get("year"),
                                                   data.get("text"))
    db.session.commit()
    return jsonify({"id": written.id, "category_id": written.category_id, "year": written.year,
                    "text": written.text}), 201


# --- filing, joining, my cases -------------------------------------------------------------------------------------

@blueprint.get("/brands/<slug>/case-categories")
@documented("The categories a case is filed under: the platform's defaults, then the panel's own.", tag=TAG,
            response_schema={"type": "object", "properties": {"items": {"type": "array", "items": CATEGORY_SCHEMA}}},
            errors=(401, 404))
@brand_signed_in
def category_list(brand):
    """The brand's list of case categories."""
    categories = filing.categories_for(brand)
    db.session.commit()
    return jsonify({"items": [serialize_category(c) for c in categories]})


@blueprint.post("/brands/<slug>/case-categories")
@documented("A mediator of the brand's panel adds a category.", tag=TAG,
            request_schema={"type": "object", "required": ["name"], "properties": {"name": STRING}},
            response_schema=CATEGORY_SCHEMA, status=201, errors=ERRORS)
@panel_mediator
def category_create(brand):
    """Extend the list of categories."""
    data = json_body({"name"})
    category = filing.add_category(brand, current_user, string_field(data, "name", True))
    db.session.commit()
    return jsonify(serialize_category(category)), 201


@blueprint.post("/brands/<slug>/cases")
@documented("File a case against the brand (verified members; the sitting president with as_president). It goes "
            "to the panel mediator with the fewest open cases and no conflict. Attach files afterwards with "
            "POST .../cases/{case_id}/attachments.", tag=TAG, request_schema=FILE_SCHEMA,
            response_schema=CASE_SCHEMA, status=201, errors=ERRORS)
@brand_signed_in
def case_create(brand):
    """File a case."""
    data = json_body(set(FILE_SCHEMA["properties"]))
    category_id = data.get("category_id")
    if isinstance(category_id, bool) or not isinstance(category_id, int):
        raise ValidationFailed(_("Choose a category from the list."), field="category_id")
    case = filing.file_case(
        brand, current_user, category_id=category_id, facts=string_field(data, "facts", True),
        request=string_field(data, "request", True), prior_complaint_on=date_field(data, "prior_complaint_on", True),
        prior_complaint=string_field(data, "prior_complaint", True),
        complainant_country=string_field(data, "complainant_country", True),
        collective=boolean_field(data, "collective"), as_president=boolean_field(data, "as_president"),
        complainant_name=string_field(data, "complainant_name"),
        complainant_contact=string_field(data, "complainant_contact"))
    db.session.commit()
    return jsonify(serialize_case(case, "complainant")), 201


PAPER_SCHEMA = {
    "type": "object",
    "required": FILE_SCHEMA["required"] + ["received_on", "complainant_name", "complainant_contact"],
    "properties": {**{key: value for key, value in FILE_SCHEMA["properties"].items()
                      if key not in ("collective", "as_president")},
                   "received_on": {**DAY, "description": "The day the letter was received."}},
}


@blueprint.post("/brands/<slug>/cases/paper")
@documented("A platform admin or a panel mediator records a case a consumer filed on paper (the brand uses Tribune "
            "as its consumer mediation); the three weeks run from the day the letter was received.", tag=TAG,
            request_schema=PAPER_SCHEMA, response_schema=CASE_SCHEMA, status=201, errors=ERRORS)
@brand_signed_in
def paper_case_create(brand):
    """Record a paper filing."""
    data = json_body(set(PAPER_SCHEMA["properties"]))
    category_id = data.get("category_id")
    if isinstance(category_id, bool) or not isinstance(category_id, int):
        raise ValidationFailed(_("Choose a category from the list."), field="category_id")
    case = filing.record_paper_filing(
        brand, current_user, received_on=date_field(data, "received_on", True),
        complainant_name=string_field(data, "complainant_name", True),
        complainant_contact=string_field(data, "complainant_contact", True), category_id=category_id,
        facts=string_field(data, "facts", True), request=string_field(data, "request", True),
        prior_complaint_on=date_field(data, "prior_complaint_on", True),
        prior_complaint=string_field(data, "prior_complaint", True),
        complainant_country=string_field(data, "complainant_country", True))
    db.session.commit()
    return jsonify(serialize_case(case, case_role(current_user, case) or "mediator")), 201


@blueprint.put("/brands/<slug>/mediation/consumer-mediation")
@documented("The brand's staff (or a platform admin) say whether the brand uses Tribune as its consumer mediation: "
            "then any signed-in consumer files, giving complainant_name and complainant_contact (L.612-1).", tag=TAG,
            request_schema={"type": "object", "required": ["consumer_mediation"],
                            "properties": {"consumer_mediation": {"type": "boolean"}}},
            response_schema={"type": "object", "properties": {"consumer_mediation": {"type": "boolean"}}},
            errors=(401, 403, 404, 422))
@brand_signed_in
def consumer_mediation_set(brand):
    """Set the consumer mediation setting."""
    data = json_body({"consumer_mediation"})
    settings = filing.set_consumer_mediation(brand, current_user,
                                             boolean_field(data, "consumer_mediation", default=None))
    db.session.commit()
    return jsonify({"consumer_mediation": settings.consumer_mediation})


@blueprint.post(f"{CASE}/attachments")
@documented("The complainant side attaches files to its case (multipart/form-data, parts named `files`), within "
            "the case's and the sender's quotas (413 beyond them; 503 when the storage cannot take them, nothing "
            "kept).", tag=TAG, request_schema=FILES_SCHEMA, request_type="multipart/form-data",
            response_schema=CASE_SCHEMA, status=201, errors=ERRORS + (413, 503))
@case_party
def attachment_create(brand, case: MediationCase):
    """Attach files."""
    role = case_role(current_user, case)
    filing.add_attachments(case, current_user, _uploaded())
    db.session.commit()
    return jsonify(serialize_case(case, role)), 201


@blueprint.get("/brands/<slug>/cases/collective")
@documented("The collective cases of the brand the caller may join (their category and dates, not their content).",
            tag=TAG, response_schema={"type": "object", "properties": {"items": {"type": "array",
                                                                               "items": SUMMARY_SCHEMA}}},
            errors=(401, 403, 404))
@brand_signed_in
def collective_list(brand):
    """Cases open to joining."""
    if not permissions.is_verified_member(current_user, brand):
        raise Forbidden(_("Only verified members of the community can join a case."))
    return jsonify({"items": [{**serialize_summary(c), "members_joined": len(c.co_complainants)}
                              for c in filing.joinable_cases(brand, current_user)]})


@blueprint.post(f"{CASE}/join")
@documented("Join a collective case (verified members); the caller becomes a co-complainant.", tag=TAG,
            response_schema=CASE_SCHEMA, errors=ERRORS)
@brand_signed_in
def case_join(brand, case_id: int):
    """Join a collective case (the caller is no party yet: the case is looked up, not guarded)."""
    case = case_in_brand(brand, case_id)
    filing.join_case(case, current_user)
    db.session.commit()
    return jsonify(serialize_case(case, "complainant"))


@blueprint.get("/me/cases")
@documented("My cases as a complainant or co-complainant, at every brand, newest first.", tag=TAG,
            response_schema=PAGE_SCHEMA, query=PAGINATION_PARAMETERS, errors=(401, 422))
@signed_in
def my_cases():
    """The caller's cases."""
    apply_clock(None)  # the caller's cases span every brand
    joined = exists().where(CaseParticipant.case_id == MediationCase.id, CaseParticipant.user_id == current_user.id)
    query = filing.with_deadline_data(select(MediationCase).where(
        or_(MediationCase.complainant_id == current_user.id, joined))).order_by(
        MediationCase.filed_at.desc(), MediationCase.id.desc())
    return jsonify(paginated(query, serialize_summary))


@blueprint.get("/brands/<slug>/cases")
@documented("The cases against the brand (its staff), newest first, each with its next deadline.", tag=TAG,
            response_schema=PAGE_SCHEMA, errors=(401, 403, 404, 422),
            query=PAGINATION_PARAMETERS + [{"name": "open", "in": "query", "schema": {"enum": ["1", "0"]},
                                            "description": "1: only cases not closed; 0: only closed ones."}])
@brand_staff
def brand_case_list(brand):
    """The brand's cases."""
    apply_clock(brand)
    query = filing.with_deadline_data(select(MediationCase).where(MediationCase.brand_id == brand.id))
    which = request.args.get("open")
    if which not in (None, "1", "0"):
        raise ValidationFailed(_("Use 1 or 0."), field="open")
    if which == "1":
        query = query.where(MediationCase.state.not_in(CLOSED_CASE_STATES))
    elif which == "0":
        query = query.where(MediationCase.state.in_(CLOSED_CASE_STATES))
    return jsonify(paginated(query.order_by(MediationCase.filed_at.desc(), MediationCase.id.desc()),
                             serialize_summary))


@blueprint.get(CASE)
@documented("A case with its deadlines and timeline (its parties and mediator only; 403 for anyone else).",
            tag=TAG, response_schema=CASE_SCHEMA, errors=(401, 403, 404))
@case_party
def case_detail(brand, case: MediationCase):
    """One case, as the caller's role may read it."""
    return jsonify(serialize_case(case, case_role(current_user, case)))


# --- admissibility, the brand's answer, objections -----------------------------------------------------------------

def _act_route(name: str, summary: str, act, schema: dict | None = None, status: int = 200):
    """Declare POST /brands/<slug>/cases/<id>/<name> calling `act(case, data)` then answering the case.

    The answer is the case as the caller now sees it, or as they saw it before the act when it ended their role.
    """
    action_route(blueprint, f"{CASE}/{name}", f"case_{name.replace('-', '_')}", summary=summary, tag=TAG,
                 policy=case_party, load=lambda brand, case: case, act=act,
                 before=lambda case: case_role(current_user, case),
                 answer=lambda case, role: serialize_case(case, case_role(current_user, case) or role),
                 request_schema=schema, response_schema=CASE_SCHEMA, errors=ERRORS, status=status)


def _text_schema(*names: str, required: tuple[str, ...] = ()) -> dict:
    return {"type": "object", "required": list(required), "properties": {name: STRING for name in names}}


_act_route("incomplete", "The mediator marks the case incomplete, saying what is missing; the admissibility clock "
           "stops.", lambda c, d: admissibility.mark_incomplete(c, current_user, string_field(d, "missing", True)),
           _text_schema("missing", required=("missing",)))
_act_route("complete", "The complainant side completes the case (optionally correcting the prior complaint); the "
           "clock restarts.",
           lambda c, d: admissibility.complete(c, current_user, string_field(d, "information", True),
                                               prior_complaint_on=date_field(d, "prior_complaint_on"),
                                               prior_complaint=string_field(d, "prior_complaint")),
           {"type": "object", "required": ["information"],
            "properties": {"information": STRING, "prior_complaint_on": DAY, "prior_complaint": STRING}})
_act_route("refuse", "The mediator refuses the case with a reason from the fixed list: "
           + ", ".join(admissibility.REFUSAL_REASONS) + ".",
           lambda c, d: admissibility.refuse(c, current_user, string_field(d, "reason", True),
                                             string_field(d, "note")),
           {"type": "object", "required": ["reason"],
            "properties": {"reason": {"enum": list(admissibility.REFUSAL_REASONS)}, "note": STRING}})
_act_route("open", "The mediator opens the case: both parties are told, the 90 days start, the brand has 20 days "
           "to answer.", lambda c, d: admissibility.open_case(c, current_user))
_act_route("brand-answer", "The brand's staff: the brand takes part, with its answer.",
           lambda c, d: admissibility.brand_answer(c, current_user, string_field(d, "answer", True)),
           _text_schema("answer", required=("answer",)))
_act_route("brand-decline", "The brand's staff: the brand declines to take part; the case closes.",
           lambda c, d: admissibility.brand_decline(c, current_user, string_field(d, "reason")),
           _text_schema("reason"))
_act_route("objections", "A party objects to the mediator within 7 days, with a reason; the platform admin "
           "decides.", lambda c, d: admissibility.raise_objection(c, current_user, string_field(d, "reason", True)),
           _text_schema("reason", required=("reason",)), status=201)
_act_route("declaration", "The case mediator declares in their own name that they have no conflict on this case "
           "(L.613-1).", lambda c, d: independence.declare_no_conflict(c, current_user))
_act_route("disclosure", "The case mediator discloses a circumstance that may affect their independence; each party "
           "is told of its right to object (R.613-1).",
           lambda c, d: independence.disclose(c, current_user, string_field(d, "circumstance", True)),
           _text_schema("circumstance", required=("circumstance",)))
_act_route("recusal", "The case mediator recuses themself, with a reason; the case goes to another panel mediator.",
           lambda c, d: independence.recuse(c, current_user, string_field(d, "reason", True)),
           _text_schema("reason", required=("reason",)))
_act_route("refuse-to-continue", "After the mediator's disclosure, a party refuses that they continue: their "
           "mission on the case ends at once (no platform decision).",
           lambda c, d: independence.refuse_to_continue(c, current_user, string_field(d, "reason")),
           _text_schema("reason"))


# --- the mediator --------------------------------------------------------------------------------------------------

@blueprint.get("/mediator/cases")
@documented("The mediator's cases in progress across brands: those whose admissibility decision is overdue first "
            "(L.612-2), then nearest deadline first, with the next act due and from whom.", tag=TAG, errors=(401, 403),
            response_schema={"type": "object", "properties": {"items": {"type": "array", "items": SUMMARY_SCHEMA}}})
@signed_in
def mediator_queue():
    """The mediator's queue."""
    mediator = roster.active_mediator_of(current_user)
    if mediator is None:
        raise Forbidden(_("Only a mediator of the roster has a queue of cases."))
    apply_clock(None)  # the queue spans every brand the mediator sits for
    running, _closed = filing.queue_of(mediator)
    return jsonify({"items": [serialize_summary(c) for c in running]})


# --- the roster, panels and objections (platform admin) ------------------------------------------------------------

def _mediator_fields(data: dict) -> dict:
    texts = [name for name in roster.INDEPENDENCE_FIELDS if name not in ("paid_by", "paid_independently_of_outcome")]
    return {**{name: string_field(data, name) for name in texts},
            "paid_by": string_field(data, "paid_by") or "platform",
            "paid_independently_of_outcome": boolean_field(data, "paid_independently_of_outcome"),
            "name": string_field(data, "name", True), "qualifications": string_field(data, "qualifications", True),
            "appointing_body": string_field(data, "appointing_body", True),
            "term_starts_on": date_field(data, "term_starts_on", True), "term_ends_on": date_field(data, "term_ends_on", True),
            "declaration_of_interests": string_field(data, "declaration_of_interests", True),
            "email": string_field(data, "email", True)}


@blueprint.get("/mediators")
@documented("The roster of mediators with their panels (platform admins).", tag=ROSTER_TAG,
            response_schema={"type": "object", "properties": {"items": {"type": "array", "items": MEDIATOR_OUT}}},
            errors=(401, 403))
@platform_admin
def mediator_list():
    """The roster."""
    return jsonify({"items": [serialize_mediator(m) for m in roster.roster()]})


@blueprint.post("/mediators")
@documented("Put a mediator on the roster, linked to an existing account by e-mail; the term lasts at least "
            "three years.", tag=ROSTER_TAG, request_schema=MEDIATOR_SCHEMA, response_schema=MEDIATOR_OUT,
            status=201, errors=ERRORS)
@platform_admin
def mediator_create():
    """Add a mediator."""
    mediator = roster.add_mediator(current_user, **_mediator_fields(json_body(set(MEDIATOR_SCHEMA["properties"]))))
    db.session.commit()
    return jsonify(serialize_mediator(mediator)), 201


@blueprint.get("/mediators/<int:mediator_id>")
@documented("One roster entry (platform admins).", tag=ROSTER_TAG, response_schema=MEDIATOR_OUT,
            errors=(401, 403, 404))
@platform_admin
def mediator_detail(mediator_id: int):
    """A roster entry."""
    return jsonify(serialize_mediator(roster.mediator_by_id(mediator_id)))


@blueprint.put("/mediators/<int:mediator_id>")
@documented("Replace a roster entry's fields; a new account is checked for conflicts again.", tag=ROSTER_TAG,
            request_schema=MEDIATOR_SCHEMA, response_schema=MEDIATOR_OUT, errors=ERRORS)
@platform_admin
def mediator_update(mediator_id: int):
    """Edit a roster entry."""
    mediator = roster.mediator_by_id(mediator_id)
    roster.update_mediator(mediator, current_user, **_mediator_fields(json_body(set(MEDIATOR_SCHEMA["properties"]))))
    db.session.commit()
    return jsonify(serialize_mediator(mediator))


@blueprint.delete("/mediators/<int:mediator_id>")
@documented("Remove a mediator from the roster, for a just cause from the list before the end of the term "
            "(L.613-1): their panels end and their open cases are reassigned.",
            tag=ROSTER_TAG, request_schema=REMOVAL_SCHEMA, response_schema=MEDIATOR_OUT, errors=ERRORS)
@platform_admin
def mediator_remove(mediator_id: int):
    """Remove from the roster."""
    data = json_body({"reason", "note"})
    mediator = roster.remove_mediator(roster.mediator_by_id(mediator_id), current_user, string_field(data, "reason"),
                                      string_field(data, "note"))
    db.session.commit()
    return jsonify(serialize_mediator(mediator))


@blueprint.post("/mediators/<int:mediator_id>/panels")
@documented("Appoint a mediator to a brand's panel (refused for a conflicted mediator); cases waiting there are "
            "assigned.", tag=ROSTER_TAG,
            request_schema={"type": "object", "required": ["brand"], "properties": {"brand": {
                **STRING, "description": "The brand's slug."}}},
            response_schema=MEDIATOR_OUT, status=201, errors=ERRORS)
@platform_admin
def panel_appoint(mediator_id: int):
    """Appoint to a panel."""
    mediator = roster.mediator_by_id(mediator_id)
    brand = load_brand(string_field(json_body({"brand"}), "brand", True))
    roster.appoint(mediator, brand, current_user)
    db.session.commit()
    return jsonify(serialize_mediator(mediator)), 201


@blueprint.delete("/mediators/<int:mediator_id>/panels/<slug>")
@documented("Remove a mediator from a brand's panel, for a just cause from the list before the end of the term "
            "(L.613-1); their open cases there are reassigned.", tag=ROSTER_TAG, request_schema=REMOVAL_SCHEMA,
            response_schema=MEDIATOR_OUT, errors=ERRORS)
@platform_admin
def panel_remove(mediator_id: int, slug: str):
    """Remove from a panel."""
    mediator = roster.mediator_by_id(mediator_id)
    data = json_body({"reason", "note"})
    roster.remove_from_panel(mediator, load_brand(slug), current_user, string_field(data, "reason"),
                             string_field(data, "note"))
    db.session.commit()
    return jsonify(serialize_mediator(mediator))


@blueprint.get("/brands/<slug>/panel")
@documented("The brand's mediation panel as R.614-1 lists it: each mediator's name, qualifications, appointing "
            "body and decision, term, declaration of interests, who pays, addresses, European listing, networks, "
            "kinds of dispute and languages.", tag=ROSTER_TAG,
            response_schema={"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object"}}}},
            errors=(404,))
@brand_public
def panel_list(brand):
    """The panel, publicly."""
    return jsonify(public_page.panel_document(brand))


@blueprint.get("/cases/waiting")
@documented("Cases waiting for a mediator because none was available (platform admins; no content).",
            tag=ROSTER_TAG, errors=(401, 403),
            response_schema={"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object"}}}})
@platform_admin
def waiting_list():
    """Cases without a mediator."""
    return jsonify({"items": [{"id": c.id, "brand": c.brand.slug, "state": c.state.value,
                               "filed_at": iso(c.filed_at)} for c in roster.waiting_cases()]})


@blueprint.get("/objections")
@documented("Objections to mediators (platform admins), oldest first; `?all=1` includes decided ones.",
            tag=ROSTER_TAG, response_schema=PAGE_SCHEMA, errors=(401, 403, 422),
            query=PAGINATION_PARAMETERS + [{"name": "all", "in": "query", "schema": {"enum": ["1"]}}])
@platform_admin
def objection_list():
    """Objections to decide."""
    names = {m.id: m.name for m in db.session.scalars(select(Mediator))}
    query = admissibility.objections_query(undecided_only=request.args.get("all") != "1")
    return jsonify(paginated(query, lambda o: serialize_objection(o, names)))


@blueprint.post("/objections/<int:objection_id>/decision")
@documented("Decide an objection: `reassigned` (to another conflict-free mediator of the panel) or `kept`, "
            "with a reason the parties read.", tag=ROSTER_TAG,
            request_schema={"type": "object", "required": ["decision", "reason"],
                            "properties": {"decision": {"enum": list(admissibility.OBJECTION_DECISIONS)},
                                           "reason": STRING}},
            response_schema=OBJECTION_SCHEMA, errors=ERRORS)
@platform_admin
def objection_decide(objection_id: int):
    """Decide an objection."""
    data = json_body({"decision", "reason"})
    objection = admissibility.objection_by_id(objection_id)
    admissibility.decide_objection(objection, current_user, string_field(data, "decision", True),
                                   string_field(data, "reason", True))
    db.session.commit()
    names = {m.id: m.name for m in db.session.scalars(select(Mediator).where(Mediator.id == objection.mediator_id))}
    return jsonify(serialize_objection(objection, names))
