"""The balance engine takes flows as the user holds them: scipy.sparse, a dense ndarray or a DataFrame."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gosplan.balance import IOTable
from gosplan.engines.balance.dense import KEEP_DENSE_DENSITY, ScaledDense, sampled_density
from gosplan.engines.balance.solvers import as_sparse, dense_to_sparse


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, st.tuples(st.integers(0, 40), st.integers(0, 40)),
           elements=st.sampled_from([0.0, 0.0, 0.0, 1.5, -2.0, 1e-300, 7.25])),
    st.booleans(),
    st.integers(1, 7),
)
def test_dense_to_sparse_equals_scipy(array, fortran, rows_per_block):
    """Same non-zeros as scipy's own conversion, for any shape, order and block size (empty rows too)."""
    if fortran:
        array = np.asfortranarray(array)
    ours = dense_to_sparse(array, rows_per_block=rows_per_block)
    assert ours.shape == array.shape
    assert ours.format == ("csc" if fortran and array.shape[0] > 1 and array.shape[1] > 1 else "csr")
    np.testing.assert_array_equal(ours.toarray(), array)
    assert ours.nnz == np.count_nonzero(array)
    ours.check_format(full_check=True)


def test_dense_to_sparse_refuses_other_dimensions():
    with pytest.raises(ValueError, match="2-D"):
        dense_to_sparse(np.zeros(3))


def test_as_sparse_keeps_compressed_layouts_and_reads_frames_without_copy():
    csr = sp.random_array((30, 30), density=0.2, rng=np.random.default_rng(1), format="csr")
    assert as_sparse(csr).format == "csr"
    assert as_sparse(csr.tocoo()).format == "csc"
    frame = pd.DataFrame(csr.toarray())
    np.testing.assert_array_equal(as_sparse(frame).toarray(), csr.toarray())


def test_same_table_from_sparse_dense_and_frame():
    """Miller & Blair's two-sector example (2nd ed., section 2.3) from every input form, then a random one."""
    Z = np.array([[150.0, 500.0], [200.0, 100.0]])
    x = np.array([1000.0, 2000.0])
    expected = [1254.1, 264.0]
    for held in (Z, np.asfortranarray(Z), pd.DataFrame(Z, index=["agri", "manuf"], columns=["agri", "manuf"]),
                 sp.csr_array(Z), sp.csc_array(Z)):
        table = IOTable.from_flows(held, x)
        assert table.solve([1000, 0]).round(1).tolist() == expected

    rng = np.random.default_rng(7)
    n = 300
    flows = sp.random_array((n, n), density=0.15, rng=rng, format="csc")
    y = rng.uniform(0.5, 1.5, n) * float(np.asarray(flows.sum(axis=1)).mean())
    out = np.asarray(flows.sum(axis=1)).ravel() + y
    results = []
    for held in (flows, flows.tocsr(), flows.toarray(), pd.DataFrame(flows.toarray())):
        table = IOTable.from_flows(held, out)
        links = table.linkages()
        results.append(np.concatenate([table.solve(y).to_numpy(), links["backward"], links["forward"]]))
    for other in results[1:]:
        np.testing.assert_allclose(other, results[0], rtol=1e-10)
    # the flows themselves are left as they were (the coefficients do not share index arrays with them)
    table = IOTable.from_flows(flows, out)
    table.A.eliminate_zeros()
    table.A.indices[:] = 0
    np.testing.assert_array_equal(table.Z.toarray(), flows.toarray())


# -- dense tables kept dense ------------------------------------------------------------------------
MB_Z = np.array([[150.0, 500.0], [200.0, 100.0]])  # Miller & Blair (2009), section 2.3
MB_X = np.array([1000.0, 2000.0])


def _random_flows(n: int, density: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    flows = sp.random_array((n, n), density=density, rng=rng, format="csc").toarray()  # Fortran order
    y = rng.uniform(0.5, 1.5, n) * float(flows.sum(axis=1).mean())
    return flows, y


def _analysis(table: IOTable, y: np.ndarray) -> np.ndarray:
    links = table.linkages()
    return np.concatenate([
        table.x, table.solve(y).to_numpy(), table.multipliers("output").to_numpy(),
        links["backward"].to_numpy(), links["forward"].to_numpy(), links["forward_leontief"].to_numpy(),
    ])


def test_miller_blair_from_dense_inputs_is_kept_dense_and_published():
    """M&B 2nd ed. sec. 2.3 (x = 1254.1, 264.0 for f = (1000, 0)) and sec. 6.2.1 (output multipliers
    1.518, 1.452), from arrays in both orders and a DataFrame held dense, and from scipy.sparse."""
    frame = pd.DataFrame(MB_Z, index=["agri", "manuf"], columns=["agri", "manuf"])
    for held, dense in ((MB_Z, True), (np.asfortranarray(MB_Z), True), (frame, True), (sp.csr_array(MB_Z), False)):
        for method in ("auto", "gmres", "splu"):
            table = IOTable.from_flows(held, MB_X, method=method)
            assert table.dense is dense
            assert table.solve([1000, 0]).round(1).tolist() == [1254.1, 264.0]
            np.testing.assert_allclose(table.multipliers("output").to_numpy(), [1.518, 1.452], atol=5e-4)
            np.testing.assert_allclose(table.A.toarray(), [[0.15, 0.25], [0.2, 0.05]])
            np.testing.assert_array_equal(table.Z.toarray(), MB_Z)


@pytest.mark.parametrize("method", ["auto", "gmres"])
@pytest.mark.parametrize("density", [0.02, 0.15, 0.6])
def test_sparse_dense_and_frame_inputs_give_equal_results(method: str, density: float):
    """The same analysis from every form of the flows agrees to 1e-9 (the dense LU for auto at this n,
    the lockstep GMRES on the dense array or its compressed form otherwise)."""
    flows, y = _random_flows(250, density, seed=11)
    labels = [f"s{i}" for i in range(250)]
    held = [sp.csc_array(flows), sp.csr_array(flows), flows, np.ascontiguousarray(flows),
            pd.DataFrame(flows, index=labels, columns=labels)]
    results = [_analysis(IOTable.from_flows(h, final_demand=y, method=method), y) for h in held]
    for other in results[1:]:
        np.testing.assert_allclose(other, results[0], rtol=1e-9)
    # x is the row sums plus final demand, as pymrio's calc_system computes it
    np.testing.assert_allclose(results[0][:250], flows.sum(axis=1) + y, rtol=1e-12)
    np.testing.assert_allclose(results[0][250:500], results[0][:250], rtol=1e-9)  # L y = x


def test_representation_follows_density_and_the_array_is_not_copied(monkeypatch):
    """Above the dense-LU size a dense input stays dense only when dense enough; kept arrays are referenced."""
    from gosplan.engines.balance import solvers
    from gosplan.engines.balance import table as table_module

    monkeypatch.setattr(solvers, "DENSE_LIMIT", 50)
    monkeypatch.setattr(table_module, "DENSE_LIMIT", 50)
    sparse_looking, y = _random_flows(200, 0.03, seed=1)
    dense_looking, y2 = _random_flows(200, 0.4, seed=2)
    assert sampled_density(sparse_looking) < KEEP_DENSE_DENSITY <= sampled_density(dense_looking)
    assert not IOTable.from_flows(sparse_looking, final_demand=y).dense
    frame = pd.DataFrame(dense_looking)
    table = IOTable.from_flows(frame, final_demand=y2)
    assert table.dense and table.solver.method == "gmres"
    assert np.shares_memory(table.solver.A.Z, dense_looking)
    coefficients = IOTable.from_coefficients(dense_looking / (dense_looking.sum(axis=0) * 2))
    assert coefficients.dense and coefficients.solver.method == "gmres"


def test_sampled_density_reads_the_memory_order():
    array = np.zeros((100, 80))
    array[:, :20] = 1.0  # a quarter of every row, but only some columns
    assert sampled_density(array) == pytest.approx(0.25)
    assert sampled_density(np.asfortranarray(array)) == pytest.approx(0.25, abs=0.01)
    assert sampled_density(np.zeros((0, 0))) == 0.0


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 40), st.integers(1, 3), st.integers(1, 3), st.booleans(), st.booleans(), st.integers(0, 99))
def test_pair_product_equals_both_products(n, k, j, fortran, scaled, seed):
    rng = np.random.default_rng(seed)
    Z = rng.random((n, n)) * (rng.random((n, n)) < 0.5)
    Z = np.asfortranarray(Z) if fortran else Z
    scale = rng.random(n) if scaled else None
    A = Z * (scale if scaled else 1.0)
    op = ScaledDense(Z, scale)
    V, W = rng.random((n, k)), rng.random((n, j))
    AV, ATW = op.pair(V, W)
    np.testing.assert_allclose(AV, A @ V, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ATW, A.T @ W, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(op @ V[:, 0], A @ V[:, 0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(op.T @ W, A.T @ W, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(op.tosparse().toarray(), A)
    restored = pickle.loads(pickle.dumps(op))
    np.testing.assert_array_equal(restored.toarray(), A)


@pytest.mark.parametrize("method", ["dense", "splu", "gmres"])
def test_solve_pair_equals_two_solves(method: str):
    flows, y = _random_flows(120, 0.2, seed=3)
    table = IOTable.from_flows(flows, final_demand=y, method=method)
    B = np.column_stack([y, np.ones(120)])
    X, p = table.solver.solve_pair(B, np.ones(120))
    I_minus_A = np.eye(120) - table.A.toarray()
    np.testing.assert_allclose(X, np.linalg.solve(I_minus_A, B), rtol=1e-10)
    np.testing.assert_allclose(p, np.linalg.solve(I_minus_A.T, np.ones(120)), rtol=1e-10)
