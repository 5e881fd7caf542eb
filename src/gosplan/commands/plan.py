"""``gosplan plan``: draft next year's plan, balance it in physical units, compare variants, adopt one.

    gosplan plan draft --year 2024 [--rule shares|capacity]
    gosplan plan balance draft-2024
    gosplan plan variant draft-2024 --name draft-2024-b --scale electricity=1.03
    gosplan plan compare draft-2024 draft-2024-b
    gosplan plan counter import counter-plans.csv --from KP-08
    gosplan plan counter show draft-2024 --level province
    gosplan plan adopt draft-2024-b [--accept-deficits]
    gosplan plan implications --period 2023-H1
    gosplan plan versions | norms | capacities

Every command takes ``--db``; the tables take ``--format table|csv|json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer
from rich.table import Table

from gosplan import terminal
from gosplan.commands._common import DbOption, FormatOption, console, emit, open_service
from gosplan.i18n import N_, _, current_language
from gosplan.i18n.formats import format_period
from gosplan.quantities import display_unit
from gosplan.review.format import qty, signed_qty
from gosplan.service import material, plans
from gosplan.service.wording import probability_label

app = typer.Typer(help="Plan making: control figures, counter-plans, material balances, variants, adoption.",
                  no_args_is_help=True)
counter_app = typer.Typer(help="Counter-plans: units answer a draft with their own figures.", no_args_is_help=True)
app.add_typer(counter_app, name="counter")

ByOption = Annotated[str, typer.Option("--by", help="Who does this (recorded).")]


def _q(value: float, unit: str) -> str:
    """A quantity for a table cell in the house style: 18.5 Mt, 25.5 TWh, 1.65M m³, 330,000 m³."""
    return terminal.compact(qty(value, unit))


def _signed(value: float, unit: str) -> str:
    return terminal.compact(signed_qty(value, unit))


def _row(values: list[float], uom: str, signed: int | None = None) -> list[str]:
    """A row's quantities in one scale with its unit as the last cell (``signed``: index shown with a sign)."""
    cells, label = terminal.scaled([abs(v) if i == signed else v for i, v in enumerate(values)], uom)
    if signed is not None and cells[signed] != "–":
        cells[signed] = ("−" if values[signed] < 0 else "+") + cells[signed]
    return [*cells, label]


def _singular(unit: str) -> str:
    """``dwelling`` rather than the plural ``dwellings`` after "per"."""
    shown = display_unit(unit)
    return unit if shown == f"{unit}s" else shown


def _lower(name: object) -> str:
    """A name inside an English sentence in lower case ("deficit of electricity generated"); Korean has no case."""
    return str(name) if current_language() == "ko" else str(name).lower()


def _pct(value: float) -> str:
    if pd.isna(value):
        return "–"
    return "0.0 %" if abs(value) < 0.0005 else f"{100 * value:+.1f} %".replace("-", "−")


@dataclass(frozen=True)
class _Names:
    """Indicator and unit names (codes where a name is missing) and each indicator's unit of measure."""

    indicator: dict[str, str]
    unit: dict[str, str]
    uom: dict[str, str]

    @classmethod
    def of(cls, service) -> _Names:
        ind = service.indicators()
        units = service.units()
        return cls(dict(zip(ind["code"], ind["name"].fillna(ind["code"]), strict=True)),
                   dict(zip(units["code"], units["name"].fillna(units["code"]), strict=True)),
                   dict(zip(ind["code"], ind["unit"], strict=True)))

    def ind(self, code: str) -> str:
        return str(self.indicator.get(code, code))

    def org(self, code: str) -> str:
        return str(self.unit.get(code, code))


def _table(title: str, names: list[str], numbers: list[str], caption: str | None = None) -> Table:
    """A house-style table: the ``names`` columns (left, cut with an ellipsis) then the ``numbers``."""
    grid = terminal.table(title, caption)
    for name in names:
        terminal.text(grid, name, min_width=8)
    for name in numbers:
        terminal.number(grid, name)
    return grid


def _show(grid: Table) -> None:
    terminal.show(console, grid)


@app.command()
def draft(
    year: Annotated[int, typer.Option(help="The plan year, e.g. 2024.")],
    rule: Annotated[str, typer.Option(help="Distribute by last year's 'shares' or by 'capacity'.")] = "shares",
    name: Annotated[str | None, typer.Option(help="Code of the new version (default draft-YEAR).")] = None,
    user: ByOption = "cli",
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Draft the year's plan: control figures from the five-year plan, the year's results and the trend."""
    service = open_service(db)
    result = plans.draft(service, year, rule=rule, created_by=user, code=name)
    cf = result.control_figures
    if emit(cf, fmt):
        return
    n = _Names.of(service)
    rules = {"shares": N_("shares"), "capacity": N_("capacity")}
    table = _table(_("Control figures {year} — {code} (distributed by {rule})", year=year, code=result.code,
                     rule=_(rules[rule]) if rule in rules else rule), [_("Indicator")],
                   [_("Figure"), _("Source"), _("Expected {year}", year=year - 1), _("vs trend")])
    for r in cf.itertuples():
        source = _("5-year plan") if r.source == "five_year_plan" else _("trend")
        u = n.uom[r.indicator]
        table.add_row(n.ind(r.indicator), _q(r.control_figure, u), source, _q(r.expected_last_year, u),
                      _pct(r.tautness))
    _show(table)
    console.print(_("{count} unit targets in [bold]{code}[/]. Next: [cyan]gosplan plan balance {code}[/]",
                    count=f"{len(result.targets):,}", code=result.code))


@app.command()
def balance(
    version: Annotated[str, typer.Argument(help="Plan version code, e.g. draft-2024.")],
    fmt: FormatOption = "table",
    top: Annotated[int, typer.Option(help="Consumers shown per deficit.")] = 5,
    db: DbOption = None,
) -> None:
    """Material balances of a version in physical units; each deficit with the consumers it hits."""
    service = open_service(db)
    view = material.version_balance(service, version)
    t = view.balance.table
    imports = view.imports
    shares = imports[["domestic", "import_share", "import_share_closed"]]
    if emit(t.join(shares).reset_index().assign(uom=view.units.to_numpy()), fmt):
        return
    n = _Names.of(service)
    table = _table(_("Material balances of {version} ({year})", version=version, year=view.year), [_("Good")],
                   [_("Output"), _("Resources"), _("Imported"), _("Prod. use"), _("Uses"), _("Surplus")],
                   caption=_("Imported: share of the resources from imports."))
    for good, r in t.iterrows():
        u = view.units[good]
        surplus = _signed(r["surplus"], u)
        share = imports.loc[good, "import_share"]
        table.add_row(n.ind(good), _q(r["production"], u), _q(r["resources"], u),
                      f"{100 * share:.1f} %" if share else "–", _q(r["productive_consumption"], u), _q(r["uses"], u),
                      f"[red]{surplus}[/]" if r["surplus"] < 0 else surplus)
    _show(table)
    by_sector = material.import_dependence_by_sector(service, view)
    dependent = by_sector[by_sector["import_share"] > 0]
    if len(dependent):
        parts = [_("{sector} {share} ({imports} of {supply})", sector=_lower(r.sector_name),
                   share=f"{100 * r.import_share:.1f} %", imports=_q(r.imports, r.uom),
                   supply=_q(r.imports + r.domestic, r.uom)) for r in dependent.itertuples()]
        console.print(_("Import dependence by sector (imported share of the balanced goods' supply): {parts}.",
                        parts=", ".join(parts)), highlight=False)
    deficits = view.deficits
    if deficits.empty:
        console.print("[green]" + _("Every good is balanced: resources cover the uses.") + "[/]")
    for good, r in deficits.iterrows():
        u = view.units[good]
        hits = view.hits[view.hits["good"] == good].head(top)
        who = ", ".join(f"{_lower(n.ind(h.consumer))} {_q(h.amount, u)} ({100 * h.share:.0f}%)"
                        for h in hits.itertuples())
        console.print(_("[bold red]Deficit of {good}: {amount}[/] ({share} of uses). Productive users: {users}.",
                        good=_lower(n.ind(good)), amount=_q(-r["surplus"], u),
                        share=f"{100 * -r['surplus'] / r['uses']:.1f} %", users=who))
    caps = view.capacities
    stale = caps[caps["record_status"] == "stale"]
    over = caps[caps["draft_status"] == "over"]
    binding = caps[caps["draft_status"] == "binding"]
    if len(over) or len(binding) or len(stale):
        console.print(_("Capacities: {over} targets above capacity, {binding} at capacity (98 %+), {stale} capacity "
                        "records stale (observed output above them: revise the record).", over=len(over),
                        binding=len(binding), stale=len(stale)))
        ctab = _table(_("Stale capacity records, then targets above capacity"), [_("Unit"), _("Indicator")],
                      [_("Capacity"), _("Target"), _("Observed")])
        ctab.add_column(_("in"), no_wrap=True)  # the unit of measure: never cut
        terminal.text(ctab, _("Status"), min_width=5)
        for r in pd.concat([stale.head(top * 2), over.head(top * 2)]).itertuples():
            stale_record = r.record_status == "stale"
            capacity = r.capacity if stale_record else r.capacity_in_year  # with projects working in the year
            ctab.add_row(n.org(r.unit), n.ind(r.indicator), *_row([capacity, r.target, r.observed],
                                                                  n.uom[r.indicator]),
                         _("stale") if stale_record else _("over"))
        _show(ctab)
    from gosplan.review.sections.potential import year_lines

    for line in year_lines(service, view.year):  # projects working in the year, and what delays cost
        console.print(line, highlight=False)
    _io_consistency(service, version)


def _io_consistency(service, version: str) -> None:
    """The input-output part of the balance, when a table is stored (said in one line when it cannot run)."""
    from gosplan.commands.io_update import show_consistency
    from gosplan.errors import NotFound
    from gosplan.service.io_update import version_io_consistency

    try:
        view = version_io_consistency(service, version)
    except NotFound as exc:
        console.print(_("Input-output consistency not checked: {reason}", reason=str(exc)), highlight=False)
        return
    show_consistency(view)


@app.command()
def variant(
    version: Annotated[str, typer.Argument(help="The version to copy.")],
    name: Annotated[str, typer.Option(help="Code of the new version.")],
    scale: Annotated[list[str] | None, typer.Option(help="INDICATOR=FACTOR, e.g. electricity=1.03.")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="UNIT:INDICATOR=VALUE (a unit above the "
                                                                  "producers spreads it over its subtree).")] = None,
    reason: Annotated[str | None, typer.Option(help="Why (required when the version was adopted).")] = None,
    user: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Copy a version under a new name with edits; the original is never changed."""
    service = open_service(db)
    factors, sets = plans.parse_edits(scale or [], set_ or [])
    targets = plans.variant(service, version, name, scale=factors, set_values=sets, reason=reason, created_by=user)
    console.print(_("Variant [bold]{name}[/] of {version}: {count} unit targets. "
                    "Next: [cyan]gosplan plan compare {version} {name}[/]",
                    name=name, version=version, count=f"{len(targets):,}"))


@app.command()
def compare(
    a: Annotated[str, typer.Argument(help="First version.")],
    b: Annotated[str, typer.Argument(help="Second version.")],
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Two versions side by side: targets, tautness, odds from history, balances of the goods."""
    service = open_service(db)
    result = plans.compare(service, a, b)
    if emit(result.targets, fmt):
        return
    n = _Names.of(service)
    table = _table(_("A: {a} against B: {b}", a=a, b=b), [_("Indicator")],
                   ["A", "B", _("Change"), _("vs trend A"), _("vs trend B")])
    for r in result.targets.itertuples():
        table.add_row(n.ind(r.indicator), _q(r.a, r.uom), _q(r.b, r.uom), _pct(r.change_pct), _pct(r.tautness_a),
                      _pct(r.tautness_b))
    _show(table)
    odds = _table(_("How taut, and the odds from history"), [_("Indicator")],
                  [_("Frontier"), _("A vs frontier"), _("B vs frontier"), _("P(attain) A"), _("P(attain) B")],
                  caption=_("Frontier: what the enterprises would make with the inputs they have at the best "
                            "practice of their peers (DEA). P(attain): the chance of meeting the target that the "
                            "forecast engine gives from the monthly history."))
    for r in result.targets.itertuples():
        odds.add_row(n.ind(r.indicator), _q(r.frontier_output, r.uom) if pd.notna(r.frontier_output) else "–",
                     _pct(r.vs_frontier_a), _pct(r.vs_frontier_b), probability_label(r.p_attain_a),
                     probability_label(r.p_attain_b))
    _show(odds)
    codes = _table(_("Tautness: the most serious finding"), [_("Indicator"), "A", "B"], [])
    for r in result.targets.itertuples():
        codes.add_row(n.ind(r.indicator), _code(r.code_a), _code(r.code_b))
    _show(codes)
    btab = _table(_("Surplus (+) or deficit (−) of the balanced goods"), [_("Good")], ["A", "B"])
    for r in result.balances.itertuples():
        btab.add_row(n.ind(r.good), _signed(r.surplus_a, r.uom), _signed(r.surplus_b, r.uom))
    _show(btab)


def _code(code: object) -> str:
    """A tautness code in its colour (the red ones lie beyond what the record, capacity or frontier support)."""
    from gosplan.commands.plan_progress import code_word

    return code_word(code)


@app.command()
def adopt(
    version: Annotated[str, typer.Argument(help="The draft to adopt.")],
    accept_deficits: Annotated[bool, typer.Option(help="Adopt although goods are in deficit (recorded).")] = False,
    user: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Make a draft the plan in force for its year (written as the annual plan's targets)."""
    result = plans.adopt(open_service(db), version, adopted_by=user, accept_deficits=accept_deficits)
    console.print(_("[green]{version} adopted[/] by {by} as plan [bold]{plan}[/].", version=version,
                    by=result.adopted_by, plan=result.plan))
    if result.superseded:
        console.print(_("Superseded: {versions}.", versions=", ".join(result.superseded)))
    if result.accepted_deficits:
        console.print("[yellow]" + _("Adopted with deficits of {goods} (recorded).",
                                     goods=", ".join(result.accepted_deficits)) + "[/]")


@app.command()
def versions(fmt: FormatOption = "table", db: DbOption = None) -> None:
    """Every plan version: status, parent, who made and who adopted it."""
    frame = open_service(db).store.plan_versions()
    if emit(frame, fmt):
        return
    table = terminal.table(_("Plan versions"), caption=_("Made and adopted: who, and the date (UTC)."))
    terminal.text(table, _("Version"), min_width=10)
    terminal.number(table, _("Year"))
    for name in (_("Status"), _("Parent"), _("Made"), _("Adopted")):
        terminal.text(table, name, min_width=10)
    statuses = {"draft": N_("draft"), "adopted": N_("adopted"), "superseded": N_("superseded")}
    for r in frame.itertuples():
        adopted = f"{r.adopted_by}\n{str(r.adopted_at)[:10]}" if isinstance(r.adopted_by, str) else ""
        if isinstance(r.accepted_deficits, str):
            adopted += "\n" + _("deficits: {goods}", goods=", ".join(json.loads(r.accepted_deficits)))
        status = _(statuses[r.status]) if r.status in statuses else r.status
        table.add_row(r.code, str(r.year), status, r.parent or "", f"{r.created_by}\n{str(r.created_at)[:10]}",
                      adopted)
    _show(table)


ImportOption = Annotated[Path | None, typer.Option("--import", help="Load a CSV, XLSX or Parquet file first.")]


@app.command()
def norms(import_: ImportOption = None, user: ByOption = "cli", fmt: FormatOption = "table",
          db: DbOption = None) -> None:
    """The input norms: good per unit of each consumer's output, with their source.

    ``--import FILE`` (columns good, consumer, norm, and optionally source, note) adds or replaces norms
    first; a row without a source counts as entered.
    """
    service = open_service(db)
    if import_ is not None:
        count = material.import_norms(service, import_, recorded_by=user)
        console.print(_("[green]{path}[/]: {count} norms recorded.", path=str(import_), count=f"{count:,}"),
                      highlight=False)
    frame = material.norm_table(service)
    if emit(frame, fmt):
        return
    n = _Names.of(service)
    table = _table(_("Input norms"), [_("Good"), _("Per unit of")], [_("Norm")])
    terminal.text(table, _("Unit"), min_width=8)
    terminal.text(table, _("Source"), min_width=8)
    sources = {"entered": N_("entered"), "reports": N_("reports"), "io_table": N_("io_table")}
    for r in frame.itertuples():
        good, per = r.unit.split("/", 1)
        norm = np.format_float_positional(r.norm, precision=4, unique=False, fractional=False, trim="-")
        table.add_row(n.ind(r.good), n.ind(r.consumer), norm,
                      _("{unit} per {per}", unit=display_unit(good), per=_singular(per)),
                      _(sources[r.source]) if r.source in sources else str(r.source))
    _show(table)


@app.command()
def capacities(import_: ImportOption = None, user: ByOption = "cli", fmt: FormatOption = "table",
               db: DbOption = None) -> None:
    """Physical capacities per unit and indicator (per year), with stale records marked.

    ``--import FILE`` (columns unit, indicator, capacity, source, as_of) records capacities first.
    """
    service = open_service(db)
    if import_ is not None:
        count = material.import_capacities(service, import_, recorded_by=user)
        console.print(_("[green]{path}[/]: {count} capacity records written.", path=str(import_),
                        count=f"{count:,}"), highlight=False)
    frame = service.store.physical_capacities()
    if emit(frame, fmt):
        return
    n = _Names.of(service)
    table = _table(_("Physical capacities"), [_("Unit"), _("Indicator")], [_("Per year"), _("As of"),
                                                                          _("Stale since")])
    for r in frame.itertuples():
        stale = str(r.stale_since)[:10] if pd.notna(r.stale_since) else ""
        table.add_row(n.org(r.unit), n.ind(r.indicator), _q(r.capacity, n.uom[r.indicator]), str(r.as_of)[:10],
                      stale)
    _show(table)


@app.command()
def implications(
    period: Annotated[str, typer.Option(help="A quarter, half-year or year, e.g. 2023-H1.")],
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """What the period's output implies through the norms: extra use of each good and what is left for others."""
    service = open_service(db)
    result = material.implications(service, period)
    if emit(result.table.reset_index(), fmt):
        return
    n = _Names.of(service)
    table = _table(_("What {period} implies (output against plan, through the norms)", period=format_period(period)),
                   [_("Good")], [_("Output vs plan"), _("Productive use"), _("Left for others")])
    for good, r in result.table.iterrows():
        u = n.uom[good]
        table.add_row(n.ind(good), _signed(r["production_change"], u), _signed(r["consumption_change"], u),
                      _signed(r["left_for_others_change"], u))
    _show(table)
    for good in result.table.index:
        top = result.by_consumer[(result.by_consumer["good"] == good) & (result.by_consumer["change"] != 0)].head(3)
        if len(top):
            u = n.uom[good]
            uses = ", ".join(f"{_lower(n.ind(r.consumer))} {_signed(r.change, u)}" for r in top.itertuples())
            console.print(_("{good}: {uses}", good=n.ind(good), uses=uses), highlight=False)


@counter_app.command("import")
def counter_import(
    file: Annotated[Path, typer.Argument(help="CSV, XLSX or Parquet: plan, unit, indicator, period, value, reason.")],
    sender: Annotated[str | None, typer.Option("--from", help="The sending unit; rows must be in its subtree.")] = None,
    user: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Import counter-plans; all or nothing, every problem named with its row and column."""
    count = plans.import_counter_plans(open_service(db), file, sender=sender, submitted_by=user)
    console.print(_("[green]{path}[/]: {count} counter-plans recorded.", path=str(file), count=f"{count:,}"),
                  highlight=False)


@counter_app.command("show")
def counter_show(
    version: Annotated[str, typer.Argument(help="The draft answered.")],
    level: Annotated[str | None, typer.Option(help="Roll up to this unit kind (e.g. province).")] = None,
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """The draft and the counter-plans side by side, level by level."""
    service = open_service(db)
    frame = plans.counter_plan_view(service, version, level=level)
    if emit(frame, fmt):
        return
    if frame.empty:
        console.print(_("No counter-plans for {version} yet.", version=version))
        return
    n = _Names.of(service)
    table = _table(_("Counter-plans to {version}", version=version), [_("Unit"), _("Indicator")],
                   [_("Draft"), _("Counter"), _("Difference")])
    table.add_column(_("in"), no_wrap=True)  # the unit of measure: never cut
    terminal.text(table, _("Reason"), min_width=12, wrap=True)
    for r in frame.itertuples():
        table.add_row(n.org(r.unit), n.ind(r.indicator), *_row([r.draft, r.counter, r.difference],
                                                               n.uom[r.indicator], signed=2), str(r.reason))
    _show(table)


@counter_app.command("accept")
def counter_accept(
    version: Annotated[str, typer.Argument(help="The draft answered.")],
    name: Annotated[str, typer.Option(help="Code of the new version.")],
    user: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """A new version of the draft with every counter-plan taken as the unit's target."""
    targets = plans.accept_counter_plans(open_service(db), version, name, created_by=user)
    console.print(_("Variant [bold]{name}[/] of {version} with the counter-plans: {count} unit targets.", name=name,
                    version=version, count=f"{len(targets):,}"))
