"""Plan balancing by linear programming (HiGHS): how much of the final-demand targets can be met.

The classic material-balance LP (Kantorovich; Dorfman, Samuelson & Solow 1958, ch. 9)::

    max  phi                                   (objective="max_fulfilment")
    s.t. x_i - (A x)_i - phi * t_i >= 0        balance:<sector>   net output covers the targets
         x_j <= capacity_j                     capacity:<sector>  (column bounds)
         sum_j l_j x_j <= labour               labour
         sum_j r_kj x_j <= available_k         resource:<name>
         x >= 0

With ``objective="weighted"`` each sector has its own fulfilment ``0 <= phi_i <= 1`` and the LP
maximises ``sum_i w_i t_i phi_i`` (priorities ``w``, default 1). Shadow prices are the duals: the gain
in objective per extra unit of capacity, labour or resource, and per extra unit of a product supplied
from outside the plan (``balance:<sector>``).

>>> from gosplan.engines.balance.table import IOTable
>>> t = IOTable.from_coefficients([[0.1, 0.3], [0.2, 0.1]], labels=["coal", "steel"])
>>> r = t.balance_plan({"coal": 100, "steel": 50}, capacity={"coal": 150, "steel": 100})
>>> round(r.fulfilment, 4), r.binding
(1.0714, ['capacity:coal'])
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.engines.balance.highs import solve_lp

if TYPE_CHECKING:
    from gosplan.engines.balance.table import IOTable

BINDING_TOL = 1e-7


@dataclass(frozen=True)
class PlanBalance:
    """Result of :func:`balance_plan`.

    ``plan``: one row per sector (output, capacity, utilisation, net output, target, fulfilment,
    shadow prices). ``constraints``: one row per constraint (kind, activity, limit, slack, binding,
    shadow_price). ``fulfilment``: the uniform level (or the target-weighted mean for "weighted").
    """

    objective: str
    objective_value: float
    fulfilment: float
    plan: pd.DataFrame
    constraints: pd.DataFrame
    status: str
    iterations: int

    @property
    def binding(self) -> list[str]:
        """Binding capacities, labour and resources with a non-zero shadow price, most valuable first.

        (Product balances bind almost always; their prices are in ``plan["product_shadow_price"]``.)
        """
        c = self.constraints
        chosen = c[c["binding"] & (c["kind"] != "balance") & (c["shadow_price"].abs() > BINDING_TOL)]
        return list(chosen.sort_values("shadow_price", ascending=False, key=abs).index)

    @property
    def shadow_prices(self) -> pd.Series:
        """Shadow price of every constraint, by name."""
        return self.constraints["shadow_price"]


def _named(table: IOTable, values: Any, name: str, default: float) -> np.ndarray:
    if values is None:
        return np.full(table.n, default)
    if isinstance(values, Mapping | pd.Series):
        series = pd.Series(values, dtype=np.float64)
        unknown = series.index.difference(table.labels)
        if len(unknown):
            raise ValueError(f"{name}: unknown sectors {list(unknown[:5])}")
        return series.reindex(table.labels).fillna(default).to_numpy()
    array = np.asarray(values, dtype=np.float64)
    if array.shape != (table.n,):
        raise ValueError(f"{name} must have {table.n} entries")
    return array


def balance_plan(table: IOTable, targets: Any, *, capacity: Any = None, labour: float | None = None,
                 labour_coefficients: Any = None, resources: Mapping[str, tuple[Any, float]] | None = None,
                 objective: Literal["max_fulfilment", "weighted"] = "max_fulfilment", weights: Any = None,
                 solver: str = "choose", time_limit: float | None = None) -> PlanBalance:
    """Largest uniform (or weighted) fulfilment of final-demand ``targets`` within the limits.

    ``capacity``: maximum gross output per sector (missing = unlimited). ``labour``: total labour
    available, used at ``labour_coefficients`` per unit of output (default: the table's employment per
    unit of output). ``resources``: name -> (use per unit of output of each sector, amount available).
    Raises :class:`gosplan.errors.SolverError` when HiGHS does not report an optimum.
    """
    n = table.n
    t = _named(table, targets, "targets", 0.0)
    cap = _named(table, capacity, "capacity", np.inf)
    if np.any(t < 0):
        raise ValueError("targets must be non-negative")
    I_minus_A = sp.csc_array(sp.identity(n, format="csc") - table.A)
    weighted = objective == "weighted"
    if objective not in ("max_fulfilment", "weighted"):
        raise ValueError("objective must be 'max_fulfilment' or 'weighted'")
    phi_block = sp.diags_array(-t, format="csc") if weighted else sp.csc_array(-t[:, None])
    n_phi = n if weighted else 1
    blocks: list[list[Any]] = [[I_minus_A, phi_block]]
    names = [f"balance:{s}" for s in table.labels]
    kinds = ["balance"] * n
    lower = [np.zeros(n)]
    upper = [np.full(n, np.inf)]
    if labour is not None:
        l_coef = (_named(table, labour_coefficients, "labour_coefficients", 0.0) if labour_coefficients is not None
                  else table.coefficients("employment"))
        blocks.append([sp.csc_array(l_coef[None, :]), None])
        names.append("labour")
        kinds.append("labour")
        lower.append(np.array([-np.inf]))
        upper.append(np.array([float(labour)]))
    for name, (coef, available) in (resources or {}).items():
        blocks.append([sp.csc_array(_named(table, coef, f"resource {name}", 0.0)[None, :]), None])
        names.append(f"resource:{name}")
        kinds.append("resource")
        lower.append(np.array([-np.inf]))
        upper.append(np.array([float(available)]))
    if len(blocks) > 1:
        blocks[1][1] = sp.csc_array((1, n_phi))
    M = sp.block_array(blocks, format="csc")
    row_lower, row_upper = np.concatenate(lower), np.concatenate(upper)
    w = _named(table, weights, "weights", 1.0)
    cost = np.concatenate([np.zeros(n), w * t if weighted else [1.0]])
    col_lower = np.zeros(n + n_phi)
    col_upper = np.concatenate([cap, np.ones(n) if weighted else [np.inf]])
    # Column scale: the output needed for the full targets, L t (one solve), or the capacity if that
    # is smaller; keeps the scaled outputs near 1 whatever the units of the table.
    need = table.solver.solve(t) if t.any() else np.ones(n)
    scale = np.where(np.isfinite(cap) & (cap > 0), np.minimum(np.maximum(need, 1e-12), cap), np.maximum(need, 1.0))
    scale = np.where(scale > 0, scale, 1.0)
    col_scale = np.concatenate([scale, np.ones(n_phi)])
    if weighted:
        col_scale[n:] = 1.0
    sol = solve_lp(cost, M, row_lower, row_upper, col_lower, col_upper, maximize=True, col_scale=col_scale,
                   solver=solver, time_limit=time_limit, what="balance_plan")
    x = sol.x[:n]
    phi = sol.x[n:]
    net = sol.row_activity[:n] + (t * phi if weighted else t * phi[0])
    limits = np.concatenate([row_lower[:n], row_upper[n:]])
    activity = sol.row_activity
    slack = np.where(np.arange(len(names)) < n, activity - limits, limits - activity)
    row_scale_ref = np.maximum(np.abs(limits), 1.0)
    constraints = pd.DataFrame({
        "kind": kinds, "activity": activity, "limit": limits, "slack": slack,
        "binding": np.abs(slack) <= BINDING_TOL * row_scale_ref,
        # sensitivity to one more unit of the resource; a balance row gains from extra supply, and
        # extra supply lowers the row's lower bound, hence the sign change
        "shadow_price": np.where(np.arange(len(names)) < n, -sol.row_dual, sol.row_dual),
    }, index=pd.Index(names, name="constraint"))
    cap_rows = np.flatnonzero(np.isfinite(cap))
    cap_frame = pd.DataFrame({
        "kind": "capacity", "activity": x[cap_rows], "limit": cap[cap_rows], "slack": cap[cap_rows] - x[cap_rows],
        "binding": cap[cap_rows] - x[cap_rows] <= BINDING_TOL * np.maximum(cap[cap_rows], 1.0),
        "shadow_price": np.maximum(sol.col_dual[:n][cap_rows], 0.0),
    }, index=pd.Index([f"capacity:{table.labels[j]}" for j in cap_rows], name="constraint"))
    constraints = pd.concat([constraints, cap_frame])
    with np.errstate(divide="ignore", invalid="ignore"):
        fulfil = np.where(t > 0, net / np.where(t > 0, t, 1.0), np.nan)
        utilisation = np.where(np.isfinite(cap) & (cap > 0), x / np.where(cap > 0, cap, 1.0), np.nan)
    capacity_price = np.zeros(n)
    capacity_price[cap_rows] = cap_frame["shadow_price"].to_numpy()
    plan = pd.DataFrame({
        "output": x, "capacity": cap, "utilisation": utilisation, "net_output": net, "target": t,
        "fulfilment": fulfil, "capacity_shadow_price": capacity_price, "product_shadow_price": -sol.row_dual[:n],
    }, index=table.labels)
    level = float(phi[0]) if not weighted else float((t * phi).sum() / t.sum()) if t.sum() else 1.0
    return PlanBalance(objective, sol.objective, level, plan, constraints, sol.status, sol.iterations)
