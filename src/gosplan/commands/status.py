"""``gosplan status`` (plan fulfilment to date) and ``gosplan history`` (every revision of a unit's reports)."""

from __future__ import annotations

from typing import Annotated

import typer

from gosplan.commands._common import DbOption, FormatOption, console, emit, get_console, open_service
from gosplan.i18n import _

BY = ("indicator", "sector", "unit")
WINDOWS = ("ytd", "period")
BASES = ("provisional", "official")


def _choice(allowed: tuple[str, ...]):
    def check(value: str) -> str:
        if value not in allowed:
            raise typer.BadParameter(_("must be one of {choices}, not {value}", choices=", ".join(allowed),
                                       value=repr(value)))
        return value

    return check


def status_command(
    period: Annotated[str, typer.Option(help="Month or period, e.g. 2023-06 or 2023-H1.")],
    unit: Annotated[str | None, typer.Option(help="Unit code (default: the top of the hierarchy).")] = None,
    sector: Annotated[str | None, typer.Option(help="Only this sector (and its sub-sectors).")] = None,
    indicator: Annotated[str | None, typer.Option(help="Only this indicator.")] = None,
    depth: Annotated[int | None, typer.Option(help="With --by unit: levels below the unit.")] = None,
    by: Annotated[str, typer.Option(help="indicator, sector, unit, or a grouping of units such as ministry or "
                                         "technology.")] = "indicator",
    window: Annotated[str, typer.Option(help="ytd (year to date) or period.", callback=_choice(WINDOWS))] = "ytd",
    basis: Annotated[str, typer.Option(help="provisional (all current reports) or official (approved only).",
                                       callback=_choice(BASES))] = "provisional",
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Plan fulfilment to date: target, actual, %, change on last year, required monthly rate."""
    service = open_service(db).on_basis(basis)
    if by not in BY and by not in service.groupings():  # groupings are the store's: checked once it is open
        choices = ", ".join([*BY, *service.groupings()])
        raise typer.BadParameter(_("must be one of {choices}, not {value}", choices=choices, value=repr(by)),
                                 param_hint="'--by'")
    view = service.status(period, unit=unit, sector=sector, indicator=indicator, depth=depth, by=by, window=window)
    if emit(view.table, fmt):
        return
    from rich.markup import escape

    from gosplan.i18n.formats import format_period
    from gosplan.review.terminal import print_status
    from gosplan.service.workflow import basis_label

    if view.table.empty:
        console.print("[yellow]" + escape(_("No targets or reports for {unit} in {window} (by {by}).", unit=view.unit,
                                            window=format_period(str(view.window)), by=_(view.by))) + "[/]")
        return
    if view.by not in BY:
        from gosplan.review.terminal_groups import print_groups

        print_groups(view, get_console())
    else:
        print_status(view, get_console())
    console.print(f"[dim]{basis_label(view.basis)}.[/]")


def history_command(
    indicator: Annotated[str, typer.Option(help="Indicator code.")],
    unit: Annotated[str, typer.Option(help="Unit code.")],
    period: Annotated[str | None, typer.Option(help="Month (YYYY-MM).")] = None,
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Every revision of a unit's reports: value, who, when, from which source."""
    store = open_service(db).store
    frame = store.report_history(indicator=indicator, unit=unit, period=period)
    late = store.late_reports(units=[unit], indicators=[indicator])
    marks = {(r.period, r.revision): r.permitted_by for r in late.itertuples(index=False)}
    frame = frame.assign(late_permitted_by=[marks.get((p, int(v))) for p, v in zip(frame["period"], frame["revision"],
                                                                                    strict=True)])
    if emit(frame, fmt):
        return
    if frame.empty:
        console.print(_("No reports of {unit} for {indicator} in {period}.", unit=unit, indicator=indicator,
                        period=period) if period else _("No reports of {unit} for {indicator}.", unit=unit,
                                                        indicator=indicator))
        return
    from gosplan import terminal

    table = terminal.table(_("Reports of {unit} for {indicator}", unit=unit, indicator=indicator),
                           caption=_("Now: the current revision. late: entered after data entry closed."))
    for name in (_("Month"), _("Rev."), _("Value"), _("Now")):
        terminal.number(table, name)
    terminal.text(table, _("Source"), min_width=8)
    terminal.text(table, _("By"), min_width=6)
    terminal.number(table, _("Recorded (UTC)"))
    for r in frame.itertuples(index=False):
        now = _("yes") if r.current else ""
        if r.late_permitted_by:
            now = f"{now} {_('late')}".strip()
        table.add_row(r.period, str(r.revision), f"{r.value:,.6g}", now,
                      str(r.source), str(r.recorded_by), str(r.recorded_at)[:16])
    terminal.show(console, table)
