"""Workflow pages: a unit's approval state per month with the moves the reader may make, the
completeness of reporting, and the violations of validation rules with their follow-up.

Thin over :mod:`gosplan.service.workflow`, :mod:`gosplan.service.completeness` and
:mod:`gosplan.service.rules`: the service decides and refuses; the page offers only the buttons the
reader's role and level allow, so that a refusal is the exception rather than the rule.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gosplan.api.auth import check_csrf, require_principal
from gosplan.engines.approvals import levels
from gosplan.errors import InvalidValue, NotFound, PermissionDenied
from gosplan.i18n import _
from gosplan.model import Period
from gosplan.service import Service
from gosplan.service.accounts import (
    Principal,
    acts_within,
    require_read,
    scope_units,
    visible_units,
    writable_units,
)
from gosplan.service.deadlines import closes_on, entry_close_days, grant
from gosplan.service.operations import breadcrumbs, current_period
from gosplan.web.render import render

router = APIRouter()
Who = Annotated[Principal, Depends(require_principal)]
Text = Annotated[str | None, Query(max_length=64)]
#: Months of a unit's approval table: the chosen month and the ones before it.
APPROVAL_MONTHS = 6
ACTIONS = ("submit", "approve", "accept", "unapprove", "lock", "unlock", "grant")
STATE_CLASS = {"open": "none", "submitted": "warn", "approved": "good", "accepted": "good", "locked": "bad"}


def _reader(request: Request, who: Principal) -> Service:
    return request.app.state.gosplan.snapshots.reader(who.name)


def _month(service: Service, period: str | None) -> str:
    try:
        return str(Period.parse(period).last_month()) if period else current_period(service)
    except ValueError:
        return current_period(service)


# ------------------------------------------------------------------------------------------ approvals
def approval_rows(service: Service, who: Principal, unit: str, period: str | None) -> list[dict[str, Any]]:
    """The unit's state for the last months up to ``period``, each with the moves ``who`` may make."""
    from gosplan.service.workflow import status

    last = Period.parse(_month(service, period))
    months = [str(last.shift(-k)) for k in range(APPROVAL_MONTHS - 1, -1, -1)]
    records = [r for m in months for r in status(service, unit, m).to_dict("records") if r["unit"] == unit]
    hierarchy = service.hierarchy()
    level_of = levels(hierarchy)
    path = hierarchy.path(unit)
    mine = scope_units(service, who)  # its subtree, or its ministry's units
    writable = writable_units(service, who)
    planner = who.role in ("admin", "planner")
    close_days = entry_close_days(service)
    granted = service.store.late_permissions(months)
    permits = {(g.unit, g.period): g.granted_by for g in granted.itertuples(index=False)}
    today = date.today()
    rows = []
    for row in sorted(records, key=lambda r: r["period"], reverse=True):
        r = pd.Series(row)
        state, held = str(r.state), r.held_at
        current = int(r.state_level) if state == "approved" else -1
        approvers = [u for u in path if level_of[u] > max(current, 0) and (mine is None or u in mine)]
        moves = []
        if state == "open" and who.role != "viewer" and (writable is None or unit in writable):
            moves.append("submit")
        if planner and approvers and state in ("open", "submitted", "approved") \
                and not (state == "open" and hierarchy.is_leaf(unit)):
            moves.append("approve")
        if planner and mine is None and state == "approved":
            moves.append("accept")
        if planner and state in ("approved", "accepted") and (mine is None or (
                held in mine and (who.subtree is None or level_of[who.subtree] >= int(r.state_level)))):
            moves.append("unapprove")
        if planner and state != "locked" and (mine is None or unit in mine):
            moves.append("lock")
        if who.role == "admin" and state == "locked" and held == unit:
            moves.append("unlock")
        closed = closes_on(r.period, close_days) if close_days is not None else None
        permit = next((permits[(u, r.period)] for u in reversed(path) if (u, r.period) in permits), None)
        if closed is not None and closed < today and planner and permit is None and (mine is None or unit in mine) \
                and state not in ("locked", "accepted"):
            moves.append("grant")
        label = _(state) if state in ("open", "submitted", "locked") else \
            _("{state} (level {level})", state=_(state), level=int(r.state_level))
        rows.append({"period": r.period, "state": state, "label": label, "css": STATE_CLASS.get(state, "none"),
                     "held_at": held or "", "by": "" if r.changed_by is None or pd.isna(r.changed_by) else
                     str(r.changed_by), "moves": moves,
                     "entry": "" if closed is None else (
                         _("entry closed on {day}; late entry allowed by {user}", day=f"{closed:%Y-%m-%d}", user=permit)
                         if permit and closed < today else _("entry closed on {day}", day=f"{closed:%Y-%m-%d}")
                         if closed < today else _("entry closes on {day}", day=f"{closed:%Y-%m-%d}"))})
    return rows


@router.post("/units/{code}/approvals", response_class=HTMLResponse)
async def approval_move(request: Request, who: Who, code: str) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    values = {k: str(v)[:2000] for k, v in form.items()}
    return await run_in_threadpool(_move, request, who, code, values)


def _move(request: Request, who: Principal, code: str, form: dict[str, str]) -> Response:
    from gosplan.service import workflow

    snapshots = request.app.state.gosplan.snapshots
    service = snapshots.writer
    if code not in service.hierarchy().parent:
        raise NotFound(_("unknown unit {unit!r}", unit=code))
    require_read(service, who, code)
    action, reason = form.get("action", ""), form.get("reason", "").strip()
    try:
        period = str(Period.parse(form.get("period", "")[:16]))
    except ValueError:
        raise InvalidValue(_("choose a month, e.g. 2023-06")) from None
    if action not in ACTIONS:
        raise InvalidValue(_("unknown move {action!r}", action=action))
    with snapshots.write_slots:
        if action == "grant":
            months = grant(service, code, period, who, reason)
        elif action in ("unapprove", "unlock"):
            months = getattr(workflow, action)(service, code, period, who, reason)
        else:
            months = getattr(workflow, action)(service, code, period, who)
    # No snapshots.wrote(): states are read from the store on every page, and no cached figure depends on
    # them, so the readers' views need not be rebuilt.
    done = {"submit": _("submitted"), "approve": _("approved"), "accept": _("accepted"),
            "unapprove": _("unapproved"), "lock": _("locked"), "unlock": _("unlocked"),
            "grant": _("open for late entry")}[action]
    message = _("{unit}: {period} {done}", unit=code, period=months[0], done=done)
    return RedirectResponse(f"/units/{quote(code)}?period={quote(period)}&saved={quote(message)}#approvals",
                            status_code=303)


# ------------------------------------------------------------------------------------------ completeness
@router.get("/completeness", response_class=HTMLResponse)
def completeness_page(request: Request, who: Who, period: Text = None, unit: Text = None) -> Response:
    from gosplan.service.completeness import completeness

    service = _reader(request, who)
    allowed = visible_units(service, who)
    unit = unit or (who.subtree if allowed is not None else None) or service.root()
    if unit not in service.hierarchy().parent:
        raise NotFound(_("unknown unit {unit!r}", unit=unit))
    require_read(service, who, unit)
    month = _month(service, period)
    chosen = period if period else month
    try:
        chosen = str(Period.parse(chosen))
    except ValueError:
        chosen = month
    by_unit = completeness(service, chosen, unit=unit, by="unit")
    by_level = completeness(service, chosen, unit=unit, by="level")
    names = service.units().set_index("code")["name"]
    return render(request, "completeness.html.j2", unit=unit, unit_name=names.get(unit, unit), period=by_unit.period,
                  chosen=chosen, crumbs=breadcrumbs(service, unit), summary=by_unit.summary,
                  deadline=by_unit.deadline_days, basis=by_unit.basis,
                  units=by_unit.table.to_dict("records"), levels=by_level.table.to_dict("records"),
                  silent=by_unit.silent.to_dict("records"))


# ------------------------------------------------------------------------------------------ violations
def _may_follow(service: Service, who: Principal, unit: str) -> bool:
    if who.role not in ("admin", "planner", "reporter"):
        return False
    return acts_within(service, who, unit)


@router.get("/rules/violations", response_class=HTMLResponse)
def violations_page(request: Request, who: Who, period: Text = None, status: Text = None,
                    saved: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    from gosplan.service.rules import violations

    service = _reader(request, who)
    month = _month(service, period)
    chosen = period or month
    try:
        chosen = str(Period.parse(chosen))
    except ValueError:
        chosen = month
    wanted = status if status in ("open", "follow-up", "resolved", "cleared") else None
    allowed = visible_units(service, who)
    frame = violations(service, chosen, unit=who.subtree if allowed is not None else None, status=wanted)
    if allowed is not None:  # a ministry's account: its own units' violations only
        frame = frame[frame["unit"].isin(allowed)]
    rows = []
    for r in frame.to_dict("records"):
        r["may_follow"] = _may_follow(service, who, r["unit"])
        rows.append(r)
    return render(request, "violations.html.j2", period=chosen, status=wanted or "", rows=rows, saved=saved)


@router.post("/rules/violations/{violation_id}", response_class=HTMLResponse)
async def violation_move(request: Request, who: Who, violation_id: int) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    values = {k: str(v)[:2000] for k, v in form.items()}
    return await run_in_threadpool(_follow, request, who, violation_id, values)


def _follow(request: Request, who: Principal, violation_id: int, form: dict[str, str]) -> Response:
    from gosplan.service.rules import follow_up, resolve

    snapshots = request.app.state.gosplan.snapshots
    service = snapshots.writer
    found = service.store.violation(violation_id)
    if found is None:
        raise NotFound(_("no violation with id {id}", id=violation_id))
    if not _may_follow(service, who, str(found["unit"])):
        raise PermissionDenied(_("{user} may not follow up violations of {unit}", user=who.name, unit=found["unit"]))
    action, comment = form.get("action", ""), form.get("comment", "").strip()
    if not comment:
        raise InvalidValue(_("write a comment (it is kept with the violation)"))
    with snapshots.write_slots:
        if action == "resolve":
            resolve(service, violation_id, comment, by=who.name)
        elif action == "follow-up":
            follow_up(service, violation_id, comment, by=who.name)
        else:
            raise InvalidValue(_("unknown move {action!r}", action=action))
    message = _("Violation {id}: {status}", id=violation_id,
                status=_("resolved") if action == "resolve" else _("marked for follow-up"))
    return RedirectResponse(f"/rules/violations?period={quote(str(found['period']))}&saved={quote(message)}",
                            status_code=303)


# ------------------------------------------------------------------------------------------ mail outbox
@router.get("/admin/mail", response_class=HTMLResponse)
def mail_page(request: Request, who: Who, saved: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    from gosplan.service.accounts import require_role
    from gosplan.service.mail import status

    require_role(who, "admin")
    counts, waiting = status(request.app.state.gosplan.snapshots.writer)
    order = ("queued", "sending", "sent", "failed", "held", "digested")
    return render(request, "mail.html.j2", counts=[(s, counts.get(s, 0)) for s in order],
                  waiting=waiting.to_dict("records"), saved=saved)


@router.post("/admin/mail/retry", response_class=HTMLResponse)
async def mail_retry(request: Request, who: Who) -> Response:
    from gosplan.service.accounts import require_role
    from gosplan.service.mail import retry

    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    require_role(who, "admin")
    count = await run_in_threadpool(retry, request.app.state.gosplan.snapshots.writer)
    return RedirectResponse(f"/admin/mail?saved={quote(_('{count} message(s) queued again', count=count))}",
                            status_code=303)
