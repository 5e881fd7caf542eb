"""The application factory: one FastAPI app serving the REST API (/api/v1) and the web pages (/).

>>> app = create_app("sqlite://")
>>> sorted(p for p in app.openapi()["paths"] if p.startswith("/api/v1/units"))
['/api/v1/units', '/api/v1/units/{code}']
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from gosplan.api.auth import CsrfFailed, NotAuthenticated, Sessions
from gosplan.api.state import LoginLimiter, Snapshots, session_secret
from gosplan.errors import Conflict, GosplanError, NotFound, PermissionDenied, ValidationError
from gosplan.store import Store

log = logging.getLogger("gosplan.api")


@dataclass
class AppState:
    snapshots: Snapshots
    sessions: Sessions
    limiter: LoginLimiter


def create_app(url: str | None = None, *, secret: str | None = None, refresh_interval: float | None = None,
               login_attempts: int = 5, login_window: float = 300.0, warm: bool | None = None) -> FastAPI:
    """The server over the store at ``url`` (default: ``GOSPLAN_DB`` or ./gosplan.db).

    ``secret`` signs session cookies (default ``GOSPLAN_SECRET_KEY``, else a key kept in the store).
    ``refresh_interval``: at most one rebuild of the read snapshot per this many seconds while writes
    keep coming (default ``GOSPLAN_REFRESH_SECONDS`` or 2).
    ``warm``: build the first read snapshot in the background at start-up (default ``GOSPLAN_WARM=1``;
    ``gosplan serve`` does), so the first visitor does not wait for it.
    """
    if warm is None:
        warm = os.environ.get("GOSPLAN_WARM", "") == "1"
    if refresh_interval is None:
        refresh_interval = float(os.environ.get("GOSPLAN_REFRESH_SECONDS", "2"))
    from gosplan.api.routes import router
    from gosplan.web import mount_web

    store = Store.open(url)
    app = FastAPI(
        title="gosplan",
        summary="Plan targets, monthly reports, fulfilment and the mid-year review of an economy.",
        description="Authenticate with `Authorization: Bearer <token>` (see `gosplan tokens create`) or a "
                    "browser session. Errors are JSON: `{error, detail, problems: [{source, row, field, reason}]}`.",
        version="1",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    secure = os.environ.get("GOSPLAN_SECURE_COOKIES", "") == "1"
    app.state.gosplan = AppState(
        Snapshots(store, refresh_interval, int(os.environ.get("GOSPLAN_WRITERS", "3"))),
        Sessions(session_secret(store, secret or os.environ.get("GOSPLAN_SECRET_KEY")), secure=secure),
        LoginLimiter(login_attempts, login_window),
    )
    if warm:
        app.router.on_startup.append(app.state.gosplan.snapshots.warm)
    app.include_router(router, prefix="/api/v1")
    app.include_router(__import__("gosplan.api.workflow_routes", fromlist=["router"]).router, prefix="/api/v1")
    mount_web(app)
    _install_error_handlers(app)

    @app.middleware("http")
    async def security_headers(request: Request, call_next) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    return app


_STATUS = [(ValidationError, 422, "validation"), (NotAuthenticated, 401, "not_authenticated"),
           (CsrfFailed, 403, "csrf"), (PermissionDenied, 403, "forbidden"), (NotFound, 404, "not_found"),
           (Conflict, 409, "conflict"), (GosplanError, 400, "bad_request")]


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, code: str, detail: str, problems: list | None = None,
           headers: dict | None = None) -> Response:
    if _is_api(request):
        body = {"error": code, "detail": detail, "problems": problems or []}
        return JSONResponse(body, status_code=status, headers=headers)
    if status == 401:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    from gosplan.web.render import error_page

    return error_page(request, status, detail, problems or [])


def _install_error_handlers(app: FastAPI) -> None:
    async def gosplan_error(request: Request, exc: GosplanError) -> Response:
        status, code = next((s, c) for kind, s, c in _STATUS if isinstance(exc, kind))
        problems = None
        detail = str(exc)
        if isinstance(exc, ValidationError):
            problems = [{"source": p.source, "row": p.row, "field": p.column, "reason": p.reason}
                        for p in exc.problems]
            detail = f"{exc.total} problem{'s' if exc.total != 1 else ''} found; nothing was written"
        return _error(request, status, code, detail, problems)

    async def request_invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [{"source": "request", "row": None,
                     "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or None,
                     "reason": str(e.get("msg", "invalid"))[:300]} for e in exc.errors()[:100]]
        return _error(request, 422, "validation", f"{len(problems)} problem(s) in the request", problems)

    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "request refused"
        return _error(request, exc.status_code, "http_" + str(exc.status_code), detail,
                      headers=getattr(exc, "headers", None))

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error(request, 500, "internal", "internal error; the server log has the details")

    app.add_exception_handler(GosplanError, gosplan_error)
    app.add_exception_handler(RequestValidationError, request_invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
