"""The action plan on the web: the adopted plan (or the latest proposal), one page per unit with the
actions it owns or co-owns and their stocktake, and the admin's form recording an adoption."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gosplan.api.auth import check_csrf, require_principal
from gosplan.errors import GosplanError, NotFound
from gosplan.i18n import _
from gosplan.model import Period
from gosplan.service import Service
from gosplan.service.accounts import Principal, require_read, require_role
from gosplan.web.render import render

router = APIRouter(prefix="/actions")
Who = Annotated[Principal, Depends(require_principal)]
Text = Annotated[str | None, Query(max_length=64)]
RATING_CLASS = {"green": "good", "amber": "warn", "red": "bad", "no data": "none"}


def _service(request: Request, who: Principal) -> Service:
    return request.app.state.gosplan.snapshots.reader(who.name)


def _period(service: Service, period: str | None) -> str:
    if period:
        try:
            return str(Period.parse(period))
        except ValueError:
            pass
    versions = service.store.action_plan_versions()
    if versions.empty:
        raise NotFound(_("no action plan is stored yet (gosplan actions plan propose)"))
    return str(versions["period"].iloc[-1])


def _version(service: Service, period: str) -> dict:
    versions = service.store.action_plan_versions(period)
    if versions.empty:
        raise NotFound(_("no action plan for {period} is stored yet", period=period))
    adopted = versions[versions["status"].eq("adopted")]
    chosen = adopted if len(adopted) else versions
    return service.store.action_plan_version(period, int(chosen["version"].max()))


def _through(service: Service, document: dict) -> str | None:
    """The last reported month of the plan's year after the plan began, if any."""
    last = service.store.last_reported_month()
    if last is None or last <= document["as_of"]:
        return None
    year_end = f"{document['as_of'][:4]}-12"
    return min(last, year_end)


def _rows(service: Service, chosen: dict, unit: str | None) -> tuple[list[dict[str, Any]], str | None]:
    from gosplan.service.action_plan import owner_actions, stocktake
    from gosplan.service.action_words import Names, action_sentence, milestones_line, qty, rating_word

    document = chosen["document"]
    names = Names.of(service)
    actions = owner_actions(document, unit) if unit else document["actions"]
    through = _through(service, document) if chosen["status"] == "adopted" else None
    taken = stocktake(service, document["period"], through) if through else None
    rows = []
    for a in actions:
        mine = [m for m in document["milestones"] if m["key"] == a["finding"] and m["month"] in a["milestones"]]
        checks = []
        if taken is not None:
            for r in taken[taken["key"].eq(a["key"])].itertuples(index=False):
                checks.append({"month": r.month, "planned": qty(r.planned, r.uom), "actual": qty(r.actual, r.uom),
                               "rating": rating_word(r.rating), "class": RATING_CLASS.get(r.rating, "none"),
                               "escalated": names.unit(r.escalated_to) if isinstance(r.escalated_to, str) else ""})
        rows.append({"number": a["number"], "text": action_sentence(a, names), "owner": names.unit(a["owner"]),
                     "owner_link": f"/actions/units/{quote(a['owner'])}?period={document['period']}",
                     "co_owners": [(names.unit(c), f"/actions/units/{quote(c)}?period={document['period']}")
                                   for c in a["co_owners"]],
                     "due": a["due"], "milestones": milestones_line(mine, document["as_of"]), "checks": checks})
    return rows, through


@router.get("", response_class=HTMLResponse)
def plan_page(request: Request, who: Who, period: Text = None,
              message: Annotated[str | None, Query(max_length=300)] = None) -> Response:
    from gosplan.service.action_words import Names, decision_sentence

    service = _service(request, who)
    period = _period(service, period)
    chosen = _version(service, period)
    rows, through = _rows(service, chosen, None)
    names = Names.of(service)
    versions = service.store.action_plan_versions(period).to_dict("records")
    decisions = [decision_sentence(d, names) for d in chosen["document"]["decisions"]]
    return render(request, "action_plan.html.j2", _=_, period=period, chosen=chosen, rows=rows, through=through,
                  decisions=decisions, versions=versions, unit_name=None, message=message,
                  can_adopt=who.role == "admin")


@router.get("/units/{code}", response_class=HTMLResponse)
def unit_actions_page(request: Request, who: Who, code: str, period: Text = None) -> Response:
    service = _service(request, who)
    units = service.units().set_index("code")
    if code not in units.index and code not in set(service.store.unit_groups("ministry")["group_code"]):
        raise NotFound(_("unknown unit {code}", code=code))
    if code in units.index:
        require_read(service, who, code)
    from gosplan.service.action_words import Names

    period = _period(service, period)
    chosen = _version(service, period)
    rows, through = _rows(service, chosen, code)
    return render(request, "action_plan.html.j2", _=_, period=period, chosen=chosen, rows=rows, through=through,
                  decisions=[], versions=[], unit_name=Names.of(service).unit(code), message=None, can_adopt=False)


@router.post("/adopt")
async def adopt_form(request: Request, who: Who) -> Response:
    from gosplan.service.action_plan import adopt_plan

    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    require_role(who, "admin")
    values = {k: str(form.get(k, ""))[:400] for k in ("period", "version", "body", "on")}
    service = request.app.state.gosplan.snapshots.writer
    period = values["period"][:8]
    try:
        await run_in_threadpool(adopt_plan, service, period, int(values["version"] or 0), body=values["body"],
                                on=values["on"], recorded_by=who.name)
    except (GosplanError, ValueError) as exc:
        return RedirectResponse(f"/actions?period={quote(period)}&message={quote(str(exc)[:300])}", status_code=303)
    done = _("Version {version} adopted by {body}", version=values["version"], body=values["body"])
    return RedirectResponse(f"/actions?period={quote(period)}&message={quote(done)}", status_code=303)
