"""Rich tables for the terminal: the review's summary and the status command."""

from __future__ import annotations

import pandas as pd
from rich.console import Console

from gosplan import terminal
from gosplan.review.document import Review
from gosplan.review.format import pct, qty, signed_pct

#: What the short headers of the fulfilment tables mean (printed under them).
FULFILMENT_KEY = ("Target and actual to date, like for like (the units that reported every month); "
                  "vs LY: change on last year; need/mo: the monthly rate the rest of the year needs; "
                  "miss.: units that did not report.")

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
    for line in review.summary:
        console.print(f"• {line}")
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
            table.add_row(terminal.labelled(str(r.sector_name), uom), pct(r.fulfilment), actual, target,
                          signed_pct(r.change), _status(r.status))
        terminal.show(console, table)
    if "indicators" in sections:
        print_fulfilment(sections["indicators"].tables["indicators"], "Key indicators, national", console)
    if "leaders" in sections:
        tables = sections["leaders"].tables
        print_units(tables["leaders"].head(8), "Leaders", console, gap_label="Above target", sign=-1)
        print_units(tables["laggards"].head(8), "Laggards", console, gap_label="Shortfall", sign=1)
    if "projects" in sections:
        print_projects(sections["projects"].tables["projects"], console)


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


def print_fulfilment(frame: pd.DataFrame, title: str, console: Console, label: str = "indicator_name",
                     extra_unit: bool = False, key: bool = False) -> None:
    """Target, actual, fulfilment, change on last year and the rate needed, per indicator (or unit).

    ``key=True`` explains the short headers under the table.
    """
    # With one indicator only, it goes into the title instead of a column of the same word on every row.
    names = frame[label].astype(str).unique() if len(frame) else []
    show_indicator = not extra_unit or len(names) > 1
    columns = ["target_basis", "actual_basis", "required_rate"]
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
    for name in ("Target", "Actual", "%", "vs LY", "Need/mo"):
        terminal.number(table, name)
    terminal.text(table, "Status", min_width=9)
    terminal.number(table, "Miss.")
    for r in frame.itertuples(index=False):
        # Like for like (units that reported every month), so that actual / target = fulfilment.
        (target, actual, needed), uom = terminal.scaled([r.target_basis, r.actual_basis, r.required_rate], r.uom,
                                                        common)
        names = [str(r.unit_name)] if extra_unit else []
        if show_indicator:
            names.append(str(getattr(r, label)))
        if common is None:
            names[-1] = terminal.labelled(names[-1], uom)
        table.add_row(*names, target, actual, pct(r.fulfilment), signed_pct(r.change), needed, _status(r.status),
                      str(int(r.missing)))
    terminal.show(console, table)


def print_units(frame: pd.DataFrame, title: str, console: Console, gap_label: str, sign: int) -> None:
    table = terminal.table(title)
    terminal.text(table, "Unit", min_width=16)
    terminal.text(table, "Indicator", min_width=10)
    terminal.number(table, "Fulfilment")
    terminal.number(table, gap_label)
    for r in frame.itertuples(index=False):
        table.add_row(str(r.unit_name), str(r.indicator_name), pct(r.fulfilment), _qty(sign * r.gap, r.uom))
    terminal.show(console, table)


def print_sectors(frame: pd.DataFrame, title: str, console: Console) -> None:
    table = terminal.table(title, caption="Actual and target to date; vs LY: change on last year; miss.: units "
                                          "that did not report. A sector of unlike units shows only its %.")
    terminal.text(table, "Sector (unit)", min_width=12, wrap=True)
    for name in ("%", "Actual", "Target", "vs LY"):
        terminal.number(table, name)
    terminal.text(table, "Status", min_width=9)
    terminal.number(table, "Miss.")
    for r in frame.itertuples(index=False):
        (actual, target), uom = terminal.scaled([r.actual, r.target], r.uom)
        table.add_row(terminal.labelled(str(r.sector_name), uom), pct(r.fulfilment), actual, target,
                      signed_pct(r.change), _status(r.status), str(int(r.expected - r.reported)))
    terminal.show(console, table)
