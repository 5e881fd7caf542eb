"""balance_plan: closed form against HiGHS, shadow prices against finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from balance_helpers import random_productive
from hypothesis import given, settings
from hypothesis import strategies as st

from gosplan.balance import IOTable
from gosplan.errors import SolverError


def setup(n: int, seed: int, labour_share: float = 1.2):
    rng = np.random.default_rng(seed)
    A = random_productive(n, 0.3, seed)
    t = IOTable.from_coefficients(A, employment=rng.random(n) + 0.1, x=np.ones(n))
    targets = rng.random(n) * 100 + 1
    need = t.solver.solve(targets)
    capacity = need * rng.uniform(0.8, 1.5, n)
    labour = float(labour_share * (t.employment @ need))
    return t, targets, capacity, labour


@settings(max_examples=15, deadline=None)
@given(n=st.integers(2, 25), seed=st.integers(0, 500), labour_share=st.floats(0.5, 1.5))
def test_closed_form_equals_highs(n: int, seed: int, labour_share: float) -> None:
    t, targets, capacity, labour = setup(n, seed, labour_share)
    fast = t.balance_plan(targets, capacity=capacity, labour=labour)
    lp = t.balance_plan(targets, capacity=capacity, labour=labour, method="highs")
    assert fast.status.startswith("Optimal (closed form")
    assert fast.fulfilment == pytest.approx(lp.fulfilment, rel=1e-8)
    assert fast.binding == lp.binding
    np.testing.assert_allclose(fast.shadow_prices.to_numpy(), lp.shadow_prices.to_numpy(), atol=1e-9)
    # optimal plans are not unique: the closed form returns the one with the least output, phi* L t
    assert (fast.plan["output"] <= lp.plan["output"] * (1 + 1e-7) + 1e-9).all()
    for plan in (fast.plan, lp.plan):
        assert (plan["output"] <= capacity * (1 + 1e-9)).all()
        assert (plan["net_output"] >= fast.fulfilment * targets * (1 - 1e-7)).all()


@pytest.mark.parametrize("method", ["closed_form", "highs"])
def test_shadow_prices_match_finite_differences(method: str) -> None:
    t, targets, capacity, labour = setup(12, seed=7, labour_share=2.0)
    base = t.balance_plan(targets, capacity=capacity, labour=labour, method=method)
    name = base.binding[0]
    assert name.startswith("capacity:")
    sector = int(name.split(":")[1])
    h = 1e-4 * capacity[sector]
    bumped = capacity.copy()
    bumped[sector] += h
    up = t.balance_plan(targets, capacity=bumped, labour=labour, method=method)
    assert (up.fulfilment - base.fulfilment) / h == pytest.approx(base.shadow_prices[name], rel=1e-5)
    # labour binds when it is scarce; its price is d(fulfilment)/d(labour)
    scarce = 0.5 * labour / 2.0
    base = t.balance_plan(targets, capacity=capacity, labour=scarce, method=method)
    assert base.binding == ["labour"]
    up = t.balance_plan(targets, capacity=capacity, labour=scarce * (1 + 1e-5), method=method)
    assert (up.fulfilment - base.fulfilment) / (scarce * 1e-5) == pytest.approx(
        base.shadow_prices["labour"], rel=1e-5
    )
    # product prices (duals of the balance rows) are non-negative and value the targets at 1
    price = base.plan["product_shadow_price"].to_numpy()
    assert (price >= -1e-12).all()
    np.testing.assert_allclose(price @ targets, 1.0, rtol=1e-8)  # t'pi = 1 (dual of the phi column)


def test_weighted_objective_and_its_duals() -> None:
    t, targets, capacity, _ = setup(10, seed=3)
    result = t.balance_plan(targets, capacity=capacity * 0.9, objective="weighted")
    assert 0 < result.fulfilment <= 1
    fulfil = result.plan["fulfilment"].to_numpy()
    assert (fulfil <= 1 + 1e-9).all()
    name = result.binding[0]
    sector = int(name.split(":")[1])
    bumped = capacity * 0.9
    h = 1e-4 * bumped[sector]
    bumped[sector] += h
    up = t.balance_plan(targets, capacity=bumped, objective="weighted")
    assert (up.objective_value - result.objective_value) / h == pytest.approx(
        result.shadow_prices[name], rel=1e-4
    )


def test_resources_bind_and_are_named() -> None:
    t, targets, capacity, _ = setup(6, seed=2)
    steel_use = np.ones(6)
    need = t.solver.solve(targets)
    result = t.balance_plan(
        targets, capacity=capacity * 10, resources={"steel": (steel_use, 0.5 * need.sum())}
    )
    assert result.binding == ["resource:steel"]
    assert result.fulfilment == pytest.approx(0.5)
    assert result.constraints.loc["resource:steel", "kind"] == "resource"


@pytest.mark.parametrize("method", ["closed_form", "highs"])
def test_unbounded_plan_raises(method: str) -> None:
    t, targets, _, _ = setup(4, seed=1)
    with pytest.raises(SolverError, match="nbounded"):
        t.balance_plan(targets, method=method)


def test_large_sparse_plan_closed_form() -> None:
    A = random_productive(20_000, 20 / 20_000, seed=11)
    rng = np.random.default_rng(0)
    t = IOTable.from_coefficients(A, employment=rng.random(20_000), x=np.ones(20_000))
    targets = rng.random(20_000)
    need = t.solver.solve(targets)
    headroom = rng.uniform(0.9, 1.5, 20_000)
    result = t.balance_plan(targets, capacity=need * headroom, labour=float(t.employment @ need))
    # capacity j allows phi = headroom_j, labour allows phi = 1: the tightest wins
    assert result.fulfilment == pytest.approx(min(headroom.min(), 1.0), rel=1e-9)
    assert result.binding == [f"capacity:{int(np.argmin(headroom))}"]
