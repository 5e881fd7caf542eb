"""REST routes under /api/v1: reference data, plans and targets, reports (single, bulk, idempotent),
fulfilment, alerts, the review and the audit log. Every route answers through the service layer and
checks the caller's role and unit subtree.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from gosplan.api.auth import check_csrf, require_principal
from gosplan.api.openapi import errors
from gosplan.errors import NotFound, PermissionDenied
from gosplan.i18n import _
from gosplan.model import Period
from gosplan.service import Service
from gosplan.service.accounts import Principal, require_read, require_role, visible_units
from gosplan.service.audit import audit_log, preview, submit
from gosplan.service.operations import current_period, open_alerts

# Every route may answer 401 (not signed in), 403 (role or subtree) and 422 (bad parameters), as ErrorOut.
router = APIRouter(responses=errors(401, 403, 422))
Who = Annotated[Principal, Depends(require_principal)]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip.")]
Code = Annotated[str | None, Query(max_length=64)]
PeriodQ = Annotated[str | None, Query(max_length=16, description="e.g. 2023-06 (default: the last reported month)")]
BasisQ = Annotated[str | None, Query(pattern="^(official|provisional)$", description=(
    "official (approved reports only) or provisional (all current reports); default: official once any month "
    "is approved, as the review and the web pages"))]


class Page(BaseModel):
    """A page of rows: ``items`` plus ``total`` rows matching the filters."""

    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    indicator: str = Field(min_length=1, max_length=64, examples=["coal"])
    unit: str = Field(min_length=1, max_length=64, examples=["KP-01.sunan.coal"])
    period: str = Field(min_length=1, max_length=16, examples=["2023-06"], description="Month YYYY-MM")
    value: float = Field(examples=[1250.0])
    uom: str | None = Field(None, max_length=64, description="Unit of measure of value (default: the indicator's)")


class SingleReportIn(ReportIn):
    client_key: str | None = Field(None, max_length=200, description="Idempotency key (or the header)")


class BulkReportsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rows: list[ReportIn] = Field(min_length=1, max_length=100_000)
    client_key: str | None = Field(None, max_length=200, description="Idempotency key (or the header)")


class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    plan: str = Field(min_length=1, max_length=64)
    indicator: str = Field(min_length=1, max_length=64)
    unit: str = Field(min_length=1, max_length=64)
    period: str = Field(min_length=1, max_length=16, description="2023, 2023-H1, 2023-Q2 or 2023-06")
    value: float
    uom: str | None = Field(None, max_length=64)


class TargetsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rows: list[TargetIn] = Field(min_length=1, max_length=100_000)
    client_key: str | None = Field(None, max_length=200)


class SubmissionOut(BaseModel):
    kind: str
    rows: int
    new: int
    revised: int
    unchanged: int
    audit_id: int | None = None
    replayed: bool = False
    changes: list[dict[str, Any]] | None = Field(None, description="With dry_run: what would change")


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe rows: NaN as null, times as ISO text."""
    return json.loads(frame.to_json(orient="records", date_format="iso", default_handler=str))


def page(frame: pd.DataFrame, limit: int, offset: int) -> Page:
    return Page(items=records(frame.iloc[offset:offset + limit]), total=len(frame), limit=limit, offset=offset)


def reader(request: Request, who: Principal) -> Service:
    return request.app.state.gosplan.snapshots.reader(who.name)




def _scope(service: Service, who: Principal, frame: pd.DataFrame, column: str = "unit") -> pd.DataFrame:
    allowed = visible_units(service, who)
    return frame if allowed is None else frame[frame[column].isin(allowed)]


def _period(service: Service, period: str | None) -> str:
    try:
        return str(Period.parse(period)) if period else current_period(service)
    except ValueError as exc:
        from gosplan.errors import Problem, ValidationError

        raise ValidationError([Problem("request", None, "period", str(exc))]) from None


# ------------------------------------------------------------------------------------- reference data
@router.get("/units", response_model=Page, tags=["reference"])
def units(request: Request, who: Who, limit: Limit = 100, offset: Offset = 0, parent: Code = None,
          kind: Code = None, q: Annotated[str | None, Query(max_length=100)] = None) -> Page:
    """Units of the hierarchy (those the caller may see), filtered by parent, kind or a name fragment."""
    service = reader(request, who)
    frame = _scope(service, who, service.units(), "code")
    if parent:
        frame = frame[frame["parent"].eq(parent)]
    if kind:
        frame = frame[frame["kind"].eq(kind)]
    if q:
        frame = frame[frame["name"].str.contains(q, case=False, regex=False)]
    return page(frame, limit, offset)


@router.get("/units/{code}", tags=["reference"], responses=errors(404))
def unit(request: Request, who: Who, code: str) -> dict[str, Any]:
    """One unit with its children."""
    service = reader(request, who)
    units_ = service.units()
    row = units_[units_["code"].eq(code)]
    if row.empty:
        raise NotFound(_("unknown unit {code}", code=repr(code)))
    require_read(service, who, code)
    out = records(row)[0]
    out["children"] = service.hierarchy().children.get(code, [])
    return out


@router.get("/indicators", response_model=Page, tags=["reference"])
def indicators(request: Request, who: Who, limit: Limit = 100, offset: Offset = 0, sector: Code = None,
               key: bool | None = None) -> Page:
    """Indicators with their canonical unit of measure."""
    frame = reader(request, who).indicators()
    if sector:
        frame = frame[frame["sector"].eq(sector)]
    if key is not None:
        frame = frame[frame["key"].astype(bool).eq(key)]
    return page(frame, limit, offset)


@router.get("/plans", response_model=Page, tags=["plans"])
def plans(request: Request, who: Who, limit: Limit = 100, offset: Offset = 0) -> Page:
    """Five-year and annual plans."""
    return page(reader(request, who).store.plans(), limit, offset)


@router.get("/targets", response_model=Page, tags=["plans"])
def targets(request: Request, who: Who, limit: Limit = 100, offset: Offset = 0, plan: Code = None,
            indicator: Code = None, unit: Code = None, period: PeriodQ = None) -> Page:
    """Targets in force, filtered by plan, indicator, unit and period (as written: 2023, 2023-H1...)."""
    service = reader(request, who)
    if period:
        try:
            Period.parse(period)
        except ValueError as exc:
            from gosplan.errors import Problem, ValidationError

            raise ValidationError([Problem("request", None, "period", str(exc))]) from None
    frame = service.store.targets(plan=plan, indicators=indicator, units=unit, periods=period)
    return page(_scope(service, who, frame), limit, offset)


@router.post("/targets", response_model=SubmissionOut, responses=errors(409, 413), tags=["plans"])
def set_targets(request: Request, who: Who, body: TargetsIn, dry_run: bool = False,
                idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
                x_csrf_token: Annotated[str | None, Header(max_length=200)] = None) -> SubmissionOut:
    """Set or change targets (planners and admins). Changes are kept in the target history."""
    check_csrf(request, x_csrf_token)
    return _submit(request, who, "targets", body.rows, body.client_key or idempotency_key, dry_run)


# ------------------------------------------------------------------------------------- reports
@router.get("/reports", response_model=Page, tags=["reports"], responses=errors(404))
def reports(request: Request, who: Who, limit: Limit = 100, offset: Offset = 0, indicator: Code = None,
            unit: Code = None, first: PeriodQ = None, last: PeriodQ = None) -> Page:
    """Current report values (latest revision), filtered; a scoped caller sees only its subtree."""
    service = reader(request, who)
    if unit:
        require_read(service, who, unit)
    frame = service.store.reports(indicators=indicator, units=unit, first=first and _period(service, first),
                                  last=last and _period(service, last))
    return page(_scope(service, who, frame), limit, offset)


@router.get("/reports/history", response_model=Page, tags=["reports"], responses=errors(404))
def report_history(request: Request, who: Who, unit: Annotated[str, Query(max_length=64)],
                   indicator: Code = None, period: PeriodQ = None, limit: Limit = 100,
                   offset: Offset = 0) -> Page:
    """Every revision of a unit's reports, oldest first, with source and author."""
    service = reader(request, who)
    require_read(service, who, unit)
    return page(service.store.report_history(indicator, unit, period and _period(service, period)), limit, offset)


@router.post("/reports", response_model=SubmissionOut, responses=errors(409, 413), tags=["reports"])
async def submit_report(request: Request, who: Who, body: SingleReportIn, dry_run: bool = False,
                        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
                        x_csrf_token: Annotated[str | None, Header(max_length=200)] = None) -> SubmissionOut:
    """Submit one monthly value. A different value for the same month becomes a new revision."""
    row = ReportIn(**body.model_dump(exclude={"client_key"}))
    # Wait for a write turn without holding a worker thread, so that queued submissions leave the
    # threads to the pages; then submit in a thread.
    async with request.app.state.gosplan.snapshots.write_turn():
        return await run_in_threadpool(_submit, request, who, "reports", [row],
                                       body.client_key or idempotency_key, dry_run, x_csrf_token)


@router.post("/reports/bulk", response_model=SubmissionOut, responses=errors(409, 413), tags=["reports"])
async def submit_reports(request: Request, who: Who, body: BulkReportsIn, dry_run: bool = False,
                         idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
                         x_csrf_token: Annotated[str | None, Header(max_length=200)] = None) -> SubmissionOut:
    """Submit many values at once, all-or-nothing. With an ``Idempotency-Key`` header (or ``client_key``)
    a retried submission returns the first answer and writes nothing. ``dry_run`` shows what would change."""
    async with request.app.state.gosplan.snapshots.write_turn():
        return await run_in_threadpool(_submit, request, who, "reports", body.rows,
                                       body.client_key or idempotency_key, dry_run, x_csrf_token)


def _submit(request: Request, who: Principal, kind: str, rows: list[BaseModel], key: str | None,
            dry_run: bool, csrf: str | bool | None = False) -> SubmissionOut:
    """A submission (``csrf``: the X-CSRF-Token header to check first; ``False``: checked already)."""
    if csrf is not False:
        check_csrf(request, csrf)  # type: ignore[arg-type]
    snapshots = request.app.state.gosplan.snapshots
    frame = pd.DataFrame([r.model_dump() for r in rows])
    if frame["uom"].isna().all():
        frame = frame.drop(columns="uom")
    else:
        frame["uom"] = frame["uom"].fillna("")
    source = f"api:{who.via}"
    if dry_run:
        result = preview(snapshots.writer, kind, frame, who, source=source)
        counts = result.counts()
        changes = result.rows.drop(columns=[c for c in ("uom",) if c in result.rows])
        return SubmissionOut(kind=kind, rows=len(frame), **counts, changes=records(changes.head(1000)))
    note = snapshots.note(who.name)  # the generation moves in the submission's own transaction
    with snapshots.write_slots:
        submission = submit(snapshots.writer, kind, frame, who, source=source, key=key, on_write=note)
    if not submission.replayed and submission.new + submission.revised:
        snapshots.wrote(who.name, note.generation if note else None)
    return SubmissionOut(**{k: v for k, v in submission.as_dict().items() if k != "key"})


# ------------------------------------------------------------------------------------- monitoring
@router.get("/fulfilment", response_model=Page, tags=["monitoring"], responses=errors(404))
def fulfilment(request: Request, who: Who, period: PeriodQ = None, unit: Code = None,
               by: Annotated[str, Query(pattern="^[A-Za-z0-9_.-]{1,64}$", description=(
                   "indicator, sector, unit (the league table of the units below), or a grouping of units such "
                   "as ministry"))] = "indicator",
               indicator: Code = None, sector: Code = None, limit: Limit = 100, offset: Offset = 0,
               basis: BasisQ = None) -> Page:
    """Plan fulfilment to date for a unit: by indicator, by sector, the league table of the units below, or
    summed by the groups of a grouping (``by=ministry``). Each page says its ``basis`` in every row."""
    from gosplan.service.workflow import basis_view

    service = basis_view(reader(request, who), basis)
    own_line = bool(who.grouping and who.group) and by == who.grouping and unit is None
    if own_line:  # a ministry's account reads its own ministry's roll-up, and no other's
        unit = service.root()
    else:
        unit = unit or (who.subtree if visible_units(service, who) is not None else None) or service.root()
        require_read(service, who, unit)
    view = service.status(_period(service, period), unit=unit, sector=sector, indicator=indicator, by=by)
    table = view.table
    if "group_code" in table:
        if who.grouping and who.group and visible_units(service, who) is not None:
            if not own_line:
                raise PermissionDenied(_("a ministry's account reads the roll-up of its own group only ({scope})",
                                         scope=str(who.scope)))
            table = table[table["group_code"].eq(who.group)]
    else:
        table = _scope(service, who, table)
    return page(table.assign(basis=service.basis), limit, offset)


@router.get("/status", response_model=Page, tags=["monitoring"], include_in_schema=False)
def status(request: Request, who: Who, period: PeriodQ = None, unit: Code = None, limit: Limit = 100,
           offset: Offset = 0) -> Page:
    return fulfilment(request, who, period, unit, "indicator", None, None, limit, offset, None)


@router.get("/alerts", response_model=Page, tags=["monitoring"])
def alerts(request: Request, who: Who, limit: Limit = 100, offset: Offset = 0) -> Page:
    """Open alerts (empty until the forecast capability writes them)."""
    service = reader(request, who)
    frame = open_alerts(service)
    if "unit" in frame:
        frame = _scope(service, who, frame)
    return page(frame, limit, offset)


@router.get("/review", tags=["monitoring"], response_model=None, responses={
    200: {"description": "The review as one HTML document", "content": {"text/html": {"schema": {"type": "string"}}}},
    **errors(404)})
def review(request: Request, who: Who, period: Annotated[str, Query(max_length=16)] = "") -> HTMLResponse:
    """The mid-year review as one self-contained HTML page (callers without a subtree limit only)."""
    service = reader(request, who)
    if visible_units(service, who) is not None:
        raise PermissionDenied(_("the review covers the whole economy; this account is limited to a subtree"))
    from gosplan.api.guard import csp_with_hashes
    from gosplan.web.render import review_html

    html = review_html(service, _period(service, period or None) if period else None)
    return HTMLResponse(html, headers={"Content-Security-Policy": csp_with_hashes(html)})


@router.get("/audit", tags=["admin"])
def audit(request: Request, who: Who, limit: Limit = 100, offset: Offset = 0, actor: Code = None,
          action: Code = None, format: Annotated[str, Query(pattern="^(json|csv)$")] = "json"):
    """The audit log, newest first (admins only); ``format=csv`` downloads it."""
    require_role(who, "admin")
    service = request.app.state.gosplan.snapshots.writer
    if format == "csv":
        from gosplan.ingest.tables import neutralise

        frame = neutralise(audit_log(service, actor=actor, action=action))
        return PlainTextResponse(frame.to_csv(index=False), media_type="text/csv",
                                 headers={"Content-Disposition": "attachment; filename=gosplan-audit.csv"})
    frame = audit_log(service, actor=actor, action=action, limit=limit + offset + 1, offset=0)
    return page(frame, limit, offset)


@router.get("/me", tags=["admin"])
def me(who: Who) -> dict[str, Any]:
    """The caller's name, role and subtree."""
    return {"name": who.name, "role": who.role, "subtree": who.subtree, "group": who.scope if who.group else None,
            "via": who.via}
