"""The current value of every report, one row per (year, indicator, unit) with a column per month.

``reports`` keeps every revision, one row per month; a national year to date over it is an
aggregation of millions of index entries, twice (this year and last year), on every status call.
``report_months`` holds the same current values pivoted to twelve month columns, so a year to date
is a read of one row per (indicator, unit) and the sums are numpy's. It is derived data, like the
analytics tables of DHIS2, and is kept exact by a cheap rule:

- every write to ``reports`` that changes something records what it touched in
  ``report_months_pending``, in the writer's own transaction: each (month, indicator, unit) cell for
  a small write (a web submission), the (month, indicator) pairs for a big one (a few hundred rows
  for a whole national month, so imports stay at the speed of ``reports`` alone);
- before any read, :func:`refresh` copies the current values of what is pending into their month
  column (set-based upserts, one per month) and clears what it copied.

Reports are never deleted and a (indicator, unit, month) never loses its current value, so copying
the current values of the touched pairs is all an update needs: a correction simply overwrites its
cell. ``refresh`` deletes exactly the pending rows it read, so a write committed meanwhile stays
pending for the next read (copying it early as well does no harm: the values are current ones).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, text

from gosplan.store._common import write_transaction
from gosplan.store._fetch import numeric_frame

MONTH_COLUMNS = [f"m{m}" for m in range(1, 13)]
_PENDING_CHUNK = 500
_REFRESH_LOCK = 0x676F73706C616E  # "gosplan": serialises refreshers on PostgreSQL
# Up to this many written rows, each cell is recorded; beyond, its (month, indicator) pairs. A web
# submission of a few hundred rows then costs the next read a few hundred cells, not whole months.
CELL_LIMIT = 20_000


def mark_pending_frame(c: Connection, months: np.ndarray, indicator_ids: np.ndarray, unit_ids: np.ndarray) -> None:
    """Record what a write touched (arrays of the written rows)."""
    if len(months) <= CELL_LIMIT:
        cells = pd.DataFrame({"month": months, "indicator_id": indicator_ids, "unit_id": unit_ids})
    else:
        cells = pd.DataFrame({"month": months, "indicator_id": indicator_ids}).drop_duplicates()
        cells["unit_id"] = None
    if cells.empty:
        return
    c.execute(
        text("INSERT INTO report_months_pending (month, indicator_id, unit_id) "
             "VALUES (:month, :indicator_id, :unit_id)"),
        [{"month": int(m), "indicator_id": int(i), "unit_id": None if u is None else int(u)}
         for m, i, u in cells.itertuples(index=False)],
    )


def mark_pending_rows(c: Connection, cells: list[tuple[int, int, int]]) -> None:
    """Record what a small write touched: ``(month, indicator_id, unit_id)`` per written row."""
    if cells:
        c.execute(
            text("INSERT INTO report_months_pending (month, indicator_id, unit_id) "
                 "VALUES (:month, :indicator_id, :unit_id)"),
            [{"month": m, "indicator_id": i, "unit_id": u} for m, i, u in cells],
        )


def mark_pending_table(c: Connection, table: str) -> None:
    """Record what a write touched, from its staging table of changed rows."""
    count = c.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar() or 0
    unit = "unit_id" if count <= CELL_LIMIT else "CAST(NULL AS INTEGER)"
    c.exec_driver_sql(
        "INSERT INTO report_months_pending (month, indicator_id, unit_id) "
        f"SELECT DISTINCT month, indicator_id, {unit} FROM {table}"
    )


def refresh(engine: Engine) -> int:
    """Bring ``report_months`` up to date with ``reports``; returns the number of pending entries copied."""
    with engine.connect() as c:
        if c.execute(text("SELECT 1 FROM report_months_pending LIMIT 1")).first() is None:
            return 0
    with write_transaction(engine) as c:
        if c.dialect.name == "postgresql":
            c.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _REFRESH_LOCK})
        pending = c.execute(text("SELECT id, month, indicator_id, unit_id FROM report_months_pending")).all()
        if not pending:
            return 0
        frame = pd.DataFrame([tuple(r) for r in pending], columns=["id", "month", "indicator_id", "unit_id"])
        whole = frame[frame["unit_id"].isna()]
        n_indicators = c.execute(text("SELECT COUNT(*) FROM indicators")).scalar() or 0
        for year, in_year in whole.groupby(whole["month"] // 12):
            by_month = {int(m): sorted(set(g["indicator_id"].astype(int))) for m, g in in_year.groupby("month")}
            if len({tuple(v) for v in by_month.values()}) == 1:
                # Months of the same indicators (a first build, a backlog): one pass over the year
                # writes every row once, instead of once per month (PostgreSQL keeps each
                # rewritten row version until VACUUM).
                _copy_months(c, int(year), sorted(by_month), next(iter(by_month.values())), n_indicators)
            else:
                for month, indicator_ids in by_month.items():
                    _copy_months(c, int(year), [month], indicator_ids, n_indicators)
        ids = frame["id"].astype(int).tolist()
        done_pairs = set(zip(whole["month"].astype(int), whole["indicator_id"].astype(int), strict=True))
        cells = frame[frame["unit_id"].notna()]
        cells = cells[[(int(m), int(i)) not in done_pairs
                       for m, i in zip(cells["month"], cells["indicator_id"], strict=True)]]
        if len(cells):
            # The cells' ids bound the join below to what was read above.
            _copy_cells(c, sorted(set(cells["month"].astype(int))), int(cells["id"].max()))
        for start in range(0, len(ids), _PENDING_CHUNK):
            chunk = ids[start : start + _PENDING_CHUNK]
            c.exec_driver_sql(f"DELETE FROM report_months_pending WHERE id IN ({','.join(map(str, chunk))})")
        return len(frame)


def _copy_months(c: Connection, year: int, months: list[int], indicator_ids: list[int], n_indicators: int) -> None:
    """Copy the current values of ``months`` (of one year) for these indicators into their columns."""
    columns = [MONTH_COLUMNS[month % 12] for month in months]
    only = "" if len(indicator_ids) >= n_indicators else f" AND indicator_id IN ({','.join(map(str, indicator_ids))})"
    if len(months) == 1:
        # One current value per (indicator, unit) in a month: no grouping needed.
        values, grouping = "value", ""
    else:
        values = ", ".join(f"MAX(CASE WHEN month = {month} THEN value END)" for month in months)
        grouping = " GROUP BY indicator_id, unit_id"
    updates = ", ".join(f"{column} = excluded.{column}" for column in columns)
    # The SELECT needs its WHERE clause anyway: it also settles SQLite's parsing ambiguity of
    # INSERT ... SELECT ... ON CONFLICT.
    c.exec_driver_sql(
        f"INSERT INTO report_months (year, indicator_id, unit_id, {', '.join(columns)}) "
        f"SELECT {year}, indicator_id, unit_id, {values} FROM reports "
        f"WHERE is_current AND month / 12 = {year} AND month IN ({','.join(map(str, months))}){only}{grouping} "
        f"ON CONFLICT (year, indicator_id, unit_id) DO UPDATE SET {updates}"
    )


def _copy_cells(c: Connection, months: list[int], last_id: int) -> None:
    for month in months:
        column = MONTH_COLUMNS[month % 12]
        c.exec_driver_sql(
            f"INSERT INTO report_months (year, indicator_id, unit_id, {column}) "
            f"SELECT {month // 12}, r.indicator_id, r.unit_id, r.value FROM reports r JOIN "
            f"(SELECT DISTINCT indicator_id, unit_id FROM report_months_pending WHERE month = {month} "
            f"AND unit_id IS NOT NULL AND id <= {last_id}) p "
            f"ON r.indicator_id = p.indicator_id AND r.unit_id = p.unit_id "
            f"WHERE r.is_current AND r.month = {month} "
            f"ON CONFLICT (year, indicator_id, unit_id) DO UPDATE SET {column} = excluded.{column}"
        )


def read_window(c: Connection, first_month: int, last_month: int, where: str, params: dict,
                statement) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Current values of months ``first_month..last_month`` (ordinals): ``(indicator_ids, unit_ids, values)``.

    ``values`` is keys x months with NaN where nothing was reported; keys with no value in the window
    are dropped. ``where`` is an extra SQL filter on indicator_id/unit_id (with ``params``), and
    ``statement`` turns SQL text into an executable statement (for expanding parameters).
    """
    parts: list[pd.DataFrame] = []
    for year in range(first_month // 12, last_month // 12 + 1):
        lo = max(first_month, year * 12) - year * 12
        hi = min(last_month, year * 12 + 11) - year * 12
        columns = MONTH_COLUMNS[lo : hi + 1]
        sql = (
            f"SELECT indicator_id, unit_id, {', '.join(columns)} FROM report_months "
            f"WHERE year = {year}{where}"
        )
        names = [f"{year}-{name}" for name in columns]
        parts.append(numeric_frame(c, sql, params, ["indicator_id", "unit_id", *names], statement))
    keys = parts[0]
    for part in parts[1:]:
        keys = keys.merge(part, on=["indicator_id", "unit_id"], how="outer")
    indicator_ids = keys["indicator_id"].to_numpy(dtype="int64")
    unit_ids = keys["unit_id"].to_numpy(dtype="int64")
    values = keys.iloc[:, 2:].to_numpy(dtype="float64")
    order = np.lexsort((unit_ids, indicator_ids))  # key order, whatever order the rows came in
    reported = ~np.isnan(values[order]).all(axis=1)
    keep = order[reported]
    return indicator_ids[keep], unit_ids[keep], values[keep]
