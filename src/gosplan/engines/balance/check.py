"""Explain what is wrong with an input-output table before any solve.

Errors make every Leontief result meaningless (NaN, negative flows, a non-productive matrix);
warnings deserve a look (zero-output sectors, row balance residuals, column sums near 1).

>>> from gosplan.engines.balance.table import IOTable
>>> report = IOTable.from_coefficients([[0.5, 0.6], [0.6, 0.5]], labels=["coal", "steel"]).check()
>>> report.ok
False
>>> print(report.errors[0].reason)
column sum of A is 1.1 >= 1: the sector uses more inputs than it produces
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse.linalg as spla

from gosplan.errors import Problem, ValidationError

if TYPE_CHECKING:
    from gosplan.engines.balance.table import IOTable

SPECTRAL_DENSE_LIMIT = 2_000


@dataclass
class TableCheck:
    """Findings of :func:`check_table`: ``errors`` block analysis, ``warnings`` do not."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    spectral_radius: float | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_for_errors(self) -> None:
        """Raise :class:`ValidationError` listing every error (warnings are not raised)."""
        if self.errors:
            raise ValidationError(self.errors)

    def to_frame(self) -> pd.DataFrame:
        """One row per finding: severity, sector, reason."""
        rows = [("error", p.column, p.reason) for p in self.errors]
        rows += [("warning", p.column, p.reason) for p in self.warnings]
        return pd.DataFrame(rows, columns=["severity", "sector", "reason"])


def spectral_radius(A: object) -> float:
    """Perron root of a non-negative ``A``: dense eigenvalues for small n, ARPACK otherwise."""
    import scipy.sparse as sp

    matrix = sp.csc_array(A)
    n = matrix.shape[0]
    if n == 0:
        return 0.0
    if n <= SPECTRAL_DENSE_LIMIT:
        return float(np.max(np.abs(np.linalg.eigvals(matrix.toarray()))))
    value = spla.eigs(matrix, k=1, which="LM", return_eigenvectors=False, tol=1e-8, maxiter=5000)
    return float(np.abs(value[0]))


def check_table(table: IOTable, balance_tol: float = 0.01, limit_per_kind: int = 50) -> TableCheck:
    """Check a table for NaN, negative coefficients, zero-output sectors, column sums >= 1,
    non-productiveness (spectral radius >= 1) and row balance residuals ``|x - Ax - y| / x``.

    Findings name the sectors involved; at most ``limit_per_kind`` are listed per kind of finding.
    """
    report = TableCheck()
    source = table.name
    labels = table.labels
    A = table.A

    def add(target: list[Problem], positions: np.ndarray, reason: str) -> None:
        for pos in positions[:limit_per_kind]:
            target.append(Problem(source, None, str(labels[pos]), reason.format(i=pos)))
        if len(positions) > limit_per_kind:
            target.append(
                Problem(source, None, None, f"... and {len(positions) - limit_per_kind} more sectors")
            )

    coo = A.tocoo()
    if not np.all(np.isfinite(coo.data)):
        add(report.errors, np.unique(coo.col[~np.isfinite(coo.data)]), "coefficients contain NaN or infinity")
        return report
    negative = coo.data < 0
    if negative.any():
        add(report.errors, np.unique(coo.col[negative]), "negative input coefficient(s) in this column")
    colsum = np.asarray(A.sum(axis=0)).ravel()
    too_high = np.flatnonzero(colsum >= 1.0)
    for pos in too_high[:limit_per_kind]:
        report.errors.append(
            Problem(
                source,
                None,
                str(labels[pos]),
                f"column sum of A is {colsum[pos]:.3g} >= 1: the sector uses more inputs than it produces",
            )
        )
    near = np.flatnonzero((colsum >= 0.95) & (colsum < 1.0))
    add(report.warnings, near, "column sum of A is at least 0.95: almost no value added")
    x = table.x
    if x is not None:
        if not np.all(np.isfinite(x)):
            add(report.errors, np.flatnonzero(~np.isfinite(x)), "gross output is NaN or infinite")
        else:
            add(report.warnings, np.flatnonzero(x == 0), "zero gross output: coefficients set to 0, drop it?")
            add(report.errors, np.flatnonzero(x < 0), "negative gross output")
            if table.y is not None and np.all(np.isfinite(table.y)):
                residual = x - (A @ x) - table.y
                with np.errstate(divide="ignore", invalid="ignore"):
                    rel = np.abs(residual) / np.where(x != 0, np.abs(x), 1.0)
                bad = np.flatnonzero(rel > balance_tol)
                for pos in bad[:limit_per_kind]:
                    report.warnings.append(
                        Problem(
                            source,
                            None,
                            str(labels[pos]),
                            f"row balance residual x - Ax - y is {rel[pos]:.1%} of output",
                        )
                    )
    if table.y is not None and not np.all(np.isfinite(table.y)):
        add(report.errors, np.flatnonzero(~np.isfinite(table.y)), "final demand is NaN or infinite")
    if negative.any():
        return report  # the Perron argument below needs A >= 0
    if colsum.size and colsum.max() < 1.0:
        report.spectral_radius = None  # productive: rho(A) <= max column sum < 1, no eigenvalue needed
        return report
    try:
        rho = spectral_radius(A)
    except (spla.ArpackNoConvergence, ValueError):  # pragma: no cover - rare ARPACK failure
        report.warnings.append(Problem(source, None, None, "could not compute the spectral radius of A"))
        return report
    report.spectral_radius = rho
    if rho >= 1.0:
        report.errors.append(
            Problem(
                source,
                None,
                None,
                f"A is not productive: spectral radius {rho:.4f} >= 1, so I - A has no non-negative inverse",
            )
        )
    return report
