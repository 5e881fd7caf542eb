"""Min-max bounds per (unit, indicator) generated from history, as DHIS2's min-max generation does,
with a robust centre and spread: median +- k x (1.4826 x MAD) of the monthly values (the scaled
median absolute deviation estimates the standard deviation of normal data and ignores outliers).

A series needs ``min_months`` values. The spread is never less than 10 % of the median (a steady
series, MAD near 0, would otherwise flag every small change); bounds of non-negative indicators
start at 0.

>>> import pandas as pd
>>> history = pd.DataFrame({"unit": "E1", "indicator": "coal", "value": [100.0, 120, 80, 110, 90, 100, 900]})
>>> generate_bounds(history, k=3.0)[["low", "high"]].round(3).values.tolist()
[[55.522, 144.478]]
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

MAD_SCALE = 1.4826
BOUND_COLUMNS = ["unit", "indicator", "low", "high", "months"]


def generate_bounds(history: pd.DataFrame, k: float = 3.0, min_months: int = 6,
                    non_negative: Iterable[str] = ()) -> pd.DataFrame:
    """Bounds from ``history`` (unit, indicator, value; one row per month): unit, indicator, low, high,
    months (values used)."""
    if history.empty:
        return pd.DataFrame(columns=BOUND_COLUMNS)
    grouped = history.groupby(["unit", "indicator"], sort=True)["value"]
    median = grouped.median()
    deviation = (history["value"] - median.reindex(pd.MultiIndex.from_frame(history[["unit", "indicator"]]))
                 .to_numpy()).abs()
    mad = deviation.groupby([history["unit"], history["indicator"]]).median()
    months = grouped.size()
    spread = np.maximum(k * MAD_SCALE * mad.to_numpy(), 0.1 * np.abs(median.to_numpy()))
    out = pd.DataFrame({"low": median.to_numpy() - spread, "high": median.to_numpy() + spread,
                        "months": months.to_numpy()}, index=median.index).reset_index()
    out = out[out["months"] >= min_months]
    floor = out["indicator"].isin(set(non_negative))
    out.loc[floor, "low"] = out.loc[floor, "low"].clip(lower=0.0)
    return out[BOUND_COLUMNS].reset_index(drop=True)
