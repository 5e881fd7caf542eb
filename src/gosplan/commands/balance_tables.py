"""What the ``gosplan balance`` commands print: the engines' columns and codes in the reader's words, sector
names from the store, money in won, the binding constraints of a balanced plan.

csv, json and ``--out`` keep the engines' own column names and codes; only the terminal tables are worded.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from gosplan import terminal
from gosplan.commands._common import console, format_quantity
from gosplan.i18n import N_, _, ngettext
from gosplan.i18n.codes import word_of

if TYPE_CHECKING:
    import pandas as pd

#: Headers of the engines' columns in the tables (csv, json and --out keep the engines' own names).
HEADERS = {
    "sector": N_("Sector"), "severity": N_("Severity"), "reason": N_("Reason"),
    "output_multiplier": N_("Output multiplier"), "value_added_multiplier": N_("Value-added multiplier"),
    "backward": N_("Backward"), "forward": N_("Forward"), "backward_index": N_("Backward index"),
    "forward_index": N_("Forward index"), "class": N_("Class"), "total": N_("Total"), "total_share": N_("Share"),
    "output_before": N_("Output before"), "output_after": N_("Output after"), "output_change": N_("Output change"),
    "final_demand_before": N_("Final demand before"), "final_demand_after": N_("Final demand after"),
    "constrained": N_("Held"), "binding constraint": N_("Binding constraint"), "kind": N_("Kind"),
    "limit": N_("Limit"), "shadow_price": N_("Shadow price"), "name": N_("Name"), "year": N_("Year"),
    "source": N_("Source"), "recorded_at": N_("Recorded (UTC)"), "sectors": N_("Sectors"),
    "fulfilment": N_("Fulfilment"), "direct_change": N_("Direct change"), "indirect_change": N_("Indirect change"),
    "total_change": N_("Total change"), "total_change_share": N_("Share of output"), "output": N_("Output"),
    "capacity": N_("Capacity"), "utilisation": N_("Used"), "target": N_("Target"),
    "capacity_shadow_price": N_("Shadow price"),
}
#: The engines' codes in text cells: classes of sectors, kinds of constraints, severities.
WORDS = {"key": N_("key"), "backward-oriented": N_("backward-oriented"), "forward-oriented": N_("forward-oriented"),
         "weak": N_("weak"), "capacity": N_("capacity"), "labour": N_("labour"), "error": N_("error"),
         "warning": N_("warning"), "True": N_("yes"), "False": N_("no")}
#: What the LP solver says of a solution.
STATUSES = {"Optimal": N_("optimal"),
            "Optimal (closed form, dual certificate checked)": N_("optimal (closed form, dual certificate checked)")}


def _header(column: object) -> str:
    code = str(column)
    return _(HEADERS[code]) if code in HEADERS else code.replace("_", " ")


def _word(value: object) -> str:
    return word_of(WORDS, value)


def _constraint(name: str) -> str:
    """An LP constraint's name (``capacity:D17T18``, ``labour``) in the reader's words."""
    kind, sep, what = name.partition(":")
    if sep and kind == "capacity":
        return _("capacity: {what}", what=what)
    return _word(name)


def _solver_status(status: str) -> str:
    return _(STATUSES[status]) if status in STATUSES else status


def _number(value: float) -> str:
    """A table cell: four significant digits, whole numbers from 10,000 up (no 1.284e+07), a dash for none."""
    if value != value:  # NaN: no value
        return "–"
    return f"{value:,.0f}" if abs(value) >= 1e4 else f"{value:,.4g}"


def _sector_names(service) -> dict[str, str]:
    """The store's sectors by their names in the reader's language; none for English, whose tables show the
    sector codes of the input-output table as they are."""
    from gosplan.i18n import current_language

    if current_language() == "en":
        return {}
    return service.sectors().set_index("code")["name"].astype(str).to_dict()


def _sector(code: object, names: dict[str, str]) -> str:
    return names.get(str(code), str(code).replace("_", " "))


def _named(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """``frame`` with its index (sector codes) in the reader's names."""
    if not names:
        return frame
    import pandas as pd

    renamed = frame.copy()
    renamed.index = pd.Index([_sector(c, names) for c in frame.index], name=frame.index.name)
    return renamed


def _key_summary(key, names: dict[str, str] | None = None) -> str:
    """The key sectors of a table in one sentence a plenum can read (the engine's
    :meth:`KeySectors.summary`, in the reader's language)."""
    names = ", ".join(_sector(k, names or {}) if names else str(k) for k in key.key[:8]) + \
        (" ..." if len(key.key) > 8 else "")
    counts = {"count": len(key.key), "total": len(key.table), "backward": len(key.backward_oriented),
              "forward": len(key.forward_oriented), "weak": len(key.weak)}
    if key.key:
        return _("{count} of {total} sectors are key sectors (above-average backward and forward linkage): "
                 "{names}; {backward} pull mainly on their suppliers, {forward} mainly supply others, {weak} are "
                 "weakly linked.", names=names, **counts)
    return _("{count} of {total} sectors are key sectors (above-average backward and forward linkage); {backward} "
             "pull mainly on their suppliers, {forward} mainly supply others, {weak} are weakly linked.", **counts)


def _show(frame: pd.DataFrame, title: str, top: int) -> None:
    table = terminal.table(title)
    terminal.text(table, _header(frame.index.name) if frame.index.name else "", min_width=10, wrap=True,
                  style="bold")
    for column in frame.columns:
        if frame[column].dtype.kind in "fiu":
            terminal.number(table, _header(column))
        else:
            terminal.text(table, _header(column), min_width=6, wrap=True)
    import numpy as np

    for label, row in frame.head(top).iterrows():
        cells = [_number(float(v)) if isinstance(v, float | np.floating) else _word(v) for v in row.to_numpy()]
        table.add_row(str(label), *cells)
    terminal.show(console, table)
    if len(frame) > top:
        console.print("[dim]" + ngettext("... {count} more row (use --out to save all)",
                                         "... {count} more rows (use --out to save all)", len(frame) - top,
                                         count=f"{len(frame) - top:,}") + "[/]")


def _korean() -> bool:
    from gosplan.i18n import current_language

    return current_language() == "ko"


def _money(million_won: float) -> str:
    """Million won as a readable amount: ``4_984_800 -> '4.98 trillion won'`` (Korean: counted in 만 and 억)."""
    if _korean():
        return format_quantity(million_won, "million_won")
    if abs(million_won) >= 1e6:
        return _("{amount} trillion won", amount=f"{million_won / 1e6:,.2f}")
    if abs(million_won) >= 1e3:
        return _("{amount} billion won", amount=f"{million_won / 1e3:,.2f}")
    return _("{amount} million won", amount=f"{million_won:,.1f}")


def _show_binding(binding: pd.DataFrame, table_name: str, physical: pd.DataFrame | None = None,
                  names: dict[str, str] | None = None) -> None:
    """Binding constraints with units: capacities in physical units where physical capacity records exist
    (per year, with the shadow price in won per unit), else as gross output in won; labour in workers; no nan."""
    from gosplan.i18n.formats import korean_quantity
    from gosplan.review.format import qty

    physical = physical if physical is not None else pd.DataFrame(columns=["sector"])
    out = terminal.table(_("Binding constraints and their shadow prices"))
    terminal.text(out, _("Constraint"), min_width=14, wrap=True)
    for name in (_("Limit"), _("Used"), _("Shadow price")):
        terminal.number(out, name)
    for r in binding.itertuples(index=False):
        labour = r.kind == "labour"
        used = f"{100 * r.utilisation:.0f} %"
        goods = physical[physical["sector"].eq(r.sector)] if r.kind == "capacity" else physical.iloc[:0]
        for g in goods.itertuples(index=False):
            price = "–" if not math.isfinite(g.shadow_price_per_unit) else \
                _("{amount} per {unit}", amount=_won(g.shadow_price_per_unit), unit=_per(g.uom))
            notes = [_sector(r.sector, names or {})] if len(goods) > 1 else []
            notes += [ngettext("{count} record stale", "{count} records stale", int(g.stale_records))] \
                if g.stale_records else []
            what = str(g.indicator_name) if _korean() else str(g.indicator_name).lower()
            name = (_("capacity: {what} ({notes})", what=what, notes="; ".join(notes)) if notes
                    else _("capacity: {what}", what=what))
            out.add_row(name, _("{quantity}/yr", quantity=terminal.compact(qty(g.physical_capacity, g.uom)))
                        + f"\n{_money(r.limit)}", used, price)
        if len(goods):
            continue
        name = (_("capacity: {what}", what=_sector(r.sector, names or {})) if r.kind == "capacity"
                else _word(r.constraint))
        workers = korean_quantity(r.limit, "") if _korean() else f"{r.limit:,.0f}"  # 1,284만 명
        limit = _("{count} workers", count=workers) if labour else _money(r.limit)
        price = (_("{amount} a worker", amount=_money(r.shadow_price)) if labour
                 else _("{amount} won a won", amount=f"{r.shadow_price:,.3f}"))
        out.add_row(name, limit, used, price)
    terminal.show(console, out)
    console.print("[dim]" + _("{table}: the shadow price is the final output (at plan proportions) one more "
                              "worker, one more won of capacity or one more unit a year of a good's capacity "
                              "(valued at its plan price) would allow. Physical capacities: the current records "
                              "of every unit.", table=table_name) + "[/]")


def _won(value: float) -> str:
    """Won as a readable amount: ``91_800 -> '91,800 won'``, ``2.2e9 -> '2.20 billion won'``."""
    if abs(value) >= 1e6:
        return _money(value / 1e6)
    amount = f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.2f}"
    return _("{amount} won", amount=amount)


def _per(uom: str) -> str:
    from gosplan.quantities import display_unit

    shown = display_unit(uom)
    return shown[:-1] if shown.endswith("s") and shown == f"{uom}s" else shown
