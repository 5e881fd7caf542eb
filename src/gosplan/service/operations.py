"""Read use cases of the operations room: the current period, indicator cards, league tables, alerts.

Everything here reads through :class:`~gosplan.service.Service` (and its cached frames), so the web
pages, the API and the CLI show the same numbers.
"""

from __future__ import annotations

import pandas as pd

from gosplan.model import Period
from gosplan.service.core import Service

CARD_COLUMNS = ["indicator", "indicator_name", "uom", "sector", "target", "actual", "fulfilment", "status",
                "previous", "change", "annual_target", "expected_year_end", "probability"]


def current_period(service: Service) -> str:
    """The last month with a report (``YYYY-MM``): what the operations room shows by default."""
    def load() -> str:
        month = service.store.last_reported_month()
        return month or str(Period.parse(pd.Timestamp.today().strftime("%Y-%m")))
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
    outlook = _outlook(service, period) if unit == service.root() else None
    if outlook is not None and not outlook.empty:
        by_indicator = outlook.set_index("indicator")
        rows["expected_year_end"] = rows["indicator"].map(by_indicator["expected_total"])
        rows["probability"] = rows["indicator"].map(by_indicator["p_attain"])
    for column in ("expected_year_end", "probability"):
        if column not in rows:
            rows[column] = float("nan")
    return rows[CARD_COLUMNS].sort_values("indicator_name").reset_index(drop=True)


def _outlook(service: Service, period: str) -> pd.DataFrame | None:
    """The forecast's national outlook as of the period's last month (cached with the service)."""
    from gosplan.service.forecasts import national_outlook

    as_of = str(Period.parse(period).last_month())
    return service._cached(("national_outlook", as_of), lambda: national_outlook(service, as_of))


def league(service: Service, period: str, unit: str, indicator: str | None = None) -> pd.DataFrame:
    """The units one level below ``unit``, best first, for one indicator or all of them."""
    view = service.status(period, unit=unit, indicator=indicator, by="unit", depth=1)
    return view.table


def breadcrumbs(service: Service, unit: str) -> list[tuple[str, str]]:
    """``(code, name)`` from the top down to ``unit``."""
    names = dict(zip(service.units()["code"], service.units()["name"], strict=True))
    return [(code, names.get(code, code)) for code in service.hierarchy().path(unit)]


def open_alerts(service: Service) -> pd.DataFrame:
    """Open alerts (raised by ``gosplan alerts raise`` or the forecast capability), most urgent first."""
    return service._cached(("alerts",), lambda: service.store.alerts(status="open").reset_index(drop=True))
