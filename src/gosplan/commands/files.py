"""``gosplan import``, ``gosplan template`` and ``gosplan export``: files in and out of the store."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from gosplan.commands._common import DbOption, NewDbOption, console, make_console, open_service
from gosplan.i18n import _, ngettext

SDMX_FORMATS = ("sdmx", "sdmx-csv")
EXPORTS = ("reports", "targets", "fulfilment", "sectors")


def _iso_date(value: str | None) -> str | None:
    if value is not None:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise typer.BadParameter(_("{value} is not a date (YYYY-MM-DD)", value=repr(value))) from None
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
    from rich.markup import escape

    from gosplan.errors import ValidationError
    from gosplan.ingest import KINDS
    from gosplan.ingest.wording import problems_text

    if kind is not None and kind not in KINDS:
        raise typer.BadParameter(_("must be one of {choices}, not {value}", choices=", ".join(KINDS), value=repr(kind)),
                                 param_hint="'--kind'")
    err = make_console(stderr=True)
    missing = [path for path in files if not path.is_file()]
    for path in missing:
        err.print(f"[bold red]{escape(str(path))}[/]: " + escape(_("file not found")), highlight=False)
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
            err.print(f"[bold red]{escape(str(path))}[/]: " + escape(problems_text(exc)), highlight=False)
            continue
        console.print(f"[green]{escape(str(path))}[/]: " + escape(ngettext(
            "{kind}: {rows} row — {new} new, {revised} revised, {unchanged} unchanged",
            "{kind}: {rows} rows — {new} new, {revised} revised, {unchanged} unchanged", result.rows,
            kind=result.kind, rows=f"{result.rows:,}", new=f"{result.new:,}", revised=f"{result.revised:,}",
            unchanged=f"{result.unchanged:,}")), highlight=False)
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
        raise typer.BadParameter(_("must be one of {choices}, not {value}", choices=", ".join(KINDS), value=repr(kind)),
                                 param_hint="'KIND'")
    path = out or Path(f"{kind}.csv")
    if path.suffix.lower() not in (".csv", ".xlsx", ".parquet"):
        raise typer.BadParameter(_("{path} must end in .csv, .xlsx or .parquet", path=path), param_hint="'--out'")
    try:
        store = open_service(db).store  # the example row is made to fit the store's data
    except NotFound:
        store = None  # no store yet: the fixed example
    write_template(kind, path, store)
    if store is not None and not store.is_empty():
        console.print(_("Template for {kind} written to {path} (its example row fits the store)", kind=kind,
                        path=path), highlight=False, markup=False)
    else:
        console.print(_("Template for {kind} written to {path}", kind=kind, path=path), highlight=False, markup=False)


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
            raise typer.BadParameter(_("must be one of {choices}, not {value}", choices=", ".join(SDMX_FORMATS),
                                       value=repr(fmt)), param_hint="'--format'")
        if what not in ("reports", "targets", "structure"):
            raise typer.BadParameter(_("SDMX exports reports, targets or structure, not {value}", value=repr(what)),
                                     param_hint="'WHAT'")
        from gosplan.service.sdmx import export_sdmx

        path, count = export_sdmx(open_service(db), what, out, period, fmt)
        number = f"{count:,}"
        message = (ngettext("{what} written to {path} as {format} ({number} code)",
                            "{what} written to {path} as {format} ({number} codes)", count, what=what, path=path,
                            format=fmt, number=number) if what == "structure" else
                   ngettext("{what} written to {path} as {format} ({number} observation)",
                            "{what} written to {path} as {format} ({number} observations)", count, what=what,
                            path=path, format=fmt, number=number))
        console.print(message, highlight=False, markup=False)
        return
    if what not in EXPORTS:
        raise typer.BadParameter(_("must be one of {choices}, not {value}", choices=", ".join(EXPORTS),
                                   value=repr(what)), param_hint="'WHAT'")
    if what in ("fulfilment", "sectors") and not period:
        raise typer.BadParameter(_("exporting {what} needs it", what=what), param_hint="'--period'")
    if out.suffix.lower() not in (".csv", ".xlsx", ".parquet"):
        raise typer.BadParameter(_("{path} must end in .csv, .xlsx or .parquet", path=out), param_hint="'--out'")
    path = open_service(db).export(what, out, period)
    console.print(_("{what} written to {path}", what=what, path=path), highlight=False, markup=False)
