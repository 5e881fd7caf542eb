"""The published OpenAPI schema tells the truth: schemathesis calls every operation with generated input
and checks each answer's status code, content type and body against the schema (the documented error
shape included), as a signed-in planner, as an unauthenticated caller and as a reporter scoped to one
province. SQLite only, a few examples per operation."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def env(sqlite_demo, tmp_path_factory):
    from webenv import copy_sqlite, make_env

    return make_env(copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("conformance") / "demo.db"))


@pytest.fixture(scope="module")
def api_schema(env):
    from gosplan.api import create_app

    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(env.url, refresh_interval=0.5))


def _operations(api_schema) -> list:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    return [op for op in operations if op.path != "/api/v1/review"]  # seconds per build; its own test


@pytest.mark.parametrize("caller", ["planner", "rep1", None])
def test_answers_conform_to_the_schema(api_schema, env, caller):
    operations = _operations(api_schema)
    assert len(operations) >= 14
    failures: list[str] = []
    statuses: set[int] = set()
    for operation in operations:
        @settings(max_examples=4, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case) -> None:
            if case.method.upper() in ("PATCH", "DELETE") and caller == "planner":
                return  # refused (403) by role anyway; keep the accounts of the module's store intact
            headers = env.bearer(caller) if caller else {}
            response = case.call(headers=headers)
            statuses.add(response.status_code)
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as exc:  # schemathesis raises a FailureGroup naming each failed check
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {exc}"[:600])

        check()
    assert failures == []
    assert (caller is None and statuses == {401}) or (caller is not None and 200 in statuses)


def test_every_route_declares_the_error_shape(api_schema):
    schema = api_schema.raw_schema
    assert set(schema["components"]["schemas"]["ErrorOut"]["required"]) >= {"error", "detail"}
    for path, methods in schema["paths"].items():
        for method, spec in methods.items():
            codes = set(spec["responses"])
            assert "401" in codes, (method, path)
            if spec.get("parameters") or spec.get("requestBody"):
                assert "422" in codes, (method, path)
            for code in codes - {"200", "204"}:
                ref = spec["responses"][code]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorOut"), (method, path, code)
            if method in ("post", "patch"):
                assert {"409", "413"} <= codes, (method, path)
