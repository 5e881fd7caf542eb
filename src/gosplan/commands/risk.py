"""``gosplan risk``: weather scenarios for the grain target, P(target met), ranked measures."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gosplan import terminal
from gosplan.commands._common import DbOption, FormatOption, console, emit, open_service

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
        source = "weather model alone (no reports for the year yet)"
    else:
        t, ranking, provinces = outlook.summary(), outlook.measures, outlook.provinces
        source = f"forecast from the reports to {as_of}, months to come under weather scenarios"
    if fmt != "table":
        emit(ranking.merge(pd.DataFrame([t]), how="cross", suffixes=("", "_baseline")), fmt)
        return
    head = terminal.table(f"Grain {year}: {t['n_scenarios']:,} scenarios; {source}")
    terminal.text(head, "Measure", min_width=20)
    terminal.number(head, "Value")
    p = t["p_target_met"]
    reason = probability_reason(p, t["target"], t.get("lower_99", t["q05"]), t.get("upper_99", t["q95"]), "t")
    for label, value in (("Target", tq(t["target"], "t")),
                         ("Normal-weather output", tq(t["normal_total"], "t")),
                         ("Expected output", tq(t["expected_total"], "t")),
                         ("5 % / 50 % / 95 % quantiles", " / ".join(tq(t[q], "t") for q in ("q05", "q50", "q95"))),
                         ("P(target met)", probability_label(p)),
                         ("Expected shortfall", tq(t["expected_shortfall"], "t"))):
        head.add_row(label, value)
    terminal.show(console, head)
    if reason:
        console.print(f"P(target met) {probability_label(p)}: {reason}.", highlight=False)
    table = terminal.table("By province", caption="Weather loss: expected share of normal-weather output lost to "
                                                  "abnormal weather this year (observed episodes included); "
                                                  "observed: the loss from the weather seen so far.")
    terminal.text(table, "Province", min_width=12, wrap=True)
    for name in ("Target", "Expected", "P(attain)", "Weather loss", "Observed"):
        terminal.number(table, name)
    for r in provinces.itertuples(index=False):
        table.add_row(str(r.province_name), tq(r.target, "t"), tq(r.expected_total, "t"),
                      probability_label(r.p_attain), f"{100 * r.weather_loss_share:.1f} %", tq(r.observed_loss, "t"))
    terminal.show(console, table)
    ranking_table = terminal.table("Candidate measures, best value for money first",
                                   caption="Reduction: of the expected shortfall; per cost: per unit of cost; P: of "
                                           "meeting the target with the measure.")
    terminal.number(ranking_table, "#")
    terminal.text(ranking_table, "Measure", min_width=16, wrap=True)
    for name in ("Area", "Cost", "Reduction", "Per cost", "P"):
        terminal.number(ranking_table, name)
    for r in ranking.head(15).itertuples(index=False):
        ranking_table.add_row(str(r.rank), str(r.measure), f"{r.area:,.0f} ha", f"{r.cost:,.0f}",
                              tq(r.shortfall_reduction, "t"), tq(r.reduction_per_cost, "t"),
                              probability_label(r.p_target_met))
    terminal.show(console, ranking_table)


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
