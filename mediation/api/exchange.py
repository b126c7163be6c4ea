"""The API of a case's exchange, proposal answers, compliance and withdrawal (bearer tokens; same services as pages).

Everything here is under /api/v1/brands/<slug>/cases/<case_id>/ and answers the case's parties and mediator only:
anyone else gets 403, and what a role may not read (the other side's separate hearing, the mediator's notes, a
document not shared with it) is simply not listed.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from extensions import db
from mediation.access import case_mediator, case_party
from mediation.permissions import case_role
from institutions.api_support import (
    PAGE_SCHEMA,
    PAGINATION_PARAMETERS,
    boolean_field,
    documented,
    integer_field,
    iso,
    json_body,
    paginated,
    string_field,
)
from mediation import deadlines, exchange, outcome, representation
from mediation.models import CaseDocument, CaseMessage, DocumentRequest, MediationCase, MessageChannel
from institutions.errors import NotFound, ValidationFailed

blueprint = Blueprint("case_exchange_api", __name__, url_prefix="/api/v1")

CASE = "/brands/<slug>/cases/<int:case_id>"
TAG = "case exchange"
ERRORS = (401, 403, 404, 409, 422)
STRING = {"type": "string"}
MOMENT = {"type": ["string", "null"], "format": "date-time"}
CHANNELS = [channel.value for channel in MessageChannel]

MESSAGE_SCHEMA = {
    "type": "object", "required": ["id", "channel", "author", "author_role", "body", "created_at"],
    "properties": {"id": {"type": "integer"}, "channel": {"enum": CHANNELS}, "author": {"type": ["string", "null"]},
                   "author_role": {"enum": ["mediator", "complainant", "brand", None]}, "body": STRING,
                   "created_at": MOMENT},
}
POST_MESSAGE_SCHEMA = {
    "type": "object", "required": ["channel", "body"],
    "properties": {"channel": {"enum": CHANNELS, "description": "both: both parties; complainant or brand: that "
                                                                "side's separate hearing; note: the mediator's own."},
                   "body": STRING},
}
NOTE_SCHEMA = {"type": "object", "required": ["body"], "properties": {"body": STRING}}
REQUEST_SCHEMA = {
    "type": "object", "required": ["id", "from_party", "description", "share_with", "requested_at"],
    "properties": {"id": {"type": "integer"}, "from_party": {"enum": list(exchange.PARTIES)},
                   "description": STRING, "share_with": {"enum": list(exchange.SHARES)}, "requested_at": MOMENT,
                   "fulfilled_at": MOMENT, "can_upload": {"type": "boolean"}},
}
POST_REQUEST_SCHEMA = {
    "type": "object", "required": ["from_party", "description"],
    "properties": {"from_party": {"enum": list(exchange.PARTIES)}, "description": STRING,
                   "share_with": {"enum": list(exchange.SHARES), "default": "all",
                                  "description": "all: both parties read what is sent; mediator: the mediator "
                                                 "(and the side that sends it) only."}},
}
UPLOAD_SCHEMA = {"type": "object", "required": ["file"],
                 "properties": {"file": {"type": "string", "format": "binary",
                                         "description": "PDF, PNG or JPEG, at most 5 MB, checked by content."}}}
DOCUMENT_SCHEMA = {
    "type": "object", "required": ["id", "filename", "content_type", "size", "sha256", "url"],
    "properties": {"id": {"type": "integer"}, "filename": STRING, "content_type": STRING, "size": {"type": "integer"},
                   "sha256": STRING, "visible_to": {"enum": ["all", "complainant", "brand", "mediator"]},
                   "request_id": {"type": ["integer", "null"]}, "uploaded_at": MOMENT, "url": STRING},
}
CASE_STATE_SCHEMA = {
    "type": "object", "required": ["id", "state"],
    "properties": {"id": {"type": "integer"}, "state": STRING, "mediation_due": MOMENT, "extended_at": MOMENT,
                   "extension_days": {"type": ["integer", "null"]}, "extension_reason": {"type": ["string", "null"]},
                   "closed_at": MOMENT, "closing_note": {"type": ["string", "null"]},
                   "complied": {"type": ["boolean", "null"]},
                   "withdrawn_by": {"enum": ["complainant", "brand", None]},
                   "outcome_favours": {"enum": list(outcome.FAVOURS) + [None],
                                       "description": "The mediator's record; shown to the mediator only."}},
}
PROPOSAL_SCHEMA = {
    "type": "object", "required": ["id", "text", "made_at", "answer_due", "notices", "case_state"],
    "properties": {"id": {"type": "integer"}, "text": STRING, "made_at": MOMENT,
                   "answer_days": {"type": "integer"}, "answer_due": MOMENT,
                   "notices": {"type": "array", "items": STRING, "minItems": 3, "maxItems": 3},
                   "legal_effect": {**STRING, "description": "What accepting the proposal does (R.612-4)."},
                   "claims": {"type": "array", "description": "In a collective case, each joined member's own "
                              "answer for their claim.", "items": {"type": "object", "properties": {
                                  "participant_id": {"type": "integer"}, "name": STRING,
                                  "withdrawn": {"type": "boolean"},
                                  "answer": {"enum": ["accepted", "refused", None]}}}},
                   "complainant_answer": {"enum": ["accepted", "refused", None]},
                   "brand_answer": {"enum": ["accepted", "refused", None]},
                   "complainant_answered_at": MOMENT, "brand_answered_at": MOMENT, "case_state": STRING},
}


# --- serializers ---------------------------------------------------------------------------------------------------

def serialize_message(message: CaseMessage, roles: dict[int, str]) -> dict:
    """A message with its channel and its author's side."""
    return {"id": message.id, "channel": message.channel.value,
            "author": message.author.display_name if message.author else None,
            "author_role": roles.get(message.author_id), "body": message.body, "created_at": iso(message.created_at)}


def serialize_request(document_request: DocumentRequest, role: str, case: MediationCase) -> dict:
    """A document request, and whether the caller may answer it now."""
    return {"id": document_request.id, "from_party": document_request.from_party,
            "description": document_request.description, "share_with": document_request.share_with,
            "requested_at": iso(document_request.requested_at), "fulfilled_at": iso(document_request.fulfilled_at),
            "can_upload": exchange.asks(document_request, role) and case.state in exchange.request_states(role)}


def serialize_document(document: CaseDocument, case: MediationCase) -> dict:
    """A document's description and the address to download it."""
    return {"id": document.id, "filename": document.filename, "content_type": document.content_type,
            "size": document.size, "sha256": document.sha256, "visible_to": document.visible_to,
            "request_id": document.request_id, "uploaded_at": iso(document.uploaded_at),
            "url": url_for("case_exchange_api.document_download", slug=case.brand.slug, case_id=case.id,
                           document_id=document.id)}


def serialize_case_state(case: MediationCase, role: str) -> dict:
    """Where the case stands after an act of this module."""
    return {"id": case.id, "state": case.state.value, "mediation_due": iso(deadlines.mediation_due(case)),
            "extended_at": iso(case.extended_at), "extension_days": case.extension_days,
            "extension_reason": case.extension_reason, "closed_at": iso(case.closed_at),
            "closing_note": case.closing_note, "complied": case.complied, "withdrawn_by": case.withdrawn_by,
            "outcome_favours": case.outcome_favours if role == "mediator" else None}


def serialize_proposal(proposal, case: MediationCase) -> dict:
    """A proposal with its three notices, its computed answer deadline and both answers."""
    return {"id": proposal.id, "text": proposal.text, "made_at": iso(proposal.made_at),
            "answer_days": proposal.answer_days, "answer_due": iso(deadlines.proposal_answer_due(proposal)),
            "notices": [str(notice) for notice in outcome.NOTICES], "legal_effect": str(outcome.LEGAL_EFFECT),
            "claims": outcome.claims_of(case, proposal),
            "complainant_answer": proposal.complainant_answer, "brand_answer": proposal.brand_answer,
            "complainant_answered_at": iso(proposal.complainant_answered_at),
            "brand_answered_at": iso(proposal.brand_answered_at), "case_state": case.state.value}


# --- messages and notes ----------------------------------------------------------------------------------------

def _channel_query() -> MessageChannel | None:
    raw = request.args.get("channel")
    if raw is None:
        return None
    try:
        return MessageChannel(raw)
    except ValueError:
        raise ValidationFailed(_("Choose a channel: both, complainant, brand or note."), field="channel")


@blueprint.get(f"{CASE}/messages")
@documented("The messages the caller may read, oldest first: a party reads both parties' channel and its own "
            "separate hearing; the mediator reads every channel, notes included.", tag=TAG,
            response_schema=PAGE_SCHEMA, errors=(401, 403, 404, 422),
            query=PAGINATION_PARAMETERS + [{"name": "channel", "in": "query", "schema": {"enum": CHANNELS}}])
@case_party
def messages_list(brand, case: MediationCase):
    """The exchange as the caller may read it."""
    role = case_role(current_user, case)
    roles = exchange.author_roles(case)
    return jsonify(paginated(exchange.messages_query(case, role, current_user, _channel_query()),
                             lambda message: serialize_message(message, roles)))


@blueprint.post(f"{CASE}/messages")
@documented("Write a message: the mediator on any channel; a party on both or on its own separate hearing. The "
            "channel's readers are notified.", tag=TAG, request_schema=POST_MESSAGE_SCHEMA,
            response_schema=MESSAGE_SCHEMA, status=201, errors=ERRORS)
@case_party
def messages_create(brand, case: MediationCase):
    """Post a message on a channel."""
    data = json_body(set(POST_MESSAGE_SCHEMA["properties"]))
    message = exchange.post_message(case, current_user, string_field(data, "channel", True),
                                    string_field(data, "body", True))
    db.session.commit()
    return jsonify(serialize_message(message, exchange.author_roles(case))), 201


@blueprint.get(f"{CASE}/notes")
@documented("The mediator's private notes, oldest first (the mediator only).", tag=TAG, response_schema=PAGE_SCHEMA,
            query=PAGINATION_PARAMETERS, errors=(401, 403, 404, 422))
@case_mediator
def notes_list(brand, case: MediationCase):
    """The mediator reads their notes."""
    role = case_role(current_user, case)
    roles = exchange.author_roles(case)
    return jsonify(paginated(exchange.messages_query(case, role, current_user, MessageChannel.NOTE),
                             lambda message: serialize_message(message, roles)))


@blueprint.post(f"{CASE}/notes")
@documented("Write a private note (the mediator only; nobody else ever reads it).", tag=TAG,
            request_schema=NOTE_SCHEMA, response_schema=MESSAGE_SCHEMA, status=201, errors=ERRORS)
@case_mediator
def notes_create(brand, case: MediationCase):
    """The mediator writes a note."""
    data = json_body(set(NOTE_SCHEMA["properties"]))
    message = exchange.post_note(case, current_user, string_field(data, "body", True))
    db.session.commit()
    return jsonify(serialize_message(message, exchange.author_roles(case))), 201


# --- document requests and documents ---------------------------------------------------------------------------

@blueprint.get(f"{CASE}/document-requests")
@documented("Document requests: the mediator sees them all, a party those addressed to it (with can_upload).",
            tag=TAG, errors=(401, 403, 404),
            response_schema={"type": "object", "required": ["items"],
                             "properties": {"items": {"type": "array", "items": REQUEST_SCHEMA}}})
@case_party
def requests_list(brand, case: MediationCase):
    """The requests the caller sees."""
    role = case_role(current_user, case)
    return jsonify({"items": [serialize_request(r, role, case) for r in exchange.requests_for(case, role)]})


@blueprint.post(f"{CASE}/document-requests")
@documented("The mediator asks the complainant (from filing on), the brand or both (once the case is open) for a "
            "document, choosing who will read it.", tag=TAG, request_schema=POST_REQUEST_SCHEMA,
            response_schema=REQUEST_SCHEMA, status=201, errors=ERRORS)
@case_party
def requests_create(brand, case: MediationCase):
    """Ask for a document."""
    data = json_body(set(POST_REQUEST_SCHEMA["properties"]))
    role = case_role(current_user, case)
    document_request = exchange.request_document(
        case, current_user, from_party=string_field(data, "from_party", True),
        description=string_field(data, "description", True), share_with=string_field(data, "share_with") or "all")
    db.session.commit()
    return jsonify(serialize_request(document_request, role, case)), 201


@blueprint.post(f"{CASE}/document-requests/<int:request_id>/documents")
@documented("Send the document asked for (multipart/form-data, field `file`): PDF, PNG or JPEG, at most 5 MB, its "
            "content must match its name. Shared as the mediator chose when asking.", tag=TAG,
            request_schema=UPLOAD_SCHEMA, request_type="multipart/form-data", response_schema=DOCUMENT_SCHEMA,
            status=201, errors=(401, 403, 404, 409, 413, 422, 503))
@case_party
def documents_upload(brand, case: MediationCase, request_id: int):
    """A party uploads a requested document."""
    document_request = exchange.request_in_case(case, request_id)
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed(_("Send the file as multipart/form-data in the field \"file\"."), field="file")
    document = exchange.upload_document(case, current_user, document_request, upload.filename or "", upload.read())
    db.session.commit()
    return jsonify(serialize_document(document, case)), 201


@blueprint.get(f"{CASE}/documents")
@documented("The documents of the case the caller may read, oldest first.", tag=TAG, errors=(401, 403, 404),
            response_schema={"type": "object", "required": ["items"],
                             "properties": {"items": {"type": "array", "items": DOCUMENT_SCHEMA}}})
@case_party
def documents_list(brand, case: MediationCase):
    """The readable documents."""
    role = case_role(current_user, case)
    return jsonify({"items": [serialize_document(d, case) for d in exchange.documents_for(case, role)]})


@blueprint.get(f"{CASE}/documents/<int:document_id>")
@documented("Download a document (its bytes, with its content type; 404 for one the caller may not read).",
            tag=TAG, errors=(401, 403, 404),
            response_schema={"type": "string", "format": "binary",
                             "description": "application/pdf, image/png or image/jpeg."})
@case_party
def document_download(brand, case: MediationCase, document_id: int):
    """The document's bytes, as an attachment."""
    document, data = exchange.document_for_viewer(case, document_id, current_user)
    return exchange.download_response(document, data)


@blueprint.post(f"{CASE}/documents/ask")
@documented("A party asks the mediator for the documents of the case (with an optional note); the mediator is "
            "told and shares all or part of them.", tag=TAG,
            request_schema={"type": "object", "properties": {"note": STRING}},
            response_schema={"type": "object", "properties": {"asked": {"type": "boolean"}}}, errors=ERRORS)
@case_party
def documents_ask(brand, case: MediationCase):
    """Ask for the documents of the case."""
    data = json_body({"note"})
    exchange.ask_for_documents(case, current_user, string_field(data, "note"))
    db.session.commit()
    return jsonify({"asked": True}), 201


@blueprint.post(f"{CASE}/documents/<int:document_id>/share")
@documented("The mediator shares a document of the case with both parties.", tag=TAG,
            response_schema=DOCUMENT_SCHEMA, errors=ERRORS)
@case_party
def document_share(brand, case: MediationCase, document_id: int):
    """Share a document with both parties."""
    document = exchange.share_document(case, current_user, document_id)
    db.session.commit()
    return jsonify(serialize_document(document, case))


REPRESENTATIVE_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": STRING, "side": {"enum": ["complainant", "brand"]},
    "kind": {"enum": list(representation.KINDS)}, "added_at": MOMENT}}


def serialize_representative(entry) -> dict:
    """A lawyer or an assistant of the case."""
    return {"id": entry.id, "name": entry.user.display_name if entry.user else None, "side": entry.side,
            "kind": entry.kind, "added_at": iso(entry.added_at)}


@blueprint.get(f"{CASE}/representatives")
@documented("The lawyers and assistants of the case (R.612-1 3°).", tag=TAG, errors=(401, 403, 404),
            response_schema={"type": "object", "properties": {"items": {"type": "array",
                                                                        "items": REPRESENTATIVE_SCHEMA}}})
@case_party
def representatives_list(brand, case: MediationCase):
    """The representatives."""
    return jsonify({"items": [serialize_representative(r) for r in representation.representatives_of(case)]})


@blueprint.post(f"{CASE}/representatives")
@documented("A party adds a lawyer (who represents it) or an assistant for its side, by the e-mail of their "
            "account; they get their own access to the case as that side (R.612-1 3°).", tag=TAG,
            request_schema={"type": "object", "required": ["email", "kind"],
                            "properties": {"email": STRING, "kind": {"enum": list(representation.KINDS)}}},
            response_schema=REPRESENTATIVE_SCHEMA, errors=ERRORS)
@case_party
def representative_add(brand, case: MediationCase):
    """Add a representative."""
    data = json_body({"email", "kind"})
    entry = representation.add_representative(case, current_user, string_field(data, "email", True),
                                              string_field(data, "kind", True))
    db.session.commit()
    return jsonify(serialize_representative(entry)), 201


@blueprint.delete(f"{CASE}/representatives/<int:representative_id>")
@documented("The party of that side, or the representative themself, ends a representative's access.", tag=TAG,
            response_schema=REPRESENTATIVE_SCHEMA, errors=ERRORS)
@case_party
def representative_remove(brand, case: MediationCase, representative_id: int):
    """Remove a representative."""
    entry = representation.remove_representative(case, current_user, representative_id)
    db.session.commit()
    return jsonify(serialize_representative(entry))


# --- extension, proposal, answers, outcome, compliance, withdrawal ---------------------------------------------

@blueprint.post(f"{CASE}/extension")
@documented("The mediator extends the mediation period (1 to 90 days each time, 90 by default) for a complex case, "
            "as often as needed while it runs (R.612-5); both parties are told at once, with the reason.", tag=TAG,
            request_schema={"type": "object", "required": ["reason"],
                            "properties": {"reason": STRING, "days": {"type": "integer", "minimum": 1,
                                                                      "maximum": outcome.MAX_EXTENSION_DAYS}}},
            response_schema=CASE_STATE_SCHEMA, errors=ERRORS)
@case_party
def extension_create(brand, case: MediationCase):
    """Extend the mediation period."""
    data = json_body({"reason", "days"})
    role = case_role(current_user, case)
    outcome.extend(case, current_user, string_field(data, "reason", True), integer_field(data, "days"))
    db.session.commit()
    return jsonify(serialize_case_state(case, role))


@blueprint.get(f"{CASE}/proposal")
@documented("The current proposal with its three notices, its answer deadline and both answers.", tag=TAG,
            response_schema=PROPOSAL_SCHEMA, errors=(401, 403, 404))
@case_party
def proposal_detail(brand, case: MediationCase):
    """The latest proposal of the case."""
    proposal = outcome.current_proposal(case)
    if proposal is None:
        raise NotFound(_("No proposal has been made in this case."))
    return jsonify(serialize_proposal(proposal, case))


@blueprint.post(f"{CASE}/proposal")
@documented("The mediator proposes a solution on an open case the brand takes part in; the parties have "
            "answer_days (7 to 30, 14 by default) to answer. Refused on a closed case (409).", tag=TAG,
            request_schema={"type": "object", "required": ["text"],
                            "properties": {"text": STRING,
                                           "answer_days": {"type": "integer", "minimum": outcome.MIN_ANSWER_DAYS,
                                                           "maximum": outcome.MAX_ANSWER_DAYS, "default": 14}}},
            response_schema=PROPOSAL_SCHEMA, status=201, errors=ERRORS)
@case_party
def proposal_create(brand, case: MediationCase):
    """Make a proposal."""
    data = json_body({"text", "answer_days"})
    proposal = outcome.propose(case, current_user, string_field(data, "text", True), integer_field(data, "answer_days"))
    db.session.commit()
    return jsonify(serialize_proposal(proposal, case)), 201


@blueprint.post(f"{CASE}/proposal/answer")
@documented("Accept or refuse the proposal, once: the complainant who filed, each member who joined a collective "
            "case (for their own claim), or a staff member of the brand. The brand and at least one claim accept "
            "once every answer is in: settled; the brand's refusal, or every claim refused: not settled. Refused "
            "to anyone else (403) and after the answer deadline (409).", tag=TAG,
            request_schema={"type": "object", "required": ["answer"],
                            "properties": {"answer": {"enum": ["accept", "refuse"]}}},
            response_schema=PROPOSAL_SCHEMA, errors=ERRORS)
@case_party
def proposal_answer(brand, case: MediationCase):
    """Answer the proposal."""
    data = json_body({"answer"})
    answer = string_field(data, "answer", True)
    if answer not in ("accept", "refuse"):
        raise ValidationFailed(_("Answer accept or refuse."), field="answer")
    proposal = outcome.answer_proposal(case, current_user, answer == "accept")
    db.session.commit()
    return jsonify(serialize_proposal(proposal, case))


@blueprint.post(f"{CASE}/outcome")
@documented("The mediator records whom the outcome of a settled or not settled case favours: consumer, brand or "
            "amicable (settled cases only).", tag=TAG,
            request_schema={"type": "object", "required": ["favours"],
                            "properties": {"favours": {"enum": list(outcome.FAVOURS)}}},
            response_schema=CASE_STATE_SCHEMA, errors=ERRORS)
@case_party
def outcome_record(brand, case: MediationCase):
    """Record whom the outcome favours."""
    data = json_body({"favours"})
    role = case_role(current_user, case)
    outcome.record_favours(case, current_user, string_field(data, "favours", True))
    db.session.commit()
    return jsonify(serialize_case_state(case, role))


@blueprint.post(f"{CASE}/compliance")
@documented("After a settlement, the complainant who filed says once whether the brand complied.", tag=TAG,
            request_schema={"type": "object", "required": ["complied"],
                            "properties": {"complied": {"type": "boolean"}}},
            response_schema=CASE_STATE_SCHEMA, errors=ERRORS)
@case_party
def compliance_record(brand, case: MediationCase):
    """Confirm whether the brand complied."""
    data = json_body({"complied"})
    complied = boolean_field(data, "complied", default=None)  # required: no default answer
    role = case_role(current_user, case)
    outcome.record_compliance(case, current_user, complied)
    db.session.commit()
    return jsonify(serialize_case_state(case, role))


@blueprint.post(f"{CASE}/withdraw")
@documented("A party withdraws, with an optional reason, at any moment before the outcome (L.612-2): the "
            "complainant who filed (the case), a member who joined a collective case (their own claim: the case "
            "goes on), or the brand's staff once the brand has taken part.", tag=TAG,
            request_schema={"type": "object", "properties": {"reason": STRING}},
            response_schema=CASE_STATE_SCHEMA, errors=ERRORS)
@case_party
def withdraw(brand, case: MediationCase):
    """Withdraw the case."""
    data = json_body({"reason"})
    role = case_role(current_user, case)
    outcome.withdraw(case, current_user, string_field(data, "reason"))
    db.session.commit()
    return jsonify(serialize_case_state(case, role))

