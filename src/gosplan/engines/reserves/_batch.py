"""Score many units against one reference set with few LP solves: verify optimal bases in batch.

Units that project onto the same face of the frontier share the optimal basis of their envelopment
LP; only the radial column and the bounds change from unit to unit. So after HiGHS solves one unit,
its basis is checked for every other unit at once with numpy: solve the small square basis system
for the primal values, solve its transpose for the duals, and test primal feasibility, dual
feasibility (reduced costs of every reference column) and the sign of every row dual. A basis that
passes both tests is optimal (the simplex method's own certificate), so the score read from it is the
LP optimum, not an approximation. Units that no known basis fits get their own HiGHS solve.

Which basis to try for a unit: every optimal dual of a solved unit is a supporting hyperplane of
the technology, feasible for all units after rescaling, so it bounds every unit's score (below in
input orientation, above in output orientation). The hyperplane with the tightest bound is the one
most likely to be the unit's own optimal face; its basis is tried first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from gosplan.engines.reserves._lp import EnvelopmentLP

_TOL = 1e-9
_CHUNK = 4096
_SLACK_TOL = 1e-9


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


def hyperplane_bounds(lp: EnvelopmentLP, duals: np.ndarray, X: np.ndarray, Y: np.ndarray,
                      fill: float = np.nan, dtype: type = np.float64) -> np.ndarray:
    """Score bound each dual (rows of ``duals``, from some solved unit) gives each unit.

    Returns units x hyperplanes: lower bounds on theta (input orientation) or upper bounds on phi
    (output orientation); ``fill`` where a hyperplane cannot be rescaled for a unit.
    """
    m, s = lp.m, lp.s
    duals = duals / np.maximum(np.linalg.norm(duals, axis=1), 1e-300)[:, None]
    u = -duals[:, :m]
    v = duals[:, m : m + s]
    w = duals[:, m + s] if lp.rts != "crs" else np.zeros(len(duals))
    ones = np.ones((len(X), 1))
    X, Y, ones, u, v, w = (a.astype(dtype, copy=False) for a in (X, Y, ones, u, v, w))
    # einsum, not @: with an inner dimension of 5 or 6, BLAS threading costs more than it saves.
    if lp.orientation == "input":
        disc = lp.discretionary
        prices = np.hstack([v, -u[:, ~disc], w[:, None]])
        numer = np.einsum("ij,kj->ik", np.hstack([Y, X[:, ~disc], ones]), prices)
        denom = np.einsum("ij,kj->ik", X[:, disc], u[:, disc])
    else:
        numer = np.einsum("ij,kj->ik", np.hstack([X, ones]), np.hstack([u, -w[:, None]]))
        denom = np.einsum("ij,kj->ik", Y, v)
    # A denominator at round-off level means the hyperplane does not bound this unit's direction.
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(numer, denom, out=numer)
    numer[denom <= (1e-10 if dtype == np.float64 else 1e-5)] = fill
    return numer


@dataclass
class BatchScores:
    """Phase-one (and optionally phase-two) results for a batch of evaluated units."""

    status: np.ndarray  # "optimal", "infeasible" or "unbounded"
    radial: np.ndarray  # theta or phi; NaN unless optimal
    lambdas: sparse.csr_matrix  # units x reference units
    input_slack: np.ndarray
    output_slack: np.ndarray
    lp_solves: int  # how many units needed their own HiGHS solve (the rest were verified bases)


class _Collector:
    def __init__(self, k: int) -> None:
        self.status = np.full(k, "", dtype=object)
        self.radial = np.full(k, np.nan)
        self.plane = np.full(k, -1)
        # Every input and output row has a nonzero dual: all slacks are zero at every optimum.
        self.no_slack = np.zeros(k, bool)
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []

    def weights(self, units: np.ndarray, cols: np.ndarray, vals: np.ndarray) -> None:
        keep = vals > 0
        self.rows.append(np.broadcast_to(units[:, None], vals.shape)[keep])
        self.cols.append(np.broadcast_to(cols[None, :], vals.shape)[keep])
        self.vals.append(vals[keep])

    def weights_coo(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray) -> None:
        keep = vals > 0
        self.rows.append(rows[keep])
        self.cols.append(cols[keep])
        self.vals.append(vals[keep])

    def matrix(self, k: int, n_ref: int) -> sparse.csr_matrix:
        if not self.rows:
            return sparse.csr_matrix((k, n_ref))
        data = (np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols)))
        return sparse.csr_matrix(data, shape=(k, n_ref))


def clean_slacks(slack: np.ndarray) -> np.ndarray:
    """Zero the round-off: on scaled columns (mean 1) a slack below 1e-9 is solver tolerance, not waste."""
    return np.where(slack > _SLACK_TOL, slack, 0.0)


def score_units(lp: EnvelopmentLP, X: np.ndarray, Y: np.ndarray, slacks: bool = False,
                seed: int = 0) -> BatchScores:
    """Phase one (and two, with ``slacks``) for every unit ``(X[k], Y[k])`` against ``lp``'s reference."""
    k = X.shape[0]
    out = _Collector(k)
    rest = _facet_stage(lp, X, Y, out)
    lp_solves = 0
    if len(rest):
        inner = _Collector(len(rest))
        lambdas_rest = _phase_one(lp, X[rest], Y[rest], inner, seed).tocoo()
        lp_solves = int(inner.lp_solves)  # type: ignore[attr-defined]
        out.status[rest] = inner.status
        out.radial[rest] = inner.radial
        out.plane[rest] = inner.plane
        out.no_slack[rest] = inner.no_slack
        out.weights_coo(rest[lambdas_rest.row], lambdas_rest.col, lambdas_rest.data)
    phase_one_lambdas = out.matrix(k, lp.n_ref)
    if slacks:
        two = _Collector(k)
        lp_solves += _phase_two(lp, X, Y, out, two)
        lambdas = two.matrix(k, lp.n_ref)
    else:
        lambdas = phase_one_lambdas
    optimal = out.status == "optimal"
    input_slack = np.full((k, lp.m), np.nan)
    output_slack = np.full((k, lp.s), np.nan)
    if optimal.any():
        ref_x = lambdas[optimal] @ lp.X_ref
        ref_y = lambdas[optimal] @ lp.Y_ref
        r = out.radial[optimal][:, None]
        if lp.orientation == "input":
            bound_x = np.where(lp.discretionary, r * X[optimal], X[optimal])
            bound_y = Y[optimal]
        else:
            bound_x = X[optimal]
            bound_y = r * Y[optimal]
        input_slack[optimal] = clean_slacks(bound_x - ref_x)
        output_slack[optimal] = clean_slacks(ref_y - bound_y)
    return BatchScores(out.status.astype(str), out.radial, lambdas, input_slack, output_slack, lp_solves)


_FACET_PLANE = 1_000_000_000  # facet-verified units: group key for phase two = this + facet number
_UNIT_CHUNK = 2048


def _facet_stage(lp: EnvelopmentLP, X: np.ndarray, Y: np.ndarray, out: _Collector,
                 attempts: int = 4) -> np.ndarray:
    """Score the units whose optimal basis is a facet of the technology; return the others."""
    from gosplan.engines.reserves._facets import facet_candidates

    k = X.shape[0]
    candidates = facet_candidates(lp)
    if candidates is None or k == 0:
        return np.arange(k)
    duals, generators = candidates
    is_lambda = generators < lp.n_ref
    n_lambda = is_lambda.sum(axis=1)
    maximise = lp.orientation == "input"
    # First pass in single precision: it only picks the candidate, the verification is exact, and
    # units it picks wrongly for get the double-precision search below.
    pending = np.arange(k)
    choice, _ = _best_facets(lp, duals, X, Y, maximise, dtype=np.float32)
    usable = choice >= 0
    failed = _verify_facets(lp, generators, is_lambda, n_lambda, X, Y, out, pending[usable], choice[usable])
    pending = np.union1d(pending[~usable], pending[usable][failed])
    tried: list[np.ndarray] = []
    first_best = np.full(k, np.nan)
    for attempt in range(attempts):
        if len(pending) == 0:
            break
        choice = np.full(len(pending), -1)
        for start in range(0, len(pending), _UNIT_CHUNK):
            part = pending[start : start + _UNIT_CHUNK]
            bounds = hyperplane_bounds(lp, duals, X[part], Y[part], fill=-np.inf if maximise else np.inf)
            rows = np.arange(len(part))
            for previous in tried:
                bounds[rows, previous[start : start + _UNIT_CHUNK]] = -np.inf if maximise else np.inf
            pick = bounds.argmax(axis=1) if maximise else bounds.argmin(axis=1)
            value = bounds[rows, pick]
            if attempt == 0:
                first_best[part] = value
            # Later attempts only try facets that tie with the best bound (same face, other triangle).
            tie = np.abs(value - first_best[part]) <= 1e-9 * (1 + np.abs(first_best[part]))
            choice[start : start + len(part)] = np.where(np.isfinite(value) & tie, pick, -1)
        tried = [t[choice >= 0] for t in tried]
        usable = choice >= 0
        pending, choice = pending[usable], choice[usable]
        tried = [*tried, choice]
        failed = _verify_facets(lp, generators, is_lambda, n_lambda, X, Y, out, pending, choice)
        pending = pending[failed]
        tried = [t[failed] for t in tried]
    done_mask = np.zeros(k, bool)
    done_mask[out.status == "optimal"] = True
    return np.flatnonzero(~done_mask)


def _best_facets(lp: EnvelopmentLP, duals: np.ndarray, X: np.ndarray, Y: np.ndarray,
                 maximise: bool, dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Per unit, the facet with the tightest score bound (-1 if none bounds it) and that bound."""
    choice = np.full(len(X), -1)
    value = np.full(len(X), np.nan)
    for start in range(0, len(X), _UNIT_CHUNK):
        part = slice(start, start + _UNIT_CHUNK)
        fill = -np.inf if maximise else np.inf
        bounds = hyperplane_bounds(lp, duals, X[part], Y[part], fill=fill, dtype=dtype)
        pick = bounds.argmax(axis=1) if maximise else bounds.argmin(axis=1)
        best = bounds[np.arange(len(pick)), pick]
        choice[start : start + len(pick)] = np.where(np.isfinite(best), pick, -1)
        value[start : start + len(pick)] = best
    return choice, value


def _verify_facets(lp: EnvelopmentLP, generators: np.ndarray, is_lambda: np.ndarray, n_lambda: np.ndarray,
                   X: np.ndarray, Y: np.ndarray, out: _Collector, units: np.ndarray,
                   choice: np.ndarray) -> np.ndarray:
    """Verify facet ``choice[i]`` as the optimal basis of ``units[i]``; record successes; mask of failures."""
    n_ref, rc = lp.n_ref, lp.radial_col
    n_rows = lp.body.shape[0]
    failed = np.zeros(len(units), bool)
    for q in np.unique(n_lambda[choice]):
        sel = np.flatnonzero(n_lambda[choice] == q)
        gens = generators[choice[sel]]
        lam = np.sort(np.where(is_lambda[choice[sel]], gens, n_ref + n_rows + 1), axis=1)[:, :q]
        basic_cols = np.hstack([lam, np.full((len(sel), 1), rc)])
        basic_rows = np.zeros((len(sel), n_rows), bool)
        slack_rows = np.where(is_lambda[choice[sel]], -1, gens - n_ref)
        for col in range(slack_rows.shape[1]):
            has = slack_rows[:, col] >= 0
            basic_rows[np.flatnonzero(has), slack_rows[has, col]] = True
        batch = units[sel]
        check = verify_many(lp, basic_cols, basic_rows, X[batch], Y[batch])
        done = batch[check.ok]
        out.status[done] = "optimal"
        out.radial[done] = check.radial[check.ok]
        out.plane[done] = _FACET_PLANE + choice[sel][check.ok]
        out.no_slack[done] = _strict(check.duals[check.ok], lp)
        w, c = check.weights[check.ok], check.lambda_cols[check.ok]
        out.weights_coo(np.repeat(done, w.shape[1]), c.ravel(), w.ravel())
        failed[sel[~check.ok]] = True
    return failed


def _phase_one(lp: EnvelopmentLP, X: np.ndarray, Y: np.ndarray, out: _Collector,
               seed: int) -> sparse.csr_matrix:
    k = X.shape[0]
    rng = np.random.default_rng(seed)
    pending = np.ones(k, bool)
    maximise = lp.orientation == "input"
    best = np.full(k, -np.inf if maximise else np.inf)
    best_plane = np.full(k, -1)
    tried_plane = np.full(k, -1)
    bases: list[Basis] = []
    batch = 8
    lp_solves = 0
    while pending.any():
        todo = np.flatnonzero(pending)
        sample = rng.choice(todo, size=min(batch, len(todo)), replace=False)
        new_duals = []
        for o in sample:
            status, radial, highs_basis = lp.phase_one(X[o], Y[o])
            lp_solves += 1
            pending[o] = False
            out.status[o] = status
            if highs_basis is None:
                continue
            out.radial[o] = radial
            bases.append(Basis.from_highs(highs_basis, lp))
            new_duals.append(lp.row_duals())
            out.no_slack[o] = _strict(new_duals[-1], lp)
            out.plane[o] = len(bases) - 1
            out.weights(np.array([o]), np.arange(lp.n_ref), lp.weights()[None, :])
        todo = np.flatnonzero(pending)
        if new_duals and len(todo):
            first = len(bases) - len(new_duals)
            bounds = hyperplane_bounds(lp, np.array(new_duals), X[todo], Y[todo])
            filled = np.where(np.isnan(bounds), -np.inf if maximise else np.inf, bounds)
            pick = filled.argmax(axis=1) if maximise else filled.argmin(axis=1)
            value = filled[np.arange(len(todo)), pick]
            better = value > best[todo] if maximise else value < best[todo]
            best[todo[better]] = value[better]
            best_plane[todo[better]] = first + pick[better]
        candidates = todo[(best_plane[todo] >= 0) & (best_plane[todo] != tried_plane[todo])]
        for plane in np.unique(best_plane[candidates]):
            units = candidates[best_plane[candidates] == plane]
            tried_plane[units] = plane
            check = verify(lp, bases[plane], X[units], Y[units])
            done = units[check.ok]
            pending[done] = False
            out.status[done] = "optimal"
            out.radial[done] = check.radial[check.ok]
            out.plane[done] = plane
            out.no_slack[done] = _strict(check.duals[check.ok], lp)
            out.weights(done, check.lambda_cols, check.weights[check.ok])
        batch = min(batch * 2, 512)
    out.lp_solves = lp_solves  # type: ignore[attr-defined]
    return out.matrix(k, lp.n_ref)


def _strict(duals: np.ndarray, lp: EnvelopmentLP) -> np.ndarray:
    return (np.abs(duals[..., : lp.m + lp.s]) > _TOL).all(axis=-1)


def _phase_two(lp: EnvelopmentLP, X: np.ndarray, Y: np.ndarray, one: _Collector, two: _Collector) -> int:
    """Maximal slacks; units that shared a phase-one basis usually share the phase-two basis too."""
    lp_solves = 0
    optimal = np.flatnonzero(one.status == "optimal")
    # By complementary slackness the phase-one weights are already phase-two optimal there.
    settled = optimal[one.no_slack[optimal]]
    if len(settled):
        rows = one.matrix(len(one.status), lp.n_ref)[settled].tocoo()
        two.weights_coo(settled[rows.row], rows.col, rows.data)
    optimal = optimal[~one.no_slack[optimal]]
    groups: dict[int, list[int]] = {}
    for unit, plane in zip(optimal, one.plane[optimal], strict=True):
        key = int(plane) if plane >= 0 else -1 - int(unit)
        groups.setdefault(key, []).append(int(unit))
    known: list[Basis] = []
    for members in groups.values():
        pending = np.array(members)
        for basis in known[-4:]:
            if len(pending) == 0:
                break
            pending = _accept_phase_two(lp, basis, X, Y, one, two, pending)
        while len(pending):
            o = int(pending[0])
            weights, highs_basis = lp.phase_two(X[o], Y[o], one.radial[o])
            lp_solves += 1
            two.weights(np.array([o]), np.arange(lp.n_ref), weights[None, :])
            basis = Basis.from_highs(highs_basis, lp)
            known.append(basis)
            pending = _accept_phase_two(lp, basis, X, Y, one, two, pending[1:])
    return lp_solves


def _accept_phase_two(lp: EnvelopmentLP, basis: Basis, X: np.ndarray, Y: np.ndarray, one: _Collector,
                      two: _Collector, units: np.ndarray) -> np.ndarray:
    if len(units) == 0:
        return units
    check = verify(lp, basis, X[units], Y[units], phase_two=True, radial=one.radial[units])
    two.weights(units[check.ok], check.lambda_cols, check.weights[check.ok])
    return units[~check.ok]


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
