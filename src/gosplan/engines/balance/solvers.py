"""Solving Leontief systems ``(I - A) x = b`` and ``(I - A)' p = c`` without forming an inverse.

Three methods, chosen by size and density (``method="auto"``):

- ``"dense"``: LAPACK LU of the dense ``I - A`` (small tables, n <= 3,000 by default);
- ``"splu"``: SuperLU of the sparse ``I - A`` (sparse tables whose factors stay sparse, e.g. nearly
  triangular product nomenclatures);
- ``"gmres"``: restarted GMRES on ``x -> x - A x`` started from zero. For a productive non-negative
  ``A`` the spectrum of ``I - A`` lies in the disc of radius ``rho(A) < 1`` around 1, so GMRES
  converges in a few dozen products even at n = 10,000,000. Default relative residual tolerance 1e-12.

``A`` is scipy.sparse, or a dense array kept dense (:mod:`gosplan.engines.balance.dense`): large dense
inputs at least 10 % non-zero are not compressed, and GMRES reads them with BLAS.

Every answer is checked: the relative residual ``||b - (I - A) x|| / ||b||`` must be below
``check_tol`` (1e-9), otherwise :class:`gosplan.errors.SolverError` is raised. A solver's silent
status is never trusted.

>>> import numpy as np
>>> s = LeontiefSolver(np.array([[0.15, 0.25], [0.2, 0.05]]))
>>> s.solve(np.array([1.0, 0.0])).round(3)
array([1.254, 0.264])
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.linalg import lapack

from gosplan.engines.balance.dense import ScaledDense, dense_values, keep_dense
from gosplan.errors import SolverError

Method = Literal["auto", "dense", "splu", "gmres"]
METHODS: tuple[str, ...] = ("auto", "dense", "splu", "gmres")

DENSE_LIMIT = 3_000
"""Largest n for which ``method="auto"`` factors the dense matrix."""

INVERSE_LIMIT = 16_000
"""Largest n for which a dense inverse (or its diagonal) is formed: 16,000^2 doubles are 2 GiB."""


def as_sparse(matrix: object) -> sp.csc_array | sp.csr_array:
    """``matrix`` (ndarray, DataFrame, scipy.sparse) as a float64 sparse array, copying once.

    Sparse input keeps its compressed layout (CSR stays CSR, anything else becomes CSC). Dense input
    (an ndarray or a DataFrame's values, taken without a copy) goes through :func:`dense_to_sparse`,
    which is several times faster than scipy's own conversion of a large dense array.
    """
    if sp.issparse(matrix):
        if matrix.format == "csr":
            return sp.csr_array(matrix, dtype=np.float64)
        return sp.csc_array(matrix, dtype=np.float64)
    values = getattr(matrix, "to_numpy", None)
    array = values() if callable(values) else np.asarray(matrix)
    return dense_to_sparse(np.asarray(array, dtype=np.float64))


def coefficient_operator(matrix: object) -> sp.csc_array | sp.csr_array | ScaledDense:
    """``matrix`` in the representation the solvers work on: scipy.sparse input as it is (see
    :func:`as_sparse`); dense input (ndarray, DataFrame) kept dense, without a copy, when it is small or
    dense enough (:func:`~gosplan.engines.balance.dense.keep_dense`), else compressed."""
    if isinstance(matrix, ScaledDense):
        return matrix
    values = dense_values(matrix)
    if values is None:
        return as_sparse(matrix)
    if keep_dense(values, DENSE_LIMIT):
        return ScaledDense(values)
    return dense_to_sparse(values)


def dense_to_sparse(array: np.ndarray, rows_per_block: int = 256) -> sp.csr_array | sp.csc_array:
    """The non-zeros of a 2-D dense array as CSR (C-ordered input) or CSC (Fortran-ordered input).

    scipy builds a sparse array from a dense one through a COO detour in one thread (2.3 s for
    9,800 x 9,800 at 15 % non-zero). Here each block of rows is compressed on its own, with the
    numpy kernels that release the GIL, in as many threads as there are cores; the blocks are then
    concatenated: the same arrays, in a fraction of the time.

    >>> dense_to_sparse(np.array([[0.0, 2.0], [3.0, 0.0]])).toarray().tolist()
    [[0.0, 2.0], [3.0, 0.0]]
    """
    if array.ndim != 2:
        raise ValueError(f"expected a 2-D array, got {array.ndim} dimensions")
    if array.flags.f_contiguous and not array.flags.c_contiguous:
        return dense_to_sparse(array.T, rows_per_block).T  # CSR of A' is CSC of A: no copy
    array = np.ascontiguousarray(array)
    n, m = array.shape
    bounds = [(a, min(a + rows_per_block, n)) for a in range(0, n, rows_per_block)]

    def compress(bound: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        block = array[bound[0]:bound[1]]
        mask = block != 0
        flat = np.flatnonzero(mask)
        return block.ravel()[flat], (flat % m).astype(np.int32), np.count_nonzero(mask, axis=1)

    if len(bounds) > 1 and (os.cpu_count() or 1) > 1:
        with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
            parts = list(pool.map(compress, bounds))
    else:
        parts = [compress(bound) for bound in bounds]
    counts = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, np.int64)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    if indptr[-1] < 2**31:
        indptr = indptr.astype(np.int32)
    data = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0)
    indices = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int32)
    return sp.csr_array((data, indices, indptr), shape=(n, m))


class LeontiefSolver:
    """Factor (or prepare to iterate on) ``I - A`` once, then solve for many right-hand sides.

    Parameters
    ----------
    A:
        Square coefficient matrix, dense or scipy.sparse.
    method:
        ``"auto"``, ``"dense"``, ``"splu"`` or ``"gmres"`` (see the module docstring).
    tol:
        Relative residual tolerance handed to GMRES.
    check_tol:
        Largest relative residual accepted from any method before :class:`SolverError` is raised.
    """

    def __init__(
        self, A: object, method: Method = "auto", tol: float = 1e-12, check_tol: float = 1e-9
    ) -> None:
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}")
        self.A = coefficient_operator(A)
        n, m = self.A.shape
        if n != m:
            raise ValueError(f"A must be square, got {n} x {m}")
        self.n = n
        self.tol = tol
        self.check_tol = check_tol
        if method == "auto":
            method = "dense" if n <= DENSE_LIMIT else "gmres"
        self.method: str = method
        self._lu: tuple[np.ndarray, np.ndarray] | None = None
        self._splu = None
        if method == "dense":
            dense = -self.A.toarray()
            dense[np.diag_indices(n)] += 1.0
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", sla.LinAlgWarning)  # reported below as a SolverError
                self._lu = sla.lu_factor(dense, overwrite_a=True, check_finite=False)
            if not np.all(np.diag(self._lu[0])):
                raise SolverError(
                    "I - A is singular (a zero pivot in its LU factors): the table is not productive"
                )
        elif method == "splu":
            identity = sp.identity(n, format="csc", dtype=np.float64)
            sparse = self.A.tosparse() if isinstance(self.A, ScaledDense) else self.A
            try:
                self._splu = spla.splu(sp.csc_matrix(identity - sparse))
            except RuntimeError as exc:  # SuperLU reports a singular matrix this way
                raise SolverError(f"I - A is singular ({exc}); the table is not productive") from exc

    # -- solves -------------------------------------------------------------------------------
    def solve(self, b: np.ndarray, transpose: bool = False) -> np.ndarray:
        """``x`` with ``(I - A) x = b`` (``transpose=True``: ``(I - A)' x = b``); ``b`` 1-D or 2-D."""
        b = self._rhs(b)
        if self._lu is not None:
            x = sla.lu_solve(self._lu, b, trans=1 if transpose else 0, check_finite=False)
        elif self._splu is not None:
            x = self._splu.solve(b, trans="T" if transpose else "N")
        else:
            flags = np.full(b.shape[1] if b.ndim == 2 else 1, transpose)
            return self._lockstep(b.reshape(self.n, -1), flags).reshape(b.shape)
        self._check(x, b, transpose)
        return x

    def solve_pair(self, b: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``((I - A)^-1 b, (I - A)'^-1 c)`` together; GMRES runs both in lockstep, so a dense ``A``
        is read once per iteration for both (:meth:`~gosplan.engines.balance.dense.ScaledDense.pair`)."""
        b, c = self._rhs(b), self._rhs(c)
        if self._lu is not None or self._splu is not None:
            return self.solve(b), self.solve(c, transpose=True)
        B, C = b.reshape(self.n, -1), c.reshape(self.n, -1)
        flags = np.concatenate([np.zeros(B.shape[1], bool), np.ones(C.shape[1], bool)])
        X = self._lockstep(np.hstack([B, C]), flags)
        return X[:, : B.shape[1]].reshape(b.shape), X[:, B.shape[1] :].reshape(c.shape)

    def _rhs(self, b: np.ndarray) -> np.ndarray:
        b = np.asarray(b, dtype=np.float64)
        if b.shape[0] != self.n:
            raise ValueError(f"right-hand side has {b.shape[0]} rows, the table has {self.n} sectors")
        return b

    def _matrix(self, transpose: bool) -> sp.csr_array | sp.csc_array | ScaledDense:
        # A' of a CSC array is a CSR view (no copy); converting A itself to CSR would cost more than
        # the slightly faster products it buys.
        return self.A.T if transpose else self.A

    def _products(self, V: np.ndarray, transposed: np.ndarray) -> np.ndarray:
        """``(I - A) v`` or ``(I - A)' v`` for each column ``v`` of ``V`` as ``transposed`` says."""
        out = V.copy()
        if transposed.all() or not transposed.any():
            out -= self._matrix(bool(transposed[0])) @ V
        elif isinstance(self.A, ScaledDense):
            AV, ATW = self.A.pair(V[:, ~transposed], V[:, transposed])
            out[:, ~transposed] -= AV
            out[:, transposed] -= ATW
        else:
            out[:, ~transposed] -= self.A @ V[:, ~transposed]
            out[:, transposed] -= self.A.T @ V[:, transposed]
        return out

    def _lockstep(self, B: np.ndarray, transposed: np.ndarray) -> np.ndarray:
        """GMRES on the columns of ``B``, each with ``I - A`` or its transpose, in lockstep blocks that
        share each product with ``A``; the block size keeps the Krylov basis small."""
        width = max(1, int(2e7 // (31 * max(self.n, 1))))
        restart = 30 if self.n <= 2_000_000 else 15  # Krylov basis memory: restart x n doubles
        X = np.empty_like(B)
        for a in range(0, B.shape[1], width):
            flags = transposed[a : a + width]
            try:
                X[:, a : a + width], residual = gmres(
                    lambda V, cols, f=flags: self._products(V, f[cols]),
                    B[:, a : a + width], self.tol, restart=restart, max_restarts=20,
                )
            except np.linalg.LinAlgError as exc:  # a zero on the Hessenberg diagonal: I - A is singular
                message = f"GMRES broke down ({exc}); I - A is singular: the table is not productive"
                raise SolverError(message) from exc
            self._check_residual(X[:, a : a + width], residual)
            if np.max(residual, initial=0.0) > self.tol:
                raise SolverError(
                    f"GMRES did not reach a relative residual of {self.tol:g}; the matrix may be close "
                    "to non-productive (spectral radius near 1). Try method='splu'."
                )
        return X

    def residual(self, x: np.ndarray, b: np.ndarray, transpose: bool = False) -> float:
        """Relative residual ``||b - (I - A) x|| / ||b||`` (max over columns)."""
        M = self._matrix(transpose)
        r = b - (x - M @ x)
        norm_b = np.linalg.norm(b, axis=0)
        norm_r = np.linalg.norm(r, axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(norm_b > 0, norm_r / np.where(norm_b > 0, norm_b, 1.0), norm_r)
        return float(np.max(rel)) if np.size(rel) else 0.0

    def _check(self, x: np.ndarray, b: np.ndarray, transpose: bool) -> None:
        self._check_residual(x, np.atleast_1d(self.residual(x, b, transpose)))

    def _check_residual(self, x: np.ndarray, residual: np.ndarray) -> None:
        if not np.all(np.isfinite(x)):
            raise SolverError("the Leontief solve produced NaN or infinity; I - A is singular or ill-posed")
        rel = float(np.max(residual, initial=0.0))
        if not rel <= self.check_tol:
            raise SolverError(
                f"the {self.method} solve left a relative residual of {rel:.2e} "
                f"(limit {self.check_tol:.0e}); "
                "I - A is singular or badly conditioned"
            )

    # -- the inverse, only when asked ----------------------------------------------------------
    def _dense_lu(self) -> tuple[np.ndarray, np.ndarray]:
        if self.n > INVERSE_LIMIT:
            raise SolverError(
                f"a dense Leontief inverse of n = {self.n:,} needs {self.n**2 * 8 / 2**30:.1f} GiB; "
                f"refused above n = {INVERSE_LIMIT:,}. Use solve() for the quantities you need."
            )
        if self._lu is not None:
            return self._lu
        dense = -self.A.toarray()
        dense[np.diag_indices(self.n)] += 1.0
        return sla.lu_factor(dense, overwrite_a=True, check_finite=False)

    def inverse(self) -> np.ndarray:
        """The dense Leontief inverse ``L = (I - A)^-1``; refused above :data:`INVERSE_LIMIT`."""
        lu, piv = self._dense_lu()
        return sla.lu_solve((lu, piv), np.eye(self.n), check_finite=False)

    def inverse_diagonal(self) -> np.ndarray:
        """``diag(L)`` from one dense LU and two triangular inversions (4/3 n^3 flops, not 2 n^3).

        With ``P'(I - A) = L U``: ``(I - A)^-1 = U^-1 L^-1 P'``, so
        ``diag_j = U^-1[j, :] @ L^-1[:, q(j)]`` where ``q`` is the inverse row permutation. Both
        triangular inverses are written in place into the LU array, so the peak is two n x n arrays.
        """
        lu, piv = self._dense_lu()
        work = lu.copy() if self._lu is not None else lu
        work, info = lapack.dtrtri(work, lower=0, unitdiag=0, overwrite_c=1)
        if info != 0:
            raise SolverError(f"I - A is singular (LAPACK dtrtri info={info})")
        work, info = lapack.dtrtri(work, lower=1, unitdiag=1, overwrite_c=1)
        if info != 0:
            raise SolverError(f"triangular inversion failed (LAPACK dtrtri info={info})")
        perm = np.arange(self.n)
        for i, p in enumerate(piv):  # LAPACK pivots are sequential row swaps
            perm[i], perm[p] = perm[p], perm[i]
        position = np.empty(self.n, dtype=np.int64)
        position[perm] = np.arange(self.n)
        diag = np.empty(self.n)
        block = 512
        for start in range(0, self.n, block):
            stop = min(start + block, self.n)
            own = np.arange(start, stop)
            columns = np.arange(self.n)
            rows = work[start:stop, :].copy()  # rows of U^-1: zero left of their own index
            rows[columns[None, :] < own[:, None]] = 0.0
            idx = position[start:stop]
            cols = work[:, idx]  # columns of the unit-lower L^-1: zero above their index, 1 on it
            cols[columns[:, None] <= idx[None, :]] = 0.0
            cols[idx, np.arange(stop - start)] = 1.0
            diag[start:stop] = np.einsum("kj,jk->k", rows, cols)
        return diag


def gmres(
    matvec: Callable[[np.ndarray, np.ndarray], np.ndarray],
    b: np.ndarray,
    tol: float,
    restart: int = 30,
    max_restarts: int = 20,
) -> tuple[np.ndarray, np.ndarray]:
    """Restarted GMRES from zero for one or several right-hand sides (columns of ``b``) in lockstep.

    Returns the solution and the true relative residual ``||b - M x|| / ||b||`` of each column,
    recomputed from ``x`` after the last cycle (so the caller's check needs no further product).

    Written here rather than taken from scipy.sparse.linalg.gmres for two reasons: scipy orthogonalises
    one basis vector at a time in Python, while this uses classical Gram-Schmidt applied twice (CGS2)
    as whole-basis products; and several right-hand sides share each product ``A @ V``, which reads
    ``A`` once for all of them. Each column stops at ``||b - M x|| <= tol ||b||``. ``matvec(V, cols)``
    applies ``M`` to an ``n x k`` block whose columns are the columns ``cols`` of ``b`` (so one block may
    mix systems, e.g. ``I - A`` and its transpose).
    """
    single = b.ndim == 1
    B = b.reshape(b.shape[0], -1)
    X = np.zeros(B.shape)
    norm_b = np.linalg.norm(B, axis=0)
    everything = np.arange(B.shape[1])
    R = B.copy()  # the residual of x = 0: no product needed
    for cycle in range(max_restarts + 1):
        beta = np.linalg.norm(R, axis=0)
        active = np.flatnonzero(beta > tol * norm_b)
        if not len(active) or cycle == max_restarts:
            break
        _gmres_cycle(matvec, R[:, active], beta[active], tol * norm_b[active], X, active, restart)
        R = B - matvec(X, everything)
    with np.errstate(divide="ignore", invalid="ignore"):
        norm_r = np.linalg.norm(R, axis=0)
        rel = np.where(norm_b > 0, norm_r / np.where(norm_b > 0, norm_b, 1.0), norm_r)
    return (X.ravel() if single else X), rel


def _gmres_cycle(
    matvec: Callable[[np.ndarray, np.ndarray], np.ndarray],
    R: np.ndarray,
    beta: np.ndarray,
    goal: np.ndarray,
    X: np.ndarray,
    columns: np.ndarray,
    restart: int,
) -> None:
    """One GMRES(restart) cycle on the residual block ``R``; updates ``X[:, columns]`` in place."""
    n, c = R.shape
    V = np.zeros((restart + 1, n, c))
    V[0] = R / beta
    H = np.zeros((restart + 1, restart, c))
    cs, sn = np.ones((restart, c)), np.zeros((restart, c))
    g = np.zeros((restart + 1, c))
    g[0] = beta
    used = np.full(c, restart)
    done = np.zeros(c, dtype=bool)
    for k in range(restart):
        W = matvec(V[k], columns)
        for _ in range(2):  # CGS2: the second pass restores orthogonality lost to cancellation
            if c == 1:  # BLAS matrix-vector products
                basis = V[: k + 1, :, 0]
                h = (basis @ W[:, 0])[:, None]
                W[:, 0] -= basis.T @ h[:, 0]
            else:
                h = np.einsum("jnc,nc->jc", V[: k + 1], W)
                W -= np.einsum("jnc,jc->nc", V[: k + 1], h)
            H[: k + 1, k] += h
        norm_w = np.linalg.norm(W, axis=0)
        H[k + 1, k] = norm_w
        # a zero norm means the Krylov space is invariant and the solution exact (happy breakdown)
        V[k + 1] = np.where((norm_w > 0) & ~done, W / np.where(norm_w > 0, norm_w, 1.0), 0.0)
        for i in range(k):  # the earlier Givens rotations, applied to the new column
            top, bottom = H[i, k].copy(), H[i + 1, k].copy()
            H[i, k] = cs[i] * top + sn[i] * bottom
            H[i + 1, k] = -sn[i] * top + cs[i] * bottom
        denom = np.hypot(H[k, k], H[k + 1, k])
        safe = np.where(denom > 0, denom, 1.0)
        cs[k] = np.where(denom > 0, H[k, k] / safe, 1.0)
        sn[k] = np.where(denom > 0, H[k + 1, k] / safe, 0.0)
        H[k, k], H[k + 1, k] = denom, 0.0
        g[k + 1] = -sn[k] * g[k]
        g[k] = cs[k] * g[k]
        finished = ~done & ((np.abs(g[k + 1]) <= 0.5 * goal) | (norm_w == 0))
        used[finished] = k + 1
        done |= finished
        if done.all():
            break
    for j in range(c):
        m = used[j]
        y = sla.solve_triangular(H[:m, :m, j], g[:m, j], check_finite=False)
        X[:, columns[j]] += V[:m, :, j].T @ y
