"""Roles and unit subtrees on every write endpoint, and on reads of another province's data.

A reporter of Pyongyang (KP-01) may submit and correct reports of its own enterprises only; it can
neither write to nor read the reports (or a dry-run draft) of South Pyongan (KP-02).
"""

from __future__ import annotations

import io

import pytest

from webenv import OTHER, OWN, csrf_of, login

ROW = {"indicator": "electricity", "period": "2023-06", "value": 123456.0}


def _history(env, unit: str) -> int:
    return len(env.service.store.report_history("electricity", unit))


WRITES = [
    ("POST", "/api/v1/reports", lambda unit: {**ROW, "unit": unit}),
    ("POST", "/api/v1/reports/bulk", lambda unit: {"rows": [{**ROW, "unit": unit}]}),
    ("POST", "/api/v1/reports/bulk?dry_run=true", lambda unit: {"rows": [{**ROW, "unit": unit}]}),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES, ids=[w[1] for w in WRITES])
def test_reporter_cannot_write_or_draft_for_another_province(env, client, method, path, body):
    before = _history(env, OTHER)
    response = client.request(method, path, json=body(OTHER), headers=env.bearer("rep1"))
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert "KP-01" in response.json()["detail"]
    assert _history(env, OTHER) == before


@pytest.mark.parametrize("who", ["viewer", "viewer1", "rep2"])
def test_viewers_and_other_reporters_cannot_write_here(env, client, who):
    response = client.post("/api/v1/reports", json={**ROW, "unit": OWN}, headers=env.bearer(who))
    assert response.status_code == 403


def test_reporter_writes_its_own_enterprise(env, client):
    response = client.post("/api/v1/reports", json={**ROW, "unit": OWN, "value": 777.0}, headers=env.bearer("rep1"))
    assert response.status_code == 200, response.text
    assert response.json()["new"] + response.json()["revised"] == 1
    current = env.service.store.reports(indicators="electricity", units=OWN, first="2023-06", last="2023-06")
    assert current["value"].tolist() == [777.0]


@pytest.mark.parametrize("who", ["rep1", "viewer", "viewer1"])
def test_only_planners_and_admins_set_targets(env, client, who):
    body = {"rows": [{"plan": "ap-2023", "indicator": "electricity", "unit": OWN, "period": "2023", "value": 1.0}]}
    before = env.service.store.targets(plan="ap-2023", units=OWN)
    response = client.post("/api/v1/targets", json=body, headers=env.bearer(who))
    assert response.status_code == 403
    assert env.service.store.targets(plan="ap-2023", units=OWN).equals(before)


def test_planner_sets_a_target_and_it_is_audited(env, client):
    body = {"rows": [{"plan": "ap-2023", "indicator": "electricity", "unit": OWN, "period": "2023-Q4",
                      "value": 5.0, "uom": "GWh"}]}
    response = client.post("/api/v1/targets", json=body, headers=env.bearer("planner"))
    assert response.status_code == 200, response.text
    stored = env.service.store.targets(plan="ap-2023", units=OWN, periods="2023-Q4")
    assert stored["value"].tolist() == [5e6]  # 5 GWh in the indicator's unit, kWh
    entry = env.service.store.audit(action="target.set", limit=1).iloc[0]
    assert entry["actor"].endswith("planner token") and '"value": 5000000.0' in entry["after"]


@pytest.mark.parametrize("path", [f"/api/v1/reports/history?unit={OTHER}", f"/api/v1/reports?unit={OTHER}",
                                  f"/api/v1/units/{OTHER}", "/api/v1/fulfilment?unit=KP-02"])
def test_scoped_accounts_cannot_read_another_province(env, client, path):
    for who in ("rep1", "viewer1"):
        assert client.get(path, headers=env.bearer(who)).status_code == 403
    assert client.get(path, headers=env.bearer("viewer")).status_code == 200


def test_scoped_listing_shows_only_the_subtree_and_its_ancestors(env, client):
    items = client.get("/api/v1/units?limit=1000", headers=env.bearer("rep1")).json()["items"]
    codes = {u["code"] for u in items}
    assert "KP" in codes and OWN in codes and OTHER not in codes and "KP-02" not in codes
    reports = client.get("/api/v1/reports?limit=1000&indicator=electricity", headers=env.bearer("rep1")).json()
    assert reports["total"] > 0 and {r["unit"] for r in reports["items"]} <= codes


def test_unauthenticated_and_revoked_tokens_are_refused(env, client):
    from gosplan.service.accounts import create_token, revoke_token

    assert client.get("/api/v1/units").status_code == 401
    token_id, token = create_token(env.service, "short-lived", "planner")
    assert client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    revoke_token(env.service, token_id, actor="test")
    assert client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_admin_only_audit(env, client):
    assert client.get("/api/v1/audit", headers=env.bearer("planner")).status_code == 403
    response = client.get("/api/v1/audit?format=csv", headers=env.bearer("admin"))
    assert response.status_code == 200 and response.text.startswith("id,at,actor")


# ------------------------------------------------------------------------------ web forms, same rules
def test_web_report_form_and_upload_refuse_another_province(env, client):
    assert login(client, "rep1").status_code == 303
    assert client.get(f"/report/{OTHER}").status_code == 403
    page = client.get(f"/report/{OWN}")
    assert page.status_code == 200
    csrf = csrf_of(page.text)
    before = _history(env, OTHER)
    posted = client.post(f"/report/{OTHER}", data={"csrf_token": csrf, "period": "2023-06",
                                                   "value.electricity": "5"})
    assert posted.status_code == 403
    # A file for the own enterprise page with rows of another province is refused, naming the rows.
    csv = f"indicator,unit,period,value\nelectricity,{OWN},2023-06,1\nelectricity,{OTHER},2023-06,2\n"
    upload = client.post(f"/report/{OWN}/upload", data={"csrf_token": csrf},
                         files={"file": ("r.csv", io.BytesIO(csv.encode()), "text/csv")})
    assert upload.status_code == 403 and "rows 3" in upload.text
    assert client.get(f"/units/{OTHER}").status_code == 403
    assert client.get("/units/KP-02").status_code == 403
    assert _history(env, OTHER) == before


def test_a_draft_cannot_be_saved_by_another_account(env, client, app):
    from fastapi.testclient import TestClient

    login(client, "rep1")
    csrf = csrf_of(client.get(f"/report/{OWN}").text)
    checked = client.post(f"/report/{OWN}", data={"csrf_token": csrf, "period": "2023-05",
                                                  "value.electricity": "4242"})
    assert checked.status_code == 200 and "Check before saving" in checked.text
    draft = checked.text.split('name="draft" value="')[1].split('"')[0]
    with TestClient(app, raise_server_exceptions=False) as other:
        login(other, "rep2")
        other_csrf = csrf_of(other.get("/report").text)
        stolen = other.post("/confirm", data={"csrf_token": other_csrf, "draft": draft})
        assert stolen.status_code == 403
    tampered = client.post("/confirm", data={"csrf_token": csrf, "draft": draft[:-3] + "xyz"})
    assert tampered.status_code == 400


def test_forms_without_the_csrf_token_are_refused(env, client):
    login(client, "rep1")
    response = client.post(f"/report/{OWN}", data={"period": "2023-06", "value.electricity": "5"})
    assert response.status_code == 403 and "CSRF" in response.text
    # Cookie-authenticated API writes need the token too (bearer tokens do not).
    api = client.post("/api/v1/reports", json={**ROW, "unit": OWN})
    assert api.status_code == 403 and api.json()["error"] == "csrf"


def test_admin_pages_need_the_admin_role(env, client):
    login(client, "planner")
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/plans").status_code == 200
