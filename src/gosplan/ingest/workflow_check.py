"""The reporting workflow's checks on the one validation path of imports and submissions.

:func:`check_workflow` runs after a file's own checks: a write into a month that is locked (for the
unit's subtree) is refused naming the lock; a report into a month that is approved or accepted is
refused until the approval is withdrawn (``gosplan approvals unapprove``); then the validation rules
judge the reports (:mod:`gosplan.ingest.rules_check`).
"""

from __future__ import annotations

import pandas as pd

from gosplan.engines.approvals import chain_of_indicators, in_force_by_chain
from gosplan.engines.hierarchy import Hierarchy
from gosplan.errors import Problem, ValidationError
from gosplan.model import Period
from gosplan.store import Store

from .rules_check import check_reports


def check_workflow(store: Store, kind: str, clean: pd.DataFrame, source: str) -> None:
    """Locks and approvals for reports and targets, then rules for reports; raises ValidationError."""
    if kind not in ("reports", "targets") or clean.empty:
        return
    _check_states(store, kind, clean, source)
    if kind == "reports":
        check_reports(store, clean, source)


def unit_hierarchy(store: Store) -> Hierarchy:
    """The hierarchy of the store's units; a submission's cached view of the store keeps one built."""
    built = getattr(store, "hierarchy", None)
    return built() if callable(built) else Hierarchy(store.units())


def _check_states(store: Store, kind: str, clean: pd.DataFrame, source: str) -> None:
    rows = clean.index.to_numpy()
    units = clean["unit"].astype(str).to_numpy()
    if kind == "reports":
        months = clean["period"].astype(str).to_numpy()
        owner = range(len(clean))
    else:  # a target's period covers its months; only locks concern targets
        expanded = [(i, str(m)) for i, p in enumerate(clean["period"].astype(str)) for m in Period.parse(p).months()]
        owner = [i for i, _ in expanded]
        months = [m for _, m in expanded]
        units = [units[i] for i in owner]
    recorded = store.approval_rows(periods=set(months))
    if recorded.empty:
        return
    hierarchy = unit_hierarchy(store)
    # Each indicator's reports follow its set's own approval chain, if it has one (else the hierarchy's).
    chain_of = chain_of_indicators(store.approval_chains(), store.indicator_sets())
    indicators = clean["indicator"].astype(str).to_numpy()
    chains = [chain_of.get(indicators[i], "") for i in owner]
    force = in_force_by_chain(recorded, hierarchy, list(units), list(months), chains)
    problems, seen = [], set()
    for position, r in zip(owner, force.itertuples(index=False), strict=True):
        if r.state == "locked":
            reason = f"{r.period} is locked for {r.holder} and everything below it; writes are refused"
        elif kind == "reports" and r.state in ("approved", "accepted"):
            reason = (f"{r.period} of {r.unit} is {r.state} (level {r.level}, at {r.holder}); unapprove it "
                      "before changing it")
        else:
            continue
        if position not in seen and len(problems) < 1000:
            seen.add(position)
            problems.append(Problem(source, int(rows[position]), "period", reason))
    if problems:
        raise ValidationError(problems)
