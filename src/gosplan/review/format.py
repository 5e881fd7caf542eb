"""Formatting shared by the review, the terminal tables and (later) the web pages."""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence

import pandas as pd

from gosplan.quantities import conversion_factor, display_unit, format_quantity

STATUS_COLOURS = {
    "exceeding": "#1a7f37",
    "on track": "#2da44e",
    "at risk": "#bf8700",
    "lagging": "#cf222e",
    "missing": "#6e7781",
    "no target": "#6e7781",
}


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def pct(ratio: object, digits: int = 0) -> str:
    """``1.0412 -> '104 %'``; missing values print as a dash."""
    if is_missing(ratio):
        return "–"
    return f"{float(ratio) * 100:.{digits}f} %"


def signed_pct(ratio: object) -> str:
    """A change ratio as ``+5.2 %``."""
    if is_missing(ratio):
        return "–"
    return f"{float(ratio) * 100:+.1f} %"


def qty(value: object, uom: str) -> str:
    if is_missing(value):
        return "–"
    return format_quantity(float(value), uom)


def signed_qty(value: object, uom: str) -> str:
    if is_missing(value):
        return "–"
    text = format_quantity(abs(float(value)), uom)
    return ("+" if float(value) >= 0 else "−") + text


Column = tuple[str, str, Callable[[pd.Series], str]]


def html_table(frame: pd.DataFrame, columns: Sequence[Column], css_class: str = "table") -> str:
    """A plain, escaped HTML table: ``columns`` are (header, css class, row -> text)."""
    head = "".join(f'<th class="{c}">{html.escape(h)}</th>' for h, c, _ in columns)
    rows = []
    for _, row in frame.iterrows():
        cells = "".join(f'<td class="{c}">{html.escape(str(fn(row)))}</td>' for _, c, fn in columns)
        status = row.get("status")
        attr = f' data-status="{html.escape(str(status))}"' if isinstance(status, str) else ""
        rows.append(f"<tr{attr}>{cells}</tr>")
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def status_badge(status: str) -> str:
    colour = STATUS_COLOURS.get(status, "#6e7781")
    return f'<span class="badge" style="background:{colour}">{html.escape(status)}</span>'


def axis_scale(peak: float, unit: str) -> tuple[float, str]:
    """The factor and axis label to plot values of ``unit`` up to ``peak`` in readable numbers.

    Charts print "3.5" on an axis labelled "Mt", never "3.5B" or "3500000".

    >>> axis_scale(3.5e6, "t")
    (1e-06, 'Mt')
    >>> axis_scale(4.2e9, "t_km")
    (1e-09, 'billion t-km')
    >>> axis_scale(900.0, "dwelling")
    (1.0, 'dwellings')
    """
    choices = {"t": [("Mt", 1e6), ("kt", 1e3)], "kWh": [("TWh", 1e9), ("GWh", 1e6), ("MWh", 1e3)]}
    peak = abs(float(peak)) if not is_missing(peak) else 0.0
    for name, size in choices.get(unit, []):
        if peak >= size:
            return conversion_factor(unit, name), name
    if peak >= 1e9:
        return 1e-9, f"billion {display_unit(unit)}"
    if peak >= 1e6:
        return 1e-6, f"million {display_unit(unit)}"
    return 1.0, display_unit(unit)


def money(won: object) -> str:
    """An amount in won as a reader says it: ``6.23 trillion won``, ``412.5 billion won``, ``950.0 million won``."""
    if is_missing(won):
        return "–"
    value = float(won)
    for factor, name in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= factor:
            return f"{value / factor:,.2f} {name} won"
    return f"{value:,.0f} won"


def per_unit(uom: str) -> str:
    """A unit after "per": ``m**2`` -> ``m²``, ``dwelling`` -> ``dwelling`` (never a plural)."""
    from gosplan.quantities import display_unit

    shown = display_unit(uom)
    return uom if shown == f"{uom}s" else shown
