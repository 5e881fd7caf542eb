"""Weather risk engine: synthetic cases with known answers, parameter recovery, properties.

Closed forms used: for a normal total X ~ N(μ, σ²) and target T, with d = (T − μ)/σ,
P(X ≥ T) = 1 − Φ(d) and E[max(T − X, 0)] = (T − μ) Φ(d) + σ φ(d) (the normal "loss function",
e.g. Porteus, *Foundations of Stochastic Inventory Theory*, 2002, ch. 1).
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from gosplan.engines.risk import (
    KINDS,
    Exposure,
    Measure,
    WeatherRiskModel,
    WeatherRiskParameters,
    event_losses,
    fit_province_risk,
    fit_weather_risk,
    measures_from_frame,
    parse_events,
)
from gosplan.errors import ValidationError
from gosplan.runner import Runner

DATA = Path(__file__).parent / "data"


def _only(kind: str, month: int, probability: float, loss: float, **kwargs) -> WeatherRiskParameters:
    """Parameters with a single risk: ``kind`` in ``month`` only."""
    q = np.zeros((3, 12))
    stage = np.zeros((3, 12))
    q[KINDS.index(kind), month - 1] = probability
    stage[KINDS.index(kind), month - 1] = loss
    other_sd = kwargs.pop("other_sd", 0.0)
    return WeatherRiskParameters(probability=q, stage_loss=stage, other_sd=other_sd, **kwargs)


def _calm(other_sd: float = 0.0) -> WeatherRiskParameters:
    return WeatherRiskParameters(probability=np.zeros((3, 12)), other_sd=other_sd)


def _exposure(n: int = 3, output: float = 1.0e6, **kwargs) -> Exposure:
    return Exposure(tuple(f"P{i}" for i in range(n)), normal_output=np.full(n, output),
                    area=np.full(n, 1.0e5), **kwargs)


def test_no_weather_variance_gives_certainty():
    exposure = _exposure()
    model = WeatherRiskModel(_calm())
    met = model.simulate(exposure, target=3.0e6, n_scenarios=1000)
    assert met.p_target_met == 1.0 and met.expected_shortfall == 0.0 and math.isnan(met.conditional_shortfall)
    assert np.all(met.totals == 3.0e6)
    missed = model.simulate(exposure, target=3.2e6, n_scenarios=1000)
    assert missed.p_target_met == 0.0
    assert missed.expected_shortfall == pytest.approx(0.2e6)
    assert missed.conditional_shortfall == pytest.approx(0.2e6)


def test_single_event_matches_its_closed_form():
    # One province; a July drought with probability 0.3 destroys 0.4 × 0.5 = 20 % of output.
    params = _only("drought", 7, 0.3, 0.4, severity_concentration=math.inf, severity_mean=(0.5, 0.5, 0.5))
    n = 40_000
    result = WeatherRiskModel(params).simulate(_exposure(1), target=0.9e6, n_scenarios=n, seed=3)
    se = math.sqrt(0.3 * 0.7 / n)
    assert result.p_target_met == pytest.approx(0.7, abs=4 * se)
    assert result.expected_shortfall == pytest.approx(0.3 * 0.1e6, abs=4 * se * 0.1e6)
    assert result.conditional_shortfall == pytest.approx(0.1e6)
    assert set(np.round(result.totals)) == {0.8e6, 1.0e6}


def test_expected_shortfall_matches_the_normal_closed_form():
    outputs = np.array([1.0e6, 2.0e6, 1.5e6])
    sd = 0.05
    exposure = Exposure(("a", "b", "c"), normal_output=outputs, area=[1.0, 1.0, 1.0])
    mu, sigma = outputs.sum(), sd * math.sqrt((outputs ** 2).sum())
    target = mu - 0.5 * sigma
    n = 100_000
    result = WeatherRiskModel(_calm(other_sd=sd)).simulate(exposure, target=target, n_scenarios=n, seed=11)
    d = (target - mu) / sigma
    shortfall = (target - mu) * norm.cdf(d) + sigma * norm.pdf(d)
    shortfalls = np.maximum(target - result.totals, 0.0)
    se = shortfalls.std(ddof=1) / math.sqrt(n)
    assert result.expected_shortfall == pytest.approx(shortfall, abs=4 * se)
    assert result.p_target_met == pytest.approx(1 - norm.cdf(d), abs=4 * math.sqrt(0.25 / n))
    assert result.quantiles[0.05] == pytest.approx(mu + sigma * norm.ppf(0.05), rel=2e-3)
    assert result.expected_total == pytest.approx(mu, rel=1e-3)


def test_a_measure_that_removes_a_risk_removes_its_loss():
    params = _only("drought", 6, 0.5, 0.3, protection_effect=(1.0, 0.6, 0.5))
    exposure = _exposure(2)
    full = Measure("irrigate all of P0", "P0", "irrigation", area=1.0e5, cost=5.0)
    result = WeatherRiskModel(params).simulate(exposure, target=2.0e6, measures=[full], n_scenarios=5000,
                                               seed=2)
    row = result.measures.iloc[0]
    p0_loss = 1.0e6 - result.expected_by_province[0]
    assert p0_loss > 0
    assert result.by_province().expected_loss.tolist() == pytest.approx(1.0e6 - result.expected_by_province)
    assert row.expected_total_gain == pytest.approx(p0_loss)
    # P1 still loses; P0 no longer does: remaining shortfall is P1's loss alone.
    assert row.expected_shortfall == pytest.approx(1.0e6 - result.expected_by_province[1])
    assert row.shortfall_reduction == pytest.approx(result.expected_shortfall - row.expected_shortfall)
    assert row.reduction_per_cost == pytest.approx(row.shortfall_reduction / 5.0)


def test_measures_are_ranked_by_value_per_cost_on_common_weather():
    params = _only("drought", 7, 0.4, 0.5)
    exposure = _exposure(3, protected_share={"drought": [0.2, 0.2, 0.2]},
                         risk_multiplier={"drought": [2.0, 0.0, 1.0]})
    # Target = normal total, so the shortfall is the whole loss: irrigating P0 (twice P2's drought
    # risk) avoids about twice what irrigating P2 does; at 2.5 times the cost it is worth less.
    measures = [Measure("B", "P1", "drought", 5.0e4, 1.0), Measure("A cheap", "P0", "drought", 5.0e4, 1.0),
                Measure("A dear", "P0", "drought", 5.0e4, 2.5), Measure("C", "P2", "drought", 5.0e4, 1.0)]
    result = WeatherRiskModel(params).simulate(exposure, target=3.0e6, measures=measures, n_scenarios=4000,
                                               seed=5)
    ranking = result.measures.set_index("measure")
    assert list(result.measures.measure) == ["A cheap", "C", "A dear", "B"]
    assert ranking.loc["B", "shortfall_reduction"] == 0.0  # no drought in P1: exactly nothing gained
    cheap = ranking.loc["A cheap", "reduction_per_cost"]
    # Same measure, same weather: exactly the same gain, at 2.5 times the cost.
    assert ranking.loc["A dear", "reduction_per_cost"] == pytest.approx(cheap / 2.5)
    assert (result.measures["rank"] == [1, 2, 3, 4]).all()
    assert ranking.loc["A cheap", "shortfall_reduction"] > 3 * ranking.loc["A cheap", "reduction_se"]


def test_same_seed_same_numbers_on_any_runner():
    exposure = _exposure(4, protected_share={"drought": [0.3, 0.5, 0.7, 0.9]})
    measures = [Measure("m", "P0", "drought", 1.0e4, 1.0)]
    model = WeatherRiskModel()
    first = model.simulate(exposure, 3.7e6, measures, n_scenarios=3000, seed=9, chunk_size=1000)
    again = model.simulate(exposure, 3.7e6, measures, n_scenarios=3000, seed=9, chunk_size=1000)
    pooled = model.simulate(exposure, 3.7e6, measures, n_scenarios=3000, seed=9, chunk_size=1000,
                            runner=Runner(processes=2))
    other = model.simulate(exposure, 3.7e6, measures, n_scenarios=3000, seed=10, chunk_size=1000)
    np.testing.assert_array_equal(first.totals, again.totals)
    np.testing.assert_array_equal(first.totals, pooled.totals)
    pd.testing.assert_frame_equal(first.measures, pooled.measures)
    assert not np.array_equal(first.totals, other.totals)


def test_observed_episode_fixes_the_months_up_to_as_of():
    params = _only("flood", 7, 0.0, 0.25, severity_concentration=math.inf)
    exposure = _exposure(2, protected_share={"flood": [0.5, 0.0]})
    observed = pd.DataFrame({"province": ["P0", "P1", "P1"], "period": ["2023-07", "2023-07", "2022-07"],
                             "kind": "flood", "severity": [0.8, 0.4, 1.0]})
    losses = event_losses(exposure, observed[observed.period.str.startswith("2023")], params)
    # P0: 0.25 × 0.8 × (1 − 0.6 × 0.5) = 0.14; P1: 0.25 × 0.4 = 0.10 (2022's flood is another year).
    assert losses.loss_share.tolist() == pytest.approx([0.14, 0.10])
    result = WeatherRiskModel(params).simulate(exposure, 2.0e6, n_scenarios=200, observed=observed,
                                               as_of="2023-08")
    assert np.allclose(result.totals, 2.0e6 - losses.loss.sum())
    before = WeatherRiskModel(params).simulate(exposure, 2.0e6, n_scenarios=200, observed=observed,
                                               as_of="2023-06")
    assert np.allclose(before.totals, 2.0e6)  # July not yet observed; its random risk is zero here
    # Protection added after the flood does not undo it.
    late = Measure("drain P1", "P1", "drainage", 1.0e5, 1.0)
    after = WeatherRiskModel(params).simulate(exposure, 2.0e6, [late], n_scenarios=200, observed=observed,
                                              as_of="2023-08")
    assert after.measures.loc[0, "shortfall_reduction"] == 0.0


def test_exposure_from_farms_sums_by_province():
    farms = pd.DataFrame({"unit": ["N", "N", "S"], "area": [100.0, 300.0, 200.0], "yield": [5.0, 4.0, 6.0],
                          "irrigated_area": [100.0, 100.0, 50.0], "drained_share": [0.0, 1.0, 0.5]})
    exposure = Exposure.from_farms(farms)
    assert exposure.provinces == ("N", "S")
    assert exposure.normal_output.tolist() == [1700.0, 1200.0]
    assert exposure.protected_share[KINDS.index("drought")].tolist() == [0.5, 0.25]
    assert exposure.protected_share[KINDS.index("flood")].tolist() == [0.75, 0.5]
    assert exposure.protected_share[KINDS.index("cold")].tolist() == [0.0, 0.0]


def test_invalid_inputs_are_reported():
    with pytest.raises(ValidationError):
        WeatherRiskParameters(spatial_correlation=1.5)
    with pytest.raises(ValidationError) as caught:
        measures_from_frame(pd.DataFrame({"name": ["a", "b"], "province": "P0", "kind": ["hail", "drought"],
                                          "area": [1.0, -1.0], "cost": [1.0, 0.0]}))
    assert [p.row for p in caught.value.problems] == [2, 3]
    with pytest.raises(ValidationError):
        WeatherRiskModel().simulate(_exposure(1), 1.0, [Measure("x", "nowhere", "drought", 1.0, 1.0)])


def _synthetic_history(truth: WeatherRiskParameters, provinces: int, years: int, seed: int):
    """Yearly outputs and events drawn from the model, written independently of the engine."""
    rng = np.random.default_rng(seed)
    rho = truth.spatial_correlation
    log_output = np.log(1.0e5) + 0.01 * np.arange(years)[:, None] + rng.normal(0, 0.3, provinces)[None, :]
    survival = np.ones((years, provinces))
    events = []
    for k, kind in enumerate(KINDS):
        a = truth.severity_mean[k] * truth.severity_concentration
        b = (1 - truth.severity_mean[k]) * truth.severity_concentration
        for m in range(12):
            if truth.probability[k, m] == 0:
                continue
            z = (math.sqrt(rho) * rng.normal(size=(years, 1))
                 + math.sqrt(1 - rho) * rng.normal(size=(years, provinces)))
            hit = z < norm.ppf(truth.probability[k, m])
            severity = rng.beta(a, b, size=(years, provinces))
            survival *= 1 - hit * truth.stage_loss[k, m] * severity
            for y, p in zip(*np.nonzero(hit), strict=True):
                events.append((f"P{p}", f"{2000 + y}-{m + 1:02d}", kind, severity[y, p]))
    output = np.exp(log_output) * survival * (1 + truth.other_sd * rng.normal(size=(years, provinces)))
    history = pd.DataFrame({"province": np.tile([f"P{p}" for p in range(provinces)], years),
                            "year": np.repeat(2000 + np.arange(years), provinces), "output": output.ravel()})
    return history, pd.DataFrame(events, columns=["province", "period", "kind", "severity"])


def test_fit_recovers_known_parameters_from_outputs_and_events():
    truth = WeatherRiskParameters(spatial_correlation=0.4, other_sd=0.02)
    history, events = _synthetic_history(truth, provinces=10, years=200, seed=7)
    prior = replace(truth, probability=truth.probability * 0.5, stage_loss=truth.stage_loss * 0.5,
                    spatial_correlation=0.1, other_sd=0.05)
    fitted = fit_weather_risk(history, events, prior=prior)
    # 2000 province-years, but correlated within a year: the standard error of a monthly
    # frequency near 0.12 is about 0.012, so 0.04 is more than three of them.
    big = truth.probability >= 0.1
    assert fitted.probability[big] == pytest.approx(truth.probability[big], abs=0.04)
    assert fitted.stage_loss[big] == pytest.approx(truth.stage_loss[big], rel=0.15)
    assert fitted.other_sd == pytest.approx(0.02, rel=0.25)
    assert fitted.spatial_correlation == pytest.approx(0.4, abs=0.12)
    assert fitted.severity_mean == pytest.approx(truth.severity_mean, abs=0.05)


def test_fit_from_outputs_alone_finds_the_loss_scale():
    truth = WeatherRiskParameters(other_sd=0.02)
    history, _ = _synthetic_history(truth, provinces=40, years=50, seed=8)
    fitted = fit_weather_risk(history, prior=replace(truth, stage_loss=truth.stage_loss * 2, other_sd=0.0))
    assert fitted.stage_loss.max() == pytest.approx(truth.stage_loss.max(), rel=0.3)
    assert fitted.other_sd < 0.04
    calm = fit_weather_risk(_synthetic_history(_calm(other_sd=0.03), 20, 30, seed=1)[0])
    assert calm.stage_loss.max() < 0.1 and calm.other_sd == pytest.approx(0.03, rel=0.25)


def test_default_parameters_vary_like_the_published_grain_series():
    # RDA estimates of DPRK grain output 2014-2025 (tests/engines/projects/data/README.md): detrended
    # log standard deviation about 3.5 %. The defaults with typical protection should give the same order.
    grain = pd.read_csv(DATA / "dprk_grain.csv")
    coef = np.polyfit(grain.year, np.log(grain.grain_mt), 1)
    observed = np.std(np.log(grain.grain_mt) - np.polyval(coef, grain.year), ddof=2)
    exposure = _exposure(10, 0.5e6, protected_share={"drought": 0.5, "flood": 0.3, "cold": 0.2})
    result = WeatherRiskModel().simulate(exposure, 4.7e6, n_scenarios=20_000, seed=0)
    simulated = result.sd_total / result.expected_total
    assert 0.5 * observed < simulated < 2 * observed


@settings(max_examples=25, deadline=None)
@given(st.floats(0.0, 0.5), st.floats(0.0, 0.9), st.floats(0.0, 1.0), st.floats(0.0, 1.0e5),
       st.integers(0, 10_000))
def test_protection_never_lowers_output_in_any_scenario(probability, rho, share, area, seed):
    params = replace(_only("drought", 6, probability, 0.4, other_sd=0.02), spatial_correlation=rho)
    exposure = _exposure(2, protected_share={"drought": [share, share]})
    result = WeatherRiskModel(params).simulate(exposure, 1.9e6, [Measure("m", "P1", "drought", area, 1.0)],
                                               n_scenarios=300, seed=seed, chunk_size=100)
    row = result.measures.iloc[0]
    assert row.expected_total_gain >= -1e-6
    assert row.shortfall_reduction >= -1e-6
    assert row.p_target_met >= result.p_target_met
    higher = np.mean(result.totals >= 2.0e6)
    assert higher <= result.p_target_met


def test_exposure_from_farm_units_maps_them_to_provinces():
    # The demo economy's farms frame: farm units with crop and irrigated hectares, no province column.
    farms = pd.DataFrame({"unit": ["farm.a", "farm.b", "farm.c"], "crop_area_ha": [100.0, 300.0, 200.0],
                          "irrigated_ha": [50.0, 150.0, 20.0]})
    exposure = Exposure.from_farms(farms, province_of={"farm.a": "X", "farm.b": "X", "farm.c": "Y"},
                                   normal_output={"farm.a": 400.0, "farm.b": 900.0, "farm.c": 500.0})
    assert exposure.provinces == ("X", "Y")
    assert exposure.normal_output.tolist() == [1300.0, 500.0]
    assert exposure.protected_share[0].tolist() == [0.5, 0.1]
    with pytest.raises(ValidationError):
        Exposure.from_farms(farms, province_of={"farm.a": "X"}, normal_output={"farm.a": 1.0})


def test_weather_events_accept_aliases_and_report_every_problem():
    events = pd.DataFrame({"unit": ["A", "B"], "period": ["2023-07", "2023-08"],
                           "kind": ["Heavy rain", "frost"], "severity": [0.5, 0.2]})
    parsed = parse_events(events)
    assert parsed.k.tolist() == [KINDS.index("flood"), KINDS.index("cold")]
    assert parsed.m.tolist() == [6, 7] and parsed.year.tolist() == [2023, 2023]
    bad = pd.DataFrame({"province": ["A", "B", "C"], "period": ["2023-13", "2023-Q3", "2023-07"],
                        "kind": ["flood", "flood", "hail"], "severity": [0.5, 0.5, 2.0]})
    with pytest.raises(ValidationError) as caught:
        parse_events(bad)
    assert [p.row for p in caught.value.problems] == [2, 3, 4]


def test_province_risk_multipliers_follow_the_record():
    history = pd.DataFrame({"province": np.repeat(["dry", "wet", "new"], [20, 20, 5]),
                            "year": np.r_[np.arange(2000, 2020), np.arange(2000, 2020),
                                          np.arange(2015, 2020)],
                            "output": 1.0e5})
    # "dry" recorded a June drought in every second year, "wet" none; the model expects 0.12 a year.
    events = pd.DataFrame({"province": "dry", "period": [f"{y}-06" for y in range(2000, 2020, 2)],
                           "kind": "drought", "severity": 0.5})
    params = _only("drought", 6, 0.12, 0.3)
    multipliers = fit_province_risk(history, events, params, ("dry", "wet", "new", "unrecorded"))
    drought = multipliers["drought"]
    assert drought[0] == pytest.approx((10 + 2) / (0.12 * 20 + 2))
    assert drought[1] == pytest.approx(2 / (0.12 * 20 + 2))
    assert drought[1] < drought[2] < 1 < drought[0] and drought[3] == 1.0
    assert (multipliers["flood"] == 1.0).all()  # no flood risk in these parameters
