"""Benchmark: importing monthly reports and the year-to-date status aggregation, SQLite and PostgreSQL.

Peers, on the same rows:
  * SQLite: ``sqlite3.executemany`` of ready-made tuples into the very same ``reports`` table
    (same keys, index and foreign keys), no parsing, no validation — the floor of what the driver can do.
  * PostgreSQL: ``COPY ... FROM STDIN`` of a ready-made text buffer into the same table.
gosplan's side is ``gosplan.ingest.import_file`` on a CSV file with every validation on (read, check,
convert, detect revisions, write), so the ratio says how much of the raw speed survives.

The status part times ``Store.report_totals`` for a year to date over a store of
units x indicators x months current reports (default 10,000 x 50 x 36 = 18 million rows), built once
through the bulk path and cached (an SQLite file under --cache, a PostgreSQL database named after the size).

    python bench/ingest.py                       # full size, both backends, writes docs/benchmarks.md
    python bench/ingest.py --rows 100000 --status-units 500 --no-docs     # a quick try

PostgreSQL comes from GOSPLAN_BENCH_PG (default postgresql+psycopg://postgres@127.0.0.1:5432/test);
it is skipped with a message when unreachable.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gosplan.ingest import import_file
from gosplan.store import Store

console = Console()
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
FIRST_YEAR = 2023
SECTION = "## Ingest and status (foundation, `bench/ingest.py`)"
# Reading notes kept beside the script, so that a re-run keeps them under the new numbers.
NOTES_PATH = Path(__file__).with_name("ingest_notes.md")


# -- data ---------------------------------------------------------------------------------------------


def reference(n_units: int, n_indicators: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    units = pd.DataFrame(
        {"code": [f"E{i:06d}" for i in range(n_units)], "name": "enterprise", "kind": "enterprise"}
    )
    indicators = pd.DataFrame(
        {"code": [f"ind{i:03d}" for i in range(n_indicators)], "name": "indicator", "unit": "t"}
    )
    return units, indicators


def report_rows(n_units: int, n_indicators: int, months: list[int], seed: int = 1) -> pd.DataFrame:
    """Rows in integer form: unit index, indicator index, month ordinal, value."""
    per_unit = n_indicators * len(months)
    unit = np.repeat(np.arange(n_units), per_unit)
    indicator = np.tile(np.repeat(np.arange(n_indicators), len(months)), n_units)
    month = np.tile(np.array(months), n_units * n_indicators)
    value = np.random.default_rng(seed).uniform(0, 10_000, len(unit)).round(3)
    return pd.DataFrame({"unit": unit, "indicator": indicator, "month": month, "value": value})


def as_codes(rows: pd.DataFrame) -> pd.DataFrame:
    unit_codes = np.array([f"E{i:06d}" for i in range(int(rows["unit"].max()) + 1)], dtype=object)
    indicator_codes = np.array([f"ind{i:03d}" for i in range(int(rows["indicator"].max()) + 1)], dtype=object)
    labels = {m: f"{m // 12}-{m % 12 + 1:02d}" for m in np.unique(rows["month"]).tolist()}
    return pd.DataFrame(
        {
            "indicator": indicator_codes[rows["indicator"].to_numpy()],
            "unit": unit_codes[rows["unit"].to_numpy()],
            "period": rows["month"].map(labels).to_numpy(),
            "value": rows["value"].to_numpy(),
        }
    )


# -- backends -----------------------------------------------------------------------------------------


class Backend:
    name: str

    def fresh(self) -> str:  # a URL where nothing exists yet
        raise NotImplementedError

    def drop(self, url: str) -> None:
        raise NotImplementedError

    def raw_load(self, store: Store, rows: pd.DataFrame) -> float:
        """Seconds for the driver's raw bulk path to put ``rows`` into ``reports`` (ids already resolved)."""
        raise NotImplementedError


class SQLiteBackend(Backend):
    name = "SQLite"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def fresh(self) -> str:
        return f"sqlite:///{self.directory / f'bench-{secrets.token_hex(4)}.db'}"

    def drop(self, url: str) -> None:
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def raw_load(self, store: Store, rows: pd.DataFrame) -> float:
        batch = _batch(store)
        tuples = list(
            zip(
                (rows["indicator"] + 1).tolist(),
                (rows["unit"] + 1).tolist(),
                rows["month"].tolist(),
                [1] * len(rows),
                rows["value"].tolist(),
                [1] * len(rows),
                [batch] * len(rows),
                [None] * len(rows),
                strict=True,
            )
        )
        store.close()
        connection = sqlite3.connect(store.url.removeprefix("sqlite:///"), isolation_level=None)
        for pragma in (
            "foreign_keys = ON",
            "journal_mode = WAL",
            "synchronous = NORMAL",
            "cache_size = -262144",
        ):
            connection.execute(f"PRAGMA {pragma}")
        start = time.perf_counter()
        connection.execute("BEGIN")
        connection.executemany("INSERT INTO reports VALUES (?, ?, ?, ?, ?, ?, ?, ?)", tuples)
        connection.execute("COMMIT")
        elapsed = time.perf_counter() - start
        connection.close()
        return elapsed


class PostgresBackend(Backend):
    name = "PostgreSQL"

    def __init__(self, base: str) -> None:
        from sqlalchemy.engine import make_url

        self.base = make_url(base)

    def _admin(self):
        import psycopg

        libpq = self.base.set(drivername="postgresql").render_as_string(hide_password=False)
        return psycopg.connect(libpq, autocommit=True, connect_timeout=5)

    def available(self) -> str | None:
        try:
            self._admin().close()
        except Exception as exc:  # any connection failure means: skip PostgreSQL
            return str(exc).strip().splitlines()[0]
        return None

    def url_of(self, database: str) -> str:
        return self.base.set(database=database).render_as_string(hide_password=False)

    def exists(self, database: str) -> bool:
        with self._admin() as admin:
            return (
                admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
                is not None
            )

    def create(self, database: str) -> str:
        with self._admin() as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        return self.url_of(database)

    def fresh(self) -> str:
        return self.create(f"gosplan_bench_{secrets.token_hex(4)}")

    def drop(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def raw_load(self, store: Store, rows: pd.DataFrame) -> float:
        batch = _batch(store)
        frame = pd.DataFrame(
            {
                "indicator_id": rows["indicator"] + 1,
                "unit_id": rows["unit"] + 1,
                "month": rows["month"],
                "revision": 1,
                "value": rows["value"],
                "is_current": "t",
                "batch_id": batch,
            }
        )
        text = frame.to_csv(sep="\t", header=False, index=False, lineterminator="\n")
        with store.engine.begin() as conn:
            cursor = conn.connection.driver_connection.cursor()
            start = time.perf_counter()
            with cursor.copy(
                "COPY reports (indicator_id, unit_id, month, revision, value, is_current, batch_id) "
                "FROM STDIN"
            ) as copy:
                for offset in range(0, len(text), 8 << 20):
                    copy.write(
                        text[offset : offset + 8 << 20] if False else text[offset : offset + (8 << 20)]
                    )
        elapsed = time.perf_counter() - start
        return elapsed


def _batch(store: Store) -> int:
    from gosplan.store import schema
    from gosplan.store._common import utc_now

    with store.transaction() as conn:
        return conn.execute(
            schema.batches.insert()
            .values(kind="reports", source="raw", recorded_by="bench", recorded_at=utc_now())
            .returning(schema.batches.c.id)
        ).scalar_one()


# -- measurements -------------------------------------------------------------------------------------


def best_of(repeat: int, run: Callable[[], float]) -> float:
    return min(run() for _ in range(repeat))


def measure_ingest(
    backend: Backend, rows: pd.DataFrame, csv_path: Path, n_units: int, n_indicators: int, repeat: int
) -> dict[str, float]:
    units, indicators = reference(n_units, n_indicators)
    today = date(FIRST_YEAR, 12, 31)

    def prepared() -> tuple[str, Store]:
        url = backend.fresh()
        store = Store.open(url)
        store.write_units(units)
        store.write_indicators(indicators)
        return url, store

    def ours() -> float:
        url, store = prepared()
        try:
            start = time.perf_counter()
            result = import_file(store, csv_path, today=today, recorded_by="bench")
            elapsed = time.perf_counter() - start
            assert result.new == len(rows), result
        finally:
            store.close()
            backend.drop(url)
        return elapsed

    def raw() -> float:
        url, store = prepared()
        try:
            return backend.raw_load(store, rows)
        finally:
            store.close()
            backend.drop(url)

    timings = {"gosplan": [], "raw": []}
    for _ in range(repeat):  # interleaved, so that both sides see the same load on the shared machine
        timings["raw"].append(raw())
        timings["gosplan"].append(ours())
    return {key: min(values) for key, values in timings.items()}


def status_store(backend: Backend, cache: Path, n_units: int, n_indicators: int, n_months: int) -> Store:
    """The cached store for the status timing; built through the bulk path on first use."""
    label = f"{n_units}x{n_indicators}x{n_months}"
    if isinstance(backend, SQLiteBackend):
        url = f"sqlite:///{cache / f'status-{label}.db'}"
    else:
        database = f"gosplan_bench_status_{label}"
        url = backend.url_of(database) if backend.exists(database) else backend.create(database)
    store = Store.open(url)
    if store.get_meta("bench_status") == "complete":
        return store
    units, indicators = reference(n_units, n_indicators)
    store.write_units(units)
    store.write_indicators(indicators)
    start_month = FIRST_YEAR * 12
    with Progress(
        TextColumn("[bold]building status store[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task(f"{backend.name} {label}", total=n_months)
        for offset in range(n_months):
            month = start_month + offset
            period = f"{month // 12}-{month % 12 + 1:02d}"
            if not store.reports(units=[units["code"].iloc[0]], first=period, last=period).empty:
                progress.advance(task)
                continue
            frame = as_codes(report_rows(n_units, n_indicators, [month], seed=offset))
            with store.transaction() as conn:
                if store.dialect == "postgresql":
                    # Building the cached fixture only: skip the per-row foreign-key triggers (ids come
                    # from the store itself), which would make 18 million rows take an hour here.
                    conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
                store.write_reports(frame, source=f"bench {period}", recorded_by="bench", conn=conn)
            progress.advance(task)
    if store.dialect == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE reports")  # index-only scans need the visibility map
    else:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    store.set_meta("bench_status", "complete")
    return store


def measure_status(store: Store, n_months: int, repeat: int) -> dict[str, float]:
    last_year = FIRST_YEAR + (n_months - 1) // 12
    results = {}
    for label, last in (("ytd_june", f"{last_year}-06"), ("ytd_december", f"{last_year}-12")):

        def run(last=last) -> float:
            start = time.perf_counter()
            totals = store.report_totals(f"{last_year}-01", last)
            elapsed = time.perf_counter() - start
            assert len(totals) > 0
            return elapsed

        results[label] = best_of(repeat, run)
    results["groups"] = len(store.report_totals(f"{last_year}-01", f"{last_year}-06"))

    def month_sums() -> float:
        start = time.perf_counter()
        # One indicator over all years: what a seasonal profile asks for (all indicators at once
        # returns units x indicators x 12 rows, which is a data export, not a status query).
        store.report_month_sums(f"{FIRST_YEAR}-01", f"{last_year}-12", indicators=["ind000"])
        return time.perf_counter() - start

    results["month_sums"] = best_of(max(1, repeat - 1), month_sums)
    return results


# -- report -------------------------------------------------------------------------------------------


def write_docs(text: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    content = path.read_text(encoding="utf-8")
    start = content.index(SECTION) + len(SECTION)
    following = content.find("\n## ", start)
    end = len(content) if following < 0 else following + 1
    path.write_text(
        content[:start] + "\n\n" + text.strip() + "\n\n" + content[end:].lstrip("\n"), encoding="utf-8"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="report rows to import (50 indicators x 2 months x units)"
    )
    parser.add_argument("--status-units", type=int, default=10_000)
    parser.add_argument("--status-indicators", type=int, default=50)
    parser.add_argument("--status-months", type=int, default=36)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "gosplan-bench")
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--skip-status", action="store_true")
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)

    backends: list[Backend] = []
    notes = []
    for name in args.backends.split(","):
        if name == "sqlite":
            backends.append(SQLiteBackend(args.cache))
        elif name == "postgresql":
            pg = PostgresBackend(os.environ.get("GOSPLAN_BENCH_PG", DEFAULT_PG))
            problem = pg.available()
            if problem:
                console.print(f"[yellow]PostgreSQL skipped:[/] {problem}")
                notes.append(f"PostgreSQL was not measured ({problem}).")
            else:
                backends.append(pg)

    n_indicators, months = 50, [FIRST_YEAR * 12, FIRST_YEAR * 12 + 1]
    n_units = max(1, args.rows // (n_indicators * len(months)))
    rows = report_rows(n_units, n_indicators, months)
    ingest_results: dict[str, dict[str, float]] = {}
    if not args.skip_ingest:
        csv_path = args.cache / f"reports-{len(rows)}.csv"
        if not csv_path.exists():
            as_codes(rows).to_csv(csv_path, index=False)
        for backend in backends:
            console.print(f"importing {len(rows):,} rows into {backend.name} ({args.repeat} repeats) ...")
            ingest_results[backend.name] = measure_ingest(
                backend, rows, csv_path, n_units, n_indicators, args.repeat
            )
    status_results: dict[str, dict[str, float]] = {}
    if not args.skip_status:
        for backend in backends:
            store = status_store(
                backend, args.cache, args.status_units, args.status_indicators, args.status_months
            )
            console.print(f"timing report_totals on {backend.name} ...")
            status_results[backend.name] = measure_status(store, args.status_months, args.repeat)
            store.close()

    lines = [
        f"Measured {date.today():%Y-%m-%d} on a {os.cpu_count()}-core machine (load average "
        f"{os.getloadavg()[0]:.1f} when the run ended: anything above about 1 means neighbours shared it), "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; best of {args.repeat} "
        "interleaved repeats. The ratios are the point; absolute numbers move with the machine.",
        "",
    ]
    if ingest_results:
        lines += [
            f"**Import of {len(rows):,} monthly report rows** ({n_units:,} enterprises x {n_indicators} "
            "indicators x 2 months) from CSV through `gosplan.ingest.import_file` with all validation on, "
            "against the "
            "driver's raw bulk path for the same rows into the same `reports` table (same keys, index and "
            "foreign keys; ids already resolved, no parsing, no checks).",
            "",
            "| backend | gosplan import_file | raw peer | peer | ratio (goal >= 0.5) |",
            "|---|---:|---:|---|---:|",
        ]
        table = Table("backend", "gosplan rows/s", "raw rows/s", "ratio")
        for name, result in ingest_results.items():
            ours, raw = len(rows) / result["gosplan"], len(rows) / result["raw"]
            peer = "`sqlite3.executemany`" if name == "SQLite" else "`COPY ... FROM STDIN`"
            lines.append(
                f"| {name} | {ours:,.0f} rows/s ({result['gosplan']:.1f} s) | {raw:,.0f} rows/s "
                f"({result['raw']:.1f} s) | {peer} | {ours / raw:.2f} |"
            )
            table.add_row(name, f"{ours:,.0f}", f"{raw:,.0f}", f"{ours / raw:.2f}")
        console.print(table)
        lines.append("")
    if status_results:
        size = args.status_units * args.status_indicators * args.status_months
        lines += [
            "**Status aggregation** — `Store.report_totals` (sum, mean, max, count, last period and last "
            "value per unit and indicator, from the derived `report_months` table) over a store of "
            f"{args.status_units:,} units x "
            f"{args.status_indicators} indicators x {args.status_months} months = {size:,} current report "
            "rows (built once through the bulk path, cached). Goal: under 5 s on PostgreSQL, under 10 s on "
            "SQLite.",
            "",
            "| backend | year to date, 6 months | year to date, 12 months | month sums, 1 indicator, "
            "all years | groups |",
            "|---|---:|---:|---:|---:|",
        ]
        table = Table("backend", "YTD 6 months s", "YTD 12 months s", "month sums s")
        for name, result in status_results.items():
            lines.append(
                f"| {name} | {result['ytd_june']:.2f} s | {result['ytd_december']:.2f} s | "
                f"{result['month_sums']:.2f} s | {int(result['groups']):,} |"
            )
            table.add_row(
                name,
                f"{result['ytd_june']:.2f}",
                f"{result['ytd_december']:.2f}",
                f"{result['month_sums']:.2f}",
            )
        console.print(table)
        lines.append("")
    lines += notes
    lines += [NOTES_PATH.read_text(encoding="utf-8")] if NOTES_PATH.exists() else []
    lines.append(
        f"Reproduce: `python bench/ingest.py{' ' + ' '.join(sys.argv[1:]) if sys.argv[1:] else ''}`."
    )
    text = "\n".join(lines)
    if not args.no_docs:
        write_docs(text)
        console.print("[green]docs/benchmarks.md updated[/]")
    else:
        console.print(text)


if __name__ == "__main__":
    main()
