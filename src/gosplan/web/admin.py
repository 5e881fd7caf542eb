"""Admin pages: accounts and the audit log (with CSV export)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gosplan.api.auth import check_csrf, require_principal
from gosplan.errors import Conflict, GosplanError
from gosplan.i18n import _
from gosplan.ingest.tables import neutralise
from gosplan.service.accounts import ROLES, Principal, add_user, list_users, parse_group, require_role, set_disabled
from gosplan.service.audit import audit_log
from gosplan.web.render import render

router = APIRouter(prefix="/admin")
Who = Annotated[Principal, Depends(require_principal)]


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, who: Who, message: Annotated[str | None, Query(max_length=300)] = None,
               error: bool = False) -> Response:
    require_role(who, "admin")
    service = request.app.state.gosplan.snapshots.writer
    return render(request, "users.html.j2", users=list_users(service).to_dict("records"), roles=ROLES,
                  message=message, error=error, groups=_group_choices(service))


def _group_choices(service) -> list[tuple[str, str]]:
    """Every group of every grouping an account can be scoped to: ("ministry:coal_industry", "ministry: Coal
    industry"), in order."""
    frame = service.store.unit_groups()
    frame = frame[frame["grouping"].isin(service.groupings())].drop_duplicates(["grouping", "group_code"])
    return [(f"{r.grouping}:{r.group_code}", _("{grouping}: {group}", grouping=_(r.grouping), group=r.group_name))
            for r in frame.itertuples()]


@router.post("/users")
async def add_user_form(request: Request, who: Who) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    require_role(who, "admin")
    values = {k: str(form.get(k, ""))[:1000] for k in ("name", "role", "subtree", "group", "password")}
    service = request.app.state.gosplan.snapshots.writer
    try:
        await run_in_threadpool(add_user, service, values["name"][:64], values["password"], values["role"],
                                values["subtree"][:64] or None, group=parse_group(values["group"][:130]),
                                actor=who.name, source="web")
    except GosplanError as exc:
        return users_page(request, who, message=str(exc)[:300], error=True)
    message = _("User {name} added", name=values["name"][:64])
    return RedirectResponse(f"/admin/users?message={quote(message)}", status_code=303)


@router.post("/users/{name}/{action}")
async def toggle_user(request: Request, who: Who, name: str, action: str) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    require_role(who, "admin")
    if action not in ("disable", "enable"):
        raise GosplanError(_("action must be disable or enable"))
    service = request.app.state.gosplan.snapshots.writer
    try:
        await run_in_threadpool(set_disabled, service, name, action == "disable", actor=who.name, source="web")
    except Conflict as exc:  # e.g. the last enabled admin: say why on the page, change nothing
        return users_page(request, who, message=str(exc)[:300], error=True)
    message = _("User {name} disabled", name=name) if action == "disable" else _("User {name} enabled", name=name)
    return RedirectResponse(f"/admin/users?message={quote(message)}", status_code=303)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, who: Who, offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> Response:
    require_role(who, "admin")
    frame = audit_log(request.app.state.gosplan.snapshots.writer, limit=101, offset=offset)
    return render(request, "audit.html.j2", entries=frame.head(100).to_dict("records"), more=len(frame) > 100,
                  offset=offset, page_no=offset // 100 + 1)


@router.get("/audit.csv")
def audit_csv(request: Request, who: Who) -> Response:
    require_role(who, "admin")
    frame = neutralise(audit_log(request.app.state.gosplan.snapshots.writer))
    return Response(frame.to_csv(index=False), media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="gosplan-audit.csv"'})
