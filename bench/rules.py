"""Benchmark: what validation rules add to the import of a national month.

N enterprises (default 10,000) x M indicators (default 50): one month is a CSV file of N x M values
(500,000 at full size). Same-sized files are imported into fresh months of one store, alternately
without rules and with R rules of severity error (default 50: ratios and sums across indicators of
each unit), best of two each, and the wall times are compared. Goal: rules add under 30 % to the
import time.

    python bench/rules.py                                       # full size, SQLite
    python bench/rules.py --enterprises 1000 --backends sqlite,postgresql      # a quick try
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from completeness import _pg_database, hierarchy
from gosplan.ingest import import_file
from gosplan.service import Service
from gosplan.service.rules import add_rule
from gosplan.store import Store

console = Console()


def month_file(path: Path, enterprises: np.ndarray, codes: list[str], month: str, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    unit_grid, ind_grid = (a.ravel() for a in np.meshgrid(enterprises, np.array(codes), indexing="ij"))
    # Every indicator i is about (i + 1) x 100 at every unit, so the ratio rules below hold.
    scale = np.array([int(c[3:]) + 1 for c in ind_grid]) * 100.0
    frame = pd.DataFrame({"indicator": ind_grid, "unit": unit_grid, "period": month,
                          "value": (scale * rng.uniform(0.95, 1.05, len(scale))).round(2)})
    frame.to_csv(path, index=False)
    return path


def rules_for(codes: list[str], count: int) -> list[tuple[str, str]]:
    out = []
    for i in range(count):
        j = i % max(len(codes) - 2, 1)
        a, b, c = codes[j], codes[(j + 1) % len(codes)], codes[(j + 2) % len(codes)]
        if i % 2:
            out.append((f"r{i:02d}", f"{a} <= 3 * {b} + {c}"))
        else:
            out.append((f"r{i:02d}", f"{a} + {b} >= 0.1 * {c}"))
    return out


def measure(url: str, n_enterprises: int, n_indicators: int, n_rules: int, workdir: Path) -> dict[str, float]:
    store = Store.open(url)
    if store.units().empty:
        units = hierarchy(n_enterprises)
        store.write_units(units)
        store.write_indicators(pd.DataFrame({"code": [f"ind{i:02d}" for i in range(n_indicators)],
                                             "name": "Indicator", "unit": "t"}))
    units = store.units()
    enterprises = units.loc[units["kind"].eq("enterprise"), "code"].to_numpy()
    codes = store.indicators()["code"].tolist()
    used = {p for p in store.reports(indicators=codes[:1], units=enterprises[:1].tolist())["period"]}
    free = [f"{y}-{m:02d}" for y in range(2000, 2020) for m in range(1, 13) if f"{y}-{m:02d}" not in used]
    service = Service(store)
    for code, _ in rules_for(codes, n_rules):
        store.delete_rule(code) if code in set(store.rules()["code"]) else None
    today = date(2030, 1, 1)
    rules = rules_for(codes, n_rules)
    # Interleaved, best of two each: the machine's load moves between runs.
    without = with_rules = float("inf")
    for attempt in range(2):
        plain = month_file(workdir / "plain.csv", enterprises, codes, free[2 * attempt], 1 + attempt)
        start = time.perf_counter()
        import_file(store, plain, today=today)
        without = min(without, time.perf_counter() - start)
        for code, text in rules:
            add_rule(service, code, text, severity="error")
        checked = month_file(workdir / "checked.csv", enterprises, codes, free[2 * attempt + 1], 3 + attempt)
        start = time.perf_counter()
        import_file(store, checked, today=today)
        with_rules = min(with_rules, time.perf_counter() - start)
        for code, _ in rules:
            store.delete_rule(code)
    return {"without rules": without, f"with {n_rules} rules": with_rules}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--indicators", type=int, default=50)
    parser.add_argument("--rules", type=int, default=50)
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--workdir", type=Path, default=Path("."))
    args = parser.parse_args()
    size = f"{args.enterprises}_{args.indicators}"
    results = {}
    for backend in args.backends.split(","):
        if backend == "postgresql":
            url = os.environ.get("GOSPLAN_BENCH_PG") or _pg_database(f"bench_rules_{size}")
        else:
            url = f"sqlite:///{(args.workdir / f'bench-rules-{size}.db').resolve()}"
        results[backend] = measure(url, args.enterprises, args.indicators, args.rules, args.workdir)
    n = args.enterprises * args.indicators
    table = Table(title=f"Import of a month: {n:,} values, {args.rules} rules", title_justify="left")
    table.add_column("import")
    for backend in results:
        table.add_column(backend, justify="right")
    for step in next(iter(results.values())):
        table.add_row(step, *(f"{r[step]:.2f} s" for r in results.values()))
    added = [100 * (r[f"with {args.rules} rules"] / r["without rules"] - 1) for r in results.values()]
    table.add_row("added by the rules", *(f"{a:+.0f} %" for a in added))
    console.print(table)


if __name__ == "__main__":
    main()
