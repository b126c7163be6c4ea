"""The API of representations (bearer tokens; the same services as the pages)."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from extensions import db
from institutions.representations import service as representations
from institutions.access import brand_public, brand_signed_in, brand_staff
from institutions.api_support import PAGE_SCHEMA, PAGINATION_PARAMETERS, documented, iso, json_body, paginated, \
    string_field

blueprint = Blueprint("representations_api", __name__, url_prefix="/api/v1")

ERRORS = (401, 403, 404, 409, 422)
STRING = {"type": "string"}
MOMENT = {"type": ["string", "null"], "format": "date-time"}
REPRESENTATION_SCHEMA = {
    "type": "object",
    "required": ["id", "brand", "title", "body", "author", "state", "filed_at", "response_days", "due_at", "overdue",
                 "cosignatures"],
    "properties": {
        "id": {"type": "integer"}, "brand": STRING, "title": STRING, "body": STRING,
        "author": {"type": "string", "description": "The president who filed it."},
        "state": {"enum": ["filed", "acknowledged", "answered"]}, "filed_at": MOMENT,
        "response_days": {"type": "integer"}, "due_at": MOMENT,
        "overdue": {"type": "boolean", "description": "Not answered although the due date has passed."},
        "acknowledged_at": MOMENT, "answered_at": MOMENT, "answered_late": {"type": "boolean"},
        "answer": {"enum": ["accepted", "partly_accepted", "declined", None]},
        "answer_reasons": {"type": ["string", "null"]},
        "cosignatures": {"type": "integer"},
        "cosigners": {"type": "array", "items": STRING,
                      "description": "Names of the co-signers: only for the author and the brand's staff."},
    },
}
FILE_SCHEMA = {"type": "object", "required": ["title", "body"], "properties": {"title": STRING, "body": STRING}}
ANSWER_SCHEMA = {"type": "object", "required": ["answer", "reasons"],
                 "properties": {"answer": {"enum": list(representations.ANSWERS)}, "reasons": STRING}}


def serialize_representation(representation, cosignatures: int, with_names: bool = False) -> dict:
    """A representation as the public sees it (with the co-signers' names for its author and the staff)."""
    document = {
        "id": representation.id, "brand": representation.brand.slug, "title": representation.title,
        "body": representation.body, "author": representation.author_name, "state": representation.state.value,
        "filed_at": iso(representation.filed_at), "response_days": representation.response_days,
        "due_at": iso(representations.due_at(representation)),
        "overdue": representations.is_overdue(representation),
        "acknowledged_at": iso(representation.acknowledged_at), "answered_at": iso(representation.answered_at),
        "answered_late": representations.answered_late(representation), "answer": representation.answer,
        "answer_reasons": representation.answer_reasons, "cosignatures": cosignatures,
    }
    if with_names:
        document["cosigners"] = representations.cosigners(representation)
    return document


def _one(representation) -> dict:
    return serialize_representation(
        representation, representations.cosignature_counts([representation])[representation.id],
        with_names=representations.can_see_cosigners(current_user, representation))


@blueprint.get("/brands/<slug>/representations")
@documented("The brand's representations (public): those waiting for an answer first, then the answered ones.",
            tag="representations", response_schema=PAGE_SCHEMA, query=PAGINATION_PARAMETERS, errors=(404, 422))
@brand_public
def representation_list(brand):
    """Every representation with its status, due date and overdue flag."""
    page = paginated(representations.representations_query(brand), lambda r: r)
    counts = representations.cosignature_counts(page["items"])
    page["items"] = [serialize_representation(r, counts[r.id]) for r in page["items"]]
    return jsonify(page)


@blueprint.post("/brands/<slug>/representations")
@documented("File a representation (the sitting customer president only); the charter's deadline starts.",
            tag="representations", request_schema=FILE_SCHEMA, response_schema=REPRESENTATION_SCHEMA, status=201,
            errors=ERRORS)
@brand_signed_in
def representation_file(brand):
    """The president files."""
    data = json_body(set(FILE_SCHEMA["properties"]))
    representation = representations.file(brand, current_user, title=string_field(data, "title", True),
                                           body=string_field(data, "body", True))
    db.session.commit()
    return jsonify(_one(representation)), 201


@blueprint.get("/brands/<slug>/representations/<int:representation_id>")
@documented("One representation with its answer (public; co-signers' names for its author and the staff).",
            tag="representations", response_schema=REPRESENTATION_SCHEMA, errors=(404,))
@brand_public
def representation_get(brand, representation_id: int):
    """One representation."""
    return jsonify(_one(representations.representation_in_brand(brand, representation_id)))


@blueprint.post("/brands/<slug>/representations/<int:representation_id>/cosignatures")
@documented("Co-sign a representation (verified members, once, until it is answered).", tag="representations",
            response_schema=REPRESENTATION_SCHEMA, status=201, errors=ERRORS)
@brand_signed_in
def representation_cosign(brand, representation_id: int):
    """A verified member co-signs."""
    json_body(set())
    representation = representations.representation_in_brand(brand, representation_id)
    representations.cosign(representation, current_user)
    db.session.commit()
    return jsonify(_one(representation)), 201


@blueprint.post("/brands/<slug>/representations/<int:representation_id>/acknowledge")
@documented("Acknowledge receipt of a representation (staff of the brand); the due date does not move.",
            tag="representations", response_schema=REPRESENTATION_SCHEMA, errors=ERRORS)
@brand_staff
def representation_acknowledge(brand, representation_id: int):
    """Staff acknowledge."""
    json_body(set())
    representation = representations.representation_in_brand(brand, representation_id)
    representations.acknowledge(representation, current_user)
    db.session.commit()
    return jsonify(_one(representation))


@blueprint.post("/brands/<slug>/representations/<int:representation_id>/answer")
@documented("Answer a representation publicly (staff of the brand): accepted, partly_accepted or declined, with "
            "reasons.", tag="representations", request_schema=ANSWER_SCHEMA, response_schema=REPRESENTATION_SCHEMA,
            errors=ERRORS)
@brand_staff
def representation_answer(brand, representation_id: int):
    """Staff answer."""
    data = json_body(set(ANSWER_SCHEMA["properties"]))
    representation = representations.representation_in_brand(brand, representation_id)
    representations.answer(representation, current_user, decision=string_field(data, "answer", True),
                           reasons=string_field(data, "reasons", True))
    db.session.commit()
    return jsonify(_one(representation))
