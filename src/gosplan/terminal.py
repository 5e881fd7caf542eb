"""Tables for the terminal that read well at 80 columns, in a pipe as on a wide screen.

One style for every command: a rule under the header, no outer box, two spaces between columns. Names
take the width that is left and end in an ellipsis when they do not fit; numbers are never cut (at the
narrowest a unit goes under its number). Quantities in tables say ``56.14M m²`` and ``4.20bn t-km``
rather than ``56.14 million m²``.

>>> compact("56.14 million m²"), compact("4.20 bn t-km"), compact("230.1 kt")
('56.14M m²', '4.20bn t-km', '230.1 kt')
"""

from __future__ import annotations

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Column, Table
from rich.text import Text

#: Characters between two columns (padding and separator) and after the last one.
_GAP, _END = 2, 1
#: A quantity longer than this may put its unit on a second line when the table is short of room.
WRAP_AFTER = 15


def table(title: str | None = None, caption: str | None = None) -> Table:
    """An empty table in the house style (add columns with :func:`text` and :func:`number`)."""
    return Table(title=title, caption=caption, title_justify="left", caption_justify="left", box=box.SIMPLE_HEAD,
                 show_edge=False, pad_edge=False, padding=(0, 1), collapse_padding=True, expand=False)


def text(grid: Table, header: str, *, min_width: int | None = None, max_width: int | None = None,
         wrap: bool = False, style: str | None = None) -> None:
    """A column of names: cut with an ellipsis (or wrapped at spaces, ``wrap=True``) when space is short."""
    grid.add_column(header, justify="left", min_width=min_width, max_width=max_width, no_wrap=not wrap,
                    overflow="fold" if wrap else "ellipsis", style=style)
    grid.columns[-1].is_name = True  # type: ignore[attr-defined]  # fit() shares the room among these


def show(console: Console, grid: Table) -> None:
    """Print ``grid`` within the console's width: numbers at full width, names sharing what is left."""
    console.print(fit(grid, console.width))


def _number_width(column: Column) -> int:
    """The width a number column needs: its widest cell, or for a long quantity its longest word."""
    header = _plain(column.header)
    words = header.split() or [""]
    widths = [max(cell_len(line) for line in header.split("\n")) if column.no_wrap else max(map(cell_len, words))]
    for cell in column.cells:
        text = _plain(cell)
        whole = cell_len(text)
        widths.append(whole if whole <= WRAP_AFTER else max(WRAP_AFTER, *(cell_len(w) for w in text.split())))
    return max(widths)


def fit(grid: Table, width: int) -> Table:
    """Limit the name columns of ``grid`` so that the table fits ``width`` without cutting a number.

    Numbers keep their width (a quantity longer than :data:`WRAP_AFTER` characters may put its unit under
    the number); the name columns share the rest, narrow names first, and longer names end in an ellipsis.
    """
    columns = list(grid.columns)
    names = [c for c in columns if getattr(c, "is_name", False)]
    for column in columns:
        if column not in names and not any(" " in _plain(cell) for cell in column.cells):
            column.no_wrap = True  # a bare number is never folded
            widest = max((_width(cell) for cell in column.cells), default=0)
            if isinstance(column.header, str) and cell_len(column.header) > widest:
                column.header = column.header.replace(" ", "\n")  # a long header goes on two lines
    natural = {id(c): max([_width(c.header), *(_width(cell) for cell in c.cells)], default=1) for c in names}
    needed = sum(_number_width(c) for c in columns if c not in names)
    room = width - needed - _GAP * (len(columns) - 1) - _END
    least = {}
    for column in names:
        header = max(cell_len(word) for word in (_plain(column.header).split() or [""]))
        least[id(column)] = min(natural[id(column)], max(column.min_width or 4, header))
    extra = room - sum(least.values())
    remaining = sorted(names, key=lambda c: natural[id(c)] - least[id(c)])
    for i, column in enumerate(remaining):
        give = max(0, min(natural[id(column)] - least[id(column)], extra // (len(remaining) - i)))
        column.max_width = least[id(column)] + give
        extra -= give
    return grid


def _plain(cell: object) -> str:
    if isinstance(cell, Text):
        return cell.plain
    return Text.from_markup(cell).plain if isinstance(cell, str) else str(cell)


def _width(cell: object) -> int:
    if isinstance(cell, Text):
        return cell.cell_len
    return cell_len(Text.from_markup(str(cell)).plain) if isinstance(cell, str) else 1


def number(grid: Table, header: str) -> None:
    """A column of numbers or quantities: right-aligned, never cut (at the narrowest, a unit goes under its
    number)."""
    grid.add_column(header, justify="right", overflow="fold")


def scaled(values: list[object], uom: str | None, basis: list[object] | None = None) -> tuple[list[str], str]:
    """Quantities in one scale and the unit label to show once. The scale is that of the smallest non-zero
    value of ``basis`` (default: ``values``), so that no value loses its digits.

    >>> scaled([230_100, 216_400, 780_500], "t")
    (['230.1', '216.4', '780.5'], 'kt')
    >>> scaled([56_140_000, None], "m**2")
    (['56.14', '–'], 'million m²')
    """
    from gosplan.quantities import display_unit, quantity_scale

    def clean(items: list[object]) -> list[float | None]:
        return [None if v is None or v != v else float(v) for v in items]  # v != v: NaN

    numbers = clean(values)
    present = [abs(v) for v in clean(basis if basis is not None else values) if v]
    if not uom:
        return ["–" if v is None else f"{v:,.2f}" for v in numbers], ""
    if not present:
        return ["–" if v is None else f"{v:,.0f}" for v in numbers], display_unit(uom)
    factor, label, decimals = quantity_scale(min(present), uom)
    return [f"{v / factor:,.{decimals}f}" if v is not None else "–" for v in numbers], label


def labelled(name: str, unit: str) -> str:
    """``"Grain (kt)"``; the unit is left out when the name already says it (``"Dwellings completed"``)."""
    return name if not unit or unit.lower() in name.lower() else f"{name} ({unit})"


def compact(quantity: str) -> str:
    """``"56.14 million m²"`` -> ``"56.14M m²"``: the short scale words of a table cell."""
    return quantity.replace(" million ", "M ").replace(" bn ", "bn ")
