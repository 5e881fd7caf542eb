"""Rich tables for the terminal: the review's summary and the status command."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.markup import escape

from gosplan import terminal
from gosplan.i18n import N_, _, gettext, ngettext
from gosplan.i18n.formats import format_period
from gosplan.review.document import Review
from gosplan.review.format import is_missing, pct, qty, signed_pct

#: What the short headers of the fulfilment tables mean (printed under them).
FULFILMENT_KEY = N_("Target and actual to date, like for like (the units that reported every month); "
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
#: The status classes in the reader's words (the codes stay in csv and json).
STATUS_LABELS = {
    "exceeding": N_("exceeding"),
    "on track": N_("on track"),
    "at risk": N_("at risk"),
    "lagging": N_("lagging"),
    "missing": N_("missing"),
    "no target": N_("no target"),
}
#: Notes and methods the engines return as codes, in the reader's words (:func:`gettext` where shown).
ENGINE_WORDS = (N_("too few comparable units"), N_("no comparable units"), N_("no reports a year earlier"),
                N_("constant plan prices"), N_("unweighted mean (no prices)"), N_("same-unit totals"))
#: What the rows of a status view are, in the reader's words.
BY_LABELS = {"indicator": N_("by indicator"), "sector": N_("by sector"), "unit": N_("by unit")}


def _qty(value: object, uom: str | None) -> str:
    return terminal.compact(qty(value, uom)) if uom else "–"


def status_label(status: object) -> str:
    """A status class in the reader's words ("on track" / "계획대로")."""
    return gettext(STATUS_LABELS[status]) if status in STATUS_LABELS else str(status)


def _status(text: str) -> str:
    style = STATUS_STYLES.get(text, "")
    shown = escape(status_label(text))
    return f"[{style}]{shown}[/]" if style else shown


def view_title(view) -> str:
    """The title of a status table: "KP — 2023-01..2023-06 — by sector" / "KP — 2023년 1월~6월 — 부문별"."""
    by = gettext(BY_LABELS[view.by]) if view.by in BY_LABELS else _("by {grouping}", grouping=gettext(view.by))
    return _("{unit} — {window} — {by}", unit=view.unit, window=format_period(str(view.window)), by=by)


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
        table = terminal.table(_("Sectors"), caption=_("Actual and target of the period; vs LY: change on last "
                                                       "year."))
        terminal.text(table, _("Sector (unit)"), min_width=12, wrap=True)
        for name in ("%", _("Actual"), _("Target"), _("vs LY")):
            terminal.number(table, name)
        terminal.text(table, _("Status"), min_width=9)
        for r in frame.itertuples(index=False):
            (actual, target), uom = terminal.scaled([r.actual, r.target], r.uom)
            table.add_row(terminal.labelled(str(r.sector_name), uom), shown_pct(r.fulfilment, r.fulfilment_digits),
                          actual, target, change_text(r.change, r.change_note), _status(r.status))
        terminal.show(console, table)
    if "indicators" in sections:
        print_fulfilment(sections["indicators"].tables["indicators"], _("Key indicators, national"), console)
    if "leaders" in sections:
        tables = sections["leaders"].tables
        print_units(tables["leaders"].head(8), _("Leaders"), console, gap_label=_("Above target"), sign=-1)
        print_units(tables["laggards"].head(8), _("Laggards"), console, gap_label=_("Shortfall"), sign=1)
    if "projects" in sections:
        print_projects(sections["projects"].tables["projects"], console)


RATING_STYLES = {"red": "bold white on red", "amber": "bold black on yellow", "green": "bold white on green"}
RATING_LABELS = {"red": N_("RED"), "amber": N_("AMBER"), "green": N_("GREEN")}


def print_page_one(page, console: Console) -> None:
    """The stocktake: headline, then each judgement with its rating, owner and decision."""
    for line in page.headline:
        console.print(escape(line))
    for i, line in enumerate(page.lines, 1):
        rating = gettext(RATING_LABELS[line.rating]) if line.rating in RATING_LABELS else line.rating.upper()
        console.print(f"\n{i}. [{RATING_STYLES[line.rating]}] {escape(rating)} [/] {escape(line.statement)}")
        console.print("   [bold]" + escape(_("Owner:")) + "[/] " + escape(line.owner))
        console.print("   [bold]" + escape(_("Decision asked:")) + "[/] " + escape(line.decision))
    console.print()


def print_projects(frame: pd.DataFrame, console: Console) -> None:
    """Construction projects with their schedule and cost performance (as in ``gosplan projects``)."""
    table = terminal.table(_("Construction projects"))
    terminal.text(table, _("Project"), min_width=16, wrap=True)
    for name in (_("Done"), "SPI(t)", "CPI", _("Planned end"), _("Forecast end")):
        terminal.number(table, name)
    terminal.text(table, _("Status"), min_width=8)
    styles = {"on time": "green", "slipping": "bold yellow", "late": "bold red"}
    labels = {"on time": N_("on time"), "slipping": N_("slipping"), "late": N_("late")}
    for r in frame.itertuples(index=False):
        style = styles.get(r.status, "")
        table.add_row(str(r.name), f"{r.percent_complete:.1f} %", f"{r.spi_t:.2f}", f"{r.cpi:.2f}",
                      str(r.planned_end), str(r.forecast_end or "–"),
                      f"[{style}]{escape(gettext(labels.get(r.status, str(r.status))))}[/]")
    terminal.show(console, table)


def shown_pct(ratio: object, digits: object = 0) -> str:
    """A fulfilment as printed: with the decimals its status class needs (``fulfilment_digits``)."""
    return pct(ratio, 0 if is_missing(digits) else int(digits))  # type: ignore[arg-type]


def change_text(change: object, note: object = "") -> str:
    """"vs last year" as printed: like for like, or "n/c" (not comparable) when there is a note."""
    if is_missing(change) and isinstance(note, str) and note:
        return _("n/c")
    return signed_pct(change)


def print_status(view, console: Console) -> None:
    """``gosplan status``: the table of the view (by indicator, unit or sector) and its footnotes."""
    title = view_title(view)
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
    notes = [_("Target and actual to date: the units that reported every month (like for like). "
               "vs last year: the same units, every month of the window in both years.")]
    missing = table[table["missing_units"].astype(str).ne("")] if "missing_units" in table else table.iloc[:0]
    if len(missing) and not by_unit:
        parts = [_("{name}: {units}, {months} missing ({codes}); produced including them {produced}",
                   name=r[label], units=_units(int(r["units_missing"])), months=_months(int(r["months_missing"])),
                   codes=_codes(r["missing_units"]), produced=qty(r["produced"], r["uom"]))
                 for _row, r in missing.iterrows() if r.get("uom")]
        parts += [_("{name}: {units} missing ({codes})", name=r[label], units=_units(int(r["units_missing"])),
                    codes=_codes(r["missing_units"]))
                  for _row, r in missing.iterrows() if not r.get("uom")]
        notes.append(_("Missing reports — {parts}.", parts="; ".join(parts)))
    if "change_note" in table:
        for note in sorted(set(table["change_note"].astype(str)) - {""}):
            names = table.loc[table["change_note"].eq(note) & table.get("target", table["fulfilment"]).notna(),
                              label].astype(str).tolist() if not by_unit else []
            reason = gettext(note)
            if note == "too few comparable units":
                reason = _("too few comparable units (under 50 % of last year's output)")
            notes.append(_("n/c: {reason} ({names}).", reason=reason, names=", ".join(dict.fromkeys(names)))
                         if names else _("n/c: {reason}.", reason=reason))
    if "rest_vs_path" in table and table["rest_vs_path"].notna().any() and not by_unit:
        notes.append(_("Rest vs path: what the rest of the year needs to meet the annual target, against what the "
                       "plan's own (seasonal) path expects for those months."))
        flat = table[~table["seasonal"].astype(bool) & table["required_rate"].notna()]
        if len(flat):
            notes.append(_("At a flat monthly rate (non-seasonal plans): {rates}.", rates="; ".join(
                _("{name} {quantity}/month", name=r[label], quantity=qty(r["required_rate"], r["uom"]))
                for _row, r in flat.iterrows())))
    if index is not None and len(index) and not is_missing(index["fulfilment"].iloc[0]):
        row = index.iloc[0]
        method = gettext(row["method"])
        if is_missing(row["change"]):
            text = _("Index ({method}): {fulfilment} of plan", method=method, fulfilment=pct(row["fulfilment"], 1))
        else:
            text = _("Index ({method}): {fulfilment} of plan, {change} on last year", method=method,
                     fulfilment=pct(row["fulfilment"], 1), change=signed_pct(row["change"]))
        if weights is not None and len(weights) and row["method"] == "constant plan prices":
            text = _("{index}; weights (value of the target to date): {weights}", index=text, weights=", ".join(
                f"{w.indicator_name} {pct(w.share)}" for w in weights.itertuples(index=False)))
        if isinstance(row["unpriced"], str) and row["unpriced"]:
            text = _("{index}; without a price, left out: {codes}", index=text,
                     codes=row["unpriced"].replace(";", ", "))
        notes.append(text + ".")
    return notes


def _units(count: int) -> str:
    return ngettext("{count} unit", "{count} units", count)


def _months(count: int) -> str:
    return ngettext("{count} month", "{count} months", count)


def _codes(text: object, most: int = 5) -> str:
    codes = [c for c in str(text).split(";") if c]
    if len(codes) > most:
        return _("{codes} and {count} more", codes=", ".join(codes[:most]), count=len(codes) - most)
    return ", ".join(codes)


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
        title = _("{title} — {indicator} ({unit})", title=title, indicator=names[0],
                  unit=terminal.scaled([], frame["uom"].iloc[0], common)[1])
    elif extra_unit and not show_indicator:
        title = _("{title} — {indicator}", title=title, indicator=names[0])
    table = terminal.table(title, caption=gettext(FULFILMENT_KEY) if key else None)
    if extra_unit:
        terminal.text(table, _("Unit"), min_width=12, wrap=True)
    if show_indicator:
        terminal.text(table, _("Indicator (unit)"), min_width=12, wrap=True)
    # The league (--by unit) leaves the rest-of-year column to the indicator view: 80 columns.
    headers = [_("Target"), _("Actual"), "%", _("vs LY"), _("Year")] + ([] if extra_unit else [_("Rest vs path")])
    for name in headers:
        terminal.number(table, name)
    terminal.text(table, _("Status"), min_width=9)
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
    terminal.text(table, _("Unit"), min_width=16)
    terminal.text(table, _("Indicator"), min_width=10)
    terminal.number(table, _("Fulfilment"))
    terminal.number(table, gap_label)
    for r in frame.itertuples(index=False):
        table.add_row(str(r.unit_name), str(r.indicator_name), shown_pct(r.fulfilment, r.fulfilment_digits),
                      _qty(sign * r.gap, r.uom))
    terminal.show(console, table)


def print_sectors(frame: pd.DataFrame, title: str, console: Console) -> None:
    table = terminal.table(title, caption=_("Actual and target to date; vs LY: change on last year, like for like "
                                            "(n/c: not comparable); miss.: units that did not report. A sector of "
                                            "unlike units shows only its %."))
    terminal.text(table, _("Sector (unit)"), min_width=12, wrap=True)
    for name in ("%", _("Actual"), _("Target"), _("vs LY")):
        terminal.number(table, name)
    terminal.text(table, _("Status"), min_width=9)
    terminal.number(table, _("Miss."))
    for r in frame.itertuples(index=False):
        (actual, target), uom = terminal.scaled([r.actual, r.target], r.uom)
        table.add_row(terminal.labelled(str(r.sector_name), uom), shown_pct(r.fulfilment, r.fulfilment_digits),
                      actual, target, change_text(r.change, r.change_note), _status(r.status),
                      str(int(r.expected - r.reported)))
    terminal.show(console, table)
