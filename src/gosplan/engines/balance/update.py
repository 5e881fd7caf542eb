"""Bringing a base-year input-output table to a new year's gross outputs, and a plan's consistency with it.

When only the new year's gross output ``x1`` of each sector is known (from reports), the margins of the
intermediate flows are estimated the usual way (Miller & Blair, 2nd ed., section 7.4): each sector keeps
its base-year ratio of intermediate inputs to output (column totals ``v = x1 * Z0.sum(0) / x0``) and of
intermediate sales to output (row totals ``u = x1 * Z0.sum(1) / x0``, scaled so that ``sum(u) ==
sum(v)``). :func:`gosplan.engines.balance.ras.ras` (or ``gras`` where the flows have negative entries)
then finds the flows with those margins; what a sector does not sell to other sectors goes to final
demand (split over the final-demand columns in the base year's proportions), what it does not buy from
them is value added (split likewise); employment grows with output.

:func:`update_table` returns the new frames; :func:`io_consistency` sets a plan's gross outputs against
a table: the intermediate use they require (``A @ x``), what is left for final use, and how that compares
with the table's final demand.

>>> import pandas as pd
>>> Z0 = pd.DataFrame([[10.0, 20.0], [30.0, 10.0]], index=["a", "b"], columns=["a", "b"])
>>> frames = {"Z": Z0, "Y": pd.DataFrame({"households": [70.0, 60.0]}, index=["a", "b"]),
...           "x": pd.DataFrame({"gross_output": [100.0, 100.0]}, index=["a", "b"])}
>>> new = update_table(frames, pd.Series({"a": 120.0, "b": 100.0})).frames
>>> new["Z"].sum(axis=1).round(6).tolist(), new["Z"].sum(axis=0).round(6).tolist()
([36.947368, 41.052632], [48.0, 30.0])
>>> (new["Z"].sum(axis=1) + new["Y"].sum(axis=1)).round(9).tolist()
[120.0, 100.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gosplan.engines.balance.ras import gras, ras
from gosplan.errors import InvalidValue

__all__ = ["CONSISTENCY_COLUMNS", "TableUpdate", "io_consistency", "update_table"]

CONSISTENCY_COLUMNS = ["gross_output", "intermediate_use", "left_for_final_use", "table_final_demand",
                       "change", "change_share", "status", "workers_needed", "workers_available"]


@dataclass(frozen=True)
class TableUpdate:
    """The updated frames (``Z``, ``Y``, ``x`` and, where the base has them, ``V`` and ``labour``), the
    margins they were scaled to (``u`` row sums, ``v`` column sums of ``Z``) and the method used."""

    frames: dict[str, pd.DataFrame]
    u: pd.Series
    v: pd.Series
    method: str


def update_table(frames: dict[str, pd.DataFrame], x1: pd.Series, *, method: str = "auto") -> TableUpdate:
    """The table ``frames`` (``Z``, ``Y``, ``x``; optionally ``V``, ``labour``) brought to gross outputs
    ``x1`` (a Series by sector; sectors it leaves out keep their base output).

    ``method``: ``ras``, ``gras`` or ``auto`` (GRAS when ``Z`` has negative entries, else RAS). Raises
    :class:`~gosplan.errors.InvalidValue` for a negative or non-finite output, a sector not in the table,
    or a base table without gross output.
    """
    if method not in ("auto", "ras", "gras"):
        raise InvalidValue(f"method must be ras, gras or auto, not {method!r}")
    Z0 = frames["Z"].astype(float)
    labels = Z0.index
    if "x" not in frames:
        raise InvalidValue("the base table has no gross output (x): the update keeps each sector's ratios to it")
    x0 = frames["x"].iloc[:, 0].astype(float).reindex(labels)
    unknown = sorted(set(map(str, x1.index)) - set(map(str, labels)))
    if unknown:
        raise InvalidValue(f"gross output for sectors not in the table: {', '.join(unknown)}")
    new = x1.astype(float).reindex(labels).fillna(x0)
    bad = new[~np.isfinite(new) | (new < 0)]
    if len(bad):
        raise InvalidValue(f"gross output of {bad.index[0]} must be a finite non-negative number, not {bad.iloc[0]!r}")
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = (new / x0).where(x0 > 0, 1.0)
    v = Z0.sum(axis=0) * growth                      # each sector's intermediate inputs per unit of output kept
    u = Z0.sum(axis=1) * growth                      # each sector's intermediate sales per unit of output kept
    u = u * (v.sum() / u.sum()) if u.sum() > 0 else u
    chosen = ("gras" if (Z0.to_numpy() < 0).any() else "ras") if method == "auto" else method
    # Margins to 1e-12 of the largest: the update is small, and its users compare sums to the last digit.
    Z1 = (gras if chosen == "gras" else ras)(Z0, u, v, tol=1e-12)
    out = {"Z": Z1, "x": pd.DataFrame({frames["x"].columns[0]: new}, index=labels)}
    final = new - Z1.sum(axis=1)
    Y0 = frames["Y"].astype(float).reindex(labels).fillna(0.0)
    out["Y"] = _split(Y0, final)
    if "V" in frames:
        V0 = frames["V"].astype(float)
        added = new - Z1.sum(axis=0)
        out["V"] = _split(V0.T, added).T
    if "labour" in frames:
        out["labour"] = frames["labour"].astype(float).mul(growth.reindex(frames["labour"].index).fillna(1.0), axis=0)
    return TableUpdate(out, u, v, chosen)


def _split(base: pd.DataFrame, totals: pd.Series) -> pd.DataFrame:
    """Rows of ``base`` rescaled to ``totals`` in their own proportions; a row whose base sums to zero
    puts the total in its first column."""
    sums = base.sum(axis=1)
    shares = base.div(sums.where(sums != 0), axis=0)
    shares = shares.fillna(0.0)
    empty = sums == 0
    if empty.any():
        shares.loc[empty, shares.columns[0]] = 1.0
    return shares.mul(totals.reindex(base.index), axis=0)


def io_consistency(Z: pd.DataFrame, x: pd.Series, plan_output: pd.Series, final_demand: pd.Series,
                   labour: pd.Series | None = None, labour_available: pd.Series | None = None) -> pd.DataFrame:
    """A plan's gross outputs (``plan_output`` by sector; sectors left out keep the table's ``x``) against
    the technology of a table (``A = Z / x``): the intermediate use they require (``A @ x_plan``), what is
    left for final use, and the change against the table's ``final_demand``.

    ``status``: ``short`` where the plan's output does not cover the intermediate use it requires
    (nothing, or less than nothing, left for final use), ``less for final use`` where less is left than
    the table's final demand, else ``ok``. Columns :data:`CONSISTENCY_COLUMNS`, indexed by sector.

    >>> Z = pd.DataFrame([[10.0, 20.0], [30.0, 10.0]], index=["a", "b"], columns=["a", "b"])
    >>> x = pd.Series({"a": 100.0, "b": 100.0})
    >>> t = io_consistency(Z, x, pd.Series({"b": 150.0}), pd.Series({"a": 70.0, "b": 60.0}))
    >>> t["left_for_final_use"].round(6).tolist(), t["status"].tolist()
    ([60.0, 105.0], ['less for final use', 'ok'])
    """
    labels = Z.index
    base = x.astype(float).reindex(labels)
    with np.errstate(divide="ignore", invalid="ignore"):
        A = Z.to_numpy(float) / np.where(base.to_numpy() > 0, base.to_numpy(), np.nan)[None, :]
    A = np.nan_to_num(A)
    planned = plan_output.astype(float).reindex(labels).fillna(base)
    intermediate = A @ planned.to_numpy()
    left = planned.to_numpy() - intermediate
    y = final_demand.astype(float).reindex(labels).fillna(0.0).to_numpy()
    out = pd.DataFrame({"gross_output": planned.to_numpy(), "intermediate_use": intermediate,
                        "left_for_final_use": left, "table_final_demand": y}, index=labels)
    out["change"] = out["left_for_final_use"] - out["table_final_demand"]
    out["change_share"] = out["change"] / out["table_final_demand"].where(out["table_final_demand"].abs() > 0)
    scale = np.maximum(np.abs(planned.to_numpy()), 1.0)
    out["status"] = np.select([left <= 1e-9 * scale, out["change"].to_numpy() < -1e-9 * scale],
                              ["short", "less for final use"], "ok")
    out["workers_needed"] = np.nan
    if labour is not None:
        per_output = labour.astype(float).reindex(labels) / base.where(base > 0)
        out["workers_needed"] = (per_output * planned).to_numpy(float)
    out["workers_available"] = (labour_available.astype(float).reindex(labels).to_numpy(float)
                                if labour_available is not None else np.nan)
    return out[CONSISTENCY_COLUMNS]
