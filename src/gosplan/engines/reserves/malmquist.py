"""Malmquist productivity index between two periods (Färe, Grosskopf, Norris & Zhang 1994)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from gosplan.engines.reserves.dea import Orientation, Rts, dea

MALMQUIST_COLUMNS = ["m", "ec", "tc", "e00", "e01", "e10", "e11", "status"]


def malmquist(X0: Any, Y0: Any, X1: Any, Y1: Any, rts: Rts = "crs", orientation: Orientation = "input",
              names: Sequence[Any] | None = None) -> pd.DataFrame:
    """Productivity change of each unit from period 0 to period 1.

    The same units, in the same order, in both periods. With ``E_t(s)`` the efficiency (theta in
    input orientation, 1/phi in output orientation, so 1 is the frontier) of the unit's period-``s``
    data against the period-``t`` technology, the usual geometric-mean convention of Färe et al.
    (1994) is::

        m  = sqrt( E_0(1) / E_0(0)  *  E_1(1) / E_1(0) )      productivity change
        ec = E_1(1) / E_0(0)                                  efficiency change (catching up)
        tc = sqrt( E_0(1) / E_1(1)  *  E_0(0) / E_1(0) )      technical change (frontier shift)

    so ``m = ec * tc`` and values above 1 mean improvement. Columns ``e00 = E_0(0)``,
    ``e01 = E_1(0)`` (period-0 data, period-1 technology), ``e10 = E_0(1)``, ``e11 = E_1(1)`` are
    returned too (the naming of the R package Benchmarking and of dealib: data period first).
    Cross-period scores can be infeasible under VRS (a unit outside the other period's technology);
    those rows get NaN for ``m`` and ``tc`` and ``status`` names the problem, while ``ec``, which
    needs only the two own-period scores, is still reported.

    >>> X0 = [[10.0], [28.0], [30.0], [60.0]]; Y0 = [[5.0], [7.0], [10.0], [15.0]]
    >>> X1 = [[12.0], [26.0], [16.0], [60.0]]; Y1 = [[6.0], [8.0], [9.0], [15.0]]
    >>> malmquist(X0, Y0, X1, Y1, rts="vrs")["m"].round(4).tolist()  # dealib's malmq docstring example
    [0.986, 1.2487, 1.4454, 1.0]
    """
    kw = {"rts": rts, "orientation": orientation, "slacks": False, "names": names}
    e00 = dea(X0, Y0, **kw)
    e11 = dea(X1, Y1, **kw)
    e10 = dea(X1, Y1, X_ref=X0, Y_ref=Y0, **kw)
    e01 = dea(X0, Y0, X_ref=X1, Y_ref=Y1, **kw)
    s00, s01, s10, s11 = (r.efficiency.to_numpy() for r in (e00, e01, e10, e11))
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.sqrt(s10 / s00 * s11 / s01)
        ec = s11 / s00
        tc = np.sqrt(s10 / s11 * s00 / s01)
    status = np.full(len(m), "optimal", dtype=object)
    for label, result in (("e00", e00), ("e01", e01), ("e10", e10), ("e11", e11)):
        bad = result.status.to_numpy() != "optimal"
        status[bad] = [f"{label} {s}" if cur == "optimal" else f"{cur}; {label} {s}"
                       for cur, s in zip(status[bad], result.status.to_numpy()[bad], strict=True)]
    frame = pd.DataFrame({"m": m, "ec": ec, "tc": tc, "e00": s00, "e01": s01, "e10": s10, "e11": s11,
                          "status": status.astype(str)}, index=e00.names)
    # ec needs only the two own-period scores: it stands when just a cross-period programme failed
    # (common under VRS, where a unit can lie outside the other period's technology).
    own_ok = (e00.status.to_numpy() == "optimal") & (e11.status.to_numpy() == "optimal")
    frame.loc[frame["status"] != "optimal", ["m", "tc"]] = np.nan
    frame.loc[~own_ok, "ec"] = np.nan
    return frame[MALMQUIST_COLUMNS]
