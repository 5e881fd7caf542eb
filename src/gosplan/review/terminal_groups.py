"""The status table by a grouping beside the hierarchy (``gosplan status --by ministry``), in the style of
the other status views (:func:`gosplan.review.terminal.print_fulfilment`)."""

from __future__ import annotations

import pandas as pd
from rich.console import Console

from gosplan import terminal
from gosplan.engines.groupings import NO_GROUP
from gosplan.i18n import N_, _, gettext
from gosplan.review.format import pct, qty
from gosplan.review.terminal import _codes, _status, change_text, shown_pct, view_title

#: The groupings of the demo and of common use, in the reader's words (a grouping is the store's code).
GROUPING_WORDS = (N_("ministry"), N_("technology"), N_("Ministry"), N_("Technology"))


def _group(name: object) -> str:
    """A group's name; the units in none, "(none)", in the reader's words (as the footnote says)."""
    return _("(none)") if name == NO_GROUP else str(name)


def print_groups(view, console: Console) -> None:
    """One row per (group, indicator): target and actual like for like, %, vs last year, % of the year's
    plan, status, units missing; footnotes on the basis and the missing units."""
    table = view.table
    grid = terminal.table(view_title(view))
    terminal.text(grid, gettext(view.by).capitalize(), min_width=11, wrap=True)
    terminal.text(grid, _("Indicator (unit)"), min_width=12, wrap=True)
    for name in (_("Target"), _("Actual"), "%", _("vs LY"), _("Year")):
        terminal.number(grid, name)
    terminal.text(grid, _("Status"), min_width=9)
    previous = None
    for r in table.itertuples(index=False):
        (target, actual), uom = terminal.scaled([r.target_basis, r.actual_basis], r.uom)
        group = "" if r.group_name == previous else _group(r.group_name)
        previous = r.group_name
        grid.add_row(group, terminal.labelled(str(r.indicator_name), uom), target, actual,
                     shown_pct(r.fulfilment, r.fulfilment_digits), change_text(r.change, r.change_note),
                     pct(r.annual_done), _status(r.status))
    terminal.show(console, grid)
    for line in group_notes(table, view.by):
        console.print(line, style="dim", highlight=False)


def group_notes(table: pd.DataFrame, by: str) -> list[str]:
    """Footnotes under the table by grouping."""
    grouping = gettext(by)
    notes = [_("Target and actual to date: the units of each {grouping} that reported every month (like for "
               "like); vs LY: the same units both years; Year: % of the annual plan done.", grouping=grouping)]
    missing = table[table["missing_units"].astype(str).ne("")]
    if len(missing):
        notes.append(_("Missing reports — {parts}.", parts="; ".join(
            _("{group}, {indicator}: {codes}; produced including them {produced}", group=_group(r.group_name),
              indicator=r.indicator_name, codes=_codes(r.missing_units), produced=qty(r.produced, r.uom))
            for r in missing.itertuples(index=False))))
    if table["group_code"].eq("").any():
        notes.append(_("(none): units without a {grouping}.", grouping=grouping))
    return notes
