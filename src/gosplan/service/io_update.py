"""The stored input-output table brought to a year's reported output, and a draft's consistency with it.

``update_table(service, 2023)`` values each output indicator's reported (annualised) output of the year
at the plan prices of the base table (:meth:`Service.facts`' ``price``), so each IO sector's gross output
grows as its reported output does against the base table's figures; the engine
(:func:`gosplan.engines.balance.update.update_table`) brings the flows to the new margins by RAS (GRAS where
the flows have negative entries). The result is stored beside the base as ``<base>-reported``.

``version_io_consistency(service, code)`` values a plan version's national targets the same way and sets
them against the technology of the updated table when one is stored (else the base table): the intermediate
use the draft's outputs require and what is left for final use, sector by sector.

>>> from gosplan.service import Service
>>> service = Service.open("sqlite://"); _ = service.load_demo()       # doctest: +SKIP
>>> update = update_table(service, 2023, recorded_by="planner")       # doctest: +SKIP
>>> update.name, update.method                                         # doctest: +SKIP
('demo-2023-reported', 'ras')
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from gosplan.engines.balance.update import io_consistency
from gosplan.engines.balance.update import update_table as update_engine
from gosplan.errors import NotFound
from gosplan.i18n import _

REPORTED_SUFFIX = "-reported"
METHODS = ("auto", "ras", "gras")


@dataclass(frozen=True)
class UpdatedTable:
    """A table brought to a year's reported output: its stored ``name``, the ``base`` it came from, the
    ``method`` (ras or gras), and per sector (``sectors``): base and new gross output, the margins the
    flows were scaled to (``intermediate_sales``, ``intermediate_inputs``) with their base values, and the
    margins reached (``sales_reached``, ``inputs_reached``)."""

    name: str
    base: str
    year: int
    method: str
    sectors: pd.DataFrame
    frames: dict[str, pd.DataFrame]


def _base_name(service) -> str:
    """The table plan prices come from: the most recent stored table that is not itself an update."""
    tables = service.store.io_tables()
    if tables.empty:
        raise NotFound(_("no input-output table stored; load the demo or run `gosplan balance import`"))
    plain = tables[~tables["name"].str.endswith(REPORTED_SUFFIX)]
    plain = plain if len(plain) else tables
    return str(plain.sort_values(["year", "name"], ascending=[False, True])["name"].iloc[0])


def _sector_values(service, base_year: int, quantities: pd.Series, labels: pd.Index) -> pd.Series:
    """Quantities by indicator valued at the base year's plan prices, as each IO sector's growth over
    the base year's targets (so a sector with one indicator missing grows as its reported ones)."""
    io = service.io_output()
    facts = service.facts(f"{base_year}-12")
    top = facts[facts["unit"].eq(service.root()) & facts["price"].notna() & facts["annual_target"].gt(0)]
    priced = top[["indicator", "price", "annual_target"]].merge(io[["indicator", "io_sector"]], on="indicator")
    priced = priced[priced["io_sector"].isin(labels)]
    priced["quantity"] = priced["indicator"].map(quantities)
    priced = priced[priced["quantity"].notna()]
    value = (priced["price"] * priced["quantity"]).groupby(priced["io_sector"]).sum()
    base = (priced["price"] * priced["annual_target"]).groupby(priced["io_sector"]).sum()
    return (value / base.where(base > 0)).dropna()


def reported_output(service, year: int, base: str | None = None) -> pd.Series:
    """Gross output (million won) of each IO sector of table ``base`` in ``year``, from reports: the full
    year where reported, else to date carried to a full year by last year's seasonal pattern. Sectors
    without a reported indicator are left out (the update keeps their base output)."""
    from gosplan.service.material import annualised_output

    base = base or _base_name(service)
    table_year, frames = service.store.io_table(base)
    output = annualised_output(service, year)
    if output.empty:
        raise NotFound(_("no reports of output for {year}: the table is brought to reported totals", year=year))
    national = output.groupby("indicator")["value"].sum()
    x0 = frames["x"].iloc[:, 0].astype(float)
    growth = _sector_values(service, table_year, national, x0.index)
    return (x0.reindex(growth.index) * growth).rename("gross_output")


def update_table(service, year: int, *, base: str | None = None, method: str = "auto",
                 recorded_by: str) -> UpdatedTable:
    """Bring table ``base`` (default: the most recent) to the reported output of ``year`` and store it as
    ``<base>-reported`` (replacing an earlier update)."""
    from gosplan.errors import InvalidValue

    if method not in METHODS:
        raise InvalidValue(_("{option} must be one of {choices}, not {value}", option="--method",
                              choices=", ".join(METHODS), value=repr(method)))
    base = base or _base_name(service)
    _table_year, frames = service.store.io_table(base)
    x1 = reported_output(service, year, base)
    result = update_engine(frames, x1, method=method)
    name = f"{base}{REPORTED_SUFFIX}"
    source = f"{base} brought to the reported output of {year} by {result.method.upper()} ({recorded_by})"
    service.store.write_io_table(name, year, result.frames, source=source)
    service.invalidate()
    Z0, Z1 = frames["Z"].astype(float), result.frames["Z"]
    sectors = pd.DataFrame({
        "base_output": frames["x"].iloc[:, 0].astype(float).reindex(Z0.index),
        "gross_output": result.frames["x"].iloc[:, 0],
        "reported": Z0.index.isin(x1.index),
        "base_intermediate_sales": Z0.sum(axis=1), "intermediate_sales": result.u,
        "sales_reached": Z1.sum(axis=1),
        "base_intermediate_inputs": Z0.sum(axis=0), "intermediate_inputs": result.v,
        "inputs_reached": Z1.sum(axis=0),
    }, index=Z0.index)
    sectors.index.name = "sector"
    return UpdatedTable(name, base, year, result.method, sectors, result.frames)


@dataclass(frozen=True)
class Consistency:
    """A version's gross outputs against the technology of ``table`` (per sector, with ``sector_name``;
    :data:`gosplan.engines.balance.update.CONSISTENCY_COLUMNS`: the labour the outputs need at the table's
    output per worker beside the labour stored as available for the latest year up to the plan's), and
    whether that table is an update."""

    version: str
    table: str
    table_source: str
    updated: bool
    sectors: pd.DataFrame


def version_io_consistency(service, code: str, table: str | None = None) -> Consistency:
    """The input-output consistency of plan version ``code``: its national targets valued at plan prices
    (sectors without a target keep the table's output), the intermediate use they require by the
    coefficients of ``table`` (default: the base table brought to reported output when stored, else the
    base), and what is left for final use against the table's final demand."""
    base = _base_name(service)
    tables = service.store.io_tables().set_index("name")
    if table is None:
        table = f"{base}{REPORTED_SUFFIX}" if f"{base}{REPORTED_SUFFIX}" in tables.index else base
    if table not in tables.index:
        raise NotFound(_("no input-output table {table}; known: {known}", table=repr(table),
                         known=", ".join(tables.index)))
    base_year, base_frames = service.store.io_table(base)
    _year, frames = service.store.io_table(table)
    totals = service.store.version_targets(code).groupby("indicator")["value"].sum()
    x_base = base_frames["x"].iloc[:, 0].astype(float)
    growth = _sector_values(service, base_year, totals, x_base.index)
    planned = x_base.reindex(growth.index) * growth
    x = frames["x"].iloc[:, 0].astype(float)
    labour = frames["labour"].iloc[:, 0] if "labour" in frames else None
    year = int(service.store.plan_version(code)["year"])
    stored = service.store.capacities()
    stored = stored[stored["year"].le(year) & stored["labour"].notna()]
    available = None
    if len(stored):  # the latest year with labour stored, up to the plan's
        available = stored[stored["year"].eq(stored["year"].max())].set_index("sector")["labour"]
    out = io_consistency(frames["Z"].astype(float), x, planned, frames["Y"].astype(float).sum(axis=1), labour,
                         available)
    names = service.sectors().set_index("code")["name"]
    out.insert(0, "sector_name", [str(names.get(s, s)) for s in out.index])
    out.index.name = "sector"
    return Consistency(code, table, str(tables.loc[table, "source"]), table != base, out)


__all__ = ["Consistency", "UpdatedTable", "reported_output", "update_table", "version_io_consistency"]
