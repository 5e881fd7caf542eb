"""REST routes of plan making under /api/v1: a unit answers a draft plan version with its counter-plan.

``POST /api/v1/plans/{version}/counter`` takes rows of ``unit, indicator, period, value, reason`` and
checks them as ``gosplan plan counter import`` does (every problem named with its row and field; nothing
is written when one is wrong). A reporter answers only for the units of its subtree; planners and
administrators for any unit; viewers not at all.
"""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Header, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from gosplan.api.auth import check_csrf
from gosplan.api.openapi import WRITE, errors
from gosplan.api.routes import Who, records
from gosplan.errors import Conflict, PermissionDenied
from gosplan.i18n import _, gettext
from gosplan.service.accounts import writable_units

router = APIRouter(responses=errors(401, 403, 404, 422))

ANSWERING = ("admin", "planner", "reporter")
VersionP = Annotated[str, Path(min_length=1, max_length=64, description="A draft plan version, e.g. draft-2024")]


class CounterRowIn(BaseModel):
    """One counter-plan: the unit's own figure for a target of the draft, and why."""

    model_config = ConfigDict(extra="forbid")
    unit: str = Field(min_length=1, max_length=64, examples=["coal.kujang"])
    indicator: str = Field(min_length=1, max_length=64, examples=["coal"])
    period: str | None = Field(None, max_length=16, description="The version's year (default)", examples=["2024"])
    value: float = Field(description="The unit's figure, in the indicator's unit", examples=[2_300_000])
    reason: str = Field(max_length=2000, examples=["new longwall face at Kujang from March"])


class CounterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rows: list[CounterRowIn] = Field(min_length=1, max_length=10_000)


class CounterOut(BaseModel):
    version: str
    recorded: int = Field(description="Counter-plans recorded")
    submitted_by: str
    counter_plans: list[dict] = Field(description="The draft and the counter-plans of the units answered, "
                                                  "side by side (unit, indicator, draft, counter, difference, "
                                                  "reason, submitted_by)")


@router.post("/plans/{version}/counter", response_model=CounterOut, tags=["plans"], responses=errors(*WRITE))
def submit_counter(request: Request, who: Who, version: VersionP, body: CounterIn,
                   x_csrf_token: Annotated[str | None, Header(max_length=200)] = None) -> CounterOut:
    """Answer a draft with counter-plans (all or nothing; rows are numbered from 1 in the problems)."""
    from gosplan.service import plans

    check_csrf(request, x_csrf_token)
    if who.role not in ANSWERING:
        raise PermissionDenied(_("{name} is {role}; answering a draft needs the role reporter or planner",
                                 name=who.name, role=gettext(who.role)))
    snapshots = request.app.state.gosplan.snapshots
    service = snapshots.writer
    found = service.store.plan_version(version)  # NotFound (404) naming the known versions
    if found["status"] != "draft":
        raise Conflict(_("{version} is {status}; counter-plans answer a draft", version=version,
                         status=gettext(found["status"])))
    year = str(found["year"])
    frame = pd.DataFrame([{**row.model_dump(), "plan": version} for row in body.rows],
                         index=range(1, len(body.rows) + 1))
    frame["period"] = frame["period"].fillna(year)
    with snapshots.write_slots:
        count = plans.submit_counter_plans(service, frame, source=f"api:{who.via}",
                                           allowed=writable_units(service, who),
                                           sender=who.scope or service.root(), submitted_by=who.name)
    snapshots.wrote(who.name)
    view = plans.counter_plan_view(service, version)
    mine = view[view["unit"].isin(set(frame["unit"]))]
    return CounterOut(version=version, recorded=count, submitted_by=who.name, counter_plans=records(mine))
