"""The months after the plenum, for the action plan's stocktake: July-September 2023 reports.

Every unit that reported in June keeps reporting: each month it makes its plan's seasonal share of the
month times the pace it showed in the first half, and a unit behind plan catches up part of the way
(a draw per unit between none and twice its gap, so some actions come out green, some amber and
some red). Inputs (workers, energy,
machine hours, materials) follow output. Nothing here changes a figure of the first half: the default
demo stops in June, and these months are loaded only on request (``gosplan demo --through 2023-09``).

>>> import pandas as pd
>>> path = pd.DataFrame({"unit": ["a", "a"], "indicator": ["coal", "coal"], "month": ["2023-07", "2023-08"],
...     "target": [100.0, 120.0]})
>>> pace = pd.DataFrame({"unit": ["a"], "indicator": ["coal"], "fulfilment": [1.0]})
>>> later_reports(path, pace, pd.DataFrame(columns=["unit", "indicator", "value", "output"]))["value"].tolist()
[99.0, 119.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEED = 20230930
LAST_MONTH = "2023-09"


def later_reports(path: pd.DataFrame, pace: pd.DataFrame, inputs: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    """Reports (indicator, unit, period, value, recorded_at) for the months of ``path``.

    ``path``: the plan's monthly output (unit, indicator, month, target); ``pace``: each unit's
    fulfilment to June (unit, indicator, fulfilment); ``inputs``: June's inputs per unit (unit,
    indicator, value, output: the unit's June output they went with).
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    units = sorted(set(pace["unit"]))
    # Behind plan: from none of its gap to twice it (catching up), and a little either way of its pace.
    recovery = dict(zip(units, rng.uniform(0.0, 2.0, len(units)), strict=True))
    wobble = dict(zip(units, rng.uniform(0.99, 1.02, len(units)), strict=True))
    shown = pace.set_index(["unit", "indicator"])["fulfilment"]
    rows = []
    for unit, indicator, month, target in path[["unit", "indicator", "month", "target"]].itertuples(index=False):
        f = float(shown.get((unit, indicator), np.nan))
        if not np.isfinite(f):
            continue
        rate = f + recovery[unit] * (1 - f) if f < 1 else f
        value = float(np.round(target * rate * wobble[unit]))
        stamp = pd.Timestamp(month + "-01", tz="UTC") + pd.offsets.MonthEnd(0) + pd.Timedelta(days=5, hours=10)
        rows.append((indicator, unit, month, value, stamp))
    frame = pd.DataFrame(rows, columns=["indicator", "unit", "period", "value", "recorded_at"])
    if len(inputs) and len(frame):
        made = frame.groupby(["unit", "period"], as_index=False)["value"].sum()
        scaled = inputs.merge(made, on="unit", suffixes=("", "_month"))
        share = (scaled["value_month"] / scaled["output"].where(scaled["output"] > 0)).fillna(1.0)
        per_month = np.where(scaled["indicator"].eq("workers"), scaled["value"], np.round(scaled["value"] * share))
        stamps = pd.to_datetime(scaled["period"] + "-01", utc=True) + pd.offsets.MonthEnd(0) + pd.Timedelta(days=5,
                                                                                                             hours=10)
        frame = pd.concat([frame, pd.DataFrame({"indicator": scaled["indicator"], "unit": scaled["unit"],
                                                "period": scaled["period"], "value": per_month,
                                                "recorded_at": stamps})], ignore_index=True)
    return frame
