"""The plan views of ``gosplan forecast``: ``--tautness`` (each annual target against the record) and
``--five-year`` (progress of the five-year plan and the growth its remaining years need)."""

from __future__ import annotations

import pandas as pd

from gosplan import terminal
from gosplan.commands._common import console, emit
from gosplan.i18n import N_, _
from gosplan.i18n.codes import word_of
from gosplan.model import Period
from gosplan.service.wording import qty

TAUTNESS_COLUMNS = ["indicator", "unit", "unit_name", "uom", "target", "years", "last_mean", "last_best",
                    "history_ceiling", "vs_mean", "vs_best", "vs_ceiling", "capacity_ratio", "normal_output",
                    "vs_normal", "frontier_output", "vs_frontier", "code"]
PROGRESS_COLUMNS = ["indicator", "indicator_name", "uom", "first_year", "first_level", "latest_year",
                    "latest_level", "latest_is_expected", "target_year", "target", "share_done", "growth_achieved",
                    "years_left", "growth_needed", "code", "plan"]
CODE_STYLES = {"beyond capacity": "bold red", "beyond normal weather": "bold red", "beyond frontier": "red",
               "beyond history": "red", "taut": "yellow", "moderate": "green", "slack": "cyan",
               "needs faster growth": "red", "on course": "green", "reached": "green"}
#: The codes in the reader's words (csv and json keep the codes).
CODE_WORDS = {"beyond capacity": N_("beyond capacity"), "beyond normal weather": N_("beyond normal weather"),
              "beyond frontier": N_("beyond frontier"), "beyond history": N_("beyond history"), "taut": N_("taut"),
              "moderate": N_("moderate"), "slack": N_("slack"), "needs faster growth": N_("needs faster growth"),
              "on course": N_("on course"), "reached": N_("reached")}


def code_word(code: object) -> str:
    """A tautness or progress code in the reader's words, in its colour."""
    text = word_of(CODE_WORDS, code)
    style = CODE_STYLES.get(str(code), "")
    return f"[{style}]{text}[/]" if style else text


def signed(ratio: float) -> str:
    """``0.0431 -> '+4.3 %'``; a dash when unknown."""
    return "–" if ratio != ratio else f"{100 * ratio:+.1f} %".replace("-", "−")


def tautness_note(row: pd.Series) -> str:
    """Why a target is beyond what the record supports, in words and numbers."""
    uom = str(row["uom"])
    if row["code"] == "beyond capacity":
        return _("needs {share} of the stored capacity", share=f"{100 * row['capacity_ratio']:.0f} %")
    if row["code"] == "beyond normal weather":
        return _("{change} against normal-weather output of {output}", change=signed(row["vs_normal"]),
                 output=qty(row["normal_output"], uom))
    if row["code"] == "beyond frontier":
        return _("{change} against the efficiency frontier's potential of {potential}",
                 change=signed(row["vs_frontier"]), potential=qty(row["frontier_output"], uom))
    if row["code"] == "beyond history":
        return _("{change} against the most the last {years} years support ({ceiling}: the best year grown by "
                 "the best growth)", change=signed(row["vs_ceiling"]), years=int(row["years"]),
                 ceiling=qty(row["history_ceiling"], uom))
    return ""


def show_tautness(service, as_of: str, fmt: str, unit: str | None = None, depth: int = 0) -> None:
    """Each annual target of the year beside the record, capacity and normal weather."""
    from gosplan.service.plan_checks import tautness

    year = Period.parse(as_of).year
    unit = unit or service.root()
    table = tautness(service, year)
    base = service.hierarchy().depth[unit]
    table = table[table["unit"].isin(set(service.hierarchy().subtree(unit)))
                  & table["depth"].between(base, base + max(depth, 0))]
    if emit(table, fmt, TAUTNESS_COLUMNS):
        return
    out = terminal.table(_("How taut the {year} targets are, {unit}", year=year,
                           unit=service.units().set_index("code").loc[unit, "name"]))
    for name in (_("Indicator"), *([_("Unit")] if depth > 0 else [])):
        terminal.text(out, name, min_width=10, wrap=True)
    for name in (_("Target"), _("vs best year"), _("vs ceiling"), _("Capacity")):
        terminal.number(out, name)
    terminal.text(out, _("Tautness"), min_width=8, wrap=True)
    notes = []
    for _index, r in table.iterrows():
        capacity = "–" if r["capacity_ratio"] != r["capacity_ratio"] else f"{100 * r['capacity_ratio']:.0f} %"
        out.add_row(str(r["indicator_name"]), *([str(r["unit_name"])] if depth > 0 else []),
                    qty(r["target"], str(r["uom"])), signed(r["vs_best"]), signed(r["vs_ceiling"]), capacity,
                    code_word(r["code"]))
        note = tautness_note(r)
        if note:
            where = (_("{indicator}, {unit}", indicator=r["indicator_name"], unit=r["unit_name"]) if depth > 0
                     else str(r["indicator_name"]))
            notes.append(_("{where}: {note}.", where=where, note=note))
    terminal.show(console, out)
    console.print(_("vs best year: the target against the best of the last three complete years; vs ceiling: "
                    "against the best year grown by the best year-on-year growth; capacity: the target's value at "
                    "plan prices as a share of the stored capacity of its sector."))
    for note in notes:
        console.print(note, highlight=False)


def show_five_year(service, as_of: str, fmt: str) -> None:
    """Progress of the five-year plan to date and the growth a year its remaining years need."""
    from gosplan.service.plan_checks import five_year_progress

    table = five_year_progress(service, as_of)
    if emit(table, fmt, PROGRESS_COLUMNS):
        return
    first = table.iloc[0]
    year = int(first["latest_year"])
    latest = _("{year} (expected)", year=year) if bool(first["latest_is_expected"]) else str(year)
    out = terminal.table(_("{plan}: progress to {latest}", plan=first["plan_name"], latest=latest))
    target_year = int(first["target_year"])
    terminal.text(out, _("Indicator"), min_width=10, wrap=True)
    for name in (f"{int(first['first_year'])}", latest, _("Target {year}", year=target_year), _("Done"),
                 _("Growth a year so far"), _("Needed a year to {year}", year=target_year)):
        terminal.number(out, name)
    for _index, r in table.iterrows():
        uom = str(r["uom"])
        style = CODE_STYLES.get(str(r["code"]), "")
        needed = signed(r["growth_needed"]) if r["code"] != "reached" else _("reached")
        out.add_row(str(r["indicator_name"]), qty(r["first_level"], uom), qty(r["latest_level"], uom),
                    qty(r["target"], uom), "–" if r["share_done"] != r["share_done"] else
                    f"{100 * r['share_done']:.0f} %".replace("-", "−"), signed(r["growth_achieved"]),
                    f"[{style}]{needed}[/]" if style else needed)
    terminal.show(console, out)
    console.print(_("Done: share of the way from {year} to the target covered. The latest year is the outlook's "
                    "expected total while the year runs.", year=int(first["first_year"])))
