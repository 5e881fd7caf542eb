"""The potentiality engine on numbers worked out by hand: months in operation, capacity a year and its
loss, norms moved by part-year changes, Beer's three indices, stalled movements."""

from __future__ import annotations

import pandas as pd
import pytest

from gosplan.engines.potentiality import (
    adjusted_norms,
    beer_indices,
    capacity_in_year,
    late_norm_cost,
    months_in_operation,
    movement_stall,
    potentiality,
    sum_indices,
)
from gosplan.model import month_ordinal


def test_months_in_operation_counts_from_the_month_after_commissioning():
    assert [months_in_operation(m, 2024) for m in ("2023-12", "2024-01", "2024-12", "2025-01", None)] == [
        12, 11, 0, 0, 0]


def test_a_delay_moves_capacity_into_the_next_year():
    frame = pd.DataFrame({"unit": ["a", "a"], "indicator": ["coal", "coal"], "capacity": [600_000.0, 120_000.0],
                          "planned": ["2024-06", "2023-12"], "forecast": ["2024-10", "2023-12"]})
    got = capacity_in_year(frame, 2024).iloc[0]
    # 600 kt: 6 months planned (July-December), 2 forecast (November-December); 120 kt: the whole year.
    assert got["planned_capacity"] == pytest.approx(300_000 + 120_000)
    assert got["capacity"] == pytest.approx(100_000 + 120_000)
    assert got["lost"] == pytest.approx(200_000)
    # The year after, both work all twelve months: nothing is lost any more.
    assert capacity_in_year(frame, 2025).iloc[0]["lost"] == 0


def test_norm_changes_weighted_by_share_and_months():
    norms = pd.DataFrame({"good": ["kwh", "coal"], "consumer": ["steel", "steel"], "norm": [400.0, 0.9]})
    effects = pd.DataFrame({"unit": ["a", "b"], "indicator": ["steel", "steel"], "norm_good": ["kwh", "kwh"],
                            "norm_change": [-0.08, -0.10], "forecast": ["2023-12", "2024-06"]})
    output = pd.DataFrame({"unit": ["a", "b", "c"], "indicator": ["steel"] * 3, "value": [50.0, 30.0, 20.0]})
    got = adjusted_norms(norms, effects, output, 2024).set_index("good")
    # a: -8 % x 0.5 x 12/12 = -4 %; b: -10 % x 0.3 x 6/12 = -1.5 %; together 400 x (1 - 0.055) = 378.
    assert got.loc["kwh", "norm"] == pytest.approx(378.0)
    assert got.loc["kwh", "base_norm"] == 400.0 and got.loc["coal", "norm"] == 0.9  # coal untouched


def test_late_norm_cost_is_the_saving_forgone():
    effects = pd.DataFrame({"project": ["x"], "unit": ["a"], "indicator": ["steel"], "norm_good": ["kwh"],
                            "norm_change": [-0.08], "planned": ["2023-10"], "forecast": ["2024-01"]})
    norms = pd.DataFrame({"good": ["kwh"], "consumer": ["steel"], "norm": [400.0]})
    output = pd.DataFrame({"unit": ["a"], "indicator": ["steel"], "value": [120_000.0]})
    # 2023: planned November-December (2 months), forecast none: 0.08 x 400 x 120,000 x 2/12 = 640,000 kWh.
    assert late_norm_cost(effects, norms, output, 2023)["lost"].iloc[0] == pytest.approx(640_000)
    # 2024: 12 months planned, 11 forecast: one month, 320,000 kWh.
    assert late_norm_cost(effects, norms, output, 2024)["lost"].iloc[0] == pytest.approx(320_000)


def test_beer_indices_by_hand():
    # Beer, Brain of the Firm (1972), ch. 12: productivity = A/C, latency = C/P, performance = A/P.
    table = pd.DataFrame({"actuality": [90.0, 50.0], "capability": [100.0, 80.0], "potentiality": [120.0, 80.0]})
    got = beer_indices(table)
    assert got["productivity"].tolist() == pytest.approx([0.9, 0.625])
    assert got["latency"].tolist() == pytest.approx([100 / 120, 1.0])
    assert got["performance"].tolist() == pytest.approx([0.75, 0.625])
    assert (got["performance"] - got["productivity"] * got["latency"]).abs().max() < 1e-12


def test_potentiality_adds_projects_and_technology_and_sums_by_sector():
    units = pd.DataFrame({"sector": ["coal", "coal", "power"], "output": [80.0, 100.0, 50.0],
                          "potential_output": [100.0, 100.0, 40.0]}, index=["m1", "m2", "p1"])
    additions = pd.DataFrame({"unit": ["m1", "p1"], "value": [10.0, 10.0]})
    got = potentiality(units, additions, pd.Series({"m2": 0.10}))
    # m1: C = 100, P = 100 + 10; m2: C = 100, P = 100 + 10 % of 100; p1: C = max(40, 50) = 50, P = 60.
    assert got["capability"].tolist() == [100.0, 100.0, 50.0]
    assert got["potentiality"].tolist() == [110.0, 110.0, 60.0]
    coal = sum_indices(got, ["sector"]).set_index("sector").loc["coal"]
    assert coal["actuality"] == 180 and coal["capability"] == 200 and coal["potentiality"] == 220
    assert coal["productivity"] == pytest.approx(0.9) and coal["latency"] == pytest.approx(200 / 220)
    assert coal["performance"] == pytest.approx(180 / 220) and coal["units"] == 2


def test_a_movement_stalls_when_its_potential_is_reached_or_joins_stop():
    months = [month_ordinal(m) for m in ("2023-01", "2023-02", "2023-02", "2023-03")]
    june = month_ordinal("2023-06")
    assert movement_stall(months, 10, june, fitted_potential=4.3).reason == "no_room"
    assert movement_stall(months, 10, june, fitted_potential=7.0).reason == "quiet"  # 3 months without a join
    assert not movement_stall(months, 10, month_ordinal("2023-04"), fitted_potential=7.0).stalled
    assert not movement_stall(months, 4, june, fitted_potential=4.0).stalled  # everyone eligible joined
