"""What a supplier can spare for extra deliveries (pure).

A supplier's capacity for the rest of the year is its yearly capacity (the store's record plus what
projects commission in the year) times the share of the year left; its forecast output for the rest
of the year is the plan's seasonal path at the fulfilment it has shown. The difference is the capacity
that would stand idle: what it can spare for the deliveries the action plan asks. What the plan's own
measures add to a supplier's output takes up its spare first (the engine plans the units that supply
others before the units they feed). A supplier without a capacity record is not capped (nothing is
known against it), nor is one whose output to date already exceeds its capacity for the months gone:
that record is stale.

>>> import pandas as pd
>>> capacity = pd.DataFrame({"unit": ["mine"], "indicator": ["coal"], "capacity": [1300.0]})
>>> facts = pd.DataFrame({"unit": ["mine"], "indicator": ["coal"], "target": [600.0], "actual": [480.0],
...     "annual_target": [1200.0], "rest_path": [600.0]})
>>> spare_capacity(capacity, facts, "2023-06")[["unit", "good", "spare"]].values.tolist()  # 650 - 0.8 * 600
[['mine', 'coal', 170.0]]
"""

from __future__ import annotations

import math

import pandas as pd

from gosplan.model import Period

SPARE_COLUMNS = ["unit", "good", "capacity", "rest_capacity", "forecast", "spare"]


def _number(value: object) -> float:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return out if math.isfinite(out) else math.nan


def spare_capacity(capacity: pd.DataFrame | None, facts: pd.DataFrame, as_of: str) -> pd.DataFrame:
    """Per supplier and good (:data:`SPARE_COLUMNS`): the rest of the year's capacity, what the supplier
    must make anyway, and the ``spare`` (never below zero). ``capacity``: unit, indicator, capacity (in
    the year, the indicator's unit); ``facts``: unit, indicator, target, actual, rest_path."""
    if capacity is None or capacity.empty:
        return pd.DataFrame(columns=SPARE_COLUMNS)
    month = Period.parse(as_of).last_month()
    share_left = (12 - month.index) / 12
    known = facts.drop_duplicates(["unit", "indicator"]).set_index(["unit", "indicator"])
    rows = []
    for unit, good, yearly in capacity[["unit", "indicator", "capacity"]].itertuples(index=False):
        yearly = _number(yearly)
        if not yearly >= 0:
            continue
        rest_capacity = yearly * share_left
        forecast = 0.0
        stale = False
        if (unit, good) in known.index:
            row = known.loc[(unit, good)]
            target, actual, rest_path = _number(row["target"]), _number(row["actual"]), _number(row["rest_path"])
            # Not reported: count on the plan's path (the cautious side for a supplier's spare).
            pace = actual / target * rest_path if target > 0 and math.isfinite(actual) else rest_path
            forecast = pace if math.isfinite(pace) else 0.0
            stale = actual > yearly * (1 - share_left) + 1e-9
        if stale:
            continue
        rows.append((str(unit), str(good), yearly, rest_capacity, forecast, max(rest_capacity - forecast, 0.0)))
    return pd.DataFrame(rows, columns=SPARE_COLUMNS)


class SpareLedger:
    """Spare capacity drawn down as deliveries are planned: each tonne is promised once."""

    def __init__(self, spare: pd.DataFrame):
        self.left = {(str(u), str(g)): float(s) for u, g, s in spare[["unit", "good", "spare"]].itertuples(index=False)}

    def available(self, supplier: str, good: str) -> float:
        """What ``supplier`` can still spare of ``good`` (infinite where no capacity is recorded)."""
        return self.left.get((supplier, good), math.inf)

    def supportable(self, links: list[tuple[str, str, float]]) -> float:
        """The extra output the suppliers' spare inputs allow: the tightest (supplier, good, norm) link."""
        bounds = [self.available(s, g) / norm for s, g, norm in links if norm > 0]
        return min(bounds, default=math.inf)

    def draw(self, supplier: str, good: str, quantity: float) -> None:
        if (supplier, good) in self.left:
            self.left[(supplier, good)] = max(self.left[(supplier, good)] - quantity, 0.0)
