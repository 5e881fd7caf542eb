"""``gosplan forecast``: expected year-end totals, intervals, P(attain) and the rate the rest of the year needs."""

from __future__ import annotations

from typing import Annotated

import typer

from gosplan import terminal
from gosplan.commands._common import DbOption, FormatOption, console, emit, open_service

COLUMNS = ["indicator", "unit", "unit_name", "uom", "year", "target", "actual_to_date", "expected_total",
           "expected_fulfilment", "lower_80", "upper_80", "lower_95", "upper_95", "p_attain", "shortfall",
           "required_monthly_rate", "rate_to_date", "months_remaining", "method"]


def command(
    as_of: Annotated[str, typer.Option("--as-of", help="Last month reported, e.g. 2023-06.")],
    unit: Annotated[str | None, typer.Option(help="Unit code (default: the top of the hierarchy).")] = None,
    indicator: Annotated[str | None, typer.Option(help="Only this indicator (default: the key ones).")] = None,
    depth: Annotated[int, typer.Option(help="Levels below the unit to show as well.")] = 0,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, or processes[:N].")] = None,
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Year-end forecast of each annual target: expected total, 80/95 % intervals, P(attain), rates."""
    from gosplan.runner import Runner
    from gosplan.service.forecasts import forecast

    service = open_service(db)
    unit = unit or service.root()
    runner = Runner.from_env(scheduler, progress=fmt == "table")
    table = forecast(service, as_of, unit=unit, indicators=[indicator] if indicator else None, runner=runner)
    base = service.hierarchy().depth[unit]
    table = table[table["depth"].between(base, base + max(depth, 0))]
    if emit(table, fmt, COLUMNS):
        return
    names = service.units().set_index("code")["name"]
    several_units = table["unit"].nunique() > 1
    title = f"Year-end forecast as of {as_of}, {names.loc[unit]}"
    out = terminal.table(title, caption="Target for the year; expected total and its 80 % interval (95 % in "
                                        "--format csv); P(attain): probability of reaching the target; need/mo and "
                                        "so far/mo: the monthly rate the rest of the year needs, and the rate so far.")
    terminal.text(out, "Indicator (unit)", min_width=12, wrap=True)
    if several_units:
        terminal.text(out, "Unit", min_width=10, wrap=True)
    for name in ("Target", "Expected", "%", "80 % interval", "P(attain)", "Need/mo", "So far/mo"):
        terminal.number(out, name)
    for r in table.itertuples(index=False):
        p = float(r.p_attain)
        colour = "green" if p >= 0.8 else "yellow" if p >= 0.5 else "red"
        values, label = terminal.scaled([r.target, r.expected_total, r.lower_80, r.upper_80,
                                         r.required_monthly_rate if r.months_remaining else None, r.rate_to_date],
                                        str(r.uom))
        target, expected, low, high, needed, so_far = values
        cells = [terminal.labelled(str(r.indicator_name), label)]
        if several_units:
            cells.append(str(r.unit_name))
        out.add_row(*cells, target, expected, f"{100 * r.expected_fulfilment:.0f} %", f"{low} – {high}",
                    f"[{colour}]{p:.2f}[/]", needed, so_far)
    terminal.show(console, out)
