"""``gosplan serve``: the web pages and the REST API (uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from gosplan.errors import GosplanError
from gosplan.store import Store, default_url


def command(
    db: Annotated[str | None, typer.Option("--db", envvar="GOSPLAN_DB", help="Database URL.")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the operations room (web pages) and the REST API under /api/v1 (docs at /api/docs)."""
    import uvicorn

    from gosplan.api import create_app

    url = db or default_url()
    store = Store.open(url)
    admins = store.count_admins()
    store.close()
    if admins == 0:
        hint = f" --db '{db}'" if db else ""
        raise GosplanError("no admin account yet, and gosplan has no default password. Create one first:\n"
                           f"  gosplan users add NAME --role admin{hint}\nthen run gosplan serve again.")
    uvicorn.run(create_app(url, warm=True), host=host, port=port, log_level="info", proxy_headers=False)
