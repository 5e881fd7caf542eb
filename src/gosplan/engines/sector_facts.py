"""Sector rows of the fact table: each sector's indicators combined per unit, from the fact table alone.

Where all the sector's output indicators (its sub-sectors included) measure the same dimension, the
quantities are added in the first indicator's unit (rolled steel t + non-ferrous metals t): like-for-
like actual and target, produced, the like-for-like pair of last year. Otherwise the indicators are
combined at constant plan prices (:func:`gosplan.engines.facts.weighted_index`); without prices, the
unweighted mean of their fulfilments, labelled so in ``method``.

Columns: unit, sector, sector_name, uom, target / actual (like for like, so actual / target is the
fulfilment), fulfilment, fulfilment_digits, status, produced, plan_to_date (all units' target),
actual_all, annual_target, annual_done, previous / growth / change (like for like), change_note,
comparable_units, method, indicators, expected, reported, units_missing, months_missing, missing_units.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gosplan.engines.facts import MIN_COVERAGE, NO_COMPARABLE, NO_PREVIOUS, TOO_FEW, shown_digits, weighted_index
from gosplan.engines.fulfilment import Thresholds
from gosplan.quantities import UnitError, conversion_factor

SAME_UNIT = "same-unit totals"


def sector_members(sectors: pd.DataFrame, sector: str) -> set[str]:
    """``sector`` and every sector below it."""
    children: dict[str, list[str]] = {}
    for code, parent in sectors[["code", "parent"]].itertuples(index=False):
        if isinstance(parent, str) and parent:
            children.setdefault(parent, []).append(code)
    members, stack = set(), [sector]
    while stack:
        s = stack.pop()
        members.add(s)
        stack.extend(children.get(s, []))
    return members


def sector_facts(table: pd.DataFrame, indicators: pd.DataFrame, sectors: pd.DataFrame,
                 thresholds: Thresholds | None = None, min_coverage: float = MIN_COVERAGE) -> pd.DataFrame:
    """One row per (unit, sector) with an output indicator in the fact table ``table``.

    >>> facts = pd.DataFrame({"unit": "KP", "indicator": ["a", "b"], "uom": ["t", "kt"],
    ...     "target_basis": [100.0, 0.1], "actual_basis": [110.0, 0.1], "target": [100.0, 0.1],
    ...     "actual": [110.0, 0.1], "produced": [115.0, 0.1], "annual_target": [200.0, 0.2],
    ...     "produced_in_plan": [115.0, 0.1], "actual_lfl": [110.0, 0.1], "previous_lfl": [100.0, 0.1],
    ...     "previous_produced": [100.0, 0.1], "comparable_units": [2, 1], "fulfilment": [1.1, 1.0],
    ...     "change": [0.1, 0.0], "expected": [2, 1], "reported": [2, 1], "months_missing": [0, 0],
    ...     "missing_units": ["", ""]})
    >>> ind = pd.DataFrame({"code": ["a", "b"], "unit": ["t", "kt"], "sector": "s", "role": "output"})
    >>> sec = pd.DataFrame({"code": ["s"], "parent": [None], "name": ["Steel"]})
    >>> row = sector_facts(facts, ind, sec).iloc[0]
    >>> row["method"], round(float(row["fulfilment"]), 3), float(row["produced"]), row["status"]
    ('same-unit totals', 1.05, 215.0, 'exceeding')
    """
    thresholds = thresholds or Thresholds()
    outputs = indicators[indicators["role"].fillna("output").eq("output")]
    rows_out: list[dict] = []
    for sector in sectors["code"]:
        inds = outputs[outputs["sector"].isin(sector_members(sectors, sector))]
        if inds.empty:
            continue
        base_unit = inds["unit"].iloc[0]
        try:
            factors = {code: conversion_factor(uom, base_unit) for code, uom in inds[["code", "unit"]].itertuples(
                index=False)}
        except UnitError:
            factors = {}
        part = table[table["indicator"].isin(inds["code"])]
        if part.empty:
            continue
        # Columns as arrays once per sector, sliced per unit (a DataFrame per unit costs more than its sums).
        codes, units = pd.factorize(part["unit"])
        order = np.argsort(codes, kind="stable")
        bounds = np.cumsum(np.bincount(codes, minlength=len(units)))[:-1]
        columns = {c: part[c].to_numpy() for c in _USED if c in part}
        if factors:
            columns["factor"] = part["indicator"].map(factors).to_numpy(dtype=float)
        else:
            index = {r[0]: r[1:] for r in weighted_index(part)[["unit", "fulfilment", "change", "method"]]
                     .itertuples(index=False, name=None)}
        for unit, rows in zip(units, np.split(order, bounds), strict=True):
            group = {c: values[rows] for c, values in columns.items()}
            row = (_same_unit(group, base_unit, min_coverage) if factors
                   else _priced(group, index.get(unit, (np.nan, np.nan, "no targets"))))
            rows_out.append({"unit": unit, "sector": sector, **row, **_counts(group)})
    out = pd.DataFrame(rows_out)
    if out.empty:
        return out
    out["status"] = thresholds.classify(out["fulfilment"].to_numpy(dtype=float))
    out.loc[(out["expected"] > 0) & (out["reported"] == 0), "status"] = "missing"
    out["fulfilment_digits"] = shown_digits(out["fulfilment"].to_numpy(dtype=float), None, thresholds)
    names = sectors.set_index("code")["name"]
    out.insert(2, "sector_name", out["sector"].map(names))
    return out


# The fact table's columns the sector rows read.
_USED = ("actual_basis", "target_basis", "actual_lfl", "previous_lfl", "previous_produced", "comparable_units",
         "annual_target", "produced_in_plan", "produced", "target", "actual", "expected", "reported",
         "months_missing", "missing_units", "change_note")
Group = dict[str, np.ndarray]


def _counts(group: Group) -> dict:
    expected, reported = int(np.nansum(group["expected"])), int(np.nansum(group["reported"]))
    codes = sorted({c for text in group["missing_units"] for c in str(text).split(";") if c})
    return {"indicators": len(group["expected"]), "expected": expected, "reported": reported,
            "units_missing": expected - reported, "months_missing": int(np.nansum(group["months_missing"])),
            "missing_units": ";".join(codes)}


def _same_unit(group: Group, base_unit: str, min_coverage: float) -> dict:
    f = group["factor"]

    def total(column: str, rows: np.ndarray | None = None) -> float:
        values = group[column].astype(float) * f
        values = values if rows is None else values[rows]
        return float(np.nansum(values)) if len(values) and not np.isnan(values).all() else np.nan

    basis = np.column_stack([group["actual_basis"].astype(float), group["target_basis"].astype(float)]) * f[:, None]
    valid = ~np.isnan(basis).any(axis=1)
    actual_b, target_b = (basis[valid, 0].sum(), basis[valid, 1].sum()) if valid.any() else (np.nan, np.nan)
    fulfil = actual_b / target_b if valid.any() and target_b > 0 else np.nan
    pairs = ~(np.isnan(group["actual_lfl"].astype(float)) | np.isnan(group["previous_lfl"].astype(float)))
    now, before = total("actual_lfl", pairs), total("previous_lfl", pairs)
    base = total("previous_produced")
    comparable = int(np.nansum(group["comparable_units"]))
    share = before / base if base and base > 0 and not np.isnan(before) else np.nan
    note = (NO_PREVIOUS if not base or np.isnan(base) or base <= 0 else NO_COMPARABLE if comparable == 0
            else TOO_FEW if np.isnan(share) or round(share, 9) < min_coverage else "")
    change = now / before - 1.0 if not note and before > 0 else np.nan
    annual, done = total("annual_target"), total("produced_in_plan")
    return {"uom": base_unit, "target": target_b, "actual": actual_b, "fulfilment": fulfil,
            "produced": total("produced"), "plan_to_date": total("target"), "actual_all": total("actual"),
            "annual_target": annual, "annual_done": done / annual if annual and annual > 0 else np.nan,
            "previous": before if not note else np.nan, "growth": now - before if not note else np.nan,
            "change": change, "change_note": note, "comparable_units": comparable, "method": SAME_UNIT}


def _priced(group: Group, index: tuple) -> dict:
    """``index``: the unit's (fulfilment, change, method) from :func:`weighted_index` of its sector."""
    fulfil, change, method = index
    notes = group["change_note"]
    note = "" if not np.isnan(change) else (TOO_FEW if (notes == TOO_FEW).any() else (notes[0] or NO_COMPARABLE))
    return {"uom": "", "target": np.nan, "actual": np.nan, "fulfilment": fulfil, "produced": np.nan,
            "plan_to_date": np.nan, "actual_all": np.nan, "annual_target": np.nan, "annual_done": np.nan,
            "previous": np.nan, "growth": np.nan, "change": change, "change_note": note,
            "comparable_units": int(np.nansum(group["comparable_units"])), "method": method}
