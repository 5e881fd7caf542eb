"""The model part of the year-end forecast: exponential smoothing on every unit's monthly series.

:func:`model_forecast` runs :func:`gosplan.forecast.attainment` on each (indicator, unit) that has
an annual target: enterprises on their own monthly reports, provinces, counties and the country on
the sum of the monthly reports of the enterprises below them (only indicators whose
``time_aggregation`` is ``sum``: a year's total of a mean or a stock is not a target the model
forecasts). The outlook users see (:func:`gosplan.service.forecasts.forecast`) conditions the
weather-exposed indicators of this forecast on the weather scenarios.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gosplan.engines.forecast.annual import AttainmentDetails, attainment_details
from gosplan.errors import NotFound
from gosplan.forecast import series_id
from gosplan.model import Period
from gosplan.runner import Runner

FACT_COLUMNS = ["rest_needed", "rest_path", "rest_vs_path", "annual_done", "required_rate", "seasonal"]
MODEL_COLUMNS = ["indicator", "indicator_name", "uom", "direction", "unit", "unit_name", "unit_kind", "depth",
                 "year", "target", "actual_to_date", "imputed", "expected_rest", "expected_total",
                 "lower_80", "upper_80", "lower_95", "upper_95", "lower_99", "upper_99", "p_attain",
                 "months_reported", "months_remaining", "method", *FACT_COLUMNS, "series_id"]
# The shape of each row's distribution (:func:`gosplan.engines.forecast.annual.total_distribution`), kept
# beside MODEL_COLUMNS so that the outlook can move its mean and spread (reconciliation, hydro).
SHAPE_COLUMNS = ["sd_rest", "dof", "log", "nonnegative"]
HISTORY_YEARS = 4  # the engine uses at most 60 months; the current year plus four before covers that


def _as_of(as_of: str | Period) -> Period:
    return Period.parse(as_of).last_month()


def forecast_indicators(service, indicators: list[str] | None = None) -> list[str]:
    """The indicators forecast: the given ones, else the key ones; always only ``sum`` indicators."""
    table = service.indicators()
    summed = table[table["time_aggregation"].eq("sum")]
    if indicators:
        unknown = sorted(set(indicators) - set(table["code"]))
        if unknown:
            from gosplan.i18n import _

            raise NotFound(_("unknown indicator {code}", code=repr(unknown[0])))
        return [c for c in indicators if c in set(summed["code"])]
    return summed.loc[summed["key"].astype(bool), "code"].tolist()


def monthly_history(service, as_of: str | Period, indicators: list[str], units: list[str] | None = None,
                    complete_only: bool = True) -> pd.DataFrame:
    """``series_id, period, value``: each unit's monthly total, the leaves' reports summed over its subtree.

    A month of the current year is left out for an aggregate when one of the enterprises below it that
    report this year has not reported it (the forecast then fills it with the model's expectation);
    ``complete_only=False`` keeps the sum of what was reported.
    """
    p = _as_of(as_of)
    hierarchy = service.hierarchy()
    leaves = [c for c in hierarchy.codes if hierarchy.is_leaf(c)]
    reports = service.store.reports(indicators=indicators, units=leaves,
                                    first=f"{p.year - HISTORY_YEARS}-01", last=str(p))
    if reports.empty:
        return pd.DataFrame(columns=["series_id", "period", "value"])
    closure = hierarchy.closure(sorted(set(reports["unit"])))
    if units is not None:
        closure = closure[closure["ancestor"].isin(units)]
    rolled = reports[["indicator", "unit", "period", "value"]].merge(closure, on="unit")
    monthly = rolled.groupby(["indicator", "ancestor", "period"], sort=False)["value"].agg(["sum", "count"])
    # A month of this year that some enterprise reporting this year has not reported is unknown for
    # the aggregate, not smaller: the engine fills it with its expectation instead of seeing a drop.
    this_year = rolled[rolled["period"].str.startswith(f"{p.year}-")]
    reporting = this_year.groupby(["indicator", "ancestor"])["unit"].nunique().rename("reporting")
    monthly = monthly.reset_index().join(reporting, on=["indicator", "ancestor"])
    incomplete = monthly["period"].str.startswith(f"{p.year}-") & monthly["count"].lt(monthly["reporting"])
    incomplete &= complete_only
    monthly["value"] = monthly["sum"].mask(incomplete)
    monthly = monthly[monthly["value"].notna()]
    ids = monthly["indicator"].astype(str) + "|" + monthly["ancestor"].astype(str)
    return pd.DataFrame({"series_id": ids, "period": monthly["period"], "value": monthly["value"]})


def _annual_targets(service, p: Period, indicators: list[str]) -> pd.DataFrame:
    table = service.fulfilment(str(p))
    rows = table[table["indicator"].isin(indicators) & table["annual_target"].notna() & table["annual_target"].gt(0)]
    return rows


def model_forecast(service, as_of: str | Period, indicators: list[str] | None = None,
                   runner: Runner | None = None) -> pd.DataFrame:
    """The model's year-end outlook of every (indicator, unit) with an annual target (average weather).

    Columns :data:`MODEL_COLUMNS` and :data:`SHAPE_COLUMNS`; ``actual_to_date`` and the rest-of-year columns
    (:data:`FACT_COLUMNS`) are the fact table's (:meth:`Service.facts`), ``imputed`` the model's fill
    of the months up to ``as_of`` that were not reported; ``p_attain`` is P(total >= target), or
    P(total <= target) where lower is better. Cached per (month, indicators).
    """
    return model_details(service, as_of, indicators, runner)[0]


def model_details(service, as_of: str | Period, indicators: list[str] | None = None,
                  runner: Runner | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`model_forecast` and the model's one-step residuals on the data's scale (one row per
    ``series_id``, one column per month ordinal), which reconciliation estimates its covariance from."""
    p = _as_of(as_of)
    codes = forecast_indicators(service, indicators)
    key = ("model_forecast", str(p), tuple(codes))
    return service._cached(key, lambda: _forecast_all(service, p, codes, runner or service.runner))


def attainment_of(service, as_of: str | Period, targets: pd.DataFrame, runner: Runner | None = None) -> pd.DataFrame:
    """The forecast engine on any annual targets (``targets[indicator, unit, year, target]``) from the
    units' monthly history up to ``as_of``: the engine's columns (:func:`gosplan.forecast.attainment`)
    in the order of ``targets``, with ``p_attain`` the probability of meeting the target (P(total <=
    target) where lower is better). The year-end outlook and a draft's P(attain) both come from here;
    a target of a later year is forecast over every month from ``as_of`` to its year's end.
    """
    return _details_of(service, as_of, targets, runner, residuals=False).frame


def _details_of(service, as_of: str | Period, targets: pd.DataFrame, runner: Runner | None,
                residuals: bool) -> AttainmentDetails:
    p = _as_of(as_of)
    codes = sorted(set(targets["indicator"]))
    ids = [series_id(i, u) for i, u in zip(targets["indicator"], targets["unit"], strict=True)]
    frame = pd.DataFrame({"series_id": ids, "year": targets["year"].to_numpy(int),
                          "target": targets["target"].to_numpy(float)})
    history = monthly_history(service, p, codes, units=sorted(set(targets["unit"])))
    details = attainment_details(history, frame, as_of=p, runner=runner or service.runner, residuals=residuals)
    result = details.frame
    direction = targets["indicator"].map(service.indicators().set_index("code")["direction"]).fillna("higher")
    lower_better = direction.eq("lower").to_numpy()
    result["p_attain"] = np.where(lower_better, 1 - result["p_attain"], result["p_attain"])
    return details


def _forecast_all(service, p: Period, codes: list[str], runner: Runner) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = _annual_targets(service, p, codes)
    if rows.empty:
        return pd.DataFrame(columns=[*MODEL_COLUMNS, *SHAPE_COLUMNS]), pd.DataFrame()
    ids = [series_id(i, u) for i, u in zip(rows["indicator"], rows["unit"], strict=True)]
    details = _details_of(service, p, rows.assign(year=p.year, target=rows["annual_target"]), runner, residuals=True)
    result = details.frame.join(details.shape)
    # Produced to date is the fact table's (every current report, never model-filled), also where a
    # month left out above is filled by the model: that fill is ``imputed``, shown under its own label.
    info = rows.assign(series_id=ids).set_index("series_id")
    actual = result["series_id"].map(info["produced"]).fillna(0.0).to_numpy(float)
    # For an aggregate the engine saw only its complete months and filled the others: what it expects
    # up to as_of beyond what was reported is the model's fill of the missing parts.
    known = (result["expected_total"] - result["expected_rest"]).to_numpy(float)
    fill = np.maximum(known - actual, 0.0)
    fill = np.where(fill > 1e-9 * np.abs(known), fill, 0.0)  # rounding, not a month
    result["imputed"] = np.where(np.isfinite(known), fill, np.nan)
    result["actual_to_date"] = actual
    out = result.join(info[["indicator", "indicator_name", "uom", "unit", "unit_name", "unit_kind", "depth",
                            "months_reported", *FACT_COLUMNS]], on="series_id")
    out["direction"] = out["indicator"].map(service.indicators().set_index("code")["direction"]).fillna(
        "higher").to_numpy()
    out = out.sort_values(["indicator", "depth", "unit"], kind="stable")
    return out[[*MODEL_COLUMNS, *SHAPE_COLUMNS]].reset_index(drop=True), details.residuals


__all__ = ["MODEL_COLUMNS", "SHAPE_COLUMNS", "attainment_of", "forecast_indicators", "model_details", "model_forecast",
           "monthly_history"]
