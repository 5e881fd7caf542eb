"""``gosplan rules``: validation rules across indicators, min-max bounds, and the violations found."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import typer
from rich import box
from rich.table import Table

from gosplan.commands._common import DbOption, FormatOption, console, emit, open_service
from gosplan.errors import GosplanError

app = typer.Typer(help="Validation rules (errors refuse an import, warnings are stored) and min-max bounds.")
IdArgument = Annotated[int, typer.Argument(help="Violation id (see gosplan rules run).")]


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
        console.print("No rules yet. Add one: gosplan rules add CODE \"coal_used <= 0.7 * electricity\"")
        return
    table = Table(title=f"{len(frame)} rules", title_justify="left", box=box.SIMPLE_HEAD)
    for name in ("Code", "Rule", "Severity"):
        table.add_column(name, overflow="fold")
    for r in frame.itertuples(index=False):
        table.add_row(r.code, f"{r.left} {r.operator} {r.right}", r.severity)
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
    console.print(f"Rule {code} {'added' if new else 'replaced'}: {formula} ({severity})")


@app.command("delete")
def delete(code: Annotated[str, typer.Argument(help="Code of the rule.")], db: DbOption = None) -> None:
    """Delete a rule (its violations stay on record)."""
    open_service(db).store.delete_rule(code)
    console.print(f"Rule {code} deleted")


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
    _show(frame, fmt, f"{period}: {len(frame)} open violation(s)")


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
    _show(frame, fmt, f"{period}: {len(frame)} violation(s)" + (f" ({status})" if status else ""))


def _show(frame: pd.DataFrame, fmt: str, title: str) -> None:
    if emit(frame, fmt):
        return
    console.print(f"[bold]{title}[/]" + ("." if frame.empty else ""))
    for (rule, severity), group in frame.groupby(["rule", "severity"], sort=False):
        first = group.iloc[0]
        colour = "red" if severity == "error" else "yellow"
        formula = (f"{first.left} within bounds" if str(rule).startswith("minmax:")
                   else f"{first.left} {first.operator} {first.right}")
        table = Table(title=f"[{colour}]{rule}[/] ({severity}): {formula}", title_justify="left",
                      box=box.SIMPLE_HEAD)
        for name in ("Id", "Unit", "Month", "Left side", "", "Right side", "Status"):
            table.add_column(name, justify="left" if name in ("Unit", "Month", "", "Status") else "right",
                             overflow="fold")
        for r in group.itertuples(index=False):
            table.add_row(str(r.id), r.unit, r.period, _number(r.left_value), r.operator, _number(r.right_value),
                          r.status)
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
    console.print(f"{count:,} bounds generated from the {years} years up to {as_of} (median ± {k:g} scaled MAD)")


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
    console.print(f"Bounds of {indicator} at {unit}: {_number(low)} .. {_number(high)}")


@app.command("follow-up")
def follow_up(violation_id: IdArgument,
              comment: Annotated[str, typer.Option(help="What is to be checked.")] = "",
              by: Annotated[str, typer.Option("--by", help="Who marks it.")] = "cli",
              db: DbOption = None) -> None:
    """Mark a violation for follow-up."""
    from gosplan.service.rules import follow_up as mark

    mark(open_service(db), violation_id, comment, by)
    console.print(f"Violation {violation_id} marked for follow-up")


@app.command("resolve")
def resolve(violation_id: IdArgument,
            comment: Annotated[str, typer.Option(help="How it was resolved.")] = "",
            by: Annotated[str, typer.Option("--by", help="Who resolves it.")] = "cli",
            db: DbOption = None) -> None:
    """Resolve a violation with a comment."""
    from gosplan.service.rules import resolve as close

    if not comment:
        raise GosplanError("resolving a violation needs --comment saying how")
    close(open_service(db), violation_id, comment, by)
    console.print(f"Violation {violation_id} resolved")
