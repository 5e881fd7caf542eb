"""The demo's development: two modernisation projects, a research project, and the coal movement's
spread to power stations and steel works.

Invented in the spirit of the 2021-2025 plan's call for the "readjustment, reinforcement and
modernisation" of the key industries and for science and technology as the top priority (FIGURES.md):

* Kim Chaek Iron and Steel Complex modernises its converters and rolling mill (planned for October
  2023, running at 80 % of its planned pace, so late): +30 kt of rolled steel a year and 8 % less
  electricity per tonne;
* Orangchon Power Station replaces its turbines and generators (March 2024, on schedule): +120 GWh a
  year, where the 2024 draft asks more than the station's present capacity;
* a research project at Pyongyang Thermal Power Complex (finished February 2023) introduces a
  combustion technology that burns 5 % less coal per kWh; power stations adopt it by joining the coal
  movement, which steel works join too, each measured by its own sector's indicator.

Budgets in million won. The frames are made without the demo's random generator so adding them
leaves every other demo figure as it was.
"""

from __future__ import annotations

import pandas as pd

from gosplan.model import month_label, month_ordinal

from .activity import LAST_MONTH
from .extras import CAMPAIGN, PROJECT_NAMES_KO

# code, name, unit, budget, start, planned_end, pace (1 = on schedule), kind, product, capacity a year,
# norm good, norm change, movement spreading the technology.
_PROJECTS = [
    ("kimchaek-modern", "Kim Chaek steel: converters and rolling mill modernised", "metal.kimchaek", 90_000.0,
     "2022-10", "2023-10", 0.8, "modernisation", "rolled_steel", 30_000.0, "electricity", -0.08, None),
    ("orangchon-modern", "Orangchon power: turbines and generators replaced", "elec.orangchon", 60_000.0,
     "2023-01", "2024-03", 1.0, "modernisation", "electricity", 120_000_000.0, None, None, None),
    ("coal-combustion", "Research: anthracite combustion with 5 % less coal per kWh", "elec.pyongyang",
     8_000.0, "2022-06", "2023-02", 1.0, "research", "electricity", None, "coal", -0.05, CAMPAIGN),
]
# Share of the schedule elapsed, milestone, cumulative share of the budget.
_MILESTONES = [(0.0, "design approved", 0.0), (0.3, "equipment delivered", 0.35),
               (0.8, "installation complete", 0.85), (1.0, "commissioned", 1.0)]
# Power stations that adopted the combustion technology and steel works that took up the movement.
JOINS = {"2023-03": ["elec.pyongyang"], "2023-04": ["elec.pukchang", "elec.sunchon", "metal.kimchaek"],
         "2023-05": ["elec.eastpy", "metal.chollima"]}
# How the movement measures each sector it crossed into: power stations by output per worker, steel
# works by their electricity norm (kWh per tonne of rolled steel).
MEASURES = [(CAMPAIGN, "electricity", "electricity", "workers"),
            (CAMPAIGN, "metallurgy", "energy_use", "rolled_steel")]


def _share(elapsed: float) -> float:
    points = [m[0] for m in _MILESTONES]
    shares = [m[2] for m in _MILESTONES]
    return float(pd.Series(shares, index=points).reindex(sorted({*points, elapsed})).interpolate("index")[elapsed])


def frames() -> dict[str, pd.DataFrame]:
    """projects, project_milestones, project_progress, project_outcomes, campaign_members and
    campaign_measures of the demo's development."""
    projects, milestones, progress, outcomes = [], [], [], []
    for code, name, unit, budget, start, end, pace, kind, product, capacity, good, change, campaign in _PROJECTS:
        projects.append((code, name, unit, budget, start, end, 0, PROJECT_NAMES_KO[code]))
        outcomes.append((code, kind, product, capacity, good, change, campaign))
        first, last = month_ordinal(start), month_ordinal(end)
        duration = last - first
        for elapsed, milestone, share in _MILESTONES:
            milestones.append((code, milestone, month_label(first + round(elapsed * duration)), share, 0))
        for month in range(first, min(last, LAST_MONTH) + 1):
            done = min(1.0, _share(min(1.0, (month - first + 1) / (duration + 1) * pace)))
            if pace == 1.0 and month == last:
                done = 1.0
            progress.append((code, month_label(month), round(100 * done, 1), round(budget * done * 1.02, 1), 0))
    members = [(CAMPAIGN, unit, month) for month, units in JOINS.items() for unit in units]
    return {
        "projects": pd.DataFrame(projects, columns=["code", "name", "unit", "budget", "start", "planned_end",
                                                    "dwellings", "name_ko"]),
        "project_milestones": pd.DataFrame(milestones, columns=["project", "milestone", "planned_date",
                                                                "planned_value", "dwellings"]),
        "project_progress": pd.DataFrame(progress, columns=["project", "period", "percent_complete", "actual_cost",
                                                            "dwellings_completed"]),
        "project_outcomes": pd.DataFrame(outcomes, columns=["project", "kind", "indicator", "capacity", "norm_good",
                                                            "norm_change", "campaign"]),
        "campaign_members": pd.DataFrame(members, columns=["campaign", "unit", "joined"]),
        "campaign_measures": pd.DataFrame(MEASURES, columns=["campaign", "sector", "indicator", "per"]),
    }


def load(store, *, conn) -> None:
    """Write the development frames into a store that holds the demo economy (one transaction: ``conn``)."""
    f = frames()
    store.write_projects(f["projects"], conn=conn)
    store.write_project_milestones(f["project_milestones"], conn=conn)
    store.write_project_progress(f["project_progress"], source="demo", recorded_by="gosplan demo", conn=conn)
    store.write_project_outcomes(f["project_outcomes"], conn=conn)
    store.write_campaign_members(f["campaign_members"], conn=conn)
    store.write_campaign_measures(f["campaign_measures"], conn=conn)
