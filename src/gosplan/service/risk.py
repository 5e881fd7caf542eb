"""Weather risk to the grain target: build the exposure from the store, simulate, value measures.

Normal-weather output is derived from past reports, not from the plan: each complete year before
the plan year (at most three) gives a province's output divided by the share the recorded weather
events of that year left (``event_losses``), i.e. the output that year would have had without its
abnormal weather; normal output is the mean of these. A year without recorded events counts as it
is. With enough past years of provincial output in every province (``MIN_YEARS``, four) the model's
parameters are fitted from them and the event record; otherwise the documented defaults apply.

Candidate measures, when the user gives none, are one per province and kind of protection: protect
a tenth of the still unprotected crop area against drought (irrigation) and against flood
(drainage and embankments), at :data:`DEFAULT_COST_PER_HA` million won per hectare. These costs
are planning assumptions of the demo, not published prices; pass a measures file to use real ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gosplan.engines._risk_fit import MIN_YEARS
from gosplan.engines.risk import Exposure, Measure, RiskResult, WeatherRiskModel, event_losses
from gosplan.errors import NotFound
from gosplan.i18n import _
from gosplan.model import Period
from gosplan.runner import Runner

GRAIN_INDICATOR = "grain"
DEFAULT_COST_PER_HA = {"irrigation": 2.0, "drainage": 1.2}


@dataclass
class WeatherRisk:
    """The simulation and what it was built from, for the CLI and the review."""

    result: RiskResult
    year: int
    as_of: str | None
    exposure: Exposure
    observed: pd.DataFrame
    observed_losses: pd.DataFrame
    province_names: dict[str, str]
    fitted: bool
    measures: list[Measure]


def province_of_units(service, units: list[str]) -> dict[str, str]:
    """Each unit's province (the nearest ancestor of kind ``province``)."""
    hierarchy = service.hierarchy()
    kinds = service.units().set_index("code")["kind"]
    out = {}
    for unit in units:
        node = unit
        while node is not None and kinds.get(node) != "province":
            node = hierarchy.parent.get(node)
        if node is not None:
            out[unit] = node
    return out


def past_output(service, year: int, farms: list[str]) -> pd.DataFrame:
    """Annual grain output of each farm (``unit, year, output``) in the complete years before ``year``."""
    reports = service.store.reports(indicators=[GRAIN_INDICATOR], units=farms, first=f"{year - 3}-01",
                                    last=f"{year - 1}-12")
    if reports.empty:
        return pd.DataFrame(columns=["unit", "year", "output"])
    reports = reports.assign(year=reports["period"].str[:4].astype(int))
    grouped = reports.groupby(["unit", "year"])["value"].agg(["sum", "count"]).reset_index()
    grouped = grouped[grouped["count"].eq(12)]
    return grouped.rename(columns={"sum": "output"})[["unit", "year", "output"]]


def exposure_for(service, year: int) -> tuple[Exposure, dict[str, str], pd.DataFrame]:
    """Exposure by province from the farms table and the farms' past output; also farm -> province."""
    farms = service.store.farms()
    if farms.empty:
        raise NotFound(_("no farms in the store: import farms (unit, crop_area_ha, irrigated_ha) first"))
    province_of = province_of_units(service, farms["unit"].tolist())
    history = past_output(service, year, farms["unit"].tolist())
    if history.empty:
        raise NotFound(_("no complete year of grain reports before {year}: cannot tell normal output", year=year))
    typical = history.groupby("unit")["output"].mean()
    farms = farms[farms["unit"].isin(typical.index) & farms["unit"].isin(province_of)]
    exposure = Exposure.from_farms(farms, province_of=province_of, normal_output=typical.to_dict())
    return exposure, province_of, history


def default_measures(exposure: Exposure, names: dict[str, str] | None = None) -> list[Measure]:
    """A tenth of each province's unprotected area protected against drought and against flood."""
    names = names or {}
    measures = []
    for i, province in enumerate(exposure.provinces):
        for kind, risk in (("irrigation", "drought"), ("drainage", "flood")):
            share = float(exposure.protected_share[["drought", "flood", "cold"].index(risk), i])
            area = round(0.1 * (1 - share) * float(exposure.area[i]), -1)
            if area > 0:
                measures.append(Measure(f"{kind} in {names.get(province, province)}", province, kind, area,
                                        area * DEFAULT_COST_PER_HA[kind]))
    return measures


def grain_target(service, year: int) -> float:
    targets = service.year_targets(year)
    root = service.root()
    rows = targets[targets["indicator"].eq(GRAIN_INDICATOR) & targets["period"].eq(str(year))]
    if rows.empty:
        raise NotFound(_("no annual grain target for {year}", year=year))
    at_root = rows[rows["unit"].eq(root)]
    return float(at_root["value"].iloc[0] if len(at_root) else rows["value"].sum())


def weather_risk(service, year: int, as_of: str | Period | None = None, measures: list[Measure] | None = None,
                 n_scenarios: int = 20_000, seed: int = 0, runner: Runner | None = None) -> WeatherRisk:
    """Simulate the year's grain total under weather scenarios; observed events fix months to ``as_of``."""
    key = ("weather_risk", year, str(as_of), tuple(measures) if measures is not None else None, n_scenarios, seed)
    return service._cached(key, lambda: _weather_risk(service, year, as_of, measures, n_scenarios, seed,
                                                      runner or service.runner))


def _weather_risk(service, year, as_of, measures, n_scenarios, seed, runner) -> WeatherRisk:
    exposure, province_of, history = exposure_for(service, year)
    events = service.store.weather_events()
    model = WeatherRiskModel()
    provincial = history.assign(province=history["unit"].map(province_of)).groupby(
        ["province", "year"], as_index=False)["output"].sum()
    # The fit needs MIN_YEARS of output in every province; with fewer the documented defaults apply.
    fitted = bool(len(provincial)) and bool(provincial.groupby("province")["year"].nunique().min() >= MIN_YEARS)
    if fitted:
        model.fit(provincial, events=events[events["period"].str[:4].astype(int) < year])
    exposure = _normal_weather(exposure, provincial, events, model)
    names = service.units().set_index("code")["name"].to_dict()
    as_of_text = str(Period.parse(as_of).last_month()) if as_of is not None else None
    year_events = events[events["period"].str[:4].eq(str(year))]
    if as_of_text is not None:
        year_events = year_events[year_events["period"] <= as_of_text]
    known = year_events[year_events["province"].isin(exposure.provinces)].reset_index(drop=True)
    chosen = default_measures(exposure, names) if measures is None else list(measures)
    result = model.simulate(exposure, target=grain_target(service, year), measures=chosen,
                            n_scenarios=n_scenarios, seed=seed, runner=runner,
                            observed=known if as_of_text else None, as_of=as_of_text)
    losses = event_losses(exposure, known[["province", "period", "kind", "severity"]], model.parameters) \
        if len(known) else pd.DataFrame(columns=["province", "normal_output", "loss", "loss_share"])
    return WeatherRisk(result, year, as_of_text, exposure, known, losses,
                       {p: names.get(p, p) for p in exposure.provinces}, fitted, chosen)


def _normal_weather(exposure: Exposure, provincial: pd.DataFrame, events: pd.DataFrame,
                    model: WeatherRiskModel) -> Exposure:
    """Exposure whose normal output is the past years' output with their recorded events' losses undone."""
    normal = []
    for past_year, group in provincial.groupby("year"):
        output = group.set_index("province")["output"].reindex(list(exposure.provinces))
        known = events[events["period"].str[:4].eq(str(past_year)) & events["province"].isin(exposure.provinces)]
        survival = np.ones(len(exposure.provinces))
        if len(known):
            losses = event_losses(exposure, known[["province", "period", "kind", "severity"]].reset_index(drop=True),
                                  model.parameters)
            survival = 1 - losses["loss_share"].to_numpy()
        normal.append(output.to_numpy() / survival)
    mean = pd.DataFrame(np.vstack(normal)).mean(axis=0, skipna=True).to_numpy()  # NaN: no year reported
    mean = np.where(np.isfinite(mean), mean, exposure.normal_output)
    return Exposure(exposure.provinces, mean, exposure.area, exposure.protected_share, exposure.risk_multiplier)


def measures_file(path) -> list[Measure]:
    """Candidate measures from a CSV/XLSX file with columns name, province, kind, area, cost."""
    from gosplan.engines.risk import measures_from_frame
    from gosplan.ingest import read_table

    frame = read_table(path)
    return measures_from_frame(frame.reset_index(drop=True))


def normal_and_expected(risk: WeatherRisk) -> pd.DataFrame:
    """Per province: normal output, expected output and loss, and the observed episode's loss."""
    frame = risk.result.by_province()
    frame.insert(1, "province_name", frame["province"].map(risk.province_names))
    observed = risk.observed_losses.set_index("province")["loss"] if len(risk.observed_losses) else pd.Series()
    frame["observed_loss"] = frame["province"].map(observed).fillna(0.0).astype(float)
    return frame


__all__ = ["WeatherRisk", "default_measures", "exposure_for", "grain_target", "measures_file",
           "normal_and_expected", "province_of_units", "weather_risk"]
