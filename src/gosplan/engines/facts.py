"""The fact table: every figure an interface shows, for each (unit, indicator), computed once.

Status, sectors, reserves, forecasts, risk, alerts, actions, the web pages and the review read this
frame; none recomputes a figure. Pure computation over the fulfilment engine's inputs (no database);
the service calls :func:`facts` once per (period, window) and caches the frame.

Columns (one row per unit and indicator with a target or a report in its subtree; quantities in the
indicator's unit ``uom``; "series" is one (unit, indicator) with its own target or reports):

==================  ===================================================================================
period, window      the period asked for and the months covered (``2023-01..2023-06``)
unit, unit_name, …  unit_kind, depth, indicator, indicator_name, sector, uom: labels
plan                the plan(s) in force for the indicator that year (``;``-joined codes)
target              target to date: the plan's monthly trajectory summed over the window
annual_target       the year's target
produced            produced to date: every current report in the window, units that missed months
                    included; never model-filled, never pro-rated
actual              actual to date of the units that reported every month (the fulfilment engine's)
actual_basis        like for like: ``actual`` for a unit with its own target; for a rolled-up unit the
target_basis        actual and target of the children that reported every month (their own targets)
fulfilment          actual_basis / target_basis
fulfilment_digits   decimals of the percentage needed so the shown value sits in the status's class
                    (0 normally; 1 for 94.7 % "lagging" next to a 95.2 % "at risk")
status              exceeding / on track / at risk / lagging (thresholds on ``fulfilment``), missing
                    (nothing reported), no target
previous            last year's actual over the units that reported every month last year
expected, reported  series with a target below the unit, and those that reported every month
units_missing       expected - reported (also under its old name ``missing``)
months_missing      unit-months missing in the window over the series with a target
missing_units       ``;``-joined codes of the units with a target that missed a month (for footnotes)
actual_lfl          this year and last year over the SAME series: those that reported every month of
previous_lfl        the window in both years
comparable_units    how many series that is
comparable_share    previous_lfl / previous_produced: the comparable units' share of last year's output
change              actual_lfl / previous_lfl - 1 ("vs last year", like for like); NaN with a note when
change_note         comparable_share < ``min_coverage`` (default 50 %): "too few comparable units";
                    "no comparable units"; "no reports a year earlier"
previous_produced   every current report of the same window a year earlier
produced_in_plan    produced by the series the annual target covers (equals ``produced`` unless units
                    without a target report)
annual_done         produced_in_plan / annual_target: "% of the annual plan done" (summed indicators,
                    window ``ytd``)
rest_path           annual_target - target: what the plan's own (seasonal) trajectory expects for the
                    rest of the year
rest_needed         annual_target - produced_in_plan: what the rest of the year must bring
rest_vs_path        rest_needed / rest_path - 1 ("0.3 % above the plan's H2 path")
remaining           the same as rest_needed (kept for old readers)
seasonal            True when the plan's remaining monthly path is not flat (a flat rate misleads)
months_left         months after the window's last month
required_rate       max(rest_needed, 0) / months_left: a flat monthly rate, for non-seasonal use
rate_to_date        produced_in_plan / months elapsed
months_reported     months the unit's own series reported
target_is_own       the target was set at this unit (not rolled up from children)
price               plan price per indicator unit, won (NaN: no price; see :func:`plan_prices`)
value_target,       price x target_basis / actual_basis / previous_lfl / actual_lfl: the index's
value_actual, …     weights; summed per unit by :func:`weighted_index`
==================  ===================================================================================

The national (or any unit's) **index** combines indicators at constant plan prices:
``sum(price x actual_basis) / sum(price x target_basis)`` over the priced indicators
(:func:`weighted_index`). An indicator's price is its input-output sector's gross output in the
stored table divided by the sector's national annual target (several indicators in one sector share
the output: by quantity when they measure the same dimension, else equally). Without prices the index
is the unweighted mean of indicator fulfilments, labelled so.

>>> import pandas as pd
>>> from gosplan.engines.fulfilment import FulfilmentInputs
>>> units = pd.DataFrame({"code": ["KP", "E1", "E2"], "name": ["Country", "Mine 1", "Mine 2"],
...     "kind": ["country", "enterprise", "enterprise"], "parent": [None, "KP", "KP"],
...     "sector": [None, "coal", "coal"]})
>>> indicators = pd.DataFrame({"code": ["coal"], "name": ["Coal"], "unit": ["t"], "aggregation": ["sum"],
...     "time_aggregation": ["sum"], "direction": ["higher"], "sector": ["coal"], "key": [True], "role": ["output"]})
>>> targets = pd.DataFrame({"indicator": "coal", "unit": ["E1", "E2"], "period": "2023", "value": [120.0, 120.0]})
>>> actual = pd.DataFrame({"indicator": "coal", "unit": ["E1", "E2"], "total": [66.0, 40.0], "mean": [11.0, 8.0],
...     "maximum": [12.0, 9.0], "months": [6, 5], "last_value": [12.0, 8.0]})
>>> previous = actual.assign(total=[60.0, 50.0], months=6)
>>> t = facts(FulfilmentInputs(units, indicators, targets, actual, previous), "2023-06").set_index("unit")
>>> [t.loc["KP", c].item() for c in ("produced", "actual_basis", "target_basis", "units_missing")]
[106.0, 66.0, 60.0, 1]
>>> t.loc["KP", "missing_units"], round(float(t.loc["KP", "change"]), 3), int(t.loc["KP", "comparable_units"])
('E2', 0.1, 1)
>>> float(t.loc["KP", "rest_needed"]), float(t.loc["KP", "rest_path"])
(134.0, 120.0)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gosplan.engines.fulfilment import FulfilmentInputs, Thresholds, _key_codes, _lookup, fulfilment_parts
from gosplan.model import Period
from gosplan.quantities import UnitError, conversion_factor

# Below this share of last year's output, the comparable units do not speak for the whole.
MIN_COVERAGE = 0.5
TOO_FEW = "too few comparable units"
NO_COMPARABLE = "no comparable units"
NO_PREVIOUS = "no reports a year earlier"
WEIGHTED = "constant plan prices"
UNWEIGHTED = "unweighted mean (no prices)"

COLUMNS = ["period", "window", "unit", "unit_name", "unit_kind", "depth", "indicator", "indicator_name",
           "sector", "uom", "plan", "target", "annual_target", "produced", "actual", "actual_basis", "target_basis",
           "fulfilment", "fulfilment_digits", "status", "previous", "expected", "reported", "missing",
           "units_missing", "months_missing", "missing_units", "actual_lfl", "previous_lfl", "comparable_units",
           "comparable_share", "change", "change_note", "previous_produced", "produced_in_plan", "annual_done",
           "rest_path", "rest_needed", "rest_vs_path", "remaining", "seasonal", "months_left", "required_rate",
           "rate_to_date", "months_reported", "target_is_own", "price", "value_target", "value_actual",
           "value_previous_lfl", "value_actual_lfl"]


def facts(inputs: FulfilmentInputs, period: str | Period, *, window: str = "ytd",
          thresholds: Thresholds | None = None, min_coverage: float = MIN_COVERAGE) -> pd.DataFrame:
    """The fact table for ``period`` (see the module docstring for every column and rule)."""
    thresholds = thresholds or Thresholds()
    table, parts = fulfilment_parts(inputs, period, window=window, thresholds=thresholds)
    hierarchy, categories, how = parts.hierarchy, parts.categories, parts.unit_agg
    actual, previous, series = parts.actual, parts.previous, parts.series
    n_months = len(parts.months)

    def rolled(frame: pd.DataFrame, columns: list[str], agg: pd.Series | None = how) -> pd.DataFrame:
        return hierarchy.rollup(frame, ["indicator"], columns, agg).drop(columns="rolled")

    keys = _key_codes(table, categories)  # once: the table's codes are text again

    def onto(frame: pd.DataFrame, column: str) -> np.ndarray:
        return _lookup(table, frame, column, categories, keys)

    # Last year's output of every unit (the base the comparable units' share is taken of).
    if previous["complete"].astype(bool).all():  # every series reported every month a year earlier
        table["previous_produced"] = table["previous"]
    else:
        prev_all = previous[["unit", "indicator", "produced"]].rename(columns={"produced": "previous_produced"})
        table["previous_produced"] = onto(rolled(prev_all, ["previous_produced"]), "previous_produced")
    # Produced by the series the annual target covers (same population as annual_target).
    planned = actual[["unit", "indicator", "produced"]].assign(
        annual=_lookup(actual, series, "annual_target", categories))
    planned = planned.loc[planned["annual"].notna(), ["unit", "indicator", "produced"]]
    if len(planned) == len(actual):  # every reporting series has a target: the same population
        table["produced_in_plan"] = table["produced"]
    else:
        in_plan = onto(rolled(planned.rename(columns={"produced": "produced_in_plan"}), ["produced_in_plan"]),
                       "produced_in_plan")
        # A unit's own target covers whatever it (or, without an own report, its subtree) produced.
        table["produced_in_plan"] = np.where(table["target_is_own"].to_numpy(bool), table["produced"], in_plan)
    table.loc[table["annual_target"].isna(), "produced_in_plan"] = np.nan

    _like_for_like(table, actual, previous, rolled, onto, categories, how, min_coverage)
    _missing_units(table, series, hierarchy)

    summed = table["indicator"].map(parts.time_agg).eq("sum").to_numpy()
    to_date = window == "ytd"
    annual, target, done = table["annual_target"], table["target"], table["produced_in_plan"]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["annual_done"] = np.where(summed & to_date, done / annual.where(annual > 0), np.nan)
        table["rest_path"] = np.where(summed & to_date, annual - target, np.nan)
        table["rest_needed"] = np.where(summed & to_date, annual - done, np.nan)
        path = table["rest_path"].where(table["rest_path"] > 0)
        table["rest_vs_path"] = table["rest_needed"] / path - 1.0
    table["remaining"] = table["rest_needed"]
    months_left = int(table["months_left"].iloc[0]) if len(table) else 0
    table["required_rate"] = table["rest_needed"].clip(lower=0) / months_left if months_left else np.nan
    elapsed = parts.months.last.index if to_date else n_months
    table["rate_to_date"] = np.where(summed, done / elapsed, np.nan)

    lower = table["indicator"].map(inputs.indicators.set_index("code")["direction"]).eq("lower").to_numpy()
    table["fulfilment_digits"] = shown_digits(table["fulfilment"].to_numpy(dtype=float), lower, thresholds)
    table["units_missing"] = table["missing"]
    plans = inputs.plans if inputs.plans is not None else pd.Series(dtype=object)
    table["plan"] = table["indicator"].map(plans).fillna("").astype(str)

    prices = plan_prices(inputs.indicators, inputs.io_output, table, hierarchy.roots)
    table["price"] = table["indicator"].map(prices).astype(float)
    for name, column in (("value_target", "target_basis"), ("value_actual", "actual_basis"),
                         ("value_previous_lfl", "previous_lfl"), ("value_actual_lfl", "actual_lfl")):
        table[name] = table["price"] * table[column]
    return table[COLUMNS]


def _like_for_like(table, actual, previous, rolled, onto, categories, how: pd.Series, min_coverage: float) -> None:
    """actual_lfl, previous_lfl, comparable_units, comparable_share, change and change_note."""
    both = actual.loc[actual["complete"].astype(bool), ["unit", "indicator", "actual"]]
    both = both.assign(previous_lfl=_lookup(both, previous, "previous", categories), comparable_units=1.0)
    both = both.dropna(subset=["previous_lfl"]).rename(columns={"actual": "actual_lfl"})
    if how.eq("sum").all():  # the usual case: one roll-up sums values and counts alike
        up = count = rolled(both, ["actual_lfl", "previous_lfl", "comparable_units"])
    else:
        up = rolled(both, ["actual_lfl", "previous_lfl"])
        count = rolled(both[["unit", "indicator", "comparable_units"]], ["comparable_units"], None)
    table["actual_lfl"] = onto(up, "actual_lfl")
    table["previous_lfl"] = onto(up, "previous_lfl")
    table["comparable_units"] = np.nan_to_num(onto(count, "comparable_units")).astype(int)
    base = table["previous_produced"]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = table["previous_lfl"] / base.where(base > 0)
        table["comparable_share"] = share
        change = table["actual_lfl"] / table["previous_lfl"].where(table["previous_lfl"] > 0) - 1.0
    no_previous = base.isna() | (base <= 0)
    none = table["comparable_units"].eq(0)
    too_few = share.round(9) < min_coverage
    note = np.select([no_previous, none, too_few], [NO_PREVIOUS, NO_COMPARABLE, TOO_FEW], default="")
    table["change"] = np.where(note == "", change, np.nan)
    table["change_note"] = note


def _missing_units(table: pd.DataFrame, series: pd.DataFrame, hierarchy) -> None:
    """missing_units: the codes of the series with a target that missed a month, on each row above them."""
    table["missing_units"] = ""
    gaps = table.loc[table["target_is_own"] & table["months_missing"].gt(0) & table["expected"].eq(1),
                     ["unit", "indicator"]]
    if gaps.empty:
        return
    # Walk each missing series up to the first ancestor with its own target (as the roll-up does).
    own_targets = set(zip(series["unit"].astype(str), series["indicator"].astype(str), strict=True))
    listed: dict[tuple[str, str], list[str]] = {}
    for unit, indicator in zip(gaps["unit"].astype(str), gaps["indicator"].astype(str), strict=True):
        listed.setdefault((unit, indicator), []).append(unit)
        node = hierarchy.parent.get(unit)
        while node is not None and (node, indicator) not in own_targets:
            listed.setdefault((node, indicator), []).append(unit)
            node = hierarchy.parent.get(node)
    keys = list(zip(table["unit"].astype(str), table["indicator"].astype(str), strict=True))
    table["missing_units"] = [";".join(sorted(listed[k])) if k in listed else "" for k in keys]


def shown_digits(ratio: np.ndarray, lower_is_better: np.ndarray | None, thresholds: Thresholds,
                 most: int = 2) -> np.ndarray:
    """Decimals a percentage needs so that, as printed, it falls in the same status class.

    A 94.7 % "lagging" printed as "95 %" would sit beside a 95.2 % "at risk"; it needs one decimal.

    >>> shown_digits(np.array([0.947, 0.952, 0.9, np.nan]), None, Thresholds()).tolist()
    [1, 0, 0, 0]
    """
    ratio = np.asarray(ratio, dtype=float)
    status = thresholds.classify(ratio, lower_is_better)
    digits = np.full(len(ratio), most, dtype=int)
    settled = np.isnan(ratio)
    digits[settled] = 0
    for d in range(most):
        shown = np.round(ratio * 100, d) / 100
        same = thresholds.classify(shown, lower_is_better) == status
        take = same & ~settled
        digits[take] = d
        settled |= take
    return digits


def plan_prices(indicators: pd.DataFrame, io_output: pd.DataFrame | None, table: pd.DataFrame,
                roots: list[str]) -> pd.Series:
    """Plan price per indicator unit (won): the IO sector's gross output over its national annual target.

    ``io_output`` has columns indicator, io_sector, gross_output (million won a year). Indicators of
    one IO sector share its output: by quantity when their units convert into each other (rolled
    steel t and non-ferrous metals t get one price per t), else in equal parts. Indicators without an
    IO sector or a national annual target get no price (NaN).

    >>> ind = pd.DataFrame({"code": ["a", "b"], "unit": ["t", "kt"]})
    >>> out = pd.DataFrame({"indicator": ["a", "b"], "io_sector": "s", "gross_output": 30.0})
    >>> t = pd.DataFrame({"unit": "KP", "indicator": ["a", "b"], "annual_target": [1e6, 2000.0]})
    >>> plan_prices(ind, out, t, ["KP"]).round(2).to_dict()  # 30e6 million won over 3e6 t
    {'a': 10.0, 'b': 10000.0}
    """
    if io_output is None or io_output.empty:
        return pd.Series(dtype=float)
    national = table[table["unit"].isin(roots)].groupby("indicator")["annual_target"].sum(min_count=1)
    uom = indicators.set_index("code")["unit"]
    prices = {}
    for _, group in io_output.groupby("io_sector", sort=False):
        group = group[group["indicator"].isin(national.dropna().index[national.dropna() > 0])]
        if group.empty:
            continue
        codes = group["indicator"].tolist()
        output = float(group["gross_output"].iloc[0]) * 1e6
        base = uom.get(codes[0], "")
        try:
            factors = {c: conversion_factor(uom.get(c, ""), base) for c in codes}
        except UnitError:
            factors = {}
        if factors:
            per_base = output / sum(float(national[c]) * factors[c] for c in codes)
            prices.update({c: per_base * factors[c] for c in codes})
        else:
            prices.update({c: output / len(codes) / float(national[c]) for c in codes})
    return pd.Series(prices, dtype=float)


def weighted_index(table: pd.DataFrame) -> pd.DataFrame:
    """One index per unit over its indicators with a target: fulfilment and change at plan prices.

    Returns unit, fulfilment, change, method (``constant plan prices`` or, when no indicator has a
    price, ``unweighted mean (no prices)``), indicators (how many entered), unpriced (``;``-joined
    codes left out for want of a price). The change is like for like: the priced indicators'
    ``value_actual_lfl / value_previous_lfl - 1`` over indicators whose change is shown.

    >>> t = pd.DataFrame({"unit": "KP", "indicator": ["a", "b"], "fulfilment": [1.0, 2.0],
    ...     "change": [0.0, 1.0], "value_target": [90.0, 10.0], "value_actual": [90.0, 20.0],
    ...     "value_previous_lfl": [90.0, 10.0], "value_actual_lfl": [90.0, 20.0]})
    >>> weighted_index(t)[["fulfilment", "change", "method"]].round(2).values.tolist()
    [[1.1, 0.1, 'constant plan prices']]
    """
    rows = []
    for unit, group in table[table["fulfilment"].notna()].groupby("unit", sort=False):
        priced = group["value_target"].notna() & group["value_actual"].notna()
        if priced.any():
            p = group[priced]
            fulfil = p["value_actual"].sum() / p["value_target"].sum()
            q = p[p["change"].notna()]
            prev = q["value_previous_lfl"].sum()
            change = q["value_actual_lfl"].sum() / prev - 1.0 if len(q) and prev > 0 else np.nan
            method, unpriced = WEIGHTED, ";".join(group.loc[~priced, "indicator"].astype(str))
        else:
            fulfil, change = group["fulfilment"].mean(), group["change"].mean()
            method, unpriced = UNWEIGHTED, ";".join(group["indicator"].astype(str))
        rows.append({"unit": unit, "fulfilment": float(fulfil), "change": float(change), "method": method,
                     "indicators": int(priced.sum()) if priced.any() else len(group), "unpriced": unpriced})
    return pd.DataFrame(rows, columns=["unit", "fulfilment", "change", "method", "indicators", "unpriced"])


def index_weights(table: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The weights of ``unit``'s index: indicator, price, value of the target to date and its share.

    >>> t = pd.DataFrame({"unit": "KP", "indicator": ["a", "b"], "indicator_name": ["A", "B"], "uom": "t",
    ...     "fulfilment": 1.0, "price": [1.0, 3.0], "value_target": [30.0, 90.0]})
    >>> index_weights(t, "KP")["share"].round(2).tolist()
    [0.75, 0.25]
    """
    rows = table[table["unit"].eq(unit) & table["fulfilment"].notna() & table["value_target"].notna()]
    out = rows[["indicator", "indicator_name", "uom", "price", "value_target"]].copy()
    out["share"] = out["value_target"] / out["value_target"].sum()
    return out.sort_values("share", ascending=False).reset_index(drop=True)
