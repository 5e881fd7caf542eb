"""Completeness and timeliness of reporting: expected, received and on-time reports, and their rates.

A *report* is one value of one indicator from one unit for one month. The rates follow DHIS2's
reporting-rate summary:

- reporting rate = actual reports / expected reports x 100;
- reporting rate on time = actual reports on time / expected reports x 100, where a report is on
  time when its first revision arrived by the deadline (``deadline_days`` after the end of its month;
  DHIS2 calls it "days after period end to qualify for timely submission" and defaults it to 15).

Only expected reports count: a value nobody asked for is *unexpected* and changes no rate, so no
rate exceeds 100 %. Counts roll up the unit hierarchy (a province's expected reports are those of
every unit in its subtree), through the one roll-up of :class:`~gosplan.engines.hierarchy.Hierarchy`.

Months inside a window of at most 64 months travel as bit masks (bit ``i`` = the window's month
``i``): an expected mask, a received mask and an on-time mask per (unit, indicator), so a year of
10,000 units x 50 indicators is 500,000 integers per mask rather than six million rows.

>>> import pandas as pd
>>> from gosplan.engines.hierarchy import Hierarchy
>>> h = Hierarchy(pd.DataFrame({"code": ["KP", "E1", "E2"], "parent": [None, "KP", "KP"]}))
>>> expected = pd.DataFrame({"unit": ["E1", "E2"], "indicator": ["coal", "coal"], "expected": [0b111, 0b111]})
>>> arrived = pd.DataFrame({"unit": ["E1"], "indicator": ["coal"], "received": [0b111], "on_time": [0b011]})
>>> result = completeness(expected, arrived, h)
>>> result.units.set_index("unit")[["expected", "received", "on_time"]].loc["KP"].tolist()
[6, 3, 2]
>>> result.silent["unit"].tolist()
['E2']
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from gosplan.engines.hierarchy import Hierarchy

DEFAULT_DEADLINE_DAYS = 15  # DHIS2's default "days after period end to qualify for timely submission"
MAX_WINDOW = 62  # months per mask (int64, sign bit unused)
COUNT_COLUMNS = ["expected", "received", "on_time", "unexpected"]
UNIT_COLUMNS = ["unit", "depth", *COUNT_COLUMNS, "missing", "late", "reporting_rate", "on_time_rate",
                "units_expected", "units_silent"]
CELL_COLUMNS = ["unit", "indicator", *COUNT_COLUMNS]


@dataclass(frozen=True)
class CompletenessResult:
    """What :func:`completeness` returns.

    ``cells``: per (unit, indicator) with expectations or arrivals — expected, received, on_time,
    unexpected (counts of months). ``units``: per unit and every ancestor, the counts of its subtree,
    ``missing`` (expected, not received), ``late`` (received after the deadline), ``reporting_rate``
    and ``on_time_rate`` in percent (NaN where nothing is expected), ``units_expected`` (units in the
    subtree that owe at least one report) and ``units_silent`` (of those, units that sent none).
    ``silent``: the units that owe reports and sent none in the window, with their counts.
    """

    cells: pd.DataFrame
    units: pd.DataFrame
    silent: pd.DataFrame


def popcount(masks: np.ndarray) -> np.ndarray:
    """Number of set bits of each non-negative int64.

    >>> popcount(np.array([0, 1, 0b1011, 2**61])).tolist()
    [0, 1, 3, 1]
    """
    values = np.asarray(masks, dtype=np.uint64)
    return np.unpackbits(values.view(np.uint8).reshape(-1, 8), axis=1).sum(axis=1).astype(np.int64)


def window_mask(first: int, last: int, start: int | None, end: int | None) -> int:
    """Bits of the months ``[start, end]`` (ordinals; ``None`` = open) inside the window ``[first, last]``.

    >>> bin(window_mask(100, 105, 102, None))
    '0b111100'
    """
    low = first if start is None else max(first, start)
    high = last if end is None else min(last, end)
    if high < low:
        return 0
    return ((1 << (high - low + 1)) - 1) << (low - first)


def deadlines(first: int, last: int, days: int) -> dict[int, datetime]:
    """The deadline of each month ordinal in ``[first, last]``: ``days`` after the month's last day
    (midnight ending that day, UTC, naive).

    >>> deadlines(2023 * 12 + 5, 2023 * 12 + 5, 15)
    {24281: datetime.datetime(2023, 7, 16, 0, 0)}
    """
    out = {}
    for ordinal in range(first, last + 1):
        year, month = divmod(ordinal + 1, 12)  # the first day of the next month
        out[ordinal] = datetime(year, month + 1, 1) + timedelta(days=days)
    return out


def expected_from_assignments(assignments: pd.DataFrame, members: pd.DataFrame, first: int, last: int
                              ) -> pd.DataFrame:
    """Expected months per (unit, indicator) from indicator sets assigned to units.

    ``assignments``: set, unit, first_month, last_month (ordinals or NaN for open ends);
    ``members``: set, indicator. A unit with two sets sharing an indicator owes it once.
    Returns unit, indicator, expected (mask over ``[first, last]``).
    """
    if assignments.empty or members.empty:
        return pd.DataFrame({"unit": [], "indicator": [], "expected": np.array([], dtype=np.int64)})
    masks = [window_mask(first, last, _ordinal(a), _ordinal(b))
             for a, b in zip(assignments["first_month"], assignments["last_month"], strict=True)]
    frame = assignments[["set", "unit"]].assign(expected=np.array(masks, dtype=np.int64))
    frame = frame[frame["expected"] > 0].merge(members[["set", "indicator"]], on="set")
    return _or_by_key(frame[["unit", "indicator", "expected"]])


def expected_from_targets(targets: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """Expected months per (unit, indicator) for a store without indicator sets: a unit that holds a
    target of its own for an indicator for any period of a year owes that indicator every month of
    that year (within the window).

    ``targets``: unit, indicator, year. Returns unit, indicator, expected (mask).
    """
    if targets.empty:
        return pd.DataFrame({"unit": [], "indicator": [], "expected": np.array([], dtype=np.int64)})
    years = targets[["unit", "indicator", "year"]].drop_duplicates()
    year_masks = {int(y): window_mask(first, last, int(y) * 12, int(y) * 12 + 11) for y in pd.unique(years["year"])}
    years = years.assign(expected=years["year"].map(year_masks).astype(np.int64))
    return _or_by_key(years.loc[years["expected"] > 0, ["unit", "indicator", "expected"]])


def completeness(expected: pd.DataFrame, arrived: pd.DataFrame, hierarchy: Hierarchy) -> CompletenessResult:
    """Count expected, received and on-time reports and roll them up the hierarchy.

    ``expected``: unit, indicator, expected (mask of months owed). ``arrived``: unit, indicator,
    received (mask of months with a report), on_time (mask of months whose first revision arrived by
    the deadline). Units not in the hierarchy are ignored.
    """
    cells = expected.merge(arrived, on=["unit", "indicator"], how="outer")
    known = cells["unit"].isin(hierarchy.parent)
    cells = cells[known]
    owed = cells["expected"].fillna(0).to_numpy(dtype=np.int64)
    got = cells["received"].fillna(0).to_numpy(dtype=np.int64)
    timely = cells["on_time"].fillna(0).to_numpy(dtype=np.int64)
    counts = pd.DataFrame({
        "unit": cells["unit"].to_numpy(),
        "indicator": cells["indicator"].to_numpy(),
        "expected": popcount(owed),
        "received": popcount(owed & got),
        "on_time": popcount(owed & got & timely),
        "unexpected": popcount(got & ~owed),
    }, columns=CELL_COLUMNS)
    per_unit = counts.groupby("unit", sort=False)[COUNT_COLUMNS].sum()
    per_unit["units_expected"] = (per_unit["expected"] > 0).astype(np.int64)
    per_unit["units_silent"] = ((per_unit["expected"] > 0) & (per_unit["received"] == 0)).astype(np.int64)
    value_columns = [*COUNT_COLUMNS, "units_expected", "units_silent"]
    own = per_unit.reset_index().assign(key="all")
    rolled = _rollup(hierarchy, own, value_columns)
    units = _rates(rolled, hierarchy)
    silent = per_unit[per_unit["units_silent"] > 0].reset_index()[["unit", "expected", "unexpected"]]
    silent = silent.assign(depth=silent["unit"].map(hierarchy.depth)).sort_values(["depth", "unit"])
    return CompletenessResult(counts.reset_index(drop=True), units, silent.reset_index(drop=True))


def by_indicator(cells: pd.DataFrame, hierarchy: Hierarchy, unit: str) -> pd.DataFrame:
    """Counts and rates per indicator owed in the subtree of ``unit`` (from :attr:`CompletenessResult.cells`)."""
    members = set(hierarchy.subtree(unit))
    inside = cells[cells["unit"].isin(members)]
    inside = inside[inside["indicator"].isin(set(inside.loc[inside["expected"] > 0, "indicator"]))]
    table = inside.groupby("indicator")[COUNT_COLUMNS].sum()
    table["units_expected"] = inside[inside["expected"] > 0].groupby("indicator")["unit"].nunique()
    silent = inside[(inside["expected"] > 0) & (inside["received"] == 0)]
    table["units_silent"] = silent.groupby("indicator")["unit"].nunique()
    table = table.fillna(0).astype(np.int64).reset_index()
    return _with_rates(table)


def _rollup(hierarchy: Hierarchy, own: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Sums over each subtree, a unit's own counts included (not replaced, unlike values)."""
    if own.empty:
        return pd.DataFrame(columns=["unit", *columns])
    index = pd.Index(hierarchy.codes)
    totals = np.zeros((len(index), len(columns)), dtype=np.int64)
    positions = index.get_indexer(own["unit"])
    np.add.at(totals, positions, own[columns].to_numpy(dtype=np.int64))
    depth = np.array([hierarchy.depth[c] for c in hierarchy.codes])
    parent = np.array([-1 if hierarchy.parent[c] is None else index.get_loc(hierarchy.parent[c])
                       for c in hierarchy.codes])
    for level in range(int(depth.max(initial=0)), 0, -1):
        at = np.flatnonzero(depth == level)
        np.add.at(totals, parent[at], totals[at])
    frame = pd.DataFrame(totals, columns=columns)
    frame.insert(0, "unit", hierarchy.codes)
    return frame[frame["expected"].gt(0) | frame["unexpected"].gt(0)]


def _rates(rolled: pd.DataFrame, hierarchy: Hierarchy) -> pd.DataFrame:
    out = _with_rates(rolled.reset_index(drop=True))
    out.insert(1, "depth", out["unit"].map(hierarchy.depth).astype(np.int64))
    return out[UNIT_COLUMNS].sort_values(["depth", "unit"]).reset_index(drop=True)


def _with_rates(table: pd.DataFrame) -> pd.DataFrame:
    expected = table["expected"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["reporting_rate"] = np.where(expected > 0, 100.0 * table["received"] / expected, np.nan)
        table["on_time_rate"] = np.where(expected > 0, 100.0 * table["on_time"] / expected, np.nan)
    table["missing"] = table["expected"] - table["received"]
    table["late"] = table["received"] - table["on_time"]
    return table


def _or_by_key(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (unit, indicator), the masks of repeated keys OR-ed (only those go through groupby)."""
    repeated = frame.duplicated(["unit", "indicator"], keep=False).to_numpy()
    if not repeated.any():
        return frame.reset_index(drop=True).astype({"expected": np.int64})
    merged = (frame[repeated].groupby(["unit", "indicator"], sort=False)["expected"]
              .agg(lambda masks: int(np.bitwise_or.reduce(masks.to_numpy(dtype=np.int64)))).reset_index())
    out = pd.concat([frame[~repeated], merged], ignore_index=True)
    return out.astype({"expected": np.int64})


def _ordinal(value: object) -> int | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    return int(value)
