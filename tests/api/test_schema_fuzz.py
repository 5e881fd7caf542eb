"""schemathesis against the app's own OpenAPI schema: no operation answers 500 to any input it generates.

Bounded: a few examples per operation, SQLite only (the PostgreSQL behaviour is covered by the
permission and submission tests). The review (several seconds per build) is left to its own test.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from webenv import assert_no_leak

# The module's own fixtures shadow the parametrised ones of conftest: SQLite only.


@pytest.fixture(scope="module")
def env(sqlite_demo, tmp_path_factory):
    from webenv import copy_sqlite, make_env

    return make_env(copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("fuzz") / "demo.db"))


@pytest.fixture(scope="module")
def api_schema(env):
    from gosplan.api import create_app

    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(env.url, refresh_interval=0.5))


def test_no_server_errors(api_schema, env):
    # schemathesis' pytest plugin does not load on this pytest; drive its Hypothesis strategies directly.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    operations = [op for op in operations if op.path != "/api/v1/review"]
    assert len(operations) >= 12
    failures, calls = [], []
    for operation in operations:
        @settings(max_examples=6, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case) -> None:
            response = case.call(headers=env.bearer("planner"))
            calls.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}")
            elif response.status_code >= 400:
                assert_no_leak(response.text)
                assert set(response.json()) == {"error", "detail", "problems"}

        check()
    assert failures == []
    assert len(calls) >= 3 * len(operations) and any(code == 200 for code in calls)


def test_review_is_html_for_planners_and_refused_to_scoped_accounts(env):
    from fastapi.testclient import TestClient

    from gosplan.api import create_app

    with TestClient(create_app(env.url), raise_server_exceptions=False) as client:
        refused = client.get("/api/v1/review", headers=env.bearer("rep1"))
        assert refused.status_code == 403
        review = client.get("/api/v1/review?period=2023-H1", headers=env.bearer("planner"))
        assert review.status_code == 200 and review.headers["content-type"].startswith("text/html")
        assert "Review of plan fulfilment, first half of 2023" in review.text


def test_openapi_documents_every_route(env):
    from gosplan.api import create_app

    paths = create_app(env.url).openapi()["paths"]
    for path in ("/api/v1/units", "/api/v1/indicators", "/api/v1/plans", "/api/v1/targets", "/api/v1/reports",
                 "/api/v1/reports/bulk", "/api/v1/reports/history", "/api/v1/fulfilment", "/api/v1/alerts",
                 "/api/v1/review", "/api/v1/audit"):
        assert path in paths
    assert "Idempotency-Key" in str(paths["/api/v1/reports/bulk"]) or "idempotency-key" in str(
        paths["/api/v1/reports/bulk"]).lower()
