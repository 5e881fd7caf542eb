"""Candidate optimal bases from the facets of the technology (Qhull), for ``_batch.score_units``.

The envelopment LP's columns are the generators of the technology cone: one per reference unit
(its inputs and outputs, lifted by a 1 when returns to scale are not constant) and one per row slack
(+e_i for an input, -e_r for an output, +/-e_t for the convexity row under DRS/IRS). A simplicial
facet of that cone is spanned by exactly as many generators as the LP has rows minus one; together
with the radial column they form a basis. Qhull (scipy.spatial.ConvexHull) enumerates the facets
of a cross-section of the cone; each facet's normal is a supporting hyperplane, i.e. a dual
solution, which bounds every unit's score, and the facet with the tightest bound is the basis to
verify. Nothing here is trusted: ``_batch.verify`` checks every candidate basis exactly, and units
without a verified candidate fall back to LP solves.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import ConvexHull, QhullError

from gosplan.engines.reserves._lp import EnvelopmentLP


def technology_hull(X: np.ndarray, Y: np.ndarray, rts: str,
                    coplanar: bool = False) -> tuple[ConvexHull, np.ndarray, list[int]] | None:
    """Qhull of a cross-section of the technology cone spanned by units ``(X, Y)`` and the slacks.

    Returns ``(hull, generators, slack_rows)``: point ``j < len(X)`` of the hull is unit ``j``, point
    ``len(X) + i`` the slack of row ``slack_rows[i]``. None when the data are too degenerate.
    """
    n, m = X.shape
    s = Y.shape[1]
    lifted = rts != "crs"
    dim = m + s + (1 if lifted else 0)
    units = np.hstack([X, Y] + ([np.ones((n, 1))] if lifted else []))
    slack_rows = list(range(m + s))
    slacks = [np.eye(dim)[i] for i in range(m)] + [-np.eye(dim)[m + r] for r in range(s)]
    if rts in ("drs", "irs"):
        slack_rows.append(m + s)
        slacks.append(np.eye(dim)[-1] * (1.0 if rts == "drs" else -1.0))
    generators = np.vstack([units, np.array(slacks)])
    if n + len(slacks) <= dim:
        return None
    # A cut vector c with c.g > 0 for every generator, so the cone's cross-section c.z = 1 is bounded.
    x_sum = X.sum(axis=1)
    y_sum = Y.sum(axis=1)
    if x_sum.min() <= 0:
        return None
    eps = 0.25 * x_sum.min() / max(y_sum.max(), 1e-12)
    c = np.concatenate([np.ones(m), -eps * np.ones(s)])
    if lifted:
        c = np.append(c, -0.5 * x_sum.min() if rts == "irs" else 1.0)
    weight = generators @ c
    if (weight <= 0).any():
        return None
    section = generators / weight[:, None]
    # Coordinates within the hyperplane c.z = 1 (an orthonormal basis of its direction space).
    basis = np.linalg.svd(c[None, :])[2][1:]
    points = section @ basis.T
    options = "Qt Qx Qc" if coplanar else "Qt Qx"
    try:
        hull = ConvexHull(points, qhull_options=options)
    except (QhullError, ValueError):
        try:
            hull = ConvexHull(points, qhull_options="QJ")
        except (QhullError, ValueError):
            return None
    return hull, generators, slack_rows


def hull_frame(X: np.ndarray, Y: np.ndarray, rts: str) -> np.ndarray | None:
    """Units that are vertices of the technology (the extreme efficient units), or None."""
    found = technology_hull(X, Y, rts, coplanar=True)
    if found is None:
        return None
    hull = found[0]
    points = np.concatenate([hull.vertices, hull.coplanar[:, 0] if len(hull.coplanar) else []]).astype(int)
    return np.unique(points[points < len(X)])


def facet_candidates(lp: EnvelopmentLP,
                     max_generators: int = 50_000) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """``(duals, generator_sets, neighbours)``: one row per facet, or None when Qhull cannot be used here.

    ``duals`` are in the sign convention of :func:`gosplan.engines.reserves._verify.hyperplane_bounds`;
    ``generator_sets`` hold generator indices: ``j < n_ref`` is reference unit ``j``, ``n_ref + r``
    the slack of row ``r``; ``neighbours[f]`` are the facets sharing a ridge with facet ``f`` (-1 where
    that neighbour was dropped). Adjacent facets are adjacent vertices of each unit's dual polytope,
    which is what lets ``_batch`` find a unit's best facet by walking instead of scanning them all.
    """
    n, m, s = lp.n_ref, lp.m, lp.s
    lifted = lp.rts != "crs"
    if n > max_generators:
        return None
    found = technology_hull(lp.X_ref, lp.Y_ref, lp.rts)
    if found is None:
        return None
    hull, generators, slack_rows = found
    simplices = hull.simplices
    # The facet's hyperplane through the origin: normal to its dim-1 generators.
    normals = np.linalg.svd(generators[simplices])[2][:, -1, :]
    inside = generators.mean(axis=0)
    normals *= np.where(normals @ inside < 0, -1.0, 1.0)[:, None]
    # Only facets that bound the technology from the efficient side carry a dual solution:
    # nonnegative input prices and output prices (the normal is (u, -v, -w) scaled).
    valid = (normals[:, :m] >= -1e-12).all(axis=1) & (normals[:, m : m + s] <= 1e-12).all(axis=1)
    normals, simplices = normals[valid], simplices[valid]
    renumber = np.full(len(valid) + 1, -1)
    renumber[np.flatnonzero(valid)] = np.arange(valid.sum())
    neighbours = renumber[hull.neighbors[valid]]
    duals = np.hstack([-normals[:, :m], -normals[:, m : m + s]] + ([-normals[:, -1:]] if lifted else []))
    generator_sets = np.where(simplices < n, simplices, n + np.asarray(slack_rows)[np.maximum(simplices - n, 0)])
    return duals, generator_sets, neighbours
