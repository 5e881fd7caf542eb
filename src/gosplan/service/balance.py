"""The balance capability on the store: key sectors, what the half-year means for the other sectors, and
the plan balanced within the stored capacities (Kantorovich's objectively determined valuations).

The stored input-output table is in money (million won); the plan speaks in physical units per
indicator. The bridge between them is a *ratio* per sector, so units never mix: a sector's H1 fulfilment
(actual / target), or its planned growth (the year's national target / last year's national outturn),
scales that sector's final demand in the table. Plan sectors map to IO sectors by code, walking up the
sector tree (``grain`` counts for ``agriculture``).

>>> from gosplan.service import Service
>>> service = Service.open("sqlite://"); _ = service.load_demo()
>>> key_sectors(service).key
['metallurgy', 'chemicals', 'electricity']
>>> effects = h1_implications(service, "2023-H1").table
>>> bool(effects.loc["coal", "direct_change"] > 0)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gosplan.engines.balance import IOTable, KeySectors, PlanBalance, balance_plan
from gosplan.errors import NotFound
from gosplan.i18n import _
from gosplan.model import Period
from gosplan.service.actions import finding

IMPLICATION_COLUMNS = ["fulfilment", "final_demand", "direct_change", "indirect_change", "total_change",
                       "output", "total_change_share"]
TARGET_COLUMNS = ["growth", "final_demand", "target", "source"]
BINDING_COLUMNS = ["constraint", "kind", "sector", "sector_name", "limit", "shadow_price", "utilisation",
                   "required_output", "year", "owner_unit", "owner_name", "indicator", "indicator_name", "uom",
                   "fulfilment"]


@dataclass(frozen=True)
class Implications:
    """What the fulfilment of ``period`` implies through the Leontief model.

    ``table`` (index: IO sector; :data:`IMPLICATION_COLUMNS`): ``direct_change`` = (fulfilment - 1) x final
    demand of the sector (deliveries to final use above or below the plan); ``total_change`` = L @ direct
    (the output every sector needs to produce, or no longer needs to, to supply it); ``indirect_change`` =
    total - direct; ``total_change_share`` = total change / gross output. Money of the table (million won).
    """

    period: str
    table_name: str
    table: pd.DataFrame

    @property
    def measured(self) -> list[str]:
        """IO sectors with a fulfilment in the period."""
        return [str(s) for s in self.table.index[self.table["fulfilment"].notna()]]


@dataclass(frozen=True)
class BalancedPlan:
    """The year's plan balanced within capacities: the engine's :class:`PlanBalance` and the targets used."""

    year: int
    table_name: str
    targets: pd.DataFrame  # index IO sector, TARGET_COLUMNS
    result: PlanBalance

    def binding_capacities(self) -> pd.DataFrame:
        """Binding capacity (and labour) constraints with positive shadow price, most valuable first:
        constraint, kind, sector, limit, shadow_price, utilisation (used / limit), used."""
        c = self.result.constraints
        names = self.result.binding
        out = c.loc[names, ["kind", "limit", "shadow_price"]].copy()
        out["sector"] = [n.split(":", 1)[1] if n.startswith("capacity:") else None for n in names]
        # Used over available, for capacities and labour alike (the constraint's activity over its limit).
        activity = c.loc[names, "activity"].to_numpy(float)
        limit = out["limit"].to_numpy(float)
        out["used"] = activity
        out["utilisation"] = np.divide(activity, limit, out=np.zeros_like(limit), where=limit != 0)
        out.index.name = "constraint"
        return out.reset_index()[["constraint", "kind", "sector", "limit", "shadow_price", "utilisation", "used"]]


def quiet_highs() -> None:
    """Create (and drop) one HiGHS object with stdout closed: highspy prints its banner to file
    descriptor 1 the first time, before any option can switch output off."""
    import os
    import sys

    import highspy

    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no standard output to protect
        highspy.Highs()
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


# -- loading ---------------------------------------------------------------------------------------------

def load_table(service, name: str | None = None) -> IOTable:
    """The stored table ``name`` (default: the most recent) as an :class:`IOTable`; ``.name`` is its name
    and ``.year`` its year. Raises :class:`NotFound` when no table is stored."""

    def load() -> IOTable:
        year, frames = service.store.io_table(name)
        y = frames["Y"]
        satellites = {}
        if "V" in frames:
            satellites["value_added"] = frames["V"].sum(axis=0).reindex(frames["Z"].index).to_numpy()
        if "labour" in frames:
            satellites["employment"] = frames["labour"].iloc[:, 0].to_numpy()
        x = frames["x"].iloc[:, 0].to_numpy() if "x" in frames else None
        table = IOTable.from_flows(frames["Z"], x, final_demand=y.sum(axis=1).to_numpy(), **satellites)
        table.final_demand_detail = y
        table.name = name or service.store.io_tables().sort_values(["year", "name"], ascending=[False, True])[
            "name"].iloc[0]
        table.year = year  # type: ignore[attr-defined]
        return table

    return service._cached(("io_table", name), load)


def sector_map(service, labels: pd.Index) -> dict[str, str]:
    """Plan sector code -> IO sector: the sector itself or its nearest ancestor among ``labels``."""
    parents = service.sectors().set_index("code")["parent"].to_dict()
    known = set(map(str, labels))
    out = {}
    for code in parents:
        node, seen = code, set()
        while node is not None and node not in known and node not in seen:
            seen.add(node)
            node = parents.get(node)
        if node in known:
            out[str(code)] = str(node)
    return out


def _national(service, period: str, column: str, labels: pd.Index) -> pd.Series:
    """``column`` of the national sector fulfilment table, one value per IO sector (own row preferred)."""
    table = service.sector_fulfilment(period, unit=service.root())  # the top's rows only: cheap
    if table.empty:
        return pd.Series(np.nan, index=labels, dtype=float)
    national = table.set_index("sector")[column].astype(float)
    mapping = sector_map(service, labels)
    values = {}
    for io_sector in labels:
        if io_sector in national.index and np.isfinite(national[io_sector]):
            values[io_sector] = float(national[io_sector])
            continue
        members = [national[s] for s, target in mapping.items() if target == io_sector and s in national.index]
        members = [v for v in members if np.isfinite(v)]
        if members:
            values[io_sector] = float(np.mean(members))
    return pd.Series(values, dtype=float).reindex(labels)


# -- key sectors -----------------------------------------------------------------------------------------

def key_sectors(service, table: str | None = None) -> KeySectors:
    """Rasmussen/Hirschman linkages and key sectors of the stored table (see :meth:`IOTable.linkages`)."""
    return service._cached(("key_sectors", table), lambda: load_table(service, table).key_sectors())


# -- what the half-year implies --------------------------------------------------------------------------

def h1_implications(service, period: str | Period = "2023-H1", table: str | None = None) -> Implications:
    """Propagate the national fulfilment of ``period`` through the Leontief model of the stored table.

    Each IO sector's deviation from the plan is read as a change in its deliveries to final demand,
    ``direct = (fulfilment - 1) * y``; the output it calls for in every sector is ``L @ direct``. Sectors
    without a plan indicator keep their final demand (no direct change) but feel the indirect effect.
    """
    p = str(Period.parse(period))
    io = load_table(service, table)
    fulfilment = _national(service, p, "fulfilment", io.labels)
    if fulfilment.notna().sum() == 0:
        raise NotFound(_("no national fulfilment of the plan sectors in {period}", period=p))
    y = io._require("y", "the table needs final demand")
    direct = ((fulfilment.fillna(1.0) - 1.0) * y).to_numpy()
    total = io.solve(direct).to_numpy()
    x = io._require("x", "the table needs gross output")
    frame = pd.DataFrame({
        "fulfilment": fulfilment.to_numpy(),
        "final_demand": y,
        "direct_change": direct,
        "indirect_change": total - direct,
        "total_change": total,
        "output": x,
        "total_change_share": np.divide(total, x, out=np.full_like(total, np.nan), where=x != 0),
    }, index=io.labels)
    return Implications(p, io.name, frame)


# -- the plan balanced within capacities -----------------------------------------------------------------

def plan_targets(service, year: int, table: str | None = None, growth: float | None = None) -> pd.DataFrame:
    """Final-demand targets of ``year`` per IO sector (:data:`TARGET_COLUMNS`).

    Default: the table's final demand times the plan's growth for the sector, the year's national
    target over last year's national outturn (sectors without an indicator: no growth). ``growth``:
    one uniform growth rate instead (e.g. ``0.03``).
    """
    io = load_table(service, table)
    y = pd.Series(io._require("y", "the table needs final demand"), index=io.labels)
    if growth is not None:
        factor = pd.Series(1.0 + float(growth), index=io.labels)
        source = pd.Series(f"uniform {growth:+.1%}", index=io.labels)
    else:
        # The whole plan (all units) and the whole outturn, not the like-for-like pair of a fulfilment.
        planned = _national(service, str(year), "plan_to_date", io.labels)
        outturn = _national(service, str(year - 1), "actual_all", io.labels)
        factor = (planned / outturn).replace([np.inf, -np.inf], np.nan)  # no outturn: no growth known
        if factor.notna().sum() == 0:
            raise NotFound(_("no national targets for {year} with an outturn for {previous}", year=year,
                                   previous=year - 1))
        source = pd.Series(np.where(factor.notna(), f"target {year} / actual {year - 1}", "no indicator"),
                           index=io.labels)
        factor = factor.fillna(1.0)
    return pd.DataFrame({"growth": factor - 1.0, "final_demand": y, "target": (y * factor).clip(lower=0.0),
                         "source": source}, index=io.labels)


def plan_balance(service, year: int, table: str | None = None, *, growth: float | None = None,
                 labour: bool = True) -> BalancedPlan:
    """Balance the year's final-demand targets (:func:`plan_targets`) within the stored capacities of
    ``year`` and, with ``labour``, the total labour available there: each sector's fulfilment up to 100 %
    (the engine's ``weighted`` objective), so every bottleneck shows with its shadow price.

    The shadow price of a capacity is the final output (million won) one more million won of that
    sector's capacity would add: Kantorovich's objectively determined valuation.
    """
    quiet_highs()
    io = load_table(service, table)
    caps = service.store.capacities(year)
    if caps.empty:
        raise NotFound(_("no capacities stored for {year}", year=year))
    caps = caps[caps["sector"].isin(io.labels)].set_index("sector")
    targets = plan_targets(service, year, table, growth)
    available = float(caps["labour"].sum()) if labour and caps["labour"].notna().any() else None
    if available is not None and io.employment is None:
        available = None  # the table has no employment, so labour per unit of output is unknown
    result = balance_plan(io, targets["target"], capacity=caps["capacity"], labour=available,
                          objective="weighted")
    return BalancedPlan(int(year), io.name, targets, result)


# -- findings for the action plan ------------------------------------------------------------------------

def main_producer(service, period: str, sector: str, labels: pd.Index) -> tuple[str, str | None]:
    """(unit, indicator): the unit producing the largest share of the IO sector's key indicator in
    ``period`` (the leaf with the largest actual), else the top unit; the indicator links the action."""
    mapping = sector_map(service, labels)
    indicators = service.indicators()
    codes = indicators[indicators["sector"].map(mapping).eq(sector) & indicators["key"].astype(bool)]["code"]
    if codes.empty:
        return service.root(), None
    indicator = str(codes.iloc[0])
    table = service.fulfilment(period)
    rows = table[table["indicator"].eq(indicator) & table["unit"].map(service.hierarchy().is_leaf)]
    rows = rows[rows["actual"].notna()]
    if rows.empty:
        return service.root(), indicator
    return str(rows.loc[rows["actual"].idxmax(), "unit"]), indicator


def binding_capacities(service, period: str | Period, table: str | None = None) -> pd.DataFrame:
    """The binding capacities of the plan of ``period``'s year with their owners (:data:`BINDING_COLUMNS`).

    ``required_output``: the output the full targets would need (``L @ targets``), so the gap to close is
    required output minus the capacity. ``fulfilment``: of the linked indicator at the owner unit in ``period``
    (the baseline the action plan tracks).
    """
    p = Period.parse(period)
    balanced = plan_balance(service, p.year, table)
    io = load_table(service, table)
    needed = io.solve(balanced.targets["target"].to_numpy())
    frame = balanced.binding_capacities()
    frame = frame[frame["kind"].eq("capacity")].reset_index(drop=True)
    names = service.sectors().set_index("code")["name"]
    units = service.units().set_index("code")["name"]
    indicator_table = service.indicators().set_index("code")
    fulfilment = service.fulfilment(str(p)).set_index(["indicator", "unit"])["fulfilment"]
    rows = []
    for record in frame.to_dict("records"):
        owner, indicator = main_producer(service, str(p), record["sector"], io.labels)
        rows.append({**record, "sector_name": names.get(record["sector"], record["sector"]),
                     "required_output": float(needed[record["sector"]]), "year": p.year,
                     "owner_unit": owner, "owner_name": units.get(owner, owner), "indicator": indicator,
                     "indicator_name": indicator_table["name"].get(indicator) if indicator else None,
                     "uom": indicator_table["unit"].get(indicator) if indicator else None,
                     "fulfilment": float(fulfilment.get((indicator, owner), np.nan)) if indicator else np.nan})
    return pd.DataFrame(rows, columns=BINDING_COLUMNS)


@finding("binding_capacities")
def _binding_capacities(service, period: str) -> pd.DataFrame | None:
    try:
        return binding_capacities(service, period)
    except NotFound:
        return None


PHYSICAL_COLUMNS = ["sector", "indicator", "indicator_name", "uom", "physical_capacity", "stale_records",
                    "utilisation", "price", "shadow_price_per_unit"]


def physical_bottlenecks(service, balanced: BalancedPlan, binding: pd.DataFrame | None = None) -> pd.DataFrame:
    """The binding capacities of ``balanced`` in physical units (:data:`PHYSICAL_COLUMNS`), one row per
    indicator of the capacity's IO sector that has physical capacity records.

    ``physical_capacity``: the current records summed over the units (per year, in the indicator's unit;
    ``stale_records`` of them are below observed output); ``utilisation``: of the sector's capacity in the
    balanced plan; ``price``: the plan price (won per unit, :func:`gosplan.engines.facts.plan_prices`);
    ``shadow_price_per_unit``: the final output (won) one more unit of capacity would allow, i.e. the
    shadow price (won per won of capacity) times the plan price. Sectors without physical records are
    left out (their shadow price stays in won per won).
    """
    binding = balanced.binding_capacities() if binding is None else binding
    binding = binding[binding["kind"].eq("capacity")]
    caps = service.store.physical_capacities()
    if binding.empty or caps.empty:
        return pd.DataFrame(columns=PHYSICAL_COLUMNS)
    io = load_table(service, balanced.table_name)
    mapping = sector_map(service, io.labels)
    indicators = service.indicators()
    indicators = indicators.assign(io_sector=indicators["sector"].map(mapping))
    facts = service.facts(f"{balanced.year}-12")
    prices = facts[facts["unit"].eq(service.root())].drop_duplicates("indicator").set_index("indicator")["price"]
    totals = caps.groupby("indicator").agg(capacity=("capacity", "sum"),
                                           stale=("stale_since", lambda s: int(s.notna().sum())))
    rows = []
    for r in binding.itertuples(index=False):
        for ind in indicators[indicators["io_sector"].eq(r.sector)].itertuples(index=False):
            if ind.code not in totals.index:
                continue
            price = float(prices.get(ind.code, np.nan))
            rows.append({"sector": r.sector, "indicator": ind.code, "indicator_name": ind.name, "uom": ind.unit,
                         "physical_capacity": float(totals.loc[ind.code, "capacity"]),
                         "stale_records": int(totals.loc[ind.code, "stale"]), "utilisation": float(r.utilisation),
                         "price": price, "shadow_price_per_unit": float(r.shadow_price) * price})
    return pd.DataFrame(rows, columns=PHYSICAL_COLUMNS)
