"""Non-discretionary inputs (Banker & Morey 1986) against an independent per-unit LP (scipy/HiGHS)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from gosplan.engines.reserves._lp import column_scale
from gosplan.reserves import dea


def _reference(X: np.ndarray, Y: np.ndarray, o: int, disc: np.ndarray, rts: str,
               orientation: str) -> tuple[float, float]:
    """Radial factor and maximal (scaled) discretionary slack sum of unit ``o``, written from the model.

    Input orientation: min theta s.t. sum_j l_j x_ij <= theta x_io (i discretionary),
    sum_j l_j x_ij <= x_io (i non-discretionary), sum_j l_j y_rj >= y_ro. Output orientation: max phi
    s.t. sum_j l_j x_ij <= x_io, sum_j l_j y_rj >= phi y_ro. VRS adds sum_j l_j = 1. Phase two
    maximises the slacks of the discretionary inputs and of the outputs at the optimal factor.
    """
    scale = column_scale(np.hstack([X, Y]))
    X, Y = X / scale[: X.shape[1]], Y / scale[X.shape[1]:]
    n, m = X.shape
    s = Y.shape[1]
    x, y = X[o], Y[o]
    a_eq = np.append(np.ones(n), 0.0)[None, :] if rts == "vrs" else None
    b_eq = [1.0] if rts == "vrs" else None
    radial_in = orientation == "input"
    rows_x = np.hstack([X.T, np.where(disc & radial_in, -x, 0.0)[:, None]])
    rows_y = np.hstack([-Y.T, (y if not radial_in else np.zeros(s))[:, None]])
    b_x = np.where(disc & radial_in, 0.0, x)
    b_y = -y if radial_in else np.zeros(s)
    cost = np.zeros(n + 1)
    cost[-1] = 1.0 if radial_in else -1.0
    one = linprog(cost, A_ub=np.vstack([rows_x, rows_y]), b_ub=np.concatenate([b_x, b_y]), A_eq=a_eq,
                  b_eq=b_eq, bounds=[(0, None)] * (n + 1), method="highs")
    assert one.status == 0
    radial = float(one.x[-1])
    # Phase two in lambdas and slacks: equality rows with the radial factor fixed.
    k = n + m + s
    a2 = np.zeros((m + s, k))
    a2[:m, :n] = X.T
    a2[:m, n : n + m] = np.eye(m)
    a2[m:, :n] = Y.T
    a2[m:, n + m :] = -np.eye(s)
    b2 = np.concatenate([np.where(disc & radial_in, radial * x, x), y if radial_in else radial * y])
    if rts == "vrs":
        a2 = np.vstack([a2, np.concatenate([np.ones(n), np.zeros(m + s)])])
        b2 = np.append(b2, 1.0)
    cost2 = -np.concatenate([np.zeros(n), disc.astype(float), np.ones(s)])
    two = linprog(cost2, A_eq=a2, b_eq=b2, bounds=[(0, None)] * k, method="highs")
    assert two.status == 0
    return radial, float(-two.fun)


def _hand_made(seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.uniform(5, 50, 14), rng.uniform(100, 900, 14), rng.uniform(0.6, 3.0, 14)])
    Y = np.column_stack([X[:, 0] ** 0.4 * X[:, 1] ** 0.3 * X[:, 2] ** 0.5 * rng.uniform(0.5, 1.0, 14),
                         rng.uniform(1, 10, 14)])
    return X, Y


@pytest.mark.parametrize("rts", ["crs", "vrs"])
@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("method", ["lp", "frame"])
def test_scores_and_slacks_match_an_independent_lp(rts: str, orientation: str, method: str) -> None:
    X, Y = _hand_made()
    disc = np.array([True, True, False])
    result = dea(X, Y, rts=rts, orientation=orientation, non_discretionary=[2], method=method)  # type: ignore[arg-type]
    scale = column_scale(np.hstack([X, Y]))
    for o in range(len(X)):
        radial, slack_sum = _reference(X, Y, o, disc, rts, orientation)
        assert result.radial.iloc[o] == pytest.approx(radial, abs=1e-8)
        ours = (result.input_slack.iloc[o].to_numpy() / scale[:3])[disc].sum()
        ours += (result.output_slack.iloc[o].to_numpy() / scale[3:]).sum()
        assert ours == pytest.approx(slack_sum, abs=1e-7)
    # The condition is never a saving: its target is what the unit has.
    np.testing.assert_allclose(result.targets["input_2"], X[:, 2])
    assert (result.input_reserve["input_2"] == 0).all()


def test_names_work_like_positions_and_unknown_names_are_refused() -> None:
    X, Y = _hand_made()
    import pandas as pd

    frame = pd.DataFrame(X, columns=["workers", "energy", "seam_thickness"])
    by_name = dea(frame, Y, rts="vrs", non_discretionary=["seam_thickness"])
    by_position = dea(X, Y, rts="vrs", non_discretionary=[2])
    np.testing.assert_allclose(by_name.radial, by_position.radial)
    with pytest.raises(ValueError, match="seam"):
        dea(frame, Y, non_discretionary=["seam"])


def test_a_unit_worse_off_only_in_its_conditions_is_not_inefficient_and_not_told_to_reduce_them() -> None:
    # Labour, seam thickness (m) -> coal. "thin" works half the seam of "a" with more labour and makes
    # half the coal; "thick" wastes labour on the best seam.
    labour = [8.0, 10.0, 20.0, 20.0]
    seam = [2.0, 1.0, 2.0, 3.0]
    coal = [10.0, 5.0, 20.0, 10.0]
    names = ["a", "thin", "d", "thick"]
    labour_only = dea(np.array(labour)[:, None], np.array(coal)[:, None], rts="vrs", names=names)
    assert labour_only.efficiency["thin"] == pytest.approx(0.8)
    X = np.column_stack([labour, seam])
    with_condition = dea(X, np.array(coal)[:, None], rts="vrs", names=names, non_discretionary=[1])
    assert with_condition.efficiency["thin"] == pytest.approx(1.0)
    discretionary = dea(X, np.array(coal)[:, None], rts="vrs", names=names)
    # Treated as discretionary, the seam shrinks with labour (and more in phase two): a "saving".
    assert discretionary.input_reserve.loc["thick", "input_1"] > 0.5
    assert with_condition.input_reserve.loc["thick", "input_1"] == 0.0
    assert with_condition.input_reserve.loc["thick", "input_0"] == pytest.approx(12.0)  # 20 - 8 of "a"


def test_a_condition_absent_from_a_group_changes_nothing_there() -> None:
    X = np.array([[1.0, 0.0], [2.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 1.0]])
    Y = np.array([[1.0], [1.0], [1.0], [2.0], [1.0]])
    groups = ["steel", "steel", "coal", "coal", "coal"]
    both = dea(X, Y, rts="vrs", orientation="output", groups=groups, non_discretionary=[1])
    steel = dea(X[:2, :1], Y[:2], rts="vrs", orientation="output")
    np.testing.assert_allclose(both.radial.iloc[:2], steel.radial)
    # The rule of thumb counts one input in steel, two in coal.
    assert both.small_groups.set_index("group")["needed"].to_dict() == {"steel": 6, "coal": 9}
