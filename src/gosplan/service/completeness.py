"""Completeness and timeliness of reporting over a period: who owes which reports, who sent them,
who sent them on time (see :mod:`gosplan.engines.completeness` for the definitions).

What a unit owes comes from the indicator sets assigned to it. A store without any assignment falls
back on its targets: a unit holding a target of its own for an indicator for any period of a year
owes that indicator every month of the year. The deadline is the setting ``report_deadline_days``
(days after the month's end, default 15).

    view = completeness(service, "2023-H1", by="unit")
    view.summary       # the unit's subtree: expected, received, on_time, rates
    view.table         # one row per child unit (or per level, or per indicator)
    view.silent        # units that owe reports and sent none
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gosplan.engines.completeness import (
    COUNT_COLUMNS,
    DEFAULT_DEADLINE_DAYS,
    CompletenessResult,
    by_indicator,
    deadlines,
    expected_from_assignments,
    expected_from_targets,
)
from gosplan.engines.completeness import (
    completeness as compute,
)
from gosplan.errors import GosplanError, InvalidValue, NotFound
from gosplan.i18n import _
from gosplan.model import Period
from gosplan.service.core import Service

DEADLINE_KEY = "report_deadline_days"
BY_CHOICES = ("level", "unit", "indicator")


@dataclass
class CompletenessView:
    """What ``gosplan completeness`` shows."""

    period: str
    unit: str
    by: str
    basis: str  # "indicator sets" or "targets"
    deadline_days: int
    summary: pd.Series
    table: pd.DataFrame
    silent: pd.DataFrame
    result: CompletenessResult


def deadline_days(service: Service) -> int:
    """The setting ``report_deadline_days`` (default 15)."""
    value = service.store.get_meta(DEADLINE_KEY)
    return DEFAULT_DEADLINE_DAYS if value is None else int(value)


def set_deadline_days(service: Service, days: int) -> None:
    """Reports arriving more than ``days`` after the end of their month are late."""
    if not 0 <= int(days) <= 366:
        raise InvalidValue(_("the deadline must be 0..366 days after the month's end, not {days}", days=days))
    service.store.set_meta(DEADLINE_KEY, str(int(days)))


def define_set(service: Service, code: str, name: str, indicators: list[str]) -> None:
    """Create or replace an indicator set."""
    service.store.write_indicator_set(code, name or code, indicators)


def assign_set(service: Service, code: str, unit: str, *, kind: str | None = None, first: str | None = None,
               last: str | None = None) -> int:
    """Assign a set to ``unit``, or with ``kind`` to every unit of that kind in its subtree, from month
    ``first`` to ``last`` (both optional). Returns the number of units assigned."""
    hierarchy = service.hierarchy()
    if unit not in hierarchy.parent:
        raise NotFound(_("unknown unit {unit}", unit=repr(unit)))
    members = [unit]
    if kind:
        kinds = service.units().set_index("code")["kind"]
        members = [u for u in hierarchy.subtree(unit) if kinds.get(u) == kind]
        if not members:
            raise NotFound(_("no unit of kind {kind} under {unit}", kind=repr(kind), unit=repr(unit)))
    start = Period.parse(first).first_month().ordinal if first else None
    end = Period.parse(last).last_month().ordinal if last else None
    if start is not None and end is not None and end < start:
        raise InvalidValue(_("the assignment ends ({last}) before it starts ({first})", last=last, first=first))
    return service.store.assign_indicator_set(code, members, start, end)


def due_months(service: Service, period: str | Period, as_of: str | None = None) -> tuple[int, int]:
    """The months of ``period`` that are due: up to ``as_of`` (a month), by default up to the latest
    month anybody reported (months after it are not expected yet). Ordinals ``(first, last)``."""
    p = Period.parse(period)
    first, last = p.first_month().ordinal, p.last_month().ordinal
    cut = as_of or service.store.last_reported_month()
    if cut is not None:
        last = min(last, Period.parse(cut).last_month().ordinal)
    if last < first:
        raise InvalidValue(_("nothing of {period} is due as of {cut}: choose an earlier period or a later --as-of",
                              period=p, cut=cut))
    return first, last


def compute_completeness(service: Service, period: str | Period, as_of: str | None = None
                         ) -> tuple[CompletenessResult, str, int]:
    """The engine's result for every unit over the due months of ``period``; with the basis and the
    deadline used."""
    first, last = due_months(service, period, as_of)
    days = deadline_days(service)
    assignments = service.store.indicator_set_assignments()
    if assignments.empty:
        basis = "targets"
        expected = expected_from_targets(service.store.own_target_years(range(first // 12, last // 12 + 1)),
                                         first, last)
    else:
        basis = "indicator sets"
        members = service.store.indicator_sets()
        expected = expected_from_assignments(assignments, members, first, last)
    arrived = service.store.report_arrivals(first, last, deadlines(first, last, days))
    return compute(expected, arrived, service.hierarchy()), basis, days


def completeness(service: Service, period: str | Period, *, unit: str | None = None, by: str = "level",
                 depth: int | None = None, as_of: str | None = None) -> CompletenessView:
    """Completeness of ``unit``'s subtree (default: the top) over ``period``, by level, unit or indicator."""
    if by not in BY_CHOICES:
        raise GosplanError(_("{option} must be one of {choices}, not {value}", option="--by",
                              choices=", ".join(BY_CHOICES), value=repr(by)))
    p = Period.parse(period)
    hierarchy = service.hierarchy()
    unit = unit or service.root()
    if unit not in hierarchy.parent:
        raise NotFound(_("unknown unit {unit}", unit=repr(unit)))
    first, last = due_months(service, p, as_of)
    result, basis, days = compute_completeness(service, p, as_of)
    members = set(hierarchy.subtree(unit))
    units = result.units
    names = service.units().set_index("code")
    here = units[units["unit"].eq(unit)]
    summary = here.iloc[0] if len(here) else pd.Series({c: 0 for c in units.columns} | {"unit": unit})
    if by == "unit":
        base = hierarchy.depth[unit]
        span = 1 if depth is None else max(depth, 1)
        table = units[units["unit"].isin(members) & units["depth"].between(base + 1, base + span)]
        table = table.sort_values(["depth", "reporting_rate", "unit"], ascending=[True, True, True])
        table = table.assign(name=table["unit"].map(names["name"]), kind=table["unit"].map(names["kind"]))
    elif by == "level":
        table = _by_level(result, members, names["kind"], hierarchy.depth)
    else:
        table = by_indicator(result.cells, hierarchy, unit)
    silent = result.silent[result.silent["unit"].isin(members)]
    silent = silent.assign(name=silent["unit"].map(names["name"]), kind=silent["unit"].map(names["kind"]),
                           parent=silent["unit"].map(names["parent"]))
    label = str(p) if (first, last) == (p.first_month().ordinal, p.last_month().ordinal) else \
        f"{Period.from_ordinal(first)}..{Period.from_ordinal(last)}"
    return CompletenessView(label, unit, by, basis, days, summary, table.reset_index(drop=True),
                            silent.reset_index(drop=True), result)


def _by_level(result: CompletenessResult, members: set[str], kinds: pd.Series, depth: dict[str, int]
              ) -> pd.DataFrame:
    """Reports owed by the units of each level of the subtree (their own, not their subtrees')."""
    cells = result.cells[result.cells["unit"].isin(members)]
    per_unit = cells.groupby("unit")[COUNT_COLUMNS].sum()
    per_unit = per_unit[per_unit["expected"] > 0]
    if per_unit.empty:
        return pd.DataFrame(columns=["depth", "kind", "units", *COUNT_COLUMNS, "missing", "late",
                                     "reporting_rate", "on_time_rate", "units_silent"])
    per_unit["depth"] = per_unit.index.map(depth)
    per_unit["kind"] = per_unit.index.map(kinds)
    per_unit["silent"] = (per_unit["received"] == 0).astype(np.int64)
    table = per_unit.groupby(["depth", "kind"]).agg(
        units=("expected", "size"), expected=("expected", "sum"), received=("received", "sum"),
        on_time=("on_time", "sum"), unexpected=("unexpected", "sum"), units_silent=("silent", "sum"),
    ).reset_index()
    expected = table["expected"].to_numpy(dtype=float)
    table["missing"] = table["expected"] - table["received"]
    table["late"] = table["received"] - table["on_time"]
    table["reporting_rate"] = 100.0 * table["received"] / expected
    table["on_time_rate"] = 100.0 * table["on_time"] / expected
    return table
