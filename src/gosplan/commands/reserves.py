"""``gosplan reserves``: efficiency of producing units, untapped output, peers to learn from, Malmquist."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from gosplan.commands._common import DbOption, FormatOption, console, emit, open_service
from gosplan.quantities import format_quantity
from gosplan.review.format import is_missing

COLUMNS = ["unit", "name", "sector", "province", "indicator", "uom", "output", "output_basis", "produced",
           "months_reported", "efficiency", "potential_output",
           "output_reserve", "reserve_share", "status", "malmquist", "efficiency_change", "technical_change",
           "learn_from"]


def _ratio(value: object) -> str:
    return "–" if is_missing(value) else f"{float(value):.3f}"


def command(
    period: Annotated[str, typer.Option("--period", help="Period, e.g. 2023-H1 (a year, half, quarter or month).")],
    sector: Annotated[str | None, typer.Option("--sector", help="Only the units of this sector, e.g. coal.")]
    = None,
    rts: Annotated[str, typer.Option("--rts", help="Returns to scale: crs (default) or vrs.")] = "crs",
    limit: Annotated[int, typer.Option("--limit", help="Rows of the table (largest reserve first).")] = 30,
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Reserves: DEA efficiency of each producing unit against the best of its sector, how much more it
    could produce with its inputs (in the output's unit), peers to learn from and the Malmquist change."""
    from gosplan.service.reserves import reserves, with_peers

    view = reserves(open_service(db), period, sector=sector, rts=rts)
    table = with_peers(view.table, view.pairs)
    if emit(table, fmt, COLUMNS):
        return
    shown = table.sort_values("reserve_share", ascending=False).head(limit)
    compared = f", Malmquist against {view.compared_with}" if view.compared_with else ""
    out = Table(title=f"Reserves in {view.period} ({view.rts.upper()}, output orientation{compared}); "
                      f"{len(table)} units, largest reserve first", title_justify="left")
    for name in ("Unit", "Sector", "Efficiency", "Output", "Reserve", "Reserve %", "Malmquist", "Learn from"):
        out.add_column(name, justify="left" if name in ("Unit", "Sector", "Learn from") else "right",
                       overflow="fold")
    for r in shown.itertuples(index=False):
        mark = "*" if r.output_basis != "reported" else ""
        out.add_row(str(r.name), str(r.sector), _ratio(r.efficiency), format_quantity(float(r.output), r.uom) + mark,
                    format_quantity(float(r.output_reserve), r.uom), f"{100 * float(r.reserve_share):.1f} %",
                    _ratio(r.malmquist), str(r.learn_from) or "–")
    console.print(out)
    pro_rated = table[table["output_basis"].ne("reported")]
    if len(pro_rated):
        console.print("* pro-rated for missing months (monthly mean x months of the period); produced: " + "; ".join(
            f"{r.name} {format_quantity(float(r.produced), r.uom)} in {int(r.months_reported)} months"
            for r in pro_rated.itertuples(index=False)), highlight=False)
    total = view.table.groupby(["indicator", "uom"])["output_reserve"].sum()
    console.print("Untapped output: " + "; ".join(f"{ind} {format_quantity(float(v), uom)}"
                                                  for (ind, uom), v in total.items()))
