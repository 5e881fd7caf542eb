"""The balance engine takes flows as the user holds them: scipy.sparse, a dense ndarray or a DataFrame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gosplan.balance import IOTable
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
