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
from gosplan.i18n import _
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


FRONTIER_COLUMNS = ["indicator", "unit", "frontier_output"]


def _reserves_period(service, year: int) -> str | None:
    """The period of the year before ``year`` whose DEA reserves measure the frontier: the full year
    when reported to December, else its first half or first quarter; ``None`` without reports."""
    last = service.store.last_reported_month()
    base = year - 1
    if last is None or last < f"{base}-03":
        return None
    months = 12 if last >= f"{base}-12" else int(last[5:7])
    return str(base) if months == 12 else f"{base}-H1" if months >= 6 else f"{base}-Q1"


def frontier_potential(service, year: int) -> pd.DataFrame:
    """The efficiency frontier's potential for ``year`` per (indicator, unit): what the units would make
    with the inputs they have if each matched the best practice of its peers.

    Each producing enterprise's expected output of the year before (annualised, as the capacity check
    does) is raised by its DEA reserve share (:func:`gosplan.service.reserves.reserves`, output-oriented,
    the full year before or its latest complete half or quarter); enterprises without inputs to measure
    count at their expected output. Summed up the hierarchy for every unit with at least one measured
    enterprise of the indicator below it (``FRONTIER_COLUMNS``; empty when nothing can be measured).
    """
    def load() -> pd.DataFrame:
        from gosplan.service.material import annualised_output
        from gosplan.service.reserves import reserves

        period = _reserves_period(service, year)
        if period is None:
            return pd.DataFrame(columns=FRONTIER_COLUMNS)
        try:
            dea = reserves(service, period).table
        except NotFound:  # no input indicators, or nobody reported them
            return pd.DataFrame(columns=FRONTIER_COLUMNS)
        expected = annualised_output(service, year - 1)
        share = dea.set_index(["unit", "indicator"])["reserve_share"].fillna(0.0)
        keys = pd.MultiIndex.from_frame(expected[["unit", "indicator"]])
        measured = keys.isin(share.index)
        leaves = expected.assign(frontier_output=expected["value"].to_numpy(float)
                                 * (1.0 + share.reindex(keys).fillna(0.0).to_numpy(float)), measured=measured)
        closure = service.hierarchy().closure(sorted(set(leaves["unit"])))
        rolled = leaves.merge(closure, on="unit").groupby(["indicator", "ancestor"]).agg(
            frontier_output=("frontier_output", "sum"), measured=("measured", "any")).reset_index()
        rolled = rolled[rolled["measured"]].rename(columns={"ancestor": "unit"})
        return rolled[FRONTIER_COLUMNS].reset_index(drop=True)

    return service._cached(("frontier_potential", year), load)


def tautness(service, year: int, indicators: list[str] | None = None) -> pd.DataFrame:
    """How taut each annual target of ``year`` is (:data:`gosplan.engines.plan_checks.TAUTNESS_COLUMNS`
    with the unit's and indicator's names): against the last three complete years, the capacity where
    stored, for grain normal-weather output, and the efficiency frontier's potential
    (:func:`frontier_potential`). ``code`` says ``beyond history`` where the target lies beyond what the
    record supports."""
    def load() -> pd.DataFrame:
        codes = forecast_indicators(service, indicators)
        rows = _annual_targets(service, year, codes)
        if rows.empty:
            raise NotFound(_("no annual targets for {year}", year=year))
        history = _yearly(service, year - 1, codes, sorted(set(rows["unit"])))
        direction = service.indicators().set_index("code")["direction"].to_dict()
        table = tautness_engine(rows[["indicator", "unit", "target"]], history, _capacity(service, year, rows),
                                _normal_weather(service, year, rows), direction, frontier_potential(service, year))
        labels = rows.set_index(["indicator", "unit"])[LABELS]
        return table.join(labels, on=["indicator", "unit"]).sort_values(["indicator", "depth", "unit"],
                                                                        kind="stable").reset_index(drop=True)

    return service._cached(("tautness", year, tuple(indicators or ())), load)


VERSION_TAUTNESS_COLUMNS = ["indicator", "unit", "target", "vs_trend", "vs_best", "vs_ceiling", "capacity_ratio",
                            "vs_normal", "frontier_output", "vs_frontier", "p_attain", "expected_total", "code"]


def version_tautness(service, code: str) -> pd.DataFrame:
    """How taut each national target of plan version ``code`` is (:data:`VERSION_TAUTNESS_COLUMNS`):
    against the trend its control figures came from (``vs_trend``), the last three complete years, the
    physical capacity of the units with a current capacity record, normal-weather grain, the efficiency
    frontier's potential (:func:`frontier_potential`), and the probability of attaining it that the
    forecast engine gives from the monthly history (:func:`gosplan.service.forecasts.attainment_of`).
    """
    def load() -> pd.DataFrame:
        from gosplan.service.forecasts import attainment_of
        from gosplan.service.material import version_balance

        version = service.store.plan_version(code)
        year = int(version["year"])
        root = service.root()
        totals = service.store.version_targets(code).groupby("indicator")["value"].sum()
        rows = pd.DataFrame({"indicator": totals.index, "unit": root, "target": totals.to_numpy(float)})
        codes = rows["indicator"].tolist()
        history = _yearly(service, year - 1, codes, [root])
        caps = version_balance(service, code, mark_stale=False).capacities
        current = caps[caps["record_status"].eq("current")].groupby("indicator")[["target", "capacity"]].sum()
        capacity = pd.DataFrame({"indicator": current.index, "unit": root,
                                 "capacity_ratio": (current["target"] / current["capacity"]).to_numpy(float)})
        direction = service.indicators().set_index("code")["direction"].to_dict()
        table = tautness_engine(rows, history, capacity, _normal_weather(service, year, rows), direction,
                                frontier_potential(service, year))
        cf = service.store.version_control_figures(code).set_index("indicator")["from_results"]
        table["vs_trend"] = table["target"] / table["indicator"].map(cf.where(cf > 0)).astype(float) - 1.0
        summed = set(forecast_indicators(service, codes))
        last = service.store.last_reported_month()
        table["p_attain"] = float("nan")
        table["expected_total"] = float("nan")
        chosen = table["indicator"].isin(summed).to_numpy()
        if last is not None and chosen.any():
            odds = attainment_of(service, last, table[chosen].assign(year=year))
            table.loc[chosen, "p_attain"] = odds["p_attain"].to_numpy(float)
            table.loc[chosen, "expected_total"] = odds["expected_total"].to_numpy(float)
        return table[VERSION_TAUTNESS_COLUMNS]

    return service._cached(("version_tautness", code), load)


def five_year_plan(service, year: int) -> pd.Series:
    """The five-year plan in force in ``year`` (a row of the plans table); NotFound without one."""
    plans = service.store.plans()
    five = plans[plans["kind"].eq("five-year") & plans["start_year"].le(year) & plans["end_year"].ge(year)]
    if five.empty:
        raise NotFound(_("no five-year plan covers {year}", year=year))
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
            raise NotFound(_("the five-year plan {plan} has no national targets for {end}", plan=plan["code"], end=end))
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
    beyond = ["beyond history", "beyond capacity", "beyond normal weather", "beyond frontier"]
    return table[table["code"].isin(beyond)].reset_index(drop=True)


__all__ = ["VERSION_TAUTNESS_COLUMNS", "beyond_history", "five_year_plan", "five_year_progress",
           "frontier_potential", "tautness", "version_tautness"]
