"""The year-end outlook: one distribution per (indicator, unit), used by every view.

``forecast`` starts from the model forecast of :mod:`gosplan.service._forecast_model` (exponential
smoothing on each unit's monthly series). For the indicators exposed to the weather (grain) the
months still to come are then conditioned on the weather scenarios of :mod:`gosplan.service.risk`
(:func:`gosplan.engines.forecast.weather.weather_outlook`): the observed weather of the months past
and random weather for the rest. So ``gosplan forecast``, ``gosplan risk``, the web overview and the
review all print the same expected total and P(attain). Alerts live in :mod:`gosplan.service.alerts`.

>>> from gosplan.service import Service
>>> service = Service.open("sqlite://"); _ = service.load_demo()       # doctest: +SKIP
>>> national_outlook(service, "2023-06").set_index("indicator").loc["coal", "p_attain"] > 0.8  # doctest: +SKIP
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gosplan.engines.forecast.weather import weather_outlook
from gosplan.engines.risk import Measure, rank_measures
from gosplan.errors import NotFound
from gosplan.model import Period
from gosplan.runner import Runner
from gosplan.service._forecast_model import (
    MODEL_COLUMNS,
    attainment_of,
    forecast_indicators,
    model_forecast,
    monthly_history,
)
from gosplan.service.actions import finding
from gosplan.service.risk import GRAIN_INDICATOR, WeatherRisk, province_of_units, weather_risk

FORECAST_COLUMNS = [*MODEL_COLUMNS[:-1], "expected_fulfilment", "shortfall", "required_monthly_rate",
                    "rate_to_date", "outlook", "series_id"]
OUTLOOK_COLUMNS = ["indicator", "expected_total", "p_attain", "lower_80", "upper_80", "indicator_name", "uom",
                   "target", "lower_99", "upper_99", "direction", "outlook"]
DEFAULT_THRESHOLD = 0.5
WEATHER_SCENARIOS = 20_000
WEATHER_INDICATORS = (GRAIN_INDICATOR,)
DISTRIBUTION = ("expected_total", "lower_80", "upper_80", "lower_95", "upper_95", "lower_99", "upper_99",
                "p_attain")


def _as_of(as_of: str | Period) -> Period:
    return Period.parse(as_of).last_month()


@dataclass
class GrainOutlook:
    """The grain outlook (forecast conditioned on weather) with what ``gosplan risk`` shows of it.

    ``rows`` are the grain rows of :func:`forecast`; ``totals`` the national total in each scenario;
    ``measures`` the candidate measures ranked on these totals; ``provinces`` per province: normal
    output, the outlook's expected total and P(attain), the weather's expected loss and the loss to
    the weather observed so far; ``weather`` the simulation it was built from.
    """

    rows: pd.DataFrame
    totals: np.ndarray
    target: float
    measures: pd.DataFrame
    provinces: pd.DataFrame
    weather: WeatherRisk

    def summary(self) -> dict[str, float]:
        """Headline numbers of the national grain outlook."""
        totals = self.totals
        q05, q50, q95 = np.quantile(totals, [0.05, 0.5, 0.95])
        short = np.maximum(self.target - totals, 0.0)
        return {"target": self.target, "normal_total": float(self.weather.result.normal_total),
                "expected_total": float(totals.mean()), "p_target_met": float(np.mean(totals >= self.target)),
                "expected_shortfall": float(short.mean()), "q05": float(q05), "q50": float(q50),
                "q95": float(q95), "lower_99": float(np.quantile(totals, 0.005)),
                "upper_99": float(np.quantile(totals, 0.995)), "n_scenarios": int(totals.size)}


def grain_outlook(service, as_of: str | Period, measures: list[Measure] | None = None,
                  n_scenarios: int = WEATHER_SCENARIOS, seed: int = 0, runner: Runner | None = None
                  ) -> GrainOutlook | None:
    """The grain forecast conditioned on the weather scenarios; ``None`` without farms or history."""
    p = _as_of(as_of)
    key = ("grain_outlook", str(p), tuple(measures) if measures is not None else None, n_scenarios, seed)
    return service._cached(key, lambda: _grain_outlook(service, p, measures, n_scenarios, seed,
                                                       runner or service.runner))


def _model_rows(service, p: Period, indicator: str, runner: Runner) -> pd.DataFrame:
    table = model_forecast(service, p, runner=runner)
    if not table["indicator"].eq(indicator).any():
        try:
            table = model_forecast(service, p, indicators=[indicator], runner=runner)
        except NotFound:
            return table.iloc[0:0]
    return table[table["indicator"].eq(indicator)].reset_index(drop=True)


def _weights(service, units: list[str], risk: WeatherRisk) -> np.ndarray:
    """(k, P): the share of each unit's rest of year grown in each province of the weather model."""
    provinces = list(risk.exposure.provinces)
    province_of = province_of_units(service, units)
    hierarchy = service.hierarchy()
    normal = risk.result.normal_by_province
    weights = np.zeros((len(units), len(provinces)))
    for i, unit in enumerate(units):
        if unit in province_of:
            if province_of[unit] in provinces:
                weights[i, provinces.index(province_of[unit])] = 1.0
            continue
        inside = [j for j, prov in enumerate(provinces) if prov in set(hierarchy.subtree(unit))]
        if inside:  # above the provinces: their normal-weather output shares
            weights[i, inside] = normal[inside] / normal[inside].sum()
    return weights


def _grain_outlook(service, p: Period, measures, n_scenarios, seed, runner) -> GrainOutlook | None:
    rows = _model_rows(service, p, GRAIN_INDICATOR, runner)
    if rows.empty:
        return None
    try:
        risk = weather_risk(service, p.year, as_of=p, measures=measures, n_scenarios=n_scenarios, seed=seed,
                            runner=runner)
    except NotFound:
        return None
    result = risk.result
    factors = result.factors()
    weights = _weights(service, rows["unit"].tolist(), risk)
    rest = rows["expected_rest"].fillna(0.0).to_numpy(float)
    known = (rows["expected_total"] - rows["expected_rest"]).to_numpy(float)
    usable = np.isfinite(known)
    known = np.where(usable, known, rows["actual_to_date"].to_numpy(float))
    combined = weather_outlook(known, rest, weights, factors, rows["target"].to_numpy(float),
                               rows["direction"].eq("lower").to_numpy())
    rows = rows.copy()
    for column in DISTRIBUTION:
        rows[column] = np.where(usable, combined[column], rows[column].to_numpy(float))
    rows["outlook"] = np.where(usable & (weights.sum(axis=1) > 0), "forecast × weather", "forecast")
    root = service.root()
    at_root = np.flatnonzero(rows["unit"].eq(root).to_numpy())
    if len(at_root):
        i = int(at_root[0])
        totals, target = combined["totals"][i], float(rows["target"].iloc[i])
    else:  # no national target: the provinces' sum
        provincial = rows["unit_kind"].eq("province").to_numpy()
        totals = combined["totals"][provincial].sum(axis=0)
        target = float(rows.loc[provincial, "target"].sum())
        i = None
    chosen = risk.measures
    if len(chosen) and i is not None:
        where = result.measure_province
        change = rest[i] * weights[i, where][:, None] * (result.measure_factors() - factors[:, where].T)
        ranking = rank_measures(chosen, totals, totals[None, :] + change, target)
    else:
        ranking = result.measures
    return GrainOutlook(rows, totals, target, ranking, _by_province(risk, rows), risk)


def _by_province(risk: WeatherRisk, rows: pd.DataFrame) -> pd.DataFrame:
    frame = risk.result.by_province()
    frame.insert(1, "province_name", frame["province"].map(risk.province_names))
    observed = risk.observed_losses.set_index("province")["loss"] if len(risk.observed_losses) else pd.Series()
    frame["observed_loss"] = frame["province"].map(observed).fillna(0.0).astype(float)
    frame = frame.rename(columns={"expected_output": "weather_expected_output", "expected_loss": "weather_loss",
                                  "loss_share": "weather_loss_share"})
    mine = rows.set_index("unit")
    for column in ("target", "expected_total", "p_attain", "lower_80", "upper_80", "lower_99", "upper_99"):
        frame[column] = frame["province"].map(mine[column]).astype(float)
    return frame


def forecast(service, as_of: str | Period, unit: str | None = None, indicators: list[str] | None = None,
             runner: Runner | None = None) -> pd.DataFrame:
    """Year-end outlook of every (indicator, unit) with an annual target, in ``unit``'s subtree.

    Columns :data:`FORECAST_COLUMNS`: expected total, 80/95/99 % intervals, ``p_attain``
    (P(total >= target), or P(total <= target) where lower is better), ``imputed`` (the model's
    fill of months missing before the last report, part of the expected total, not of
    ``actual_to_date``), the required monthly rate against the rate so far, ``expected_fulfilment``
    and ``shortfall`` (how far the expected total falls short of the target, 0 when it does not).
    ``outlook`` says what the distribution is: ``forecast``, or ``forecast × weather`` where the
    weather scenarios condition the months to come.
    """
    p = _as_of(as_of)
    codes = forecast_indicators(service, indicators)
    key = ("forecast", str(p), tuple(codes))
    table = service._cached(key, lambda: _outlook_all(service, p, codes, runner or service.runner))
    if unit is not None:
        if unit not in service.hierarchy().parent:
            from gosplan.i18n import _

            raise NotFound(_("unknown unit {code}", code=repr(unit)))
        table = table[table["unit"].isin(set(service.hierarchy().subtree(unit)))]
    return table.reset_index(drop=True)


def _outlook_all(service, p: Period, codes: list[str], runner: Runner) -> pd.DataFrame:
    table = model_forecast(service, p, indicators=codes, runner=runner).copy()
    table["outlook"] = "forecast"
    if table.empty:
        return pd.DataFrame(columns=FORECAST_COLUMNS)
    for indicator in WEATHER_INDICATORS:
        if indicator not in set(table["indicator"]):
            continue
        outlook = grain_outlook(service, p, runner=runner)
        if outlook is None:
            continue
        fixed = outlook.rows.set_index("unit")
        mask = table["indicator"].eq(indicator)
        for column in (*DISTRIBUTION, "outlook"):
            table.loc[mask, column] = table.loc[mask, "unit"].map(fixed[column]).to_numpy()
    return _derived(table, p)


def _derived(table: pd.DataFrame, p: Period) -> pd.DataFrame:
    """Fulfilment and shortfall from the distribution; the monthly rates from the fact table."""
    out = table.copy()
    lower_better = out["direction"].eq("lower").to_numpy()
    out["expected_fulfilment"] = out["expected_total"] / out["target"]
    gap = np.where(lower_better, out["expected_total"] - out["target"], out["target"] - out["expected_total"])
    out["shortfall"] = np.clip(gap.astype(float), 0, None)
    # The rest of the year is the fact table's: rest_needed = annual target - produced, its flat rate.
    left = out["months_remaining"].to_numpy(float)
    out["required_monthly_rate"] = np.where(left > 0, out["required_rate"].to_numpy(float), np.nan)
    out["rate_to_date"] = out["actual_to_date"] / p.index
    return out[FORECAST_COLUMNS].reset_index(drop=True)


def national_outlook(service, as_of: str | Period) -> pd.DataFrame:
    """Expected year-end total and P(attain) of each key indicator at the top of the hierarchy.

    ``DataFrame[indicator, expected_total, p_attain, lower_80, upper_80, indicator_name, uom, target,
    lower_99, upper_99, direction, outlook]`` (the web overview cards).
    """
    table = forecast(service, as_of)
    return table[table["unit"].eq(service.root())][OUTLOOK_COLUMNS].reset_index(drop=True)


@finding("targets_at_risk")
def targets_at_risk(service, period: str, threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame | None:
    """Targets of enterprises (leaf units) whose P(attain) is below ``threshold``, largest shortfall first."""
    try:
        table = forecast(service, _as_of(period))
    except NotFound:
        return None
    if table.empty:
        return None
    leaves = table[table["unit"].map(service.hierarchy().is_leaf) & table["p_attain"].lt(threshold)]
    return leaves.sort_values("shortfall", ascending=False).reset_index(drop=True)


def probabilities(service, as_of: str | Period) -> dict[str, float]:
    """``{indicator: P(national annual target met)}`` (the review's summary sentences)."""
    outlook = national_outlook(service, as_of)
    return {str(i): float(v) for i, v in zip(outlook["indicator"], outlook["p_attain"], strict=True) if v == v}


__all__ = ["FORECAST_COLUMNS", "OUTLOOK_COLUMNS", "GrainOutlook", "attainment_of", "forecast", "forecast_indicators",
           "grain_outlook", "monthly_history", "national_outlook", "probabilities", "targets_at_risk"]
