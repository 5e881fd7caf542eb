"""The server's outer guard, as pure ASGI middleware (nothing is buffered): request size limits per
route, credentials checked before any body is read, and the security headers of every response.

A request with a body to a route that needs a signed-in caller is refused (401 for the API, a redirect
to the sign-in page for the web) before a byte of the body is read. A body larger than its route's
limit is refused with 413 as soon as it is known to be too large: at once from ``Content-Length``, or
while streaming a chunked body.

>>> limits = BodyLimits(default=1024, bulk=4096, upload=8192, login=512)
>>> limits.for_path("/api/v1/reports/bulk"), limits.for_path("/api/v1/reports"), limits.for_path("/login")
(4096, 1024, 512)
>>> csp_with_hashes("<script>alert(1)</script>").split("script-src ")[1].split(";")[0]
"'self' 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from anyio import to_thread
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import Response

from gosplan.i18n import _

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

MIB = 1024 * 1024
# Routes that take a body from someone not signed in yet.
PUBLIC_POSTS = frozenset({"/login", "/logout"})
# Bulk API submissions and file uploads get a larger allowance than forms and single values.
_BULK = re.compile(r"^/api/v1/(reports/bulk|targets)$")
_UPLOAD = re.compile(r"^(/report/[^/]+/upload|/plans/upload|/confirm)$")

CSP = ("default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)


def csp_with_hashes(html: str) -> str:
    """The Content-Security-Policy for a self-contained HTML document: its inline scripts are allowed
    by their SHA-256 hashes (and no other inline script). JSON data blocks need no hash but get one."""
    hashes = sorted({"'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"
                     for body in _INLINE_SCRIPT.findall(html)})
    return CSP.format(scripts=" ".join(["'self'", *hashes]))


@dataclass(frozen=True)
class BodyLimits:
    """Largest request body in bytes: ``bulk`` for bulk API submissions, ``upload`` for file uploads,
    ``login`` for the sign-in form, ``default`` for everything else. From the environment:
    ``GOSPLAN_MAX_BODY_MB``, ``GOSPLAN_MAX_BULK_MB``, ``GOSPLAN_MAX_UPLOAD_MB``."""

    default: int = 1 * MIB
    bulk: int = 32 * MIB
    upload: int = 64 * MIB
    login: int = 64 * 1024

    @classmethod
    def from_env(cls) -> BodyLimits:
        def mib(name: str, fallback: int) -> int:
            value = os.environ.get(name, "").strip()
            return int(float(value) * MIB) if value else fallback
        base = cls()
        return cls(mib("GOSPLAN_MAX_BODY_MB", base.default), mib("GOSPLAN_MAX_BULK_MB", base.bulk),
                   mib("GOSPLAN_MAX_UPLOAD_MB", base.upload), base.login)

    def for_path(self, path: str) -> int:
        if path in PUBLIC_POSTS:
            return self.login
        if _BULK.match(path):
            return self.bulk
        if _UPLOAD.match(path):
            return self.upload
        return self.default


class _TooLarge(Exception):
    """Raised into the app when a streamed body passes its limit (the app's answer is replaced)."""


def _size(limit: int) -> str:
    return f"{limit / MIB:.0f} MiB" if limit >= MIB else f"{limit / 1024:.0f} KiB"


class Guard:
    """Pure ASGI middleware: credentials before bodies, body limits while streaming.

    ``identify(request)`` returns the caller or ``None`` (blocking; run in a worker thread);
    ``refuse(request, status, code, detail)`` builds the refusal (JSON for the API, a page for the web).
    """

    def __init__(self, app, limits: BodyLimits, identify: Callable[[Request], Any],
                 refuse: Callable[[Request, int, str, str], Response]) -> None:
        self.app = app
        self.limits = limits
        self.identify = identify
        self.refuse = refuse

    async def _answer(self, scope: Scope, send: Send, status: int, code: str, detail: str) -> None:
        request = Request(scope)
        response = await to_thread.run_sync(self.refuse, request, status, code, detail)
        response.headers["connection"] = "close"  # the unread body is not drained

        async def no_body() -> Message:
            return {"type": "http.disconnect"}
        await response(scope, no_body, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        path = scope["path"]
        limit = self.limits.for_path(path)
        length = headers.get("content-length")
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        try:
            declared = int(length) if length is not None else None
        except ValueError:
            await self._answer(scope, send, 400, "bad_request", "Content-Length is not a number")
            return
        has_body = chunked or (declared or 0) > 0
        if has_body and path not in PUBLIC_POSTS and not path.startswith("/static/"):
            principal = await to_thread.run_sync(self.identify, Request(scope))
            if principal is None:
                await self._answer(scope, send, 401, "not_authenticated",
                                   _("sign in, or send an API token as 'Authorization: Bearer <token>'"))
                return
        if declared is not None and declared > limit:
            await self._answer(scope, send, 413, "too_large",
                               _("the request body ({size} bytes) is over this route's limit of {limit}",
                                 size=format(declared, ","), limit=_size(limit)))
            return
        if not has_body:
            await self.app(scope, receive, send)
            return

        received = 0
        over = False
        started = False

        async def counted() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if over:
                return  # the app's own answer to the cut-off body is replaced by the 413 below
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        with contextlib.suppress(_TooLarge):
            await self.app(scope, counted, guarded_send)
        if over and not started:
            await self._answer(scope, send, 413, "too_large",
                               _("the request body is over this route's limit of {limit}", limit=_size(limit)))


class SecurityHeaders:
    """Pure ASGI middleware: CSP, nosniff, framing, referrer and ``Cache-Control: no-store`` (except for
    static files) on every response; a response's own CSP (e.g. with script hashes) is kept."""

    def __init__(self, app) -> None:
        self.app = app
        self.csp = CSP.format(scripts="'self'")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith(("/static/", "/api/docs/assets/"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                headers.setdefault("content-security-policy", self.csp)
                if not static:
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)
