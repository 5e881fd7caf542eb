"""Accounts and permissions: users with a role and an optional scope, API tokens, sign-in.

Roles: ``admin`` (users and settings, and everything else), ``planner`` (plans, targets, all data),
``reporter`` (submits and corrects reports for the units of its scope only) and ``viewer`` (reads,
optionally only its scope). A scope is either a unit subtree (the territorial line: a province and
everything below it) or a group of a grouping beside the hierarchy (the ministry line: the units of
the ministry of coal industry and their subtrees, ``group=("ministry", "coal_industry")``). A subtree
scope also reads the roll-ups of the units above it; a group scope reads its own units only, and the
group's roll-up (:func:`gosplan.service.groupings.group_table`).

Passwords are hashed with Argon2id (argon2-cffi); API tokens and browser sessions are long random
strings, so a SHA-256 of the string is enough at rest and lets a request find its token or session
by one indexed lookup. Sessions live in the store: signing out,
disabling an account or changing its password revokes them for every server process at once, and
enabling an account again does not bring old sessions back. The last enabled admin cannot be
disabled, demoted or deleted. Every change to an account is written to the audit log.

>>> from gosplan.service import Service
>>> service = Service.open("sqlite://")
>>> add_user(service, "ada", "correct horse battery", "admin", actor="doctest").name
'ada'
>>> authenticate(service, "ada", "wrong password") is None
True
>>> token, csrf = start_session(service, "ada")
>>> session_principal(service, token)[0].name
'ada'
>>> end_session(service, token)
>>> session_principal(service, token) is None
True
>>> set_disabled(service, "ada")
Traceback (most recent call last):
...
gosplan.errors.Conflict: ada is the last enabled admin; add or enable another admin first
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from gosplan.errors import Conflict, NotFound, PermissionDenied, Problem, ValidationError
from gosplan.i18n import _
from gosplan.service.core import Service
from gosplan.store._common import utc_now

ROLES = ("admin", "planner", "reporter", "viewer")
MIN_PASSWORD = 10
SESSION_LIFETIME = timedelta(hours=12)
TOKEN_PREFIX = "gsp_"
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
_HASHER = PasswordHasher()
# Verifying against this when the user does not exist keeps the answer time the same either way.
_DUMMY_HASH = _HASHER.hash("no such user, but take as long as a real check")


@dataclass(frozen=True)
class Principal:
    """Who is asking: a signed-in user or an API token, with its role and scope: a unit subtree, or
    group ``group`` of grouping ``grouping`` (e.g. ``"ministry"``, ``"coal_industry"``); neither = all."""

    name: str
    role: str
    subtree: str | None = None
    via: str = "password"
    grouping: str | None = None
    group: str | None = None

    @property
    def scope(self) -> str | None:
        """The scope as written on the command line: ``KP-02``, ``ministry:coal_industry``, or ``None``."""
        if self.grouping and self.group:
            return f"{self.grouping}:{self.group}"
        return self.subtree

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def plans(self) -> bool:
        """May change plans and targets."""
        return self.role in ("admin", "planner")


SYSTEM = Principal("cli", "admin", None, "cli")


# ----------------------------------------------------------------------------------------- permissions
def parse_group(text: str | None) -> tuple[str, str] | None:
    """``"ministry:coal_industry"`` -> ``("ministry", "coal_industry")``; empty -> ``None``.

    >>> parse_group("ministry:coal_industry"), parse_group("")
    (('ministry', 'coal_industry'), None)
    """
    if not text or not text.strip():
        return None
    grouping, sep, group = text.strip().partition(":")
    if not sep or not grouping.strip() or not group.strip():
        raise ValidationError([Problem("user", None, "group", _("write the group as GROUPING:GROUP, e.g. "
                                                                "ministry:coal_industry"))])
    return grouping.strip(), group.strip()


def scope_units(service: Service, principal: Principal) -> set[str] | None:
    """The units ``principal``'s scope covers (whatever its role): its subtree, or the units of its group
    and their subtrees; ``None`` when it has no scope."""
    if principal.grouping and principal.group:
        grouping, group = principal.grouping, principal.group

        def members() -> set[str]:
            groups = service.store.unit_groups(grouping)
            hierarchy = service.hierarchy()
            out: set[str] = set()
            for unit in groups.loc[groups["group_code"].eq(group), "unit"]:
                if unit in hierarchy.parent:
                    out.update(hierarchy.subtree(unit))
            return out
        return service._cached(("group_scope", grouping, group), members)
    if principal.subtree is None:
        return None
    hierarchy = service.hierarchy()
    return set(hierarchy.subtree(principal.subtree)) if principal.subtree in hierarchy.parent else set()


def acts_within(service: Service, principal: Principal, unit: str) -> bool:
    """Whether ``unit`` lies inside ``principal``'s scope (any unit, without a scope)."""
    units = scope_units(service, principal)
    return units is None or unit in units


def scope_words(principal: Principal) -> str:
    """The scope in words, for refusals: "KP-02 and the units below it", "group coal_industry of ..."."""
    if principal.grouping and principal.group:
        return _("the units of {group} ({grouping}) and the units below them", group=principal.group,
                 grouping=principal.grouping)
    return _("{unit} and the units below it", unit=principal.subtree)


def visible_units(service: Service, principal: Principal) -> set[str] | None:
    """Units whose own data ``principal`` may read, or ``None`` for everything: with a subtree scope its
    subtree and the ancestors above it (whose roll-ups give context); with a group scope exactly the
    group's units and their subtrees (the roll-ups above them mix in other groups' units)."""
    if principal.role in ("admin", "planner"):
        return None
    if principal.grouping and principal.group:
        return scope_units(service, principal)
    if principal.subtree is None:
        return None
    key = ("visible", principal.subtree)
    def load() -> set[str]:
        hierarchy = service.hierarchy()
        members = set(hierarchy.subtree(principal.subtree)) if principal.subtree in hierarchy.parent else set()
        unit = hierarchy.parent.get(principal.subtree)
        while unit is not None:
            members.add(unit)
            unit = hierarchy.parent.get(unit)
        return members
    return service._cached(key, load)


def writable_units(service: Service, principal: Principal) -> set[str] | None:
    """Units ``principal`` may submit reports for; ``None`` means all, an empty set means none."""
    if principal.role in ("admin", "planner"):
        return None
    if principal.role != "reporter":
        return set()
    return scope_units(service, principal)


def require_read(service: Service, principal: Principal, unit: str) -> None:
    allowed = visible_units(service, principal)
    if allowed is not None and unit not in allowed:
        raise PermissionDenied(f"{principal.name} may not read the data of unit {unit!r}")


def require_role(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise PermissionDenied(f"this needs the role {' or '.join(roles)}; {principal.name} is {principal.role}")


def require_report_rows(service: Service, principal: Principal, units: pd.Series, source: str) -> None:
    """Every row's unit must be writable by ``principal``; the refusal names the rows."""
    allowed = writable_units(service, principal)
    if allowed is None:
        return
    if not allowed:
        raise PermissionDenied(f"{principal.name} ({principal.role}) may not submit reports")
    outside = ~units.astype(str).isin(allowed)
    if outside.any():
        rows = [int(i) + 2 for i in outside.to_numpy().nonzero()[0][:20]]
        raise PermissionDenied(_("{user} may only report for {scope}; {count} row(s) are outside it (rows {rows})",
                                 user=principal.name, scope=scope_words(principal), count=int(outside.sum()),
                                 rows=", ".join(map(str, rows))))


# ----------------------------------------------------------------------------------------- users
def _check_account(service: Service, name: str, role: str, subtree: str | None,
                   group: tuple[str, str] | None = None) -> None:
    problems = []
    if not _NAME.match(name or ""):
        problems.append(Problem("user", None, "name", "1-64 characters: letters, digits, _ . @ -"))
    if role not in ROLES:
        problems.append(Problem("user", None, "role", f"must be one of {', '.join(ROLES)}"))
    if subtree and subtree not in service.hierarchy().parent:
        problems.append(Problem("user", None, "subtree", f"unknown unit {subtree!r}"))
    if group is not None:
        grouping, code = group
        known = service.store.unit_groups(grouping)
        if subtree:
            problems.append(Problem("user", None, "group", _("an account is scoped to a subtree or to a group, "
                                                             "not both")))
        elif known.empty:
            problems.append(Problem("user", None, "group", _("no unit belongs to a group of {grouping}",
                                                             grouping=repr(grouping))))
        elif not known["group_code"].eq(code).any():
            problems.append(Problem("user", None, "group", _("{grouping} has no group {group}; its groups: {groups}",
                                                             grouping=repr(grouping), group=repr(code),
                                                             groups=", ".join(sorted(set(known["group_code"]))))))
    if role == "reporter" and not subtree and group is None:
        problems.append(Problem("user", None, "subtree", "a reporter needs the unit it reports for"))
    if problems:
        raise ValidationError(problems)


def _group_fields(group: tuple[str, str] | None) -> dict[str, str | None]:
    return {"scope_grouping": group[0] if group else None, "scope_group": group[1] if group else None}


def add_user(service: Service, name: str, password: str, role: str, subtree: str | None = None, *,
             group: tuple[str, str] | None = None, actor: str = "cli", source: str = "cli") -> Principal:
    """Create an account, scoped to a unit subtree, to ``group`` (``(grouping, group)``) or to nothing.
    The password needs at least ``MIN_PASSWORD`` characters."""
    subtree = subtree or None
    _check_account(service, name, role, subtree, group)
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError([Problem("user", None, "password", f"at least {MIN_PASSWORD} characters")])
    with service.store.transaction() as conn:
        service.store.add_user(name, _HASHER.hash(password), role, subtree, conn=conn, **_group_fields(group))
        service.store.append_audit(actor, source, "user.add", f"user:{name}", None,
                                   {"name": name, "role": role, "subtree": subtree, **_group_fields(group)},
                                   conn=conn)
    return _principal(name, role, subtree, group)


def _principal(name: str, role: str, subtree: str | None, group: tuple[str, str] | None,
               via: str = "password") -> Principal:
    return Principal(name, role, subtree, via, *(group or (None, None)))


def _row_principal(row: dict, name: str, via: str) -> Principal:
    """A principal from a users or api_tokens row (or a session joined with its user)."""
    group = (row["scope_grouping"], row["scope_group"]) if row.get("scope_grouping") and row.get("scope_group") \
        else None
    return _principal(name, row["role"], row["subtree"], group, via)


def _keep_an_admin(service: Service, name: str, conn) -> None:
    """Inside a write that changed ``name``: refuse (and so roll back) when no enabled admin is left."""
    if service.store.count_admins(conn=conn) == 0:
        raise Conflict(f"{name} is the last enabled admin; add or enable another admin first")


def set_disabled(service: Service, name: str, disabled: bool = True, *, actor: str = "cli",
                 source: str = "cli") -> None:
    """Disable (or enable again) an account. Disabling revokes its sessions at once; enabling does not
    bring them back (the user signs in again). The last enabled admin cannot be disabled."""
    user = service.store.user(name)
    if user is None:
        raise NotFound(f"no user named {name!r}")
    with service.store.transaction() as conn:
        service.store.update_user(name, disabled=bool(disabled), conn=conn)
        if disabled:
            _keep_an_admin(service, name, conn)
            service.store.revoke_sessions(user_name=name, conn=conn)
        service.store.append_audit(actor, source, "user.disable" if disabled else "user.enable", f"user:{name}",
                                   {"disabled": bool(user["disabled"])}, {"disabled": bool(disabled)}, conn=conn)


def set_role(service: Service, name: str, role: str, subtree: str | None = None, *,
             group: tuple[str, str] | None = None, actor: str = "cli", source: str = "cli") -> Principal:
    """Change an account's role and scope (a subtree, a group or none; the next request of its sessions
    sees the change). The last enabled admin cannot be demoted."""
    user = service.store.user(name)
    if user is None:
        raise NotFound(f"no user named {name!r}")
    subtree = subtree or None
    _check_account(service, name, role, subtree, group)
    with service.store.transaction() as conn:
        service.store.update_user(name, role=role, subtree=subtree, conn=conn, **_group_fields(group))
        _keep_an_admin(service, name, conn)
        service.store.append_audit(actor, source, "user.role", f"user:{name}",
                                   {"role": user["role"], "subtree": user["subtree"],
                                    "scope_grouping": user["scope_grouping"], "scope_group": user["scope_group"]},
                                   {"role": role, "subtree": subtree, **_group_fields(group)}, conn=conn)
    return _principal(name, role, subtree, group)


def delete_user(service: Service, name: str, *, actor: str = "cli", source: str = "cli") -> None:
    """Remove an account and its sessions (the audit log keeps what it did). Not the last enabled admin."""
    user = service.store.user(name)
    if user is None:
        raise NotFound(f"no user named {name!r}")
    with service.store.transaction() as conn:
        service.store.delete_user(name, conn=conn)
        _keep_an_admin(service, name, conn)
        service.store.append_audit(actor, source, "user.delete", f"user:{name}",
                                   {"role": user["role"], "subtree": user["subtree"]}, None, conn=conn)


def set_password(service: Service, name: str, password: str, *, actor: str = "cli", source: str = "cli",
                 keep_session: str | None = None) -> None:
    """Set a new password and revoke the account's sessions, except ``keep_session`` (the session token
    of the user changing its own password)."""
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError([Problem("user", None, "password", f"at least {MIN_PASSWORD} characters")])
    keep = _token_hash(keep_session) if keep_session else None
    with service.store.transaction() as conn:
        service.store.update_user(name, password_hash=_HASHER.hash(password), conn=conn)
        revoked = service.store.revoke_sessions(user_name=name, keep=keep, conn=conn)
        service.store.append_audit(actor, source, "user.password", f"user:{name}", None,
                                   {"sessions_revoked": revoked}, conn=conn)


def list_users(service: Service) -> pd.DataFrame:
    return service.store.users()


def authenticate(service: Service, name: str, password: str) -> Principal | None:
    """The principal for a correct name and password of an enabled account, else ``None``."""
    user = service.store.user(name) if _NAME.match(name or "") else None
    try:
        _HASHER.verify(user["password_hash"] if user else _DUMMY_HASH, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or user["disabled"]:
        return None
    if _HASHER.check_needs_rehash(user["password_hash"]):
        service.store.update_user(name, password_hash=_HASHER.hash(password))
    return _row_principal(user, user["name"], "password")


# ----------------------------------------------------------------------------------------- sessions
def start_session(service: Service, name: str, lifetime: timedelta = SESSION_LIFETIME) -> tuple[str, str]:
    """A new browser session for ``name``: ``(token, csrf)``. The token goes into the cookie; the store
    keeps only its hash."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    service.store.add_session(_token_hash(token), name, csrf, lifetime)
    return token, csrf


def session_principal(service: Service, token: str) -> tuple[Principal, str] | None:
    """The principal and CSRF token of a live session (not revoked, not expired, account enabled)."""
    if not token or len(token) > 200:
        return None
    row = service.store.live_session(_token_hash(token))
    if row is None:
        return None
    return _row_principal(row, row["user_name"], "session"), str(row["csrf"])


def end_session(service: Service, token: str) -> None:
    """Sign out: the session stops working in every server process."""
    if token:
        service.store.revoke_sessions(session_id=_token_hash(token))


def principal_for_user(service: Service, name: str) -> Principal | None:
    """The current role and subtree of an enabled account (sessions re-check this on every request)."""
    user = service.store.user(name)
    if user is None or user["disabled"]:
        return None
    return _row_principal(user, user["name"], "session")


# ----------------------------------------------------------------------------------------- API tokens
def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(service: Service, name: str, role: str, subtree: str | None = None, *,
                 group: tuple[str, str] | None = None, actor: str = "cli", source: str = "cli") -> tuple[int, str]:
    """A new API token: ``(id, token)``. The token itself is shown once and only its hash is kept."""
    subtree = subtree or None
    _check_account(service, "token", role, subtree, group)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with service.store.transaction() as conn:
        token_id = service.store.add_token(name or "token", _token_hash(token), role, subtree, actor, conn=conn,
                                           **_group_fields(group))
        service.store.append_audit(actor, source, "token.create", f"token:{token_id}", None,
                                   {"name": name, "role": role, "subtree": subtree, **_group_fields(group)},
                                   conn=conn)
    return token_id, token


def revoke_token(service: Service, token_id: int, *, actor: str = "cli", source: str = "cli") -> None:
    with service.store.transaction() as conn:
        service.store.update_token(token_id, revoked=True, conn=conn)
        service.store.append_audit(actor, source, "token.revoke", f"token:{token_id}", {"revoked": False},
                                   {"revoked": True}, conn=conn)


def list_tokens(service: Service) -> pd.DataFrame:
    return service.store.tokens()


def principal_for_token(service: Service, token: str) -> Principal | None:
    """The principal of a valid, unrevoked token; notes when it was last used (at most once a minute)."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = service.store.token_by_hash(_token_hash(token))
    if row is None or row["revoked"]:
        return None
    now = utc_now()
    if row["last_used_at"] is None or now - row["last_used_at"] > timedelta(minutes=1):
        service.store.update_token(row["id"], last_used_at=now)
    return _row_principal(row, f"token:{row['id']}:{row['name']}", "token")
