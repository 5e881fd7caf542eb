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
from gosplan.i18n import N_, _, gettext
from gosplan.i18n.codes import code_word

app = typer.Typer(help="Completeness and timeliness of reporting (DHIS2's reporting-rate summary).")
SILENT_SHOWN = 15
#: What a unit owes is told by: its indicator sets, or its targets.
BASES = {"indicator sets": N_("indicator sets"), "targets": N_("targets")}


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
        raise GosplanError(_("{command} needs --period (e.g. --period 2023-06)", command="gosplan completeness"))
    from rich.markup import escape

    from gosplan.i18n.formats import format_period
    from gosplan.service.completeness import completeness

    view = completeness(open_service(db), period, unit=unit, by=by, depth=depth, as_of=as_of)
    if emit(view.table, fmt):
        return
    s = view.summary
    console.print(f"[bold]{escape(view.unit)}[/] — " + escape(_(
        "{period} — owed per {basis}; due {days} days after month end", period=format_period(str(view.period)),
        basis=gettext(BASES.get(view.basis, view.basis)), days=view.deadline_days)))
    if int(s["expected"]) == 0:
        console.print("[yellow]" + escape(_("No reports are expected here in this period.")) + "[/] " + escape(_(
            "Assign indicator sets with {command}, or set targets.", command="gosplan completeness assign")))
        return
    console.print(_("Reports expected {expected}, received {received} ({rate} %), on time {on_time} ({timely} %)",
                    expected=_count(s["expected"]), received=_count(s["received"]), rate=_rate(s["reporting_rate"]),
                    on_time=_count(s["on_time"]), timely=_rate(s["on_time_rate"])), highlight=False)
    console.print(_("{missing} missing, {late} late", missing=_count(s["missing"]), late=_count(s["late"])),
                  highlight=False)
    _table(view)
    _silent(view.silent)


def _table(view) -> None:
    frame = view.table
    if frame.empty:
        return
    first = {"level": (_("Level"), lambda r: f"{_kind(r.kind)} ({int(r.depth)})"),
             "unit": (_("Unit"), lambda r: str(r.unit)), "indicator": (_("Indicator"), lambda r: str(r.indicator))}
    header, cell = first[view.by]
    title = {"level": _("By level"), "unit": _("By unit"), "indicator": _("By indicator")}[view.by]
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column(header, overflow="fold", no_wrap=view.by == "level")
    if view.by == "level":
        table.add_column(_("Units"), justify="right")
    if view.by == "unit":
        table.add_column(_("Name"), overflow="ellipsis", no_wrap=True, max_width=16)
    for name in (_("Owed"), _("Sent"), _("Sent %"), _("On time"), _("Timely %"), _("Silent")):
        table.add_column(name, justify="right")
    for r in frame.itertuples(index=False):
        cells = [cell(r)]
        if view.by == "level":
            cells.append(_count(r.units))
        if view.by == "unit":
            cells.append(str(r.name))
        cells += [_count(r.expected), _count(r.received), _rate(r.reporting_rate), _count(r.on_time),
                  _rate(r.on_time_rate), _count(r.units_silent)]
        table.add_row(*cells)
    console.print(table)


def _kind(kind: object) -> str:
    """A kind of unit (province, ministry...) in the reader's words; itself where the catalogue has none."""
    return code_word(kind)


def _silent(silent: pd.DataFrame) -> None:
    from rich.markup import escape

    if silent.empty:
        console.print(_("Every unit that owes reports sent at least one."))
        return
    title = _("{count} unit(s) sent no report at all", count=len(silent))
    table = Table(title=f"[bold red]{escape(title)}[/]", title_justify="left", box=box.SIMPLE_HEAD)
    for name in (N_("Unit"), N_("Name"), N_("Kind"), N_("In"), N_("Owed")):
        table.add_column(_(name), justify="right" if name == "Owed" else "left", overflow="fold")
    for r in silent.head(SILENT_SHOWN).itertuples(index=False):
        table.add_row(str(r.unit), str(r.name), _kind(r.kind), str(r.parent), _count(r.expected))
    console.print(table)
    if len(silent) > SILENT_SHOWN:
        console.print(_("... and {count} more: {command} lists them all", count=f"{len(silent) - SILENT_SHOWN:,}",
                        command="gosplan completeness silent --period P"), highlight=False)


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
        console.print(_("Every unit that owes reports sent at least one."))
        return
    for r in frame.itertuples(index=False):
        owed = _("{count} owed", count=f"{int(r.expected):,}")
        console.print(f"{r.unit}\t{r.name}\t{_kind(r.kind)}\t{r.parent}\t{owed}", highlight=False)


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
    console.print(_("Indicator set {code}: {indicators}", code=code, indicators=", ".join(codes)), highlight=False)


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
    console.print(_("Indicator set {code} assigned to {count} unit(s) under {unit}", code=code, count=f"{count:,}",
                    unit=unit), highlight=False)


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
        console.print(_("No indicator sets: what units owe is derived from their targets."))
        return
    table = Table(title=_("Indicator sets"), title_justify="left")
    for name in (N_("Set"), N_("Name"), N_("Indicators"), N_("Units")):
        table.add_column(_(name), justify="right" if name == "Units" else "left", overflow="fold")
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
    console.print(_("Reports are due {days} days after the end of their month.", days=deadline_days(service)))
