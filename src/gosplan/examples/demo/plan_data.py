"""Plan-making data of the demo: norms, prices, physical capacities, balance items.

None of this is published. The engineering norms are textbook orders of magnitude (noted with each
norm); the capacities come from the demo's own reports (see :func:`capacities_frame`). The five-year
plan's 2024 and 2025 figures are in ``catalogue.FIVE_YEAR_FIGURES``.
Everything is deterministic: no seed is needed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalogue import INDUSTRIAL

# The goods the demo balances in physical units.
BALANCED_GOODS = ["coal", "electricity", "rolled_steel", "cement", "nitrogen_fertilizer", "timber"]

# Output indicator -> (IO sector, share of the sector's output value in 2022). The price per physical
# unit follows: share x the sector's gross output / the indicator's 2022 output (million won per unit).
PRODUCT_SECTORS: dict[str, tuple[str, float]] = {
    "coal": ("coal", 1.0),
    "electricity": ("electricity", 1.0),
    "rolled_steel": ("metallurgy", 0.35),
    "nonferrous_metals": ("metallurgy", 0.25),
    "nitrogen_fertilizer": ("chemicals", 0.30),
    "cement": ("building_materials", 0.50),
    "timber": ("forestry", 0.80),
    "fabric": ("light_industry", 0.30),
    "marine_products": ("fisheries", 0.90),
    "dwellings": ("construction", 0.15),
    "rail_freight": ("transport", 0.80),
    "grain": ("agriculture", 0.70),
}

# Engineering norms typed in by the planners: (good, consumer, norm, note). Units: the good's unit per
# unit of the consumer's output (t of coal per kWh, kWh per t of steel, m3 of timber per t of coal).
ENTERED_NORMS: list[tuple[str, str, float, str]] = [
    ("coal", "electricity", 0.00027,
     "600 g of anthracite per kWh at thermal stations x about 45 % thermal share of generation"),
    ("coal", "rolled_steel", 0.9, "anthracite for sintering, reduction and reheating, t per t of rolled steel"),
    ("coal", "cement", 0.16, "clinker burning, t of coal per t of cement"),
    ("coal", "nitrogen_fertilizer", 1.6, "coal gasification for ammonia (Namhung, Hungnam), t per t of product"),
    ("coal", "rail_freight", 0.000002, "steam traction on non-electrified lines, t per t-km"),
    ("rolled_steel", "dwellings", 4.0, "reinforcement and fittings, about 50 kg per m2 of an 80 m2 flat"),
    ("cement", "dwellings", 28.0, "about 0.35 t per m2 of an 80 m2 flat"),
    ("timber", "dwellings", 3.0, "formwork, roofs, joinery, m3 per flat"),
    ("timber", "coal", 0.01, "pit props, m3 per t of coal mined"),
    ("nitrogen_fertilizer", "grain", 0.12, "about 120 kg of nitrogen fertilizer per t of grain"),
    ("electricity", "grain", 60.0, "irrigation pumping, kWh per t of grain"),
    ("electricity", "rail_freight", 0.03, "electric traction, kWh per t-km"),
    ("cement", "irrigation", 0.8, "canal lining, t per ha brought into service"),
]

# Planned exports, imports and stock movements per good and year (t, kWh, m3).
TRADE: dict[str, dict[str, float]] = {
    "coal": {"exports": 600_000, "imports": 0, "stock_drawdown": 150_000, "stock_build": 0},
    "electricity": {"exports": 0, "imports": 150_000_000, "stock_drawdown": 0, "stock_build": 0},
    "rolled_steel": {"exports": 20_000, "imports": 15_000, "stock_drawdown": 5_000, "stock_build": 0},
    "cement": {"exports": 100_000, "imports": 0, "stock_drawdown": 0, "stock_build": 50_000},
    "nitrogen_fertilizer": {"exports": 0, "imports": 60_000, "stock_drawdown": 0, "stock_build": 0},
    "timber": {"exports": 0, "imports": 80_000, "stock_drawdown": 0, "stock_build": 0},
}
FINAL_USE_GROWTH = 0.02  # final uses per year after 2022

# Capacity records: steel capacity was last surveyed in 2021 and metallurgy now runs above it, so the
# records are stale; power and coal run at their limit; everything else has some room.
CAPACITY_AS_OF = {"rolled_steel": "2021-01-01"}
CAPACITY_HEADROOM = {"rolled_steel": 1.0, "electricity": 1.01, "coal": 1.02}


def prices(gross_output: pd.Series, output_2022: pd.Series) -> pd.DataFrame:
    """Indicator, IO sector, price (million won per physical unit) and share of the sector's output."""
    rows = []
    for indicator, (sector, share) in PRODUCT_SECTORS.items():
        if output_2022.get(indicator, 0) > 0:
            rows.append((indicator, sector, share * gross_output[sector] / output_2022[indicator], share))
    return pd.DataFrame(rows, columns=["indicator", "sector", "price", "share"])


def entered_norms() -> pd.DataFrame:
    return pd.DataFrame([(g, k, n, "entered", note) for g, k, n, note in ENTERED_NORMS],
                        columns=["good", "consumer", "norm", "source", "note"])


def capacities_frame(reports: pd.DataFrame) -> pd.DataFrame:
    """Yearly capacity per producing enterprise from its best year of 2021-2022 (survey: 2021).

    Headroom is 1.05-1.25 (by the enterprise's position in the catalogue, no randomness), except the
    goods in ``CAPACITY_HEADROOM``.
    """
    producers = {e.code: e.indicator for e in INDUSTRIAL}
    r = reports[reports["unit"].isin(producers) & (reports["indicator"] == reports["unit"].map(producers))]
    r = r[r["period"].str[:4].isin(["2021", "2022"])]
    per_year = r.groupby(["unit", "indicator", r["period"].str[:4]])["value"].sum()
    frame = per_year.groupby(["unit", "indicator"]).max().rename("best").reset_index()
    # A surveyed capacity is the survey year's output.
    survey = per_year.xs("2021", level=2)
    surveyed = frame["indicator"].isin(list(CAPACITY_AS_OF))
    frame.loc[surveyed, "best"] = survey.reindex(pd.MultiIndex.from_frame(frame.loc[surveyed, ["unit", "indicator"]])
                                                 ).to_numpy()
    spread = 1.05 + 0.2 * ((np.arange(len(frame)) * 7) % 11) / 10
    headroom = frame["indicator"].map(CAPACITY_HEADROOM).fillna(pd.Series(spread, index=frame.index))
    frame["capacity"] = (frame["best"] * headroom).round(-2)
    frame["as_of"] = frame["indicator"].map(CAPACITY_AS_OF).fillna("2023-01-01")
    frame["source"] = np.where(frame["indicator"].isin(list(CAPACITY_AS_OF)), "survey of 2021",
                               "best year 2021-2022 and the ministry's headroom")
    return frame[["unit", "indicator", "capacity", "source", "as_of"]]
