"""The workflow's API routes on the demo (SQLite and PostgreSQL): approval moves with roles and
subtrees, a write into an approved month refused, completeness and rule violations as pages."""

from __future__ import annotations

from webenv import OWN, login

MONTH = "2021-03"  # a month no other API test writes


def test_approval_moves_through_the_api(env, client):
    move = "/api/v1/approvals/{}"
    body = {"unit": OWN, "period": MONTH}
    answer = client.post(move.format("submit"), json=body, headers=env.bearer("rep1"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["states"][0]["state"] == "submitted"
    assert client.post(move.format("approve"), json=body, headers=env.bearer("rep1")).status_code == 403
    answer = client.post(move.format("approve"), json=body, headers=env.bearer("planner"))
    assert answer.status_code == 200 and answer.json()["states"][0]["state"] == "approved"
    report = {"indicator": "electricity", "unit": OWN, "period": MONTH, "value": 1.0}
    refused = client.post("/api/v1/reports", json=report, headers=env.bearer("rep1"))
    assert refused.status_code == 422
    assert "unapprove it before changing it" in refused.text
    assert client.post(move.format("unapprove"), json=body, headers=env.bearer("planner")).status_code == 400
    answer = client.post(move.format("unapprove"), json={**body, "reason": "wrong meter"},
                         headers=env.bearer("planner"))
    assert answer.status_code == 200 and answer.json()["states"][0]["state"] == "open"
    page = client.get("/api/v1/approvals", params={"unit": "KP-01", "period": MONTH}, headers=env.bearer("viewer"))
    assert page.status_code == 200 and page.json()["items"][0]["unit"] == "KP-01"
    assert client.get("/api/v1/approvals", params={"unit": "KP-02", "period": MONTH},
                      headers=env.bearer("viewer1")).status_code == 403


def test_completeness_and_violations_pages(env, client):
    page = client.get("/api/v1/completeness", params={"period": "2023-06", "by": "unit"},
                      headers=env.bearer("viewer"))
    assert page.status_code == 200, page.text
    assert {item["unit"] for item in page.json()["items"]} >= {"KP-01", "KP-02"}
    page = client.get("/api/v1/rules/violations", params={"period": "2023-06"}, headers=env.bearer("viewer"))
    assert page.status_code == 200 and page.json()["total"] == 0


def test_late_entry_through_the_api(env, client):
    from gosplan.service.deadlines import set_entry_close_days

    month = "2021-05"  # a month no other API test writes
    set_entry_close_days(env.service, 10)
    try:
        report = {"indicator": "electricity", "unit": OWN, "period": month, "value": 2.0}
        refused = client.post("/api/v1/reports", json=report, headers=env.bearer("rep1"))
        assert refused.status_code == 422
        assert "data entry for 2021-05 closed on 2021-06-10 (10 days after the month's end)" in refused.text
        body = {"unit": "KP-01", "period": month, "reason": "the line was down"}
        assert client.post("/api/v1/entry/grant", json=body, headers=env.bearer("rep1")).status_code == 403
        assert client.post("/api/v1/entry/grant", json={**body, "reason": ""},
                           headers=env.bearer("planner")).status_code == 400
        answer = client.post("/api/v1/entry/grant", json=body, headers=env.bearer("planner"))
        assert answer.status_code == 200 and answer.json()["months"] == [month]
        state = client.get("/api/v1/entry", params={"period": month}, headers=env.bearer("viewer1")).json()
        assert state["close_days"] == 10 and state["permissions"][0]["granted_by"].endswith(":planner token")
        other = client.get("/api/v1/entry", params={"period": month}, headers=env.bearer("rep2")).json()
        assert other["permissions"] == []  # KP-01's permission is outside South Pyongan
        assert client.post("/api/v1/reports", json=report, headers=env.bearer("rep1")).status_code == 200
        late = env.service.store.late_reports(periods=[month])
        (row,) = late.itertuples(index=False)
        assert row.unit == OWN and row.entered_by.endswith(":rep1 token")
        assert row.permitted_by.endswith(":planner token")
        assert client.post("/api/v1/entry/revoke", json=body, headers=env.bearer("planner")).status_code == 200
        again = client.post("/api/v1/reports", json={**report, "value": 3.0}, headers=env.bearer("rep1"))
        assert again.status_code == 422
    finally:
        set_entry_close_days(env.service, None)


def test_approval_moves_name_an_indicator_set(env, client):
    body = {"unit": OWN, "period": MONTH, "set": "nope"}
    answer = client.post("/api/v1/approvals/submit", json=body, headers=env.bearer("rep1"))
    assert answer.status_code == 404 and "no indicator set 'nope'" in answer.text
    page = client.get("/api/v1/approvals", params={"unit": OWN, "period": MONTH, "set": "nope"},
                      headers=env.bearer("viewer"))
    assert page.status_code == 404


def test_the_indicator_page_shows_its_metadata(env, client):
    login(client, "admin")
    page = client.get("/indicators/coal?unit=KP")
    assert page.status_code == 200, page.text
    assert "About this indicator" in page.text and "Ministry of Coal Industry" in page.text
    assert "Method of calculation" in page.text
