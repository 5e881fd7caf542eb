"""``gosplan entry``: when data entry closes, and planners' permissions to enter a month late."""

from __future__ import annotations

from typing import Annotated

import typer

from gosplan.commands._common import DbOption, FormatOption, console, emit, open_service
from gosplan.commands.approvals import PeriodOption, UnitOption, UserOption, _principal
from gosplan.i18n import _

app = typer.Typer(help="When data entry closes; late-entry permissions.")


@app.command("close")
def close(days: Annotated[int | None, typer.Argument(help="Days after the month's end (omit to show).")] = None,
          never: Annotated[bool, typer.Option("--never", help="Entry never closes.")] = False,
          db: DbOption = None) -> None:
    """Show or set the day data entry closes: DAYS after each month's end."""
    from gosplan.service.deadlines import entry_close_days, set_entry_close_days

    service = open_service(db)
    if never or days is not None:
        set_entry_close_days(service, None if never else days)
    current = entry_close_days(service)
    if current is None:
        console.print(_("Data entry never closes"))
    else:
        console.print(_("Data entry closes {days} days after the month's end; later values need a planner's "
                        "permission", days=current))


@app.command("grant")
def grant(unit: UnitOption, period: PeriodOption,
          reason: Annotated[str, typer.Option(help="Why (kept in the audit log).")],
          user: UserOption = None, db: DbOption = None) -> None:
    """Let the unit's subtree enter the months of the period after entry closed."""
    from gosplan.service.deadlines import grant as run

    service = open_service(db)
    months = run(service, unit, period, _principal(service, user), reason)
    console.print(_("{unit} may enter {period} late", unit=unit, period=months[0] if len(months) == 1
                    else f"{months[0]}..{months[-1]}"))


@app.command("revoke")
def revoke(unit: UnitOption, period: PeriodOption, user: UserOption = None, db: DbOption = None) -> None:
    """Withdraw a late-entry permission."""
    from gosplan.service.deadlines import revoke as run

    service = open_service(db)
    run(service, unit, period, _principal(service, user))
    console.print(_("{unit}: late-entry permission for {period} withdrawn", unit=unit, period=period))


@app.command("permissions")
def permissions(period: Annotated[str | None, typer.Option(help="Month or period (default: all).")] = None,
                fmt: FormatOption = "table", db: DbOption = None) -> None:
    """Late-entry permissions in force."""
    from gosplan import terminal
    from gosplan.service.deadlines import permissions as listed

    frame = listed(open_service(db), period)
    if emit(frame, fmt):
        return
    if frame.empty:
        console.print(_("No late-entry permission"))
        return
    table = terminal.table(_("Late-entry permissions"))
    for name in (_("Unit"), _("Month"), _("Granted by"), _("Reason")):
        terminal.text(table, name)
    for r in frame.itertuples(index=False):
        table.add_row(r.unit, r.period, r.granted_by, r.reason)
    terminal.show(console, table)


@app.command("late")
def late(period: PeriodOption, unit: Annotated[str | None, typer.Option(help="Unit code.")] = None,
         fmt: FormatOption = "table", db: DbOption = None) -> None:
    """Report revisions entered after entry closed, and on whose permission."""
    from gosplan import terminal
    from gosplan.model import Period

    service = open_service(db)
    months = [str(m) for m in Period.parse(period).months()]
    units = service.hierarchy().subtree(unit) if unit else None
    frame = service.store.late_reports(periods=months, units=units)
    if emit(frame, fmt):
        return
    if frame.empty:
        console.print(_("No value of {period} was entered late", period=period))
        return
    table = terminal.table(_("Entered late — {period}", period=period))
    for name in (_("Unit"), _("Indicator"), _("Month")):
        terminal.text(table, name)
    terminal.number(table, _("Rev."))
    for name in (_("By"), _("Permitted by")):
        terminal.text(table, name)
    for r in frame.itertuples(index=False):
        table.add_row(r.unit, r.indicator, r.period, str(r.revision), r.entered_by, r.permitted_by)
    terminal.show(console, table)
