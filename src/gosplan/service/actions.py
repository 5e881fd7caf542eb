"""The action plan: gather the engines' findings, propose actions, store and track accepted ones.

Findings come from loaders registered with :func:`finding` (``laggards``, ``projects``,
``risk_measures`` here); another capability registers its own loader in its service module (e.g.
``peers`` in ``service/reserves.py``) and its proposer in ``engines/proposers/``. Every module of
this package is imported before findings are collected, so neither list is edited by hand.

Tracking: when a planner accepts an action, the linked target's current value of the action's
metric (fulfilment of the indicator at the unit, or a project's SPI(t)) is stored in ``details``
as ``accepted_baseline``; :func:`track_actions` compares it with the value in a later period.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd

from gosplan.engines.actions import Findings, propose
from gosplan.errors import GosplanError, InvalidValue, NotFound
from gosplan.i18n import _
from gosplan.model import ACTION_STATUSES, Period
from gosplan.store._common import utc_now

FindingLoader = Callable[[Any, str], "pd.DataFrame | None"]
_LOADERS: dict[str, FindingLoader] = {}
TRACK_COLUMNS = ["id", "title", "owner_unit", "status", "due", "origin", "metric", "baseline_period",
                 "baseline", "now", "change", "verdict"]
SETTABLE_STATUSES = ("in progress", "done")
RECOVERED_AT = {"fulfilment": 1.0, "spi_t": 0.95}


def finding(name: str) -> Callable[[FindingLoader], FindingLoader]:
    """Register a loader of the findings table ``name`` (service, period) -> frame or ``None``."""

    def register(loader: FindingLoader) -> FindingLoader:
        _LOADERS[name] = loader
        return loader

    return register


@finding("laggards")
def _laggards(service, period: str) -> pd.DataFrame | None:
    table = service.fulfilment(period)
    if table.empty:
        return None
    leaves = table[table["unit"].map(service.hierarchy().is_leaf) & table["target_is_own"]]
    key = service.indicators().set_index("code")["key"].astype(bool)
    return leaves.assign(key=leaves["indicator"].map(key).fillna(False).astype(bool))


@finding("projects")
def _projects(service, period: str) -> pd.DataFrame | None:
    from gosplan.service.projects import project_status

    try:
        return project_status(service, Period.parse(period).last_month())
    except NotFound:
        return None


@finding("risk_measures")
def _risk(service, period: str) -> pd.DataFrame | None:
    from gosplan.service.forecasts import grain_outlook

    try:
        outlook = grain_outlook(service, Period.parse(period).last_month())
    except NotFound:
        return None
    return None if outlook is None else outlook.measures


def collect_findings(service, period: str) -> Findings:
    """Run every registered loader for ``period``; missing data simply leaves a table out."""
    import gosplan.service as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    p = Period.parse(period)
    tables = {}
    for name, loader in sorted(_LOADERS.items()):
        frame = loader(service, str(p))
        if frame is not None:
            tables[name] = frame
    values: dict[str, Any] = {"as_of": str(p.last_month())}
    if "risk_measures" in tables:
        names = service.units().set_index("code")["name"].to_dict()
        values["province_names"] = names
    return Findings(str(p), tables, values)


def propose_actions(service, period: str) -> pd.DataFrame:
    """The proposals for ``period`` (not stored): ``engines.actions.PROPOSAL_COLUMNS``."""
    key = ("proposals", str(Period.parse(period)))
    return service._cached(key, lambda: propose(collect_findings(service, period)))


def store_proposals(service, period: str) -> list[int]:
    """Store the proposals for ``period`` that are not stored yet (same key, any status but rejected
    counts as stored); returns the new ids."""
    proposals = propose_actions(service, period)
    stored = service.store.actions_with_details()
    seen = {d.get("key") for d in stored["details"]}
    fresh = proposals[[d.get("key") not in seen for d in proposals["details"]]]
    if fresh.empty:
        return []
    frame = fresh.assign(period=fresh["period"], status="proposed")
    return service.store.add_actions(frame)


def metric_value(service, metric: str, details: dict, indicator: str | None, unit: str | None,
                 period: str) -> float:
    """The action's metric in ``period``: fulfilment of (indicator, unit), or a project's SPI(t)."""
    if metric == "spi_t":
        from gosplan.service.projects import project_status

        try:
            status = project_status(service, Period.parse(period).last_month()).set_index("project")
        except NotFound:
            return math.nan
        project = details.get("project")
        return float(status.loc[project, "spi_t"]) if project in status.index else math.nan
    if metric == "output_per_worker_goal":  # share of the goal a "learn from peers" action set
        from gosplan.service.reserves import output_per_worker

        return output_per_worker(service, str(unit), period) / float(details.get("goal") or math.nan)
    table = service.fulfilment(period)
    row = table[table["indicator"].eq(indicator) & table["unit"].eq(unit)]
    return float(row["fulfilment"].iloc[0]) if len(row) else math.nan


def _get(service, action_id: int) -> dict:
    return service.store.action(action_id)


def accept_action(service, action_id: int, period: str | None = None) -> dict:
    """Accept a proposal; store the linked target's value now as the baseline of its tracking."""
    action = _get(service, action_id)
    if action["status"] not in ("proposed", "rejected"):
        raise GosplanError(_("action {action} is already {status}", action=action_id, status=_(action["status"])))
    details = dict(action["details"])
    when = str(Period.parse(period)) if period else (details.get("proposed_for") or details.get("baseline_period")
                                                      or action["period"])
    metric = details.get("metric", "fulfilment")
    baseline = metric_value(service, metric, details, action["indicator"], action["unit"], when)
    details.update({"accepted_baseline": None if math.isnan(baseline) else baseline,
                    "accepted_period": when, "accepted_at": utc_now().isoformat(timespec="seconds")})
    service.store.update_action(action_id, status="accepted", details=details)
    accepted = _get(service, action_id)
    from gosplan.service.notify import action_accepted

    action_accepted(service, accepted)  # mail to the owner unit's users (service/notify.py)
    return accepted


def reject_action(service, action_id: int) -> dict:
    _get(service, action_id)
    service.store.update_action(action_id, status="rejected")
    return _get(service, action_id)


def edit_action(service, action_id: int, *, due: str | date | None = None, owner: str | None = None,
                title: str | None = None, check: str | None = None) -> dict:
    """Change the due date, owner unit, title or check of an action."""
    _get(service, action_id)
    changes: dict[str, Any] = {}
    if due is not None:
        try:
            changes["due"] = date.fromisoformat(str(due))
        except ValueError:
            raise InvalidValue(_("not a date: {value} (expected YYYY-MM-DD)", value=repr(due))) from None
    if owner is not None:
        if owner not in set(service.units()["code"]):
            raise NotFound(_("unknown unit {unit}", unit=repr(owner)))
        changes["owner_unit"] = owner
    if title is not None:
        changes["title"] = title
    if check is not None:
        changes["check"] = check
    service.store.update_action(action_id, **changes)
    return _get(service, action_id)


def set_action_status(service, action_id: int, status: str) -> dict:
    """Mark an accepted action ``in progress`` or ``done``."""
    if status not in SETTABLE_STATUSES:
        raise InvalidValue(_("status must be one of {choices}, not {value}", choices=", ".join(SETTABLE_STATUSES),
                             value=repr(status)))
    action = _get(service, action_id)
    if action["status"] not in ("accepted", "in progress", "done"):
        raise GosplanError(_("action {action} is {status}; accept it first", action=action_id,
                                 status=_(action["status"])))
    service.store.update_action(action_id, status=status)
    return _get(service, action_id)


def list_actions(service, status: str | None = None) -> pd.DataFrame:
    if status is not None and status not in ACTION_STATUSES:
        raise InvalidValue(_("status must be one of {choices}, not {value}", choices=", ".join(ACTION_STATUSES),
                             value=repr(status)))
    return service.store.actions_with_details(status=status)


def track_actions(service, period: str) -> pd.DataFrame:
    """Accepted, in-progress and done actions with their metric at acceptance and in ``period``.

    ``verdict``: ``recovered`` when the metric reached its mark (fulfilment 100 %, SPI(t) 0.95),
    ``improving`` when it rose, ``not recovered`` otherwise, ``no data`` when it cannot be measured.
    """
    actions = service.store.actions_with_details(status=["accepted", "in progress", "done"])
    rows = []
    for action in actions.to_dict("records"):
        details = action["details"]
        metric = details.get("metric", "fulfilment")
        baseline = details.get("accepted_baseline")
        baseline = math.nan if baseline is None else float(baseline)
        now = metric_value(service, metric, details, action["indicator"], action["unit"], period)
        if math.isnan(now) or math.isnan(baseline):
            verdict = "no data"
        elif now >= RECOVERED_AT.get(metric, 1.0):
            verdict = "recovered"
        elif now > baseline + 1e-9:
            verdict = "improving"
        else:
            verdict = "not recovered"
        rows.append({"id": action["id"], "title": action["title"], "owner_unit": action["owner_unit"],
                     "status": action["status"], "due": action["due"], "origin": action["origin"],
                     "metric": metric, "baseline_period": details.get("accepted_period"), "baseline": baseline,
                     "now": now, "change": now - baseline, "verdict": verdict})
    return pd.DataFrame(rows, columns=TRACK_COLUMNS)
