"""Groupings of the demo's enterprises beside the provinces: the ministry each answers to (from its sector)
and, where it decides what a unit can be compared with, its technology.

- Ministry: one per producing sector (coal mines to the coal industry, power stations to electric power...).
- Technology: power stations hydro or thermal (as the catalogue says); coal mines open-pit or underground
  (chosen for the demo: the brown-coal mines of the Hamgyong provinces and the small Chagang mine open-pit,
  the anthracite complexes of the Pyongan provinces underground; not a record of real mining methods);
  farms irrigated (at least half the crop area irrigated, from the demo's farm table) or rain-fed.
- Natural conditions (seam thickness, river inflow, soil), from conditions.py.

>>> from gosplan.examples import build_demo
>>> groups = unit_groups(build_demo(2023))
>>> groups.query("unit == 'elec.supung'")[["grouping", "group_code"]].values.tolist()
[['ministry', 'electric_power'], ['technology', 'hydro'], ['inflow_index', '1.15']]
"""

from __future__ import annotations

import pandas as pd

from .catalogue import ENTERPRISES
from .conditions import condition_groups

# sector -> (group code, group name) of the ministry.
MINISTRIES: dict[str, tuple[str, str]] = {
    "coal": ("coal_industry", "Coal industry"),
    "electricity": ("electric_power", "Electric power"),
    "metallurgy": ("metal_industry", "Metal industry"),
    "chemicals": ("chemical_industry", "Chemical industry"),
    "building_materials": ("building_materials", "Building materials"),
    "forestry": ("forestry", "Forestry"),
    "light_industry": ("light_industry", "Light industry"),
    "fisheries": ("fisheries", "Fisheries"),
    "construction": ("construction", "Construction"),
    "transport": ("rail_transport", "Rail transport"),
    "grain": ("agriculture", "Agriculture"),
}
#: Korean names of the ministries, as the country the demo depicts names them.
MINISTRIES_KO: dict[str, str] = {
    "coal_industry": "석탄공업성", "electric_power": "전력공업성", "metal_industry": "금속공업성",
    "chemical_industry": "화학공업성", "building_materials": "건재공업성", "forestry": "림업성",
    "light_industry": "경공업성", "fisheries": "수산성", "construction": "도시경영성", "rail_transport": "철도성",
    "agriculture": "농업성",
}
TECHNOLOGIES_KO: dict[str, str] = {
    "hydro": "수력발전", "thermal": "화력발전", "open_pit": "노천채굴", "underground": "갱내채굴",
    "irrigated": "관개농업", "rain_fed": "천수농업",
}
TECHNOLOGIES: dict[str, str] = {
    "hydro": "Hydro power", "thermal": "Thermal power", "open_pit": "Open-pit mining",
    "underground": "Underground mining", "irrigated": "Irrigated farming", "rain_fed": "Rain-fed farming",
}
OPEN_PIT_MINES = frozenset({"coal.kowon", "coal.sinchang", "coal.kogonwon", "coal.tanchon", "coal.janggang"})
IRRIGATED_SHARE = 0.5  # a farm with at least this share of its crop area irrigated counts as irrigated


def unit_groups(demo) -> pd.DataFrame:
    """``unit, grouping, group_code, group_name`` of every demo enterprise (``demo``: a DemoEconomy)."""
    rows = []
    for e in ENTERPRISES:
        code, name = MINISTRIES[e.sector]
        rows.append((e.code, "ministry", code, name))
        if e.sector == "electricity":
            rows.append((e.code, "technology", e.technology, TECHNOLOGIES[e.technology]))
        elif e.sector == "coal":
            tech = "open_pit" if e.code in OPEN_PIT_MINES else "underground"
            rows.append((e.code, "technology", tech, TECHNOLOGIES[tech]))
    farms = demo.farms
    for unit, area, irrigated in zip(farms["unit"], farms["crop_area_ha"], farms["irrigated_ha"], strict=True):
        tech = "irrigated" if area > 0 and irrigated / area >= IRRIGATED_SHARE else "rain_fed"
        rows.append((unit, "technology", tech, TECHNOLOGIES[tech]))
    frame = pd.DataFrame(rows, columns=["unit", "grouping", "group_code", "group_name"])
    korean = {**MINISTRIES_KO, **TECHNOLOGIES_KO}
    frame["group_name_ko"] = [korean.get(code) if grouping in ("ministry", "technology") else None
                              for grouping, code in zip(frame["grouping"], frame["group_code"], strict=True)]
    return pd.concat([frame, condition_groups(demo)], ignore_index=True)  # conditions.py: seam, inflow, soil
