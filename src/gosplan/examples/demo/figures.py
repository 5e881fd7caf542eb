"""Magnitudes, calendars and behaviour of the demo economy.

National magnitudes come from the public South Korean estimates collected in ``FIGURES.md`` next to
this module (Statistics Korea, *Major Statistical Indicators of North Korea*; Bank of Korea GDP
estimates; Rural Development Administration crop estimates; plan facts from KCNA and Yonhap), copied
here so that nothing outside the package is read at run time:

=====================  ==========  ==========  =============================================
indicator              2021        2022        2023 plan (annual)
=====================  ==========  ==========  =============================================
coal (Mt)              15.6        16.3        16.45  (H1 at 104 % -> ~17.1 Mt, the 2023 estimate)
grain (Mt, RDA)        4.69        4.51        4.90   (RDA 2023 estimate 4.82)
electricity (TWh)      23.4        24.2        23.8   ("about 24 TWh"; 23.5-23.9 TWh in 2010-2017)
rolled steel (Mt)      0.28        0.29        0.31   (crude steel ~0.29 in 2022, 0.35 in 2023)
nitrogen fert. (Mt)    0.64        0.659       0.667  (chemical fertilizer 0.68 Mt in 2023, +3.2 %)
cement (Mt)            6.45        6.56        7.00   (~6.56 in 2022, 7.06 in 2023)
dwellings              30,000      35,600      36,000 (10,000 flats a year in Pyongyang; ~25,600
                                                       rural dwellings in 2022)
=====================  ==========  ==========  =============================================

Non-ferrous metals, timber, fabric, marine products, rail freight and irrigation have no published
quantities; their magnitudes are plausible inventions. The first half of 2023 is calibrated to the
plenum's figures: electricity 101 %, coal 104 %, metals 112 %, chemicals 102 % of plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# National annual actual (2021, 2022) and national annual plan (2023), canonical units.
NATIONAL: dict[str, tuple[float, float, float]] = {
    "coal": (15.6e6, 16.3e6, 16.45e6),
    "grain": (4.69e6, 4.51e6, 4.90e6),
    "electricity": (23.4e9, 24.2e9, 23.8e9),
    "rolled_steel": (0.28e6, 0.29e6, 0.31e6),
    "nonferrous_metals": (0.075e6, 0.078e6, 0.080e6),
    "nitrogen_fertilizer": (0.640e6, 0.659e6, 0.667e6),
    "cement": (6.45e6, 6.56e6, 7.00e6),
    "timber": (1.45e6, 1.50e6, 1.60e6),
    "fabric": (110e6, 115e6, 120e6),
    "marine_products": (0.62e6, 0.64e6, 0.68e6),
    "dwellings": (30_000, 35_600, 36_000),
    "rail_freight": (8.0e9, 8.2e9, 8.5e9),
    "irrigation": (40_000, 45_000, 60_000),
}
# Dwellings split: the capital builds 10,000 flats a year; the rest is rural housing.
CAPITAL_DWELLINGS = 10_000

# H1 2023 fulfilment reported to the July 2023 plenum, by sector, and the indicators each covers.
PLENUM_H1_2023: dict[str, float] = {"electricity": 1.01, "coal": 1.04, "metallurgy": 1.12, "chemicals": 1.02}
CALIBRATED_SECTORS: dict[str, list[str]] = {
    "electricity": ["electricity"],
    "coal": ["coal"],
    "metallurgy": ["rolled_steel", "nonferrous_metals"],
    "chemicals": ["nitrogen_fertilizer"],
}

# Month weights (Jan..Dec) by technology; normalised to shares of the year when used.
SEASONS: dict[str, list[float]] = {
    "thermal": [1.08, 1.05, 1.02, 0.97, 0.95, 0.93, 0.92, 0.94, 0.97, 1.0, 1.05, 1.10],
    # Wet summer (the changma rains of July-August), dry frozen winter.
    "hydro": [0.60, 0.55, 0.65, 0.80, 0.95, 1.15, 1.45, 1.60, 1.35, 1.10, 0.95, 0.85],
    # Summer rains flood the pits.
    "mine": [1.0, 0.95, 1.05, 1.05, 1.05, 1.0, 0.90, 0.88, 1.0, 1.05, 1.05, 1.02],
    "steel": [0.95, 0.95, 1.0, 1.02, 1.02, 1.02, 1.0, 0.98, 1.0, 1.02, 1.03, 1.01],
    "nonferrous": [0.95, 0.95, 1.0, 1.02, 1.02, 1.0, 0.97, 0.97, 1.0, 1.03, 1.05, 1.04],
    # Fertilizer is pushed out before the spring sowing.
    "fertilizer": [1.05, 1.05, 1.08, 1.05, 1.0, 0.95, 0.92, 0.95, 0.98, 1.0, 1.0, 1.02],
    "cement": [0.70, 0.75, 0.95, 1.10, 1.15, 1.10, 1.0, 1.0, 1.10, 1.15, 1.10, 0.80],
    # Felling and hauling on frozen ground.
    "timber": [1.30, 1.30, 1.20, 1.0, 0.80, 0.70, 0.60, 0.60, 0.80, 1.0, 1.20, 1.30],
    "textile": [0.97, 0.95, 1.0, 1.0, 1.02, 1.02, 1.0, 0.98, 1.0, 1.02, 1.02, 1.02],
    "fishery": [0.60, 0.60, 0.90, 1.20, 1.30, 1.20, 0.80, 0.80, 1.10, 1.30, 1.30, 0.90],
    # Building slows in the frozen months; flats in the capital are handed over around April.
    "capital_housing": [0.30, 0.40, 0.90, 2.00, 1.30, 1.10, 1.0, 1.0, 1.10, 1.20, 1.0, 0.70],
    "rural_housing": [0.40, 0.50, 0.90, 1.20, 1.30, 1.20, 1.0, 1.0, 1.20, 1.30, 1.20, 0.80],
    "rail": [0.95, 0.95, 1.0, 1.02, 1.02, 1.0, 0.95, 0.95, 1.02, 1.05, 1.05, 1.04],
    # Early crop (wheat, barley, early potato) in June-July; rice and maize in September-November.
    "grain": [0, 0, 0, 0, 0, 0.05, 0.06, 0.03, 0.22, 0.40, 0.22, 0.02],
    "potato": [0, 0, 0, 0, 0, 0.02, 0.08, 0.20, 0.45, 0.22, 0.03, 0],
    # Irrigation works are done in the slack season, most in the spring campaign.
    "irrigation": [0.10, 0.12, 0.22, 0.22, 0.10, 0.03, 0, 0, 0.02, 0.04, 0.08, 0.07],
}


def month_shares(technology: str) -> np.ndarray:
    """Shares of the year's output by month for a technology (sum to 1)."""
    weights = np.asarray(SEASONS[technology], dtype=float)
    return weights / weights.sum()


# Per unit of output: output per worker and year, kWh, machine hours and materials (million won).
# The best enterprise of a sector achieves these; the others need more of every input.
INTENSITY: dict[str, tuple[float, float, float, float]] = {
    "electricity": (1.5e6, 0.07, 4e-5, 2e-5),
    "coal": (80.0, 25.0, 0.5, 0.010),
    "rolled_steel": (40.0, 600.0, 3.0, 0.30),
    "nonferrous_metals": (10.0, 3000.0, 10.0, 1.0),
    "nitrogen_fertilizer": (60.0, 1500.0, 2.0, 0.20),
    "cement": (300.0, 100.0, 0.3, 0.03),
    "timber": (150.0, 5.0, 0.5, 0.01),
    "fabric": (15_000.0, 0.5, 0.01, 5e-4),
    "marine_products": (30.0, 50.0, 5.0, 0.05),
    "dwellings": (0.5, 3000.0, 800.0, 30.0),
    "rail_freight": (400_000.0, 0.02, 2e-4, 1e-5),
}

# The coal innovation movement of 2023: month -> mines joining (after Kujang in January), and the
# rise in output per worker once a mine has joined.
CAMPAIGN_START = "2023-01"
CAMPAIGN_JOINS: dict[str, list[str]] = {
    "2023-01": ["coal.kujang"],
    "2023-02": ["coal.ryongmun", "coal.kaechon", "coal.tokchon"],
    "2023-03": ["coal.sunchon", "coal.jikdong", "coal.pukchang", "coal.anju", "coal.ryongdung"],
    "2023-04": ["coal.kowon", "coal.chonsong"],
    "2023-05": ["coal.kangdong"],
}
CAMPAIGN_EFFECT = 0.06



@dataclass(frozen=True)
class WeatherEvent:
    """An abnormal-weather episode and what it did to the province's grain.

    ``scope`` says which grain it hit: ``"year"`` the whole year's harvest, ``"early"`` the early crop
    of June-July, ``"month"`` only the event's own month. ``factor`` multiplies that grain.
    """

    province: str
    period: str
    kind: str
    severity: float
    scope: str
    factor: float
    description: str


WEATHER_EVENTS: list[WeatherEvent] = [
    WeatherEvent("KP-10", "2021-05", "cold", 0.35, "year", 0.92,
                 "Late spring frost in Ryanggang damages potato seedlings"),
    WeatherEvent("KP-08", "2021-08", "flood", 0.60, "year", 0.86,
                 "Heavy rain and floods in South Hamgyong wash out fields and embankments"),
    WeatherEvent("KP-05", "2022-05", "drought", 0.40, "early", 0.80,
                 "Spring drought on the west coast lowers the wheat and barley crop in South Hwanghae"),
    WeatherEvent("KP-02", "2022-05", "drought", 0.30, "early", 0.88,
                 "Spring drought on the west coast lowers the early crop in South Pyongan"),
    WeatherEvent("KP-07", "2022-08", "flood", 0.45, "year", 0.90,
                 "Typhoon rains flood the coastal plains of Kangwon"),
    # The episode of the 2023 mid-year review: a spring drought in the granary province.
    WeatherEvent("KP-05", "2023-05", "drought", 0.55, "month", 0.65,
                 "Spring drought in South Hwanghae: little rain since April, reservoirs low"),
    WeatherEvent("KP-05", "2023-06", "drought", 0.70, "month", 0.60,
                 "Spring drought in South Hwanghae continues; early wheat, barley and potato crop reduced"),
]
