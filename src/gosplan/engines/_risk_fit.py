"""Estimating the weather risk parameters from history (method of moments, documented assumptions).

Inputs: yearly provincial grain outputs (``province``, ``year``, ``output``; ``unit`` may stand for
``province``) and, when the store has them, the abnormal-weather events of those years
(``province``, ``period``, ``kind``, ``severity``). Optional history columns ``irrigated_share``,
``drained_share`` and ``cold_protected_share`` give the protection of each province-year.

1. Each province's log output is detrended by least squares on the year; the residual ``e`` is the
   year's relative deviation from trend.
2. With events: the monthly probability of each kind is the share of province-years that recorded
   one, shrunk towards the prior with ``prior_weight`` pseudo province-years (a month with no
   recorded event keeps a little of the prior's risk instead of none). Severities give the Beta
   mean per kind and, with enough events, the concentration. The events' predicted log loss under
   the prior's stage losses, ``x``, is regressed on ``e`` (both detrended the same way): the slope
   scales the stage losses, the residual spread is ``other_sd``. The spatial correlation solves
   ``P(two provinces hit in the same month) = Φ₂(c, c; ρ)`` pooled over kinds and months
   (Gaussian copula, ``c = Φ⁻¹(q)``).
3. Without events, probabilities and their monthly pattern stay the prior's (yearly outputs
   cannot tell a frequent mild risk from a rare severe one); a loss scale and ``other_sd`` are
   matched to the variance and the (negative) third moment of ``e``: weather losses make yield
   deviations skewed, other variation is taken as symmetric.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import integrate, optimize
from scipy.stats import norm

from gosplan.engines._risk_model import KINDS, WeatherRiskParameters, parse_events
from gosplan.errors import Problem, ValidationError

_SHARE_COLUMNS = ("irrigated_share", "drained_share", "cold_protected_share")
_MIN_YEARS = 4
MIN_YEARS = _MIN_YEARS  # years of provincial output a fit needs
_MIN_EVENTS_FOR_CONCENTRATION = 20


def _detrend(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Residuals of ``column`` after a per-province intercept and linear trend in the year."""
    out = np.empty(len(frame))
    for _, rows in frame.groupby("province").indices.items():
        years = frame["year"].to_numpy(dtype=float)[rows]
        design = np.column_stack([np.ones(rows.size), years - years.mean()])
        values = frame[column].to_numpy(dtype=float)[rows]
        coef, *_ = np.linalg.lstsq(design, values, rcond=None)
        out[rows] = values - design @ coef
    return out


def _history(history: pd.DataFrame) -> pd.DataFrame:
    frame = history.rename(columns={"unit": "province"}) if "province" not in history else history.copy()
    problems = [Problem("history", None, c, "required column is missing")
                for c in ("province", "year", "output") if c not in frame.columns]
    if problems:
        raise ValidationError(problems)
    frame["province"] = frame["province"].astype(str)
    frame["output"] = pd.to_numeric(frame["output"], errors="coerce")
    for row in np.flatnonzero(~(frame["output"] > 0).to_numpy()):
        problems.append(Problem("history", int(row) + 2, "output", "output must be a positive number"))
    counts = frame.groupby("province")["year"].nunique()
    for province in counts.index[counts < _MIN_YEARS]:
        problems.append(Problem("history", None, "year",
                                f"province {province!r} has fewer than {_MIN_YEARS} years of output"))
    if frame.duplicated(["province", "year"]).any():
        problems.append(Problem("history", None, "year", "a province has two outputs for one year"))
    if problems:
        raise ValidationError(problems)
    frame = frame.sort_values(["province", "year"]).reset_index(drop=True)
    frame["log_output"] = np.log(frame["output"])
    return frame


def _vulnerability(frame: pd.DataFrame, prior: WeatherRiskParameters) -> np.ndarray:
    """(rows, 3) unprotected share of loss per province-year, from the optional share columns."""
    shares = np.column_stack([frame[c].fillna(0.0).to_numpy(dtype=float) if c in frame else
                              np.zeros(len(frame)) for c in _SHARE_COLUMNS])
    return 1 - shares * np.asarray(prior.protection_effect)


def _events(events: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """The events of the province-years the history covers."""
    observed = frame[["province", "year"]].drop_duplicates()
    return parse_events(events).merge(observed, on=["province", "year"], how="inner")


def _pair_probability(c: float, rho: float) -> float:
    """Φ₂(c, c; ρ) by Plackett's identity: dΦ₂/dρ is the bivariate normal density."""
    def density(r: float) -> float:
        return math.exp(-c * c / (1 + r)) / (2 * math.pi * math.sqrt(1 - r * r))
    return norm.cdf(c) ** 2 + integrate.quad(density, 0.0, rho)[0]


def _spatial_correlation(table: pd.DataFrame, frame: pd.DataFrame, prior: float) -> float:
    cells = []
    years = frame.groupby("year")["province"].apply(set)
    for _, group in table.groupby(["k", "m"]):
        hits = group.groupby("year")["province"].apply(set)
        pairs = together = trials = count = 0
        for year, provinces in years.items():
            n = len(provinces)
            hit = len(hits.get(year, set()) & provinces)
            pairs += n * (n - 1) / 2
            together += hit * (hit - 1) / 2
            trials += n
            count += hit
        if pairs and 0 < count < trials:
            cells.append((norm.ppf(count / trials), together / pairs, pairs))
    if not cells:
        return prior
    weights = np.array([c[2] for c in cells])

    def misfit(rho: float) -> float:
        return float(sum(w * (_pair_probability(c, rho) - p2) ** 2
                         for (c, p2, _), w in zip(cells, weights / weights.sum(), strict=True)))
    return float(optimize.minimize_scalar(misfit, bounds=(0.0, 0.95), method="bounded",
                                          options={"xatol": 1e-3}).x)


def fit_weather_risk(history: pd.DataFrame, events: pd.DataFrame | None = None,
                     prior: WeatherRiskParameters | None = None, prior_weight: float = 20.0
                     ) -> WeatherRiskParameters:
    """Estimate :class:`WeatherRiskParameters` from yearly provincial outputs (and past events).

    See the module text for the method. ``prior`` (default: the documented defaults) supplies
    what the data cannot identify; ``prior_weight`` is its weight in pseudo province-years.
    """
    prior = prior or WeatherRiskParameters()
    frame = _history(history)
    residual = _detrend(frame, "log_output")
    dof = max(len(frame) - 2 * frame["province"].nunique(), 1)
    if events is None or events.empty:
        return _fit_from_outputs(frame, residual, dof, prior)

    table = _events(events, frame)
    province_years = len(frame)
    counts = np.zeros((len(KINDS), 12))
    hit_cells = table.drop_duplicates(["province", "year", "k", "m"])
    np.add.at(counts, (hit_cells["k"].to_numpy(), hit_cells["m"].to_numpy()), 1)
    probability = (counts + prior_weight * prior.probability) / (province_years + prior_weight)

    severity_mean = list(prior.severity_mean)
    for k in range(len(KINDS)):
        values = table.loc[table["k"] == k, "severity"].to_numpy()
        if values.size:
            severity_mean[k] = float(np.clip((values.sum() + 5 * severity_mean[k]) / (values.size + 5),
                                             0.02, 0.98))
    concentration = prior.severity_concentration
    if len(table) >= _MIN_EVENTS_FOR_CONCENTRATION:
        means = np.asarray(severity_mean)[table["k"].to_numpy()]
        variance = float(np.mean((table["severity"].to_numpy() - means) ** 2))
        spread = float(np.mean(means * (1 - means)))
        if variance > 0:
            concentration = float(np.clip(spread / variance - 1, 0.5, 1000.0))

    key = frame.set_index(["province", "year"]).index
    vulnerability = _vulnerability(frame, prior)
    row_of = pd.Series(np.arange(len(frame)), index=key)
    rows = row_of.reindex(pd.MultiIndex.from_frame(table[["province", "year"]])).to_numpy()
    lost = prior.stage_loss[table["k"], table["m"]] * table["severity"].to_numpy()
    lost = lost * vulnerability[rows, table["k"].to_numpy()]
    predicted = np.zeros(len(frame))
    np.add.at(predicted, rows, -np.log1p(-np.minimum(lost, 0.999)))
    frame["x"] = predicted
    x = _detrend(frame, "x")
    scale = float(max(-(residual @ x) / (x @ x), 0.0)) if (x @ x) > 0 else 1.0
    other = residual + scale * x
    other_sd = float(math.sqrt(other @ other / max(dof - 1, 1)))
    rho = _spatial_correlation(table, frame, prior.spatial_correlation)
    return replace(prior, probability=np.clip(probability, 0.0, 1.0),
                   stage_loss=np.clip(prior.stage_loss * scale, 0.0, 1.0),
                   severity_mean=tuple(severity_mean), severity_concentration=concentration,
                   spatial_correlation=rho, other_sd=other_sd)


def _fit_from_outputs(frame: pd.DataFrame, residual: np.ndarray, dof: int,
                      prior: WeatherRiskParameters) -> WeatherRiskParameters:
    """Match variance and third moment of the deviations with the prior's loss pattern scaled."""
    from gosplan.engines.risk import Exposure, WeatherRiskModel  # deferred: risk imports this module

    shares = np.array([frame[c].fillna(0.0).mean() if c in frame else 0.0 for c in _SHARE_COLUMNS])
    exposure = Exposure(("p",), normal_output=[1.0], area=[1.0], protected_share=shares[:, None])
    unit = replace(prior, other_sd=0.0)
    draws = WeatherRiskModel(unit).simulate(exposure, target=0.0, n_scenarios=40_000, seed=20230601).totals
    x = -np.log(np.maximum(draws, 1e-9))
    x_var, x_m3 = float(x.var()), float(np.mean((x - x.mean()) ** 3))
    e = residual * math.sqrt(len(residual) / dof)  # undo the shrinkage of fitted residuals
    e_var, e_m3 = float(np.mean(e ** 2)), float(np.mean((e - e.mean()) ** 3))
    scale = float(np.cbrt(-e_m3 / x_m3)) if e_m3 < 0 and x_m3 > 0 else 0.0
    scale = min(scale, math.sqrt(e_var / x_var)) if x_var > 0 else 0.0
    other_sd = math.sqrt(max(e_var - scale ** 2 * x_var, 0.0))
    return replace(prior, stage_loss=np.clip(prior.stage_loss * scale, 0.0, 1.0), other_sd=other_sd)


def fit_province_risk(history: pd.DataFrame, events: pd.DataFrame, parameters: WeatherRiskParameters,
                      provinces: tuple[str, ...] | list[str], prior_events: float = 2.0
                      ) -> dict[str, np.ndarray]:
    """Per-province multipliers of the event probabilities (``Exposure.risk_multiplier``).

    For each kind, a province's recorded events over the years its history covers are compared
    with what ``parameters`` expect there; the ratio is shrunk towards 1 with ``prior_events``
    pseudo-events, so a province with a short or quiet record keeps roughly the national risk.
    Provinces without history get 1.
    """
    frame = _history(history)
    table = _events(events, frame)
    years = frame.groupby("province")["year"].nunique()
    expected_per_year = parameters.probability.sum(axis=1)  # (3,) events per province-year
    out = {}
    for k, kind in enumerate(KINDS):
        counts = table[table["k"] == k].drop_duplicates(["province", "year", "m"]).groupby("province").size()
        ratios = []
        for province in provinces:
            expected = expected_per_year[k] * years.get(province, 0)
            seen = counts.get(province, 0)
            ratios.append((seen + prior_events) / (expected + prior_events) if expected > 0 else 1.0)
        out[kind] = np.asarray(ratios)
    return out
