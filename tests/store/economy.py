"""A small economy for the store tests: two provinces, three enterprises, three indicators, two plans."""

from __future__ import annotations

import pandas as pd

SECTORS = pd.DataFrame(
    {
        "code": ["IND", "MET", "AGR"],
        "name": ["Industry", "Metallurgy", "Agriculture"],
        "parent": [None, "IND", None],
    }
)
UNITS = pd.DataFrame(
    {
        "code": ["DPRK", "PY", "SP", "E1", "E2", "E3"],
        "name": ["Country", "Pyongyang", "South Pyongan", "Steel works", "Coal mine", "Farm"],
        "kind": ["country", "province", "province", "enterprise", "enterprise", "enterprise"],
        "parent": [None, "DPRK", "DPRK", "PY", "SP", "SP"],
        "sector": [None, None, None, "MET", "IND", "AGR"],
    }
)
INDICATORS = pd.DataFrame(
    {
        "code": ["steel", "coal", "power"],
        "name": ["Crude steel", "Coal", "Electricity"],
        "unit": ["t", "t", "kWh"],
        "aggregation": ["sum", "sum", "sum"],
        "time_aggregation": ["sum", "sum", "sum"],
        "direction": ["higher", "higher", "higher"],
        "sector": ["MET", "IND", None],
        "key": [True, True, False],
        "role": ["output", "output", "input"],
    }
)
PLANS = pd.DataFrame(
    {
        "code": ["FYP2021", "AP2023"],
        "name": ["Five-year plan 2021-2025", "Annual plan 2023"],
        "kind": ["five-year", "annual"],
        "start_year": [2021, 2023],
        "end_year": [2025, 2023],
        "parent": [None, "FYP2021"],
    }
)


def reports_frame(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator", "unit", "period", "value"])
