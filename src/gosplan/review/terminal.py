"""Rich tables for the terminal: the review's summary and the status command."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table

from gosplan.review.document import Review
from gosplan.review.format import pct, qty, signed_pct

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
    for line in review.summary:
        console.print(f"• {line}")
    sections = {s.key: s for s in review.sections}
    if "sectors" in sections:
        frame = sections["sectors"].tables["sectors"]
        table = Table(title="Sectors", title_justify="left")
        for name in ("Sector", "Fulfilment", "Actual", "Target", "vs last year", "Status"):
            table.add_column(name, justify="left" if name in ("Sector", "Status") else "right")
        for r in frame.itertuples(index=False):
            table.add_row(str(r.sector_name), pct(r.fulfilment), qty(r.actual, r.uom) if r.uom else "–",
                          qty(r.target, r.uom) if r.uom else "–", signed_pct(r.change), _status(r.status))
        console.print(table)
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
    table = Table(title="Construction projects", title_justify="left")
    for name in ("Project", "Done", "SPI(t)", "CPI", "Planned end", "Forecast end", "Status"):
        table.add_column(name, justify="left" if name in ("Project", "Status") else "right")
    styles = {"on time": "green", "slipping": "bold yellow", "late": "bold red"}
    for r in frame.itertuples(index=False):
        style = styles.get(r.status, "")
        table.add_row(str(r.name), f"{r.percent_complete:.1f} %", f"{r.spi_t:.2f}", f"{r.cpi:.2f}",
                      str(r.planned_end), str(r.forecast_end or "–"), f"[{style}]{r.status}[/]")
    console.print(table)


def print_fulfilment(frame: pd.DataFrame, title: str, console: Console, label: str = "indicator_name",
                     extra_unit: bool = False) -> None:
    table = Table(title=title, title_justify="left")
    table.add_column("Unit" if extra_unit else "Indicator")
    if extra_unit:
        table.add_column("Indicator")
    for name in ("Target to date", "Actual", "Fulfilment", "vs last year", "Required /month"):
        table.add_column(name, justify="right")
    table.add_column("Status")
    table.add_column("Missing", justify="right")
    for r in frame.itertuples(index=False):
        cells = [str(r.unit_name)] if extra_unit else []
        # Like for like (units that reported every month), so that actual / target = fulfilment.
        cells += [str(getattr(r, label)), qty(r.target_basis, r.uom), qty(r.actual_basis, r.uom), pct(r.fulfilment),
                  signed_pct(r.change), qty(r.required_rate, r.uom), _status(r.status), str(int(r.missing))]
        table.add_row(*cells)
    console.print(table)


def print_units(frame: pd.DataFrame, title: str, console: Console, gap_label: str, sign: int) -> None:
    table = Table(title=title, title_justify="left")
    for name in ("Unit", "Indicator", "Fulfilment", gap_label):
        table.add_column(name, justify="right" if name in ("Fulfilment", gap_label) else "left")
    for r in frame.itertuples(index=False):
        table.add_row(str(r.unit_name), str(r.indicator_name), pct(r.fulfilment), qty(sign * r.gap, r.uom))
    console.print(table)


def print_sectors(frame: pd.DataFrame, title: str, console: Console) -> None:
    table = Table(title=title, title_justify="left")
    for name in ("Sector", "Fulfilment", "Actual", "Target", "vs last year", "Status", "Missing"):
        table.add_column(name, justify="left" if name in ("Sector", "Status") else "right")
    for r in frame.itertuples(index=False):
        table.add_row(str(r.sector_name), pct(r.fulfilment), qty(r.actual, r.uom) if r.uom else "–",
                      qty(r.target, r.uom) if r.uom else "–", signed_pct(r.change), _status(r.status),
                      str(int(r.expected - r.reported)))
    console.print(table)
