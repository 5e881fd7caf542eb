"""Shared fixtures of the balance engine tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

DATA = Path(__file__).resolve().parents[2] / "data" / "io"


def random_productive(n: int, density: float, seed: int, colsum: float = 0.6) -> sp.csc_array:
    """A random sparse non-negative A whose column sums are all ``colsum`` (so rho(A) = colsum)."""
    rng = np.random.default_rng(seed)
    A = (
        sp.random_array((n, n), density=density, rng=rng, format="csc")
        + sp.eye_array(n, k=1, format="csc") * 0.01
    )
    sums = np.asarray(A.sum(axis=0)).ravel()
    return sp.csc_array(A @ sp.diags_array(colsum / np.where(sums > 0, sums, 1.0)))


@pytest.fixture
def data_dir() -> Path:
    return DATA
