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
from gosplan.errors import SolverError

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


def balance_plan(
    table: IOTable,
    targets: Any,
    *,
    capacity: Any = None,
    labour: float | None = None,
    labour_coefficients: Any = None,
    resources: Mapping[str, tuple[Any, float]] | None = None,
    objective: Literal["max_fulfilment", "weighted"] = "max_fulfilment",
    weights: Any = None,
    method: Literal["auto", "highs", "closed_form"] = "auto",
    solver: str = "choose",
    time_limit: float | None = None,
) -> PlanBalance:
    """Largest uniform (or weighted) fulfilment of final-demand ``targets`` within the limits.

    ``capacity``: maximum gross output per sector (missing = unlimited). ``labour``: total labour
    available, used at ``labour_coefficients`` per unit of output (default: the table's employment per
    unit of output). ``resources``: name -> (use per unit of output of each sector, amount available).

    ``method="auto"`` solves the uniform problem in closed form when it applies (``A``, labour and
    resource coefficients non-negative): since ``L >= 0`` every feasible plan has ``x >= phi L t``, so
    ``phi* = min(limit_k / (g_k' L t))`` over the capacity, labour and resource rows ``g_k``. Its optimality
    is then *proved*, not assumed: the dual solution ``nu = 1 / (g' L t)``, ``pi = nu (I - A)'^-1 g`` is
    built and checked (dual feasibility, ``t'pi = 1``, zero duality gap), else :class:`SolverError`.
    Of the optimal plans it returns the one with the least output, ``x = phi* L t``.
    Everything else (``"weighted"``, negative coefficients, ``method="highs"``) goes to HiGHS, whose
    status is checked as well.
    """
    n = table.n
    t = _named(table, targets, "targets", 0.0)
    cap = _named(table, capacity, "capacity", np.inf)
    if np.any(t < 0):
        raise ValueError("targets must be non-negative")
    if objective not in ("max_fulfilment", "weighted"):
        raise ValueError("objective must be 'max_fulfilment' or 'weighted'")
    rows: list[np.ndarray] = []
    names: list[str] = []
    limits: list[float] = []
    if labour is not None:
        rows.append(
            _named(table, labour_coefficients, "labour_coefficients", 0.0)
            if labour_coefficients is not None
            else table.coefficients("employment")
        )
        names.append("labour")
        limits.append(float(labour))
    for name, (coef, available) in (resources or {}).items():
        rows.append(_named(table, coef, f"resource {name}", 0.0))
        names.append(f"resource:{name}")
        limits.append(float(available))
    G = sp.csr_array(np.vstack(rows)) if rows else sp.csr_array((0, n))
    b = np.asarray(limits, dtype=np.float64)
    closed_ok = (
        objective == "max_fulfilment"
        and t.any()
        and (table.A.data >= 0).all()
        and (G.data >= 0).all()
        and (b >= 0).all()
        and (cap >= 0).all()
    )
    if method == "closed_form" and not closed_ok:
        raise ValueError(
            "the closed form needs objective='max_fulfilment', non-negative A, coefficients and limits"
        )
    if method != "highs" and closed_ok:
        solution = _closed_form(table, t, cap, G, b)
    else:
        solution = _highs(
            table, t, cap, G, b, objective, _named(table, weights, "weights", 1.0), solver, time_limit
        )
    return _assemble(table, t, cap, G, b, names, objective, *solution)


def _closed_form(
    table: IOTable, t: np.ndarray, cap: np.ndarray, G: sp.csr_array, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, str, int]:
    solver = table.solver
    need = solver.solve(t)  # L t: output per unit of uniform fulfilment
    finite = np.flatnonzero(np.isfinite(cap))
    use = np.concatenate([need[finite], G @ need])
    limit = np.concatenate([cap[finite], b])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(use > 0, limit / np.where(use > 0, use, 1.0), np.inf)
    if not len(ratio) or not np.isfinite(ratio).any():
        raise SolverError(
            "balance_plan: unbounded, no capacity, labour or resource limit restricts the targets"
        )
    k = int(np.argmin(ratio))
    phi = float(ratio[k])
    x = phi * need
    g = np.zeros(table.n)
    if k < len(finite):
        g[finite[k]] = 1.0
    else:
        g = G[[k - len(finite)], :].toarray().ravel()
    nu = 1.0 / use[k]
    pi = solver.solve(nu * g, transpose=True)  # product valuations: pi' (I - A) = nu g'
    # optimality certificate for max phi s.t. (I - A)x >= phi t, x <= cap, G x <= b, x >= 0
    reduced = nu * g - (pi - table.A.T @ pi)
    scale = max(1.0, float(np.abs(pi).max()))
    gap = abs(nu * limit[k] - phi)
    if (
        pi.min() < -1e-9 * scale
        or np.abs(reduced).max() > 1e-8 * scale
        or abs(t @ pi - 1.0) > 1e-8
        or gap > 1e-9 * max(1.0, phi)
    ):
        raise SolverError(
            "balance_plan: the closed-form optimum failed its dual certificate; use method='highs'"
        )
    cap_dual = np.zeros(table.n)
    row_dual = np.zeros(len(b))
    if k < len(finite):
        cap_dual[finite[k]] = nu
    else:
        row_dual[k - len(finite)] = nu
    return x, np.array([phi]), pi, row_dual, cap_dual, "Optimal (closed form, dual certificate checked)", 0


def _highs(
    table: IOTable,
    t: np.ndarray,
    cap: np.ndarray,
    G: sp.csr_array,
    b: np.ndarray,
    objective: str,
    w: np.ndarray,
    solver: str,
    time_limit: float | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, str, int]:
    n = table.n
    weighted = objective == "weighted"
    n_phi = n if weighted else 1
    phi_block = sp.diags_array(-t, format="csc") if weighted else sp.csc_array(-t[:, None])
    I_minus_A = sp.csc_array(sp.identity(n, format="csc") - table.A)
    M = sp.block_array(
        [[I_minus_A, phi_block], [sp.csc_array(G), sp.csc_array((G.shape[0], n_phi))]], format="csc"
    )
    row_lower = np.concatenate([np.zeros(n), np.full(len(b), -np.inf)])
    row_upper = np.concatenate([np.full(n, np.inf), b])
    cost = np.concatenate([np.zeros(n), w * t if weighted else [1.0]])
    col_upper = np.concatenate([cap, np.ones(n) if weighted else [np.inf]])
    # Column scale: the output needed for the full targets, L t (one solve), or the capacity if that
    # is smaller; keeps the scaled outputs near 1 whatever the units of the table.
    need = table.solver.solve(t) if t.any() else np.ones(n)
    scale = np.where(
        np.isfinite(cap) & (cap > 0), np.minimum(np.maximum(need, 1e-12), cap), np.maximum(need, 1.0)
    )
    col_scale = np.concatenate([np.where(scale > 0, scale, 1.0), np.ones(n_phi)])
    sol = solve_lp(
        cost,
        M,
        row_lower,
        row_upper,
        np.zeros(n + n_phi),
        col_upper,
        maximize=True,
        col_scale=col_scale,
        solver=solver,
        time_limit=time_limit,
        what="balance_plan",
    )
    # d(objective)/d(extra supply of product i) = -dual of its balance row (extra supply lowers the bound)
    return (
        sol.x[:n],
        sol.x[n:],
        -sol.row_dual[:n],
        sol.row_dual[n:],
        np.maximum(sol.col_dual[:n], 0.0),
        sol.status,
        sol.iterations,
    )


def _assemble(
    table: IOTable,
    t: np.ndarray,
    cap: np.ndarray,
    G: sp.csr_array,
    b: np.ndarray,
    names: list[str],
    objective: str,
    x: np.ndarray,
    phi: np.ndarray,
    product_price: np.ndarray,
    row_dual: np.ndarray,
    cap_dual: np.ndarray,
    status: str,
    iterations: int,
) -> PlanBalance:
    n = table.n
    weighted = objective == "weighted"
    net = x - table.A @ x
    delivered = t * phi if weighted else t * phi[0]
    balance_slack = net - delivered
    activity = G @ x
    cap_rows = np.flatnonzero(np.isfinite(cap))
    index = [f"balance:{s}" for s in table.labels] + names + [f"capacity:{table.labels[j]}" for j in cap_rows]
    all_limits = np.concatenate([np.zeros(n), b, cap[cap_rows]])
    all_slack = np.concatenate([balance_slack, b - activity, cap[cap_rows] - x[cap_rows]])
    constraints = pd.DataFrame(
        {
            "kind": ["balance"] * n + [nm.split(":")[0] for nm in names] + ["capacity"] * len(cap_rows),
            "activity": np.concatenate([net - delivered, activity, x[cap_rows]]),
            "limit": all_limits,
            "slack": all_slack,
            "binding": np.abs(all_slack)
            <= BINDING_TOL
            * np.maximum(
                np.abs(all_limits), np.abs(np.concatenate([delivered, activity, x[cap_rows]])).clip(min=1.0)
            ),
            "shadow_price": np.concatenate([product_price, row_dual, cap_dual[cap_rows]]),
        },
        index=pd.Index(index, name="constraint"),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        fulfil = np.where(t > 0, net / np.where(t > 0, t, 1.0), np.nan)
        utilisation = np.where(np.isfinite(cap) & (cap > 0), x / np.where(cap > 0, cap, 1.0), np.nan)
    plan = pd.DataFrame(
        {
            "output": x,
            "capacity": cap,
            "utilisation": utilisation,
            "net_output": net,
            "target": t,
            "fulfilment": fulfil,
            "capacity_shadow_price": cap_dual,
            "product_shadow_price": product_price,
        },
        index=table.labels,
    )
    level = float(phi[0]) if not weighted else float(delivered.sum() / t.sum()) if t.sum() else 1.0
    value = level if not weighted else float(delivered.sum())
    return PlanBalance(objective, value, level, plan, constraints, status, iterations)
