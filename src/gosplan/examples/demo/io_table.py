"""A small input-output table of the demo economy (12 sectors, 2023, million won at current prices).

Value added by sector reproduces the Bank of Korea's 2023 estimate of the structure of North Korea's
nominal GDP (FIGURES.md): agriculture, forestry and fishing 22.0 %, mining 9.0 %, manufacturing
21.6 %, electricity, gas and water 5.4 %, construction 11.0 %, services 30.9 %; nominal GDP 40.2
trillion won. No official DPRK table exists; the input structure (who buys from whom) is a plausible
pattern in the spirit of the published estimates (BOK 2011; Shin et al. 2014), balanced with RAS.

Conventions follow Miller & Blair (and pymrio): ``Z[i, j]`` is what sector ``j`` buys from sector
``i``; ``x = Z 1 + y``; value added ``v = x - 1' Z``; ``A = Z diag(x)^-1`` has column sums below 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

GDP_2023 = 40.2e6  # million won
# IO sector -> (share of GDP in %, value added / gross output, final demand / gross output, workers).
# The BOK's industry shares are split over our sectors: agriculture 22.0 = agriculture 18.6 + fisheries
# 2.4 + forestry 1.0; mining 9.0 = coal 6.2 + ore mining 2.8 (in metallurgy); manufacturing 21.6 =
# metallurgy 3.6 + chemicals 4.0 + building materials 2.4 + light industry 11.6; services 30.9 =
# transport 4.9 + other services 26.0. Workers are plausible (about 12.5 million employed).
SECTORS: dict[str, tuple[float, float, float, int]] = {
    "agriculture": (18.6, 0.58, 0.60, 3_600_000),
    "fisheries": (2.4, 0.55, 0.70, 250_000),
    "forestry": (1.0, 0.60, 0.20, 200_000),
    "coal": (6.2, 0.50, 0.30, 500_000),
    "electricity": (5.4, 0.42, 0.30, 150_000),
    "metallurgy": (6.4, 0.30, 0.15, 450_000),
    "chemicals": (4.0, 0.32, 0.10, 300_000),
    "building_materials": (2.4, 0.38, 0.05, 200_000),
    "light_industry": (11.6, 0.35, 0.60, 1_300_000),
    "construction": (11.0, 0.36, 0.97, 900_000),
    "transport": (4.9, 0.48, 0.30, 450_000),
    "services": (26.0, 0.60, 0.75, 4_200_000),
}
# Buying sector -> its main suppliers with relative weights (the zero pattern of Z).
INPUTS: dict[str, dict[str, float]] = {
    "agriculture": {"chemicals": 3, "agriculture": 2, "electricity": 1, "transport": 1, "services": 1.5,
                    "light_industry": 0.5, "coal": 0.3, "fisheries": 0.2},
    "fisheries": {"light_industry": 1, "services": 1, "transport": 0.5, "metallurgy": 0.3, "chemicals": 0.4,
                  "electricity": 0.3},
    "forestry": {"services": 1, "transport": 1, "metallurgy": 0.3, "electricity": 0.2, "forestry": 0.3},
    "coal": {"electricity": 3, "metallurgy": 1, "forestry": 1.5, "transport": 1, "services": 1,
             "chemicals": 0.5, "coal": 0.5, "construction": 0.3},
    "electricity": {"coal": 6, "services": 1, "metallurgy": 0.5, "transport": 1.5, "electricity": 0.5,
                    "construction": 0.3},
    "metallurgy": {"coal": 3, "electricity": 3, "metallurgy": 2, "transport": 1, "chemicals": 0.5,
                   "services": 0.5},
    "chemicals": {"coal": 3, "electricity": 3, "chemicals": 2, "transport": 0.7, "services": 0.5},
    "building_materials": {"coal": 3, "electricity": 2, "transport": 1, "building_materials": 0.5,
                           "services": 0.5},
    "light_industry": {"agriculture": 2, "chemicals": 2, "light_industry": 2, "electricity": 1, "services": 1,
                       "transport": 0.5, "fisheries": 0.5},
    "construction": {"building_materials": 4, "metallurgy": 3, "forestry": 1.5, "transport": 1, "services": 1,
                     "electricity": 0.5, "light_industry": 0.3},
    "transport": {"coal": 1, "electricity": 1.5, "metallurgy": 0.5, "services": 1, "transport": 0.5,
                  "chemicals": 0.3, "construction": 0.3},
    "services": {"agriculture": 1, "light_industry": 1.5, "electricity": 1, "services": 2, "transport": 1,
                 "chemicals": 0.3, "fisheries": 0.5, "construction": 0.5},
}
FINAL_DEMAND = ["households", "government", "investment", "net_exports"]
# How each sector's final demand splits over the categories (rows sum to 1).
_FINAL_SPLIT = {
    "agriculture": (0.85, 0.10, 0.05, 0.0), "fisheries": (0.70, 0.05, 0.0, 0.25),
    "forestry": (0.60, 0.10, 0.30, 0.0), "coal": (0.40, 0.05, 0.05, 0.50),
    "electricity": (0.60, 0.40, 0.0, 0.0), "metallurgy": (0.0, 0.10, 0.60, 0.30),
    "chemicals": (0.40, 0.10, 0.20, 0.30), "building_materials": (0.10, 0.10, 0.80, 0.0),
    "light_industry": (0.80, 0.10, 0.0, 0.10), "construction": (0.0, 0.15, 0.85, 0.0),
    "transport": (0.60, 0.30, 0.0, 0.10), "services": (0.60, 0.40, 0.0, 0.0),
}
# Sectors whose 2023 output is at the capacity limit (the bottlenecks the plenum talked about).
BINDING = ("electricity", "coal", "metallurgy")


def _ras(seed: np.ndarray, rows: np.ndarray, cols: np.ndarray, tol: float = 1e-10) -> np.ndarray:
    """Biproportional scaling of ``seed`` to the given row and column sums (RAS; Miller & Blair 7.4).

    Written by hand because it is ten lines and no maintained library exposes it without pulling in a
    whole framework; it keeps the zero pattern of ``seed``.
    """
    z = seed.copy()
    for _ in range(10_000):
        z *= (rows / z.sum(axis=1))[:, None]
        z *= cols / z.sum(axis=0)
        if np.abs(z.sum(axis=1) - rows).max() <= tol * rows.max():
            return z
    raise RuntimeError("RAS did not converge")  # pragma: no cover - the pattern above always converges


def io_frames(rng: np.random.Generator) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The IO table as frames (``Z``, ``Y``, ``V``, ``x``, ``labour``) and the sector capacities."""
    names = list(SECTORS)
    share, va_ratio, fd_ratio, workers = (np.array([SECTORS[s][k] for s in names], dtype=float)
                                          for k in range(4))
    value_added = share / 100 * GDP_2023
    gross = value_added / va_ratio
    intermediate_use = gross - value_added  # column sums of Z
    # Scale final demand (not intermediate sales) so both sides of Z add up to the same total; with
    # every ratio in (0, 1) this keeps final demand non-negative.
    final_target = gross * fd_ratio * (gross.sum() - intermediate_use.sum()) / (gross * fd_ratio).sum()
    sold_to_industry = gross - final_target  # row sums of Z
    pattern = np.zeros((len(names), len(names)))
    for j, buyer in enumerate(names):
        for supplier, weight in INPUTS[buyer].items():
            pattern[names.index(supplier), j] = weight * rng.lognormal(0.0, 0.1)
    z = _ras(pattern / pattern.sum(axis=0) * intermediate_use, sold_to_industry, intermediate_use)
    final = gross - z.sum(axis=1)
    split = np.array([_FINAL_SPLIT[s] for s in names])
    frames = {
        "Z": pd.DataFrame(z, index=names, columns=names),
        "Y": pd.DataFrame(final[:, None] * split, index=names, columns=FINAL_DEMAND),
        "V": pd.DataFrame([gross - z.sum(axis=0)], index=["value_added"], columns=names),
        "x": pd.DataFrame({"gross_output": gross}, index=names),
        "labour": pd.DataFrame({"workers": workers}, index=names),
    }
    for frame in frames.values():
        frame.index.name = "sector"
    headroom = np.array([1.0 if s in BINDING else rng.uniform(1.03, 1.15) for s in names])
    capacities = pd.DataFrame({"sector": names, "capacity": gross * headroom,
                               "labour": np.round(workers * np.where(headroom > 1.0, 1.03, 1.0))})
    return frames, capacities
