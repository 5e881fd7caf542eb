"""dynamic_plan: hand-solvable cases, feasibility, and optimality by LP duality.

The published optimum of H. P. Williams' "Economic planning" exercise is not asserted: we could not
check the book's exact data and figures, so the model is tested by identities instead.
"""

from __future__ import annotations

import numpy as np
import pytest

from gosplan.balance import dynamic_plan
from gosplan.errors import SolverError

A = np.array([[0.1, 0.1, 0.2], [0.5, 0.1, 0.1], [0.4, 0.2, 0.2]])  # coal, steel, transport
K = np.array([[0.0, 0.1, 0.2], [0.7, 0.1, 0.1], [0.9, 0.2, 0.2]])
ARGS = dict(
    labour_coefficients=[0.6, 0.3, 0.2],
    build_labour=[0.4, 0.2, 0.1],
    initial_capacity=[300, 350, 280],
    initial_stocks=[150, 80, 100],
    demand=[60, 60, 30],
    labour=470,
    years=5,
    input_lag=1,
    build_lag=2,
)


def test_labour_limits_production_by_hand() -> None:
    r = dynamic_plan(
        [[0.5]],
        [[0.0]],
        initial_capacity=[1000],
        labour_coefficients=[1.0],
        labour=100,
        years=5,
        objective="max_production",
    )
    assert r.objective_value == pytest.approx(500.0)
    np.testing.assert_allclose(r.production.to_numpy().ravel(), 100.0)
    assert r.shadow_prices["labour:3"] == pytest.approx(1.0)  # one more worker-year, one more unit


def test_capacity_compounds_by_hand() -> None:
    # two units of the good build one unit of capacity, available next year: year 1 x = 100 leaves 50
    # after inputs -> 25 capacity; year 2 x = 125 -> 31.25 more. Capacity after year 2: 156.25.
    r = dynamic_plan([[0.5]], [[2.0]], initial_capacity=[100], years=2, objective="max_capacity")
    assert r.objective_value == pytest.approx(156.25)
    np.testing.assert_allclose(r.capacity_built.to_numpy().ravel(), [25.0, 31.25])


@pytest.mark.parametrize("objective", ["max_capacity", "max_production", "max_employment"])
def test_feasible_and_optimal_by_duality(objective: str) -> None:
    r = dynamic_plan(A, K, objective=objective, **ARGS)
    x, s, c = r.production.to_numpy(), r.stocks.to_numpy(), r.capacity_built.to_numpy()
    T = 5
    d = np.tile([60.0, 60.0, 30.0], (T, 1))
    tol = 1e-6
    assert x.min() >= -tol and s.min() >= -tol and c.min() >= -tol
    prev = np.vstack([[150.0, 80.0, 100.0], s[:-1]])
    x_next = np.vstack([x[1:], np.zeros((1, 3))])  # input_lag 1: inputs this year feed next year's output
    np.testing.assert_allclose(prev + x, x_next @ A.T + c @ K.T + d + s, atol=1e-6)
    assert (x <= r.capacity.to_numpy() + tol).all()
    assert (r.labour_used.to_numpy() <= 470 + tol).all()
    # strong duality: sum of duals times right-hand sides equals the objective
    rhs_stock = d.copy()
    rhs_stock[0] -= [150.0, 80.0, 100.0]
    prices = r.shadow_prices
    years = range(1, T + 1)
    dual = sum(prices[f"stock:{y}:{j}"] * rhs_stock[y - 1, j] for y in years for j in range(3))
    dual += sum(prices[f"capacity:{y}:{j}"] * [300, 350, 280][j] for y in years for j in range(3))
    dual += sum(prices[f"labour:{y}"] * 470 for y in years)
    constant = 930.0 if objective == "max_capacity" else 0.0
    assert dual == pytest.approx(r.objective_value - constant, rel=1e-7)


def test_impossible_demand_is_infeasible() -> None:
    with pytest.raises(SolverError, match="Infeasible"):
        dynamic_plan([[0.5]], [[1.0]], initial_capacity=[10], demand=100, years=3)
