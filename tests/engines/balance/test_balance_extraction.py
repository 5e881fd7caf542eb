"""Hypothetical extraction: the rank-update formulas against brute-force re-solves."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gosplan.balance import IOTable
from gosplan.runner import Runner


def brute_force(Z: np.ndarray, x: np.ndarray, S: list[int]) -> tuple[float, float, float]:
    """Miller & Blair (2009) sec. 12.2.5 by definition: re-solve the economy without S."""
    n = len(x)
    A = Z / x
    y = x - Z.sum(axis=1)
    keep = [i for i in range(n) if i not in S]
    total = x.sum() - np.linalg.solve(np.eye(len(keep)) - A[np.ix_(keep, keep)], y[keep]).sum()
    A_b = A.copy()
    A_b[:, S] = 0.0
    backward = x.sum() - np.linalg.solve(np.eye(n) - A_b, y).sum()
    B = Z / x[:, None]
    B[S, :] = 0.0
    v = x - Z.sum(axis=0)
    forward = x.sum() - np.linalg.solve((np.eye(n) - B).T, v).sum()
    return total, backward, forward


def economy(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    Z = rng.random((n, n)) * (rng.random((n, n)) < 0.5) * 10
    x = Z.sum(axis=1) + rng.random(n) * 40 + 1
    x = np.maximum(x, Z.sum(axis=0) * 1.2)  # keep column sums of A below 1
    return Z, x


@settings(max_examples=20, deadline=None)
@given(n=st.integers(2, 12), seed=st.integers(0, 1000))
def test_single_sector_extraction_matches_brute_force(n: int, seed: int) -> None:
    Z, x = economy(n, seed)
    frame = IOTable.from_flows(Z, x).extraction()
    expected = np.array([brute_force(Z, x, [j]) for j in range(n)])
    np.testing.assert_allclose(
        frame[["total", "backward", "forward"]].to_numpy(), expected, rtol=1e-8, atol=1e-8
    )
    assert (
        frame["total"] >= frame["backward"] - 1e-9
    ).all()  # removing a sector costs at least its purchases


@pytest.mark.parametrize("runner", [Runner(), Runner(processes=2)], ids=["local", "processes"])
def test_group_extraction_through_runner(runner: Runner) -> None:
    Z, x = economy(9, seed=4)
    labels = [f"s{i}" for i in range(9)]
    t = IOTable.from_flows(Z, x, labels=labels)
    groups = {"energy": ["s0", "s3"], "metals": ["s1", "s2", "s8"], "one": ["s5"]}
    frame = t.extraction(groups=groups, runner=runner, chunk_size=2)
    for name, members in groups.items():
        S = [labels.index(m) for m in members]
        np.testing.assert_allclose(
            frame.loc[name, ["total", "backward", "forward"]].to_numpy(), brute_force(Z, x, S), rtol=1e-9
        )
    np.testing.assert_allclose(frame.loc["one"].to_numpy(), t.extraction().loc["s5"].to_numpy(), rtol=1e-10)


def test_unknown_group_member() -> None:
    Z, x = economy(3, seed=1)
    with pytest.raises(ValueError, match="unknown sectors"):
        IOTable.from_flows(Z, x, labels=["a", "b", "c"]).extraction(groups={"g": ["a", "zz"]})
