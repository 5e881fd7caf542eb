"""Approval states over the unit hierarchy (pure): which state covers a unit's month.

A state is recorded at a unit for a month and covers the unit's whole subtree: an enterprise
submits its own month, a county approving itself approves every enterprise below it, a lock at the
top locks the country. The state in force for a unit is the strongest one recorded on its path to
the top, ranked ``open < submitted < approved < accepted < locked`` (a higher approval level ranks
above a lower one). Levels count up from the reporting units: level of a unit = the depth of the
deepest unit minus its own depth (enterprise 0, county 1, province 2, country 3 in the demo).

>>> import pandas as pd
>>> from gosplan.engines.hierarchy import Hierarchy
>>> h = Hierarchy(pd.DataFrame({"code": ["KP", "P1", "E1", "E2"], "parent": [None, "KP", "P1", "P1"]}))
>>> rows = pd.DataFrame({"unit": ["E1", "P1"], "period": ["2023-06"] * 2, "state": ["submitted", "approved"],
...                      "level": [0, 1]})
>>> in_force(rows, h, ["E1", "E2", "KP"], ["2023-06"] * 3)["state"].tolist()
['approved', 'approved', 'open']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from gosplan.engines.hierarchy import Hierarchy

STATES = ("open", "submitted", "approved", "accepted", "locked")
RANK = {state: i for i, state in enumerate(STATES)}
FORCE_COLUMNS = ["unit", "period", "state", "level", "holder"]


def levels(hierarchy: Hierarchy) -> dict[str, int]:
    """The approval level of every unit: depth of the deepest unit minus its own depth."""
    deepest = max(hierarchy.depth.values(), default=0)
    return {code: deepest - depth for code, depth in hierarchy.depth.items()}


def in_force(rows: pd.DataFrame, hierarchy: Hierarchy, units: Sequence[str], periods: Sequence[str]
             ) -> pd.DataFrame:
    """The state in force for each (unit, period) pair asked (``units`` and ``periods`` side by side):
    unit, period, state, level, holder (the unit where the state was recorded, None when open).
    ``rows``: unit, period, state, level — what is recorded."""
    asked = pd.DataFrame({"unit": list(units), "period": list(periods)})
    out = asked.assign(state="open", level=0, holder=None)
    if rows.empty or asked.empty:
        return out[FORCE_COLUMNS]
    recorded = rows.assign(score=rows["state"].map(RANK).astype(float) * 100 + rows["level"].astype(float))
    by_period = {p: {r.unit: (r.score, r.state, int(r.level)) for r in g.itertuples(index=False)}
                 for p, g in recorded.groupby("period")}
    paths: dict[str, list[str]] = {}
    found: dict[tuple[str, str], tuple[str, int, str]] = {}
    for unit, period in asked.drop_duplicates().itertuples(index=False):
        held = by_period.get(period)
        if not held or unit not in hierarchy.parent:
            continue
        path = paths.get(unit) or paths.setdefault(unit, hierarchy.path(unit))
        best = max(((held[a], a) for a in path if a in held), default=None, key=lambda x: x[0][0])
        if best is not None:
            (_, state, level), holder = best
            found[(unit, period)] = (state, level, holder)
    if not found:
        return out[FORCE_COLUMNS]
    keys = list(zip(asked["unit"], asked["period"], strict=True))
    hits = [found.get(k) for k in keys]
    mask = np.array([h is not None for h in hits])
    out.loc[mask, "state"] = [h[0] for h in hits if h is not None]
    out.loc[mask, "level"] = [h[1] for h in hits if h is not None]
    out.loc[mask, "holder"] = [h[2] for h in hits if h is not None]
    return out[FORCE_COLUMNS]
