"""The smoothing recursions and their forecast-error variances against published formulas."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gosplan.engines.forecast import _ets

DATA = Path(__file__).parents[2] / "data" / "forecast"


def _params(alpha, beta=0.0, phi=1.0, gamma=0.0, n=1):
    class P:
        pass
    p = P()
    p.alpha, p.beta, p.phi, p.gamma = (np.full(n, v, dtype=float) for v in (alpha, beta, phi, gamma))
    return p


def test_simple_exponential_smoothing_by_hand():
    # l_t = l_{t-1} + alpha (y_t - l_{t-1}) with alpha = 0.5, l_0 = 10:
    # predictions 10, 11, 10.5, 12.25 for y = 12, 10, 14 (computed by hand).
    y = np.array([[12.0, 10.0, 14.0, np.nan]])
    *_, sse, states = _ets._filter(y, np.arange(4) % 12, np.array([10.0]), np.array([0.0]),
                                   np.zeros((1, 12)), np.array([0.5]), np.array([0.0]),
                                   np.array([1.0]), np.array([0.0]), record=True)
    assert states["fitted"][0].tolist() == [10.0, 11.0, 10.5, 12.25]
    # The unreported fourth month adds no error.
    assert sse[0] == pytest.approx(2.0 ** 2 + 1.0 ** 2 + 3.5 ** 2)


@pytest.mark.parametrize("h", [1, 2, 5, 12])
@pytest.mark.parametrize("alpha", [0.1, 0.5, 0.9])
def test_variance_of_simple_smoothing_matches_table(h, alpha):
    # Hyndman & Athanasopoulos, Forecasting: Principles and Practice, 3rd ed., sec. 8.7, table 8.8:
    # ETS(A,N,N): sigma_h^2 = sigma^2 [1 + alpha^2 (h - 1)].
    cov = _ets.path_covariance(_params(alpha), h)
    assert cov[0, h - 1, h - 1] == pytest.approx(1 + alpha ** 2 * (h - 1))


@pytest.mark.parametrize("h", [1, 3, 7, 12])
def test_variance_of_holt_matches_table(h):
    # FPP3 table 8.8, ETS(A,A,N): sigma^2 [1 + (h-1){alpha^2 + alpha beta h + beta^2 h (2h-1) / 6}].
    alpha, beta = 0.3, 0.1
    expected = 1 + (h - 1) * (alpha ** 2 + alpha * beta * h + beta ** 2 * h * (2 * h - 1) / 6)
    cov = _ets.path_covariance(_params(alpha, beta), h)
    assert cov[0, h - 1, h - 1] == pytest.approx(expected)


@pytest.mark.parametrize("h", [1, 12, 13, 24, 25])
def test_variance_of_seasonal_smoothing_matches_table(h):
    # FPP3 table 8.8, ETS(A,N,A): sigma^2 [1 + alpha^2 (h-1) + gamma k (2 alpha + gamma)],
    # k = floor((h - 1) / m), m = 12.
    alpha, gamma = 0.4, 0.2
    k = (h - 1) // 12
    expected = 1 + alpha ** 2 * (h - 1) + gamma * k * (2 * alpha + gamma)
    cov = _ets.path_covariance(_params(alpha, gamma=gamma), h)
    assert cov[0, h - 1, h - 1] == pytest.approx(expected)


def test_variance_of_a_sum_is_not_the_sum_of_variances():
    # Hyndman, Koehler, Ord & Snyder (2008), sec. 6.6: for ETS(A,N,N) the sum of the next h values
    # has variance sigma^2 sum_{j=1}^{h} (1 + (h - j) alpha)^2.
    alpha, h = 0.5, 6
    cov = _ets.path_covariance(_params(alpha), h)
    total = cov[0].sum()
    assert total == pytest.approx(sum((1 + (h - j) * alpha) ** 2 for j in range(1, h + 1)))
    assert total > np.trace(cov[0]) * 1.5


@settings(max_examples=25, deadline=None)
@given(alpha=st.floats(0.01, 1.0), beta=st.floats(0.0, 0.2), phi=st.floats(0.8, 1.0),
       gamma=st.floats(0.0, 0.5), h=st.integers(1, 15))
def test_covariance_matches_simulated_paths(alpha, beta, phi, gamma, h):
    # The closed form against the model itself: simulate the state equations and compare.
    rng = np.random.default_rng(0)
    paths = 20000
    level = np.zeros(paths)
    trend = np.zeros(paths)
    season = np.zeros((12, paths))
    out = np.empty((paths, h))
    for j in range(h):
        e = rng.standard_normal(paths)
        m = j % 12
        out[:, j] = level + phi * trend + season[m] + e
        level, trend = level + phi * trend + alpha * e, phi * trend + beta * e
        season[m] = season[m] + gamma * e
    cov = _ets.path_covariance(_params(alpha, beta, phi, gamma), h)[0]
    simulated = np.cov(out, rowvar=False).reshape(h, h)
    assert np.allclose(cov, simulated, rtol=0.08, atol=0.08 * np.sqrt(np.outer(np.diag(cov), np.diag(cov))))


def test_filter_matches_statsmodels_on_electrical_equipment():
    # Reference implementation: statsmodels' ETSModel with the same parameters and known initial
    # states gives the same one-step predictions on the Eurostat electrical equipment index.
    ets = pytest.importorskip("statsmodels.tsa.exponential_smoothing.ets")
    y = pd.read_csv(DATA / "elec_equip.csv").iloc[:60, 1].to_numpy(dtype=float)
    season = np.array([-5, -6, 4, 0, 1, 3, 2, -14, 3, 4, 3, 5.0])
    season -= season.mean()
    model = ets.ETSModel(pd.Series(y), error="add", trend="add", damped_trend=True, seasonal="add",
                         seasonal_periods=12, initialization_method="known", initial_level=70.0,
                         initial_trend=0.2, initial_seasonal=season)
    reference = model.smooth([0.4, 0.05, 0.15, 0.9]).fittedvalues.to_numpy()
    *_, states = _ets._filter(y[None, :], np.arange(60) % 12, np.array([70.0]), np.array([0.2]),
                              season[None, :], np.array([0.4]), np.array([0.05]), np.array([0.9]),
                              np.array([0.15]), record=True)
    np.testing.assert_allclose(states["fitted"][0], reference, rtol=1e-10)


def test_fit_recovers_seasonality_of_electrical_equipment():
    # 1995-1997 of the index peak every September (90.2, 92.5, 98.3) after the August holiday
    # month (67.4, 67.5, 76.7): the fitted profile must keep that, not shrink it away.
    y = pd.read_csv(DATA / "elec_equip.csv").iloc[:36, 1].to_numpy(dtype=float)[None, :]
    fit = _ets.fit(y, first_month=0)
    profile = fit.seasonal[0] if not fit.log[0] else np.exp(fit.seasonal[0])
    assert int(np.argmax(profile)) == 8
    assert profile[8] - profile[7] > 0.5 * (profile.max() - profile.min())


def test_seasonal_profile_shrinks_noise_toward_flat():
    rng = np.random.default_rng(3)
    noise = rng.normal(100, 5, size=(200, 36))
    seasonal = noise + np.tile(np.where(np.arange(12) >= 8, 40.0, -20.0), 3)
    _, flat_factor = _ets.seasonal_profile(noise, 0)
    _, season_factor = _ets.seasonal_profile(seasonal, 0)
    assert np.median(flat_factor) < 0.3
    assert season_factor.min() > 0.95
