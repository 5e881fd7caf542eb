"""Malmquist decomposition, experience-sharing pairs, and the runner path (Dask, in-process)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gosplan.reserves import dea, experience_pairs, malmquist
from gosplan.runner import Runner

from .conftest import cobb_douglas


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 10_000), growth=st.floats(0.5, 2.0))
def test_malmquist_decomposes_and_measures_uniform_growth(seed: int, growth: float) -> None:
    X0, Y0 = cobb_douglas(25, seed)
    X1, Y1 = cobb_douglas(25, seed + 1)
    result = malmquist(X0, Y0, X1, Y1, rts="crs")
    np.testing.assert_allclose(result["m"], result["ec"] * result["tc"], rtol=1e-12)
    # Same inputs, every output scaled by g: under CRS productivity changes by exactly g, all of it
    # technical change (Färe et al. 1994: M = g when the frontier shifts radially).
    same = malmquist(X0, Y0, X0, Y0 * growth, rts="crs")
    np.testing.assert_allclose(same["m"], growth, rtol=1e-9)
    np.testing.assert_allclose(same["ec"], 1.0, rtol=1e-9)
    out = malmquist(X0, Y0, X0, Y0 * growth, rts="crs", orientation="output")
    np.testing.assert_allclose(out["m"], growth, rtol=1e-9)


def test_malmquist_marks_infeasible_cross_period_scores() -> None:
    X0, Y0 = [[1.0], [2.0]], [[1.0], [2.0]]
    X1, Y1 = [[1.0], [2.0]], [[1.0], [9.0]]  # unit 1 outgrows period 0's VRS technology
    result = malmquist(X0, Y0, X1, Y1, rts="vrs")
    assert result.loc[1, "status"] == "e10 infeasible"
    assert np.isnan(result.loc[1, "m"])
    assert np.isnan(result.loc[1, "tc"])
    # Efficiency change needs only the own-period scores, which both exist: E_1(1) / E_0(0).
    # Period 0: both units on the VRS frontier (1, 1); period 1: unit 1 on its frontier too.
    assert result.loc[1, "ec"] == pytest.approx(result.loc[1, "e11"] / result.loc[1, "e00"])
    assert result.loc[1, "ec"] == pytest.approx(1.0)
    assert result.loc[0, "status"] == "optimal"


def test_experience_pairs_choose_similar_efficient_peers_in_the_sector() -> None:
    X, Y = cobb_douglas(200, seed=21)
    sectors = np.where(np.arange(200) < 100, "coal", "steel")
    result = dea(X, Y, rts="vrs", groups=sectors, names=[f"u{i}" for i in range(200)])
    proposal = experience_pairs(result, k=3, lagging_below=0.8)
    pairs = proposal.pairs
    lagging = result.efficiency[result.efficiency < 0.8].index
    assert set(pairs["unit"]) == set(lagging)
    assert (pairs.groupby("unit").size() <= 3).all()
    sector_of = dict(zip(result.names, sectors, strict=True))
    assert (pairs["unit"].map(sector_of) == pairs["peer"].map(sector_of)).all()
    assert (pairs["peer_efficiency"] >= 1 - 1e-9).all()
    # Ranked by distance, and the distance is what the docstring says.
    assert (pairs.groupby("unit")["distance"].apply(lambda d: d.is_monotonic_increasing)).all()
    expected = np.abs(np.log(pairs["scale_ratio"])) + pairs["mix_distance"]
    np.testing.assert_allclose(pairs["distance"], expected)
    # The differences table: every output per input and input per output, for every pair.
    diffs = proposal.differences
    assert len(diffs) == len(pairs) * 2 * X.shape[1] * Y.shape[1]
    first = diffs.iloc[0]
    unit = int(first["unit"][1:])
    assert first["unit_value"] == pytest.approx(Y[unit, 0] / X[unit, 0])


def test_runner_path_through_a_dask_cluster_gives_the_same_scores() -> None:
    distributed = pytest.importorskip("distributed")
    X, Y = cobb_douglas(600, seed=4)
    local = dea(X, Y, rts="crs", slacks=False, method="frame")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        runner = Runner(scheduler=cluster.scheduler_address)
        remote = dea(X, Y, rts="crs", slacks=False, method="frame", runner=runner, chunk_size=200)
    np.testing.assert_allclose(remote.radial, local.radial, atol=1e-9)
    assert (remote.status == "optimal").all()


def test_small_groups_follow_the_rule_of_thumb() -> None:
    """Cooper, Seiford & Tone (2007, p. 116): n >= max(m * s, 3 (m + s)); 3 inputs, 2 outputs -> 15."""
    X, Y = cobb_douglas(30, seed=3)
    groups = np.array(["hydro"] * 5 + ["thermal"] * 25)
    result = dea(X, Y, rts="vrs", groups=groups)
    small = result.small_groups
    needed = max(X.shape[1] * Y.shape[1], 3 * (X.shape[1] + Y.shape[1]))
    assert needed == 15
    assert small.to_dict("records") == [{"group": "hydro", "units": 5, "needed": 15}]
    assert dea(X, Y, rts="vrs").small_groups.empty
