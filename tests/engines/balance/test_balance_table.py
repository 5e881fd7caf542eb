"""IOTable: published numbers (Miller & Blair), identities on real tables, property tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from balance_helpers import random_productive
from hypothesis import given, settings
from hypothesis import strategies as st

from gosplan.balance import IOTable, LeontiefSolver, read_bea_requirements, read_bea_use, read_oecd_csv
from gosplan.engines.balance import solvers
from gosplan.errors import SolverError

# Miller & Blair, Input-Output Analysis, 2nd ed. (2009), ch. 2, sec. 2.3 numerical example:
# Z = [[150, 500], [200, 100]], x = [1000, 2000]; A (eq. 2.14 example) and L to 3 decimals (p. 22).
MB_Z = np.array([[150.0, 500.0], [200.0, 100.0]])
MB_X = np.array([1000.0, 2000.0])


@pytest.fixture
def mb() -> IOTable:
    return IOTable.from_flows(MB_Z, MB_X, labels=["agriculture", "manufacturing"])


def test_miller_blair_coefficients_and_inverse(mb: IOTable) -> None:
    np.testing.assert_allclose(mb.A.toarray(), [[0.15, 0.25], [0.2, 0.05]])
    np.testing.assert_allclose(mb.leontief_inverse().to_numpy(), [[1.254, 0.330], [0.264, 1.122]], atol=5e-4)


def test_miller_blair_new_final_demand(mb: IOTable) -> None:
    # M&B sec. 2.3: for f = (600, 1500) the text gives x1 = 1247.52, x2 = 1841.58.
    np.testing.assert_allclose(mb.solve([600, 1500]).to_numpy(), [1247.52, 1841.58], atol=0.01)
    # the table's own final demand (Z row sums subtracted from x) reproduces x
    np.testing.assert_allclose(mb.solve().to_numpy(), MB_X)


def test_miller_blair_output_multipliers(mb: IOTable) -> None:
    # M&B ch. 6, sec. 6.2.1: simple output multipliers are the column sums of the ch. 2 L: 1.518, 1.452.
    np.testing.assert_allclose(mb.multipliers("output").to_numpy(), [1.518, 1.452], atol=5e-4)


def test_ghosh_inverse_and_forward_linkage(mb: IOTable) -> None:
    B = MB_Z / MB_X[:, None]
    G = np.linalg.inv(np.eye(2) - B)
    np.testing.assert_allclose(mb.ghosh_inverse().to_numpy(), G)
    links = mb.linkages()
    np.testing.assert_allclose(links["forward"].to_numpy(), G.sum(axis=1))
    np.testing.assert_allclose(links["backward"].to_numpy(), mb.leontief_inverse().sum(axis=0).to_numpy())
    # Ghosh and Leontief agree where they must: v'G = x' with v the value added of the table
    v = MB_X - MB_Z.sum(axis=0)
    np.testing.assert_allclose(v @ G, MB_X)


def test_income_and_type_two_multipliers() -> None:
    # Miller & Blair ch. 6 closing with respect to households: type II output multipliers exceed type I,
    # and the type II multiplier equals the column sums of the closed inverse's sector block.
    Z, x = MB_Z, MB_X
    income = np.array([300.0, 500.0])
    consumption = np.array([90.0, 50.0])
    t = IOTable.from_flows(Z, x, labels=["a", "m"], income=income, household_consumption=consumption)
    A = Z / x
    h = income / x
    hc = consumption / income.sum()
    closed = np.block([[A, hc[:, None]], [h[None, :], np.zeros((1, 1))]])
    Lbar = np.linalg.inv(np.eye(3) - closed)
    np.testing.assert_allclose(t.multipliers("output", "II").to_numpy(), Lbar[:2, :2].sum(axis=0))
    L = np.linalg.inv(np.eye(2) - A)
    np.testing.assert_allclose(t.multipliers("income", "simple").to_numpy(), h @ L)
    np.testing.assert_allclose(t.multipliers("income", "I").to_numpy(), (h @ L) / h)
    np.testing.assert_allclose(t.multipliers("income", "II").to_numpy(), (h @ Lbar[:2, :2]) / h)
    assert (t.multipliers("output", "II") > t.multipliers("output", "I")).all()


def test_key_sectors_summary(mb: IOTable) -> None:
    ks = mb.key_sectors()
    assert ks.key == ["agriculture"]  # backward 1.518 > mean and forward 1.914 > mean
    assert ks.weak == ["manufacturing"]
    assert "1 of 2 sectors are key sectors" in ks.summary()


def test_belgium_identities(data_dir) -> None:
    t = read_oecd_csv(data_dir / "BEL2020ttl.csv")
    assert t.n == 47  # 50 industries, D05, D06, D07 have zero output and are dropped
    # domestic + imported intermediate inputs add up to the published total flows, column by column
    # (zero-output products kept here: they are entirely imported)
    full = read_oecd_csv(data_dir / "BEL2020ttl.csv", drop_zero_output=False)
    total = read_oecd_csv(data_dir / "BEL2020ttl.csv", domestic=False, drop_zero_output=False)
    np.testing.assert_allclose(
        full.imports + (full.A @ sp.diags_array(full.x)).sum(axis=0),
        (total.A @ sp.diags_array(total.x)).sum(axis=0),
        rtol=1e-10,
    )
    x = t.solve()
    # x = A x + y holds exactly in the table up to the OECD row balance residuals (README: <= 2.7 %)
    direct = t.A @ t.x + t.y
    assert np.max(np.abs(direct - t.x) / t.x) < 0.03
    np.testing.assert_allclose(x.to_numpy() - t.A @ x.to_numpy(), t.y, rtol=1e-10, atol=1e-8)
    L = t.leontief_inverse().to_numpy()
    np.testing.assert_allclose(L @ (np.eye(t.n) - t.A.toarray()), np.eye(t.n), atol=1e-10)
    np.testing.assert_allclose(t.multipliers().to_numpy(), L.sum(axis=0), rtol=1e-10)
    links = t.linkages()
    G = t.ghosh_inverse().to_numpy()
    np.testing.assert_allclose(links["forward"].to_numpy(), G.sum(axis=1), rtol=1e-10)
    np.testing.assert_allclose(links["forward_leontief"].to_numpy(), L.sum(axis=1), rtol=1e-10)
    assert set(links["class"]) <= {"key", "backward-oriented", "forward-oriented", "weak"}


def test_bea_use_table_approximates_published_total_requirements(data_dir) -> None:
    # BEA publishes domestic total requirements (industry x commodity, after redefinitions) for 2015.
    # From the use table alone (before redefinitions, no make table) we can only approximate them:
    # the output multipliers must track the published column sums closely, not exactly.
    t = read_bea_use(data_dir / "IOUse_Before_Redefinitions_PRO_1997-2015_Summary.xlsx", 2015)
    published = read_bea_requirements(data_dir / "IxC_Domestic_1997-2015_Summary.xlsx", 2015)
    assert published.shape == (71, 73)
    ours = t.multipliers("output")
    common = [c for c in ours.index if c in published.columns]
    assert len(common) == 71
    theirs = published.sum(axis=0)[common]
    assert np.corrcoef(ours[common], theirs)[0, 1] > 0.95
    assert np.median(np.abs(ours[common] / theirs - 1)) < 0.05
    # identities hold exactly on our reading of the table
    x = t.solve().to_numpy()
    np.testing.assert_allclose(x, t.x, rtol=1e-9)
    # the published table itself: every commodity requires at least its own unit of output
    assert (published[common].sum(axis=0) >= 1.0).all()


def test_import_dependency() -> None:
    imports = np.array([100.0, 300.0])
    t = IOTable.from_flows(MB_Z, MB_X, imports=imports)
    dep = t.import_dependency()
    L = np.linalg.inv(np.eye(2) - MB_Z / MB_X)
    np.testing.assert_allclose(dep["direct"].to_numpy(), imports / MB_X)
    np.testing.assert_allclose(dep["total"].to_numpy(), (imports / MB_X) @ L)


@pytest.mark.parametrize("method", ["dense", "splu", "gmres"])
def test_methods_agree(method: str) -> None:
    A = random_productive(400, 0.05, seed=1)
    y = np.random.default_rng(2).random(400)
    reference = np.linalg.solve(np.eye(400) - A.toarray(), y)
    t = IOTable.from_coefficients(A, final_demand=y, method=method)
    np.testing.assert_allclose(t.solve(y).to_numpy(), reference, rtol=1e-10)
    m_ref = np.linalg.solve((np.eye(400) - A.toarray()).T, np.ones(400))
    np.testing.assert_allclose(t.multipliers().to_numpy(), m_ref, rtol=1e-10)


def test_inverse_refused_for_huge_n(monkeypatch) -> None:
    monkeypatch.setattr(solvers, "INVERSE_LIMIT", 100)
    t = IOTable.from_coefficients(random_productive(200, 0.05, seed=3), method="gmres")
    with pytest.raises(SolverError, match="refused above"):
        t.leontief_inverse()


def test_non_productive_table_raises() -> None:
    singular = np.array([[0.5, 0.5], [0.5, 0.5]])  # rho = 1: I - A singular
    with pytest.raises(SolverError, match="not productive"):
        LeontiefSolver(singular)
    with pytest.raises(SolverError):
        LeontiefSolver(singular, method="gmres").solve(np.array([1.0, 1.0]))


def test_solve_many_through_runner() -> None:
    from gosplan.runner import Runner

    t = IOTable.from_flows(MB_Z, MB_X, labels=["a", "m"])
    Y = pd.DataFrame({"base": [350.0, 1700.0], "mb": [600.0, 1500.0]}, index=["a", "m"])
    out = t.solve_many(Y, runner=Runner(), chunk_size=1)
    np.testing.assert_allclose(out["mb"].to_numpy(), [1247.52, 1841.58], atol=0.01)
    np.testing.assert_allclose(out["base"].to_numpy(), MB_X)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 40), seed=st.integers(0, 10_000), colsum=st.floats(0.05, 0.95))
def test_properties_on_random_productive_matrices(n: int, seed: int, colsum: float) -> None:
    A = random_productive(n, 0.3, seed, colsum)
    rng = np.random.default_rng(seed)
    y = rng.random(n)
    t = IOTable.from_coefficients(A, final_demand=y)
    x = t.solve(y).to_numpy()
    np.testing.assert_allclose(x - A @ x, y, atol=1e-10)  # x = Ax + y
    assert (x >= y - 1e-12).all()  # L >= I: output covers final demand
    m = t.multipliers().to_numpy()
    assert (m >= 1 - 1e-12).all()
    np.testing.assert_allclose(m.sum(), t.solver.solve(np.ones(n)).sum(), rtol=1e-10)  # 1'L1 both ways
    np.testing.assert_allclose(m @ y, x.sum(), rtol=1e-10)  # m'y = 1'x
    links = t.linkages()
    np.testing.assert_allclose(links["backward_index"].mean(), 1.0)
    # Ghosh: v'G = x' where value added v_j = x_j (1 - sum_i a_ij) is what column j does not spend
    v = x * (1 - np.asarray(A.sum(axis=0)).ravel())
    G = np.diag(1 / x) @ np.linalg.inv(np.eye(n) - A.toarray()) @ np.diag(x)
    np.testing.assert_allclose(v @ G, x, rtol=1e-9)
    np.testing.assert_allclose(links["forward"].to_numpy(), G.sum(axis=1), rtol=1e-9)


def test_sparse_input_is_kept_sparse() -> None:
    A = random_productive(3000, 0.001, seed=5)
    t = IOTable.from_coefficients(A, method="gmres")
    assert sp.issparse(t.A)
    x = t.solve(np.ones(3000)).to_numpy()
    np.testing.assert_allclose(x - A @ x, 1.0, atol=1e-9)
