"""Helpers shared by the command modules: the service from ``--db``, machine-readable output, the console.

Light on purpose: a command module imports this at start-up, so pandas, the store and the service are
imported only inside the functions that need them.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from gosplan.errors import GosplanError
from gosplan.i18n import _

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from gosplan.service import Service

#: Width of the output when it is not a terminal (a pipe or a file) and ``COLUMNS`` does not say.
PIPE_WIDTH = 80
_DB_HELP = "Database URL or SQLite file (default: gosplan.db here)."


def _existing_store(ctx: typer.Context, value: str | None) -> str | None:
    """Say at once, before anything heavy is imported, that there is no store where ``--db`` points.

    A command group's own ``--db`` (``gosplan rules --db X`` lists) is not checked here: when one of its
    subcommands runs, the group's option is unset and the subcommand's ``--db`` is the one that counts.
    """
    # A group has subcommands to list (typer may bring its own copy of click: no isinstance on click.Group).
    is_group = callable(getattr(ctx.command, "list_commands", None))
    if not ctx.resilient_parsing and not is_group:
        from gosplan.dburl import require_existing_file, resolve_url

        require_existing_file(resolve_url(value), value)
    return value


#: ``--db`` of a command that reads or changes a store: there must be one.
DbOption = Annotated[str | None, typer.Option("--db", envvar="GOSPLAN_DB", show_envvar=False, help=_DB_HELP,
                                              callback=_existing_store)]
#: ``--db`` of a command that may create the store (init, demo, import).
NewDbOption = Annotated[str | None, typer.Option("--db", envvar="GOSPLAN_DB", show_envvar=False, help=_DB_HELP)]
FORMATS = ("table", "csv", "json")
#: The roles of accounts and tokens (``gosplan.service.accounts.ROLES``, spelled out so that help stays cheap).
ROLE_HELP = "admin, planner, reporter or viewer."


def check_format(fmt: str) -> str:
    """``fmt`` if it is table, csv or json, else a usage error naming the choices."""
    if fmt not in FORMATS:
        raise typer.BadParameter(_("must be one of {choices}, not {value}", choices=", ".join(FORMATS),
                                   value=repr(fmt)), param_hint="'--format'")
    return fmt


FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, csv or json.", callback=check_format)]


def make_console(stderr: bool = False) -> Console:
    """A Rich console: the terminal's width, or ``COLUMNS`` (else 80) when writing to a pipe or a file."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width = None
    if not stream.isatty():
        try:
            width = int(os.environ.get("COLUMNS", "")) or PIPE_WIDTH
        except ValueError:
            width = PIPE_WIDTH
    return Console(stderr=stderr, width=width)


_shared: dict[tuple[int, str | None], Console] = {}


def get_console() -> Console:
    """The console every command prints to, made on first use (again when stdout or ``COLUMNS`` changes, as
    in tests that run several commands in one process)."""
    key = (id(sys.stdout), os.environ.get("COLUMNS"))
    if key not in _shared:
        _shared.clear()
        _shared[key] = make_console()
    return _shared[key]


class _LazyConsole:
    """Stands for :func:`get_console` (so that importing a command module does not import Rich)."""

    def __getattr__(self, name: str):
        return getattr(get_console(), name)


console: Console = _LazyConsole()  # type: ignore[assignment]


def open_service(db: str | None, *, create: bool = False) -> Service:
    """The service over the store at ``--db`` (or ``GOSPLAN_DB``, or ./gosplan.db).

    Read commands never create a store: without one they say how to make one. Commands that load data
    (``init``, ``demo``, ``import``) pass ``create=True``.
    """
    from gosplan.dburl import require_existing_file, resolve_url

    url = resolve_url(db)
    if not create:
        require_existing_file(url, db)  # before the heavy imports: a missing store is reported at once
    from gosplan.service import Service
    from gosplan.store import Store

    return Service(Store.open(url, create=create))


def format_quantity(value: float, uom: str) -> str:
    """:func:`gosplan.quantities.format_quantity`, imported (with pint) on first use."""
    from gosplan.quantities import format_quantity as quantity

    return quantity(value, uom)


def is_missing(value: object) -> bool:
    """:func:`gosplan.review.format.is_missing`, imported (with pandas) on first use."""
    from gosplan.review.format import is_missing as missing

    return missing(value)


def emit(frame: pd.DataFrame, fmt: str, columns: list[str] | None = None) -> bool:
    """Write csv/json for machines; return False when the caller should draw a Rich table."""
    check_format(fmt)
    if fmt == "table":
        return False
    data = frame[columns] if columns else frame
    if fmt == "csv":
        data.to_csv(sys.stdout, index=False)
    else:
        sys.stdout.write(json.dumps(json.loads(data.to_json(orient="records", date_format="iso")), indent=2))
        sys.stdout.write("\n")
    return True


__all__ = [
    "ROLE_HELP",
    "DbOption",
    "FormatOption",
    "GosplanError",
    "NewDbOption",
    "check_format",
    "console",
    "emit",
    "format_quantity",
    "get_console",
    "is_missing",
    "make_console",
    "open_service",
]
