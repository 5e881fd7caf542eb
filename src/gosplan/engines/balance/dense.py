"""Dense coefficient matrices kept dense: ``A = Z diag(scale)`` over the user's own array, no copy.

A table held as a dense ndarray or DataFrame is either compressed to scipy.sparse or kept as it is.
Compressing a 9,800 x 9,800 array costs about as much as ten dense matrix-vector products, so a
table dense enough (:data:`KEEP_DENSE_DENSITY`, estimated from a sample of rows without reading the
whole array) or small enough for a dense LU (:data:`~gosplan.engines.balance.solvers.DENSE_LIMIT`)
stays dense. The flows are then never copied: ``A v`` is ``Z (scale * v)`` and ``A' w`` is
``scale * (Z' w)``, and :meth:`ScaledDense.pair` gives both in one pass over ``Z`` (the Leontief and
the transposed solves of the linkages run in lockstep on it).

>>> op = ScaledDense(np.array([[150.0, 500.0], [200.0, 100.0]]), np.array([1 / 1000, 1 / 2000]))
>>> op.toarray().tolist()
[[0.15, 0.25], [0.2, 0.05]]
>>> [v.round(2).tolist() for v in op.pair(np.ones(2), np.ones(2))]
[[0.4, 0.25], [0.35, 0.3]]
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import scipy.sparse as sp

KEEP_DENSE_DENSITY = 0.10
"""Share of non-zeros above which a large dense input is kept dense (see docs/benchmarks.md)."""

SAMPLE_LINES = 64
"""Rows (or columns, in Fortran order) read to estimate the density of a dense input."""

THREADS = min(2, os.cpu_count() or 1)
"""Threads sharing one pass of :meth:`ScaledDense.pair`."""

BLOCK_BYTES = 1 << 20
"""Bytes of ``Z`` per block in :meth:`ScaledDense.pair`: small enough to stay in cache for both products."""


def dense_values(matrix: object) -> np.ndarray | None:
    """The float64 values of a dense 2-D input (ndarray, DataFrame, nested lists), without a copy when
    they already are float64 and contiguous; ``None`` for scipy.sparse input."""
    if sp.issparse(matrix):
        return None
    to_numpy = getattr(matrix, "to_numpy", None)
    array = to_numpy(dtype=np.float64, copy=False) if callable(to_numpy) else np.asarray(matrix, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"expected a 2-D matrix, got {array.ndim} dimensions")
    if not (array.flags.c_contiguous or array.flags.f_contiguous):
        array = np.ascontiguousarray(array)
    return array


def sampled_density(array: np.ndarray, lines: int = SAMPLE_LINES) -> float:
    """Share of non-zeros in ``lines`` evenly spaced contiguous rows (columns for Fortran order)."""
    view = array.T if array.flags.f_contiguous and not array.flags.c_contiguous else array
    if view.size == 0:
        return 0.0
    picked = np.unique(np.linspace(0, view.shape[0] - 1, min(lines, view.shape[0])).astype(np.int64))
    return float(np.count_nonzero(view[picked])) / (len(picked) * view.shape[1])


def keep_dense(array: np.ndarray, dense_limit: int) -> bool:
    """Whether a dense input stays dense: small enough for a dense LU, or dense enough."""
    return array.shape[0] <= dense_limit or sampled_density(array) >= KEEP_DENSE_DENSITY


def scale_columns(matrix: sp.csc_array | sp.csr_array, scale: np.ndarray) -> sp.csc_array | sp.csr_array:
    """``matrix @ diag(scale)`` in the matrix's own layout, one pass over its non-zeros (no sparse product)."""
    if matrix.format == "csr":
        data = matrix.data * scale[matrix.indices]
    else:
        data = matrix.data * np.repeat(scale, np.diff(matrix.indptr))
    # Own copies of the index arrays: an in-place scipy operation on one array must not corrupt the other.
    return type(matrix)((data, matrix.indices.copy(), matrix.indptr.copy()), shape=matrix.shape)


class ScaledDense:
    """``A = Z diag(scale)`` for a dense float64 ``Z`` (C or Fortran order), referenced, not copied.

    Supports what the Leontief solvers need: ``A @ V``, ``A.T @ W``, :meth:`pair` (both in one pass),
    :meth:`toarray` and :meth:`tosparse`.
    """

    def __init__(self, Z: np.ndarray, scale: np.ndarray | None = None) -> None:
        if Z.ndim != 2 or Z.dtype != np.float64 or not (Z.flags.c_contiguous or Z.flags.f_contiguous):
            raise ValueError("ScaledDense needs a contiguous 2-D float64 array")
        self.Z = Z
        self.scale = None if scale is None else np.asarray(scale, dtype=np.float64)
        self.shape: tuple[int, int] = Z.shape
        self.format = "dense"

    def __getstate__(self) -> dict[str, Any]:
        return {"Z": self.Z, "scale": self.scale}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["Z"], state["scale"])  # type: ignore[misc]

    def _scaled(self, V: np.ndarray) -> np.ndarray:
        if self.scale is None:
            return V
        return V * (self.scale if V.ndim == 1 else self.scale[:, None])

    def __matmul__(self, V: np.ndarray) -> np.ndarray:
        return self.Z @ self._scaled(np.asarray(V, dtype=np.float64))

    def rmatmat(self, W: np.ndarray) -> np.ndarray:
        """``A' W``."""
        return self._scaled(self.Z.T @ np.asarray(W, dtype=np.float64))

    @property
    def T(self) -> _Transposed:
        return _Transposed(self)

    def pair(self, V: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(A V, A' W)`` reading ``Z`` once: each block of its memory-contiguous lines serves both
        products while it is in cache. ``V`` and ``W`` are 1-D or 2-D with n rows."""
        n = self.shape[0]
        V2 = self._scaled(np.asarray(V, dtype=np.float64).reshape(n, -1))
        W2 = np.asarray(W, dtype=np.float64).reshape(n, -1)
        by_rows = self.Z.flags.c_contiguous
        lines = self.Z if by_rows else self.Z.T  # C-ordered either way
        # rows of Z (C order): AV[rows] = Zb V, Z'W += Zb' W[rows]; columns of Z (F order) the other way
        whole, part = (V2, W2) if by_rows else (W2, V2)
        own = np.empty((n, whole.shape[1]))
        step = max(1, BLOCK_BYTES // (8 * max(n, 1)))
        starts = list(range(0, n, step))

        def sweep(chunk: list[int]) -> np.ndarray:
            summed = np.zeros((n, part.shape[1]))
            for start in chunk:
                block = lines[start : start + step]
                np.matmul(block, whole, out=own[start : start + step])
                summed += block.T @ part[start : start + step]
            return summed

        # two halves in two threads (numpy's BLAS calls release the GIL; the small blocks would not
        # be threaded by BLAS itself), each with its own sum of the scattered products
        workers = min(THREADS, len(starts))
        if workers > 1:
            size = -(-len(starts) // workers)  # contiguous shares: each thread streams its own part
            chunks = [starts[k * size : (k + 1) * size] for k in range(workers)]
            with ThreadPoolExecutor(max_workers=workers) as pool:
                summed = sum(pool.map(sweep, chunks))
        else:
            summed = sweep(starts)
        AV, ATW = (own, summed) if by_rows else (summed, own)
        ATW = self._scaled(ATW)
        return AV.reshape(np.shape(V)), ATW.reshape(np.shape(W))

    def toarray(self) -> np.ndarray:
        """``A`` as a new dense array."""
        return self.Z * self.scale[None, :] if self.scale is not None else self.Z.copy()

    def tosparse(self) -> sp.csr_array | sp.csc_array:
        """``A`` compressed (CSR for C order, CSC for Fortran order)."""
        from gosplan.engines.balance.solvers import dense_to_sparse

        compressed = dense_to_sparse(self.Z)
        return compressed if self.scale is None else scale_columns(compressed, self.scale)

    def column_sums(self) -> np.ndarray:
        sums = self.Z.sum(axis=0)
        return sums if self.scale is None else sums * self.scale

    def __repr__(self) -> str:
        order = "C" if self.Z.flags.c_contiguous else "F"
        return f"ScaledDense(n={self.shape[0]}, order={order}, scaled={self.scale is not None})"


class _Transposed:
    """``A'`` of a :class:`ScaledDense`, for ``A.T @ W``."""

    def __init__(self, parent: ScaledDense) -> None:
        self.parent = parent
        self.shape = parent.shape[::-1]

    def __matmul__(self, W: np.ndarray) -> np.ndarray:
        return self.parent.rmatmat(W)
