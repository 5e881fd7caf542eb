"""The plan against the record: tautness of each annual target and progress of the five-year plan.

``tautness(service, year)`` puts every annual target (the fact table's, at every unit level) beside
the unit's last three complete years of output, the stored capacity of its input-output sector (at
the fact table's plan prices) and, for grain, the normal-weather output of the weather model
(:func:`gosplan.engines.plan_checks.tautness`). ``five_year_progress(service, as_of)`` gives each
indicator of the five-year plan in force its progress from the plan's first year to date (the
current year at the outlook's expected total) and the yearly growth the remaining years need.

>>> from gosplan.service import Service
>>> service = Service.open("sqlite://"); _ = service.load_demo()       # doctest: +SKIP
>>> tautness(service, 2023).set_index(["indicator", "unit"]).loc[("coal", "KP"), "code"]  # doctest: +SKIP
'taut'
"""

from __future__ import annotations

import pandas as pd

from gosplan.engines.plan_checks import five_year_progress as progress_engine
from gosplan.engines.plan_checks import tautness as tautness_engine
from gosplan.errors import NotFound
from gosplan.model import Period
from gosplan.service._forecast_model import forecast_indicators, monthly_history
from gosplan.service.risk import GRAIN_INDICATOR

LABELS = ["indicator_name", "uom", "unit_name", "unit_kind", "depth"]


def _yearly(service, last_year: int, indicators: list[str], units: list[str], years: int = 3) -> pd.DataFrame:
    """``indicator, unit, year, output``: complete years (twelve months reported) up to ``last_year``."""
    monthly = monthly_history(service, f"{last_year}-12", indicators, units=units, complete_only=False)
    if monthly.empty:
        return pd.DataFrame(columns=["indicator", "unit", "year", "output"])
    monthly = monthly[monthly["period"].str[:4].astype(int) > last_year - years]
    parts = monthly["series_id"].str.split("|", n=1, expand=True)
    frame = monthly.assign(indicator=parts[0], unit=parts[1], year=monthly["period"].str[:4].astype(int))
    grouped = frame.groupby(["indicator", "unit", "year"])["value"].agg(["sum", "count"]).reset_index()
    grouped = grouped[grouped["count"].eq(12)]
    return grouped.rename(columns={"sum": "output"})[["indicator", "unit", "year", "output"]]


def _annual_targets(service, year: int, indicators: list[str]) -> pd.DataFrame:
    facts = service.facts(f"{year}-12")
    rows = facts[facts["indicator"].isin(indicators) & facts["annual_target"].gt(0)]
    return rows[["indicator", "unit", "annual_target", "price", *LABELS]].rename(columns={"annual_target": "target"})


def _capacity(service, year: int, rows: pd.DataFrame) -> pd.DataFrame:
    """The national targets' value at plan prices over the capacity of their input-output sector."""
    output = service.io_output()
    capacities = service.store.capacities()
    if output is None or output.empty or capacities.empty:
        return pd.DataFrame(columns=["indicator", "unit", "capacity_ratio"])
    capacities = capacities[capacities["year"] <= year]
    if capacities.empty:
        return pd.DataFrame(columns=["indicator", "unit", "capacity_ratio"])
    latest = capacities[capacities["year"].eq(capacities["year"].max())].set_index("sector")["capacity"]
    top = rows[rows["unit"].eq(service.root())]
    priced = top.merge(output, on="indicator")
    priced = priced[priced["price"].notna()]
    priced["value"] = priced["price"] * priced["target"] / 1e6          # million won, as the IO table
    by_sector = priced.groupby("io_sector")["value"].sum()
    ratio = by_sector / latest.reindex(by_sector.index)
    return pd.DataFrame({"indicator": priced["indicator"], "unit": priced["unit"],
                         "capacity_ratio": priced["io_sector"].map(ratio).to_numpy(float)}).dropna()


def _normal_weather(service, year: int, rows: pd.DataFrame) -> pd.DataFrame:
    """Normal-weather grain output of the provinces (and their sum for the country)."""
    from gosplan.service.risk import weather_risk

    try:
        risk = weather_risk(service, year, n_scenarios=1_000)
    except NotFound:
        return pd.DataFrame(columns=["indicator", "unit", "normal_output"])
    normal = dict(zip(risk.exposure.provinces, risk.result.normal_by_province, strict=True))
    normal[service.root()] = float(risk.result.normal_by_province.sum())
    grain = rows[rows["indicator"].eq(GRAIN_INDICATOR) & rows["unit"].isin(normal)]
    return pd.DataFrame({"indicator": GRAIN_INDICATOR, "unit": grain["unit"],
                         "normal_output": grain["unit"].map(normal).astype(float)})


def tautness(service, year: int, indicators: list[str] | None = None) -> pd.DataFrame:
    """How taut each annual target of ``year`` is (:data:`gosplan.engines.plan_checks.TAUTNESS_COLUMNS`
    with the unit's and indicator's names): against the last three complete years, the capacity where
    stored and, for grain, normal-weather output. ``code`` says ``beyond history`` where the target lies
    beyond what the record supports."""
    def load() -> pd.DataFrame:
        codes = forecast_indicators(service, indicators)
        rows = _annual_targets(service, year, codes)
        if rows.empty:
            raise NotFound(f"no annual targets for {year}")
        history = _yearly(service, year - 1, codes, sorted(set(rows["unit"])))
        direction = service.indicators().set_index("code")["direction"].to_dict()
        table = tautness_engine(rows[["indicator", "unit", "target"]], history, _capacity(service, year, rows),
                                _normal_weather(service, year, rows), direction)
        labels = rows.set_index(["indicator", "unit"])[LABELS]
        return table.join(labels, on=["indicator", "unit"]).sort_values(["indicator", "depth", "unit"],
                                                                        kind="stable").reset_index(drop=True)

    return service._cached(("tautness", year, tuple(indicators or ())), load)


def five_year_plan(service, year: int) -> pd.Series:
    """The five-year plan in force in ``year`` (a row of the plans table); NotFound without one."""
    plans = service.store.plans()
    five = plans[plans["kind"].eq("five-year") & plans["start_year"].le(year) & plans["end_year"].ge(year)]
    if five.empty:
        raise NotFound(f"no five-year plan covers {year}")
    return five.iloc[0]


def five_year_progress(service, as_of: str | Period) -> pd.DataFrame:
    """Each national target of the five-year plan in force: output in the plan's first year, the latest
    level (the current year's expected total from the outlook, or a complete year's output), the share
    of the way to the target done, the growth achieved a year and the growth each remaining year needs
    (:data:`gosplan.engines.plan_checks.PROGRESS_COLUMNS`, with the indicator's name and unit)."""
    p = Period.parse(as_of).last_month()

    def load() -> pd.DataFrame:
        from gosplan.service.forecasts import forecast

        plan = five_year_plan(service, p.year)
        end = int(plan["end_year"])
        targets = service.store.targets(plan=str(plan["code"]), periods=[str(end)])
        targets = targets[targets["unit"].eq(service.root())]
        if targets.empty:
            raise NotFound(f"the five-year plan {plan['code']} has no national targets for {end}")
        codes = sorted(set(targets["indicator"]))
        first = int(plan["start_year"])
        levels = _yearly(service, p.year, codes, [service.root()], years=p.year - first + 1)
        expected = None
        if p.index < 12:  # the current year is not over: its expected total from the one outlook
            outlook = forecast(service, p, indicators=codes)
            top = outlook[outlook["unit"].eq(service.root())]
            expected = pd.DataFrame({"indicator": top["indicator"], "expected": top["expected_total"]})
        table = progress_engine(levels, targets.rename(columns={"value": "target"})[["indicator", "target"]],
                                first, end, p.year, expected)
        info = service.indicators().set_index("code")
        table.insert(1, "indicator_name", table["indicator"].map(info["name"]))
        table.insert(2, "uom", table["indicator"].map(info["unit"]))
        table["plan"] = str(plan["code"])
        table["plan_name"] = str(plan["name"])
        return table.sort_values("indicator_name").reset_index(drop=True)

    return service._cached(("five_year_progress", str(p)), load)


def beyond_history(service, year: int) -> pd.DataFrame:
    """The targets of ``year`` that lie beyond what the record (or capacity, or normal weather) supports."""
    table = tautness(service, year)
    return table[table["code"].isin(["beyond history", "beyond capacity", "beyond normal weather"])].reset_index(
        drop=True)


__all__ = ["beyond_history", "five_year_plan", "five_year_progress", "tautness"]
