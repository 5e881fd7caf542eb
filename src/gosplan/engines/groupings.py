"""Plan fulfilment by a grouping beside the territorial hierarchy (ministry, technology...).

The fact table (:mod:`gosplan.engines.facts`) rolls units up along the territorial line. A grouping
cuts across it: the coal industry's mines lie in five provinces. :func:`group_fulfilment` sums the
fact table's rows of leaf units (enterprises, farms) by their group, like for like: the target and
actual of the units that reported every month of the window (``target_basis``, ``actual_basis``), the
produced total including units that missed a month, and the units expected, reported and missing.
Units without a group in the grouping fall into one row with an empty ``group_code``, so the groups
always add up to the total over the same units.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gosplan.engines.facts import MIN_COVERAGE, NO_COMPARABLE, NO_PREVIOUS, TOO_FEW, shown_digits
from gosplan.engines.fulfilment import Thresholds

NO_GROUP = "(none)"
GROUP_COLUMNS = ["grouping", "group_code", "group_name", "indicator", "indicator_name", "uom", "target_basis",
                 "actual_basis", "fulfilment", "fulfilment_digits", "status", "produced", "expected", "reported",
                 "units_missing", "missing_units", "actual_lfl", "previous_lfl", "change", "change_note",
                 "annual_target", "annual_done"]
_SUMMED = ["target_basis", "actual_basis", "produced", "expected", "reported", "units_missing", "actual_lfl",
           "previous_lfl", "previous_produced", "annual_target", "produced_in_plan"]


def group_fulfilment(leaf_facts: pd.DataFrame, groups: pd.DataFrame, grouping: str, *,
                     lower_is_better: pd.Series | None = None, thresholds: Thresholds | None = None,
                     min_coverage: float = MIN_COVERAGE) -> pd.DataFrame:
    """Fulfilment per (group, indicator) from the fact-table rows of leaf units.

    ``leaf_facts``: rows of the fact table for units with no unit below them (each unit's own series,
    so nothing is counted twice); ``groups``: ``unit, group_code, group_name`` of the grouping;
    ``lower_is_better``: indicator code -> bool (direction "lower"). Only indicators with a target in
    the group are kept. Sums are sums: use it for indicators that add up across units.

    >>> facts = pd.DataFrame({"unit": ["a", "b", "c"], "indicator": "coal", "indicator_name": "Coal", "uom": "t",
    ...     "target_basis": [10.0, 20.0, 3.0], "actual_basis": [11.0, 19.0, np.nan],
    ...     "produced": [11.0, 19.0, 4.0], "expected": 1, "reported": [1, 1, 0], "units_missing": [0, 0, 1],
    ...     "missing_units": ["", "", "c"], "actual_lfl": [11.0, 19.0, np.nan], "previous_lfl": [10.0, 20.0, np.nan],
    ...     "previous_produced": [10.0, 20.0, 5.0], "annual_target": [20.0, 40.0, 10.0],
    ...     "produced_in_plan": [11.0, 19.0, 4.0]})
    >>> groups = pd.DataFrame({"unit": ["a", "b", "c"], "group_code": "coal_industry", "group_name": "Coal"})
    >>> row = group_fulfilment(facts, groups, "ministry").iloc[0]
    >>> [float(row[c]) for c in ("target_basis", "actual_basis", "fulfilment", "produced", "units_missing")]
    [30.0, 30.0, 1.0, 34.0, 1.0]
    """
    thresholds = thresholds or Thresholds()
    code = dict(zip(groups["unit"], groups["group_code"], strict=True))
    name = dict(zip(groups["group_code"], groups["group_name"], strict=False))
    rows = leaf_facts.assign(group_code=leaf_facts["unit"].map(code).fillna("").astype(str))
    # Like for like: a unit's target and actual count only where it reported every month of the window.
    complete = rows["reported"].ge(rows["expected"]) & rows["expected"].gt(0)
    rows = rows.assign(target_basis=rows["target_basis"].where(complete),
                       actual_basis=rows["actual_basis"].where(complete))
    if rows.empty:
        return pd.DataFrame(columns=GROUP_COLUMNS)
    keys = ["group_code", "indicator", "indicator_name", "uom"]
    summed = rows.groupby(keys, sort=True, dropna=False, observed=True)[_SUMMED].sum(min_count=1)
    gaps = rows[rows["missing_units"].astype(str).ne("")]
    missing = gaps.groupby(keys, dropna=False, observed=True)["missing_units"].agg(
        lambda codes: ";".join(sorted(c for text in codes for c in str(text).split(";") if c)))
    out = summed.reset_index()
    out = out[out["expected"].fillna(0).gt(0)].reset_index(drop=True)
    out["missing_units"] = [missing.get(tuple(k), "") for k in out[keys].itertuples(index=False)]
    out["grouping"] = grouping
    out["group_name"] = out["group_code"].map(name).fillna(NO_GROUP)
    for column in ("expected", "reported", "units_missing"):
        out[column] = out[column].fillna(0).astype(int)
    lower = (out["indicator"].map(lower_is_better).fillna(False).astype(bool).to_numpy()
             if lower_is_better is not None else np.zeros(len(out), dtype=bool))
    with np.errstate(divide="ignore", invalid="ignore"):
        target = out["target_basis"].where(out["target_basis"] > 0)
        out["fulfilment"] = out["actual_basis"] / target
        previous = out["previous_lfl"].where(out["previous_lfl"] > 0)
        change = out["actual_lfl"] / previous - 1.0
        base = out["previous_produced"].where(out["previous_produced"] > 0)
        share = out["previous_lfl"] / base
        annual = out["annual_target"].where(out["annual_target"] > 0)
        out["annual_done"] = out["produced_in_plan"] / annual
    note = np.select([base.isna(), previous.isna(), share.round(9) < min_coverage],
                     [NO_PREVIOUS, NO_COMPARABLE, TOO_FEW], default="")
    out["change"] = np.where(note == "", change, np.nan)
    out["change_note"] = note
    ratio = out["fulfilment"].to_numpy(dtype=float)
    out["status"] = np.where(out["reported"].eq(0), "missing", thresholds.classify(ratio, lower))
    out["fulfilment_digits"] = shown_digits(ratio, lower, thresholds)
    order = out["group_code"].eq("").astype(int)  # the ungrouped units last
    out = out.assign(_last=order).sort_values(["_last", "group_name", "indicator"], kind="stable")
    return out[GROUP_COLUMNS].reset_index(drop=True)
