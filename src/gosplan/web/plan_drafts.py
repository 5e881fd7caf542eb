"""Plan-making pages: the drafts of next year's plan, their material balances and deficits, the
counter-plans side by side, and the form through which a unit's reporter answers a draft.

Planners see every version; a reporter answers only for the units of their subtree (the same rule as
report entry). Every figure carries its physical unit.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

import pandas as pd
from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gosplan.api.auth import check_csrf, require_principal
from gosplan.errors import GosplanError, InvalidValue, PermissionDenied, ValidationError
from gosplan.i18n import _
from gosplan.service import Service, material, plans
from gosplan.service.accounts import Principal, require_role, writable_units
from gosplan.service.audit import record
from gosplan.web.render import render

router = APIRouter()
Who = Annotated[Principal, Depends(require_principal)]


def _reader(request: Request, who: Principal) -> Service:
    return request.app.state.gosplan.snapshots.reader(who.name)


@router.get("/drafts", response_class=HTMLResponse)
def drafts_page(request: Request, who: Who) -> Response:
    """Every plan version, newest first."""
    service = _reader(request, who)
    versions = service.store.plan_versions().iloc[::-1]
    return render(request, "drafts.html.j2", versions=versions.to_dict("records"), _=_,
                  can_plan=who.role in ("admin", "planner"), can_answer=who.role in ("admin", "planner", "reporter"))


@router.post("/drafts", response_class=HTMLResponse)
async def draft_submit(request: Request, who: Who) -> Response:
    """A planner drafts a year's plan (control figures distributed by shares or capacity); audited."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    require_role(who, "admin", "planner")
    service = request.app.state.gosplan.snapshots.writer
    year_text, rule = str(form.get("year", "")).strip()[:8], str(form.get("rule", "shares")).strip()[:16]
    if not year_text.isdigit():
        raise InvalidValue(_("year: expected a year such as 2024, not {text!r}", text=year_text))
    result = await run_in_threadpool(plans.draft, service, int(year_text), rule=rule, created_by=who.name)
    record(service, who.name, "web", "plan draft", result.code, after={"year": result.year, "rule": rule,
                                                                        "targets": len(result.targets)})
    request.app.state.gosplan.snapshots.wrote(who.name)
    return RedirectResponse(f"/drafts/{quote(result.code)}", status_code=303)


@router.post("/drafts/{code}/adopt", response_class=HTMLResponse)
async def adopt_submit(request: Request, who: Who, code: str) -> Response:
    """A planner adopts a draft as the plan in force; with goods in deficit only when the box says so
    (the accepted deficits are recorded with the adoption and in the audit log)."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    require_role(who, "admin", "planner")
    service = request.app.state.gosplan.snapshots.writer
    accept = str(form.get("accept_deficits", "")) == "yes"
    result = await run_in_threadpool(plans.adopt, service, code, adopted_by=who.name, accept_deficits=accept)
    record(service, who.name, "web", "plan adopt", code, after={"plan": result.plan,
                                                                "superseded": result.superseded,
                                                                "accepted_deficits": result.accepted_deficits})
    request.app.state.gosplan.snapshots.wrote(who.name)
    return RedirectResponse(f"/drafts/{quote(code)}", status_code=303)


@router.get("/drafts/compare", response_class=HTMLResponse)
def compare_page(request: Request, who: Who, a: str, b: str) -> Response:
    """Two versions side by side: targets, tautness against trend, record, capacity and the efficiency
    frontier, the probability of attainment from history, and the balances of the goods."""
    service = _reader(request, who)
    result = plans.compare(service, a, b)
    names = service.indicators().set_index("code")["name"]
    rows = result.targets.assign(name=result.targets["indicator"].map(names).fillna(result.targets["indicator"]))
    balances = result.balances.assign(name=result.balances["good"].map(names).fillna(result.balances["good"]))
    return render(request, "compare.html.j2", a=a, b=b, rows=rows.to_dict("records"),
                  balances=balances.to_dict("records"), _=_)


def _draft_context(service: Service, code: str) -> dict:
    version = service.store.plan_version(code)
    units = service.indicators().set_index("code")["unit"]
    totals = plans.national_totals(service, code)
    cf = service.store.version_control_figures(code).set_index("indicator")
    targets = [{"indicator": k, "uom": units.get(k, ""), "target": float(v),
                "figure": float(cf["control_figure"].get(k, float("nan"))),
                "vs_trend": float(v / cf["from_results"][k] - 1.0) if k in cf.index and cf["from_results"][k] > 0
                else float("nan")} for k, v in totals.items()]
    context = {"version": version, "targets": targets, "balances": [], "deficits": [], "balance_error": None,
               "stale": [], "over": []}
    try:
        view = material.version_balance(service, code, mark_stale=False)
    except GosplanError as exc:  # no norms, or a good without a norm: the page says so instead of failing
        context["balance_error"] = str(exc)
    else:
        t = view.balance.table
        context["balances"] = [{"good": g, "uom": view.units[g], **r.to_dict()} for g, r in t.iterrows()]
        for good, r in view.deficits.iterrows():
            hits = view.hits[view.hits["good"] == good].head(5)
            context["deficits"].append({"good": good, "uom": view.units[good], "short": -r["surplus"],
                                        "share": -r["surplus"] / r["uses"], "hits": hits.to_dict("records")})
        caps = view.capacities.assign(uom=lambda f: f["indicator"].map(units))
        context["stale"] = caps[caps["record_status"] == "stale"].to_dict("records")
        context["over"] = caps[caps["draft_status"] == "over"].to_dict("records")
    counters = plans.counter_plan_view(service, code)
    context["counters"] = counters.assign(uom=counters["indicator"].map(units)).to_dict("records")
    return context


@router.get("/drafts/{code}", response_class=HTMLResponse)
def draft_page(request: Request, who: Who, code: str) -> Response:
    """A version: national targets against the control figures, the balances, the deficits and who they hit,
    capacity records, and the counter-plans received."""
    service = _reader(request, who)
    context = _draft_context(service, code)
    return render(request, "draft.html.j2", can_answer=who.role in ("admin", "planner", "reporter")
                  and context["version"]["status"] == "draft", _=_,
                  can_adopt=who.role in ("admin", "planner") and context["version"]["status"] == "draft", **context)


def _answerable(service: Service, who: Principal, code: str) -> pd.DataFrame:
    """The version's targets for the units ``who`` may answer for."""
    if who.role not in ("admin", "planner", "reporter"):
        raise PermissionDenied(f"{who.name} is {who.role}; answering a draft needs the role reporter or planner")
    targets = service.store.version_targets(code)
    allowed = writable_units(service, who)
    return targets if allowed is None else targets[targets["unit"].isin(allowed)]


def _form(request: Request, service: Service, who: Principal, code: str, *, problems=None, values=None,
          status_code: int = 200) -> Response:
    version = service.store.plan_version(code)
    targets = _answerable(service, who, code)
    units = service.indicators().set_index("code")["unit"]
    rows = [{"unit": r.unit, "indicator": r.indicator, "uom": units.get(r.indicator, ""), "draft": r.value}
            for r in targets.itertuples()]
    return render(request, "counter_form.html.j2", status_code=status_code, version=version, rows=rows[:500],
                  problems=problems or [], values=values or {})


@router.get("/drafts/{code}/counter", response_class=HTMLResponse)
def counter_form(request: Request, who: Who, code: str) -> Response:
    return _form(request, request.app.state.gosplan.snapshots.writer, who, code)


@router.post("/drafts/{code}/counter", response_class=HTMLResponse)
async def counter_submit(request: Request, who: Who, code: str) -> Response:
    """One counter-plan: unit and indicator of the draft, the unit's own figure and its reason."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    service = request.app.state.gosplan.snapshots.writer
    values = {k: str(form.get(k, ""))[:400].strip() for k in ("target", "value", "reason")}
    unit, _, indicator = values["target"].partition("|")
    version = service.store.plan_version(code)
    frame = pd.DataFrame([{"plan": code, "unit": unit, "indicator": indicator, "period": str(version["year"]),
                           "value": values["value"], "reason": values["reason"]}], index=[1])
    allowed = writable_units(service, who)
    if who.role not in ("admin", "planner", "reporter"):
        raise PermissionDenied(f"{who.name} is {who.role}; answering a draft needs the role reporter or planner")
    try:
        await run_in_threadpool(plans.submit_counter_plans, service, frame, source="counter-plan form",
                                allowed=allowed, sender=who.scope or service.root(), submitted_by=who.name)
    except ValidationError as exc:
        return _form(request, service, who, code, problems=[p.reason for p in exc.problems], values=values,
                     status_code=400)
    request.app.state.gosplan.snapshots.wrote(who.name)
    return RedirectResponse(f"/drafts/{quote(code)}#counter-plans", status_code=303)
