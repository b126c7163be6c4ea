"""What every JSON route shares: OpenAPI declarations, request bodies, pagination, serializers."""
from __future__ import annotations

import math
from datetime import date, datetime, timezone
from typing import Any, Callable

from flask import current_app, jsonify, request, url_for
from flask_babel import gettext as _

from extensions import db
from institutions.errors import DomainError, ValidationFailed

OPENAPI_ATTRIBUTE = "openapi_operation"
# Whole numbers the API accepts and pages it serves fit the database's INTEGER columns (32 bits signed).
LARGEST_INTEGER = 2**31 - 1
# A JSON body is a form's worth of fields: far below these bounds; deeper or larger is refused before use.
JSON_MAX_DEPTH = 32
JSON_MAX_BYTES = 1024 * 1024


class MalformedBody(DomainError):
    """The body cannot be read as the API's input at all (too deep, too large, a NUL character)."""

    status = 400
    code = "bad_request"


class BodyTooLarge(MalformedBody):
    """The JSON body is over JSON_MAX_BYTES."""

    status = 413
    code = "too_large"


def documented(summary: str, *, tag: str, request_schema: dict | None = None, request_type: str = "application/json",
               response_schema: dict | None = None, status: int = 200, query: list[dict] | None = None,
               errors: tuple[int, ...] = ()) -> Callable:
    """Declare a JSON route's OpenAPI operation next to its code (the document is built from these)."""

    def declare(view: Callable) -> Callable:
        setattr(view, OPENAPI_ATTRIBUTE, {
            "summary": summary, "tag": tag, "request_schema": request_schema, "request_type": request_type,
            "response_schema": response_schema or {"type": "object"}, "status": status,
            "query": query or [], "errors": errors,
        })
        return view

    return declare


def _check_json_shape(data: Any) -> None:
    """Refuse nesting beyond JSON_MAX_DEPTH and NUL characters (PostgreSQL stores no NUL), naming the field."""
    pending = [(data, 1, None)]
    while pending:  # iterative: a deep body must not exhaust the stack we check it with
        value, depth, field = pending.pop()
        if depth > JSON_MAX_DEPTH:
            raise MalformedBody(_("The body is nested too deeply (at most %(n)d levels).", n=JSON_MAX_DEPTH),
                                field=field or "body")
        if isinstance(value, str) and "\x00" in value:
            raise MalformedBody(_("Text cannot contain the NUL character."), field=field or "body")
        if isinstance(value, dict):
            for key, member in value.items():
                if "\x00" in key:
                    raise MalformedBody(_("Text cannot contain the NUL character."), field=field or "body")
                pending.append((member, depth + 1, field or key))
        elif isinstance(value, list):
            pending.extend((member, depth + 1, field) for member in value)


def json_body(allowed: set[str]) -> dict[str, Any]:
    """The request's JSON object; unknown or malformed input is refused with the field named."""
    if request.content_length is not None and request.content_length > JSON_MAX_BYTES:
        raise BodyTooLarge(_("The body is too large (at most %(n)d bytes).", n=JSON_MAX_BYTES), field="body")
    if not request.data:
        return {}
    if len(request.data) > JSON_MAX_BYTES:
        raise BodyTooLarge(_("The body is too large (at most %(n)d bytes).", n=JSON_MAX_BYTES), field="body")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # the decoder itself gave up on the nesting
        raise MalformedBody(_("The body is nested too deeply (at most %(n)d levels).", n=JSON_MAX_DEPTH),
                            field="body")
    if not isinstance(data, dict):
        raise ValidationFailed(_("The body must be a JSON object."), field="body")
    _check_json_shape(data)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationFailed(_("Unknown field."), fields={name: _("Unknown field.") for name in unknown})
    return data


def string_field(data: dict, name: str, required: bool = False) -> str | None:
    """A string member of the body, or a refusal naming it."""
    value = data.get(name)
    if value is None:
        if required:
            raise ValidationFailed(_("This field is required."), field=name)
        return None
    if not isinstance(value, str):
        raise ValidationFailed(_("This field must be a string."), field=name)
    return value


def moment_field(data: dict, name: str, required: bool = False) -> datetime | None:
    """An ISO 8601 date and time with its offset (a trailing Z is UTC), or a refusal naming the field."""
    raw = string_field(data, name, required)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(_("Use an ISO 8601 date and time with its offset, e.g. 2027-03-01T09:00:00Z."),
                               field=name)
    if moment.tzinfo is None:
        raise ValidationFailed(_("This date needs a time zone."), field=name)
    try:
        moment.astimezone(timezone.utc)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before the first representable moment
        raise ValidationFailed(_("This date is out of range."), field=name)
    return moment


def date_field(data: dict, name: str, required: bool = False) -> date | None:
    """An ISO 8601 calendar date (YYYY-MM-DD), or a refusal naming the field; blank counts as absent."""
    raw = string_field(data, name, required)
    if raw is None or not raw.strip():
        if required:
            raise ValidationFailed(_("This field is required."), field=name)
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationFailed(_("Use an ISO 8601 date, e.g. 2027-03-01."), field=name)


def integer_field(data: dict, name: str, default: int | None = None, required: bool = False) -> int | None:
    """A whole number (never a boolean or a float), or a refusal naming the field."""
    value = data.get(name, default)
    if value is None:
        if required:
            raise ValidationFailed(_("This field is required."), field=name)
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(_("This field must be a whole number."), field=name)
    if not -LARGEST_INTEGER - 1 <= value <= LARGEST_INTEGER:
        raise ValidationFailed(_("This number is out of range."), field=name)
    return value


def number_field(data: dict, name: str, required: bool = False) -> int | float | None:
    """A JSON number (never a boolean), or a refusal naming the field."""
    value = data.get(name)
    if value is None:
        if required:
            raise ValidationFailed(_("This field is required."), field=name)
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationFailed(_("This field must be a number."), field=name)
    # Python's JSON reader accepts NaN and Infinity, and integers of any size: no column holds them.
    if not math.isfinite(value) or abs(value) > 10**15:
        raise ValidationFailed(_("This number is out of range."), field=name)
    return value


def boolean_field(data: dict, name: str, default: bool = False) -> bool:
    """true or false, or a refusal naming the field."""
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise ValidationFailed(_("This field must be true or false."), field=name)
    return value


PAGINATION_PARAMETERS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": LARGEST_INTEGER,
                                               "default": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
]

PAGE_SCHEMA = {
    "type": "object",
    "required": ["items", "page", "per_page", "total", "next"],
    "properties": {
        "items": {"type": "array", "items": {"type": "object"}},
        "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"},
        "next": {"type": ["string", "null"]},
    },
}


def _positive_int(name: str, default: int, maximum: int = LARGEST_INTEGER) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    # ASCII digits only: "³".isdigit() is true but int("³") fails, and ten digits already pass the bound.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10) or not 1 <= int(raw) <= maximum:
        raise ValidationFailed(_("Must be a whole number in %(range)s.", range=f"1..{maximum}"), field=name)
    return int(raw)


def paginated(query, serialize: Callable[[Any], dict]) -> dict:
    """One page of a query in the API's page shape, with the address of the next page."""
    page = _positive_int("page", 1)
    per_page = _positive_int("per_page", current_app.config["API_PAGE_SIZE"], current_app.config["API_MAX_PAGE_SIZE"])
    result = db.paginate(query, page=page, per_page=per_page, error_out=False)
    next_url = None
    if result.has_next:
        args = {**request.view_args, **request.args.to_dict(), "page": page + 1, "per_page": per_page}
        next_url = url_for(request.endpoint, **args)
    return {"items": [serialize(item) for item in result.items], "page": page, "per_page": per_page,
            "total": result.total, "next": next_url}


def iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def serialize_user(user) -> dict:
    return {"id": user.id, "display_name": user.display_name, "email": user.email,
            "email_verified": user.is_email_verified, "locale": user.locale, "timezone": user.timezone,
            "is_platform_admin": user.is_platform_admin}


def serialize_brand(brand) -> dict:
    return {"slug": brand.slug, "name": brand.name, "description": brand.description, "colour": brand.colour,
            "country": brand.country, "created_at": iso(brand.created_at),
            "url": url_for("brands.home", slug=brand.slug)}


def serialize_membership(membership, with_person: bool = False) -> dict:
    document = {"id": membership.id, "brand": membership.brand.slug, "status": membership.status.value,
                "customer_number": membership.customer_number, "started_at": iso(membership.started_at),
                "verified_at": iso(membership.verified_at), "left_at": iso(membership.left_at)}
    if with_person:
        document["member"] = {"id": membership.user.id, "display_name": membership.user.display_name,
                              "email": membership.user.email}
    return document


def serialize_holding(holding) -> dict:
    return {"holder": holding.holder_name, "source": holding.source, "started_at": iso(holding.started_at),
            "term_ends_at": iso(holding.term_ends_at), "ended_at": iso(holding.ended_at),
            "end_reason": holding.end_reason}


def action_route(blueprint, rule: str, endpoint: str, *, summary: str, tag: str, policy: Callable,
                 load: Callable, act: Callable, answer: Callable, before: Callable | None = None,
                 request_schema: dict | None = None, response_schema: dict | None = None,
                 errors: tuple = (401, 403, 404, 409, 422), status: int = 200) -> None:
    """Declare a documented POST `rule` that loads its subject, acts on it with the JSON body, commits, answers.

    `policy` guards the route and hands the view its scope (a brand, an election, or a brand and a case);
    `load(*scope, **ids)` finds the subject, `act(subject, data)` calls the service, `answer(subject)` is the
    JSON sent back. With `before`, what `before(subject)` said ahead of the act goes to `answer(subject, it)`
    (a case answers as the caller saw it when the act ended their role).
    """

    @documented(summary, tag=tag, request_schema=request_schema, response_schema=response_schema, status=status,
                errors=errors)
    @policy
    def route(*scope, **ids):
        data = json_body(set((request_schema or {}).get("properties", {})))
        subject = load(*scope, **ids)
        earlier = before(subject) if before is not None else None
        act(subject, data)
        db.session.commit()
        return jsonify(answer(subject) if before is None else answer(subject, earlier)), status

    route.__name__ = route.__qualname__ = endpoint
    route.__doc__ = summary
    blueprint.add_url_rule(rule, view_func=route, methods=["POST"])
