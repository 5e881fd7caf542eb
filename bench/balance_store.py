"""Benchmark of the balance capability on the store: IO tables in and out, and the service's use cases.

Timings are the best of ``--repeat`` runs (default 3), taken on whatever machine runs this; the numbers
in docs/balance.md were taken on a shared, loaded 2-core machine.

    python bench/balance_store.py            # n = 100, 400, 1000 sectors (20 inputs each) + the demo
    python bench/balance_store.py --repeat 5
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from gosplan.service import Service
from gosplan.service.balance import h1_implications, key_sectors, load_table, plan_balance
from gosplan.store import Store

console = Console(stderr=True)


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def synthetic(n: int, per_column: int = 20, seed: int = 1) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    labels = [f"s{i:05d}" for i in range(n)]
    z = np.zeros((n, n))
    for j in range(n):
        rows = rng.choice(n, size=min(per_column, n), replace=False)
        z[rows, j] = rng.uniform(1, 10, size=len(rows))
    x = z.sum(axis=0) / 0.5  # intermediate inputs are half of every sector's output
    y = np.clip(x - z.sum(axis=1), 0, None)
    x = z.sum(axis=1) + y
    return {"Z": pd.DataFrame(z, index=labels, columns=labels),
            "Y": pd.DataFrame({"final_demand": y}, index=labels),
            "x": pd.DataFrame({"gross_output": x}, index=labels)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 400, 1000])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, Progress(console=console) as progress:
        task = progress.add_task("store round trips", total=len(args.sizes) + 1)
        for n in args.sizes:
            store = Store.open(f"sqlite:///{tmp}/io{n}.db")
            frames = synthetic(n)
            write = best(lambda store=store, frames=frames: store.write_io_table("t", 2023, frames), args.repeat)
            read = best(lambda store=store: store.io_table("t"), args.repeat)
            cells = int((frames["Z"].to_numpy() != 0).sum())
            rows.append((f"write IO table n = {n:,} ({cells:,} flows), SQLite", write))
            rows.append((f"read IO table n = {n:,}, SQLite", read))
            store.close()
            progress.advance(task)
        service = Service.open(f"sqlite:///{tmp}/demo.db")
        service.load_demo()

        def fresh() -> Service:
            return Service.open(service.store.url)

        rows.append(("demo: load_table + key_sectors (fresh service)",
                     best(lambda: key_sectors(fresh()), args.repeat)))
        rows.append(("demo: h1_implications 2023-H1 (fresh service, includes fulfilment)",
                     best(lambda: h1_implications(fresh(), "2023-H1"), args.repeat)))
        rows.append(("demo: plan_balance 2023 (fresh service, includes fulfilment 2022 and 2023)",
                     best(lambda: plan_balance(fresh(), 2023), args.repeat)))
        warm = fresh()
        plan_balance(warm, 2023)
        io = load_table(warm)
        rows.append(("demo: plan_balance 2023 (fulfilment cached)",
                     best(lambda: plan_balance(warm, 2023), args.repeat)))
        del io
        progress.advance(task)
    table = Table(title=f"balance on the store (best of {args.repeat})")
    table.add_column("case")
    table.add_column("seconds", justify="right")
    for label, seconds in rows:
        table.add_row(label, f"{seconds:.3f}")
    Console().print(table)


if __name__ == "__main__":
    main()
