"""``gosplan serve``: the web pages and the REST API (uvicorn), in one process or several."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from gosplan.commands._common import DbOption
from gosplan.errors import GosplanError
from gosplan.i18n import _


def command(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Server processes sharing the port.")] = 1,
    trusted_proxies: Annotated[str | None, typer.Option(
        envvar="GOSPLAN_TRUSTED_PROXIES",
        help="Reverse proxies whose X-Forwarded-For is believed: addresses or networks, comma-separated.")] = None,
    redis: Annotated[str | None, typer.Option(
        envvar="GOSPLAN_REDIS_URL",
        help="Share caches and sign-in limits of the workers through Redis (else the database).")] = None,
) -> None:
    """Serve the operations room (web pages) and the REST API under /api/v1 (docs at /api/docs).

    With --workers N the processes share sessions, sign-in limits and caches (database or --redis).
    """
    from gosplan.api.auth import trusted_networks
    from gosplan.api.state import session_secret
    from gosplan.dburl import resolve_url
    from gosplan.store import Store

    url = resolve_url(db)
    trusted_networks(trusted_proxies)  # a bad entry stops here, with its name
    store = Store.open(url, create=False)
    admins = store.count_admins()
    # Made once here, so that the workers do not race to make different keys.
    session_secret(store, os.environ.get("GOSPLAN_SECRET_KEY"))
    store.close()
    if admins == 0:
        hint = f" --db '{db}'" if db else ""
        raise GosplanError(_("no admin account yet, and gosplan has no default password. Create one first:\n"
                             "  {command}\nthen run {again} again.",
                             command=f"gosplan users add NAME --role admin{hint}", again="gosplan serve"))
    import uvicorn

    from gosplan.api import create_app

    if redis:
        _check_redis(redis)
    if workers == 1:
        app = create_app(url, warm=True, trusted_proxies=trusted_proxies, redis_url=redis)
        uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
        return
    # Each worker process builds its own app from the environment. This process becomes uvicorn's
    # supervisor: its workers then start from uvicorn's small main module rather than re-importing the
    # whole command line (which takes longer than the supervisor waits for a new worker to answer).
    os.environ.update({"GOSPLAN_DB": url, "GOSPLAN_WARM": "1", "GOSPLAN_TRUSTED_PROXIES": trusted_proxies or "",
                       "GOSPLAN_REDIS_URL": redis or ""})
    os.execv(sys.executable, [sys.executable, "-m", "uvicorn", "--factory", "gosplan.api:create_app",
                              "--workers", str(workers), "--host", host, "--port", str(port), "--log-level", "info",
                              "--no-proxy-headers"])


def _check_redis(url: str) -> None:
    try:
        import redis
    except ImportError:
        raise GosplanError(_("{option} needs the redis package: {command}", option="--redis",
                             command="pip install 'gosplan[redis]'")) from None
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except (redis.RedisError, ValueError) as exc:
        raise GosplanError(_("cannot reach Redis at {url}: {error}", url=url, error=exc)) from None
