"""Exact optimality checks of candidate bases of the envelopment LP, for many units at once.

For a unit and a basis, solve the small square basis system for the primal values and its transpose
for the duals, then test primal feasibility (weights and basic rows within bounds), the sign of every
row dual and the reduced cost of every reference column. A basis that passes is optimal - the simplex
method's own certificate - so the score read from it is the LP optimum. Everything is vectorised
over units with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gosplan.engines.reserves._lp import EnvelopmentLP

_TOL = 1e-9
_CHUNK = 4096

@dataclass
class Basis:
    """A basis of the envelopment LP, as index arrays."""

    basic_cols: np.ndarray  # indices into the n_ref + 1 columns (radial column last)
    nonbasic_rows: np.ndarray
    nonbasic_at_upper: np.ndarray  # per nonbasic row: bound side is the upper one
    basic_rows: np.ndarray

    @classmethod
    def from_highs(cls, basic_variables: np.ndarray, lp: EnvelopmentLP) -> Basis:
        """From HiGHS's basic variables (columns ``j``, rows ``-(r + 1)``) and the model's row bounds."""
        basic_rows = np.sort(-basic_variables[basic_variables < 0] - 1)
        nonbasic = np.setdiff1d(np.arange(len(lp.row_at_upper)), basic_rows, assume_unique=True)
        return cls(np.sort(basic_variables[basic_variables >= 0]), nonbasic, lp.row_at_upper[nonbasic],
                   basic_rows)


@dataclass
class Verified:
    ok: np.ndarray  # per unit: the basis is optimal
    radial: np.ndarray  # per unit (valid where ok)
    weights: np.ndarray  # units x basic lambda columns (valid where ok)
    lambda_cols: np.ndarray  # reference indices of those columns
    duals: np.ndarray = field(default_factory=lambda: np.empty(0))  # units x rows


def verify(lp: EnvelopmentLP, basis: Basis, X: np.ndarray, Y: np.ndarray,
           phase_two: bool = False, radial: np.ndarray | None = None) -> Verified:
    """Check whether ``basis`` is optimal for each unit ``(X[k], Y[k])``; the score where it is.

    In phase two the radial column is fixed at ``radial[k]`` (the phase-one optimum).
    """
    k = X.shape[0]
    body = lp.body
    n_ref = lp.n_ref
    rc = lp.radial_col
    cost = lp.costs(phase_two)
    radial_cols = lp.radial_columns(X, Y)
    lower, upper = lp.row_bounds(X, Y)
    nr, bc = basis.nonbasic_rows, basis.basic_cols
    lam_b = bc[bc != rc]
    q = len(nr)
    if len(bc) != q:
        return Verified(np.zeros(k, bool), np.full(k, np.nan), np.zeros((k, len(lam_b))), lam_b)
    radial_basic = rc in bc
    # Assemble the square basis matrices, one per unit: the lambda part is shared.
    M = np.empty((k, q, q))
    pos_r = np.flatnonzero(bc == rc)
    lam_pos = np.flatnonzero(bc != rc)
    M[:, :, lam_pos] = body[np.ix_(nr, lam_b)]
    if radial_basic:
        M[:, :, pos_r[0]] = radial_cols[:, nr]
    rhs = np.where(basis.nonbasic_at_upper, upper[:, nr], lower[:, nr])
    # An equality row may be reported at either side; an infinite side cannot be the active one.
    rhs = np.where(np.isfinite(rhs), rhs, np.where(basis.nonbasic_at_upper, lower[:, nr], upper[:, nr]))
    fixed_radial = np.zeros(k)
    if not radial_basic:
        fixed_radial = radial if (phase_two and radial is not None) else np.zeros(k)
        rhs = rhs - radial_cols[:, nr] * fixed_radial[:, None]
    ok = np.isfinite(rhs).all(axis=1)
    try:
        z = np.linalg.solve(M, rhs[..., None])[..., 0]
        cost_b = np.broadcast_to(cost[bc], (k, q))[..., None]
        duals = np.linalg.solve(np.transpose(M, (0, 2, 1)), cost_b)[..., 0]
    except np.linalg.LinAlgError:
        z, duals, ok = _solve_each(M, rhs, cost[bc], ok)
    scale = 1.0 + np.abs(rhs).max(axis=1, initial=0.0)
    tol = _TOL * scale
    lam_vals = z[:, lam_pos]
    ok &= (lam_vals >= -tol[:, None]).all(axis=1)
    radial_value = z[:, pos_r[0]] if radial_basic else fixed_radial
    if phase_two and radial is not None and radial_basic:
        ok &= np.abs(radial_value - radial) <= tol * max(1.0, 1.0)
    ok &= radial_value >= -tol
    # Basic rows must stay within their bounds.
    if len(basis.basic_rows):
        br = basis.basic_rows
        activity = lam_vals @ body[np.ix_(br, lam_b)].T
        activity += radial_cols[:, br] * radial_value[:, None]
        within = (activity >= lower[:, br] - tol[:, None]) & (activity <= upper[:, br] + tol[:, None])
        ok &= within.all(axis=1)
    # Row duals: a row at its lower bound needs a nonnegative dual, at its upper bound nonpositive.
    equality = lower[:, nr] == upper[:, nr]
    dual_ok = np.where(basis.nonbasic_at_upper, duals <= _TOL, duals >= -_TOL) | equality
    ok &= dual_ok.all(axis=1)
    # Reduced costs of every lambda column (at lower bound 0) must be nonnegative.
    # (basic columns have reduced cost zero, so testing all of them is harmless and cheaper to index)
    block = body[nr, :]
    lam_cost = cost[:n_ref]
    for start in range(0, k, _CHUNK):
        stop = min(start + _CHUNK, k)
        idx = np.flatnonzero(ok[start:stop]) + start
        if len(idx) == 0:
            continue
        reduced = lam_cost[None, :] - duals[idx] @ block
        ok[idx] &= (reduced >= -_TOL).all(axis=1)
    full_duals = np.zeros((k, body.shape[0]))
    full_duals[:, nr] = duals
    return Verified(ok, radial_value, np.maximum(lam_vals, 0.0), lam_b, full_duals)


def _solve_each(M: np.ndarray, rhs: np.ndarray, cost_b: np.ndarray,
                ok: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit-by-unit fallback when some basis matrix is singular (the basis is then not used)."""
    k, q = rhs.shape
    z = np.zeros((k, q))
    duals = np.zeros((k, q))
    ok = ok.copy()
    for i in range(k):
        try:
            z[i] = np.linalg.solve(M[i], rhs[i])
            duals[i] = np.linalg.solve(M[i].T, cost_b)
        except np.linalg.LinAlgError:
            ok[i] = False
    return z, duals, ok


def bound_terms(lp: EnvelopmentLP, duals: np.ndarray, X: np.ndarray, Y: np.ndarray,
                dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The bound of hyperplane f for unit k is ``(a[k] . p[f]) / (b[k] . q[f])``: returns ``a, b, p, q``."""
    m, s = lp.m, lp.s
    duals = duals / np.maximum(np.linalg.norm(duals, axis=1), 1e-300)[:, None]
    u = -duals[:, :m]
    v = duals[:, m : m + s]
    w = duals[:, m + s] if lp.rts != "crs" else np.zeros(len(duals))
    ones = np.ones((len(X), 1))
    if lp.orientation == "input":
        disc = lp.discretionary
        a, b = np.hstack([Y, X[:, ~disc], ones]), X[:, disc]
        p, q = np.hstack([v, -u[:, ~disc], w[:, None]]), u[:, disc]
    else:
        a, b = np.hstack([X, ones]), Y
        p, q = np.hstack([u, -w[:, None]]), v
    return tuple(t.astype(dtype, copy=False) for t in (a, b, p, q))  # type: ignore[return-value]


def _ratio(numer: np.ndarray, denom: np.ndarray, fill: float, dtype: type) -> np.ndarray:
    # A denominator at round-off level means the hyperplane does not bound this unit's direction.
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(numer, denom, out=numer)
    numer[denom <= (1e-10 if dtype == np.float64 else 1e-5)] = fill
    return numer


def hyperplane_bounds(lp: EnvelopmentLP, duals: np.ndarray, X: np.ndarray, Y: np.ndarray,
                      fill: float = np.nan, dtype: type = np.float64) -> np.ndarray:
    """Score bound each dual (rows of ``duals``, from some solved unit) gives each unit.

    Returns units x hyperplanes: lower bounds on theta (input orientation) or upper bounds on phi
    (output orientation); ``fill`` where a hyperplane cannot be rescaled for a unit.
    """
    a, b, p, q = bound_terms(lp, duals, X, Y, dtype)
    # einsum, not @: with an inner dimension of 5 or 6, BLAS threading costs more than it saves.
    return _ratio(np.einsum("ij,kj->ik", a, p), np.einsum("ij,kj->ik", b, q), fill, dtype)


def bounds_at(terms: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], facets: np.ndarray,
              fill: float) -> np.ndarray:
    """Bounds of chosen hyperplanes only: ``facets`` is units x c (indices into the hyperplanes)."""
    a, b, p, q = terms
    safe = np.maximum(facets, 0)
    bounds = _ratio(np.einsum("kj,kcj->kc", a, p[safe]), np.einsum("kj,kcj->kc", b, q[safe]), fill, a.dtype.type)
    bounds[facets < 0] = fill
    return bounds


def verify_many(lp: EnvelopmentLP, basic_cols: np.ndarray, basic_rows_mask: np.ndarray,
                X: np.ndarray, Y: np.ndarray) -> Verified:
    """Phase-one :func:`verify` with a different basis per unit, all with the same size.

    ``basic_cols`` (units x q) lists each unit's basic columns (reference units and the radial column,
    which must be basic); ``basic_rows_mask`` (units x rows) marks its basic rows (rows - q of them).
    """
    k, q = basic_cols.shape
    body = lp.body
    n_rows = body.shape[0]
    rc = lp.radial_col
    cost = lp.costs(False)
    radial_cols = lp.radial_columns(X, Y)
    lower, upper = lp.row_bounds(X, Y)
    # Nonbasic rows of each unit, in row order (q of them).
    nr = np.argsort(basic_rows_mask, axis=1, kind="stable")[:, :q]
    extended = np.hstack([body, np.zeros((n_rows, 1))])
    M = extended[nr[:, :, None], basic_cols[:, None, :]]
    radial_pos = basic_cols == rc
    rows_k = np.arange(k)
    radial_at = radial_pos.argmax(axis=1)
    M[rows_k, :, radial_at] = np.take_along_axis(radial_cols, nr, axis=1)
    at_upper = lp.row_at_upper[nr]
    rhs = np.where(at_upper, np.take_along_axis(upper, nr, axis=1), np.take_along_axis(lower, nr, axis=1))
    ok = np.isfinite(rhs).all(axis=1) & radial_pos.any(axis=1)
    rhs = np.where(np.isfinite(rhs), rhs, 0.0)
    cost_b = cost[basic_cols]
    try:
        z = np.linalg.solve(M, rhs[..., None])[..., 0]
        duals = np.linalg.solve(np.transpose(M, (0, 2, 1)), cost_b[..., None])[..., 0]
    except np.linalg.LinAlgError:
        z, duals, ok = _solve_each_rowwise(M, rhs, cost_b, ok)
    tol = _TOL * (1.0 + np.abs(rhs).max(axis=1, initial=0.0))
    lam_mask = ~radial_pos
    ok &= ((z >= -tol[:, None]) | ~lam_mask).all(axis=1)
    radial_value = z[rows_k, radial_at]
    ok &= radial_value >= -tol
    lam_vals = np.where(lam_mask, np.maximum(z, 0.0), 0.0)
    lam_cols = np.where(lam_mask, basic_cols, 0)
    # Activities of all rows (basic rows must be within bounds; nonbasic ones are by construction).
    activity = np.einsum("kq,rkq->kr", lam_vals, body[:, lam_cols]) + radial_cols * radial_value[:, None]
    within = (activity >= lower - tol[:, None]) & (activity <= upper + tol[:, None])
    ok &= (within | ~basic_rows_mask).all(axis=1)
    equality = np.take_along_axis(lower, nr, axis=1) == np.take_along_axis(upper, nr, axis=1)
    ok &= (np.where(at_upper, duals <= _TOL, duals >= -_TOL) | equality).all(axis=1)
    lam_cost = cost[: lp.n_ref]
    for start in range(0, k, 1024):
        idx = np.flatnonzero(ok[start : start + 1024]) + start
        if len(idx) == 0:
            continue
        reduced = lam_cost[None, :] - np.einsum("kq,kqf->kf", duals[idx], body[nr[idx], :])
        ok[idx] &= (reduced >= -_TOL).all(axis=1)
    full_duals = np.zeros((k, n_rows))
    np.put_along_axis(full_duals, nr, duals, axis=1)
    return Verified(ok, radial_value, lam_vals, lam_cols, full_duals)


def _solve_each_rowwise(M: np.ndarray, rhs: np.ndarray, cost_b: np.ndarray,
                        ok: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    k, q = rhs.shape
    z = np.zeros((k, q))
    duals = np.zeros((k, q))
    ok = ok.copy()
    for i in range(k):
        try:
            z[i] = np.linalg.solve(M[i], rhs[i])
            duals[i] = np.linalg.solve(M[i].T, cost_b[i])
        except np.linalg.LinAlgError:
            ok[i] = False
    return z, duals, ok
