"""Benchmark of the balance engine, with pymrio (and HiGHS) side by side.

Each case runs in its own subprocess so that peak memory (max RSS, and the tracemalloc peak of the
timed call alone) is measured per library. Timings are the best of ``--repeat`` runs.

    python bench/balance.py                 # all cases except n = 10,000,000
    python bench/balance.py io extraction   # chosen cases
    python bench/balance.py sparse10m       # the national-nomenclature scale (about 5 GB, minutes)
    python bench/balance.py io --reuse-peer # reuse the last pymrio run (minutes, 5 GiB)
    python bench/balance.py io --n=4000     # the io case at another size
    python bench/balance.py io --repeat=5   # best of 5 (pymrio: best of 4); each run appends its
                                            # ratios and the load to bench/.results/io_runs.jsonl

Cases: ``io`` (n = 9,800, 15 % dense: gosplan from scipy.sparse, a C-ordered ndarray and pymrio's own
DataFrame vs pymrio ``calc_system`` from that DataFrame), ``extraction`` (all 9,800
sectors; naive re-solve loop extrapolated), ``sparse1m`` / ``sparse10m`` (20 inputs per product:
solve and output multipliers), ``lp`` (``balance_plan`` n = 10,000 and 100,000; HiGHS on the full LP).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

console = Console(stderr=True)
GiB = 2**30


def timed(fn: Callable[[], Any], repeat: int, label: str) -> tuple[float, float, Any]:
    """Best wall time over ``repeat`` runs and the tracemalloc peak (bytes) of one run."""
    best, peak, result = np.inf, 0.0, None
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(label, total=repeat)
        for k in range(repeat):
            if k == 0:
                tracemalloc.start()
            result = None  # free the previous run's arrays before the next (pymrio holds GiBs)
            start = time.perf_counter()
            result = fn()
            best = min(best, time.perf_counter() - start)
            if k == 0:
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            progress.advance(task)
    return best, peak, result


def max_rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024.0


def flows(n: int, density: float, seed: int = 0) -> tuple[sp.csc_array, np.ndarray]:
    """Random flows Z (non-negative, ``density`` non-zero) and final demand y; column sums of A ~ 0.5."""
    rng = np.random.default_rng(seed)
    Z = sp.random_array((n, n), density=density, rng=rng, format="csc")
    mean = float(np.asarray(Z.sum(axis=1)).mean())
    y = rng.uniform(0.5, 1.5, n) * mean
    return Z, y


def sparse_coefficients(n: int, k: int = 20, seed: int = 0) -> sp.csc_array:
    """A with k random inputs per product (column), column sums uniform in [0.3, 0.8]: built in place."""
    rng = np.random.default_rng(seed)
    indptr = np.arange(0, n * k + 1, k, dtype=np.int64 if n * k >= 2**31 else np.int32)
    indices = rng.integers(0, n, n * k, dtype=np.int32)
    data = rng.random(n * k)
    scale = rng.uniform(0.3, 0.8, n) / np.add.reduceat(data, indptr[:-1])
    step = 1_000_000  # normalise columns in slices: no second n*k temporary at n = 10,000,000
    for start in range(0, n, step):
        stop = min(start + step, n)
        data[start * k : stop * k] *= np.repeat(scale[start:stop], k)
    return sp.csc_array((data, indices, indptr), shape=(n, n))


# -- workers (run in subprocesses) ---------------------------------------------------------------
def io_frame(dense: np.ndarray) -> Any:
    """The flows as pymrio holds them: a DataFrame with a (region, sector) MultiIndex on both axes."""
    import pandas as pd

    n = dense.shape[0]
    index = pd.MultiIndex.from_arrays([["reg"] * n, [f"s{i}" for i in range(n)]], names=["region", "sector"])
    return pd.DataFrame(dense, index=index, columns=index)


def worker_io_gosplan(n: int, density: float, repeat: int, held: str = "sparse") -> dict[str, Any]:
    """gosplan from the flows as the user holds them: ``sparse`` (scipy CSC), ``dense`` (a C-ordered
    ndarray, as numpy reads files) or ``frame`` (the pymrio-style DataFrame pymrio itself is given).

    The same analysis as pymrio's ``calc_system`` (x from the flows and final demand, A, and what L is
    used for: output multipliers, Ghosh forward linkages, row sums of L) plus the key-sector classes;
    any conversion of the input is inside the timed call, as it is for pymrio.
    """
    from gosplan.balance import IOTable

    Z, y = flows(n, density)
    if held != "sparse":
        dense = Z.toarray()  # Fortran order, like the frame pymrio is handed
        del Z
        Z = np.ascontiguousarray(dense) if held == "dense" else io_frame(dense)
        del dense

    def run() -> tuple[IOTable, Any]:
        t = IOTable.from_flows(Z, final_demand=y)
        links = t.linkages()
        t.key_sectors(links)
        return t, links

    seconds, peak, (table, links) = timed(run, repeat, f"gosplan io ({held})")
    np.savez(
        RESULTS / f"io_gosplan_{held}.npz",
        x=table.x,
        backward=links["backward"].to_numpy(),
        forward=links["forward"].to_numpy(),
        forward_leontief=links["forward_leontief"].to_numpy(),
    )
    return {"seconds": seconds, "traced_peak": peak, "max_rss": max_rss(), "dense": table.dense}


def worker_io_pymrio(n: int, density: float, repeat: int) -> dict[str, Any]:
    import pandas as pd
    import pymrio

    Z, y = flows(n, density)
    Zd = io_frame(Z.toarray())
    del Z
    index = Zd.index
    Yd = pd.DataFrame(
        y[:, None],
        index=index,
        columns=pd.MultiIndex.from_tuples([("reg", "final")], names=["region", "category"]),
    )

    def run() -> pymrio.IOSystem:
        io = pymrio.IOSystem(Z=Zd, Y=Yd)
        io.calc_system()
        L = io.L.to_numpy()
        xs = io.x.to_numpy().ravel()
        # the same quantities as gosplan's linkages(), from pymrio's dense inverse
        io.bench = {
            "backward": L.sum(axis=0),
            "forward": (L @ xs) / xs,
            "forward_leontief": L.sum(axis=1),
            "x": xs,
        }
        return io

    seconds, peak, io = timed(run, repeat, "pymrio calc_system")
    np.savez(RESULTS / "io_pymrio.npz", **io.bench)
    return {"seconds": seconds, "traced_peak": peak, "max_rss": max_rss()}


def worker_extraction(n: int, density: float, repeat: int) -> dict[str, Any]:
    from gosplan.balance import IOTable, LeontiefSolver

    Z, y = flows(n, density)
    x = np.asarray(Z.sum(axis=1)).ravel() + y
    t = IOTable.from_flows(Z, x)
    seconds, peak, frame = timed(t.extraction, repeat, "extraction, all sectors")
    # naive reference for three sectors: re-solve the economy without the sector (sparse GMRES)
    A = sp.csc_array(t.A)
    errors, naive = [], []
    for j in (0, n // 2, n - 1):
        start = time.perf_counter()
        keep = np.setdiff1d(np.arange(n), [j])
        reduced = LeontiefSolver(A[keep][:, keep], method="gmres").solve(y[keep])
        naive.append(time.perf_counter() - start)
        errors.append(abs((x.sum() - reduced.sum()) / frame["total"].iloc[j] - 1))
    return {
        "seconds": seconds,
        "traced_peak": peak,
        "max_rss": max_rss(),
        "naive_one_solve": min(naive),
        "max_rel_error": max(errors),
    }


def worker_sparse(n: int, repeat: int) -> dict[str, Any]:
    from gosplan.balance import IOTable

    A = sparse_coefficients(n)
    y = np.random.default_rng(1).random(n)

    def run() -> tuple[np.ndarray, np.ndarray, float]:
        t = IOTable.from_coefficients(A, method="gmres")
        x = t.solve(y).to_numpy()
        m = t.multipliers("output").to_numpy()
        return x, m, t.solver.residual(x, y)

    seconds, peak, (x, m, residual) = timed(run, repeat, f"sparse n={n:,}")
    identity = abs(m @ y / x.sum() - 1)  # m'y = 1'x
    return {
        "seconds": seconds,
        "traced_peak": peak,
        "max_rss": max_rss(),
        "residual": residual,
        "identity_error": identity,
    }


def worker_lp(n: int, repeat: int, highs: bool, time_limit: float) -> dict[str, Any]:
    from gosplan.balance import IOTable
    from gosplan.errors import SolverError

    rng = np.random.default_rng(2)
    A = sparse_coefficients(n, seed=3)
    t = IOTable.from_coefficients(A, employment=rng.random(n), x=np.ones(n))
    targets = rng.random(n) * 100
    need = t.solver.solve(targets)
    capacity = need * rng.uniform(0.97, 1.5, n)
    labour = float(0.98 * (t.employment @ need))

    def run() -> Any:
        return t.balance_plan(targets, capacity=capacity, labour=labour)

    seconds, peak, result = timed(run, repeat, f"balance_plan n={n:,}")
    out = {
        "seconds": seconds,
        "traced_peak": peak,
        "max_rss": max_rss(),
        "fulfilment": result.fulfilment,
        "binding": result.binding[:3],
    }
    if highs:
        for solver in ("simplex", "pdlp"):
            start = time.perf_counter()
            try:
                lp = t.balance_plan(
                    targets,
                    capacity=capacity,
                    labour=labour,
                    method="highs",
                    solver=solver,
                    time_limit=time_limit,
                )
                out[f"highs_{solver}"] = time.perf_counter() - start
                out[f"highs_{solver}_gap"] = abs(lp.fulfilment / result.fulfilment - 1)
            except SolverError as exc:
                out[f"highs_{solver}"] = f"> {time_limit:.0f} s ({exc})"[:80]
    return out


RESULTS = Path(__file__).resolve().parent / ".results"


def spawn(*args: str) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        console.print(f"[red]{' '.join(args)} failed[/]\n{done.stderr[-2000:]}")
        return {}
    return json.loads(done.stdout.strip().splitlines()[-1])


def gib(value: float) -> str:
    return f"{value / GiB:.2f} GiB"


def main(cases: list[str], repeat: int, reuse_peer: bool = False, n_io: int = 9800) -> None:
    RESULTS.mkdir(exist_ok=True)
    report = Table(title="balance engine benchmark (best of repeats)")
    for column in ("case", "gosplan", "peer", "ratio", "notes"):
        report.add_column(column)
    if "io" in cases:
        cached = RESULTS / f"io_pymrio_{n_io}.json"
        load_before = os.getloadavg()[0]
        if reuse_peer and cached.exists():
            theirs = json.loads(cached.read_text())
        else:
            theirs = spawn("io_pymrio", str(n_io), "0.15", str(max(1, repeat - 1)))
            cached.write_text(json.dumps(theirs))
        b = np.load(RESULTS / "io_pymrio.npz")
        summary: dict[str, Any] = {"n": n_io, "pymrio": theirs["seconds"]}
        kinds = (("sparse", "scipy.sparse"), ("dense", "C-ordered ndarray"), ("frame", "pymrio's DataFrame"))
        for held, label in kinds:
            ours = spawn("io_gosplan", str(n_io), "0.15", str(repeat), held)
            if not ours:
                continue
            a = np.load(RESULTS / f"io_gosplan_{held}.npz")
            rel = max(float(np.max(np.abs(a[k] / b[k] - 1))) for k in ("x", "backward", "forward", "forward_leontief"))
            summary[held] = {"seconds": ours["seconds"], "ratio": theirs["seconds"] / ours["seconds"], "rel": rel}
            report.add_row(
                f"n={n_io:,}, 15 %, flows as {label} ({'kept dense' if ours['dense'] else 'sparse'}): "
                "x, A, multipliers, linkages, key sectors",
                f"{ours['seconds']:.2f} s, traced {gib(ours['traced_peak'])}, rss {gib(ours['max_rss'])}",
                f"pymrio calc_system (DataFrame) {theirs['seconds']:.1f} s, traced {gib(theirs['traced_peak'])}, "
                f"rss {gib(theirs['max_rss'])}",
                f"{theirs['seconds'] / ours['seconds']:.1f}x faster",
                f"max relative difference {rel:.1e}",
            )
        summary["load"] = [load_before, os.getloadavg()[0]]
        report.add_row("load average (1 min) before / after", f"{load_before:.1f} / {os.getloadavg()[0]:.1f}",
                       "", "", "")
        with (RESULTS / "io_runs.jsonl").open("a") as runs:
            runs.write(json.dumps(summary) + "\n")
    if "extraction" in cases:
        ext = spawn("extraction", "9800", "0.15", str(max(1, repeat - 1)))
        naive = ext["naive_one_solve"] * 9800 * 3
        report.add_row(
            "extraction, all 9,800 sectors (total, backward, forward)",
            f"{ext['seconds']:.1f} s, traced {gib(ext['traced_peak'])}",
            f"naive loop ~{naive / 3600:.1f} h (extrapolated)",
            f"{naive / ext['seconds']:.0f}x",
            f"max relative difference vs re-solve {ext['max_rel_error']:.1e}",
        )
    for case, n in (("sparse1m", 1_000_000), ("sparse10m", 10_000_000)):
        if case in cases:
            res = spawn("sparse", str(n), str(repeat if n < 5_000_000 else 1))
            report.add_row(
                f"sparse n={n:,}, 20 inputs: solve + multipliers",
                f"{res['seconds']:.1f} s, rss {gib(res['max_rss'])}",
                "pymrio: dense, impossible",
                "",
                f"residual {res['residual']:.1e}, m'y = 1'x to {res['identity_error']:.1e}",
            )
    if "lp" in cases:
        for n in (10_000, 100_000):
            res = spawn("lp", str(n), str(repeat), "1" if n == 10_000 else "0", "120")
            peer = (
                ""
                if n > 10_000
                else (f"HiGHS simplex {res.get('highs_simplex')}, PDLP {res.get('highs_pdlp')}")
            )
            fmt = peer.replace("None", "-")
            report.add_row(
                f"balance_plan n={n:,}, capacity + labour",
                f"{res['seconds']:.2f} s",
                fmt,
                "",
                f"fulfilment {res['fulfilment']:.4f}, binding {res['binding']}",
            )
    Console(width=200).print(report)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        kind, *rest = sys.argv[2:]
        if kind == "io_gosplan":
            result = worker_io_gosplan(int(rest[0]), float(rest[1]), int(rest[2]), rest[3])
        elif kind == "io_pymrio":
            result = worker_io_pymrio(int(rest[0]), float(rest[1]), int(rest[2]))
        elif kind == "extraction":
            result = worker_extraction(int(rest[0]), float(rest[1]), int(rest[2]))
        elif kind == "sparse":
            result = worker_sparse(int(rest[0]), int(rest[1]))
        else:
            result = worker_lp(int(rest[0]), int(rest[1]), rest[2] == "1", float(rest[3]))
        print(json.dumps(result, default=str))
    else:
        chosen = [a for a in sys.argv[1:] if not a.startswith("--")] or ["io", "extraction", "sparse1m", "lp"]
        # --reuse-peer: take pymrio's numbers from the last run (it needs minutes and 5 GiB)
        sizes = [int(a.split("=", 1)[1]) for a in sys.argv[1:] if a.startswith("--n=")]
        repeats = [int(a.split("=", 1)[1]) for a in sys.argv[1:] if a.startswith("--repeat=")]
        main(chosen, repeat=repeats[0] if repeats else 3, reuse_peer="--reuse-peer" in sys.argv,
             n_io=sizes[0] if sizes else 9800)
