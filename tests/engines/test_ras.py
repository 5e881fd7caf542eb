"""RAS and GRAS against published examples, on sparse input, and their refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.optimize import minimize

from gosplan.balance import gras, ras
from gosplan.errors import InvalidValue, SolverError

# Miller & Blair, Input-Output Analysis, 2nd ed. (2009), section 7.4.2, the RAS numerical example:
# base-year coefficients A(0), target-year gross outputs x(1) and the target year's flows Z(1), whose
# row and column sums are the RAS targets u(1) and v(1). (The same numbers are in the GAMS model
# library, model IOBALANCE, SEQ=378.)
MB_A0 = np.array([[0.120, 0.100, 0.049],
                  [0.210, 0.247, 0.265],
                  [0.026, 0.249, 0.145]])
MB_X1 = np.array([421.0, 284.0, 283.0])
MB_Z1 = np.array([[98.0, 72.0, 75.0],
                  [65.0, 8.0, 63.0],
                  [88.0, 27.0, 44.0]])
MB_U1 = np.array([245.0, 136.0, 159.0])
MB_V1 = np.array([251.0, 107.0, 182.0])
# The RAS estimate of A(1) (four decimals). RAS gives the unique biproportional matrix with these
# totals; test_ras_is_the_minimum_information_solution re-derives it independently.
MB_A1_RAS = np.array([[0.3924, 0.1219, 0.1596],
                      [0.1509, 0.0661, 0.1897],
                      [0.0529, 0.1887, 0.2938]])

# Temurshoev, Miller & Bouwmeester (2013), "A note on the GRAS method", Economic Systems Research
# 25(3), 361-367, the numerical example (also in Junius & Oosterhaven 2003): a matrix with negative
# entries and a negative row and column target.
TMB_X0 = np.array([[7.0, 3.0, 5.0, -3.0],
                   [2.0, 9.0, 8.0, 0.0],
                   [-2.0, 0.0, 2.0, 0.0]])
TMB_U = np.array([15.0, 26.0, -1.0])
TMB_V = np.array([9.0, 16.0, 17.0, -2.0])
# The GRAS solution (four decimals), re-derived independently in test_gras_minimises_the_information_loss.
TMB_X_GRAS = np.array([[8.4243, 3.3752, 5.2004, -2.0],
                       [3.0010, 12.6248, 10.3742, 0.0],
                       [-2.4253, 0.0, 1.4253, 0.0]])


def test_miller_blair_ras_example() -> None:
    assert MB_Z1.sum(axis=1).tolist() == MB_U1.tolist() and MB_Z1.sum(axis=0).tolist() == MB_V1.tolist()
    Z = ras(MB_A0 * MB_X1, MB_U1, MB_V1)
    np.testing.assert_allclose(Z.sum(axis=1), MB_U1, rtol=1e-9)
    np.testing.assert_allclose(Z.sum(axis=0), MB_V1, rtol=1e-9)
    np.testing.assert_allclose(Z / MB_X1, MB_A1_RAS, atol=5e-5)
    # Biproportional: Z = diag(r) Z0 diag(s), so Z / Z0 has rank one.
    assert np.linalg.matrix_rank(Z / (MB_A0 * MB_X1), tol=1e-9) == 1


def test_ras_is_the_minimum_information_solution() -> None:
    """RAS solves min sum z ln(z / z0) subject to the totals (Miller & Blair, 7.4.4)."""
    z0 = (MB_A0 * MB_X1).ravel()

    def loss(z: np.ndarray) -> float:
        return float(np.sum(z * np.log(z / z0)))

    rows = [{"type": "eq", "fun": (lambda z, i=i: z.reshape(3, 3)[i].sum() - MB_U1[i])} for i in range(3)]
    cols = [{"type": "eq", "fun": (lambda z, j=j: z.reshape(3, 3)[:, j].sum() - MB_V1[j])} for j in range(2)]
    # (the last column total follows from the others: sum u = sum v)
    best = minimize(loss, z0 * MB_U1.sum() / z0.sum(), method="SLSQP", constraints=rows + cols,
                    bounds=[(1e-9, None)] * 9, options={"ftol": 1e-14, "maxiter": 1000})
    assert best.success
    np.testing.assert_allclose(best.x.reshape(3, 3) / MB_X1, MB_A1_RAS, atol=5e-4)


def test_temurshoev_gras_example() -> None:
    X = gras(TMB_X0, TMB_U, TMB_V)
    np.testing.assert_allclose(X.sum(axis=1), TMB_U, atol=1e-8)
    np.testing.assert_allclose(X.sum(axis=0), TMB_V, atol=1e-8)
    np.testing.assert_allclose(X, TMB_X_GRAS, atol=5e-5)
    assert (np.sign(X) == np.sign(TMB_X0)).all()  # signs kept, zeros stay zero


def test_gras_minimises_the_information_loss() -> None:
    """Lenzen, Wood & Gallego (2007): GRAS minimises sum |z0| (z/z0) ln(z / (e z0)) over the non-zero cells."""
    mask = TMB_X0 != 0
    z0 = TMB_X0[mask]

    def full(z: np.ndarray) -> np.ndarray:
        out = np.zeros_like(TMB_X0)
        out[mask] = z
        return out

    def loss(z: np.ndarray) -> float:
        ratio = z / z0
        return float(np.sum(np.abs(z0) * ratio * (np.log(ratio) - 1.0)))

    # (the fourth column total follows from the others)
    cons = ([{"type": "eq", "fun": (lambda z, i=i: full(z)[i].sum() - TMB_U[i])} for i in range(3)]
            + [{"type": "eq", "fun": (lambda z, j=j: full(z)[:, j].sum() - TMB_V[j])} for j in range(3)])
    bounds = [(1e-9, None) if value > 0 else (None, -1e-9) for value in z0]
    best = minimize(loss, z0, method="SLSQP", constraints=cons, bounds=bounds,
                    options={"ftol": 1e-14, "maxiter": 2000})
    assert best.success
    np.testing.assert_allclose(full(best.x), TMB_X_GRAS, atol=5e-4)


def test_gras_on_a_non_negative_matrix_is_ras() -> None:
    Z0 = MB_A0 * MB_X1
    np.testing.assert_allclose(gras(Z0, MB_U1, MB_V1), ras(Z0, MB_U1, MB_V1), rtol=1e-8)


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_sparse_input_stays_sparse_and_agrees_with_dense(fmt: str) -> None:
    rng = np.random.default_rng(7)
    dense = sp.random(60, 50, density=0.2, random_state=3, format="csr").toarray() * 100
    dense[np.arange(50), np.arange(50)] += 1.0  # no empty rows or columns
    signs = np.where(rng.random(dense.shape) < 0.1, -1.0, 1.0)
    u = dense.sum(axis=1) * rng.uniform(0.9, 1.2, 60)
    v = dense.sum(axis=0) * rng.uniform(0.9, 1.2, 50)
    v *= u.sum() / v.sum()
    for fn, matrix in ((ras, dense), (gras, dense * signs)):
        want = fn(matrix, u if fn is ras else (matrix * 1.05).sum(axis=1),
                  v if fn is ras else (matrix * 1.05).sum(axis=0))
        got = fn(sp.csr_matrix(matrix).asformat(fmt), u if fn is ras else (matrix * 1.05).sum(axis=1),
                 v if fn is ras else (matrix * 1.05).sum(axis=0))
        assert sp.issparse(got) and got.format == fmt
        np.testing.assert_allclose(got.toarray(), want, rtol=1e-7, atol=1e-9)
        assert got.nnz <= sp.csr_matrix(matrix).nnz  # the zero pattern is kept


def test_sparse_array_input() -> None:
    Z = sp.csr_array(MB_A0 * MB_X1)
    out = ras(Z, MB_U1, MB_V1)
    assert isinstance(out, sp.sparray)
    np.testing.assert_allclose(out.toarray() / MB_X1, MB_A1_RAS, atol=5e-5)


def test_dataframe_keeps_labels_and_aligns_series() -> None:
    names = ["agri", "manuf", "services"]
    Z0 = pd.DataFrame(MB_A0 * MB_X1, index=names, columns=names)
    u = pd.Series(MB_U1, index=names)[::-1]  # order does not matter, labels do
    out = ras(Z0, u, pd.Series(MB_V1, index=names))
    assert list(out.index) == names and list(out.columns) == names
    np.testing.assert_allclose(out.to_numpy() / MB_X1, MB_A1_RAS, atol=5e-5)


def test_inconsistent_totals_are_refused() -> None:
    with pytest.raises(InvalidValue, match=r"inconsistent: sum\(u\) = 540 but sum\(v\) = 541"):
        ras(MB_A0 * MB_X1, MB_U1, MB_V1 + np.array([1.0, 0.0, 0.0]))
    with pytest.raises(InvalidValue, match="inconsistent"):
        gras(TMB_X0, TMB_U, TMB_V + 1.0)


def test_row_with_positive_target_and_no_entries_is_named() -> None:
    Z0 = pd.DataFrame([[1.0, 2.0], [0.0, 0.0]], index=["coal", "steel"], columns=["coal", "steel"])
    with pytest.raises(InvalidValue, match="row 'steel' has a positive target \\(3\\) but no non-zero entries"):
        ras(Z0, [3.0, 3.0], [3.0, 3.0])
    with pytest.raises(InvalidValue, match="column 1 has a positive target"):
        ras(np.array([[1.0, 0.0], [1.0, 0.0]]), [1.0, 1.0], [1.0, 1.0])
    # GRAS: a negative target needs a negative entry.
    with pytest.raises(InvalidValue, match=r"row 0 has a negative target .* no negative entries"):
        gras(np.array([[1.0, 2.0], [1.0, 1.0]]), [-1.0, 4.0], [1.0, 2.0])


def test_ras_refuses_negative_input() -> None:
    with pytest.raises(InvalidValue, match="use gras"):
        ras(TMB_X0, TMB_U, TMB_V)
    with pytest.raises(InvalidValue, match="negative target"):
        ras(np.ones((2, 2)), [-1.0, 3.0], [1.0, 1.0])
    with pytest.raises(InvalidValue, match="missing or infinite"):
        ras(np.array([[1.0, np.nan], [1.0, 1.0]]), [1.0, 1.0], [1.0, 1.0])
    with pytest.raises(InvalidValue, match="must have 3 entries"):
        ras(MB_A0, [1.0, 2.0], MB_V1)


def test_zero_targets_empty_the_row() -> None:
    out = ras(np.array([[1.0, 1.0], [1.0, 1.0]]), [0.0, 2.0], [1.0, 1.0])
    assert out.tolist() == [[0.0, 0.0], [1.0, 1.0]]


def test_unreachable_totals_fail_with_the_worst_row() -> None:
    # A zero pattern that cannot carry these totals: row 0 may only use column 0, whose total is too small.
    Z0 = np.array([[1.0, 0.0], [1.0, 1.0]])
    with pytest.raises(SolverError, match="ras did not converge in 50 iterations: row 0"):
        ras(Z0, [3.0, 1.0], [1.0, 3.0], max_iter=50)


def test_tolerance_controls_the_precision() -> None:
    rough = ras(MB_A0 * MB_X1, MB_U1, MB_V1, tol=1e-2)
    fine = ras(MB_A0 * MB_X1, MB_U1, MB_V1, tol=1e-12)
    assert np.abs(fine.sum(axis=1) - MB_U1).max() <= 1e-12 * MB_V1.max()
    assert np.abs(rough.sum(axis=1) - MB_U1).max() <= 1e-2 * MB_V1.max()
