"""An account of the ministry of coal industry over the API and the web pages, on SQLite and PostgreSQL.

It reads and reports for the demo's coal mines (in several provinces) and nothing else: another
ministry's power station, the provinces and counties above its mines (whose totals mix in other
ministries' units) and other ministries' roll-ups are refused, whichever door is tried.
"""

from __future__ import annotations

import io
import re

import pytest

from gosplan.service.accounts import add_user, create_token
from webenv import OWN, PASSWORD, csrf_of, login

COAL_UNIT = "coal.anju"        # a coal mine in KP-02.anju (South Pyongan)
ELSEWHERE = OWN                # elec.eastpy: the ministry of electric power's station in Pyongyang
ABOVE = ("KP-02", "KP-02.anju", "KP")
ROW = {"indicator": "coal", "period": "2023-06", "value": 123.0}


@pytest.fixture(scope="module")
def coal(env):
    """A reporter and a token of the ministry of coal industry (added once to the session's demo)."""
    service = env.service
    if service.store.user("coalrep") is None:
        add_user(service, "coalrep", PASSWORD, "reporter", group=("ministry", "coal_industry"), actor="test")
    token = create_token(service, "coal token", "reporter", group=("ministry", "coal_industry"), actor="test")[1]
    groups = service.store.unit_groups("ministry")
    units = set(groups.loc[groups["group_code"].eq("coal_industry"), "unit"])
    return {"Authorization": f"Bearer {token}"}, units


@pytest.fixture
def web(app, coal):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as client:
        assert login(client, "coalrep").status_code == 303
        yield client


# ------------------------------------------------------------------------------------------------ API
def test_the_api_reads_only_the_ministrys_units(client, coal):
    bearer, units = coal
    assert client.get(f"/api/v1/units/{COAL_UNIT}", headers=bearer).status_code == 200
    for code in (ELSEWHERE, *ABOVE):
        refused = client.get(f"/api/v1/units/{code}", headers=bearer)
        assert refused.status_code == 403, code
        assert client.get(f"/api/v1/reports?unit={code}", headers=bearer).status_code == 403
        assert client.get(f"/api/v1/fulfilment?unit={code}", headers=bearer).status_code == 403
    listed = client.get("/api/v1/units?limit=1000", headers=bearer).json()
    assert {u["code"] for u in listed["items"]} == units
    reports = client.get("/api/v1/reports?limit=1000", headers=bearer).json()["items"]
    assert reports and {r["unit"] for r in reports} <= units
    me = client.get("/api/v1/me", headers=bearer).json()
    assert (me["group"], me["subtree"]) == ("ministry:coal_industry", None)


def test_the_api_gives_the_ministrys_own_roll_up_and_no_other(client, coal):
    bearer, _units = coal
    line = client.get("/api/v1/fulfilment?by=ministry&period=2023-06", headers=bearer)
    assert line.status_code == 200, line.text
    rows = line.json()["items"]
    assert rows and {r["group_code"] for r in rows} == {"coal_industry"}
    assert client.get("/api/v1/fulfilment?by=ministry&unit=KP", headers=bearer).status_code == 403
    assert client.get("/api/v1/fulfilment?by=technology", headers=bearer).status_code == 403


def test_the_api_refuses_a_report_outside_and_takes_one_inside(env, client, coal):
    bearer, _units = coal
    before = env.service.store.report_history("coal", ELSEWHERE)
    refused = client.post("/api/v1/reports", json={**ROW, "unit": ELSEWHERE}, headers=bearer)
    assert refused.status_code == 403 and "coal_industry" in refused.json()["detail"]
    assert env.service.store.report_history("coal", ELSEWHERE).equals(before)
    tried = client.post("/api/v1/reports?dry_run=true", json={**ROW, "unit": COAL_UNIT}, headers=bearer)
    assert tried.status_code == 200, tried.text


def test_a_bulk_submission_with_one_row_outside_names_every_rows_problem(env, client, coal):
    bearer, _units = coal
    rows = [{**ROW, "unit": COAL_UNIT}, {**ROW, "unit": ELSEWHERE}, {**ROW, "unit": COAL_UNIT, "indicator": "nope"}]
    refused = client.post("/api/v1/reports/bulk", json={"rows": rows}, headers=bearer)
    assert refused.status_code == 403
    problems = [(p["row"], p["field"]) for p in refused.json()["problems"]]
    assert (3, "unit") in problems and any(row == 4 for row, _column in problems), problems


def test_admins_add_and_change_ministry_accounts_over_the_api(env, client):
    admin = env.bearer("admin")
    name = f"coalview{env.url[-6:].replace('/', '').replace('.', '')}"
    made = client.post("/api/v1/users", headers=admin, json={"name": name, "password": PASSWORD, "role": "viewer",
                                                            "group": "ministry:coal_industry"})
    assert made.status_code == 200, made.text
    assert made.json()["group"] == "ministry:coal_industry"
    bad = client.post("/api/v1/users", headers=admin, json={"name": name + "x", "password": PASSWORD,
                                                           "role": "viewer", "group": "ministry:nothing"})
    assert bad.status_code == 422 and "nothing" in bad.text
    moved = client.patch(f"/api/v1/users/{name}", headers=admin, json={"subtree": "KP-02"})
    assert (moved.json()["subtree"], moved.json()["group"]) == ("KP-02", None)
    listed = {u["name"]: u for u in client.get("/api/v1/users", headers=admin).json()}
    assert listed["coalrep"]["group"] == "ministry:coal_industry"


# ------------------------------------------------------------------------------------------------ web
def test_the_overview_of_a_ministry_account_is_its_ministrys(web, coal):
    _bearer, units = coal
    page = web.get("/?period=2023-06")
    assert page.status_code == 200
    assert "Coal industry" in page.text and 'id="group-line"' in page.text
    links = set(re.findall(r'href="/units/([^"?]+)', page.text))
    assert links and links <= units
    assert "/sectors/" not in page.text


@pytest.mark.parametrize("path", [f"/units/{ELSEWHERE}", "/units/KP-02", "/units/KP", f"/report/{ELSEWHERE}",
                                  f"/indicators/coal?unit={ELSEWHERE}", "/indicators/coal?unit=KP-02",
                                  "/sectors?unit=KP"])
def test_the_pages_of_other_units_are_refused(web, path):
    assert web.get(path).status_code == 403


def test_the_ministrys_own_unit_page_offers_the_report(web):
    page = web.get(f"/units/{COAL_UNIT}")
    assert page.status_code == 200 and f'href="/report/{COAL_UNIT}"' in page.text
    assert 'href="/units/KP-02"' not in page.text  # no breadcrumb into a province it may not read


def test_an_upload_with_one_row_outside_shows_every_rows_problem(env, web):
    before = env.service.store.report_history(unit=ELSEWHERE)
    csv = (f"indicator,unit,period,value\ncoal,{COAL_UNIT},2023-06,1000\ncoal,{ELSEWHERE},2023-06,5\n"
           f"coal,{COAL_UNIT},2023-13,abc\n").encode()
    csrf = csrf_of(web.get(f"/report/{COAL_UNIT}/upload").text)
    response = web.post(f"/report/{COAL_UNIT}/upload", data={"csrf_token": csrf},
                        files={"file": ("mixed.csv", io.BytesIO(csv), "text/csv")}, follow_redirects=False)
    assert response.status_code == 403
    rows = re.findall(r"<tr><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td></tr>",
                      response.text)
    assert [(r, c) for _f, r, c, _reason in rows] == [("3", "unit"), ("4", "period"), ("4", "value")]
    assert "coal_industry" in rows[0][3]
    assert env.service.store.report_history(unit=ELSEWHERE).equals(before)


def test_the_admin_page_adds_a_ministry_account(env, app):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as admin:
        assert login(admin, "admin").status_code == 303
        page = admin.get("/admin/users")
        assert 'value="ministry:coal_industry"' in page.text
        name = "coalweb"
        if env.service.store.user(name) is None:
            added = admin.post("/admin/users", data={"csrf_token": csrf_of(page.text), "name": name,
                                                     "role": "reporter", "subtree": "", "password": PASSWORD,
                                                     "group": "ministry:coal_industry"}, follow_redirects=True)
            assert added.status_code == 200
        assert env.service.store.user(name)["scope_group"] == "coal_industry"
        assert "group coal_industry of ministry" in admin.get("/admin/users").text
