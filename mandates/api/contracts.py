"""The mandates API: mandates, versions, signing, countersigning, ending (bearer tokens only).

Every route calls the same services as the pages; refusals come back in the API's one error shape
(403 for the wrong person, 404 unknown, 409 a state or rule refuses, 422 malformed input with the
fields named, e.g. "compensation.amount"). Offering an incomplete contract answers 409 with code
"missing_clauses" and one entry per missing clause in `fields`.
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from extensions import db
from institutions.api_support import (
    PAGE_SCHEMA,
    PAGINATION_PARAMETERS,
    action_route,
    date_field,
    documented,
    integer_field,
    iso,
    json_body,
    paginated,
    string_field,
)
from institutions.errors import NotFound, ValidationFailed
from mandates import clauses as schema
from mandates import contracts, ending
from institutions.access import brand_signed_in
from institutions.lookup import get_in_brand
from mandates.access import mandate_holder, mandate_party, mandate_staff
from mandates.models import Mandate, MandateState, MandateVersion, VersionState
from mandates.permissions import can_manage_mandates

blueprint = Blueprint("mandates_api", __name__, url_prefix="/api/v1")

_DATE = {"type": ["string", "null"], "format": "date"}
SIGNATURE_SCHEMA = {"type": "object", "properties": {
    "party": {"enum": ["ambassador", "brand"]}, "typed_name": {"type": "string"},
    "text_sha256": {"type": "string"}, "signed_at": {"type": "string", "format": "date-time"},
    "ip_address": {"type": "string"}, "user_agent": {"type": "string"}}}
VERSION_SCHEMA = {"type": "object", "required": ["number", "state", "language"], "properties": {
    "number": {"type": "integer"}, "state": {"enum": [s.value for s in VersionState]},
    "language": {"enum": list(schema.LANGUAGES)}, "text_sha256": {"type": ["string", "null"]},
    "offered_at": {"type": ["string", "null"]}, "in_force_at": {"type": ["string", "null"]},
    "declined_at": {"type": ["string", "null"]}, "decline_reason": {"type": ["string", "null"]},
    "signatures": {"type": "array", "items": SIGNATURE_SCHEMA},
    "clauses": {"type": "object"},
    "missing_clauses": {"type": "array", "items": {"type": "object", "properties": {
        "key": {"type": "string"}, "name": {"type": "string"}, "fields": {"type": "array"}}}},
}}
MANDATE_SCHEMA = {"type": "object", "required": ["id", "brand", "state", "public_name"], "properties": {
    "id": {"type": "integer"}, "brand": {"type": "string"}, "state": {"enum": [s.value for s in MandateState]},
    "public_name": {"type": "string"}, "ambassador": {"type": ["object", "null"]},
    "invited_email": {"type": ["string", "null"]}, "starts_on": _DATE, "ends_on": _DATE,
    "activated_at": {"type": ["string", "null"]}, "ended_at": {"type": ["string", "null"]},
    "end_effective_on": _DATE, "end_reason": {"type": ["string", "null"]},
    "version_in_force": {"type": ["integer", "null"]}, "waiting_version": {"type": ["integer", "null"]},
    "draft_version": {"type": ["integer", "null"]},
    "versions": {"type": "array", "items": VERSION_SCHEMA},
}}
START_SCHEMA = {"type": "object", "required": ["email"], "properties": {
    "email": {"type": "string", "description": "The future ambassador's address: their confirmed account, or an "
                                               "invitation to sign up with it."},
    "public_name": {"type": "string", "description": "The name the public registry shows (required to invite)."}}}
DRAFT_SCHEMA = {"type": "object", "properties": {
    "language": {"enum": list(schema.LANGUAGES)},
    "public_name": {"type": "string"},
    "clauses": {"type": "object", "description": "Each clause given replaces that clause of the draft (null removes "
                                                 "it); the others stay. Keys: "
                                                 + ", ".join(c.key for c in schema.CLAUSES) + "."}}}
SIGN_SCHEMA = {"type": "object", "required": ["typed_name", "accept"], "properties": {
    "typed_name": {"type": "string", "description": "Your legal name as the contract writes it (any case)."},
    "accept": {"const": True}, "version": {"type": "integer", "description": "The version you read."},
    "text_sha256": {"type": "string", "description": "The fingerprint of the text you read."}}}
COUNTERSIGN_SCHEMA = {"type": "object", "required": ["typed_name"], "properties": {
    "typed_name": {"type": "string"}, "version": {"type": "integer"}, "text_sha256": {"type": "string"}}}
REASON_SCHEMA = {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}}
END_SCHEMA = {"type": "object", "properties": {
    "reason": {"type": "string"},
    "effective_on": {"type": "string", "format": "date",
                     "description": "The day the ending takes effect; by default the earliest the notice allows."}}}
STATE_QUERY = [{"name": "state", "in": "query", "schema": {"enum": [s.value for s in MandateState]}}]


def serialize_signature(signature) -> dict:
    """A signature as the contract's parties see it (with the IP address and user agent it recorded)."""
    return {"party": signature.party.value, "typed_name": signature.typed_name,
            "text_sha256": signature.text_sha256, "signed_at": iso(signature.signed_at),
            "ip_address": signature.ip_address, "user_agent": signature.user_agent}


def serialize_version(version: MandateVersion, with_clauses: bool = False) -> dict:
    """A contract version; drafts carry what is still missing."""
    document = {
        "number": version.number, "state": version.state.value, "language": version.language,
        "text_sha256": version.text_sha256, "offered_at": iso(version.offered_at),
        "in_force_at": iso(version.in_force_at), "declined_at": iso(version.declined_at),
        "decline_reason": version.decline_reason,
        "signatures": [serialize_signature(s) for s in version.signatures],
    }
    if with_clauses:
        document["clauses"] = contracts.clauses_of(version)
    if version.state is VersionState.DRAFT:
        document["missing_clauses"] = [{"key": clause.key, "name": str(clause.name), "fields": fields}
                                       for clause, fields in contracts.checklist(version) if fields]
    return document


def _visible_versions(mandate: Mandate) -> list[MandateVersion]:
    """Drafts stay between the brand's staff."""
    staff = can_manage_mandates(current_user, mandate.brand)
    return [v for v in mandate.versions if staff or v.state is not VersionState.DRAFT]


def serialize_mandate(mandate: Mandate, with_versions: bool = True) -> dict:
    """A mandate as its parties see it."""
    in_force = mandate.version_in_force
    waiting = contracts.waiting_version(mandate) if with_versions else None
    draft = contracts.draft_version(mandate) if with_versions else None
    document = {
        "id": mandate.id, "brand": mandate.brand.slug, "state": mandate.state.value, "public_name": mandate.public_name,
        "ambassador": ({"id": mandate.ambassador.id, "display_name": mandate.ambassador.display_name}
                       if mandate.ambassador is not None else None),
        "invited_email": mandate.invited_email if can_manage_mandates(current_user, mandate.brand) else None,
        "starts_on": mandate.starts_on.isoformat() if mandate.starts_on else None,
        "ends_on": mandate.ends_on.isoformat() if mandate.ends_on else None,
        "activated_at": iso(mandate.activated_at), "ended_at": iso(mandate.ended_at),
        "end_effective_on": mandate.end_effective_on.isoformat() if mandate.end_effective_on else None,
        "end_reason": mandate.end_reason,
        "version_in_force": in_force.number if in_force is not None else None,
    }
    if with_versions:
        document["waiting_version"] = waiting.number if waiting is not None else None
        document["draft_version"] = (draft.number if draft is not None
                                     and can_manage_mandates(current_user, mandate.brand) else None)
        document["versions"] = [serialize_version(v) for v in _visible_versions(mandate)]
    return document


def _version(mandate: Mandate, number: int) -> MandateVersion:
    version = contracts.version_by_number(mandate, number)
    if version not in _visible_versions(mandate):
        raise NotFound(_("No such version of this contract."))
    return version


def _client() -> tuple[str | None, str | None]:
    return request.remote_addr, request.headers.get("User-Agent")


@blueprint.get("/brands/<slug>/mandates")
@documented("The brand's mandates, newest first (staff of the brand).", tag="mandates", response_schema=PAGE_SCHEMA,
            query=PAGINATION_PARAMETERS + STATE_QUERY, errors=(401, 403, 404, 422))
@mandate_staff
def mandate_list(brand):
    """Mandates of a brand, optionally in one state."""
    state = request.args.get("state")
    try:
        wanted = MandateState(state) if state else None
    except ValueError:
        raise ValidationFailed(_("Unknown state."), field="state")
    return jsonify(paginated(contracts.mandates_of_brand(brand, wanted),
                             lambda m: serialize_mandate(m, with_versions=False)))


@blueprint.post("/brands/<slug>/mandates")
@documented("Start a draft mandate for the account with this confirmed address, or invite the address.",
            tag="mandates", request_schema=START_SCHEMA, response_schema=MANDATE_SCHEMA, status=201,
            errors=(401, 403, 404, 409, 422))
@mandate_staff
def mandate_create(brand):
    """Staff start a mandate."""
    data = json_body(set(START_SCHEMA["properties"]))
    mandate = contracts.start_mandate_for_email(brand, current_user, string_field(data, "email", required=True),
                                                public_name=string_field(data, "public_name"))
    db.session.commit()
    return jsonify(serialize_mandate(mandate)), 201


@blueprint.get("/me/mandates")
@documented("My mandates at every brand (invitations to my confirmed address are linked first).", tag="mandates",
            response_schema={"type": "object", "properties": {"items": {"type": "array", "items": MANDATE_SCHEMA}}},
            errors=(401,))
@mandate_holder
def my_mandates():
    """The mandates offered to me or held by me."""
    return jsonify({"items": [serialize_mandate(m) for m in contracts.mandates_of_user(current_user)]})


@blueprint.get("/brands/<slug>/mandates/<int:mandate_id>")
@documented("One mandate with its versions and signatures (its parties only).", tag="mandates",
            response_schema=MANDATE_SCHEMA, errors=(401, 403, 404))
@mandate_party
def mandate_detail(brand, mandate: Mandate):
    """The mandate as it stands."""
    return jsonify(serialize_mandate(mandate))


@blueprint.get("/brands/<slug>/mandates/<int:mandate_id>/versions/<int:number>")
@documented("One version: its clauses, state, fingerprint and signatures.", tag="mandates",
            response_schema=VERSION_SCHEMA, errors=(401, 403, 404))
@mandate_party
def version_detail(brand, mandate: Mandate, number: int):
    """A version with its clauses."""
    return jsonify(serialize_version(_version(mandate, number), with_clauses=True))


@blueprint.get("/brands/<slug>/mandates/<int:mandate_id>/versions/<int:number>/text")
@documented("The contract text (text/plain, UTF-8): the frozen text once offered, whose SHA-256 is in the "
            "X-Text-SHA256 header; for a draft, the preview of what offering it today would freeze.",
            tag="mandates", response_schema={"type": "string"}, errors=(401, 403, 404))
@mandate_party
def version_text(brand, mandate: Mandate, number: int):
    """The exact text of a version."""
    version = _version(mandate, number)
    response = Response(contracts.preview(mandate, version), mimetype="text/plain")
    response.charset = "utf-8"
    if version.text_sha256:
        response.headers["X-Text-SHA256"] = version.text_sha256
    return response


@blueprint.put("/brands/<slug>/mandates/<int:mandate_id>/draft")
@documented("Edit the draft version's clauses, language or public name (422 names each malformed field, e.g. "
            "\"compensation.amount\"; 409 once offered).", tag="mandates", request_schema=DRAFT_SCHEMA,
            response_schema=VERSION_SCHEMA, errors=(401, 403, 404, 409, 422))
@mandate_staff
def draft_update(brand, mandate: Mandate):
    """Staff edit the draft."""
    data = json_body(set(DRAFT_SCHEMA["properties"]))
    clauses = data.get("clauses")
    if clauses is not None and not isinstance(clauses, dict):
        raise ValidationFailed(_("The clauses must be an object, one member per clause."), field="clauses")
    version = contracts.update_draft(mandate, current_user, clauses, language=string_field(data, "language"),
                                     public_name=string_field(data, "public_name"))
    db.session.commit()
    return jsonify(serialize_version(version, with_clauses=True))


def _act(name: str, summary: str, act, *, request_schema=None, staff: bool = False, status: int = 200,
         errors=(401, 403, 404, 409, 422)):
    """Declare POST /brands/<slug>/mandates/<id>/<name> calling `act(mandate, data)`."""
    action_route(blueprint, f"/brands/<slug>/mandates/<int:mandate_id>/{name}", f"mandate_{name}", summary=summary,
                 tag="mandates", policy=mandate_staff if staff else mandate_party, load=lambda brand, mandate: mandate,
                 act=act, answer=serialize_mandate, request_schema=request_schema, response_schema=MANDATE_SCHEMA,
                 errors=errors, status=status)


def _sign(mandate, data):
    ip, agent = _client()
    contracts.sign(mandate, current_user, string_field(data, "typed_name", required=True),
                   accept=data.get("accept") is True, ip_address=ip, user_agent=agent,
                   version_number=integer_field(data, "version"), text_sha256=string_field(data, "text_sha256"))


def _countersign(mandate, data):
    ip, agent = _client()
    contracts.countersign(mandate, current_user, string_field(data, "typed_name", required=True), ip_address=ip,
                          user_agent=agent, version_number=integer_field(data, "version"),
                          text_sha256=string_field(data, "text_sha256"))


_act("offer", "Offer the draft for signature: its text and SHA-256 freeze. 409 \"missing_clauses\" lists every "
     "missing clause in `fields`.", lambda m, d: contracts.offer(m, current_user), staff=True,
     errors=(401, 403, 404, 409))
_act("withdraw", "Withdraw an offer the ambassador has not signed; its clauses come back as a new draft.",
     lambda m, d: contracts.withdraw_offer(m, current_user), staff=True, errors=(401, 403, 404, 409))
_act("sign", "The ambassador signs the offered version: typed legal name and acceptance; the signature records "
     "the version, the hash, the name, the UTC time, the IP address and the user agent.", _sign,
     request_schema=SIGN_SCHEMA)
_act("decline", "The ambassador declines the offered version with a reason (a declined amendment changes nothing).",
     lambda m, d: contracts.decline(m, current_user, string_field(d, "reason", required=True)),
     request_schema=REASON_SCHEMA)
_act("countersign", "A staff member with signing rights countersigns: the version comes into force.",
     _countersign, request_schema=COUNTERSIGN_SCHEMA)


def _represented(brand, mandate_id: int) -> Mandate:
    """The mandate whose waiting version names the caller as the minor's legal representative; 404 for anyone else."""
    mandate = get_in_brand(Mandate, mandate_id, brand)
    version = contracts.waiting_version(mandate)
    # Anyone else learns nothing of the contract, as on the page.
    if version is None or not contracts.is_legal_representative_of(current_user, version):
        raise NotFound(_("No such mandate."))
    return mandate


def _sign_as_representative(mandate, data):
    ip, agent = _client()
    contracts.sign_as_legal_representative(
        mandate, current_user, string_field(data, "typed_name", required=True), accept=data.get("accept") is True,
        ip_address=ip, user_agent=agent, version_number=integer_field(data, "version"),
        text_sha256=string_field(data, "text_sha256"))


action_route(blueprint, "/brands/<slug>/mandates/<int:mandate_id>/represent", "mandate_represent",
             summary="The legal representative of an ambassador under 16 signs after the minor, with their own "
             "account (Code du travail L.7124-1): typed legal name as the contract writes it, and acceptance. "
             "404 for anyone but the representative the waiting version names.",
             tag="mandates", policy=brand_signed_in, load=_represented, act=_sign_as_representative,
             answer=lambda mandate: {"id": mandate.id, "state": mandate.state.value,
                                     "signed_by_legal_representative": True},
             request_schema=SIGN_SCHEMA, errors=(401, 403, 404, 409, 422))
_act("amend", "Start an amendment: a new draft version copied from the version in force.",
     lambda m, d: contracts.amend(m, current_user), staff=True, status=201, errors=(401, 403, 404, 409))
_act("revoke", "Staff revoke the mandate with a reason, effective on a day respecting the contract's notice.",
     lambda m, d: ending.revoke(m, current_user, string_field(d, "reason", required=True),
                                date_field(d, "effective_on")),
     request_schema={**END_SCHEMA, "required": ["reason"]}, staff=True)
_act("resign", "The ambassador resigns, effective on a day respecting the contract's notice.",
     lambda m, d: ending.resign(m, current_user, string_field(d, "reason"), date_field(d, "effective_on")),
     request_schema=END_SCHEMA)
