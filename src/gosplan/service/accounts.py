"""Accounts and permissions: users with a role and an optional unit subtree, API tokens, sign-in.

Roles: ``admin`` (users and settings, and everything else), ``planner`` (plans, targets, all data),
``reporter`` (submits and corrects reports for the units of its subtree only) and ``viewer`` (reads,
optionally only its subtree). Passwords are hashed with Argon2id (argon2-cffi); API tokens and
browser sessions are long random strings, so a SHA-256 of the string is enough at rest and lets a
request find its token or session by one indexed lookup. Sessions live in the store: signing out,
disabling an account or changing its password revokes them for every server process at once, and
enabling an account again does not bring old sessions back. The last enabled admin cannot be
disabled, demoted or deleted. Every change to an account is written to the audit log.

>>> from gosplan.service import Service
>>> service = Service.open("sqlite://")
>>> add_user(service, "ada", "correct horse battery", "admin", actor="doctest")
Principal(name='ada', role='admin', subtree=None, via='password')
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
    """Who is asking: a signed-in user or an API token, with its role and unit subtree (None = all)."""

    name: str
    role: str
    subtree: str | None = None
    via: str = "password"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def plans(self) -> bool:
        """May change plans and targets."""
        return self.role in ("admin", "planner")


SYSTEM = Principal("cli", "admin", None, "cli")


# ----------------------------------------------------------------------------------------- permissions
def visible_units(service: Service, principal: Principal) -> set[str] | None:
    """Units whose own data ``principal`` may read: its subtree and the ancestors above it (whose
    roll-ups give context), or ``None`` for everything."""
    if principal.subtree is None or principal.role in ("admin", "planner"):
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
    if principal.subtree is None:
        return None
    hierarchy = service.hierarchy()
    return set(hierarchy.subtree(principal.subtree)) if principal.subtree in hierarchy.parent else set()


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
        raise PermissionDenied(
            f"{principal.name} may only report for units in {principal.subtree!r}; "
            f"{int(outside.sum())} row(s) are outside it (rows {', '.join(map(str, rows))})")


# ----------------------------------------------------------------------------------------- users
def _check_account(service: Service, name: str, role: str, subtree: str | None) -> None:
    problems = []
    if not _NAME.match(name or ""):
        problems.append(Problem("user", None, "name", "1-64 characters: letters, digits, _ . @ -"))
    if role not in ROLES:
        problems.append(Problem("user", None, "role", f"must be one of {', '.join(ROLES)}"))
    if subtree and subtree not in service.hierarchy().parent:
        problems.append(Problem("user", None, "subtree", f"unknown unit {subtree!r}"))
    if role == "reporter" and not subtree:
        problems.append(Problem("user", None, "subtree", "a reporter needs the unit it reports for"))
    if problems:
        raise ValidationError(problems)


def add_user(service: Service, name: str, password: str, role: str, subtree: str | None = None, *,
             actor: str = "cli", source: str = "cli") -> Principal:
    """Create an account. The password needs at least ``MIN_PASSWORD`` characters."""
    subtree = subtree or None
    _check_account(service, name, role, subtree)
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError([Problem("user", None, "password", f"at least {MIN_PASSWORD} characters")])
    with service.store.transaction() as conn:
        service.store.add_user(name, _HASHER.hash(password), role, subtree, conn=conn)
        service.store.append_audit(actor, source, "user.add", f"user:{name}", None,
                                   {"name": name, "role": role, "subtree": subtree}, conn=conn)
    return Principal(name, role, subtree)


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


def set_role(service: Service, name: str, role: str, subtree: str | None = None, *, actor: str = "cli",
             source: str = "cli") -> Principal:
    """Change an account's role and subtree (the next request of its sessions sees the change).
    The last enabled admin cannot be demoted."""
    user = service.store.user(name)
    if user is None:
        raise NotFound(f"no user named {name!r}")
    subtree = subtree or None
    _check_account(service, name, role, subtree)
    with service.store.transaction() as conn:
        service.store.update_user(name, role=role, subtree=subtree, conn=conn)
        _keep_an_admin(service, name, conn)
        service.store.append_audit(actor, source, "user.role", f"user:{name}",
                                   {"role": user["role"], "subtree": user["subtree"]},
                                   {"role": role, "subtree": subtree}, conn=conn)
    return Principal(name, role, subtree)


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
    return Principal(user["name"], user["role"], user["subtree"], "password")


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
    return Principal(row["user_name"], row["role"], row["subtree"], "session"), str(row["csrf"])


def end_session(service: Service, token: str) -> None:
    """Sign out: the session stops working in every server process."""
    if token:
        service.store.revoke_sessions(session_id=_token_hash(token))


def principal_for_user(service: Service, name: str) -> Principal | None:
    """The current role and subtree of an enabled account (sessions re-check this on every request)."""
    user = service.store.user(name)
    if user is None or user["disabled"]:
        return None
    return Principal(user["name"], user["role"], user["subtree"], "session")


# ----------------------------------------------------------------------------------------- API tokens
def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(service: Service, name: str, role: str, subtree: str | None = None, *, actor: str = "cli",
                 source: str = "cli") -> tuple[int, str]:
    """A new API token: ``(id, token)``. The token itself is shown once and only its hash is kept."""
    subtree = subtree or None
    _check_account(service, "token", role, subtree)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with service.store.transaction() as conn:
        token_id = service.store.add_token(name or "token", _token_hash(token), role, subtree, actor, conn=conn)
        service.store.append_audit(actor, source, "token.create", f"token:{token_id}", None,
                                   {"name": name, "role": role, "subtree": subtree}, conn=conn)
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
    return Principal(f"token:{row['id']}:{row['name']}", row["role"], row["subtree"], "token")
