"""Helpers shared by the command modules: the service from ``--db``, machine-readable output."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console

from gosplan.errors import GosplanError
from gosplan.service import Service

console = Console()
DbOption = Annotated[str | None, typer.Option("--db", envvar="GOSPLAN_DB",
                                              help="Database URL (default: sqlite file gosplan.db here).")]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")]


def open_service(db: str | None) -> Service:
    return Service.open(db)


def emit(frame: pd.DataFrame, fmt: str, columns: list[str] | None = None) -> bool:
    """Write csv/json for machines; return False when the caller should draw a Rich table."""
    if fmt == "table":
        return False
    data = frame[columns] if columns else frame
    if fmt == "csv":
        data.to_csv(sys.stdout, index=False)
    elif fmt == "json":
        sys.stdout.write(json.dumps(json.loads(data.to_json(orient="records", date_format="iso")), indent=2))
        sys.stdout.write("\n")
    else:
        raise GosplanError(f"--format must be table, csv or json, not {fmt!r}")
    return True
