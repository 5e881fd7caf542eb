"""Weather risk for agricultural targets: Monte Carlo over abnormal-weather scenarios.

The model. Each province ``p`` has a normal-weather grain output ``N_p`` (trend yield × area). In
every month ``m`` an abnormal event of kind ``k`` (drought, flood, cold spell) strikes a province
with probability ``probability[k, m] × risk_multiplier[k, p]``; events of one kind and month are
correlated across provinces through a Gaussian copula with one common factor (a drought is rarely
local). An event of severity ``s`` (Beta distributed on 0..1) destroys the share
``stage_loss[k, m] × s`` of the output of unprotected land — the crop stage decides how much — and
``1 − protection_effect[k]`` of that on protected land (irrigated against drought, drained or
embanked against flood, cold-protected seedbeds against cold). Losses compound multiplicatively,
and variation the events do not explain multiplies output by ``1 + other_sd × ε``::

    output_p = N_p × Π_events (1 − stage_loss × s × (1 − effect × protected_share_p)) × (1 + other_sd ε_p)

Scenarios are simulated in chunks, each an array of shape ``(chunk, n_provinces)``, through
:class:`gosplan.runner.Runner`: the same code runs in a notebook, on local cores or on Dask, and
gives the same numbers for the same ``seed`` and ``chunk_size``. Candidate measures (``area`` more
hectares protected against a kind in a province, at a cost) are valued on the *same* simulated
weather (common random numbers), so their ranking reflects their effect, not sampling noise.
Mid-year, ``observed`` events of the months up to ``as_of`` replace the random ones.

>>> exposure = Exposure(("North", "South"), normal_output=[2.0e6, 2.5e6], area=[4.0e5, 5.0e5],
...                     protected_share={"drought": [0.5, 0.7]})
>>> result = WeatherRiskModel().simulate(exposure, target=4.3e6, n_scenarios=4000, seed=1,
...     measures=[Measure("irrigate North", "North", "irrigation", area=5.0e4, cost=10.0)])
>>> bool(0 < result.p_target_met < 1), result.measures.loc[0, "measure"]
(True, 'irrigate North')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import norm

from gosplan.engines._risk_fit import fit_province_risk, fit_weather_risk
from gosplan.engines._risk_model import (
    DEFAULT_QUANTILES,
    FARM_COLUMNS,
    KINDS,
    MEASURE_COLUMNS,
    RANKING_COLUMNS,
    WEATHER_EVENT_COLUMNS,
    Exposure,
    Measure,
    WeatherRiskParameters,
    measures_from_frame,
    parse_events,
)
from gosplan.errors import Problem, ValidationError
from gosplan.model import Period
from gosplan.runner import Runner, chunk_bounds

__all__ = [
    "DEFAULT_QUANTILES", "FARM_COLUMNS", "KINDS", "MEASURE_COLUMNS", "RANKING_COLUMNS",
    "WEATHER_EVENT_COLUMNS", "Exposure", "Measure", "RiskResult", "WeatherRiskModel",
    "WeatherRiskParameters", "event_losses", "fit_province_risk", "fit_weather_risk", "measures_from_frame",
    "parse_events", "rank_measures",
]


@dataclass(frozen=True)
class _Chunk:
    """One chunk of scenarios: everything a worker needs (picklable for processes and Dask)."""

    seed: np.random.SeedSequence
    size: int
    parameters: WeatherRiskParameters
    exposure: Exposure
    random_months: np.ndarray  # (12,) bool: months whose weather is drawn
    known_loss: np.ndarray  # (3, 12, P) unprotected loss shares of observed events
    measure_province: np.ndarray  # (M,) int
    measure_kind: np.ndarray  # (M,) int
    measure_share: np.ndarray  # (M,) protected share of the province after the measure


def _severity(rng: np.random.Generator, mean: float, concentration: float, size: int) -> np.ndarray | float:
    if math.isinf(concentration):
        return mean
    return rng.beta(mean * concentration, (1 - mean) * concentration, size)


def _simulate_chunk(task: _Chunk) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Totals (n,), totals under each measure (M, n) and province outputs (n, P) of a chunk."""
    rng = np.random.default_rng(task.seed)
    params, exposure = task.parameters, task.exposure
    n, provinces = task.size, len(exposure.provinces)
    effect = np.asarray(params.protection_effect)
    vulnerability = 1 - effect[:, None] * exposure.protected_share  # (3, P)
    rho = params.spatial_correlation
    survival = np.ones((n, provinces))
    events: list[tuple[int, np.ndarray, bool]] = []  # kept only to re-price the measures' provinces
    for k in range(len(KINDS)):
        for m in range(12):
            if task.random_months[m]:
                chance = np.clip(params.probability[k, m] * exposure.risk_multiplier[k], 0.0, 1.0)
                if params.stage_loss[k, m] == 0 or not chance.any():
                    continue
                latent = (math.sqrt(rho) * rng.standard_normal((n, 1))
                          + math.sqrt(1 - rho) * rng.standard_normal((n, provinces)))
                hit = latent < norm.ppf(chance)
                raw = np.zeros((n, provinces))
                # Severities are drawn for the events only: most province-months have none.
                raw[hit] = params.stage_loss[k, m] * _severity(rng, params.severity_mean[k],
                                                                params.severity_concentration, int(hit.sum()))
            else:
                if not task.known_loss[k, m].any():
                    continue
                raw = np.broadcast_to(task.known_loss[k, m], (n, provinces))
            survival *= 1 - raw * vulnerability[k]
            if task.measure_province.size:
                events.append((k, raw, bool(task.random_months[m])))
    noise = (np.maximum(1 + params.other_sd * rng.standard_normal((n, provinces)), 0.0)
             if params.other_sd > 0 else np.ones((n, provinces)))
    output = exposure.normal_output * survival * noise
    totals = output.sum(axis=1)
    with_measures = np.empty((task.measure_province.size, n))
    for j, (p, kind, share) in enumerate(zip(task.measure_province, task.measure_kind, task.measure_share,
                                             strict=True)):
        column = np.ones(n)
        for k, raw, ahead in events:
            # A measure taken now protects against the weather still to come, not the observed past.
            v = 1 - effect[k] * share if k == kind and ahead else vulnerability[k, p]
            column *= 1 - raw[:, p] * v
        with_measures[j] = totals - output[:, p] + exposure.normal_output[p] * column * noise[:, p]
    return totals, with_measures, output


@dataclass
class RiskResult:
    """The distribution of the grain total against a target, and the ranked measures.

    ``expected_shortfall`` is ``E[max(target − total, 0)]`` over all scenarios;
    ``conditional_shortfall`` is the mean shortfall in the scenarios that fall short (NaN when none
    does). ``quantiles`` maps a probability to the total not reached with that probability.
    ``measures`` has :data:`RANKING_COLUMNS`, best value per unit of cost first; ``reduction_se``
    is the Monte Carlo standard error of the paired shortfall reduction.
    """

    target: float
    totals: np.ndarray
    provinces: tuple[str, ...]
    expected_by_province: np.ndarray
    normal_total: float
    measures: pd.DataFrame
    normal_by_province: np.ndarray
    quantiles: dict[float, float] = field(default_factory=dict)
    outputs: np.ndarray | None = field(default=None, repr=False)          # (n, P) each scenario's outputs
    with_measures: np.ndarray | None = field(default=None, repr=False)    # (M, n) totals under each measure
    measure_province: np.ndarray | None = field(default=None, repr=False)  # (M,) province index of each
    mean_factor: np.ndarray | None = field(default=None, repr=False)      # (P,) E[output] / normal, all year

    def factors(self) -> np.ndarray:
        """(n, P): each scenario's output of each province relative to its expected output under random
        weather all year (1 = an average weather year; the observed months are in the scenarios)."""
        if self.outputs is None or self.mean_factor is None:
            raise ValueError("this result does not keep the scenarios' province outputs")
        return self.outputs / (self.normal_by_province * self.mean_factor)[None, :]

    def measure_factors(self) -> np.ndarray:
        """(M, n): the measured province's factor in each scenario when the measure is taken."""
        if self.with_measures is None or self.measure_province is None:
            raise ValueError("this result does not keep the measures' scenarios")
        p = self.measure_province
        own = self.outputs[:, p].T                                            # (M, n) without the measure
        with_measure = self.with_measures - self.totals[None, :] + own
        return with_measure / (self.normal_by_province[p] * self.mean_factor[p])[:, None]

    @property
    def n_scenarios(self) -> int:
        return int(self.totals.size)

    @property
    def p_target_met(self) -> float:
        return float(np.mean(self.totals >= self.target))

    @property
    def expected_total(self) -> float:
        return float(self.totals.mean())

    @property
    def sd_total(self) -> float:
        return float(self.totals.std(ddof=1)) if self.totals.size > 1 else 0.0

    @property
    def expected_shortfall(self) -> float:
        return float(np.maximum(self.target - self.totals, 0.0).mean())

    @property
    def conditional_shortfall(self) -> float:
        short = self.totals < self.target
        return float((self.target - self.totals[short]).mean()) if short.any() else math.nan

    def summary(self) -> dict[str, float]:
        """The headline numbers, e.g. for the review's weather-risk section."""
        return {"target": self.target, "normal_total": self.normal_total,
                "expected_total": self.expected_total, "sd_total": self.sd_total,
                "p_target_met": self.p_target_met, "expected_shortfall": self.expected_shortfall,
                "conditional_shortfall": self.conditional_shortfall, "n_scenarios": self.n_scenarios,
                **{f"q{round(100 * q):02d}": v for q, v in self.quantiles.items()}}

    def by_province(self) -> pd.DataFrame:
        """Normal and expected output and the expected weather loss per province."""
        frame = pd.DataFrame({"province": self.provinces, "normal_output": self.normal_by_province,
                              "expected_output": self.expected_by_province})
        frame["expected_loss"] = frame["normal_output"] - frame["expected_output"]
        with np.errstate(divide="ignore", invalid="ignore"):
            frame["loss_share"] = frame["expected_loss"] / frame["normal_output"]
        return frame


def event_losses(exposure: Exposure, events: pd.DataFrame,
                 parameters: WeatherRiskParameters | None = None) -> pd.DataFrame:
    """Output lost to given events (e.g. the year's observed episode), per province, in output units.

    ``events`` has :data:`WEATHER_EVENT_COLUMNS`; several events in one province compound.
    """
    parameters = parameters or WeatherRiskParameters()
    known = _known_loss(exposure, events, parameters, None)
    effect = np.asarray(parameters.protection_effect)
    vulnerability = 1 - effect[:, None] * exposure.protected_share
    survival = np.prod(1 - known * vulnerability[:, None, :], axis=(0, 1))
    lost = exposure.normal_output * (1 - survival)
    return pd.DataFrame({"province": exposure.provinces, "normal_output": exposure.normal_output,
                         "loss": lost, "loss_share": 1 - survival})


def _known_loss(exposure: Exposure, events: pd.DataFrame | None, parameters: WeatherRiskParameters,
                year: int | None) -> np.ndarray:
    """(3, 12, P) unprotected loss shares of observed events (of ``year`` when given)."""
    known = np.zeros((len(KINDS), 12, len(exposure.provinces)))
    if events is None or events.empty:
        return known
    table = parse_events(events)
    unknown = ~table["province"].isin(exposure.provinces)
    if unknown.any():
        raise ValidationError([Problem("weather_events", int(row) + 2, "province", "unknown province")
                               for row in np.flatnonzero(unknown.to_numpy())])
    if year is not None:
        table = table[table["year"] == year]
    for province, _, k, m, severity in table.itertuples(index=False):
        p = exposure.provinces.index(province)
        # Two events of one kind in one month and province compound like separate events.
        known[k, m, p] = 1 - (1 - known[k, m, p]) * (1 - parameters.stage_loss[k, m] * severity)
    return known


class WeatherRiskModel:
    """Fit weather risk parameters from history and simulate the grain total against a target.

    >>> model = WeatherRiskModel()           # documented defaults
    >>> model.parameters.spatial_correlation
    0.5
    """

    def __init__(self, parameters: WeatherRiskParameters | None = None,
                 quantiles: Sequence[float] = DEFAULT_QUANTILES) -> None:
        self.parameters = parameters or WeatherRiskParameters()
        self.quantiles = tuple(quantiles)

    def fit(self, history: pd.DataFrame, events: pd.DataFrame | None = None) -> WeatherRiskModel:
        """Estimate the parameters from yearly provincial outputs (and past events); see
        :func:`fit_weather_risk`. The current parameters serve as the prior."""
        self.parameters = fit_weather_risk(history, events, prior=self.parameters)
        return self

    def simulate(self, exposure: Exposure, target: float, measures: Sequence[Measure] = (),
                 n_scenarios: int = 20_000, seed: int = 0, runner: Runner | None = None,
                 chunk_size: int = 5_000, observed: pd.DataFrame | None = None,
                 as_of: str | Period | None = None) -> RiskResult:
        """Simulate ``n_scenarios`` weather years and value ``measures`` on the same weather.

        With ``as_of`` (a month of the plan year), the weather of the months up to it is what
        ``observed`` records (no event where it records none) and only later months are drawn.
        """
        if n_scenarios < 1:
            raise ValueError("n_scenarios must be at least 1")
        runner = runner or Runner()
        params = self.parameters
        random_months = np.ones(12, dtype=bool)
        known = np.zeros((len(KINDS), 12, len(exposure.provinces)))
        if as_of is not None:
            month = Period.parse(as_of).last_month()
            random_months[: month.index] = False
            known = _known_loss(exposure, observed, params, month.year)
            known[:, month.index:, :] = 0.0
        index = np.array([exposure.index(m.province) for m in measures], dtype=int)
        kinds = np.array([KINDS.index(m.risk) if m.risk in KINDS else -1 for m in measures], dtype=int)
        if (kinds < 0).any():
            bad = [m.kind for m in measures if m.risk not in KINDS]
            raise ValidationError([Problem("measures", None, "kind", f"unknown kinds {bad}")])
        shares = np.array([min(1.0, exposure.protected_share[k, p] + m.area / exposure.area[p])
                           for m, k, p in zip(measures, kinds, index, strict=True)])
        bounds = chunk_bounds(n_scenarios, chunk_size)
        seeds = np.random.SeedSequence(seed).spawn(len(bounds))
        tasks = [_Chunk(s, stop - start, params, exposure, random_months, known, index, kinds, shares)
                 for s, (start, stop) in zip(seeds, bounds, strict=True)]
        parts = runner.map(_simulate_chunk, tasks, description="weather scenarios")
        totals = np.concatenate([p[0] for p in parts])
        with_measures = np.concatenate([p[1] for p in parts], axis=1)
        outputs = np.concatenate([p[2] for p in parts], axis=0)
        by_province = outputs.mean(axis=0)
        ranking = rank_measures(measures, totals, with_measures, target)
        quantiles = dict(zip(self.quantiles, np.quantile(totals, self.quantiles).tolist(), strict=True))
        return RiskResult(float(target), totals, exposure.provinces, by_province,
                          float(exposure.normal_output.sum()), ranking, exposure.normal_output.copy(),
                          quantiles, outputs=outputs, with_measures=with_measures,
                          measure_province=index, mean_factor=self.mean_factor(exposure))

    def mean_factor(self, exposure: Exposure) -> np.ndarray:
        """Expected output of each province under random weather all year, as a share of normal output.

        Events of different kinds and months are drawn independently, so the expected survival is the
        product over (kind, month) of ``1 - probability × stage_loss × mean severity × vulnerability``;
        the unexplained variation ``max(1 + other_sd ε, 0)`` has mean ``Φ(1/sd) + sd φ(1/sd)``.

        >>> exposure = Exposure(("North",), normal_output=[1.0e6], area=[1.0e5])
        >>> bool(0.9 < WeatherRiskModel().mean_factor(exposure)[0] < 1.0)
        True
        """
        params = self.parameters
        effect = np.asarray(params.protection_effect)
        vulnerability = 1 - effect[:, None] * exposure.protected_share                     # (3, P)
        chance = np.clip(params.probability[:, :, None] * exposure.risk_multiplier[:, None, :], 0.0, 1.0)
        loss = chance * params.stage_loss[:, :, None] * np.asarray(params.severity_mean)[:, None, None]
        survival = np.prod(1 - loss * vulnerability[:, None, :], axis=(0, 1))
        sd = params.other_sd
        noise = norm.cdf(1 / sd) + sd * norm.pdf(1 / sd) if sd > 0 else 1.0
        return survival * noise


def rank_measures(measures: Sequence[Measure], totals: np.ndarray, with_measures: np.ndarray, target: float
                  ) -> pd.DataFrame:
    """Measures ranked by expected shortfall avoided per unit of cost, on paired scenarios
    (``totals`` (n,) without any measure, ``with_measures`` (M, n) with each)."""
    base = np.maximum(target - totals, 0.0)
    rows = []
    for measure, alt in zip(measures, with_measures, strict=True):
        gain = base - np.maximum(target - alt, 0.0)
        se = float(gain.std(ddof=1) / math.sqrt(gain.size)) if gain.size > 1 else math.nan
        rows.append({"measure": measure.name, "province": measure.province, "kind": measure.risk,
                     "area": measure.area, "cost": measure.cost,
                     "expected_shortfall": float(base.mean() - gain.mean()),
                     "shortfall_reduction": float(gain.mean()), "reduction_se": se,
                     "reduction_per_cost": float(gain.mean()) / measure.cost,
                     "p_target_met": float(np.mean(alt >= target)),
                     "expected_total_gain": float((alt - totals).mean())})
    frame = pd.DataFrame(rows, columns=[c for c in RANKING_COLUMNS if c != "rank"])
    frame = frame.sort_values(["reduction_per_cost", "expected_total_gain", "measure"],
                              ascending=[False, False, True], kind="stable").reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame
