"""Rich tables for the terminal: the review's summary and the status command."""

from __future__ import annotations

import pandas as pd
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gosplan.review.document import Review
from gosplan.review.format import is_missing, pct, qty, signed_pct

STATUS_STYLES = {
    "exceeding": "bold green",
    "on track": "green",
    "at risk": "bold yellow",
    "lagging": "bold red",
    "missing": "dim italic",
    "no target": "dim",
}


def _status(text: str) -> str:
    style = STATUS_STYLES.get(text, "")
    return f"[{style}]{text}[/]" if style else text


def print_review_summary(review: Review, console: Console | None = None) -> None:
    console = console or Console()
    console.rule(f"[bold]{review.title}")
    if review.stocktake is not None:
        print_page_one(review.stocktake, console)
    else:
        for line in review.summary:
            console.print(f"• {escape(line)}")
    sections = {s.key: s for s in review.sections}
    if "sectors" in sections:
        frame = sections["sectors"].tables["sectors"]
        table = Table(title="Sectors", title_justify="left")
        for name in ("Sector", "Fulfilment", "Actual", "Target", "vs last year", "Status"):
            table.add_column(name, justify="left" if name in ("Sector", "Status") else "right")
        for r in frame.itertuples(index=False):
            table.add_row(str(r.sector_name), shown_pct(r.fulfilment, r.fulfilment_digits),
                          qty(r.actual, r.uom) if r.uom else "–", qty(r.target, r.uom) if r.uom else "–",
                          change_text(r.change, r.change_note), _status(r.status))
        console.print(table)
    if "indicators" in sections:
        print_fulfilment(sections["indicators"].tables["indicators"], "Key indicators, national", console)
    if "leaders" in sections:
        tables = sections["leaders"].tables
        print_units(tables["leaders"].head(8), "Leaders", console, gap_label="Above target", sign=-1)
        print_units(tables["laggards"].head(8), "Laggards", console, gap_label="Shortfall", sign=1)
    if "projects" in sections:
        print_projects(sections["projects"].tables["projects"], console)


RATING_STYLES = {"red": "bold white on red", "amber": "bold black on yellow", "green": "bold white on green"}


def print_page_one(page, console: Console) -> None:
    """The stocktake: headline, then each judgement with its rating, owner and decision."""
    for line in page.headline:
        console.print(escape(line))
    for i, line in enumerate(page.lines, 1):
        console.print(f"\n{i}. [{RATING_STYLES[line.rating]}] {line.rating.upper()} [/] {escape(line.statement)}")
        console.print(f"   [bold]Owner:[/] {escape(line.owner)}")
        console.print(f"   [bold]Decision asked:[/] {escape(line.decision)}")
    console.print()


def print_projects(frame: pd.DataFrame, console: Console) -> None:
    """Construction projects with their schedule and cost performance (as in ``gosplan projects``)."""
    table = Table(title="Construction projects", title_justify="left")
    for name in ("Project", "Done", "SPI(t)", "CPI", "Planned end", "Forecast end", "Status"):
        table.add_column(name, justify="left" if name in ("Project", "Status") else "right")
    styles = {"on time": "green", "slipping": "bold yellow", "late": "bold red"}
    for r in frame.itertuples(index=False):
        style = styles.get(r.status, "")
        table.add_row(str(r.name), f"{r.percent_complete:.1f} %", f"{r.spi_t:.2f}", f"{r.cpi:.2f}",
                      str(r.planned_end), str(r.forecast_end or "–"), f"[{style}]{r.status}[/]")
    console.print(table)


def shown_pct(ratio: object, digits: object = 0) -> str:
    """A fulfilment as printed: with the decimals its status class needs (``fulfilment_digits``)."""
    return pct(ratio, 0 if is_missing(digits) else int(digits))  # type: ignore[arg-type]


def change_text(change: object, note: object = "") -> str:
    """"vs last year" as printed: like for like, or "n/c" (not comparable) when there is a note."""
    if is_missing(change) and isinstance(note, str) and note:
        return "n/c"
    return signed_pct(change)


def print_status(view, console: Console) -> None:
    """``gosplan status``: the table of the view (by indicator, unit or sector) and its footnotes."""
    title = f"{view.unit} — {view.window} — by {view.by}"
    if view.by == "sector":
        print_sectors(view.table, title, console)
    else:
        print_fulfilment(view.table, title, console, extra_unit=view.by == "unit")
    for line in status_notes(view.table, view.index, view.weights, by_unit=view.by == "unit"):
        console.print(line, style="dim", highlight=False)


def status_notes(table: pd.DataFrame, index: pd.DataFrame | None = None, weights: pd.DataFrame | None = None,
                 by_unit: bool = False) -> list[str]:
    """The footnotes under a status table: bases, missing reports, non-comparable changes, flat rates,
    and the index with its weights."""
    label = "sector_name" if "sector_name" in table else "indicator_name"
    notes = ["Target and actual to date: the units that reported every month (like for like). "
             "vs last year: the same units, every month of the window in both years."]
    missing = table[table["missing_units"].astype(str).ne("")] if "missing_units" in table else table.iloc[:0]
    if len(missing) and not by_unit:
        parts = [f"{r[label]}: {int(r['units_missing'])} unit(s), {int(r['months_missing'])} month(s) missing "
                 f"({_codes(r['missing_units'])}); produced including them {qty(r['produced'], r['uom'])}"
                 for _, r in missing.iterrows() if r.get("uom")]
        parts += [f"{r[label]}: {int(r['units_missing'])} unit(s) missing ({_codes(r['missing_units'])})"
                  for _, r in missing.iterrows() if not r.get("uom")]
        notes.append("Missing reports — " + "; ".join(parts) + ".")
    if "change_note" in table:
        for note in sorted(set(table["change_note"].astype(str)) - {""}):
            names = table.loc[table["change_note"].eq(note) & table.get("target", table["fulfilment"]).notna(),
                              label].astype(str).tolist() if not by_unit else []
            which = f" ({', '.join(dict.fromkeys(names))})" if names else ""
            rule = " (under 50 % of last year's output)" if note == "too few comparable units" else ""
            notes.append(f"n/c: {note}{rule}{which}.")
    if "rest_vs_path" in table and table["rest_vs_path"].notna().any() and not by_unit:
        notes.append("Rest vs path: what the rest of the year needs to meet the annual target, against what the "
                     "plan's own (seasonal) path expects for those months.")
        flat = table[~table["seasonal"].astype(bool) & table["required_rate"].notna()]
        if len(flat):
            notes.append("At a flat monthly rate (non-seasonal plans): " + "; ".join(
                f"{r[label]} {qty(r['required_rate'], r['uom'])}/month" for _, r in flat.iterrows()) + ".")
    if index is not None and len(index) and not is_missing(index["fulfilment"].iloc[0]):
        row = index.iloc[0]
        change = "" if is_missing(row["change"]) else f", {signed_pct(row['change'])} on last year"
        text = f"Index ({row['method']}): {pct(row['fulfilment'], 1)} of plan{change}"
        if weights is not None and len(weights) and row["method"] == "constant plan prices":
            text += "; weights (value of the target to date): " + ", ".join(
                f"{w.indicator_name} {pct(w.share)}" for w in weights.itertuples(index=False))
        if isinstance(row["unpriced"], str) and row["unpriced"]:
            text += f"; without a price, left out: {row['unpriced'].replace(';', ', ')}"
        notes.append(text + ".")
    return notes


def _codes(text: object, most: int = 5) -> str:
    codes = [c for c in str(text).split(";") if c]
    return ", ".join(codes[:most]) + (f" and {len(codes) - most} more" if len(codes) > most else "")


def _table(title: str) -> Table:
    """A status table that reads at 80 columns: no outer frame, a rule under the header."""
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 1),
                 pad_edge=False, collapse_padding=True)


def print_fulfilment(frame: pd.DataFrame, title: str, console: Console, label: str = "indicator_name",
                     extra_unit: bool = False) -> None:
    table = _table(title)
    table.add_column("Unit" if extra_unit else "Indicator", min_width=8 if extra_unit else 9)
    if extra_unit:
        table.add_column("Indicator", min_width=6)
    columns = [("Target to date", 7), ("Actual", 7), ("Fulfil- ment", 6), ("vs last year", 7), ("Year done", 5)]
    # The league (--by unit) leaves the rest-of-year column to the indicator view: 80 columns.
    columns += [] if extra_unit else [("Rest vs path", 7)]
    for name, width in columns:
        table.add_column(name, justify="right", min_width=width)
    table.add_column("Status", min_width=9, no_wrap=True)
    for r in frame.itertuples(index=False):
        cells = [str(r.unit_name)] if extra_unit else []
        # Like for like (units that reported every month), so that actual / target = fulfilment.
        cells += [str(getattr(r, label)), qty(r.target_basis, r.uom), qty(r.actual_basis, r.uom),
                  shown_pct(r.fulfilment, r.fulfilment_digits), change_text(r.change, r.change_note),
                  pct(r.annual_done)] + ([] if extra_unit else [signed_pct(r.rest_vs_path)]) + [_status(r.status)]
        table.add_row(*cells)
    console.print(table)


def print_units(frame: pd.DataFrame, title: str, console: Console, gap_label: str, sign: int) -> None:
    table = Table(title=title, title_justify="left")
    for name in ("Unit", "Indicator", "Fulfilment", gap_label):
        table.add_column(name, justify="right" if name in ("Fulfilment", gap_label) else "left")
    for r in frame.itertuples(index=False):
        table.add_row(str(r.unit_name), str(r.indicator_name), shown_pct(r.fulfilment, r.fulfilment_digits),
                      qty(sign * r.gap, r.uom))
    console.print(table)


def print_sectors(frame: pd.DataFrame, title: str, console: Console) -> None:
    table = _table(title)
    for name in ("Sector", "Fulfil- ment", "Actual", "Target", "vs last year", "Status", "Missing"):
        table.add_column(name, justify="left" if name in ("Sector", "Status") else "right",
                         min_width=9 if name == "Status" else 7 if name == "vs last year" else None)
    for r in frame.itertuples(index=False):
        table.add_row(str(r.sector_name), shown_pct(r.fulfilment, r.fulfilment_digits),
                      qty(r.actual, r.uom) if r.uom else "–", qty(r.target, r.uom) if r.uom else "–",
                      change_text(r.change, r.change_note), _status(r.status), str(int(r.expected - r.reported)))
    console.print(table)
