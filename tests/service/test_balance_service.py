"""The balance capability on the demo store: key sectors, H1 implications, the plan within capacities,
the binding-capacity findings and actions.

The demo's table is built so that electricity, coal and metallurgy produce at their capacity in 2023
(gosplan/examples/demo/io_table.py, ``BINDING``); every other sector has 3-15 % headroom.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gosplan.engines.balance import balance_plan
from gosplan.service import Service
from gosplan.service.balance import (
    binding_capacities,
    h1_implications,
    key_sectors,
    load_table,
    plan_balance,
    plan_targets,
    sector_map,
)

DEMO_BINDING = {"capacity:electricity", "capacity:coal", "capacity:metallurgy"}


@pytest.fixture(scope="module")
def service(new_store_url):
    service = Service.open(new_store_url("sqlite"))
    counts = service.load_demo(2023)
    assert counts["capacities"] == counts["io_sectors"] == 12
    return service


def test_stored_table_is_the_demo_table(service):
    io = load_table(service)
    assert (io.name, io.year, io.n) == ("demo-2023", 2023, 12)
    # x = L y holds for the stored table: (I - A) x = y.
    np.testing.assert_allclose(io.x - io.A @ io.x, io.y, rtol=1e-9)
    assert key_sectors(service).key == ["metallurgy", "chemicals", "electricity"]


def test_plan_sectors_map_to_io_sectors_up_the_tree(service):
    mapping = sector_map(service, load_table(service).labels)
    assert mapping["grain"] == "agriculture" and mapping["coal"] == "coal"
    assert "irrigation" not in mapping and "economy" not in mapping


def test_h1_implications_follow_x_equals_L_y(service):
    io = load_table(service)
    effects = h1_implications(service, "2023-H1").table
    national = service.sector_fulfilment("2023-H1")
    national = national[national["unit"].eq("KP")].set_index("sector")["fulfilment"]
    # Direct change = (fulfilment - 1) x final demand; grain's fulfilment stands for agriculture.
    assert effects.loc["agriculture", "fulfilment"] == pytest.approx(national["grain"])
    y = dict(zip(io.labels, io.y, strict=True))
    assert effects.loc["coal", "direct_change"] == pytest.approx((national["coal"] - 1) * y["coal"], rel=1e-9)
    assert effects.loc["coal", "direct_change"] > 0 and effects.loc["agriculture", "direct_change"] < 0
    assert np.isnan(effects.loc["services", "fulfilment"]) and effects.loc["services", "direct_change"] == 0
    # Total effect: the new output minus the old, both from x = L y with a dense solve.
    A = io.A.toarray()
    y_new = io.y * effects["fulfilment"].fillna(1.0).to_numpy()
    x_new = np.linalg.solve(np.eye(io.n) - A, y_new)
    np.testing.assert_allclose(effects["total_change"].to_numpy(), x_new - io.x, rtol=1e-8, atol=1e-3)
    np.testing.assert_allclose(effects["indirect_change"], effects["total_change"] - effects["direct_change"])
    # Coal over-fulfilled, but the shortfalls elsewhere need less coal than its surplus supplies.
    assert effects.loc["coal", "total_change"] < effects.loc["coal", "direct_change"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0.5, 1.5), min_size=12, max_size=12))
def test_implications_are_linear_in_the_deviation(fulfilments):
    """Property of the Leontief propagation the service relies on: total = L direct, additive."""
    io = _TABLE["io"]
    direct = (np.array(fulfilments) - 1.0) * io.y
    total = io.solve(direct).to_numpy()
    np.testing.assert_allclose(total - io.A @ total, direct, atol=1e-6 * max(1.0, np.abs(direct).max()))
    half = io.solve(direct / 2).to_numpy()
    np.testing.assert_allclose(2 * half, total, rtol=1e-9, atol=1e-6)


_TABLE: dict = {}


@pytest.fixture(autouse=True)
def _table(service):
    _TABLE["io"] = load_table(service)


def test_uniform_growth_binds_exactly_the_demo_bottlenecks(service):
    balanced = plan_balance(service, 2023, growth=0.03)
    result = balanced.result
    assert set(result.binding) == DEMO_BINDING
    prices = result.plan["capacity_shadow_price"]
    assert (prices[["electricity", "coal", "metallurgy"]] > 1e-6).all()
    assert (prices.drop(["electricity", "coal", "metallurgy"]).abs() < 1e-9).all()
    assert abs(result.shadow_prices["labour"]) < 1e-9
    binding = balanced.binding_capacities()
    assert set(binding["sector"]) == {"electricity", "coal", "metallurgy"}
    assert binding["utilisation"].tolist() == pytest.approx([1.0, 1.0, 1.0])


def test_plan_targets_balance_with_complementary_slackness(service):
    targets = plan_targets(service, 2023)
    assert targets.loc["services", "source"] == "no indicator" and targets.loc["services", "growth"] == 0
    balanced = plan_balance(service, 2023)
    result = balanced.result
    assert set(result.binding) >= DEMO_BINDING
    c = result.constraints
    slack = c[c["kind"] != "balance"]
    # A constraint with room left has no value (Kantorovich: zero valuation of a non-scarce resource).
    assert (slack.loc[slack["slack"] > 1e-6 * slack["limit"].abs().clip(lower=1), "shadow_price"].abs() < 1e-9).all()
    assert (result.plan["output"] <= result.plan["capacity"] * (1 + 1e-9)).all()
    assert (result.plan["fulfilment"] <= 1 + 1e-9).all()


def test_shadow_price_is_the_marginal_value_of_capacity(service):
    """Raising coal capacity by a little adds final output at the rate of coal's shadow price."""
    io = load_table(service)
    caps = service.store.capacities(2023).set_index("sector")["capacity"]
    targets = plan_targets(service, 2023, growth=0.03)["target"]
    base = balance_plan(io, targets, capacity=caps, objective="weighted")
    step = caps["coal"] * 1e-4
    raised = caps.copy()
    raised["coal"] += step
    more = balance_plan(io, targets, capacity=raised, objective="weighted")
    gain = (more.objective_value - base.objective_value) / step
    assert gain == pytest.approx(base.shadow_prices["capacity:coal"], rel=1e-3)


def test_binding_capacities_become_actions(service):
    from gosplan.service.actions import collect_findings, propose_actions

    findings = collect_findings(service, "2023-H1")
    table = findings.tables["binding_capacities"]
    assert set(table["constraint"]) >= DEMO_BINDING
    units = set(service.units()["code"])
    assert set(table["owner_unit"]) <= units
    proposals = propose_actions(service, "2023-H1")
    ours = proposals[proposals["origin"].eq("balance")]
    assert len(ours) == len(table)
    coal = ours[ours["indicator"].eq("coal")].iloc[0]
    row = table.set_index("sector").loc["coal"]
    assert coal["owner_unit"] == row["owner_unit"] == coal["unit"]
    assert str(coal["due"]) == "2023-12-31" and coal["period"] == "2023"
    assert f"shadow price {row['shadow_price']:.2f}" in coal["title"]
    assert "at least 100 %" in coal["check"]
    assert coal["details"]["metric"] == "fulfilment"
    assert coal["details"]["baseline"] == pytest.approx(row["fulfilment"])
    # The owner is the largest coal producer.
    h1 = service.fulfilment("2023-H1")
    leaves = h1[h1["indicator"].eq("coal") & h1["unit"].map(service.hierarchy().is_leaf)]
    assert leaves.loc[leaves["actual"].idxmax(), "unit"] == coal["owner_unit"]
    assert binding_capacities(service, "2023-H1")["constraint"].tolist() == table["constraint"].tolist()
