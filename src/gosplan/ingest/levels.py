"""Which level of the unit hierarchy reports an indicator: the roll-up rule of report writes.

A unit with units below it (a county, a province, the country) gets its value of an indicator by
summing the units below, and its own report would replace that sum (the fulfilment engine lets a
unit's own report win). So a report for such a roll-up unit is accepted only when the indicator is
reported at that level by design:

* no unit below it reports the indicator or has a target for it (in the store or in the same file), and
* the unit itself has a target for the indicator, or has reported it before.

Otherwise the row is refused, naming the units below that carry the figure.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from gosplan.store import Store

from .checks import Problems


def check_report_levels(problems: Problems, out: pd.DataFrame, ok: np.ndarray, store: Store) -> None:
    """Refuse rows of ``out`` (indicator, unit, period; checked codes where ``ok``) for roll-up units
    whose indicator is carried by the units below them or is not assigned at their level."""
    units = store.units()
    children: dict[str, list[str]] = defaultdict(list)
    for code, parent in zip(units["code"], units["parent"], strict=True):
        if isinstance(parent, str) and parent:
            children[parent].append(code)
    rollup = out["unit"].isin(children.keys()).to_numpy() & ok
    if not rollup.any():
        return
    rows = out[rollup]
    below = {unit: _descendants(unit, children) for unit in rows["unit"].unique().tolist()}
    indicators = sorted(set(rows["indicator"]))
    years = sorted({str(p)[:4] for p in rows["period"]})
    wanted = sorted(set(below) | {u for members in below.values() for u in members})
    reported = store.reports(indicators=indicators, units=wanted, first=f"{years[0]}-01", last=f"{years[-1]}-12")
    targets = store.targets(indicators=indicators, units=wanted)
    carriers = pd.concat([reported[["indicator", "unit"]], targets[["indicator", "unit"]],
                          out.loc[~rollup & ok, ["indicator", "unit"]]], ignore_index=True).drop_duplicates()
    carried_by = carriers.groupby("indicator")["unit"].agg(set).to_dict()
    own = pd.concat([reported[["indicator", "unit"]], targets[["indicator", "unit"]]]).drop_duplicates()
    assigned = set(zip(own["indicator"], own["unit"], strict=True))
    for (unit, indicator), group in rows.groupby(["unit", "indicator"], sort=False):
        lower = sorted(carried_by.get(indicator, set()) & below[unit])
        if lower:
            example = ", ".join(lower[:3]) + (f" and {len(lower) - 3} more" if len(lower) > 3 else "")
            reason = (f"{unit} is a roll-up unit: its {indicator} is the sum of the {len(lower)} unit(s) below it "
                      f"that report it ({example}); report for those units instead")
        elif (indicator, unit) not in assigned:
            reason = (f"{unit} has units below it and {indicator} is not reported at its level (it has no target "
                      f"for {indicator}); report for the units below")
        else:
            continue
        problems.add_rows(group.index, "unit", reason)


def _descendants(unit: str, children: dict[str, list[str]]) -> set[str]:
    found: set[str] = set()
    stack = list(children.get(unit, []))
    while stack:
        code = stack.pop()
        if code not in found:
            found.add(code)
            stack.extend(children.get(code, []))
    return found
