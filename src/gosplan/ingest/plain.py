"""A quick look at a few report rows that says only "plainly clean" or "look closer".

A single report sent through the API or the web form is almost always clean: known codes, a past month,
a finite number, no unit of measure or the indicator's own. :func:`plain_reports` recognises such rows
in plain Python (no DataFrame per check) and returns the frame :func:`gosplan.ingest.check_frame` would
return for them before its workflow checks. It never finds a problem itself: anything unusual (a code
it does not know, a roll-up unit, a text number, a negative value, a conversion it cannot make, a
repeated key, an unexpected column) sends the rows to the full checks, which name the problems. The
workflow checks (locks, approvals, validation rules and bounds) run on its result as on any other.

>>> indicators = {"coal": ("t", "output")}
>>> rows = pd.DataFrame([{"indicator": "coal", "unit": "mine.1", "period": "2023-06", "value": 12.5}])
>>> plain_reports(rows, indicators, lambda unit: unit == "mine.1", date(2023, 7, 1)).to_dict("records")
[{'indicator': 'coal', 'unit': 'mine.1', 'period': '2023-06', 'value': 12.5}]
>>> plain_reports(rows.assign(value=-1.0), indicators, lambda unit: True, date(2023, 7, 1)) is None
True
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date

import pandas as pd

from gosplan.model import ROLES, Period
from gosplan.quantities import conversion_factor

_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
_COLUMNS = ({"indicator", "unit", "period", "value"}, {"indicator", "unit", "period", "value", "uom"})


def plain_reports(frame: pd.DataFrame, indicators: Mapping[str, tuple[str, str]], is_leaf: Callable[[str], bool],
                  today: date) -> pd.DataFrame | None:
    """The clean reports frame (indicator, unit, period, value in the indicator's unit; index = spreadsheet
    rows) when every row of ``frame`` is plainly clean, else ``None`` (run the full checks).

    ``indicators``: code -> (canonical unit of measure, role); ``is_leaf(unit)``: whether a known unit code
    has no units below it (and ``False`` for codes the store does not know).
    """
    columns = [str(c).strip().lower() for c in frame.columns]
    if set(columns) not in _COLUMNS or len(columns) != len(set(columns)):
        return None
    this_month = Period.month(today.year, today.month).ordinal
    out: dict[str, list] = {"indicator": [], "unit": [], "period": [], "value": []}
    seen = set()
    for row in frame.itertuples(index=False, name=None):
        cells = dict(zip(columns, row, strict=True))
        indicator, unit, period, value = cells["indicator"], cells["unit"], cells["period"], cells["value"]
        if not all(isinstance(code, str) and _CODE.fullmatch(code) for code in (indicator, unit)):
            return None
        known = indicators.get(indicator)
        if known is None or not is_leaf(unit):
            return None
        if not isinstance(period, str) or period != period.strip():
            return None
        try:
            month = Period.parse(period)
        except ValueError:
            return None
        if month.kind != "M" or month.ordinal > this_month:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return None
        canonical, role = known
        if role in ROLES and value < 0:
            return None
        uom = cells.get("uom")
        if uom is not None and not (isinstance(uom, float) and math.isnan(uom)):
            if not isinstance(uom, str) or uom != uom.strip():
                return None
            if uom:
                try:
                    value = value * conversion_factor(uom, canonical)
                except Exception:  # an unknown or unconvertible unit: the full checks say which
                    return None
        key = (indicator, unit, str(month))
        if key in seen:
            return None
        seen.add(key)
        out["indicator"].append(indicator)
        out["unit"].append(unit)
        out["period"].append(str(month))
        out["value"].append(float(value))
    index = pd.RangeIndex(2, len(out["value"]) + 2, name="row")
    return pd.DataFrame({k: pd.Series(v, index=index, dtype="float64" if k == "value" else object)
                         for k, v in out.items()})
