"""The path of small report submissions (a single value from the web form or the API, up to
:data:`SMALL_ROWS` rows): the same checks as every import, with less around them.

A single report used to pay for a whole import: reference tables read again for every check, a staging
table, a set-based merge and a second read of the current values for the audit entry. Here

* the checks are the import's own (:func:`gosplan.ingest.check_frame`: codes, units of measure,
  numbers, the roll-up rule, locks, approvals, validation rules), run over a view of the store whose
  reference tables (units, indicators) come from the service's cache, which lives as long as the data
  generation does (a write of reports keeps it, :meth:`Service.invalidate` drops it);
* the write (:meth:`Store.write_few_reports`) reads the current values of the touched keys in one
  query — which are also the audit entry's "before" — and inserts the new revisions with one
  ``INSERT``, in the transaction of the audit entry.

So both paths accept and refuse the same rows with the same problems, and write the same rows.

>>> is_small("reports", 1), is_small("reports", 5000), is_small("targets", 1)
(True, False, False)
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Connection

from gosplan.ingest import check_frame
from gosplan.model import Period
from gosplan.service.core import Service
from gosplan.store import Store, schema
from gosplan.store._common import WriteSummary, code_map

# Submissions of up to this many report rows take the small path.
SMALL_ROWS = 50
# Cache keys of the code -> id maps (kept, like units and indicators, across writes of reports).
ID_KEYS = (("ids", "indicators"), ("ids", "units"))


def is_small(kind: str, rows: int, columns: list[str] | None = None) -> bool:
    """Whether a submission of ``rows`` rows of ``kind`` takes the small path: reports of at most
    :data:`SMALL_ROWS` rows without their own ``recorded_at`` times."""
    return kind == "reports" and 0 < rows <= SMALL_ROWS and "recorded_at" not in (columns or [])


class CachedReference:
    """The store as the import checks see it, with units and indicators read from ``service``'s cache.

    Every other attribute is the store's own, so the checks run unchanged.
    """

    def __init__(self, service: Service) -> None:
        self._service = service
        self._store = service.store

    def units(self) -> pd.DataFrame:
        return self._service.units()

    def indicators(self) -> pd.DataFrame:
        return self._service.indicators()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def check_small(service: Service, frame: pd.DataFrame, *, source: str, today: date | None = None) -> pd.DataFrame:
    """:func:`gosplan.ingest.check_frame` for a small reports frame, over cached reference data."""
    return check_frame(CachedReference(service), "reports", frame, source=source, today=today)  # type: ignore[arg-type]


def _ids(service: Service, table: str) -> dict[str, int]:
    def load() -> dict[str, int]:
        with service.store.engine.connect() as conn:
            return code_map(conn, getattr(schema, table)).to_dict()
    return service._cached(("ids", table), load)


def id_rows(service: Service, clean: pd.DataFrame) -> list[tuple[int, int, int, float]]:
    """``(indicator_id, unit_id, month, value)`` of a checked reports frame (codes known to the store)."""
    indicators, units = _ids(service, "indicators"), _ids(service, "units")
    if not (set(clean["indicator"]) <= indicators.keys() and set(clean["unit"]) <= units.keys()):
        for key in list(service._cache):  # a code added since the maps were read (the checks read it already)
            if key[1:] in ID_KEYS:  # the cache's keys start with the language they were made in
                service._cache.pop(key, None)
        indicators, units = _ids(service, "indicators"), _ids(service, "units")
    return [(indicators[i], units[u], Period.parse(p).ordinal, float(v))
            for i, u, p, v in zip(clean["indicator"], clean["unit"], clean["period"], clean["value"], strict=True)]


def write_small(store: Store, service: Service, clean: pd.DataFrame, *, source: str, recorded_by: str,
                conn: Connection) -> tuple[WriteSummary, list[dict[str, Any]]]:
    """Write a checked small reports frame in ``conn``: the summary and the audit entry's rows before
    (the current values of the keys that had one, in the frame's order)."""
    rows = id_rows(service, clean)
    summary, before = store.write_few_reports(rows, source=source, recorded_by=recorded_by, conn=conn)
    records = [{"indicator": i, "unit": u, "period": p, "value": before[key[:3]]}
               for i, u, p, key in zip(clean["indicator"], clean["unit"], clean["period"], rows, strict=True)
               if key[:3] in before]
    return summary, records
