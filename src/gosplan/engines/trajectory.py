"""Monthly target trajectories: from annual, half-year, quarterly and monthly targets to 12 months.

The rule, for one (indicator, unit) and one year:

1. Targets given for months, quarters or halves are kept exactly.
2. Working outwards from the finest given target, each given quarter, then half, then year
   spreads what is left of it (its value minus the months already determined inside it) over its
   undetermined months in proportion to the **seasonal profile**. Four quarterly targets without
   an annual one therefore define the year; a year with only Q1 given spreads the rest over
   April-December.
3. Months that no given target covers stay unknown (NaN): their target to date is unknown.
4. The seasonal profile is the unit's own share of each calendar month in its reports of the last
   three years (needs at least one report in every calendar month and a positive total); else the
   same profile of its parent unit's subtree (then the grandparent's, up to the root); else flat
   (1/12 per month).

This applies to indicators that add up over time (``time_aggregation == "sum"``). For levels
(``mean``, ``last``, ``max``: workers, capacity, stocks) a target is a level, so every month of the
period carries the target itself.

>>> import numpy as np
>>> monthly = disaggregate(annual=np.array([120.0]), halves=np.full((1, 2), np.nan),
...                        quarters=np.array([[20.0, np.nan, np.nan, np.nan]]),
...                        months=np.full((1, 12), np.nan), profile=np.full((1, 12), 1 / 12))
>>> monthly[0, :4].round(2).tolist(), float(round(monthly[0].sum(), 6))
([6.67, 6.67, 6.67, 11.11], 120.0)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gosplan.engines.hierarchy import Hierarchy
from gosplan.model import Period

FLAT = np.full(12, 1.0 / 12.0)


def disaggregate(annual: np.ndarray, halves: np.ndarray, quarters: np.ndarray, months: np.ndarray,
                 profile: np.ndarray) -> np.ndarray:
    """Monthly trajectory (n, 12) for n series; NaN where the targets do not determine a month.

    All arguments are arrays over n series: ``annual`` (n,), ``halves`` (n, 2), ``quarters`` (n, 4),
    ``months`` (n, 12), with NaN for targets not given; ``profile`` (n, 12) rows sum to 1.
    Works from the finest given target outwards: months are kept, each given quarter fills its
    undetermined months with what is left of it, then each given half, then the year.
    """
    determined = months.astype(float).copy()
    weights = profile.reshape(-1, 12)
    for whole, groups in ((quarters, 4), (halves, 2), (annual.reshape(-1, 1), 1)):
        size = 12 // groups
        whole = whole.astype(float)
        parts = determined.reshape(-1, groups, size)
        # Only series with a given target here and an undetermined month inside it change.
        todo = (~np.isnan(whole) & np.isnan(parts).any(axis=2)).any(axis=1)
        if todo.all():  # the usual case (a plan given at one level for every series): no gathering
            parts[...] = _fill(whole, parts, weights.reshape(-1, groups, size))
        elif todo.any():
            parts[todo] = _fill(whole[todo], parts[todo], weights.reshape(-1, groups, size)[todo])
    return determined


def _fill(whole: np.ndarray, parts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``parts`` (n, g, k): fill NaN parts with (whole - given parts) in proportion to ``weights``."""
    missing = np.isnan(parts)
    given = np.where(missing, 0.0, parts).sum(axis=2)
    w = np.where(missing, weights, 0.0)
    wsum = w.sum(axis=2)
    # A zero-weight profile (e.g. a series never reported in those months) spreads evenly instead.
    flat = wsum <= 0
    if flat.any():
        w = np.where(flat[..., None], missing.astype(float), w)
        wsum = w.sum(axis=2)
    scale = (whole - given) / np.where(wsum > 0, wsum, 1.0)
    return np.where(missing, w * scale[..., None], parts)


def seasonal_profiles(month_sums: pd.DataFrame, series: pd.DataFrame, hierarchy: Hierarchy) -> pd.DataFrame:
    """Seasonal profile (12 shares) for each (indicator, unit) in ``series``, with its source.

    ``month_sums`` has columns indicator, unit, month (1..12), total: the sum of the reports of
    the last three years per calendar month (the store's ``report_month_sums``). Returns columns
    indicator, unit, m1..m12, profile_source ("own", "parent:CODE" or "flat").
    """
    cols = [f"m{m}" for m in range(1, 13)]
    if series.empty:
        return pd.DataFrame(columns=["indicator", "unit", *cols, "profile_source"])
    own = _profile_table(month_sums)
    wanted = series[["indicator", "unit"]].drop_duplicates()
    result = wanted.merge(own, on=["indicator", "unit"], how="left")
    result["profile_source"] = np.where(result["m1"].notna(), "own", "")
    need = result["m1"].isna()
    if need.any() and month_sums.empty:
        result.loc[need, cols] = FLAT
        result.loc[need, "profile_source"] = "flat"
    elif need.any():
        # Subtree totals of the ancestors that may be needed, rolled up from all reporting units.
        ms = month_sums.copy()
        closure = hierarchy.closure(ms["unit"].unique())
        ms = ms.merge(closure, on="unit").drop(columns="unit").rename(columns={"ancestor": "unit"})
        subtree = _profile_table(ms.groupby(["indicator", "unit", "month"], as_index=False)["total"].sum())
        subtree_index = {(i, u): row for i, u, *row in subtree[["indicator", "unit", *cols]].itertuples(
            index=False)}
        for idx in np.flatnonzero(need.to_numpy()):
            indicator, unit = result.at[idx, "indicator"], result.at[idx, "unit"]
            node = hierarchy.parent.get(unit)
            found = None
            while node is not None:
                found = subtree_index.get((indicator, node))
                if found is not None:
                    break
                node = hierarchy.parent.get(node)
            if found is not None:
                result.loc[idx, cols] = found
                result.at[idx, "profile_source"] = f"parent:{node}"
            else:
                result.loc[idx, cols] = FLAT
                result.at[idx, "profile_source"] = "flat"
    return result[["indicator", "unit", *cols, "profile_source"]]


def _profile_table(month_sums: pd.DataFrame) -> pd.DataFrame:
    cols = [f"m{m}" for m in range(1, 13)]
    if month_sums.empty:
        return pd.DataFrame(columns=["indicator", "unit", *cols])
    wide = month_sums.pivot_table(index=["indicator", "unit"], columns="month", values="total",
                                  aggfunc="sum")
    wide = wide.reindex(columns=range(1, 13))
    values = wide.to_numpy(dtype=float)
    total = np.nansum(values, axis=1)
    ok = (~np.isnan(values)).all(axis=1) & (total > 0) & (values >= 0).all(axis=1, where=~np.isnan(values))
    shares = values[ok] / total[ok, None]
    out = pd.DataFrame(shares, columns=cols, index=wide.index[ok]).reset_index()
    return out


def monthly_trajectories(targets: pd.DataFrame, year: int, time_aggregation: pd.Series,
                         profiles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Twelve monthly targets for every (indicator, unit) with a target in ``year``.

    ``targets`` has columns indicator, unit, period, value (periods of that year only);
    ``time_aggregation`` maps indicator -> sum/mean/last/max; ``profiles`` comes from
    :func:`seasonal_profiles` (flat where absent). Returns indicator, unit, annual, m1..m12.
    """
    if targets.empty:
        return pd.DataFrame(columns=["indicator", "unit", "annual", *[f"m{m}" for m in range(1, 13)]])
    return trajectories_of(*target_arrays(targets, year), time_aggregation, profiles)


def trajectories_of(keys: pd.DataFrame, arrays: dict[str, np.ndarray], time_aggregation: pd.Series,
                    profiles: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`monthly_trajectories` from the output of :func:`target_arrays`."""
    cols = [f"m{m}" for m in range(1, 13)]
    keys = keys.copy()
    n = len(keys)
    prof = np.tile(FLAT, (n, 1))
    if profiles is not None and not profiles.empty:
        merged = keys.merge(profiles, on=["indicator", "unit"], how="left")
        have = merged["m1"].notna().to_numpy()
        prof[have] = merged.loc[have, cols].to_numpy(dtype=float)
    agg = _per_key(time_aggregation, keys["indicator"], "sum")
    summed = disaggregate(arrays["Y"][:, 0], arrays["H"], arrays["Q"], arrays["M"], prof)
    levels = _level_trajectory(arrays)
    monthly = np.where((agg == "sum")[:, None], summed, levels)
    annual = np.where(agg == "sum", np.where(np.isnan(arrays["Y"][:, 0]), monthly.sum(axis=1),
                                             arrays["Y"][:, 0]), arrays["Y"][:, 0])
    out = keys
    out["annual"] = annual
    out[cols] = monthly
    return out


def target_arrays(targets: pd.DataFrame, year: int | None = None) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The targets of ``year`` (all years: None) as arrays over (indicator, unit) keys.

    Returns ``keys`` (indicator, unit; one row per series) and arrays ``"Y"`` (n, 1), ``"H"`` (n, 2),
    ``"Q"`` (n, 4), ``"M"`` (n, 12) with NaN where no target is given. Integer keys instead of
    merges: these frames have a row per unit x indicator x period.
    """
    period_codes, periods = pd.factorize(targets["period"])
    years = np.array([Period.parse(p).year for p in periods] or [0], dtype=np.int64)[period_codes]
    chosen = np.ones(len(targets), bool) if year is None else years == year
    ind_codes, ind_uniques = pd.factorize(targets["indicator"].to_numpy()[chosen])
    unit_codes, unit_uniques = pd.factorize(targets["unit"].to_numpy()[chosen])
    return layout_from_ids(ind_codes.astype(np.int64), unit_codes.astype(np.int64), period_codes[chosen],
                           targets["value"].to_numpy(dtype=float)[chosen], list(periods),
                           np.asarray(ind_uniques, dtype=object), np.asarray(unit_uniques, dtype=object))


def layout_from_ids(indicator_id: np.ndarray, unit_id: np.ndarray, period_code: np.ndarray, value: np.ndarray,
                    periods: list[str], indicator_codes: np.ndarray,
                    unit_codes: np.ndarray) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """:func:`target_arrays` from integer ids (the store's ``target_ids``): no code text per target.

    ``periods[period_code]`` is each target's period; ``indicator_codes[id]`` and ``unit_codes[id]``
    turn ids into codes. One target per (indicator, unit, period) is expected (a plan already chosen).
    """
    parsed = [Period.parse(p) for p in periods]
    kind_of_period = np.array(["YHQM".index(p.kind) for p in parsed] or [0], dtype=np.int8)
    kinds = kind_of_period[period_code]  # small integer codes: no string per target
    index = np.array([p.index for p in parsed] or [1], dtype=np.int64)[period_code]
    width = int(unit_id.max()) + 1 if len(unit_id) else 1
    space = (int(indicator_id.max()) + 1 if len(indicator_id) else 1) * width
    every, (rows,) = distinct_keys([indicator_id * width + unit_id], space)
    keys = pd.DataFrame({"indicator": indicator_codes[every // width], "unit": unit_codes[every % width]})
    arrays = {}
    for code, (kind_code, size) in enumerate((("Y", 1), ("H", 2), ("Q", 4), ("M", 12))):
        arr = np.full((len(keys), size), np.nan)
        here = kinds == code
        arr[rows[here], index[here] - 1] = value[here]
        arrays[kind_code] = arr
    return keys, arrays


# Key spaces (e.g. units x indicators) up to this size are ranked through a dense index.
DENSE_KEYS = 50_000_000


def distinct_keys(keys: list[np.ndarray], space: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """The distinct values of integer key arrays (all in ``[0, space)``), sorted, and each array's
    positions among them. Marks over a dense grid when it is small enough: linear, no sort of
    millions of keys."""
    if space <= DENSE_KEYS:
        seen = np.zeros(space, bool)
        for key in keys:
            seen[key] = True
        every = np.flatnonzero(seen)
        position = np.full(space, -1, dtype=np.int64)
        position[every] = np.arange(len(every))
        return every, [position[key] for key in keys]
    every = np.unique(np.concatenate(keys))
    return every, [np.searchsorted(every, key) for key in keys]


def series_needing_profiles(targets: pd.DataFrame, time_agg: pd.Series) -> pd.DataFrame:
    """Series (indicator, unit) whose trajectory is not fully given by monthly or quarterly targets."""
    if targets.empty:
        return pd.DataFrame(columns=["indicator", "unit"])
    return needing_profiles_of(*target_arrays(targets), time_agg)


def needing_profiles_of(keys: pd.DataFrame, arrays: dict[str, np.ndarray], time_agg: pd.Series) -> pd.DataFrame:
    """:func:`series_needing_profiles` from the output of :func:`target_arrays`."""
    covered = (~np.isnan(arrays["M"])).sum(axis=1) + 3 * (~np.isnan(arrays["Q"])).sum(axis=1)
    summed = _per_key(time_agg, keys["indicator"], "sum") == "sum"
    return keys[summed & (covered < 12)].reset_index(drop=True)


def _per_key(mapping: pd.Series, codes: pd.Series, default: str) -> np.ndarray:
    """``mapping`` looked up for each code, mapping each distinct code once."""
    position, uniques = pd.factorize(codes)
    looked_up = mapping.reindex(uniques).fillna(default).to_numpy(dtype=object)
    return looked_up[position] if len(looked_up) else np.empty(0, dtype=object)


def _level_trajectory(arrays: dict[str, np.ndarray]) -> np.ndarray:
    """For level indicators every month carries the finest target that covers it."""
    months = arrays["M"].copy()
    for kind, size in (("Q", 3), ("H", 6), ("Y", 12)):
        coarse = np.repeat(arrays[kind], size, axis=1)
        months = np.where(np.isnan(months), coarse, months)
    return months
