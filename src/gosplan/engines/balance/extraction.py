"""Hypothetical extraction (Miller & Blair 2009, sec. 12.2.5; Dietzenbacher & van der Linden 1997).

The loss of total gross output ``i'x`` when a sector (or a group ``S``) is taken out of the economy:

- ``total``: rows and columns of ``S`` removed (the sector disappears);
- ``backward``: columns of ``A`` for ``S`` set to zero (``S`` buys its inputs abroad);
- ``forward``: rows of the allocation matrix ``B`` for ``S`` set to zero (``S`` sells abroad; Ghosh).

A naive implementation re-solves the economy once per sector. Rank-|S| updates (Sherman-Morrison-
Woodbury on ``I - A``) reduce all three to the column sums ``m = 1'L``, ``Lx`` and the block ``L_SS``:

``total = m_S' L_SS^-1 x_S``, ``backward = (m_S - 1)' L_SS^-1 x_S``,
``forward = 1' L_SS^-1 ((Lx)_S - x_S)``.

For single sectors ``L_SS`` is the diagonal of ``L``, taken from one dense LU and two triangular
inversions (4/3 n^3 flops; n = 9,800 in well under a minute) instead of n solves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from gosplan.engines.balance.solvers import INVERSE_LIMIT, LeontiefSolver
from gosplan.runner import Runner, chunk_bounds

if TYPE_CHECKING:
    from gosplan.engines.balance.table import IOTable


@dataclass(frozen=True)
class _GroupWork:
    solver: LeontiefSolver | None
    A: Any
    method: str
    groups: list[np.ndarray]
    m: np.ndarray
    lx: np.ndarray
    x: np.ndarray


def _group_losses(work: _GroupWork) -> list[tuple[float, float, float]]:
    """Worker: Woodbury losses for each group of sector positions (picklable for Dask)."""
    solver = work.solver or LeontiefSolver(work.A, method=work.method)  # type: ignore[arg-type]
    out = []
    for S in work.groups:
        E = np.zeros((solver.n, len(S)))
        E[S, np.arange(len(S))] = 1.0
        L_SS = solver.solve(E)[S, :]
        w = np.linalg.solve(L_SS, work.x[S])
        u = np.linalg.solve(L_SS.T, np.ones(len(S)))
        out.append((float(work.m[S] @ w), float((work.m[S] - 1.0) @ w), float(u @ (work.lx[S] - work.x[S]))))
    return out


def _diagonal_by_solves(item: tuple[Any, str, int, int]) -> np.ndarray:
    """Worker: ``diag(L)[start:stop]`` by column solves (for n too large for a dense LU)."""
    A, method, start, stop = item
    solver = LeontiefSolver(A, method=method)  # type: ignore[arg-type]
    E = np.zeros((solver.n, stop - start))
    E[np.arange(start, stop), np.arange(stop - start)] = 1.0
    return solver.solve(E)[np.arange(start, stop), np.arange(stop - start)]


def extract(
    table: IOTable,
    groups: Mapping[str, Sequence[Any]] | None = None,
    runner: Runner | None = None,
    chunk_size: int = 16,
) -> pd.DataFrame:
    """Output losses from hypothetical extraction, one row per sector (or per named group).

    Columns: ``total``, ``backward``, ``forward`` (loss of total gross output, in the table's unit)
    and the same as ``*_share`` of total output. Groups are dispatched in chunks through ``runner``.
    """
    x = table._require("x", "extraction needs gross output")
    solver = table.solver
    m = solver.solve(np.ones(table.n), transpose=True)
    lx = solver.solve(x)
    runner = runner or Runner()
    if groups is None:
        if table.n <= INVERSE_LIMIT:
            diag = solver.inverse_diagonal()
        else:
            chunks = [(table.A, solver.method, a, b) for a, b in chunk_bounds(table.n, 256)]
            diag = np.concatenate(runner.map(_diagonal_by_solves, chunks, description="diag(L)"))
        losses = np.column_stack([m * x / diag, (m - 1.0) * x / diag, (lx - x) / diag])
        index = table.labels
    else:
        positions = []
        for name, members in groups.items():
            found = table.labels.get_indexer(list(members))
            if (found < 0).any():
                missing = [s for s, f in zip(members, found, strict=True) if f < 0]
                raise ValueError(f"group {name!r}: unknown sectors {missing[:5]}")
            positions.append(np.unique(found))
        local = runner.kind == "local"
        works = [
            _GroupWork(
                solver if local else None, None if local else table.A, solver.method, positions[a:b], m, lx, x
            )
            for a, b in chunk_bounds(len(positions), chunk_size)
        ]
        results = [row for part in runner.map(_group_losses, works, description="extraction") for row in part]
        losses = np.asarray(results, dtype=np.float64).reshape(-1, 3)
        index = pd.Index(list(groups), name="group")
    total_output = float(x.sum())
    frame = pd.DataFrame(losses, index=index, columns=["total", "backward", "forward"])
    for column in ("total", "backward", "forward"):
        frame[f"{column}_share"] = frame[column] / total_output if total_output else np.nan
    return frame
