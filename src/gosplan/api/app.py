"""The application factory: one FastAPI app serving the REST API (/api/v1) and the web pages (/).

>>> app = create_app("sqlite://")
>>> sorted(p for p in app.openapi()["paths"] if p.startswith("/api/v1/units"))
['/api/v1/units', '/api/v1/units/{code}']
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from gosplan.api.auth import CsrfFailed, Network, NotAuthenticated, Sessions, identify, trusted_networks
from gosplan.api.guard import BodyLimits, Guard, SecurityHeaders
from gosplan.api.state import LoginLimiter, Snapshots, session_secret, shared_state
from gosplan.errors import Conflict, GosplanError, NotFound, PermissionDenied, ValidationError
from gosplan.i18n import N_, _, gettext, ngettext
from gosplan.store import Store

log = logging.getLogger("gosplan.api")


STATIC = Path(__file__).parent / "static"


@dataclass
class AppState:
    snapshots: Snapshots
    sessions: Sessions
    limiter: LoginLimiter
    trusted_proxies: tuple[Network, ...] = field(default_factory=tuple)


def create_app(url: str | None = None, *, secret: str | None = None, refresh_interval: float | None = None,
               login_attempts: int = 5, login_window: float = 300.0, warm: bool | None = None,
               body_limits: BodyLimits | None = None, trusted_proxies: str | None = None,
               redis_url: str | None = None) -> FastAPI:
    """The server over the store at ``url`` (default: ``GOSPLAN_DB`` or ./gosplan.db).

    ``secret`` signs session cookies (default ``GOSPLAN_SECRET_KEY``, else a key kept in the store).
    ``body_limits``: largest request bodies per route (default :meth:`BodyLimits.from_env`).
    ``trusted_proxies``: addresses or networks whose ``X-Forwarded-For`` is believed (default
    ``GOSPLAN_TRUSTED_PROXIES``; none). ``redis_url``: share the data generation and failed sign-ins of
    several server processes through Redis (default ``GOSPLAN_REDIS_URL``; else the database).
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
    from gosplan.api.users import router as users_router
    from gosplan.web import mount_web

    store = Store.open(url)
    proxies = trusted_networks(trusted_proxies if trusted_proxies is not None
                               else os.environ.get("GOSPLAN_TRUSTED_PROXIES"))
    shared = shared_state(store, redis_url if redis_url is not None else os.environ.get("GOSPLAN_REDIS_URL"))
    app = FastAPI(
        title="gosplan",
        summary="Plan targets, monthly reports, fulfilment and the mid-year review of an economy.",
        description="Authenticate with `Authorization: Bearer <token>` (see `gosplan tokens create`) or a "
                    "browser session. Errors are JSON: `{error, detail, problems: [{source, row, field, reason}]}`.",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    secure = os.environ.get("GOSPLAN_SECURE_COOKIES", "") == "1"
    app.state.gosplan = AppState(
        Snapshots(store, refresh_interval, int(os.environ.get("GOSPLAN_WRITERS", "3")), shared),
        Sessions(session_secret(store, secret or os.environ.get("GOSPLAN_SECRET_KEY")), secure=secure),
        LoginLimiter(login_attempts, login_window, shared),
        proxies,
    )
    if warm:
        app.router.on_startup.append(app.state.gosplan.snapshots.warm)
    if os.environ.get("GOSPLAN_SMTP_HOST"):  # the server sends the outbox itself (service/mail.py)
        from gosplan.service import Service
        from gosplan.service.mail import Mailer, SmtpSettings

        mailer = Mailer(Service(store), SmtpSettings.from_env(),
                        interval=float(os.environ.get("GOSPLAN_MAIL_SECONDS", "30")))
        app.state.gosplan_mailer = mailer
        app.router.on_startup.append(mailer.start)
        app.router.on_shutdown.append(mailer.stop)
    app.include_router(router, prefix="/api/v1")
    app.include_router(__import__("gosplan.api.workflow_routes", fromlist=["router"]).router, prefix="/api/v1")
    app.include_router(__import__("gosplan.api.plan_routes", fromlist=["router"]).router, prefix="/api/v1")
    app.include_router(__import__("gosplan.api.action_plan_routes", fromlist=["router"]).router, prefix="/api/v1")
    app.include_router(users_router, prefix="/api/v1")
    _mount_docs(app)
    mount_web(app)
    _install_error_handlers(app)
    # Outermost last: the headers wrap every answer, including the guard's refusals.
    app.add_middleware(Guard, limits=body_limits or BodyLimits.from_env(), identify=identify, refuse=_error)
    from gosplan.web.language import LanguageMiddleware

    app.add_middleware(LanguageMiddleware)  # outside the guard: its refusals speak the reader's language too
    app.add_middleware(SecurityHeaders)
    return app


_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gosplan API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/png" href="/api/docs/assets/swagger-ui/favicon-32x32.png">
<link rel="stylesheet" href="/api/docs/assets/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui" data-url="/api/v1/openapi.json"></div>
<script src="/api/docs/assets/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/docs.js"></script></body></html>
"""


def _mount_docs(app: FastAPI) -> None:
    """Swagger UI at /api/docs from files shipped in the package (no CDN: it works offline)."""

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(_DOCS_PAGE)

    app.mount("/api/docs/assets", StaticFiles(directory=STATIC), name="api-docs-assets")


_STATUS = [(ValidationError, 422, "validation"), (NotAuthenticated, 401, "not_authenticated"),
           (CsrfFailed, 403, "csrf"), (PermissionDenied, 403, "forbidden"), (NotFound, 404, "not_found"),
           (Conflict, 409, "conflict"), (GosplanError, 400, "bad_request")]


#: Starlette's own details of HTTP errors, in the reader's words.
HTTP_DETAILS = (N_("Not Found"), N_("Method Not Allowed"), N_("Unauthorized"), N_("Forbidden"))


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
            detail = ngettext("{count} problem found; nothing was written",
                              "{count} problems found; nothing was written", exc.total)
        elif isinstance(exc, PermissionDenied) and exc.problems:  # every row of a refused submission
            problems = [{"source": p.source, "row": p.row, "field": p.column, "reason": p.reason}
                        for p in exc.problems]
        return _error(request, status, code, detail, problems)

    async def request_invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [{"source": "request", "row": None,
                     "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or None,
                     "reason": str(e.get("msg", "invalid"))[:300]} for e in exc.errors()[:100]]
        return _error(request, 422, "validation", ngettext("{count} problem in the request",
                                                           "{count} problems in the request", len(problems)), problems)

    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = gettext(exc.detail) if isinstance(exc.detail, str) else _("request refused")
        return _error(request, exc.status_code, "http_" + str(exc.status_code), detail,
                      headers=getattr(exc, "headers", None))

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error(request, 500, "internal", _("internal error; the server log has the details"))

    app.add_exception_handler(GosplanError, gosplan_error)
    app.add_exception_handler(RequestValidationError, request_invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
