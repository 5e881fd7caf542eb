"""The two-stage method gives the full per-unit LP's scores; numerics, statuses and validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gosplan.errors import ValidationError
from gosplan.reserves import dea, efficient_frame, nondominated

from .conftest import cobb_douglas, load

RTS = ["crs", "vrs", "drs", "irs"]
ORIENTATIONS = ["input", "output"]


@pytest.mark.parametrize("rts", RTS)
@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_frame_scores_equal_full_lp_on_a_sample(rts: str, orientation: str) -> None:
    X, Y = cobb_douglas(500, seed=7)
    fast = dea(X, Y, rts=rts, orientation=orientation, method="frame")
    sample = np.random.default_rng(1).choice(len(X), 60, replace=False)
    full = dea(X[sample], Y[sample], rts=rts, orientation=orientation, method="lp", X_ref=X, Y_ref=Y)
    assert (fast.status.to_numpy()[sample] == full.status.to_numpy()).all()
    np.testing.assert_allclose(fast.radial.to_numpy()[sample], full.radial.to_numpy(), rtol=0, atol=1e-9)
    # The maximal slack sum is unique even where the slacks themselves are not.
    scale = np.hstack([X.mean(axis=0), Y.mean(axis=0)])
    fast_sum = (fast.slacks.to_numpy()[sample] / scale).sum(axis=1)
    full_sum = (full.slacks.to_numpy() / scale).sum(axis=1)
    np.testing.assert_allclose(fast_sum, full_sum, atol=1e-6)
    # Peers are frame units, and efficient ones.
    peers = fast.peers["peer"].unique()
    assert set(peers) <= set(fast.frame)
    assert (fast.efficiency.loc[peers] > 1 - 1e-9).all()


unit_data = st.integers(min_value=3, max_value=40).flatmap(
    lambda n: st.tuples(
        arrays(np.float64, (n, 3), elements=st.floats(0.5, 100.0)),
        arrays(np.float64, (n, 2), elements=st.floats(0.5, 100.0)),
    )
)


@settings(max_examples=10, deadline=None)
@given(data=unit_data, rts=st.sampled_from(RTS), orientation=st.sampled_from(ORIENTATIONS))
def test_frame_equals_per_unit_lp_on_random_data(data: tuple[np.ndarray, np.ndarray], rts: str,
                                                 orientation: str) -> None:
    X, Y = data
    fast = dea(X, Y, rts=rts, orientation=orientation, method="frame", slacks=False)
    full = dea(X, Y, rts=rts, orientation=orientation, method="lp", slacks=False)
    np.testing.assert_array_equal(fast.status, full.status)
    np.testing.assert_allclose(fast.radial, full.radial, rtol=0, atol=1e-9)
    assert (fast.efficiency <= 1 + 1e-9).all()  # a unit is in its own reference set
    assert (fast.efficiency > 0).all()


@settings(max_examples=10, deadline=None)
@given(data=unit_data)
def test_returns_to_scale_order_the_scores(data: tuple[np.ndarray, np.ndarray]) -> None:
    # CRS technology contains DRS and IRS, which contain VRS: input scores rise in that order.
    X, Y = data
    score = {rts: dea(X, Y, rts=rts, slacks=False).efficiency.to_numpy() for rts in RTS}
    assert (score["crs"] <= score["drs"] + 1e-9).all()
    assert (score["crs"] <= score["irs"] + 1e-9).all()
    assert (score["drs"] <= score["vrs"] + 1e-9).all()
    assert (score["irs"] <= score["vrs"] + 1e-9).all()


@settings(max_examples=10, deadline=None)
@given(data=unit_data)
def test_frame_spans_the_technology(data: tuple[np.ndarray, np.ndarray]) -> None:
    X, Y = data
    frame = efficient_frame(X, Y, rts="vrs")
    assert set(frame) <= set(nondominated(X, Y)) | set(frame)
    # Every unit scores the same against the frame alone as against everyone.
    alone = dea(X, Y, rts="vrs", X_ref=X[frame], Y_ref=Y[frame], method="lp", slacks=False)
    full = dea(X, Y, rts="vrs", method="lp", slacks=False)
    np.testing.assert_allclose(alone.radial, full.radial, atol=1e-9)


def test_nondominated_drops_exactly_the_dominated_units() -> None:
    X = np.array([[1.0, 1.0], [2.0, 2.0], [1.0, 1.0], [0.5, 3.0]])
    Y = np.array([[1.0], [1.0], [1.0], [1.0]])
    assert nondominated(X, Y).tolist() == [0, 2, 3]  # the duplicates 0 and 2 stay


def test_huge_raw_values_give_the_scores_of_the_scaled_down_data() -> None:
    # The banks panel has values up to ~5e9; multiplying columns by 1e9 must change nothing.
    X, Y = load("banks1")
    raw = dea(X, Y, rts="vrs")
    small = dea(X / X.max(), Y / Y.max(), rts="vrs")
    np.testing.assert_allclose(raw.radial, small.radial, atol=1e-9)
    X2, Y2 = cobb_douglas(800, seed=3)
    big = dea(X2 * np.array([1e9, 1.0, 1e-3]), Y2 * np.array([1e9, 7.0]), rts="crs", method="frame")
    base = dea(X2, Y2, rts="crs", method="frame")
    np.testing.assert_allclose(big.radial, base.radial, atol=1e-9)
    np.testing.assert_allclose(big.input_slack.to_numpy() / np.array([1e9, 1.0, 1e-3]),
                               base.input_slack.to_numpy(), atol=1e-7)


def test_vrs_super_efficiency_reports_infeasible_units_as_such() -> None:
    # The unit with the largest output has no VRS reference without itself (output orientation
    # is always feasible here, input orientation is not).
    X = [[1.0], [2.0], [3.0]]
    Y = [[1.0], [2.0], [5.0]]
    result = dea(X, Y, rts="vrs", super_efficiency=True)
    assert result.status.tolist() == ["optimal", "optimal", "infeasible"]
    assert np.isnan(result.efficiency.iloc[2])
    assert result.efficiency.iloc[0] > 1  # efficient unit: super-efficiency above one


def test_non_discretionary_inputs_are_not_contracted() -> None:
    # Two units, the second uses twice the labour on the same land for the same output.
    X = np.array([[1.0, 10.0], [2.0, 10.0]])
    Y = np.array([[1.0], [1.0]])
    result = dea(X, Y, rts="vrs", non_discretionary=[1], names=["a", "b"])
    assert result.efficiency["b"] == pytest.approx(0.5)
    assert result.targets.loc["b", "input_1"] == pytest.approx(10.0)


def test_groups_are_scored_separately() -> None:
    X = np.array([[1.0], [2.0], [10.0], [20.0]])
    Y = np.array([[1.0], [1.0], [1.0], [1.0]])
    result = dea(X, Y, groups=["coal", "coal", "steel", "steel"])
    np.testing.assert_allclose(result.efficiency, [1.0, 0.5, 1.0, 0.5])
    assert result.peers.query("unit == 3")["peer"].tolist() == [2]


def test_bad_data_lists_every_problem() -> None:
    X = np.array([[1.0, -1.0], [np.nan, 1.0], [0.0, 0.0]])
    Y = np.array([[1.0], [1.0], [1.0]])
    with pytest.raises(ValidationError) as caught:
        dea(X, Y)
    reasons = [str(p) for p in caught.value.problems]
    assert len(reasons) == 3
    assert any("row 2" in r and "input_1" in r for r in reasons)
    assert any("no positive input" in r for r in reasons)


def test_targets_and_reserves_are_consistent() -> None:
    X, Y = cobb_douglas(300, seed=11)
    out = dea(X, Y, rts="vrs", orientation="output")
    reserve = out.output_reserve.to_numpy()
    np.testing.assert_allclose(reserve, out.targets[out.output_names].to_numpy() - Y, atol=1e-9)
    assert (reserve >= -1e-9).all()
    # Without slacks the reserve of output r is (phi - 1) * y_r.
    radial_part = (out.radial.to_numpy()[:, None] - 1) * Y
    assert (reserve >= radial_part - 1e-7).all()
    # The targets are in the technology: scoring them gives phi = 1.
    again = dea(out.targets[out.input_names].to_numpy(), out.targets[out.output_names].to_numpy(),
                rts="vrs", orientation="output", X_ref=X, Y_ref=Y, slacks=False)
    np.testing.assert_allclose(again.radial, 1.0, atol=1e-7)


@pytest.mark.parametrize("rts", ["crs", "vrs"])
def test_super_efficiency_with_the_frame_equals_the_per_unit_lp(rts: str) -> None:
    X, Y = cobb_douglas(300, seed=13)
    groups = np.where(np.arange(300) % 3 == 0, "coal", "steel")
    fast = dea(X, Y, rts=rts, super_efficiency=True, method="frame", groups=groups, slacks=False)
    full = dea(X, Y, rts=rts, super_efficiency=True, method="lp", groups=groups, slacks=False)
    np.testing.assert_array_equal(fast.status, full.status)
    np.testing.assert_allclose(fast.radial, full.radial, rtol=0, atol=1e-9)
    assert (fast.efficiency > 1).sum() >= 2  # the extreme units of each sector score above one
