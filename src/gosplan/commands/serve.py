"""``gosplan serve``: the web pages and the REST API (uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from gosplan.commands._common import DbOption
from gosplan.errors import GosplanError


def command(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the operations room (web pages) and the REST API under /api/v1 (docs at /api/docs)."""
    from gosplan.dburl import resolve_url
    from gosplan.store import Store

    url = resolve_url(db)
    store = Store.open(url, create=False)
    admins = store.count_admins()
    store.close()
    if admins == 0:
        hint = f" --db '{db}'" if db else ""
        raise GosplanError("no admin account yet, and gosplan has no default password. Create one first:\n"
                           f"  gosplan users add NAME --role admin{hint}\nthen run gosplan serve again.")
    import uvicorn

    from gosplan.api import create_app

    uvicorn.run(create_app(url, warm=True), host=host, port=port, log_level="info", proxy_headers=False)
