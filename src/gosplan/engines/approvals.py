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


def chain_levels(chain: Sequence[str], kinds: dict[str, str]) -> dict[str, int]:
    """The approval level of every unit under an indicator set's own chain: the position of the unit's
    kind in ``chain`` (kinds from the submitting level up). Units of other kinds have no level.

    >>> chain_levels(["enterprise", "ministry", "country"], {"E1": "enterprise", "M": "ministry", "P": "province"})
    {'E1': 0, 'M': 1}
    """
    position = {kind: level for level, kind in enumerate(chain)}
    return {unit: position[kind] for unit, kind in kinds.items() if kind in position}


def chain_of_indicators(chains: pd.DataFrame, members: pd.DataFrame) -> dict[str, str]:
    """Which chain each indicator's reports follow: the code of the indicator set holding it that has a
    chain of its own (``chains``: set, level, kind; ``members``: set, indicator). Indicators of no such
    set follow the hierarchy's levels (key ``""``, not listed)."""
    if chains.empty or members.empty:
        return {}
    with_chain = members[members["set"].isin(set(chains["set"]))]
    return dict(zip(with_chain["indicator"], with_chain["set"], strict=True))


def in_force_by_chain(rows: pd.DataFrame, hierarchy: Hierarchy, units: Sequence[str], periods: Sequence[str],
                      chains: Sequence[str]) -> pd.DataFrame:
    """:func:`in_force` where each asked (unit, period) names the chain it follows (``chains``, side by
    side; ``""`` = the hierarchy's levels). ``rows`` carry ``set_code``: a pair sees the states recorded
    for its own chain, and also the locks recorded for the hierarchy (a lock closes a month for every
    indicator).

    >>> from gosplan.engines.hierarchy import Hierarchy
    >>> h = Hierarchy(pd.DataFrame({"code": ["KP", "E1"], "parent": [None, "KP"]}))
    >>> rows = pd.DataFrame({"unit": ["E1", "KP"], "period": ["2023-06"] * 2, "state": ["approved", "locked"],
    ...                      "level": [1, 1], "set_code": ["fuel", ""]})
    >>> in_force_by_chain(rows, h, ["E1", "E1"], ["2023-06", "2023-05"], ["fuel", ""])["state"].tolist()
    ['locked', 'open']
    """
    asked = pd.DataFrame({"unit": list(units), "period": list(periods), "chain": list(chains)})
    out = pd.DataFrame({"unit": asked["unit"], "period": asked["period"], "state": "open", "level": 0,
                        "holder": None})[FORCE_COLUMNS]
    if rows.empty or asked.empty:
        return out
    keys = rows["set_code"] if "set_code" in rows else pd.Series("", index=rows.index)
    for chain, where in asked.groupby("chain").groups.items():
        seen = rows[keys.eq(chain) | (keys.eq("") & rows["state"].eq("locked"))]
        part = in_force(seen, hierarchy, asked.loc[where, "unit"].tolist(), asked.loc[where, "period"].tolist())
        out.loc[where, FORCE_COLUMNS] = part[FORCE_COLUMNS].to_numpy()
    return out.astype({"level": "int64"})
