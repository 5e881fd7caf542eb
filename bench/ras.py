"""Benchmark of RAS and GRAS: bringing an n x n table with 15 % non-zero entries to new totals.

    python bench/ras.py [--n 2000] [--density 0.15] [--repeat 1] [--peer-max 2000]

The targets come from the table itself perturbed cell by cell (so they are reachable), and every
method stops at the same relative precision (largest row or column error below 1e-6 of the
largest total). Side by side, in one run:

- ``gosplan.balance.ras`` on the sparse table (CSR) and on the same table dense;
- ``gosplan.balance.gras`` on the sparse table with 10 % of its entries negative;
- ``ipfn`` (PyPI ``ipfn``, iterative proportional fitting, the RAS peer installable here; pymrio has
  no RAS) on the dense table, up to ``--peer-max`` rows because it loops over rows in Python;
- a plain numpy dense loop (the ten lines everyone writes).

Taken on a shared, loaded 2-core machine: compare the ratios, not the seconds.
"""

from __future__ import annotations

import argparse

import numpy as np
import scipy.sparse as sp
from rich.console import Console
from rich.table import Table

from _timing import best_of
from gosplan.balance import gras, ras

TOL = 1e-6


def _problem(n: int, density: float, seed: int = 0) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    Z0 = sp.random(n, n, density=density, format="csr", random_state=rng, dtype=np.float64)
    Z0.data = rng.lognormal(3.0, 1.5, Z0.nnz)
    Z0 = (Z0 + sp.eye(n, format="csr")).tocsr()  # no empty row or column
    target = Z0.copy()
    target.data *= rng.uniform(0.8, 1.3, target.nnz)
    growth = rng.uniform(0.9, 1.2, n)
    target = sp.diags(growth) @ target
    return Z0, np.asarray(target.sum(axis=1)).ravel(), np.asarray(target.sum(axis=0)).ravel()


def _numpy_loop(Z0: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    Z = Z0.copy()
    scale = max(u.max(), v.max())
    for _ in range(10_000):
        Z *= (u / Z.sum(axis=1))[:, None]
        Z *= v / Z.sum(axis=0)
        if np.abs(Z.sum(axis=1) - u).max() <= TOL * scale:
            return Z
    raise RuntimeError("the numpy loop did not converge")


def _ipfn(Z0: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    from ipfn import ipfn

    return ipfn.ipfn(Z0.copy(), [u, v], [[0], [1]], convergence_rate=TOL, max_iteration=10_000).iteration()


def _error(X: object, u: np.ndarray, v: np.ndarray) -> float:
    rows = np.asarray(X.sum(axis=1)).ravel()
    cols = np.asarray(X.sum(axis=0)).ravel()
    return float(max(np.abs(rows - u).max(), np.abs(cols - v).max()) / max(u.max(), v.max()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--density", type=float, default=0.15)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--peer-max", type=int, default=2000, help="largest n given to ipfn")
    args = parser.parse_args()
    Z0, u, v = _problem(args.n, args.density)
    dense = Z0.toarray()
    rng = np.random.default_rng(1)
    signed = Z0.copy()
    signed.data *= np.where(rng.random(signed.nnz) < 0.1, -1.0, 1.0)
    grown = signed.copy()
    grown.data *= rng.uniform(0.8, 1.3, grown.nnz)
    gu, gv = np.asarray(grown.sum(axis=1)).ravel(), np.asarray(grown.sum(axis=0)).ravel()

    runs = [
        ("gosplan ras, sparse (CSR)", lambda: ras(Z0, u, v, tol=TOL), u, v),
        ("gosplan ras, dense", lambda: ras(dense, u, v, tol=TOL), u, v),
        ("gosplan gras, sparse, 10 % < 0", lambda: gras(signed, gu, gv, tol=TOL), gu, gv),
        ("numpy dense loop", lambda: _numpy_loop(dense, u, v), u, v),
    ]
    if args.n <= args.peer_max:
        runs.append(("ipfn (dense)", lambda: _ipfn(dense, u, v), u, v))
    table = Table(title=f"RAS/GRAS, {args.n:,} x {args.n:,}, {Z0.nnz:,} non-zero "
                        f"({Z0.nnz / args.n ** 2:.0%}), best of {args.repeat}")
    for name in ("method", "seconds", "ratio", "max error"):
        table.add_column(name, justify="left" if name == "method" else "right")
    base = None
    for name, fn, uu, vv in runs:
        seconds, result = best_of(args.repeat, fn)
        base = base or seconds
        table.add_row(name, f"{seconds:,.2f}", f"{seconds / base:,.1f}", f"{_error(result, uu, vv):.1e}")
    if args.n > args.peer_max:
        table.caption = f"ipfn left out above n = {args.peer_max:,} (it loops over rows in Python)"
    Console().print(table)


if __name__ == "__main__":
    main()
