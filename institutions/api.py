"""JSON API of the core under /api/v1 (bearer tokens only), calling the same services as the pages."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from extensions import db
from institutions import brands, charter, community, customer_import, job_runs, notifications, permissions
from institutions.access import brand_public, brand_signed_in, brand_staff, platform_admin, public, signed_in
from institutions.api_support import (PAGE_SCHEMA, PAGINATION_PARAMETERS, boolean_field, documented, iso, json_body,
                                      paginated, serialize_brand, serialize_holding, serialize_membership,
                                      serialize_user, string_field)
from institutions.errors import ValidationFailed
from institutions.models import Brand, JobRun, MembershipStatus, Notification
from institutions.openapi import build_openapi_document

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

MEMBERSHIP_SCHEMA = {"type": "object", "required": ["id", "brand", "status"],
                     "properties": {"id": {"type": "integer"}, "brand": {"type": "string"},
                                    "status": {"enum": ["pending", "verified", "left"]}}}
JOB_SCHEMA = {"type": "object", "required": ["id", "kind", "state"],
              "properties": {"id": {"type": "integer"}, "kind": {"type": "string"},
                             "state": {"enum": ["queued", "running", "done", "failed"]},
                             "done": {"type": "integer"}, "total": {"type": ["integer", "null"]},
                             "percent": {"type": ["integer", "null"]}, "progress": {"type": ["string", "null"]},
                             "result": {"type": ["object", "null"]}, "error": {"type": ["string", "null"]}}}
BRAND_SCHEMA = {"type": "object", "required": ["slug", "name"],
                "properties": {"slug": {"type": "string"}, "name": {"type": "string"}}}


@blueprint.get("/openapi.json")
@documented("This document: the OpenAPI 3.1 description of the API.", tag="meta")
@public
def openapi_document():
    """The OpenAPI 3.1 document, built from the routes themselves."""
    return jsonify(build_openapi_document())


@blueprint.get("/me")
@documented("The account behind the token.", tag="accounts", errors=(401,))
@signed_in
def me():
    """Who the token belongs to."""
    return jsonify(serialize_user(current_user))


@blueprint.get("/me/memberships")
@documented("My memberships of brand communities.", tag="memberships", errors=(401,),
            response_schema={"type": "object", "properties": {"items": {"type": "array", "items": MEMBERSHIP_SCHEMA}}})
@signed_in
def my_memberships():
    """Every community I belong to (or belonged to), with its status."""
    return jsonify({"items": [serialize_membership(m) for m in community.memberships_of_user(current_user)]})


@blueprint.get("/me/notifications")
@documented("My notifications, newest first, each written in my language and time zone as of now.",
            tag="accounts", response_schema=PAGE_SCHEMA, query=PAGINATION_PARAMETERS, errors=(401, 422))
@signed_in
def my_notifications():
    """My notices, rendered for me when asked (a language change applies to old ones too)."""
    query = select(Notification).where(Notification.user_id == current_user.id).order_by(Notification.id.desc())
    return jsonify(paginated(query, lambda n: {
        "id": n.id, "kind": n.kind, "message": notifications.text_of(n, current_user), "link": n.link,
        "created_at": iso(n.created_at), "read_at": iso(n.read_at)}))


EMAIL_PREFERENCES_SCHEMA = {
    "type": "object", "required": ["frequencies", "mandatory", "choices"],
    "properties": {"frequencies": {"type": "object", "additionalProperties": {"enum": list(notifications.FREQUENCIES)}},
                   "mandatory": {"type": "array", "items": {"type": "string"}},
                   "choices": {"type": "array", "items": {"enum": list(notifications.FREQUENCIES)}}}}


def _email_preferences_document(frequencies: dict[str, str]) -> dict:
    """Every kind's frequency, which kinds are mandatory (always "immediate"), and the values one may choose."""
    return {"frequencies": frequencies, "choices": list(notifications.FREQUENCIES),
            "mandatory": sorted(key for key, kind in notifications.KINDS.items() if kind.mandatory)}


@blueprint.get("/me/email-preferences")
@documented("How I get e-mail for each kind of notification: immediate, daily, weekly or never.",
            tag="accounts", response_schema=EMAIL_PREFERENCES_SCHEMA, errors=(401,))
@signed_in
def my_email_preferences():
    """My e-mail frequency per kind."""
    return jsonify(_email_preferences_document(notifications.frequencies(current_user)))


@blueprint.patch("/me/email-preferences")
@documented("Change how I get e-mail for the kinds named ({kind: frequency}); mandatory kinds cannot be changed.",
            tag="accounts", request_schema={"type": "object", "additionalProperties":
                                            {"enum": list(notifications.FREQUENCIES)}},
            response_schema=EMAIL_PREFERENCES_SCHEMA, errors=(401, 422))
@signed_in
def change_email_preferences():
    """Set the frequency of the kinds named; the others stay as they are."""
    data = json_body(set(notifications.KINDS))
    choices = {key: string_field(data, key, required=True) for key in data}
    frequencies = notifications.set_frequencies(current_user, choices)
    db.session.commit()
    return jsonify(_email_preferences_document(frequencies))


@blueprint.get("/brands")
@documented("The brands hosted on this platform.", tag="brands", response_schema=PAGE_SCHEMA,
            query=PAGINATION_PARAMETERS, errors=(422,))
@public
def brand_list():
    """Brands, by name, a page at a time."""
    return jsonify(paginated(select(Brand).order_by(db.func.lower(Brand.name)), serialize_brand))


@blueprint.post("/brands")
@documented("Create a brand and invite its first staff member (platform admins).", tag="brands",
            request_schema={"type": "object", "required": ["name", "slug"],
                            "properties": {"name": {"type": "string"}, "slug": {"type": "string"},
                                           "description": {"type": "string"}, "colour": {"type": "string"},
                                           "country": {"type": "string"}, "first_staff_email": {"type": "string"}}},
            response_schema=BRAND_SCHEMA, status=201, errors=(401, 403, 409, 422))
@platform_admin
def create_brand():
    """Create a tenant."""
    data = json_body({"name", "slug", "description", "colour", "country", "first_staff_email"})
    brand = brands.create_brand(
        current_user,
        name=string_field(data, "name", required=True), slug=string_field(data, "slug", required=True),
        description=string_field(data, "description") or "", colour=string_field(data, "colour") or "#1d4ed8",
        country=string_field(data, "country") or "FR", first_staff_email=string_field(data, "first_staff_email"),
    )
    db.session.commit()
    return jsonify(serialize_brand(brand)), 201


@blueprint.get("/brands/<slug>")
@documented("One brand's public profile.", tag="brands", response_schema=BRAND_SCHEMA, errors=(404,))
@brand_public
def brand_detail(brand):
    """The brand's public profile and community size."""
    document = serialize_brand(brand)
    document["verified_members"] = community.count_members(brand, MembershipStatus.VERIFIED)
    return jsonify(document)


@blueprint.get("/brands/<slug>/charter")
@documented("The brand's charter: its offices, their texts and holders.", tag="brands", errors=(404,))
@brand_public
def brand_charter(brand):
    """Every office with its texts (in the request's language when not rewritten) and holders."""
    return jsonify({"brand": brand.slug, "offices": [
        {
            "kind": office.kind.value, "title": charter.office_title(office), "term_months": office.term_months,
            **{field: charter.office_text(office, field) for field in charter.TEXT_FIELDS},
            "current_holders": [serialize_holding(h) for h in charter.current_holdings(office)],
            "past_holders": [serialize_holding(h) for h in charter.past_holdings(office)],
        }
        for office in charter.offices_with_holders(brand)
    ]})


@blueprint.post("/brands/<slug>/memberships")
@documented("Join the brand's community (pending until verified).", tag="memberships",
            request_schema={"type": "object", "properties": {
                "customer_number": {"type": "string"},
                "verification_code": {"type": "string", "description": "The code the brand gave this customer: "
                                      "with the customer number, it verifies the membership at once."}}},
            response_schema=MEMBERSHIP_SCHEMA, status=201, errors=(401, 403, 404, 409, 422))
@brand_signed_in
def join(brand):
    """Join a community; verified at once when the brand's customer list names you."""
    data = json_body({"customer_number", "verification_code"})
    membership = community.join(brand, current_user, string_field(data, "customer_number"),
                                string_field(data, "verification_code"))
    db.session.commit()
    return jsonify(serialize_membership(membership)), 201


@blueprint.delete("/brands/<slug>/memberships/me")
@documented("Leave the brand's community.", tag="memberships", response_schema=MEMBERSHIP_SCHEMA,
            errors=(401, 404, 409))
@brand_signed_in
def leave(brand):
    """Leave a community."""
    membership = community.leave(brand, current_user)
    db.session.commit()
    return jsonify(serialize_membership(membership))


@blueprint.get("/brands/<slug>/memberships")
@documented("The brand's members (staff of this brand only).", tag="memberships", response_schema=PAGE_SCHEMA,
            query=PAGINATION_PARAMETERS + [{"name": "status", "in": "query",
                                            "schema": {"enum": ["pending", "verified", "left"]}}],
            errors=(401, 403, 404, 422))
@brand_staff
def member_list(brand):
    """Members, pending first, a page at a time."""
    status = request.args.get("status")
    if status is not None and status not in {s.value for s in MembershipStatus}:
        raise ValidationFailed(_("Unknown status."), field="status")
    query = community.members_query(brand, MembershipStatus(status) if status else None)
    return jsonify(paginated(query, lambda m: serialize_membership(m, with_person=True)))


@blueprint.post("/brands/<slug>/memberships/<int:membership_id>/verify")
@documented("Verify a pending member (staff of this brand only).", tag="memberships",
            response_schema=MEMBERSHIP_SCHEMA, errors=(401, 403, 404, 409))
@brand_staff
def verify_member(brand, membership_id: int):
    """Confirm that a pending member is a customer."""
    membership = community.verify(community.membership_in_brand(brand, membership_id), current_user)
    db.session.commit()
    return jsonify(serialize_membership(membership, with_person=True))


@blueprint.post("/brands/<slug>/memberships/import")
@documented("Import a customer list (CSV body; staff of this brand only). `dry_run=1` only reports (200); otherwise "
            "the file is checked at once (422 with field `file`) and imported by a job: 202 with the job, whose "
            "`Location` (GET /api/v1/jobs/<id>) gives its progress and, when done, the figures.",
            tag="memberships", request_type="text/csv", request_schema={"type": "string"},
            query=[{"name": "dry_run", "in": "query", "schema": {"enum": ["0", "1"]}}],
            response_schema=JOB_SCHEMA, errors=(401, 403, 404, 413, 422))
@brand_staff
def import_customers(brand):
    """Check a CSV of customers and, unless dry_run, queue its import (all or nothing) as a job."""
    data = request.get_data(cache=False)
    customer_import.check_size(data, current_app.config["IMPORT_MAX_BYTES"])
    if request.args.get("dry_run") == "1":
        plan = customer_import.plan_import(brand, current_user, data)
        return jsonify({"dry_run": True, **customer_import.summary(plan)})
    job = customer_import.start_import(brand, current_user, data)
    db.session.expire_all()  # in immediate mode (tests) the job already ran, in a session of its own
    job = db.session.get(JobRun, job.id)
    return jsonify({"dry_run": False, "job": job_runs.serialize(job)}), 202, {"Location": f"/api/v1/jobs/{job.id}"}


@blueprint.get("/jobs/<int:job_id>")
@documented("A job's state and progress, and its result when done (its requester, the staff of its brand, or a "
            "platform admin; 404 for anyone else).", tag="jobs", response_schema=JOB_SCHEMA, errors=(401, 404))
@signed_in
def job(job_id: int):
    """A job's state, progress and result."""
    return jsonify(job_runs.serialize(job_runs.visible_job(job_id, current_user)))


STAFF_ROLE_SCHEMA = {"type": "object", "required": ["brand", "can_sign", "legal_name"],
                     "properties": {"brand": {"type": "string"}, "can_sign": {"type": "boolean"},
                                    "legal_name": {"type": ["string", "null"]},
                                    "legal_name_recorded_at": {"type": ["string", "null"]}}}


def _serialize_staff_role(role) -> dict:
    return {"brand": role.brand.slug, "can_sign": role.can_sign, "legal_name": role.legal_name,
            "legal_name_recorded_at": iso(role.legal_name_recorded_at)}


@blueprint.post("/brands/<slug>/staff/invitations")
@documented("Invite someone to the brand's staff by e-mail (staff of this brand; only a signatory gives signing "
            "rights: 403 with field `can_sign` otherwise).", tag="brands",
            request_schema={"type": "object", "required": ["email"], "additionalProperties": False,
                            "properties": {"email": {"type": "string"}, "can_sign": {"type": "boolean"}}},
            response_schema={"type": "object", "properties": {"email": {"type": "string"},
                                                              "can_sign": {"type": "boolean"},
                                                              "expires_at": {"type": "string"}}},
            status=201, errors=(401, 403, 404, 409, 422))
@brand_staff
def invite_staff(brand):
    """Invite a colleague; the link goes by e-mail only, never in this answer."""
    data = json_body({"email", "can_sign"})
    invitation, _secret = brands.invite_staff(brand, current_user, string_field(data, "email", required=True),
                                              can_sign=boolean_field(data, "can_sign"))
    db.session.commit()
    return jsonify({"email": invitation.email, "can_sign": invitation.can_sign,
                    "expires_at": iso(invitation.expires_at)}), 201


@blueprint.get("/brands/<slug>/staff/me")
@documented("My staff role at this brand: signing rights and the legal name my countersignatures must type.",
            tag="brands", response_schema=STAFF_ROLE_SCHEMA, errors=(401, 403, 404))
@brand_staff
def my_staff_role(brand):
    """The caller's own staff role."""
    return jsonify(_serialize_staff_role(permissions.staff_role(current_user, brand)))


@blueprint.put("/brands/<slug>/staff/me/legal-name")
@documented("Record my full legal name, once (409 if already recorded): every countersignature must type it.",
            tag="brands", request_schema={"type": "object", "required": ["legal_name"], "additionalProperties": False,
                                          "properties": {"legal_name": {"type": "string"}}},
            response_schema=STAFF_ROLE_SCHEMA, errors=(401, 403, 404, 409, 422))
@brand_staff
def record_legal_name(brand):
    """Record the caller's legal name on their staff role."""
    data = json_body({"legal_name"})
    role = brands.record_legal_name(brand, current_user, string_field(data, "legal_name", required=True))
    db.session.commit()
    return jsonify(_serialize_staff_role(role))

