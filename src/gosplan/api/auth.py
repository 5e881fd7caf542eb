"""Who is asking: signed session cookies (HttpOnly, SameSite=Lax) with a CSRF token for browsers,
bearer API tokens for machine clients, and the failed-login limit.

A session cookie holds only the account name, a CSRF token and the time it was issued, signed with
itsdangerous; the account's role, subtree and ``disabled`` flag are read again on every request, so
disabling a user ends its sessions at once.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from gosplan.errors import GosplanError
from gosplan.service.accounts import Principal, principal_for_token, principal_for_user

SESSION_COOKIE = "gosplan_session"
LOGIN_CSRF_COOKIE = "gosplan_login_csrf"
SESSION_AGE = 12 * 3600


class NotAuthenticated(GosplanError):
    """No valid session or token: pages redirect to the login page, the API answers 401."""


class CsrfFailed(GosplanError):
    """A form or cookie-authenticated API call without the session's CSRF token."""


class Sessions:
    """Signs and reads session cookies."""

    def __init__(self, secret: str, secure: bool = False) -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt="gosplan-session")
        self.secure = secure

    def issue(self, name: str) -> tuple[str, str]:
        """A new cookie value for ``name`` and its CSRF token."""
        csrf = secrets.token_urlsafe(24)
        return self.serializer.dumps({"u": name, "c": csrf}), csrf

    def read(self, value: str | None) -> dict[str, Any] | None:
        if not value or len(value) > 4096:
            return None
        try:
            data = self.serializer.loads(value, max_age=SESSION_AGE)
        except BadSignature:
            return None
        return data if isinstance(data, dict) and "u" in data and "c" in data else None

    def set_cookie(self, response, value: str) -> None:
        response.set_cookie(SESSION_COOKIE, value, max_age=SESSION_AGE, httponly=True, samesite="lax",
                            secure=self.secure, path="/")


def identify(request: Request) -> Principal | None:
    """The principal of a bearer token or a session cookie, or ``None``; caches it on the request."""
    if hasattr(request.state, "principal"):
        return request.state.principal
    state = request.app.state.gosplan
    principal = None
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        principal = principal_for_token(state.snapshots.writer, header[7:].strip())
        request.state.csrf = None
    else:
        session = state.sessions.read(request.cookies.get(SESSION_COOKIE))
        if session is not None:
            principal = principal_for_user(state.snapshots.writer, str(session["u"]))
            request.state.csrf = session["c"]
    request.state.principal = principal
    return principal


def require_principal(request: Request) -> Principal:
    """FastAPI dependency: the principal, or :class:`NotAuthenticated`."""
    principal = identify(request)
    if principal is None:
        raise NotAuthenticated("sign in, or send an API token as 'Authorization: Bearer <token>'")
    return principal


def check_csrf(request: Request, supplied: str | None) -> None:
    """Unsafe requests made with a session cookie must carry the session's CSRF token."""
    principal = identify(request)
    if principal is None or principal.via == "token":
        return
    expected = getattr(request.state, "csrf", None)
    if not expected or not supplied or not hmac.compare_digest(str(expected), str(supplied)):
        raise CsrfFailed("the form has expired or did not come from this site (CSRF check); reload and retry")


def csrf_token(request: Request) -> str:
    identify(request)
    return getattr(request.state, "csrf", None) or ""


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
