"""Hydro power and the rain: the elasticity of a hydro station's output to its province's rainfall.

A hydro station turns river inflow into power, and inflow follows the rain as a farm's harvest does.
The store holds the weather as abnormal events by province and month (drought, flood, cold spell,
with a severity 0..1); :func:`rainfall_anomalies` reads them as monthly precipitation anomalies:
a drought of severity ``s`` is a month with ``s`` less rain than normal (``-s``), a flood one with
``s`` more (``+s``); a month without an event is a normal month (0); cold spells say nothing of rain.

**Estimate.** For every past month of every hydro station, the output ratio ``r = y / ȳ - 1`` is
regressed through the origin on the province's anomaly ``a``: ``r = β a + ε``. ``ȳ`` is the
station's mean output in the same calendar month of the *other* years (:func:`seasonal_ratios`):
a baseline that never contains the month's own rain. (The forecast model's one-step prediction
would be the obvious baseline, but its seasonal profile is estimated from all years, the month's
own included, which took a fifth of the effect away on hand-made data: 0.44-0.53 for a true 0.6.)
``β`` is the elasticity (0.5: a month with half the normal rain gives a quarter less power), its
standard error ``σ / sqrt(Σ a²)`` (optimistic: the baselines of one station share its years). With fewer than
:data:`MIN_ANOMALY_MONTHS` station-months with an anomaly the data cannot tell ``β`` from noise
and the documented default (:data:`DEFAULT_ELASTICITY` ± :data:`DEFAULT_ELASTICITY_SD`) applies,
as the weather model's defaults apply when it has too few years.

**Forecast.** The model's forecast of the rest of the year assumes the weather of an average year
(climatology: the mean anomaly ``ā`` of the weather model's event probabilities). Under a
rainfall scenario ``a_s`` for the months still to come (the same in every month and province) the
rest becomes ``rest × (1 + β (a_s - ā))``; under climatology its mean is unchanged. Both add to
the rest's variance ``rest² × (se² ((a_s - ā)² + V) + β² V)``: the uncertainty of ``β`` and, under
climatology, the variance ``V`` of the mean anomaly of the remaining months. ``rest`` is the hydro
part of a unit's rest of the year (all of it for a hydro station, the stations' sum for a province).

>>> rng = np.random.default_rng(0)
>>> anomaly = rng.choice([0.0, -0.5, 0.5], size=(6, 48), p=[0.6, 0.2, 0.2])
>>> ratio = 0.7 * anomaly + rng.normal(0, 0.03, anomaly.shape)
>>> fit = fit_elasticity(ratio, anomaly)
>>> round(fit.value, 2), fit.estimated
(0.7, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gosplan.engines._risk_model import KINDS, WeatherRiskParameters

DEFAULT_ELASTICITY = 0.5
DEFAULT_ELASTICITY_SD = 0.25
MIN_ANOMALY_MONTHS = 12
SIGN = {"drought": -1.0, "flood": 1.0, "cold": 0.0}
DRY_YEAR = -0.5  # the dry-year scenario: every month still to come has half the normal rain


@dataclass(frozen=True)
class Elasticity:
    """``value`` ± ``se``; ``months`` the station-months with an anomaly it rests on; ``estimated``
    False when the default applied."""

    value: float
    se: float
    months: int
    estimated: bool


def rainfall_anomalies(events: pd.DataFrame) -> pd.DataFrame:
    """``province, period, anomaly`` from weather events (``province, period, kind, severity``):
    drought ``-severity``, flood ``+severity``, summed when a month has several; months without an
    event are not listed (anomaly 0)."""
    if events is None or events.empty:
        return pd.DataFrame(columns=["province", "period", "anomaly"])
    sign = events["kind"].map(SIGN).fillna(0.0).to_numpy(float)
    frame = events.assign(anomaly=sign * pd.to_numeric(events["severity"], errors="coerce").fillna(0.0).to_numpy())
    frame = frame[frame["anomaly"].ne(0)]
    return frame.groupby(["province", "period"], as_index=False)["anomaly"].sum()


def seasonal_ratios(values: np.ndarray, first_month: int = 0) -> np.ndarray:
    """``y / ȳ - 1`` for every month of every series (n, T): ``ȳ`` the series' mean in the same calendar
    month of the other years (NaN where there is none). ``first_month``: calendar month of column 0.

    >>> y = np.tile(np.arange(1.0, 13.0), 3)[None, :]        # three years of the same season
    >>> y[0, 14] *= 0.7                                       # a dry March in the second year
    >>> r = seasonal_ratios(y)
    >>> round(float(r[0, 14]), 2), round(float(r[0, 2]), 2)    # that March; the first year's March
    (-0.3, 0.18)
    """
    y = np.asarray(values, dtype=float)
    n, t = y.shape
    months = (first_month + np.arange(t)) % 12
    observed = ~np.isnan(y)
    filled = np.where(observed, y, 0.0)
    out = np.full((n, t), np.nan)
    for m in range(12):
        columns = months == m
        if not columns.any():
            continue
        total = filled[:, columns].sum(axis=1, keepdims=True)
        count = observed[:, columns].sum(axis=1, keepdims=True)
        others = count - observed[:, columns]
        with np.errstate(divide="ignore", invalid="ignore"):
            baseline = (total - filled[:, columns]) / others
            out[:, columns] = np.where((others > 0) & (baseline > 0), y[:, columns] / baseline - 1, np.nan)
    return out


def fit_elasticity(ratio: np.ndarray, anomaly: np.ndarray, min_months: int = MIN_ANOMALY_MONTHS) -> Elasticity:
    """Least squares through the origin of ``ratio`` on ``anomaly`` (same shape; NaN ignored).

    Months without an anomaly count for the residual variance only. Returns the default when fewer
    than ``min_months`` values have an anomaly.
    """
    r, a = np.asarray(ratio, float).ravel(), np.asarray(anomaly, float).ravel()
    ok = np.isfinite(r) & np.isfinite(a)
    r, a = r[ok], a[ok]
    months = int((a != 0).sum())
    if months < min_months or r.size < 3:
        return Elasticity(DEFAULT_ELASTICITY, DEFAULT_ELASTICITY_SD, months, False)
    sxx = float((a * a).sum())
    beta = float((a * r).sum()) / sxx
    sigma2 = float(((r - beta * a) ** 2).sum()) / (r.size - 1)
    return Elasticity(beta, float(np.sqrt(sigma2 / sxx)), months, True)


def climatology(months: np.ndarray, parameters: WeatherRiskParameters | None = None) -> tuple[float, float]:
    """Mean and variance of the average anomaly over the calendar ``months`` (0 = January) under the
    weather model's event probabilities and severities (months independent, at most one event of a
    kind a month)."""
    params = parameters or WeatherRiskParameters()
    months = np.asarray(months, dtype=int)
    if months.size == 0:
        return 0.0, 0.0
    mean, second = np.zeros(12), np.zeros(12)
    for k, kind in enumerate(KINDS):
        if SIGN[kind] == 0:
            continue
        mu = params.severity_mean[k]
        kappa = params.severity_concentration
        spread = 0.0 if np.isinf(kappa) else mu * (1 - mu) / (kappa + 1)
        mean += params.probability[k] * SIGN[kind] * mu
        second += params.probability[k] * (spread + mu * mu)
    variance = second - mean ** 2
    w = 1.0 / months.size
    return float(mean[months].mean()), float((w * w * variance[months]).sum())


def hydro_rest(rest: np.ndarray, hydro_rest_part: np.ndarray, elasticity: Elasticity, scenario: float | None,
               months: np.ndarray, parameters: WeatherRiskParameters | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """Change of the rest of the year's mean and its added variance (both (k,)) under the rainfall
    ``scenario`` (None: climatology) for rows whose rest of the year ``rest`` holds ``hydro_rest_part``
    of hydro output, over the calendar ``months`` still to come."""
    hydro = np.asarray(hydro_rest_part, float)
    mean_a, var_a = climatology(months, parameters)
    shift = 0.0 if scenario is None else float(scenario) - mean_a
    var_avg = var_a if scenario is None else 0.0
    beta, se = elasticity.value, elasticity.se
    change = hydro * beta * shift
    added = hydro ** 2 * (se ** 2 * (shift ** 2 + var_avg) + beta ** 2 * var_avg)
    return np.where(np.isfinite(np.asarray(rest, float)), change, 0.0), added


__all__ = ["DEFAULT_ELASTICITY", "DEFAULT_ELASTICITY_SD", "DRY_YEAR", "MIN_ANOMALY_MONTHS", "Elasticity",
           "climatology", "fit_elasticity", "hydro_rest", "rainfall_anomalies", "seasonal_ratios"]
