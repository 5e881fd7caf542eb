"""``gosplan rules``: validation rules across indicators, min-max bounds, and the violations found."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import typer
from rich import box
from rich.table import Table

from gosplan.commands._common import DbOption, FormatOption, console, emit, open_service
from gosplan.errors import GosplanError
from gosplan.i18n import N_, _, gettext, ngettext

app = typer.Typer(help="Validation rules (errors refuse an import, warnings are stored) and min-max bounds.")
IdArgument = Annotated[int, typer.Argument(help="Violation id (see gosplan rules run).")]
#: Severities and the states of a violation, in the reader's words.
WORDS = (N_("error"), N_("warning"), N_("open"), N_("follow-up"), N_("resolved"), N_("cleared"))


def _period(period: str) -> str:
    from gosplan.i18n.formats import format_period

    return format_period(period)


def _number(value: object) -> str:
    """Thousands separated, at most two decimals; never exponent notation."""
    if value is None or pd.isna(value):
        return "—"
    text = f"{float(value):,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@app.callback(invoke_without_command=True)
def list_rules(ctx: typer.Context, fmt: FormatOption = "table", db: DbOption = None) -> None:
    """The rules: code, formula, severity."""
    if ctx.invoked_subcommand is not None:
        return
    from gosplan.service.rules import rules

    frame = rules(open_service(db))
    if emit(frame, fmt):
        return
    if frame.empty:
        console.print(_("No rules yet. Add one: {command}",
                        command='gosplan rules add CODE "coal_used <= 0.7 * electricity"'), markup=False)
        return
    table = Table(title=ngettext("{count} rule", "{count} rules", len(frame)), title_justify="left",
                  box=box.SIMPLE_HEAD)
    for name in (_("Code"), _("Rule"), _("Severity")):
        table.add_column(name, overflow="fold")
    for r in frame.itertuples(index=False):
        table.add_row(r.code, f"{r.left} {r.operator} {r.right}", gettext(r.severity))
    console.print(table)


@app.command("add")
def add(
    code: Annotated[str, typer.Argument(help="Code of the rule.")],
    formula: Annotated[str, typer.Argument(help="left OP right, e.g. \"coal_used <= 0.7 * electricity\".")],
    severity: Annotated[str, typer.Option(help="error (refuses an import) or warning (stored).")] = "warning",
    name: Annotated[str | None, typer.Option(help="A readable name (default: the formula).")] = None,
    db: DbOption = None,
) -> None:
    """Add or replace a rule over indicator codes of one unit and month."""
    from gosplan.service.rules import add_rule

    new = add_rule(open_service(db), code, formula, name=name, severity=severity)
    done = (_("Rule {code} added: {formula} ({severity})", code=code, formula=formula, severity=gettext(severity))
            if new else _("Rule {code} replaced: {formula} ({severity})", code=code, formula=formula,
                          severity=gettext(severity)))
    console.print(done, markup=False)


@app.command("delete")
def delete(code: Annotated[str, typer.Argument(help="Code of the rule.")], db: DbOption = None) -> None:
    """Delete a rule (its violations stay on record)."""
    open_service(db).store.delete_rule(code)
    console.print(_("Rule {code} deleted", code=code), markup=False)


@app.command("run")
def run(
    period: Annotated[str, typer.Option(help="Month or period, e.g. 2023-06 or 2023-Q2.")],
    unit: Annotated[str | None, typer.Option(help="Only this unit's subtree.")] = None,
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Judge the period's reports by every rule and bound; list the violations with both sides."""
    from gosplan.service.rules import run_rules

    frame = run_rules(open_service(db), period, unit=unit)
    _show(frame, fmt, _("{period}: {count} open violation(s)", period=_period(period), count=len(frame)))


@app.command("violations")
def list_violations(
    period: Annotated[str, typer.Option(help="Month or period.")],
    status: Annotated[str | None, typer.Option(help="open, follow-up, resolved or cleared.")] = None,
    unit: Annotated[str | None, typer.Option(help="Only this unit's subtree.")] = None,
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """The stored violations of a period (including warnings stored by imports)."""
    from gosplan.service.rules import violations

    frame = violations(open_service(db), period, unit=unit, status=status)
    title = (_("{period}: {count} violation(s) ({status})", period=_period(period), count=len(frame),
               status=gettext(status)) if status else
             _("{period}: {count} violation(s)", period=_period(period), count=len(frame)))
    _show(frame, fmt, title)


def _show(frame: pd.DataFrame, fmt: str, title: str) -> None:
    if emit(frame, fmt):
        return
    from rich.markup import escape

    console.print(f"[bold]{escape(title)}[/]" + ("." if frame.empty else ""))
    for (rule, severity), group in frame.groupby(["rule", "severity"], sort=False):
        first = group.iloc[0]
        colour = "red" if severity == "error" else "yellow"
        formula = (_("{indicator} within bounds", indicator=first.left) if str(rule).startswith("minmax:")
                   else f"{first.left} {first.operator} {first.right}")
        table = Table(title=f"[{colour}]{escape(str(rule))}[/] ({escape(gettext(str(severity)))}): {escape(formula)}",
                      title_justify="left", box=box.SIMPLE_HEAD)
        for name in (N_("Id"), N_("Unit"), N_("Month"), N_("Left side"), "", N_("Right side"), N_("Status")):
            table.add_column(_(name) if name else "",
                             justify="left" if name in ("Unit", "Month", "", "Status") else "right", overflow="fold")
        for r in group.itertuples(index=False):
            table.add_row(str(r.id), r.unit, r.period, _number(r.left_value), r.operator, _number(r.right_value),
                          gettext(r.status))
        console.print(table)


@app.command("generate-minmax")
def generate_minmax(
    as_of: Annotated[str, typer.Option("--as-of", help="Last month of the history used.")],
    years: Annotated[int, typer.Option(help="Years of history.")] = 3,
    k: Annotated[float, typer.Option(help="Width in scaled MADs around the median.")] = 3.0,
    db: DbOption = None,
) -> None:
    """Generate min-max bounds per unit and indicator from history (bounds set by hand are kept)."""
    from gosplan.service.rules import generate_minmax as generate

    count = generate(open_service(db), as_of, years=years, k=k)
    console.print(_("{count} bounds generated from the {years} years up to {month} (median ± {k} scaled MAD)",
                    count=f"{count:,}", years=years, month=as_of, k=f"{k:g}"), highlight=False)


@app.command("set-bounds")
def set_bounds(
    unit: Annotated[str, typer.Option(help="Unit code.")],
    indicator: Annotated[str, typer.Option(help="Indicator code.")],
    low: Annotated[float, typer.Option(help="Lowest plausible monthly value.")],
    high: Annotated[float, typer.Option(help="Highest plausible monthly value.")],
    by: Annotated[str, typer.Option("--by", help="Who sets them.")] = "cli",
    db: DbOption = None,
) -> None:
    """Set the bounds of one unit's indicator by hand."""
    from gosplan.service.rules import set_bounds as setter

    setter(open_service(db), unit, indicator, low, high, by=by)
    console.print(_("Bounds of {indicator} at {unit}: {low} .. {high}", indicator=indicator, unit=unit,
                    low=_number(low), high=_number(high)), highlight=False)


@app.command("follow-up")
def follow_up(violation_id: IdArgument,
              comment: Annotated[str, typer.Option(help="What is to be checked.")] = "",
              by: Annotated[str, typer.Option("--by", help="Who marks it.")] = "cli",
              db: DbOption = None) -> None:
    """Mark a violation for follow-up."""
    from gosplan.service.rules import follow_up as mark

    mark(open_service(db), violation_id, comment, by)
    console.print(_("Violation {id} marked for follow-up", id=violation_id), highlight=False)


@app.command("resolve")
def resolve(violation_id: IdArgument,
            comment: Annotated[str, typer.Option(help="How it was resolved.")] = "",
            by: Annotated[str, typer.Option("--by", help="Who resolves it.")] = "cli",
            db: DbOption = None) -> None:
    """Resolve a violation with a comment."""
    from gosplan.service.rules import resolve as close

    if not comment:
        raise GosplanError(_("resolving a violation needs --comment saying how"))
    close(open_service(db), violation_id, comment, by)
    console.print(_("Violation {id} resolved", id=violation_id), highlight=False)
