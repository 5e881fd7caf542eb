"""Monthly reports: every revision kept, current values flagged, aggregations done in SQL."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from gosplan.model import Period
from gosplan.store import _arrivals, _bulk, _report_months, schema
from gosplan.store._common import (
    RELATIVE_TOLERANCE,
    IdFilter,
    WriteSummary,
    as_list,
    check_values,
    code_map,
    duplicate_problems,
    id_codes,
    lookup_ids,
    month_labels,
    month_ordinals,
    naive_utc,
    new_batch,
    raise_problems,
    require_columns,
    unknown_code_problems,
    utc_now,
)

_STAGE = "gosplan_stage_reports"
_CHANGES = "gosplan_report_changes"
REPORT_COLUMNS_OUT = ["indicator", "unit", "period", "value", "revision", "recorded_at"]
HISTORY_COLUMNS = [
    "indicator",
    "unit",
    "period",
    "value",
    "revision",
    "source",
    "recorded_by",
    "recorded_at",
    "current",
]
TOTALS_COLUMNS = ["indicator", "unit", "total", "mean", "maximum", "months", "last_period", "last_value"]
MONTH_SUMS_COLUMNS = ["indicator", "unit", "month", "total", "years"]


def _month(value: str | Period) -> int:
    period = Period.parse(value)
    return period.ordinal


def _last_month(value: str | Period) -> int:
    return Period.parse(value).last_month().ordinal


class ReportMixin:
    """Writes and reads of monthly reports (mixed into :class:`~gosplan.store.Store`)."""

    def write_reports(
        self, frame: pd.DataFrame, *, source: str, recorded_by: str, conn: Connection | None = None
    ) -> WriteSummary:
        """Record monthly actuals (columns indicator, unit, period 'YYYY-MM', value [, recorded_at]).

        Values are in the indicator's canonical unit. Nothing is overwritten: a value that differs from
        the current one becomes a new revision (previous + 1); an equal value (relative 1e-12) is
        counted as unchanged and writes nothing, so re-importing a file is a no-op. ``recorded_at``
        (optional) is the time the report arrived; otherwise now (UTC).
        """
        require_columns(frame, ["indicator", "unit", "period", "value"], source)
        frame = frame.reset_index(drop=True)
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            work = pd.DataFrame(
                {
                    "indicator_id": lookup_ids(frame["indicator"], code_map(c, schema.indicators)),
                    "unit_id": lookup_ids(frame["unit"], code_map(c, schema.units)),
                }
            )
            work["month"], problems = month_ordinals(frame["period"], source)
            work["value"], value_problems = check_values(frame["value"], source)
            problems += value_problems
            problems += unknown_code_problems(
                source, frame, "indicator", work["indicator_id"].to_numpy(), "indicator"
            )
            problems += unknown_code_problems(source, frame, "unit", work["unit_id"].to_numpy(), "unit")
            problems += duplicate_problems(work, ["indicator_id", "unit_id", "month"], source)
            raise_problems(problems)
            if work.empty:
                return WriteSummary()
            work["recorded_at"] = (
                naive_utc(frame["recorded_at"])
                if "recorded_at" in frame
                else pd.Series(pd.NaT, index=work.index, dtype="datetime64[us]")
            )
            batch_id = new_batch(c, "reports", source, recorded_by)
            summary = _apply(c, work, batch_id)
            if summary.new + summary.updated == 0:
                # Nothing changed: leave no trace of the attempt, so the store dump is identical.
                c.execute(schema.batches.delete().where(schema.batches.c.id == batch_id))
        return summary

    def write_few_reports(
        self, rows: list[tuple[int, int, int, float]], *, source: str, recorded_by: str, conn: Connection
    ) -> tuple[WriteSummary, dict[tuple[int, int, int], float]]:
        """:meth:`write_reports` for a handful of checked rows ``(indicator_id, unit_id, month, value)``
        (distinct keys, canonical units), in the caller's transaction ``conn``, with no staging table:
        one query reads the current values of the touched keys, then one ``INSERT`` (executemany) adds
        the new revisions. Same outcome as :meth:`write_reports` (equal values write nothing, a batch
        only when something changed). Returns the summary and the values before, by key.

        A concurrent writer of the same key makes the insert fail with ``IntegrityError`` (the revision
        is part of the primary key); the caller rolls back and tries again.
        """
        if not rows:
            return WriteSummary(), {}
        keys = [(i, u, m) for i, u, m, _ in rows]
        current = _current_revisions(conn, keys)
        changed, revised = [], []
        for indicator_id, unit_id, month, value in rows:
            found = current.get((indicator_id, unit_id, month))
            if found is not None and abs(value - found[1]) <= RELATIVE_TOLERANCE * (abs(value) + abs(found[1])):
                continue
            previous = 0 if found is None else found[0]
            changed.append({"i": indicator_id, "u": unit_id, "m": month, "r": previous + 1, "v": value,
                            "p": previous})
            if previous:
                revised.append(changed[-1])
        before = {key: value for key, (_, value) in current.items()}
        if not changed:
            return WriteSummary(unchanged=len(rows)), before
        summary = WriteSummary(new=len(changed) - len(revised), updated=len(revised),
                               unchanged=len(rows) - len(changed))
        if conn.dialect.name == "postgresql":
            _write_few_in_one(conn, changed, source, recorded_by)
            return summary, before
        batch_id = new_batch(conn, "reports", source, recorded_by)
        conn.execute(
            text("INSERT INTO reports (indicator_id, unit_id, month, revision, value, is_current, batch_id) "
                 "VALUES (:i, :u, :m, :r, :v, true, :b)"),
            [{**row, "b": batch_id} for row in changed],
        )
        if revised:
            conn.execute(
                text("UPDATE reports SET is_current = false WHERE indicator_id = :i AND unit_id = :u "
                     "AND month = :m AND revision = :p"),
                revised,
            )
        _report_months.mark_pending_rows(conn, [(row["m"], row["i"], row["u"]) for row in changed])
        _arrivals.record_cells(conn, [(row["i"], row["u"], row["m"]) for row in changed if not row["p"]], batch_id)
        return summary, before

    def refresh_report_months(self) -> int:
        """Copy what was written since the last read into ``report_months`` now (reads do it anyway;
        an import calls this so that its first reader does not pay for it). Returns entries copied."""
        return _report_months.refresh(self.engine)  # type: ignore[attr-defined]

    def reports(
        self, indicators=None, units=None, first: str | None = None, last: str | None = None
    ) -> pd.DataFrame:
        """Current values: indicator, unit, period, value, revision, recorded_at (naive UTC)."""
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            filters, id_frame = self._filters(c, indicators, units)
            if filters.empty:
                return pd.DataFrame(columns=REPORT_COLUMNS_OUT)
            sql = (
                "SELECT indicator_id, unit_id, month, value, revision, batch_id, recorded_at FROM reports "
                "WHERE is_current"
                + _range_sql(first, last, filters)
                + filters.sql()
                + " ORDER BY indicator_id, unit_id, month"
            )
            rows = c.execute(filters.statement(sql), filters.params).all()
            frame = pd.DataFrame(
                [tuple(r) for r in rows],
                columns=["indicator_id", "unit_id", "month", "value", "revision", "batch_id", "recorded_at"],
            )
            frame = filters.apply_post(frame, id_frame)
            batch_times = self._batch_times(c)
            return pd.DataFrame(
                {
                    **self._codes(c, frame),
                    "period": month_labels(frame["month"].to_numpy(dtype="int64")),
                    "value": frame["value"].to_numpy(dtype="float64"),
                    "revision": frame["revision"].to_numpy(dtype="int64"),
                    "recorded_at": _recorded_at(frame, batch_times),
                },
                columns=REPORT_COLUMNS_OUT,
            )

    def report_history(
        self, indicator: str | None = None, unit: str | None = None, period: str | None = None
    ) -> pd.DataFrame:
        """Every revision: indicator, unit, period, value, revision, source, recorded_by, recorded_at,
        current — in key order, oldest revision first."""
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            filters, _ = self._filters(c, indicator, unit, prefix="r.")
            if filters.empty:
                return pd.DataFrame(columns=HISTORY_COLUMNS)
            sql = (
                "SELECT r.indicator_id, r.unit_id, r.month, r.value, r.revision, b.source, b.recorded_by, "
                "COALESCE(r.recorded_at, b.recorded_at), r.is_current FROM reports r "
                "JOIN batches b ON b.id = r.batch_id WHERE 1=1" + filters.sql()
            )
            params = dict(filters.params)
            if period is not None:
                sql += " AND r.month = :month"
                params["month"] = _month(period)
            sql += " ORDER BY r.indicator_id, r.unit_id, r.month, r.revision"
            rows = c.execute(filters.statement(sql), params).all()
            frame = pd.DataFrame(
                [tuple(r) for r in rows],
                columns=[
                    "indicator_id",
                    "unit_id",
                    "month",
                    "value",
                    "revision",
                    "source",
                    "recorded_by",
                    "recorded_at",
                    "current",
                ],
            )
            return pd.DataFrame(
                {
                    **self._codes(c, frame),
                    "period": month_labels(frame["month"].to_numpy(dtype="int64")),
                    "value": frame["value"].to_numpy(dtype="float64"),
                    "revision": frame["revision"].to_numpy(dtype="int64"),
                    "source": frame["source"].to_numpy(dtype=object),
                    "recorded_by": frame["recorded_by"].to_numpy(dtype=object),
                    "recorded_at": pd.to_datetime(frame["recorded_at"], format="ISO8601").to_numpy(),
                    "current": frame["current"].astype(bool).to_numpy(),
                },
                columns=HISTORY_COLUMNS,
            )

    def last_reported_month(self) -> str | None:
        """The latest month with a current report (``YYYY-MM``), or ``None`` for an empty store."""
        with self.engine.connect() as conn:
            month = conn.execute(text("SELECT max(month) FROM reports WHERE is_current")).scalar()
        return None if month is None else str(Period.from_ordinal(int(month)))

    def report_totals(self, first: str, last: str, indicators=None, units=None) -> pd.DataFrame:
        """Aggregate current values with period in [first, last] per indicator and unit:
        indicator, unit, total, mean, maximum, months (count), last_period, last_value.

        Read from ``report_months`` (one row per indicator, unit and year; see
        :mod:`gosplan.store._report_months`) and summed with numpy.
        """
        window = self._month_window(first, last, indicators, units)
        if window is None:
            return pd.DataFrame(columns=TOTALS_COLUMNS)
        return window_totals(*window)

    def report_window(self, first: str, last: str) -> tuple[pd.DataFrame, np.ndarray, int] | None:
        """Current values of the months [first, last]: ``(keys, values, first_month)``, keys' indicator
        and unit codes, values keys x months (NaN where nothing was reported); None without reports.
        :func:`window_totals` of it (with some values blanked) is :meth:`report_totals`."""
        return self._month_window(first, last, None, None)

    def report_month_sums(self, first: str, last: str, indicators=None, units=None) -> pd.DataFrame:
        """Per indicator, unit and calendar month (1..12): total of current values over the years in
        [first, last] and the number of years that contributed — the input of seasonal profiles."""
        window = self._month_window(first, last, indicators, units)
        if window is None:
            return pd.DataFrame(columns=MONTH_SUMS_COLUMNS)
        keys, values, first_month = window
        calendar = (first_month + np.arange(values.shape[1])) % 12
        totals = np.zeros((len(values), 12))
        years = np.zeros((len(values), 12), dtype="int64")
        reported = ~np.isnan(values)
        for position, month in enumerate(calendar):
            totals[:, month] += np.where(reported[:, position], values[:, position], 0.0)
            years[:, month] += reported[:, position]
        key_index, month_index = np.nonzero(years)
        return pd.DataFrame(
            {
                "indicator": keys["indicator"].to_numpy()[key_index],
                "unit": keys["unit"].to_numpy()[key_index],
                "month": month_index + 1,
                "total": totals[key_index, month_index],
                "years": years[key_index, month_index],
            },
            columns=MONTH_SUMS_COLUMNS,
        )

    def _month_window(self, first: str, last: str, indicators, units
                      ) -> tuple[pd.DataFrame, np.ndarray, int] | None:
        """Current values of the months [first, last] from ``report_months``, brought up to date first:
        ``(keys, values, first_month)`` with keys' indicator and unit codes, values keys x months (NaN
        where nothing was reported); None when the filters match nothing."""
        _report_months.refresh(self.engine)  # type: ignore[attr-defined]
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            filters, id_frame = self._filters(c, indicators, units)
            if filters.empty:
                return None
            first_month, last_month = _month(first), _last_month(last)
            indicator_ids, unit_ids, values = _report_months.read_window(
                c, first_month, last_month, filters.sql(), filters.params, filters.statement
            )
            frame = filters.apply_post(pd.DataFrame({"indicator_id": indicator_ids, "unit_id": unit_ids}), id_frame)
            return pd.DataFrame(self._codes(c, frame)), values[frame.index.to_numpy()], first_month

    # -- helpers --------------------------------------------------------------------------------------

    @staticmethod
    def _filters(c: Connection, indicators, units, prefix: str = "") -> tuple[IdFilter, dict[str, str]]:
        filters = IdFilter()
        filters.add(f"{prefix}indicator_id", as_list(indicators), code_map(c, schema.indicators))
        filters.add(f"{prefix}unit_id", as_list(units), code_map(c, schema.units))
        return filters, {f"{prefix}indicator_id": "indicator_id", f"{prefix}unit_id": "unit_id"}

    @staticmethod
    def _codes(c: Connection, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        return {
            "indicator": id_codes(c, schema.indicators)[frame["indicator_id"].to_numpy(dtype="int64")],
            "unit": id_codes(c, schema.units)[frame["unit_id"].to_numpy(dtype="int64")],
        }

    @staticmethod
    def _batch_times(c: Connection) -> pd.Series:
        rows = c.execute(text("SELECT id, recorded_at FROM batches")).all()
        return pd.Series(pd.to_datetime([r[1] for r in rows], format="ISO8601"), index=[r[0] for r in rows])


def _write_few_in_one(c: Connection, changed: list[dict], source: str, recorded_by: str) -> None:
    """PostgreSQL: what :meth:`ReportMixin.write_few_reports` writes, in one statement (one round trip
    instead of four or five): the batch, the new revisions, the previous revisions no longer current,
    the month table's pending marks and the arrivals of first revisions. ``changed``: rows with keys
    i, u, m (the key), r (the new revision), v (the value), p (the previous revision, 0 for none)."""
    params: dict[str, object] = {"source": source, "by": recorded_by, "at": utc_now()}
    values = []
    for n, row in enumerate(changed):
        values.append(f"(CAST(:i{n} AS INTEGER), CAST(:u{n} AS INTEGER), CAST(:m{n} AS INTEGER), "
                      f"CAST(:r{n} AS INTEGER), CAST(:v{n} AS DOUBLE PRECISION), CAST(:p{n} AS INTEGER))")
        params.update({f"{name}{n}": row[name] for name in "iumrvp"})
    c.execute(text(_FEW_IN_ONE.format(values=", ".join(values))), params)


_ARRIVAL_MONTHS = ", ".join(f"MAX(CASE WHEN w.m - w.m / 12 * 12 = {m} THEN b.recorded_at END)" for m in range(12))
_FEW_IN_ONE = (
    "WITH b AS (INSERT INTO batches (kind, source, recorded_by, recorded_at) "
    "VALUES ('reports', :source, :by, :at) RETURNING id, recorded_at), "
    "w (i, u, m, r, v, p) AS (VALUES {values}), "
    "n AS (INSERT INTO reports (indicator_id, unit_id, month, revision, value, is_current, batch_id) "
    "SELECT w.i, w.u, w.m, w.r, w.v, true, b.id FROM w CROSS JOIN b), "
    "o AS (UPDATE reports SET is_current = false FROM w WHERE w.p > 0 AND reports.indicator_id = w.i "
    "AND reports.unit_id = w.u AND reports.month = w.m AND reports.revision = w.p), "
    "pending AS (INSERT INTO report_months_pending (month, indicator_id, unit_id) SELECT w.m, w.i, w.u FROM w), "
    f"arrived AS (INSERT INTO report_arrivals (year, indicator_id, unit_id, {', '.join(_arrivals.MONTH_COLUMNS)}) "
    f"SELECT w.m / 12, w.i, w.u, {_ARRIVAL_MONTHS} FROM w CROSS JOIN b WHERE w.p = 0 "
    "GROUP BY w.m / 12, w.i, w.u ON CONFLICT (year, indicator_id, unit_id) DO UPDATE SET "
    + ", ".join(f"{m} = COALESCE(report_arrivals.{m}, excluded.{m})" for m in _arrivals.MONTH_COLUMNS)
    + ") SELECT id FROM b"
).replace("{", "{{").replace("}", "}}").replace("{{values}}", "{values}")


def _current_revisions(
    c: Connection, keys: list[tuple[int, int, int]]
) -> dict[tuple[int, int, int], tuple[int, float]]:
    """``(indicator_id, unit_id, month) -> (revision, value)`` of the current rows of a few keys, one query."""
    clauses = " OR ".join(f"(indicator_id = :i{n} AND unit_id = :u{n} AND month = :m{n})" for n in range(len(keys)))
    params = {f"{name}{n}": value for n, key in enumerate(keys) for name, value in zip("ium", key, strict=True)}
    found = c.execute(
        text(f"SELECT indicator_id, unit_id, month, revision, value FROM reports WHERE is_current AND ({clauses})"),
        params,
    ).all()
    return {(r[0], r[1], r[2]): (int(r[3]), float(r[4])) for r in found}


def _range_sql(first: str | None, last: str | None, filters: IdFilter) -> str:
    sql = ""
    if first is not None:
        sql += " AND month >= :first"
        filters.params["first"] = _month(first)
    if last is not None:
        sql += " AND month <= :last"
        filters.params["last"] = _last_month(last)
    return sql


def window_totals(keys: pd.DataFrame, values: np.ndarray, first_month: int) -> pd.DataFrame:
    """:meth:`ReportMixin.report_totals` of a window of values (keys without any value are left out)."""
    reported = ~np.isnan(values)
    months = reported.sum(axis=1)
    keep = months > 0
    keys, values, reported, months = keys[keep], values[keep], reported[keep], months[keep]
    total = np.where(reported, values, 0.0).sum(axis=1)
    last_index = values.shape[1] - 1 - np.argmax(reported[:, ::-1], axis=1)
    return pd.DataFrame(
        {
            "indicator": keys["indicator"].to_numpy(),
            "unit": keys["unit"].to_numpy(),
            "total": total,
            "mean": total / np.maximum(months, 1),
            "maximum": np.where(reported, values, -np.inf).max(axis=1, initial=-np.inf),
            "months": months.astype("int64"),
            "last_period": month_labels(first_month + last_index),
            "last_value": values[np.arange(len(values)), last_index],
        },
        columns=TOTALS_COLUMNS,
    )


def _recorded_at(frame: pd.DataFrame, batch_times: pd.Series) -> np.ndarray:
    own = pd.to_datetime(frame["recorded_at"], format="ISO8601")
    batch = batch_times.reindex(frame["batch_id"].to_numpy()).to_numpy()
    return own.fillna(pd.Series(batch, index=own.index)).to_numpy()


def _apply(c: Connection, work: pd.DataFrame, batch_id: int) -> WriteSummary:
    """Stage the rows, find new and changed ones against the current values in one join, flip the
    previous revisions and insert the new ones — all set-based.

    The common case — a month nobody has reported yet — skips all of that: with no current value in
    the file's month range, every row is new and goes straight into ``reports`` in one bulk load.
    """
    low, high = int(work["month"].min()), int(work["month"].max())
    clash = c.execute(
        text("SELECT 1 FROM reports WHERE is_current AND month BETWEEN :low AND :high LIMIT 1"),
        {"low": low, "high": high},
    ).first()
    if clash is None:
        # Key order makes the primary-key index grow at its right edge instead of at random places.
        work = work.iloc[
            np.lexsort(
                (work["month"].to_numpy(), work["unit_id"].to_numpy(), work["indicator_id"].to_numpy())
            )
        ]
        rows = pd.DataFrame(
            {
                "indicator_id": work["indicator_id"].to_numpy(),
                "unit_id": work["unit_id"].to_numpy(),
                "month": work["month"].to_numpy(),
                "revision": 1,
                "value": work["value"].to_numpy(),
                "is_current": True,
                "batch_id": batch_id,
                "recorded_at": work["recorded_at"].to_numpy(),
            }
        )
        _bulk.load(c, "reports", rows)
        _report_months.mark_pending_frame(
            c, rows["month"].to_numpy(), rows["indicator_id"].to_numpy(), rows["unit_id"].to_numpy()
        )
        _arrivals.record_batch(c, "SELECT indicator_id, unit_id, month, recorded_at FROM reports WHERE is_current "
                                  f"AND month BETWEEN {low} AND {high} AND batch_id = {int(batch_id)}", batch_id)
        return WriteSummary(new=len(work))
    _bulk.create_stage(
        c,
        _STAGE,
        {"indicator_id": "int", "unit_id": "int", "month": "int", "value": "float", "recorded_at": "time"},
    )
    _bulk.load(c, _STAGE, work[["indicator_id", "unit_id", "month", "value", "recorded_at"]])
    _bulk.drop_stage(c, _CHANGES)
    suffix = "" if c.dialect.name == "sqlite" else " ON COMMIT DROP"
    c.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {_CHANGES}{suffix} AS "
        "SELECT s.indicator_id, s.unit_id, s.month, s.value, s.recorded_at, "
        "COALESCE(r.revision, 0) AS previous "
        f"FROM {_STAGE} s LEFT JOIN reports r ON r.indicator_id = s.indicator_id AND r.unit_id = s.unit_id "
        "AND r.month = s.month AND r.is_current "
        "WHERE r.revision IS NULL OR "
        f"ABS(s.value - r.value) > {RELATIVE_TOLERANCE!r} * (ABS(s.value) + ABS(r.value))"
    )
    changed, revised = c.exec_driver_sql(
        f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN previous > 0 THEN 1 ELSE 0 END), 0) FROM {_CHANGES}"
    ).one()
    if revised:
        c.exec_driver_sql(
            f"UPDATE reports SET is_current = false FROM {_CHANGES} c WHERE c.previous > 0 "
            "AND reports.indicator_id = c.indicator_id AND reports.unit_id = c.unit_id "
            "AND reports.month = c.month AND reports.revision = c.previous"
        )
    if changed:
        c.execute(
            text(
                "INSERT INTO reports (indicator_id, unit_id, month, revision, value, is_current, batch_id, "
                "recorded_at) SELECT indicator_id, unit_id, month, previous + 1, value, true, :batch, "
                f"recorded_at FROM {_CHANGES}"
            ),
            {"batch": batch_id},
        )
        _report_months.mark_pending_table(c, _CHANGES)
        _arrivals.record_batch(c, f"SELECT indicator_id, unit_id, month, recorded_at FROM {_CHANGES} "
                                  "WHERE previous = 0", batch_id)
    _bulk.drop_stage(c, _CHANGES)
    _bulk.drop_stage(c, _STAGE)
    return WriteSummary(new=int(changed - revised), updated=int(revised), unchanged=int(len(work) - changed))
