"""Data entry on the web: report form, upload, confirmation and save, and the roll-up rule through the API.

Each test stands for a finding of a review of the web server: a checked file too big to save, a
reporter who saw only "Not allowed", extra cells that shifted columns, a province total overwritten,
a value dropped by the form, a form opening on a month already reported, and pages without units.
"""

from __future__ import annotations

import io
import re

import pytest

from webenv import OTHER, OWN, csrf_of, signed_in


@pytest.fixture(scope="module")
def env(sqlite_demo, tmp_path_factory):
    from webenv import copy_sqlite, make_env

    return make_env(copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("entry") / "demo.db"))


@pytest.fixture(scope="module")
def app(env):
    from gosplan.api import create_app

    return create_app(env.url, refresh_interval=0.1, login_attempts=10_000)


@pytest.fixture(scope="module")
def rep1(app):
    return signed_in(app, "rep1")


@pytest.fixture(scope="module")
def admin(app):
    return signed_in(app, "admin")


def _upload(client, name: str, content: bytes, unit: str = OWN):
    csrf = csrf_of(client.get(f"/report/{unit}/upload").text)
    return client.post(f"/report/{unit}/upload", data={"csrf_token": csrf},
                       files={"file": (name, io.BytesIO(content), "text/csv")}, follow_redirects=False)


def _draft(html: str) -> str:
    return re.search(r'name="draft" value="([^"]+)"', html).group(1)


def _save(client, html: str):
    return client.post("/confirm", data={"csrf_token": csrf_of(html), "draft": _draft(html)}, follow_redirects=False)


# ------------------------------------------------------------------------------ whatever passes the check saves
def test_a_checked_csv_over_one_megabyte_saves(env, admin):
    units = sorted(u for u in env.service.units()["code"] if env.service.hierarchy().is_leaf(u))
    months = [f"{y}-{m:02d}" for y in (2019, 2020, 2021, 2022) for m in range(1, 13)]
    indicators = {"workers": "worker", "materials": "million_won", "energy_use": "MWh",
                  "equipment_hours": "machine_hour"}
    lines = ["indicator,unit,period,value,uom"]
    for unit in units:
        for month in months:
            lines += [f"{code},{unit},{month},{len(lines)}.125,{uom}" for code, uom in indicators.items()]
    content = ("\n".join(lines) + "\n").encode()
    assert len(content) > 1_100_000
    checked = _upload(admin, "big.csv", content)
    assert checked.status_code == 200, checked.text[:500]
    assert "Check before saving" in checked.text
    assert len(checked.text) < 400_000  # the page shows the first rows; the rows stay on the server
    assert len(_draft(checked.text)) < 100
    saved = _save(admin, checked.text)
    assert saved.status_code == 303, saved.text[:500]
    assert "saved=Saved" in saved.headers["location"]
    stored = env.service.store.reports(indicators=list(indicators), units=units, first="2019-01", last="2022-12")
    assert len(stored) == len(lines) - 1
    last = stored[(stored["unit"] == units[-1]) & (stored["period"] == "2022-12") & (stored["indicator"] == "workers")]
    assert last["value"].tolist() == [len(lines) - 4 + 0.125]


def test_a_draft_is_saved_once_and_only_by_its_account(app, rep1):
    page = rep1.get(f"/report/{OWN}?period=2023-05")
    checked = rep1.post(f"/report/{OWN}", data={"csrf_token": csrf_of(page.text), "period": "2023-05",
                                                "value.workers": "1999"})
    assert checked.status_code == 200
    rep2 = signed_in(app, "rep2")
    stolen = rep2.post("/confirm", data={"csrf_token": csrf_of(rep2.get("/report").text),
                                         "draft": _draft(checked.text)})
    assert stolen.status_code == 403
    assert _save(rep1, checked.text).status_code == 303
    again = _save(rep1, checked.text)
    assert again.status_code == 400 and "saved already" in again.text
    forged = rep1.post("/confirm", data={"csrf_token": csrf_of(checked.text), "draft": "../../etc/passwd"})
    assert forged.status_code == 400


# ------------------------------------------------------------------------------ every row's problem, for everyone
def test_a_reporter_sees_every_problem_of_a_file_with_a_unit_outside_its_subtree(env, rep1):
    before = env.service.store.report_history(unit=OTHER)
    csv = (f"indicator,unit,period,value\nelectricity,{OWN},2023-06,1000\nelectricity,{OTHER},2023-06,5\n"
           f"coal,{OWN},2023-13,abc\n").encode()
    response = _upload(rep1, "mixed.csv", csv)
    assert response.status_code == 403
    rows = re.findall(r"<tr><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td></tr>",
                      response.text)
    assert [(f, r, c) for f, r, c, _ in rows] == [("mixed.csv", "3", "unit"), ("mixed.csv", "4", "period"),
                                                  ("mixed.csv", "4", "value")]
    assert "outside what rep1 may report for (KP-01" in rows[0][3]
    assert "nothing was saved" in response.text
    assert env.service.store.report_history(unit=OTHER).equals(before)


def test_web_upload_rejects_extra_cells_naming_row_and_column(rep1):
    csv = f"indicator,unit,period,value\nelectricity,{OWN},2023-06,1000,kWh\n".encode()
    response = _upload(rep1, "shifted.csv", csv)
    assert response.status_code == 422
    assert re.search(r'data-label="Row">2</td><td data-label="Column">E</td>', response.text)
    assert "5 cells but the header names 4 columns" in response.text


# ------------------------------------------------------------------------------ the roll-up rule
def test_a_province_reporter_cannot_overwrite_the_province_total_through_the_api(env):
    from fastapi.testclient import TestClient

    from gosplan.api import create_app

    client = TestClient(create_app(env.url, refresh_interval=0.1), raise_server_exceptions=False)
    before = env.service.store.report_history("coal", "KP-01")
    response = client.post("/api/v1/reports", json={"indicator": "coal", "unit": "KP-01", "period": "2023-06",
                                                    "value": 1}, headers=env.bearer("rep1"))
    assert response.status_code == 422, response.text
    (problem,) = response.json()["problems"]
    assert problem["field"] == "unit"
    assert problem["reason"].startswith("KP-01 is a roll-up unit: its coal is the sum of the")
    assert env.service.store.report_history("coal", "KP-01").equals(before)


# ------------------------------------------------------------------------------ the report form
def test_the_form_opens_on_the_first_month_not_yet_reported(rep1):
    page = rep1.get(f"/report/{OWN}")
    assert re.search(r'id="period" name="period" type="month" value="2023-07"', page.text)


def test_a_value_for_an_indicator_the_month_does_not_list_is_checked_not_dropped(rep1):
    page = rep1.get(f"/report/{OWN}?period=2023-06")
    assert 'name="value.coal"' not in page.text  # the power station does not report coal
    checked = rep1.post(f"/report/{OWN}", data={"csrf_token": csrf_of(page.text), "period": "2023-06",
                                                "value.coal": "12", "value.electricity": ""})
    assert checked.status_code == 200 and "Check before saving" in checked.text
    assert "<td data-label=\"Indicator\">Coal</td>" in checked.text and "12 t" in checked.text
    unknown = rep1.post(f"/report/{OWN}", data={"csrf_token": csrf_of(page.text), "period": "2023-06",
                                                "value.no_such_thing": "12"})
    assert unknown.status_code == 422 and "Unknown indicator(s) no_such_thing" in unknown.text


def test_the_confirmation_shows_names_units_and_the_previous_value(env, rep1):
    page = rep1.get(f"/report/{OWN}?period=2023-06")
    previous = env.service.store.reports(indicators="electricity", units=OWN, first="2023-06", last="2023-06")
    checked = rep1.post(f"/report/{OWN}", data={"csrf_token": csrf_of(page.text), "period": "2023-06",
                                                "value.electricity": "900", "uom.electricity": "GWh"})
    text = checked.text
    assert "Electricity generated" in text and "East Pyongyang Thermal Power Station" in text
    assert "900,000,000 kWh" in text
    assert f"{previous['value'].iloc[0]:,.0f} kWh" in text and "correction" in text
    assert "elec.eastpy</td>" not in text


def test_units_of_measure_have_readable_names(rep1):
    page = rep1.get(f"/report/{OWN}?period=2023-06").text
    assert '<option value="machine_hour" selected>machine-hours</option>' in page
    assert ">machine_hour<" not in page and ">million_won<" not in page


def test_sector_totals_carry_units(admin):
    page = admin.get("/sectors/energy?unit=KP").text
    row = re.search(r"Coal mining</a></td>\s*<td class=\"num\"[^>]*>([^<]+)</td>"
                    r"<td class=\"num\"[^>]*>([^<]+)</td>", page)
    assert row and row.group(1).endswith(("kt", "Mt")) and row.group(2).endswith(("kt", "Mt"))
    # A sector whose indicators have different units says so instead of showing a bare dash.
    assert "indicators, mixed units" in admin.get("/sectors/economy?unit=KP").text
