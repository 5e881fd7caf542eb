"""``gosplan forecast``: expected year-end totals, intervals, P(attain) and the rate the rest of the year needs."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from gosplan.commands._common import DbOption, FormatOption, console, emit, format_quantity, open_service

COLUMNS = ["indicator", "unit", "unit_name", "uom", "year", "target", "actual_to_date", "expected_total",
           "expected_fulfilment", "lower_80", "upper_80", "lower_95", "upper_95", "p_attain", "shortfall",
           "required_monthly_rate", "rate_to_date", "months_remaining", "method"]


def _range(low: float, high: float, uom: str) -> str:
    return f"{format_quantity(low, uom)} – {format_quantity(high, uom)}"


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
    title = f"Year-end forecast as of {as_of}, {service.units().set_index('code').loc[unit, 'name']}"
    out = Table(title=title, title_justify="left")
    for name in ("Indicator", "Unit", "Target", "Expected", "80 % interval", "95 % interval", "P(attain)",
                 "Needed a month", "So far a month"):
        out.add_column(name, justify="left" if name in ("Indicator", "Unit") else "right")
    for r in table.itertuples(index=False):
        uom = str(r.uom)
        p = float(r.p_attain)
        colour = "green" if p >= 0.8 else "yellow" if p >= 0.5 else "red"
        needed = format_quantity(r.required_monthly_rate, uom) if r.months_remaining else "–"
        out.add_row(str(r.indicator_name), str(r.unit_name), format_quantity(r.target, uom),
                    f"{format_quantity(r.expected_total, uom)} ({100 * r.expected_fulfilment:.0f} %)",
                    _range(r.lower_80, r.upper_80, uom), _range(r.lower_95, r.upper_95, uom),
                    f"[{colour}]{p:.2f}[/]", needed, format_quantity(r.rate_to_date, uom))
    console.print(out)
