"""REST routes of the definite action plan under /api/v1, over :mod:`gosplan.service.action_plan`.

``GET /action-plans/{period}`` is the version in force (adopted, else the latest proposed) with its whole
document; ``GET .../versions`` lists the versions; ``GET .../stocktake`` rates the adopted plan's milestones
against the reports. ``POST .../versions`` stores the engines' plan as a new proposed version (a planner or
an admin; once a version is adopted, only as an amendment with a reason); ``POST .../versions/{n}/adopt``
records its adoption by a named body on a date (an admin, as on the command line and the web page).
Writes made with a session cookie carry its CSRF token, as every other write of the API.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from gosplan.api.auth import check_csrf
from gosplan.api.openapi import WRITE, errors
from gosplan.api.routes import Limit, Offset, Page, Who, page, reader, records
from gosplan.errors import NotFound, PermissionDenied
from gosplan.i18n import _, gettext

router = APIRouter(responses=errors(401, 403, 404, 422))

PLANNING = ("admin", "planner")


def _period(text: str) -> str:
    """A period as the model writes it; a bad one is an invalid field (422)."""
    from gosplan.model import Period

    return str(Period.parse(text))


PeriodP = Annotated[str, Path(min_length=1, max_length=16, description="The review's period, e.g. 2023-H1"),
                    AfterValidator(_period)]
VersionP = Annotated[int, Path(ge=1, le=1_000_000, description="A version of the plan, from 1")]


class VersionOut(BaseModel):
    """One version of the plan: who proposed it and why, its status and (once adopted) by whom and when."""

    period: str
    version: int
    status: str = Field(description="proposed, adopted or superseded", examples=["adopted"])
    proposed_by: str | None = None
    proposed_at: str | None = None
    reason: str | None = Field(None, description="Why a later version amends the adopted one")
    adopted_by_body: str | None = Field(None, examples=["Plenary meeting of the Central Committee"])
    adopted_on: str | None = Field(None, examples=["2023-07-20"])
    recorded_by: str | None = None
    recorded_at: str | None = None


class PlanOut(VersionOut):
    document: dict[str, Any] = Field(description="The plan: period, as_of, findings, actions (numbered, with "
                                                 "owner, co_owners, effect, resource, due, milestones, chain), "
                                                 "milestones, decisions for the plenum, met (problems whose "
                                                 "pace already meets the target)")


class ProposeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(None, max_length=2000, description="Needed once a version is adopted: the "
                                                                  "amendment's reason")


class AdoptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=400, examples=["Plenary meeting of the Central Committee"])
    on: date = Field(description="The day the body adopted the plan", examples=["2023-07-20"])


class StocktakeOut(BaseModel):
    period: str
    version: int
    through: str | None = Field(description="The last month rated (none before the plan's first month ends)")
    summary: dict[str, int] = Field(description="actions, green, amber, red (at the last milestone), escalated")
    milestones: list[dict[str, Any]] = Field(description="One row per action and milestone month: planned, "
                                                         "actual, share, rating, slips, escalated_to")


def _version_out(version: dict, cls: type[VersionOut] = VersionOut) -> VersionOut:
    def plain(value: Any) -> Any:
        if value is None or isinstance(value, int | dict):
            return value
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    fields = {k: plain(v) for k, v in version.items() if k in cls.model_fields}
    return cls(**fields)


@router.get("/action-plans/{period}", response_model=PlanOut, tags=["action plan"])
def current(request: Request, who: Who, period: PeriodP,
            unit: Annotated[str | None, Query(max_length=64, description="Only the actions this unit owns or "
                                                                          "co-owns")] = None) -> PlanOut:
    """The version of the plan in force: the adopted one, else the latest proposed."""
    from gosplan.service.action_plan import current_plan, owner_actions

    version = current_plan(reader(request, who), period)
    if version is None:
        raise NotFound(_("no action plan for {period} is stored yet", period=period))
    if unit:
        version = {**version, "document": {**version["document"],
                                           "actions": owner_actions(version["document"], unit)}}
    return _version_out(version, PlanOut)  # type: ignore[return-value]


@router.get("/action-plans/{period}/versions", response_model=Page, tags=["action plan"])
def versions(request: Request, who: Who, period: PeriodP, limit: Limit = 100, offset: Offset = 0) -> Page:
    """Every version of the plan for the period, oldest first (without their documents)."""
    return page(reader(request, who).store.action_plan_versions(period), limit, offset)


@router.get("/action-plans/{period}/stocktake", response_model=StocktakeOut, tags=["action plan"])
def plan_stocktake(request: Request, who: Who, period: PeriodP,
                   through: Annotated[str | None, Query(max_length=16, description="Last month to rate (default: "
                                                                                   "the last reported)"),
                                      AfterValidator(lambda t: t and _period(t))] = None) -> StocktakeOut:
    """The adopted plan's milestones rated green, amber or red month by month, and where slipping actions went."""
    from gosplan.service.action_plan import adopted_plan, stocktake, stocktake_summary

    service = reader(request, who)
    version = adopted_plan(service, period)  # 404 until a version is adopted
    as_of = version["document"]["as_of"]
    last = through or service.store.last_reported_month()
    last = min(str(last), f"{as_of[:4]}-12") if last else None
    if last is None or last <= as_of:
        return StocktakeOut(period=period, version=version["version"], through=None,
                            summary={"actions": 0, "green": 0, "amber": 0, "red": 0, "escalated": 0}, milestones=[])
    frame = stocktake(service, period, last)
    return StocktakeOut(period=period, version=version["version"], through=last,
                        summary=stocktake_summary(frame), milestones=records(frame))


def _planning(who) -> None:
    if who.role not in PLANNING:
        raise PermissionDenied(_("{name} is {role}; the action plan is made by a planner or an admin",
                                 name=who.name, role=gettext(who.role)))


@router.post("/action-plans/{period}/versions", response_model=VersionOut, tags=["action plan"],
             responses=errors(*WRITE, 400))
def propose(request: Request, who: Who, period: PeriodP, body: ProposeIn | None = None,
            x_csrf_token: Annotated[str | None, Header(max_length=200)] = None) -> VersionOut:
    """Store the engines' plan for the period as a new proposed version (409 once one is adopted, unless the
    new version amends it with a reason)."""
    from gosplan.service.action_plan import propose_plan

    check_csrf(request, x_csrf_token)
    _planning(who)
    snapshots = request.app.state.gosplan.snapshots
    service = snapshots.writer
    with snapshots.write_slots:
        number = propose_plan(service, period, proposed_by=who.name, reason=body.reason if body else None)
    snapshots.wrote(who.name)
    return _version_out(service.store.action_plan_version(period, number))


@router.post("/action-plans/{period}/versions/{version}/adopt", response_model=VersionOut, tags=["action plan"],
             responses=errors(*WRITE, 400))
def adopt(request: Request, who: Who, period: PeriodP, version: VersionP, body: AdoptIn,
          x_csrf_token: Annotated[str | None, Header(max_length=200)] = None) -> VersionOut:
    """Record that a body adopted a proposed version on a day (an admin records it; the version adopted
    before is superseded, and every owner is notified through the mail outbox)."""
    from gosplan.service.action_plan import adopt_plan

    check_csrf(request, x_csrf_token)
    _planning(who)
    snapshots = request.app.state.gosplan.snapshots
    service = snapshots.writer
    with snapshots.write_slots:
        adopted = adopt_plan(service, period, version, body=body.body, on=body.on, recorded_by=who.name,
                             role=who.role)
    snapshots.wrote(who.name)
    return _version_out(adopted)
