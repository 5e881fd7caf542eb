"""Benchmark of the weather-risk Monte Carlo: runners side by side, and a per-scenario loop as reference.

The engine draws whole chunks of scenarios as arrays of shape (chunk, provinces); the reference
is the same model written scenario by scenario in plain Python/NumPy scalars (what one would
write first), run on fewer scenarios and scaled. Runners: in this process, a local process pool
(2 workers) and a Dask LocalCluster (2 workers), all through gosplan.runner.Runner.

    python bench/risk.py [--scenarios 200000] [--repeat 3]

Numbers in docs/benchmarks.md were taken on a shared, loaded 2-core machine: best of the repeats.
"""

from __future__ import annotations

import argparse
import math

import numpy as np
from rich.console import Console
from rich.table import Table
from scipy.stats import norm

from _timing import best_of
from gosplan.engines.risk import KINDS, Exposure, Measure, WeatherRiskModel, WeatherRiskParameters
from gosplan.runner import Runner

PROVINCES = 12


def _exposure() -> Exposure:
    rng = np.random.default_rng(0)
    names = tuple(f"KP-{i:02d}" for i in range(1, PROVINCES + 1))
    return Exposure(names, normal_output=rng.uniform(1e5, 1.2e6, PROVINCES),
                    area=rng.uniform(3e4, 3e5, PROVINCES),
                    protected_share={"drought": rng.uniform(0.1, 0.65, PROVINCES),
                                     "flood": rng.uniform(0.1, 0.4, PROVINCES)})


def _measures(exposure: Exposure) -> list[Measure]:
    return [Measure(f"irrigate {p}", p, "irrigation", 1.0e4, 1.0e4) for p in exposure.provinces]


def _loop_reference(params: WeatherRiskParameters, exposure: Exposure, n: int, seed: int) -> np.ndarray:
    """The model one scenario at a time (no measures): the baseline a vectorised engine must beat."""
    rng = np.random.default_rng(seed)
    effect = np.asarray(params.protection_effect)
    rho = params.spatial_correlation
    totals = np.empty(n)
    thresholds = norm.ppf(params.probability)
    for s in range(n):
        total = 0.0
        common = {(k, m): rng.standard_normal() for k in range(len(KINDS)) for m in range(12)}
        for p in range(len(exposure.provinces)):
            output = exposure.normal_output[p]
            for k in range(len(KINDS)):
                vulnerability = 1 - effect[k] * exposure.protected_share[k, p]
                for m in range(12):
                    if params.probability[k, m] == 0:
                        continue
                    z = math.sqrt(rho) * common[k, m] + math.sqrt(1 - rho) * rng.standard_normal()
                    if z < thresholds[k, m]:
                        a = params.severity_mean[k] * params.severity_concentration
                        severity = rng.beta(a, params.severity_concentration - a)
                        output *= 1 - params.stage_loss[k, m] * severity * vulnerability
            total += output * max(1 + params.other_sd * rng.standard_normal(), 0.0)
        totals[s] = total
    return totals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenarios", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--loop-scenarios", type=int, default=500)
    args = parser.parse_args()
    console = Console()
    exposure = _exposure()
    model = WeatherRiskModel()
    measures = _measures(exposure)
    target = 0.97 * exposure.normal_output.sum()
    rows: list[tuple[str, int, float]] = []

    loop = best_of(args.repeat, lambda: _loop_reference(model.parameters, exposure, args.loop_scenarios, 1))[0]
    rows.append(("per-scenario loop (reference, no measures)", args.loop_scenarios, loop))
    vector = best_of(args.repeat, lambda: model.simulate(exposure, target, (), args.scenarios, seed=1))[0]
    rows.append(("engine, local, no measures", args.scenarios, vector))
    runners = {"local": Runner(progress=True), "processes:2": Runner(processes=2, progress=True)}
    cluster = None
    try:
        from dask.distributed import LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        runners["dask LocalCluster 2 workers"] = Runner(scheduler=cluster.scheduler_address)
    except ImportError:  # pragma: no cover - dask is optional
        console.print("dask.distributed not installed: skipping the Dask runner")
    try:
        for name, runner in runners.items():
            def run(r: Runner = runner) -> None:
                model.simulate(exposure, target, measures, args.scenarios, seed=1, runner=r,
                               chunk_size=20_000)
            seconds = best_of(args.repeat, run)[0]
            rows.append((f"engine, {name}, {len(measures)} measures", args.scenarios, seconds))
    finally:
        if cluster is not None:
            cluster.close()

    table = Table(title=f"Weather-risk Monte Carlo, {PROVINCES} provinces (best of {args.repeat})")
    for column in ("run", "scenarios", "seconds", "scenarios/s", "vs loop"):
        table.add_column(column, justify="right" if column != "run" else "left")
    loop_rate = args.loop_scenarios / loop
    for name, n, seconds in rows:
        rate = n / seconds
        table.add_row(name, f"{n:,}", f"{seconds:.3f}", f"{rate:,.0f}", f"{rate / loop_rate:,.0f}x")
    console.print(table)


if __name__ == "__main__":
    main()
