"""REST routes of the reporting workflow under /api/v1: approval states and their moves along the
hierarchy, completeness of reporting, and the violations of validation rules. Each answers through
the service layer with the caller's role and unit subtree."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from gosplan.api.auth import check_csrf
from gosplan.api.openapi import WRITE, errors
from gosplan.api.routes import Code, Limit, Offset, Page, Who, page, reader, records
from gosplan.errors import InvalidValue
from gosplan.service.accounts import require_read, scope_units, visible_units

router = APIRouter(responses=errors(401, 403, 404, 422))


def _period(text: str) -> str:
    """A period as the model writes it; a bad one is an invalid field (422), like every other bad input."""
    from gosplan.model import Period

    return str(Period.parse(text))  # ValueError -> 422 naming the field


PeriodQ = Annotated[str, Query(max_length=16, description="Month or period, e.g. 2023-06 or 2023-Q2"),
                    AfterValidator(_period)]


SetQ = Annotated[str | None, Query(alias="set", max_length=64,
                                   description="An indicator set with its own approval chain")]


class ApprovalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: str = Field(min_length=1, max_length=64, examples=["coal.tokchon"])
    period: Annotated[str, AfterValidator(_period)] = Field(min_length=1, max_length=16, examples=["2023-06"])
    reason: str | None = Field(None, max_length=2000, description="Needed to unapprove or unlock")
    at: str | None = Field(None, max_length=64, description="The approving unit (approve only)")
    set_code: str | None = Field(None, alias="set", max_length=64,
                                 description="An indicator set with its own approval chain (default: the hierarchy's)")


class ApprovalOut(BaseModel):
    unit: str
    action: str
    months: list[str]
    states: list[dict]


@router.get("/approvals", response_model=Page, tags=["workflow"])
def approval_status(request: Request, who: Who, unit: Annotated[str, Query(max_length=64)], period: PeriodQ,
                    set_code: SetQ = None, limit: Limit = 100, offset: Offset = 0) -> Page:
    """The approval state in force of a unit and the units directly below it, month by month."""
    from gosplan.service.workflow import status

    service = reader(request, who)
    require_read(service, who, unit)
    return page(status(service, unit, period, set_code=set_code), limit, offset)


@router.post("/approvals/{action}", response_model=ApprovalOut, tags=["workflow"], responses=errors(*WRITE))
def approval_move(request: Request, who: Who,
                  action: Literal["submit", "approve", "accept", "unapprove", "lock", "unlock"], body: ApprovalIn,
                  x_csrf_token: Annotated[str | None, Header(max_length=200)] = None) -> ApprovalOut:
    """Submit, approve, accept, unapprove (with a reason), lock or unlock a unit's months."""
    from gosplan.service import workflow

    check_csrf(request, x_csrf_token)
    snapshots = request.app.state.gosplan.snapshots
    service = snapshots.writer
    if action in ("unapprove", "unlock") and not body.reason:
        raise InvalidValue(f"{action} needs a reason")
    with snapshots.write_slots:
        if action == "approve":
            months = workflow.approve(service, body.unit, body.period, who, at=body.at, set_code=body.set_code)
        elif action in ("unapprove", "unlock"):
            months = getattr(workflow, action)(service, body.unit, body.period, who, body.reason,
                                               set_code=body.set_code)
        else:
            months = getattr(workflow, action)(service, body.unit, body.period, who, set_code=body.set_code)
    snapshots.wrote(who.name)
    states = workflow.status(service, body.unit, body.period, set_code=body.set_code)
    return ApprovalOut(unit=body.unit, action=action, months=months,
                       states=records(states[states["unit"].eq(body.unit)]))


@router.get("/completeness", response_model=Page, tags=["workflow"])
def completeness(request: Request, who: Who, period: PeriodQ, unit: Code = None,
                 by: Annotated[str, Query(pattern="^(level|unit|indicator)$")] = "unit",
                 limit: Limit = 100, offset: Offset = 0) -> Page:
    """Expected, received and on-time reports with reporting rates (DHIS2's reporting-rate summary)."""
    from gosplan.service.completeness import completeness as compute

    service = reader(request, who)
    view = compute(service, period, unit=unit, by=by)
    require_read(service, who, view.unit)
    return page(view.table, limit, offset)


@router.get("/rules/violations", response_model=Page, tags=["workflow"])
def rule_violations(request: Request, who: Who, period: PeriodQ, unit: Code = None,
                    status: Annotated[str | None, Query(pattern="^(open|follow-up|resolved|cleared)$")] = None,
                    limit: Limit = 100, offset: Offset = 0) -> Page:
    """Violations of validation rules and min-max bounds stored for a period, with both sides."""
    from gosplan.service.rules import violations

    service = reader(request, who)
    if unit:
        require_read(service, who, unit)
    frame = violations(service, period, unit=unit or (who.subtree if who.role == "reporter" else None),
                       status=status)
    allowed = visible_units(service, who)
    if allowed is not None:  # a scoped reader sees the violations of the units it may read only
        frame = frame[frame["unit"].isin(allowed)]
    return page(frame, limit, offset)


# -- data entry closing and late-entry permissions (service/deadlines.py) ---------------------------
OptionalPeriodQ = Annotated[str | None, Query(max_length=16, description="Month or period, e.g. 2023-06"),
                            AfterValidator(lambda text: None if text is None else _period(text))]


class LateEntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: str = Field(min_length=1, max_length=64, examples=["coal.tokchon"])
    period: Annotated[str, AfterValidator(_period)] = Field(min_length=1, max_length=16, examples=["2023-06"])
    reason: str | None = Field(None, max_length=2000, description="Needed to grant")


class LateEntryOut(BaseModel):
    unit: str
    action: str
    months: list[str]


class EntryOut(BaseModel):
    close_days: int | None = Field(description="Days after a month's end when data entry closes; null: never")
    permissions: list[dict]


@router.get("/entry", response_model=EntryOut, tags=["workflow"])
def entry_state(request: Request, who: Who, period: OptionalPeriodQ = None) -> EntryOut:
    """When data entry closes, and the late-entry permissions (of a period) within the caller's subtree."""
    from gosplan.service.deadlines import entry_close_days, permissions

    service = reader(request, who)
    frame = permissions(service, period)
    scope = scope_units(service, who)
    if scope is not None:
        frame = frame[frame["unit"].isin(scope)]
    return EntryOut(close_days=entry_close_days(service), permissions=records(frame))


@router.post("/entry/{action}", response_model=LateEntryOut, tags=["workflow"], responses=errors(*WRITE))
def entry_move(request: Request, who: Who, action: Literal["grant", "revoke"], body: LateEntryIn,
               x_csrf_token: Annotated[str | None, Header(max_length=200)] = None) -> LateEntryOut:
    """A planner lets a unit's subtree enter a period after data entry closed (grant, with a reason), or
    withdraws that (revoke)."""
    from gosplan.service.deadlines import grant, revoke

    check_csrf(request, x_csrf_token)
    snapshots = request.app.state.gosplan.snapshots
    with snapshots.write_slots:
        if action == "grant":
            months = grant(snapshots.writer, body.unit, body.period, who, body.reason or "")
        else:
            months = revoke(snapshots.writer, body.unit, body.period, who)
    return LateEntryOut(unit=body.unit, action=action, months=months)
