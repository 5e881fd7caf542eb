"""The definite action plan through /api/v1/action-plans: a planner proposes, an admin records the adoption,
anyone signed in reads the plan, its versions and its stocktake; refusals in the API's one error shape."""

from __future__ import annotations

import pytest

BASE = "/api/v1/action-plans/2023-H1"
BODY = "Plenary meeting of the Central Committee"


@pytest.fixture(scope="module")
def env(sqlite_demo, tmp_path_factory):
    """A copy of the session's demo with its July-September reports (for the stocktake)."""
    from gosplan.service import Service
    from gosplan.service.action_plan import extend_demo_reports
    from webenv import copy_sqlite, make_env

    url = copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("action-plan-api") / "demo.db")
    extend_demo_reports(Service.open(url), "2023-09")
    return make_env(url)


def test_before_any_proposal_the_plan_is_not_found_and_only_planners_propose(env, client):
    missing = client.get(BASE, headers=env.bearer("viewer"))
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    assert "no action plan for 2023-H1" in missing.json()["detail"]
    denied = client.post(f"{BASE}/versions", json={}, headers=env.bearer("viewer"))
    assert denied.status_code == 403 and denied.json()["error"] == "forbidden"
    assert client.post(f"{BASE}/versions", json={}).status_code == 401
    bad = client.get("/api/v1/action-plans/2023-13", headers=env.bearer("viewer"))
    assert bad.status_code == 422 and bad.json()["problems"]


def test_a_planner_proposes_and_an_admin_records_the_adoption(env, client):
    proposed = client.post(f"{BASE}/versions", json={}, headers=env.bearer("planner"))
    assert proposed.status_code == 200, proposed.text
    assert proposed.json()["version"] == 1 and proposed.json()["status"] == "proposed"
    assert "planner" in proposed.json()["proposed_by"]  # the token's name
    shown = client.get(BASE, headers=env.bearer("viewer")).json()
    stored = env.service.store.action_plan_version("2023-H1", 1)["document"]
    assert shown["status"] == "proposed" and shown["document"]["actions"] == stored["actions"]
    assert [a["number"] for a in shown["document"]["actions"]] == list(range(1, len(stored["actions"]) + 1))
    # Only an admin records an adoption; the planner is refused in the API's error shape.
    adopt = {"body": BODY, "on": "2023-07-20"}
    refused = client.post(f"{BASE}/versions/1/adopt", json=adopt, headers=env.bearer("planner"))
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    adopted = client.post(f"{BASE}/versions/1/adopt", json=adopt, headers=env.bearer("admin"))
    assert adopted.status_code == 200, adopted.text
    assert (adopted.json()["status"], adopted.json()["adopted_by_body"], adopted.json()["adopted_on"]) == \
        ("adopted", BODY, "2023-07-20")
    assert "admin" in adopted.json()["recorded_by"]


def test_an_adopted_plan_changes_only_by_an_amendment_with_a_reason(env, client):
    again = client.post(f"{BASE}/versions", json={}, headers=env.bearer("planner"))
    assert again.status_code == 409 and again.json()["error"] == "conflict" and "reason" in again.json()["detail"]
    amended = client.post(f"{BASE}/versions", json={"reason": "coal deliveries re-checked"},
                          headers=env.bearer("admin"))
    assert amended.status_code == 200 and amended.json()["version"] == 2
    assert amended.json()["reason"] == "coal deliveries re-checked"
    listed = client.get(f"{BASE}/versions", headers=env.bearer("viewer")).json()
    assert listed["total"] == 2 and [v["status"] for v in listed["items"]] == ["adopted", "proposed"]
    assert client.get(BASE, headers=env.bearer("viewer")).json()["version"] == 1  # the adopted one is in force
    unknown = client.post(f"{BASE}/versions/99/adopt", json={"body": BODY, "on": "2023-08-01"},
                          headers=env.bearer("admin"))
    assert unknown.status_code == 404 and unknown.json()["error"] == "not_found"
    no_day = client.post(f"{BASE}/versions/2/adopt", json={"body": BODY}, headers=env.bearer("admin"))
    assert no_day.status_code == 422 and any(p["field"] and "on" in p["field"] for p in no_day.json()["problems"])


def test_a_units_actions_and_the_stocktake(env, client):
    document = env.service.store.action_plan_version("2023-H1", 1)["document"]
    owner = document["actions"][0]["owner"]
    mine = client.get(BASE, params={"unit": owner}, headers=env.bearer("rep1")).json()["document"]["actions"]
    assert mine and all(a["owner"] == owner or owner in a["co_owners"] for a in mine)
    taken = client.get(f"{BASE}/stocktake", params={"through": "2023-09"}, headers=env.bearer("viewer"))
    assert taken.status_code == 200, taken.text
    body = taken.json()
    assert body["version"] == 1 and body["through"] == "2023-09"
    assert {m["month"] for m in body["milestones"]} == {"2023-07", "2023-08", "2023-09"}
    summary = body["summary"]
    assert summary["green"] + summary["amber"] + summary["red"] == summary["actions"] > 0
    assert summary["actions"] == len({m["key"] for m in body["milestones"]})


def test_a_session_write_needs_its_csrf_token(env, client):
    from webenv import login

    login(client, "planner")
    refused = client.post(f"{BASE}/versions", json={"reason": "x"})
    assert refused.status_code == 403 and refused.json()["error"] == "csrf"


def test_the_openapi_schema_publishes_the_routes_and_their_error_shape(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    adopt = paths["/api/v1/action-plans/{period}/versions/{version}/adopt"]["post"]
    for code in ("401", "403", "404", "409", "422"):
        assert adopt["responses"][code]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    assert {"get", "post"} <= set(paths["/api/v1/action-plans/{period}/versions"])
    assert "get" in paths["/api/v1/action-plans/{period}/stocktake"]
