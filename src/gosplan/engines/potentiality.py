"""Potentiality: what projects add, what a late one costs, Beer's three indices, stalled movements.

Stafford Beer (*Brain of the Firm*, 1972, ch. 12) measured every unit by three numbers in the same
physical unit: **actuality** (what it does now), **capability** (what it could do now, with existing
resources, under existing constraints) and **potentiality** (what it could do by developing its
resources and removing constraints). Their ratios are

* ``productivity = actuality / capability``,
* ``latency = capability / potentiality``,
* ``performance = actuality / potentiality = productivity × latency``.

Here capability is the DEA frontier (the best practice of the unit's peer group with the unit's own
inputs), and potentiality adds to it what is within reach by development: the capacity of the unit's
projects not yet commissioned, and the measured effect of a movement's technology the unit has not yet
adopted. Pure functions over frames; months are ordinals of :mod:`gosplan.model`.

A project is commissioned at the end of its commissioning month and works from the next month on, so a
project commissioned in March adds 9/12 of its yearly capacity to that year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gosplan.model import month_ordinal

COMMISSIONING_COLUMNS = ["project", "name", "unit", "kind", "indicator", "capacity", "norm_good", "norm_change",
                         "planned", "forecast", "delay_months", "complete"]
YEAR_CAPACITY_COLUMNS = ["unit", "indicator", "capacity", "planned_capacity", "lost"]
POTENTIAL_COLUMNS = ["actuality", "capability", "potentiality", "from_projects", "from_technology",
                     "productivity", "latency", "performance"]


def months_in_operation(commissioned: str | None, year: int) -> int:
    """Months of ``year`` a project commissioned at the end of month ``commissioned`` works.

    >>> months_in_operation("2024-03", 2024), months_in_operation("2023-11", 2024), months_in_operation(None, 2024)
    (9, 12, 0)
    """
    if commissioned is None or (isinstance(commissioned, float) and np.isnan(commissioned)):
        return 0
    first_working = month_ordinal(str(commissioned)) + 1
    return int(np.clip(year * 12 + 12 - first_working, 0, 12))


def capacity_in_year(commissioning: pd.DataFrame, year: int) -> pd.DataFrame:
    """Capacity the projects add to ``year`` per (unit, indicator), at the forecast and at the planned
    commissioning, and ``lost``: what the delay costs in the indicator's unit.

    ``commissioning``: columns unit, indicator, capacity (a year, in the indicator's unit), planned and
    forecast (``YYYY-MM`` commissioning months; forecast None when no forecast can be made: nothing
    counts).

    >>> frame = pd.DataFrame({"unit": ["st"], "indicator": ["electricity"], "capacity": [1200.0],
    ...                       "planned": ["2024-03"], "forecast": ["2024-07"]})
    >>> capacity_in_year(frame, 2024)[["capacity", "planned_capacity", "lost"]].to_numpy().tolist()
    [[500.0, 900.0, 400.0]]
    """
    frame = commissioning[commissioning["capacity"].notna() & commissioning["indicator"].notna()]
    if frame.empty:
        return pd.DataFrame(columns=YEAR_CAPACITY_COLUMNS)
    share = np.array([months_in_operation(c, year) for c in frame["forecast"]]) / 12
    planned_share = np.array([months_in_operation(c, year) for c in frame["planned"]]) / 12
    out = frame[["unit", "indicator"]].copy()
    out["capacity"] = frame["capacity"].to_numpy(float) * share
    out["planned_capacity"] = frame["capacity"].to_numpy(float) * planned_share
    out["lost"] = out["planned_capacity"] - out["capacity"]
    return out.groupby(["unit", "indicator"], as_index=False)[["capacity", "planned_capacity", "lost"]].sum()


def adjusted_norms(norms: pd.DataFrame, effects: pd.DataFrame, output: pd.DataFrame, year: int,
                   commissioned: str = "forecast") -> pd.DataFrame:
    """National norms of ``year`` after the norm changes working at some units for part of the year.

    ``effects``: unit, indicator (the consumer), norm_good, norm_change (a fraction) and the month the
    change starts working at that unit (column ``commissioned``, ``YYYY-MM``; it works from the next
    month). ``output``: unit, indicator, value (the year's output, e.g. a draft's targets). A change at
    a unit making share ``s`` of the consumer's output, working ``k`` months, moves the national norm by
    ``norm_change × s × k / 12``. Returns ``norms`` with ``norm`` replaced and ``base_norm`` beside it.

    >>> norms = pd.DataFrame({"good": ["kwh"], "consumer": ["steel"], "norm": [500.0]})
    >>> effects = pd.DataFrame({"unit": ["a"], "indicator": ["steel"], "norm_good": ["kwh"],
    ...                         "norm_change": [-0.08], "forecast": ["2023-12"]})
    >>> output = pd.DataFrame({"unit": ["a", "b"], "indicator": ["steel", "steel"], "value": [30.0, 70.0]})
    >>> float(adjusted_norms(norms, effects, output, 2024)["norm"].iloc[0])  # 500 × (1 − 0.08 × 0.3)
    488.0
    """
    out = norms.copy()
    out["base_norm"] = out["norm"]
    if effects.empty:
        return out
    totals = output.groupby("indicator")["value"].sum()
    by_unit = output.set_index(["unit", "indicator"])["value"]
    factor: dict[tuple[str, str], float] = {}
    for row in effects.itertuples(index=False):
        total = float(totals.get(row.indicator, 0.0))
        if total <= 0:
            continue
        share = float(by_unit.get((row.unit, row.indicator), 0.0)) / total
        months = months_in_operation(getattr(row, commissioned), year)
        key = (str(row.norm_good), str(row.indicator))
        factor[key] = factor.get(key, 0.0) + float(row.norm_change) * share * months / 12
    keys = list(zip(out["good"].astype(str), out["consumer"].astype(str), strict=True))
    out["norm"] = out["base_norm"] * (1 + np.array([factor.get(k, 0.0) for k in keys]))
    return out


def late_norm_cost(effects: pd.DataFrame, norms: pd.DataFrame, output: pd.DataFrame, year: int) -> pd.DataFrame:
    """The saving of ``norm_good`` a late norm change forgoes in ``year``, in the good's unit.

    ``effects`` as for :func:`adjusted_norms` with both ``planned`` and ``forecast`` months; ``output``
    the unit's output of the year. Returns project, unit, good, lost (positive: more of the good used).

    >>> norms = pd.DataFrame({"good": ["coal"], "consumer": ["kwh"], "norm": [0.0003]})
    >>> effects = pd.DataFrame({"project": ["r"], "unit": ["st"], "indicator": ["kwh"], "norm_good": ["coal"],
    ...     "norm_change": [-0.05], "planned": ["2023-12"], "forecast": ["2024-06"]})
    >>> output = pd.DataFrame({"unit": ["st"], "indicator": ["kwh"], "value": [1.2e9]})
    >>> round(float(late_norm_cost(effects, norms, output, 2024)["lost"].iloc[0]))  # 0.05 × 0.0003 × 1.2e9 × 6/12
    9000
    """
    norm = norms.set_index(["good", "consumer"])["norm"]
    made = output.set_index(["unit", "indicator"])["value"]
    rows = []
    for row in effects.itertuples(index=False):
        base = float(norm.get((row.norm_good, row.indicator), np.nan))
        produced = float(made.get((row.unit, row.indicator), 0.0))
        months = months_in_operation(row.planned, year) - months_in_operation(row.forecast, year)
        if not np.isfinite(base) or months <= 0:
            continue
        rows.append((row.project, row.unit, row.norm_good, -float(row.norm_change) * base * produced * months / 12))
    frame = pd.DataFrame(rows, columns=["project", "unit", "good", "lost"])
    return frame.groupby(["project", "good"], as_index=False).agg(unit=("unit", "first"), lost=("lost", "sum"))


def beer_indices(table: pd.DataFrame) -> pd.DataFrame:
    """Productivity, latency and performance from actuality, capability and potentiality columns.

    >>> t = pd.DataFrame({"actuality": [80.0], "capability": [100.0], "potentiality": [125.0]})
    >>> beer_indices(t)[["productivity", "latency", "performance"]].iloc[0].tolist()
    [0.8, 0.8, 0.64]
    """
    out = table.copy()
    cap = out["capability"].where(out["capability"] > 0)
    pot = out["potentiality"].where(out["potentiality"] > 0)
    out["productivity"] = out["actuality"] / cap
    out["latency"] = out["capability"] / pot
    out["performance"] = out["actuality"] / pot
    return out


def potentiality(units: pd.DataFrame, additions: pd.DataFrame, uplift: pd.Series | None = None) -> pd.DataFrame:
    """Actuality, capability and potentiality per unit, with Beer's indices.

    ``units``: indexed by unit with ``output`` (actuality) and ``potential_output`` (capability, the
    DEA frontier) and any descriptive columns; ``additions``: unit, value (output the unit's projects
    not yet commissioned add over the same period); ``uplift``: per unit, the relative output gain of a
    technology it has not yet adopted (0.06: 6 %), applied to its capability.

    >>> units = pd.DataFrame({"output": [80.0], "potential_output": [100.0]}, index=["a"])
    >>> adds = pd.DataFrame({"unit": ["a"], "value": [20.0]})
    >>> row = potentiality(units, adds, pd.Series({"a": 0.05})).loc["a"]
    >>> float(row.potentiality), float(row.latency), float(row.performance)
    (125.0, 0.8, 0.64)
    """
    out = units.copy()
    out["actuality"] = out["output"].astype(float)
    out["capability"] = np.maximum(out["potential_output"].astype(float), out["actuality"])
    added = additions.groupby("unit")["value"].sum() if len(additions) else pd.Series(dtype=float)
    out["from_projects"] = added.reindex(out.index).fillna(0.0).to_numpy()
    gain = (uplift if uplift is not None else pd.Series(dtype=float)).reindex(out.index).fillna(0.0).clip(lower=0)
    out["from_technology"] = out["capability"] * gain.to_numpy()
    out["potentiality"] = out["capability"] + out["from_projects"] + out["from_technology"]
    return beer_indices(out)


def sum_indices(table: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Actuality, capability, potentiality and their parts summed over ``by`` (e.g. sector, indicator),
    with the indices of the sums."""
    parts = ["actuality", "capability", "potentiality", "from_projects", "from_technology"]
    summed = table.groupby(by, as_index=False, sort=True)[parts].sum()
    summed["units"] = table.groupby(by, sort=True).size().to_numpy()
    return beer_indices(summed)


@dataclass(frozen=True)
class Stall:
    """Whether a movement has stalled: ``stalled``, the ``reason`` code (``no_room`` — the fitted
    potential is what has joined already; ``quiet`` — no unit joined for ``quiet_months``), and the
    figures behind it."""

    stalled: bool
    reason: str | None
    joined: int
    eligible: int
    fitted_potential: float | None
    months_since_last_join: int


def movement_stall(joined_months: list[int], eligible: int, as_of: int, fitted_potential: float | None,
                   quiet_months: int = 3) -> Stall:
    """Has a movement stalled by month ``as_of`` (ordinal)? Units remain that could join, and either the
    fitted Bass potential leaves room for less than one more unit, or no unit joined in the last
    ``quiet_months`` months.

    >>> movement_stall([24276, 24277, 24278], eligible=10, as_of=24281, fitted_potential=3.2)
    Stall(stalled=True, reason='no_room', joined=3, eligible=10, fitted_potential=3.2, months_since_last_join=3)
    >>> movement_stall([24276, 24277, 24281], eligible=10, as_of=24281, fitted_potential=8.0).stalled
    False
    """
    joined = len(joined_months)
    since = as_of - max(joined_months) if joined else as_of
    room = eligible - joined
    reason = None
    if room > 0 and fitted_potential is not None and fitted_potential - joined < 1.0:
        reason = "no_room"
    elif room > 0 and since >= quiet_months:
        reason = "quiet"
    return Stall(reason is not None, reason, joined, eligible, fitted_potential, int(since))
