"""The example row of an import template, made to fit the store the template is for.

A template written for an empty store carries the fixed example of its kind (:data:`SPECS`). A template
written for a store that holds data carries a row that imports cleanly into it: a report for a real unit
and indicator in the month after the last one reported, an existing target, or an existing row of
reference data (which imports as unchanged). Every such row is checked with the importer's own
validation; when it does not pass, the fixed example is used.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from gosplan.errors import GosplanError
from gosplan.model import Period
from gosplan.store import Store

from .kinds import SPECS


def example_row(kind: str, store: Store | None = None, today: date | None = None) -> dict[str, object]:
    """The example row of ``kind``'s template: valid against ``store`` when one is given and holds data.

    >>> example_row("reports")["period"]
    '2023-06'
    """
    fixed = dict(SPECS[kind].example)
    if store is None:
        return fixed
    today = today or date.today()
    try:
        row = _from_store(kind, store, today)
    except (GosplanError, KeyError, ValueError):
        return fixed
    if row is None:
        return fixed
    row = {column: _cell(row.get(column)) for column in SPECS[kind].columns}
    from .importer import check_frame

    try:
        check_frame(store, kind, pd.DataFrame([row]), source="template", today=today)
    except GosplanError:
        return fixed
    return row


def _from_store(kind: str, store: Store, today: date) -> dict[str, object] | None:
    if kind == "reports":
        return _report(store, today)
    if kind == "targets":
        return _target(store)
    reader = getattr(store, kind, None)
    if not callable(reader):
        return None
    frame = reader()
    if frame.empty or not set(SPECS[kind].required) <= set(frame.columns):
        return None
    if "parent" in frame.columns and frame["parent"].notna().any():
        frame = frame[frame["parent"].notna()]  # a row that shows how a parent is given
    return frame.sort_values(frame.columns[0]).iloc[0].to_dict()


def _key_indicators(store: Store) -> pd.DataFrame:
    indicators = store.indicators()
    return indicators.sort_values(["key", "code"], ascending=[False, True])


def _report(store: Store, today: date) -> dict[str, object] | None:
    """The month after the last reported, for a unit reporting a key indicator (a correction if that month
    has not begun)."""
    reports = store.reports()
    if reports.empty:
        return None
    indicators = _key_indicators(store)
    latest = max(reports["period"])
    last = reports[reports["period"] == latest]
    order = {code: i for i, code in enumerate(indicators["code"])}
    last = last.assign(rank=last["indicator"].map(order)).sort_values(["rank", "unit"])
    chosen = last.iloc[0]
    following = Period.parse(latest).shift(1)
    period = str(following) if following <= Period.month(today.year, today.month) else latest
    uom = indicators.set_index("code").loc[chosen["indicator"], "unit"]
    return {"indicator": chosen["indicator"], "unit": chosen["unit"], "period": period,
            "value": _round(float(chosen["value"])), "uom": uom}


def _target(store: Store) -> dict[str, object] | None:
    """An existing target of the latest plan (importing it unchanged changes nothing)."""
    targets = store.targets()
    if targets.empty:
        return None
    plans = store.plans().set_index("code")
    plan = max(targets["plan"].unique(), key=lambda code: (plans.loc[code, "start_year"], -plans.loc[code, "end_year"]))
    targets = targets[targets["plan"] == plan]
    indicators = _key_indicators(store)
    order = {code: i for i, code in enumerate(indicators["code"])}
    targets = targets.assign(rank=targets["indicator"].map(order)).sort_values(["rank", "unit", "period"])
    chosen = targets.iloc[0].to_dict()
    chosen["uom"] = indicators.set_index("code").loc[chosen["indicator"], "unit"]
    return chosen


def _round(value: float) -> float:
    """Three significant figures: an example, not a copy of a stored value."""
    return float(f"{value:.3g}")


def _cell(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
