"""Plan-fact roll-ups (engines/fulfilment.py) against numbers computed by hand."""

import numpy as np
import pandas as pd
import pytest

from gosplan.engines.facts import facts
from gosplan.engines.fulfilment import (
    FulfilmentInputs,
    Thresholds,
    fulfilment,
    leaders_and_laggards,
    sector_fulfilment,
)

UNITS = pd.DataFrame({
    "code": ["KP", "PA", "PB", "A1", "A2", "B1", "B2"],
    "name": ["Country", "Province A", "Province B", "Mine A1", "Mine A2", "Mine B1", "Works B2"],
    "kind": ["country", "province", "province", "enterprise", "enterprise", "enterprise", "enterprise"],
    "parent": [None, "KP", "KP", "PA", "PA", "PB", "PB"],
    "sector": [None, None, None, "coal", "coal", "coal", "steel"],
})
INDICATORS = pd.DataFrame({
    "code": ["coal", "steel", "metals", "power", "workers", "losses"],
    "name": ["Coal", "Rolled steel", "Non-ferrous metals", "Electricity", "Workers", "Losses"],
    "unit": ["t", "t", "kt", "kWh", "worker", "t"],
    "aggregation": ["sum", "sum", "sum", "sum", "sum", "sum"],
    "time_aggregation": ["sum", "sum", "sum", "sum", "mean", "sum"],
    "direction": ["higher", "higher", "higher", "higher", "higher", "lower"],
    "sector": ["coal", "metallurgy", "metallurgy", "power", None, "coal"],
    "key": [True, True, True, True, False, False],
    "role": ["output", "output", "output", "output", "input", "output"],
})
SECTORS = pd.DataFrame({"code": ["industry", "coal", "metallurgy", "power"],
                        "name": ["Industry", "Coal", "Metallurgy", "Electricity"],
                        "parent": [None, "industry", "industry", "industry"]})


def totals(rows):
    """rows: (indicator, unit, total, months) -> the store's report_totals shape."""
    frame = pd.DataFrame(rows, columns=["indicator", "unit", "total", "months"])
    frame["mean"] = frame["total"] / frame["months"]
    frame["maximum"] = frame["mean"]
    frame["last_value"] = frame["mean"]
    return frame


def quarterly(indicator, unit, annual, q1, q2):
    return pd.DataFrame({"indicator": indicator, "unit": unit, "period": ["2023", "2023-Q1", "2023-Q2"],
                         "value": [annual, q1, q2]})


TARGETS = pd.concat([
    quarterly("coal", "A1", 400.0, 100.0, 100.0),   # H1 target 200
    quarterly("coal", "A2", 240.0, 60.0, 60.0),     # H1 target 120
    quarterly("coal", "B1", 200.0, 50.0, 50.0),     # H1 target 100
    quarterly("steel", "B2", 100.0, 20.0, 30.0),    # H1 target 50
], ignore_index=True)
ACTUAL = totals([
    ("coal", "A1", 210.0, 6), ("coal", "A2", 114.0, 6), ("coal", "B1", 40.0, 4),  # B1 missed two months
    ("steel", "B2", 55.0, 6),
])
PREVIOUS = totals([("coal", "A1", 190.0, 6), ("coal", "A2", 110.0, 6), ("coal", "B1", 95.0, 6),
                   ("steel", "B2", 50.0, 6)])


@pytest.fixture(scope="module")
def table():
    inputs = FulfilmentInputs(UNITS, INDICATORS, TARGETS, ACTUAL, PREVIOUS)
    return fulfilment(inputs, "2023-H1").set_index(["unit", "indicator"])


def test_enterprise_rows(table):
    a1 = table.loc[("A1", "coal")]
    assert a1["target"] == pytest.approx(200) and a1["actual"] == 210
    assert a1["fulfilment"] == pytest.approx(1.05) and a1["status"] == "exceeding"
    assert a1["change"] == pytest.approx(210 / 190 - 1)
    # 400 - 210 = 190 left for six months
    assert a1["remaining"] == pytest.approx(190) and a1["required_rate"] == pytest.approx(190 / 6)
    assert a1["rate_to_date"] == pytest.approx(35)
    a2 = table.loc[("A2", "coal")]
    assert a2["fulfilment"] == pytest.approx(0.95) and a2["status"] == "at risk"


def test_a_unit_that_did_not_report_is_missing_not_zero(table):
    b1 = table.loc[("B1", "coal")]
    assert b1["status"] == "missing" and np.isnan(b1["actual"]) and b1["months_reported"] == 4


def test_rollup_is_like_for_like_and_counts_missing(table):
    pa = table.loc[("PA", "coal")]
    assert pa["target"] == pytest.approx(320) and pa["actual"] == pytest.approx(324)
    assert pa["fulfilment"] == pytest.approx(324 / 320)
    kp = table.loc[("KP", "coal")]
    # country: B1 is missing, so A1 + A2 against their own targets; B1's target still in the plan
    assert kp["target"] == pytest.approx(420) and kp["actual"] == pytest.approx(324)
    assert kp["fulfilment"] == pytest.approx(324 / 320)
    assert (kp["expected"], kp["reported"], kp["missing"]) == (3, 2, 1)
    assert kp["annual_target"] == pytest.approx(840)
    pb = table.loc[("PB", "coal")]
    assert pb["status"] == "missing"


def test_own_target_at_a_higher_unit_wins():
    targets = pd.concat([TARGETS, pd.DataFrame({"indicator": ["coal"], "unit": ["PA"], "period": ["2023-H1"],
                                                "value": [300.0]})])
    t = fulfilment(FulfilmentInputs(UNITS, INDICATORS, targets, ACTUAL), "2023-H1").set_index(["unit", "indicator"])
    assert t.loc[("PA", "coal"), "target"] == pytest.approx(300) and bool(t.loc[("PA", "coal"), "target_is_own"])
    assert t.loc[("PA", "coal"), "fulfilment"] == pytest.approx(324 / 300)
    # the country sums its children's targets: PA's own 300 + PB's rolled 100
    assert t.loc[("KP", "coal"), "target"] == pytest.approx(400)


def test_month_window_and_year_to_date():
    targets = quarterly("coal", "A1", 400.0, 90.0, 120.0)
    actual = totals([("coal", "A1", 130.0, 4)])
    t = fulfilment(FulfilmentInputs(UNITS, INDICATORS, targets, actual), "2023-04")
    row = t.set_index(["unit", "indicator"]).loc[("A1", "coal")]
    # Jan-Apr: Q1 90 + April = 120 / 3 = 40 -> 130
    assert row["target"] == pytest.approx(130) and row["fulfilment"] == pytest.approx(1.0)
    assert row["months_left"] == 8


def test_lower_is_better_mirrors_the_status():
    targets = pd.DataFrame({"indicator": ["losses"], "unit": ["A1"], "period": ["2023-H1"], "value": [100.0]})
    actual = totals([("losses", "A1", 90.0, 6)])
    t = fulfilment(FulfilmentInputs(UNITS, INDICATORS, targets, actual), "2023-H1")
    assert t.set_index(["unit", "indicator"]).loc[("A1", "losses"), "status"] == "exceeding"


def test_level_indicator_uses_mean_over_months():
    targets = pd.DataFrame({"indicator": ["workers"], "unit": ["A1"], "period": ["2023"], "value": [500.0]})
    actual = totals([("workers", "A1", 6 * 480.0, 6)])
    t = fulfilment(FulfilmentInputs(UNITS, INDICATORS, targets, actual), "2023-H1")
    row = t.set_index(["unit", "indicator"]).loc[("A1", "workers")]
    assert row["target"] == 500 and row["actual"] == 480 and np.isnan(row["required_rate"])


def test_sector_same_unit_totals_and_mixed_units():
    targets = pd.concat([TARGETS, pd.DataFrame({"indicator": "metals", "unit": "B2", "period": ["2023-H1"],
                                                "value": [0.05]})])  # 0.05 kt = 50 t
    actual = pd.concat([ACTUAL, totals([("metals", "B2", 0.07, 6)])])
    table = facts(FulfilmentInputs(UNITS, INDICATORS, targets, actual), "2023-H1")
    sectors = sector_fulfilment(table, INDICATORS, SECTORS).set_index(["unit", "sector"])
    metal = sectors.loc[("KP", "metallurgy")]
    # (55 t + 70 t) / (50 t + 50 t)
    assert metal["method"] == "same-unit totals" and metal["fulfilment"] == pytest.approx(1.25)
    assert metal["uom"] == "t" and metal["actual"] == pytest.approx(125)
    industry = sectors.loc[("KP", "industry")]
    assert industry["method"] == "unweighted mean (no prices)"  # no IO table: no plan prices


def test_leaders_and_laggards_gap_in_physical_units(table):
    leaders, laggards = leaders_and_laggards(table.reset_index())
    assert "A1" in set(leaders["unit"]) and "B2" in set(leaders["unit"])
    lag = laggards.set_index("unit").loc["A2"]
    assert lag["gap"] == pytest.approx(6.0)


def test_thresholds_are_configurable():
    strict = Thresholds(exceeding=1.2, on_track=1.0, at_risk=0.9)
    assert strict.classify(np.array([1.1, 0.95, 0.5, np.nan])).tolist() == [
        "on track", "at risk", "lagging", "no target"]
