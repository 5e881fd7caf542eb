"""POST /api/v1/plans/{version}/counter: counter-plans through the API, checked as the CLI import checks
them, reporters limited to their subtree (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from webenv import OTHER, OWN

URL = "/api/v1/plans/{}/counter"


@pytest.fixture(scope="module")
def versions(env):
    from gosplan.service import plans

    known = set(env.service.store.plan_versions()["code"])
    for code in ("api-cp-2024", "api-cp-old"):
        if code not in known:
            plans.draft(env.service, 2024, created_by="test", code=code)
    env.service.store.set_version_status("api-cp-old", "adopted", adopted_by="test")
    return "api-cp-2024", "api-cp-old"


def _count(env, code: str) -> int:
    return len(env.service.store.counter_plans(code, latest=False))


def test_a_reporter_answers_for_its_own_unit(env, client, versions):
    code = versions[0]
    draft = env.service.store.version_targets(code).set_index(["unit", "indicator"])["value"]
    before = _count(env, code)
    row = {"unit": OWN, "indicator": "electricity", "value": 1_000_000_000.0, "reason": "boiler overhaul in Q2"}
    answer = client.post(URL.format(code), json={"rows": [row]}, headers=env.bearer("rep1"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["recorded"] == 1 and "rep1" in body["submitted_by"]
    shown = next(r for r in body["counter_plans"] if r["unit"] == OWN and r["indicator"] == "electricity")
    assert shown["counter"] == 1e9 and shown["reason"] == "boiler overhaul in Q2"
    assert shown["difference"] == pytest.approx(1e9 - draft[(OWN, "electricity")])
    assert _count(env, code) == before + 1
    stored = env.service.store.counter_plans(code)
    assert stored.loc[stored["unit"].eq(OWN), "period"].tolist() == ["2024"]  # the version's year by default


def test_every_problem_is_named_and_nothing_is_written(env, client, versions):
    code = versions[0]
    before = _count(env, code)
    rows = [{"unit": OWN, "indicator": "electricity", "period": "2024", "value": 5.0, "reason": "fine"},
            {"unit": OTHER, "indicator": "electricity", "period": "2024", "value": 5.0, "reason": "not ours"},
            {"unit": OWN, "indicator": "electricity", "period": "2025", "value": -1.0, "reason": " "},
            {"unit": OWN, "indicator": "unobtainium", "period": "2024", "value": 1.0, "reason": "x"}]
    answer = client.post(URL.format(code), json={"rows": rows}, headers=env.bearer("rep1"))
    assert answer.status_code == 422, answer.text
    problems = {(p["row"], p["field"]): p["reason"] for p in answer.json()["problems"]}
    assert "outside the subtree of the sender KP-01" in problems[(2, "unit")]
    assert "not in api-cp-2024's year 2024" in problems[(3, "period")]
    assert "must not be negative" in problems[(3, "value")]
    assert "needs a reason" in problems[(3, "reason")]
    assert "unknown indicator 'unobtainium'" in problems[(4, "indicator")]
    assert _count(env, code) == before


def test_planners_answer_for_any_unit_viewers_not_at_all(env, client, versions):
    code = versions[0]
    row = {"unit": OTHER, "indicator": "electricity", "value": 2e9, "reason": "new turbine"}
    assert client.post(URL.format(code), json={"rows": [row]}, headers=env.bearer("planner")).status_code == 200
    denied = client.post(URL.format(code), json={"rows": [row]}, headers=env.bearer("viewer"))
    assert denied.status_code == 403 and denied.json()["error"] == "forbidden"
    assert client.post(URL.format(code), json={"rows": [row]}).status_code == 401


def test_unknown_or_adopted_versions_and_bad_bodies(env, client, versions):
    row = {"unit": OWN, "indicator": "electricity", "value": 1.0, "reason": "x"}
    missing = client.post(URL.format("no-such-plan"), json={"rows": [row]}, headers=env.bearer("rep1"))
    assert missing.status_code == 404 and "no plan version 'no-such-plan'" in missing.json()["detail"]
    adopted = client.post(URL.format(versions[1]), json={"rows": [row]}, headers=env.bearer("rep1"))
    assert adopted.status_code == 409 and "answer a draft" in adopted.json()["detail"]
    for body in ({"rows": []}, {"rows": [{**row, "value": "lots"}]}, {"rows": [{**row, "colour": "red"}]}):
        bad = client.post(URL.format(versions[0]), json=body, headers=env.bearer("rep1"))
        assert bad.status_code == 422 and bad.json()["error"] == "validation", bad.text


def test_the_route_declares_its_errors(client):
    spec = client.get("/api/v1/openapi.json")
    spec = spec if spec.status_code == 200 else client.get("/openapi.json")
    route = spec.json()["paths"]["/api/v1/plans/{version}/counter"]["post"]
    assert {"401", "403", "404", "409", "413", "422"} <= set(route["responses"])
    assert route["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorOut")
