"""Forecast reconciliation: coherent sums, unbiasedness, and the textbook closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from gosplan.engines.forecast.reconcile import reconcile, shrunk_covariance, summing_matrix

PARENTS = {"north": "nation", "south": "nation", "mine-a": "north", "mine-b": "north",
           "mine-c": "south", "mine-d": "south", "mine-e": "south"}
BOTTOM = ["mine-a", "mine-b", "mine-c", "mine-d", "mine-e"]


def _residuals(hierarchy, periods: int = 48, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(periods, 1))
    bottom = 0.6 * common + rng.normal(scale=[1.0, 2.0, 0.5, 1.5, 1.0], size=(periods, 5))
    # base forecasts of aggregates are made on their own: their errors are not the sums of the parts'
    aggregate = hierarchy.matrix.toarray() @ bottom.T
    return (aggregate + rng.normal(scale=0.8, size=aggregate.shape)).T


def test_summing_matrix_orders_nodes_top_down() -> None:
    hierarchy = summing_matrix(PARENTS, BOTTOM)
    assert hierarchy.nodes[:3] == ["nation", "north", "south"]
    S = hierarchy.matrix.toarray()
    assert S[0].tolist() == [1, 1, 1, 1, 1]
    assert S[hierarchy.nodes.index("south")].tolist() == [0, 0, 1, 1, 1]
    with pytest.raises(ValueError, match="also aggregates"):
        summing_matrix(PARENTS, ["north", "mine-a"])
    with pytest.raises(ValueError, match="cycle"):
        summing_matrix({"a": "b", "b": "a"}, ["a"])


@pytest.mark.parametrize("method", ["ols", "wls", "mint_shrink"])
def test_reconciled_forecasts_add_up_and_keep_coherent_ones(method: str) -> None:
    hierarchy = summing_matrix(PARENTS, BOTTOM)
    S = hierarchy.matrix.toarray()
    residuals = _residuals(hierarchy)
    variance = residuals.var(axis=0)
    base = np.array([1000.0, 420.0, 610.0, 200.0, 230.0, 150.0, 260.0, 190.0])
    result = reconcile(base, hierarchy, method=method, variance=variance, residuals=residuals)
    # coherent: every aggregate equals the sum of its bottom series, to 1e-9
    bottom = result.mean[-5:]
    assert np.allclose(S @ bottom, result.mean, rtol=0, atol=1e-9)
    # unbiased: forecasts that already add up are left as they are (S G S = S)
    coherent = S @ np.array([100.0, 120.0, 150.0, 260.0, 190.0])
    again = reconcile(coherent, hierarchy, method=method, variance=variance, residuals=residuals)
    assert np.allclose(again.mean, coherent, atol=1e-9)
    # the reconciled covariance is coherent too: the nation's variance is the sum over the bottom block
    bottom_cov = result.covariance[-5:, -5:]
    assert result.covariance[0, 0] == pytest.approx(bottom_cov.sum(), rel=1e-9)


def test_ols_closed_form_of_a_two_child_hierarchy() -> None:
    """OLS reconciliation of total T and children A, B spreads the incoherence (T - A - B) equally over
    the three nodes: each child gains d/3 and the total loses d/3 (Hyndman, Ahmed, Athanasopoulos &
    Shang 2011, Computational Statistics & Data Analysis 55(9), section 3: OLS solution, two-level example)."""
    hierarchy = summing_matrix({"a": "t", "b": "t"}, ["a", "b"])
    result = reconcile(np.array([100.0, 40.0, 50.0]), hierarchy, method="ols")
    d = 100.0 - 40.0 - 50.0
    assert result.mean == pytest.approx([100 - d / 3, 40 + d / 3, 50 + d / 3], abs=1e-12)


def test_wls_trusts_the_precise_forecast_more() -> None:
    hierarchy = summing_matrix({"a": "t", "b": "t"}, ["a", "b"])
    # the total is known almost exactly: the children absorb the whole gap, in proportion to their variance
    result = reconcile(np.array([100.0, 40.0, 50.0]), hierarchy, method="wls",
                       variance=np.array([1e-8, 1.0, 3.0]))
    assert result.mean[0] == pytest.approx(100.0, abs=1e-6)
    assert result.mean[1] - 40.0 == pytest.approx(10.0 * 1 / 4, abs=1e-6)
    assert result.mean[2] - 50.0 == pytest.approx(10.0 * 3 / 4, abs=1e-6)


def test_shrinkage_intensity_moves_with_the_evidence() -> None:
    rng = np.random.default_rng(0)
    independent = rng.normal(size=(30, 6))
    _, weak = shrunk_covariance(independent)
    common = rng.normal(size=(300, 1))
    correlated = common + 0.3 * rng.normal(size=(300, 6))
    covariance, strong = shrunk_covariance(correlated)
    assert weak > 0.5 > strong          # noise is shrunk hard, a real common factor hardly at all
    assert np.allclose(np.diag(covariance), correlated.var(axis=0, ddof=1), rtol=1e-9)


def test_probabilities_come_from_the_reconciled_distribution() -> None:
    hierarchy = summing_matrix({"a": "t", "b": "t"}, ["a", "b"])
    result = reconcile(np.array([100.0, 40.0, 50.0]), hierarchy, method="ols", variance=np.array([25.0, 9.0, 9.0]))
    frame = result.frame({"t": result.mean[0], "a": 1e9})
    assert frame.loc[0, "p_attain"] == pytest.approx(0.5)
    assert frame.loc[1, "p_attain"] < 1e-6
    assert np.isnan(frame.loc[2, "p_attain"])
    with pytest.raises(ValueError, match="missing for"):
        reconcile(np.array([100.0, np.nan, 50.0]), hierarchy, method="ols")
