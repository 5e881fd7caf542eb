"""``gosplan indicators``: the indicators with their metadata; ``gosplan indicators show CODE``: one in full."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import typer
from rich import box
from rich.table import Table

from gosplan import terminal
from gosplan.commands._common import DbOption, FormatOption, console, emit, open_service
from gosplan.i18n import N_, _, gettext
from gosplan.quantities import display_unit

app = typer.Typer(help="Indicators and their metadata: definition, method, source, responsible body, "
                       "unit of measure, reporting frequency.")


#: Reporting frequencies (gosplan.model.FREQUENCIES) in the reader's words.
FREQUENCIES = (N_("monthly"), N_("quarterly"), N_("half-yearly"), N_("annual"))


def _names_here(service, frame: pd.DataFrame) -> pd.Series:
    """The indicators' names in the reader's language (the store's metadata keeps the English ones)."""
    names = service.indicators().set_index("code")["name"]
    return frame["code"].map(names).fillna(frame["name"])


def _frequency(value: object) -> str:
    text = _text(value)
    return gettext(text) if text in FREQUENCIES else text


def _text(value: object) -> str:
    return "—" if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "" else str(value)


@app.callback(invoke_without_command=True)
def listing(ctx: typer.Context, fmt: FormatOption = "table", db: DbOption = None) -> None:
    """Every indicator: unit of measure, reporting frequency and responsible body."""
    if ctx.invoked_subcommand is not None:
        return
    from gosplan.service.metadata import indicator_catalogue

    service = open_service(db)
    frame = indicator_catalogue(service)
    if emit(frame, fmt):
        return
    frame = frame.assign(name=_names_here(service, frame))
    if frame.empty:
        console.print(_("No indicators yet: import an indicators file (gosplan template indicators)."))
        return
    frequencies = set(frame["frequency"].dropna())
    one_frequency = len(frequencies) == 1 and frame["frequency"].notna().all()
    caption = _("gosplan indicators show CODE: definition, method and source.")
    if one_frequency:  # the same for all: said once instead of a column repeating it
        caption = _("Every indicator is reported {frequency}.", frequency=_frequency(next(iter(frequencies)))) + " " + \
            caption
    grid = terminal.table(_("Indicators"), caption=caption)
    terminal.text(grid, _("Code"), min_width=int(frame["code"].str.len().max()))  # a code is never cut
    terminal.text(grid, _("Name"), wrap=True, min_width=10)
    terminal.text(grid, _("Unit"), min_width=4)
    if not one_frequency:
        terminal.text(grid, _("Frequency"), min_width=7)
    terminal.text(grid, _("Responsible body"), wrap=True, min_width=16)
    for r in frame.itertuples(index=False):
        frequency = [] if one_frequency else [_frequency(r.frequency)]
        cells = [r.code, r.name, display_unit(r.unit), *frequency, _text(r.responsible)]
        grid.add_row(*cells)
    terminal.show(console, grid)


@app.command("show")
def show(code: Annotated[str, typer.Argument(help="Indicator code.")], fmt: FormatOption = "table",
         db: DbOption = None) -> None:
    """One indicator's metadata in full, with the indicator sets that carry it."""
    from gosplan.service.metadata import field_labels, indicator_card

    service = open_service(db)
    card = indicator_card(service, code)
    if emit(card.to_frame().T, fmt):
        return
    name = _names_here(service, card.to_frame().T).iloc[0]
    table = Table(title=f"{name} ({card['code']})", title_justify="left", box=box.SIMPLE_HEAD,
                  show_header=False)
    table.add_column(no_wrap=True, style="bold")
    table.add_column(overflow="fold")
    for field, label in field_labels().items():
        value = {"unit": display_unit, "frequency": _frequency}.get(field, _text)(card[field])
        table.add_row(label, value)
    table.add_row(_("Indicator sets"), _text(card["sets"].replace(";", ", ")))
    console.print(table)
