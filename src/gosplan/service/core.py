"""Use cases: load frames from the store, call the engines, write results back.

The only module that knows both the store and the engines. The CLI, the API and the web pages are
thin shells over :class:`Service`::

    service = Service.open("sqlite:///gosplan.db")
    table = service.status("2023-06", by="sector")
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from gosplan.engines.facts import facts, index_weights, weighted_index
from gosplan.engines.fulfilment import (
    MONTH_COLUMNS,
    FulfilmentInputs,
    Thresholds,
    leaders_and_laggards,
    sector_fulfilment,
    window_of,
)
from gosplan.engines.hierarchy import Hierarchy
from gosplan.engines.trajectory import (
    layout_from_ids,
    monthly_trajectories,
    needing_profiles_of,
    seasonal_profiles,
    target_arrays,
    trajectories_of,
)
from gosplan.errors import GosplanError, NotFound
from gosplan.i18n import _, current_language
from gosplan.model import TARGET_COLUMNS, Period, month_label
from gosplan.runner import Runner
from gosplan.store import Store

BY_CHOICES = ("indicator", "sector", "unit")
# The demo economy's input-output table: its name in the store and its year (see examples/demo/io_table.py).
DEMO_IO_NAME = "demo-2023"
DEMO_IO_YEAR = 2023


@dataclass
class StatusView:
    """What ``gosplan status`` shows: the rows and the context needed to title them."""

    table: pd.DataFrame
    by: str
    unit: str
    period: str
    window: str
    # The unit's index over its indicators (engines.facts.weighted_index: one row) and its weights
    # (engines.facts.index_weights); empty with --by unit.
    index: pd.DataFrame = field(default_factory=pd.DataFrame)
    weights: pd.DataFrame = field(default_factory=pd.DataFrame)
    # The plan(s) the figures compare against, named (service.plans.plans_sentence); "" without plans.
    plans: str = ""
    # Which reports the figures count: "provisional" (all current ones) or "official" (approved only).
    basis: str = "provisional"


def _year_periods(year: int) -> list[str]:
    """The year and every half, quarter and month of it, as period texts."""
    return [str(Period(year, "Y"))] + [str(Period(year, k, i)) for k, n in (("H", 2), ("Q", 4), ("M", 12))
                                       for i in range(1, n + 1)]


class Service:
    """The plan cycle's use cases over one store."""

    def __init__(self, store: Store, runner: Runner | None = None, thresholds: Thresholds | None = None):
        self.store = store
        self.runner = runner or Runner()
        self.thresholds = thresholds or Thresholds()
        self._cache: dict[tuple, object] = {}
        # Which reports every figure of this service counts (see :meth:`on_basis`).
        self.basis = "provisional"

    @classmethod
    def open(cls, url: str | None = None, **kwargs) -> Service:
        return cls(Store.open(url), **kwargs)

    def on_basis(self, basis: str) -> Service:
        """A service over the same store whose figures (the fact table and all that reads it) count
        ``"provisional"`` reports (every current one) or ``"official"`` ones (approved, accepted or
        locked months only, see :func:`gosplan.service.workflow.official_totals`)."""
        from gosplan.service.workflow import BASES

        if basis not in BASES:
            raise GosplanError(_("{option} must be one of {choices}, not {value}", option="--basis",
                                  choices=", ".join(BASES), value=repr(basis)))
        if basis == self.basis:
            return self
        other = Service(self.store, self.runner, self.thresholds)
        other.basis = basis
        return other

    # ----------------------------------------------------------------- reference data
    def units(self) -> pd.DataFrame:
        return self._cached(("units",), self.store.units)

    def indicators(self) -> pd.DataFrame:
        return self._cached(("indicators",), self.store.indicators)

    def sectors(self) -> pd.DataFrame:
        return self._cached(("sectors",), self.store.sectors)

    def groupings(self) -> list[str]:
        """The groupings of units a table can be split by (ministry, technology...): the store's, without
        the natural conditions kept beside them (seam thickness, inflow...), which are values, not groups."""
        from gosplan.service.reserves import CONDITIONS

        return [g for g in self.store.groupings() if g not in CONDITIONS]

    def hierarchy(self) -> Hierarchy:
        return self._cached(("hierarchy",), lambda: Hierarchy(self.units()))

    def root(self) -> str:
        roots = self.hierarchy().roots
        if not roots:
            raise NotFound(_("the store has no units yet: import units first (gosplan template units)"))
        return roots[0]

    def invalidate(self) -> None:
        """Forget cached frames after a write."""
        self._cache.clear()

    def _cached(self, key: tuple, load):
        # Names and sentences follow the reader's language: each language has its own frames.
        key = (current_language(), *key)
        if key not in self._cache:
            self._cache[key] = load()
        return self._cache[key]

    # ----------------------------------------------------------------- targets
    def year_targets(self, year: int, indicators: list[str] | None = None) -> pd.DataFrame:
        """The targets in force for ``year``: an annual plan's target wins over the five-year plan's."""
        targets = self.store.targets(indicators=indicators, periods=_year_periods(year))
        if targets.empty or len(pd.unique(targets["plan"])) == 1:
            return targets  # one plan: nothing to choose between
        rank = self._plan_ranks(year)
        targets = targets.assign(_rank=targets["plan"].map(rank).fillna(2).to_numpy())
        targets = targets.sort_values("_rank", kind="stable").drop_duplicates(["indicator", "unit", "period"])
        return targets.drop(columns="_rank").reset_index(drop=True)

    def year_target_layout(self, year: int) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
        """:meth:`year_targets` laid out per series (``trajectory.target_arrays``), read as ids."""
        ids = self.store.target_ids(_year_periods(year))
        keep = np.arange(len(ids.value))
        if len(np.unique(ids.plan_id)) > 1:
            # The plan in force per (indicator, unit, period), as in year_targets: lowest rank first.
            rank = self._plan_ranks(year)
            plan_rank = pd.Series(ids.plan_codes).map(rank).fillna(2).to_numpy()[ids.plan_id]
            series = (ids.indicator_id * (int(ids.unit_id.max()) + 1) + ids.unit_id) * len(ids.periods)
            order = np.lexsort((ids.plan_id, plan_rank))
            _, first = np.unique((series + ids.period_code)[order], return_index=True)
            keep = order[first]
        # The plan(s) in force per indicator, for the fact table's ``plan`` column.
        pairs = pd.DataFrame({"indicator": ids.indicator_id[keep], "plan": ids.plan_id[keep]}).drop_duplicates()
        pairs = pairs.assign(indicator=np.asarray(ids.indicator_codes, dtype=object)[pairs["indicator"]],
                             plan=np.asarray(ids.plan_codes, dtype=object)[pairs["plan"]])
        self._cache[("plans", year)] = pairs.groupby("indicator")["plan"].agg(lambda p: ";".join(sorted(map(str, p))))
        return layout_from_ids(ids.indicator_id[keep], ids.unit_id[keep], ids.period_code[keep], ids.value[keep],
                               ids.periods, ids.indicator_codes, ids.unit_codes)

    def _plan_ranks(self, year: int) -> pd.Series:
        """0 for an annual plan starting in ``year``, 1 for another annual plan, 2 for the rest."""
        plans = self.store.plans().set_index("code")
        is_annual = plans["kind"].eq("annual")
        return pd.Series(np.where(is_annual & plans["start_year"].eq(year), 0, np.where(is_annual, 1, 2)),
                         index=plans.index)

    # ----------------------------------------------------------------- fulfilment
    def fulfilment_inputs(self, period: str | Period, window: str = "ytd") -> FulfilmentInputs:
        months = window_of(period, window)
        year = months.first.year
        indicators = self.indicators()
        self.store.refresh_report_months()
        totals = self.store.report_totals
        if self.basis == "official":
            from gosplan.service.workflow import official_totals

            self.hierarchy()  # read once here, not by two threads at once
            totals = lambda first, last: official_totals(self, first, last)  # noqa: E731
        reads = [
            (self.year_target_layout, (year,)),
            (totals, (str(months.first), str(months.last))),
            (totals, (str(months.first.previous_year()), str(months.last.previous_year()))),
        ]
        if self.store.dialect == "postgresql":
            # Side by side: the server works on one read while this process turns another's columns
            # into frames (the driver lets go of the GIL while it waits). Not on SQLite, where the
            # work is the driver's per-row tuples under the GIL, and where an in-memory database
            # exists on one connection only.
            with ThreadPoolExecutor(max_workers=len(reads)) as pool:
                futures = [pool.submit(read, *args) for read, args in reads]
                layout, actual, previous = (future.result() for future in futures)
        else:
            layout, actual, previous = (read(*args) for read, args in reads)
        time_agg = indicators.set_index("code")["time_aggregation"]
        # Seasonal profiles cost a scan of three years of reports: only for trajectories that need one.
        needing = sorted(set(needing_profiles_of(*layout, time_agg)["indicator"]))
        if needing:
            month_sums = self.store.report_month_sums(f"{year - 3}-01", f"{year - 1}-12", indicators=needing)
        else:
            month_sums = pd.DataFrame(columns=["indicator", "unit", "month", "total", "years"])
        # The long target frame is not read: the engine needs only the layout.
        targets = pd.DataFrame(columns=TARGET_COLUMNS)
        return FulfilmentInputs(self.units(), indicators, targets, actual, previous, month_sums, layout,
                                plans=self._cache.get(("plans", year)), io_output=self.io_output())

    def io_output(self) -> pd.DataFrame | None:
        """Gross output (million won a year) of each output indicator's input-output sector, from the
        most recent stored IO table (None without one): the base of the fact table's plan prices."""
        def load() -> pd.DataFrame | None:
            if self.store.io_tables().empty:
                return None
            _, frames = self.store.io_table()
            gross = frames["x"].iloc[:, 0].astype(float) if "x" in frames else pd.Series(dtype=float)
            parents = self.sectors().set_index("code")["parent"].to_dict()
            rows = []
            for code, sector, role in self.indicators()[["code", "sector", "role"]].itertuples(index=False):
                node, seen = sector, set()
                while isinstance(node, str) and node not in gross.index and node not in seen:
                    seen.add(node)
                    node = parents.get(node)
                if isinstance(node, str) and node in gross.index and (role or "output") == "output":
                    rows.append({"indicator": code, "io_sector": node, "gross_output": float(gross[node])})
            return pd.DataFrame(rows, columns=["indicator", "io_sector", "gross_output"])

        return self._cached(("io_output",), load)

    def facts(self, period: str | Period, window: str = "ytd") -> pd.DataFrame:
        """The fact table: every figure shown for every unit x indicator (see engines.facts).

        >>> from gosplan.store import Store
        >>> Service(Store.open("sqlite://")).facts("2023-06").empty
        True
        """
        key = ("facts", str(Period.parse(period)), window)
        return self._cached(key, lambda: facts(self.fulfilment_inputs(period, window), period,
                                               window=window, thresholds=self.thresholds))

    def fulfilment(self, period: str | Period, window: str = "ytd") -> pd.DataFrame:
        """The plan-fact table: the fact table itself (:meth:`facts`), kept under its old name."""
        return self.facts(period, window)

    def sector_fulfilment(self, period: str | Period, window: str = "ytd", unit: str | None = None) -> pd.DataFrame:
        """Sector rows of the fact table; ``unit``: that unit's rows only (a hundredth of the work for the top)."""
        key = ("sectors", str(Period.parse(period)), window, unit)
        whole = (current_language(), "sectors", str(Period.parse(period)), window, None)  # the cache's key
        if unit is not None and whole in self._cache:
            table = self.sector_fulfilment(period, window)
            return table[table["unit"].eq(unit)].reset_index(drop=True) if len(table) else table

        def load() -> pd.DataFrame:
            facts = self.fulfilment(period, window)
            facts = facts if unit is None else facts[facts["unit"].eq(unit)]
            return sector_fulfilment(facts, self.indicators(), self.sectors(), self.thresholds)

        return self._cached(key, load)

    def status(self, period: str, *, unit: str | None = None, sector: str | None = None,
               indicator: str | None = None, depth: int | None = None, by: str = "indicator",
               window: str = "ytd") -> StatusView:
        """Plan fulfilment for a unit subtree, by indicator, sector or unit (league table), or by a grouping
        beside the hierarchy (``by="ministry"``: the leaf units' rows summed by their group); the view names
        the plan(s) in force it compares against."""
        from dataclasses import replace

        from gosplan.service.plans import plans_sentence

        view = self._status(period, unit=unit, sector=sector, indicator=indicator, depth=depth, by=by, window=window)
        codes = view.table["plan"] if "plan" in view.table else self.fulfilment(period, window).query(
            "unit == @view.unit")["plan"]
        return replace(view, plans=plans_sentence(self, codes), basis=self.basis)

    def _status(self, period: str, *, unit: str | None, sector: str | None, indicator: str | None,
                depth: int | None, by: str, window: str) -> StatusView:
        hierarchy = self.hierarchy()
        unit = unit or self.root()
        if unit not in hierarchy.parent:
            raise NotFound(_("unknown unit {unit}", unit=repr(unit)))
        indicator_codes = self._indicator_filter(sector, indicator)
        if by not in BY_CHOICES:  # a grouping beside the hierarchy: ministry, technology...
            from gosplan.service.groupings import group_table

            if by not in self.groupings():
                choices = [*BY_CHOICES, *self.groupings()]
                raise GosplanError(_("{option} must be one of {choices}, not {value}", option="--by",
                                      choices=", ".join(choices), value=repr(by)))
            table = group_table(self, period, unit, by, indicator_codes, window)
            return StatusView(table, by, unit, str(period), window_of(period, window).label)
        if by == "sector":
            table = self.sector_fulfilment(period, window)
            table = table[table["unit"].eq(unit)]
            if sector:
                table = table[table["sector"].isin(self._sector_members(sector))]
            return StatusView(table.reset_index(drop=True), by, unit, str(period), window_of(period, window).label,
                              *self.index(period, unit, window, indicator_codes))
        table = self.fulfilment(period, window)
        if indicator_codes is not None:
            table = table[table["indicator"].isin(indicator_codes)]
        if by == "indicator":
            table = table[table["unit"].eq(unit)]
            return StatusView(table.reset_index(drop=True), by, unit, str(period), window_of(period, window).label,
                              *self.index(period, unit, window, indicator_codes))
        else:
            base = hierarchy.depth[unit]
            span = 1 if depth is None else max(depth, 1)
            members = set(hierarchy.subtree(unit))
            table = table[table["unit"].isin(members) & table["depth"].between(base + 1, base + span)]
            table = table.sort_values(["indicator", "depth", "fulfilment"], ascending=[True, True, False])
        return StatusView(table.reset_index(drop=True), by, unit, str(period), window_of(period, window).label)

    def index(self, period: str | Period, unit: str | None = None, window: str = "ytd",
              indicators: list[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """``unit``'s index over its output indicators at constant plan prices, and its weights.

        Returns (``weighted_index`` row, ``index_weights``): see :mod:`gosplan.engines.facts`.
        """
        unit = unit or self.root()
        table = self.facts(period, window)
        outputs = self.indicators().loc[lambda d: d["role"].fillna("output").eq("output"), "code"]
        rows = table[table["unit"].eq(unit) & table["indicator"].isin(outputs)]
        if indicators is not None:
            rows = rows[rows["indicator"].isin(indicators)]
        return weighted_index(rows), index_weights(rows, unit)

    def _indicator_filter(self, sector: str | None, indicator: str | None) -> list[str] | None:
        indicators = self.indicators()
        if indicator:
            if indicator not in set(indicators["code"]):
                raise NotFound(_("unknown indicator {indicator}", indicator=repr(indicator)))
            return [indicator]
        if sector:
            return indicators.loc[indicators["sector"].isin(self._sector_members(sector)), "code"].tolist()
        return None

    def _sector_members(self, sector: str) -> set[str]:
        sectors = self.sectors()
        if sector not in set(sectors["code"]):
            raise NotFound(_("unknown sector {sector}", sector=repr(sector)))
        members, stack = set(), [sector]
        while stack:
            code = stack.pop()
            members.add(code)
            stack.extend(sectors.loc[sectors["parent"].eq(code), "code"])
        return members

    def leaders_and_laggards(self, period: str, limit: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
        table = self.fulfilment(period)
        leaves = table[table["unit"].map(self.hierarchy().is_leaf)]
        return leaders_and_laggards(leaves, limit=limit)

    def not_reported(self, period: str) -> pd.DataFrame:
        """Units with a target that did not report every month of the year to date."""
        table = self.fulfilment(period)
        leaves = table[table["unit"].map(self.hierarchy().is_leaf) & table["expected"].gt(0)]
        missing = leaves[leaves["missing"].gt(0)].copy()
        months = len(window_of(period))
        missing["months_missing"] = months - missing["months_reported"].fillna(0).astype(int)
        return missing[["unit", "unit_name", "indicator", "indicator_name", "months_reported",
                        "months_missing"]].reset_index(drop=True)

    def cumulative(self, period: str, unit: str | None = None, indicators: list[str] | None = None
                   ) -> pd.DataFrame:
        """Monthly and cumulative actual, last year and target trajectory for a unit's subtree.

        Columns: indicator, month (1..12), actual, previous, target (monthly) and their cumulative
        sums ``cum_actual``, ``cum_previous``, ``cum_target``.
        """
        unit = unit or self.root()
        p = Period.parse(period)
        indicators = indicators or self.indicators().loc[lambda d: d["key"].astype(bool), "code"].tolist()
        wanted = sorted(set(indicators))
        # Cached per last month: the review's charts and its forecast fans ask for the same curves.
        table = self._cached(("cumulative", str(p.last_month()), unit, tuple(wanted)),
                             lambda: self._cumulative(p, unit, wanted))
        order = {code: i for i, code in enumerate(dict.fromkeys(indicators))}
        return (table.assign(_order=table["indicator"].map(order)).sort_values(["_order", "month"], kind="stable")
                .drop(columns="_order").reset_index(drop=True))

    def _cumulative(self, p: Period, unit: str, indicators: list[str]) -> pd.DataFrame:
        year = p.year
        period = str(p)
        hierarchy = self.hierarchy()
        members = hierarchy.subtree(unit)
        reports = self.store.reports(indicators=indicators, units=members, first=f"{year - 1}-01",
                                     last=str(p.last_month()))
        leaves = [m for m in members if hierarchy.is_leaf(m)]
        reports = reports[reports["unit"].isin(leaves)]
        reports = reports.assign(year=reports["period"].str[:4].astype(int),
                                 month=reports["period"].str[5:7].astype(int))
        monthly = reports.groupby(["indicator", "year", "month"])["value"].sum().unstack("year")
        inputs = self._cached(("inputs", str(p)), lambda: self.fulfilment_inputs(period))
        targets = self.year_targets(year, indicators=indicators)
        ind = self.indicators().set_index("code")
        if targets.empty:
            traj = monthly_trajectories(targets, year, ind["time_aggregation"])
        else:
            # Profiles only for the series whose targets leave months to spread (as the fulfilment does):
            # profiling every enterprise's series cost seconds per call.
            keys, arrays = target_arrays(targets, year)
            needing = needing_profiles_of(keys, arrays, ind["time_aggregation"])
            profiles = seasonal_profiles(inputs.month_sums, needing, hierarchy)
            traj = trajectories_of(keys, arrays, ind["time_aggregation"], profiles)
        traj = traj[traj["unit"].isin(members)]
        rolled = hierarchy.rollup(traj, ["indicator"], MONTH_COLUMNS)
        rolled = rolled[rolled["unit"].eq(unit)].set_index("indicator")
        rows = []
        for code in indicators:
            for month in range(1, 13):
                def value(y: int, code: str = code, month: int = month) -> float:
                    if y not in monthly.columns or (code, month) not in monthly.index:
                        return np.nan
                    return float(monthly.loc[(code, month), y])
                actual = value(year) if month <= p.last_month().index else np.nan
                target = float(rolled.loc[code, f"m{month}"]) if code in rolled.index else np.nan
                rows.append({"indicator": code, "month": month, "actual": actual, "previous": value(year - 1),
                             "target": target})
        out = pd.DataFrame(rows)
        for col in ("actual", "previous", "target"):
            out[f"cum_{col}"] = out.groupby("indicator")[col].cumsum(skipna=False)
        return out

    # ----------------------------------------------------------------- import / export
    def import_file(self, path: str | Path, kind: str | None = None, *, source: str | None = None,
                    recorded_by: str = "cli", today: date | None = None):
        # Through the audited path, so a file import is in the audit log like every other write.
        from gosplan.service.audit import import_file

        return import_file(self, path, kind, source=source, recorded_by=recorded_by, today=today)

    def export(self, what: str, path: str | Path, period: str | None = None) -> Path:
        """Write ``reports`` (current values), ``targets``, ``fulfilment`` or ``sectors`` to a file."""
        from gosplan.ingest import write_table

        if what == "reports":
            frame = self.store.reports()
        elif what == "targets":
            frame = self.store.targets()
        elif what in ("fulfilment", "sectors"):
            if not period:
                raise GosplanError(_("exporting {what} needs --period", what=what))
            frame = self.fulfilment(period) if what == "fulfilment" else self.sector_fulfilment(period)
        else:
            raise GosplanError(_("cannot export {what}: choose reports, targets, fulfilment or sectors",
                                 what=repr(what)))
        path = Path(path)
        write_table(frame, path)
        return path

    # ----------------------------------------------------------------- demo
    def load_demo(self, seed: int = 2023) -> dict[str, int]:
        """Write the built-in demo economy into this (empty) store; returns row counts."""
        from gosplan.examples import build_demo
        from gosplan.examples.demo import potential as demo_potential
        from gosplan.examples.demo.groupings import unit_groups
        from gosplan.examples.demo.metadata import with_metadata
        from gosplan.examples.demo.names_ko import with_korean_names
        from gosplan.service.material import load_demo_plans

        demo = build_demo(seed)
        counts: dict[str, int] = {}
        with self.store.transaction() as conn:
            self.store.write_sectors(with_korean_names("sectors", demo.sectors), conn=conn)
            self.store.write_units(with_korean_names("units", demo.units), conn=conn)
            self.store.write_indicators(with_korean_names("indicators", with_metadata(demo.indicators)), conn=conn)
            self.store.write_plans(with_korean_names("plans", demo.plans), conn=conn)
            self.store.write_targets(demo.targets, source="demo", recorded_by="gosplan demo", conn=conn)
            self.store.write_reports(demo.reports, source="demo", recorded_by="gosplan demo", conn=conn)
            self.store.write_reports(demo.corrections, source="demo correction", recorded_by="gosplan demo",
                                     conn=conn)
            self.store.write_projects(demo.projects, conn=conn)
            self.store.write_project_milestones(demo.project_milestones, conn=conn)
            self.store.write_project_progress(demo.project_progress, source="demo", recorded_by="gosplan demo",
                                              conn=conn)
            self.store.write_farms(demo.farms, conn=conn)
            self.store.write_weather_events(demo.weather_events, conn=conn)
            self.store.write_campaigns(demo.campaigns, conn=conn)
            self.store.write_campaign_members(demo.campaign_members, conn=conn)
            demo_potential.load(self.store, conn=conn)  # modernisation, research, the movement across sectors
            self.store.write_io_table(DEMO_IO_NAME, DEMO_IO_YEAR, demo.io_table, source="demo", conn=conn)
            self.store.write_capacities(demo.capacities.assign(year=DEMO_IO_YEAR), conn=conn)
            load_demo_plans(self.store, demo, conn=conn)
            counts["unit_groups"] = self.store.write_unit_groups(unit_groups(demo), conn=conn).new
        self.store.set_meta("dataset", "demo")
        self.store.set_meta("demo_seed", str(seed))
        for name in ("sectors", "units", "indicators", "plans", "targets", "reports", "corrections", "projects",
                     "project_milestones", "project_progress", "farms", "weather_events", "campaigns",
                     "campaign_members", "capacities"):
            counts[name] = len(getattr(demo, name))
        counts["io_sectors"] = len(demo.io_table["Z"])
        # the development projects and movement members of examples/demo/potential.py come on top
        counts["projects"] = len(self.store.projects())
        counts["campaign_members"] = len(self.store.campaign_members())
        self.invalidate()
        # The monthly refresh after the last month's reports: the demo opens with its alerts raised.
        from gosplan.service.alerts import refresh_alerts

        raised = refresh_alerts(self)
        counts["alerts"] = raised.new if raised is not None else 0
        self.invalidate()
        return counts


def last_complete_month(today: date | None = None) -> str:
    today = today or date.today()
    return month_label(today.year * 12 + today.month - 2)
