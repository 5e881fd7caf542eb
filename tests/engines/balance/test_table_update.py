"""Bringing a table to new gross outputs (RAS/GRAS on estimated margins) and a plan's IO consistency."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.engines.balance.update import CONSISTENCY_COLUMNS, io_consistency, update_table
from gosplan.errors import InvalidValue

SECTORS = ["agri", "metal", "power"]


def _frames(Z: list[list[float]]) -> dict[str, pd.DataFrame]:
    flows = pd.DataFrame(Z, index=SECTORS, columns=SECTORS)
    y = pd.DataFrame({"households": [60.0, 20.0, 30.0], "exports": [20.0, 40.0, 0.0]}, index=SECTORS)
    x = flows.sum(axis=1) + y.sum(axis=1)
    v = pd.DataFrame([x - flows.sum(axis=0)], index=["value_added"], columns=SECTORS)
    return {"Z": flows, "Y": y, "x": pd.DataFrame({"gross_output": x}), "V": v,
            "labour": pd.DataFrame({"workers": [50.0, 10.0, 5.0]}, index=SECTORS)}


def test_updated_margins_equal_their_targets_and_the_accounts_close():
    frames = _frames([[20.0, 10.0, 5.0], [5.0, 30.0, 10.0], [10.0, 20.0, 5.0]])
    x1 = pd.Series({"agri": 110.0, "metal": 120.0})        # power unreported: keeps its base output
    result = update_table(frames, x1)
    Z1 = result.frames["Z"]
    assert result.method == "ras"
    np.testing.assert_allclose(Z1.sum(axis=1), result.u, rtol=1e-9, atol=0)
    np.testing.assert_allclose(Z1.sum(axis=0), result.v, rtol=1e-9, atol=0)
    x = result.frames["x"]["gross_output"]
    assert x["power"] == frames["x"]["gross_output"]["power"] and x["metal"] == 120.0
    # Each sector's intermediate inputs keep their base ratio to its output.
    np.testing.assert_allclose(result.v / x, frames["Z"].sum(axis=0) / frames["x"]["gross_output"], rtol=1e-12)
    # Rows: intermediate sales + final demand = output; columns: intermediate inputs + value added = output.
    np.testing.assert_allclose(Z1.sum(axis=1) + result.frames["Y"].sum(axis=1), x, rtol=1e-9)
    np.testing.assert_allclose(Z1.sum(axis=0) + result.frames["V"].sum(axis=0), x, rtol=1e-9)
    assert (Z1.to_numpy()[frames["Z"].to_numpy() == 0] == 0).all()
    np.testing.assert_allclose(result.frames["labour"]["workers"]["metal"], 10.0 * 120.0 / 105.0)   # base output 105


def test_negative_flows_take_gras_and_keep_their_sign():
    frames = _frames([[20.0, -4.0, 5.0], [5.0, 30.0, 10.0], [10.0, 20.0, 5.0]])
    result = update_table(frames, pd.Series({"metal": 130.0}))
    assert result.method == "gras" and result.frames["Z"].loc["agri", "metal"] < 0
    np.testing.assert_allclose(result.frames["Z"].sum(axis=1), result.u, rtol=1e-9)
    with pytest.raises(InvalidValue, match="negative entries"):
        update_table(frames, pd.Series({"metal": 130.0}), method="ras")


def test_bad_outputs_are_named():
    frames = _frames([[20.0, 10.0, 5.0], [5.0, 30.0, 10.0], [10.0, 20.0, 5.0]])
    with pytest.raises(InvalidValue, match="sectors not in the table: steel"):
        update_table(frames, pd.Series({"steel": 1.0}))
    with pytest.raises(InvalidValue, match="gross output of metal"):
        update_table(frames, pd.Series({"metal": -1.0}))
    with pytest.raises(InvalidValue, match="ras, gras or auto"):
        update_table(frames, pd.Series({"metal": 1.0}), method="lsq")


def test_consistency_is_leontief_arithmetic():
    frames = _frames([[20.0, 10.0, 5.0], [5.0, 30.0, 10.0], [10.0, 20.0, 5.0]])
    Z, x = frames["Z"], frames["x"]["gross_output"]
    planned = pd.Series({"metal": 150.0, "power": 40.0})
    out = io_consistency(Z, x, planned, frames["Y"].sum(axis=1))
    assert list(out.columns) == CONSISTENCY_COLUMNS
    A = Z.to_numpy() / x.to_numpy()[None, :]
    xp = np.array([x["agri"], 150.0, 40.0])
    np.testing.assert_allclose(out["intermediate_use"], A @ xp)
    np.testing.assert_allclose(out["left_for_final_use"], xp - A @ xp)
    # Power at 40 cannot cover what metal at 150 and agri need from it.
    assert out.loc["power", "status"] == "short" and out.loc["agri", "status"] == "less for final use"
    # Labour: the table's workers per unit of output times the plan's output, beside what is available.
    labour = frames["labour"]["workers"]
    staffed = io_consistency(Z, x, planned, frames["Y"].sum(axis=1), labour, pd.Series({"metal": 12.0}))
    assert staffed.loc["metal", "workers_needed"] == pytest.approx(10.0 / 105.0 * 150.0)
    assert staffed.loc["metal", "workers_available"] == 12.0 and np.isnan(staffed.loc["agri", "workers_available"])
    assert out["workers_needed"].isna().all()
