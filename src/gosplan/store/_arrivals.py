"""When each report first arrived: one row per (year, indicator, unit) with a time stamp per month.

Completeness asks, per (unit, indicator, month), whether a report arrived and whether its first
revision arrived by the deadline. Over ``reports`` that is a scan of every first revision joined to
its batch (six million rows for a national year). ``report_arrivals`` keeps the answer pivoted to
twelve month columns, so a year is one narrow read of one row per (indicator, unit), and the masks
are computed by the database from twelve comparisons per row.

It is derived data, kept exact in the writer's own transaction: a write adds the arrival of every
key it gives a first revision (revision 1) and never changes an arrival already there, so a
correction or a re-import leaves it as it was. The migration that made the table filled it from the
first revisions already stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import numpy as np
from sqlalchemy import Connection, text

from gosplan.store._fetch import numeric_frame

MONTH_COLUMNS = [f"m{m}" for m in range(1, 13)]
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"


def pivot_sql(source: str) -> str:
    """``SELECT year, indicator_id, unit_id, m1..m12`` from ``source``, a query of first revisions
    with columns indicator_id, unit_id, month, arrived_at (one row per key)."""
    months = ", ".join(f"MAX(CASE WHEN s.month - s.month / 12 * 12 = {m} THEN s.arrived_at END)" for m in range(12))
    return (f"SELECT s.month / 12, s.indicator_id, s.unit_id, {months} FROM ({source}) s "
            f"WHERE s.arrived_at IS NOT NULL GROUP BY s.month / 12, s.indicator_id, s.unit_id")


def record(c: Connection, source: str) -> None:
    """Add the arrivals of ``source`` (see :func:`pivot_sql`), keeping any arrival already recorded."""
    updates = ", ".join(f"{m} = COALESCE(report_arrivals.{m}, excluded.{m})" for m in MONTH_COLUMNS)
    c.exec_driver_sql(
        f"INSERT INTO report_arrivals (year, indicator_id, unit_id, {', '.join(MONTH_COLUMNS)}) "
        f"{pivot_sql(source)} ON CONFLICT (year, indicator_id, unit_id) DO UPDATE SET {updates}"
    )


def record_batch(c: Connection, source: str, batch_id: int) -> None:
    """:func:`record` for rows of one batch: ``source`` has indicator_id, unit_id, month and the row's
    own recorded_at (NULL: the batch's time applies)."""
    batch_time = f"(SELECT recorded_at FROM batches WHERE id = {int(batch_id)})"
    record(c, f"SELECT t.indicator_id, t.unit_id, t.month, COALESCE(t.recorded_at, {batch_time}) AS arrived_at "
              f"FROM ({source}) t")


def record_cells(c: Connection, cells: list[tuple[int, int, int]], batch_id: int) -> None:
    """Add the arrivals of a few first revisions ``(indicator_id, unit_id, month)`` written by one batch."""
    by_month: dict[int, list[dict]] = {}
    for indicator_id, unit_id, month in cells:
        by_month.setdefault(month % 12, []).append(
            {"y": month // 12, "i": indicator_id, "u": unit_id, "b": batch_id})
    for month, rows in by_month.items():
        column = MONTH_COLUMNS[month]
        c.execute(
            text(f"INSERT INTO report_arrivals (year, indicator_id, unit_id, {column}) "
                 f"SELECT :y, :i, :u, recorded_at FROM batches WHERE id = :b "
                 f"ON CONFLICT (year, indicator_id, unit_id) DO UPDATE "
                 f"SET {column} = COALESCE(report_arrivals.{column}, excluded.{column})"),
            rows,
        )


def arrival_masks(c: Connection, first_month: int, last_month: int, deadlines: Mapping[int, datetime]
                  ) -> np.ndarray:
    """indicator_id, unit_id, received mask, on-time mask per key with an arrival in the window
    (bit ``i`` = month ``first_month + i``), as an integer array of four columns."""
    sqlite = c.dialect.name == "sqlite"
    parts = []
    for year in range(first_month // 12, last_month // 12 + 1):
        received, on_time = [], []
        start = max(first_month, year * 12)
        for month in range(start, min(last_month, year * 12 + 11) + 1):
            column = MONTH_COLUMNS[month % 12]
            bit = 1 << (month - start)  # within the year; shifted into the window below (exact in float64)
            stamp = deadlines[month].strftime(_SQLITE_TIME)
            # Literals, not parameters: the plan is then made for the actual deadlines.
            deadline = f"'{stamp}'" if sqlite else f"TIMESTAMP '{stamp}'"
            received.append(f"CASE WHEN {column} IS NOT NULL THEN {bit} ELSE 0 END")
            on_time.append(f"CASE WHEN {column} <= {deadline} THEN {bit} ELSE 0 END")
        sql = (f"SELECT indicator_id, unit_id, {' + '.join(received)} AS received, {' + '.join(on_time)} "
               f"FROM report_arrivals WHERE year = {year}")
        frame = numeric_frame(c, sql, {}, ["indicator_id", "unit_id", "received", "on_time"], text)
        array = frame.to_numpy(dtype=np.float64).astype(np.int64).reshape(-1, 4)
        array[:, 2:] <<= start - first_month
        parts.append(array)
    array = np.concatenate(parts) if parts else np.zeros((0, 4), dtype=np.int64)
    array = array[array[:, 2] > 0]
    if len(parts) > 1 and len(array):
        # A window over several years: one row per key, its years' bits added (they are disjoint).
        keys, inverse = np.unique(array[:, :2], axis=0, return_inverse=True)
        inverse = inverse.ravel()
        sums = np.zeros((len(keys), 2), dtype=np.int64)
        np.add.at(sums, inverse, array[:, 2:])
        array = np.column_stack([keys, sums])
    return array
