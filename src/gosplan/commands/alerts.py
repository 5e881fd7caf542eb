"""``gosplan alerts``: list, raise, acknowledge and resolve alerts; show where each has escalated to."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Annotated

import typer

from gosplan import terminal
from gosplan.commands._common import DbOption, FormatOption, NewDbOption, console, emit, open_service
from gosplan.i18n import N_, _, ngettext

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(help="Alerts from forecasts and exception detection, escalating up the hierarchy until "
                       "acknowledged.")
IdArgument = Annotated[int, typer.Argument(help="Alert id (see gosplan alerts).")]
COLUMNS = ["id", "status", "severity", "indicator", "unit", "period", "kind", "score", "message", "raised",
           "escalation_level", "escalated_to", "path", "acknowledged_by", "resolved_by"]

#: Alert states in the reader's words.
STATES = (N_("open"), N_("acknowledged"), N_("resolved"))


def _show(frame: pd.DataFrame, title: str, with_status: bool = True, names: dict[str, str] | None = None) -> None:
    from gosplan.i18n import gettext
    from gosplan.review.sections.forecasts import alert_kind

    names = names or {}
    table = terminal.table(title, caption=_("Escalation: from the alert's unit up the hierarchy; in bold, the unit "
                                            "holding the alert now."))
    terminal.number(table, _("Id"))
    for name in (_("Status"), _("Severity"), _("Indicator"))[0 if with_status else 1:]:
        terminal.text(table, name, min_width=5)
    terminal.number(table, _("Month"))
    terminal.text(table, _("Alert"), min_width=20, wrap=True)
    terminal.text(table, _("Escalation"), min_width=12, wrap=True)
    for r in frame.itertuples(index=False):
        colour = {"critical": "red", "warning": "yellow"}.get(str(r.severity), "green")
        # The escalation path with the unit now holding the alert in bold.
        steps = str(r.path).split(" > ")
        path = " > ".join(f"[bold]{s}[/]" if i == int(r.escalation_level) else s for i, s in enumerate(steps))
        table.add_row(str(r.id), *([gettext(str(r.status))] if with_status else []),
                      f"[{colour}]{gettext(str(r.severity))}[/]",
                      names.get(str(r.indicator), str(r.indicator)), str(r.period),
                      f"{alert_kind(str(r.kind))}: {r.message}" if r.kind not in str(r.message) else str(r.message),
                      path)
    terminal.show(console, table)


@app.callback(invoke_without_command=True)
def list_alerts(
    ctx: typer.Context,
    open_only: Annotated[bool, typer.Option("--open", help="Only alerts nobody has acknowledged yet.")] = False,
    unit: Annotated[str | None, typer.Option(help="Only alerts of this unit's subtree.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Bring the escalation up to this month first.")]
    = None,
    line: Annotated[str | None, typer.Option("--line", help="Escalation along a grouping beside the territorial "
                                             "line, e.g. ministry: unit > its ministry > the top.")] = None,
    fmt: FormatOption = "table",
    db: NewDbOption = None,  # checked by open_service: a group's --db is not given when a subcommand runs
) -> None:
    """The stored alerts, most urgent first, with their escalation path (unit > ... > top).

    The alerts of the latest month reported are raised first if nobody has raised them yet."""
    if ctx.invoked_subcommand is not None:
        return
    service = open_service(db)  # first: a missing store is reported before the service layer is imported
    from gosplan.service.alerts import list_alerts as stored
    from gosplan.service.alerts import refresh_alerts

    refresh_alerts(service)  # the latest month's alerts, raised once (the monthly refresh)
    frame = stored(service, as_of=as_of, open_only=open_only, unit=unit, line=line)
    if emit(frame, fmt, COLUMNS):
        return
    if frame.empty:
        console.print(_none_message(service, open_only, unit, db), soft_wrap=True, highlight=False)
        return
    title = (ngettext("{count} open alert, most urgent first", "{count} open alerts, most urgent first", len(frame))
             if open_only else ngettext("{count} alert, most urgent first", "{count} alerts, most urgent first",
                                        len(frame)))
    _show(frame, title, with_status=not open_only, names=service.indicators().set_index("code")["name"].to_dict())


def _none_message(service, open_only: bool, unit: str | None, db: str | None) -> str:
    """Why the list is empty, and how alerts come about."""
    from gosplan.service.alerts import list_alerts as stored

    flag = f" --db {shlex.quote(db)}" if db else ""
    if open_only and not stored(service, open_only=False, unit=unit).empty:
        if unit:
            return _("No open alerts for {unit}: every alert has been acknowledged or resolved (list them: {command}).",
                     unit=unit, command=f"gosplan alerts{flag}")
        return _("No open alerts: every alert has been acknowledged or resolved (list them: {command}).",
                 command=f"gosplan alerts{flag}")
    how = _("Alerts are raised from the forecasts and the exception checks by: {command} (the last month reported, "
            "e.g. 2023-06 in the demo).", command=f"gosplan alerts raise --as-of YYYY-MM{flag}")
    if unit:
        first = _("No open alerts for {unit}.", unit=unit) if open_only else _("No alerts for {unit}.", unit=unit)
    else:
        first = _("No open alerts.") if open_only else _("No alerts.")
    return f"{first} {how}"


@app.command("raise")
def raise_(
    as_of: Annotated[str, typer.Option("--as-of", help="Last month reported, e.g. 2023-06.")],
    threshold: Annotated[float, typer.Option(help="Alert when P(attain) is below this.")] = 0.5,
    periods: Annotated[int | None, typer.Option(help="Months before an unacknowledged alert climbs a level "
                                                     "(default: setting alert_escalation_periods, else 2).")]
    = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, or processes[:N].")] = None,
    db: DbOption = None,
) -> None:
    """Forecast, detect exceptions and store the new alerts (an alert already stored is not repeated)."""
    from gosplan.runner import Runner
    from gosplan.service.alerts import raise_alerts

    service = open_service(db)
    summary = raise_alerts(service, as_of, threshold=threshold, periods=periods,
                           runner=Runner.from_env(scheduler, progress=True))
    console.print(_("Alerts as of {month}: {new} new, {updated} refreshed, {unchanged} already stored. List them "
                    "with: {command}", month=as_of, new=summary.new, updated=summary.updated,
                    unchanged=summary.unchanged, command="gosplan alerts --open"))


@app.command("ack")
def ack(alert_id: IdArgument, by: Annotated[str, typer.Option(help="Who acknowledges it.")] = "cli",
        db: DbOption = None) -> None:
    """Acknowledge an open alert: it stays with its unit and stops escalating."""
    from gosplan.service.alerts import acknowledge

    alert = acknowledge(open_service(db), alert_id, by)
    console.print(_("Alert {id} acknowledged by {who}: {indicator} at {unit} ({kind}, {period})", id=alert_id,
                    who=by, indicator=alert["indicator"], unit=alert["unit"], kind=alert["kind"],
                    period=alert["period"]))


@app.command("resolve")
def resolve(alert_id: IdArgument, by: Annotated[str, typer.Option(help="Who resolves it.")] = "cli",
            db: DbOption = None) -> None:
    """Close an alert."""
    from gosplan.service.alerts import resolve as close

    alert = close(open_service(db), alert_id, by)
    console.print(_("Alert {id} resolved by {who}: {indicator} at {unit}", id=alert_id, who=by,
                    indicator=alert["indicator"], unit=alert["unit"]))
