"""Validation rules on the way in: the hook of the one validation path for reports.

:func:`check_reports` runs inside the import's validation (files, frames from the web and the API,
and "check before you save"): the file's values, laid over the current values of the same months,
are judged by every stored rule and by the min-max bounds of the file's units. Only the rows the
file touches are judged — a (unit, month) where the file supplies one of the indicators a rule
names. A broken rule of severity ``error`` refuses the whole file, each broken row named with its
spreadsheet row and both sides of the rule; warnings (and values outside their bounds) travel with
the clean frame and :func:`record_warnings` stores them in the import's transaction.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from gosplan.engines.rules import Rule, check_bounds, evaluate, parse_rule
from gosplan.errors import Problem, ValidationError
from gosplan.store import Store

WARNINGS = "rule_warnings"
SEVERITIES = ("error", "warning")


def stored_rules(store: Store) -> dict[str, tuple[Rule, str]]:
    """The stored rules, parsed: code -> (rule, severity)."""
    return {r.code: (_parsed(r.left, r.operator, r.right), r.severity) for r in store.rules().itertuples(index=False)}


@functools.lru_cache(maxsize=4096)
def _parsed(left: str, operator: str, right: str) -> Rule:
    # A rule is parsed once per text, not once per submission (rules are frozen dataclasses).
    return parse_rule(left=left, operator=operator, right=right)


def check_reports(store: Store, clean: pd.DataFrame, source: str) -> None:
    """Judge a clean reports frame (indicator, unit, period, value; index = spreadsheet rows).
    Raises :class:`ValidationError` for broken error rules; leaves warnings in ``clean.attrs``."""
    rules = stored_rules(store)
    bounds = store.bounds(units=pd.unique(clean["unit"])) if len(clean) else pd.DataFrame()
    if (not rules and bounds.empty) or clean.empty:
        return
    file_values = clean[["unit", "period", "indicator", "value"]]
    found = []
    if rules:
        named = sorted(set().union(*(rule.indicators for rule, _ in rules.values())))
        values = _with_stored(store, file_values, named)
        units = store.units()
        parents = dict(zip(units["code"], units["parent"], strict=True))
        violations = evaluate({code: rule for code, (rule, _) in rules.items()}, values, parents,
                              only_units=set(clean["unit"]))
        violations = _touched(violations, file_values, rules)
        violations["severity"] = violations["rule"].map({c: s for c, (_, s) in rules.items()})
        found.append(violations)
    if not bounds.empty:
        found.append(check_bounds(file_values, bounds).assign(severity="warning"))
    found = [frame for frame in found if len(frame)]  # concat of empty frames is deprecated in pandas
    result = pd.concat(found, ignore_index=True) if found else pd.DataFrame()
    if result.empty:
        return
    errors = result[result["severity"].eq("error")]
    if len(errors):
        rows = _rows(clean, errors, rules)
        raise ValidationError([
            Problem(source, row, "value", f"rule {e.rule} broken for {e.unit} in {e.period}: "
                                          f"{rules[e.rule][0].left.text} = {_number(e.left_value)} is not "
                                          f"{e.operator} {rules[e.rule][0].right.text} = {_number(e.right_value)}")
            for e, row in zip(errors.itertuples(index=False), rows, strict=True)])
    clean.attrs[WARNINGS] = result.reset_index(drop=True)


def record_warnings(store: Store, clean: pd.DataFrame, conn: Connection) -> None:
    """Store the warnings :func:`check_reports` left on ``clean`` (in the caller's transaction)."""
    warnings = clean.attrs.get(WARNINGS)
    if warnings is not None and len(warnings):
        store.write_violations(warnings, conn=conn)


def _with_stored(store: Store, file_values: pd.DataFrame, indicators: list[str]) -> pd.DataFrame:
    """The file's values over the current stored values of the rules' indicators in the file's months."""
    latest = store.last_reported_month()
    if latest is None or str(file_values["period"].min()) > latest:
        return file_values  # a month nobody has reported yet: nothing stored to lay under the file
    stored = store.reports(indicators=indicators, first=str(file_values["period"].min()),
                           last=str(file_values["period"].max()))
    if stored.empty:
        return file_values
    stored = stored[stored["period"].isin(set(file_values["period"]))][["unit", "period", "indicator", "value"]]
    keys = ["unit", "period", "indicator"]
    replaced = pd.MultiIndex.from_frame(stored[keys]).isin(pd.MultiIndex.from_frame(file_values[keys]))
    return pd.concat([stored[~replaced], file_values], ignore_index=True)


def _touched(violations: pd.DataFrame, file_values: pd.DataFrame, rules: dict[str, tuple[Rule, str]]
             ) -> pd.DataFrame:
    """Only violations in a (unit, month) where the file supplies one of the rule's indicators."""
    if violations.empty:
        return violations.assign(severity=pd.Series(dtype=object))
    named = pd.DataFrame([(code, i) for code, (rule, _) in rules.items() for i in rule.indicators],
                         columns=["rule", "indicator"])
    pairs = violations[["rule", "unit", "period"]].merge(named, on="rule")
    hit = pairs.merge(file_values[["unit", "period", "indicator"]], on=["unit", "period", "indicator"])
    keep = hit[["rule", "unit", "period"]].drop_duplicates()
    return violations.merge(keep, on=["rule", "unit", "period"]).reset_index(drop=True)


def _rows(clean: pd.DataFrame, errors: pd.DataFrame, rules: dict[str, tuple[Rule, str]]) -> list[int | None]:
    """The spreadsheet row of the file's first value a broken rule names, per error."""
    rows = []
    index = clean.set_index(["unit", "period", "indicator"]).index
    positions = pd.Series(clean.index.to_numpy(), index=index)
    for e in errors.itertuples(index=False):
        row = None
        for indicator in sorted(rules[e.rule][0].indicators):
            key = (e.unit, e.period, indicator)
            if key in positions.index:
                row = int(np.asarray(positions.loc[key]).ravel()[0])
                break
        rows.append(row)
    return rows


def _number(value: float) -> str:
    return f"{value:,.6g}"
