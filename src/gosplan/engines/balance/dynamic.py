"""Multi-year plan with capacity investment: the dynamic Leontief LP ("economic planning" model).

The model of the textbook exercise (H. P. Williams, *Model Building in Mathematical Programming*,
"Economic planning"; Dorfman, Samuelson & Solow 1958, ch. 11): years ``t = 1..T``, sectors ``j``;
production ``x[t,j]``, end-of-year stocks ``s[t,i]``, capacity building started ``c[t,j]``::

    s[t-1,i] + x[t,i] = sum_j A[i,j] x[t+input_lag,j] + sum_j K[i,j] c[t,j] + d[t,i] + s[t,i]
                                                        stock:<year>:<sector>   (goods balance)
    x[t,j] <= capacity0_j + sum_{tau <= t - build_lag} c[tau,j]        capacity:<year>:<sector>
    sum_j l_j x[t+input_lag,j] + sum_j lk_j c[t,j] <= labour[t]       labour:<year>
    x, s, c >= 0,   s[0] = initial stocks

Inputs for production in year t are used in year ``t - input_lag`` (inputs for production beyond the
horizon, or before it, are outside the model); capacity building uses goods and labour in year t and
adds capacity from year ``t + build_lag``. Objectives: ``"max_capacity"`` (total capacity available
after the horizon), ``"max_production"`` (total production in ``years``, default all) and
``"max_employment"`` (total labour used), all while meeting the exogenous demand ``d`` each year.

>>> A = [[0.1, 0.1, 0.2], [0.5, 0.1, 0.1], [0.4, 0.2, 0.2]]
>>> K = [[0.0, 0.1, 0.2], [0.7, 0.1, 0.1], [0.9, 0.2, 0.2]]
>>> r = dynamic_plan(A, K, labour_coefficients=[0.6, 0.3, 0.2], build_labour=[0.4, 0.2, 0.1],
...                  initial_capacity=[300, 350, 280], initial_stocks=[150, 80, 100], demand=[60, 60, 30],
...                  labour=470, years=5, objective="max_production")
>>> r.status
'Optimal'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.engines.balance.highs import solve_lp

Objective = Literal["max_capacity", "max_production", "max_employment"]


@dataclass(frozen=True)
class DynamicPlan:
    """Result of :func:`dynamic_plan`: year x sector frames and the duals of every constraint.

    ``shadow_prices`` is indexed by constraint name (``stock:<year>:<sector>``,
    ``capacity:<year>:<sector>``, ``labour:<year>``) and gives d(objective)/d(one more unit of
    the good, the capacity or the labour in that year).
    """

    objective: str
    objective_value: float
    production: pd.DataFrame
    stocks: pd.DataFrame
    capacity_built: pd.DataFrame
    capacity: pd.DataFrame
    labour_used: pd.Series
    shadow_prices: pd.Series
    status: str


def _matrix(values: Any, n: int, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.shape != (n, n):
        raise ValueError(f"{name} must be {n} x {n}, got {array.shape}")
    return array


def dynamic_plan(
    A: Any,
    K: Any,
    *,
    initial_capacity: Sequence[float],
    initial_stocks: Sequence[float] | None = None,
    demand: Any = 0.0,
    labour: Any = None,
    labour_coefficients: Sequence[float] | None = None,
    build_labour: Sequence[float] | None = None,
    years: int = 5,
    input_lag: int = 0,
    build_lag: int = 1,
    objective: Objective = "max_capacity",
    production_years: Sequence[int] | None = None,
    labels: Sequence[str] | None = None,
    first_year: int = 1,
) -> DynamicPlan:
    """Solve the dynamic Leontief planning LP (see the module docstring) with HiGHS.

    ``demand`` and ``labour`` are scalars, one value per sector / year, or a ``years x n`` array.
    Raises :class:`gosplan.errors.SolverError` when the plan is infeasible or unbounded.
    """
    A_ = np.atleast_2d(np.asarray(A, dtype=np.float64))
    n, T = A_.shape[0], int(years)
    K_ = _matrix(K, n, "K")
    A_ = _matrix(A_, n, "A")
    if input_lag < 0 or build_lag < 0:
        raise ValueError("lags must be non-negative")
    cap0 = np.asarray(initial_capacity, dtype=np.float64).reshape(n)
    s0 = np.zeros(n) if initial_stocks is None else np.asarray(initial_stocks, dtype=np.float64).reshape(n)
    d = (
        np.broadcast_to(np.asarray(demand, dtype=np.float64), (T, n))
        if np.ndim(demand) < 2
        else np.asarray(demand)
    )
    if d.shape != (T, n):
        raise ValueError(f"demand must broadcast to {T} x {n}")
    l_coef = np.zeros(n) if labour_coefficients is None else np.asarray(labour_coefficients, dtype=np.float64)
    lk = np.zeros(n) if build_labour is None else np.asarray(build_labour, dtype=np.float64)
    names = [str(s) for s in (labels if labels is not None else range(n))]
    year_names = [first_year + t for t in range(T)]
    I_T, I_n = sp.identity(T, format="csr"), sp.identity(n, format="csr")
    lag_shift = sp.eye(T, T, k=input_lag, format="csr")  # row t picks year t + input_lag
    # goods balance rows: x[t] - A x[t+lag] - s[t] + s[t-1] - K c[t] = d[t] (minus s0 in year 1)
    stock_rows = sp.hstack(
        [
            sp.kron(I_T, I_n) - sp.kron(lag_shift, sp.csr_array(A_)),
            -sp.kron(I_T, I_n) + sp.kron(sp.eye(T, T, k=-1), I_n),
            -sp.kron(I_T, sp.csr_array(K_)),
        ]
    )
    rhs = d.copy()
    rhs[0] -= s0
    built_before = sp.csr_array(np.tril(np.ones((T, T)), k=-build_lag))
    cap_rows = sp.hstack([sp.kron(I_T, I_n), sp.csr_array((T * n, T * n)), -sp.kron(built_before, I_n)])
    blocks = [stock_rows, cap_rows]
    lower = [rhs.ravel(), np.full(T * n, -np.inf)]
    upper = [rhs.ravel(), np.tile(cap0, T)]
    row_names = [f"stock:{y}:{s}" for y in year_names for s in names]
    row_names += [f"capacity:{y}:{s}" for y in year_names for s in names]
    if labour is not None:
        limit = np.broadcast_to(np.asarray(labour, dtype=np.float64), (T,))
        blocks.append(
            sp.hstack(
                [
                    sp.kron(lag_shift, sp.csr_array(l_coef[None, :])),
                    sp.csr_array((T, T * n)),
                    sp.kron(I_T, sp.csr_array(lk[None, :])),
                ]
            )
        )
        lower.append(np.full(T, -np.inf))
        upper.append(limit)
        row_names += [f"labour:{y}" for y in year_names]
    M = sp.csc_array(sp.vstack(blocks))
    cost = np.zeros(3 * T * n)
    if objective == "max_capacity":
        counted = np.arange(T) <= T - build_lag  # capacity in place by year T + 1
        cost[2 * T * n :] = np.repeat(counted.astype(float), n)
    elif objective == "max_production":
        chosen = set(production_years) if production_years is not None else set(year_names)
        cost[: T * n] = np.repeat([1.0 if y in chosen else 0.0 for y in year_names], n)
    elif objective == "max_employment":
        cost[: T * n] = sp.kron(lag_shift, sp.csr_array(l_coef[None, :])).T @ np.ones(T)
        cost[2 * T * n :] = np.tile(lk, T)
    else:
        raise ValueError("objective must be max_capacity, max_production or max_employment")
    magnitude = max(float(np.max(np.abs(np.concatenate([cap0, s0, d.ravel()])), initial=0.0)), 1.0)
    sol = solve_lp(
        cost,
        M,
        np.concatenate(lower),
        np.concatenate(upper),
        np.zeros(3 * T * n),
        np.full(3 * T * n, np.inf),
        maximize=True,
        col_scale=np.full(3 * T * n, magnitude),
        what="dynamic_plan",
    )
    x, s, c = (sol.x[k * T * n : (k + 1) * T * n].reshape(T, n) for k in range(3))
    frame = lambda values: pd.DataFrame(values, index=pd.Index(year_names, name="year"), columns=names)  # noqa: E731
    capacity = cap0[None, :] + np.asarray(built_before @ c)
    labour_used = np.asarray(sp.kron(lag_shift, sp.csr_array(l_coef[None, :])) @ x.ravel()) + c @ lk
    value = sol.objective + (cap0.sum() if objective == "max_capacity" else 0.0)
    return DynamicPlan(
        objective,
        value,
        frame(x),
        frame(s),
        frame(c),
        frame(capacity),
        pd.Series(labour_used, index=pd.Index(year_names, name="year"), name="labour"),
        pd.Series(sol.row_dual, index=pd.Index(row_names, name="constraint"), name="shadow_price"),
        sol.status,
    )
