"""The public registry in JSON, and contract verification."""
from __future__ import annotations

from flask import Blueprint, jsonify

from institutions.access import brand_public
from institutions.api_support import documented, iso, json_body, string_field
from mandates import verification
from mandates.access import registry_public
from mandates.registry import AdvocateEntry, RegistryEntry, registry_of

blueprint = Blueprint("registry_api", __name__, url_prefix="/api/v1")

_DATE = {"type": ["string", "null"], "format": "date"}
_ENTRY_SCHEMA = {
    "type": "object", "required": ["mandate", "public_name", "state"],
    "properties": {
        "mandate": {"type": "integer"}, "public_name": {"type": "string"},
        "state": {"enum": ["active", "scheduled", "completed", "revoked", "resigned"]},
        "mission": {"type": ["string", "null"]}, "paid": {"type": ["boolean", "null"]},
        "compensation": {"enum": ["none", "money", "in_kind", "benefit", None],
                         "description": "\"benefit\": a benefit was recorded under a contract that states no pay."},
        "disclosure_label": {"type": ["string", "null"]}, "employee": {"type": "boolean"},
        "starts_on": _DATE, "ends_on": _DATE,
        "end_requested_on": _DATE, "end_effective_on": _DATE, "ended_on": _DATE,
    },
}
REGISTRY_SCHEMA = {
    "type": "object", "required": ["brand", "counts", "ambassadors", "scheduled", "advocates", "history"],
    "properties": {
        "brand": {"type": "string"},
        "counts": {"type": "object", "properties": {"active_ambassadors": {"type": "integer"},
                                                     "recognized_advocates": {"type": "integer"}}},
        "ambassadors": {"type": "array", "items": _ENTRY_SCHEMA},
        "scheduled": {"type": "array", "items": _ENTRY_SCHEMA},
        "advocates": {"type": "array", "items": {
            "type": "object", "properties": {"public_name": {"type": "string"},
                                             "defends": {"enum": ["brand", "customers"]},
                                             "since": {"type": ["string", "null"], "format": "date-time"}}}},
        "history": {"type": "array", "items": _ENTRY_SCHEMA},
    },
}
VERIFY_REQUEST_SCHEMA = {"oneOf": [
    {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
    {"type": "object", "required": ["sha256"],
     "properties": {"sha256": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}}},
]}
VERIFY_SCHEMA = {
    "type": "object", "required": ["match", "sha256", "source", "matches"],
    "properties": {
        "match": {"type": "boolean"}, "sha256": {"type": "string"}, "source": {"enum": ["text", "sha256"]},
        "normalisation": {"type": "string"},
        "matches": {"type": "array", "items": {"type": "object", "properties": {
            "mandate": {"type": "integer"}, "public_name": {"type": "string"}, "version": {"type": "integer"},
            "version_state": {"enum": ["in_force", "superseded"]}, "language": {"type": "string"},
            "ambassador_signed_at": {"type": ["string", "null"], "format": "date-time"},
            "brand_signed_at": {"type": ["string", "null"], "format": "date-time"},
            "in_force_at": {"type": ["string", "null"], "format": "date-time"},
        }}},
    },
}


def _day(value) -> str | None:
    return value.isoformat() if value else None


def serialize_entry(entry: RegistryEntry) -> dict:
    """A mandate as the public registry shows it (never amounts, addresses or legal names)."""
    return {
        "mandate": entry.mandate_id, "public_name": entry.public_name, "state": entry.state.value,
        "mission": entry.facts.mission, "paid": entry.paid, "compensation": entry.compensation,
        "disclosure_label": entry.facts.label, "employee": entry.facts.employee,
        "starts_on": _day(entry.starts_on), "ends_on": _day(entry.ends_on),
        "end_requested_on": _day(entry.end_requested_on), "end_effective_on": _day(entry.end_effective_on),
        "ended_on": _day(entry.ended_on),
    }


def serialize_advocate(entry: AdvocateEntry) -> dict:
    """A recognized advocate as the public registry shows them."""
    return {"public_name": entry.public_name, "defends": entry.defends, "since": iso(entry.since)}


@blueprint.get("/brands/<slug>/registry")
@documented("The brand's public registry: active ambassadors, recognized advocates, ended and revoked mandates.",
            tag="registry", response_schema=REGISTRY_SCHEMA, errors=(404,))
@registry_public
def registry(brand):
    """The whole registry in one document (its size is the brand's number of mandates and advocates)."""
    found = registry_of(brand)
    return jsonify({
        "brand": brand.slug,
        "counts": {"active_ambassadors": len(found.active), "recognized_advocates": len(found.advocates)},
        "ambassadors": [serialize_entry(e) for e in found.active],
        "scheduled": [serialize_entry(e) for e in found.scheduled],
        "advocates": [serialize_advocate(a) for a in found.advocates],
        "history": [serialize_entry(e) for e in found.history],
    })


@blueprint.post("/brands/<slug>/registry/verify")
@documented("Does a contract text, or a SHA-256, match a version of the brand's contracts signed by both parties? "
            "The text's \\r\\n line endings become \\n before hashing; nothing else is changed.",
            tag="registry", request_schema=VERIFY_REQUEST_SCHEMA, response_schema=VERIFY_SCHEMA, errors=(404, 422))
@brand_public
def verify(brand):
    """Verify a contract by its text or its hash; a non-match is an answer (200), a malformed hash is 422."""
    data = json_body({"text", "sha256"})
    result = verification.verify(brand, text=string_field(data, "text"), sha256=string_field(data, "sha256"))
    return jsonify({
        "match": result.matched, "sha256": result.sha256, "source": result.source,
        "normalisation": "CRLF line endings become LF; nothing else" if result.source == "text" else "none",
        "matches": [{
            "mandate": m.mandate_id, "public_name": m.public_name, "version": m.version_number,
            "version_state": m.version_state.value, "language": m.language,
            "ambassador_signed_at": iso(m.ambassador_signed_at), "brand_signed_at": iso(m.brand_signed_at),
            "in_force_at": iso(m.in_force_at),
        } for m in result.matches],
    })
