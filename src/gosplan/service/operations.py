"""Read use cases of the operations room: the current period, indicator cards, league tables, alerts.

Everything here reads through :class:`~gosplan.service.Service` (and its cached frames), so the web
pages, the API and the CLI show the same numbers.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, inspect, select, text

from gosplan.model import Period
from gosplan.service.core import Service
from gosplan.store import schema

CARD_COLUMNS = ["indicator", "indicator_name", "uom", "sector", "target", "actual", "fulfilment", "status",
                "previous", "change", "annual_target", "expected_year_end", "probability"]


def current_period(service: Service) -> str:
    """The last month with a report (``YYYY-MM``): what the operations room shows by default."""
    def load() -> str:
        with service.store.engine.connect() as c:
            month = c.execute(select(func.max(schema.reports.c.month)).where(schema.reports.c.is_current)).scalar()
        if month is None:
            return str(Period.parse(pd.Timestamp.today().strftime("%Y-%m")))
        return str(Period.from_ordinal(int(month)))
    return service._cached(("current_period",), load)


def cards(service: Service, period: str, unit: str | None = None) -> pd.DataFrame:
    """One row per key indicator of ``unit`` (default: the top): fulfilment to date, last year, status,
    and the forecast's expected year-end and probability when a forecast exists (else empty)."""
    unit = unit or service.root()
    table = service.fulfilment(period)
    key = set(service.indicators().loc[lambda d: d["key"].astype(bool), "code"])
    rows = table[table["unit"].eq(unit) & table["indicator"].isin(key)].copy()
    # Like for like, as in the review: the units that reported, so that actual / target = fulfilment.
    rows["target"], rows["actual"] = rows["target_basis"], rows["actual_basis"]
    for column in ("expected_year_end", "probability"):
        if column not in rows:
            rows[column] = float("nan")
    return rows[CARD_COLUMNS].sort_values("indicator_name").reset_index(drop=True)


def league(service: Service, period: str, unit: str, indicator: str | None = None) -> pd.DataFrame:
    """The units one level below ``unit``, best first, for one indicator or all of them."""
    view = service.status(period, unit=unit, indicator=indicator, by="unit", depth=1)
    return view.table


def breadcrumbs(service: Service, unit: str) -> list[tuple[str, str]]:
    """``(code, name)`` from the top down to ``unit``."""
    names = dict(zip(service.units()["code"], service.units()["name"], strict=True))
    return [(code, names.get(code, code)) for code in service.hierarchy().path(unit)]


def open_alerts(service: Service) -> pd.DataFrame:
    """Open alerts when the forecast capability has written any; an empty frame until its table exists."""
    def load() -> pd.DataFrame:
        with service.store.engine.connect() as c:
            if "alerts" not in inspect(c).get_table_names():
                return pd.DataFrame(columns=["id", "unit", "indicator", "period", "severity", "message"])
            frame = pd.read_sql(text("SELECT * FROM alerts"), c)
        if "status" in frame:
            frame = frame[~frame["status"].astype(str).isin(["closed", "acknowledged", "resolved"])]
        return frame.reset_index(drop=True)
    return service._cached(("alerts",), load)
