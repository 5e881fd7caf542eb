"""Approval of reported months along the hierarchy, period locks, and official figures.

A unit submits its month; a unit above it approves (the approving unit's level is recorded, and
the approval covers the approved unit's whole subtree); the top accepts; a planner or admin locks a
month for a subtree. Levels count up from the reporting units (see :mod:`gosplan.engines.approvals`).
Approved, accepted and locked months refuse report writes (the import's one validation path checks
them, :mod:`gosplan.ingest.workflow_check`); withdrawing an approval needs a reason and is written to
the audit log, as is every other move. Official figures are the approved ones.

    submit(service, "coal.tokchon", "2023-06", reporter)
    approve(service, "KP-02", "2023-06", planner)          # the province approves its subtree
    lock(service, "KP", "2023-06", admin)
"""

from __future__ import annotations

import pandas as pd

from gosplan.engines.approvals import in_force, levels
from gosplan.errors import Conflict, InvalidValue, NotFound, PermissionDenied
from gosplan.model import Period
from gosplan.service.accounts import Principal, require_role, writable_units
from gosplan.service.core import Service

OFFICIAL_STATES = ("approved", "accepted", "locked")
STATUS_COLUMNS = ["unit", "name", "kind", "level", "period", "state", "state_level", "held_at", "changed_by",
                  "changed_at"]


def _months(period: str | Period) -> list[str]:
    return [str(m) for m in Period.parse(period).months()]


def _unit(service: Service, unit: str) -> str:
    if unit not in service.hierarchy().parent:
        raise NotFound(f"unknown unit {unit!r}")
    return unit


def _force(service: Service, unit: str, months: list[str]) -> pd.DataFrame:
    rows = service.store.approval_rows(periods=months)
    return in_force(rows, service.hierarchy(), [unit] * len(months), months)


def _scope(service: Service, principal: Principal, acting: str) -> None:
    """``principal`` may act at ``acting`` only inside its own subtree."""
    if principal.subtree is not None and acting not in service.hierarchy().subtree(principal.subtree):
        raise PermissionDenied(f"{principal.name} may act only within {principal.subtree!r}, not at {acting!r}")


def status(service: Service, unit: str, period: str | Period) -> pd.DataFrame:
    """The state in force of ``unit`` and each unit directly below it, per month of ``period``."""
    hierarchy = service.hierarchy()
    unit = _unit(service, unit)
    members = [unit, *hierarchy.children[unit]]
    months = _months(period)
    rows = service.store.approval_rows(periods=months)
    pairs = [(u, m) for u in members for m in months]
    force = in_force(rows, hierarchy, [u for u, _ in pairs], [m for _, m in pairs])
    recorded = rows.set_index(["unit", "period"]) if len(rows) else None
    names = service.units().set_index("code")
    level_of = levels(hierarchy)

    def who(r, column):
        if recorded is None or r.holder is None or (r.holder, r.period) not in recorded.index:
            return None
        return recorded.loc[(r.holder, r.period), column]

    return pd.DataFrame([{
        "unit": r.unit, "name": names.loc[r.unit, "name"], "kind": names.loc[r.unit, "kind"],
        "level": level_of[r.unit], "period": r.period, "state": r.state,
        "state_level": int(r.level) if r.state != "open" else None, "held_at": r.holder,
        "changed_by": who(r, "changed_by"), "changed_at": who(r, "changed_at"),
    } for r in force.itertuples(index=False)], columns=STATUS_COLUMNS)


def submit(service: Service, unit: str, period: str | Period, principal: Principal) -> list[str]:
    """The unit submits its months of ``period`` (they must be open). Returns the months submitted."""
    unit = _unit(service, unit)
    allowed = writable_units(service, principal)
    if allowed is not None and unit not in allowed:
        raise PermissionDenied(f"{principal.name} ({principal.role}) may not submit for {unit!r}")
    months = _months(period)
    force = _force(service, unit, months)
    busy = force[force["state"] != "open"]
    if len(busy):
        r = busy.iloc[0]
        raise Conflict(f"{unit} cannot submit {r.period}: it is already {r.state} (at {r.holder})")
    done = _record(service, unit, months, "submitted", 0, principal, "approval.submit")
    from gosplan.service.notify import approval_requested

    approval_requested(service, unit, done, principal.name, "submitted")
    return done


def approve(service: Service, unit: str, period: str | Period, principal: Principal, at: str | None = None
            ) -> list[str]:
    """Approve ``unit``'s subtree for the months of ``period``, acting at ``at`` (default: the lowest unit
    on its path above the level in force, within the principal's subtree)."""
    require_role(principal, "admin", "planner")
    unit = _unit(service, unit)
    hierarchy = service.hierarchy()
    level_of = levels(hierarchy)
    months = _months(period)
    force = _force(service, unit, months)
    current = int(force.loc[force["state"] == "approved", "level"].max()) if (force["state"] == "approved").any() \
        else -1
    path = hierarchy.path(unit)
    if at is None:
        candidates = [u for u in reversed(path) if level_of[u] > max(current, 0)
                      and (principal.subtree is None or u in hierarchy.subtree(principal.subtree))]
        if not candidates:
            raise PermissionDenied(f"{principal.name} has no unit above the level in force to approve {unit!r} from")
        at = candidates[0]
    at = _unit(service, at)
    if level_of[at] == 0:
        raise PermissionDenied(f"{at!r} is a reporting unit: it submits, a unit above it approves")
    if at not in path:
        raise PermissionDenied(f"{at!r} cannot approve {unit!r}: {unit!r} is outside its subtree")
    _scope(service, principal, at)
    for r in force.itertuples(index=False):
        if r.state in ("accepted", "locked"):
            raise Conflict(f"{unit}'s {r.period} is already {r.state} (at {r.holder})")
        if r.state == "approved" and level_of[at] <= r.level:
            raise PermissionDenied(f"{unit}'s {r.period} is approved at level {r.level} (at {r.holder}); {at!r} "
                                   f"is at level {level_of[at]}, not above it")
        if r.state == "open" and hierarchy.is_leaf(unit):
            raise Conflict(f"{unit} has not submitted {r.period} yet")
    done = _record(service, unit, months, "approved", level_of[at], principal, "approval.approve", at=at)
    from gosplan.service.notify import approval_requested

    approval_requested(service, unit, done, principal.name, f"approved at {at}", at=at)  # the next level's turn
    return done


def accept(service: Service, unit: str, period: str | Period, principal: Principal) -> list[str]:
    """The top of the hierarchy accepts approved months (admins and planners of the whole country)."""
    require_role(principal, "admin", "planner")
    unit = _unit(service, unit)
    hierarchy = service.hierarchy()
    top = hierarchy.path(unit)[0]
    _scope(service, principal, top)
    months = _months(period)
    for r in _force(service, unit, months).itertuples(index=False):
        if r.state != "approved":
            raise Conflict(f"{unit}'s {r.period} is {r.state}; only approved months can be accepted")
    return _record(service, unit, months, "accepted", levels(hierarchy)[top], principal, "approval.accept", at=top)


def unapprove(service: Service, unit: str, period: str | Period, principal: Principal, reason: str) -> list[str]:
    """Withdraw the approval (or acceptance) covering ``unit``'s months, with a reason for the audit log.
    A locked month cannot be unapproved; only a unit at or above the approval's level may withdraw it."""
    require_role(principal, "admin", "planner")
    if not reason or not reason.strip():
        raise InvalidValue("unapproving needs a reason (it is kept in the audit log)")
    unit = _unit(service, unit)
    hierarchy = service.hierarchy()
    months = _months(period)
    force = _force(service, unit, months)
    for r in force.itertuples(index=False):
        if r.state == "locked":
            raise Conflict(f"{r.period} is locked at {r.holder}; unlock it before unapproving {unit}")
        if r.state not in ("approved", "accepted"):
            raise Conflict(f"{unit}'s {r.period} is {r.state}; there is no approval to withdraw")
        if principal.subtree is not None and r.holder not in hierarchy.subtree(principal.subtree):
            raise PermissionDenied(f"the approval of {r.period} is held at {r.holder}, outside {principal.name}'s "
                                   f"subtree {principal.subtree!r}")
        if principal.subtree is not None and levels(hierarchy)[principal.subtree] < r.level:
            raise PermissionDenied(f"{unit}'s {r.period} is {r.state} at level {r.level}; {principal.name} acts at "
                                   f"{principal.subtree!r}, level {levels(hierarchy)[principal.subtree]}, below it")
    members = hierarchy.subtree(unit)
    with service.store.transaction() as conn:
        for r in force.itertuples(index=False):
            service.store.clear_approvals({*members, r.holder}, r.period, ("approved", "accepted"), conn=conn)
        service.store.append_audit(principal.name, principal.via, "approval.unapprove", f"approval:{unit}:{period}",
                                   {"states": force[["period", "state", "level", "holder"]].to_dict("records")},
                                   {"reason": reason}, conn=conn)
    return months


def lock(service: Service, unit: str, period: str | Period, principal: Principal) -> list[str]:
    """Lock the months of ``period`` for ``unit``'s subtree: every write into them is refused."""
    require_role(principal, "admin", "planner")
    unit = _unit(service, unit)
    _scope(service, principal, unit)
    months = _months(period)
    for r in _force(service, unit, months).itertuples(index=False):
        if r.state == "locked":
            raise Conflict(f"{r.period} is already locked at {r.holder}")
    return _record(service, unit, months, "locked", levels(service.hierarchy())[unit], principal, "approval.lock")


def unlock(service: Service, unit: str, period: str | Period, principal: Principal, reason: str) -> list[str]:
    """Lift a lock recorded at ``unit`` (admins only, with a reason for the audit log)."""
    require_role(principal, "admin")
    if not reason or not reason.strip():
        raise InvalidValue("unlocking needs a reason (it is kept in the audit log)")
    unit = _unit(service, unit)
    months = _months(period)
    with service.store.transaction() as conn:
        removed = sum(service.store.clear_approvals([unit], m, ("locked",), conn=conn) for m in months)
        if not removed:
            raise Conflict(f"no lock is recorded at {unit} for {period}")
        service.store.append_audit(principal.name, principal.via, "approval.unlock", f"approval:{unit}:{period}",
                                   None, {"reason": reason}, conn=conn)
    return months


def _record(service: Service, unit: str, months: list[str], state: str, level: int, principal: Principal,
            action: str, at: str | None = None) -> list[str]:
    with service.store.transaction() as conn:
        for month in months:
            service.store.set_approval(unit, month, state, level, principal.name, conn=conn)
        service.store.append_audit(principal.name, principal.via, action, f"approval:{unit}:{months[0]}"
                                   + (f"..{months[-1]}" if len(months) > 1 else ""), None,
                                   {"state": state, "level": level, "at": at or unit}, conn=conn)
    return months


def figures(service: Service, first: str, last: str, view: str = "official") -> pd.DataFrame:
    """Current report values of months [first, last]: ``provisional`` (all) or ``official`` (only months
    approved, accepted or locked for their unit)."""
    if view not in ("official", "provisional"):
        raise InvalidValue(f"view must be official or provisional, not {view!r}")
    reports = service.store.reports(first=first, last=last)
    if view == "provisional" or reports.empty:
        return reports
    rows = service.store.approval_rows(periods=set(reports["period"]))
    force = in_force(rows, service.hierarchy(), reports["unit"].tolist(), reports["period"].tolist())
    return reports[force["state"].isin(OFFICIAL_STATES).to_numpy()].reset_index(drop=True)
