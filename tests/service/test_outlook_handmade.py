"""One outlook and the alert rules on a hand-made economy: two provinces, four farms, two mines.

The grain figure of ``forecast`` and of ``grain_outlook`` (what ``gosplan risk`` prints) must be one
number at every level; a drought observed in one province lowers that province's outlook only; a mine
that missed April is missing in July; a mine whose output jumps is notable, not critical; and the
province above a single troubled mine does not repeat its alert.
"""

import numpy as np
import pandas as pd
import pytest

from gosplan.service import Service
from gosplan.service.alerts import alerts_for
from gosplan.service.forecasts import forecast, grain_outlook

GRAIN = [0, 0, 0, 0, 0, 0, 5, 10, 40, 35, 10, 0]        # share of the year's harvest by month, %
UNITS = pd.DataFrame({
    "code": ["C", "N", "S", "N.f1", "N.f2", "S.f1", "S.f2", "N.m1", "N.m2", "S.m1"],
    "name": ["Country", "North", "South", "Farm N1", "Farm N2", "Farm S1", "Farm S2", "Mine N1", "Mine N2",
             "Mine S1"],
    "kind": ["country", "province", "province"] + ["enterprise"] * 7,
    "parent": [None, "C", "C", "N", "N", "S", "S", "N", "N", "S"],
    "sector": [None, None, None, "grain", "grain", "grain", "grain", "coal", "coal", "coal"]})


def _economy(url: str) -> Service:
    service = Service.open(url)
    store = service.store
    store.write_sectors(pd.DataFrame({"code": ["grain", "coal"], "name": ["Grain", "Coal"], "parent": [None, None]}))
    store.write_units(UNITS)
    store.write_indicators(pd.DataFrame({
        "code": ["grain", "coal"], "name": ["Grain", "Coal"], "unit": ["t", "t"], "aggregation": ["sum", "sum"],
        "time_aggregation": ["sum", "sum"], "direction": ["higher", "higher"], "sector": ["grain", "coal"],
        "key": [True, True], "role": ["output", "output"]}))
    store.write_plans(pd.DataFrame({"code": ["AP2023"], "name": ["Annual plan 2023"], "kind": ["annual"],
                                    "start_year": [2023], "end_year": [2023], "parent": [None]}))
    rng = np.random.default_rng(5)
    rows, targets = [], []
    farms = {"N.f1": 10_000.0, "N.f2": 12_000.0, "S.f1": 15_000.0, "S.f2": 9_000.0}
    for farm, size in farms.items():
        for year in (2020, 2021, 2022, 2023):
            level = size * (1 + 0.02 * (year - 2020)) * rng.normal(1, 0.02)
            for month, share in enumerate(GRAIN, start=1):
                if year == 2023 and month > 7:
                    break
                rows.append(("grain", farm, f"{year}-{month:02d}", round(level * share / 100, 1)))
        targets.append(("AP2023", "grain", farm, "2023", round(size * 1.06, -2)))
    mines = {"N.m1": 1_000.0, "N.m2": 1_100.0, "S.m1": 900.0}
    for mine, level in mines.items():
        for year in (2020, 2021, 2022, 2023):
            for month in range(1, 13):
                if year == 2023 and (month > 7 or (mine == "N.m2" and month == 4)):
                    continue                                     # Mine N2 missed April 2023
                value = level * rng.normal(1, 0.01)
                if mine == "S.m1" and year == 2023:
                    value *= 1.35                                # a jump for the better from January
                rows.append(("coal", mine, f"{year}-{month:02d}", round(value, 1)))
        targets.append(("AP2023", "coal", mine, "2023", round(level * 12, -2)))
    store.write_targets(pd.DataFrame(targets, columns=["plan", "indicator", "unit", "period", "value"]),
                        source="test", recorded_by="test")
    store.write_reports(pd.DataFrame(rows, columns=["indicator", "unit", "period", "value"]), source="test",
                        recorded_by="test")
    store.write_farms(pd.DataFrame({"unit": list(farms), "crop_area_ha": [2500.0, 3000.0, 3800.0, 2300.0],
                                    "irrigated_ha": [1200.0, 1500.0, 1900.0, 1100.0]}))
    store.write_weather_events(pd.DataFrame({"province": ["S"], "period": ["2023-06"], "kind": ["drought"],
                                             "severity": [0.9], "description": ["spring drought"]}))
    service.invalidate()
    return service


@pytest.fixture(scope="module")
def service(new_store_url):
    return _economy(new_store_url("sqlite"))


def test_one_grain_outlook_at_every_level(service):
    table = forecast(service, "2023-06", indicators=["grain"]).set_index("unit")
    outlook = grain_outlook(service, "2023-06", n_scenarios=20_000)
    rows = outlook.rows.set_index("unit")
    for column in ("expected_total", "p_attain", "lower_80", "upper_99"):
        assert table[column].to_dict() == pytest.approx(rows[column].to_dict())
    summary = outlook.summary()
    assert table.loc["C", "expected_total"] == pytest.approx(summary["expected_total"])
    assert table.loc["C", "p_attain"] == pytest.approx(summary["p_target_met"])
    provinces = outlook.provinces.set_index("province")
    assert table.loc[["N", "S"], "expected_total"].tolist() == pytest.approx(
        provinces.loc[["N", "S"], "expected_total"].tolist())
    assert (table["outlook"] == "forecast × weather").all()
    # The drought observed in the South lowers its outlook, not the North's.
    ratio = table["expected_total"] / table["target"]
    assert ratio["S"] < ratio["N"] - 0.1 and ratio["S.f1"] < ratio["N.f1"] - 0.1


def test_alert_rules_on_a_handmade_economy(service):
    alerts = alerts_for(service, "2023-07")
    keyed = alerts.set_index(["unit", "kind"])
    # A missing April is missing in July, at the mine (not copied at the province or the country).
    missing = alerts[alerts["kind"].eq("missing")]
    assert missing["unit"].tolist() == ["N.m2"] and missing["period"].tolist() == ["2023-04"]
    assert keyed.loc[("N.m2", "missing"), "message"] == "no report for 2023-04"
    # A jump for the better is notable, never critical, and raised once: at the mine.
    steps = alerts[alerts["indicator"].eq("coal") & alerts["kind"].isin(["step", "outlier", "slope"])]
    assert len(steps) and set(steps["severity"]) == {"notable"}
    assert "S" not in set(steps["unit"]) and "S.m1" in set(steps["unit"])
    assert steps["message"].str.contains(r"\+\d+ % \(\+[\d.]+ t a month\)", regex=True).all()
