"""DEA scores against published numbers and reference values (sources cited per test)."""

from __future__ import annotations

import numpy as np
import pytest

from gosplan.reserves import dea, malmquist

from .conftest import load, reference

# Cooper, Seiford & Tone, Data Envelopment Analysis (2nd ed., Springer 2007), chapter 3,
# hospital example: 12 hospitals, inputs doctors and nurses, outputs outpatients and inpatients
# (Table 3.2), CCR scores as printed in the chapter's CCR results (Table 3.3), three decimals.
HOSPITALS = np.array([
    [20, 151, 100, 90], [19, 131, 150, 50], [25, 160, 160, 55], [27, 168, 180, 72],
    [22, 158, 94, 66], [55, 255, 230, 90], [33, 235, 220, 88], [31, 206, 152, 80],
    [30, 244, 190, 100], [50, 268, 250, 100], [53, 306, 260, 147], [38, 284, 250, 120],
], dtype=float)
HOSPITAL_CCR = [1.0, 1.0, 0.883, 1.0, 0.763, 0.835, 0.902, 0.796, 0.960, 0.871, 0.955, 0.958]

# Same book, chapter 1, Table 1.1: eight stores, one input (employees) and one output (sales);
# CCR efficiency is sales per employee relative to the best store B (1.0).
STORES_X = [[2], [3], [3], [4], [5], [5], [6], [8]]
STORES_Y = [[1], [3], [2], [3], [4], [2], [3], [5]]
STORES_CCR = [0.5, 1.0, 2 / 3, 0.75, 0.8, 0.4, 0.5, 0.625]


@pytest.mark.parametrize("method", ["frame", "lp"])
def test_hospital_ccr_scores_match_cooper_seiford_tone_table_3_3(method: str) -> None:
    result = dea(HOSPITALS[:, :2], HOSPITALS[:, 2:], rts="crs", names=list("ABCDEFGHIJKL"), method=method)
    np.testing.assert_allclose(result.efficiency.round(3), HOSPITAL_CCR, atol=1e-12)
    # Output orientation under CRS is the reciprocal (CST 2007, chapter 3.7).
    out = dea(HOSPITALS[:, :2], HOSPITALS[:, 2:], rts="crs", orientation="output", method=method)
    np.testing.assert_allclose(out.efficiency.to_numpy(), result.efficiency.to_numpy(), atol=1e-9)


def test_store_ccr_scores_match_cooper_seiford_tone_table_1_1() -> None:
    result = dea(STORES_X, STORES_Y, names=list("ABCDEFGH"))
    np.testing.assert_allclose(result.efficiency, STORES_CCR, atol=1e-12)
    # Every inefficient store learns from B alone, with weight = its sales / B's sales.
    peers = result.peers.set_index("unit")
    assert (peers["peer"] == "B").all()
    np.testing.assert_allclose(peers.loc["H", "weight"], 5 / 3, atol=1e-9)


@pytest.mark.parametrize("rts", ["crs", "vrs", "drs", "irs"])
@pytest.mark.parametrize("orientation", ["input", "output"])
def test_charnes_1981_schools_match_reference_scores(rts: str, orientation: str) -> None:
    """Charnes, Cooper & Rhodes (1981) Program Follow Through data; reference scores and slacks from
    the dealib 1.0.0 test suite (see tests/data/reserves/README.md)."""
    X, Y = load("charnes")
    ref = reference("ref_dea_charnes.json")[orientation][rts]
    result = dea(X, Y, rts=rts, orientation=orientation)
    farrell = result.radial.to_numpy()  # theta (input) or phi (output), the reference's convention
    np.testing.assert_allclose(farrell, ref["eff"], atol=1e-6)


@pytest.mark.parametrize("rts", ["crs", "vrs", "drs", "irs"])
def test_charnes_1981_super_efficiency_matches_reference(rts: str) -> None:
    """Andersen & Petersen (1993) super-efficiency on the Charnes et al. (1981) schools; reference
    values from the dealib 1.0.0 test suite; NaN there marks infeasible LPs."""
    X, Y = load("charnes")
    ref = np.asarray(reference("ref_sdea_charnes.json")["input"][rts], dtype=float)
    result = dea(X, Y, rts=rts, super_efficiency=True)
    scores = result.efficiency.to_numpy()
    feasible = np.isfinite(ref) & (ref > 0)
    np.testing.assert_allclose(scores[feasible], ref[feasible], atol=1e-6)
    assert (result.status[~feasible] == "infeasible").all()
    assert np.isnan(scores[~feasible]).all()


@pytest.mark.parametrize("rts", ["crs", "vrs"])
def test_malmquist_banks_match_reference(rts: str) -> None:
    """Färe, Grosskopf, Norris & Zhang (1994) geometric-mean Malmquist index, input orientation, on
    the dealib banks panel (247 banks, two years, raw values up to ~5e9); reference from dealib 1.0.0."""
    X0, Y0 = load("banks1")
    X1, Y1 = load("banks2")
    ref = reference("ref_malmq_banks1_banks2.json")["input"][rts]
    result = malmquist(X0, Y0, X1, Y1, rts=rts)
    for column in ("m", "ec", "tc"):
        expected = np.asarray(ref[column], dtype=float)
        ok = result["status"].to_numpy() == "optimal"
        np.testing.assert_allclose(result.loc[ok, column].to_numpy(), expected[ok], rtol=1e-6)
    assert np.allclose(result["m"], result["ec"] * result["tc"], equal_nan=True)
