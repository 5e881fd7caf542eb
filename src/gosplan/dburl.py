"""Where the store is: the database URL from ``--db``, ``GOSPLAN_DB`` or the default file, checked cheaply.

Only the standard library (and the message catalogue) is imported here, so the command line can tell a user
that there is no store (or that a URL is malformed) before it loads pandas, SQLAlchemy and the service layer.

>>> normalise_url("postgresql://planner@db.example/plan")
'postgresql+psycopg://planner@db.example/plan'
>>> normalise_url("sqlite://")
'sqlite://'
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from gosplan.errors import GosplanError, NotFound
from gosplan.i18n import _

SQLITE = "sqlite:///"
_POSTGRES_ALIASES = ("postgres://", "postgresql://", "postgres+psycopg://")


def default_url() -> str:
    """``GOSPLAN_DB`` if set, else an SQLite file ``gosplan.db`` in the current directory."""
    return normalise_url(os.environ.get("GOSPLAN_DB") or f"{SQLITE}{Path.cwd() / 'gosplan.db'}")


def normalise_url(url: str) -> str:
    """A SQLAlchemy URL for ``url``: a plain file path becomes an SQLite URL, ``postgresql://`` uses psycopg.

    Anything else that is not ``sqlite:`` or ``postgresql+psycopg:`` raises :class:`GosplanError` saying
    what a database URL looks like.

    >>> normalise_url("plans/economy.db").startswith("sqlite:///") and normalise_url("plans/economy.db").endswith(
    ...     "plans/economy.db")
    True
    >>> normalise_url("mysql://me@host/db")
    Traceback (most recent call last):
    ...
    gosplan.errors.GosplanError: cannot use the database URL 'mysql://me@host/db': gosplan stores its data in ...
    """
    url = url.strip()
    if not url:
        raise GosplanError(_("the database URL is empty: give {examples}", examples=_examples()))
    if "://" not in url:
        if "@" in url or url.startswith(("postgres", "sqlite:")):
            raise GosplanError(_("{url} is not a database URL: give {examples}", url=repr(url), examples=_examples()))
        return f"{SQLITE}{Path(url).expanduser().resolve()}"
    for alias in _POSTGRES_ALIASES:
        if url.startswith(alias):
            return "postgresql+psycopg://" + url.removeprefix(alias)
    if url.startswith(("sqlite://", "postgresql+psycopg://")):
        return url
    raise GosplanError(_("cannot use the database URL {url}: gosplan stores its data in {examples}", url=repr(url),
                         examples=_examples()))


def _examples() -> str:
    return _("{sqlite} (or just the file's path) or {postgresql}", sqlite="sqlite:///PATH/gosplan.db",
             postgresql="postgresql+psycopg://USER@HOST:PORT/DBNAME")


def resolve_url(db: str | None) -> str:
    """The URL of ``--db`` when given, else :func:`default_url`; normalised."""
    return normalise_url(db) if db else default_url()


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL, ``None`` for an in-memory database or another backend."""
    if not url.startswith(SQLITE):
        return None
    path = url.removeprefix(SQLITE).split("?", 1)[0]
    if not path or path == ":memory:":
        return None
    return Path(path)


def how_to_create(db: str | None = None) -> str:
    """The commands that make a store, carrying ``--db`` when the user gave one."""
    flag = f" --db {_quote(db)}" if db else ""
    return _("{demo} (the demo economy) or {init} (an empty store to import into)", demo=f"`gosplan demo{flag}`",
             init=f"`gosplan init{flag}`")


def require_existing_file(url: str, db: str | None = None) -> None:
    """:class:`NotFound` when ``url`` names an SQLite file that does not exist (read commands never create one)."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        if path.parent == Path.cwd() and path.name == "gosplan.db":
            raise NotFound(_("there is no gosplan store here; make one with {commands}", commands=how_to_create(db)))
        raise NotFound(_("there is no gosplan store at {path}; make one with {commands}", path=path,
                         commands=how_to_create(db)))


def describe_server(url: str) -> str:
    """``host:port`` of a server URL (for messages), without user or password."""
    match = re.match(r"^[^:]+://(?:[^@/]*@)?([^/?]*)", url)
    host = match.group(1) if match else ""
    if not host:
        return "localhost:5432 (the default socket)"
    return host if ":" in host.rsplit("]", 1)[-1] else f"{host}:5432"


def database_name(url: str) -> str:
    """The database name of a server URL (``""`` when it has none)."""
    match = re.match(r"^[^:]+://[^/]*/([^?]*)", url)
    return match.group(1) if match else ""


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)
