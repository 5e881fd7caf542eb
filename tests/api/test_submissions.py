"""Idempotent submissions, JSON error shapes, failed-login limits, sessions and the audit trail."""

from __future__ import annotations

import json
import threading

from webenv import OWN, assert_no_leak, csrf_of, login

ROWS = [{"indicator": "electricity", "unit": OWN, "period": "2023-04", "value": 31415.0},
        {"indicator": "workers", "unit": OWN, "period": "2023-04", "value": 2718.0}]


def _revisions(env, period: str = "2023-04") -> int:
    return len(env.service.store.report_history(unit=OWN, period=period))


def test_a_retried_bulk_submission_is_counted_once(env, client):
    before = _revisions(env)
    headers = {**env.bearer("rep1"), "Idempotency-Key": "batch-0001"}
    first = client.post("/api/v1/reports/bulk", json={"rows": ROWS}, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["new"] + first.json()["revised"] == 2 and not first.json()["replayed"]
    # Someone corrects a value in between; the retry of the old batch must not undo that correction.
    client.post("/api/v1/reports", json={**ROWS[0], "value": 1.0}, headers=env.bearer("rep1"))
    retry = client.post("/api/v1/reports/bulk", json={"rows": ROWS}, headers=headers)
    assert retry.status_code == 200 and retry.json()["replayed"]
    assert {k: retry.json()[k] for k in ("new", "revised", "audit_id")} == \
        {k: first.json()[k] for k in ("new", "revised", "audit_id")}
    assert _revisions(env) == before + 3
    current = env.service.store.reports(indicators="electricity", units=OWN, first="2023-04", last="2023-04")
    assert current["value"].tolist() == [1.0]


def test_client_key_in_the_body_works_like_the_header(env, client):
    body = {"indicator": "electricity", "unit": OWN, "period": "2023-03", "value": 99.5, "client_key": "one-off-7"}
    answers = [client.post("/api/v1/reports", json=body, headers=env.bearer("rep1")).json() for _ in range(3)]
    assert [a["replayed"] for a in answers] == [False, True, True]
    assert len(env.service.store.report_history("electricity", OWN, "2023-03")) == 2  # demo value + ours


def test_concurrent_retries_with_one_key_write_once(env, client):
    before = _revisions(env, "2023-02")
    rows = [{**ROWS[0], "period": "2023-02", "value": 8080.0}]
    results: list[int] = []

    def send() -> None:
        response = client.post("/api/v1/reports/bulk", json={"rows": rows},
                               headers={**env.bearer("rep1"), "Idempotency-Key": "race-1"})
        results.append(response.status_code)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(results) <= {200, 409} and 200 in results
    assert _revisions(env, "2023-02") == before + 1


def test_a_failed_submission_releases_its_key(env, client):
    headers = {**env.bearer("rep1"), "Idempotency-Key": "fix-and-retry"}
    bad = client.post("/api/v1/reports/bulk", json={"rows": [{**ROWS[0], "period": "2023-13"}]}, headers=headers)
    assert bad.status_code == 422
    good = client.post("/api/v1/reports/bulk", json={"rows": [{**ROWS[0], "period": "2023-01"}]}, headers=headers)
    assert good.status_code == 200 and not good.json()["replayed"]


def test_validation_errors_name_row_field_and_reason(env, client):
    rows = [ROWS[0], {"indicator": "steel?", "unit": OWN, "period": "2023-06", "value": 1.0},
            {"indicator": "electricity", "unit": OWN, "period": "2099-01", "value": -5.0},
            {"indicator": "electricity", "unit": OWN, "period": "2023-05", "value": 1.0, "uom": "t"}]
    response = client.post("/api/v1/reports/bulk", json={"rows": rows}, headers=env.bearer("rep1"))
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation" and "nothing was written" in body["detail"]
    found = {(p["row"], p["field"]) for p in body["problems"]}
    assert {(3, "indicator"), (4, "period"), (4, "value"), (5, "uom")} <= found
    assert all(p["reason"] for p in body["problems"])


def test_request_shape_errors_are_json_with_the_field(env, client):
    response = client.post("/api/v1/reports", json={"indicator": "coal", "value": "many"}, headers=env.bearer("rep1"))
    assert response.status_code == 422
    fields = {p["field"] for p in response.json()["problems"]}
    assert {"unit", "period", "value"} <= fields
    broken = client.post("/api/v1/reports/bulk", content=b"{not json", headers={**env.bearer("rep1"),
                                                                                "Content-Type": "application/json"})
    assert broken.status_code == 422 and broken.json()["error"] == "validation"
    missing = client.get("/api/v1/units/NO-SUCH-UNIT", headers=env.bearer("admin"))
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    for r in (response, broken, missing):
        assert_no_leak(r.text)


def test_unexpected_errors_hide_their_details(env, app, client, monkeypatch):
    import gosplan.api.routes as routes

    def explode(*args, **kwargs):
        raise RuntimeError("SELECT secret FROM somewhere; Traceback")

    monkeypatch.setattr(routes, "open_alerts", explode)
    response = client.get("/api/v1/alerts", headers=env.bearer("admin"))
    assert response.status_code == 500
    assert response.json() == {"error": "internal", "detail": "internal error; the server log has the details",
                                "problems": []}


def test_failed_logins_are_rate_limited(env, app, client):
    for _ in range(5):
        assert login(client, "viewer", "wrong password!").status_code == 401
    blocked = login(client, "viewer")  # even the right password waits now
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    app.state.gosplan.limiter.succeeded("ip:testclient", "name:viewer")
    assert login(client, "viewer").status_code == 303


def test_session_cookie_is_signed_httponly_and_samesite(env, client):
    response = login(client, "viewer")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert client.get("/").status_code == 200
    client.cookies.set("gosplan_session", client.cookies.get("gosplan_session")[:-2] + "xx")
    assert client.get("/", follow_redirects=False).status_code == 303  # forged: back to the login page


def test_disabling_a_user_ends_its_session(env, client):
    from gosplan.service.accounts import add_user, set_disabled

    add_user(env.service, "temp-viewer", "temporary password", "viewer", actor="test")
    assert login(client, "temp-viewer", "temporary password").status_code == 303
    assert client.get("/api/v1/me").json()["name"] == "temp-viewer"
    set_disabled(env.service, "temp-viewer", actor="test")
    assert client.get("/api/v1/me").status_code == 401


def test_every_write_is_in_the_audit_log_with_before_and_after(env, client):
    client.post("/api/v1/reports", json={**ROWS[1], "period": "2023-01", "value": 1234.0}, headers=env.bearer("rep1"))
    entry = env.service.store.audit(action="report.submit", limit=1).iloc[0]
    before, after = json.loads(entry["before"]), json.loads(entry["after"])
    assert entry["actor"].startswith("token:") and entry["actor"].endswith(":rep1 token")
    assert after["rows"] == [{"indicator": "workers", "unit": OWN, "period": "2023-01", "value": 1234.0}]
    assert before["rows"][0]["value"] != 1234.0
    login(client, "admin")
    csrf = csrf_of(client.get("/admin/users").text)
    added = client.post("/admin/users", data={"csrf_token": csrf, "name": "newbie", "role": "viewer",
                                              "subtree": "", "password": "password of newbie"})
    assert added.status_code == 200 or added.status_code == 303
    user_entry = env.service.store.audit(action="user.add", limit=1).iloc[0]
    assert user_entry["actor"] == "admin" and user_entry["source"] == "web" and "newbie" in user_entry["after"]
    csv = client.get("/admin/audit.csv")
    assert csv.status_code == 200 and "user.add" in csv.text and "report.submit" in csv.text
