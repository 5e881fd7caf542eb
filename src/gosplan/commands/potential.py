"""``gosplan potential``: actuality, capability and potentiality (Beer) by sector or unit, with what
development projects add, what late ones cost, science and technology, and movements across sectors."""

from __future__ import annotations

from typing import Annotated

import typer

from gosplan import terminal
from gosplan.commands._common import DbOption, FormatOption, console, emit, is_missing, open_service
from gosplan.i18n import _
from gosplan.i18n.formats import format_period

COLUMNS = ["actuality", "capability", "potentiality", "from_projects", "from_technology", "productivity", "latency",
           "performance"]


def _pct(value: object) -> str:
    return "–" if is_missing(value) else f"{100 * float(value):.0f} %"


def command(
    period: Annotated[str, typer.Option("--period", help="Period, e.g. 2023-H1 or 2023-06.")],
    by: Annotated[str, typer.Option("--by", help="sector (default) or unit.")] = "sector",
    limit: Annotated[int, typer.Option("--limit", help="Rows with --by unit (lowest latency first).")] = 20,
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Beer's indices: actuality (output reported), capability (best practice of the peer group with the
    unit's inputs, DEA) and potentiality (plus projects not yet commissioned and proven technology not yet
    adopted); productivity, latency and performance; late projects' cost in physical units; science and
    technology; movements' spread and effect per sector."""
    from gosplan.review.sections.potential import beer_note, development, indices_sentence, movement_lines
    from gosplan.service.potentiality import BY_OPTIONS, potential

    if by not in BY_OPTIONS:
        raise typer.BadParameter(_("must be one of {choices}, not {value}", choices=", ".join(BY_OPTIONS),
                                   value=repr(by)), param_hint="'--by'")
    service = open_service(db)
    view = potential(service, period)
    frame = view.sectors if by == "sector" else view.units.sort_values("latency").head(limit)
    keys = ["sector", "indicator", "uom"] if by == "sector" else ["unit", "name", "sector", "indicator", "uom"]
    if emit(frame, fmt, [*keys, *COLUMNS]):
        return
    sectors = service.sectors().set_index("code")["name"]
    indicators = service.indicators().set_index("code")["name"]
    title = _("Actuality, capability and potentiality in {period}", period=format_period(str(view.period)))
    table = terminal.table(title, caption=_("Prod. = actuality / capability; Lat. = capability / potentiality; "
                                            "Perf. = actuality / potentiality."))
    terminal.text(table, _("Output") if by == "sector" else _("Unit"), min_width=12, wrap=True)
    for header in (_("Actual"), _("Capable"), _("Potential")):
        terminal.number(table, header)
    table.add_column(_("in"), no_wrap=True)  # the unit of measure: never cut
    for header in (_("Prod."), _("Lat."), _("Perf.")):
        terminal.number(table, header)
    for r in frame.itertuples(index=False):
        # A sector's row is named by its output (metallurgy makes rolled steel and non-ferrous metals).
        label = str(indicators.get(r.indicator, r.indicator)) if by == "sector" else str(r.name)
        values, unit = terminal.scaled([r.actuality, r.capability, r.potentiality], r.uom)
        table.add_row(label, *values, unit, _pct(r.productivity), _pct(r.latency), _pct(r.performance))
    terminal.show(console, table)
    console.print(indices_sentence(view.sectors, sectors, view.period,
                                   indicators.str.lower().to_dict()), highlight=False)
    for line in development(service, view.period)[0] + movement_lines(service)[0]:
        console.print(line, highlight=False)
    console.print(beer_note(), style="dim", highlight=False)
