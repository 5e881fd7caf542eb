"""Helpers shared by the demo-economy tests: cached builds and plain-pandas recomputations."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from gosplan.examples import DemoEconomy, build_demo

KEY = ["indicator", "unit", "period"]
PLENUM = {"electricity": 101, "coal": 104, "metallurgy": 112, "chemicals": 102}


@lru_cache(maxsize=4)
def demo_for(seed: int) -> DemoEconomy:
    """One build per seed for the whole session (tests only read the frames)."""
    return build_demo(seed)


def current_values(demo: DemoEconomy) -> pd.DataFrame:
    """Reports with corrections applied: the latest recorded value of each (indicator, unit, period)."""
    both = pd.concat([demo.reports, demo.corrections], ignore_index=True)
    both = both.sort_values("recorded_at", kind="stable")
    return both.drop_duplicates(KEY, keep="last")


def h1_2023_fulfilment(demo: DemoEconomy) -> tuple[pd.Series, pd.Series]:
    """Per sector and per enterprise: actual 2023-01..06 over the Q1+Q2 2023 targets, plain pandas.

    Sums run over the sector's output indicators, which must share one unit of measure.
    """
    outputs = demo.indicators[demo.indicators["role"] == "output"][["code", "sector", "unit"]]
    outputs = outputs.rename(columns={"code": "indicator", "unit": "measure"})
    assert (outputs.groupby("sector")["measure"].nunique() == 1).all()
    actual = current_values(demo)
    actual = actual[(actual["period"] >= "2023-01") & (actual["period"] <= "2023-06")]
    actual = actual.merge(outputs, on="indicator")
    plan = demo.targets[demo.targets["period"].isin(["2023-Q1", "2023-Q2"])].merge(outputs, on="indicator")
    by_sector = actual.groupby("sector")["value"].sum() / plan.groupby("sector")["value"].sum()
    keys = ["sector", "unit"]
    by_unit = actual.groupby(keys)["value"].sum() / plan.groupby(keys)["value"].sum()
    return by_sector, by_unit
