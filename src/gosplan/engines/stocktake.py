"""The stocktake: at most seven judgements on the likelihood of delivering the plan, with owners.

Pure computation over the fact table (:mod:`gosplan.engines.facts`) and, where there is one, the
year-end outlook (expected total and probability of meeting the annual target per unit and
indicator). Returns codes and numbers only; the review turns them into sentences
(:mod:`gosplan.review.stocktake`).

A judgement is one of:

- ``indicator``: a key indicator whose annual target is in doubt (rated red or amber);
- ``indicators``: several such indicators taken together when there are more than fit on a page;
- ``reports``: units with a target that have not reported every month of the window.

Indicators on course (green) are counted in the headline, not judged one by one: they ask nothing
of the plenum.

Rating of the likelihood of delivering an indicator's annual target (first rule that applies):

1. the year is over (no months left): fulfilment of the annual target, green >= 99 %, amber >= 95 %;
2. an outlook gives P(annual target met): green >= 0.75, amber >= 0.25, else red;
3. the rest of the year against the plan's own path for it (``rest_vs_path``): green <= 0,
   amber <= +5 %, else red.

Every number a judgement carries is an :class:`Evidence`: the frame (``facts`` or ``outlook``), the
unit, the indicator and the column it was read from, so a test can check each printed figure.

>>> import pandas as pd
>>> facts = pd.DataFrame({"unit": ["KP", "KP-01", "KP-02"], "unit_kind": ["country", "province", "province"],
...     "indicator": "grain", "fulfilment": [0.94, 0.99, 0.90], "status": ["lagging", "on track", "lagging"],
...     "target_basis": [100.0, 50.0, 50.0], "actual_basis": [94.0, 49.5, 45.0], "annual_done": [0.2, 0.2, 0.2],
...     "rest_vs_path": [0.12, 0.01, 0.15], "change": [0.05, 0.0, 0.1], "units_missing": 0, "expected": [2, 1, 1],
...     "months_left": 6})
>>> [(j.key, j.rating, j.owner, j.decision) for j in judge(facts, "KP", ["grain"])]
[('indicator:grain', 'red', 'KP-02', 'recover_or_revise')]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

RATINGS = ("red", "amber", "green")
MAX_JUDGEMENTS = 7


@dataclass(frozen=True)
class RatingRules:
    """Where green ends and red begins (see the module docstring)."""

    p_green: float = 0.75
    p_amber: float = 0.25
    path_green: float = 0.0
    path_amber: float = 0.05
    done_green: float = 0.99
    done_amber: float = 0.95
    revise_path: float = 0.10  # beyond this the plenum is asked to weigh a revision of the target
    revise_p: float = 0.05


@dataclass(frozen=True)
class Evidence:
    """One number behind a judgement and where it was read."""

    name: str  # what it is: fulfilment, annual_done, rest_vs_path, change, p_attain, ...
    value: float
    source: str  # "facts" or "outlook"
    unit: str
    indicator: str
    column: str


@dataclass(frozen=True)
class Judgement:
    """One line of page one: a rating, its subject, the owner and the decision asked (codes)."""

    key: str
    rating: str  # red / amber / green
    subject: str  # an indicator code, or "reports"
    basis: str  # what the rating rests on: year, outlook, path, no data
    owner: str  # unit code of the responsible unit
    decision: str  # recover_or_revise / recover / monitor / order_reports
    evidence: tuple[Evidence, ...] = ()
    members: tuple[str, ...] = field(default=())  # indicators taken together (key "indicators")

    def value(self, name: str) -> float | None:
        """The value of the evidence called ``name`` (the first), or ``None``."""
        return next((e.value for e in self.evidence if e.name == name), None)


def _number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def rate(row: pd.Series, outlook: pd.Series | None, rules: RatingRules) -> tuple[str, str]:
    """(rating, basis) of one national row of the fact table and its outlook row."""
    months_left = int(_number(row.get("months_left", 0)) or 0)
    fulfilment = _number(row.get("fulfilment"))
    if months_left == 0 and np.isfinite(fulfilment):
        return _band(fulfilment, rules.done_green, rules.done_amber), "year"
    p = _number(outlook.get("p_attain")) if outlook is not None else float("nan")
    if np.isfinite(p):
        return _band(p, rules.p_green, rules.p_amber), "outlook"
    path = _number(row.get("rest_vs_path"))
    if np.isfinite(path):
        return ("green" if path <= rules.path_green else "amber" if path <= rules.path_amber else "red"), "path"
    if np.isfinite(fulfilment):
        return _band(fulfilment, rules.done_green, rules.done_amber), "to date"
    return "red", "no data"


def _band(value: float, green: float, amber: float) -> str:
    return "green" if value >= green else "amber" if value >= amber else "red"


def owner_of(facts: pd.DataFrame, indicator: str, root: str) -> str:
    """The province (or the root's child) furthest behind its own plan for ``indicator``.

    Furthest behind: the largest shortfall to date (target minus actual, like for like); without
    one, the largest excess of what the rest of the year needs over the plan's path; else the root.
    """
    part = facts[facts["indicator"].eq(indicator) & facts["unit"].ne(root)]
    part = part[part["unit_kind"].eq("province")] if part["unit_kind"].eq("province").any() else part.iloc[0:0]
    if part.empty:
        return root
    gap = part["target_basis"].astype(float) - part["actual_basis"].astype(float)
    if (gap > 0).any():
        return str(part.loc[gap.idxmax(), "unit"])
    if "rest_vs_path" in part and part["rest_vs_path"].astype(float).gt(0).any():
        return str(part.loc[part["rest_vs_path"].astype(float).idxmax(), "unit"])
    return root


def _evidence(row: pd.Series, names: tuple[str, ...], source: str) -> list[Evidence]:
    out = []
    for name in names:
        value = _number(row.get(name))
        if np.isfinite(value):
            out.append(Evidence(name, value, source, str(row["unit"]), str(row["indicator"]), name))
    return out


FACT_EVIDENCE = ("fulfilment", "annual_done", "rest_vs_path", "change")
OUTLOOK_EVIDENCE = ("expected_fulfilment", "p_attain")


def _indicator_judgement(facts: pd.DataFrame, row: pd.Series, outlook: pd.Series | None, root: str,
                         rules: RatingRules) -> Judgement:
    rating, basis = rate(row, outlook, rules)
    code = str(row["indicator"])
    evidence = _evidence(row, FACT_EVIDENCE, "facts")
    if outlook is not None and basis == "outlook":
        evidence += _evidence(outlook, OUTLOOK_EVIDENCE, "outlook")
    owner = owner_of(facts, code, root)
    if owner != root:
        owner_row = facts[facts["unit"].eq(owner) & facts["indicator"].eq(code)].iloc[0]
        evidence += [Evidence("owner_fulfilment", e.value, e.source, e.unit, e.indicator, e.column)
                     for e in _evidence(owner_row, ("fulfilment",), "facts")]
    p = _number(outlook.get("p_attain")) if outlook is not None else float("nan")
    path = _number(row.get("rest_vs_path"))
    severe = (np.isfinite(p) and p < rules.revise_p) or (np.isfinite(path) and path > rules.revise_path)
    decision = "monitor" if rating == "amber" else "recover_or_revise" if severe else "recover"
    if basis == "year":
        decision = "account"  # the year is over: the plenum hears why, nothing is left to recover
    return Judgement(f"indicator:{code}", rating, code, basis, owner, decision, tuple(evidence))


def _severity(j: Judgement) -> tuple:
    p = j.value("p_attain")
    path = j.value("rest_vs_path")
    fulfilment = j.value("fulfilment")
    return (RATINGS.index(j.rating), p if p is not None else 1.0, -(path or 0.0), fulfilment or 1.0)


def _reports_judgement(facts: pd.DataFrame, root: str, key: list[str]) -> Judgement | None:
    national = facts[facts["unit"].eq(root) & facts["indicator"].isin(key)]
    missing = national["units_missing"].astype(float).fillna(0)
    if not missing.gt(0).any():
        return None
    expected = national["expected"].astype(float).fillna(0)
    silent = national[missing.ge(expected) & expected.gt(0)]  # nothing complete: cannot be judged
    rating = "red" if len(silent) or missing.sum() > 0.1 * expected.sum() else "amber"
    provinces = facts[facts["unit_kind"].eq("province") & facts["indicator"].isin(key)]
    by_province = provinces.groupby("unit")["units_missing"].sum()
    owner = str(by_province.idxmax()) if len(by_province) and by_province.max() > 0 else root
    evidence = [Evidence("units_missing", float(m), "facts", root, str(i), "units_missing")
                for i, m in zip(national["indicator"], missing, strict=True) if m > 0]
    members = tuple(str(i) for i in silent["indicator"])
    return Judgement("reports", rating, "reports", "no data" if members else "to date", owner, "order_reports",
                     tuple(evidence), members)


def _merge(judgements: list[Judgement], root: str) -> Judgement:
    """Several indicator judgements taken together (the worst rating, owners left to the annex)."""
    worst = min(judgements, key=lambda j: RATINGS.index(j.rating))
    evidence = tuple(e for j in judgements for e in j.evidence if e.name == "fulfilment")
    owners = {j.owner for j in judgements}
    owner = owners.pop() if len(owners) == 1 else root
    return Judgement("indicators", worst.rating, "indicators", worst.basis, owner, "monitor", evidence,
                     tuple(j.subject for j in judgements))


def judge(facts: pd.DataFrame, root: str, key_indicators: list[str], outlook: pd.DataFrame | None = None, *,
          limit: int = MAX_JUDGEMENTS, rules: RatingRules | None = None) -> list[Judgement]:
    """At most ``limit`` judgements, red before amber, the least likely first; reports last.

    ``facts``: the fact table (one row per unit and indicator); ``outlook``: optional frame with unit,
    indicator, p_attain and expected_fulfilment. Key indicators with nothing reported are left to
    the ``reports`` judgement.
    """
    rules = rules or RatingRules()
    national = facts[facts["unit"].eq(root) & facts["indicator"].isin(key_indicators)]
    looks = {}
    if outlook is not None and len(outlook):
        top = outlook[outlook["unit"].eq(root)]
        looks = {str(r["indicator"]): r for _, r in top.iterrows()}
    items = []
    for _, row in national.iterrows():
        if row.get("status") in ("missing", "no target"):
            continue
        judgement = _indicator_judgement(facts, row, looks.get(str(row["indicator"])), root, rules)
        if judgement.rating != "green":
            items.append(judgement)
    items.sort(key=_severity)
    extras = [j for j in (_reports_judgement(facts, root, key_indicators),) if j is not None]
    room = max(limit - len(extras), 1)
    if len(items) > room:
        items = [*items[:room - 1], _merge(items[room - 1:], root)]
    return (items + extras)[:limit]


def on_course(facts: pd.DataFrame, root: str, key_indicators: list[str], outlook: pd.DataFrame | None = None,
              rules: RatingRules | None = None) -> list[str]:
    """The key indicators rated green (for the headline), in the order given."""
    rules = rules or RatingRules()
    national = facts[facts["unit"].eq(root) & facts["indicator"].isin(key_indicators)].set_index("indicator")
    looks = {}
    if outlook is not None and len(outlook):
        looks = {str(r["indicator"]): r for _, r in outlook[outlook["unit"].eq(root)].iterrows()}
    out = []
    for code in key_indicators:
        if code in national.index and national.loc[code, "status"] not in ("missing", "no target"):
            row = national.loc[code].copy()
            row["unit"], row["indicator"] = root, code
            if rate(row, looks.get(code), rules)[0] == "green":
                out.append(code)
    return out
