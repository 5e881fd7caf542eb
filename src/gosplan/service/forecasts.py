"""The year-end outlook: one distribution per (indicator, unit), used by every view.

``forecast`` starts from the model forecast of :mod:`gosplan.service._forecast_model` (exponential
smoothing on each unit's monthly series). For the indicators exposed to the weather (grain) the
months still to come are then conditioned on the weather scenarios of :mod:`gosplan.service.risk`
(:func:`gosplan.engines.forecast.weather.weather_outlook`): the observed weather of the months past
and random weather for the rest. Every indicator's totals are then reconciled over the unit
hierarchy (:func:`coherent_rows`), so the enterprises add up to their province and the provinces
to the country, and hydro stations' output follows the rain (:func:`rainfall_rows`). So ``gosplan
forecast``, ``gosplan risk``, the web overview and the review all print the same expected total and
P(attain). Alerts live in :mod:`gosplan.service.alerts`.

>>> from gosplan.service import Service
>>> service = Service.open("sqlite://"); _ = service.load_demo()       # doctest: +SKIP
>>> national_outlook(service, "2023-06").set_index("indicator").loc["coal", "p_attain"] > 0.8  # doctest: +SKIP
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gosplan.engines.forecast.annual import total_distribution
from gosplan.engines.forecast.coherent import MIN_RESIDUALS, coherent_totals, rescaled_scenarios
from gosplan.engines.forecast.hydro import (
    Elasticity,
    fit_elasticity,
    hydro_rest,
    rainfall_anomalies,
    seasonal_ratios,
)
from gosplan.engines.forecast.weather import scenario_summary, weather_outlook
from gosplan.engines.risk import Measure, rank_measures
from gosplan.errors import NotFound
from gosplan.model import Period
from gosplan.runner import Runner
from gosplan.service._forecast_model import (
    MODEL_COLUMNS,
    attainment_of,
    forecast_indicators,
    model_details,
    monthly_history,
)
from gosplan.service.actions import finding
from gosplan.service.risk import GRAIN_INDICATOR, WeatherRisk, province_of_units, weather_risk

FORECAST_COLUMNS = [*MODEL_COLUMNS[:-1], "expected_fulfilment", "shortfall", "required_monthly_rate",
                    "rate_to_date", "outlook", "series_id", "reconciliation"]
OUTLOOK_COLUMNS = ["indicator", "expected_total", "p_attain", "lower_80", "upper_80", "indicator_name", "uom",
                   "target", "lower_99", "upper_99", "direction", "outlook"]
DEFAULT_THRESHOLD = 0.5
# How the year-end totals are reconciled: WLS on each unit's year-end variance. MinT with the shrunk
# covariance of the models' one-step residuals ("auto") scored worse than the unreconciled forecasts
# on both hierarchical backtests (bench/forecast_hierarchy.py), WLS no worse (docs/benchmarks.md).
RECONCILIATION = "wls"
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


def _model_rows(service, p: Period, indicator: str, runner: Runner) -> tuple[pd.DataFrame, pd.DataFrame]:
    table, residuals = model_details(service, p, runner=runner)
    if not table["indicator"].eq(indicator).any():
        try:
            table, residuals = model_details(service, p, indicators=[indicator], runner=runner)
        except NotFound:
            return table.iloc[0:0], residuals
    return table[table["indicator"].eq(indicator)].reset_index(drop=True), residuals


def coherent_rows(service, rows: pd.DataFrame, residuals: pd.DataFrame, scenarios: np.ndarray | None = None,
                  min_residuals: int = MIN_RESIDUALS, method: str = RECONCILIATION
                  ) -> tuple[pd.DataFrame, np.ndarray | None]:
    """The rows of one indicator with their distributions reconciled over the unit hierarchy.

    The expected totals are reconciled (:func:`gosplan.engines.forecast.coherent.coherent_totals`;
    ``method``: :data:`RECONCILIATION`, WLS, or ``"auto"``: MinT with the shrunk covariance of the
    model's residuals, WLS when there are fewer than ``min_residuals`` months of them), so that
    every aggregate is the sum of the units below it; each row keeps its own spread around the
    reconciled mean (why: :mod:`gosplan.engines.forecast.coherent`). Model rows keep the model's
    distribution family (log-normal or Student-t rest of the year,
    :func:`gosplan.engines.forecast.annual.total_distribution`); rows with weather
    ``scenarios`` (k, n) keep the scenarios' shape, moved and scaled (returned, or None).
    """
    rows = rows.reset_index(drop=True).copy()
    if rows.empty:
        return rows, scenarios
    mean = rows["expected_total"].to_numpy(float)
    variance = scenarios.var(axis=1) if scenarios is not None else rows["sd_rest"].to_numpy(float) ** 2
    errors = residuals.reindex(rows["series_id"]).to_numpy(float).T if len(residuals) else None
    out = coherent_totals(rows["unit"].tolist(), service.hierarchy().parent, mean, variance, errors, min_residuals,
                          method)
    new_mean, new_sd = out["mean"].to_numpy(float), out["sd"].to_numpy(float)
    ok = np.isfinite(new_mean)
    targets = rows["target"].to_numpy(float)
    lower_better = rows["direction"].eq("lower").to_numpy()
    if scenarios is not None:
        scenarios = np.where(ok[:, None], rescaled_scenarios(scenarios, np.where(ok, new_mean, mean),
                                                             np.where(ok, new_sd, 0.0)), scenarios)
        shape = scenario_summary(scenarios, targets, lower_better)
        for column in DISTRIBUTION:
            rows[column] = np.where(ok, shape[column], rows[column].to_numpy(float))
    # What was produced adds up (the fact table's), so does the expected total; the model's fill of the
    # months not reported is taken from the units that report, so the rest of the year adds up too.
    imputed = _bottom_up(service, rows, "imputed")
    rows["imputed"] = np.where(ok, imputed, rows["imputed"].to_numpy(float))
    rest = np.where(ok, new_mean - rows["actual_to_date"].to_numpy(float) - imputed,
                    rows["expected_rest"].to_numpy(float))
    rows["expected_rest"] = rest
    if scenarios is None:
        rows["expected_total"] = np.where(ok, new_mean, mean)
        rows["sd_rest"] = np.where(ok, new_sd, rows["sd_rest"].to_numpy(float))
        rows = _reshaped(rows, ok)
    rows["reconciliation"] = out["method"].to_numpy()
    return rows, scenarios


def _bottom_up(service, rows: pd.DataFrame, column: str) -> np.ndarray:
    """Each row's ``column`` as the sum over the rows of the units at the bottom of its subtree."""
    units = rows["unit"].tolist()
    present = set(units)
    parent = service.hierarchy().parent
    value = rows[column].astype(float).fillna(0.0).to_numpy()
    has_child = set()
    ancestors = []
    for unit in units:
        chain, up = [], parent.get(unit)
        while up is not None:
            if up in present:
                chain.append(up)
                has_child.add(up)
            up = parent.get(up)
        ancestors.append(chain)
    index = {unit: i for i, unit in enumerate(units)}
    out = np.zeros(len(units))
    for i, unit in enumerate(units):
        if unit not in has_child:
            out[i] += value[i]
            for up in ancestors[i]:
                out[index[up]] += value[i]
    return out


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
    rows, residuals = _model_rows(service, p, GRAIN_INDICATOR, runner)
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
    rows, scenarios = coherent_rows(service, rows, residuals, combined["totals"])
    root = service.root()
    at_root = np.flatnonzero(rows["unit"].eq(root).to_numpy())
    if len(at_root):
        i = int(at_root[0])
        totals, target = scenarios[i], float(rows["target"].iloc[i])
    else:  # no national target: the provinces' sum
        provincial = rows["unit_kind"].eq("province").to_numpy()
        totals = scenarios[provincial].sum(axis=0)
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
             runner: Runner | None = None, rainfall: float | None = None) -> pd.DataFrame:
    """Year-end outlook of every (indicator, unit) with an annual target, in ``unit``'s subtree.

    Columns :data:`FORECAST_COLUMNS`: expected total, 80/95/99 % intervals, ``p_attain``
    (P(total >= target), or P(total <= target) where lower is better), ``imputed`` (the model's
    fill of months missing before the last report, part of the expected total, not of
    ``actual_to_date``), the required monthly rate against the rate so far, ``expected_fulfilment``
    and ``shortfall`` (how far the expected total falls short of the target, 0 when it does not).
    ``outlook`` says what the distribution is: ``forecast``, or ``forecast × weather`` where the
    weather scenarios condition the months to come. ``reconciliation`` says how the unit's figures were
    made to add up over the hierarchy (``mint_shrink``, ``wls``, ``none`` for a unit alone): every
    aggregate's expected total is the sum of those of the units below it (:func:`coherent_rows`).
    Hydro stations' output (and the hydro part of the units above them) follows the rain
    (:func:`rainfall_rows`): ``rainfall`` is the precipitation anomaly of every month still to come
    (-0.5: half the normal rain, :data:`gosplan.engines.forecast.hydro.DRY_YEAR`), None the climate's
    average; those rows' ``outlook`` is ``forecast × rainfall``.
    """
    p = _as_of(as_of)
    codes = forecast_indicators(service, indicators)
    key = ("forecast", str(p), tuple(codes), rainfall)
    table = service._cached(key, lambda: _outlook_all(service, p, codes, runner or service.runner, rainfall))
    if unit is not None:
        if unit not in service.hierarchy().parent:
            from gosplan.i18n import _

            raise NotFound(_("unknown unit {code}", code=repr(unit)))
        table = table[table["unit"].isin(set(service.hierarchy().subtree(unit)))]
    return table.reset_index(drop=True)


def _outlook_all(service, p: Period, codes: list[str], runner: Runner, rainfall: float | None = None
                 ) -> pd.DataFrame:
    table, residuals = model_details(service, p, indicators=codes, runner=runner)
    table = table.copy()
    table["outlook"] = "forecast"
    if table.empty:
        return pd.DataFrame(columns=FORECAST_COLUMNS)
    parts = []
    for indicator, rows in table.groupby("indicator", sort=False):
        outlook = grain_outlook(service, p, runner=runner) if indicator in WEATHER_INDICATORS else None
        if outlook is not None:  # conditioned on the weather and reconciled there
            rows = outlook.rows
        else:
            rows, _ = coherent_rows(service, rows, residuals)
            # After reconciling: the rain's change is coherent itself (the stations' sums), so thermal
            # stations keep their figures whatever the scenario.
            rows = rainfall_rows(service, p, rows, residuals, rainfall)
        parts.append(rows)
    return _derived(pd.concat(parts, ignore_index=True), p)


def _reshaped(rows: pd.DataFrame, ok: np.ndarray) -> pd.DataFrame:
    """The model rows' intervals and P(attain) from their expected total, expected rest and its spread
    (``sd_rest``), in the model's distribution family; ``ok`` marks the rows to redo."""
    total = rows["expected_total"].to_numpy(float)
    known = total - rows["expected_rest"].to_numpy(float)
    shape = total_distribution(known, total - known, rows["sd_rest"].to_numpy(float) ** 2, rows["log"].to_numpy(bool),
                               rows["dof"].to_numpy(float), rows["nonnegative"].to_numpy(bool),
                               rows["target"].to_numpy(float))
    shape["p_attain"] = np.where(rows["direction"].eq("lower").to_numpy(), 1 - shape["p_attain"], shape["p_attain"])
    for column in DISTRIBUTION[1:]:
        rows[column] = np.where(ok, shape[column], rows[column].to_numpy(float))
    return rows


def hydro_stations(service) -> set[str]:
    """Units whose ``technology`` grouping is ``hydro``."""
    def load() -> frozenset[str]:
        groups = service.store.unit_groups("technology")
        return frozenset(groups.loc[groups["group_code"].eq("hydro"), "unit"]) if len(groups) else frozenset()
    return set(service._cached(("hydro_stations",), load))


def hydro_elasticity(service, p: Period, rows: pd.DataFrame, residuals: pd.DataFrame) -> Elasticity | None:
    """The elasticity of the hydro stations' output among ``rows`` (one indicator) to their province's
    rainfall anomaly, from the months up to ``p`` (:func:`gosplan.engines.forecast.hydro.fit_elasticity`);
    None without hydro stations."""
    stations = sorted(hydro_stations(service) & set(rows["unit"]))
    if not stations:
        return None
    indicator = str(rows["indicator"].iloc[0])
    key = ("hydro_elasticity", str(p), indicator, tuple(stations))
    return service._cached(key, lambda: _elasticity(service, p, indicator, rows, stations))


def _elasticity(service, p: Period, indicator: str, rows: pd.DataFrame, stations: list[str]) -> Elasticity:
    history = monthly_history(service, p, [indicator], units=stations)
    history = history.assign(month=[Period.parse(x).ordinal for x in history["period"]])
    values = history.pivot_table(index="series_id", columns="month", values="value", aggfunc="last")
    first, last = int(values.columns.min()), int(values.columns.max())
    values = values.reindex(columns=range(first, last + 1))
    ratio = seasonal_ratios(values.to_numpy(float), first % 12)
    anomalies = rainfall_anomalies(service.store.weather_events())
    province = province_of_units(service, stations)
    unit_of = {series_id: series_id.split("|", 1)[1] for series_id in values.index}
    lookup = {(a.province, Period.parse(a.period).ordinal): a.anomaly for a in anomalies.itertuples()}
    anomaly = np.array([[lookup.get((province.get(unit_of[s]), m), 0.0) for m in values.columns]
                        for s in values.index])
    return fit_elasticity(ratio, np.where(np.isfinite(ratio), anomaly, np.nan))


def rainfall_rows(service, p: Period, rows: pd.DataFrame, residuals: pd.DataFrame,
                  rainfall: float | None) -> pd.DataFrame:
    """``rows`` (one indicator) with the hydro part of each unit's rest of the year conditioned on the
    rain (:func:`gosplan.engines.forecast.hydro.hydro_rest`): the mean moves under a ``rainfall``
    scenario, the spread widens by the elasticity's uncertainty and the weather still to come."""
    elasticity = hydro_elasticity(service, p, rows, residuals)
    if elasticity is None:
        return rows
    stations = hydro_stations(service)
    rest = rows.set_index("unit")["expected_rest"].astype(float)
    station_rest = rest[rest.index.isin(stations)].fillna(0.0)
    hierarchy = service.hierarchy()
    part = np.array([station_rest[station_rest.index.isin(set(hierarchy.subtree(u)))].sum() for u in rows["unit"]])
    months = np.arange(p.index, 12)
    change, added = hydro_rest(rows["expected_rest"].to_numpy(float), part, elasticity, rainfall, months)
    rows = rows.copy()
    rows["expected_total"] = rows["expected_total"].to_numpy(float) + change
    rows["expected_rest"] = rows["expected_rest"].to_numpy(float) + change
    rows["sd_rest"] = np.sqrt(rows["sd_rest"].to_numpy(float) ** 2 + added)
    rows["outlook"] = np.where(part > 0, "forecast × rainfall", rows["outlook"])
    return _reshaped(rows, part > 0)


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
