"""Potentiality on the store: project outcomes in the balances, what late projects cost, Beer's indices.

* :func:`commissioning`: every project with an outcome (capacity added, norm improved) and its planned
  and forecast commissioning month (the earned-value forecast end; a finished project's finish month).
* :func:`year_capacity` and :func:`project_norms`: what the projects add to a year's capacity records
  and how they move its national norms; the plan balance (:mod:`gosplan.service.material`) uses both.
* :func:`late_costs`: what the projects' delays cost in a year, in the product's or the good's unit.
* :func:`potential`: actuality, capability and potentiality per unit and per sector with Beer's
  ratios (:mod:`gosplan.engines.potentiality`).

>>> from gosplan.service import Service
>>> service = Service.open("sqlite://"); _ = service.load_demo()
>>> costs = late_costs(service, 2023)
>>> costs.loc[costs["cost"].eq("output"), ["project", "good", "uom"]].values.tolist()
[['kimchaek-modern', 'rolled_steel', 't']]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gosplan.engines.potentiality import (
    COMMISSIONING_COLUMNS,
    Stall,
    adjusted_norms,
    capacity_in_year,
    late_norm_cost,
    months_in_operation,
    potentiality,
    sum_indices,
)
from gosplan.model import Period

LATE_COLUMNS = ["project", "name", "unit", "kind", "status", "planned", "forecast", "delay_months", "year", "cost",
                "good", "lost", "uom"]
BY_OPTIONS = ("sector", "unit")


def commissioning(service, as_of: str | Period | None = None) -> pd.DataFrame:
    """Projects with an outcome, their planned and forecast commissioning (``COMMISSIONING_COLUMNS``
    and the earned-value ``status``). Empty when no project has an outcome."""
    outcomes = service.store.project_outcomes()
    columns = [*COMMISSIONING_COLUMNS, "status", "campaign"]
    if outcomes.empty:
        return pd.DataFrame(columns=columns)
    from gosplan.service.projects import project_status

    status = project_status(service, as_of)
    merged = outcomes.merge(status[["project", "name", "unit", "planned_end", "forecast_end", "delay_months",
                                    "complete", "status"]], on="project")
    merged = merged.rename(columns={"planned_end": "planned", "forecast_end": "forecast"})
    merged["delay_months"] = np.where(merged["complete"], 0.0, merged["delay_months"].astype(float))
    return merged[columns].reset_index(drop=True)


def norm_effects(service, frame: pd.DataFrame) -> pd.DataFrame:
    """The units where each norm change works, and from when: the project's own unit from its
    commissioning, and for a research project every member of the movement that spreads its technology
    and makes the same product, from the later of commissioning and joining."""
    changes = frame[frame["norm_change"].notna()]
    columns = ["project", "unit", "indicator", "norm_good", "norm_change", "planned", "forecast"]
    if changes.empty:
        return pd.DataFrame(columns=columns)
    sector_of = service.units().set_index("code")["sector"]
    product_sector = service.indicators().set_index("code")["sector"]
    members = service.store.campaign_members()
    rows = []
    for r in changes.itertuples(index=False):
        rows.append((r.project, r.unit, r.indicator, r.norm_good, r.norm_change, r.planned, r.forecast))
        if isinstance(r.campaign, str):
            adopters = members[members["campaign"].eq(r.campaign) & members["unit"].ne(r.unit)]
            for m in adopters.itertuples(index=False):
                if sector_of.get(m.unit) == product_sector.get(r.indicator):
                    rows.append((r.project, m.unit, r.indicator, r.norm_good, r.norm_change,
                                 _later(r.planned, m.joined), _later(r.forecast, m.joined)))
    return pd.DataFrame(rows, columns=columns)


def _later(a: str | None, b: str) -> str | None:
    return None if a is None else max(str(a), str(b))


def year_capacity(service, year: int, as_of: str | Period | None = None) -> pd.DataFrame:
    """Capacity the projects add to ``year`` per (unit, indicator): at the forecast commissioning
    (``capacity``), at the planned one (``planned_capacity``) and the difference (``lost``)."""
    return capacity_in_year(commissioning(service, as_of), year)


def project_norms(service, norms: pd.DataFrame, output: pd.DataFrame, year: int) -> pd.DataFrame:
    """``norms`` for ``year`` with the projects' norm changes working where and when forecast."""
    frame = commissioning(service)
    return adjusted_norms(norms, norm_effects(service, frame), output, year) if len(frame) else norms


def _unit_output(service, year: int) -> pd.DataFrame:
    """The year's output per unit: reported and annualised, or last year's where the year has no reports."""
    from gosplan.service.material import annualised_output

    last = service.store.last_reported_month()
    data_year = min(year, int(last[:4])) if last else year
    return annualised_output(service, data_year)


def late_costs(service, year: int, as_of: str | Period | None = None) -> pd.DataFrame:
    """What the delays of projects cost in ``year``: capacity not working (in the product's unit) and
    norm savings forgone (more of the good used, in its unit); one row per project and good, largest
    first (``LATE_COLUMNS``). Projects whose forecast keeps their planned months in the year cost nothing."""
    frame = commissioning(service, as_of)
    if frame.empty:
        return pd.DataFrame(columns=LATE_COLUMNS)
    rows = []
    for r in frame.itertuples(index=False):
        lost_months = months_in_operation(r.planned, year) - months_in_operation(r.forecast, year)
        if isinstance(r.indicator, str) and pd.notna(r.capacity) and lost_months > 0:
            rows.append((r.project, "output", r.indicator, float(r.capacity) * lost_months / 12))
    effects = norm_effects(service, frame)
    if len(effects):
        from gosplan.service.material import norm_table

        norm_cost = late_norm_cost(effects, norm_table(service), _unit_output(service, year), year)
        rows.extend((c.project, "saving", c.good, float(c.lost)) for c in norm_cost.itertuples(index=False)
                    if c.lost > 0)
    units_of = service.indicators().set_index("code")["unit"]
    info = frame.set_index("project")
    # cost "output": the product not made while the capacity waits; "saving": more of a good used.
    out = pd.DataFrame(rows, columns=["project", "cost", "good", "lost"])
    for column in ("name", "unit", "kind", "status", "planned", "forecast", "delay_months"):
        out[column] = out["project"].map(info[column])
    out["year"] = year
    out["uom"] = out["good"].map(units_of)
    return out.sort_values(["delay_months", "lost"], ascending=False)[LATE_COLUMNS].reset_index(drop=True)


@dataclass
class PotentialView:
    """Beer's three indices for a period: per unit (``units``) and per sector and output (``sectors``),
    the technology uplift measured by the movements (``uplift``: per sector, the relative gain a unit
    that has not joined would get) and each movement's stall check."""

    period: str
    units: pd.DataFrame
    sectors: pd.DataFrame
    uplift: pd.DataFrame
    stalls: dict[str, Stall]


def potential(service, period: str | Period) -> PotentialView:
    """Actuality (reported output), capability (the DEA frontier of the unit's peer group with its own
    inputs) and potentiality (capability plus the capacity of the unit's projects not yet commissioned,
    over the period's months, plus the measured gain of a movement's technology it has not adopted)."""
    p = Period.parse(period)
    return service._cached(("potential", str(p)), lambda: _potential(service, p))


def _potential(service, p: Period) -> PotentialView:
    from gosplan.service.campaigns import campaign_list, campaign_view
    from gosplan.service.reserves import reserves

    table = reserves(service, p).table.set_index("unit")
    end = str(p.last_month())
    frame = commissioning(service, p.last_month()) if len(service.store.project_outcomes()) else pd.DataFrame()
    additions = pd.DataFrame(columns=["unit", "value"])
    if len(frame):
        pending = frame[frame["capacity"].notna() & ~frame["complete"].astype(bool)]
        pending = pending[[u in table.index and table.loc[u, "indicator"] == i
                           for u, i in zip(pending["unit"], pending["indicator"], strict=True)]]
        additions = pd.DataFrame({"unit": pending["unit"], "value": pending["capacity"].astype(float) * p.length / 12})
    uplift_rows, gains, stalls = [], {}, {}
    members = service.store.campaign_members()
    for name in campaign_list(service)["name"]:
        view = campaign_view(service, name)
        stalls[name] = view.stall
        joined = set(members.loc[members["campaign"].eq(name) & members["joined"].le(end), "unit"])
        for s in view.sectors.itertuples(index=False):
            # Only a measured gain in output per worker raises output; its interval must exclude zero.
            if s.lower_is_better or not (np.isfinite(s.ci_low) and s.ci_low > 0):
                continue
            uplift_rows.append((name, s.sector, s.effect_percent / 100))
            for unit in table.index[table["sector"].eq(s.sector)]:
                if unit not in joined:
                    gains[unit] = max(gains.get(unit, 0.0), s.effect_percent / 100)
    units = potentiality(table, additions, pd.Series(gains, dtype=float)).reset_index()
    units = units[["unit", "name", "sector", "indicator", "uom", *units.columns.intersection(
        ["actuality", "capability", "potentiality", "from_projects", "from_technology", "productivity", "latency",
         "performance"])]]
    sectors = sum_indices(units, ["sector", "indicator", "uom"])
    uplift = pd.DataFrame(uplift_rows, columns=["campaign", "sector", "gain"])
    return PotentialView(str(p), units, sectors, uplift, stalls)
