"""Evaluate validation rules and min-max bounds over reported values (pure: frames in, frames out).

Values come long (unit, period, indicator, value) and are laid out wide, one row per (unit, period)
and one column per indicator, so a rule is a handful of numpy operations over all units at once. A
row where any value a side needs is missing is skipped (the rule cannot be judged yet). Equality
holds within a relative tolerance of 1e-9 (sums of children are floats).

>>> import pandas as pd
>>> from gosplan.engines.rules.formula import parse_rule
>>> values = pd.DataFrame({"unit": ["E1", "E1", "E2", "E2"], "period": ["2023-06"] * 4,
...                        "indicator": ["coal_used", "electricity"] * 2, "value": [80.0, 100.0, 60.0, 100.0]})
>>> found = evaluate({"R1": parse_rule("coal_used <= 0.7 * electricity")}, values)
>>> found[["rule", "unit", "left_value", "right_value"]].values.tolist()
[['R1', 'E1', 80.0, 70.0]]
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

import numpy as np
import pandas as pd

from gosplan.engines.rules.formula import Formula, Rule

VIOLATION_COLUMNS = ["rule", "unit", "period", "left_value", "operator", "right_value"]
TOLERANCE = 1e-9


def wide(values: pd.DataFrame) -> pd.DataFrame:
    """Long values (unit, period, indicator, value) as (unit, period) x indicator (the last value of a
    repeated key wins). Laid out with integer codes: 500,000 values take a fraction of a second."""
    if values.empty:
        return pd.DataFrame(index=pd.MultiIndex.from_arrays([[], []], names=["unit", "period"]))
    unit_code, units = pd.factorize(values["unit"])
    period_code, periods = pd.factorize(values["period"])
    row_code, rows = pd.factorize(unit_code.astype(np.int64) * len(periods) + period_code)
    column_code, columns = pd.factorize(values["indicator"])
    table = np.full((len(rows), len(columns)), np.nan)
    table[row_code, column_code] = values["value"].to_numpy(dtype=float)
    index = pd.MultiIndex.from_arrays([np.asarray(units)[rows // len(periods)],
                                       np.asarray(periods)[rows % len(periods)]], names=["unit", "period"])
    return pd.DataFrame(table, index=index, columns=pd.Index(columns, name="indicator"))


def evaluate(rules: Mapping[str, Rule], values: pd.DataFrame, parents: Mapping[str, str | None] | None = None,
             only_units: set[str] | None = None) -> pd.DataFrame:
    """Violations of ``rules`` (code -> :class:`Rule`) in ``values``: rule, unit, period, left_value,
    operator, right_value. ``parents`` (unit -> parent) serves ``children(code)``; ``only_units``
    limits the rows judged (the others still feed children's sums)."""
    table = wide(values)
    if table.empty or not rules:
        return pd.DataFrame(columns=VIOLATION_COLUMNS)
    units = table.index.get_level_values("unit")
    periods = table.index.get_level_values("period")
    judged = np.ones(len(table), bool) if only_units is None else units.isin(list(only_units))
    cache: dict[str, np.ndarray] = {}
    parts = []
    for code, rule in rules.items():
        left = _value(rule.left, table, parents, cache)
        right = _value(rule.right, table, parents, cache)
        ok = _holds(left, rule.operator, right)
        broken = judged & ~np.isnan(left) & ~np.isnan(right) & ~ok
        if broken.any():
            parts.append(pd.DataFrame({"rule": code, "unit": units[broken], "period": periods[broken],
                                       "left_value": left[broken], "operator": rule.operator,
                                       "right_value": right[broken]}))
    if not parts:
        return pd.DataFrame(columns=VIOLATION_COLUMNS)
    return pd.concat(parts, ignore_index=True)[VIOLATION_COLUMNS]


def check_bounds(values: pd.DataFrame, bounds: pd.DataFrame) -> pd.DataFrame:
    """Values outside their (unit, indicator) bounds (columns unit, indicator, low, high): rule
    ``minmax:<indicator>``, unit, period, left_value (the value), operator, right_value (the bound)."""
    if values.empty or bounds.empty:
        return pd.DataFrame(columns=VIOLATION_COLUMNS)
    joined = values.merge(bounds[["unit", "indicator", "low", "high"]], on=["unit", "indicator"], how="inner")
    below = joined["value"] < joined["low"]
    above = joined["value"] > joined["high"]
    out = joined[below | above]
    return pd.DataFrame({
        "rule": "minmax:" + out["indicator"].astype(str),
        "unit": out["unit"].to_numpy(),
        "period": out["period"].to_numpy(),
        "left_value": out["value"].to_numpy(dtype=float),
        "operator": np.where(below[below | above], ">=", "<="),
        "right_value": np.where(below[below | above], out["low"], out["high"]).astype(float),
    }, columns=VIOLATION_COLUMNS).reset_index(drop=True)


def _holds(left: np.ndarray, operator: str, right: np.ndarray) -> np.ndarray:
    slack = TOLERANCE * (np.abs(left) + np.abs(right))
    with np.errstate(invalid="ignore"):
        if operator == "==":
            return np.abs(left - right) <= slack
        if operator == "!=":
            return np.abs(left - right) > slack
        if operator == "<=":
            return left <= right + slack
        if operator == "<":
            return left < right - slack
        if operator == ">=":
            return left >= right - slack
        return left > right + slack


def _value(formula: Formula, table: pd.DataFrame, parents, cache: dict[str, np.ndarray]) -> np.ndarray:
    n = len(table)

    def column(code: str) -> np.ndarray:
        if code not in table.columns:
            return np.full(n, np.nan)
        return table[code].to_numpy(dtype=float)

    def children(code: str) -> np.ndarray:
        key = f"children:{code}"
        if key not in cache:
            cache[key] = _children_sums(table, code, parents)
        return cache[key]

    def walk(node: ast.expr) -> np.ndarray:
        if isinstance(node, ast.Constant):
            return np.full(n, float(node.value))
        if isinstance(node, ast.Name):
            return column(formula.names.get(node.id, node.id))
        if isinstance(node, ast.UnaryOp):
            inner = walk(node.operand)
            return -inner if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp):
            a, b = walk(node.left), walk(node.right)
            with np.errstate(divide="ignore", invalid="ignore"):
                if isinstance(node.op, ast.Add):
                    return a + b
                if isinstance(node.op, ast.Sub):
                    return a - b
                if isinstance(node.op, ast.Mult):
                    return a * b
                return np.where(b == 0, np.nan, a / np.where(b == 0, 1.0, b))
        if isinstance(node, ast.Call):
            name = node.func.id  # type: ignore[attr-defined]
            if name == "children":
                arg = node.args[0].id  # type: ignore[attr-defined]
                return children(formula.names.get(arg, arg))
            args = [walk(a) for a in node.args]
            if name == "abs":
                return np.abs(args[0])
            return np.minimum.reduce(args) if name == "min" else np.maximum.reduce(args)
        raise ValueError(f"unchecked node {type(node).__name__}")  # parse_formula refuses it first

    return walk(formula.tree)


def _children_sums(table: pd.DataFrame, code: str, parents) -> np.ndarray:
    """Per row (unit, period): the sum of the unit's children's values of ``code`` in that period
    (NaN when no child reported it)."""
    if code not in table.columns or not parents:
        return np.full(len(table), np.nan)
    own = table[code].dropna()
    if own.empty:
        return np.full(len(table), np.nan)
    child_units = own.index.get_level_values("unit")
    parent = pd.Index(child_units).map(lambda u: parents.get(u))
    frame = pd.DataFrame({"unit": parent, "period": own.index.get_level_values("period"),
                          "value": own.to_numpy()}).dropna(subset=["unit"])
    sums = frame.groupby(["unit", "period"])["value"].sum()
    return sums.reindex(table.index).to_numpy(dtype=float)
