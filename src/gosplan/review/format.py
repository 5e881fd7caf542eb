"""Formatting shared by the review, the terminal tables and (later) the web pages."""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence

import pandas as pd

from gosplan.i18n import N_, _, current_language, gettext
from gosplan.i18n.formats import korean_quantity
from gosplan.quantities import conversion_factor, display_unit, format_quantity

STATUS_COLOURS = {
    "exceeding": "#1a7f37",
    "on track": "#2da44e",
    "at risk": "#bf8700",
    "lagging": "#cf222e",
    "missing": "#6e7781",
    "no target": "#6e7781",
}


# The status classes of the fact table and the bases of the national index, as printed.
STATUS_WORDS = {"exceeding": N_("exceeding"), "on track": N_("on track"), "at risk": N_("at risk"),
                "lagging": N_("lagging"), "missing": N_("missing"), "no target": N_("no target"),
                # construction projects
                "on time": N_("on time"), "slipping": N_("slipping"), "late": N_("late")}

METHOD_WORDS = {"constant plan prices": N_("constant plan prices"), "same-unit totals": N_("same-unit totals")}
# Units of measure that are words, not symbols, in Korean prose (symbols such as t and kWh stay).
KOREAN_UNIT_WORDS = {"dwelling": "세대", "worker": "명", "won": "원", "million_won": "백만 원",
                     "machine_hour": "기계시간", "hectare": "ha", "t_km": "t-km"}


def status_word(status: object) -> str:
    """A status class in the reader's language ("lagging" / "뒤떨어짐"); the code itself otherwise."""
    return _(STATUS_WORDS[status]) if isinstance(status, str) and status in STATUS_WORDS else str(status)


def method_word(method: str) -> str:
    """How the national index adds indicators, in the reader's language."""
    return _(METHOD_WORDS[method]) if method in METHOD_WORDS else method


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


def prose_qty(value: object, uom: str) -> str:
    """A quantity in a sentence: as in the tables in English ("17.2 Mt"); counted in 만 and 억 for a
    Korean reader ("1,720만 t")."""
    if current_language() != "ko" or is_missing(value):
        return qty(value, uom)
    return korean_quantity(float(value), KOREAN_UNIT_WORDS.get(uom, display_unit(uom)))


def signed_qty(value: object, uom: str) -> str:
    if is_missing(value):
        return "–"
    text = format_quantity(abs(float(value)), uom)
    return ("+" if float(value) >= 0 else "−") + text


Column = tuple[str, str, Callable[[pd.Series], str]]


def html_table(frame: pd.DataFrame, columns: Sequence[Column], css_class: str = "table") -> str:
    """A plain, escaped HTML table: ``columns`` are (header, css class, row -> text); a header marked with
    ``N_`` (a module-level table) is translated here."""
    head = "".join(f'<th class="{c}">{html.escape(gettext(h) if h else h)}</th>' for h, c, _ in columns)
    rows = []
    for _index, row in frame.iterrows():
        cells = "".join(f'<td class="{c}">{html.escape(str(fn(row)))}</td>' for _, c, fn in columns)
        status = row.get("status")
        attr = f' data-status="{html.escape(str(status))}"' if isinstance(status, str) else ""
        rows.append(f"<tr{attr}>{cells}</tr>")
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def note_html(text: str) -> str:
    """A note under a table: plain text, escaped."""
    return f'<p class="note">{html.escape(text, quote=False)}</p>'


def heading_html(text: str) -> str:
    """A heading inside an annex: plain text, escaped."""
    return f"<h3>{html.escape(text, quote=False)}</h3>"


def status_badge(status: str) -> str:

    colour = STATUS_COLOURS.get(status, "#6e7781")
    return f'<span class="badge" style="background:{colour}">{html.escape(status_word(status))}</span>'


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
        return 1e-9, _("billion {unit}", unit=display_unit(unit))
    if peak >= 1e6:
        return 1e-6, _("million {unit}", unit=display_unit(unit))
    return 1.0, display_unit(unit)


def money(won: object) -> str:
    """An amount in won as a reader says it: ``6.23 trillion won``, ``412.5 billion won``, ``950.0 million won``."""
    if is_missing(won):
        return "–"
    value = float(won)
    if current_language() == "ko":  # 조 (10¹²), then 억 and 만 as every Korean quantity
        if abs(value) >= 1e12:
            return f"{value / 1e12:,.2f}조 원"
        return korean_quantity(value, "원")
    for factor, name in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):

        if abs(value) >= factor:
            return f"{value / factor:,.2f} {name} won"
    return f"{value:,.0f} won"


def per_unit(uom: str) -> str:
    """A unit after "per": ``m**2`` -> ``m²``, ``dwelling`` -> ``dwelling`` (never a plural)."""
    from gosplan.quantities import display_unit

    shown = display_unit(uom)
    return uom if shown == f"{uom}s" else shown
