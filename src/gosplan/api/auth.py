"""Who is asking: server-side sessions (an HttpOnly, SameSite=Lax cookie holding a signed random token)
with a CSRF token for browsers, bearer API tokens for machine clients, and the client's address.

The session itself lives in the store (:func:`gosplan.service.accounts.start_session`); every request
reads it together with the account's role, subtree and ``disabled`` flag, so signing out, disabling a
user or changing a password ends the session in every server process at once.

Behind a reverse proxy the connection comes from the proxy; the client's own address is taken from
``X-Forwarded-For`` only when the connection comes from one of the trusted proxies
(``GOSPLAN_TRUSTED_PROXIES``: addresses or networks, comma-separated).

>>> proxies = trusted_networks("10.0.0.0/8, 127.0.0.1")
>>> forwarded_client("127.0.0.1", "203.0.113.7, 10.1.2.3", proxies)
'203.0.113.7'
>>> forwarded_client("198.51.100.9", "203.0.113.7", proxies)  # not a proxy: the header is ignored
'198.51.100.9'
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from fastapi import Request
from itsdangerous import BadSignature, URLSafeSerializer

from gosplan.errors import GosplanError
from gosplan.i18n import _
from gosplan.service.accounts import SESSION_LIFETIME, Principal, principal_for_token, session_principal

SESSION_COOKIE = "gosplan_session"
LOGIN_CSRF_COOKIE = "gosplan_login_csrf"
SESSION_AGE = int(SESSION_LIFETIME.total_seconds())

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class NotAuthenticated(GosplanError):
    """No valid session or token: pages redirect to the login page, the API answers 401."""


class CsrfFailed(GosplanError):
    """A form or cookie-authenticated API call without the session's CSRF token."""


class Sessions:
    """Signs the session token into the cookie (so forged cookies cost no database read) and sets it."""

    def __init__(self, secret: str, secure: bool = False) -> None:
        self.serializer = URLSafeSerializer(secret, salt="gosplan-session")
        self.secure = secure

    def cookie(self, token: str) -> str:
        """The cookie value carrying ``token``."""
        return self.serializer.dumps(token)

    def token(self, value: str | None) -> str | None:
        """The session token of a cookie value, or ``None`` when it is missing or forged."""
        if not value or len(value) > 1024:
            return None
        try:
            token = self.serializer.loads(value)
        except BadSignature:
            return None
        return token if isinstance(token, str) else None

    def set_cookie(self, response, token: str) -> None:
        response.set_cookie(SESSION_COOKIE, self.cookie(token), max_age=SESSION_AGE, httponly=True, samesite="lax",
                            secure=self.secure, path="/")


def identify(request: Request) -> Principal | None:
    """The principal of a bearer token or a session cookie, or ``None``; caches it on the request."""
    if hasattr(request.state, "principal"):
        return request.state.principal
    state = request.app.state.gosplan
    principal = None
    request.state.csrf = None
    request.state.session_token = None
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        principal = principal_for_token(state.snapshots.writer, header[7:].strip())
    else:
        token = state.sessions.token(request.cookies.get(SESSION_COOKIE))
        found = session_principal(state.snapshots.writer, token) if token else None
        if found is not None:
            principal, request.state.csrf = found
            request.state.session_token = token
    request.state.principal = principal
    return principal


def require_principal(request: Request) -> Principal:
    """FastAPI dependency: the principal, or :class:`NotAuthenticated`."""
    principal = identify(request)
    if principal is None:
        raise NotAuthenticated(_("sign in, or send an API token as 'Authorization: Bearer <token>'"))
    return principal


def check_csrf(request: Request, supplied: str | None) -> None:
    """Unsafe requests made with a session cookie must carry the session's CSRF token."""
    principal = identify(request)
    if principal is None or principal.via == "token":
        return
    expected = getattr(request.state, "csrf", None)
    if not expected or not supplied or not hmac.compare_digest(str(expected), str(supplied)):
        raise CsrfFailed(_("the form has expired or did not come from this site (CSRF check); reload and retry"))


def csrf_token(request: Request) -> str:
    identify(request)
    return getattr(request.state, "csrf", None) or ""


def session_token(request: Request) -> str | None:
    """The session token of a signed-in browser request (to sign out, or keep it on a password change)."""
    identify(request)
    return getattr(request.state, "session_token", None)


# ------------------------------------------------------------------------------------------- addresses
def trusted_networks(setting: str | None) -> tuple[Network, ...]:
    """Parse ``GOSPLAN_TRUSTED_PROXIES`` ("10.0.0.1, 172.16.0.0/12"); a bad entry is an error naming it."""
    networks = []
    for item in (setting or "").replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise GosplanError(f"GOSPLAN_TRUSTED_PROXIES: {item!r} is not an address or network "
                               "(e.g. 10.0.0.1 or 10.0.0.0/8)") from None
    return tuple(networks)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def forwarded_client(peer: str, forwarded_for: str | None, networks: tuple[Network, ...]) -> str:
    """The client's address: the connection's ``peer``, or, when ``peer`` is a trusted proxy, the last
    address in ``X-Forwarded-For`` that is not a trusted proxy itself (read right to left, since a client
    can put anything at the left of the header)."""
    if not networks or not forwarded_for or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a malformed header: fall back to the proxy's address
        if not _trusted(hop, networks):
            return hop
    return hops[0] if hops else peer


def client_address(request: Request) -> str:
    """The client's address, honouring ``X-Forwarded-For`` from trusted proxies only."""
    peer = request.client.host if request.client else "unknown"
    networks: Any = getattr(request.app.state.gosplan, "trusted_proxies", ())
    return forwarded_client(peer, request.headers.get("x-forwarded-for"), networks)
