"""Helpers shared by the balance engine tests (a uniquely named module, safe to import by name)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def random_productive(n: int, density: float, seed: int, colsum: float = 0.6) -> sp.csc_array:
    """A random sparse non-negative A whose column sums are all ``colsum`` (so rho(A) = colsum)."""
    rng = np.random.default_rng(seed)
    A = sp.random_array((n, n), density=density, rng=rng, format="csc")
    A = A + sp.eye_array(n, k=1, format="csc") * 0.01  # a chain, so that no column is empty
    sums = np.asarray(A.sum(axis=0)).ravel()
    return sp.csc_array(A @ sp.diags_array(colsum / np.where(sums > 0, sums, 1.0)))
