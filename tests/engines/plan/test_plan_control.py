"""Control figures, their distribution down the hierarchy and the capacity check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.engines.plan import check_capacities, control_figures, distribute, expected_outturn, trend_growth
from gosplan.errors import InvalidValue


def test_distribution_adds_up_exactly_and_follows_the_weights() -> None:
    rng = np.random.default_rng(3)
    w = pd.DataFrame({"unit": [f"u{i}" for i in range(97)], "indicator": ["coal"] * 50 + ["cement"] * 47,
                      "weight": rng.uniform(1, 100, 97)})
    totals = pd.Series({"coal": 1_234_567.0, "cement": 7_654_321.0})
    out = distribute(totals, w)
    assert out.groupby("indicator")["value"].sum().to_dict() == {"cement": 7_654_321.0, "coal": 1_234_567.0}
    assert (out["value"] == out["value"].round()).all()
    coal = out[out["indicator"] == "coal"].set_index("unit")["value"]
    share = w[w["indicator"] == "coal"].set_index("unit")["weight"]
    np.testing.assert_allclose(coal, share / share.sum() * 1_234_567.0, atol=1.0)


def test_distribution_without_weights_is_refused() -> None:
    w = pd.DataFrame({"unit": ["a"], "indicator": ["coal"], "weight": [0.0]})
    with pytest.raises(InvalidValue, match=r"no unit has a positive weight .*\['coal'\]"):
        distribute(pd.Series({"coal": 10.0}), w)


def test_control_figures_prefer_the_five_year_plan_and_measure_tautness() -> None:
    fyp = pd.Series({"coal": 21_000_000.0})
    expected = pd.Series({"coal": 19_000_000.0, "cement": 7_000_000.0})
    growth = pd.Series({"coal": 0.05, "cement": 0.02})
    cf = control_figures(fyp, expected, growth).set_index("indicator")
    assert cf.loc["coal", "control_figure"] == 21_000_000.0 and cf.loc["coal", "source"] == "five_year_plan"
    assert cf.loc["coal", "tautness"] == pytest.approx(21 / (19 * 1.05) - 1)
    assert cf.loc["cement", "control_figure"] == pytest.approx(7_140_000.0)
    assert cf.loc["cement", "tautness"] == pytest.approx(0.0)


def test_expected_outturn_and_trend() -> None:
    to_date = pd.Series({"coal": 8.7e6})
    exp = expected_outturn(to_date, pd.Series({"coal": 16.4e6}), pd.Series({"coal": 8.0e6}))
    assert exp["coal"] == pytest.approx(8.7e6 * 16.4 / 8.0)
    history = pd.DataFrame({"coal": [100.0, 110.0, 121.0]}, index=[2020, 2021, 2022])
    assert trend_growth(history)["coal"] == pytest.approx(0.10)
    assert trend_growth(history.iloc[:1])["coal"] == 0.0


def test_output_above_capacity_marks_the_record_stale() -> None:
    caps = pd.DataFrame({"unit": ["a", "b", "c", "d"], "indicator": ["steel"] * 4, "capacity": [100.0] * 4})
    out = pd.DataFrame({"unit": ["a", "b", "c"], "indicator": ["steel"] * 3, "value": [112.0, 99.0, 50.0]})
    status = check_capacities(caps, out).set_index("unit")["status"].to_dict()
    assert status == {"a": "stale", "b": "binding", "c": "free", "d": "no_output"}
