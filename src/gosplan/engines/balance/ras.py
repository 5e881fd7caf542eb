"""Bringing a base-year matrix to new row and column totals: RAS and GRAS.

``ras(Z0, u, v)`` finds ``X = diag(r) Z0 diag(s)`` with row sums ``u`` and column sums ``v``
(biproportional scaling; Stone's RAS, Miller & Blair, *Input-Output Analysis*, 2nd ed., 2009,
section 7.4). It keeps the zero pattern of ``Z0`` and needs ``Z0 >= 0``.

``gras(Z0, u, v)`` is the generalised RAS of Junius & Oosterhaven (2003, *Economic Systems Research*
15(1)) in the formulation of Lenzen, Wood & Gallego (2007, ESR 19(4)) and Temurshoev, Miller &
Bouwmeester (2013, ESR 25(3)): ``Z0 = P - N`` with ``P, N >= 0``, and ::

    X = diag(r) P diag(s) - diag(r)^-1 N diag(s)^-1

so negative entries (subsidies, net taxes, stock changes) stay negative and positive ones positive.
On a non-negative matrix GRAS is RAS.

Both accept a dense array, a ``scipy.sparse`` matrix (kept sparse: every step is a sparse matrix-vector
product) or a DataFrame (labels kept; ``u`` and ``v`` may then be Series keyed by them), and return the
updated matrix of the same kind.

>>> import numpy as np
>>> X = ras(np.array([[1.0, 2.0], [3.0, 4.0]]), u=[4.0, 8.0], v=[5.0, 7.0])
>>> X.sum(axis=1).round(9).tolist(), X.sum(axis=0).round(9).tolist()
([4.0, 8.0], [5.0, 7.0])
>>> G = gras(np.array([[4.0, -1.0], [1.0, 3.0]]), u=[4.0, 5.0], v=[6.0, 3.0])
>>> G.round(3).tolist()
[[4.795, -0.795], [1.205, 3.795]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.errors import InvalidValue, SolverError

__all__ = ["gras", "ras"]

Matrix = TypeVar("Matrix", np.ndarray, pd.DataFrame, sp.spmatrix, sp.sparray)


def ras(Z0: Matrix, u: Sequence[float] | np.ndarray | pd.Series, v: Sequence[float] | np.ndarray | pd.Series,
        *, tol: float = 1e-9, max_iter: int = 10_000) -> Matrix:
    """Scale the non-negative ``Z0`` biproportionally to row sums ``u`` and column sums ``v``.

    ``tol`` is relative: iteration stops when every row and column sum is within ``tol * max(|u|, |v|)``
    of its target. Raises :class:`~gosplan.errors.InvalidValue` when ``Z0`` or a target is negative, when
    ``sum(u)`` and ``sum(v)`` differ by more than that tolerance, or when a row (column) with a positive
    target has no non-zero entry; :class:`~gosplan.errors.SolverError` when ``max_iter`` is reached (the
    zero pattern does not admit the totals).

    >>> ras(np.array([[1.0, 1.0], [1.0, 1.0]]), [3.0, 1.0], [2.0, 2.0]).tolist()
    [[1.5, 1.5], [0.5, 0.5]]
    """
    Z, wrap = _as_matrix(Z0)
    u_, v_ = _targets(Z0, Z, u, v)
    if _min(Z) < 0:
        raise InvalidValue("ras: the matrix has negative entries; use gras, which keeps their signs")
    for name, target in (("row", u_), ("column", v_)):
        if (target < 0).any():
            first = int(np.flatnonzero(target < 0)[0])
            raise InvalidValue(f"ras: {name} {_label(Z0, name, first)} has a negative target "
                               f"({target[first]:,.6g}); use gras")
    scale = _check_totals("ras", Z0, Z, u_, v_, tol, positive=Z, negative=None)
    r = np.ones(Z.shape[0])
    s = np.ones(Z.shape[1])
    for _ in range(max_iter):
        r = _ratio(u_, Z @ s)
        col = Z.T @ r
        s = _ratio(v_, col)
        rows = r * (Z @ s)
        if np.abs(rows - u_).max(initial=0.0) <= tol * scale:
            return wrap(_scale(Z, r, s))
    raise _failure("ras", Z0, r * (Z @ s) - u_, max_iter)


def gras(Z0: Matrix, u: Sequence[float] | np.ndarray | pd.Series, v: Sequence[float] | np.ndarray | pd.Series,
         *, tol: float = 1e-9, max_iter: int = 10_000) -> Matrix:
    """Generalised RAS: update ``Z0`` (entries of either sign) to row sums ``u`` and column sums ``v``.

    Each entry keeps its sign; the solution minimises Lenzen et al.'s (2007) information loss
    ``sum |z0_ij| (x_ij / z0_ij) ln(x_ij / (e z0_ij))``. ``tol`` and ``max_iter`` as in :func:`ras`.
    Raises :class:`~gosplan.errors.InvalidValue` when ``sum(u) != sum(v)`` beyond the tolerance, when
    a row (column) with a positive target has no positive entry or one with a negative target no
    negative entry.

    >>> gras(np.array([[4.0, -1.0], [1.0, 3.0]]), [4.0, 5.0], [6.0, 3.0]).round(3).tolist()
    [[4.795, -0.795], [1.205, 3.795]]
    """
    Z, wrap = _as_matrix(Z0)
    u_, v_ = _targets(Z0, Z, u, v)
    P, N = _split(Z)
    scale = _check_totals("gras", Z0, Z, u_, v_, tol, positive=P, negative=N)
    r = np.ones(Z.shape[0])
    s = np.ones(Z.shape[1])
    pj, nj = P.T @ r, N.T @ _inverse(r)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(max_iter):
            s = _root(v_, pj, nj)
            pi, ni = P @ s, N @ _inverse(s)
            r = _root(u_, pi, ni)
            pj, nj = P.T @ r, N.T @ _inverse(r)
            cols = s * pj - _inverse(s) * nj
            if np.abs(cols - v_).max(initial=0.0) <= tol * scale:
                return wrap(_scale(P, r, s) - _scale(N, _inverse(r), _inverse(s)))
            if not np.isfinite(cols).all():
                break
    raise _failure("gras", Z0, s * pj - _inverse(s) * nj - v_, max_iter, axis="column")


def _root(target: np.ndarray, p: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The positive multiplier m solving ``m p - n / m = target`` (Temurshoev et al. 2013, eq. 6-7)."""
    out = np.ones_like(target)
    has_p = p > 0
    out[has_p] = (target[has_p] + np.sqrt(target[has_p] ** 2 + 4 * p[has_p] * n[has_p])) / (2 * p[has_p])
    only_n = ~has_p & (n > 0) & (target < 0)
    out[only_n] = -n[only_n] / target[only_n]
    return out


def _inverse(x: np.ndarray) -> np.ndarray:
    """``1 / x`` with 0 where ``x`` is 0 (a multiplier of 0 only ever scales positive entries)."""
    out = np.zeros_like(x)
    np.divide(1.0, x, out=out, where=x != 0)
    return out


def _ratio(target: np.ndarray, current: np.ndarray) -> np.ndarray:
    out = np.zeros_like(target)
    np.divide(target, current, out=out, where=current > 0)
    return out


def _split(Z: Any) -> tuple[Any, Any]:
    """``Z = P - N`` with ``P, N >= 0``."""
    if sp.issparse(Z):
        P, N = Z.copy(), Z.copy()
        P.data = np.maximum(Z.data, 0.0)
        N.data = np.maximum(-Z.data, 0.0)
        P.eliminate_zeros()
        N.eliminate_zeros()
        return P, N
    return np.maximum(Z, 0.0), np.maximum(-Z, 0.0)


def _scale(Z: Any, r: np.ndarray, s: np.ndarray) -> Any:
    """``diag(r) Z diag(s)`` without forming the diagonal matrices."""
    if sp.issparse(Z):
        out = Z.copy()
        rows = np.repeat(np.arange(Z.shape[0]), np.diff(Z.indptr))
        out.data = Z.data * r[rows] * s[Z.indices]
        return out
    return r[:, None] * Z * s[None, :]


def _min(Z: Any) -> float:
    if sp.issparse(Z):
        return float(Z.data.min(initial=0.0))
    return float(Z.min(initial=0.0))


def _as_matrix(Z0: Any) -> tuple[Any, Any]:
    """The matrix as float CSR or a float ndarray, and a function giving the result the input's form."""
    if isinstance(Z0, pd.DataFrame):
        array = Z0.to_numpy(dtype=np.float64)
        return array, lambda X: pd.DataFrame(X, index=Z0.index, columns=Z0.columns)
    if sp.issparse(Z0):
        csr = sp.csr_array(Z0, dtype=np.float64) if isinstance(Z0, sp.sparray) else sp.csr_matrix(Z0, dtype=np.float64)
        csr.sum_duplicates()
        fmt = Z0.format
        return csr, lambda X: X.asformat(fmt)
    array = np.asarray(Z0, dtype=np.float64)
    if array.ndim != 2:
        raise InvalidValue(f"the matrix must be two-dimensional, got shape {array.shape}")
    return array, lambda X: X


def _targets(Z0: Any, Z: Any, u: Any, v: Any) -> tuple[np.ndarray, np.ndarray]:
    labels = (Z0.index, Z0.columns) if isinstance(Z0, pd.DataFrame) else (None, None)
    out = []
    for name, values, n, index in (("u (row totals)", u, Z.shape[0], labels[0]),
                                   ("v (column totals)", v, Z.shape[1], labels[1])):
        if isinstance(values, pd.Series) and index is not None and not isinstance(values.index, pd.RangeIndex):
            unknown = values.index.difference(index)
            if len(unknown):
                raise InvalidValue(f"{name}: labels not in the matrix: {list(unknown[:5])}")
            values = values.reindex(index)
        array = np.asarray(values, dtype=np.float64).ravel()
        if array.shape != (n,):
            raise InvalidValue(f"{name} must have {n} entries, got {array.size}")
        if not np.isfinite(array).all():
            raise InvalidValue(f"{name}: entry {int(np.flatnonzero(~np.isfinite(array))[0])} is missing or infinite")
        out.append(array)
    if sp.issparse(Z):
        if not np.isfinite(Z.data).all():
            raise InvalidValue("the matrix has missing or infinite entries")
    elif not np.isfinite(Z).all():
        raise InvalidValue("the matrix has missing or infinite entries")
    return out[0], out[1]


def _label(Z0: Any, axis: str, i: int) -> str:
    if isinstance(Z0, pd.DataFrame):
        return repr((Z0.index if axis == "row" else Z0.columns)[i])
    return str(i)


def _check_totals(name: str, Z0: Any, Z: Any, u: np.ndarray, v: np.ndarray, tol: float, *,
                  positive: Any, negative: Any | None) -> float:
    """Refuse targets no scaling can reach; return the scale of the convergence test."""
    scale = max(float(np.abs(u).max(initial=0.0)), float(np.abs(v).max(initial=0.0)), 1e-300)
    gap = float(u.sum() - v.sum())
    if abs(gap) > tol * scale * max(1, len(u), len(v)):
        raise InvalidValue(f"{name}: row and column totals are inconsistent: sum(u) = {u.sum():,.9g} but "
                           f"sum(v) = {v.sum():,.9g} (difference {gap:,.6g})")
    for axis, target, count_pos, count_neg in (
        ("row", u, _count(positive, 1), _count(negative, 1)),
        ("column", v, _count(positive, 0), _count(negative, 0)),
    ):
        what = "non-zero" if negative is None else "positive"
        bad = np.flatnonzero((target > 0) & (count_pos == 0))
        if len(bad):
            raise InvalidValue(f"{name}: {axis} {_label(Z0, axis, int(bad[0]))} has a positive target "
                               f"({target[bad[0]]:,.6g}) but no {what} entries" + _more(bad))
        bad = np.flatnonzero((target < 0) & (count_neg == 0))
        if len(bad):
            raise InvalidValue(f"{name}: {axis} {_label(Z0, axis, int(bad[0]))} has a negative target "
                               f"({target[bad[0]]:,.6g}) but no negative entries" + _more(bad))
    return scale


def _more(bad: np.ndarray) -> str:
    return f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""


def _count(M: Any | None, axis: int) -> np.ndarray:
    """Non-zero entries per row (axis=1) or column (axis=0); zeros when ``M`` is None."""
    if M is None:
        return np.zeros(1, dtype=np.int64)
    if sp.issparse(M):
        return np.asarray((M != 0).sum(axis=axis)).ravel()
    return np.count_nonzero(M, axis=axis)


def _failure(name: str, Z0: Any, gap: np.ndarray, max_iter: int, axis: str = "row") -> SolverError:
    gap = np.nan_to_num(gap, nan=np.inf)
    worst = int(np.abs(gap).argmax())
    if not np.isfinite(gap[worst]):
        return SolverError(f"{name} diverged: {axis} {_label(Z0, axis, worst)} cannot reach its target "
                           "with the signs of its entries (the totals are infeasible for this pattern)")
    return SolverError(f"{name} did not converge in {max_iter:,} iterations: {axis} {_label(Z0, axis, worst)} "
                       f"is still {gap[worst]:+,.6g} off its target (the zero pattern may not admit the totals)")
