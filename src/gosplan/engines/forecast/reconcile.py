"""Coherent forecasts across a hierarchy: provinces add up to the nation, enterprises to their province.

Forecasts made series by series do not add up: the nation's year-end total is not the sum of its
provinces'. Reconciliation maps the base forecasts ``ŷ`` of every node onto the coherent subspace,
``ỹ = S G ŷ`` with the summing matrix ``S`` (each node as a sum of the bottom series) and
``G = (Sᵀ W⁻¹ S)⁻¹ Sᵀ W⁻¹``, which is unbiased (``S G S = S``). The choice of ``W``:

- ``"ols"``: ``W = I`` (Hyndman et al. 2011, "Optimal combination forecasts for hierarchical time series");
- ``"wls"``: ``W = diag(variance)``, each node weighted by the variance of its own forecast error;
- ``"mint_shrink"``: ``W`` = the covariance of the base forecast errors, with the correlations shrunk
  towards zero by the Schäfer-Strimmer intensity (Wickramasuriya, Athanasopoulos & Hyndman 2019,
  "Optimal forecast reconciliation for hierarchical and grouped time series through trace
  minimization", JASA 114(526)). Needs residuals of the base forecasts, one column per node.

The reconciled covariance ``S G W Gᵀ Sᵀ`` gives each node's interval and probability of attaining its
target from the reconciled distribution (normal), so the probabilities shown for provinces and for
the nation come from one coherent set of forecasts.

>>> import numpy as np
>>> S = summing_matrix({"north": "nation", "south": "nation"}, ["north", "south"])
>>> S.nodes, S.matrix.toarray().tolist()
(['nation', 'north', 'south'], [[1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
>>> result = reconcile(np.array([100.0, 40.0, 50.0]), S, method="ols")
>>> [round(float(v), 6) for v in result.mean]
[96.666667, 43.333333, 53.333333]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.stats import norm

METHODS = ("ols", "wls", "mint_shrink")


@dataclass(frozen=True)
class Hierarchy:
    """The summing matrix of a hierarchy: ``matrix[i, j] = 1`` when bottom series ``j`` is in node ``i``."""

    nodes: list[str]
    bottom: list[str]
    matrix: sp.csr_matrix


@dataclass(frozen=True)
class Reconciled:
    """Reconciled forecasts of every node (in the order of :attr:`Hierarchy.nodes`)."""

    nodes: list[str]
    mean: np.ndarray
    covariance: np.ndarray
    method: str
    shrinkage: float | None = None

    @property
    def sd(self) -> np.ndarray:
        return np.sqrt(np.clip(np.diag(self.covariance), 0.0, None))

    def p_attain(self, targets: np.ndarray) -> np.ndarray:
        """P(total >= target) for each node from its reconciled normal distribution (NaN target -> NaN)."""
        targets = np.asarray(targets, dtype=float)
        sd = self.sd
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (targets - self.mean) / sd
        p = norm.sf(z)
        return np.where(sd > 0, p, np.where(self.mean >= targets, 1.0, 0.0))

    def frame(self, targets: Mapping[str, float] | None = None, level: float = 0.8) -> pd.DataFrame:
        """``DataFrame[node, mean, sd, lower, upper, target, p_attain]`` (``level`` sets the interval)."""
        z = norm.ppf(0.5 + level / 2)
        target = np.array([(targets or {}).get(node, np.nan) for node in self.nodes], dtype=float)
        return pd.DataFrame({"node": self.nodes, "mean": self.mean, "sd": self.sd,
                             "lower": self.mean - z * self.sd, "upper": self.mean + z * self.sd,
                             "target": target, "p_attain": self.p_attain(target)})


def summing_matrix(parent_of: Mapping[str, str | None], bottom: Sequence[str]) -> Hierarchy:
    """The hierarchy whose bottom series are ``bottom`` and whose aggregates are their ancestors.

    ``parent_of`` maps a node to its parent (None or absent at the top). Nodes come out top-down
    (every aggregate before its children, siblings in the order first met), bottom series last in
    their given order when they have no children. A bottom series that is an ancestor of another is
    refused: forecasts of a node and of its parts cannot both be bottom.
    """
    bottom = list(bottom)
    if len(set(bottom)) != len(bottom):
        raise ValueError("bottom series are listed more than once")
    ancestors: dict[str, list[str]] = {}
    for leaf in bottom:
        chain, node, seen = [], parent_of.get(leaf), {leaf}
        while node is not None:
            if node in seen:
                raise ValueError(f"the hierarchy has a cycle through {node!r}")
            seen.add(node)
            chain.append(node)
            node = parent_of.get(node)
        ancestors[leaf] = chain[::-1]
    clash = set(bottom) & {a for chain in ancestors.values() for a in chain}
    if clash:
        raise ValueError(f"bottom series are also aggregates: {sorted(clash)}")
    order: list[str] = []
    for leaf in bottom:
        for node in ancestors[leaf]:
            if node not in order:
                order.append(node)
    nodes = order + bottom
    index = {node: i for i, node in enumerate(nodes)}
    rows, cols = [], []
    for j, leaf in enumerate(bottom):
        for node in [*ancestors[leaf], leaf]:
            rows.append(index[node])
            cols.append(j)
    matrix = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(nodes), len(bottom)))
    return Hierarchy(nodes=nodes, bottom=bottom, matrix=matrix)


def shrunk_covariance(residuals: np.ndarray) -> tuple[np.ndarray, float]:
    """The Schäfer-Strimmer shrinkage estimate of the covariance of ``residuals`` (T x n; NaN rows of a
    column are ignored pairwise) and its intensity λ: correlations are shrunk by λ towards zero,
    variances kept (Schäfer & Strimmer 2005, target "D"; as used by MinT)."""
    x = np.asarray(residuals, dtype=float)
    x = x - np.nanmean(x, axis=0)
    n = x.shape[1]
    filled = np.nan_to_num(x)
    count = (~np.isnan(x)).astype(float)
    pairs = count.T @ count
    sd = np.sqrt(np.nansum(x * x, axis=0) / np.maximum(count.sum(axis=0) - 1, 1))
    sd = np.where(sd > 0, sd, 1.0)
    standard = filled / sd
    products = standard[:, :, None] * standard[:, None, :] if n <= 400 else None
    correlation = (standard.T @ standard) / np.maximum(pairs - 1, 1)
    if products is not None:
        # Var of each correlation estimate (Schäfer & Strimmer 2005, eq. for the "D" target).
        w = products - (standard.T @ standard / np.maximum(pairs, 1))[None, :, :]
        variance = (w * w).sum(axis=0) * pairs / np.maximum(pairs - 1, 1) ** 3
    else:  # large hierarchies: the same estimate, column block by column block to bound memory
        variance = np.zeros((n, n))
        for start in range(0, n, 200):
            block = standard[:, start:start + 200]
            prod = block[:, :, None] * standard[:, None, :]
            mean = (block.T @ standard) / np.maximum(pairs[start:start + 200], 1)
            w = prod - mean[None, :, :]
            variance[start:start + 200] = ((w * w).sum(axis=0) * pairs[start:start + 200]
                                           / np.maximum(pairs[start:start + 200] - 1, 1) ** 3)
    off = ~np.eye(n, dtype=bool)
    denominator = float((correlation[off] ** 2).sum())
    intensity = 1.0 if denominator == 0 else float(np.clip(variance[off].sum() / denominator, 0.0, 1.0))
    shrunk = correlation * (1 - intensity)
    np.fill_diagonal(shrunk, 1.0)
    return shrunk * np.outer(sd, sd), intensity


def reconcile(mean: np.ndarray, hierarchy: Hierarchy, *, method: str = "mint_shrink",
              variance: np.ndarray | None = None, residuals: np.ndarray | None = None) -> Reconciled:
    """Reconcile base forecasts ``mean`` (one per node of ``hierarchy``, in its order).

    ``variance`` is each base forecast's error variance (needed for ``"wls"``; for ``"mint_shrink"``
    it rescales the residual covariance so that each node keeps its own forecast variance).
    ``residuals`` (T x nodes) are past errors of the base forecasts, needed for ``"mint_shrink"``.
    The reconciled covariance is ``S G W Gᵀ Sᵀ`` (for ``"ols"`` with ``W = diag(variance)`` when a
    variance is given, so that intervals stay on the data's scale).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    S = hierarchy.matrix.toarray()
    n = S.shape[0]
    base = np.asarray(mean, dtype=float)
    if base.shape != (n,):
        raise ValueError(f"expected {n} base forecasts (one per node), got {base.shape}")
    if np.isnan(base).any():
        missing = [hierarchy.nodes[i] for i in np.flatnonzero(np.isnan(base))]
        raise ValueError(f"base forecasts missing for {missing}")
    var = None if variance is None else np.asarray(variance, dtype=float)
    shrinkage = None
    if method == "ols":
        weights = np.eye(n)
        error_cov = np.diag(var) if var is not None else np.eye(n)
    elif method == "wls":
        if var is None:
            raise ValueError("wls needs the variance of each base forecast")
        weights = error_cov = np.diag(np.maximum(var, 1e-12 * max(var.max(), 1.0)))
    else:
        if residuals is None:
            raise ValueError("mint_shrink needs residuals of the base forecasts (T x nodes)")
        covariance, shrinkage = shrunk_covariance(residuals)
        if var is not None:
            scale = np.sqrt(np.maximum(var, 0.0) / np.maximum(np.diag(covariance), 1e-300))
            covariance = covariance * np.outer(scale, scale)
        weights = error_cov = covariance
    precision_s = np.linalg.solve(weights, S)               # W⁻¹ S
    G = np.linalg.solve(S.T @ precision_s, precision_s.T)    # (Sᵀ W⁻¹ S)⁻¹ Sᵀ W⁻¹
    projection = S @ G
    reconciled = projection @ base
    covariance_out = projection @ error_cov @ projection.T
    return Reconciled(nodes=list(hierarchy.nodes), mean=reconciled, covariance=covariance_out,
                      method=method, shrinkage=shrinkage)


__all__ = ["METHODS", "Hierarchy", "Reconciled", "reconcile", "shrunk_covariance", "summing_matrix"]
