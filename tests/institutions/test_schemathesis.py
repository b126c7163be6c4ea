"""Schemathesis against /api/v1/openapi.json: no request it generates gets a server error.

Every operation of the document is called a few times over the demo data: with valid input whose path
parameters name demo rows, as the demo member and as the demo staff; with invalid input (staff); and with
any path at all (staff, mostly 404s). Every answer must be below 500.
"""
from __future__ import annotations

import contextvars
import time
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from sqlalchemy import select, text

from extensions import db
from institutions.models import User
from tests.conftest import bearer

# Examples per operation and kind of run: enough to reach every route's checks, few enough to stay fast.
EXAMPLES = 4

# The demo rows a path parameter can name, so generated requests reach the services and not only a 404.
ID_TABLES = {
    "application_id": "ambassador_applications", "candidacy_id": "candidacies", "case_id": "mediation_cases",
    "declaration_id": "advocate_declarations", "document_id": "case_documents", "election_id": "elections",
    "mandate_id": "mandates", "mediator_id": "mediators", "membership_id": "memberships",
    "objection_id": "mediator_objections", "order_id": "mission_orders", "representation_id": "representations",
    "request_id": "document_requests",
}


def _existing_values() -> dict[str, list]:
    values = {name: list(db.session.scalars(text(f"SELECT id FROM {table} ORDER BY id")))
              for name, table in ID_TABLES.items()}
    values["number"] = [1, 2]
    values["year"] = [2026, 2027]
    values["slug"] = ["demo"]
    return {name: found for name, found in values.items() if found}


def _aimed(operation, mode: GenerationMode, existing: dict[str, list]):
    """Cases whose path parameters name demo rows; the rest (query, body) is generated."""
    names = [p.name for p in operation.path_parameters]
    choices = {name: st.sampled_from(existing[name]) for name in names if name in existing}
    return st.fixed_dictionaries(choices).flatmap(
        lambda fixed: operation.as_strategy(mode, path_parameters=fixed))


STATUSES: Counter = Counter()


def _call(case, headers: dict):
    """One request through the WSGI app, in a context of its own (the test holds an app context)."""
    response = contextvars.Context().run(case.call, headers=headers)
    STATUSES[response.status_code // 100 * 100] += 1
    return response


def _run(strategy, examples: int, headers: dict) -> str | None:
    """Call `examples` generated cases; what went wrong (the failing request as curl), or None."""

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case):
        response = _call(case, headers)
        case.validate_response(response, checks=[not_a_server_error])

    try:
        run()
    except (Exception, BaseExceptionGroup) as error:  # collect every failing operation, report them together
        return str(error)[:1500]
    return None


@pytest.fixture
def demo_tokens(app, make):
    """The demo data, and API headers for its member and its staff."""
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    people = {user.email: user for user in db.session.scalars(select(User))}
    return {"member": bearer(people["member@tribune.test"]), "staff": bearer(people["staff@tribune.test"])}


def test_no_generated_request_gets_a_server_error(app, demo_tokens):
    STATUSES.clear()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    existing = _existing_values()
    failures: list[str] = []
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 100  # the whole API, not a part of it

    for operation in operations:
        # Staff pass every policy short of a party's own (most of them), so their calls reach the body's
        # checks; invalid input needs something to make invalid: a body or a query (a slug is any text).
        runs = [("staff", operation.as_strategy(GenerationMode.POSITIVE), 2)]  # any path: mostly 404s
        runs += [(role, _aimed(operation, GenerationMode.POSITIVE, existing), EXAMPLES) for role in ("member", "staff")]
        if operation.body or operation.query:
            runs.append(("staff", _aimed(operation, GenerationMode.NEGATIVE, existing), EXAMPLES))
        for role, strategy, examples in runs:
            failure = _run(strategy, examples, demo_tokens[role])
            if failure:
                failures.append(f"{role} {operation.label}: {failure}")
    elapsed = time.monotonic() - started
    assert not failures, f"{len(failures)} failing ({elapsed:.0f} s):\n" + "\n\n".join(failures)
    # The run reached the services (answers and refusals), not only the routing's 404.
    assert STATUSES[200] > 100 and STATUSES[400] > 500, STATUSES


def test_a_server_error_is_reported(app, make, monkeypatch):
    """The harness itself catches a 500: a route that crashes fails the run."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    user = make.user()

    def crash():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "api.me", crash)
    failure = _run(schema["/api/v1/me"]["GET"].as_strategy(GenerationMode.POSITIVE), 1, bearer(user))
    assert failure is not None and "Server error" in failure
