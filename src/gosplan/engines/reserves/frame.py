"""The small set of units that spans the whole DEA technology (the "frame").

The large-scale DEA literature (Dulá's BuildHull; Khezrimotlagh, Zhu, Cook & Toloo 2019, EJOR
274(3), "Data envelopment analysis and big data") first finds the extreme efficient units and then
scores everyone against them. :func:`efficient_frame` finds them as the vertices of the technology
cone (units plus slack directions, see :mod:`gosplan.engines.reserves._facets`) with Qhull; when Qhull
cannot be used (degenerate data) it falls back to a BuildHull-style loop of LPs against a growing
frame. :func:`nondominated` (vectorised Pareto screening) is kept as a cheap standalone screen.

Why scores against the frame equal scores against all units: a unit with input score below one lies
inside the technology spanned by the others (even if its own weight was positive, rescaling the other
weights removes it), and so does a dominated unit. The technology - the set of input/output pairs any
radial or slack model searches - is unchanged, so every radial score and every maximal slack sum is
unchanged; only the reference weights move onto frame units, which is where peers belong anyway.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gosplan.engines.reserves._batch import score_units
from gosplan.engines.reserves._lp import EnvelopmentLP, column_scale
from gosplan.runner import Runner, chunk_bounds

_BLOCK = 1024
# Inside the frame's technology means an input score of at most one; the margin only absorbs
# round-off of the verified basis solution (~1e-14), far below the 1e-9 the scores are held to.
_OUTSIDE_TOL = 1e-12
_SAMPLE = 5_000
_DIRECTIONS = 64


def nondominated(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Indices (ascending) of the units no other unit dominates.

    A unit dominates another when it uses no more of every input, makes no less of every output and
    is strictly better in at least one. Identical units do not dominate each other.

    >>> X = np.array([[1.0], [2.0], [1.0]]); Y = np.array([[1.0], [1.0], [2.0]])
    >>> nondominated(X, Y).tolist()
    [2]
    """
    Z = np.hstack([X, -Y]) / column_scale(np.hstack([X, Y]))
    # A dominator has a strictly smaller coordinate sum, so in this order a unit can only be
    # dominated by units before it: one sweep, comparing each block with the survivors so far.
    order = np.argsort(Z.sum(axis=1), kind="stable")
    survivors = np.empty(0, dtype=np.int64)
    for start in range(0, len(order), _BLOCK):
        block = order[start : start + _BLOCK]
        alive = ~_dominated_by(Z[block], Z[survivors])
        block = block[alive]
        alive = ~_dominated_by(Z[block], Z[block])
        survivors = np.concatenate([survivors, block[alive]])
    return np.sort(survivors)


def _dominated_by(candidates: np.ndarray, others: np.ndarray) -> np.ndarray:
    out = np.zeros(len(candidates), bool)
    if len(others) == 0 or len(candidates) == 0:
        return out
    step = max(1, 4_000_000 // (len(candidates) * candidates.shape[1]))
    for start in range(0, len(others), step):
        o = others[start : start + step][None, :, :]
        c = candidates[:, None, :]
        weak = (o <= c).all(axis=2)
        strict = (o < c).any(axis=2)
        out |= (weak & strict).any(axis=1)
    return out


def _nondominated_chunk(args: tuple[np.ndarray, np.ndarray, int]) -> np.ndarray:
    X, Y, offset = args
    return nondominated(X, Y) + offset


def nondominated_chunked(X: np.ndarray, Y: np.ndarray, runner: Runner | None = None,
                         chunk_size: int = 100_000) -> np.ndarray:
    """:func:`nondominated` with the first sweep done chunk by chunk through ``runner``."""
    if runner is None or len(X) <= chunk_size:
        return nondominated(X, Y)
    chunks: Sequence[tuple[np.ndarray, np.ndarray, int]] = [
        (X[a:b], Y[a:b], a) for a, b in chunk_bounds(len(X), chunk_size)
    ]
    local = np.concatenate(runner.map(_nondominated_chunk, chunks, description="screening units"))
    return local[nondominated(X[local], Y[local])]


def efficient_frame(X: np.ndarray, Y: np.ndarray, rts: str = "crs", runner: Runner | None = None,
                    chunk_size: int = 100_000, seed: int = 0) -> np.ndarray:
    """Indices (ascending) of a set of units whose DEA technology equals that of all units.

    Contains every extreme efficient unit (and possibly a few other efficient ones, which changes
    nothing but speed). ``X`` and ``Y`` should already be scaled by column. BuildHull-style: start
    from units that are efficient for sure (the frame of a random sample, and the best units along
    random price directions), score every other unit against the current frame, drop those inside its
    technology for good, add the ones farthest outside, and repeat until nobody is outside.

    >>> X = np.array([[1.0], [2.0], [4.0]]); Y = np.array([[1.0], [3.0], [4.0]])
    >>> efficient_frame(X, Y, rts="vrs").tolist()
    [0, 1, 2]
    >>> efficient_frame(X, Y, rts="crs").tolist()
    [1]
    """
    n = len(X)
    from gosplan.engines.reserves._facets import hull_frame

    hull = hull_frame(X, Y, rts)
    if hull is not None:
        return hull
    rng = np.random.default_rng(seed)
    frame = _sure_efficient(X, Y, rts, rng)
    if n > 4 * _SAMPLE:
        sample = np.union1d(rng.choice(n, size=n // 8, replace=False), frame)
        inner = efficient_frame(X[sample], Y[sample], rts, runner, chunk_size, seed)
        frame = np.union1d(frame, sample[inner])
    active = np.setdiff1d(np.arange(n), frame)
    while len(active):
        lp = EnvelopmentLP(X[frame], Y[frame], rts=rts, orientation="input")
        scores = score_units(lp, X[active], Y[active])
        # Outside the frame's technology: input score above one, or no feasible reference at all.
        distance = np.where(scores.status == "optimal", scores.radial, np.inf)
        outside = distance > 1.0 + _OUTSIDE_TOL
        active, distance = active[outside], distance[outside]
        if len(active) == 0:
            break
        take = max(8, len(active) // 10)
        farthest = np.argsort(-distance, kind="stable")[:take]
        frame = np.union1d(frame, active[farthest])
        active = np.delete(active, farthest)
    return frame


def _sure_efficient(X: np.ndarray, Y: np.ndarray, rts: str, rng: np.random.Generator) -> np.ndarray:
    """Units that maximise output value over input cost (CRS) or their difference, for random prices."""
    prices_x = rng.uniform(0.05, 1.0, (_DIRECTIONS, X.shape[1]))
    prices_y = rng.uniform(0.05, 1.0, (_DIRECTIONS, Y.shape[1]))
    cost = X @ prices_x.T
    value = Y @ prices_y.T
    with np.errstate(divide="ignore", invalid="ignore"):
        best = [np.nanargmax(np.where(cost > 0, value / cost, np.nan), axis=0)]
    if rts != "crs":
        best.append(np.argmax(value - cost, axis=0))
    return np.unique(np.concatenate(best))
