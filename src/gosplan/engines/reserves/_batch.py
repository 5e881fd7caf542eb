"""Score many units against one reference set with few LP solves: verify optimal bases in batch.

Units that project onto the same face of the frontier share the optimal basis of their envelopment
LP; only the radial column and the bounds change from unit to unit. So after HiGHS solves one unit,
its basis is checked for every other unit at once with numpy: solve the small square basis system
for the primal values, solve its transpose for the duals, and test primal feasibility, dual
feasibility (reduced costs of every reference column) and the sign of every row dual. A basis that
passes both tests is optimal (the simplex method's own certificate), so the score read from it is the
LP optimum, not an approximation. Units that no known basis fits get their own HiGHS solve.

Where candidate bases come from: first the facets of the technology (``_facets``): every simplicial
facet with the radial column is a basis, and the facet whose hyperplane gives the tightest score
bound is tried (in single precision for the choice, exact for the check). For the units no facet fits
(rare; degenerate data), HiGHS solves a sample, and every optimal dual of a solved unit is a
supporting hyperplane of the technology, feasible for all units after rescaling, so it bounds every
unit's score (below in input orientation, above in output orientation). The hyperplane with the
tightest bound is the one most likely to be the unit's own optimal face; its basis is tried first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from gosplan.engines.reserves._lp import EnvelopmentLP
from gosplan.engines.reserves._verify import (
    _TOL,
    Basis,
    bound_terms,
    bounds_at,
    hyperplane_bounds,
    verify,
    verify_many,
)

_SLACK_TOL = 1e-9


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
    duals, generators, neighbours = candidates
    is_lambda = generators < lp.n_ref
    n_lambda = is_lambda.sum(axis=1)
    maximise = lp.orientation == "input"
    # First pass: walk the facet graph to each unit's best facet. The verification is exact, and
    # units the walk leaves on a wrong facet (ties on triangulated faces) get the full scan below.
    pending = np.arange(k)
    choice = _walk_facets(lp, duals, neighbours, X, Y, maximise)
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


def _walk_facets(lp: EnvelopmentLP, duals: np.ndarray, neighbours: np.ndarray, X: np.ndarray, Y: np.ndarray,
                 maximise: bool, start_sample: int = 256, max_steps: int = 500) -> np.ndarray:
    """Per unit, the facet with the tightest score bound found by walking the facet graph (-1: none).

    A unit's score bound is a linear objective over its dual polytope, whose vertices are the facets
    and whose edges join facets sharing a ridge; so, as in the simplex method, a facet no neighbour
    improves on is the best of all. Each unit starts at the best of a sample of facets and moves to
    its best neighbour while that is strictly better: a few dozen steps of units x neighbours work
    instead of a units x facets scan.
    """
    sign = 1.0 if maximise else -1.0
    terms = bound_terms(lp, duals, X, Y)
    sample = np.random.default_rng(0).choice(len(duals), size=min(len(duals), start_sample), replace=False)
    choice = np.empty(len(X), dtype=np.int64)
    value = np.empty(len(X))
    for start in range(0, len(X), _UNIT_CHUNK):
        part = slice(start, start + _UNIT_CHUNK)
        bounds = sign * _ratio_scan(terms, sample, part, fill=-sign * np.inf)
        pick = bounds.argmax(axis=1)
        choice[part] = sample[pick]
        value[part] = bounds[np.arange(len(pick)), pick]
    active = np.arange(len(X))
    for _ in range(max_steps):
        if len(active) == 0:
            break
        near = neighbours[choice[active]]
        a, b, p, q = terms
        bounds = sign * bounds_at((a[active], b[active], p, q), near, fill=-sign * np.inf)
        pick = bounds.argmax(axis=1)
        best = bounds[np.arange(len(active)), pick]
        current = value[active]
        margin = np.where(np.isfinite(current), 1e-12 * (1 + np.abs(current)), 0.0)
        moves = best > current + margin
        active = active[moves]
        choice[active] = near[moves, pick[moves]]
        value[active] = best[moves]
    return np.where(np.isfinite(value), choice, -1)


def _ratio_scan(terms: tuple[np.ndarray, ...], facets: np.ndarray, units: slice, fill: float) -> np.ndarray:
    a, b, p, q = terms
    return bounds_at((a[units], b[units], p, q), np.broadcast_to(facets, (len(a[units]), len(facets))), fill)


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
            basis = Basis.from_highs(highs_basis, lp)
            known.append(basis)
            # The unit's own weights are read from its basis too: exact, not to HiGHS's tolerance.
            pending = _accept_phase_two(lp, basis, X, Y, one, two, pending)
            if len(pending) and pending[0] == o:
                two.weights(np.array([o]), np.arange(lp.n_ref), weights[None, :])
                pending = pending[1:]
    return lp_solves


def _accept_phase_two(lp: EnvelopmentLP, basis: Basis, X: np.ndarray, Y: np.ndarray, one: _Collector,
                      two: _Collector, units: np.ndarray) -> np.ndarray:
    if len(units) == 0:
        return units
    check = verify(lp, basis, X[units], Y[units], phase_two=True, radial=one.radial[units])
    two.weights(units[check.ok], check.lambda_cols, check.weights[check.ok])
    return units[~check.ok]
