"""A definite action plan: findings first, then measures, each feasible, owned along a delivery
chain and tracked month by month against milestones (pure: frames in, frames out, no sentences).

:func:`build_plan` turns the period's problems (one per unit and indicator, with their causes) into
measures from :data:`~gosplan.engines.action_plan.measures.MEASURE_TYPES`, each sized in physical
units and bounded by what its source can give; what cannot be covered becomes a decision for the
plenum. :func:`~gosplan.engines.action_plan.stocktake.rate_milestones` rates each milestone red,
amber or green as reports arrive and escalates an action that slips twice along its chain.

>>> import pandas as pd
>>> from gosplan.engines.action_plan import PlanInputs, build_plan
>>> units = pd.DataFrame({"code": ["KP", "P1", "a", "b"], "name": ["Country", "Province", "Mine A", "Mine B"],
...     "kind": ["country", "province", "enterprise", "enterprise"], "parent": [None, "KP", "P1", "P1"]})
>>> facts = pd.DataFrame({"unit": ["a", "b"], "indicator": ["coal"] * 2, "uom": ["t"] * 2,
...     "target": [60.0, 60.0], "actual": [48.0, 75.0], "annual_target": [120.0, 120.0],
...     "rest_path": [60.0, 60.0]})
>>> path = pd.DataFrame({"unit": ["a"] * 3, "indicator": ["coal"] * 3, "month": ["2023-07", "2023-08", "2023-09"],
...     "target": [20.0, 20.0, 20.0]})
>>> causes = pd.DataFrame({"unit": ["a"], "indicator": ["coal"], "origin": ["laggards"]})
>>> workers = pd.DataFrame({"unit": ["a", "b"], "workers": [100.0, 100.0]})
>>> plan = build_plan(PlanInputs("2023-H1", "2023-06", facts, path, causes, units, workers=workers))
>>> plan.actions[["unit", "measure", "owner", "effect"]].values.tolist()  # 20 workers spare at B, 0.48 t each
[['a', 'move_workers', 'a', 9.6]]
>>> plan.decisions[["unit", "kind", "quantity"]].round(1).values.tolist()  # what the plenum must find
[['a', 'uncovered', 14.4]]
>>> plan.milestones["planned"].round(1).tolist()  # cumulative since July: (48 + 9.6) / 60 of the path
[19.2, 38.4, 57.6]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from gosplan.engines.action_plan.chains import CHAIN_COLUMNS, ESCALATION_ORDER, delivery_chains, province_of
from gosplan.engines.action_plan.measures import (
    MEASURE_TYPES,
    Settings,
    donor_surplus,
    peer_learning_effect,
    pick_donor,
    schedule_area,
)
from gosplan.engines.action_plan.supply import SpareLedger, spare_capacity
from gosplan.model import Period

FINDING_COLUMNS = ["finding", "unit", "indicator", "uom", "causes", "fulfilment", "annual_target", "rest_needed",
                   "shown_rest", "need", "pace_needed", "covered", "planned_rest"]
ACTION_COLUMNS = ["key", "finding", "unit", "indicator", "uom", "measure", "owner", "co_owners", "effect",
                  "resource", "due", "milestones", "chain", "depends_on"]
MILESTONE_COLUMNS = ["key", "finding", "unit", "indicator", "uom", "month", "planned", "path"]
DECISION_COLUMNS = ["finding", "unit", "indicator", "kind", "quantity", "uom", "details"]
MET_COLUMNS = ["unit", "indicator", "fulfilment"]


@dataclass
class PlanInputs:
    """What the engine needs, as frames (the service loads them).

    - ``facts``: one row per (unit, indicator) at ``as_of``: uom, target and actual to date,
      annual_target, rest_path (what the plan's seasonal path still asks for the rest of the year).
    - ``path``: the plan's monthly output path for the rest of the year (unit, indicator, month, target).
    - ``causes``: the problems the engines found (unit, indicator, origin), one row per cause.
    - ``units``: code, name, kind, parent. ``workers``: unit, workers (average of the period).
    - ``chains``: :func:`delivery_chains` rows. ``peers``: the reserves engine's peer pairs.
    - ``weather``: weather measures (province, indicator, measure, kind, area, cost, shortfall_reduction)
      with ``field``: the field-work path (province, month, target of the irrigation plan) and the
      province's area brought into service in the period (province, done, months).
    - ``movements``: emulation movements with a measured effect (campaign, name, origin_unit, indicator,
      effect: the lower end of its interval on output per worker, members: list of units).
    - ``capacities``: binding capacities (owner_unit, indicator, sector_name, limit, required_output, shadow_price).
    - ``supply_capacity``: physical capacities in the year (unit, indicator, capacity in the indicator's unit):
      a supplier delivers no more than it can spare (:mod:`~gosplan.engines.action_plan.supply`).
    """

    period: str
    as_of: str
    facts: pd.DataFrame
    path: pd.DataFrame
    causes: pd.DataFrame
    units: pd.DataFrame
    chains: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CHAIN_COLUMNS))
    workers: pd.DataFrame | None = None
    peers: pd.DataFrame | None = None
    weather: pd.DataFrame | None = None
    field_path: pd.DataFrame | None = None
    field_done: pd.DataFrame | None = None
    capacities: pd.DataFrame | None = None
    ministries: pd.DataFrame | None = None
    movements: pd.DataFrame | None = None
    supply_capacity: pd.DataFrame | None = None


@dataclass
class ActionPlan:
    """The engine's answer: findings, actions (with owner chains), milestones and plenum decisions."""

    period: str
    as_of: str
    findings: pd.DataFrame
    actions: pd.DataFrame
    milestones: pd.DataFrame
    decisions: pd.DataFrame
    # Problems the engines found whose pace shown already meets the target: no measure, said why.
    met: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MET_COLUMNS))


def build_plan(inputs: PlanInputs, settings: Settings | None = None) -> ActionPlan:
    """Findings, feasible measures, milestones and decisions for ``inputs`` (see :class:`PlanInputs`)."""
    settings = settings or Settings()
    builder = _Builder(inputs, settings)
    builder.run()
    return ActionPlan(inputs.period, inputs.as_of,
                      pd.DataFrame(builder.findings, columns=FINDING_COLUMNS),
                      pd.DataFrame(builder.actions, columns=ACTION_COLUMNS),
                      pd.DataFrame(builder.milestones, columns=MILESTONE_COLUMNS),
                      _by_kind(pd.DataFrame(builder.decisions, columns=DECISION_COLUMNS)),
                      pd.DataFrame(builder.met, columns=MET_COLUMNS))


# The plenum reads its decisions by kind: investment first, then inputs, then hands, then land.
DECISION_ORDER = ("capacity", "supply", "uncovered", "area")


def _by_kind(decisions: pd.DataFrame) -> pd.DataFrame:
    rank = decisions["kind"].map({k: i for i, k in enumerate(DECISION_ORDER)}).fillna(len(DECISION_ORDER))
    return decisions.assign(_rank=rank).sort_values("_rank", kind="stable").drop(columns="_rank").reset_index(
        drop=True)


def _f(value: object, default: float = math.nan) -> float:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return out if math.isfinite(out) else default


class _Builder:
    def __init__(self, inputs: PlanInputs, settings: Settings):
        self.i, self.s = inputs, settings
        self.findings: list[dict] = []
        self.actions: list[dict] = []
        self.milestones: list[dict] = []
        self.decisions: list[dict] = []
        self.met: list[dict] = []
        self.facts = inputs.facts.drop_duplicates(["unit", "indicator"]).set_index(["unit", "indicator"])
        self.provinces = province_of(inputs.units)
        self.workers = ({} if inputs.workers is None
                        else inputs.workers.set_index("unit")["workers"].astype(float).to_dict())
        self.chains = inputs.chains
        self.uoms = inputs.facts.drop_duplicates("indicator").set_index("indicator")["uom"].astype(str).to_dict()
        self.year_end = Period.parse(inputs.as_of).last_month()
        self.year_end = Period(self.year_end.year, "M", 12)
        self.lent: dict[str, int] = {}
        self.spare = SpareLedger(spare_capacity(inputs.supply_capacity, inputs.facts, inputs.as_of))
        self.ministry = ({} if inputs.ministries is None
                         else inputs.ministries.drop_duplicates("unit").set_index("unit")["group_code"].to_dict())

    # -- findings ---------------------------------------------------------------------------------
    def run(self) -> None:
        causes = self.i.causes
        output_causes = causes[~causes["origin"].isin(["risk"])]
        short: set[tuple[str, str]] = set()
        for unit, indicator in output_causes[["unit", "indicator"]].drop_duplicates().itertuples(index=False):
            if (unit, indicator) in self.facts.index and self._need(unit, indicator)[0] > 0:
                short.add((unit, indicator))
        # Suppliers first: what their own measures add takes up their spare capacity before they deliver.
        supplying = set(zip(self.chains["link"], self.chains["good"], strict=True))
        groups = sorted(output_causes.groupby(["unit", "indicator"], sort=True),
                        key=lambda item: (item[0] not in supplying, item[0]))
        for (unit, indicator), group in groups:
            self._output_finding(str(unit), str(indicator), sorted(set(group["origin"])), short)
        if self.i.weather is not None:
            for row in self.i.weather.itertuples(index=False):
                self._weather_finding(row)
        self._link_lagging_suppliers()

    def _link_lagging_suppliers(self) -> None:
        """A laggard whose supplier lags co-owns the supplier's own actions: it must press for them."""
        by_finding: dict[str, list[dict]] = {}
        for action in self.actions:
            by_finding.setdefault(action["finding"], []).append(action)
        for action in self.actions:
            for dependency in action["depends_on"]:
                for theirs in by_finding.get(dependency, []):
                    if action["unit"] not in theirs["co_owners"]:
                        theirs["co_owners"].append(action["unit"])

    def _need(self, unit: str, indicator: str) -> tuple[float, float, float, float]:
        """(need, shown_rest, rest_needed, fulfilment): what the pace shown leaves missing."""
        row = self.facts.loc[(unit, indicator)]
        target, actual = _f(row["target"]), _f(row["actual"])
        fulfilment = actual / target if target > 0 else math.nan
        rest_path = _f(row["rest_path"], 0.0)
        rest_needed = max(_f(row["annual_target"]) - actual, 0.0) if math.isfinite(actual) else math.nan
        if not (math.isfinite(fulfilment) and math.isfinite(rest_needed)):
            return 0.0, math.nan, rest_needed, fulfilment
        shown_rest = fulfilment * rest_path
        return rest_needed - shown_rest, shown_rest, rest_needed, fulfilment

    def _chain(self, unit: str, indicator: str) -> list[dict]:
        links = self.chains[self.chains["unit"].eq(unit) & self.chains["indicator"].eq(indicator)]
        return [{"role": r.role, "link": r.link, "name": r.link_name, "good": r.good}
                for r in links.itertuples(index=False)]

    def _output_finding(self, unit: str, indicator: str, causes: list[str], short: set[tuple[str, str]]) -> None:
        key = f"{unit}:{indicator}"
        if (unit, indicator) not in self.facts.index:
            return
        row = self.facts.loc[(unit, indicator)]
        uom = str(row["uom"])
        need, shown_rest, rest_needed, fulfilment = self._need(unit, indicator)
        chain = self._chain(unit, indicator)
        if "balance" in causes:
            self._capacity_decision(key, unit, indicator, uom)
        if not need > 0:
            # the pace shown already meets the target: a measure now would be met when proposed
            self.met.append({"unit": unit, "indicator": indicator, "fulfilment": fulfilment})
            return
        room = (self.s.pace_multiple - 1) * shown_rest
        finding_actions: list[dict] = []
        # 1. Inputs: every extra unit of output needs its inputs from the chain's suppliers, and no measure
        # plans output beyond what the suppliers can spare (the rest goes to the plenum as a supply decision).
        deliveries = [{"good": link["good"], "uom": self.uoms.get(link["good"]), "supplier": link["link"],
                       "supplier_name": link["name"], "norm": float(norm),
                       "spare": self.spare.available(link["link"], link["good"]),
                       "quantity": float(norm) * need, "supplier_short": (link["link"], link["good"]) in short}
                      for link, norm in self._suppliers(unit, indicator, chain)]
        supplied = min(need, self.spare.supportable([(d["supplier"], d["good"], d["norm"]) for d in deliveries]))
        left = supplied
        # 2. Own effort: learn from a named peer, within the pace multiple.
        peer = self._peer(unit)
        if peer is not None:
            effect = min(left, peer_learning_effect(_f(peer["output_per_worker"]), _f(peer["efficiency"]),
                                                    shown_rest, room))
            if effect > 0:
                finding_actions.append(self._action(key, unit, indicator, uom, "peer_learning", unit,
                                                    [str(peer["peer"])], effect,
                                                    {"kind": "visit", "peer": str(peer["peer"]),
                                                     "peer_name": str(peer["peer_name"]),
                                                     "output_per_worker": _f(peer["output_per_worker"]),
                                                     "peer_output_per_worker": _f(peer["peer_output_per_worker"])},
                                                    chain))
                left -= effect
                room -= effect
        # Own effort too: join the movement of the indicator, at the cautious end of its measured effect.
        movement = self._movement(unit, indicator)
        if movement is not None and left > 0 and room > 0:
            effect = min(left, room, _f(movement["effect"], 0.0) * shown_rest)
            if effect > 0:
                finding_actions.append(self._action(
                    key, unit, indicator, uom, "join_movement", unit, [str(movement["origin_unit"])], effect,
                    {"kind": "movement", "campaign": str(movement["campaign"]), "name": str(movement["name"]),
                     "origin": str(movement["origin_unit"]), "gain": _f(movement["effect"])}, chain))
                left -= effect
                room -= effect
        # A supplier behind plan: its inputs are what hold the unit back, so delivering them restores
        # its own pace (within what the pace multiple leaves).
        if any(d["supplier_short"] for d in deliveries) and left > 0 and room > 0:
            left -= min(left, room)
        # 3. Outside resources: workers from a unit of the same indicator ahead of plan.
        per_worker = shown_rest / self.workers[unit] if self.workers.get(unit, 0) > 0 else math.nan
        if left > 0 and per_worker > 0:
            donor = self._donor(unit, indicator)
            if donor is not None:
                needed = math.ceil(left / per_worker - 1e-9)
                moved = min(needed, int(donor["surplus"]))
                self.lent[str(donor["unit"])] = self.lent.get(str(donor["unit"]), 0) + moved
                effect = min(left, moved * per_worker)
                after = _f(donor["fulfilment"]) * (1 - (self.lent[str(donor["unit"])]) / _f(donor["workers"]))
                cost = moved * _f(donor["per_worker"], 0.0)
                finding_actions.append(self._action(
                    key, unit, indicator, uom, "move_workers", unit, [str(donor["unit"])], effect,
                    {"kind": "workers", "quantity": moved, "uom": "worker", "source": str(donor["unit"]),
                     "source_name": str(donor["name"]), "cost": cost, "cost_uom": uom,
                     "source_fulfilment_after": after}, chain))
                left -= effect
        covered = supplied - max(left, 0.0)
        self.spare.draw(unit, indicator, covered)
        if deliveries and covered > 0:
            for d in deliveries:
                d["quantity"] = d["norm"] * covered
                self.spare.draw(d["supplier"], d["good"], d["quantity"])
            owners = sorted({d["supplier"] for d in deliveries})
            finding_actions.insert(0, self._action(
                key, unit, indicator, uom, "supplier_delivery", unit, owners, covered,
                {"kind": "deliveries", "deliveries": deliveries}, chain,
                depends_on=[f"{d['supplier']}:{d['good']}" for d in deliveries if d["supplier_short"]]))
        if left > 1e-9:
            workers_short = math.ceil(left / per_worker) if per_worker > 0 else None
            self.decisions.append({"finding": key, "unit": unit, "indicator": indicator, "kind": "uncovered",
                                   "quantity": left, "uom": uom,
                                   "details": {"workers": workers_short, "pace_multiple": self.s.pace_multiple,
                                               "pace_needed": rest_needed / shown_rest if shown_rest > 0 else None}})
        if need - supplied > 1e-9:
            self._supply_decision(key, unit, indicator, uom, need, supplied, deliveries)
        planned_rest = shown_rest + covered
        self.findings.append({"finding": key, "unit": unit, "indicator": indicator, "uom": uom, "causes": causes,
                              "fulfilment": fulfilment, "annual_target": _f(row["annual_target"]),
                              "rest_needed": rest_needed, "shown_rest": shown_rest, "need": need,
                              "pace_needed": rest_needed / shown_rest if shown_rest > 0 else math.nan,
                              "covered": covered, "planned_rest": planned_rest})
        if not finding_actions:
            return
        rest_path = _f(row["rest_path"], 0.0)
        rate = planned_rest / rest_path if rest_path > 0 else math.nan
        months = self._milestones(key, unit, indicator, uom, rate)
        for action in finding_actions:
            action["milestones"] = months
            action["due"] = months[-1] if months else str(self.year_end)
            self.actions.append(action)

    def _milestones(self, key: str, unit: str, indicator: str, uom: str, rate: float,
                    extra: dict[str, float] | None = None, path: pd.DataFrame | None = None) -> list[str]:
        """Cumulative planned output since ``as_of`` at the end of each month the path asks for output."""
        path = self.i.path if path is None else path
        rows = path[path["unit"].eq(unit) & path["indicator"].eq(indicator)].sort_values("month")
        cum = cum_path = 0.0
        months = []
        for month, target in zip(rows["month"], rows["target"].astype(float), strict=True):
            add = (extra or {}).get(month, 0.0)
            cum_path += target
            cum += (rate * target if math.isfinite(rate) else 0.0) + add
            if target + add <= 1e-9:
                continue  # out of season: no quota in a month the plan asks nothing
            months.append(str(month))
            self.milestones.append({"key": key, "finding": key, "unit": unit, "indicator": indicator, "uom": uom,
                                    "month": str(month), "planned": cum, "path": cum_path})
        return months

    def _action(self, finding: str, unit: str, indicator: str, uom: str, measure: str, owner: str,
                co_owners: list[str], effect: float, resource: dict, chain: list[dict],
                depends_on: list[str] | None = None) -> dict:
        assert measure in MEASURE_TYPES
        links = [link["link"] for link in chain if link["role"] in ("ministry", "province")]
        return {"key": f"{finding}:{measure}", "finding": finding, "unit": unit, "indicator": indicator, "uom": uom,
                "measure": measure, "owner": owner, "co_owners": list(dict.fromkeys([*co_owners, *links])),
                "effect": effect, "resource": resource, "due": None, "milestones": [], "chain": chain,
                "depends_on": depends_on or []}

    def _suppliers(self, unit: str, indicator: str, chain: list[dict]) -> list[tuple[dict, float]]:
        rows = self.chains[self.chains["unit"].eq(unit) & self.chains["indicator"].eq(indicator)
                           & self.chains["role"].eq("supplier")]
        by_link = {(c["link"], c["good"]): c for c in chain}
        return [(by_link[(r.link, r.good)], _f(r.norm, 0.0)) for r in rows.itertuples(index=False)
                if _f(r.norm, 0.0) > 0]

    def _peer(self, unit: str) -> pd.Series | None:
        peers = self.i.peers
        if peers is None or peers.empty:
            return None
        mine = peers[peers["unit"].eq(unit)].sort_values("rank")
        return None if mine.empty else mine.iloc[0]

    def _movement(self, unit: str, indicator: str) -> pd.Series | None:
        movements = self.i.movements
        if movements is None or movements.empty:
            return None
        open_to = movements[movements["indicator"].eq(indicator)
                            & ~movements["members"].map(lambda members: unit in set(members))]
        return None if open_to.empty else open_to.sort_values("effect", ascending=False).iloc[0]

    def _donor(self, unit: str, indicator: str) -> pd.Series | None:
        facts = self.i.facts
        same = facts[facts["indicator"].eq(indicator) & facts["unit"].ne(unit)]
        if self.ministry and unit in self.ministry:
            same = same[same["unit"].map(self.ministry).eq(self.ministry[unit])]
        rows = []
        for r in same.itertuples(index=False):
            target, actual = _f(r.target), _f(r.actual)
            workers = self.workers.get(r.unit, 0.0)
            fulfilment = actual / target if target > 0 else math.nan
            if not (fulfilment >= self.s.donor_min and workers > 0):
                continue
            surplus = donor_surplus(workers, fulfilment, self.s.donor_floor) - self.lent.get(r.unit, 0)
            if surplus <= 0:
                continue
            rest = _f(r.rest_path, 0.0) * fulfilment
            rows.append({"unit": r.unit, "name": self._name(r.unit), "surplus": surplus,
                         "province": self.provinces.get(r.unit), "per_worker": rest / workers,
                         "fulfilment": fulfilment, "workers": workers})
        return pick_donor(pd.DataFrame(rows, columns=["unit", "name", "surplus", "province", "per_worker",
                                                      "fulfilment", "workers"]), self.provinces.get(unit))

    def _name(self, code: str) -> str:
        names = self.i.units.set_index("code")["name"]
        return str(names.get(code, code))

    def _supply_decision(self, key: str, unit: str, indicator: str, uom: str, need: float, supplied: float,
                         deliveries: list[dict]) -> None:
        """Output the suppliers' spare capacity cannot feed: the inputs short, for the plenum to find."""
        inputs = [{"good": d["good"], "uom": d["uom"], "supplier": d["supplier"], "supplier_name": d["supplier_name"],
                   "spare": d["spare"], "needed": d["norm"] * need, "short": d["norm"] * need - d["spare"]}
                  for d in deliveries if d["norm"] * need - d["spare"] > 1e-9]
        self.decisions.append({"finding": key, "unit": unit, "indicator": indicator, "kind": "supply",
                               "quantity": need - supplied, "uom": uom, "details": {"inputs": inputs}})

    def _capacity_decision(self, key: str, unit: str, indicator: str, uom: str) -> None:
        caps = self.i.capacities
        if caps is None:
            return
        for r in caps[caps["owner_unit"].eq(unit)].itertuples(index=False):
            gap = max(_f(r.required_output) - _f(r.limit), 0.0)
            if gap > 0:
                self.decisions.append({"finding": key, "unit": unit, "indicator": indicator, "kind": "capacity",
                                       "quantity": gap, "uom": "million_won",
                                       "details": {"sector": str(r.sector_name),
                                                   "sector_code": str(getattr(r, "sector", "") or ""),
                                                   "limit": _f(r.limit),
                                                   "shadow_price": _f(r.shadow_price)}})

    # -- weather: areas to drain or irrigate, in the field-work season ---------------------------------
    def _weather_finding(self, row) -> None:
        province, indicator = str(row.province), str(row.indicator)
        key = f"{province}:{indicator}:{row.kind}"
        field_path = self.i.field_path
        done = self.i.field_done
        if field_path is None or done is None:
            return
        plan = field_path[field_path["unit"].eq(province)].sort_values("month")
        mine = done[done["unit"].eq(province)]
        if plan.empty or mine.empty:
            return
        pace = _f(mine["done"].iloc[0], 0.0) / max(int(mine["months"].iloc[0]), 1)
        capacity = [max(0.0, self.s.pace_multiple * pace - t) if t > 0 else 0.0 for t in plan["target"]]
        scheduled = schedule_area(float(row.area), capacity)
        area = sum(scheduled)
        field_indicator = str(plan["indicator"].iloc[0])
        producers = self.i.facts.loc[self.i.facts["indicator"].eq(indicator), "unit"].map(self.ministry).dropna()
        chain = [{"role": "ministry", "link": str(producers.mode().iloc[0]), "name": None, "good": None}] \
            if len(producers) else []
        if area > 0:
            extra = {m: s for m, s in zip(plan["month"], scheduled, strict=True)}
            months = self._milestones(key, province, field_indicator, "hectare", 1.0, extra=extra, path=field_path)
            months = [m for m in months if extra.get(m, 0) > 0 or m <= max(k for k, v in extra.items() if v > 0)]
            action = self._action(key, province, field_indicator, "hectare", "irrigate", province, [], area,
                                  {"kind": "area", "measure": str(row.measure), "hazard": str(row.kind),
                                   "cost": _f(row.cost), "schedule": extra, "pace": pace,
                                   "protects": indicator,
                                   "shortfall_reduction": _f(row.shortfall_reduction) * area / float(row.area)},
                                  chain)
            self.milestones = [m for m in self.milestones if m["key"] != key or m["month"] in months]
            action["milestones"] = months
            action["due"] = months[-1]
            self.actions.append(action)
        if float(row.area) - area > 1e-6:
            self.decisions.append({"finding": key, "unit": province, "indicator": field_indicator, "kind": "area",
                                   "quantity": float(row.area) - area, "uom": "hectare",
                                   "details": {"measure": str(row.measure), "pace": pace,
                                               "pace_multiple": self.s.pace_multiple}})


__all__ = [
    "ACTION_COLUMNS",
    "DECISION_COLUMNS",
    "ESCALATION_ORDER",
    "FINDING_COLUMNS",
    "MEASURE_TYPES",
    "MET_COLUMNS",
    "MILESTONE_COLUMNS",
    "ActionPlan",
    "PlanInputs",
    "Settings",
    "build_plan",
    "delivery_chains",
]
