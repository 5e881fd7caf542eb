"""``gosplan risk``: weather scenarios for the grain target, P(target met), ranked measures."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gosplan import terminal
from gosplan.commands._common import DbOption, FormatOption, console, emit, open_service
from gosplan.i18n import _
from gosplan.i18n.formats import format_period

if TYPE_CHECKING:
    import pandas as pd


def tq(value: float, uom: str) -> str:
    from gosplan.service.wording import qty

    return terminal.compact(qty(value, uom))


def command(
    year: Annotated[int, typer.Option(help="Plan year, e.g. 2023.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Review month: reports and observed weather up "
                                                              "to it (default: the year's last month reported).")]
    = None,
    measures: Annotated[Path | None, typer.Option(help="CSV/XLSX of candidate measures: name, province, kind, "
                                                       "area, cost.")] = None,
    scenarios: Annotated[int, typer.Option(help="Number of weather scenarios.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Seed of the scenarios.")] = 0,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, or processes[:N].")] = None,
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """The grain outlook under abnormal weather (the same as gosplan forecast's) and candidate measures."""
    import pandas as pd

    from gosplan.runner import Runner
    from gosplan.service.forecasts import grain_outlook
    from gosplan.service.risk import measures_file, weather_risk
    from gosplan.service.wording import probability_label, probability_reason

    service = open_service(db)
    chosen = measures_file(measures) if measures else None
    runner = Runner.from_env(scheduler, progress=fmt == "table")
    as_of = as_of or _last_month_of(service, year)
    outlook = grain_outlook(service, as_of, measures=chosen, n_scenarios=scenarios, seed=seed, runner=runner) \
        if as_of else None
    if outlook is None:  # before the year's first report: the weather model alone
        risk = weather_risk(service, year, as_of=None, measures=chosen, n_scenarios=scenarios, seed=seed,
                            runner=runner)
        t, ranking = risk.result.summary(), risk.result.measures
        provinces = _weather_only(risk)
        title = _("Grain {year}: {count} scenarios; weather model alone (no reports for the year yet)", year=year,
                  count=f"{t['n_scenarios']:,}")
    else:
        t, ranking, provinces = outlook.summary(), outlook.measures, outlook.provinces
        title = _("Grain {year}: {count} scenarios; forecast from the reports to {month}, months to come under "
                  "weather scenarios", year=year, count=f"{t['n_scenarios']:,}", month=format_period(as_of))
    if fmt != "table":
        emit(ranking.merge(pd.DataFrame([t]), how="cross", suffixes=("", "_baseline")), fmt)
        return
    head = terminal.table(title)
    terminal.text(head, _("Measure"), min_width=20)
    terminal.number(head, _("Value"))
    p = t["p_target_met"]
    reason = probability_reason(p, t["target"], t.get("lower_99", t["q05"]), t.get("upper_99", t["q95"]), "t")
    for label, value in ((_("Target"), tq(t["target"], "t")),
                         (_("Normal-weather output"), tq(t["normal_total"], "t")),
                         (_("Expected output"), tq(t["expected_total"], "t")),
                         (_("5 % / 50 % / 95 % quantiles"), " / ".join(tq(t[q], "t") for q in ("q05", "q50", "q95"))),
                         (_("P(target met)"), probability_label(p)),
                         (_("Expected shortfall"), tq(t["expected_shortfall"], "t"))):
        head.add_row(label, value)
    terminal.show(console, head)
    if reason:
        console.print(_("P(target met) {label}: {reason}.", label=probability_label(p), reason=reason),
                      highlight=False)
    table = terminal.table(_("By province"), caption=_("Weather loss: expected share of normal-weather output lost "
                                                       "to abnormal weather this year (observed episodes included); "
                                                       "observed: the loss from the weather seen so far."))
    terminal.text(table, _("Province"), min_width=12, wrap=True)
    for name in (_("Target"), _("Expected"), _("P(attain)"), _("Weather loss"), _("Observed")):
        terminal.number(table, name)
    for r in provinces.itertuples(index=False):
        table.add_row(str(r.province_name), tq(r.target, "t"), tq(r.expected_total, "t"),
                      probability_label(r.p_attain), f"{100 * r.weather_loss_share:.1f} %", tq(r.observed_loss, "t"))
    terminal.show(console, table)
    ranking_table = terminal.table(_("Candidate measures, best value for money first"),
                                   caption=_("Reduction: of the expected shortfall; per cost: per unit of cost; P: of "
                                             "meeting the target with the measure."))
    terminal.number(ranking_table, "#")
    terminal.text(ranking_table, _("Measure"), min_width=16, wrap=True)
    for name in (_("Area"), _("Cost"), _("Reduction"), _("Per cost"), "P"):
        terminal.number(ranking_table, name)
    places = _place_names(service)
    for r in ranking.head(15).itertuples(index=False):
        ranking_table.add_row(str(r.rank), _measure(str(r.measure), places), f"{r.area:,.0f} ha", f"{r.cost:,.0f}",
                              tq(r.shortfall_reduction, "t"), tq(r.reduction_per_cost, "t"),
                              probability_label(r.p_target_met))
    terminal.show(console, ranking_table)


def _place_names(service) -> dict[str, str]:
    """The English names of units (provinces) -> their names in the reader's language."""
    units = service.units().set_index("code")["name"]
    english = service.store.names("units").set_index("code")["name_en"]
    return {str(english[c]): str(units[c]) for c in units.index if c in english.index}


def _measure(name: str, places: dict[str, str]) -> str:
    """A candidate measure ("irrigation in North Pyongan") in the reader's words, the place by its own name."""
    from gosplan.review.sections.risk import MEASURE_WORDS

    kind, found, place = name.partition(" in ")
    if found and kind in MEASURE_WORDS:
        return _("{measure} in {place}", measure=_(MEASURE_WORDS[kind]), place=places.get(place, place))
    return name


def _last_month_of(service, year: int) -> str | None:
    """The last month of ``year`` with reports (None before the year's first report)."""
    last = service.store.last_reported_month()
    if last is None or last < f"{year}-01":
        return None
    return min(last, f"{year}-12")


def _weather_only(risk) -> pd.DataFrame:
    from gosplan.service.risk import normal_and_expected

    frame = normal_and_expected(risk)
    return frame.assign(target=float("nan"), expected_total=frame["expected_output"], p_attain=float("nan"),
                        weather_loss_share=frame["loss_share"])
