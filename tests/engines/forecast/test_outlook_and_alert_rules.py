"""The one outlook (forecast conditioned on weather) and the alert rules, on hand-made economies."""

import numpy as np
import pandas as pd
import pytest

from gosplan.engines.forecast.weather import scenario_totals, weather_outlook
from gosplan.engines.risk import Exposure, WeatherRiskModel
from gosplan.errors import ValidationError
from gosplan.forecast import lowest_alerts, make_alerts, missing_months, readable
from gosplan.service.wording import (
    attainment_message,
    change_message,
    probability_label,
    probability_reason,
)

UNITS = pd.DataFrame({"code": ["kp", "north", "south", "east", "n1", "n2", "n3", "s1", "e1"],
                      "parent": [None, "kp", "kp", "kp", "north", "north", "north", "south", "east"]})


def test_weather_conditions_only_the_rest_of_the_year():
    known, rest = np.array([100.0, 100.0]), np.array([900.0, 900.0])
    factors = np.array([[0.5, 1.0], [1.5, 1.0]])               # two scenarios, two provinces
    weights = np.array([[1.0, 0.0], [0.25, 0.75]])
    totals = scenario_totals(known, rest, weights, factors)
    assert totals.tolist() == [[550.0, 1450.0], [100 + 900 * (0.125 + 0.75), 100 + 900 * (0.375 + 0.75)]]
    out = weather_outlook(known, rest, weights, factors, targets=np.array([1000.0, 1000.0]))
    assert out["expected_total"].tolist() == pytest.approx([1000.0, 1000.0])   # average weather: the forecast
    assert out["p_attain"].tolist() == [0.5, 0.5]
    # An unexposed row keeps the forecast's level with no weather spread.
    flat = weather_outlook(known, rest, np.zeros((2, 2)), factors, targets=np.array([1000.0, 1001.0]))
    assert flat["lower_99"].tolist() == flat["upper_99"].tolist() == [1000.0, 1000.0]
    assert flat["p_attain"].tolist() == [1.0, 0.0]


def test_weather_outlook_rejects_misshapen_inputs():
    with pytest.raises(ValidationError, match="shapes"):
        scenario_totals(np.ones(2), np.ones(2), np.ones((2, 3)), np.ones((5, 2)))
    with pytest.raises(ValidationError, match="weights"):
        scenario_totals(np.ones(1), np.ones(1), np.array([[0.8, 0.8]]), np.ones((5, 2)))


def test_factors_are_relative_to_an_average_weather_year():
    exposure = Exposure(("North", "South"), normal_output=[2.0e6, 1.0e6], area=[4.0e5, 2.0e5],
                        protected_share={"drought": [0.2, 0.9]})
    model = WeatherRiskModel()
    result = model.simulate(exposure, target=2.9e6, n_scenarios=40_000, seed=3)
    factors = result.factors()
    assert factors.shape == (40_000, 2)
    # Random weather all year: the factors average 1 (the analytic mean matches the simulation).
    assert factors.mean(axis=0) == pytest.approx([1.0, 1.0], abs=0.004)
    assert result.mean_factor[1] > result.mean_factor[0]       # the better protected province loses less


def test_a_drought_observed_lowers_every_scenario_of_its_province():
    exposure = Exposure(("North", "South"), normal_output=[2.0e6, 1.0e6], area=[4.0e5, 2.0e5])
    drought = pd.DataFrame({"province": ["South"], "period": ["2023-06"], "kind": ["drought"], "severity": [0.8]})
    result = WeatherRiskModel().simulate(exposure, target=2.9e6, n_scenarios=5_000, seed=1, observed=drought,
                                         as_of="2023-06")
    factors = result.factors()
    assert factors[:, 1].mean() < 0.85 < factors[:, 0].mean()
    out = weather_outlook(np.zeros(2), np.array([2.0e6, 1.0e6]), np.eye(2), factors, targets=np.array([2e6, 1e6]))
    assert out["p_attain"][1] < 0.01 < out["p_attain"][0]


def test_favourable_changes_are_notable_never_critical():
    exceptions = pd.DataFrame({
        "series_id": ["coal|n1", "coal|n2", "energy_use|n3", "energy_use|s1"],
        "period": "2023-01", "kind": "step", "size": [42.0, -40.0, -30.0, 30.0],
        "relative_size": [0.31, -0.31, -0.3, 0.3], "probability": 0.999, "message": ""})
    alerts = make_alerts(exceptions=exceptions, direction={"coal": "higher", "energy_use": "lower"})
    severity = alerts.set_index("unit")["severity"].to_dict()
    assert severity == {"n1": "notable", "n2": "critical", "n3": "notable", "s1": "critical"}
    assert alerts["severity"].tolist()[-2:] == ["notable", "notable"]      # good news last


def test_one_alert_per_problem_narrow_lives_below_broad_lives_above():
    # Coal falls at one mine: the province and the country copy it -> only the mine keeps its alert.
    narrow = pd.DataFrame({"indicator": "coal", "kind": "step", "unit": ["kp", "north", "n1"],
                           "amount": [-40.0, -40.0, -40.0]})
    assert lowest_alerts(narrow, UNITS)["unit"].tolist() == ["n1"]
    # All three mines of the north fall: the problem is the north's.
    broad = pd.DataFrame({"indicator": "coal", "kind": "step", "unit": ["north", "n1", "n2", "n3"],
                          "amount": [-90.0, -30.0, -30.0, -30.0]})
    assert lowest_alerts(broad, UNITS)["unit"].tolist() == ["north"]
    # A rise and a fall are two problems; another kind is another problem.
    mixed = pd.DataFrame({"indicator": "coal", "kind": ["step", "step", "missing"], "unit": ["north", "n1", "n1"],
                          "amount": [50.0, -50.0, 1.0]})
    assert len(lowest_alerts(mixed, UNITS)) == 3
    # A county with one enterprise: the enterprise keeps the alert, the copy goes.
    single = pd.DataFrame({"indicator": "coal", "kind": "attainment", "unit": ["south", "s1"], "amount": [9.0, 9.0]})
    assert lowest_alerts(single, UNITS)["unit"].tolist() == ["s1"]


def test_a_missing_april_is_missing_in_july():
    months = ["2023-01", "2023-02", "2023-03", "2023-05", "2023-06", "2023-07"]
    reports = pd.DataFrame({"series_id": ["coal|n1"] * 6 + ["coal|n2"] * 7,
                            "period": months + [f"2023-0{m}" for m in range(1, 8)], "value": 1.0})
    found = missing_months(reports, "2023-07")
    assert found[["series_id", "period", "kind", "size"]].to_dict("records") == [
        {"series_id": "coal|n1", "period": "2023-04", "kind": "missing", "size": 1.0}]
    # A unit that started reporting in March is not missing January and February.
    late = pd.DataFrame({"series_id": "coal|e1", "period": ["2023-03", "2023-04"], "value": 1.0})
    assert missing_months(late, "2023-04").empty
    assert make_alerts(exceptions=found)["kind"].tolist() == ["missing"]


def test_messages_carry_units_and_readable_numbers():
    text = attainment_message(2023, 2.28e9, 2.1e9, 2.0e9, 2.2e9, 0.004, 1.2e9, 0.031, "kWh")
    assert text == ("P(reaching the 2023 target of 2.3 TWh) < 1 %; expected 2.1 TWh (80 %: 2.0 TWh to 2.2 TWh); "
                    "the rest of the year needs 1.2 TWh, +3.1 % against the plan's path")
    assert "e+" not in text and "nan" not in text
    good = change_message("step", 0.31, 42_000.0, "2023-01", 0.999, "t", favourable=True)
    assert good == "step of +31 % (+42.0 kt a month) from 2023-01, probability > 99 %; favourable"
    assert readable(2.28e9) == "2.28 bn" and "e+" not in make_alerts(pd.DataFrame({
        "series_id": ["x|n1"], "year": [2023], "target": [2.28e9], "expected_total": [2.0e9], "lower_80": [1.9e9],
        "upper_80": [2.1e9], "p_attain": [0.01], "required_monthly_rate": [4.6e7], "months_remaining": [6],
        "method": ["ets-additive"]}))["message"].iloc[0]


def test_extreme_probabilities_say_why():
    assert probability_label(0.0) == "< 1 %" and probability_label(1.0) == "> 99 %"
    assert probability_label(0.5) == "50 %" and probability_label(float("nan")) == "–"
    assert probability_reason(0.0, 112.0, 80.0, 100.0, "t") == \
        "target 12 % above everything the outlook sees as possible (at most 100.0 t)"
    assert probability_reason(1.0, 90.0, 100.0, 120.0, "t") == \
        "target 10 % below everything the outlook sees as possible (at least 100.0 t)"
    assert probability_reason(0.3, 112.0, 80.0, 100.0, "t") == ""
    # Lower is better (a ceiling): a near-certain miss means the ceiling is below the lowest outcome.
    assert probability_reason(0.0, 90.0, 100.0, 120.0, "t", lower_better=True).startswith("target 10 % below")
