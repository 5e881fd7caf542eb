"""Benchmark: ``gosplan status`` for a national roll-up, end to end, on SQLite and PostgreSQL.

A store of 10,000 enterprises under 100 counties under 10 provinces under the country, 50 indicators,
36 months of current reports (18 million rows) and annual + quarterly targets for 2023 is built once
through the bulk path and cached. Then a fresh :class:`~gosplan.service.Service` runs
``status(period, by="indicator")`` — the year to date and the same months a year earlier read from
``report_months``, the year's targets, trajectories, roll-ups over the hierarchy, statuses — as the
CLI does. Goals from the foundation issue: under 5 s on PostgreSQL and 10 s on SQLite. Apart, the
refresh that the first read after a month's import pays (copying that month's 500,000 current
values into ``report_months``).

    python bench/status.py                          # full size, both backends
    python bench/status.py --enterprises 500 --indicators 10      # a quick try

There is no peer that computes plan fulfilment over a unit hierarchy from a SQL store; the numbers
are compared with the goals. ``bench/ingest.py`` times the SQL aggregation alone.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from gosplan.service import Service
from gosplan.store import Store

console = Console()
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def hierarchy(n_enterprises: int) -> pd.DataFrame:
    per_county = max(n_enterprises // 100, 1)
    rows = [("KP", "Country", "country", None)]
    for p in range(10):
        rows.append((f"P{p}", f"Province {p}", "province", "KP"))
        for c in range(10):
            rows.append((f"P{p}C{c}", f"County {p}.{c}", "county", f"P{p}"))
            for e in range(per_county):
                rows.append((f"P{p}C{c}E{e}", f"Enterprise {p}.{c}.{e}", "enterprise", f"P{p}C{c}"))
    return pd.DataFrame(rows, columns=["code", "name", "kind", "parent"])


def build(url: str, n_enterprises: int, n_indicators: int) -> Store:
    store = Store.open(url)
    if store.get_meta("bench_status_full") == "complete":
        return store
    units = hierarchy(n_enterprises)
    enterprises = units.loc[units["kind"].eq("enterprise"), "code"].to_numpy()
    indicators = pd.DataFrame({"code": [f"ind{i:02d}" for i in range(n_indicators)], "name": "Indicator",
                               "unit": "t", "key": True})
    store.write_units(units)
    store.write_indicators(indicators)
    store.write_plans(pd.DataFrame({"code": ["ap-2023"], "name": ["Annual plan 2023"], "kind": ["annual"],
                                    "start_year": [2023], "end_year": [2023]}))
    rng = np.random.default_rng(7)
    unit_grid, ind_grid = np.meshgrid(enterprises, indicators["code"].to_numpy(), indexing="ij")
    unit_grid, ind_grid = unit_grid.ravel(), ind_grid.ravel()
    base = rng.uniform(100, 10_000, len(unit_grid))
    targets = [pd.DataFrame({"plan": "ap-2023", "indicator": ind_grid, "unit": unit_grid, "period": period,
                             "value": (base * 12 * share).round(1)})
               for period, share in [("2023", 1.0), ("2023-Q1", .24), ("2023-Q2", .25), ("2023-Q3", .26),
                                     ("2023-Q4", .25)]]
    store.write_targets(pd.concat(targets, ignore_index=True), source="bench", recorded_by="bench")
    months = [f"{y}-{m:02d}" for y in (2021, 2022, 2023) for m in range(1, 13)]
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("reports", total=len(months))
        for month in months:
            values = (base * rng.normal(1.0, 0.05, len(base))).round(1)
            frame = pd.DataFrame({"indicator": ind_grid, "unit": unit_grid, "period": month, "value": values})
            store.write_reports(frame, source="bench", recorded_by="bench")
            bar.advance(task)
    store.set_meta("bench_status_full", "complete")
    return store


def time_refresh(url: str, month: int) -> float:
    """Seconds the first read after a month's import spends copying that month into report_months."""
    from sqlalchemy import text

    from gosplan.store import _report_months

    store = Store.open(url)
    _report_months.refresh(store.engine)
    with store.engine.begin() as c:
        c.execute(text("INSERT INTO report_months_pending (month, indicator_id) "
                       "SELECT :month, id FROM indicators"), {"month": month})
    started = time.perf_counter()
    _report_months.refresh(store.engine)
    seconds = time.perf_counter() - started
    store.close()
    return seconds


def time_status(url: str, repeat: int) -> tuple[float, int]:
    best, rows = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        service = Service.open(url)
        service.status("2023-06", by="indicator")
        best = min(best, time.perf_counter() - started)
        rows = len(service.fulfilment("2023-06"))
        service.store.close()
    return best, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--indicators", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "gosplan-bench")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    label = f"{args.enterprises}x{args.indicators}"
    table = Table(title=f"status, national roll-up: {label} x 36 months")
    for name in ("backend", "reports", "rows in fulfilment table", "best of", "seconds", "goal",
                 "refresh after a month's import"):
        table.add_column(name)
    for backend in args.backends.split(","):
        if backend == "sqlite":
            url, goal = f"sqlite:///{args.cache / f'status-full-{label}.db'}", 10.0
        else:
            url, goal = _postgres(label), 5.0
            if url is None:
                console.print("[yellow]PostgreSQL not reachable; skipped[/]")
                continue
        with console.status(f"building the {backend} store (cached after the first run)..."):
            build(url, args.enterprises, args.indicators)
        refresh = time_refresh(url, 2023 * 12 + 5)  # June 2023, the last month the status reads
        seconds, rows = time_status(url, args.repeat)
        reports = args.enterprises // 100 * 100 * args.indicators * 36
        table.add_row(backend, f"{reports:,}", f"{rows:,}", str(args.repeat), f"{seconds:.2f}",
                      f"< {goal:.0f} s {'met' if seconds < goal else 'NOT met'}", f"{refresh:.2f} s")
    console.print(table)


def _postgres(label: str) -> str | None:
    import psycopg
    from sqlalchemy.engine import make_url

    base = os.environ.get("GOSPLAN_BENCH_PG", DEFAULT_PG)
    database = f"gosplan_bench_status_full_{label}".lower()
    libpq = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(libpq, autocommit=True, connect_timeout=3) as admin:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
            if not exists:
                admin.execute(f'CREATE DATABASE "{database}"')
    except psycopg.Error:
        return None
    return make_url(base).set(database=database).render_as_string(hide_password=False)


if __name__ == "__main__":
    main()
