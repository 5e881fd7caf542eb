"""``gosplan reserves``: efficiency of producing units, untapped output, peers to learn from, Malmquist."""

from __future__ import annotations

from typing import Annotated

import typer

from gosplan import terminal
from gosplan.commands._common import (
    DbOption,
    FormatOption,
    console,
    emit,
    format_quantity,
    is_missing,
    open_service,
)
from gosplan.i18n import _, current_language, ngettext
from gosplan.i18n.formats import format_period

COLUMNS = ["unit", "name", "sector", "technology", "peer_group", "province", "indicator", "uom", "output",
           "output_basis", "produced", "months_reported", "efficiency", "potential_output",
           "output_reserve", "reserve_share", "crs_efficiency", "crs_reserve", "status", "malmquist",
           "efficiency_change", "technical_change", "learn_from"]


def _ratio(value: object) -> str:
    return "–" if is_missing(value) else f"{float(value):.3f}"


def command(
    period: Annotated[str, typer.Option("--period", help="Period, e.g. 2023-H1 (a year, half, quarter or month).")],
    sector: Annotated[str | None, typer.Option("--sector", help="Only the units of this sector, e.g. coal.")]
    = None,
    rts: Annotated[str, typer.Option("--rts", help="Returns to scale: vrs (default: what can be tapped at the "
                                                   "present scale) or crs.")] = "vrs",
    limit: Annotated[int, typer.Option("--limit", help="Rows of the table (largest reserve first).")] = 30,
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Reserves: DEA efficiency of each producing unit against the best of its peer group (sector, output,
    technology), how much more it could produce with its inputs (in the output's unit) at its present scale
    and at the most productive one (CRS), peers to learn from and the Malmquist change."""
    from gosplan.service.reserves import reserves, with_peers

    service = open_service(db)
    view = reserves(service, period, sector=sector, rts=rts)
    table = with_peers(view.table, view.pairs)
    if emit(table, fmt, COLUMNS):
        return
    shown = table.sort_values("reserve_share", ascending=False).head(limit)
    title = (_("Reserves in {period} ({rts}, output orientation, Malmquist against {compared}); {count} units, "
               "largest reserve first", period=format_period(str(view.period)), rts=view.rts.upper(),
               compared=format_period(str(view.compared_with)),
               count=len(table)) if view.compared_with
             else _("Reserves in {period} ({rts}, output orientation); {count} units, largest reserve first",
                    period=format_period(str(view.period)), rts=view.rts.upper(), count=len(table)))
    out = terminal.table(title, caption=_("Eff.: DEA efficiency against the best of the unit's peer group (sector, "
                                          "output, technology); Reserve: how much more the unit could produce with "
                                          "its inputs; Malm.: Malmquist index (> 1: improved)."))
    terminal.text(out, _("Unit"), min_width=12, wrap=True)
    other = _("CRS") if view.rts == "vrs" else None
    for name in (_("Eff."), _("Output"), _("Reserve"), *([other] if other else []), "%", _("Malm.")):
        terminal.number(out, name)
    terminal.text(out, _("Learn from"), min_width=10, wrap=True)
    for r in shown.itertuples(index=False):
        mark = "*" if r.output_basis != "reported" else ""
        crs = [terminal.compact(format_quantity(float(r.crs_reserve), r.uom))] if other else []
        out.add_row(str(r.name), _ratio(r.efficiency),
                    terminal.compact(format_quantity(float(r.output), r.uom)) + mark,
                    terminal.compact(format_quantity(float(r.output_reserve), r.uom)), *crs,
                    f"{100 * float(r.reserve_share):.1f} %", _ratio(r.malmquist),
                    ", ".join(p.strip() for p in str(r.learn_from).split(",")) if str(r.learn_from) else "–")
    terminal.show(console, out)
    pro_rated = table[table["output_basis"].ne("reported")]
    if len(pro_rated):
        produced = "; ".join(ngettext("{unit} {quantity} in {count} month", "{unit} {quantity} in {count} months",
                                      int(r.months_reported), unit=r.name,
                                      quantity=format_quantity(float(r.produced), r.uom))
                             for r in pro_rated.itertuples(index=False))
        console.print(_("* pro-rated for missing months (monthly mean x months of the period); produced: {produced}",
                        produced=produced), highlight=False)
    total = view.table.groupby(["indicator", "uom"])[["output_reserve", "crs_reserve"]].sum()
    names = service.indicators().set_index("code")["name"]
    korean = current_language() == "ko"  # names inside an English sentence in lower case; Korean has no case
    console.print(_("Untapped output: {amounts}", amounts="; ".join(
        f"{names.get(ind, ind) if korean else str(names.get(ind, ind)).lower()} "
        f"{format_quantity(float(v.output_reserve), uom)}"
        + (f" (CRS {format_quantity(float(v.crs_reserve), uom)})" if other else "")
        for (ind, uom), v in total.iterrows())), highlight=False)
    from gosplan.service.reserves import reserve_notes

    for line in reserve_notes(view):
        console.print(line, style="dim", highlight=False)
