"""Campaigns: Bass diffusion fit and the difference-in-differences effect of joining."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gosplan.campaigns import bass_cumulative, campaign_effect, fit_bass

START = 2023 * 12  # January 2023 as a month ordinal


def bass_joins(p: float, q: float, m: int, months: int) -> np.ndarray:
    t = np.arange(1, months + 1)
    cumulative = np.round(bass_cumulative(t, p, q, m)).astype(int)
    return np.repeat(START + t, np.diff(np.concatenate([[0], cumulative])))


def test_bass_curve_properties_from_bass_1969() -> None:
    # Bass (1969), Management Science 15(5): F(0) = 0, F -> m, peak of new adopters at
    # t* = ln(q/p) / (p + q), where the cumulative share is (1/2 - p/(2q)).
    p, q, m = 0.03, 0.38, 1000.0
    assert bass_cumulative(np.array([0.0]), p, q, m)[0] == 0.0
    assert bass_cumulative(np.array([500.0]), p, q, m)[0] == pytest.approx(m)
    peak = np.log(q / p) / (p + q)
    assert bass_cumulative(np.array([peak]), p, q, m)[0] / m == pytest.approx(0.5 - p / (2 * q))


@settings(max_examples=15, deadline=None)
@given(p=st.floats(0.005, 0.05), q=st.floats(0.2, 0.8), m=st.integers(200, 2000))
def test_bass_fit_recovers_the_generating_parameters(p: float, q: float, m: int) -> None:
    months = 30
    fit = fit_bass(bass_joins(p, q, m, months), until=START + months)
    # Rounding to whole units is the only noise, so the fit is close.
    assert fit.rmse < 1.0
    assert fit.m == pytest.approx(m, rel=0.1)
    assert fit.q == pytest.approx(q, rel=0.15)
    forecast = fit.forecast(horizon=12)
    assert len(forecast) == months + 12
    assert forecast["cumulative"].is_monotonic_increasing
    assert forecast["cumulative"].iloc[-1] <= fit.m + 1e-9


def test_bass_fit_respects_eligible_units_and_forecasts_reach() -> None:
    joins = bass_joins(0.02, 0.5, 300, 12)  # only the first year observed
    fit = fit_bass([*joins, None, float("nan")], eligible=320, until="2024-01")
    assert len(joins) <= fit.m <= 320
    assert fit.reach("2026-01") > fit.reach("2024-01")
    fixed = fit_bass(joins, eligible=320, fix_potential=True)
    assert fixed.m == 320
    with pytest.raises(ValueError):
        fit_bass(joins, eligible=3)


def simulated_panel(effect: float, seed: int, units: int = 60, joiners: int = 40,
                    shock: float = 0.0) -> tuple[pd.DataFrame, dict[int, int]]:
    """Log productivity = unit level + common monthly shock + noise (+ effect after joining)."""
    rng = np.random.default_rng(seed)
    months = np.arange(START, START + 30)
    common = rng.normal(0, 0.05, len(months)).cumsum()
    joined = {u: int(START + 10 + u % 8) for u in range(joiners)}
    rows = []
    for u in range(units):
        level = rng.normal(2.0, 0.3)
        for i, t in enumerate(months):
            treated = u in joined and t >= joined[u]
            y = level + common[i] + shock * u * (i > 15) + effect * treated + rng.normal(0, 0.03)
            rows.append((f"mine-{u}", f"{t // 12}-{t % 12 + 1:02d}", np.exp(y)))
    panel = pd.DataFrame(rows, columns=["unit", "period", "value"])
    return panel, {f"mine-{u}": f"{t // 12}-{t % 12 + 1:02d}" for u, t in joined.items()}


def test_effect_of_joining_is_recovered_with_an_honest_interval() -> None:
    panel, joined = simulated_panel(effect=0.08, seed=3)
    result = campaign_effect(panel, joined, n_boot=150)
    assert result.ci[0] < 0.08 < result.ci[1]
    assert result.att == pytest.approx(0.08, abs=0.02)
    assert result.pre_trend_ci[0] < 0 < result.pre_trend_ci[1]
    assert result.percent[0] == pytest.approx(100 * (np.exp(result.att) - 1))
    study = result.event_study.set_index("event_time")
    assert study.loc[-1, "estimate"] == 0.0
    assert (study.loc[0:, "estimate"] > 0.04).all()
    assert result.n_joined == 40 and result.n_comparison == 20


def test_no_effect_gives_an_interval_around_zero() -> None:
    panel, joined = simulated_panel(effect=0.0, seed=5)
    result = campaign_effect(panel, joined, n_boot=150)
    assert result.ci[0] < 0 < result.ci[1]
    assert abs(result.att) < 0.02


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 1000), shift=st.floats(-3, 3))
def test_unit_levels_and_common_shocks_cancel(seed: int, shift: float) -> None:
    # Differences in differences: adding a constant per unit and a shock per month changes nothing.
    panel, joined = simulated_panel(effect=0.05, seed=seed, units=24, joiners=16)
    rng = np.random.default_rng(seed)
    unit_shift = {u: rng.normal(0, 1) for u in panel["unit"].unique()}
    month_shift = {m: shift * rng.normal() for m in panel["period"].unique()}
    moved = panel.assign(value=panel["value"] * np.exp(panel["unit"].map(unit_shift)
                                                       + panel["period"].map(month_shift)))
    a = campaign_effect(panel, joined, n_boot=1)
    b = campaign_effect(moved, joined, n_boot=1)
    np.testing.assert_allclose(a.event_study["estimate"], b.event_study["estimate"], atol=1e-9)
    assert a.att == pytest.approx(b.att, abs=1e-9)


def test_levels_and_bad_input() -> None:
    panel, joined = simulated_panel(effect=0.0, seed=1, units=12, joiners=6)
    with pytest.raises(ValueError):
        campaign_effect(panel.assign(value=-panel["value"]), joined)
    result = campaign_effect(panel, joined, log=False, n_boot=20)
    assert not result.log
