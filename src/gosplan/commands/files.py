"""``gosplan import``, ``gosplan template`` and ``gosplan export``: files in and out of the store."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from gosplan.commands._common import DbOption, NewDbOption, console, make_console, open_service

SDMX_FORMATS = ("sdmx", "sdmx-csv")
EXPORTS = ("reports", "targets", "fulfilment", "sectors")


def _iso_date(value: str | None) -> str | None:
    if value is not None:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None
    return value


def import_command(
    files: Annotated[list[Path], typer.Argument(help="CSV, XLSX, Parquet or SDMX-ML (.xml) files.", exists=False)],
    kind: Annotated[str | None, typer.Option(help="What the files hold, e.g. reports or targets (default: told "
                                                  "from the header).")] = None,
    source: Annotated[str | None, typer.Option(help="Source recorded with each row (default: file name).")] = None,
    user: Annotated[str, typer.Option("--by", help="Who is importing (recorded with each row).")] = "cli",
    today: Annotated[str | None, typer.Option(help="Treat this date as today (YYYY-MM-DD).", callback=_iso_date)]
    = None,
    db: NewDbOption = None,
) -> None:
    """Import units, sectors, indicators, plans, targets or reports; all-or-nothing per file."""
    from gosplan.errors import ValidationError
    from gosplan.ingest import KINDS

    if kind is not None and kind not in KINDS:
        raise typer.BadParameter(f"must be one of {', '.join(KINDS)}, not {kind!r}", param_hint="'--kind'")
    err = make_console(stderr=True)
    missing = [path for path in files if not path.is_file()]
    for path in missing:
        err.print(f"[bold red]{path}[/]: file not found", highlight=False)
    present = [path for path in files if path.is_file()]
    if not present:
        raise typer.Exit(1)
    service = open_service(db, create=True)
    as_of = date.fromisoformat(today) if today else None
    failed = bool(missing)
    for path in present:
        try:
            result = service.import_file(path, kind, source=source, recorded_by=user, today=as_of)
        except ValidationError as exc:
            failed = True
            err.print(f"[bold red]{path}[/]: {exc}", highlight=False, markup=True)
            continue
        console.print(f"[green]{path}[/]: {result.kind}: {result.rows:,} rows — {result.new:,} new, "
                      f"{result.revised:,} revised, {result.unchanged:,} unchanged", highlight=False)
    if failed:
        raise typer.Exit(1)


def template_command(
    kind: Annotated[str, typer.Argument(help="What the file holds, e.g. reports, targets, units or indicators.")],
    out: Annotated[Path | None, typer.Option(help="File to write (.csv, .xlsx or .parquet).")] = None,
    db: NewDbOption = None,
) -> None:
    """Write an import file with the expected columns and one example row (valid against the store, if any)."""
    from gosplan.errors import NotFound
    from gosplan.ingest import KINDS, write_template

    if kind not in KINDS:
        raise typer.BadParameter(f"must be one of {', '.join(KINDS)}, not {kind!r}", param_hint="'KIND'")
    path = out or Path(f"{kind}.csv")
    if path.suffix.lower() not in (".csv", ".xlsx", ".parquet"):
        raise typer.BadParameter(f"{path} must end in .csv, .xlsx or .parquet", param_hint="'--out'")
    try:
        store = open_service(db).store  # the example row is made to fit the store's data
    except NotFound:
        store = None  # no store yet: the fixed example
    write_template(kind, path, store)
    fits = " (its example row fits the store)" if store is not None and not store.is_empty() else ""
    console.print(f"Template for {kind} written to {path}{fits}", highlight=False)


def export_command(
    what: Annotated[str, typer.Argument(help="reports, targets, fulfilment, sectors, or structure (SDMX).")],
    out: Annotated[Path, typer.Option(help="File to write (.csv, .xlsx or .parquet; .xml for SDMX-ML).")],
    period: Annotated[str | None, typer.Option(help="Period, for fulfilment and sectors.")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="sdmx or sdmx-csv (SDMX 2.1; also structure).")]
    = None,
    db: DbOption = None,
) -> None:
    """Export current values or fulfilment tables to CSV, XLSX or Parquet, or reports, targets and the
    data structure as SDMX 2.1."""
    if fmt is not None:
        if fmt not in SDMX_FORMATS:
            raise typer.BadParameter(f"must be one of {', '.join(SDMX_FORMATS)}, not {fmt!r}", param_hint="'--format'")
        if what not in ("reports", "targets", "structure"):
            raise typer.BadParameter(f"SDMX exports reports, targets or structure, not {what!r}", param_hint="'WHAT'")
        from gosplan.service.sdmx import export_sdmx

        path, count = export_sdmx(open_service(db), what, out, period, fmt)
        things = "codes" if what == "structure" else "observations"
        console.print(f"{what} written to {path} as {fmt} ({count:,} {things})", highlight=False)
        return
    if what not in EXPORTS:
        raise typer.BadParameter(f"must be one of {', '.join(EXPORTS)}, not {what!r}", param_hint="'WHAT'")
    if what in ("fulfilment", "sectors") and not period:
        raise typer.BadParameter(f"exporting {what} needs it", param_hint="'--period'")
    if out.suffix.lower() not in (".csv", ".xlsx", ".parquet"):
        raise typer.BadParameter(f"{out} must end in .csv, .xlsx or .parquet", param_hint="'--out'")
    path = open_service(db).export(what, out, period)
    console.print(f"{what} written to {path}", highlight=False)
