"""Hostile input on every form and the API bodies: huge numbers, NaN, unicode, SQL and HTML fragments.

Whatever comes in, the server answers below 500, leaks no stack trace or SQL, never echoes markup
unescaped, and stores nothing that failed validation.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webenv import OWN, assert_no_leak, csrf_of, login

FRAGMENTS = ["'; DROP TABLE reports; --", "\" OR 1=1 --", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
             "NaN", "nan", "inf", "-Infinity", "1e309", "-1e308", "9" * 400, "0x1F", "１２３", "Ωμέγα", "\u202e",
             "=HYPERLINK(\"x\")", "../../etc/passwd", "%00", "\x00", "2023-06", "", " ", "😀" * 30]
hostile = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=80),
                    st.floats(allow_nan=True, allow_infinity=True).map(repr),
                    st.integers(min_value=-(10**40), max_value=10**40).map(str))
FUZZ = settings(max_examples=12, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def env(sqlite_demo, tmp_path_factory):
    from webenv import copy_sqlite, make_env

    return make_env(copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("hostile") / "demo.db"))


@pytest.fixture(scope="module")
def app(env):
    from gosplan.api import create_app

    return create_app(env.url, refresh_interval=0.5, login_attempts=10_000)


@pytest.fixture(scope="module")
def signed_in(app):
    from fastapi.testclient import TestClient

    clients = {}
    for name in ("rep1", "planner", "admin"):
        client = TestClient(app, raise_server_exceptions=False)
        login(client, name)
        clients[name] = (client, csrf_of(client.get("/report" if name == "rep1" else "/plans").text))
    return clients


def _safe(response) -> None:
    assert response.status_code < 500, response.text[:300]
    assert_no_leak(response.text)
    assert "<script>alert(1)" not in response.text and "<img src=x" not in response.text


@FUZZ
@given(value=hostile, uom=hostile, period=hostile)
def test_report_form(signed_in, env, value, uom, period):
    client, csrf = signed_in["rep1"]
    before = len(env.service.store.report_history(unit=OWN))
    response = client.post(f"/report/{OWN}", data={"csrf_token": csrf, "period": period,
                                                   "value.electricity": value, "uom.electricity": uom})
    _safe(response)
    assert len(env.service.store.report_history(unit=OWN)) == before  # checking never writes


@FUZZ
@given(indicator=hostile, unit=hostile, period=hostile, value=hostile, uom=hostile)
def test_target_form(signed_in, env, indicator, unit, period, value, uom):
    client, csrf = signed_in["planner"]
    response = client.post("/plans/ap-2023/targets", data={"csrf_token": csrf, "indicator": indicator, "unit": unit,
                                                           "period": period, "value": value, "uom": uom})
    _safe(response)


@FUZZ
@given(name=hostile, password=hostile, next_=hostile)
def test_login_form(app, name, password, next_):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as client:
        token = csrf_of(client.get("/login").text)
        response = client.post("/login", data={"name": name, "password": password, "csrf_token": token,
                                               "next": next_}, follow_redirects=False)
        _safe(response)
        assert response.status_code in (401, 403, 429)


@FUZZ
@given(name=hostile, role=hostile, subtree=hostile, password=hostile)
def test_add_user_form(signed_in, env, name, role, subtree, password):
    client, _ = signed_in["admin"]
    csrf = csrf_of(client.get("/admin/users").text)
    response = client.post("/admin/users", data={"csrf_token": csrf, "name": name, "role": role, "subtree": subtree,
                                                 "password": password}, follow_redirects=False)
    _safe(response)


@FUZZ
@given(cells=st.lists(hostile, min_size=4, max_size=4))
def test_upload(signed_in, env, cells):
    client, csrf = signed_in["rep1"]
    body = "indicator,unit,period,value\n" + ",".join(c.replace(",", ";").replace("\n", " ") for c in cells) + "\n"
    before = len(env.service.store.report_history(unit=OWN))
    response = client.post(f"/report/{OWN}/upload", data={"csrf_token": csrf},
                           files={"file": ("x.csv", io.BytesIO(body.encode("utf-8", "surrogatepass")), "text/csv")})
    _safe(response)
    assert len(env.service.store.report_history(unit=OWN)) == before


@FUZZ
@given(indicator=hostile, period=hostile, value=st.one_of(st.floats(), st.sampled_from([1e308, -1e308, 0.0])),
       uom=hostile)
def test_api_bodies(env, app, indicator, period, value, uom):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/api/v1/reports/bulk?dry_run=true", headers=env.bearer("rep1"),
                               content=_json({"rows": [{"indicator": indicator, "unit": OWN, "period": period,
                                                         "value": value, "uom": uom}]}),
                               )
        _safe(response)
        assert response.status_code in (200, 403, 422)


def _json(body) -> bytes:
    import json

    return json.dumps(body, allow_nan=True).encode()
