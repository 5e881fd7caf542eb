"""What ``gosplan balance update-table`` and the input-output part of ``gosplan plan balance`` print.

Amounts are in billion won (the tables store million won), one scale per table so the columns compare.
"""

from __future__ import annotations

import pandas as pd

from gosplan import terminal
from gosplan.commands._common import console
from gosplan.i18n import _


def _bn(million_won: float) -> str:
    return "–" if pd.isna(million_won) else f"{million_won / 1e3:,.0f}".replace("-", "−")


def _change(new: float, old: float) -> str:
    if pd.isna(new) or pd.isna(old) or old == 0:
        return "–"
    ratio = new / old - 1
    return "0.0 %" if abs(ratio) < 0.0005 else f"{100 * ratio:+.1f} %".replace("-", "−")


def show_update(update, sector_names: dict[str, str]) -> None:
    """The sectors' output and intermediate margins before and after, and where the table was stored."""
    grid = terminal.table(_("{base} brought to the reported output of {year} (billion won)", base=update.base,
                            year=update.year),
                          caption=_("Intermediate sales and inputs keep each sector's base-year ratio to its "
                                    "output; the flows are scaled to them by {method}. Sectors marked * have no "
                                    "reported indicator and keep their base output.", method=update.method.upper()))
    terminal.text(grid, _("Sector"), min_width=10)
    for header in (_("Output base"), _("Output {year}", year=update.year), _("Change"), _("Interm. sales"),
                   _("Change"), _("Interm. inputs"), _("Change")):
        terminal.number(grid, header)
    for sector, r in update.sectors.iterrows():
        name = ("" if r["reported"] else "* ") + sector_names.get(sector, sector)
        grid.add_row(name, _bn(r["base_output"]), _bn(r["gross_output"]), _change(r["gross_output"], r["base_output"]),
                     _bn(r["sales_reached"]), _change(r["sales_reached"], r["base_intermediate_sales"]),
                     _bn(r["inputs_reached"]), _change(r["inputs_reached"], r["base_intermediate_inputs"]))
    terminal.show(console, grid)
    s = update.sectors
    worst = max((s["sales_reached"] - s["intermediate_sales"]).abs().max(),
                (s["inputs_reached"] - s["intermediate_inputs"]).abs().max())
    console.print(_("Every row and column total met to within {gap} won. Stored as [bold]{name}[/]: "
                    "`gosplan plan balance` sets the drafts against it.", gap=f"{worst * 1e6:,.2f}",
                    name=update.name), highlight=False)


def show_consistency(view) -> None:
    """A version's outputs against the table's technology: intermediate use and what is left for final use."""
    s = view.sectors
    caption = (_("Coefficients of {table}: {source}.", table=view.table, source=view.table_source) if view.updated
               else _("Coefficients of {table} (not brought to reported output: run `gosplan balance "
                      "update-table --year YEAR`).", table=view.table))
    grid = terminal.table(_("Input-output consistency of {version} (billion won)", version=view.version),
                          caption=caption)
    terminal.text(grid, _("Sector"), min_width=10)
    for header in (_("Output"), _("Interm. use"), _("Left for final"), _("Table final"), _("Change")):
        terminal.number(grid, header)
    for r in s.itertuples():
        change = _change(r.left_for_final_use, r.table_final_demand)
        style = "red" if r.status == "short" else "yellow" if r.status == "less for final use" else ""
        grid.add_row(r.sector_name, _bn(r.gross_output), _bn(r.intermediate_use), _bn(r.left_for_final_use),
                     _bn(r.table_final_demand), f"[{style}]{change}[/]" if style else change)
    terminal.show(console, grid)
    needed, available = s["workers_needed"].sum(min_count=1), s["workers_available"].sum(min_count=1)
    if pd.notna(needed) and pd.notna(available):
        gap = (s["workers_needed"] - s["workers_available"]).sort_values(ascending=False)
        tight = s.loc[gap[gap > 0].index]
        where = ", ".join(_("{sector} {needed} against {available}", sector=r.sector_name.lower(),
                            needed=f"{r.workers_needed:,.0f}", available=f"{r.workers_available:,.0f}")
                          for r in tight.head(3).itertuples())
        console.print(_("Labour: the draft needs {needed} workers at the table's output per worker, against "
                        "{available} available.", needed=f"{needed:,.0f}", available=f"{available:,.0f}")
                      + (" " + _("More than available in: {where}.", where=where) if where else ""), highlight=False)
    short = s[s["status"].eq("short")]
    for r in short.itertuples():
        console.print(_("[bold red]{sector}: the draft's output does not cover the intermediate use it requires "
                        "({use} against {output} billion won).[/]", sector=r.sector_name,
                        use=_bn(r.intermediate_use), output=_bn(r.gross_output)), highlight=False)
