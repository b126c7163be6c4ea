"""The OpenAPI 3.1 document, built from the /api/v1 routes and the operations they declare."""
from __future__ import annotations

import re

from flask import current_app

from institutions.access import is_public_policy, policy_of
from institutions.api_support import LARGEST_INTEGER, OPENAPI_ATTRIBUTE

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["code", "message", "fields"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "fields": {"type": "object", "additionalProperties": {"type": "string"}}},
    }},
}

ERROR_DESCRIPTIONS = {400: "Bad request", 401: "No valid bearer token", 403: "Not allowed", 404: "Not found",
                      409: "The state forbids it", 413: "Too large", 422: "Invalid input", 429: "Rate limited",
                      503: "Temporarily unavailable (the database or the file storage); try again later"}
# Any operation can answer these: a malformed request (a NUL character, a body nested too deeply) and an outage.
EVERY_OPERATION_ERRORS = (400, 503)


def _openapi_path(rule: str) -> tuple[str, list[str]]:
    """/api/v1/brands/<slug> -> ("/api/v1/brands/{slug}", ["slug"])."""
    names = []

    def replace(match: re.Match) -> str:
        names.append(match.group(2))
        return "{" + match.group(2) + "}"

    return re.sub(r"<(?:([^:>]+):)?(\w+)>", replace, rule), names


def _parameter(rule, name: str) -> dict:
    converter = rule._converters.get(name)
    kind = "integer" if type(converter).__name__ == "IntegerConverter" else "string"
    schema = {"type": kind}
    if kind == "integer":  # beyond this no row exists: the address answers 404 (error_pages.LARGEST_ID)
        schema.update(minimum=0, maximum=LARGEST_INTEGER)
    if type(converter).__name__ == "AnyConverter":  # e.g. <any(toi, cat):extension>
        schema["enum"] = sorted(converter.items)
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _request_schema(declared: dict) -> dict:
    """The body's schema as the route reads it: a JSON object refuses unknown members (api_support.json_body)."""
    schema = declared["request_schema"]
    if declared["request_type"] == "application/json" and schema.get("type") == "object":
        return {"additionalProperties": False, **schema}
    return schema


def api_rules():
    """The URL rules served under /api/v1, with their view functions."""
    for rule in current_app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            yield rule, current_app.view_functions[rule.endpoint]


def build_openapi_document() -> dict:
    """Assemble the document; a route without a declared operation is a bug the suite catches."""
    paths: dict[str, dict] = {}
    for rule, view in sorted(api_rules(), key=lambda pair: pair[0].rule):
        declared = getattr(view, OPENAPI_ATTRIBUTE, None)
        if declared is None:
            continue
        path, names = _openapi_path(rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operation = {
                "operationId": rule.endpoint.replace(".", "_") + ("" if method == "GET" else f"_{method.lower()}"),
                "summary": declared["summary"],
                "tags": [declared["tag"]],
                "parameters": [_parameter(rule, name) for name in names] + declared["query"],
                "responses": {
                    str(declared["status"]): {
                        "description": "Success",
                        "content": {"application/json": {"schema": declared["response_schema"]}},
                    },
                    **{
                        str(code): {"description": ERROR_DESCRIPTIONS[code],
                                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
                        for code in sorted(set(declared["errors"]) | set(EVERY_OPERATION_ERRORS))
                    },
                },
            }
            if not is_public_policy(policy_of(view)):
                operation["security"] = [{"bearerToken": []}]
            else:
                operation["security"] = []
            if declared["request_schema"] is not None:
                operation["requestBody"] = {
                    "required": False,
                    "content": {declared["request_type"]: {"schema": _request_schema(declared)}},
                }
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tribune API", "version": "1",
                 "description": "Institutions for a brand's customer community. Authenticate with a personal "
                                "API token from your account page: `Authorization: Bearer trb_...`."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "securitySchemes": {"bearerToken": {"type": "http", "scheme": "bearer"}},
        },
    }
