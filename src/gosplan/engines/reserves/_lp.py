"""The envelopment LP of DEA as one HiGHS model, modified in place for each evaluated unit.

The model holds one column per reference unit (its weight lambda) plus the radial factor (theta for
input orientation, phi for output orientation). Evaluating a unit changes only the radial column's
coefficients and the row bounds, so HiGHS restarts from the previous optimal basis (a warm start)
instead of solving from scratch. Phase two (maximal slacks at the fixed radial factor) is a second
model whose objective is the sum of slacks, written in the lambdas (see :meth:`EnvelopmentLP.solve`).

Data handed to this module must already be scaled (see :func:`column_scale`).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

from gosplan.errors import SolverError

RTS_CHOICES: tuple[str, ...] = ("crs", "vrs", "drs", "irs")
ORIENTATIONS: tuple[str, ...] = ("input", "output")

# Status text per HiGHS model status; anything not listed is a solver failure.
_BANNER_SHOWN = False


def _new_highs() -> highspy.Highs:
    """A HiGHS instance. The first one of a process has its C++ constructor write a copyright banner
    to file descriptor 1 before any option can silence it, which corrupts ``--format json`` output, so
    that one is built with stdout pointed at the null device."""
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        return highspy.Highs()
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    _BANNER_SHOWN = True
    return h


_STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    highspy.HighsModelStatus.kUnbounded: "unbounded",
    highspy.HighsModelStatus.kUnboundedOrInfeasible: "infeasible",
}
_INF = highspy.kHighsInf
# Tight tolerances: scores must agree with other exact methods to 1e-9 on scaled data.
_OPTIONS = {
    "output_flag": False,
    "primal_feasibility_tolerance": 1e-10,
    "dual_feasibility_tolerance": 1e-10,
    "presolve": "off",
    # No "threads" here: HiGHS's task scheduler is global, and asking for another thread count than
    # the one it started with (e.g. by the balance engine's solves) makes every later run() fail.
}


def column_scale(*blocks: np.ndarray) -> np.ndarray:
    """Positive divisor per column so that the columns of the stacked blocks have mean 1.

    Radial DEA scores do not depend on the units of measure of a column, so dividing each column by
    a positive constant changes nothing but the conditioning of the LP.

    >>> column_scale(np.array([[1.0, 2e9], [3.0, 6e9]])).tolist()
    [2.0, 4000000000.0]
    """
    stacked = np.vstack(blocks)
    scale = np.abs(stacked).mean(axis=0)
    scale[~np.isfinite(scale) | (scale == 0)] = 1.0
    return scale


@dataclass
class UnitSolution:
    status: str
    radial: float  # theta (input) or phi (output); NaN unless optimal
    weights: np.ndarray  # lambdas over the reference set (empty unless optimal)
    input_slack: np.ndarray
    output_slack: np.ndarray


def _set_options(h: highspy.Highs) -> None:
    for key, value in _OPTIONS.items():
        h.setOptionValue(key, value)


class EnvelopmentLP:
    """Envelopment-form DEA LP over a fixed reference set ``(X_ref, Y_ref)``, one unit at a time.

    ``discretionary`` marks inputs the unit controls (True) and non-discretionary inputs (False,
    Banker & Morey 1986: they bound the reference point but are not contracted, and their slacks are
    left out of the phase-two objective). In output orientation every input is a bound, so there the
    mask changes only phase two.
    """

    def __init__(self, X_ref: np.ndarray, Y_ref: np.ndarray, rts: str = "crs",
                 orientation: str = "input", discretionary: np.ndarray | None = None,
                 slacks: bool = False) -> None:
        if rts not in RTS_CHOICES:
            raise ValueError(f"rts must be one of {RTS_CHOICES}, got {rts!r}")
        if orientation not in ORIENTATIONS:
            raise ValueError(f"orientation must be one of {ORIENTATIONS}, got {orientation!r}")
        self.X_ref = np.ascontiguousarray(X_ref, dtype=float)
        self.Y_ref = np.ascontiguousarray(Y_ref, dtype=float)
        self.n_ref, self.m = self.X_ref.shape
        self.s = self.Y_ref.shape[1]
        self.rts, self.orientation = rts, orientation
        mask = np.ones(self.m, bool) if discretionary is None else np.asarray(discretionary, bool)
        self.discretionary = mask
        self.radial_col = self.n_ref
        self.body = self._body()
        n_rows = self.body.shape[0]
        # Each row has one finite bound (or is an equality): inputs and the DRS row bound from above.
        self.row_at_upper = np.zeros(n_rows, bool)
        self.row_at_upper[: self.m] = True
        if rts == "drs":
            self.row_at_upper[-1] = True
        self._costs = {False: self._cost(False), True: self._cost(True)}
        self._main = self._build(phase_two=False)
        self._slack = self._build(phase_two=True) if slacks else None
        self._excluded: int | None = None

    # -- model construction -------------------------------------------------------------------
    def _build(self, phase_two: bool) -> highspy.Highs:
        n, m, s = self.n_ref, self.m, self.s
        body = self.body
        radial = np.zeros((body.shape[0], 1))
        matrix = sparse.csc_matrix(np.hstack([body, radial]))
        # Placeholders in the radial column so the sparsity pattern exists; set per unit.
        radial_rows = np.flatnonzero(self.discretionary) if self.orientation == "input" else m + np.arange(s)
        matrix = matrix.tolil()
        for r in radial_rows:
            matrix[r, n] = -1.0
        matrix = matrix.tocsc()
        matrix.sort_indices()

        lp = highspy.HighsLp()
        lp.num_col_ = n + 1
        lp.num_row_ = body.shape[0]
        if phase_two:
            cost = self._cost(True)
        else:
            cost = np.zeros(n + 1)
            cost[n] = 1.0 if self.orientation == "input" else -1.0
        lp.col_cost_ = cost
        lp.col_lower_ = np.zeros(n + 1)
        lp.col_upper_ = np.full(n + 1, _INF)
        row_lower = np.full(body.shape[0], -_INF)
        row_upper = np.full(body.shape[0], _INF)
        if self.rts != "crs":
            row_lower[-1] = 1.0 if self.rts in ("vrs", "irs") else -_INF
            row_upper[-1] = 1.0 if self.rts in ("vrs", "drs") else _INF
        lp.row_lower_ = row_lower
        lp.row_upper_ = row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = matrix.data
        h = _new_highs()
        _set_options(h)
        h.passModel(lp)
        return h

    def _load_unit(self, h: highspy.Highs, x: np.ndarray, y: np.ndarray) -> None:
        m, s, col = self.m, self.s, self.radial_col
        lower = np.empty(m + s)
        upper = np.empty(m + s)
        if self.orientation == "input":
            for i in np.flatnonzero(self.discretionary):
                h.changeCoeff(int(i), col, -float(x[i]))
            lower[:m] = -_INF
            upper[:m] = np.where(self.discretionary, 0.0, x)
            lower[m:] = y
            upper[m:] = _INF
        else:
            for r in range(s):
                h.changeCoeff(m + r, col, -float(y[r]))
            lower[:m] = -_INF
            upper[:m] = x
            lower[m:] = 0.0
            upper[m:] = _INF
        h.changeRowsBounds(m + s, np.arange(m + s, dtype=np.int32), lower, upper)

    def exclude(self, j: int | None) -> None:
        """Leave reference unit ``j`` out of the next solves (super-efficiency); ``None`` restores."""
        for h in (self._main, self._slack):
            if h is None:
                continue
            if self._excluded is not None:
                h.changeColBounds(self._excluded, 0.0, _INF)
            if j is not None:
                h.changeColBounds(int(j), 0.0, 0.0)
        self._excluded = j

    # -- the family of LPs, as arrays (used by the batch verifier in ``_batch``) ---------------
    def _body(self) -> np.ndarray:
        """Constraint matrix of the lambda columns: rows are inputs, outputs, convexity (not CRS)."""
        rows = [self.X_ref.T, self.Y_ref.T]
        if self.rts != "crs":
            rows.append(np.ones((1, self.n_ref)))
        return np.vstack(rows)

    def radial_columns(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """Coefficients of the radial column for each evaluated unit (units x rows)."""
        out = np.zeros((X.shape[0], self.body.shape[0]))
        if self.orientation == "input":
            out[:, : self.m] = np.where(self.discretionary, -X, 0.0)
        else:
            out[:, self.m : self.m + self.s] = -Y
        return out

    def row_bounds(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper row bounds for each evaluated unit (units x rows)."""
        k, m, s = X.shape[0], self.m, self.s
        n_rows = self.body.shape[0]
        lower = np.full((k, n_rows), -np.inf)
        upper = np.full((k, n_rows), np.inf)
        if self.orientation == "input":
            upper[:, :m] = np.where(self.discretionary, 0.0, X)
            lower[:, m : m + s] = Y
        else:
            upper[:, :m] = X
            lower[:, m : m + s] = 0.0
        if self.rts in ("vrs", "irs"):
            lower[:, -1] = 1.0
        if self.rts in ("vrs", "drs"):
            upper[:, -1] = 1.0
        return lower, upper

    def costs(self, phase_two: bool) -> np.ndarray:
        return self._costs[phase_two]

    def _cost(self, phase_two: bool) -> np.ndarray:
        if phase_two:
            # max sum of slacks = const - sum_j lambda_j (sum_i x_ij - sum_r y_rj), over the
            # discretionary inputs only: the slack of a condition the unit cannot change is no
            # reserve, so it is not maximised (Banker & Morey 1986), in either orientation.
            x_sum = self.X_ref[:, self.discretionary].sum(axis=1)
            return np.append(x_sum - self.Y_ref.sum(axis=1), 0.0)
        cost = np.zeros(self.n_ref + 1)
        cost[-1] = 1.0 if self.orientation == "input" else -1.0
        return cost

    # -- solving ------------------------------------------------------------------------------
    def phase_one(self, x: np.ndarray, y: np.ndarray) -> tuple[str, float, np.ndarray | None]:
        """Status, radial factor and optimal basis of unit ``(x, y)`` (NaN and None unless optimal).

        The basis is HiGHS's list of basic variables: column ``j >= 0``, row ``r`` as ``-(r + 1)``.
        """
        h = self._main
        self._load_unit(h, x, y)
        _run(h)
        status = _status(h)
        if status != "optimal":
            return status, np.nan, None
        radial = h.getInfo().objective_function_value
        return status, (-radial if self.orientation == "output" else radial), _basic_variables(h)

    def phase_two(self, x: np.ndarray, y: np.ndarray, radial: float) -> tuple[np.ndarray, np.ndarray]:
        """Lambdas with the largest (scaled) slack sum at the given radial factor, and the basis."""
        if self._slack is None:
            raise ValueError("this model was built without slacks=True")
        h = self._slack
        self._load_unit(h, x, y)
        # The phase-one point satisfies the rows only to HiGHS's tolerance; give the radial factor
        # the same room in the direction that enlarges the feasible set.
        room = 1e-10 * max(1.0, abs(radial))
        if self.orientation == "input":
            h.changeColBounds(self.radial_col, radial, radial + room)
        else:
            h.changeColBounds(self.radial_col, radial - room, radial)
        _run(h)
        if _status(h) != "optimal":
            # The phase-one point is feasible here, so anything else is a numerical failure.
            raise SolverError(f"DEA phase two (slacks) ended with status {_status(h)!r}")
        weights = np.asarray(h.getSolution().col_value[: self.n_ref])
        return np.maximum(weights, 0.0), _basic_variables(h)

    def row_duals(self) -> np.ndarray:
        """Row duals of the last phase-one solve (``c - A^T y`` convention, as ``_batch.verify``)."""
        return np.asarray(self._main.getSolution().row_dual)

    def weights(self) -> np.ndarray:
        """Lambdas of the last phase-one solve."""
        return np.maximum(np.asarray(self._main.getSolution().col_value[: self.n_ref]), 0.0)

    def solve(self, x: np.ndarray, y: np.ndarray, slacks: bool = False) -> UnitSolution:
        """Radial factor (and, with ``slacks``, the phase-two maximal slacks) of unit ``(x, y)``."""
        status, radial, _ = self.phase_one(x, y)
        empty = np.empty(0)
        if status != "optimal":
            return UnitSolution(status, np.nan, empty, empty, empty)
        weights = self.phase_two(x, y, radial)[0] if slacks else self.weights()
        return UnitSolution(status, radial, weights, *self.slacks(weights, x, y, radial))

    def slacks(self, weights: np.ndarray, x: np.ndarray, y: np.ndarray,
                radial: float) -> tuple[np.ndarray, np.ndarray]:
        ref_x = weights @ self.X_ref
        ref_y = weights @ self.Y_ref
        if self.orientation == "input":
            bound_x = np.where(self.discretionary, radial * x, x)
            bound_y = y
        else:
            bound_x = x
            bound_y = radial * y
        from gosplan.engines.reserves._batch import clean_slacks

        return clean_slacks(bound_x - ref_x), clean_slacks(ref_y - bound_y)


def _run(h: highspy.Highs) -> None:
    """Solve from the previous unit's basis; when that ends without a verdict, solve again from scratch.

    A warm start from a far-away basis occasionally leaves HiGHS with status 'Unknown' (seen in phase
    two on 2,000 Cobb-Douglas units); a cold solve of the same LP settles it.
    """
    h.run()
    if h.getModelStatus() not in _STATUS:
        h.clearSolver()
        h.run()


def _basic_variables(h: highspy.Highs) -> np.ndarray:
    ok, basic = h.getBasicVariables()
    if ok != highspy.HighsStatus.kOk:
        raise SolverError("HiGHS returned no basis for an optimal solve")
    return np.asarray(basic)


def _status(h: highspy.Highs) -> str:
    status = h.getModelStatus()
    if status in _STATUS:
        return _STATUS[status]
    raise SolverError(f"HiGHS ended with model status {h.modelStatusToString(status)!r}")
