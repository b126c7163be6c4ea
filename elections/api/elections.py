"""JSON API of elections under /api/v1 (bearer tokens only), calling the same services as the pages."""
from __future__ import annotations


from flask import Blueprint, Response, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from elections import ballot_box, ballots, exports, lifecycle, nominations
from elections.access import election_public, election_signed_in, election_staff, with_clock
from elections.permissions import can_manage_elections
from elections.certification import certification_due, certification_overdue, certify
from elections.models import Election, ElectionState
from extensions import db
from institutions.access import brand_public, brand_staff
from institutions.api_support import (
    PAGE_SCHEMA,
    PAGINATION_PARAMETERS,
    action_route,
    integer_field,
    moment_field,
    documented,
    iso,
    json_body,
    paginated,
    string_field,
)
from institutions.errors import NotFound, ValidationFailed
from institutions.models import User

blueprint = Blueprint("elections_api", __name__, url_prefix="/api/v1")

ELECTION_SCHEMA = {"type": "object", "required": ["id", "state", "method"],
                   "properties": {"id": {"type": "integer"}, "state": {"type": "string"}, "method": {"type": "string"}}}
DRAFT_SCHEMA = {
    "type": "object",
    "required": ["title", "method", "nominations_open_at", "nominations_close_at", "voting_open_at", "voting_close_at"],
    "properties": {
        "title": {"type": "string"}, "description": {"type": "string"},
        "method": {"enum": ["plurality", "approval", "irv", "schulze", "majority-judgment"]},
        "nominations_open_at": {"type": "string", "format": "date-time"},
        "nominations_close_at": {"type": "string", "format": "date-time"},
        "voting_open_at": {"type": "string", "format": "date-time"},
        "voting_close_at": {"type": "string", "format": "date-time"},
        "endorsements_required": {"type": "integer"}, "quorum_percent": {"type": ["integer", "null"]},
        "term_months": {"type": "integer"},
        "reminder_hours": {"type": "string", "description": "Hours before voting closes when voters who have not "
                           "voted are reminded, e.g. \"72,24\" (the default); \"\" for none."},
    },
}
BALLOT_SCHEMA = {"oneOf": [
    {"type": "object", "required": ["blank"], "properties": {"blank": {"const": True}}},
    {"type": "object", "required": ["choice"], "properties": {"choice": {"type": ["integer", "string"]}}},
    {"type": "object", "required": ["approvals"], "properties": {"approvals": {"type": "array"}}},
    {"type": "object", "required": ["ranking"], "properties": {"ranking": {"type": "array"}}},
    {"type": "object", "required": ["grades"], "properties": {"grades": {"type": "object"}}},
]}
REASON_SCHEMA = {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}}


def serialize_election(election: Election) -> dict:
    """An election as the API shows it (the result once counted)."""
    document = {
        "id": election.id, "brand": election.brand.slug, "kind": election.kind.value, "title": election.title,
        "description": election.description, "method": election.method.value, "state": election.state.value,
        "nominations_open_at": iso(election.nominations_open_at),
        "nominations_close_at": iso(election.nominations_close_at),
        "voting_open_at": iso(election.voting_open_at), "voting_close_at": iso(election.voting_close_at),
        "endorsements_required": election.endorsements_required, "quorum_percent": election.quorum_percent,
        "term_months": election.term_months, "reminder_hours": election.reminder_hours,
        "eligibility_cutoff": iso(election.eligibility_cutoff),
        "roll_size": election.roll_size, "fingerprint": election.fingerprint, "outcome": election.outcome,
        "winner": election.winner_candidacy_id, "certified_at": iso(election.certified_at),
        "certification_due_at": iso(certification_due(election)),
        "certification_overdue": certification_overdue(election),
        "cancelled_at": iso(election.cancelled_at), "cancel_reason": election.cancel_reason,
        "options": [{"id": key, "name": name} for key, name in ballot_box.option_names(election).items()],
    }
    if current_user.is_authenticated:
        document["you"] = {"voted": ballot_box.has_voted(election, current_user)}
    return document


def serialize_candidacy(candidacy) -> dict:
    return {
        "id": candidacy.id, "name": candidacy.display_name, "state": candidacy.state.value,
        "endorsements": len(candidacy.endorsements), "on_ballot": candidacy.on_ballot,
        "exclusion_reason": candidacy.exclusion_reason,
        "statement": None if candidacy.statement_rejected_at else candidacy.statement_markdown,
        "statement_rejected_reason": candidacy.statement_rejected_reason,
    }


def _draft(data: dict) -> lifecycle.ElectionDraft:
    return lifecycle.ElectionDraft(
        title=string_field(data, "title", required=True), description=string_field(data, "description") or "",
        method=string_field(data, "method", required=True),
        nominations_open_at=moment_field(data, "nominations_open_at"),
        nominations_close_at=moment_field(data, "nominations_close_at"),
        voting_open_at=moment_field(data, "voting_open_at"), voting_close_at=moment_field(data, "voting_close_at"),
        endorsements_required=integer_field(data, "endorsements_required", 0),
        quorum_percent=integer_field(data, "quorum_percent"), term_months=integer_field(data, "term_months", 24),
        reminder_hours=string_field(data, "reminder_hours"),
    )


@blueprint.get("/brands/<slug>/elections")
@documented("The brand's published elections (staff also see drafts).", tag="elections", response_schema=PAGE_SCHEMA,
            query=PAGINATION_PARAMETERS, errors=(404, 422))
@brand_public
@with_clock
def election_list(brand):
    """Elections of a brand, newest first."""
    query = db.select(Election).where(Election.brand_id == brand.id).order_by(Election.voting_close_at.desc())
    if not can_manage_elections(current_user, brand):
        query = query.where(Election.state != ElectionState.DRAFT)
    return jsonify(paginated(query, serialize_election))


@blueprint.post("/brands/<slug>/elections")
@documented("Create an election as a draft (staff of the brand).", tag="elections", request_schema=DRAFT_SCHEMA,
            response_schema=ELECTION_SCHEMA, status=201, errors=(401, 403, 404, 422))
@brand_staff
def election_create(brand):
    """Staff prepare an election."""
    data = json_body(set(DRAFT_SCHEMA["properties"]))
    election = lifecycle.create_draft(brand, current_user, _draft(data))
    db.session.commit()
    return jsonify(serialize_election(election)), 201


@blueprint.get("/elections/<int:election_id>")
@documented("One election: calendar, state, roll size, outcome.", tag="elections", response_schema=ELECTION_SCHEMA,
            errors=(404,))
@election_public
def election_detail(election):
    """The election as it stands."""
    return jsonify(serialize_election(election))


@blueprint.put("/elections/<int:election_id>")
@documented("Edit a draft (refused once nominations are open).", tag="elections", request_schema=DRAFT_SCHEMA,
            response_schema=ELECTION_SCHEMA, errors=(401, 403, 404, 409, 422))
@election_staff
def election_update(election):
    """Change the draft's rules and calendar."""
    data = json_body(set(DRAFT_SCHEMA["properties"]))
    lifecycle.update_draft(election, current_user, _draft(data))
    db.session.commit()
    return jsonify(serialize_election(election))


def _election_route(name: str, endpoint: str, summary: str, act, request_schema=None, errors=(401, 403, 404, 409)):
    """Declare a staff action POST /elections/<id>/<name> calling `act(election, data)`."""
    action_route(blueprint, f"/elections/<int:election_id>/{name}", endpoint, summary=summary, tag="elections",
                 policy=election_staff, request_schema=request_schema, response_schema=ELECTION_SCHEMA,
                 errors=errors, load=lambda election: election, act=act, answer=serialize_election)


_election_route("open-nominations", "election_open", "Announce the election: the calendar freezes; nominations open on "
                "their published date, which is the eligibility cut-off (now, if that date has passed).",
                lambda e, d: lifecycle.open_nominations(e, current_user))
_election_route("cancel", "election_cancel", "Cancel until voting closes, with a public reason (409 once counted: "
                "only certification remains).",
                lambda e, d: lifecycle.cancel(e, current_user, string_field(d, "reason", required=True)),
                request_schema=REASON_SCHEMA, errors=(401, 403, 404, 409, 422))
_election_route("certify", "election_certify", "Certify the stored count; the winner takes office.",
                lambda e, d: certify(e, current_user))


@blueprint.get("/elections/<int:election_id>/candidates")
@documented("The candidacies, with endorsements and ballot status.", tag="candidates", errors=(404,))
@election_public
def candidate_list(election):
    """Every candidacy of the election."""
    return jsonify({"items": [serialize_candidacy(c) for c in election.candidacies]})


@blueprint.post("/elections/<int:election_id>/candidates")
@documented("Stand (no body) or nominate another eligible member ({\"nominee_id\": id}).", tag="candidates",
            request_schema={"type": "object", "properties": {"nominee_id": {"type": "integer"}}}, status=201,
            errors=(401, 403, 404, 409, 422))
@election_signed_in
def candidate_create(election):
    """Nominate."""
    data = json_body({"nominee_id"})
    nominee_id = integer_field(data, "nominee_id", current_user.id)
    nominee = db.session.get(User, nominee_id)
    if nominee is None or nominee.deleted_at is not None:
        raise NotFound(_("No such member."), field="nominee_id")
    candidacy = nominations.nominate(election, current_user, nominee)
    db.session.commit()
    return jsonify(serialize_candidacy(candidacy)), 201


def _candidacy_route(name: str, summary: str, act, request_schema=None):
    """Declare POST /elections/<id>/candidates/<cid>/<name> calling `act(candidacy, data)`."""
    action_route(blueprint, f"/elections/<int:election_id>/candidates/<int:candidacy_id>/{name}",
                 f"candidate_{name.replace('-', '_')}", summary=summary, tag="candidates",
                 policy=election_signed_in, request_schema=request_schema,
                 load=lambda election, candidacy_id: nominations.candidacy_in_election(election, candidacy_id),
                 act=act, answer=serialize_candidacy)


_candidacy_route("accept", "The nominee accepts to stand.",
                 lambda c, d: nominations.answer_nomination(c, current_user, True))
_candidacy_route("decline", "The nominee declines.",
                 lambda c, d: nominations.answer_nomination(c, current_user, False))
_candidacy_route("endorse", "Endorse a candidate (once per candidacy).",
                 lambda c, d: nominations.endorse(c, current_user))
_candidacy_route("withdraw", "The candidate withdraws (until voting opens).",
                 lambda c, d: nominations.withdraw(c, current_user))
_candidacy_route("statement", "The candidate publishes their statement (Markdown).",
                 lambda c, d: nominations.write_statement(c, current_user, string_field(d, "statement") or ""),
                 request_schema={"type": "object", "properties": {"statement": {"type": "string"}}})
_candidacy_route("reject-statement", "Staff reject a statement for a code-of-conduct breach, with a public reason.",
                 lambda c, d: nominations.reject_statement(c, current_user, string_field(d, "reason", required=True)),
                 request_schema=REASON_SCHEMA)


@blueprint.post("/elections/<int:election_id>/ballots")
@documented("Cast a ballot; returns the tracker, shown once. 409 for a second ballot, 422 for an invalid one, "
            "403 for a caller not on the roll.", tag="ballots", request_schema=BALLOT_SCHEMA,
            response_schema={"type": "object", "required": ["tracker"], "properties": {"tracker": {"type": "string"}}},
            status=201, errors=(401, 403, 404, 409, 422))
@election_signed_in
def ballot_cast(election):
    """One voter, one secret ballot."""
    data = json_body({"blank", "choice", "approvals", "ranking", "grades"})
    tracker = ballot_box.cast_ballot(election, current_user, data)
    db.session.commit()
    return jsonify({"tracker": tracker}), 201


@blueprint.get("/elections/<int:election_id>/bulletin-board")
@documented("The bulletin board: tracker hashes while voting, every ballot after close.", tag="ballots",
            response_schema=PAGE_SCHEMA, query=PAGINATION_PARAMETERS, errors=(404, 422))
@election_public
def bulletin(election):
    """Ballots by tracker hash."""
    show = election.state in (ElectionState.CLOSED, ElectionState.CERTIFIED)

    def serialize(ballot):
        item = {"tracker_hash": ballot.tracker_hash}
        if show:
            item["ballot"] = ballot.content
            item["choice"] = ballots.decode(election.method, ballot.content)
        return item

    query = db.select(ballot_box.Ballot).where(ballot_box.Ballot.election_id == election.id) \
        .order_by(ballot_box.Ballot.tracker_hash)
    return jsonify(paginated(query, serialize))


@blueprint.post("/elections/<int:election_id>/bulletin-board/check")
@documented("Is the ballot with this tracker in the box (and, after close, what does it say)? The tracker goes "
            "in the JSON body, never in the address, so that it stays out of access logs.", tag="ballots",
            request_schema={"type": "object", "required": ["tracker"], "additionalProperties": False,
                            "properties": {"tracker": {"type": "string", "minLength": 1, "maxLength": 100}}},
            response_schema={"type": "object", "required": ["found"],
                             "properties": {"found": {"type": "boolean"},
                                            "choice": {"type": ["object", "null"]}}},
            errors=(404, 422))
@election_public
def tracker_check(election):
    """Check a tracker sent in the body."""
    data = json_body({"tracker"})
    tracker = string_field(data, "tracker", required=True) or ""
    if not tracker.strip() or len(tracker) > 100:
        raise ValidationFailed(_("Give the tracker code."), field="tracker")
    check = ballot_box.check_tracker(election, tracker)
    return jsonify({"found": check.found, "choice": check.choice})


@blueprint.get("/elections/<int:election_id>/results")
@documented("The result computed once at close, with the method's detail.", tag="results", errors=(404,))
@election_public
def results(election):
    """Winner, turnout, blank votes and the detail."""
    result = ballot_box.stored_result(election)
    if result is None:
        raise NotFound(_("The election is not counted yet."))
    return jsonify({"election": election.id, "outcome": election.outcome, "winner": election.winner_candidacy_id,
                    "roll_size": election.roll_size, "fingerprint": election.fingerprint,
                    "names": {str(k): v for k, v in ballot_box.option_names(election).items()}, "result": result})


@blueprint.get("/elections/<int:election_id>/ballots.csv")
@documented("The anonymized ballots as CSV (ranks, or grade names for majority judgment).", tag="results",
            response_schema={"type": "string"}, errors=(404,))
@election_public
def export_csv(election):
    """CSV export for a recount."""
    _require_published(election)
    return Response(exports.ballots_csv(election), mimetype="text/csv")


@blueprint.get("/elections/<int:election_id>/ballots.<any(toi, cat):extension>")
@documented("The anonymized ballots in PrefLib format: .toi for rankings, .cat for majority judgment.",
            tag="results", response_schema={"type": "string"}, errors=(404,))
@election_public
def export_preflib(election, extension: str):
    """PrefLib export for a recount."""
    _require_published(election)
    if extension != exports.preflib_extension(election):
        raise NotFound(_("This election's PrefLib file is ballots.%(extension)s.",
                         extension=exports.preflib_extension(election)))
    return Response(exports.ballots_preflib(election), mimetype="text/plain")


def _require_published(election) -> None:
    """Ballots are downloadable only once voting has closed."""
    if not exports.is_published(election):
        raise NotFound(_("The ballots are published when voting closes."))
