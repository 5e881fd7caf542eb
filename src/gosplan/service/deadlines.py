"""Data entry closes N days after the end of a month (meta setting ``entry_close_days``; unset: it
never closes). After that a reporter's value for the month is refused, naming the day entry closed,
unless a planner has granted a late-entry permission for the reporter's unit (or a unit above it) and
that month. A planner or admin entering the value is its own permission. Every revision entered after
entry closed is marked late (``late_reports``: who entered it and on whose permission), which
``gosplan history`` and the web pages show.

    set_entry_close_days(service, 20)       # June closes on 20 July
    grant(service, "E2", "2023-06", planner, "the mine's line was down")
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import pandas as pd

from gosplan.errors import InvalidValue, NotFound, PermissionDenied, Problem, ValidationError
from gosplan.i18n import _
from gosplan.model import Period
from gosplan.service.accounts import Principal, acts_within, require_role
from gosplan.service.core import Service

if TYPE_CHECKING:
    from gosplan.service.quick_submit import CheckReference

ENTRY_CLOSE_KEY = "entry_close_days"
LATE_COLUMNS = ["indicator", "unit", "period", "permitted_by"]


def entry_close_days(service: Service, reference: CheckReference | None = None) -> int | None:
    """Days after a month's end until which its reports may be entered freely (``None``: no closing);
    from ``reference`` (what a small submission is checked against) when given, else from the store."""
    value = reference.setting(ENTRY_CLOSE_KEY) if reference is not None else service.store.get_meta(ENTRY_CLOSE_KEY)
    return None if value in (None, "") else int(value)


def set_entry_close_days(service: Service, days: int | None) -> None:
    """Close data entry ``days`` after each month's end; ``None`` keeps it open for ever. The next
    submission in every server process is checked against it (it changes the checks version)."""
    if days is not None and not 0 <= int(days) <= 366:
        raise InvalidValue(_("data entry must close 0..366 days after the month's end, not {days}", days=days))
    service.store.set_checked_setting(ENTRY_CLOSE_KEY, "" if days is None else str(int(days)))


def closes_on(period: str | Period, days: int) -> date:
    """The last day on which a month's reports may be entered freely.

    >>> closes_on("2023-06", 20)
    datetime.date(2023, 7, 20)
    """
    following = Period.parse(period).last_month().shift(1).start_date()
    return following - timedelta(days=1) + timedelta(days=int(days))


def _months(period: str | Period) -> list[str]:
    return [str(m) for m in Period.parse(period).months()]


def grant(service: Service, unit: str, period: str | Period, principal: Principal, reason: str) -> list[str]:
    """A planner (or admin) lets ``unit``'s subtree enter the months of ``period`` after entry closed."""
    require_role(principal, "admin", "planner")
    if not reason or not reason.strip():
        raise InvalidValue(_("a late-entry permission needs a reason (it is kept in the audit log)"))
    hierarchy = service.hierarchy()
    if unit not in hierarchy.parent:
        raise NotFound(_("unknown unit {unit!r}", unit=unit))
    if not acts_within(service, principal, unit):
        raise PermissionDenied(_("{user} may act only within {subtree!r}, not at {unit!r}", user=principal.name,
                                 subtree=principal.scope, unit=unit))
    months = _months(period)
    with service.store.transaction() as conn:
        for month in months:
            service.store.grant_late(unit, month, principal.name, reason.strip(), conn=conn)
        service.store.append_audit(principal.name, principal.via, "entry.grant_late", f"late:{unit}:{period}",
                                   None, {"months": months, "reason": reason.strip()}, conn=conn)
    return months


def revoke(service: Service, unit: str, period: str | Period, principal: Principal) -> list[str]:
    """Withdraw the late-entry permissions recorded at ``unit`` for the months of ``period``."""
    require_role(principal, "admin", "planner")
    if not acts_within(service, principal, unit):
        raise PermissionDenied(_("{user} may act only within {subtree!r}, not at {unit!r}", user=principal.name,
                                 subtree=principal.scope, unit=unit))
    months = _months(period)
    with service.store.transaction() as conn:
        removed = sum(service.store.revoke_late(unit, m, conn=conn) for m in months)
        if not removed:
            raise NotFound(_("no late-entry permission is recorded at {unit} for {period}", unit=unit,
                             period=str(period)))
        service.store.append_audit(principal.name, principal.via, "entry.revoke_late", f"late:{unit}:{period}",
                                   {"months": months}, None, conn=conn)
    return months


def permissions(service: Service, period: str | Period | None = None) -> pd.DataFrame:
    """Late-entry permissions (of the months of ``period``): unit, period, granted_by, granted_at, reason."""
    return service.store.late_permissions(None if period is None else _months(period))


def late_entries(service: Service, clean: pd.DataFrame, principal: Principal, source: str,
                 today: date | None = None, reference: CheckReference | None = None) -> pd.DataFrame:
    """The rows of a checked reports frame that are entered after their month closed, with whose
    permission (indicator, unit, period, permitted_by). A reporter's row without a permission is
    refused (:class:`ValidationError` naming the row and the day entry closed). ``reference``: the
    kept copy a small submission is checked against (see :func:`entry_close_days`)."""
    days = entry_close_days(service, reference)
    if days is None or clean.empty:
        return pd.DataFrame(columns=LATE_COLUMNS)
    today = today or date.today()
    periods = clean["period"].astype(str)
    closed = {p: closes_on(p, days) for p in set(periods)}
    late = clean[[closed[p] < today for p in periods]]
    if late.empty:
        return pd.DataFrame(columns=LATE_COLUMNS)
    if principal.role in ("admin", "planner"):
        return late[["indicator", "unit", "period"]].assign(permitted_by=principal.name).reset_index(drop=True)
    granted = service.store.late_permissions(set(late["period"].astype(str)))
    by_key = {(r.unit, r.period): r.granted_by for r in granted.itertuples(index=False)}
    hierarchy = service.hierarchy()
    permitted, problems = [], []
    for position, r in zip(late.index, late.itertuples(index=False), strict=True):
        holder = next((by_key[(u, r.period)] for u in reversed(hierarchy.path(r.unit)) if (u, r.period) in by_key),
                      None)
        if holder is None:
            problems.append(Problem(source, int(position) + 2, "period",
                                    _("data entry for {period} closed on {day} ({days} days after the month's end); "
                                      "a planner's permission is needed to enter {unit}'s value late",
                                      period=r.period, day=f"{closed[r.period]:%Y-%m-%d}", days=days, unit=r.unit)))
        permitted.append(holder)
    if problems:
        raise ValidationError(problems[:1000])
    return late[["indicator", "unit", "period"]].assign(permitted_by=permitted).reset_index(drop=True)
