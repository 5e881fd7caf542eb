"""Account administration over the API (admins only): list, change role or subtree, disable or
enable, delete. The last enabled admin cannot be disabled, demoted or deleted (409)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, ConfigDict, Field

from gosplan.api.auth import check_csrf, require_principal
from gosplan.api.openapi import errors
from gosplan.i18n import _
from gosplan.service.accounts import Principal, delete_user, list_users, require_role, set_disabled, set_role

router = APIRouter(responses=errors(401, 403, 422))
Who = Annotated[Principal, Depends(require_principal)]
Csrf = Annotated[str | None, Header(max_length=200)]


class UserOut(BaseModel):
    name: str
    role: str
    subtree: str | None = None
    disabled: bool


class UserChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: str | None = Field(None, max_length=16, examples=["viewer"])
    subtree: str | None = Field(None, max_length=64, description="Unit code; empty for all units")
    disabled: bool | None = None


def _user(request: Request, name: str) -> UserOut:
    users = list_users(request.app.state.gosplan.snapshots.writer)
    row = users[users["name"].eq(name)].iloc[0]
    return UserOut(name=row["name"], role=row["role"], subtree=row["subtree"], disabled=bool(row["disabled"]))


@router.get("/users", response_model=list[UserOut], tags=["admin"], responses=errors(401, 403))
def users(request: Request, who: Who) -> list[dict[str, Any]]:
    """Every account (admins only)."""
    require_role(who, "admin")
    frame = list_users(request.app.state.gosplan.snapshots.writer)
    return [{"name": r["name"], "role": r["role"], "subtree": r["subtree"], "disabled": bool(r["disabled"])}
            for r in frame.to_dict("records")]


@router.patch("/users/{name}", response_model=UserOut, tags=["admin"], responses=errors(401, 403, 404, 409, 413, 422))
def change_user(request: Request, who: Who, name: str, body: UserChange, x_csrf_token: Csrf = None) -> UserOut:
    """Change an account's role or subtree, or disable / enable it. Disabling ends its sessions."""
    check_csrf(request, x_csrf_token)
    require_role(who, "admin")
    service = request.app.state.gosplan.snapshots.writer
    current = _current(request, name)
    if body.role is not None or "subtree" in body.model_fields_set:
        subtree = body.subtree if "subtree" in body.model_fields_set else current.subtree
        set_role(service, name, body.role or current.role, subtree, actor=who.name, source="api")
    if body.disabled is not None:
        set_disabled(service, name, body.disabled, actor=who.name, source="api")
    return _user(request, name)


@router.delete("/users/{name}", status_code=204, tags=["admin"], responses=errors(401, 403, 404, 409))
def remove_user(request: Request, who: Who, name: str, x_csrf_token: Csrf = None) -> None:
    """Delete an account and its sessions (the audit log keeps what it did)."""
    check_csrf(request, x_csrf_token)
    require_role(who, "admin")
    delete_user(request.app.state.gosplan.snapshots.writer, name, actor=who.name, source="api")


def _current(request: Request, name: str) -> UserOut:
    from gosplan.errors import NotFound

    users = list_users(request.app.state.gosplan.snapshots.writer)
    if not users["name"].eq(name).any():
        raise NotFound(_("no user named {name}", name=repr(name)))
    return _user(request, name)
