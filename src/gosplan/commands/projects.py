"""``gosplan projects``: earned value of construction projects (SPI, CPI, EAC, forecast end, status)."""

from __future__ import annotations

from typing import Annotated

import typer

from gosplan import terminal
from gosplan.commands._common import DbOption, FormatOption, console, emit, is_missing, open_service
from gosplan.i18n import N_, _
from gosplan.i18n.formats import format_period

STATUS_STYLES = {"on time": "green", "slipping": "bold yellow", "late": "bold red"}
STATUS_WORDS = {"on time": N_("on time"), "slipping": N_("slipping"), "late": N_("late")}
COLUMNS = ["project", "name", "unit", "as_of", "percent_complete", "planned_percent", "spi", "cpi", "spi_t",
           "bac", "ac", "eac", "planned_end", "forecast_end", "forecast_end_early", "forecast_end_late",
           "dwellings", "dwellings_completed", "dwellings_expected_year", "status"]


def _num(value: object, digits: int = 2) -> str:
    return "–" if is_missing(value) else f"{float(value):,.{digits}f}"


def command(
    late: Annotated[bool, typer.Option("--late", help="Only projects that are slipping or late.")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Month, e.g. 2023-06 (default: latest report).")]
    = None,
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Construction projects: earned value, SPI, CPI, estimate at completion, forecast end with range."""
    from gosplan.service.projects import delivery_findings, project_status

    service = open_service(db)
    status = project_status(service, as_of, late_only=late)
    if emit(status, fmt, COLUMNS):
        return
    month = status["as_of"].iloc[0] if len(status) else as_of
    if status.empty:
        console.print("[green]" + _("No project is slipping or late as of {month}.",
                                    month=format_period(str(month))) + "[/]")
        return
    table = terminal.table(_("Construction projects as of {month}", month=format_period(str(month))),
                           caption=_("Done: % of the work; SPI(t): schedule performance (time), CPI: cost "
                                     "performance (below 1: behind, over budget); budget and estimate at completion "
                                     "are in --format csv."))
    terminal.text(table, _("Project"), min_width=14, wrap=True)
    for name in (_("Done"), _("SPI(t)"), _("CPI"), _("Planned end"), _("Forecast end")):
        terminal.number(table, name)
    terminal.text(table, _("Status"), min_width=7)
    for r in status.itertuples(index=False):
        forecast = r.forecast_end or "–"
        if r.forecast_end_early and r.forecast_end_late and r.forecast_end_early != r.forecast_end_late:
            forecast += f" ({r.forecast_end_early}..{r.forecast_end_late})"
        style = STATUS_STYLES.get(r.status, "")
        word = _(STATUS_WORDS[r.status]) if r.status in STATUS_WORDS else str(r.status)
        table.add_row(str(r.name), f"{r.percent_complete:.1f} %", _num(r.spi_t), _num(r.cpi), str(r.planned_end),
                      forecast, f"[{style}]{word}[/]" if style else word)
    terminal.show(console, table)
    show_findings(delivery_findings(service, as_of))


def show_findings(findings) -> None:
    """The months where project records and the builders' reports disagree, both numbers."""
    from gosplan.service.wording import qty

    if findings.empty:
        console.print(_("Project deliveries agree with the builders' monthly reports."))
        return
    table = terminal.table(_("Project records against the builders' reports (data quality)"),
                           caption=_("A builder reports every dwelling it completes: its projects cannot deliver "
                                     "more in a month than it reported. Settle which record is right."))
    terminal.text(table, _("Builder"), min_width=10, wrap=True)
    terminal.number(table, _("Month"))
    terminal.text(table, _("Project"), min_width=12, wrap=True)
    for name in (_("Records"), _("Reported"), _("In year")):
        terminal.number(table, name)
    for r in findings.itertuples(index=False):
        table.add_row(str(r.unit_name), str(r.period), str(r.project_names),
                      terminal.compact(qty(r.delivered, "dwelling")), terminal.compact(qty(r.reported, "dwelling")),
                      terminal.compact(qty(r.reported_year, "dwelling")))
    terminal.show(console, table)
