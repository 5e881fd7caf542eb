"""``gosplan balance``: input-output analysis and plan balancing, on table files or on the store.

On files: TABLE is a flows CSV (gosplan's format), an OECD symmetric table CSV, a BEA use table XLSX
(``--year``) or a flows Parquet file. Results print as Rich tables; ``--out`` writes the full result
as CSV or Parquet (by extension).

On the store (``--db``): ``import`` a table under a name, ``capacities`` to load sector capacities,
``tables`` to list them, ``key-sectors``, ``implications --period 2023-H1`` (what the half-year's
over- and under-fulfilment means for every sector's output) and ``bottlenecks --year 2023`` (the
year's plan balanced within the stored capacities: binding capacities and their shadow prices).
These take ``--format table|csv|json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gosplan.commands._common import (
    DbOption,
    FormatOption,
    NewDbOption,
    console,
    emit,
    open_service,
)
from gosplan.commands.balance_tables import (
    _constraint,
    _key_summary,
    _named,
    _sector_names,
    _show,
    _show_binding,
    _solver_status,
)
from gosplan.errors import GosplanError
from gosplan.i18n import _, ngettext
from gosplan.i18n.formats import format_period

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from gosplan.engines.balance.table import IOTable

app = typer.Typer(
    help="Input-output balances: check a table, key sectors, extraction, shocks, plan balancing.",
    no_args_is_help=True,
)


def read_table(path: Path, year: int | None = None) -> IOTable:
    """The engine's table reader, imported (with numpy, scipy and pandas) when a command runs."""
    from gosplan.engines.balance.readers import read_table as read

    return read(path, year=year)


def quiet_highs() -> None:
    from gosplan.service.balance import quiet_highs as quiet

    quiet()

TableArg = Annotated[Path, typer.Argument(help="flows CSV, OECD CSV, BEA use XLSX or flows Parquet")]
YearOpt = Annotated[int | None, typer.Option(help="sheet (year) of a BEA workbook")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="write the full result to .csv or .parquet")]
TopOpt = Annotated[int, typer.Option(help="rows shown on the terminal")]


def _load(path: Path, year: int | None) -> IOTable:
    try:
        return read_table(path, year=year)
    except GosplanError as exc:
        _fail(exc)
        raise  # unreachable: _fail exits


def _fail(exc: Exception) -> None:
    from rich.markup import escape

    console.print(f"[bold red]{escape(_('error: '))}[/]{escape(str(exc))}")
    raise typer.Exit(code=2)


def _pairs(values: list[str] | None, what: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in values or []:
        key, sep, number = item.rpartition("=")
        if not sep:
            raise typer.BadParameter(_("must look like SECTOR=VALUE, got {item}", item=repr(item)),
                                     param_hint=f"'{what}'")
        try:
            out[key] = float(number)
        except ValueError as exc:
            raise typer.BadParameter(_("{number} is not a number", number=repr(number)),
                                     param_hint=f"'{what}'") from exc
    return out


def _write(frame: pd.DataFrame, out: Path | None) -> None:
    if out is None:
        return
    if out.suffix.lower() == ".parquet":
        frame.reset_index().to_parquet(out, index=False)
    else:
        frame.to_csv(out)
    console.print(ngettext("wrote {count} row to {path}", "wrote {count} rows to {path}", len(frame),
                           path=str(out)), highlight=False)


@app.command()
def check(table: TableArg, year: YearOpt = None, out: OutOpt = None) -> None:
    """Explain what is wrong with TABLE before any solve (exit code 1 on errors)."""
    io = _load(table, year)
    report = io.check()
    frame = report.to_frame()
    _write(frame, out)
    if frame.empty:
        console.print("[green]" + _("{name}: {count} sectors, no problems found", name=io.name, count=io.n) + "[/]")
        return
    _show(frame.set_index("severity"), _("{name}: {errors} errors, {warnings} warnings", name=io.name,
                                         errors=len(report.errors), warnings=len(report.warnings)), top=50)
    if not report.ok:
        raise typer.Exit(code=1)


@app.command()
def analyse(table: TableArg, year: YearOpt = None, out: OutOpt = None, top: TopOpt = 15) -> None:
    """Output multipliers, backward/forward linkages and key sectors of TABLE."""
    io = _load(table, year)
    try:
        frame = io.linkages()
        frame.insert(0, "output_multiplier", frame["backward"])
        if io.value_added is not None:
            frame.insert(1, "value_added_multiplier", io.multipliers("value_added", "simple"))
        key = io.key_sectors()
    except GosplanError as exc:
        _fail(exc)
        return
    _write(frame, out)
    frame = frame.assign(strength=frame["backward_index"] + frame["forward_index"]).sort_values(
        "strength", ascending=False
    )
    shown = frame[["output_multiplier", "backward_index", "forward_index", "class"]]
    _show(shown, _("{name}: strongest linkages", name=io.name), top)
    console.print(_key_summary(key))


@app.command()
def extract(
    table: TableArg,
    year: YearOpt = None,
    out: OutOpt = None,
    top: TopOpt = 15,
    group: Annotated[list[str] | None, typer.Option(help="NAME=S1,S2,... extract a group together")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address or processes[:N]")] = None,
) -> None:
    """Hypothetical extraction: output lost without each sector (or each --group)."""
    from gosplan.runner import Runner

    io = _load(table, year)
    groups = None
    if group:
        groups = {}
        for item in group:
            name, sep, members = item.partition("=")
            if not sep:
                raise typer.BadParameter(_("must look like NAME=S1,S2, got {item}", item=repr(item)),
                                         param_hint="'--group'")
            groups[name] = [m.strip() for m in members.split(",") if m.strip()]
    try:
        frame = io.extraction(groups=groups, runner=Runner.from_env(scheduler, progress=True))
    except (GosplanError, ValueError) as exc:
        _fail(exc)
        return
    _write(frame, out)
    _show(
        frame.sort_values("total", ascending=False)[["total", "total_share", "backward", "forward"]],
        _("{name}: hypothetical extraction (loss of total output)", name=io.name),
        top,
    )


@app.command()
def shock(
    table: TableArg,
    year: YearOpt = None,
    out: OutOpt = None,
    top: TopOpt = 15,
    capacity: Annotated[list[str] | None, typer.Option(help="SECTOR=OUTPUT held fixed (mixed model)")] = None,
    value_added: Annotated[
        list[str] | None, typer.Option("--value-added", help="SECTOR=CHANGE of primary inputs (Ghosh)")
    ] = None,
) -> None:
    """Supply shock: sectors held at a capacity, or a primary-input change, and what follows."""
    io = _load(table, year)
    try:
        frame = io.shock(
            capacity=_pairs(capacity, "--capacity") or None,
            value_added=_pairs(value_added, "--value-added") or None,
        )
    except (GosplanError, ValueError) as exc:
        _fail(exc)
        return
    _write(frame, out)
    ordered = frame.reindex(frame["output_change"].abs().sort_values(ascending=False).index)
    _show(ordered, _("{name}: supply shock", name=io.name), top)


@app.command()
def plan(
    table: TableArg,
    year: YearOpt = None,
    out: OutOpt = None,
    top: TopOpt = 15,
    growth: Annotated[
        float, typer.Option(help="targets: the table's final demand times (1 + growth)")
    ] = 0.05,
    targets: Annotated[Path | None, typer.Option(help="CSV with columns sector,target")] = None,
    capacity: Annotated[Path | None, typer.Option(help="CSV with columns sector,capacity")] = None,
    headroom: Annotated[
        float, typer.Option(help="without --capacity: capacity = output * (1 + headroom)")
    ] = 0.03,
    labour: Annotated[
        float | None, typer.Option(help="labour available (needs employment in the table)")
    ] = None,
    weighted: Annotated[
        bool, typer.Option(help="per-sector fulfilment up to 100 % instead of uniform")
    ] = False,
) -> None:
    """Balance a plan: the largest fulfilment of final-demand targets within capacities (LP)."""
    import numpy as np
    import pandas as pd

    quiet_highs()
    io = _load(table, year)
    try:
        if targets is not None:
            goal = pd.read_csv(targets, dtype={"sector": str}).set_index("sector")["target"]
        else:
            goal = pd.Series(
                np.clip(io._require("y", "give --targets") * (1 + growth), 0, None), index=io.labels
            )
        if capacity is not None:
            limit = pd.read_csv(capacity, dtype={"sector": str}).set_index("sector")["capacity"]
        else:
            limit = pd.Series(io._require("x", "give --capacity") * (1 + headroom), index=io.labels)
        result = io.balance_plan(
            goal, capacity=limit, labour=labour, objective="weighted" if weighted else "max_fulfilment"
        )
    except (GosplanError, ValueError) as exc:
        _fail(exc)
        return
    _write(result.plan, out)
    console.print(_("[bold]{name}[/]: fulfilment {share} of the targets ({status})", name=io.name,
                    share=f"{result.fulfilment:.2%}", status=_solver_status(result.status)))
    binding = result.constraints.loc[result.binding, ["kind", "limit", "shadow_price"]]
    binding.index = [_constraint(str(c)) for c in binding.index]
    binding.index.name = "binding constraint"
    _show(binding, _("binding constraints and their shadow prices"), top)


# -- on the store ------------------------------------------------------------------------------------------

StoredTableOpt = Annotated[str | None, typer.Option("--table", help="stored table name (default: latest year)")]


def table_frames(io: IOTable) -> dict[str, pd.DataFrame]:
    """The store's frames (``Z``, ``Y``, ``V``, ``x``, ``labour``) of a table read from a file."""
    import pandas as pd

    x = io._require("x", "the table needs gross output")
    Z = io.Z if io.Z is not None else io.A @ sp_diags(x)
    labels = [str(s) for s in io.labels]
    frames = {
        "Z": pd.DataFrame(Z.toarray(), index=labels, columns=labels),
        "Y": (io.final_demand_detail.set_axis(labels) if io.final_demand_detail is not None
              else pd.DataFrame({"final_demand": io._require("y", "the table needs final demand")}, index=labels)),
        "x": pd.DataFrame({"gross_output": x}, index=labels),
    }
    if io.value_added is not None:
        frames["V"] = pd.DataFrame([io.value_added], index=["value_added"], columns=labels)
    if io.employment is not None:
        frames["labour"] = pd.DataFrame({"workers": io.employment}, index=labels)
    return frames


def sp_diags(x: np.ndarray):
    import scipy.sparse as sp

    return sp.diags_array(x, format="csc")


@app.command("import")
def import_table(
    table: TableArg,
    name: Annotated[str, typer.Option("--name", help="name of the table in the store, e.g. demo-2023")],
    table_year: Annotated[int | None, typer.Option(
        "--table-year", help="the year the table describes (default: --year, or the year in --name)")] = None,
    year: YearOpt = None,
    db: NewDbOption = None,
) -> None:
    """Read TABLE with the engine's readers, check it, and store it under --name (replacing one of that name)."""
    import re

    found = re.search(r"(19|20)\d\d", name)
    table_year = table_year or year or (int(found.group(0)) if found else None)
    if table_year is None:
        raise typer.BadParameter(_("give --table-year (no year in --name)"), param_hint="'--table-year'")
    io = read_table(table, year=year)  # ValidationError lists file, row, column and reason
    report = io.check()
    if not report.ok:
        _show(report.to_frame().set_index("severity"), _("{name}: not stored", name=table.name), top=50)
        raise typer.Exit(code=1)
    summary = open_service(db, create=True).store.write_io_table(name, table_year, table_frames(io), source=str(table))
    console.print(_("stored {name} ({sectors} sectors, {cells} cells) from {path}", name=repr(name), sectors=io.n,
                    cells=f"{summary.total:,}", path=str(table)), highlight=False)


@app.command("capacities")
def import_capacities(
    path: Annotated[Path, typer.Argument(help="CSV with columns sector, capacity[, labour][, year]")],
    capacity_year: Annotated[int | None, typer.Option("--year", help="year of every row without a year column")]
    = None,
    db: NewDbOption = None,
) -> None:
    """Store sector capacities (and labour available) for a year."""
    import pandas as pd

    frame = pd.read_csv(path, dtype={"sector": str})
    if "year" not in frame:
        if capacity_year is None:
            raise typer.BadParameter(_("the file has no year column: give --year"), param_hint="'--year'")
        frame["year"] = capacity_year
    summary = open_service(db, create=True).store.write_capacities(frame)
    console.print(_("capacities: {new} new, {updated} updated, {unchanged} unchanged", new=summary.new,
                    updated=summary.updated, unchanged=summary.unchanged))


@app.command("tables")
def list_tables(fmt: FormatOption = "table", db: DbOption = None) -> None:
    """The input-output tables in the store."""
    frame = open_service(db).store.io_tables()
    frame["recorded_at"] = frame["recorded_at"].astype(str)
    if emit(frame, fmt):
        return
    _show(frame.set_index("name"), _("input-output tables in the store"), top=100)


@app.command("update-table")
def update_table_command(
    year: Annotated[int, typer.Option(help="the year whose reported output the table is brought to")],
    stored: StoredTableOpt = None,
    method: Annotated[str, typer.Option(help="ras, gras (negative flows keep their sign) or auto")] = "auto",
    user: Annotated[str, typer.Option("--by", help="who does this (recorded)")] = "cli",
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Bring the stored table to a year's reported output (RAS/GRAS); stored as NAME-reported."""
    from gosplan.commands.io_update import show_update
    from gosplan.service.io_update import update_table

    service = open_service(db)
    update = update_table(service, year, base=stored, method=method, recorded_by=user)
    if emit(update.sectors.reset_index(), fmt):
        return
    show_update(update, service.sectors().set_index("code")["name"].to_dict())


@app.command("key-sectors")
def key_sectors_command(stored: StoredTableOpt = None, fmt: FormatOption = "table", db: DbOption = None) -> None:
    """Backward and forward linkages and key sectors of a stored table."""
    from gosplan.service.balance import key_sectors

    service = open_service(db)
    key = key_sectors(service, stored)
    frame = key.table.assign(strength=key.table["backward_index"] + key.table["forward_index"]).sort_values(
        "strength", ascending=False)
    if emit(frame.reset_index(), fmt):
        return
    names = _sector_names(service)
    _show(_named(frame[["backward", "forward", "backward_index", "forward_index", "class"]], names), _("key sectors"),
          top=100)
    console.print(_key_summary(key, names))


@app.command("implications")
def implications_command(
    period: Annotated[str, typer.Option("--period", help="e.g. 2023-H1")],
    stored: StoredTableOpt = None,
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Deprecated money view (x = L y on final demand); use `gosplan plan implications` (physical, by norms)."""
    from gosplan.service.balance import h1_implications

    service = open_service(db)
    result = h1_implications(service, period, stored)
    frame = result.table.sort_values("total_change", key=abs, ascending=False)
    if emit(frame.reset_index(), fmt):
        return
    _show(_named(frame[["fulfilment", "direct_change", "indirect_change", "total_change", "total_change_share"]],
                 _sector_names(service)),
          _("{table}: output implied by the fulfilment of {period} (million won)", table=result.table_name,
            period=format_period(str(result.period))), top=100)
    console.print(_("[yellow]Deprecated:[/] this applies fulfilment to final demand in money and understates the "
                    "intermediate sectors. [cyan]gosplan plan implications --period {period}[/] applies the observed "
                    "output changes through the input norms, in physical units.", period=period))


@app.command("bottlenecks")
def bottlenecks_command(
    plan_year: Annotated[int, typer.Option("--year", help="plan year, e.g. 2023")],
    stored: StoredTableOpt = None,
    growth: Annotated[float | None, typer.Option(help="uniform final-demand growth instead of the plan's")] = None,
    labour: Annotated[bool, typer.Option(help="include the stored labour as a constraint")] = True,
    plan_table: Annotated[bool, typer.Option("--plan", help="show (or emit) the plan per sector instead")] = False,
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """The year's plan balanced within the stored capacities: binding capacities and shadow prices."""
    from gosplan.service.balance import physical_bottlenecks, plan_balance

    quiet_highs()
    service = open_service(db)
    balanced = plan_balance(service, plan_year, stored, growth=growth, labour=labour)
    binding = balanced.binding_capacities()
    physical = physical_bottlenecks(service, balanced, binding)
    plan_frame = balanced.result.plan.join(balanced.targets[["growth", "source"]])
    emitted = binding.merge(physical.drop(columns=["utilisation"]), on="sector", how="left") if len(physical) \
        else binding
    if emit(plan_frame.reset_index() if plan_table else emitted, fmt):
        return
    result = balanced.result
    console.print(_("[bold]{table}[/], plan {year}: final demand delivered {share} of the targets ({status})",
                    table=balanced.table_name, year=plan_year, share=f"{result.fulfilment:.2%}",
                    status=_solver_status(result.status)))
    if plan_table:
        _show(_named(plan_frame[["output", "capacity", "utilisation", "target", "fulfilment",
                                 "capacity_shadow_price"]], _sector_names(service)),
              _("balanced plan (million won)"), top=100)
        return
    _show_binding(binding, balanced.table_name, physical, _sector_names(service))
