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

An indicator set may have an approval chain of its own (:func:`define_chain`: the kind of unit acting
at each level, e.g. enterprise submits, ministry approves, country accepts); the reports of its
indicators then follow that chain, and every move names the set (``set_code``). States of a chain
are recorded apart from those of the hierarchy's levels; a lock recorded without a set closes the
month for every indicator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gosplan.engines.approvals import chain_levels, chain_of_indicators, in_force_by_chain, levels
from gosplan.errors import Conflict, InvalidValue, NotFound, PermissionDenied
from gosplan.i18n import _
from gosplan.model import Period
from gosplan.service.accounts import Principal, acts_within, require_role, writable_units
from gosplan.service.core import Service

OFFICIAL_STATES = ("approved", "accepted", "locked")
STATUS_COLUMNS = ["unit", "name", "kind", "level", "period", "state", "state_level", "held_at", "changed_by",
                  "changed_at"]


@dataclass(frozen=True)
class Chain:
    """The approval chain a move follows: ``key`` is the indicator set ("" = the hierarchy's levels),
    ``levels`` the level of each unit that acts in it, ``kinds`` the set's kinds by level."""

    key: str
    levels: dict[str, int]
    kinds: tuple[str, ...] = ()

    def top(self) -> int:
        return len(self.kinds) - 1 if self.kinds else max(self.levels.values(), default=0)


def chain(service: Service, set_code: str | None = None) -> Chain:
    """The chain of indicator set ``set_code`` (it must have one), or of the hierarchy's levels."""
    if not set_code:
        return Chain("", levels(service.hierarchy()))
    if set_code not in set(service.store.indicator_sets()["set"]):
        raise NotFound(_("no indicator set {name}", name=repr(set_code)))
    rows = service.store.approval_chains()
    kinds = rows.loc[rows["set"].eq(set_code), "kind"].tolist()
    if not kinds:
        raise InvalidValue(_("indicator set {name} has no approval chain of its own (its reports follow the "
                             "hierarchy's levels); give it one with `gosplan approvals chain`", name=repr(set_code)))
    unit_kinds = service.units().set_index("code")["kind"].to_dict()
    return Chain(set_code, chain_levels(kinds, unit_kinds), tuple(kinds))


def define_chain(service: Service, set_code: str, kinds: list[str], principal: Principal) -> Chain:
    """Give indicator set ``set_code`` its own approval chain (kinds of unit from the submitting level
    up, at least two); an empty ``kinds`` removes it. Admins only; written to the audit log."""
    require_role(principal, "admin")
    sets = service.store.indicator_sets()
    if set_code not in set(sets["set"]):
        raise NotFound(_("no indicator set {name}", name=repr(set_code)))
    kinds = [k.strip() for k in kinds if k.strip()]
    known = set(service.units()["kind"])
    unknown = [k for k in kinds if k not in known]
    if unknown:
        raise InvalidValue(_("unknown unit kind {kind} (the store's kinds: {kinds})", kind=repr(unknown[0]),
                             kinds=", ".join(sorted(known))))
    if len(set(kinds)) != len(kinds) or len(kinds) == 1:
        raise InvalidValue(_("an approval chain names at least two different kinds of unit, each once"))
    others = chain_of_indicators(service.store.approval_chains(), sets)
    mine = set(sets.loc[sets["set"].eq(set_code), "indicator"])
    clash = sorted((i, others[i]) for i in mine if others.get(i, set_code) != set_code)
    if kinds and clash:
        raise Conflict(_("indicator {indicator} is also in set {other}, which has its own approval chain",
                         indicator=repr(clash[0][0]), other=repr(clash[0][1])))
    with service.store.transaction() as conn:
        service.store.write_approval_chain(set_code, kinds, conn=conn)
        service.store.append_audit(principal.name, principal.via, "approval.chain", f"indicator_set:{set_code}",
                                   None, {"kinds": kinds}, conn=conn)
    return chain(service, set_code) if kinds else Chain("", levels(service.hierarchy()))


def chains_of_indicators(service: Service) -> dict[str, str]:
    """indicator -> the set whose approval chain its reports follow (indicators not listed: ``""``)."""
    return chain_of_indicators(service.store.approval_chains(), service.store.indicator_sets())


def _months(period: str | Period) -> list[str]:
    return [str(m) for m in Period.parse(period).months()]


def _unit(service: Service, unit: str) -> str:
    if unit not in service.hierarchy().parent:
        raise NotFound(f"unknown unit {unit!r}")
    return unit


def _force(service: Service, unit: str, months: list[str], c: Chain) -> pd.DataFrame:
    rows = service.store.approval_rows(periods=months)
    return in_force_by_chain(rows, service.hierarchy(), [unit] * len(months), months, [c.key] * len(months))


def _scope(service: Service, principal: Principal, acting: str) -> None:
    """``principal`` may act at ``acting`` only inside its own scope (its subtree, or its group's units)."""
    if not acts_within(service, principal, acting):
        raise PermissionDenied(f"{principal.name} may act only within {principal.scope!r}, not at {acting!r}")


def status(service: Service, unit: str, period: str | Period, set_code: str | None = None) -> pd.DataFrame:
    """The state in force of ``unit`` and each unit directly below it, per month of ``period`` (in the
    approval chain of indicator set ``set_code``, default the hierarchy's levels)."""
    hierarchy = service.hierarchy()
    unit = _unit(service, unit)
    c = chain(service, set_code)
    members = [unit, *hierarchy.children[unit]]
    months = _months(period)
    rows = service.store.approval_rows(periods=months)
    pairs = [(u, m) for u in members for m in months]
    force = in_force_by_chain(rows, hierarchy, [u for u, _ in pairs], [m for _, m in pairs], [c.key] * len(pairs))
    recorded = None
    if len(rows):  # who recorded the state in force: its own chain's row, else the hierarchy's lock
        mine = rows[rows["set_code"].eq(c.key)]
        recorded = pd.concat([mine, rows[rows["set_code"].eq("")]]).drop_duplicates(["unit", "period"])
        recorded = recorded.set_index(["unit", "period"])
    names = service.units().set_index("code")
    level_of = c.levels

    def who(r, column):
        if recorded is None or r.holder is None or (r.holder, r.period) not in recorded.index:
            return None
        return recorded.loc[(r.holder, r.period), column]

    return pd.DataFrame([{
        "unit": r.unit, "name": names.loc[r.unit, "name"], "kind": names.loc[r.unit, "kind"],
        "level": level_of.get(r.unit), "period": r.period, "state": r.state,
        "state_level": int(r.level) if r.state != "open" else None, "held_at": r.holder,
        "changed_by": who(r, "changed_by"), "changed_at": who(r, "changed_at"),
    } for r in force.itertuples(index=False)], columns=STATUS_COLUMNS)


def submit(service: Service, unit: str, period: str | Period, principal: Principal, set_code: str | None = None
           ) -> list[str]:
    """The unit submits its months of ``period`` (they must be open). Returns the months submitted."""
    unit = _unit(service, unit)
    c = chain(service, set_code)
    allowed = writable_units(service, principal)
    if allowed is not None and unit not in allowed:
        raise PermissionDenied(f"{principal.name} ({principal.role}) may not submit for {unit!r}")
    if c.kinds and c.levels.get(unit) != 0:
        raise PermissionDenied(_("in the approval chain of {set}, units of kind {kind} submit; {unit} is not one",
                                 set=repr(c.key), kind=repr(c.kinds[0]), unit=repr(unit)))
    months = _months(period)
    force = _force(service, unit, months, c)
    busy = force[force["state"] != "open"]
    if len(busy):
        r = busy.iloc[0]
        raise Conflict(f"{unit} cannot submit {r.period}: it is already {r.state} (at {r.holder})")
    done = _record(service, unit, months, "submitted", 0, principal, "approval.submit", c=c)
    from gosplan.service.notify import approval_requested

    approval_requested(service, unit, done, principal.name, "submitted")
    return done


def approve(service: Service, unit: str, period: str | Period, principal: Principal, at: str | None = None,
            set_code: str | None = None) -> list[str]:
    """Approve ``unit``'s subtree for the months of ``period``, acting at ``at`` (default: the lowest unit
    on its path above the level in force, within the principal's subtree)."""
    require_role(principal, "admin", "planner")
    unit = _unit(service, unit)
    _scope(service, principal, unit)
    hierarchy = service.hierarchy()
    c = chain(service, set_code)
    level_of = c.levels
    months = _months(period)
    force = _force(service, unit, months, c)
    current = int(force.loc[force["state"] == "approved", "level"].max()) if (force["state"] == "approved").any() \
        else -1
    path = hierarchy.path(unit)
    if at is None:
        candidates = [u for u in reversed(path) if level_of.get(u, -1) > max(current, 0)
                      and acts_within(service, principal, u)]
        if not candidates:
            raise PermissionDenied(f"{principal.name} has no unit above the level in force to approve {unit!r} from")
        at = candidates[0]
    at = _unit(service, at)
    if at not in level_of:
        raise PermissionDenied(_("{at} has no level in the approval chain of {set} ({kinds})", at=repr(at),
                                 set=repr(c.key), kinds=" > ".join(c.kinds)))
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
        if r.state == "open" and (hierarchy.is_leaf(unit) if not c.kinds else level_of.get(unit) == 0):
            raise Conflict(f"{unit} has not submitted {r.period} yet")
    done = _record(service, unit, months, "approved", level_of[at], principal, "approval.approve", at=at, c=c)
    from gosplan.service.notify import approval_requested

    approval_requested(service, unit, done, principal.name, f"approved at {at}", at=at)  # the next level's turn
    return done


def accept(service: Service, unit: str, period: str | Period, principal: Principal, set_code: str | None = None
           ) -> list[str]:
    """The top of the chain accepts approved months (for the hierarchy's levels: the top of the
    hierarchy; admins and planners whose subtree holds the accepting unit)."""
    require_role(principal, "admin", "planner")
    unit = _unit(service, unit)
    hierarchy = service.hierarchy()
    c = chain(service, set_code)
    path = hierarchy.path(unit)
    if c.kinds:
        tops = [u for u in path if c.levels.get(u) == c.top()]
        if not tops:
            raise Conflict(_("no unit of kind {kind} above {unit} accepts in the approval chain of {set}",
                             kind=repr(c.kinds[-1]), unit=repr(unit), set=repr(c.key)))
        top = tops[-1]
    else:
        top = path[0]
    _scope(service, principal, top)
    months = _months(period)
    for r in _force(service, unit, months, c).itertuples(index=False):
        if r.state != "approved":
            raise Conflict(f"{unit}'s {r.period} is {r.state}; only approved months can be accepted")
    return _record(service, unit, months, "accepted", c.levels[top], principal, "approval.accept", at=top, c=c)


def unapprove(service: Service, unit: str, period: str | Period, principal: Principal, reason: str,
              set_code: str | None = None) -> list[str]:
    """Withdraw the approval (or acceptance) covering ``unit``'s months, with a reason for the audit log.
    A locked month cannot be unapproved; only a unit at or above the approval's level may withdraw it."""
    require_role(principal, "admin", "planner")
    if not reason or not reason.strip():
        raise InvalidValue("unapproving needs a reason (it is kept in the audit log)")
    unit = _unit(service, unit)
    hierarchy = service.hierarchy()
    c = chain(service, set_code)
    months = _months(period)
    force = _force(service, unit, months, c)
    for r in force.itertuples(index=False):
        if r.state == "locked":
            raise Conflict(f"{r.period} is locked at {r.holder}; unlock it before unapproving {unit}")
        if r.state not in ("approved", "accepted"):
            raise Conflict(f"{unit}'s {r.period} is {r.state}; there is no approval to withdraw")
        if not acts_within(service, principal, r.holder):
            kind = "subtree" if principal.subtree else "scope"
            raise PermissionDenied(f"the approval of {r.period} is held at {r.holder}, outside {principal.name}'s "
                                   f"{kind} {principal.scope!r}")
        if principal.subtree is not None and c.levels.get(principal.subtree, -1) < r.level:
            raise PermissionDenied(f"{unit}'s {r.period} is {r.state} at level {r.level}; {principal.name} acts at "
                                   f"{principal.subtree!r}, level {c.levels.get(principal.subtree)}, below it")
    members = hierarchy.subtree(unit)
    with service.store.transaction() as conn:
        for r in force.itertuples(index=False):
            service.store.clear_approvals({*members, r.holder}, r.period, ("approved", "accepted"), conn=conn,
                                          set_code=c.key)
        service.store.append_audit(principal.name, principal.via, "approval.unapprove", f"approval:{unit}:{period}",
                                   {"states": force[["period", "state", "level", "holder"]].to_dict("records")},
                                   {"reason": reason, "set": c.key or None}, conn=conn)
    return months


def lock(service: Service, unit: str, period: str | Period, principal: Principal, set_code: str | None = None
         ) -> list[str]:
    """Lock the months of ``period`` for ``unit``'s subtree: every write into them is refused (with a
    set, only writes of its indicators)."""
    require_role(principal, "admin", "planner")
    unit = _unit(service, unit)
    c = chain(service, set_code)
    _scope(service, principal, unit)
    months = _months(period)
    for r in _force(service, unit, months, c).itertuples(index=False):
        if r.state == "locked":
            raise Conflict(f"{r.period} is already locked at {r.holder}")
    return _record(service, unit, months, "locked", c.levels.get(unit, c.top()), principal, "approval.lock", c=c)


def unlock(service: Service, unit: str, period: str | Period, principal: Principal, reason: str,
           set_code: str | None = None) -> list[str]:
    """Lift a lock recorded at ``unit`` (admins only, with a reason for the audit log)."""
    require_role(principal, "admin")
    if not reason or not reason.strip():
        raise InvalidValue("unlocking needs a reason (it is kept in the audit log)")
    unit = _unit(service, unit)
    c = chain(service, set_code)
    months = _months(period)
    with service.store.transaction() as conn:
        removed = sum(service.store.clear_approvals([unit], m, ("locked",), conn=conn, set_code=c.key)
                      for m in months)
        if not removed:
            raise Conflict(f"no lock is recorded at {unit} for {period}")
        service.store.append_audit(principal.name, principal.via, "approval.unlock", f"approval:{unit}:{period}",
                                   None, {"reason": reason, "set": c.key or None}, conn=conn)
    return months


def _record(service: Service, unit: str, months: list[str], state: str, level: int, principal: Principal,
            action: str, at: str | None = None, c: Chain | None = None) -> list[str]:
    key = c.key if c is not None else ""
    with service.store.transaction() as conn:
        for month in months:
            service.store.set_approval(unit, month, state, level, principal.name, conn=conn, set_code=key)
        service.store.append_audit(principal.name, principal.via, action, f"approval:{unit}:{months[0]}"
                                   + (f"..{months[-1]}" if len(months) > 1 else ""), None,
                                   {"state": state, "level": level, "at": at or unit, "set": key or None}, conn=conn)
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
    chains = chains_of_indicators(service)
    force = in_force_by_chain(rows, service.hierarchy(), reports["unit"].tolist(), reports["period"].tolist(),
                              [chains.get(i, "") for i in reports["indicator"]])
    return reports[force["state"].isin(OFFICIAL_STATES).to_numpy()].reset_index(drop=True)


BASES = ("provisional", "official")


def basis_label(basis: str) -> str:
    """What a view says about its figures, in the reader's language."""
    return _("Official figures: approved reports only") if basis == "official" \
        else _("Provisional figures: all current reports")


def basis_view(service: Service, basis: str | None = None) -> Service:
    """``service`` on ``basis``, or by default on the basis the review shows (official once any month is
    approved, provisional before): what the web pages and the REST API read. The other basis's service is
    kept in ``service``'s cache, so its fact table is built once per read snapshot."""
    shown = basis or ("official" if service._cached(("approval_on",), lambda: approval_on(service)) else "provisional")
    if shown == service.basis:
        return service
    return service._cached(("basis", shown), lambda: service.on_basis(shown))


def approval_on(service: Service) -> bool:
    """Whether any month has been approved, accepted or locked anywhere (the review then defaults to
    official figures); a submission alone does not turn approval on."""
    rows = service.store.approval_rows()
    return bool(rows["state"].isin(OFFICIAL_STATES).any()) if len(rows) else False


def official_totals(service: Service, first: str, last: str) -> pd.DataFrame:
    """``Store.report_totals`` over the official reports of months [first, last] only: those whose
    (unit, month) is approved, accepted or locked in the chain their indicator follows."""
    from gosplan.store._reports import TOTALS_COLUMNS, window_totals

    window = service.store.report_window(first, last)
    empty = pd.DataFrame(columns=TOTALS_COLUMNS)
    if window is None:
        return empty
    keys, values, first_month = window
    months = [str(Period.from_ordinal(first_month + i)) for i in range(values.shape[1])]
    rows = service.store.approval_rows(periods=months)
    if rows.empty or not len(keys):
        return empty
    chain_of = chains_of_indicators(service)
    series = pd.DataFrame({"unit": keys["unit"].to_numpy(),
                           "chain": [chain_of.get(i, "") for i in keys["indicator"]]})
    pairs = series.drop_duplicates().reset_index(drop=True)
    asked = pairs.loc[pairs.index.repeat(len(months))].reset_index(drop=True)
    asked["period"] = months * len(pairs)
    force = in_force_by_chain(rows, service.hierarchy(), asked["unit"].tolist(), asked["period"].tolist(),
                              asked["chain"].tolist())
    official = force["state"].isin(OFFICIAL_STATES).to_numpy().reshape(len(pairs), len(months))
    position = pd.MultiIndex.from_frame(pairs).get_indexer(pd.MultiIndex.from_frame(series))
    values = np.where(official[position], values, np.nan)
    return window_totals(keys, values, first_month)
