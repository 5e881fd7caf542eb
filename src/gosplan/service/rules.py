"""Validation rules as use cases: define, run over a period, generate and edit min-max bounds, follow
up and resolve what was found.

A rule is ``left operator right`` over indicator codes of one unit and month (see
:mod:`gosplan.engines.rules.formula`), with a severity: ``error`` (an import or submission breaking
it is refused) or ``warning`` (stored and listed). Rules also run on every import and submission,
through the import's one validation path (:mod:`gosplan.ingest.rules_check`).

    add_rule(service, "coal_per_power", "coal_used <= 0.7 * electricity", severity="warning")
    found = run_rules(service, "2023-06")          # stored, with both sides of each rule
"""

from __future__ import annotations

import pandas as pd

from gosplan.engines.rules import OPERATOR_TEXTS, check_bounds, evaluate, generate_bounds, parse_rule
from gosplan.errors import InvalidValue, NotFound, Problem, ValidationError
from gosplan.i18n import _
from gosplan.ingest.rules_check import SEVERITIES, stored_rules
from gosplan.model import Period
from gosplan.service.core import Service

RUN_COLUMNS = ["id", "rule", "unit", "period", "severity", "left", "left_value", "operator", "right",
               "right_value", "status", "comment"]


def add_rule(service: Service, code: str, text: str | None = None, *, left: str | None = None,
             operator: str | None = None, right: str | None = None, name: str | None = None,
             severity: str = "warning") -> bool:
    """Create or replace a rule; a formula naming an unknown indicator is refused with the name.
    Returns True when the rule is new."""
    if not code or code.startswith("minmax:"):
        raise InvalidValue(_("a rule needs a code (not starting with 'minmax:'): {code}", code=repr(code)))
    if severity not in SEVERITIES:
        raise InvalidValue(_("severity must be one of {choices}, not {value}", choices=", ".join(SEVERITIES),
                              value=repr(severity)))
    rule = parse_rule(text, left=left, operator=operator, right=right)
    known = set(service.indicators()["code"])
    unknown = sorted(rule.indicators - known)
    if unknown:
        raise ValidationError([Problem(_("rule {code}", code=code), None, "formula",
                                       _("unknown indicator {indicator} in {formula}", indicator=repr(i),
                                         formula=repr(rule.text)))
                               for i in unknown])
    new = service.store.write_rule(code, name or rule.text, rule.left.text, rule.operator, rule.right.text,
                                   severity)
    service.store.append_audit("rules", "rules", "rule.define", f"rule:{code}", None,
                               {"rule": rule.text, "severity": severity})
    return new


def rules(service: Service) -> pd.DataFrame:
    """The stored rules: code, name, left, operator, right, severity."""
    return service.store.rules()


def run_rules(service: Service, period: str | Period, unit: str | None = None) -> pd.DataFrame:
    """Judge every month of ``period`` (of ``unit``'s subtree) by every rule and every bound, store what
    is found (an open violation no longer found is marked cleared) and return it with both sides."""
    p = Period.parse(period)
    months = [str(m) for m in p.months()]
    compiled = stored_rules(service.store)
    hierarchy = service.hierarchy()
    members = None
    if unit is not None:
        if unit not in hierarchy.parent:
            raise NotFound(_("unknown unit {unit}", unit=repr(unit)))
        members = set(hierarchy.subtree(unit))
    bounds = service.store.bounds(units=members)
    named = set().union(*(rule.indicators for rule, _ in compiled.values())) if compiled else set()
    named |= set(bounds["indicator"])
    values = service.store.reports(indicators=sorted(named), first=months[0], last=months[-1]) if named else None
    parts = []
    if values is not None and len(values):
        values = values[["unit", "period", "indicator", "value"]]
        found = evaluate({c: r for c, (r, _) in compiled.items()}, values, hierarchy.parent, only_units=members)
        parts.append(found.assign(severity=found["rule"].map({c: s for c, (_, s) in compiled.items()})))
        judged = values if members is None else values[values["unit"].isin(members)]
        parts.append(check_bounds(judged, bounds).assign(severity="warning"))
    parts = [part for part in parts if len(part)]
    found = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["rule", "unit", "period", "left_value", "operator", "right_value", "severity"])
    # Only a whole-hierarchy run may clear what it no longer finds (a subtree run saw only part).
    clear = [(code, m) for code in [*compiled, *(f"minmax:{i}" for i in set(bounds["indicator"]))]
             for m in months] if members is None else None
    with service.store.transaction() as conn:
        service.store.write_violations(found, clear=clear, conn=conn)
    return violations(service, period, unit=unit, status=("open", "follow-up"))


def violations(service: Service, period: str | Period, unit: str | None = None,
               status: str | tuple[str, ...] | None = None) -> pd.DataFrame:
    """Stored violations of ``period``'s months with the text of both sides of their rule."""
    frames = [service.store.violations(str(m), status=status) for m in Period.parse(period).months()]
    frame = pd.concat(frames, ignore_index=True)
    if unit is not None:
        frame = frame[frame["unit"].isin(set(service.hierarchy().subtree(unit)))]
    texts = service.store.rules().set_index("code")
    is_bound = frame["rule"].str.startswith("minmax:")
    frame = frame.assign(
        left=frame["rule"].map(texts["left"]).where(~is_bound, frame["rule"].str[7:]),
        right=frame["rule"].map(texts["right"]).where(~is_bound, "bound"),
        operator=frame["rule"].map(texts["operator"]).where(
            ~is_bound, (frame["left_value"] > frame["right_value"]).map({True: "<=", False: ">="})),
    )
    return frame[RUN_COLUMNS].reset_index(drop=True)


def generate_minmax(service: Service, as_of: str, *, years: int = 3, k: float = 3.0, min_months: int = 6) -> int:
    """Bounds per (unit, indicator) from the ``years`` x 12 months up to ``as_of``: median +- k x scaled MAD
    (see :mod:`gosplan.engines.rules.minmax`). Bounds edited by hand are kept. Returns bounds written."""
    last = Period.parse(as_of).last_month()
    first = last.shift(-12 * years + 1)
    history = service.store.reports(first=str(first), last=str(last))
    indicators = service.indicators()
    non_negative = indicators.loc[indicators["role"].isin(["output", "input"]), "code"]
    bounds = generate_bounds(history[["unit", "indicator", "value"]], k=k, min_months=min_months,
                             non_negative=non_negative)
    with service.store.transaction() as conn:
        written = service.store.write_bounds(bounds, generated=True, conn=conn)
    return written


def set_bounds(service: Service, unit: str, indicator: str, low: float, high: float, by: str = "cli") -> None:
    """Set one (unit, indicator)'s bounds by hand; later generation keeps them."""
    if unit not in service.hierarchy().parent:
        raise NotFound(_("unknown unit {unit}", unit=repr(unit)))
    if indicator not in set(service.indicators()["code"]):
        raise NotFound(_("unknown indicator {indicator}", indicator=repr(indicator)))
    if not low <= high:
        raise InvalidValue(_("the low bound {low} is above the high bound {high}", low=f"{low:g}", high=f"{high:g}"))
    frame = pd.DataFrame({"unit": [unit], "indicator": [indicator], "low": [float(low)], "high": [float(high)]})
    with service.store.transaction() as conn:
        service.store.write_bounds(frame, generated=False, conn=conn)
        service.store.append_audit(by, "rules", "bounds.set", f"bounds:{unit}:{indicator}", None,
                                   {"low": low, "high": high}, conn=conn)


def follow_up(service: Service, violation_id: int, comment: str, by: str = "cli") -> None:
    """Mark an open violation for follow-up, with a comment."""
    service.store.set_violation_status(violation_id, "follow-up", comment, by, allowed=("open",))


def resolve(service: Service, violation_id: int, comment: str, by: str = "cli") -> None:
    """Resolve an open or followed-up violation; the comment says how."""
    if not comment.strip():
        raise InvalidValue(_("resolving a violation needs a comment saying how it was resolved"))
    service.store.set_violation_status(violation_id, "resolved", comment, by, allowed=("open", "follow-up"))


__all__ = ["OPERATOR_TEXTS", "add_rule", "follow_up", "generate_minmax", "resolve", "rules", "run_rules",
           "set_bounds", "violations"]
