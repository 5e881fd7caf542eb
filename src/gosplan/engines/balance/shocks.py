"""Supply shocks: the mixed exogenous/endogenous model and Ghosh supply-side propagation.

Mixed model (Miller & Blair 2009, sec. 13.2): the outputs ``x_K`` of the constrained sectors ``K``
are fixed (a capacity, a shortfall), final demand ``y_N`` of the others is fixed. Then

``(I - A_NN) x_N = y_N + A_NK x_K`` and ``y_K = x_K - A_KK x_K - A_KN x_N``:

the other sectors adjust their output, and what is left of the constrained sectors' output for
final use is ``y_K`` (negative means the capacity cannot even cover intermediate needs).

Ghosh model (sec. 12.1): a change of primary inputs ``dv`` moves output by ``dx' = dv' G`` with
``G = diag(x)^-1 L diag(x)``, i.e. ``dx = diag(x) (I - A)'^-1 (dv / x)``: one transposed solve.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.engines.balance.solvers import LeontiefSolver

if TYPE_CHECKING:
    from gosplan.engines.balance.table import IOTable


def _partial(table: IOTable, values: Any, name: str) -> pd.Series:
    series = (
        pd.Series(values, dtype=np.float64) if not isinstance(values, pd.Series) else values.astype(float)
    )
    unknown = series.index.difference(table.labels)
    if len(unknown):
        raise ValueError(f"{name}: unknown sectors {list(unknown[:5])}")
    return series


def shock(
    table: IOTable, capacity: Any = None, final_demand: Any = None, value_added: Any = None
) -> pd.DataFrame:
    """Effect of a supply shock; returns one row per sector.

    ``capacity``: mapping sector -> output held fixed (mixed model); ``final_demand``: optional new
    final demand of the other sectors (mapping; default the table's). ``value_added``: mapping sector ->
    change of primary inputs (Ghosh). Columns: ``output_before``, ``output_after``, ``output_change``,
    ``final_demand_before``, ``final_demand_after``, ``constrained``.
    """
    if (capacity is None) == (value_added is None):
        raise ValueError("give either capacity= (mixed model) or value_added= (Ghosh model)")
    x = table._require("x", "shocks need gross output")
    y = table.y if table.y is not None else x - table.A @ x
    if value_added is not None:
        dv = np.zeros(table.n)
        change = _partial(table, value_added, "value_added")
        dv[table.labels.get_indexer(change.index)] = change.to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = np.where(x != 0, dv / np.where(x != 0, x, 1.0), 0.0)
        dx = x * table.solver.solve(scaled, transpose=True)
        return pd.DataFrame(
            {
                "output_before": x,
                "output_after": x + dx,
                "output_change": dx,
                "value_added_change": dv,
                "constrained": dv != 0,
            },
            index=table.labels,
        )
    fixed = _partial(table, capacity, "capacity")
    K = np.sort(table.labels.get_indexer(fixed.index))
    x_K = fixed.reindex(table.labels[K]).to_numpy()
    N = np.setdiff1d(np.arange(table.n), K)
    y_new = y.copy()
    if final_demand is not None:
        demand = _partial(table, final_demand, "final_demand")
        y_new[table.labels.get_indexer(demand.index)] = demand.to_numpy()
    A = sp.csc_array(table.A)
    A_NN = A[N][:, N]
    rhs = y_new[N] + A[N][:, K] @ x_K
    x_N = LeontiefSolver(A_NN, method=table.method).solve(rhs) if len(N) else np.zeros(0)
    after = np.empty(table.n)
    after[N], after[K] = x_N, x_K
    y_after = y_new.copy()
    y_after[K] = x_K - A[K][:, K] @ x_K - A[K][:, N] @ x_N
    constrained = np.zeros(table.n, dtype=bool)
    constrained[K] = True
    return pd.DataFrame(
        {
            "output_before": x,
            "output_after": after,
            "output_change": after - x,
            "final_demand_before": y,
            "final_demand_after": y_after,
            "constrained": constrained,
        },
        index=table.labels,
    )
