"""``gosplan approvals``: submit, approve, accept, unapprove and lock months along the hierarchy."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import typer
from rich import box
from rich.table import Table

from gosplan.commands._common import DbOption, FormatOption, console, emit, open_service
from gosplan.errors import NotFound
from gosplan.i18n import N_, _, gettext

app = typer.Typer(help="Approval of reported months along the hierarchy, and period locks.")
UnitOption = Annotated[str, typer.Option(help="Unit code (its subtree is concerned).")]
PeriodOption = Annotated[str, typer.Option(help="Month or period, e.g. 2023-06 or 2023-Q2.")]
UserOption = Annotated[str | None, typer.Option("--user", help="Act as this account (its role and subtree); "
                                                               "default: the command line, as admin.")]
SetOption = Annotated[str | None, typer.Option("--set", help="An indicator set with its own approval chain "
                                                             "(default: the hierarchy's levels).")]


def _principal(service, user: str | None):
    from gosplan.service.accounts import SYSTEM, principal_for_user

    if user is None:
        return SYSTEM
    principal = principal_for_user(service, user)
    if principal is None:
        raise NotFound(_("no enabled account {user}", user=repr(user)))
    return principal


#: What each move does to the months, in the reader's words.
DONE = {"submitted": N_("{unit}: {months} submitted"), "approved": N_("{unit}: {months} approved"),
        "accepted": N_("{unit}: {months} accepted"), "unapproved": N_("{unit}: {months} unapproved"),
        "locked": N_("{unit}: {months} locked"), "unlocked": N_("{unit}: {months} unlocked")}
#: Approval states in the reader's words.
STATES = (N_("open"), N_("submitted"), N_("approved"), N_("accepted"), N_("locked"))


def _done(verb: str, unit: str, months: list[str]) -> None:
    span = months[0] if len(months) == 1 else f"{months[0]}..{months[-1]}"
    console.print(_(DONE[verb], unit=unit, months=span), highlight=False)


@app.command("status")
def status(unit: UnitOption, period: PeriodOption, set_code: SetOption = None, fmt: FormatOption = "table",
           db: DbOption = None) -> None:
    """The state in force of the unit and the units directly below it, month by month."""
    from gosplan.service.workflow import status as states

    frame = states(open_service(db), unit, period, set_code=set_code)
    if emit(frame, fmt):
        return
    title = _("Approval of {unit} and the units below it — {period}", unit=unit, period=period) if not set_code \
        else _("Approval of {unit} and below — {period}, set {set}", unit=unit, period=period, set=set_code)
    table = Table(title=title, title_justify="left",
                  box=box.SIMPLE_HEAD)
    for name in (N_("Unit"), N_("Level"), N_("Month"), N_("State"), N_("Held at"), N_("By")):
        table.add_column(_(name), overflow="ellipsis" if name == "By" else "fold", no_wrap=True,
                         justify="right" if name == "Level" else "left")
    colours = {"open": "dim", "submitted": "cyan", "approved": "green", "accepted": "bold green", "locked": "red"}
    for r in frame.itertuples(index=False):
        state = gettext(r.state) if r.state in ("open", "submitted", "locked") else \
            _("{state} (level {level})", state=gettext(r.state), level=int(r.state_level))
        level = "" if r.level is None or pd.isna(r.level) else str(int(r.level))
        table.add_row(r.unit, level, r.period, f"[{colours[r.state]}]{state}[/]", r.held_at or "",
                      "" if r.changed_by is None or pd.isna(r.changed_by) else str(r.changed_by))
    console.print(table)


@app.command("submit")
def submit(unit: UnitOption, period: PeriodOption, set_code: SetOption = None, user: UserOption = None,
           db: DbOption = None) -> None:
    """Submit the unit's months for approval."""
    from gosplan.service.workflow import submit as run

    service = open_service(db)
    _done("submitted", unit, run(service, unit, period, _principal(service, user), set_code=set_code))


@app.command("approve")
def approve(unit: UnitOption, period: PeriodOption,
            at: Annotated[str | None, typer.Option("--at", help="The approving unit (default: the next level "
                                                                "up within your subtree).")] = None,
            set_code: SetOption = None, user: UserOption = None, db: DbOption = None) -> None:
    """Approve the unit's subtree for the months (and so its data as a whole)."""
    from gosplan.service.workflow import approve as run

    service = open_service(db)
    _done("approved", unit, run(service, unit, period, _principal(service, user), at=at,
                                 set_code=set_code))


@app.command("accept")
def accept(unit: UnitOption, period: PeriodOption, set_code: SetOption = None, user: UserOption = None,
           db: DbOption = None) -> None:
    """Accept approved months at the top of the hierarchy."""
    from gosplan.service.workflow import accept as run

    service = open_service(db)
    _done("accepted", unit, run(service, unit, period, _principal(service, user), set_code=set_code))


@app.command("unapprove")
def unapprove(unit: UnitOption, period: PeriodOption,
              reason: Annotated[str, typer.Option(help="Why (kept in the audit log).")],
              set_code: SetOption = None, user: UserOption = None, db: DbOption = None) -> None:
    """Withdraw an approval so that the data can be corrected."""
    from gosplan.service.workflow import unapprove as run

    service = open_service(db)
    _done("unapproved", unit, run(service, unit, period, _principal(service, user), reason, set_code=set_code))


@app.command("lock")
def lock(unit: UnitOption, period: PeriodOption, set_code: SetOption = None, user: UserOption = None,
         db: DbOption = None) -> None:
    """Lock the months for the unit's subtree: every write into them is refused."""
    from gosplan.service.workflow import lock as run

    service = open_service(db)
    _done("locked", unit, run(service, unit, period, _principal(service, user), set_code=set_code))


@app.command("unlock")
def unlock(unit: UnitOption, period: PeriodOption,
           reason: Annotated[str, typer.Option(help="Why (kept in the audit log).")],
           set_code: SetOption = None, user: UserOption = None, db: DbOption = None) -> None:
    """Lift a lock (admins only)."""
    from gosplan.service.workflow import unlock as run

    service = open_service(db)
    _done("unlocked", unit, run(service, unit, period, _principal(service, user), reason, set_code=set_code))


@app.command("chain")
def define_chain(
    set_code: Annotated[str | None, typer.Option("--set", help="The indicator set (default: list the chains).")] = None,
    kinds: Annotated[str | None, typer.Option(help="Kinds of unit from the one that submits up, comma-"
                                                   "separated, e.g. enterprise,ministry,country; empty "
                                                   "removes the chain.")] = None,
    fmt: FormatOption = "table", db: DbOption = None,
) -> None:
    """Give an indicator set its own approval chain, or list the chains."""
    from gosplan.service.accounts import SYSTEM
    from gosplan.service.workflow import define_chain as run

    service = open_service(db)
    if set_code is not None and kinds is not None:
        made = run(service, set_code, kinds.split(","), SYSTEM)
        console.print(_("{set}: {chain}", set=set_code, chain=" > ".join(made.kinds)) if made.kinds
                      else _("{set}: follows the hierarchy's levels", set=set_code))
        return
    if set_code is not None:
        raise typer.BadParameter(_("give --kinds with --set (an empty value removes the chain)"))
    frame = service.store.approval_chains()
    if emit(frame, fmt):
        return
    if frame.empty:
        console.print(_("No indicator set has an approval chain of its own: every report follows the "
                        "hierarchy's levels."))
        return
    table = Table(title=_("Approval chains of indicator sets"), title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column(_("Set"))
    table.add_column(_("Chain (level 0 submits, the last accepts)"))
    for code, rows in frame.groupby("set"):
        table.add_row(str(code), " > ".join(rows.sort_values("level")["kind"]))
    console.print(table)
