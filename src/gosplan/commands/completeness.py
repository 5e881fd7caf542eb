"""``gosplan completeness``: expected, received and on-time reports, rates per unit and level; the
indicator sets that say what each unit owes."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import typer
from rich import box
from rich.table import Table

from gosplan.commands._common import DbOption, FormatOption, console, emit, open_service
from gosplan.errors import GosplanError

app = typer.Typer(help="Completeness and timeliness of reporting (DHIS2's reporting-rate summary).")
SILENT_SHOWN = 15


def _rate(value: object) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value):.1f}"


def _count(value: object) -> str:
    return f"{int(value):,}"


@app.callback(invoke_without_command=True)
def show(
    ctx: typer.Context,
    period: Annotated[str | None, typer.Option(help="Month or period, e.g. 2023-06 or 2023-H1.")] = None,
    unit: Annotated[str | None, typer.Option(help="Unit code (default: the top of the hierarchy).")] = None,
    by: Annotated[str, typer.Option(help="level, unit (children of --unit) or indicator.")] = "level",
    depth: Annotated[int | None, typer.Option(help="With --by unit: levels below the unit.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Last month due (default: the latest month "
                                                             "anybody reported).")] = None,
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Expected, received and on-time reports with reporting rates; names the units that sent nothing."""
    if ctx.invoked_subcommand is not None:
        return
    if period is None:
        raise GosplanError("gosplan completeness needs --period (e.g. --period 2023-06)")
    from gosplan.service.completeness import completeness

    view = completeness(open_service(db), period, unit=unit, by=by, depth=depth, as_of=as_of)
    if emit(view.table, fmt):
        return
    s = view.summary
    console.print(f"[bold]{view.unit}[/] — {view.period} — owed per {view.basis}; due "
                  f"{view.deadline_days} days after month end")
    if int(s["expected"]) == 0:
        console.print("[yellow]No reports are expected here in this period.[/] Assign indicator sets with "
                      "gosplan completeness assign, or set targets.")
        return
    console.print(f"Reports expected {_count(s['expected'])}, received {_count(s['received'])} "
                  f"({_rate(s['reporting_rate'])} %), on time {_count(s['on_time'])} ({_rate(s['on_time_rate'])} %)\n"
                  f"{_count(s['missing'])} missing, {_count(s['late'])} late")
    _table(view)
    _silent(view.silent)


def _table(view) -> None:
    frame = view.table
    if frame.empty:
        return
    first = {"level": ("Level", lambda r: f"{r.kind} ({int(r.depth)})"), "unit": ("Unit", lambda r: str(r.unit)),
             "indicator": ("Indicator", lambda r: str(r.indicator))}[view.by]
    table = Table(title=f"By {view.by}", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column(first[0], overflow="fold", no_wrap=view.by == "level")
    if view.by == "level":
        table.add_column("Units", justify="right")
    if view.by == "unit":
        table.add_column("Name", overflow="ellipsis", no_wrap=True, max_width=16)
    for name in ("Owed", "Sent", "Sent %", "On time", "Timely %", "Silent"):
        table.add_column(name, justify="right")
    for r in frame.itertuples(index=False):
        cells = [first[1](r)]
        if view.by == "level":
            cells.append(_count(r.units))
        if view.by == "unit":
            cells.append(str(r.name))
        cells += [_count(r.expected), _count(r.received), _rate(r.reporting_rate), _count(r.on_time),
                  _rate(r.on_time_rate), _count(r.units_silent)]
        table.add_row(*cells)
    console.print(table)


def _silent(silent: pd.DataFrame) -> None:
    if silent.empty:
        console.print("Every unit that owes reports sent at least one.")
        return
    table = Table(title=f"[bold red]{len(silent)} unit(s) sent no report at all[/]", title_justify="left",
                  box=box.SIMPLE_HEAD)
    for name in ("Unit", "Name", "Kind", "In", "Owed"):
        table.add_column(name, justify="right" if name == "Owed" else "left", overflow="fold")
    for r in silent.head(SILENT_SHOWN).itertuples(index=False):
        table.add_row(str(r.unit), str(r.name), str(r.kind), str(r.parent), _count(r.expected))
    console.print(table)
    if len(silent) > SILENT_SHOWN:
        console.print(f"... and {len(silent) - SILENT_SHOWN:,} more: gosplan completeness silent --period P "
                      "lists them all")


@app.command("silent")
def silent(
    period: Annotated[str, typer.Option(help="Month or period.")],
    unit: Annotated[str | None, typer.Option(help="Unit code (default: the top of the hierarchy).")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Last month due.")] = None,
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Every unit that owes reports for the period and sent none."""
    from gosplan.service.completeness import completeness

    view = completeness(open_service(db), period, unit=unit, as_of=as_of)
    frame = view.silent[["unit", "name", "kind", "parent", "expected"]]
    if emit(frame, fmt):
        return
    if frame.empty:
        console.print("Every unit that owes reports sent at least one.")
        return
    for r in frame.itertuples(index=False):
        console.print(f"{r.unit}\t{r.name}\t{r.kind}\t{r.parent}\t{int(r.expected):,} owed")


@app.command("define-set")
def define_set(
    code: Annotated[str, typer.Argument(help="Code of the indicator set.")],
    indicators: Annotated[str, typer.Option(help="Indicator codes, comma separated.")],
    name: Annotated[str | None, typer.Option(help="Name (default: the code).")] = None,
    db: DbOption = None,
) -> None:
    """Create or replace an indicator set: the indicators a unit owes every month."""
    from gosplan.service.completeness import define_set as define

    codes = [c.strip() for c in indicators.split(",") if c.strip()]
    define(open_service(db), code, name or code, codes)
    console.print(f"Indicator set {code}: {', '.join(codes)}")


@app.command("assign")
def assign(
    code: Annotated[str, typer.Argument(help="Code of the indicator set.")],
    unit: Annotated[str, typer.Option(help="The unit, or the top of the subtree with --kind.")],
    kind: Annotated[str | None, typer.Option(help="Every unit of this kind under --unit.")] = None,
    first: Annotated[str | None, typer.Option(help="First month owed (default: always).")] = None,
    last: Annotated[str | None, typer.Option(help="Last month owed (default: open).")] = None,
    db: DbOption = None,
) -> None:
    """Assign an indicator set to units: from then on they owe its indicators every month."""
    from gosplan.service.completeness import assign_set

    count = assign_set(open_service(db), code, unit, kind=kind, first=first, last=last)
    console.print(f"Indicator set {code} assigned to {count:,} unit(s) under {unit}")


@app.command("sets")
def sets(fmt: FormatOption = "table", db: DbOption = None) -> None:
    """The indicator sets and how many units each is assigned to."""
    service = open_service(db)
    members = service.store.indicator_sets()
    assigned = service.store.indicator_set_assignments().groupby("set").size()
    frame = (members.groupby(["set", "name"])["indicator"].agg(", ".join).reset_index()
             .assign(units=lambda d: d["set"].map(assigned).fillna(0).astype(int)))
    if emit(frame, fmt):
        return
    if frame.empty:
        console.print("No indicator sets: what units owe is derived from their targets.")
        return
    table = Table(title="Indicator sets", title_justify="left")
    for name in ("Set", "Name", "Indicators", "Units"):
        table.add_column(name, justify="right" if name == "Units" else "left", overflow="fold")
    for r in frame.itertuples(index=False):
        table.add_row(r.set, r.name, r.indicator, _count(r.units))
    console.print(table)


@app.command("deadline")
def deadline(
    days: Annotated[int | None, typer.Argument(help="Days after the month's end (omit to show).")] = None,
    db: DbOption = None,
) -> None:
    """Show or set the reporting deadline (days after the end of the month reported)."""
    from gosplan.service.completeness import deadline_days, set_deadline_days

    service = open_service(db)
    if days is not None:
        set_deadline_days(service, days)
    console.print(f"Reports are due {deadline_days(service)} days after the end of their month.")
