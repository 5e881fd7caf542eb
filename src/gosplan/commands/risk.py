"""``gosplan risk``: weather scenarios for the grain target, P(target met), ranked measures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gosplan import terminal
from gosplan.commands._common import DbOption, FormatOption, console, emit, format_quantity, open_service


def tq(value: float, uom: str) -> str:
    return terminal.compact(format_quantity(value, uom))


def command(
    year: Annotated[int, typer.Option(help="Plan year, e.g. 2023.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Review month: observed weather up to it.")] = None,
    measures: Annotated[Path | None, typer.Option(help="CSV/XLSX of candidate measures: name, province, kind, "
                                                       "area, cost.")] = None,
    scenarios: Annotated[int, typer.Option(help="Number of weather scenarios.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Seed of the scenarios.")] = 0,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, or processes[:N].")] = None,
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Distribution of the grain total under abnormal weather and the value of candidate measures."""
    import pandas as pd

    from gosplan.runner import Runner
    from gosplan.service.risk import measures_file, normal_and_expected, weather_risk

    service = open_service(db)
    chosen = measures_file(measures) if measures else None
    runner = Runner.from_env(scheduler, progress=fmt == "table")
    risk = weather_risk(service, year, as_of=as_of, measures=chosen, n_scenarios=scenarios, seed=seed,
                        runner=runner)
    result = risk.result
    if fmt != "table":
        summary = pd.DataFrame([result.summary()])
        emit(result.measures.merge(summary, how="cross", suffixes=("", "_baseline")), fmt)
        return
    t = result.summary()
    when = f", weather observed to {risk.as_of}" if risk.as_of else ""
    head = terminal.table(f"Grain {year}: {t['n_scenarios']:,} weather scenarios{when}")
    terminal.text(head, "Measure", min_width=20)
    terminal.number(head, "Value")
    for label, value in (("Target", tq(t["target"], "t")),
                         ("Normal-weather output", tq(t["normal_total"], "t")),
                         ("Expected output", tq(t["expected_total"], "t")),
                         ("5 % / 50 % / 95 % quantiles", " / ".join(tq(t[q], "t")
                                                                    for q in ("q05", "q50", "q95"))),
                         ("P(target met)", f"{t['p_target_met']:.2f}"),
                         ("Expected shortfall", tq(t["expected_shortfall"], "t"))):
        head.add_row(label, value)
    terminal.show(console, head)
    provinces = normal_and_expected(risk)
    table = terminal.table("By province", caption="Loss: expected loss as a share of normal output; episode: the "
                                                  "loss from the weather observed so far.")
    terminal.text(table, "Province", min_width=12, wrap=True)
    for name in ("Normal", "Expected", "Loss", "Episode"):
        terminal.number(table, name)
    for r in provinces.itertuples(index=False):
        table.add_row(str(r.province_name), tq(r.normal_output, "t"),
                      tq(r.expected_output, "t"), f"{100 * r.loss_share:.1f} %",
                      tq(r.observed_loss, "t"))
    terminal.show(console, table)
    ranking = terminal.table("Candidate measures, best value for money first",
                             caption="Reduction: of the expected shortfall; per cost: per unit of cost; P: of "
                                     "meeting the target with the measure.")
    terminal.number(ranking, "#")
    terminal.text(ranking, "Measure", min_width=16, wrap=True)
    for name in ("Area", "Cost", "Reduction", "Per cost", "P"):
        terminal.number(ranking, name)
    for r in result.measures.head(15).itertuples(index=False):
        ranking.add_row(str(r.rank), str(r.measure), f"{r.area:,.0f} ha", f"{r.cost:,.0f}",
                        tq(r.shortfall_reduction, "t"), f"{r.reduction_per_cost:.3f} t",
                        f"{r.p_target_met:.2f}")
    terminal.show(console, ranking)
