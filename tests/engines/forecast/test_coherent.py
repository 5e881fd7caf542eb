"""Coherent year-end totals over a unit hierarchy and the distributions built on them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.engines.forecast.annual import attainment_details, total_distribution
from gosplan.engines.forecast.coherent import coherent_totals, rescaled_scenarios

# nation > two provinces; the north has a county without a forecast of its own (skipped), the south
# a county with a single enterprise (the same bottom series as the enterprise).
PARENT = {"north": "nation", "south": "nation", "n.county": "north", "n1": "n.county", "n2": "n.county",
          "n3": "north", "s.county": "south", "s1": "s.county"}
NODES = ["nation", "north", "south", "s.county", "n1", "n2", "n3", "s1"]
MEAN = np.array([1000.0, 520.0, 470.0, 455.0, 150.0, 210.0, 140.0, 455.0])
VARIANCE = np.array([900.0, 400.0, 300.0, 280.0, 100.0, 150.0, 90.0, 280.0])


def _residuals(months: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(months, 1))
    bottom = 5 * common + rng.normal(scale=[10.0, 12.0, 9.0, 16.0], size=(months, 4))  # n1 n2 n3 s1
    n1, n2, n3, s1 = bottom.T
    nodes = np.column_stack([n1 + n2 + n3 + s1, n1 + n2 + n3, s1, s1, n1, n2, n3, s1])
    return nodes + rng.normal(scale=4.0, size=nodes.shape)   # each node's own model errs on its own


def _children_sums(frame: pd.DataFrame) -> None:
    mean = frame.set_index("node")["mean"]
    for parent, kids in {"nation": ["north", "south"], "north": ["n1", "n2", "n3"], "south": ["s1"],
                         "s.county": ["s1"]}.items():
        assert mean[parent] == pytest.approx(mean[kids].sum(), rel=1e-9, abs=0)


@pytest.mark.parametrize("months, method", [(48, "mint_shrink"), (12, "wls")])
def test_totals_add_up_at_every_level(months: int, method: str) -> None:
    out = coherent_totals(NODES, PARENT, MEAN, VARIANCE, _residuals(months))
    assert (out["method"] == method).all()
    _children_sums(out)
    # A county that is its only enterprise has the enterprise's figures.
    frame = out.set_index("node")
    assert frame.loc["s.county", "mean"] == frame.loc["s1", "mean"] == frame.loc["south", "mean"]
    assert (out["sd"] > 0).all()
    # The spread is each node's own (the deepest one's where nodes are one); the reconciled covariance's
    # is reported beside it and is narrower at the top.
    assert frame.loc["nation", "sd"] == pytest.approx(30.0) and frame.loc["south", "sd"] == pytest.approx(280 ** 0.5)
    assert frame.loc["nation", "sd_reconciled"] < frame.loc["nation", "sd"]
    if method == "mint_shrink":
        assert 0 <= out["shrinkage"].iloc[0] <= 1


def test_coherent_forecasts_are_left_alone_and_missing_nodes_come_back_nan() -> None:
    coherent = np.array([600.0, 300.0, 300.0, 300.0, 100.0, 120.0, 80.0, 300.0])
    out = coherent_totals(NODES, PARENT, coherent, VARIANCE, _residuals(48))
    assert out["mean"].to_numpy() == pytest.approx(coherent, rel=1e-12)
    mean = MEAN.copy()
    mean[NODES.index("n3")] = np.nan                         # no data: out of the hierarchy
    out = coherent_totals(NODES, PARENT, mean, VARIANCE).set_index("node")
    assert np.isnan(out.loc["n3", "mean"])
    assert out.loc["north", "mean"] == pytest.approx(out.loc[["n1", "n2"], "mean"].sum(), rel=1e-12)


def test_no_uncertainty_left_gives_the_bottom_sums() -> None:
    out = coherent_totals(NODES, PARENT, MEAN, np.zeros(len(NODES))).set_index("node")
    assert out.loc["nation", "mean"] == pytest.approx(150 + 210 + 140 + 455)
    assert (out["sd"] == 0).all()


def test_scenarios_move_to_the_reconciled_mean_and_spread() -> None:
    rng = np.random.default_rng(0)
    totals = rng.gamma(4.0, 25.0, size=(2, 50_000))
    moved = rescaled_scenarios(totals, np.array([120.0, 90.0]), np.array([10.0, 0.0]))
    assert moved.mean(axis=1) == pytest.approx([120.0, 90.0])
    assert moved[0].std() == pytest.approx(10.0)
    assert np.ptp(moved[1]) == pytest.approx(0.0, abs=1e-9)
    # the shape (skew) is kept
    assert ((moved[0] - 120) ** 3).mean() == pytest.approx(((totals[0] - totals[0].mean()) ** 3).mean()
                                                           * (10 / totals[0].std()) ** 3)


def test_total_distribution_reproduces_the_forecast_it_comes_from() -> None:
    months = [f"{y}-{m:02d}" for y in (2020, 2021, 2022, 2023) for m in range(1, 13)]
    rng = np.random.default_rng(4)
    rows = []
    for k, level in enumerate((100.0, 250.0, 40.0)):
        values = level * (1 + 0.2 * np.sin(np.arange(48) / 12 * 2 * np.pi)) * rng.lognormal(0, 0.05, 48)
        rows += [(f"s{k}", p, v) for p, v in zip(months, values, strict=True)]
    history = pd.DataFrame(rows, columns=["series_id", "period", "value"])
    targets = pd.DataFrame({"series_id": ["s0", "s1", "s2"], "year": 2023, "target": [1150.0, 3000.0, 520.0]})
    details = attainment_details(history, targets, "2023-05")
    frame, shape = details.frame, details.shape
    known = frame["expected_total"] - frame["expected_rest"]
    again = total_distribution(known.to_numpy(), frame["expected_rest"].to_numpy(), shape["sd_rest"].to_numpy() ** 2,
                               shape["log"].to_numpy(), shape["dof"].to_numpy(), shape["nonnegative"].to_numpy(),
                               frame["target"].to_numpy())
    for column in ("lower_80", "upper_95", "lower_99", "p_attain"):
        assert again[column] == pytest.approx(frame[column].to_numpy(), rel=1e-9)
    assert list(details.residuals.index) == ["s0", "s1", "s2"]
    assert details.residuals.notna().sum(axis=1).min() == 41          # the months up to 2023-05
