"""Earned-value tracking: published formulas on hand-checked numbers, synthetic known answers, properties.

The formulas are those of PMI, *Practice Standard for Earned Value Management* (2nd ed., 2011,
ch. 4 and appendix D on earned schedule) and Lipke, "Schedule is Different", *The Measurable News*
(March 2003): SV = EV - PV, CV = EV - AC, SPI = EV/PV, CPI = EV/AC, EAC = BAC/CPI,
ES = C + (EV - PV_C)/(PV_{C+1} - PV_C), SPI(t) = ES/AT, IEAC(t) = PD/SPI(t).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gosplan.engines.projects import (
    EarnedValueSettings,
    dwellings_summary,
    earned_schedule,
    project_history,
    track_projects,
)
from gosplan.errors import ValidationError


def _project(code="P", budget=1200.0, start="2023-01", end="2023-12", dwellings=0, unit="PY"):
    return pd.DataFrame({"code": [code], "name": [f"project {code}"], "unit": [unit], "budget": [budget],
                         "start": [start], "planned_end": [end], "dwellings": [dwellings]})


def _progress(code, first_month, percents, costs, dwellings=None):
    months = pd.period_range(first_month, periods=len(percents), freq="M").strftime("%Y-%m")
    return pd.DataFrame({"project": code, "period": months, "percent_complete": percents,
                         "actual_cost": costs, "dwellings_completed": dwellings or [0] * len(percents)})


def test_lipke_interpolation_between_month_ends():
    # Lipke (2003), figure "Earned Schedule Concept": EV lies between PV(May) and PV(June), AT = 7,
    # so ES = 5 + (EV - PV_May)/(PV_June - PV_May). Baseline and EV below chosen by hand.
    pv = np.array([10, 25, 45, 70, 100, 140, 170, 190, 200], dtype=float)  # Jan..Sep cumulative
    ev = 120.0
    es = earned_schedule(ev, pv)
    assert es == pytest.approx(5 + (120 - 100) / (140 - 100))  # 5.5 months
    at = 7
    assert es / at == pytest.approx(5.5 / 7)  # SPI(t)
    assert es - at == pytest.approx(-1.5)  # SV(t), months


def test_pra_package_worked_example():
    # The earned-value examples of the PRA package for R (P. Govan, "PRA: Project Risk Analysis",
    # CRAN, help pages of pv, ev, ac, spi, cpi, cv; after Damnjanovic & Reinschmidt, *Data Analytics
    # for Engineering and Construction Project Risk Management*, Springer 2020): BAC = 100,000, planned
    # cumulative completion 10/20/40/70/100 % over five periods, 35 % complete at period 3, cumulative
    # actual costs 9,000/18,000/36,000. By the definitions: PV = 40,000, EV = 35,000, AC = 36,000,
    # SPI = 0.875, CPI = 35/36, SV = -5,000, CV = -1,000; and ES = 2 + 15,000/20,000 = 2.75 (Lipke).
    projects = _project(budget=100_000.0, end="2023-05")
    milestones = pd.DataFrame({"project": "P", "milestone": [f"period {i}" for i in range(1, 6)],
                               "planned_date": [f"2023-0{i}" for i in range(1, 6)],
                               "planned_value": [0.1, 0.2, 0.4, 0.7, 1.0], "dwellings": 0})
    progress = pd.DataFrame({"project": "P", "period": ["2023-01", "2023-02", "2023-03"],
                             "percent_complete": [np.nan, np.nan, 35.0],
                             "actual_cost": [9000.0, 18000.0, 36000.0], "dwellings_completed": 0})
    row = track_projects(projects, milestones, progress, "2023-03", EarnedValueSettings(to_date=True)).iloc[0]
    assert (row.pv, row.ev, row.ac) == pytest.approx((40_000, 35_000, 36_000))
    assert (row.spi, row.cpi, row.sv, row.cv) == pytest.approx((0.875, 35 / 36, -5_000, -1_000))
    assert row.eac == pytest.approx(100_000 * 36 / 35)
    assert (row.es, row.spi_t) == pytest.approx((2.75, 2.75 / 3))


def test_practice_standard_indicators_by_hand():
    # BAC 1200 spread evenly over 12 months (PV 100 a month). After 6 months 45 % is done at a cost
    # of 600: PV = 600, EV = 540, SV = -60, CV = -60, SPI = CPI = 0.9, EAC = BAC/CPI = 1333.33,
    # ETC = 733.33, VAC = -133.33, TCPI = (1200-540)/(1200-600) = 1.1, ES = 5.4, SPI(t) = 0.9,
    # IEAC(t) = 12/0.9 = 13.33 months: the project is forecast to end in February of the next year.
    projects = _project()
    progress = _progress("P", "2023-01", [5, 12, 20, 28, 36, 45], [100] * 6)
    row = track_projects(projects, None, progress, as_of="2023-06").iloc[0]
    assert (row.pv, row.ev, row.ac) == pytest.approx((600, 540, 600))
    assert (row.sv, row.cv, row.spi, row.cpi) == pytest.approx((-60, -60, 0.9, 0.9))
    assert row.eac == pytest.approx(1200 / 0.9)
    assert row.etc == pytest.approx(1200 / 0.9 - 600)
    assert row.vac == pytest.approx(1200 - 1200 / 0.9)
    assert row.tcpi == pytest.approx(1.1)
    assert row.eac_at_budget_rate == pytest.approx(600 + 1200 - 540)
    assert row.eac_cpi_spi == pytest.approx(600 + 660 / 0.81)
    assert (row.es, row.actual_time, row.spi_t, row.sv_t) == pytest.approx((5.4, 6, 0.9, -0.6))
    assert row.delay_months == pytest.approx(12 / 0.9 - 12)
    assert row.forecast_end == "2024-02"
    assert row.planned_end == "2023-12"
    assert row.status == "slipping"  # 1.33 months behind: within the default 2 months before "late"
    assert track_projects(projects, None, progress, "2023-06",
                          EarnedValueSettings(late_after_months=1.0)).status.iloc[0] == "late"


def test_on_plan_project_is_on_time_with_unit_indices():
    percents = list(np.arange(1, 8) * 100 / 12)
    row = track_projects(_project(), None, _progress("P", "2023-01", percents, [100] * 7), "2023-07").iloc[0]
    assert (row.spi, row.cpi, row.spi_t) == pytest.approx((1, 1, 1))
    assert row.eac == pytest.approx(1200)
    assert row.forecast_end == row.forecast_end_early == row.forecast_end_late == "2023-12"
    assert row.status == "on time"


@pytest.mark.parametrize("rate", [0.5, 0.75, 1.25])
def test_constant_rate_gives_known_forecast(rate):
    # Work earned at a steady fraction `rate` of the linear plan: ES = rate * AT and the project
    # takes PD / rate months, with no spread in the monthly ES gains (range collapses).
    months = 6
    percents = [100 * rate * (m + 1) / 12 for m in range(months)]
    row = track_projects(_project(), None, _progress("P", "2023-01", percents, [100] * months),
                         "2023-06").iloc[0]
    assert row.es == pytest.approx(rate * 6)
    assert row.spi_t == pytest.approx(rate)
    assert row.delay_months == pytest.approx(12 / rate - 12)
    assert row.forecast_end_early == row.forecast_end_late == row.forecast_end


def test_uneven_progress_gives_a_range_around_the_forecast():
    percents = np.cumsum([2, 9, 3, 10, 4, 8]).tolist()
    row = track_projects(_project(), None, _progress("P", "2023-01", percents, [100] * 6), "2023-06").iloc[0]
    assert row.forecast_end_early <= row.forecast_end <= row.forecast_end_late
    assert row.forecast_end_early < row.forecast_end_late


def test_milestone_baseline_in_shares_or_money_is_the_same():
    projects = _project(budget=1000.0)
    shares = pd.DataFrame({"project": "P", "milestone": ["foundations", "frame", "finishing"],
                           "planned_date": ["2023-03", "2023-08", "2023-12"],
                           "planned_value": [0.2, 0.5, 0.3], "dwellings": [0, 0, 0]})
    money = shares.assign(planned_value=[200.0, 500.0, 300.0])
    progress = _progress("P", "2023-01", [5, 10, 20, 30], [60, 60, 90, 100])
    by_share = track_projects(projects, shares, progress, "2023-04").iloc[0]
    by_money = track_projects(projects, money, progress, "2023-04").iloc[0]
    # PV rises 200 over Jan-Mar, then 500 over Apr-Aug: PV(April) = 200 + 100 = 300.
    assert by_share.pv == pytest.approx(300)
    assert by_share.drop("as_of").equals(by_money.drop("as_of"))
    # EV = 300 = PV: ES = AT = 4.
    assert by_share.es == pytest.approx(4)


def test_work_packages_and_quantities_earn_their_weights():
    projects = _project(budget=1000.0)
    milestones = pd.DataFrame({"project": "P", "milestone": ["a", "b"],
                               "planned_date": ["2023-06", "2023-12"], "planned_value": [0.4, 0.6],
                               "dwellings": [0, 0], "quantity": [np.nan, 300.0]})
    progress = pd.DataFrame({
        "project": "P", "period": ["2023-01", "2023-02", "2023-02", "2023-03"],
        "milestone": ["a", "a", "b", "b"],
        "percent_complete": [20.0, 50.0, np.nan, np.nan], "quantity_done": [np.nan, np.nan, 30.0, 60.0],
        "actual_cost": [50.0, 100.0, 50.0, 80.0], "dwellings_completed": 0,
    })
    row = track_projects(projects, milestones, progress, "2023-03").iloc[0]
    # a: 50 % of 400 (carried forward from February); b: 90 of 300 m3 = 30 % of 600.
    assert row.ev == pytest.approx(0.5 * 400 + 0.3 * 600)
    assert row.ac == pytest.approx(280)


def test_completed_projects_are_on_time_or_late_by_their_finish():
    percents = [20, 40, 60, 80, 100]
    early = track_projects(_project(end="2023-05"), None, _progress("P", "2023-01", percents, [10] * 5),
                           "2023-09").iloc[0]
    assert early.complete and early.status == "on time" and early.forecast_end == "2023-05"
    late = track_projects(_project(end="2023-03"), None, _progress("P", "2023-01", percents, [10] * 5),
                          "2023-09").iloc[0]
    assert late.complete and late.status == "late" and late.forecast_end == "2023-05"
    # Schedule performance is frozen at the finish: 3 planned months took 5.
    assert (late.es, late.actual_time, late.spi_t) == pytest.approx((3, 5, 3 / 5))


def test_overdue_unfinished_project_is_late_and_stalled_one_has_no_date():
    row = track_projects(_project(end="2023-04"), None, _progress("P", "2023-01", [10, 30, 40, 50, 60],
                                                                  [10] * 5), "2023-05").iloc[0]
    assert row.status == "late"
    stalled_progress = _progress("P", "2023-01", [0, 0, 0], [10] * 3)
    stalled = track_projects(_project(), None, stalled_progress, "2023-03").iloc[0]
    assert stalled.forecast_end is None and stalled.status == "late"


def test_dwellings_completed_and_expected_in_the_year():
    projects = pd.concat([_project("ON", dwellings=600), _project("SLOW", dwellings=600)], ignore_index=True)
    milestones = pd.DataFrame({
        "project": ["ON", "ON", "SLOW", "SLOW"], "milestone": ["block 1", "block 2"] * 2,
        "planned_date": ["2023-06", "2023-12"] * 2, "planned_value": [0.5, 0.5] * 2,
        "dwellings": [300, 300] * 2,
    })
    on = _progress("ON", "2023-01", [100 * m / 12 for m in range(1, 7)], [100] * 6, [0, 0, 0, 0, 0, 300])
    slow = _progress("SLOW", "2023-01", [100 * 0.75 * m / 12 for m in range(1, 7)], [100] * 6)
    status = track_projects(projects, milestones, pd.concat([on, slow]), "2023-06").set_index("project")
    assert status.loc["ON", "dwellings_completed"] == 300
    assert status.loc["ON", "dwellings_expected_year"] == 600
    # SLOW earned 4.5 months of plan in 6: block 1 (planned at month 6) comes at 6 + 1.5/0.75 = 8,
    # block 2 (month 12) at 6 + 7.5/0.75 = 16, i.e. next April: 300 dwellings this year.
    assert status.loc["SLOW", "dwellings_expected_year"] == 300
    assert status.loc["ON", "status"] == "on time" and status.loc["SLOW", "status"] == "late"
    summary = dwellings_summary(status.reset_index())
    assert summary.loc[0, "dwellings_expected_year"] == 900


def test_history_matches_the_as_of_rows():
    progress = _progress("P", "2023-01", [5, 12, 20, 28], [100, 90, 110, 100])
    history = project_history(_project(), None, progress, "2023-04")
    assert list(history.period) == ["2023-01", "2023-02", "2023-03", "2023-04"]
    for month in ("2023-02", "2023-04"):
        row = track_projects(_project(), None, progress, month).iloc[0]
        h = history.set_index("period").loc[month]
        assert (h.pv, h.ev, h.ac, h.es) == pytest.approx((row.pv, row.ev, row.ac, row.es))


def test_not_started_project_follows_its_plan():
    future = _project(start="2024-01", end="2024-12", dwellings=100)
    row = track_projects(future, None, None, "2023-06").iloc[0]
    assert row.pv == 0 and row.ev == 0 and row.status == "on time"
    assert row.forecast_end == "2024-12" and row.dwellings_expected_year == 0


def test_validation_lists_every_problem():
    projects = pd.concat([_project("A"), _project("A", budget=-1.0)], ignore_index=True)
    milestones = pd.DataFrame({"project": ["A", "B"], "milestone": ["x", "y"],
                               "planned_date": ["2023-05"] * 2,
                               "planned_value": [0.7, 1.0], "dwellings": [0, 0]})
    progress = pd.DataFrame({"project": ["A", "A"], "period": ["2023-13", "2023-02"],
                             "percent_complete": [10.0, 140.0], "actual_cost": [1.0, -2.0],
                             "dwellings_completed": [0, 0]})
    with pytest.raises(ValidationError) as caught:
        track_projects(projects, milestones, progress, "2023-06")
    reasons = {(p.source, p.column) for p in caught.value.problems}
    assert {("projects", "code"), ("projects", "budget"), ("project_milestones", "project"),
            ("project_milestones", "planned_value"), ("project_progress", "period"),
            ("project_progress", "percent_complete"), ("project_progress", "actual_cost")} <= reasons


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 50.0), min_size=1, max_size=24), st.floats(0.0, 1.0))
def test_earned_schedule_inverts_the_baseline(increments, fraction):
    pv = np.cumsum(np.asarray(increments) + 1.0)  # strictly increasing baseline
    ev = fraction * pv[-1]
    es = earned_schedule(ev, pv)
    times = np.arange(0, pv.size + 1)
    assert np.interp(es, times, np.concatenate([[0.0], pv])) == pytest.approx(ev, abs=1e-9 * pv[-1])
    assert 0 <= es <= pv.size


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.0, 15.0), min_size=2, max_size=10), st.floats(10.0, 500.0))
def test_identities_hold_for_any_progress(steps, monthly_cost):
    percents = np.minimum(np.cumsum(steps), 99.0).tolist()
    costs = [monthly_cost] * len(percents)
    last = pd.Period("2023-01", "M") + (len(percents) - 1)
    row = track_projects(_project(), None, _progress("P", "2023-01", percents, costs), str(last)).iloc[0]
    assert row.sv == pytest.approx(row.ev - row.pv)
    assert row.cv == pytest.approx(row.ev - row.ac)
    assert row.etc + row.ac == pytest.approx(row.eac)
    if row.ev > 0:
        assert row.eac == pytest.approx(1200 * row.ac / row.ev)
        ends = [row.forecast_end_early, row.forecast_end, row.forecast_end_late]
        finite = [e for e in ends if e is not None]
        assert finite == sorted(finite)
    assert row.status in ("on time", "slipping", "late")
    assert math.isclose(row.es / row.actual_time, row.spi_t)


def test_cumulative_forms_and_totals_to_date_give_the_same_status():
    projects = _project(budget=1000.0, dwellings=500)
    increments = pd.DataFrame({"project": "P", "milestone": ["frame", "finish", "handover"],
                               "planned_date": ["2023-04", "2023-09", "2023-12"],
                               "planned_value": [300.0, 500.0, 200.0], "dwellings": [0, 200, 300]})
    cumulative = increments.assign(planned_value=[0.3, 0.8, 1.0], dwellings=[0, 200, 500])
    monthly = _progress("P", "2023-01", [5, 15, 25, 30, 40, 50, 60, 70, 80, 85],
                        [60, 90, 110, 60, 100, 95, 100, 105, 110, 60], [0] * 8 + [150, 60])
    to_date = monthly.assign(actual_cost=monthly.actual_cost.cumsum(),
                             dwellings_completed=monthly.dwellings_completed.cumsum())
    expected = track_projects(projects, increments, monthly, "2023-10")
    got = track_projects(projects, cumulative, to_date, "2023-10", EarnedValueSettings(to_date=True))
    pd.testing.assert_frame_equal(expected, got)
    assert expected.loc[0, "dwellings_completed"] == 210 and expected.loc[0, "ac"] == 890


def test_housing_phases_one_on_time_one_slipping():
    # Shaped like the demo economy's housing programme: cumulative milestone shares (groundbreaking,
    # foundations 20 %, frames 55 %, finishing 85 %, handover 100 %), reports to date. One phase keeps
    # pace; the other moves through its schedule at 72 % of the planned pace.
    projects = pd.DataFrame({
        "code": ["phase-1", "rural"], "name": ["Phase 1", "Rural housing"], "unit": ["bld.a", "bld.b"],
        "budget": [520_000.0, 45_000.0], "start": ["2023-01", "2023-01"],
        "planned_end": ["2023-12", "2023-12"], "dwellings": [10_000, 3_000]})
    shares = [0.0, 0.20, 0.55, 0.85, 1.0]
    dates = ["2023-01", "2023-04", "2023-07", "2023-10", "2023-12"]
    milestones = pd.DataFrame([(code, f"m{i}", d, s, 0 if s < 1 else total) for code, total in
                               (("phase-1", 10_000), ("rural", 3_000)) for i, (d, s) in
                               enumerate(zip(dates, shares, strict=True))],
                              columns=["project", "milestone", "planned_date", "planned_value", "dwellings"])
    months = [f"2023-{m:02d}" for m in range(1, 7)]
    curve = np.interp(np.arange(1, 7), [1, 4, 7, 10, 12], shares)
    progress = pd.concat([
        pd.DataFrame({"project": "phase-1", "period": months, "percent_complete": 100 * curve,
                      "actual_cost": 520_000.0 * curve * 1.02, "dwellings_completed": 0}),
        pd.DataFrame({"project": "rural", "period": months,
                      "percent_complete": 100 * np.interp(0.72 * np.arange(1, 7), [1, 4, 7, 10, 12], shares),
                      "actual_cost": 45_000.0 * curve * 0.8, "dwellings_completed": 0}),
    ])
    status = track_projects(projects, milestones, progress, "2023-06",
                            EarnedValueSettings(to_date=True)).set_index("project")
    assert status.loc["phase-1", "status"] == "on time"
    assert status.loc["phase-1", "spi_t"] == pytest.approx(1.0)
    assert status.loc["phase-1", "cpi"] == pytest.approx(1 / 1.02)
    assert status.loc["phase-1", "dwellings_expected_year"] == 10_000
    assert status.loc["rural", "status"] in ("slipping", "late")
    assert status.loc["rural", "spi_t"] < 0.8
    assert status.loc["rural", "forecast_end"] > "2023-12"
    assert status.loc["rural", "dwellings_expected_year"] == 0
