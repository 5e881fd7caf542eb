"""Account administration over the API (admins only): list, add, change role or scope (a unit subtree or
a group such as ``ministry:coal_industry``), disable or enable, delete. The last enabled admin cannot be
disabled, demoted or deleted (409)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, ConfigDict, Field

from gosplan.api.auth import check_csrf, require_principal
from gosplan.api.openapi import errors
from gosplan.i18n import _
from gosplan.service.accounts import (
    Principal,
    add_user,
    delete_user,
    list_users,
    parse_group,
    require_role,
    set_disabled,
    set_role,
)

router = APIRouter(responses=errors(401, 403, 422))
Who = Annotated[Principal, Depends(require_principal)]
Csrf = Annotated[str | None, Header(max_length=200)]


GROUP_HELP = "GROUPING:GROUP, e.g. ministry:coal_industry: the units of that group and the units below them"


class UserOut(BaseModel):
    name: str
    role: str
    subtree: str | None = None
    group: str | None = Field(None, description=GROUP_HELP)
    disabled: bool


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64, examples=["coal.reporter"])
    password: str = Field(min_length=1, max_length=1000)
    role: str = Field(max_length=16, examples=["reporter"])
    subtree: str | None = Field(None, max_length=64, description="Unit code; empty for all units")
    group: str | None = Field(None, max_length=130, examples=["ministry:coal_industry"], description=GROUP_HELP)


class UserChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: str | None = Field(None, max_length=16, examples=["viewer"])
    subtree: str | None = Field(None, max_length=64, description="Unit code; empty for all units")
    group: str | None = Field(None, max_length=130, description=GROUP_HELP + "; empty for none")
    disabled: bool | None = None


def _out(row: dict[str, Any]) -> dict[str, Any]:
    group = f"{row['scope_grouping']}:{row['scope_group']}" if row.get("scope_group") else None
    return {"name": row["name"], "role": row["role"], "subtree": row["subtree"], "group": group,
            "disabled": bool(row["disabled"])}


def _user(request: Request, name: str) -> UserOut:
    users = list_users(request.app.state.gosplan.snapshots.writer)
    return UserOut(**_out(users[users["name"].eq(name)].iloc[0].to_dict()))


@router.get("/users", response_model=list[UserOut], tags=["admin"], responses=errors(401, 403))
def users(request: Request, who: Who) -> list[dict[str, Any]]:
    """Every account (admins only)."""
    require_role(who, "admin")
    frame = list_users(request.app.state.gosplan.snapshots.writer)
    return [_out(r) for r in frame.to_dict("records")]


@router.post("/users", response_model=UserOut, tags=["admin"],
             responses=errors(401, 403, 409, 413, 422))
def new_user(request: Request, who: Who, body: UserIn, x_csrf_token: Csrf = None) -> UserOut:
    """Add an account, scoped to a unit subtree, to a group (``ministry:coal_industry``) or to nothing."""
    check_csrf(request, x_csrf_token)
    require_role(who, "admin")
    add_user(request.app.state.gosplan.snapshots.writer, body.name, body.password, body.role, body.subtree,
             group=parse_group(body.group), actor=who.name, source="api")
    return _user(request, body.name)


@router.patch("/users/{name}", response_model=UserOut, tags=["admin"], responses=errors(401, 403, 404, 409, 413, 422))
def change_user(request: Request, who: Who, name: str, body: UserChange, x_csrf_token: Csrf = None) -> UserOut:
    """Change an account's role or scope (subtree or group), or disable / enable it. Disabling ends its
    sessions. Giving a subtree clears the group and the other way round."""
    check_csrf(request, x_csrf_token)
    require_role(who, "admin")
    service = request.app.state.gosplan.snapshots.writer
    current = _current(request, name)
    changed = body.model_fields_set
    if body.role is not None or "subtree" in changed or "group" in changed:
        subtree = body.subtree if "subtree" in changed else (None if body.group else current.subtree)
        group = body.group if "group" in changed else (None if body.subtree else current.group)
        set_role(service, name, body.role or current.role, subtree, group=parse_group(group), actor=who.name,
                 source="api")
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
