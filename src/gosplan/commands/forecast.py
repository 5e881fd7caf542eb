"""``gosplan forecast``: the year-end outlook of each annual target (one distribution per indicator),
what was produced, what the rest of the year needs against the plan's path, and the plan's tautness."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from gosplan import terminal
from gosplan.commands._common import DbOption, FormatOption, console, emit, open_service
from gosplan.i18n import _

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ["indicator", "unit", "unit_name", "uom", "year", "target", "actual_to_date", "imputed", "expected_total",
           "expected_fulfilment", "lower_80", "upper_80", "lower_95", "upper_95", "lower_99", "upper_99", "p_attain",
           "shortfall", "rest_needed", "rest_path", "rest_vs_path", "annual_done", "required_monthly_rate",
           "rate_to_date", "months_remaining", "method", "outlook"]


def _range(low: float, high: float, uom: str) -> str:
    from gosplan.service.wording import qty

    return f"{terminal.compact(qty(low, uom))} – {terminal.compact(qty(high, uom))}"


def _vs_path(ratio: float) -> str:
    if ratio != ratio:
        return "–"
    return f"{100 * ratio:+.1f} %"


def command(
    as_of: Annotated[str, typer.Option("--as-of", help="Last month reported, e.g. 2023-06.")],
    unit: Annotated[str | None, typer.Option(help="Unit code (default: the top of the hierarchy).")] = None,
    indicator: Annotated[str | None, typer.Option(help="Only this indicator (default: the key ones).")] = None,
    depth: Annotated[int, typer.Option(help="Levels below the unit to show as well.")] = 0,
    tautness: Annotated[bool, typer.Option("--tautness", help="Show how taut each annual target is against "
                                                              "the last three years, capacity and weather.")]
    = False,
    five_year: Annotated[bool, typer.Option("--five-year", help="Progress of the five-year plan instead.")]
    = False,
    rainfall: Annotated[float | None, typer.Option(
        "--rainfall", help="Rain in the months to come against normal, e.g. -0.5 for half the "
                                     "normal rain: drives the hydro stations' output (default: an average year).")]
    = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, or processes[:N].")] = None,
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Year-end outlook of each annual target: produced, expected, intervals, P(attain), rest of year."""
    if rainfall is not None and not -1.0 <= rainfall <= 3.0:
        raise typer.BadParameter(_("between -1 (no rain) and 3 (four times the normal rain), not {value}",
                                   value=rainfall), param_hint="'--rainfall'")
    service = open_service(db)
    if five_year:
        from gosplan.commands.plan_progress import show_five_year

        show_five_year(service, as_of, fmt)
        return
    if tautness:
        from gosplan.commands.plan_progress import show_tautness

        show_tautness(service, as_of, fmt, unit=unit, depth=depth)
        return
    from gosplan.runner import Runner
    from gosplan.service.forecasts import forecast

    unit = unit or service.root()
    runner = Runner.from_env(scheduler, progress=fmt == "table")
    table = forecast(service, as_of, unit=unit, indicators=[indicator] if indicator else None, runner=runner,
                     rainfall=rainfall)
    base = service.hierarchy().depth[unit]
    table = table[table["depth"].between(base, base + max(depth, 0))]
    if emit(table, fmt, COLUMNS):
        return
    from gosplan.i18n.formats import format_period

    name = service.units().set_index("code").loc[unit, "name"]
    show_outlook(table, _("Year-end outlook as of {month}, {unit}", month=format_period(as_of), unit=name),
                 with_unit=depth > 0, taut=_tautness(service, as_of), rainfall=rainfall)


def _tautness(service, as_of: str) -> pd.DataFrame | None:
    """The year's tautness table (None when it cannot be made, e.g. without history)."""
    from gosplan.errors import NotFound
    from gosplan.model import Period
    from gosplan.service.plan_checks import tautness

    try:
        return tautness(service, Period.parse(as_of).year).set_index(["indicator", "unit"])
    except NotFound:
        return None


def show_outlook(table: pd.DataFrame, title: str, with_unit: bool = False, taut: pd.DataFrame | None = None,
                 rainfall: float | None = None) -> None:
    """The outlook table at 80 columns, with footnotes for model-filled months and extreme probabilities."""
    from gosplan.commands.plan_progress import tautness_note
    from gosplan.service.wording import probability_label, probability_reason, qty

    out = terminal.table(title)
    wide = console.width >= 100
    terminal.text(out, _("Indicator"), min_width=12, wrap=True)
    if with_unit:
        terminal.text(out, _("Unit"), min_width=10, wrap=True)
    for name in (_("Target"), _("Produced"), _("Expected"), *([_("80 % interval")] if wide else []), _("P(attain)"),
                 _("Rest vs path")):
        terminal.number(out, name)
    notes: list[str] = []
    for r in table.itertuples(index=False):
        uom = str(r.uom)
        p = float(r.p_attain)
        colour = "green" if p >= 0.8 else "yellow" if p >= 0.5 else "red"
        expected = f"{terminal.compact(qty(r.expected_total, uom))} ({100 * r.expected_fulfilment:.0f} %)"
        name = str(r.indicator_name)
        where = f"{name}, {r.unit_name}" if with_unit else name
        if r.imputed == r.imputed and r.imputed > 0:
            expected += " *"
            notes.append(_("* {where}: expected incl. missing months; the model fills {quantity} not yet "
                           "reported.", where=where, quantity=qty(r.imputed, uom)))
        label = probability_label(p)
        reason = probability_reason(p, float(r.target), float(r.lower_99), float(r.upper_99), uom,
                                    r.direction == "lower")
        if reason:
            label += " †"
            notes.append(_("† {where}: {label}, {reason}.", where=where, label=label.removesuffix(" †"),
                           reason=reason))
        if r.outlook == "forecast × weather":
            name += " ‡"
        elif r.outlook == "forecast × rainfall":
            name += " ¶"
        target = terminal.compact(qty(r.target, uom))
        if taut is not None and (r.indicator, r.unit) in taut.index:
            row = taut.loc[(r.indicator, r.unit)]
            note = tautness_note(row)
            if note:
                target += " §"
                notes.append(_("§ {where}: target {code}: {note}.", where=where, code=row["code"], note=note))
        cells = [name, *([str(r.unit_name)] if with_unit else []), target,
                 terminal.compact(qty(r.actual_to_date, uom)),
                 expected, *([_range(r.lower_80, r.upper_80, uom)] if wide else []), f"[{colour}]{label}[/]",
                 _vs_path(r.rest_vs_path)]
        out.add_row(*cells)
    terminal.show(console, out)
    console.print(_("Produced: every report so far (fact table). Rest vs path: what the rest of the year needs "
                    "against the plan's own path for it (+: more than the plan expected)."))
    if table["outlook"].eq("forecast × weather").any():
        console.print(_("‡ Forecast with the months to come conditioned on weather scenarios (observed weather "
                        "to date, random weather after): the same outlook as gosplan risk."))
    if table["outlook"].eq("forecast × rainfall").any():
        console.print(_("¶ Hydro stations' output in the months to come moved by the rain given (--rainfall "
                        "{share} against normal), at the elasticity estimated from their history.",
                        share=f"{100 * (rainfall or 0.0):+.0f} %"))
    for note in dict.fromkeys(notes):
        console.print(note, highlight=False)
