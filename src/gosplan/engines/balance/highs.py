"""A thin, checked bridge from scipy.sparse to HiGHS (highspy's Highs object API).

Columns and rows are scaled before the solve (column scales given by the caller, who knows the
magnitudes; rows by their largest coefficient after that), duals are scaled back, and any status
other than optimal raises :class:`gosplan.errors.SolverError`.

Dual values are returned as sensitivities of the objective: ``row_dual[i]`` is d(objective) / d(bound
of row i) and ``col_dual[j]`` d(objective) / d(bound of column j), for the bound that is active.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from gosplan.errors import SolverError

INF = highspy.kHighsInf


@dataclass(frozen=True)
class LPSolution:
    x: np.ndarray
    row_activity: np.ndarray
    row_dual: np.ndarray
    col_dual: np.ndarray
    objective: float
    status: str
    iterations: int


def solve_lp(
    c: np.ndarray,
    M: sp.sparray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    *,
    maximize: bool = True,
    col_scale: np.ndarray | None = None,
    solver: str = "choose",
    time_limit: float | None = None,
    what: str = "LP",
) -> LPSolution:
    """Solve ``max/min c'x  s.t.  row_lower <= M x <= row_upper, col_lower <= x <= col_upper``."""
    n_rows, n_cols = M.shape
    cs = np.ones(n_cols) if col_scale is None else np.where(col_scale > 0, col_scale, 1.0)
    Mc = sp.csc_array(M) @ sp.diags_array(cs, format="csc")
    row_max = np.asarray(abs(Mc).max(axis=1).todense()).ravel() if n_rows else np.zeros(0)
    rs = np.where(row_max > 0, 1.0 / np.where(row_max > 0, row_max, 1.0), 1.0)
    Ms = sp.csc_array(sp.diags_array(rs, format="csc") @ Mc)
    Ms.sort_indices()

    def scaled(bound: np.ndarray, scale: np.ndarray) -> np.ndarray:
        out = np.asarray(bound, dtype=np.float64) * scale
        return np.clip(out, -INF, INF)  # numpy infinities become HiGHS's

    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    lp.col_cost_ = np.asarray(c, dtype=np.float64) * cs
    lp.col_lower_ = scaled(col_lower, 1.0 / cs)
    lp.col_upper_ = scaled(col_upper, 1.0 / cs)
    lp.row_lower_ = scaled(row_lower, rs)
    lp.row_upper_ = scaled(row_upper, rs)
    lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = n_rows
    lp.a_matrix_.start_ = Ms.indptr.astype(np.int32)
    lp.a_matrix_.index_ = Ms.indices.astype(np.int32)
    lp.a_matrix_.value_ = Ms.data
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", solver)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        text = h.modelStatusToString(status)
        hint = {
            "Infeasible": "the constraints cannot all hold (targets, capacities or stocks contradict)",
            "Unbounded": "the objective can grow without limit (a capacity or resource limit is missing)",
        }
        raise SolverError(f"{what}: HiGHS returned '{text}', not optimal. {hint.get(text, '')}".strip())
    solution = h.getSolution()
    if not solution.dual_valid:
        raise SolverError(f"{what}: HiGHS found an optimum but no valid dual values")
    info = h.getInfo()
    x = np.asarray(solution.col_value) * cs
    return LPSolution(
        x=x,
        row_activity=np.asarray(solution.row_value) / rs,
        row_dual=np.asarray(solution.row_dual) * rs,
        col_dual=np.asarray(solution.col_dual) / cs,
        objective=float(info.objective_function_value),
        status=h.modelStatusToString(status),
        iterations=int(info.simplex_iteration_count + info.ipm_iteration_count),
    )
