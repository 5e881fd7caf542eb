"""How taut a plan is, and how far a five-year plan has come (pure: frames in, ratios and codes out).

**Tautness** puts each annual target beside what the unit did in the last three complete years, its
capacity where one is stored, and, for crops that depend on the weather, the normal-weather output:

* ``vs_mean`` = target / mean of the last three years − 1, ``vs_best`` = target / the best of them − 1;
* ``history_ceiling`` = the best year grown once more by the best year-on-year growth of those years
  (no growth when output fell): the most the record supports; ``vs_ceiling`` = target / ceiling − 1;
* ``vs_capacity`` = the target's value / the capacity (both in money at plan prices) − 1;
* ``vs_normal`` = target / normal-weather output − 1;
* ``vs_frontier`` = target / the efficiency frontier's potential − 1: what the units would produce
  with the inputs they have if each matched the best practice of its peers (DEA, the reserves engine).

``code`` names the most serious finding: ``beyond capacity``, ``beyond normal weather``, ``beyond
frontier`` (more than every unit at best practice could make), ``beyond history`` (above the
ceiling), ``taut`` (above the best year), ``moderate``, ``slack`` (below the worst year), or ``no
history``. Where lower is better (a ceiling on consumption) the comparisons are mirrored.

>>> targets = pd.DataFrame({"indicator": "coal", "unit": ["KP", "mine"], "target": [118.0, 47.5]})
>>> history = pd.DataFrame({"indicator": "coal", "unit": ["KP"] * 3 + ["mine"] * 3,
...                         "year": [2020, 2021, 2022] * 2, "output": [95.0, 100.0, 105.0, 48.0, 47.0, 46.0]})
>>> t = tautness(targets, history).set_index("unit")
>>> t.loc["KP", "code"], round(float(t.loc["KP", "history_ceiling"]), 2), t.loc["mine", "code"]
('beyond history', 110.53, 'moderate')

**Five-year progress** compares each indicator's output in every year of the plan so far (the
current year at its expected total) with the plan's final-year target: the share of the way from the
first year to the target covered, the growth achieved a year, and the growth each remaining year
needs: ``(target / latest level) ** (1 / years left) − 1``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gosplan.engines.forecast._frames import _require

TAUTNESS_COLUMNS = ["indicator", "unit", "target", "years", "last_mean", "last_best", "last_worst", "best_growth",
                    "history_ceiling", "vs_mean", "vs_best", "vs_ceiling", "capacity_ratio", "vs_capacity",
                    "normal_output", "vs_normal", "frontier_output", "vs_frontier", "code"]
PROGRESS_COLUMNS = ["indicator", "first_year", "first_level", "latest_year", "latest_level", "latest_is_expected",
                    "target_year", "target", "share_done", "growth_achieved", "years_left", "growth_needed",
                    "code"]
HISTORY_YEARS = 3


def tautness(targets: pd.DataFrame, history: pd.DataFrame, capacity: pd.DataFrame | None = None,
             normal: pd.DataFrame | None = None, direction: dict[str, str] | None = None,
             frontier: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tautness of each target (``targets[indicator, unit, target]``) against the last three complete
    years of ``history[indicator, unit, year, output]``, ``capacity[indicator, unit, capacity_ratio]``
    (the target's value over the capacity, when stored), ``normal[indicator, unit, normal_output]`` and
    ``frontier[indicator, unit, frontier_output]`` (the efficiency frontier's potential a year).

    Returns :data:`TAUTNESS_COLUMNS`, one row per target.
    """
    _require(targets, ["indicator", "unit", "target"], "targets")
    _require(history, ["indicator", "unit", "year", "output"], "history")
    keys = ["indicator", "unit"]
    out = targets[[*keys, "target"]].copy().reset_index(drop=True)
    recent = history.sort_values("year").groupby(keys).tail(HISTORY_YEARS)
    grouped = recent.groupby(keys)["output"]
    stats = pd.DataFrame({"years": grouped.size(), "last_mean": grouped.mean(), "last_best": grouped.max(),
                          "last_worst": grouped.min()})
    yoy = recent.sort_values("year").assign(growth=lambda f: f.groupby(keys)["output"].pct_change())
    stats["best_growth"] = yoy.groupby(keys)["growth"].max()
    stats["worst_growth"] = yoy.groupby(keys)["growth"].min()
    out = out.join(stats, on=keys)
    lower = out["indicator"].map(direction or {}).eq("lower").to_numpy()
    best = np.where(lower, out["last_worst"], out["last_best"])
    worst = pd.to_numeric(out["worst_growth"], errors="coerce").fillna(0.0)  # object dtype when all missing
    best_growth = pd.to_numeric(out["best_growth"], errors="coerce").fillna(0.0)
    growth = np.where(lower, np.minimum(worst, 0.0), np.maximum(best_growth, 0.0))
    out["last_best"] = best
    out["last_worst"] = np.where(lower, stats.reindex(pd.MultiIndex.from_frame(out[keys]))["last_best"].to_numpy(),
                                 out["last_worst"])
    out["history_ceiling"] = best * (1 + growth)
    target = out["target"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["vs_mean"] = target / out["last_mean"].to_numpy(float) - 1
        out["vs_best"] = target / best - 1
        out["vs_ceiling"] = target / out["history_ceiling"].to_numpy(float) - 1
    out["capacity_ratio"] = np.nan
    if capacity is not None and len(capacity):
        out["capacity_ratio"] = out.set_index(keys).index.map(
            capacity.set_index(keys)["capacity_ratio"]).to_numpy(float)
    out["vs_capacity"] = out["capacity_ratio"] - 1
    out["normal_output"] = np.nan
    if normal is not None and len(normal):
        out["normal_output"] = out.set_index(keys).index.map(normal.set_index(keys)["normal_output"]).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["vs_normal"] = target / out["normal_output"].to_numpy(float) - 1
    out["frontier_output"] = np.nan
    if frontier is not None and len(frontier):
        out["frontier_output"] = out.set_index(keys).index.map(
            frontier.set_index(keys)["frontier_output"]).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["vs_frontier"] = target / out["frontier_output"].to_numpy(float) - 1
    sign = np.where(lower, -1.0, 1.0)

    def above(column: str) -> np.ndarray:
        return np.nan_to_num(sign * out[column].to_numpy(float), nan=-np.inf) > 1e-9

    worst = np.where(lower, out["last_best"], out["last_worst"]).astype(float)  # mirrored above
    slack = np.where(lower, target > np.nan_to_num(out["last_worst"].to_numpy(float), nan=np.inf),
                     target < np.nan_to_num(worst, nan=-np.inf))
    code = np.select([np.nan_to_num(out["capacity_ratio"].to_numpy(float)) > 1 + 1e-9, above("vs_normal"),
                      above("vs_frontier"), above("vs_ceiling"), above("vs_best"), out["years"].isna().to_numpy(),
                      slack],
                     ["beyond capacity", "beyond normal weather", "beyond frontier", "beyond history", "taut",
                      "no history", "slack"],
                     "moderate")
    out["code"] = code
    return out[TAUTNESS_COLUMNS]


def five_year_progress(levels: pd.DataFrame, targets: pd.DataFrame, first_year: int, target_year: int,
                       latest_year: int, expected: pd.DataFrame | None = None) -> pd.DataFrame:
    """Progress of each indicator towards its final-year target.

    ``levels[indicator, year, output]``: complete years' output; ``targets[indicator, target]``: the
    plan's target for ``target_year``; ``expected[indicator, expected]``: the current year's expected
    total (used for ``latest_year`` when given). ``code``: ``on course`` when the growth needed a
    year is at most the growth achieved, ``needs faster growth`` otherwise, ``reached`` when the
    latest level already meets the target.

    >>> levels = pd.DataFrame({"indicator": "coal", "year": [2021, 2022], "output": [15.6, 16.3]})
    >>> targets = pd.DataFrame({"indicator": ["coal"], "target": [19.0]})
    >>> expected = pd.DataFrame({"indicator": ["coal"], "expected": [17.1]})
    >>> row = five_year_progress(levels, targets, 2021, 2025, 2023, expected).iloc[0]
    >>> [round(float(row[c]), 4) for c in ("share_done", "growth_achieved", "growth_needed")], row.code
    ([0.4412, 0.047, 0.0541], 'needs faster growth')
    """
    _require(levels, ["indicator", "year", "output"], "levels")
    _require(targets, ["indicator", "target"], "targets")
    rows = []
    for indicator, target in zip(targets["indicator"], targets["target"].astype(float), strict=True):
        own = levels[levels["indicator"].eq(indicator)].set_index("year")["output"].astype(float)
        latest, latest_is_expected = own.get(latest_year, np.nan), False
        if expected is not None and indicator in set(expected["indicator"]):
            latest = float(expected.set_index("indicator").loc[indicator, "expected"])
            latest_is_expected = True
        first = own.get(first_year, np.nan)
        years_done = latest_year - first_year
        years_left = target_year - latest_year
        with np.errstate(divide="ignore", invalid="ignore"):
            share = (latest - first) / (target - first) if target != first else np.nan
            achieved = (latest / first) ** (1 / years_done) - 1 if years_done > 0 else np.nan
            needed = (target / latest) ** (1 / years_left) - 1 if years_left > 0 else np.nan
        if latest >= target:
            code = "reached"
        elif not np.isfinite(needed):
            code = "no data"
        else:
            code = "on course" if np.isfinite(achieved) and needed <= achieved + 1e-12 else "needs faster growth"
        rows.append((indicator, first_year, first, latest_year, latest, latest_is_expected, target_year, target,
                     share, achieved, years_left, needed, code))
    return pd.DataFrame(rows, columns=PROGRESS_COLUMNS)


__all__ = ["PROGRESS_COLUMNS", "TAUTNESS_COLUMNS", "five_year_progress", "tautness"]
