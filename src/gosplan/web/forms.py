"""Write pages: the monthly report form, file upload, the confirmation step, plans and targets.

Every form is checked by the one validation path (:func:`gosplan.service.audit.preview`, which runs
:func:`gosplan.ingest.check_frame`); the checked rows stay on the server under a random token
(:mod:`gosplan.web.drafts`, bound to the user), the confirmation page carries only the token, and
saving goes through :func:`gosplan.service.audit.submit` (audited, all-or-nothing).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gosplan.api.auth import check_csrf, require_principal
from gosplan.errors import NotFound, PermissionDenied, Problem, ValidationError
from gosplan.i18n import N_, _, ngettext
from gosplan.i18n.formats import format_period
from gosplan.ingest import read_table
from gosplan.model import Period
from gosplan.quantities import UnitError, conversion_factor, display_unit
from gosplan.service import Service
from gosplan.service.accounts import Principal, require_role, writable_units
from gosplan.service.audit import preview, submit
from gosplan.service.operations import breadcrumbs, current_period
from gosplan.web.drafts import Drafts
from gosplan.web.render import render

#: What an upload page asks for (shown through the catalogue).
MONTHLY_REPORTS, PLAN_FILE = N_("monthly reports"), N_("a plan file (targets)")
router = APIRouter()
Who = Annotated[Principal, Depends(require_principal)]
MAX_UPLOAD = 20 * 1024 * 1024
SHOWN_ROWS = 500
# Units a form offers next to an indicator's own unit, when they convert to it.
COMMON_UOMS = ["t", "kt", "Mt", "kg", "kWh", "MWh", "GWh", "TWh", "m**3", "m**2", "hectare", "t_km", "million_won"]


def drafts(request: Request) -> Drafts:
    """The server's drafts folder (one per store, shared by the processes serving it)."""
    found = getattr(request.app.state, "gosplan_drafts", None)
    if found is None:
        found = Drafts.for_store(str(request.app.state.gosplan.snapshots.writer.store.url))
        request.app.state.gosplan_drafts = found
    return found


def _uoms(canonical: str) -> list[tuple[str, str]]:
    """(code, readable name) of the units a value of an indicator in ``canonical`` may be given in."""
    out = [canonical]
    for uom in COMMON_UOMS:
        if uom == canonical:
            continue
        try:
            conversion_factor(uom, canonical)
        except (UnitError, Exception):
            continue
        out.append(uom)
    return [(u, display_unit(u)) for u in out]


def _reporting_units(service: Service, who: Principal) -> list[tuple[str, str]]:
    allowed = writable_units(service, who)
    units = service.units()
    hierarchy = service.hierarchy()
    leaves = units[units["code"].map(hierarchy.is_leaf)]
    if allowed is not None:
        leaves = leaves[leaves["code"].isin(allowed)]
    return list(zip(leaves["code"], leaves["name"], strict=True))


def _check_unit(service: Service, who: Principal, unit: str) -> None:
    if unit not in service.hierarchy().parent:
        raise NotFound(_("unknown unit {code}", code=repr(unit)))
    allowed = writable_units(service, who)
    if allowed is not None and unit not in allowed:
        raise PermissionDenied(f"{who.name} may not report for unit {unit!r}")


def _field(ind: pd.DataFrame, code: str, current: pd.Series) -> dict[str, Any]:
    return {"code": code, "name": ind.loc[code, "name"], "uom": ind.loc[code, "unit"],
            "uoms": _uoms(ind.loc[code, "unit"]), "value": "", "error": None, "uom_error": None,
            "current": float(current.get(code, float("nan"))), "canonical": ind.loc[code, "unit"]}


def _fields(service: Service, unit: str, period: str) -> list[dict[str, Any]]:
    """The unit's own indicators: those with a target this year or a report in the last twelve months."""
    p = Period.parse(period)
    targets = service.year_targets(p.year)
    codes = set(targets.loc[targets["unit"].eq(unit), "indicator"]) if len(targets) else set()
    recent = service.store.reports(units=unit, first=str(p.shift(-12)), last=str(p))
    codes |= set(recent["indicator"])
    current = recent[recent["period"].eq(str(p))].set_index("indicator")["value"]
    ind = service.indicators().set_index("code")
    return [_field(ind, c, current) for c in sorted(codes, key=lambda c: ind.loc[c, "name"]) if c in ind.index]


def first_unreported_month(service: Service, unit: str) -> str:
    """The month a report form opens on: the first month of the current year (the year of the last
    report received) that ``unit`` has not reported yet, never later than this month; the current
    month when every month so far is in."""
    latest = Period.parse(current_period(service))
    today = pd.Timestamp.today()
    last = min(latest.shift(1).ordinal, Period.month(today.year, today.month).ordinal)
    reported = set(service.store.reports(units=unit, first=f"{latest.year}-01", last=str(latest.shift(1)))["period"])
    month = Period.month(latest.year, 1)
    while month.ordinal <= last:
        if str(month) not in reported:
            return str(month)
        month = month.shift(1)
    return str(latest)


@router.get("/report", response_class=HTMLResponse)
def report_units(request: Request, who: Who) -> Response:
    service = request.app.state.gosplan.snapshots.writer
    units = _reporting_units(service, who)
    if len(units) == 1:
        return RedirectResponse(f"/report/{quote(units[0][0])}", status_code=303)
    return render(request, "report_units.html.j2", units=units)


@router.get("/report/{unit}", response_class=HTMLResponse)
def report_form(request: Request, who: Who, unit: str,
                period: Annotated[str | None, Query(max_length=16)] = None) -> Response:
    service = request.app.state.gosplan.snapshots.writer
    _check_unit(service, who, unit)
    try:
        period = str(Period.parse(period)) if period else first_unreported_month(service, unit)
    except ValueError:
        period = first_unreported_month(service, unit)
    return _render_form(request, service, unit, period, _fields(service, unit, period), {}, None)


def _render_form(request, service, unit, period, fields, errors, form_error, status_code=200) -> Response:
    names = dict(zip(service.units()["code"], service.units()["name"], strict=True))
    return render(request, "entry.html.j2", status_code=status_code, unit=unit, unit_name=names.get(unit, unit),
                  crumbs=breadcrumbs(service, unit), period=period, fields=fields, errors=errors,
                  form_error=form_error)


@router.post("/report/{unit}", response_class=HTMLResponse)
async def report_check(request: Request, who: Who, unit: str) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    return await run_in_threadpool(_report_check, request, who, unit, {k: str(v) for k, v in form.items()})


def _report_check(request: Request, who: Principal, unit: str, form: dict[str, str]) -> Response:
    service = request.app.state.gosplan.snapshots.writer
    _check_unit(service, who, unit)
    period = form.get("period", "")[:16].strip()
    try:
        shown = str(Period.parse(period))
    except ValueError:
        shown = current_period(service)
    fields = _fields(service, unit, shown)
    # A value typed for an indicator the chosen month does not list (the month was changed after the
    # form was drawn) is kept and checked, never dropped.
    ind = service.indicators().set_index("code")
    listed = {f["code"] for f in fields}
    unknown = []
    for key, value in form.items():
        code = key[len("value."):]
        if key.startswith("value.") and value.strip() and code not in listed:
            if code in ind.index:
                fields.append(_field(ind, code, pd.Series(dtype=float)))
                listed.add(code)
            else:
                unknown.append(code[:64])
    rows = []
    for f in fields:
        f["value"] = form.get(f"value.{f['code']}", "")[:40].strip()
        chosen = form.get(f"uom.{f['code']}", f["uom"])[:64]
        f["uom"] = chosen if chosen in dict(f["uoms"]) else f["uom"]
        if f["value"] != "":
            rows.append({"indicator": f["code"], "unit": unit, "period": period, "value": f["value"], "uom": f["uom"]})
    if unknown:
        return _render_form(request, service, unit, shown, fields, {},
                            _("Unknown indicator(s) {codes}; nothing was saved.", codes=", ".join(sorted(unknown))),
                            422)
    if not rows:
        return _render_form(request, service, unit, period, fields, {}, _("Enter at least one value."), 422)
    frame = pd.DataFrame(rows)
    try:
        result = preview(service, "reports", frame, who, source="web form")
    except ValidationError as exc:
        errors: dict[str, str] = {}
        by_code = {i + 2: r["indicator"] for i, r in enumerate(rows)}
        for problem in exc.problems:
            if problem.column == "period":
                errors["period"] = problem.reason
                continue
            code = by_code.get(problem.row)
            for f in fields:
                if f["code"] == code:
                    key = "uom_error" if problem.column == "uom" else "error"
                    f[key] = problem.reason
        return _render_form(request, service, unit, period, fields, errors,
                            ngettext("{count} problem; nothing was saved.", "{count} problems; nothing was saved.",
                                     exc.total), 422)
    unit_name = service.units().set_index("code")["name"].get(unit, unit)
    return _confirm(request, who, "reports", result, "web form", f"/report/{quote(unit)}",
                    _("the report of {unit} for {period}", unit=unit_name, period=format_period(period)),
                    f"/units/{quote(unit)}")


def _confirm(request: Request, who: Principal, kind: str, result, source: str, back: str, what: str,
             done: str) -> Response:
    """Keep the checked rows under a token and show what saving them would change."""
    service = request.app.state.gosplan.snapshots.writer
    keys = ["plan", "indicator", "unit", "period"] if kind == "targets" else ["indicator", "unit", "period"]
    token = drafts(request).put(who.name, {"kind": kind, "source": source, "done": done},
                                result.rows[[*keys, "value"]])
    ind = service.indicators().set_index("code")
    units = dict(zip(service.units()["code"], service.units()["name"], strict=True))
    shown = result.rows.head(SHOWN_ROWS)
    rows = shown.assign(indicator_name=shown["indicator"].map(ind["name"]).fillna(shown["indicator"]),
                        uom=shown["indicator"].map(ind["unit"]).fillna(""),
                        unit_name=shown["unit"].map(units).fillna(shown["unit"])).to_dict("records")
    return render(request, "confirm.html.j2", kind=kind, counts=result.counts(), rows=rows,
                  more=max(0, len(result.rows) - SHOWN_ROWS), draft=token, back=back, what=what)


@router.post("/confirm")
async def confirm(request: Request, who: Who) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    return await run_in_threadpool(_save, request, who, str(form.get("draft", ""))[:100])


def _save(request: Request, who: Principal, token: str) -> Response:
    meta, frame = drafts(request).take(token, who.name)
    snapshots = request.app.state.gosplan.snapshots
    with snapshots.write_slots:
        result = submit(snapshots.writer, meta["kind"], frame, who, source=meta["source"])
    if result.new + result.revised:
        snapshots.wrote(who.name)
    message = _("Saved: {new} new, {revised} revised, {unchanged} unchanged.", new=result.new,
                revised=result.revised, unchanged=result.unchanged)
    separator = "&" if "?" in meta["done"] else "?"
    return RedirectResponse(f"{meta['done']}{separator}saved={quote(message)}", status_code=303)


# ------------------------------------------------------------------------------------------ uploads
@router.get("/report/{unit}/upload", response_class=HTMLResponse)
def upload_form(request: Request, who: Who, unit: str) -> Response:
    _check_unit(request.app.state.gosplan.snapshots.writer, who, unit)
    return render(request, "upload.html.j2", what=MONTHLY_REPORTS, columns="indicator, unit, period, value, uom",
                  action=f"/report/{quote(unit)}/upload", problems=None)


@router.post("/report/{unit}/upload", response_class=HTMLResponse)
async def upload_reports(request: Request, who: Who, unit: str) -> Response:
    return await _upload(request, who, "reports", f"/report/{quote(unit)}/upload", f"/units/{quote(unit)}", unit)


@router.get("/plans/upload", response_class=HTMLResponse)
def plan_upload_form(request: Request, who: Who) -> Response:
    require_role(who, "admin", "planner")
    return render(request, "upload.html.j2", what=PLAN_FILE,
                  columns="plan, indicator, unit, period, value, uom", action="/plans/upload", problems=None)


@router.post("/plans/upload", response_class=HTMLResponse)
async def upload_plan(request: Request, who: Who) -> Response:
    require_role(who, "admin", "planner")
    return await _upload(request, who, "targets", "/plans/upload", "/plans", None)


async def _upload(request: Request, who: Principal, kind: str, action: str, done: str, unit: str | None) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    upload = form.get("file")
    if upload is None or not hasattr(upload, "read"):
        raise ValidationError([Problem("upload", None, "file", _("choose a .csv or .xlsx file"))])
    data = await upload.read(MAX_UPLOAD + 1)
    name = Path(str(upload.filename or "upload.csv")).name[-120:] or "upload.csv"
    return await run_in_threadpool(_check_upload, request, who, kind, data, name, action, done, unit)


def _check_upload(request: Request, who: Principal, kind: str, data: bytes, name: str, action: str, done: str,
                  unit: str | None) -> Response:
    service = request.app.state.gosplan.snapshots.writer
    if unit is not None:
        _check_unit(service, who, unit)
    what = MONTHLY_REPORTS if kind == "reports" else PLAN_FILE
    columns = "indicator, unit, period, value, uom"
    if kind == "targets":
        columns = "plan, " + columns

    def problems_page(problems: list[Problem], total: int, status: int = 422, why: str = "") -> Response:
        return render(request, "upload.html.j2", status_code=status, what=what, columns=columns, action=action,
                      problems=problems[:500], name=name,
                      detail=f"{why}{total} problem(s) in {name}; nothing was saved.")

    suffix = Path(name).suffix.lower()
    if len(data) > MAX_UPLOAD or suffix not in (".csv", ".xlsx"):
        return problems_page([Problem(name, None, None, "a .csv or .xlsx file up to 20 MB")], 1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / (re.sub(r"[^\w.\- ()]", "_", name) or f"upload{suffix}")
        path.write_bytes(data)
        del data
        try:
            frame = read_table(path)
        except ValidationError as exc:
            return problems_page(exc.problems, exc.total)
    frame = frame.reset_index(drop=True)
    try:
        result = preview(service, kind, frame, who, source=name)
    except ValidationError as exc:
        return problems_page(exc.problems, exc.total)
    except PermissionDenied as exc:
        if not exc.problems:
            raise
        return problems_page(exc.problems, len(exc.problems), 403, f"{exc}. ")
    return _confirm(request, who, kind, result, f"upload {name}", action, name, done)


# ------------------------------------------------------------------------------------------ plans
@router.get("/plans", response_class=HTMLResponse)
def plans_page(request: Request, who: Who) -> Response:
    require_role(who, "admin", "planner")
    service = request.app.state.gosplan.snapshots.reader(who.name)
    return render(request, "plans.html.j2", plans=service.store.plans().to_dict("records"))


@router.get("/plans/{code}", response_class=HTMLResponse)
def plan_page(request: Request, who: Who, code: str, indicator: Annotated[str | None, Query(max_length=64)] = None,
              unit: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    require_role(who, "admin", "planner")
    service = request.app.state.gosplan.snapshots.reader(who.name)
    plans = service.store.plans().set_index("code")
    if code not in plans.index:
        raise NotFound(_("unknown plan {code}", code=repr(code)))
    targets = service.store.targets(plan=code, indicators=indicator or None, units=unit or None)
    ind = service.indicators().sort_values("name")
    names = dict(zip(service.units()["code"], service.units()["name"], strict=True))
    shown = targets.head(SHOWN_ROWS)
    shown = shown.assign(indicator_name=shown["indicator"].map(ind.set_index("code")["name"]),
                         uom=shown["indicator"].map(ind.set_index("code")["unit"]).fillna(""),
                         unit_name=shown["unit"].map(names).fillna(shown["unit"]))
    return render(request, "plan.html.j2", plan={"code": code, **plans.loc[code].to_dict()},
                  rows=shown.to_dict("records"), total=len(targets), indicator=indicator,
                  unit=unit, indicator_choices=list(zip(ind["code"], ind["name"], strict=True)))


@router.post("/plans/{code}/targets", response_class=HTMLResponse)
async def target_check(request: Request, who: Who, code: str) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    require_role(who, "admin", "planner")
    row = {"plan": code, **{k: str(form.get(k, ""))[:64].strip() for k in ("indicator", "unit", "period", "value",
                                                                          "uom")}}
    frame = pd.DataFrame([row])
    service = request.app.state.gosplan.snapshots.writer
    result = await run_in_threadpool(preview, service, "targets", frame, who, source="web form")
    return _confirm(request, who, "targets", result, "web form", f"/plans/{quote(code)}",
                    _("plan {code}", code=code), f"/plans/{quote(code)}")
