"""Supply shocks: mixed exogenous/endogenous model and Ghosh propagation."""

from __future__ import annotations

import numpy as np
import pytest

from gosplan.balance import IOTable

Z = np.array([[150.0, 500.0], [200.0, 100.0]])  # Miller & Blair (2009) ch. 2 example
X = np.array([1000.0, 2000.0])


def test_capacity_at_current_output_changes_nothing() -> None:
    t = IOTable.from_flows(Z, X, labels=["a", "m"])
    frame = t.shock(capacity={"m": 2000.0})
    np.testing.assert_allclose(frame["output_change"].to_numpy(), 0.0, atol=1e-9)
    np.testing.assert_allclose(frame["final_demand_after"].to_numpy(), t.y)


def test_mixed_model_against_hand_solution() -> None:
    # Manufacturing limited to 1800: agriculture's output follows from its own final demand (350)
    # x_a = (350 + 0.25 * 1800) / 0.85; what is left of manufacturing for final use is
    # 1800 - 0.2 x_a - 0.05 * 1800.
    t = IOTable.from_flows(Z, X, labels=["a", "m"])
    frame = t.shock(capacity={"m": 1800.0})
    x_a = (350 + 0.25 * 1800) / 0.85
    assert frame.loc["a", "output_after"] == pytest.approx(x_a)
    assert frame.loc["m", "final_demand_after"] == pytest.approx(1800 - 0.2 * x_a - 0.05 * 1800)
    assert frame.loc["m", "constrained"] and not frame.loc["a", "constrained"]
    # consistency: the new outputs and final demands satisfy x = Ax + y
    x_new = frame["output_after"].to_numpy()
    np.testing.assert_allclose(x_new - t.A @ x_new, frame["final_demand_after"].to_numpy())


def test_ghosh_supply_shock() -> None:
    t = IOTable.from_flows(Z, X, labels=["a", "m"])
    frame = t.shock(value_added={"a": -100.0})
    G = np.linalg.inv(np.eye(2) - Z / X[:, None])
    np.testing.assert_allclose(frame["output_change"].to_numpy(), np.array([-100.0, 0.0]) @ G)


def test_shock_needs_exactly_one_kind() -> None:
    t = IOTable.from_flows(Z, X)
    with pytest.raises(ValueError):
        t.shock()
