"""The ``gosplan`` command: thin wrappers over :mod:`gosplan.service`.

The database comes from ``--db`` or ``GOSPLAN_DB`` and defaults to ``gosplan.db`` (SQLite) in the
current directory, which is where ``gosplan demo`` leaves the demo economy.
"""

from __future__ import annotations

import importlib
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from gosplan.commands._common import DbOption, FormatOption, emit
from gosplan.errors import GosplanError, ValidationError
from gosplan.ingest import KINDS, write_template
from gosplan.service import Service
from gosplan.store import Store, default_url

app = typer.Typer(
    name="gosplan",
    help="Plan, balance, report, monitor and review an economy.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
err = Console(stderr=True)



def _service(db: str | None) -> Service:
    return Service.open(db)


@app.command()
def demo(
    db: DbOption = None,
    seed: Annotated[int, typer.Option(help="Seed of the demo generator.")] = 2023,
    period: Annotated[str, typer.Option(help="Period of the review.")] = "2023-H1",
    out: Annotated[Path | None, typer.Option(help="Where to write the review HTML.")] = None,
    force: Annotated[bool, typer.Option(help="Replace a database that does not hold the demo.")] = False,
) -> None:
    """Build the demo economy in an embedded store, run the mid-year review and write it as HTML."""
    from gosplan.review import build_review, write_html
    from gosplan.review.terminal import print_review_summary

    url = db or default_url()
    _reset_demo_store(url, force)
    with console.status("Building the demo economy..."):
        service = Service.open(url)
        counts = service.load_demo(seed)
    console.print(f"Demo economy (seed {seed}) written to [bold]{url}[/]: "
                  + ", ".join(f"{n:,} {k}" for k, n in counts.items()))
    with console.status(f"Running the review for {period}..."):
        review = build_review(service, period)
    print_review_summary(review, console)
    path = write_html(review, out or Path(f"gosplan-review-{period}.html"))
    console.print(f"\nReview written to [bold]{path.resolve()}[/]")
    hint = f" --db {url}" if db else ""
    console.print(f"Next: [cyan]gosplan status --period 2023-06 --by sector{hint}[/], "
                  f"[cyan]gosplan status --period 2023-06 --by unit --indicator coal[/], "
                  f"[cyan]gosplan review --period {period}[/]")


def _reset_demo_store(url: str, force: bool) -> None:
    """Rebuild the demo from scratch; refuse to wipe a database that holds other data."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if path.exists():
            dataset = Store.open(url).get_meta("dataset")
            if dataset != "demo" and not force:
                raise GosplanError(f"{path} exists and does not hold the demo; use --force to replace it "
                                   "or --db to choose another file")
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    store = Store.open(url)
    if not store.units().empty and store.get_meta("dataset") != "demo":
        raise GosplanError("the database is not empty and does not hold the demo; point --db at an empty one")
    if not store.units().empty:
        raise GosplanError("the demo is already loaded in this database; drop and recreate it to rebuild")


@app.command()
def init(db: DbOption = None) -> None:
    """Create (or upgrade) the database schema."""
    store = Store.open(db)
    console.print(f"Database ready: {store.url}")


@app.command()
def status(
    period: Annotated[str, typer.Option(help="Month or period, e.g. 2023-06 or 2023-H1.")],
    unit: Annotated[str | None, typer.Option(help="Unit code (default: the top of the hierarchy).")] = None,
    sector: Annotated[str | None, typer.Option(help="Only this sector (and its sub-sectors).")] = None,
    indicator: Annotated[str | None, typer.Option(help="Only this indicator.")] = None,
    depth: Annotated[int | None, typer.Option(help="With --by unit: levels below the unit.")] = None,
    by: Annotated[str, typer.Option(help="indicator, sector or unit.")] = "indicator",
    window: Annotated[str, typer.Option(help="ytd (year to date) or period.")] = "ytd",
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Plan fulfilment to date: target, actual, %, change on last year, required monthly rate."""
    from gosplan.review.terminal import print_fulfilment, print_sectors

    view = _service(db).status(period, unit=unit, sector=sector, indicator=indicator, depth=depth, by=by,
                               window=window)
    if emit(view.table, fmt):
        return
    title = f"{view.unit} — {view.window} — by {view.by}"
    if view.table.empty:
        console.print(f"[yellow]No targets or reports for {title}.[/]")
        return
    if by == "sector":
        print_sectors(view.table, title, console)
    else:
        print_fulfilment(view.table, title, console, extra_unit=by == "unit")


REVIEW_FORMATS = ("html", "pdf", "md")


def _write_review(document, fmt: str, out: Path | None) -> Path:
    """Write the review as html, pdf (headless Chromium) or md (tables and text, no charts)."""
    from gosplan.review import write_html
    from gosplan.review.export import write_markdown, write_pdf

    if fmt not in REVIEW_FORMATS:
        raise GosplanError(f"--format must be one of {', '.join(REVIEW_FORMATS)}, not {fmt!r}")
    path = out or Path(f"gosplan-review-{document.period}.{fmt}")
    if fmt == "pdf":
        with console.status("Printing the review to PDF with headless Chromium..."):
            return write_pdf(document, path)
    return write_markdown(document, path) if fmt == "md" else write_html(document, path)


@app.command()
def review(
    period: Annotated[str, typer.Option(help="Period under review, e.g. 2023-H1.")],
    out: Annotated[Path | None, typer.Option(help="Output file.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="html, pdf (via headless Chromium) or md.")] = "html",
    db: DbOption = None,
) -> None:
    """Write the review of plan fulfilment for a period."""
    from gosplan.review import build_review
    from gosplan.review.terminal import print_review_summary

    if fmt not in REVIEW_FORMATS:
        raise GosplanError(f"--format must be one of {', '.join(REVIEW_FORMATS)}, not {fmt!r}")
    with console.status(f"Running the review for {period}..."):
        document = build_review(_service(db), period)
    print_review_summary(document, console)
    path = _write_review(document, fmt, out)
    console.print(f"\nReview written to [bold]{path.resolve()}[/]")


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="CSV, XLSX or Parquet files.", exists=False)],
    kind: Annotated[str | None, typer.Option(help=f"One of {', '.join(KINDS)} (default: from the header).")] = None,
    source: Annotated[str | None, typer.Option(help="Source recorded with each row (default: file name).")] = None,
    user: Annotated[str, typer.Option("--by", help="Who is importing (recorded with each row).")] = "cli",
    today: Annotated[str | None, typer.Option(help="Treat this date as today (YYYY-MM-DD).")] = None,
    db: DbOption = None,
) -> None:
    """Import units, sectors, indicators, plans, targets or reports; all-or-nothing per file."""
    service = _service(db)
    as_of = date.fromisoformat(today) if today else None
    failed = False
    for path in files:
        try:
            result = service.import_file(path, kind, source=source, recorded_by=user, today=as_of)
        except ValidationError as exc:
            failed = True
            err.print(f"[bold red]{path}[/]: {exc}")
            continue
        console.print(f"[green]{path}[/]: {result.kind}: {result.rows:,} rows — {result.new:,} new, "
                      f"{result.revised:,} revised, {result.unchanged:,} unchanged")
    if failed:
        raise typer.Exit(1)


@app.command()
def template(
    kind: Annotated[str, typer.Argument(help=f"One of {', '.join(KINDS)}.")],
    out: Annotated[Path | None, typer.Option(help="File to write (.csv, .xlsx or .parquet).")] = None,
) -> None:
    """Write an empty import file with the expected columns and one example row."""
    path = out or Path(f"{kind}.csv")
    write_template(kind, path)
    console.print(f"Template for {kind} written to {path}")


@app.command()
def export(
    what: Annotated[str, typer.Argument(help="reports, targets, fulfilment or sectors.")],
    out: Annotated[Path, typer.Option(help="File to write (.csv, .xlsx or .parquet).")],
    period: Annotated[str | None, typer.Option(help="Period, for fulfilment and sectors.")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="sdmx or sdmx-csv (SDMX 2.1; also structure).")] = None,
    db: DbOption = None,
) -> None:
    """Export current values or fulfilment tables to CSV, XLSX or Parquet."""
    if fmt:  # SDMX (service/sdmx.py)
        from gosplan.service.sdmx import export_sdmx

        path, count = export_sdmx(_service(db), what, out, period, fmt)
        things = "codes" if what == "structure" else "observations"
        console.print(f"{what} written to {path} as {fmt} ({count:,} {things})")
        return
    path = _service(db).export(what, out, period)
    console.print(f"{what} written to {path}")


@app.command()
def history(
    indicator: Annotated[str, typer.Option(help="Indicator code.")],
    unit: Annotated[str, typer.Option(help="Unit code.")],
    period: Annotated[str | None, typer.Option(help="Month (YYYY-MM).")] = None,
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Every revision of a unit's reports: value, who, when, from which source."""
    from rich.table import Table

    frame = _service(db).store.report_history(indicator=indicator, unit=unit, period=period)
    if emit(frame, fmt):
        return
    table = Table(title=f"Reports of {unit} for {indicator}", title_justify="left")
    for name in ("period", "revision", "value", "current", "source", "recorded_by", "recorded_at"):
        table.add_column(name, justify="right" if name in ("revision", "value") else "left")
    for r in frame.itertuples(index=False):
        table.add_row(r.period, str(r.revision), f"{r.value:,.6g}", "yes" if r.current else "",
                      str(r.source), str(r.recorded_by), str(r.recorded_at)[:19])
    console.print(table)


def _unavailable(name: str, missing: str):
    def command() -> None:
        raise GosplanError(f"`gosplan {name}` needs the package {missing!r}: pip install {missing}")

    return command


def _mount_subcommands() -> None:
    """Engines add their command groups as modules in gosplan.commands exposing ``app``."""
    for name in ("balance", "forecast", "alerts", "reserves", "campaigns", "projects", "risk", "actions",
                 "users", "tokens", "serve",
                 "completeness",
                 "rules",
                 "approvals",
                 ):
        try:
            module = importlib.import_module(f"gosplan.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("gosplan.commands"):
                continue
            # An optional dependency is missing: keep the rest of the CLI working and say what to install.
            missing = (exc.name or "a package").split(".")[0]
            app.command(name, help=f"(unavailable here: needs {missing})")(_unavailable(name, missing))
            continue
        sub = getattr(module, "app", None)
        if isinstance(sub, typer.Typer):
            app.add_typer(sub, name=name)
        elif callable(getattr(module, "command", None)):
            app.command(name)(module.command)


_mount_subcommands()


def main() -> None:
    """Console entry point: user errors print a clear message and exit with status 1, no traceback."""
    try:
        code = app(standalone_mode=False)
    except GosplanError as exc:
        err.print(f"[bold red]error:[/] {exc}")
        sys.exit(1)
    except (typer.Exit, SystemExit) as exc:
        code = getattr(exc, "exit_code", getattr(exc, "code", 0))
        sys.exit(code or 0)
    except typer.Abort:
        sys.exit(1)
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
