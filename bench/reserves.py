"""Benchmark: gosplan's two-stage DEA against dealib and a per-unit HiGHS loop, side by side.

    python bench/reserves.py --units 10000 --repeat 3
    python bench/reserves.py --units 100000 --peer-sample 200
    python bench/reserves.py --units 1000000 --local-dask 2 --no-peers --rts crs

Data: ``units`` producing units with 3 inputs and 2 outputs on a Cobb-Douglas frontier with
half-normal inefficiency and a random output mix (the kind of synthetic data of Khezrimotlagh, Zhu,
Cook & Toloo 2019). The peers are timed on a random sample of units scored against the full
reference set (``--peer-sample``; all units when 0) and their time per unit is extrapolated to all
units, which is fair: their cost is the same LP for every unit. Scores of all three are compared on
the sample. Each timing is the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from _timing import best_of
from gosplan.reserves import dea
from gosplan.runner import Runner


def units_on_a_frontier(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(10, 20, (n, 3))
    frontier = np.prod(X**0.3, axis=1)
    mix = rng.dirichlet(np.ones(2), n)
    Y = mix * (frontier * np.exp(-np.abs(rng.normal(0, 0.3, n))))[:, None]
    return X, Y


def dealib_scores(X: np.ndarray, Y: np.ndarray, X_ref: np.ndarray, Y_ref: np.ndarray, rts: str) -> np.ndarray:
    from dealib.dea import dea as dealib_dea

    return np.asarray(dealib_dea(X, Y, rts=rts, orientation="input", xref=X_ref, yref=Y_ref).eff)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, nargs="+", default=[10_000])
    parser.add_argument("--rts", nargs="+", default=["crs", "vrs"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peer-sample", type=int, default=200)
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--slacks", action="store_true", help="also time the two-phase run with slacks")
    parser.add_argument("--scheduler", default=None, help="Dask address or processes[:N] for the runner")
    parser.add_argument("--local-dask", type=int, default=0, help="start a local Dask cluster of N workers")
    parser.add_argument("--chunk-size", type=int, default=100_000)
    args = parser.parse_args()
    console = Console(width=170)
    cluster = None
    if args.local_dask:
        from distributed import LocalCluster

        cluster = LocalCluster(n_workers=args.local_dask, threads_per_worker=1, dashboard_address=None)
        args.scheduler = cluster.scheduler_address
    runner = Runner.from_env(args.scheduler, progress=True) if args.scheduler else None
    table = Table(title="DEA, 3 inputs, 2 outputs, input orientation (seconds, best of repeats)")
    for column in ("units", "rts", "gosplan", "frame", "LP solves", "gosplan+slacks", "HiGHS loop",
                   "dealib", "loop / gosplan", "dealib / gosplan", "max |diff|"):
        table.add_column(column, justify="right")
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("benchmark", total=len(args.units) * len(args.rts))
        for n in args.units:
            X, Y = units_on_a_frontier(n)
            for rts in args.rts:
                kw: dict[str, Any] = {"rts": rts, "slacks": False, "method": "frame"}
                if runner is not None:
                    kw.update(runner=runner, chunk_size=args.chunk_size)
                seconds, result = best_of(args.repeat, lambda kw=kw, X=X, Y=Y: dea(X, Y, **kw))
                slack_time = np.nan
                if args.slacks:
                    slack_time, _ = best_of(args.repeat,
                                            lambda kw=kw, X=X, Y=Y: dea(X, Y, **{**kw, "slacks": True}))
                loop = dealib_time = diff = np.nan
                if not args.no_peers:
                    size = n if args.peer_sample <= 0 else min(n, args.peer_sample)
                    sample = np.random.default_rng(1).choice(n, size, replace=False)
                    t_loop, full = best_of(1, lambda s=sample, r=rts, X=X, Y=Y: dea(
                        X[s], Y[s], rts=r, slacks=False, method="lp", X_ref=X, Y_ref=Y))
                    t_dealib, theirs = best_of(
                        1, lambda s=sample, r=rts, X=X, Y=Y: dealib_scores(X[s], Y[s], X, Y, r))
                    loop, dealib_time = t_loop * n / size, t_dealib * n / size
                    ours = result.radial.to_numpy()[sample]
                    diff = max(np.max(np.abs(ours - full.radial.to_numpy())), np.max(np.abs(ours - theirs)))
                table.add_row(f"{n:,}", rts, f"{seconds:.2f}", f"{len(result.frame)}", f"{result.lp_solves}",
                              f"{slack_time:.2f}", f"{loop:.1f}", f"{dealib_time:.1f}",
                              f"{loop / seconds:.0f}x", f"{dealib_time / seconds:.0f}x", f"{diff:.1e}")
                progress.advance(task)
    console.print(table)
    if not args.no_peers and args.peer_sample > 0:
        console.print(f"Peers timed on {args.peer_sample} sampled units against all units, extrapolated.")
    if runner is not None:
        console.print(f"Scored through {runner!r} in chunks of {args.chunk_size:,} units.")
    if cluster is not None:
        cluster.close()


if __name__ == "__main__":
    main()
