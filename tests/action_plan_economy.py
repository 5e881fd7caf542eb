"""A small hand-made economy for the action plan tests (engine and service).

A province P1 with a county; a coal mine and a power station that burns its coal (0.4 t of coal per
kWh here, an entered norm), a second mine ahead of plan, all answering to their ministries.
"""

from __future__ import annotations

import pandas as pd

from gosplan.engines.action_plan import PlanInputs, delivery_chains

MONTHS = ["2023-07", "2023-08", "2023-09", "2023-10", "2023-11", "2023-12"]
UNITS = pd.DataFrame({
    "code": ["KP", "P1", "P1.c", "mine", "mine2", "plant", "farm"],
    "name": ["Country", "Province One", "County", "Mine A", "Mine B", "Power Plant", "Farm F"],
    "kind": ["country", "province", "county", "enterprise", "enterprise", "enterprise", "enterprise"],
    "parent": [None, "KP", "P1", "P1.c", "P1", "P1.c", "P1.c"]})
MINISTRIES = pd.DataFrame({"unit": ["mine", "mine2", "plant", "farm"],
                           "group_code": ["coal_industry", "coal_industry", "power", "agriculture"],
                           "group_name": ["Coal industry", "Coal industry", "Electric power", "Agriculture"]})
NORMS = pd.DataFrame({"good": ["coal"], "consumer": ["electricity"], "norm": [0.4]})


def fact(unit, indicator, uom, target, actual, annual, rest_path):
    return {"unit": unit, "indicator": indicator, "uom": uom, "target": target, "actual": actual,
            "annual_target": annual, "rest_path": rest_path}


def flat_path(unit, indicator, monthly, months=MONTHS):
    return [{"unit": unit, "indicator": indicator, "month": m, "target": monthly} for m in months]


def economy(causes, *, mine_actual=480.0, plant_actual=800.0, mine2_actual=750.0, path=None, peers=None,
            capacity=None):
    """``capacity``: {unit: yearly capacity} of the producers (none recorded: suppliers are not capped)."""
    facts = pd.DataFrame([
        fact("mine", "coal", "t", 600.0, mine_actual, 1200.0, 600.0),
        fact("mine2", "coal", "t", 600.0, mine2_actual, 1200.0, 600.0),
        fact("plant", "electricity", "kWh", 1000.0, plant_actual, 2000.0, 1000.0)])
    path = pd.DataFrame(path if path is not None else
                        flat_path("mine", "coal", 100.0) + flat_path("plant", "electricity", 1000 / 6)
                        + flat_path("mine2", "coal", 100.0))
    output = pd.DataFrame({"unit": ["mine", "mine2", "plant"], "indicator": ["coal", "coal", "electricity"],
                           "value": [480.0, 750.0, 800.0]})
    causes = pd.DataFrame(causes, columns=["unit", "indicator", "origin"])
    chains = delivery_chains(UNITS, output, NORMS, MINISTRIES, pairs=causes[["unit", "indicator"]])
    workers = pd.DataFrame({"unit": ["mine", "mine2", "plant"], "workers": [100.0, 100.0, 50.0]})
    return PlanInputs("2023-H1", "2023-06", facts, path, causes, UNITS, chains=chains, workers=workers,
                      peers=peers, ministries=MINISTRIES,
                      supply_capacity=None if capacity is None else pd.DataFrame(
                          [(u, {"plant": "electricity"}.get(u, "coal"), c) for u, c in capacity.items()],
                          columns=["unit", "indicator", "capacity"]))
