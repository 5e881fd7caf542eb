"""Natural conditions of the demo's units that no manager controls, stored as unit groupings.

Each condition is a grouping of ``unit_groups`` whose group code is the unit's value (a number), so
the reserves service can hand it to DEA as a non-discretionary input (see
:data:`gosplan.service.reserves.CONDITIONS`):

- ``seam_thickness``: coal mines, mean thickness of the worked seam in metres. The anthracite
  complexes of the Pyongan provinces work thin, steep seams (0.9-2 m), the brown-coal pits of the
  Hamgyong provinces thick, flat ones (3-6 m). Chosen for the demo, not a survey.
- ``inflow_index``: hydro stations, mean river inflow over the year relative to the station's design
  inflow (1.0 = design); the western Amnok stations above, the small eastern rivers below.
- ``soil_quality``: farms, a 0-100 soil score from the province's grain yield and a fixed per-county
  offset. Farms report no inputs in the demo, so it is stored for when they do.

>>> from gosplan.examples import build_demo
>>> rows = condition_groups(build_demo(2023))
>>> rows.query("unit == 'coal.anju'")[["grouping", "group_code", "group_name"]].values.tolist()
[['seam_thickness', '1.3', '1.3 m']]
"""

from __future__ import annotations

import zlib

import pandas as pd

from .extras import _YIELD

SEAM_THICKNESS_M = {
    "coal.kujang": 1.6, "coal.kaechon": 1.4, "coal.tokchon": 1.8, "coal.sunchon": 2.0, "coal.pukchang": 1.7,
    "coal.anju": 1.3, "coal.jikdong": 1.1, "coal.ryongdung": 0.9, "coal.chonsong": 1.0, "coal.kowon": 4.5,
    "coal.sinchang": 3.2, "coal.ryongmun": 1.2, "coal.kogonwon": 5.5, "coal.kangdong": 1.5,
    "coal.janggang": 3.0, "coal.tanchon": 3.8,
}
INFLOW_INDEX = {
    "elec.supung": 1.15, "elec.huichon": 0.95, "elec.kanggye": 0.9, "elec.unbong": 1.1, "elec.kuryong": 1.0,
    "elec.orangchon": 0.8, "elec.hochon": 0.85, "elec.tanchon": 0.75, "elec.anbyon": 0.7,
}


def soil_quality(unit: str, province: str) -> float:
    """Soil score (0-100) of a farm: 80 at the best province's yield, plus a fixed offset of -6..+6."""
    offset = zlib.crc32(unit.encode()) % 13 - 6
    return float(round(80 * _YIELD[province] / max(_YIELD.values()) + offset))


def condition_groups(demo) -> pd.DataFrame:
    """``unit, grouping, group_code, group_name`` rows of the conditions (``demo``: a DemoEconomy)."""
    from .catalogue import FARMS

    rows = [(u, "seam_thickness", f"{v:g}", f"{v:g} m") for u, v in SEAM_THICKNESS_M.items()]
    rows += [(u, "inflow_index", f"{v:g}", f"inflow {v:g} × design") for u, v in INFLOW_INDEX.items()]
    farms = set(demo.farms["unit"])
    for farm in FARMS:
        if farm.code in farms:
            score = soil_quality(farm.code, farm.province)
            rows.append((farm.code, "soil_quality", f"{score:g}", f"soil {score:g}/100"))
    return pd.DataFrame(rows, columns=["unit", "grouping", "group_code", "group_name"])
