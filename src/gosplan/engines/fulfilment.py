"""Plan fulfilment: target to date, actual to date, roll-ups over the unit hierarchy, status classes.

Pure computation over frames (the store's shapes); no database. The service layer loads:

- ``units``, ``indicators`` (model columns),
- ``targets`` of the year (indicator, unit, period, value; one plan already chosen),
- ``actual`` and ``previous``: report totals over the window this year and a year earlier
  (indicator, unit, total, mean, maximum, months, last_value — the store's ``report_totals``),
- ``month_sums``: reports of the last three years per calendar month, for seasonal profiles,

and :func:`fulfilment` returns one row per (unit, indicator) for every unit that has a target or a
report in its subtree.

Rules (also in docs/figures.md, with every figure of the fact table, engines/facts.py):

- A unit's **actual to date** counts only when it reported every month of the window; otherwise
  the unit is *missing* (``actual`` is NaN, ``months_reported`` says how many it sent) — never zero.
- A target set at a unit is that unit's target; a unit without one gets the sum of its children's
  targets (a target set only at a higher unit is not required below it). The same holds for
  reports: a unit's own report wins over the sum of its children.
- The **fulfilment** of a unit whose target is its own is actual / target (with ``missing`` > 0 the
  actual may be incomplete). For a rolled-up unit it is like for like: the actual of the children
  that reported, over the targets of those same children.
- Status (for indicators where higher is better; mirrored where lower is better):
  exceeding >= 105 %, on track >= 99 %, at risk >= 95 %, else lagging; thresholds configurable.

>>> import pandas as pd
>>> units = pd.DataFrame({"code": ["KP", "E1", "E2"], "name": ["Country", "Mine 1", "Mine 2"],
...     "kind": ["country", "enterprise", "enterprise"], "parent": [None, "KP", "KP"],
...     "sector": [None, "coal", "coal"]})
>>> indicators = pd.DataFrame({"code": ["coal"], "name": ["Coal"], "unit": ["t"], "aggregation": ["sum"],
...     "time_aggregation": ["sum"], "direction": ["higher"], "sector": ["coal"], "key": [True], "role": ["output"]})
>>> targets = pd.DataFrame({"indicator": "coal", "unit": ["E1", "E2"], "period": "2023-H1", "value": [100.0, 100.0]})
>>> actual = pd.DataFrame({"indicator": "coal", "unit": ["E1", "E2"], "total": [110.0, 80.0], "mean": [18.3, 13.3],
...     "maximum": [20.0, 15.0], "months": [6, 6], "last_value": [20.0, 15.0]})
>>> t = fulfilment(FulfilmentInputs(units, indicators, targets, actual), "2023-H1")
>>> t.set_index("unit").loc[["KP", "E1", "E2"], ["fulfilment", "status"]].round(2).values.tolist()
[[0.95, 'at risk'], [1.1, 'exceeding'], [0.8, 'lagging']]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gosplan.engines.hierarchy import Hierarchy
from gosplan.engines.trajectory import (
    distinct_keys,
    needing_profiles_of,
    seasonal_profiles,
    target_arrays,
    trajectories_of,
)
from gosplan.model import MonthRange, Period

MONTH_COLUMNS = [f"m{m}" for m in range(1, 13)]
# A trajectory whose remaining months differ by more than this share of their mean is seasonal.
SEASONAL_SPREAD = 0.10
TOTALS_COLUMNS = ["indicator", "unit", "total", "mean", "maximum", "months", "last_value"]


@dataclass(frozen=True)
class Thresholds:
    """Fulfilment ratios that separate the status classes (for higher-is-better indicators)."""

    exceeding: float = 1.05
    on_track: float = 0.99
    at_risk: float = 0.95

    def classify(self, ratio: np.ndarray, lower_is_better: np.ndarray | None = None) -> np.ndarray:
        ratio = np.asarray(ratio, dtype=float)
        # For lower-is-better indicators (costs, losses) 90 % of plan is as good as 110 % elsewhere.
        score = ratio if lower_is_better is None else np.where(lower_is_better, 2.0 - ratio, ratio)
        score = np.round(score, 9)  # 0.9499999999999998 from spreading a target over months is 95 %
        return np.select(
            [np.isnan(score), score >= self.exceeding, score >= self.on_track, score >= self.at_risk],
            ["no target", "exceeding", "on track", "at risk"],
            default="lagging",
        )


@dataclass
class FulfilmentInputs:
    units: pd.DataFrame
    indicators: pd.DataFrame
    targets: pd.DataFrame
    actual: pd.DataFrame
    previous: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TOTALS_COLUMNS))
    month_sums: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["indicator", "unit", "month", "total"]))
    # ``trajectory.target_arrays(targets, year)``, when the caller has it already (the service reads
    # it from the store's ids and leaves ``targets`` empty: the long frame is not needed then).
    target_layout: tuple[pd.DataFrame, dict[str, np.ndarray]] | None = None
    # For the fact table (engines.facts): the plan(s) in force per indicator ("annual-2023"), and the
    # gross output (million won a year) of the input-output sector each output indicator belongs to
    # (columns indicator, io_sector, gross_output), from which plan prices are derived.
    plans: pd.Series | None = None
    io_output: pd.DataFrame | None = None


def window_of(period: str | Period, window: str = "ytd") -> MonthRange:
    """The months a status covers: the year to date (default) or the period itself."""
    p = Period.parse(period)
    if window == "ytd":
        return p.year_to_date()
    if window == "period":
        return MonthRange(p.first_month(), p.last_month())
    raise ValueError(f"window must be 'ytd' or 'period', not {window!r}")


@dataclass
class Parts:
    """What :func:`fulfilment` worked out on the way, for :mod:`gosplan.engines.facts` to build on."""

    hierarchy: Hierarchy
    categories: dict[str, list[str]]
    series: pd.DataFrame  # own targets per series: indicator, unit, target, annual_target
    actual: pd.DataFrame  # per series this year: actual (complete only), produced, complete, months_reported
    previous: pd.DataFrame  # the same a year earlier
    unit_agg: pd.Series
    time_agg: pd.Series
    months: MonthRange


def fulfilment(inputs: FulfilmentInputs, period: str | Period, *, window: str = "ytd",
               thresholds: Thresholds | None = None) -> pd.DataFrame:
    """Plan-fact table for every unit and indicator; see the module docstring for the rules.

    Columns: unit, indicator, target (to date), actual (to date), fulfilment (ratio), status,
    previous (same window a year earlier), change (ratio - 1), annual_target, remaining,
    months_left, required_rate (per month to meet the annual target), rate_to_date, expected,
    reported, missing (counts of reporting series below), months_reported, target_is_own,
    actual_basis / target_basis (the pair the fulfilment ratio is taken of).
    :func:`gosplan.engines.facts.facts` builds the full fact table on this one.
    """
    return fulfilment_parts(inputs, period, window=window, thresholds=thresholds)[0]


def fulfilment_parts(inputs: FulfilmentInputs, period: str | Period, *, window: str = "ytd",
                     thresholds: Thresholds | None = None) -> tuple[pd.DataFrame, Parts]:
    """:func:`fulfilment` and the per-series frames it was built from."""
    thresholds = thresholds or Thresholds()
    months = window_of(period, window)
    first, last = months.first, months.last
    year = first.year
    hierarchy = Hierarchy(inputs.units)
    ind = inputs.indicators.set_index("code")
    time_agg = ind["time_aggregation"]
    unit_agg = ind["aggregation"].where(ind["aggregation"].isin(["sum", "mean", "max"]), "sum")

    categories = {"unit": hierarchy.codes, "indicator": list(ind.index)}
    series = _categorical(_series_targets(inputs, year, time_agg, hierarchy, first.index, last.index), categories)
    actual = _categorical(_series_actual(inputs.actual, time_agg, len(months), "actual"), categories)
    previous = _categorical(_series_actual(inputs.previous, time_agg, len(months), "previous"), categories)

    # Targets roll up over units (NaN-propagating: an unknown child target makes the sum unknown).
    # ``seasonal`` (0 / 1 per series) rolls up with the targets: any positive flag below stays positive.
    targets_up = hierarchy.rollup(series, ["indicator"], ["target", "annual_target", "seasonal"], unit_agg)
    targets_up = targets_up.rename(columns={"rolled": "target_rolled"})
    complete = actual.loc[actual["complete"].astype(bool)]
    actual_up = hierarchy.rollup(complete, ["indicator"], ["actual"], unit_agg).drop(columns="rolled")
    # Like for like: only series that have a target and reported every month.
    lfl = complete[["unit", "indicator", "actual"]].assign(target=_lookup(complete, series, "target", categories))
    lfl = lfl.dropna(subset=["target"]).rename(columns={"actual": "lfl_actual", "target": "lfl_target"})
    lfl_up = hierarchy.rollup(lfl, ["indicator"], ["lfl_actual", "lfl_target"], unit_agg).drop(columns="rolled")
    prev_complete = previous.loc[previous["complete"].astype(bool)]
    prev_up = hierarchy.rollup(prev_complete, ["indicator"], ["previous"], unit_agg).drop(columns="rolled")
    counts = series[["indicator", "unit"]].copy()
    counts["expected"] = 1
    counts["reported"] = (_lookup(counts, actual, "complete", categories) == 1.0).astype(int)
    sent = np.nan_to_num(_lookup(counts, actual, "months_reported", categories))
    counts["months_missing"] = np.maximum(len(months) - sent, 0)
    counts_up = hierarchy.rollup(counts, ["indicator"], ["expected", "reported", "months_missing"]
                                 ).drop(columns="rolled")

    # Spreading targets over months leaves float dust (5317999.999999999); plans are not that precise.
    targets_up[["target", "annual_target"]] = targets_up[["target", "annual_target"]].astype(float).round(6)
    # Produced to date: every current report, complete or not (never filled, never pro-rated).
    if len(complete) == len(actual):  # every series reported every month: produced is the actual
        table = _outer_join([targets_up, actual_up, lfl_up, prev_up, counts_up], categories)
        table["produced"] = table["actual"]
    else:
        produced_up = hierarchy.rollup(actual[["unit", "indicator", "produced"]], ["indicator"], ["produced"],
                                       unit_agg).drop(columns="rolled")
        table = _outer_join([targets_up, actual_up, lfl_up, prev_up, counts_up, produced_up], categories)
    table["months_reported"] = _lookup(table, actual, "months_reported", categories)
    table["target_is_own"] = table["target_rolled"].to_numpy() == 0.0
    table = table.drop(columns="target_rolled")
    table[["expected", "reported", "months_missing"]] = table[["expected", "reported", "months_missing"]
                                                              ].fillna(0).astype(int)
    table["seasonal"] = table["seasonal"].fillna(0) > 0
    table["missing"] = table["expected"] - table["reported"]

    own = table["target_is_own"].to_numpy()
    table["actual_basis"] = np.where(own, table["actual"], table["lfl_actual"])
    table["target_basis"] = np.where(own, table["target"], table["lfl_target"])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = table["actual_basis"] / table["target_basis"].where(table["target_basis"] > 0)
        table["fulfilment"] = ratio
        table["change"] = table["actual"] / table["previous"].where(table["previous"] > 0) - 1.0
    lower = table["indicator"].map(ind["direction"]).eq("lower").to_numpy()
    status = thresholds.classify(table["fulfilment"].to_numpy(), lower)
    nothing_reported = (table["expected"] > 0) & (table["reported"] == 0)
    status = np.where(nothing_reported, "missing", status)
    table["status"] = status

    summed = table["indicator"].map(time_agg).eq("sum")
    months_left = 12 - last.index
    table["months_left"] = months_left
    table["remaining"] = np.where(summed, table["annual_target"] - table["actual"], np.nan)
    elapsed = last.index if window == "ytd" else len(months)
    table["rate_to_date"] = np.where(summed, table["actual"] / elapsed, np.nan)
    table["required_rate"] = (table["remaining"].clip(lower=0) / months_left) if months_left else np.nan
    table["required_rate"] = table["required_rate"].where(summed)

    names = inputs.units.set_index("code")
    table["unit_name"] = table["unit"].map(names["name"])
    table["unit_kind"] = table["unit"].map(names["kind"])
    table["depth"] = table["unit"].map(hierarchy.depth)
    table["indicator_name"] = table["indicator"].map(ind["name"])
    table["uom"] = table["indicator"].map(ind["unit"])
    table["sector"] = table["indicator"].map(ind["sector"])
    table["period"] = str(Period.parse(period))
    table["window"] = months.label
    columns = ["period", "window", "unit", "unit_name", "unit_kind", "depth", "indicator", "indicator_name",
               "sector", "uom", "target", "produced", "actual", "fulfilment", "status", "previous", "change",
               "annual_target", "remaining", "months_left", "required_rate", "rate_to_date", "expected",
               "reported", "missing", "months_reported", "target_is_own", "actual_basis", "target_basis",
               "months_missing", "seasonal"]
    table = table[columns].sort_values(["depth", "unit", "indicator"]).reset_index(drop=True)
    # Back to plain text: categorical keys would make every later groupby enumerate all categories.
    table["unit"] = table["unit"].astype(object)
    table["indicator"] = table["indicator"].astype(object)
    return table, Parts(hierarchy, categories, series, actual, previous, unit_agg, time_agg, months)


def _key_codes(frame: pd.DataFrame, categories: dict[str, list[str]]) -> np.ndarray:
    """One integer per (unit, indicator): unit code x number of indicators + indicator code."""
    codes = []
    for column in ("unit", "indicator"):
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype) and list(values.cat.categories) == categories[column]:
            codes.append(values.cat.codes.to_numpy().astype(np.int64))
        else:
            codes.append(pd.Categorical(values.astype(object), categories=categories[column]).codes.astype(np.int64))
    keys = codes[0] * max(len(categories["indicator"]), 1) + codes[1]
    return np.where((codes[0] < 0) | (codes[1] < 0), -1, keys)  # -1: a code outside the categories


def _outer_join(frames: list[pd.DataFrame], categories: dict[str, list[str]]) -> pd.DataFrame:
    """Outer join of frames keyed by (unit, indicator), through integer keys instead of merges.

    Every other column comes out as float64, NaN where a frame has no row for the key (booleans as
    1.0 / 0.0), which is what the merges gave after their NaN-filling.
    """
    n_indicators = max(len(categories["indicator"]), 1)
    keys, rows = [], []
    for frame in frames:
        key = _key_codes(frame, categories)
        known = np.flatnonzero(key >= 0)
        keys.append(key[known])
        rows.append(known)
    every, places = distinct_keys(keys, len(categories["unit"]) * n_indicators)
    out = {"unit": pd.Categorical.from_codes(every // n_indicators, categories=categories["unit"]),
           "indicator": pd.Categorical.from_codes(every % n_indicators, categories=categories["indicator"])}
    for frame, at, known in zip(frames, places, rows, strict=True):
        for column in frame.columns:
            if column in ("unit", "indicator"):
                continue
            filled = np.full(len(every), np.nan)
            filled[at] = frame[column].to_numpy(dtype=float, na_value=np.nan)[known]
            out[column] = filled
    return pd.DataFrame(out)


def _lookup(table: pd.DataFrame, source: pd.DataFrame, column: str, categories: dict[str, list[str]],
            wanted: np.ndarray | None = None) -> np.ndarray:
    """``source[column]`` for each (unit, indicator) of ``table`` (NaN where ``source`` has none);
    ``wanted``: ``_key_codes(table, categories)`` when the caller has it already."""
    out = np.full(len(table), np.nan)
    if source.empty:
        return out
    wanted = _key_codes(table, categories) if wanted is None else wanted
    have = _key_codes(source, categories)
    have = np.where(have < 0, -2, have)  # never equal to a wanted key, known (>= 0) or not (-1)
    order = np.argsort(have, kind="stable")
    position = np.clip(np.searchsorted(have[order], wanted), 0, max(len(have) - 1, 0))
    found = have[order][position] == wanted
    out[found] = source[column].to_numpy(dtype=float, na_value=np.nan)[order][position[found]]
    return out


def _categorical(frame: pd.DataFrame, categories: dict[str, list[str]]) -> pd.DataFrame:
    """Unit and indicator columns as categoricals over fixed categories (fast merges on codes)."""
    out = frame.copy()
    for column, values in categories.items():
        if column in out.columns:
            out[column] = pd.Categorical(out[column].astype(object), categories=values)
    return out


def _series_targets(inputs: FulfilmentInputs, year: int, time_agg: pd.Series, hierarchy: Hierarchy,
                    first_month: int, last_month: int) -> pd.DataFrame:
    if inputs.target_layout is not None:
        keys, arrays = inputs.target_layout
    elif inputs.targets.empty:
        keys = pd.DataFrame(columns=["indicator", "unit"])
    else:
        keys, arrays = target_arrays(inputs.targets, year)
    if keys.empty:
        return pd.DataFrame(columns=["indicator", "unit", "target", "annual_target", "seasonal"])
    needs_profile = needing_profiles_of(keys, arrays, time_agg)
    profiles = seasonal_profiles(inputs.month_sums, needs_profile, hierarchy) if len(needs_profile) else None
    traj = trajectories_of(keys, arrays, time_agg, profiles)
    window = traj[MONTH_COLUMNS[first_month - 1:last_month]].to_numpy(dtype=float)
    agg = traj["indicator"].map(time_agg).fillna("sum").to_numpy()
    with np.errstate(all="ignore"):
        target = np.select(
            [agg == "sum", agg == "mean", agg == "max"],
            [window.sum(axis=1), window.mean(axis=1), window.max(axis=1)],
            default=window[:, -1],
        )
    out = traj[["indicator", "unit"]].copy()
    out["target"] = target
    out["annual_target"] = traj["annual"].to_numpy()
    # Seasonal: the plan's monthly path over the rest of the year is not flat (> 10 % off its mean).
    rest = traj[MONTH_COLUMNS[last_month:]].to_numpy(dtype=float)
    if rest.shape[1]:
        known = np.isfinite(rest)
        with np.errstate(all="ignore"):
            mean = np.where(known, rest, 0.0).sum(axis=1) / known.sum(axis=1)
            high, low = np.where(known, rest, -np.inf).max(axis=1), np.where(known, rest, np.inf).min(axis=1)
            spread = (high - low) / np.abs(mean)
        out["seasonal"] = np.where((agg == "sum") & (spread > SEASONAL_SPREAD), 1.0, 0.0)
    else:
        out["seasonal"] = 0.0
    if profiles is not None:
        out = out.merge(profiles[["indicator", "unit", "profile_source"]], on=["indicator", "unit"], how="left")
        out = out.drop(columns="profile_source")
    return out


def _series_actual(totals: pd.DataFrame, time_agg: pd.Series, window_length: int, name: str) -> pd.DataFrame:
    if totals is None or totals.empty:
        return pd.DataFrame(columns=["indicator", "unit", name, "complete", "months_reported", "produced"])
    # Each indicator's rule looked up once, then applied as integer codes (not 500,000 string compares).
    position, codes = pd.factorize(totals["indicator"])
    rule = pd.Series(time_agg.reindex(codes).fillna("sum").to_numpy()).map(
        {"sum": 0, "mean": 1, "max": 2}).fillna(3).to_numpy(dtype=np.int8)[position]
    value = np.choose(rule, [totals[c].to_numpy(dtype=float) for c in ("total", "mean", "maximum", "last_value")])
    out = totals[["indicator", "unit"]].copy()
    out["months_reported"] = totals["months"].astype(int).to_numpy()
    out["complete"] = out["months_reported"] >= window_length
    out[name] = np.where(out["complete"], value, np.nan)
    out["produced"] = value  # every month reported, complete or not
    return out


def sector_fulfilment(table: pd.DataFrame, indicators: pd.DataFrame, sectors: pd.DataFrame,
                      thresholds: Thresholds | None = None) -> pd.DataFrame:
    """Each sector's indicators combined per unit: :func:`gosplan.engines.sector_facts.sector_facts`
    (``table`` is the fact table, :func:`gosplan.engines.facts.facts`)."""
    from gosplan.engines.sector_facts import sector_facts

    return sector_facts(table, indicators, sectors, thresholds)


def leaders_and_laggards(table: pd.DataFrame, *, limit: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Units with their own targets that exceed (leaders) or lag behind (laggards).

    ``gap`` = target - actual in the indicator's unit (the shortfall to make up; negative for
    leaders). Both lists are ranked by ``weight``, the gap as a share of the indicator's total
    target over the units given, so that a large mine 5 % behind outranks a small farm 40 % behind.
    """
    own = table[table["target_is_own"] & table["fulfilment"].notna()].copy()
    own["gap"] = own["target"] - own["actual"]
    total = own.groupby("indicator")["target"].transform("sum")
    own["weight"] = own["gap"] / total.where(total > 0)
    leaders = own[own["status"].eq("exceeding")].sort_values("weight")
    laggards = own[own["status"].isin(["lagging", "at risk"])].sort_values("weight", ascending=False)
    return leaders.head(limit).reset_index(drop=True), laggards.head(limit).reset_index(drop=True)
