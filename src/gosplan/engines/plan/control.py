"""Control figures: the year's totals and their distribution down the hierarchy; capacity checks.

>>> import pandas as pd
>>> w = pd.DataFrame({"unit": ["a", "b", "c"], "indicator": ["coal"] * 3, "weight": [1.0, 1.0, 2.0]})
>>> distribute(pd.Series({"coal": 1000.0}), w)["value"].tolist()
[250.0, 250.0, 500.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gosplan.errors import InvalidValue

CONTROL_COLUMNS = ["indicator", "five_year_plan", "expected_last_year", "trend_growth", "from_results",
                   "control_figure", "source", "tautness"]


def expected_outturn(to_date: pd.Series, last_year: pd.Series, last_year_to_date: pd.Series) -> pd.Series:
    """The year's expected result per indicator: this year to date scaled by last year's full/to-date ratio.

    All three are indexed by indicator (last year's seasonality carries this year's months to date to
    a full year). An indicator without last year's figures is left out.
    """
    ratio = last_year / last_year_to_date.where(last_year_to_date > 0)
    return (to_date * ratio).dropna()


def trend_growth(history: pd.DataFrame) -> pd.Series:
    """The average yearly growth per indicator from a frame of full years (index year, columns indicators).

    The geometric mean of the year-on-year ratios; 0 where there are fewer than two years.
    """
    history = history.sort_index().dropna(how="all")
    if len(history) < 2:
        return pd.Series(0.0, index=history.columns)
    first, last = history.iloc[0], history.iloc[-1]
    years = len(history) - 1
    growth = (last / first.where(first > 0)) ** (1.0 / years) - 1.0
    return growth.fillna(0.0)


def control_figures(five_year_plan: pd.Series, expected_last_year: pd.Series, growth: pd.Series) -> pd.DataFrame:
    """The control figure per indicator: the five-year plan's figure where it has one, else the trend.

    ``from_results`` = expected last-year result x (1 + trend growth); ``tautness`` is the control figure
    over ``from_results`` minus 1 (0.05: the figure asks 5 % more than the trend promises).
    """
    indicators = five_year_plan.index.union(expected_last_year.index)
    fyp = five_year_plan.reindex(indicators)
    expected = expected_last_year.reindex(indicators)
    g = growth.reindex(indicators).fillna(0.0)
    from_results = expected * (1.0 + g)
    figure = fyp.where(fyp.notna(), from_results)
    source = np.where(fyp.notna(), "five_year_plan", "results_and_trend")
    out = pd.DataFrame({"indicator": indicators, "five_year_plan": fyp.to_numpy(), "expected_last_year":
                        expected.to_numpy(), "trend_growth": g.to_numpy(), "from_results": from_results.to_numpy(),
                        "control_figure": figure.to_numpy(), "source": source})
    out["tautness"] = out["control_figure"] / out["from_results"].where(out["from_results"] > 0) - 1.0
    return out.dropna(subset=["control_figure"]).reset_index(drop=True)


def distribute(totals: pd.Series, weights: pd.DataFrame, *, decimals: int = 0) -> pd.DataFrame:
    """Split each indicator's total over units in proportion to ``weights`` (unit, indicator, weight).

    Rounded to ``decimals`` by largest remainders, so the parts add up to the total exactly. An
    indicator with a total but no positive weight raises :class:`~gosplan.errors.InvalidValue`.
    """
    w = weights[weights["indicator"].isin(totals.index)].copy()
    w["weight"] = pd.to_numeric(w["weight"], errors="coerce").fillna(0.0).clip(lower=0.0)
    sums = w.groupby("indicator")["weight"].sum()
    empty = [k for k in totals.index if sums.get(k, 0.0) <= 0 and totals[k] != 0]
    if empty:
        raise InvalidValue(f"no unit has a positive weight (last year's output or capacity) for {empty}")
    w["value"] = w["weight"] / w["indicator"].map(sums) * w["indicator"].map(totals)
    w = w[w["weight"] > 0]
    scale = 10.0 ** decimals
    raw = w["value"].to_numpy() * scale
    floor = np.floor(raw)
    w["_floor"] = floor
    w["_rest"] = raw - floor
    short = (w["indicator"].map(totals).to_numpy() * scale).round() - w.groupby("indicator")["_floor"].transform("sum")
    w["_rank"] = w.groupby("indicator")["_rest"].rank(method="first", ascending=False)
    w["value"] = (floor + (w["_rank"].to_numpy() <= short.to_numpy())) / scale
    return w[["unit", "indicator", "value"]].reset_index(drop=True)


def check_capacities(capacities: pd.DataFrame, output: pd.DataFrame, *, binding_at: float = 0.98) -> pd.DataFrame:
    """Output against physical capacity per (unit, indicator): utilisation and a status.

    ``capacities``: unit, indicator, capacity (per year); ``output``: unit, indicator, value (per year,
    annualised). Status: ``stale`` when output exceeds capacity (the capacity record is out of date,
    not a binding limit), ``binding`` from ``binding_at`` of capacity, else ``free``; ``no_output``
    when nothing was produced.
    """
    merged = capacities.merge(output.rename(columns={"value": "output"}), on=["unit", "indicator"], how="left")
    merged["output"] = merged["output"].fillna(0.0)
    merged["utilisation"] = merged["output"] / merged["capacity"].where(merged["capacity"] > 0)
    u = merged["utilisation"].fillna(np.inf)
    merged["status"] = np.select([merged["output"] <= 0, u > 1.0, u >= binding_at], ["no_output", "stale", "binding"],
                                 "free")
    return merged
