"""Year-end forecasts and P(attain) for every unit level, alerts that escalate, and their uses.

``forecast`` runs :func:`gosplan.forecast.attainment` on each (indicator, unit) that has an annual
target: enterprises on their own monthly reports, provinces, counties and the country on the sum of
the monthly reports of the enterprises below them (only indicators whose ``time_aggregation`` is
``sum``: a year's total of a mean or a stock is not a target the model forecasts). ``raise_alerts``
stores the targets whose probability is below a threshold and the exceptions ``detect`` finds, once
per (series, kind, period), and ``escalation`` moves unacknowledged ones up the hierarchy every
``periods`` months (meta setting ``alert_escalation_periods``, default 2).

>>> from gosplan.service import Service
>>> service = Service.open("sqlite://"); _ = service.load_demo()       # doctest: +SKIP
>>> national_outlook(service, "2023-06").set_index("indicator").loc["coal", "p_attain"] > 0.8  # doctest: +SKIP
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gosplan.errors import NotFound
from gosplan.forecast import attainment, detect, escalate, make_alerts, series_id, split_series_id
from gosplan.model import Period
from gosplan.runner import Runner
from gosplan.service.actions import finding
from gosplan.store import WriteSummary

FORECAST_COLUMNS = ["indicator", "indicator_name", "uom", "direction", "unit", "unit_name", "unit_kind", "depth",
                    "year", "target", "actual_to_date", "expected_total", "expected_fulfilment", "lower_80",
                    "upper_80", "lower_95", "upper_95", "p_attain", "shortfall", "required_monthly_rate",
                    "rate_to_date", "months_reported", "months_remaining", "method", "series_id"]
OUTLOOK_COLUMNS = ["indicator", "expected_total", "p_attain", "lower_80", "upper_80", "indicator_name", "uom",
                   "target"]
ESCALATION_PERIODS_KEY = "alert_escalation_periods"
DEFAULT_ESCALATION_PERIODS = 2
DEFAULT_THRESHOLD = 0.5
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
            raise NotFound(f"unknown indicator {unknown[0]!r}")
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


def forecast(service, as_of: str | Period, unit: str | None = None, indicators: list[str] | None = None,
             runner: Runner | None = None) -> pd.DataFrame:
    """Year-end outlook of every (indicator, unit) with an annual target, in ``unit``'s subtree.

    Columns :data:`FORECAST_COLUMNS`: the engine's expected total, 80 % and 95 % intervals,
    ``p_attain`` (P(total >= target), or P(total <= target) where lower is better), the required
    monthly rate against the rate so far, ``expected_fulfilment`` (expected total / target) and
    ``shortfall`` (how far the expected total falls short of the target, in the indicator's unit;
    0 when it does not).
    """
    p = _as_of(as_of)
    codes = forecast_indicators(service, indicators)
    key = ("forecast", str(p), tuple(codes))
    table = service._cached(key, lambda: _forecast_all(service, p, codes, runner or service.runner))
    if unit is not None:
        if unit not in service.hierarchy().parent:
            raise NotFound(f"unknown unit {unit!r}")
        table = table[table["unit"].isin(set(service.hierarchy().subtree(unit)))]
    return table.reset_index(drop=True)


def _forecast_all(service, p: Period, codes: list[str], runner: Runner) -> pd.DataFrame:
    rows = _annual_targets(service, p, codes)
    if rows.empty:
        return pd.DataFrame(columns=FORECAST_COLUMNS)
    ids = [series_id(i, u) for i, u in zip(rows["indicator"], rows["unit"], strict=True)]
    targets = pd.DataFrame({"series_id": ids, "year": p.year, "target": rows["annual_target"].to_numpy(float)})
    history = monthly_history(service, p, codes, units=sorted(set(rows["unit"])))
    result = attainment(history, targets, as_of=p, runner=runner)
    # Actual to date is what was reported, also where a month left out above is filled by the model.
    reported = monthly_history(service, p, codes, units=sorted(set(rows["unit"])), complete_only=False)
    reported = reported[reported["period"].str.startswith(f"{p.year}-")].groupby("series_id")["value"].sum()
    result["actual_to_date"] = result["series_id"].map(reported).fillna(0.0).to_numpy(float)
    left = result["months_remaining"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        result["required_monthly_rate"] = np.where(left > 0, (result["target"] - result["actual_to_date"]) / left,
                                                   np.nan)
    info = rows.assign(series_id=ids).set_index("series_id")
    out = result.join(info[["indicator", "indicator_name", "uom", "unit", "unit_name", "unit_kind", "depth",
                            "months_reported"]], on="series_id")
    direction = out["indicator"].map(service.indicators().set_index("code")["direction"]).fillna("higher")
    lower_better = direction.eq("lower").to_numpy()
    out["direction"] = direction.to_numpy()
    out["p_attain"] = np.where(lower_better, 1 - out["p_attain"], out["p_attain"])
    out["expected_fulfilment"] = out["expected_total"] / out["target"]
    gap = np.where(lower_better, out["expected_total"] - out["target"], out["target"] - out["expected_total"])
    out["shortfall"] = np.clip(gap, 0, None)
    elapsed = p.index
    out["rate_to_date"] = out["actual_to_date"] / elapsed
    out = out.sort_values(["indicator", "depth", "unit"], kind="stable")
    return out[FORECAST_COLUMNS].reset_index(drop=True)


def national_outlook(service, as_of: str | Period) -> pd.DataFrame:
    """Expected year-end total and P(attain) of each key indicator at the top of the hierarchy.

    ``DataFrame[indicator, expected_total, p_attain, lower_80, upper_80, indicator_name, uom, target]``
    (the web overview cards).
    """
    table = forecast(service, as_of)
    return table[table["unit"].eq(service.root())][OUTLOOK_COLUMNS].reset_index(drop=True)


def exceptions(service, as_of: str | Period, indicators: list[str] | None = None,
               runner: Runner | None = None) -> pd.DataFrame:
    """What :func:`gosplan.forecast.detect` finds in the monthly series of every unit with a target."""
    p = _as_of(as_of)
    codes = forecast_indicators(service, indicators)
    table = forecast(service, p, indicators=codes, runner=runner)

    def run() -> pd.DataFrame:
        history = monthly_history(service, p, codes, units=sorted(set(table["unit"])))
        found = detect(history, as_of=p, runner=runner or service.runner)
        found["indicator"], found["unit"] = split_series_id(found["series_id"])
        return found

    return service._cached(("exceptions", str(p), tuple(codes)), run)


def _single_leaf_series(service, p: Period, indicators: list[str]) -> set[str]:
    """Series of aggregate units whose only reporting enterprise is one leaf (copies of its series)."""
    hierarchy = service.hierarchy()
    reports = service.store.reports(indicators=indicators, first=f"{p.year}-01", last=str(p))
    reports = reports[reports["unit"].map(hierarchy.is_leaf)]
    sources = reports[["indicator", "unit"]].drop_duplicates().merge(
        hierarchy.closure(sorted(set(reports["unit"]))), on="unit")
    counts = sources.groupby(["indicator", "ancestor"])["unit"].nunique()
    single = counts[counts.eq(1)].reset_index()
    single = single[~single["ancestor"].map(hierarchy.is_leaf)]
    return {series_id(i, u) for i, u in zip(single["indicator"], single["ancestor"], strict=True)}


def escalation_periods(service) -> int:
    """Months an alert waits unacknowledged before it climbs a level (meta ``alert_escalation_periods``)."""
    value = service.store.get_meta(ESCALATION_PERIODS_KEY)
    return int(value) if value else DEFAULT_ESCALATION_PERIODS


def raise_alerts(service, as_of: str | Period, threshold: float = DEFAULT_THRESHOLD,
                 runner: Runner | None = None, periods: int | None = None) -> WriteSummary:
    """Store the alerts of month ``as_of`` (targets with P(attain) below ``threshold``, detected
    exceptions) once each, then bring the escalation of every stored alert up to ``as_of``."""
    p = _as_of(as_of)
    outlook = forecast(service, p, runner=runner)
    engine_frame = outlook.assign(year=outlook["year"].astype(int))
    found = exceptions(service, p, runner=runner)
    alerts = make_alerts(engine_frame, found, threshold=threshold)
    # A county with a single enterprise repeats that enterprise's series: alert only where it starts.
    copies = _single_leaf_series(service, p, sorted(set(outlook["indicator"])))
    alerts = alerts[~alerts["series_id"].isin(copies)]
    summary = service.store.write_alerts(alerts, raised=p)
    escalation(service, p, periods=periods)
    return summary


def escalation(service, as_of: str | Period, periods: int | None = None) -> pd.DataFrame:
    """Where every stored alert stands at ``as_of`` (stored back); the alerts with ``level``,
    ``escalated_to``, ``path`` (unit > ... > top) and ``reached_top``."""
    p = _as_of(as_of)
    stored = service.store.alerts()
    if stored.empty:
        return stored.assign(level=pd.Series(dtype="int64"), path=pd.Series(dtype=object),
                             reached_top=pd.Series(dtype=bool))
    units = service.units()[["code", "parent"]]
    where = escalate(stored[["id", "unit", "status", "raised"]], units, current=p,
                     periods=periods or escalation_periods(service))
    service.store.set_escalation(where)
    merged = stored.drop(columns=["escalation_level", "escalated_to"]).merge(
        where.drop(columns="unit"), on="id")
    merged["escalation_level"] = merged["level"]
    return merged


def list_alerts(service, as_of: str | Period | None = None, open_only: bool = False, unit: str | None = None
                ) -> pd.DataFrame:
    """Stored alerts (of ``unit``'s subtree), with their escalation path at ``as_of`` when given."""
    table = escalation(service, as_of) if as_of is not None else _with_paths(service, service.store.alerts())
    if open_only:
        table = table[table["status"].eq("open")]
    if unit is not None:
        if unit not in service.hierarchy().parent:
            raise NotFound(f"unknown unit {unit!r}")
        table = table[table["unit"].isin(set(service.hierarchy().subtree(unit)))]
    return table.reset_index(drop=True)


def _with_paths(service, stored: pd.DataFrame) -> pd.DataFrame:
    hierarchy = service.hierarchy()
    paths = [" > ".join(reversed(hierarchy.path(u))) if u in hierarchy.parent else u for u in stored["unit"]]
    return stored.assign(level=stored["escalation_level"], path=paths,
                         reached_top=[lv == len(p.split(" > ")) - 1 and s == "open"
                                      for lv, p, s in zip(stored["escalation_level"], paths, stored["status"],
                                                          strict=True)])


def acknowledge(service, alert_id: int, by: str = "cli") -> dict:
    """Acknowledge an open alert (it stops climbing)."""
    service.store.acknowledge_alert(alert_id, by)
    return service.store.alert(alert_id)


def resolve(service, alert_id: int, by: str = "cli") -> dict:
    service.store.resolve_alert(alert_id, by)
    return service.store.alert(alert_id)


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


__all__ = ["FORECAST_COLUMNS", "OUTLOOK_COLUMNS", "acknowledge", "escalation", "exceptions", "forecast",
           "list_alerts", "monthly_history", "national_outlook", "probabilities", "raise_alerts", "resolve",
           "targets_at_risk"]
