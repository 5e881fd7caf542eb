"""Rich tables for the terminal: the review's summary and the status command."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.markup import escape

from gosplan import terminal
from gosplan.review.document import Review
from gosplan.review.format import is_missing, pct, qty, signed_pct

#: What the short headers of the fulfilment tables mean (printed under them).
FULFILMENT_KEY = ("Target and actual to date, like for like (the units that reported every month); "
                  "vs LY: change on last year, the same units both years (n/c: not comparable); "
                  "year: % of the annual plan done; rest vs path: what the rest of the year needs against the "
                  "plan's own path for those months.")

STATUS_STYLES = {
    "exceeding": "bold green",
    "on track": "green",
    "at risk": "bold yellow",
    "lagging": "bold red",
    "missing": "dim italic",
    "no target": "dim",
}


def _qty(value: object, uom: str | None) -> str:
    return terminal.compact(qty(value, uom)) if uom else "–"


def _status(text: str) -> str:
    style = STATUS_STYLES.get(text, "")
    return f"[{style}]{text}[/]" if style else text


def print_review_summary(review: Review, console: Console | None = None) -> None:
    console = console or Console()
    console.rule(f"[bold]{review.title}")
    console.print(f"[dim]{escape(review.basis_label)}.[/]")
    if review.stocktake is not None:
        print_page_one(review.stocktake, console)
    else:
        for line in review.summary:
            console.print(f"• {escape(line)}")
    sections = {s.key: s for s in review.sections}
    if "sectors" in sections:
        frame = sections["sectors"].tables["sectors"]
        table = terminal.table("Sectors", caption="Actual and target of the period; vs LY: change on last year.")
        terminal.text(table, "Sector (unit)", min_width=12, wrap=True)
        for name in ("%", "Actual", "Target", "vs LY"):
            terminal.number(table, name)
        terminal.text(table, "Status", min_width=9)
        for r in frame.itertuples(index=False):
            (actual, target), uom = terminal.scaled([r.actual, r.target], r.uom)
            table.add_row(terminal.labelled(str(r.sector_name), uom), shown_pct(r.fulfilment, r.fulfilment_digits),
                          actual, target, change_text(r.change, r.change_note), _status(r.status))
        terminal.show(console, table)
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
    table = terminal.table("Construction projects")
    terminal.text(table, "Project", min_width=16, wrap=True)
    for name in ("Done", "SPI(t)", "CPI", "Planned end", "Forecast end"):
        terminal.number(table, name)
    terminal.text(table, "Status", min_width=8)
    styles = {"on time": "green", "slipping": "bold yellow", "late": "bold red"}
    for r in frame.itertuples(index=False):
        style = styles.get(r.status, "")
        table.add_row(str(r.name), f"{r.percent_complete:.1f} %", f"{r.spi_t:.2f}", f"{r.cpi:.2f}",
                      str(r.planned_end), str(r.forecast_end or "–"), f"[{style}]{r.status}[/]")
    terminal.show(console, table)


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
    if getattr(view, "plans", ""):
        console.print(view.plans, style="dim", highlight=False)


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


def print_fulfilment(frame: pd.DataFrame, title: str, console: Console, label: str = "indicator_name",
                     extra_unit: bool = False, key: bool = False) -> None:
    """Target, actual, fulfilment, change on last year and the rate needed, per indicator (or unit).

    ``key=True`` explains the short headers under the table.
    """
    # With one indicator only, it goes into the title instead of a column of the same word on every row.
    names = frame[label].astype(str).unique() if len(frame) else []
    show_indicator = not extra_unit or len(names) > 1
    columns = ["target_basis", "actual_basis"]
    # A league table of one indicator: every row in the same scale, the unit once in the title.
    common = None
    if extra_unit and not show_indicator and len(frame) and frame["uom"].nunique() == 1:
        common = frame[columns].to_numpy().ravel().tolist()
        title = f"{title} — {names[0]} ({terminal.scaled([], frame['uom'].iloc[0], common)[1]})"
    elif extra_unit and not show_indicator:
        title = f"{title} — {names[0]}"
    table = terminal.table(title, caption=FULFILMENT_KEY if key else None)
    if extra_unit:
        terminal.text(table, "Unit", min_width=12, wrap=True)
    if show_indicator:
        terminal.text(table, "Indicator (unit)", min_width=12, wrap=True)
    # The league (--by unit) leaves the rest-of-year column to the indicator view: 80 columns.
    headers = ["Target", "Actual", "%", "vs LY", "Year"] + ([] if extra_unit else ["Rest vs path"])
    for name in headers:
        terminal.number(table, name)
    terminal.text(table, "Status", min_width=9)
    for r in frame.itertuples(index=False):
        # Like for like (units that reported every month), so that actual / target = fulfilment.
        (target, actual), uom = terminal.scaled([r.target_basis, r.actual_basis], r.uom, common)
        names = [str(r.unit_name)] if extra_unit else []
        if show_indicator:
            names.append(str(getattr(r, label)))
        if common is None:
            names[-1] = terminal.labelled(names[-1], uom)
        cells = [*names, target, actual, shown_pct(r.fulfilment, r.fulfilment_digits),
                 change_text(r.change, r.change_note), pct(r.annual_done)]
        cells += [] if extra_unit else [signed_pct(r.rest_vs_path)]
        table.add_row(*cells, _status(r.status))
    terminal.show(console, table)


def print_units(frame: pd.DataFrame, title: str, console: Console, gap_label: str, sign: int) -> None:
    table = terminal.table(title)
    terminal.text(table, "Unit", min_width=16)
    terminal.text(table, "Indicator", min_width=10)
    terminal.number(table, "Fulfilment")
    terminal.number(table, gap_label)
    for r in frame.itertuples(index=False):
        table.add_row(str(r.unit_name), str(r.indicator_name), shown_pct(r.fulfilment, r.fulfilment_digits),
                      _qty(sign * r.gap, r.uom))
    terminal.show(console, table)


def print_sectors(frame: pd.DataFrame, title: str, console: Console) -> None:
    table = terminal.table(title, caption="Actual and target to date; vs LY: change on last year, like for like "
                                          "(n/c: not comparable); miss.: units that did not report. A sector of "
                                          "unlike units shows only its %.")
    terminal.text(table, "Sector (unit)", min_width=12, wrap=True)
    for name in ("%", "Actual", "Target", "vs LY"):
        terminal.number(table, name)
    terminal.text(table, "Status", min_width=9)
    terminal.number(table, "Miss.")
    for r in frame.itertuples(index=False):
        (actual, target), uom = terminal.scaled([r.actual, r.target], r.uom)
        table.add_row(terminal.labelled(str(r.sector_name), uom), shown_pct(r.fulfilment, r.fulfilment_digits),
                      actual, target, change_text(r.change, r.change_note), _status(r.status),
                      str(int(r.expected - r.reported)))
    terminal.show(console, table)
