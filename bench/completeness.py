"""Benchmark: ``gosplan completeness`` for a year, on PostgreSQL and SQLite.

A store of N enterprises (default 10,000) under 100 counties under 10 provinces, M indicators
(default 50) in one indicator set assigned to every enterprise, and a year of reports (N x M x 12,
six million at full size) arriving 1 to 30 days after their month with 2 % never sent, is built once
through the bulk path and cached. Then a fresh service computes the completeness of the year by level
(expected, received and on-time reports of every unit, rolled up) as the CLI does; the store's read
(month masks made by the database from the first-arrival table, one row per indicator and unit) and
the engine are timed apart. Goal: under 3 s on PostgreSQL at full size.

    python bench/completeness.py                               # full size, both backends
    python bench/completeness.py --enterprises 1000 --indicators 10 --backends sqlite   # a quick try

No peer computes reporting rates over a unit hierarchy from a SQL store (DHIS2 precomputes them in
its analytics tables); the numbers are compared with the goal.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from _timing import best_of
from gosplan.engines.completeness import completeness as engine
from gosplan.engines.completeness import deadlines, expected_from_assignments
from gosplan.service import Service
from gosplan.service.completeness import completeness
from gosplan.store import Store

console = Console()
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
YEAR = 2023


def hierarchy(n_enterprises: int) -> pd.DataFrame:
    per_county = max(n_enterprises // 100, 1)
    rows = [("KP", "Country", "country", None)]
    for p in range(10):
        rows.append((f"P{p}", f"Province {p}", "province", "KP"))
        for c in range(10):
            rows.append((f"P{p}C{c}", f"County {p}.{c}", "county", f"P{p}"))
            rows.extend((f"P{p}C{c}E{e}", f"Enterprise {p}.{c}.{e}", "enterprise", f"P{p}C{c}")
                        for e in range(per_county))
    return pd.DataFrame(rows, columns=["code", "name", "kind", "parent"])


def build(url: str, n_enterprises: int, n_indicators: int) -> Store:
    store = Store.open(url)
    if store.get_meta("bench_completeness") == f"{n_enterprises}x{n_indicators}":
        return store
    if not store.units().empty:
        raise SystemExit(f"{url} holds other data: point --pg/--sqlite at an empty database")
    units = hierarchy(n_enterprises)
    enterprises = units.loc[units["kind"].eq("enterprise"), "code"].to_numpy()
    codes = [f"ind{i:02d}" for i in range(n_indicators)]
    store.write_units(units)
    store.write_indicators(pd.DataFrame({"code": codes, "name": "Indicator", "unit": "t"}))
    store.write_indicator_set("monthly", "Monthly form", codes)
    store.assign_indicator_set("monthly", enterprises.tolist())
    rng = np.random.default_rng(11)
    unit_grid, ind_grid = (a.ravel() for a in np.meshgrid(enterprises, np.array(codes), indexing="ij"))
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(f"reports ({len(unit_grid) * 12:,})", total=12)
        for month in range(1, 13):
            sent = rng.random(len(unit_grid)) >= 0.02
            month_end = pd.Timestamp(YEAR, month, 1) + pd.offsets.MonthEnd(0)
            arrival = month_end + pd.to_timedelta(rng.integers(1, 31, sent.sum()), unit="D")
            frame = pd.DataFrame({"indicator": ind_grid[sent], "unit": unit_grid[sent],
                                  "period": f"{YEAR}-{month:02d}", "value": rng.uniform(1, 1000, sent.sum()),
                                  "recorded_at": arrival})
            store.write_reports(frame, source="bench", recorded_by="bench")
            bar.advance(task)
    if store.dialect == "postgresql":
        with store.engine.connect() as conn:  # fresh statistics after the bulk load, as autovacuum would
            conn.exec_driver_sql("ANALYZE reports")
            conn.commit()
    store.set_meta("bench_completeness", f"{n_enterprises}x{n_indicators}")
    return store


def measure(url: str, n_enterprises: int, n_indicators: int, repeat: int) -> dict[str, float]:
    build(url, n_enterprises, n_indicators).close()
    first, last = YEAR * 12, YEAR * 12 + 11
    cut = deadlines(first, last, 15)

    def end_to_end():
        return completeness(Service.open(url), str(YEAR), as_of=f"{YEAR}-12")

    total, view = best_of(repeat, end_to_end)
    service = Service.open(url)
    read, arrived = best_of(repeat, lambda: service.store.report_arrivals(first, last, cut))
    assignments, members = service.store.indicator_set_assignments(), service.store.indicator_sets()
    hierarchy = service.hierarchy()
    compute, _ = best_of(repeat, lambda: engine(expected_from_assignments(assignments, members, first, last),
                                                arrived, hierarchy))
    s = view.summary
    console.print(f"  {url.split(':')[0]}: expected {int(s['expected']):,}, received {int(s['received']):,} "
                  f"({s['reporting_rate']:.1f} %), on time {s['on_time_rate']:.1f} %")
    return {"end to end": total, "store read (arrival masks)": read, "engine": compute}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--indicators", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--pg", default=os.environ.get("GOSPLAN_BENCH_PG"),
                        help="An empty PostgreSQL database (default: bench_completeness_E_I on the test server).")
    parser.add_argument("--sqlite", type=Path, default=None)
    args = parser.parse_args()
    size = f"{args.enterprises}_{args.indicators}"
    results = {}
    for backend in args.backends.split(","):
        if backend == "postgresql":
            url = args.pg or _pg_database(f"bench_completeness_{size}")
        else:
            url = f"sqlite:///{args.sqlite or Path(f'bench-completeness-{size}.db').resolve()}"
        results[backend] = measure(url, args.enterprises, args.indicators, args.repeat)
    n = args.enterprises * args.indicators * 12
    table = Table(title=f"Completeness of a year: {args.enterprises:,} enterprises x {args.indicators} "
                        f"indicators x 12 months ({n:,} reports); best of {args.repeat}", title_justify="left")
    table.add_column("step")
    for backend in results:
        table.add_column(backend, justify="right")
    for step in next(iter(results.values())):
        table.add_row(step, *(f"{r[step]:.2f} s" for r in results.values()))
    console.print(table)
    if "postgresql" in results:
        verdict = "meets" if results["postgresql"]["end to end"] < 3 else "misses"
        console.print(f"PostgreSQL end to end {results['postgresql']['end to end']:.2f} s: {verdict} the 3 s goal")


def _pg_database(name: str) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(os.environ.get("GOSPLAN_TEST_PG", DEFAULT_PG))
    admin_url = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            admin.execute(f'CREATE DATABASE "{name}"')
    return base.set(database=name).render_as_string(hide_password=False)


if __name__ == "__main__":
    main()
