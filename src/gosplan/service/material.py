"""Material balances on the store: norms, a plan version's balances, what a half-year implies.

The plan speaks in physical units per indicator; so do the balances. Norms come from the store
(``plan_norms``), outputs from a plan version's targets or from reports, the other resources and uses
from ``balance_items``; the engine is :mod:`gosplan.engines.plan`.

>>> from gosplan.service import Service
>>> service = Service.open("sqlite://"); _ = service.load_demo()
>>> h1 = implications(service, "2023-H1")
>>> bool(h1.table.loc["electricity", "consumption_change"] > 0)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gosplan.engines.plan import (
    check_capacities,
    combine_norms,
    material_balance,
    missing_norms,
    norms_from_io,
    norms_from_reports,
)
from gosplan.engines.plan import (
    implications as engine_implications,
)
from gosplan.engines.plan.material import Implications, MaterialBalance
from gosplan.errors import GosplanError, NotFound, Problem, ValidationError
from gosplan.i18n import _
from gosplan.model import Period

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from gosplan.service import Service
    from gosplan.store import Store

HIT_COLUMNS = ["good", "consumer", "amount", "share"]


@dataclass(frozen=True)
class VersionBalance:
    """The material balances of a plan version and the capacity check of its targets.

    ``balance``: the engine result (``table`` in each good's unit, indexed by good). ``units``: the
    physical unit of each good. ``hits``: for each good in deficit, its productive consumers with
    amount and share of the good's productive use. ``capacities``: per (unit, indicator) the draft
    target and the observed (annualised) output against capacity, with ``draft_status`` (over, binding,
    free) and ``record_status`` (stale when observed output exceeds the record).
    """

    version: str
    year: int
    balance: MaterialBalance
    units: pd.Series
    hits: pd.DataFrame
    capacities: pd.DataFrame

    @property
    def deficits(self) -> pd.DataFrame:
        return self.balance.deficits()

    @property
    def imports(self) -> pd.DataFrame:
        """Domestic versus imported supply per good (:meth:`MaterialBalance.import_dependence`)."""
        return self.balance.import_dependence()


def import_dependence_by_sector(service: Service, view: VersionBalance) -> pd.DataFrame:
    """Imported share of the supply of each sector's balanced goods (columns sector, sector_name, goods,
    domestic, imports, import_share, uom): goods of one sector in the same unit are summed; a sector
    whose goods have different units gets one row per unit. Most dependent first."""
    ind = service.indicators().set_index("code")
    sectors = service.sectors().set_index("code")["name"]
    frame = view.imports.assign(uom=view.units.reindex(view.imports.index).to_numpy())
    frame["sector"] = [str(ind["sector"].get(g) or g) for g in frame.index]
    frame["good_name"] = [str(ind["name"].get(g, g)) for g in frame.index]
    out = frame.groupby(["sector", "uom"], as_index=False).agg(
        goods=("good_name", ", ".join), domestic=("domestic", "sum"), imports=("imports", "sum"))
    out["import_share"] = (out["imports"] / (out["domestic"] + out["imports"]).where(lambda v: v > 0)).fillna(0.0)
    out["sector_name"] = out["sector"].map(sectors).fillna(out["sector"])
    columns = ["sector", "sector_name", "goods", "domestic", "imports", "import_share", "uom"]
    return out.sort_values("import_share", ascending=False)[columns].reset_index(drop=True)


def leaf_output(service: Service, first: str, last: str) -> pd.DataFrame:
    """Reported output of the producing (leaf) units in [first, last]: unit, indicator, value."""
    indicators = service.indicators()
    outputs = indicators.loc[indicators["role"] == "output", "code"].tolist()
    totals = service.store.report_totals(first, last, indicators=outputs)
    leaves = {c for c in service.units()["code"] if service.hierarchy().is_leaf(c)}
    totals = totals[totals["unit"].isin(leaves)]
    return totals.rename(columns={"total": "value"})[["unit", "indicator", "value"]].reset_index(drop=True)


def norm_table(service: Service) -> pd.DataFrame:
    """The stored norms; :class:`~gosplan.errors.NotFound` when there are none."""
    norms = service.store.norms()
    if norms.empty:
        raise NotFound(_("no input norms are stored; the demo has them (gosplan demo), or import entered norms"))
    return norms


def goods_units(service: Service, goods: list[str]) -> pd.Series:
    ind = service.indicators().set_index("code")["unit"]
    return ind.reindex(goods)


def required_pairs(service: Service, goods: list[str], consumers: list[str]) -> pd.DataFrame:
    """(good, consumer) pairs whose sectors trade in the stored input-output table (Z > 0)."""
    tables = service.store.io_tables()
    if tables.empty:
        return pd.DataFrame(columns=["good", "consumer"])
    _, frames = service.store.io_table()
    Z = frames["Z"]
    sector_of = _io_sector_of(service, Z.index)
    rows = [(g, k) for g in goods for k in consumers
            if sector_of.get(g) and sector_of.get(k) and Z.loc[sector_of[g], sector_of[k]] > 0]
    return pd.DataFrame(rows, columns=["good", "consumer"])


def _io_sector_of(service: Service, io_sectors: pd.Index) -> dict[str, str]:
    """Indicator -> IO sector, walking up the sector tree (``grain`` counts for ``agriculture``)."""
    parents = service.sectors().set_index("code")["parent"].to_dict()
    out = {}
    for code, sector in service.indicators().set_index("code")["sector"].items():
        while isinstance(sector, str) and sector not in io_sectors:
            sector = parents.get(sector)
        if isinstance(sector, str):
            out[code] = sector
    return out


def version_balance(service: Service, code: str, *, mark_stale: bool = True) -> VersionBalance:
    """Balance version ``code``: its targets are the output, its year's items the other flows.

    Raises :class:`~gosplan.errors.ValidationError` naming every good that lacks a norm for a consumer
    whose IO sector buys from the good's sector (the balance would understate its uses).
    """
    version = service.store.plan_version(code)
    year = int(version["year"])
    targets = service.store.version_targets(code)
    norms = norm_table(service)
    goods = sorted(set(norms["good"]))
    consumers = sorted(set(targets["indicator"]))
    missing = missing_norms(norms, required_pairs(service, goods, consumers))
    if len(missing):
        by_good = missing.groupby("good")["consumer"].apply(lambda s: ", ".join(sorted(s)))
        raise ValidationError([Problem("norms", None, "consumer",
                                       _("no norm for {good} per unit of: {names} (their sectors buy {good} "
                                         "in the input-output table)", good=g, names=names))
                               for g, names in by_good.items()])
    items = service.store.balance_items(year)
    from gosplan.service.potentiality import project_norms  # projects' norm changes working in the year

    norms = project_norms(service, norms, targets, year)
    balance = material_balance(norms, targets, items[items.index.isin(goods)], goods=goods)
    hits = _hits(balance)
    caps = capacity_check(service, targets, year, mark_stale=mark_stale)
    return VersionBalance(code, year, balance, goods_units(service, goods), hits, caps)


def _hits(balance: MaterialBalance) -> pd.DataFrame:
    short = balance.deficits().index
    frame = balance.by_consumer[balance.by_consumer["good"].isin(short)].copy()
    frame["share"] = frame["amount"] / frame.groupby("good")["amount"].transform("sum")
    return frame.sort_values(["good", "amount"], ascending=[True, False]).reset_index(drop=True)[HIT_COLUMNS]


def capacity_check(service: Service, targets: pd.DataFrame, year: int, *, mark_stale: bool = True) -> pd.DataFrame:
    """Draft targets and observed output (last year, annualised) against the current capacity records.

    ``capacity`` is the record; ``from_projects`` what projects commissioned by the year add for the
    months they work in it (:func:`gosplan.service.potentiality.year_capacity`), and the draft is checked
    against their sum, ``capacity_in_year``.
    A record below the observed output is stale: it is flagged in the store (``stale_since``) when
    ``mark_stale``, and the draft's utilisation against it is not reported as binding.
    """
    caps = service.store.physical_capacities()
    if caps.empty:
        return pd.DataFrame(columns=["unit", "indicator", "capacity", "as_of", "target", "observed",
                                     "draft_status", "record_status"])
    observed = annualised_output(service, year - 1)
    rec = check_capacities(caps[["unit", "indicator", "capacity"]], observed)
    # Projects commissioned by the year add their capacity for the months they work in it (forecast).
    from gosplan.service.potentiality import year_capacity

    added = year_capacity(service, year).set_index(["unit", "indicator"])["capacity"]
    keys = pd.MultiIndex.from_frame(caps[["unit", "indicator"]])
    caps = caps.assign(from_projects=pd.to_numeric(added.reindex(keys), errors="coerce").fillna(0.0).to_numpy())
    caps["capacity_in_year"] = caps["capacity"] + caps["from_projects"]
    draft = check_capacities(caps[["unit", "indicator", "capacity_in_year"]].rename(
        columns={"capacity_in_year": "capacity"}), targets)
    out = caps[["unit", "indicator", "capacity", "from_projects", "capacity_in_year", "as_of", "stale_since"]].copy()
    out["target"] = draft["output"].to_numpy()
    out["observed"] = rec["output"].to_numpy()
    out["record_status"] = np.where(rec["status"] == "stale", "stale", "current")
    # Against a stale record the draft's utilisation means nothing: say so instead of "binding".
    out["draft_status"] = np.where(out["record_status"] == "stale", "record_stale",
                                   np.where(draft["status"] == "stale", "over", draft["status"]))
    if mark_stale:
        stale = out[out["record_status"] == "stale"]
        if len(stale):
            service.store.mark_capacities_stale(stale)
    return out


def annualised_output(service: Service, year: int) -> pd.DataFrame:
    """Output of ``year`` per leaf unit: the full year if reported, else to date scaled by last year's pattern."""
    last = service.store.last_reported_month()
    if last is None:
        return pd.DataFrame(columns=["unit", "indicator", "value"])
    if int(last[:4]) < year:
        return pd.DataFrame(columns=["unit", "indicator", "value"])
    end = min(f"{year}-12", last)
    to_date = leaf_output(service, f"{year}-01", end)
    months = int(end[5:])
    if months == 12:
        return to_date
    prev_full = leaf_output(service, f"{year - 1}-01", f"{year - 1}-12").groupby("indicator")["value"].sum()
    prev_part = leaf_output(service, f"{year - 1}-01", f"{year - 1}-{months:02d}").groupby("indicator")["value"].sum()
    ratio = (prev_full / prev_part.where(prev_part > 0)).fillna(12 / months)
    return to_date.assign(value=to_date["value"] * to_date["indicator"].map(ratio).fillna(12 / months))


def implications(service: Service, period: str) -> Implications:
    """What the output of ``period`` (e.g. ``2023-H1``) implies, through the norms, against its plan.

    The plan's output for the period is the targets in force for the quarters it covers; the fact is
    the reported output of the same units. Every figure is in the good's physical unit.
    """
    p = Period.parse(period)
    first, last = p.first_month(), p.last_month()
    year = p.year
    targets = service.year_targets(year)
    quarters = [f"{year}-Q{q}" for q in range(1, 5) if (q - 1) * 3 + 1 >= first.index and q * 3 <= last.index]
    if not quarters:
        raise GosplanError(_("{period} does not cover a whole quarter; use a quarter, half-year or year",
                              period=period))
    planned = targets[targets["period"].isin(quarters)].groupby(["unit", "indicator"], as_index=False)["value"].sum()
    leaves = {c for c in service.units()["code"] if service.hierarchy().is_leaf(c)}
    planned = planned[planned["unit"].isin(leaves)]
    actual = leaf_output(service, str(first), str(last))
    actual = actual.merge(planned[["unit", "indicator"]], on=["unit", "indicator"])
    norms = norm_table(service)
    return engine_implications(norms, planned, actual, goods=sorted(set(norms["good"])))


def import_norms(service: Service, path, *, recorded_by: str) -> int:
    """Norms from a CSV, XLSX or Parquet file (good, consumer, norm, source; optional note); all or nothing."""
    from pathlib import Path

    from gosplan.ingest.tables import read_table

    path = Path(path)
    frame = read_table(path)
    if "source" not in frame.columns:
        frame["source"] = "entered"
    summary = service.store.write_norms(frame, recorded_by=recorded_by, source=path.name)
    return summary.total


def import_capacities(service: Service, path, *, recorded_by: str) -> int:
    """Physical capacities from a file (unit, indicator, capacity, source, as_of); all or nothing."""
    from pathlib import Path

    from gosplan.ingest.tables import read_table

    path = Path(path)
    summary = service.store.write_physical_capacities(read_table(path), recorded_by=recorded_by, source=path.name)
    return summary.total


# --------------------------------------------------------------------------------------- the demo
def load_demo_plans(store: Store, demo, *, conn: Connection, base_year: int = 2022) -> None:
    """Write the demo's plan-making data: norms (IO table, reports, entered), physical capacities and
    balance items (2022 closes by construction; 2023 and 2024 planned). The five-year plan's 2024 and
    2025 figures come with the demo's targets (``examples/demo/catalogue.FIVE_YEAR_FIGURES``)."""
    from gosplan.examples.demo import plan_data
    reports = demo.reports
    year_output = reports[reports["period"].str[:4] == str(base_year)]
    producing = year_output[year_output["indicator"].isin(list(plan_data.PRODUCT_SECTORS))]
    output = producing.groupby(["unit", "indicator"], as_index=False)["value"].sum()
    per_indicator = output.groupby("indicator")["value"].sum()
    prices = plan_data.prices(demo.io_table["x"]["gross_output"], per_indicator)
    goods = prices[prices["indicator"].isin(plan_data.BALANCED_GOODS)]
    io_norms = norms_from_io(demo.io_table["Z"], demo.io_table["x"]["gross_output"], goods, prices)
    use = year_output[year_output["indicator"] == "energy_use"][["unit", "value"]]
    report_norms = norms_from_reports("electricity", use, output)
    report_norms = report_norms[report_norms["consumer"] != "electricity"]  # station own use is netted out
    norms = combine_norms(plan_data.entered_norms(), report_norms, io_norms)
    store.write_norms(norms, recorded_by="gosplan demo", source="demo norms", conn=conn)
    caps = plan_data.capacities_frame(reports)
    store.write_physical_capacities(caps, recorded_by="gosplan demo", source="demo capacities", conn=conn)
    base = material_balance(norms, output, goods=plan_data.BALANCED_GOODS)
    rows = []
    for good in plan_data.BALANCED_GOODS:
        trade = plan_data.TRADE[good]
        t = base.table.loc[good]
        residual = t["production"] + trade["imports"] + trade["stock_drawdown"] - t["productive_consumption"] \
            - trade["exports"] - trade["stock_build"]
        final = max(float(residual), 0.0)
        for year in (base_year, base_year + 1, base_year + 2):
            grown = final * (1 + plan_data.FINAL_USE_GROWTH) ** (year - base_year)
            source = "balance of 2022 (final uses: the residual)" if year == base_year else "planned"
            rows.append((good, year, "final_uses", round(grown, -2), source))
            rows.extend((good, year, item, float(value), source) for item, value in trade.items())
    store.write_balance_items(pd.DataFrame(rows, columns=["good", "year", "item", "value", "source"]),
                              source="demo balance items", conn=conn)
