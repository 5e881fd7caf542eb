"""Hydro output and the rain: anomalies from weather events, the elasticity, the rest of the year."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.engines.forecast.hydro import (
    DEFAULT_ELASTICITY,
    Elasticity,
    climatology,
    fit_elasticity,
    hydro_rest,
    rainfall_anomalies,
    seasonal_ratios,
)


def test_events_read_as_precipitation_anomalies() -> None:
    events = pd.DataFrame({"province": ["A", "A", "B", "B"], "period": ["2022-05", "2022-05", "2022-08", "2022-09"],
                           "kind": ["drought", "flood", "flood", "cold"], "severity": [0.6, 0.2, 0.5, 0.9]})
    out = rainfall_anomalies(events).set_index(["province", "period"])["anomaly"]
    assert out.to_dict() == pytest.approx({("A", "2022-05"): -0.4, ("B", "2022-08"): 0.5})


def test_known_elasticity_is_recovered_with_an_honest_standard_error() -> None:
    hits = []
    for seed in range(40):
        rng = np.random.default_rng(seed)
        anomaly = np.where(rng.random((4, 60)) < 0.3, rng.uniform(-0.8, 0.8, (4, 60)), 0.0)
        ratio = 0.6 * anomaly + rng.normal(0, 0.05, anomaly.shape)
        fit = fit_elasticity(ratio, anomaly)
        assert fit.estimated and fit.value == pytest.approx(0.6, abs=0.05)
        hits.append(abs(fit.value - 0.6) < 1.96 * fit.se)
    assert 0.85 <= np.mean(hits) <= 1.0                   # the 95 % interval covers the truth


def test_too_few_anomalies_fall_back_to_the_default() -> None:
    anomaly = np.zeros((3, 30))
    anomaly[0, 5] = -0.5
    fit = fit_elasticity(np.random.default_rng(0).normal(0, 0.05, (3, 30)), anomaly)
    assert not fit.estimated and fit.value == DEFAULT_ELASTICITY and fit.months == 1


def test_rest_of_year_under_a_scenario_and_under_climatology() -> None:
    months = np.arange(6, 12)                                  # July to December
    mean_a, var_a = climatology(months)
    assert -0.1 < mean_a < 0.1 and var_a > 0                    # floods in summer, little drought after June
    elasticity = Elasticity(0.5, 0.1, 40, True)
    rest = np.array([100.0, 300.0, 50.0])
    hydro = np.array([100.0, 120.0, 0.0])                      # a station, a province with thermal, a thermal one
    change, added = hydro_rest(rest, hydro, elasticity, -0.5, months)
    assert change == pytest.approx(hydro * 0.5 * (-0.5 - mean_a))
    assert added == pytest.approx(hydro ** 2 * 0.1 ** 2 * (-0.5 - mean_a) ** 2)
    change, added = hydro_rest(rest, hydro, elasticity, None, months)
    assert change == pytest.approx([0.0, 0.0, 0.0])
    assert added == pytest.approx(hydro ** 2 * (0.1 ** 2 * var_a + 0.25 * var_a))


def test_seasonal_baseline_does_not_attenuate_the_elasticity() -> None:
    """Output of seasonal stations, 0.6 × the month's rain anomaly: the ratios to the same month of the
    other years give back 0.6 on average over many economies (a baseline holding the month's own
    value would give less)."""
    estimates = []
    for seed in range(30):
        rng = np.random.default_rng(seed)
        season = 1 + 0.35 * np.sin(np.arange(60) / 12 * 2 * np.pi)
        anomaly = np.where(rng.random((4, 60)) < 0.3, rng.uniform(-0.8, 0.8, (4, 60)), 0.0)
        output = 500 * season * (1 + 0.6 * anomaly) * rng.lognormal(0, 0.03, (4, 60))
        estimates.append(fit_elasticity(seasonal_ratios(output, 0), anomaly).value)
    assert np.mean(estimates) == pytest.approx(0.6, abs=0.02)
